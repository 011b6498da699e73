"""A virtualised diff of an original and a refactored file: split or unified, highlighted, one line at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from bare_tui.safe_text import visible_line
from bare_tui.tui.widgets import diff_prefetch
from bare_tui.tui.widgets.diff_paint import (
    SIGNS,
    Layout,
    Palette,
    crop,
    foreground_style,
    paint_code,
    painted_code,
    painted_lines,
    unified_tint,
)
from bare_tui.tui.widgets.diff_prefetch import CONTEXT_ROWS, KeptDiffs, Prepared, ShowKey, politely, prepare_rows

if TYPE_CHECKING:  # the diff and the highlighter (pygments, the language registry) are imported by the first diff's
    # worker, after the screen's first paint
    from pygments.token import _TokenType
    from rich.syntax import PygmentsSyntaxTheme

    from bare_tui.diff import DiffLimits, DiffModel
    from bare_tui.highlight import LineHighlighter


class DiffView(ScrollView, can_focus=True):
    """A diff that paints only its visible rows: scrolls with the keys, never interprets the code it shows.

    A screen uses it like this (the screen owns the `]`, `[` and `s` bindings and calls the methods):

        yield DiffView(id="diff")
        ...
        diff.show(task.original, attempt.refactored, task.language, task.path)  # computed in a worker
        diff.next_change(); diff.previous_change(); diff.toggle_mode()        # False when nothing to do
        diff.scroll_to_line(evidence.side, evidence.line)                      # also fine while computing
        diff.prefetch([(next_original, next_refactored, language, path)])     # on Ready: the next show() is instant

    DiffView.Ready is posted when the diff can be painted (its `model` is the headless DiffModel). Up, down,
    page up/down, home and end scroll both sides together; left and right scroll the code sideways.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-view--gutter",
        "diff-view--removed",
        "diff-view--added",
        "diff-view--removed-emphasis",
        "diff-view--added-emphasis",
        "diff-view--filler",
        "diff-view--marked",
        "diff-view--notice",
        "diff-view--control",
        "diff-view--separator",
    }

    DEFAULT_CSS = """
    DiffView {
        background: $surface;
        color: $foreground;
        overflow: auto auto;
        & > .diff-view--gutter { color: $foreground 45%; background: $surface-darken-1; }
        & > .diff-view--removed { background: $error 18%; }
        & > .diff-view--added { background: $success 18%; }
        & > .diff-view--removed-emphasis { background: $error 45%; }
        & > .diff-view--added-emphasis { background: $success 45%; }
        & > .diff-view--filler { color: $foreground 12%; background: $surface-darken-1; }
        & > .diff-view--marked { color: $background; background: $warning; text-style: bold; }
        & > .diff-view--notice { color: $foreground; background: $warning 25%; text-style: italic; }
        & > .diff-view--control { color: $warning; text-style: bold reverse; }
        & > .diff-view--separator { color: $foreground 25%; background: $surface-darken-1; }
        &:focus { background-tint: $foreground 3%; }
    }
    """

    PREFETCHED = 3  # diffs kept ready to show at once: prefetched ones and the last ones shown
    COMPUTING_NOTICE_DELAY = 0.15  # seconds before "computing diff..." replaces the last diff
    PAINT_AHEAD_CHUNK = 8  # rows painted ahead per turn of the event loop
    IDLE_DELAY = 0.01  # seconds after a paint before lexing or painting ahead: the paint and the next key first
    CONTEXT_ROWS = CONTEXT_ROWS  # unchanged rows kept above a change or a marked line when scrolling to it

    class Ready(Message):
        """The diff is computed and its first page can be painted."""

        def __init__(self, diff_view: DiffView, model: DiffModel) -> None:
            super().__init__()
            self.diff_view = diff_view
            self.model = model

        @property
        def control(self) -> DiffView:
            return self.diff_view

    class Quiet(Message):
        """The view's background work (computing, prefetching, highlighting the whole file) is over for now."""

    class _Computed(Message):
        def __init__(self, generation: int, prepared: Prepared) -> None:
            super().__init__()
            self.generation = generation
            self.prepared = prepared

    class _Prefetched(Message):
        def __init__(self, key: ShowKey, prepared: Prepared) -> None:
            super().__init__()
            self.key = key
            self.prepared = prepared

    class _LookedAhead(Message):
        def __init__(self, generation: int, pages: tuple[tuple[int, int], ...]) -> None:
            super().__init__()
            self.generation = generation
            self.pages = pages

    class _Highlighted(Message):
        def __init__(self, generation: int) -> None:
            super().__init__()
            self.generation = generation

    def __init__(
        self,
        *,
        limits: DiffLimits | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._limits = limits  # None: the diff's DEFAULT_LIMITS, looked up by the worker that imports the diff
        self._mode = "split"
        self._model: DiffModel | None = None
        self._highlighters: dict[str, LineHighlighter] = {}
        self._code_widths = (0, 0)
        self._computing = False
        self._generation = 0
        self._notices: tuple[str, ...] = ()
        self._marked: tuple[str, int] | None = None
        self._current_change: int | None = None
        # Small caches on purpose: every Strip carries seven little caches of its own, and tens of thousands
        # of them make each full garbage collection a visible pause.
        self._row_cache: LRUCache[tuple[int, str, int, int], Strip] = LRUCache(256)
        self._code_cache: LRUCache[tuple[str, int], tuple[list[Segment], int]] = LRUCache(1024)
        self._token_styles: dict[_TokenType, Style] = {}
        self._pygments_theme: PygmentsSyntaxTheme | None = None
        self._palette_cache: Palette | None = None
        self._pending_show: ShowKey | None = None
        self._painted = False  # whether a refresh has painted this view yet
        self._compute_on_paint: tuple[int, ShowKey] | None = None  # a diff asked for before that first paint
        self._shown: Prepared | None = None
        self._prefetched = KeptDiffs(self.PREFETCHED)
        self._prefetch_queue: list[ShowKey] = []
        self._prefetch_worker: Worker[None] | None = None
        self._lexing_waits: int | None = None  # the generation whose whole-file pass waits for the prefetch
        self._prefetching: ShowKey | None = None  # the diff the prefetch worker is computing, set by that thread
        self._adopting: ShowKey | None = None  # shown while the prefetch worker was computing it
        self._pending_mark: tuple[str, int] | None = None
        self._computing_timer: Timer | None = None
        self._computing_shown = False
        self._ahead_scheduled = False
        self._scroll_direction = 1  # 1 down, -1 up: the page after this one in that direction is made ready
        self.last_compute_cpu = 0.0
        """CPU seconds the worker spent on the last diff (the part of show() to Ready off the event loop)."""

    # Public API -------------------------------------------------------------------------------------------

    @property
    def model(self) -> DiffModel | None:
        """The diff of the last show(), or None while it is computing."""
        return None if self._computing else self._model

    @property
    def is_computing(self) -> bool:
        """True from show() until the diff is ready."""
        return self._computing

    @property
    def mode(self) -> str:
        """ "split" (side by side) or "unified"."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in ("split", "unified"):
            raise ValueError(f"unknown diff mode {mode!r}: use 'split' or 'unified'")
        if mode == self._mode:
            return
        anchor = self._anchor_line()
        self._mode = mode
        self._relayout()
        if anchor is not None:
            row = self._model.row_for(anchor[0], anchor[1], mode) if self._model else None
            if row is not None:
                self.scroll_to(y=self._header_rows + row, animate=False, force=True)

    @property
    def notices(self) -> tuple[str, ...]:
        """The notice rows shown above the diff (line endings, missing code, emphasis off, ...)."""
        return self._notices

    @property
    def change_count(self) -> int:
        model = self.model
        return len(model.blocks) if model else 0

    @property
    def current_change(self) -> int | None:
        """The index of the change last moved to with next_change/previous_change, if any."""
        return self._current_change

    @property
    def marked_line(self) -> tuple[str, int] | None:
        """The (side, line) marked by scroll_to_line, if any."""
        return self._marked

    def show(self, original: str, refactored: str | None, language: str, path: str = "") -> None:
        """Diff two texts off the event loop; DiffView.Ready is posted when the first page can be painted.

        language is one of the nine (or any pygments alias); path is used for highlighting when it is not.
        A diff prefetched (or shown recently) is shown at once, without a worker.
        """
        if not self.is_attached:
            self._pending_show = (original, refactored, language, path)  # painted once mounted
            return
        key: ShowKey = (original, refactored, language, path)
        self._keep_shown()
        self._row_cache = LRUCache(256)  # the rows of the diff left stay with it; this view paints afresh
        self._generation += 1
        self._pending_mark = None
        self._adopting = None
        self._prefetch_queue = []  # asked for around the last diff: the caller asks again around this one
        self._lexing_waits = None
        self.workers.cancel_group(self, "diff-view-compute")
        prepared = self._prefetched.take(key)
        if prepared is not None:
            self._apply(prepared)
            return
        self._computing = True
        # The last diff stays on screen for a moment: most diffs are ready in a few milliseconds, and a
        # "computing" flash on every next attempt would make the screen flicker.
        if self._computing_timer is not None:
            self._computing_timer.stop()
        self._computing_timer = self.set_timer(
            self.COMPUTING_NOTICE_DELAY, partial(self._say_computing, self._generation)
        )
        if self._prefetching == key:
            self._adopting = key  # the prefetch worker is computing this very diff: wait for it
            return
        self.workers.cancel_group(self, "diff-view-prefetch")  # its GIL is better spent on this one
        self._start_compute(key)

    def _in_thread(self, group: str, name: str, description: str, work: Callable[[], None]) -> Worker[None]:
        """Run work in a thread worker that replaces any other of its group. A fixed description: @work would
        describe the call with repr() of its arguments, the texts of both files among them."""
        return self.run_worker(
            work, name=name, group=group, description=description, exclusive=True, thread=True, exit_on_error=False
        )

    def _start_compute(self, key: ShowKey) -> None:
        if not self._painted:
            # The screen's first paint comes first: a worker started now would take the GIL from composing it. That
            # paint starts it (render_line). Asked again after each refresh instead, a view under another screen (the
            # queue, opened over a session judged to its end) would ask round the event loop until it paints.
            self._compute_on_paint = (self._generation, key)
            return
        # The worker lexes what the first paint will show; how much that is depends on the view.
        page = self.scrollable_content_region.height or self.app.size.height
        work = partial(self._compute, self._generation, *key, self._mode, page)
        self._in_thread("diff-view-compute", "diff", "computing diff", work)

    def _start_compute_of(self, generation: int, key: ShowKey) -> None:
        if generation == self._generation:  # not shown something else meanwhile
            self._start_compute(key)

    def prefetch(self, texts: Iterable[tuple[str, str | None, str, str]]) -> None:
        """Compute these diffs (original, refactored, language, path) in the background, most likely first, so
        that a later show() of one of them paints at once. Replaces the previous prefetch request; started
        once the current diff is painted. The whole-file highlighting of the current diff waits for it: one
        background job at a time keeps scrolling smooth, and the prefetch is the shorter of the two."""
        self._prefetch_queue = [key for key in dict.fromkeys(texts) if key not in self._prefetched]
        if self._prefetch_queue and not self._computing and self.is_attached:
            self._after_paint(partial(self._start_prefetch, self._generation))

    @property
    def prefetched(self) -> int:
        """How many diffs are ready to be shown at once."""
        return len(self._prefetched)

    @property
    def is_prefetching(self) -> bool:
        """True while a prefetch asked for is waiting to start or under way."""
        return bool(self._prefetch_queue) or self._prefetch_worker is not None

    def forget_prefetched(self) -> None:
        """Drop the diffs kept ready and stop computing more: the next show() of any of them computes afresh."""
        self._prefetched.clear()
        self._prefetch_queue = []
        self.workers.cancel_group(self, "diff-view-prefetch")

    @property
    def _shown_key(self) -> ShowKey | None:
        return None if self._shown is None else self._shown.key

    def _keep_shown(self) -> None:
        """Keep the diff on screen among the prefetched ones, so that going back to it is immediate: its rows as
        painted too, unless a line is marked in them (going back shows it unmarked)."""
        if self._shown is not None and not self._computing:
            if self._marked is not None:
                self._shown.rows.clear()
            self._prefetched.keep(self._shown)

    def _start_prefetch(self, generation: int) -> None:
        if generation != self._generation or self._computing or not self.is_attached:
            return
        queue = [key for key in self._prefetch_queue if key not in self._prefetched and key != self._shown_key]
        self._prefetch_queue = []
        if not queue:
            self._lex_after_prefetch()
            return
        page = self.scrollable_content_region.height or self.app.size.height
        work = partial(self._prefetch_in_background, queue, self._mode, page)
        self._prefetch_worker = self._in_thread("diff-view-prefetch", "prefetch", "computing the next diffs", work)

    def _prefetch_in_background(self, keys: list[ShowKey], mode: str, page: int) -> None:
        worker = get_current_worker()
        polite = politely(lambda: worker.is_cancelled)
        for key in keys:
            if worker.is_cancelled:
                return
            self._prefetching = key
            prepared = diff_prefetch.prepare(key, mode, page, self._limits, polite, lambda: None)
            if prepared is None:
                return
            self.post_message(self._Prefetched(key, prepared))

    def _on_diff_view__prefetched(self, message: _Prefetched) -> None:
        message.stop()
        if self._prefetching == message.key:
            self._prefetching = None
        if self._adopting == message.key:
            self._adopting = None
            self._apply(message.prepared)
            return
        if message.key != self._shown_key:
            self._prefetched.keep(message.prepared)
            self._paint_code_ahead(message.prepared)

    def _paint_code_ahead(self, prepared: Prepared) -> None:
        """Paint the code of a prefetched diff's first page now, so that showing it only lays out its rows."""
        page = self.scrollable_content_region.height or self.app.size.height
        lines = list(painted_code(prepared.model, self._mode, 0, page))
        self._paint_code_chunk(prepared, lines, 0)

    def _paint_code_chunk(self, prepared: Prepared, lines: list[tuple[str, int, str]], start: int) -> None:
        # A few lines a turn of the event loop, so that a key pressed meanwhile waits little; stop once it is shown
        # (its rows are painted the usual way then) or dropped.
        if not self._prefetched.holds(prepared):
            return
        end = min(start + 2 * self.PAINT_AHEAD_CHUNK, len(lines))
        for side, line, kind in lines[start:end]:
            if not prepared.highlighters[side].complete:
                prepared.windowed.add(side)
            self._paint_code(prepared.model, prepared.highlighters, prepared.code, side, line, kind)
        if end < len(lines):
            self.call_later(self._paint_code_chunk, prepared, lines, end)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if not event.worker.is_finished:
            return
        if event.worker is self._prefetch_worker:
            event.stop()
            self._prefetch_worker = None
            self._prefetching = None
            if self._adopting is not None:
                key, self._adopting = self._adopting, None  # it stopped before this diff: compute it here
                self._start_compute(key)
                return
            self._lex_after_prefetch()
        self._say_if_quiet()

    @property
    def is_busy(self) -> bool:
        """True while the view computes, prefetches or highlights in the background."""
        return (
            self._computing
            or self.is_prefetching
            or any(worker.node is self and not worker.is_finished for worker in self.workers)
        )

    def _say_if_quiet(self) -> None:
        if not self.is_busy:
            self.post_message(self.Quiet())

    def _lex_after_prefetch(self) -> None:
        """The prefetch is over: the whole-file highlighting that waited for it may start."""
        waiting, self._lexing_waits = self._lexing_waits, None
        if waiting is not None:
            self._start_lexing_all(waiting)

    def _say_computing(self, generation: int) -> None:
        if generation != self._generation or not self._computing:
            return
        self._model = None
        self._shown = None
        self._highlighters = {}
        self._notices = ()
        self._marked = None
        self._current_change = None
        self._computing_shown = True
        self._row_cache.clear()
        self._code_cache = LRUCache(1024)
        self._relayout()
        self.scroll_to(0, 0, animate=False, force=True)

    def toggle_mode(self) -> None:
        """Switch between split and unified, keeping the line at the top of the view in place."""
        self.mode = "unified" if self._mode == "split" else "split"

    def next_change(self) -> bool:
        """Scroll to the next change below the current one; False when there is none."""
        candidate = self._next_change_index()
        if candidate is None:
            return False
        self._go_to_change(candidate)
        return True

    def _next_change_index(self) -> int | None:
        model = self.model
        if model is None or not model.blocks:
            return None
        candidate = model.next_block(self._anchor_row(), self._mode)
        if self._current_change is not None and self._change_in_view(self._current_change):
            following = self._current_change + 1
            candidate = following if candidate is None else max(candidate, following)
        if candidate is None or candidate >= len(model.blocks):
            return None
        return candidate

    def previous_change(self) -> bool:
        """Scroll to the change above the current one; False when there is none."""
        model = self.model
        if model is None or not model.blocks:
            return False
        candidate = model.previous_block(self._anchor_row(), self._mode)
        if self._current_change is not None and self._change_in_view(self._current_change):
            candidate = self._current_change - 1
        if candidate is None or candidate < 0:
            return False
        self._go_to_change(candidate)
        return True

    def scroll_to_line(self, side: str, line: int) -> bool:
        """Scroll so that a 1-based line of one side ("original"/"refactored") is in view, and mark it.

        False when the diff has no such line. While the diff is still computing, the line is remembered and
        scrolled to as soon as the diff is ready (True is returned: it cannot be checked yet).
        """
        if self._computing:
            if side not in ("original", "refactored"):
                raise ValueError(f"unknown side {side!r}: use 'original' or 'refactored'")
            self._pending_mark = (side, line)
            return True
        model = self._model
        if model is None:
            return False
        row = model.row_for(side, line, self._mode)
        if row is None:
            return False
        self._marked = (side, line)
        self._row_cache.clear()
        self.scroll_to(y=max(0, self._header_rows + row - self.CONTEXT_ROWS), animate=False, force=True)
        self.refresh()
        return True

    def clear_mark(self) -> None:
        self._marked = None
        self._row_cache.clear()
        self.refresh()

    # Computing off the event loop ------------------------------------------------------------------------

    def _compute(
        self, generation: int, original: str, refactored: str | None, language: str, path: str, mode: str, page: int
    ) -> None:
        worker = get_current_worker()
        prepared = diff_prefetch.prepare(
            (original, refactored, language, path),
            mode,
            page,
            self._limits,
            lambda: worker.is_cancelled,
            lambda: self._pending_mark,
        )
        if prepared is not None and not worker.is_cancelled:
            self.post_message(self._Computed(generation, prepared))

    def _on_diff_view__computed(self, message: _Computed) -> None:
        message.stop()
        if message.generation == self._generation:
            self._apply(message.prepared)

    def _apply(self, prepared: Prepared) -> None:
        """Show a computed diff: from the worker of show(), or at once from a prefetch."""
        if self._computing_timer is not None:
            self._computing_timer.stop()
            self._computing_timer = None
        self._computing_shown = False
        self._marked = None
        self._current_change = None
        self._model = prepared.model
        self._shown = prepared
        self._highlighters = prepared.highlighters
        self._code_widths = prepared.widths
        self.last_compute_cpu = prepared.cpu_seconds
        self._notices = ((prepared.problem,) if prepared.problem else ()) + prepared.model.notices()
        self._computing = False
        prepared.drop_outdated_code()
        self._code_cache = prepared.code  # lines painted ahead while it waited, if it was prefetched
        self._row_cache = prepared.rows  # rows painted when it was shown before, if it was
        self._relayout(keep_rows=True)
        self.scroll_to(0, 0, animate=False, force=True)
        self.refresh()
        if self._pending_mark is not None:
            pending, self._pending_mark = self._pending_mark, None
            self.scroll_to_line(*pending)
        self.post_message(self.Ready(self, prepared.model))
        # Not before the first page is on screen: the whole-file pass would take the GIL from painting it.
        generation = self._generation
        self._after_paint(partial(self._start_lexing_all, generation))
        self._scroll_direction = 1
        self._schedule_look_ahead()
        if self._prefetch_queue:  # asked for while this diff was computing
            self._after_paint(partial(self._start_prefetch, generation))

    def _after_paint(self, callback: Callable[[], object]) -> None:
        """Run work that can wait until a moment after the next paint: the paint, and a key after it, come first."""
        self.call_after_refresh(self.set_timer, self.IDLE_DELAY, callback)

    def _start_lexing_all(self, generation: int) -> None:
        if generation != self._generation or self._computing:
            return
        if all(highlighter.complete for highlighter in self._highlighters.values()):
            self._say_if_quiet()
            return
        if self._prefetch_queue or self._prefetch_worker is not None:
            self._lexing_waits = generation  # until the prefetch is over
            return
        work = partial(self._lex_in_background, generation, self._highlighters)
        self._in_thread("diff-view-lex", "highlight", "highlighting the whole diff", work)

    def _lex_in_background(self, generation: int, highlighters: dict[str, LineHighlighter]) -> None:
        worker = get_current_worker()

        def cancelled() -> bool:
            return worker.is_cancelled or generation != self._generation

        for highlighter in highlighters.values():
            if not highlighter.lex_all(cancelled):
                return
        self.post_message(self._Highlighted(generation))

    # Looking ahead: the next page ready before the key that shows it ----------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._scroll_direction = 1 if new_value > old_value else -1
            self._schedule_look_ahead()

    def _schedule_look_ahead(self) -> None:
        if not self._ahead_scheduled:
            self._ahead_scheduled = True
            self._after_paint(self._look_ahead)

    def _pages_ahead(self) -> tuple[tuple[int, int], ...]:
        """The pages a key is likely to show next, as (first diff row, row count): the page after the visible
        one in the scroll direction, the page of the next change (what `]` shows), and the page behind (new
        after a jump; already cached after a page down)."""
        model = self._model
        if model is None:
            return ()
        height = self.scrollable_content_region.height
        top = round(self.scroll_y) - self._header_rows
        first = top + height if self._scroll_direction > 0 else top - height
        pages = [(max(0, first), height + min(0, first))]
        change = self._next_change_index()
        if change is not None:
            start, _ = model.blocks[change].rows(self._mode)
            change_top = max(0, start - self.CONTEXT_ROWS)
            if not top <= change_top < top + height and change_top != pages[0][0]:
                pages.append((change_top, height))
        behind = top - height if self._scroll_direction > 0 else top + height
        pages.append((max(0, behind), height + min(0, behind)))
        return tuple(page for page in pages if page[1] > 0 and page[0] != top)

    def _look_ahead(self) -> None:
        """Once the current page is painted: lex the pages ahead in a worker if they need it, else paint them."""
        self._ahead_scheduled = False
        model = self._model
        if model is None or self._computing or not self.is_attached:
            return
        pages = self._pages_ahead()
        highlighters = self._highlighters
        if all(
            highlighters[side].ready(line - 1)
            for first, count in pages
            for side, line in painted_lines(model, self._mode, first, count)
        ):
            self._paint_ahead(pages)
            return
        work = partial(self._lex_ahead, self._generation, model, highlighters, self._mode, pages)
        self._in_thread("diff-view-ahead", "look-ahead", "highlighting the next page", work)

    def _lex_ahead(
        self,
        generation: int,
        model: DiffModel,
        highlighters: dict[str, LineHighlighter],
        mode: str,
        pages: tuple[tuple[int, int], ...],
    ) -> None:
        for first, count in pages:
            prepare_rows(model, highlighters, mode, first, count)
        if not get_current_worker().is_cancelled and generation == self._generation:
            self.post_message(self._LookedAhead(generation, pages))

    def _on_diff_view__looked_ahead(self, message: _LookedAhead) -> None:
        message.stop()
        if message.generation == self._generation and message.pages == self._pages_ahead():
            self._paint_ahead(message.pages)

    def _paint_ahead(self, pages: tuple[tuple[int, int], ...]) -> None:
        """Paint the rows of the pages ahead into the row cache."""
        if pages:
            self._paint_rows_ahead(self._generation, pages, 0, pages[0][0])

    def _paint_rows_ahead(self, generation: int, pages: tuple[tuple[int, int], ...], page: int, row: int) -> None:
        # A few rows at a time, so that a key pressed meanwhile waits little; and only while these are still the
        # pages ahead (a scroll meanwhile has scheduled a look-ahead of its own).
        model = self._model
        if model is None or self._computing or generation != self._generation or pages != self._pages_ahead():
            return
        scroll_x = round(self.scroll_x)
        width = self.scrollable_content_region.width
        painted = 0
        while page < len(pages) and painted < self.PAINT_AHEAD_CHUNK:
            first, count = pages[page]
            end = min(first + count, model.row_count(self._mode))
            if row >= end:
                page += 1
                row = pages[page][0] if page < len(pages) else 0
                continue
            key = (row + self._header_rows, self._mode, width, scroll_x)
            if key not in self._row_cache:
                self._row_cache[key] = self._render_row(key[0], width, scroll_x)
                painted += 1
            row += 1
        if page < len(pages):
            self.call_later(self._paint_rows_ahead, generation, pages, page, row)

    def _on_diff_view__highlighted(self, message: _Highlighted) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        # Repaint only the lines whose tokens the whole-file pass changed: usually none are on screen, and the
        # pages painted ahead stay ready.
        highlighters = self._highlighters
        stale = {line for line in list(self._code_cache.keys()) if highlighters[line[0]].revised(line[1] - 1)}
        for highlighter in highlighters.values():
            highlighter.forget_windows()
        if not stale:
            return
        for line in stale:
            self._code_cache.discard(line)
        model = self._model
        assert model is not None
        top = round(self.scroll_y)
        visible = False
        for row_key in list(self._row_cache.keys()):
            row, mode = row_key[0], row_key[1]
            lines = painted_lines(model, mode, row - self._header_rows, 1) if mode == self._mode else ()
            if any(line in stale for line in lines):
                self._row_cache.discard(row_key)
                visible = visible or top <= row < top + self.scrollable_content_region.height
        if visible:
            self.refresh()
        self._schedule_look_ahead()

    # Painting ----------------------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._token_styles = {}
        self._pygments_theme = None
        self._palette_cache = None
        self._clear_caches()
        for prepared in self._prefetched.values():
            prepared.code.clear()
            prepared.rows.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def on_mount(self) -> None:
        super().on_mount()
        if self._pending_show is not None:
            pending, self._pending_show = self._pending_show, None
            self.show(*pending)

    def render_line(self, y: int) -> Strip:
        if not self._painted:
            self._painted = True
            if self._compute_on_paint is not None:
                waiting, self._compute_on_paint = self._compute_on_paint, None
                self.call_later(self._start_compute_of, *waiting)
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        key = (row, self._mode, width, scroll_x)
        strip = self._row_cache.get(key)
        if strip is None:
            strip = self._row_cache[key] = self._render_row(row, width, scroll_x)
        return strip

    def _render_row(self, row: int, width: int, scroll_x: int) -> Strip:
        base = self._palette.base
        model = self._model
        if model is None:
            if self._computing_shown and row == 0:
                return self._notice_strip("computing diff\u2026", width)
            return Strip.blank(width, base)
        if row < self._header_rows:
            return self._notice_strip(self._notices[row], width)
        index = row - self._header_rows
        if index >= model.row_count(self._mode):
            return Strip.blank(width, base)
        layout = self._layout(width)
        if self._mode == "split":
            return self._split_row(model, index, layout, width, scroll_x)
        return self._unified_row(model, index, layout, width, scroll_x)

    def _split_row(self, model: DiffModel, index: int, layout: Layout, width: int, scroll_x: int) -> Strip:
        split_row = model.row("split", index)
        changed = split_row.kind != "equal"
        digits = layout.digits
        right_code = max(0, width - layout.left_width - 1 - (digits + 3))
        segments: list[Segment] = []
        self._side_segments(
            segments, "original", split_row.old, "removed" if changed else "equal", digits, layout.code_width, scroll_x
        )
        segments.append(Segment("\u2502", self._palette.separator))
        self._side_segments(
            segments, "refactored", split_row.new, "added" if changed else "equal", digits, right_code, scroll_x
        )
        cells = 2 * (digits + 3) + layout.code_width + 1 + right_code
        return Strip(segments, cells).adjust_cell_length(width, self._palette.base)

    def _side_segments(
        self, out: list[Segment], side: str, line: int | None, kind: str, digits: int, code_width: int, scroll_x: int
    ) -> None:
        """Append the gutter and visible code of one side of a split row (filler when the side has no line)."""
        if line is None:
            out.append(Segment("\u2571" * (digits + 3 + code_width), self._palette.filler))
            return
        self._gutter(out, f"{line:>{digits}} ", kind, self._marked == (side, line))
        tint = self._palette.tint[kind]
        out.extend(crop(*self._code_segments(side, line, kind), scroll_x, code_width, tint))

    def _unified_row(self, model: DiffModel, index: int, layout: Layout, width: int, scroll_x: int) -> Strip:
        unified_row = model.row("unified", index)
        digits = layout.digits
        old = f"{unified_row.old:>{digits}}" if unified_row.old else " " * digits
        new = f"{unified_row.new:>{digits}}" if unified_row.new else " " * digits
        side, line = ("original", unified_row.old) if unified_row.old else ("refactored", unified_row.new)
        assert line is not None
        kind = unified_tint(unified_row.kind)
        marked = self._marked is not None and (
            self._marked == ("original", unified_row.old) or self._marked == ("refactored", unified_row.new)
        )
        segments: list[Segment] = []
        self._gutter(segments, f"{old} {new} ", kind, marked)
        code_width = max(0, width - (2 * digits + 4))
        tint = self._palette.tint[kind]
        segments.extend(crop(*self._code_segments(side, line, kind), scroll_x, code_width, tint))
        return Strip(segments, 2 * digits + 4 + code_width).adjust_cell_length(width, self._palette.base)

    def _gutter(self, out: list[Segment], numbers: str, kind: str, marked: bool) -> None:
        if marked:
            # The evidence line: its number and sign in the mark colour, with a pointer where the space was.
            out.append(Segment(numbers, self._palette.marked))
            out.append(Segment(SIGNS[kind][0] + "\u25b8", self._palette.marked))
            return
        out.append(Segment(numbers, self._palette.gutter))
        out.append(Segment(SIGNS[kind], self._palette.tint[kind]))

    @property
    def _palette(self) -> Palette:
        palette = self._palette_cache
        if palette is None:
            style = self.get_component_rich_style
            control = style("diff-view--control")
            palette = self._palette_cache = Palette(
                base=self.rich_style,
                gutter=style("diff-view--gutter"),
                marked=style("diff-view--marked"),
                separator=style("diff-view--separator"),
                filler=style("diff-view--filler"),
                notice=style("diff-view--notice"),
                control=Style(color=control.color, bgcolor=control.bgcolor, bold=True),
                tint={
                    "equal": self.rich_style,
                    "removed": style("diff-view--removed"),
                    "added": style("diff-view--added"),
                },
                # Full styles, not partial: their translucent backgrounds come blended over the widget's.
                emphasis={
                    "removed": Style(bgcolor=style("diff-view--removed-emphasis").bgcolor),
                    "added": Style(bgcolor=style("diff-view--added-emphasis").bgcolor),
                },
            )
        return palette

    def _code_segments(self, side: str, line: int, kind: str) -> tuple[list[Segment], int]:
        """The whole highlighted line of code (uncropped), cached per side and line."""
        model = self._model
        assert model is not None
        return self._paint_code(model, self._highlighters, self._code_cache, side, line, kind)

    def _paint_code(
        self,
        model: DiffModel,
        highlighters: dict[str, LineHighlighter],
        cache: LRUCache[tuple[str, int], tuple[list[Segment], int]],
        side: str,
        line: int,
        kind: str,
    ) -> tuple[list[Segment], int]:
        key = (side, line)
        painted = cache.get(key)
        if painted is None:
            painted = cache[key] = paint_code(model, highlighters, side, line, kind, self._palette, self._token_style)
        return painted

    def _token_style(self, token_type: _TokenType) -> Style | None:
        style = self._token_styles.get(token_type)
        if style is None:
            if self._pygments_theme is None:
                from rich.syntax import PygmentsSyntaxTheme

                dark = self.app.current_theme.dark
                self._pygments_theme = PygmentsSyntaxTheme("monokai" if dark else "default")
            style = foreground_style(self._pygments_theme, token_type)
            self._token_styles[token_type] = style
        return style if style else None

    def _notice_strip(self, notice: str, width: int) -> Strip:
        style = self._palette.notice
        text = " " + visible_line(notice)
        return Strip([Segment(text, style)], cell_len(text)).adjust_cell_length(width, style)

    # Layout and navigation ---------------------------------------------------------------------------------

    @property
    def _header_rows(self) -> int:
        return len(self._notices)

    def _layout(self, width: int) -> Layout:
        model = self._model
        lines = max(model.line_count("original"), model.line_count("refactored"), 1) if model else 1
        digits = len(str(lines))
        widest = max(self._code_widths)
        if self._mode == "split":
            left_width = max(0, (width - 1) // 2)
            code_width = max(0, left_width - (digits + 3))
        else:
            left_width = width
            code_width = max(0, width - (2 * digits + 4))
        return Layout(digits, code_width, left_width, width + max(0, widest - code_width))

    def _relayout(self, keep_rows: bool = False) -> None:
        """Take the diff's size anew and paint every row again; keep_rows: rows already painted of this very diff
        (by row, mode, width and scroll) stay good."""
        width = self.scrollable_content_region.width
        model = self._model
        if model is None:
            rows = 1 if self._computing_shown else 0
            self._set_virtual_size(Size(width, rows))
        else:
            layout = self._layout(width)
            self._set_virtual_size(Size(layout.virtual_width, self._header_rows + model.row_count(self._mode)))
        if not keep_rows:
            self._row_cache.clear()
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """Take the diff's scrollable size, laying the screen out again only when a scrollbar comes or goes: a new
        diff leaves the view where it is, and a layout of the whole screen on every attempt costs more than
        painting its rows (Textual lays out whenever virtual_size is set)."""
        if size == self.virtual_size:
            return
        if not self.is_mounted or not self.container_size:
            self.virtual_size = size  # not laid out yet: the first layout is to come anyway
            return
        shown = (self.show_horizontal_scrollbar, self.show_vertical_scrollbar)
        self.set_reactive(DiffView.virtual_size, size)
        self._scroll_update(size)  # the scrollbars' thumbs, and the scroll offset kept within the new size
        if (self.show_horizontal_scrollbar, self.show_vertical_scrollbar) != shown:
            self.refresh(layout=True)

    def _clear_caches(self) -> None:
        self._row_cache.clear()
        self._code_cache.clear()

    def _anchor_row(self) -> int:
        """The diff row (not counting notices) that navigation treats as "here"."""
        return max(0, round(self.scroll_y) - self._header_rows + self.CONTEXT_ROWS)

    def _anchor_line(self) -> tuple[str, int] | None:
        """A (side, line) at the anchor row, to keep in place across a mode switch."""
        model = self._model
        if model is None or model.row_count(self._mode) == 0:
            return None
        index = min(max(0, round(self.scroll_y) - self._header_rows), model.row_count(self._mode) - 1)
        row = model.row(self._mode, index)
        if row.old is not None:
            return "original", row.old
        return None if row.new is None else ("refactored", row.new)

    def _change_in_view(self, index: int) -> bool:
        assert self._model is not None
        start, _ = self._model.blocks[index].rows(self._mode)
        top = round(self.scroll_y) - self._header_rows
        return top <= start < top + self.scrollable_content_region.height

    def _go_to_change(self, index: int) -> None:
        assert self._model is not None
        start, _ = self._model.blocks[index].rows(self._mode)
        self._current_change = index
        self.scroll_to(y=max(0, self._header_rows + start - self.CONTEXT_ROWS), animate=False, force=True)
