"""The `i` dialog: the session's rubric for the field in question, so every reviewer judges by the same words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Markdown

from bare_tui.rubric import Rubric
from bare_tui.safe_text import visible

from .dialog import Dialog

NO_RUBRIC = (
    "## No rubric in this session\n\n"
    "Set one from a Markdown file with `bare-tui review SESSION --rubric FILE`: a `## syntax` heading (any "
    "field's name) starts that field's section, and what comes before the first heading applies to every field."
)


class RubricScreen(Dialog[None]):
    """The rubric as Markdown (links inert, control characters made visible), the field's section first."""

    DEFAULT_CSS = """
    RubricScreen {
        #rubric-body { width: 96; }
    }
    """
    BODY_ID = "rubric-body"
    SCROLLS = True
    CLOSE_KEYS = "escape,i,q"
    CLOSE_DESCRIPTION = "Close the rubric"
    CLOSE_ID = "rubric.close"

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

    def heading(self) -> str:
        return f"rubric · {self._field}"

    def hint(self) -> str:
        return "↑↓ scroll · esc, i or q to close"

    def compose_body(self) -> ComposeResult:
        yield Markdown(self.shown, open_links=False)

    def on_mount(self) -> None:
        self.query_one("#rubric-body").focus()
