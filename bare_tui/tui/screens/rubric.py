"""The `i` dialog: the session's rubric for the field in question, so every reviewer judges by the same words."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from bare_tui.rubric import Rubric
from bare_tui.safe_text import visible

NO_RUBRIC = (
    "## No rubric in this session\n\n"
    "Set one from a Markdown file with `bare-tui review SESSION --rubric FILE`: a `## syntax` heading (any "
    "field's name) starts that field's section, and what comes before the first heading applies to every field."
)


class RubricScreen(ModalScreen[None]):
    """The rubric as Markdown (links inert, control characters made visible), the field's section first."""

    DEFAULT_CSS = """
    RubricScreen {
        align: center middle;
        background: $background 60%;
        #rubric-body {
            width: 96;
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
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,i,q", "close", "Close the rubric", id="rubric.close")]

    def __init__(self, rubric: Rubric | None, field_name: str) -> None:
        super().__init__()
        self._rubric = rubric
        self._field = field_name

    @property
    def shown(self) -> str:
        """The Markdown on show."""
        if self._rubric is None:
            return NO_RUBRIC
        # The rubric is the session's text, written by a lead, but it reached us through a file: no escape
        # sequence or bidi control of it reaches the terminal.
        return visible(self._rubric.for_field(self._field))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="rubric-body") as body:
            body.border_title = f"rubric · {self._field}"
            body.border_subtitle = "↑↓ scroll · esc, i or q to close"
            yield Markdown(self.shown, open_links=False)

    def on_mount(self) -> None:
        self.query_one("#rubric-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
