"""What every dialog shares: a bordered body centred over the dimmed screen below, its title and key hint on the
border, and the keys that close it. A dialog says only what is its own: what the body holds and how wide it is."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal dialog. A subclass sets BODY_ID (the body's id, e.g. "goto-body"), CLOSE_KEYS, CLOSE_DESCRIPTION and
    CLOSE_ID (the close binding: its id is what a keymap file rebinds) and SCROLLS (a body taller than the terminal
    scrolls), implements heading(), hint() and compose_body(), and sizes `#BODY_ID` in its own DEFAULT_CSS.
    The close keys call action_close, which dismisses with None; a dialog that must ask first overrides it."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
        .dialog-body {
            width: 76;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $accent;
            border-title-color: $text;
            border-subtitle-color: $text-muted;
            padding: 0 1;
            background: $surface;
        }
    }
    """

    BODY_ID: ClassVar[str]
    SCROLLS: ClassVar[bool] = False
    CLOSE_KEYS: ClassVar[str] = "escape"
    CLOSE_DESCRIPTION: ClassVar[str] = "Close"
    CLOSE_ID: ClassVar[str]

    def __init_subclass__(cls, **kwargs: bool) -> None:
        # The close binding joins the end of the dialog's own BINDINGS (so that the footer, the help and the keymap
        # see it under the dialog's id) before Textual merges the bindings of the class.
        if "CLOSE_ID" in cls.__dict__:
            close = Binding(cls.CLOSE_KEYS, "close", cls.CLOSE_DESCRIPTION, id=cls.CLOSE_ID)
            cls.BINDINGS = [*cls.__dict__.get("BINDINGS", []), close]
        super().__init_subclass__(**kwargs)

    def heading(self) -> str | Text:
        """The border's title. Text from a session (an attempt id) goes in as Text, never as markup."""
        raise NotImplementedError

    def hint(self) -> str:
        """The border's subtitle: the dialog's keys."""
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        """The body's widgets."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        container = VerticalScroll if self.SCROLLS else Vertical
        with container(id=self.BODY_ID, classes="dialog-body") as body:
            body.border_title = self.heading()
            body.border_subtitle = self.hint()
            yield from self.compose_body()
        yield from self.compose_after_body()

    def compose_after_body(self) -> ComposeResult:
        """Widgets outside the body (the note's footer); none by default."""
        yield from ()

    def action_close(self) -> None:
        self.dismiss(None)
