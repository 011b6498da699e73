"""The `c` dialog: a free-text note and tags for the judgement being written."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Label, TextArea

from bare_tui.review import parse_tags
from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.safe_text import visible

from .dialog import Dialog


@dataclass(frozen=True)
class NoteResult:
    note: str
    tags: tuple[str, ...]


class NoteArea(TextArea):
    """The note's text: a paste goes in with its control characters made visible (an escape sequence as ␛[31m,
    a bidi override as ⟨U+202E⟩), so pasted terminal output can neither reorder the note nor act on a terminal."""

    async def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()
        if self.read_only:
            return
        if result := self._replace_via_keyboard(visible(event.text), *self.selection):
            self.move_cursor(result.end_location)
            self.focus()


class NoteScreen(Dialog[NoteResult | None]):
    """Edit the note and tags; ctrl+s keeps them; escape leaves them as they were (asking first when the note
    or tags were changed: escape again discards)."""

    DEFAULT_CSS = """
    NoteScreen {
        #note-text { height: 10; }
        Label { margin-top: 1; color: $text-muted; }
    }
    """
    BODY_ID = "note-body"
    CLOSE_DESCRIPTION = "Cancel"
    CLOSE_ID = "note.cancel"
    BINDINGS = [
        Binding("ctrl+s", "keep", "Keep the note", id="note.keep", priority=True),
    ]

    def __init__(self, note: str, tags: tuple[str, ...], attempt_id: str) -> None:
        super().__init__()
        self._note = note
        self._tags = tags
        self._attempt_id = attempt_id
        self._discard_armed = False

    def heading(self) -> Text:
        # A str border title is read as markup: the id comes from the import file, so it goes in as Text.
        return Text("note on ").append_text(safe_rich_text(self._attempt_id))

    def hint(self) -> str:
        return "ctrl+s keep · esc cancel"

    def compose_body(self) -> ComposeResult:
        yield NoteArea(self._note, id="note-text", soft_wrap=True, tab_behavior="focus")
        yield Label("tags (comma or space separated)")
        yield Input(" ".join(self._tags), id="note-tags", placeholder="e.g. formatting-only rubric-question")

    def compose_after_body(self) -> ComposeResult:
        yield Footer()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)  # writing on goes after what is there

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_keep()

    def action_keep(self) -> None:
        note = self.query_one(TextArea).text
        tags = parse_tags(self.query_one(Input).value)
        self.dismiss(NoteResult(note, tags))

    def action_close(self) -> None:
        note = self.query_one(TextArea).text
        tags = parse_tags(self.query_one(Input).value)
        if (note, tags) != (self._note, tuple(self._tags)) and not self._discard_armed:
            self._discard_armed = True
            self.notify("the note was changed: esc again discards it, ctrl+s keeps it", severity="warning", timeout=4)
            return
        self.dismiss(None)
