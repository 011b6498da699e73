"""The model's raw answer for the attempt on show, read-only: what a reviewer checks when no code came out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import TextArea

from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.safe_text import visible

from .dialog import Dialog


class ResponseScreen(Dialog[None]):
    """The raw response (or the patch) with every control character made visible; escape closes."""

    DEFAULT_CSS = """
    ResponseScreen {
        #response-body { width: 90%; height: 85%; padding: 0; }
        TextArea { height: 1fr; border: none; }
    }
    """
    BODY_ID = "response-body"
    CLOSE_KEYS = "escape,q"
    CLOSE_ID = "response.close"

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

    def heading(self) -> Text:
        return Text(f"{self._kind} of ").append_text(safe_rich_text(self._attempt_id))

    def hint(self) -> str:
        return "esc to close"

    def compose_body(self) -> ComposeResult:
        # TextArea paints text literally; visible() turns escapes, bidi controls and NUL into symbols first.
        yield TextArea(
            visible(self._text) or "(the import gave no raw response or patch)",
            read_only=True,
            soft_wrap=True,
            show_line_numbers=True,
        )
