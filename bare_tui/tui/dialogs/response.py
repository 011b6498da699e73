"""The model's raw answer for the attempt on show, read-only: what a reviewer checks when no code came out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import TextArea

from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.safe_text import visible


class ResponseScreen(ModalScreen[None]):
    """The raw response (or the patch) with every control character made visible; escape closes."""

    DEFAULT_CSS = """
    ResponseScreen {
        align: center middle;
        background: $background 60%;
        #response-body {
            width: 90%;
            height: 85%;
            border: round $accent;
            border-title-color: $text;
            border-subtitle-color: $text-muted;
            background: $surface;
        }
        TextArea { height: 1fr; border: none; }
    }
    """

    BINDINGS = [Binding("escape,q", "close", "Close", id="response.close")]

    def __init__(self, attempt_id: str, response: str | None, patch: str | None) -> None:
        super().__init__()
        self._attempt_id = attempt_id
        if response:
            self._kind, self._text = "raw response", response
        elif patch:
            self._kind, self._text = "patch", patch
        else:
            self._kind, self._text = "raw response", ""

    @property
    def shown_text(self) -> str:
        return self.query_one(TextArea).text

    def compose(self) -> ComposeResult:
        with Vertical(id="response-body") as body:
            body.border_title = Text(f"{self._kind} of ").append_text(safe_rich_text(self._attempt_id))
            body.border_subtitle = "esc to close"
            # TextArea paints text literally; visible() turns escapes, bidi controls and NUL into symbols first.
            yield TextArea(
                visible(self._text) or "(the import gave no raw response or patch)",
                read_only=True,
                soft_wrap=True,
                show_line_numbers=True,
            )

    def action_close(self) -> None:
        self.dismiss(None)
