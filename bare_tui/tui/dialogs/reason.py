"""The reason for an adjudication: a code (keys 1-5) and the auditor's note, picked in a dialog over the audit list."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from bare_tui.audit import AuditItem, suggested_reason
from bare_tui.model import Label, ReasonCode
from bare_tui.safe_rich_text import safe_rich_text

from ..style import OUTCOME_STYLES
from .dialog import Dialog

REASON_HELP: dict[ReasonCode, str] = {
    ReasonCode.PIPELINE_FALSE_FAIL: "the pipeline failed an attempt that is good",
    ReasonCode.PIPELINE_FALSE_PASS: "the pipeline passed an attempt that is not",
    ReasonCode.REVIEWER_ERROR: "a reviewer's label was wrong",
    ReasonCode.AMBIGUOUS_RUBRIC: "the rubric does not decide this case",
    ReasonCode.OTHER: "something else: say what in the note",
}


@dataclass(frozen=True)
class ReasonChoice:
    """What the reason picker returns: the code and the auditor's note."""

    reason: ReasonCode
    note: str


class ReasonScreen(Dialog[ReasonChoice | None]):
    """Pick the reason for an adjudication (keys 1-5), add a note, enter saves; escape cancels."""

    DEFAULT_CSS = """
    ReasonScreen {
        #reason-list { height: auto; max-height: 7; width: 100%; }
        #reason-note { margin: 1 0 0 0; }
    }
    """
    BODY_ID = "reason-box"
    CLOSE_DESCRIPTION = "Cancel"
    CLOSE_ID = "reason.cancel"
    BINDINGS = [
        Binding("1", "choose(0)", "pipeline-false-fail", show=False, id="reason.1"),
        Binding("2", "choose(1)", "pipeline-false-pass", show=False, id="reason.2"),
        Binding("3", "choose(2)", "reviewer-error", show=False, id="reason.3"),
        Binding("4", "choose(3)", "ambiguous-rubric", show=False, id="reason.4"),
        Binding("5", "choose(4)", "other", show=False, id="reason.5"),
    ]

    def __init__(self, item: AuditItem, label: Label) -> None:
        super().__init__()
        self.item = item
        self.label = label
        self.reason = suggested_reason(item, label)

    def heading(self) -> Text:
        title = Text("settle ")
        title.append_text(safe_rich_text(self.item.attempt_id, style="bold"))
        title.append(f" · {self.item.stage} as ")
        title.append(self.label.value.upper(), style=OUTCOME_STYLES[self.label.value])
        return title

    def hint(self) -> str:
        return "1-5 reason · tab note · enter save · esc cancel"

    def compose_body(self) -> ComposeResult:
        yield OptionList(
            *(
                Option(
                    Text.assemble((f"{n}  ", "bold"), (code.value.ljust(21), "bold"), (REASON_HELP[code], "dim")),
                    id=code.value,
                )
                for n, code in enumerate(ReasonCode, start=1)
            ),
            id="reason-list",
        )
        yield Input(placeholder="note (optional)", id="reason-note")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(ReasonCode).index(self.reason)
        options.focus()

    def action_choose(self, index: int) -> None:
        self.reason = list(ReasonCode)[index]
        self.query_one(OptionList).highlighted = index
        self.query_one("#reason-note", Input).focus()

    @on(OptionList.OptionSelected)
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        note = self.query_one("#reason-note", Input).value.strip()
        if note:
            # The note was typed first (tab, then back to the list): enter on a reason saves both.
            self.reason = list(ReasonCode)[event.option_index]
            self.dismiss(ReasonChoice(self.reason, note))
            return
        self.action_choose(event.option_index)

    @on(Input.Submitted, "#reason-note")
    def _note_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(ReasonChoice(self.reason, event.value.strip()))
