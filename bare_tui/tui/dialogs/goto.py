"""The `g` dialog: go to an attempt by its id, with the session's ids offered as you type."""

from __future__ import annotations

from collections.abc import Callable, Collection

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from bare_tui.safe_rich_text import safe_rich_text

from .dialog import Dialog

SUGGESTED_IDS = 50_000  # beyond this many, completing as you type costs more than it helps


class GoToScreen(Dialog[str | None]):
    """Type an attempt id (tab completes it), enter goes there; an unknown id says so and stays open."""

    DEFAULT_CSS = """
    GoToScreen {
        #goto-body { width: 60; }
        #goto-error { color: $error; height: auto; }
    }
    """
    BODY_ID = "goto-body"
    CLOSE_DESCRIPTION = "Cancel"
    CLOSE_ID = "goto.cancel"

    def __init__(self, suggested: Collection[str], exists: Callable[[str], bool]) -> None:
        """suggested: the ids offered as you type (the attempts being walked); exists: whether an id is an
        attempt of the session (any attempt may be gone to, in the walk or not)."""
        super().__init__()
        self._suggested = suggested
        self._exists = exists

    def heading(self) -> str:
        return "go to an attempt"

    def hint(self) -> str:
        return "enter go · tab complete · esc cancel"

    def compose_body(self) -> ComposeResult:
        ids = list(self._suggested) if len(self._suggested) <= SUGGESTED_IDS else []
        yield Input(
            placeholder="attempt id, e.g. a-0042",
            id="goto-id",
            suggester=SuggestFromList(ids, case_sensitive=True) if ids else None,
        )
        yield Static("", id="goto-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#goto-id")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        wanted = event.value.strip()
        if wanted and (wanted in self._suggested or self._exists(wanted)):
            self.dismiss(wanted)
            return
        message = Text("no attempt ")
        message.append_text(safe_rich_text(wanted or "(empty)", style="bold"))
        message.append(" in this session")
        self.query_one("#goto-error", Static).update(message)
