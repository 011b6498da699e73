"""Painting a diff's code: token, change and control-character styles layered over a row's tint, and cropped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from bare_tui.safe_text import TAB_SIZE, is_safe, visible_line, visible_line_with_offsets

if TYPE_CHECKING:  # the diff and the highlighter are imported by the first diff's worker, after the first paint
    from pygments.token import _TokenType
    from rich.syntax import PygmentsSyntaxTheme

    from bare_tui.diff import DiffModel
    from bare_tui.highlight import LineHighlighter


class Palette(NamedTuple):  # a NamedTuple: a frozen dataclass costs ~0.6 ms more to define, before the first paint
    """The widget's styles, resolved once per theme or style change (reading them per cell is slow)."""

    base: Style
    gutter: Style
    marked: Style
    separator: Style
    filler: Style
    notice: Style
    control: Style
    tint: dict[str, Style]  # by line kind: equal, removed, added
    emphasis: dict[str, Style]  # background only, by line kind: removed, added


class Layout(NamedTuple):
    """Where the columns of a row fall at the current width."""

    digits: int
    code_width: int  # cells of code on one side (split) or the only side (unified)
    left_width: int  # split: cells of the left half (gutter + code)
    virtual_width: int


SIGNS = {"equal": "  ", "removed": "- ", "added": "+ "}


def unified_tint(row_kind: str) -> str:
    """The tint of a unified row: equal, removed (a deleted line) or added."""
    return "equal" if row_kind == "equal" else ("removed" if row_kind == "delete" else "added")


def painted_code(model: DiffModel, mode: str, first: int, count: int) -> Iterable[tuple[str, int, str]]:
    """The (side, 1-based line, kind) whose code the rows first..first+count-1 paint, in painting order; kind
    is the tint: equal, removed or added."""
    for index in range(max(0, first), min(first + count, model.row_count(mode))):
        row = model.row(mode, index)
        if mode == "split":
            changed = row.kind != "equal"
            if row.old is not None:
                yield "original", row.old, "removed" if changed else "equal"
            if row.new is not None:
                yield "refactored", row.new, "added" if changed else "equal"
            continue
        kind = unified_tint(row.kind)
        if row.old:
            yield "original", row.old, kind
        elif row.new:
            yield "refactored", row.new, kind


def painted_lines(model: DiffModel, mode: str, first: int, count: int) -> Iterable[tuple[str, int]]:
    """The (side, 1-based line) whose code the rows first..first+count-1 paint, in painting order."""
    for side, line, _ in painted_code(model, mode, first, count):
        yield side, line


def paint_code(
    model: DiffModel,
    highlighters: dict[str, LineHighlighter],
    side: str,
    line: int,
    kind: str,
    palette: Palette,
    token_style: Callable[[_TokenType], Style | None],
) -> tuple[list[Segment], int]:
    """The whole highlighted line of code (uncropped) and its width in cells; kind is the row's tint."""
    raw = model.text(side, line)
    shown, offsets = visible_line_with_offsets(raw)
    tokens: list[tuple[int, int, Style]] = []
    highlighter = highlighters.get(side)
    if highlighter is not None:
        for start, end, token_type in highlighter.spans(line - 1):
            style = token_style(token_type)
            if style is not None:
                tokens.append((*shift(offsets, start, end), style))
    emphasis: list[tuple[int, int, Style]] = []
    if kind != "equal":
        emphasis_style = palette.emphasis[kind]
        emphasis = [(*shift(offsets, start, end), emphasis_style) for start, end in model.emphasis(side, line)]
    controls: list[tuple[int, int, Style]] = []
    if offsets is not None:
        control = palette.control
        controls = [
            (offsets[position], offsets[position + 1], control)
            for position, char in enumerate(raw)
            if char != "\t" and not is_safe(char)
        ]
    return paint(shown, palette.tint[kind], (tokens, emphasis, controls)), cell_len(shown)


def foreground_style(theme: PygmentsSyntaxTheme, token_type: _TokenType) -> Style:
    """A token's style in a pygments theme, foreground only: the background belongs to the row's tint and the
    change emphasis."""
    full = theme.get_style_for_token(token_type)
    return Style(
        color=full.color,
        bold=True if full.bold else None,
        italic=True if full.italic else None,
        underline=True if full.underline else None,
    )


def paint(shown: str, base: Style, layers: tuple[list[tuple[int, int, Style]], ...]) -> list[Segment]:
    """Segments of a line with layered styles (tokens, then emphasis, then control characters) over a base.

    Each layer's spans are sorted and do not overlap; a later layer wins where they meet. Doing this by hand
    rather than through rich.text.Text.render halves the cost of painting a cold page.
    """
    points = {0, len(shown)}
    for layer in layers:
        for start, end, _ in layer:
            points.add(start)
            points.add(end)
    cuts = sorted(point for point in points if 0 <= point <= len(shown))
    positions = [0] * len(layers)
    segments: list[Segment] = []
    for start, end in zip(cuts, cuts[1:]):
        style = base
        for number, layer in enumerate(layers):
            position = positions[number]
            while position < len(layer) and layer[position][1] <= start:
                position += 1
            positions[number] = position
            if position < len(layer) and layer[position][0] <= start:
                style = style + layer[position][2]
        segments.append(Segment(shown[start:end], style))
    return segments


def crop(segments: list[Segment], cells: int, start: int, width: int, pad: Style) -> list[Segment]:
    """The cells [start, start + width) of a painted line, padded with the row's tint to exactly width."""
    if width <= 0:
        return []
    end = start + width
    if start == 0 and cells <= width:
        cropped = list(segments)
    elif start >= cells:
        cropped = []
    else:
        # Segment.divide cuts by cells, so wide characters at the edges are handled as rich does.
        cropped = list(Segment.divide(segments, [start, min(end, cells)]))[1]
    used = min(cells, end) - start if start < cells else 0
    if used < width:
        cropped.append(Segment(" " * (width - used), pad))
    if cells > end and width > 1:
        # A line cut at the right edge says so: its last cell becomes a marker (left/right scroll to read on).
        cropped = next(iter(Segment.divide(cropped, [width - 1])))
        cropped.append(Segment(CUT_MARK, pad + _CUT_STYLE))
    return cropped


CUT_MARK = "\u203a"  # ›
_CUT_STYLE = Style(bold=True, dim=False)


def shift(offsets: tuple[int, ...] | None, start: int, end: int) -> tuple[int, int]:
    """Carry a raw [start, end) span to the shown text."""
    if offsets is None:
        return start, end
    return offsets[min(start, len(offsets) - 1)], offsets[min(end, len(offsets) - 1)]


def max_display_width(lines: Iterable[str]) -> int:
    """The widest line in cells once made visible (tabs expanded, control characters replaced)."""
    widest = 0
    for line in lines:
        if line.isascii():
            # An ASCII control character becomes one narrow Control Picture: only tabs change the width.
            width = len(line.expandtabs(TAB_SIZE)) if "\t" in line else len(line)
        else:
            width = cell_len(visible_line(line))
        if width > widest:
            widest = width
    return widest
