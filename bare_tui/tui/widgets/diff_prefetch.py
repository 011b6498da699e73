"""Diffs made ready to paint off the event loop: computed, their first page lexed, and kept to be shown at once."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.cache import LRUCache

from bare_tui.tui.widgets.diff_paint import max_display_width, painted_lines

if TYPE_CHECKING:
    from textual.strip import Strip

    from bare_tui.diff import DiffLimits, DiffModel
    from bare_tui.highlight import LineHighlighter

CONTEXT_ROWS = 3  # unchanged rows kept above a change or a marked line when scrolling to it
PREFETCH_SLICE = 0.001  # seconds of prefetching between two moments the event loop is handed the GIL

ShowKey = tuple[str, "str | None", str, str]  # what show() was given: original, refactored, language, path


@dataclass(frozen=True, eq=False)
class Prepared:
    """A diff ready to paint: its model, the highlighters with its first page lexed, and the code widths."""

    key: ShowKey
    model: DiffModel
    highlighters: dict[str, LineHighlighter]
    widths: tuple[int, int]
    cpu_seconds: float
    problem: str
    # Painted code per (side, line), uncropped: filled while the diff waits to be shown, then while it is shown.
    code: LRUCache[tuple[str, int], tuple[list[Segment], int]] = field(default_factory=lambda: LRUCache(1024))
    windowed: set[str] = field(default_factory=set)  # sides painted ahead with tokens lexed in windows
    # Rows painted while it was shown, by (row, mode, width, scroll x): going back to it (an undo, p) paints from
    # them, not every row again. Never a row with a marked line (DiffView empties it when it leaves a marked diff).
    rows: LRUCache[tuple[int, str, int, int], Strip] = field(default_factory=lambda: LRUCache(256))

    def drop_outdated_code(self) -> None:
        """Forget code painted ahead with window tokens of a side whose whole-file pass has finished since: the
        pass may have lexed those lines differently (and no longer keeps the window tokens to compare), and the
        rows painted from it."""
        for side in [side for side in self.windowed if self.highlighters[side].complete]:
            self.windowed.discard(side)
            painted = self.code.keys()  # an LRUCache: keys() is how it lists them
            for key in [key for key in painted if key[0] == side]:
                self.code.discard(key)
            self.rows.clear()


def prepare(
    key: ShowKey,
    mode: str,
    page: int,
    limits: DiffLimits | None,
    cancelled: Callable[[], bool],
    mark: Callable[[], tuple[str, int] | None],
) -> Prepared | None:
    """Compute a diff and lex its first page (meant for a worker thread); None when cancelled meanwhile. limits:
    None for the diff's defaults (DEFAULT_LIMITS).

    mark() is a (side, line) asked for while this ran, whose page is lexed too. cancelled() is asked between
    pieces of work: a background caller can hand the event loop the GIL there.
    """
    # Imported here, in the worker, not before the screen's first paint: the diff (its eight dataclasses, five of
    # them slotted, cost 5-6 ms of CPU to build) and the highlighter (pygments, the languages).
    from bare_tui.diff import DEFAULT_LIMITS, DiffCancelled, build_diff
    from bare_tui.highlight import highlighter_for

    started = time.thread_time()
    original, refactored, language, path = key
    problem = ""
    try:
        model = build_diff(original, refactored, limits or DEFAULT_LIMITS, cancelled)
    except DiffCancelled:
        return None
    except Exception as error:  # noqa: BLE001 - a broken diff must not leave the screen "computing"
        problem = f"the diff could not be computed ({type(error).__name__}: {error}); both sides are empty"
        model = build_diff("", None if refactored is None else "")
    if cancelled():
        return None
    highlighters = {
        "original": highlighter_for(model.old_lines, language, path),
        "refactored": highlighter_for(model.new_lines, language, path),
    }
    # Lex the first page (and the page of a line asked for meanwhile) here, not while painting it: the first
    # paint then only reads token spans. Only that page: the next ones are lexed after it is painted, while
    # the reviewer reads (see DiffView._look_ahead in diff_view.py).
    prepare_rows(model, highlighters, mode, 0, page, cancelled)
    pending = mark()
    if pending is not None:
        row = model.row_for(pending[0], pending[1], mode)
        if row is not None:
            top = max(0, row - CONTEXT_ROWS - len(model.notices()) - 1)
            prepare_rows(model, highlighters, mode, top, page + len(model.notices()) + 1)
    if cancelled():
        return None
    widths = (max_display_width(model.old_lines), max_display_width(model.new_lines))
    return Prepared(key, model, highlighters, widths, time.thread_time() - started, problem)


def prepare_rows(
    model: DiffModel,
    highlighters: dict[str, LineHighlighter],
    mode: str,
    first: int,
    count: int,
    pause: Callable[[], object] | None = None,
) -> None:
    """Lex the windows that painting these rows top down would lex (the same windows, so the same tokens);
    pause(), when given, is called before each window is lexed."""
    for side, line in painted_lines(model, mode, first, count):
        if pause is not None and not highlighters[side].ready(line - 1):
            pause()
        highlighters[side].prepare(line - 1)


def politely(cancelled: Callable[[], bool]) -> Callable[[], bool]:
    """cancelled(), for a background prepare(): the reviewer may be scrolling meanwhile, so every millisecond or
    so of work it hands the event loop the GIL rather than make it wait out the interpreter's 5 ms switch
    interval."""
    from bare_tui.highlight import LineHighlighter

    last_pause = time.perf_counter()

    def polite() -> bool:
        nonlocal last_pause
        if time.perf_counter() - last_pause > PREFETCH_SLICE:
            time.sleep(LineHighlighter.PAUSE)
            last_pause = time.perf_counter()
        return cancelled()

    return polite


class KeptDiffs:
    """Diffs ready to be shown at once (prefetched, or shown lately), by what show() was given; beyond `size`,
    the one kept longest ago is dropped. Showing one takes it out."""

    # Not Textual's LRUCache: its get() reorders, so holds() while painting ahead would change which diff is dropped;
    # nor its FIFOCache: it cannot take a diff out (tests/tui/test_diff_view.py pins this order).

    def __init__(self, size: int) -> None:
        self.size = size
        self._diffs: OrderedDict[ShowKey, Prepared] = OrderedDict()

    def keep(self, prepared: Prepared) -> None:
        self._diffs[prepared.key] = prepared
        self._diffs.move_to_end(prepared.key)
        while len(self._diffs) > self.size:
            self._diffs.popitem(last=False)

    def take(self, key: ShowKey) -> Prepared | None:
        return self._diffs.pop(key, None)

    def holds(self, prepared: Prepared) -> bool:
        """True while this very diff is kept (not taken, dropped or replaced)."""
        return self._diffs.get(prepared.key) is prepared

    def values(self) -> Iterator[Prepared]:
        return iter(list(self._diffs.values()))

    def clear(self) -> None:
        self._diffs.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._diffs

    def __len__(self) -> int:
        return len(self._diffs)
