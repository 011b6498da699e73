"""Every key of the screen below on one page: what `?` opens."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from ..commands import PALETTE_ONLY, ActionEntry, palette_actions
from .dialog import Dialog


def help_table(entries: list[ActionEntry]) -> Table:
    """Two columns, key and what it does, in the order the screen declares them."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("key", style="bold cyan", no_wrap=True, min_width=14)
    table.add_column("action")
    for entry in entries:
        meaning = Text(entry.description)
        if entry.help:
            meaning.append(f": {entry.help}", style="dim")
        table.add_row(Text(entry.keys, style="dim" if entry.keys == PALETTE_ONLY else ""), meaning)
    table.caption = f"{PALETTE_ONLY}: no key of its own, ctrl+p finds it"
    table.caption_justify = "left"
    return table


CLOSE_HINT = "esc, ? or q to close"


class HelpScreen(Dialog[None]):
    """A list of every binding of the screen it was opened over, and the app's."""

    DEFAULT_CSS = """
    HelpScreen {
        #help-body { width: 96; padding: 0 2; }
    }
    """
    BODY_ID = "help-body"
    SCROLLS = True
    CLOSE_KEYS = "escape,question_mark,q"
    CLOSE_DESCRIPTION = "Close help"
    CLOSE_ID = "help.close"

    def __init__(self, over: Widget, title: str = "keys") -> None:
        super().__init__()
        self._entries = list(palette_actions(over.app, over))  # the palette's list, in its order
        self._title = title

    @property
    def entries(self) -> list[ActionEntry]:
        return self._entries

    def heading(self) -> str:
        return self._title

    def hint(self) -> str:
        return CLOSE_HINT

    def compose_body(self) -> ComposeResult:
        yield Static(help_table(self._entries), id="help-table")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()  # so that the arrow keys and pgdn scroll a help taller than the terminal

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._say_if_it_scrolls)

    def _say_if_it_scrolls(self) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        more = body.max_scroll_y > 0
        body.border_subtitle = f"↑↓ pgdn: {body.max_scroll_y} more lines · {CLOSE_HINT}" if more else CLOSE_HINT
