"""The `g` dialog: go to an attempt by its id, with the session's ids offered as you type."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from bare_tui.safe_rich_text import safe_rich_text

SUGGESTED_IDS = 50_000  # beyond this many, completing as you type costs more than it helps


class GoToScreen(ModalScreen[str | None]):
    """Type an attempt id (tab completes it), enter goes there; an unknown id says so and stays open."""

    DEFAULT_CSS = """
    GoToScreen {
        align: center middle;
        background: $background 60%;
        #goto-body {
            width: 60;
            max-width: 100%;
            height: auto;
            border: round $accent;
            border-title-color: $text;
            border-subtitle-color: $text-muted;
            padding: 0 1;
            background: $surface;
        }
        #goto-error { color: $error; height: auto; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="goto.cancel")]

    def __init__(self, suggested: Collection[str], exists: Callable[[str], bool]) -> None:
        """suggested: the ids offered as you type (the attempts being walked); exists: whether an id is an
        attempt of the session (any attempt may be gone to, in the walk or not)."""
        super().__init__()
        self._suggested = suggested
        self._exists = exists

    def compose(self) -> ComposeResult:
        ids = list(self._suggested) if len(self._suggested) <= SUGGESTED_IDS else []
        with Vertical(id="goto-body") as body:
            body.border_title = "go to an attempt"
            body.border_subtitle = "enter go · tab complete · esc cancel"
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

    def action_cancel(self) -> None:
        self.dismiss(None)
