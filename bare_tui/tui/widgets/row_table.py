"""A read-only table on Textual's line API: only the rows on screen are rendered, however many rows there are.

DataTable measures every cell of every row to size its columns; with fixed column widths that work is wasted,
and on a large study it took seconds (bench/queue_screen.py). This table has fixed widths (one column may take
the rest), a row cursor, a header that stays put, and renders a line only when it is painted, with an LRU cache.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

RowT = TypeVar("RowT")

Justify = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Column:
    """One column: its header, its width in cells (None: the width left over) and how cells sit in it."""

    key: str
    header: str
    width: int | None
    justify: Justify = "left"
    keep_end: bool = False  # cut a long cell at its start (paths: the file name is what matters)
    hide_below: int = 0  # left out when the table is narrower than this many cells (the rest keep their room)


class RowTable(ScrollView, Generic[RowT], can_focus=True):
    """Rows of Text cells with a cursor; enter or a click on the cursor row selects it."""

    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        overflow-x: hidden;
        & > .row-table--header { text-style: bold; background: $panel; }
        & > .row-table--odd { background: $boost; }
        & > .row-table--cursor { background: $block-cursor-blurred-background; }
        &:focus > .row-table--cursor {
            background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-table--header",
        "row-table--odd",
        "row-table--cursor",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First row", show=False, id="table.first"),
        Binding("end", "last", "Last row", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class _RowMessage(Message):
        """Something happened at one row: which table, which row, and that row's key."""

        def __init__(self, table: RowTable[Any], index: int, key: str) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> RowTable[Any]:
            return self.table

    class Highlighted(_RowMessage):
        """The cursor moved to a row."""

    class Selected(_RowMessage):
        """A row was chosen (enter, or a click on the cursor row)."""

    def __init__(
        self,
        columns: Sequence[Column],
        key: Callable[[RowT], str],
        cells: Callable[[RowT], Sequence[Text]],
        *,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own name for it
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self._key = key
        self._cells = cells
        self._rows: Sequence[RowT] = []
        # Lines by row key, not position: a filter that moves a row keeps its painted line (the stripe is in the key).
        self._line_cache: LRUCache[tuple[str, bool, bool, int, int], Strip] = LRUCache(2048)
        self._generation = 0

    # ------------------------------------------------------------------ data
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def rows(self) -> Sequence[RowT]:
        return self._rows

    def set_rows(
        self,
        rows: Sequence[RowT],
        keep: str | None = None,
        locate: Callable[[str], int | None] | None = None,
        same_cells: bool = False,
    ) -> None:
        """Show these rows (held as given, not copied: a lazy sequence makes only the rows painted); the cursor
        stays on the row with key `keep` when it is among them. locate: where a key is among the rows (None if
        absent), when the caller can say so faster than a look at every row. same_cells: every row shown before
        still has the cells it had (a filter changed which rows are shown), so their painted lines are kept."""
        self._rows = rows
        if not same_cells:
            self._generation += 1
            self._line_cache.clear()
        self.virtual_size = Size(0, len(rows) + 1)
        target = None
        if keep is not None:
            target = locate(keep) if locate is not None else self._find(keep)
        self.cursor_row = min(target or 0, max(0, len(rows) - 1))
        self.refresh()

    def repaint_rows(self) -> None:
        """Paint the rows again (their cells changed, not which rows there are)."""
        self._generation += 1
        self._line_cache.clear()
        self.refresh()

    def forget(self, keys: Collection[str]) -> None:
        """These rows' cells changed: paint them anew when next shown."""
        if keys:
            self._generation += 1  # simplest correct: the other rows repaint from their cells, which are cached
            self._line_cache.clear()

    def _find(self, key: str) -> int | None:
        return next((i for i, row in enumerate(self._rows) if self._key(row) == key), None)

    @property
    def cursor_key(self) -> str | None:
        if not self._rows:
            return None
        return self._key(self._rows[self.cursor_row])

    @property
    def cursor_value(self) -> RowT | None:
        return self._rows[self.cursor_row] if self._rows else None

    def move_cursor(self, index: int) -> None:
        if self._rows:
            self.cursor_row = max(0, min(index, len(self._rows) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        if self._rows:
            self.post_message(self.Highlighted(self, new, self._key(self._rows[new])))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)  # the header takes a line
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    # ------------------------------------------------------------------ keys and mouse
    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.Selected(self, self.cursor_row, self._key(self._rows[self.cursor_row])))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = int(self.scroll_y) + event.y - 1
        if not 0 <= index < len(self._rows):
            return
        if index == self.cursor_row:
            self.action_select()
        else:
            self.move_cursor(index)

    def on_resize(self, event: events.Resize) -> None:
        self._line_cache.clear()
        self.virtual_size = Size(0, len(self._rows) + 1)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()

    # ------------------------------------------------------------------ painting
    def _widths(self, total: int) -> list[int]:
        """Each column's width at this table width; 0 for a column left out (hide_below)."""
        shown = [c for c in self.columns if total >= c.hide_below]
        fixed = sum(c.width for c in shown if c.width is not None) + len(shown)
        rest = max(4, total - fixed)
        return [0 if total < c.hide_below else c.width if c.width is not None else rest for c in self.columns]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            style = self.get_component_rich_style("row-table--header")
            return self._strip([Text(c.header) for c in self.columns], width, style)
        index = int(self.scroll_y) + y - 1
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        is_cursor = index == self.cursor_row
        row = self._rows[index]
        cache_key = (self._key(row), bool(index % 2), is_cursor and self.has_focus, width, self._generation)
        cached = self._line_cache.get(cache_key)
        if cached is not None and not is_cursor:
            return cached
        if is_cursor:
            style = self.get_component_rich_style("row-table--cursor")
        elif index % 2:
            style = self.rich_style + self.get_component_rich_style("row-table--odd")
        else:
            style = self.rich_style
        strip = self._strip(self._cells(row), width, style, cursor=is_cursor)
        self._line_cache[cache_key] = strip
        return strip

    def _strip(self, cells: Sequence[Text], width: int, base: Style, cursor: bool = False) -> Strip:
        segments: list[Segment] = []
        console = self.app.console
        for column, cell_width, cell in zip(self.columns, self._widths(width), cells):
            if not cell_width:
                continue
            text = cell.copy()
            text.no_wrap = True
            text.end = ""
            if column.keep_end and text.cell_len > cell_width:
                text = Text("…", style=text.style) + text[len(text) - cell_width + 1 :]
            text.truncate(cell_width, overflow="ellipsis")
            text.align(column.justify, cell_width)
            segments.append(Segment(" ", base))
            # Text.render leaves out the Text's own style (only spans are in the segments): add it back.
            cell_base = base + console.get_style(text.style) if text.style else base
            for segment in text.render(console):
                style = cell_base + segment.style if segment.style else cell_base
                if cursor:
                    # The cursor's colours win so the row reads as one bar; bold and dim stay.
                    style = style + Style(color=base.color, bgcolor=base.bgcolor)
                segments.append(Segment(segment.text, style))
        return Strip(segments).adjust_cell_length(width, base)
