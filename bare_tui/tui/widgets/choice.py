"""A one-line drop-down choice that is a single widget until it is opened.

Textual's Select is six widgets (itself, the current value's box with its label and two arrows, and the option list
it overlays), all mounted, styled and laid out with the screen. The queue's filter bar had six of them: 36 widgets,
~100 ms of the event loop before the queue's first paint (bench/queue_screen.py). This widget draws its box, value
and arrow itself, and builds its option list only when opened, in a menu screen over the one below.
Keys as Select's: enter, space or a click opens the list on the current choice; up, down, enter; escape closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Offset
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList

ValueT = TypeVar("ValueT")

ARROW = "▼"


class Choice(Widget, Generic[ValueT], can_focus=True):
    """One of several values, or none (None: the prompt shows). Setting `value` posts Changed, as Select does."""

    DEFAULT_CSS = """
    Choice {
        height: 3;
        width: 1fr;
        border: tall $border-blurred;
        color: $foreground;
        background: $surface;
        padding: 0 2;
        pointer: pointer;
        &:focus {
            border: tall $border;
            background-tint: $foreground 5%;
        }
        & > .choice--placeholder {
            color: $foreground 50%;
        }
        & > .choice--arrow {
            color: $foreground 50%;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"choice--placeholder", "choice--arrow"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,down,space,up", "open", "Show choices", show=False),
    ]

    value: reactive[Any] = reactive(None, init=False, layout=False)

    class Changed(Message):
        """The value changed (None: nothing chosen)."""

        def __init__(self, choice: Choice[Any], value: Any) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice[Any]:
            return self.choice

    def __init__(
        self,
        options: Sequence[tuple[str | Text, ValueT]],
        prompt: str,
        *,
        id: str | None = None,  # noqa: A002 - Textual's own name for it
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.prompt = prompt
        self._options: list[tuple[str | Text, ValueT]] = list(options)

    # ------------------------------------------------------------------ value and options
    @property
    def options(self) -> list[tuple[str | Text, ValueT]]:
        return list(self._options)

    def set_options(self, options: Sequence[tuple[str | Text, ValueT]]) -> None:
        """Offer these choices instead; the value is cleared (as Select's set_options does)."""
        self._options = list(options)
        self.value = None
        self.refresh()

    def clear(self) -> None:
        self.value = None

    def _index_of(self, value: Any) -> int | None:
        return next((i for i, (_, v) in enumerate(self._options) if v == value), None)

    def validate_value(self, value: Any) -> Any:
        if value is not None and self._index_of(value) is None:
            raise ValueError(f"{value!r} is not one of the choices of {self.id or 'this choice'}")
        return value

    def watch_value(self, value: Any) -> None:
        self.post_message(self.Changed(self, value))

    @property
    def label(self) -> str | Text | None:
        """The chosen value's label, or None when nothing is chosen."""
        index = self._index_of(self.value) if self.value is not None else None
        return None if index is None else self._options[index][0]

    # ------------------------------------------------------------------ drawing
    def render(self) -> Text:
        width = self.content_size.width
        label = self.label
        shown = (
            Text(self.prompt, style=self.get_component_rich_style("choice--placeholder"))
            if label is None
            else (label.copy() if isinstance(label, Text) else Text(label))
        )
        room = max(0, width - 2)  # a space and the arrow at the right edge
        shown.no_wrap = True
        if shown.cell_len > room:
            shown.truncate(room, overflow="ellipsis")
        shown.pad_right(room - shown.cell_len + 1)
        shown.append(ARROW, style=self.get_component_rich_style("choice--arrow"))
        return shown

    # ------------------------------------------------------------------ opening the list
    def action_open(self) -> None:
        region = self.region
        current = self._index_of(self.value) if self.value is not None else None

        def chosen(index: int | None) -> None:
            if index is None:
                return
            self.value = None if index == 0 else self._options[index - 1][1]
            self.focus()

        menu = ChoiceMenu(
            [Text(self.prompt, style="dim"), *(label for label, _ in self._options)],
            highlighted=0 if current is None else current + 1,
            at=Offset(region.x, region.bottom - 1),
            width=region.width,
        )
        self.app.push_screen(menu, chosen)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_open()


class ChoiceMenu(ModalScreen[int | None]):
    """A Choice's list, over the screen below where the Choice stands: dismissed with the index chosen (0 is
    the prompt: no choice), or None when closed without one."""

    DEFAULT_CSS = """
    ChoiceMenu {
        background: transparent;
        align: left top;
        & > OptionList {
            max-height: 12;
            height: auto;
            border: tall $border;
            background: $surface;
            & > .option-list--option {
                padding: 0 1;
            }
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
    ]

    def __init__(self, labels: Sequence[str | Text], highlighted: int, at: Offset, width: int) -> None:
        super().__init__()
        self._labels = list(labels)
        self._highlighted = highlighted
        self._at = at
        self._width = width

    def compose(self) -> ComposeResult:
        options = OptionList(*self._labels, markup=False)
        options.styles.width = self._width
        options.styles.offset = (self._at.x, self._at.y)
        options.highlighted = self._highlighted
        yield options

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def on_click(self, event: events.Click) -> None:
        if event.widget is self:  # a click beside the list closes it, as with Select
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
