"""The reviewer's judgement of one attempt: six fields, confidence, note and flag, drawn from a FormState."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from bare_tui.model import FIELDS, Label
from bare_tui.review import FormState
from bare_tui.safe_text import visible

LABEL_STYLES: dict[Label, str] = {Label.PASS: "bold green", Label.FAIL: "bold red", Label.UNSURE: "bold yellow"}
CONFIDENCE_WORDS: dict[int, str] = {1: "low", 2: "medium", 3: "high"}
NOTE_PREVIEW = 18


class JudgementForm(Widget):
    """Paints the form; the review screen owns the state and the keys (the focus here is a cursor, not
    Textual focus, so the diff keeps the scrolling keys)."""

    COMPONENT_CLASSES = {"judgement-form--focused"}

    DEFAULT_CSS = """
    JudgementForm {
        height: auto;
        border: round $accent 60%;
        border-title-color: $text;
        padding: 0 1;
        & > .judgement-form--focused { background: $accent 35%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "your judgement"
        self._form = FormState()
        self._flagged = False

    @property
    def form(self) -> FormState:
        return self._form

    def show(self, form: FormState, flagged: bool) -> None:
        self._form = form
        self._flagged = flagged
        self.refresh()

    def render(self) -> Text:
        form = self._form
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, (name, state) in enumerate(zip(FIELDS, form.fields)):
            focused = index == form.focus
            line = Text(f"{'▸' if focused else ' '} {name:<16}", style="bold" if focused else "")
            if state.label is None:
                line.append("–", style="bright_black")
            else:
                line.append(state.label.value, style=LABEL_STYLES[state.label])
                if state.changed:
                    line.append(" *", style="bright_black")  # not saved yet
            if focused:
                line.pad_right(self.content_size.width - line.cell_len)
                line.stylize(self.get_component_rich_style("judgement-form--focused"))
            text.append_text(line)
            text.append("\n")
        text.append("\nconfidence ", style="bright_black")
        if form.confidence is None:
            text.append("–  (1 2 3)", style="bright_black")
        else:
            text.append(f"{form.confidence} {CONFIDENCE_WORDS[form.confidence]}")
        text.append("\nnote       ", style="bright_black")
        if form.note or form.tags:
            preview = visible(form.note).replace("\n", " ⏎ ")
            if len(preview) > NOTE_PREVIEW:
                preview = preview[: NOTE_PREVIEW - 1] + "…"
            text.append("✎ ", style="cyan")
            text.append(preview or "(tags only)")
            if form.tags:
                text.append(f" #{len(form.tags)}", style="bright_black")
        else:
            text.append("none  (c)", style="bright_black")
        text.append("\nflag       ", style="bright_black")
        if self._flagged:
            text.append("⚑ for audit", style="bold magenta")
        else:
            text.append("no  (f)", style="bright_black")
        return text
