"""The review screen: one attempt's diff, its verdicts and the reviewer's judgement form, driven by DESIGN's keys."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, ProgressBar, Static

from bare_tui.model import Label
from bare_tui.review import AttemptBundle, FormState, Pace, ReviewSession, Walk
from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.safe_text import one_line
from bare_tui.store import SessionError, Store, utc_now

from ..commands import key_for
from ..widgets.diff_view import DiffView
from ..widgets.judgement_form import JudgementForm
from ..widgets.verdict_panel import VerdictPanel
from . import take_width_class

if TYPE_CHECKING:
    from ..dialogs.note import NoteResult
    from .queue import QueueScreen

# The dialogs and the queue (numpy, the Markdown parser) are imported when first opened, not before the first paint.

# Every key of DESIGN.md's table, with ids a keymap file can rebind. Priority: they reach this screen whatever
# holds Textual's focus (the diff normally does), so the form's focus is a cursor of ours and the scrolling keys
# always go to the diff.
REVIEW_BINDINGS: list[Binding] = [
    Binding(
        "up",
        "scroll_diff('up')",
        "Scroll up",
        show=False,
        id="review.scroll_up",
        tooltip="scroll both sides of the diff together",
        priority=True,
    ),
    Binding("down", "scroll_diff('down')", "Scroll down", show=False, id="review.scroll_down", priority=True),
    Binding("pageup", "scroll_diff('page_up')", "Page up", show=False, id="review.page_up", priority=True),
    Binding("pagedown", "scroll_diff('page_down')", "Page down", show=False, id="review.page_down", priority=True),
    Binding("home", "scroll_diff('home')", "Top of the diff", show=False, id="review.home", priority=True),
    Binding("end", "scroll_diff('end')", "End of the diff", show=False, id="review.end", priority=True),
    Binding(
        "left",
        "scroll_diff('left')",
        "Scroll left",
        show=False,
        id="review.scroll_left",
        tooltip="read a long line on (a › marks a cut line)",
        priority=True,
    ),
    Binding("right", "scroll_diff('right')", "Scroll right", show=False, id="review.scroll_right", priority=True),
    Binding("right_square_bracket", "next_change", "Next change", show=False, id="review.next_change", priority=True),
    Binding(
        "left_square_bracket",
        "previous_change",
        "Previous change",
        show=False,
        id="review.previous_change",
        priority=True,
    ),
    Binding("s", "toggle_mode", "Split / unified", show=False, id="review.toggle_mode", priority=True),
    Binding(
        "tab",
        "move_field(1)",
        "Next field",
        show=False,
        id="review.next_field",
        tooltip="next field of the judgement form (syntax … overall)",
        priority=True,
    ),
    Binding("shift+tab", "move_field(-1)", "Previous field", show=False, id="review.previous_field", priority=True),
    Binding(
        "a",
        "mark('pass')",
        "Pass",
        id="review.pass",
        tooltip="mark the focused field pass, then move to the next field",
        priority=True,
    ),
    Binding(
        "x",
        "mark('fail')",
        "Fail",
        id="review.fail",
        tooltip="mark the focused field fail, then move to the next field",
        priority=True,
    ),
    Binding(
        "u",
        "mark('unsure')",
        "Unsure",
        id="review.unsure",
        tooltip="mark the focused field unsure, then move to the next field",
        priority=True,
    ),
    Binding(
        "A",
        "pass_the_rest",
        "All pass",
        id="review.all_pass",
        tooltip="mark every field not yet labelled pass, then save",
        priority=True,
    ),
    Binding("1", "confidence(1)", "Confidence low", show=False, id="review.confidence_low", priority=True),
    Binding("2", "confidence(2)", "Confidence medium", show=False, id="review.confidence_medium", priority=True),
    Binding("3", "confidence(3)", "Confidence high", show=False, id="review.confidence_high", priority=True),
    Binding(
        "c",
        "note",
        "Note",
        id="review.note",
        tooltip="write a note (and tags) for this attempt's judgement",
        priority=True,
    ),
    Binding(
        "f",
        "flag",
        "Flag",
        id="review.flag",
        tooltip="flag the attempt for audit, or take the flag back (saved at once)",
        priority=True,
    ),
    Binding(
        "enter",
        "save",
        "Save",
        id="review.save",
        tooltip="save each labelled field in one transaction, open the next",
        priority=True,
    ),
    Binding(
        "backspace",
        "undo",
        "Undo save",
        show=False,
        id="review.undo",
        tooltip="undo your last save: its labels, confidence and note come back into the form",
        priority=True,
    ),
    Binding(
        "n",
        "next_attempt",
        "Next attempt",
        show=False,
        id="review.next_attempt",
        tooltip="next attempt without saving (in the queue's filter when you came from one)",
        priority=True,
    ),
    Binding(
        "p",
        "previous_attempt",
        "Previous attempt",
        show=False,
        id="review.previous_attempt",
        tooltip="previous attempt without saving",
        priority=True,
    ),
    Binding(
        "r",
        "reveal",
        "Reveal verdicts",
        id="review.reveal",
        tooltip="show the automated verdicts (blind mode)",
        priority=True,
    ),
    Binding("g", "go_to", "Go to", show=False, id="review.go_to", tooltip="go to an attempt by its id", priority=True),
    Binding(
        "i",
        "rubric",
        "Rubric",
        show=False,
        id="review.rubric",
        tooltip="the session's rubric for the focused field",
        priority=True,
    ),
    Binding(
        "v",
        "toggle_drawer",
        "Verdicts",
        show=False,
        id="review.drawer",
        tooltip="narrow terminals: open or close the verdicts and findings drawer",
        priority=True,
    ),
    Binding(
        "e",
        "finding(1)",
        "Next finding",
        show=False,
        id="review.next_finding",
        tooltip="show the next finding's line in the diff",
        priority=True,
    ),
    Binding("E", "finding(-1)", "Previous finding", show=False, id="review.previous_finding", priority=True),
    Binding("question_mark", "help", "Help", id="review.help", priority=True),
    Binding("q", "back", "Queue", id="review.back", tooltip="back to the queue; from the queue, quit", priority=True),
]

SCROLLS: dict[str, Callable[[DiffView], object]] = {
    "up": lambda d: d.scroll_up(animate=False, immediate=True),
    "down": lambda d: d.scroll_down(animate=False, immediate=True),
    "left": lambda d: d.scroll_left(animate=False, immediate=True),
    "right": lambda d: d.scroll_right(animate=False, immediate=True),
    "page_up": lambda d: d.scroll_page_up(animate=False),
    "page_down": lambda d: d.scroll_page_down(animate=False),
    "home": lambda d: d.scroll_home(animate=False, immediate=True),
    "end": lambda d: d.scroll_end(animate=False, immediate=True),
}

QUEUE_PRELOAD_AFTER = 2.0
"""Seconds of quiet (an attempt on show, nothing computing, no other attempt opened) before the queue is read in
the background: reading it takes the GIL for seconds on a big study, so not while the reviewer moves on."""
QUEUE_PRELOAD_FROM = 50_000
"""Sessions with fewer attempts read their queue when `q` is pressed (within its second), not ahead."""

GC_OFF_AT_MOST = 5.0
"""Seconds after the screen is mounted by which the collection `bare-tui review` starts without is made and turned
back on, should no quiet moment (the attempt shown, nothing computing) have come by then."""

THAW_EVERY = 64
"""Every this many of those collections, the objects frozen by the earlier ones are collected too."""


YOUNG_OBJECTS = 50_000
"""Objects made (and not yet freed) before the interpreter collects its youngest generation by itself, instead of
its 700. A key paints an attempt with some 9,000 of them (strips, segments, styles), which at 700 cost each undo a
dozen collections and one of the older generation (1-10 ms): with the collection made while the reviewer reads
(collect_garbage), a key now seldom meets one, and a run of keys with no quiet moment between them still does."""


def collect_garbage(thaw: bool = False) -> None:
    """Collect garbage now, while nobody waits, then hand what survives to the permanent generation: the collections
    the interpreter starts by itself (on the next key) then walk only what was made since, not every diff and row
    kept. thaw: collect the frozen objects too (a cycle among them that became garbage would otherwise stay)."""
    if thaw:
        gc.unfreeze()
    gc.collect()
    gc.freeze()
    if gc.get_threshold()[0] < YOUNG_OBJECTS:
        gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
    gc.enable()  # `bare-tui review` starts with collection off, until the first attempt is shown


CHECKPOINT_AFTER_ROWS = 250
"""Rows written (a save writes some 24 with its bookkeeping, an undo 30; about as many WAL pages) after which the
review screen checkpoints the WAL at its next quiet moment: some ten saves or undos, a megabyte of WAL."""


NARROW_BELOW = 110
"""Below this many columns the review screen shows the unified diff, the form in two lines under it, and the
verdicts in a drawer (v): a split diff beside a 36-column panel leaves ~15 columns a side at 80."""


class ReviewScreen(Screen[None]):
    """One attempt at a time: the diff, the verdicts (hidden in blind mode) and the judgement form."""

    CSS_PATH = "review.tcss"
    BINDINGS = [*REVIEW_BINDINGS]  # a list of its own: Textual types BINDINGS as list[BindingType]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]  # noqa: RUF012 - Textual declares it so
    # Actions without a key of their own (DESIGN fixes the keys): the palette and help list them.
    PALETTE = [
        ("Show the model's raw response", "show_response", "the answer before code was taken from it"),
    ]

    def __init__(
        self,
        session: ReviewSession,
        session_path: Path,
        start_at: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.session = session
        self.session_path = session_path
        self._start_at = start_at
        self.walk: Walk = session.walk
        self.attempt_id: str = session.order[0] if session.order else ""
        self.bundle: AttemptBundle | None = None
        # The attempts opened lately, as read then: an undo reopens one of them reading only its labels again.
        self._opened: LRUCache[str, AttemptBundle] = LRUCache(8)
        self.form = FormState()
        self.revealed = session.mode == "assisted"
        self.opened_at = utc_now()
        self._armed: str | None = None  # the navigation action a second press will let discard labels
        self._pending_line: tuple[str, int] | None = None  # a finding chosen before its diff was computed
        self._queue: QueueScreen | None = None
        self._preload_timer: Timer | None = None
        self._clock = clock
        self.pace = Pace(started=clock(), opened=clock())
        self._narrow: bool | None = None
        self._collected = False  # garbage collected since the attempt on show was opened
        self._widths: dict[str, int] = {}  # the header's rows as wide as their text: the width last painted
        self._rows: dict[str, Text] = {}  # the header's rows: the text last painted
        self._collections = 0
        self._checkpoints_deferred = False  # the store's commits leave the WAL to _checkpoint_if_written
        self._checkpointed_at = 0  # the store's count of rows written when the last checkpoint began
        self._resumed = False  # made the screen on top at least once (on_screen_resume)

    @property
    def index(self) -> int:
        """The attempt's position in the session's order; -1 for an attempt outside it (a plan need not hold
        every attempt the queue or g can open)."""
        return self.session.positions.get(self.attempt_id, -1)

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        take_width_class(self)  # the children styled once, -wide or -narrow already set (5-7 ms before the paint)
        with Vertical(id="review-header"):
            with Horizontal(id="review-title-row"):
                yield Static(id="review-title")
                yield ProgressBar(id="review-progress", show_eta=False, show_percentage=False)
                yield Static(id="review-count")
            with Horizontal(id="review-info-row"):
                yield Static(id="review-attempt")
                yield Static(id="review-pace")
        with Horizontal(id="review-body"):
            with Vertical(id="review-main"):
                yield DiffView(id="diff")
                yield JudgementForm(compact=True, id="form-strip")
            with Vertical(id="review-side"):
                yield VerdictPanel(id="verdicts")
                yield JudgementForm(id="form")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DiffView).focus()
        self.set_interval(1.0, self._paint_pace)
        if not gc.isenabled():  # the command's start-up: collected once the attempt is shown, at the latest by then
            self.set_timer(GC_OFF_AT_MOST, self._collect_once)
        # The reviewer's labels have been read on a thread since the command started: most often they are in.
        self.session.poll_labels()
        if not self.session.ordered:
            # Paint first: the session's order (every attempt id of a BARE-sized study) is read on a thread, and
            # the first attempt not judged is found without it (and without the labels).
            first = self._start_at or self.session.first_attempt()
            if first is not None:
                self.open_attempt(first)
            else:
                self.query_one("#review-title", Static).update(Text("reading the session's order…", style="dim"))
        else:
            self._open_first()
        if not (self.session.ordered and self.session.labels_known):
            self.call_after_refresh(self._read_order)  # after the first paint: the thread would slow it down

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual styles every widget of a screen again each time it comes back to the top, since classes may have
        changed while it was underneath. Its first coming (as the app's first screen) finds every widget styled a
        moment ago as it mounted, with the width class already set (take_width_class): restyling all of them again
        then changes nothing and took 5-8 ms before the first paint. Every later return restyles as ever."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _open_first(self) -> None:
        session = self.session
        if self._start_at is not None:  # any attempt of the session, in the order walked or not
            self.open_attempt(self._start_at)
            return
        self.open_attempt(session.order[session.start_index()])
        if session.complete:
            self.notify(
                f"every attempt is judged ({session.total} of {session.total}): pick one in the queue", timeout=6
            )
            self._open_queue()

    @work(thread=True, exit_on_error=False, group="review-order")
    def _read_order(self) -> None:
        session = self.session
        ahead = session.labels_ahead
        if ahead is not None:  # the labels first (a count, mostly SQLite's work): the header's count waits on them
            with contextlib.suppress(Exception):  # a failed read is read again by the main thread (take_labels)
                ahead.result()
            self.app.call_from_thread(self._labels_read)
        if session.ordered:
            return
        # sqlite3 connections belong to their thread: this worker opens its own, to read and hand over plain ids.
        try:
            with Store.open(self.session_path, readonly=True) as store:
                order = session.read_order(store, session.reviewer, session.shuffle_seed)
        except SessionError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False, timeout=10)
            return
        self.app.call_from_thread(self._order_read, order)

    def _labels_read(self) -> None:
        try:
            self.session.wait_for_labels()  # read by now: taken without waiting
        except SessionError as exc:
            self.notify(one_line(str(exc)), severity="error", markup=False, timeout=10)
            return
        if self.bundle is not None:
            self._paint_header()

    def _order_read(self, order: list[str]) -> None:
        self.session.set_order(order)
        if not self.walk.name:  # still the session's own order (not a queue's filter the reviewer chose meanwhile)
            self.walk = self.session.walk
        # What is read now lives as long as the review: out of the collector's sight, so that no collection on
        # the way to the next attempt walks it again (bench/tui.py --scale measures the slowest next attempt).
        gc.freeze()
        if self.bundle is None:
            self._open_first()
        else:
            self._paint_header()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Until the first attempt is open (a shuffled order is still being read) only help and the queue answer.
        return self.bundle is not None or action in ("help", "back")

    def on_resize(self, event: events.Resize) -> None:
        narrow = self.size.width < NARROW_BELOW
        if narrow == self._narrow:
            return
        self._narrow = narrow
        # Narrow: unified is the only readable diff; wide again: back to side by side.
        self.diff.mode = "unified" if narrow else "split"
        self.set_class(False, "-drawer")
        self.query_one(Footer).compact = narrow
        if self.bundle is not None:
            self._paint_header()

    @property
    def narrow(self) -> bool:
        return self._narrow if self._narrow is not None else self.app.size.width < NARROW_BELOW

    @property
    def diff(self) -> DiffView:
        return self.query_one(DiffView)

    # ------------------------------------------------------------------ opening attempts
    def open_attempt(self, attempt_id: str, form: FormState | None = None, bundle: AttemptBundle | None = None) -> None:
        """Load one attempt (its texts only) and show it with syntax focused (or the form given: an undo's). A
        bundle given is shown as it is, not read again."""
        bundle = bundle if bundle is not None else self.session.load(attempt_id)
        self._opened[attempt_id] = bundle
        self.attempt_id = attempt_id
        self.bundle = bundle
        self.form = form if form is not None else FormState.from_judgements(bundle.judgements, bundle.fields)
        self.revealed = self.session.sees_verdicts(attempt_id)
        self.opened_at = utc_now()
        self.pace.open(self._clock())
        self._armed = None
        self._pending_line = None
        self._collected = False
        if self._preload_timer is not None:
            self._preload_timer.stop()  # the reviewer is moving on: the queue waits for the next quiet moment
            self._preload_timer = None
        self.diff.show(*bundle.diff_texts)
        self._paint_header()
        self._paint_side()

    def _paint_header(self) -> None:
        session, bundle = self.session, self.bundle
        assert bundle is not None
        title = Text(no_wrap=True, overflow="ellipsis")
        if not self.narrow:
            title.append("bare-tui ", style="bold")
            title.append_text(safe_rich_text(self.session_path.name))
            title.append("  ")
        title.append("reviewer ", style="bright_black")
        title.append_text(safe_rich_text(session.reviewer, style="bold"))
        title.append("  ")
        # a filter's name holds data; the session's own order may not be read yet (the session counts the place)
        where = self.walk.where(self.attempt_id) if self.walk.name else session.where(self.attempt_id)
        title.append_text(safe_rich_text(where, style="bold"))
        if session.plan_progress is not None:
            title.append("  ")
            title.append_text(safe_rich_text(session.plan_progress, style="bold cyan"))
        mode = "ASSISTED" if session.mode == "assisted" else "BLIND, revealed" if self.revealed else "BLIND"
        title.append(f"  {mode}", style="bold magenta")
        if session.read_only_reason is not None:
            title.append("  READ-ONLY", style="bold black on yellow")
        self._update_row("#review-title", title)  # one row, the width left: fixed
        # Shown once known, never guessed: until the reviewer's labels are read the bar waits (indeterminate) and
        # the count says "…"; the count is as wide as "total/total", so the row keeps its layout as it fills in.
        judged, total = session.progress, session.total
        progress = self.query_one(ProgressBar)
        if judged is None:
            progress.update(total=None)
        else:
            progress.update(total=total, progress=judged)
        count = "…" if judged is None else str(judged)
        self._update_sized("#review-count", Text(f"{count:>{len(str(total))}}/{total} judged"))

        summary = bundle.summary
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append_text(safe_rich_text(summary.attempt_id, style="bold"))
        # what tells attempts apart first, so that a narrow row cuts the language (the path's extension says it)
        for label, value in (("", summary.path), ("model ", summary.model), ("", summary.language)):
            info.append(" · ", style="bright_black")
            info.append(label, style="bright_black")
            info.append_text(safe_rich_text(value))
        if bundle.attempt_id in session.judged:
            info.append(" · judged", style="green")
        for problem in bundle.problems:
            info.append("  ")
            info.append_text(safe_rich_text(f"⚠ {problem}", style="bold black on yellow"))
        self._update_row("#review-attempt", info)
        self._paint_pace()

    def _paint_pace(self) -> None:
        diff = self.diff
        pace = Text(no_wrap=True)
        count = diff.change_count
        if diff.model is not None:
            current = diff.current_change
            if current is not None and count:
                pace.append(f"change {current + 1} of {count}")
            else:
                pace.append(f"{count} change{'s' if count != 1 else ''}")
            pace.append(" · ", style="bright_black")
        # narrow, the rate gives its room to the attempt's row (at 80 columns it cut the model's name)
        pace.append(self.pace.describe(self._clock(), rate=not self.narrow), style="bright_black")
        self._update_sized("#review-pace", pace)

    def _update_row(self, selector: str, text: Text) -> None:
        """Update a one-row Static of fixed width, unless it shows that text already (every widget painted again
        on a key costs the key time: the count, say, changes only on a save or an undo)."""
        if text != self._rows.get(selector):
            self.query_one(selector, Static).update(text, layout=False)
            self._rows[selector] = text

    def _update_sized(self, selector: str, text: Text) -> None:
        """Update a one-row Static as wide as its text, laying the row out again only when the text outgrows it: a
        shorter text is painted in the width it has (a layout lays out and paints the whole screen, which costs a key
        more than the row: each attempt's change count and every second of the clock change the text)."""
        if text == self._rows.get(selector):
            return
        width = text.cell_len
        grows = width > self._widths.get(selector, -1)
        self.query_one(selector, Static).update(text, layout=grows)
        if grows:
            self._widths[selector] = width
        self._rows[selector] = text

    def _paint_side(self) -> None:
        assert self.bundle is not None
        self.query_one(VerdictPanel).show(self.bundle.verdicts, self.revealed)
        self._paint_form()

    def _paint_form(self) -> None:
        assert self.bundle is not None
        flagged = self.bundle.attempt_id in self.session.flagged
        for form in self.query(JudgementForm):
            form.show(self.form, flagged)

    # ------------------------------------------------------------------ the diff
    def action_scroll_diff(self, how: str) -> None:
        SCROLLS[how](self.diff)

    def action_next_change(self) -> None:
        if not self.diff.next_change():
            self.notify("no further change below", timeout=2)
        self._paint_pace()

    def action_previous_change(self) -> None:
        if not self.diff.previous_change():
            self.notify("no change above", timeout=2)
        self._paint_pace()

    def action_toggle_mode(self) -> None:
        self.diff.toggle_mode()

    def action_toggle_drawer(self) -> None:
        if not self.narrow:
            self.notify("the verdicts are on the right: the drawer is for narrow terminals", timeout=2)
            return
        self.toggle_class("-drawer")

    def action_finding(self, step: int) -> None:
        if not self.revealed:
            self.notify(f"verdicts are hidden: {self._key('review.reveal')} to reveal them", timeout=2)
            return
        if self.query_one(VerdictPanel).step(step) is None:
            self.notify("this attempt has no findings", timeout=2)

    def on_verdict_panel_finding_chosen(self, event: VerdictPanel.FindingChosen) -> None:
        evidence = event.finding.evidence
        if evidence.line is None:
            self.notify("this finding has no line to show", timeout=2)
            return
        if self.diff.is_computing:
            self._pending_line = (evidence.side, evidence.line)  # shown once the diff arrives
            return
        self._show_line(evidence.side, evidence.line)

    def on_diff_view_ready(self, event: DiffView.Ready) -> None:
        if self._pending_line is not None:
            side, line = self._pending_line
            self._pending_line = None
            self._show_line(side, line)
        self._paint_pace()
        self.call_after_refresh(self._prefetch_following, self.attempt_id)

    def on_diff_view_quiet(self, event: DiffView.Quiet) -> None:
        """The attempt is shown and the diffs ahead are computed: collect garbage now, once per attempt, and copy
        the saves' WAL into the session, so that neither pause falls on the next key (bench/scale_screens.py times
        the slowest)."""
        if self._queue is None:
            # The queue of a big study takes seconds to read: read it while the reviewer reads an attempt, so that
            # `q` finds it ready (and every later return re-reads only the attempts touched meanwhile).
            if self._preload_timer is not None:
                self._preload_timer.stop()
            self._preload_timer = self.set_timer(QUEUE_PRELOAD_AFTER, self._preload_queue)
        self._collect_if_due()
        self._checkpoint_if_written()

    def _collect_if_due(self) -> None:
        if self._collected or self.bundle is None or self.diff.is_computing:
            return
        if any(not worker.is_finished for worker in self.workers):
            return  # a read under way (the queue's, the order's) makes objects by the million: collect after it
        self._collected = True
        self._collections += 1
        collect_garbage(thaw=self._collections % THAW_EVERY == 0)

    def _checkpoint_if_written(self) -> None:
        """Copy what this process committed into the session file on a thread, while the reviewer reads: left to
        SQLite, every ~20th save or undo did it inside its commit (writing back and syncing, 16-80 ms on the key).
        The commits themselves then leave the WAL alone up to a backstop (Store.defer_checkpoints). Not after every
        save: the commit that begins the WAL again after a checkpoint syncs its header, so a few saves go by first."""
        store = self.session.store
        if store.readonly:
            return
        if not self._checkpoints_deferred:
            store.defer_checkpoints()
            self._checkpoints_deferred = True
            self._checkpointed_at = store.changes
        written = store.changes
        if written - self._checkpointed_at < CHECKPOINT_AFTER_ROWS:
            return
        self._checkpointed_at = written
        self.run_worker(
            store.checkpoint_wal,
            name="checkpoint",
            group="review-checkpoint",
            description="copying the saves into the session file",
            thread=True,
            exit_on_error=False,  # a checkpoint that fails is made by a later one, or by SQLite at its backstop
        )

    def _collect_once(self) -> None:
        if not gc.isenabled():
            collect_garbage()

    def _prefetch_following(self, attempt_id: str) -> None:
        """Have the diffs of the attempts likely to come next computed while the reviewer reads this one."""
        if attempt_id != self.attempt_id:
            return
        # Texts only (not a whole bundle); one that vanished is left out: opening it will say so.
        following = self.session.likely_next(self.walk, attempt_id)
        texts = [self.session.diff_texts(attempt) for attempt in following]
        self.diff.prefetch([t for t in texts if t is not None])

    def _show_line(self, side: str, line: int) -> None:
        if not self.diff.scroll_to_line(side, line):
            self.notify(f"line {line} of the {side} file is not in the diff", timeout=2)

    # ------------------------------------------------------------------ the form
    def action_move_field(self, step: int) -> None:
        self.form = self.form.move(step)
        self._paint_form()

    def action_mark(self, label: str) -> None:
        self.form = self.form.mark(Label(label), verdicts_visible=self.revealed)
        self._armed = None
        self._after_labelling()

    def action_pass_the_rest(self) -> None:
        """A: every field not yet labelled is marked pass, then the whole form is saved."""
        if self.form.all_labelled:
            self.action_save()
            return
        self.form = self.form.mark_unlabelled(Label.PASS, verdicts_visible=self.revealed)
        self._armed = None
        self._after_labelling()
        self.action_save()

    def _after_labelling(self) -> None:
        # Blind mode shows nothing of the verdicts until the labels are saved or r is pressed (DESIGN.md): a form
        # labelled in full but not saved may still change, and what changes after a look is not blind.
        self._paint_form()

    def action_confidence(self, level: int) -> None:
        self.form = self.form.with_confidence(level)
        self._paint_form()

    def action_note(self) -> None:
        assert self.bundle is not None

        from ..dialogs.note import NoteScreen

        def keep(result: NoteResult | None) -> None:
            if result is not None:
                self.form = self.form.with_note(result.note, result.tags)
                self._paint_form()

        self.app.push_screen(NoteScreen(self.form.note, self.form.tags, self.bundle.attempt_id), keep)

    def action_flag(self) -> None:
        assert self.bundle is not None
        try:
            flagged = self.session.toggle_flag(self.bundle.attempt_id)
        except SessionError as exc:
            self.notify(one_line(str(exc)), severity="error", markup=False)
            return
        self.notify("flagged for audit" if flagged else "flag taken back", timeout=2)
        self._paint_form()

    def action_reveal(self) -> None:
        if self.revealed:
            self.notify("verdicts are already shown", timeout=2)
            return
        self._reveal()

    def _reveal(self) -> None:
        self.revealed = True
        assert self.bundle is not None
        self.session.reveal(self.bundle.attempt_id)  # the queue and audit may show this attempt's outcomes now
        self.query_one(VerdictPanel).show(self.bundle.verdicts, True)
        self._paint_header()

    # ------------------------------------------------------------------ saving and moving
    def action_save(self) -> None:
        assert self.bundle is not None
        reason = self.session.read_only_reason
        if reason is not None:
            self.notify(one_line(f"not saved: read-only ({reason})"), severity="error", markup=False, timeout=6)
            return
        if not self.form.unsaved:
            if any(f.label is not None for f in self.form.fields):
                self.notify(
                    f"nothing changed since the last save: {self._key('review.next_attempt')} for the next attempt",
                    timeout=3,
                )
            else:
                self.notify("nothing labelled yet: a pass, x fail, u unsure, A all pass", severity="warning", timeout=3)
            return
        suggested = self.form.suggested_overall
        try:
            result = self.session.save(self.form, self.bundle, self.opened_at)
        except SessionError as exc:
            self.notify(one_line(f"not saved: {exc}"), severity="error", markup=False, timeout=10)
            return
        # The transaction has committed by now: only now may the screen say so.
        self.pace.saved += 1
        count = len(result.judgements)
        message = f"saved {count} judgement{'s' if count != 1 else ''} of {result.attempt_id}"
        if suggested is not None:
            message += f" (overall not saved: it was only suggested, {suggested.value})"
        self.notify(one_line(message), markup=False, timeout=3)
        # the walk's next attempt not judged; while the order is being read, the next one in import order
        following = self.session.after_save(self.walk, self.attempt_id)
        if following is None:
            self.bundle = self.session.load(self.attempt_id)
            self.form = FormState.from_judgements(self.bundle.judgements, self.bundle.fields)
            self.revealed = self.session.sees_verdicts(self.attempt_id)  # saved in every field: no longer hidden
            self._paint_header()
            self._paint_side()
            self.notify(
                "that was the last attempt: every attempt is judged"
                if self.session.complete
                else "that was the last attempt in the order",
                timeout=5,
            )
            return
        if self.session.complete and following == self.walk.step(self.attempt_id, 1):
            self.notify(f"every attempt is judged ({self.session.total})", timeout=3)
        self.open_attempt(following)

    def action_undo(self) -> None:
        if not self._may_leave("review.undo", "undo"):
            return
        try:
            result = self.session.undo()
        except SessionError as exc:
            self.notify(one_line(f"not undone: {exc}"), severity="error", markup=False, timeout=10)
            return
        if result is None:
            self.notify("nothing of this session's saves to undo", timeout=2)
            return
        # Only the labels changed: the attempt as read when it was last opened, with the labels now in force.
        kept = self._opened.get(result.attempt_id)
        bundle = self.session.after_undo(kept, result) if kept is not None else self.session.load(result.attempt_id)
        self.open_attempt(
            result.attempt_id, FormState.restored(bundle.judgements, result.undone, bundle.fields), bundle
        )
        count = len(result.judgements)
        message = one_line(
            f"undone: {count} judgement{'s' if count != 1 else ''} of {result.attempt_id}; "
            f"the labels are back in the form, {self._key('review.save')} saves them again"
        )
        # After the attempt is painted: mounting the toast lays out the screen, and the attempt is what was asked for.
        self.call_after_refresh(partial(self.notify, message, markup=False, timeout=4))

    def _order_pending(self) -> bool:
        if self.session.ordered or self.walk.name or self.session.in_import_order:
            return False
        self.notify("still reading the session's order: a moment", timeout=2)
        return True

    def _step(self, step: int) -> str | None:
        """The next (+1) or previous (-1) attempt of the walk; before the session's order is read, in import
        order (through the store)."""
        if self.walk.name or self.session.ordered:
            return self.walk.step(self.attempt_id, step)
        return self.session.step(self.attempt_id, step)

    def action_next_attempt(self) -> None:
        if self._order_pending():
            return
        following = self._step(1)
        if following is None:
            where = f" of {self.walk.name}" if self.walk.name else ""  # a filter's words: the reviewer's and the data's
            self.notify(one_line(f"this is the last attempt{where}"), markup=False, timeout=2)
            return
        if self._may_leave("review.next_attempt", "next_attempt"):
            self.open_attempt(following)

    def action_previous_attempt(self) -> None:
        if self._order_pending():
            return
        previous = self._step(-1)
        if previous is None:
            where = f" of {self.walk.name}" if self.walk.name else ""  # a filter's words: the reviewer's and the data's
            self.notify(one_line(f"this is the first attempt{where}"), markup=False, timeout=2)
            return
        if self._may_leave("review.previous_attempt", "previous_attempt"):
            self.open_attempt(previous)

    def _may_leave(self, binding_id: str, action: str) -> bool:
        """True when leaving this attempt loses nothing, or the reviewer pressed the key twice to discard."""
        if not self.form.unsaved or self._armed == action:
            self._armed = None
            return True
        self._armed = action
        self.notify(f"unsaved labels: press {self._key(binding_id)} again to discard", severity="warning", timeout=4)
        return False

    def may_quit(self) -> bool:
        """Whether quitting the app now loses nothing (else warn once: a second quit goes)."""
        return self._may_leave("app.quit", "quit")

    def _key(self, binding_id: str) -> str:
        """The key in force for a binding (a keymap may have changed it), as people write it."""
        return key_for(self.app, binding_id)

    def show_attempt(self, attempt_id: str, walk: Walk | None = None) -> None:
        """Open a given attempt (the queue's choice, which need not be in the order walked), walking `walk` from
        then on (the session's order if None)."""
        self.walk = walk if walk is not None else self.session.walk
        try:
            self.open_attempt(attempt_id)
        except SessionError as exc:
            self.notify(str(exc), severity="error", markup=False)

    def action_go_to(self) -> None:
        def chosen(attempt_id: str | None) -> None:
            if attempt_id is not None and attempt_id != self.attempt_id:
                self.open_attempt(attempt_id)

        if self._may_leave("review.go_to", "go_to"):
            from ..dialogs.goto import GoToScreen

            self.app.push_screen(GoToScreen(self.session.positions, self.session.store.has_attempt), chosen)

    # ------------------------------------------------------------------ other screens
    def action_show_response(self) -> None:
        assert self.bundle is not None
        attempt = self.bundle.attempt
        from ..dialogs.response import ResponseScreen

        self.app.push_screen(ResponseScreen(attempt.attempt_id, attempt.response, attempt.patch))

    def action_help(self) -> None:
        from ..dialogs.help import HelpScreen

        self.app.push_screen(HelpScreen(self, title="review keys"))

    def action_rubric(self) -> None:
        from bare_tui.rubric import load_rubric

        from ..dialogs.rubric import RubricScreen

        self.app.push_screen(RubricScreen(load_rubric(self.session.store), self.form.focused_field))

    def action_back(self) -> None:
        if not self._may_leave("review.back", "back"):
            return
        self._open_queue()

    def _queue_screen(self) -> QueueScreen:
        if self._queue is None:
            from .queue import QueueScreen

            # One queue for the whole review: its filters and scroll survive a visit to an attempt, and q does
            # not mount a screen again (slow on a large study). A return re-reads what this process touched.
            self._queue = QueueScreen(
                self.session_path,
                self.session.reviewer,
                visible=self.session.visible_ids,
                touched=self.session.take_touched,
            )
            self.app.install_screen(self._queue, name=f"queue-{id(self)}")
        return self._queue

    def _preload_queue(self) -> None:
        # its size is not known yet, or another screen is on top (the statistics computing, say, which the read
        # would slow by holding the GIL): look again later
        if not self.session.ordered or self.app.screen is not self:
            self._preload_timer = self.set_timer(QUEUE_PRELOAD_AFTER, self._preload_queue)
            return
        if self._queue is None and self.session.total >= QUEUE_PRELOAD_FROM:
            self._queue_screen().load()

    def _open_queue(self) -> None:
        def chosen(attempt_id: str | None) -> None:
            if attempt_id is None:
                self.app.exit()
                return
            queue = self._queue
            walk = queue.walk() if queue is not None else None
            self.show_attempt(attempt_id, walk)

        queue = self._queue_screen()
        queue.point_at(self.bundle.attempt_id if self.bundle is not None else None)
        if queue.data is None:
            queue.load()  # the read begins now rather than once the screen is mounted, a fifth of a second later
        self.app.push_screen(queue, chosen)
