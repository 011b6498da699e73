"""The queue screen: every attempt in one line-API table, with filters and counts; enter opens one for review."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from bare_tui.model import FIELDS
from bare_tui.queue import (
    HIDDEN,
    NO_FILTER,
    NO_OUTCOME,
    OUTCOME_CHOICES,
    QueueData,
    QueueFilter,
    QueueRow,
    QueueRows,
    ReviewState,
    choices,
    count_data,
    load_stepwise,
    refresh,
)
from bare_tui.review import Walk
from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.store import DatabaseFault, SessionError, Store, unreadable

from ..dialogs.help import HelpScreen
from ..style import FLAG_GLYPH, FLAG_STYLE, outcome_glyph, stage_abbreviation
from ..widgets.choice import Choice
from ..widgets.footer import Footer
from ..widgets.row_table import Column, RowTable
from . import take_width_class

# One glyph per outcome, so six stages fit in a glance; the legend under the table says what each means.
OUTCOME_GLYPHS: dict[str, Text] = {
    outcome: outcome_glyph(outcome, "center") for outcome in ("pass", "fail", "error", "skipped", NO_OUTCOME)
} | {HIDDEN: Text("?", style="dim", justify="center")}
NOT_JUDGED = Text("·", style="dim", justify="center")
JUDGED = Text("●", style="green", justify="center")
FLAGGED = Text(FLAG_GLYPH, style=FLAG_STYLE, justify="center")
DISPUTED = Text("≠", style="yellow", justify="center")
DISPUTED_FAILURE = Text("≠!", style="bold red", justify="center")
BLANK = Text("")
PENDING = Text("…", style="dim", justify="center")

LEGEND = Text.assemble(
    *(part for outcome in ("pass", "fail", "error", "skipped") for part in (outcome_glyph(outcome), f" {outcome} ")),
    ("·", "dim"),
    " none ",
    ("?", "dim"),
    " hidden (blind) │ you: ",
    ("●", "green"),
    " judged ",
    ("◐", "yellow"),
    " partly ",
    ("·", "dim"),
    " not yet │ ",
    (FLAG_GLYPH, FLAG_STYLE),
    " flagged ",
    ("≠", "yellow"),
    " disputed ",
    ("≠!", "bold red"),
    " disputed failure",
)

PAINT_WAIT = 0.5
"""Seconds the queue's read waits, at most, for the rows it handed over to be painted before it goes on."""

MODEL_WIDTH = 16
ID_WIDTH = 12
NARROW_BELOW = 100
"""Below this many columns the language and model columns give their room to the path (the filter bar still
has them)."""


def columns(stages: tuple[str, ...] = FIELDS) -> tuple[Column, ...]:
    """The table's columns: the five stages and overall, then any extra stage (its name cut to three letters)."""
    return (
        Column("attempt_id", "id", ID_WIDTH, keep_end=True),
        Column("path", "path", None, keep_end=True),
        Column("language", "language", 10, hide_below=NARROW_BELOW),
        Column("model", "model", MODEL_WIDTH, hide_below=NARROW_BELOW),
        *(Column(stage, stage_abbreviation(stage), 3, "center") for stage in stages),
        Column("you", "you", 3, "center"),
        Column("flag", FLAG_GLYPH, 2, "center"),
        Column("dispute", "≠", 2, "center"),
    )


COLUMNS = columns()

STATE_OPTIONS: list[tuple[str, ReviewState]] = [
    ("not yet", ReviewState.NOT_JUDGED),  # "you: not yet", as the legend says
    ("partly", ReviewState.PARTLY),
    ("judged", ReviewState.JUDGED),
]
YES_NO: list[tuple[str, bool]] = [("yes", True), ("no", False)]


def stage_outcome_options(stages: tuple[str, ...] = FIELDS) -> list[tuple[str, tuple[str, str]]]:
    return [(f"{stage}={outcome}", (stage, outcome)) for stage in stages for outcome in OUTCOME_CHOICES]


STAGE_OUTCOME_OPTIONS = stage_outcome_options()


def row_cells(row: QueueRow) -> tuple[Text, ...]:
    """The table cells of one queue row; every piece of data goes through safe text."""
    if not row.people_known:
        state = flag = dispute = PENDING
    else:
        state, flag, dispute = _people_cells(row)
    return (
        safe_rich_text(row.attempt_id),
        safe_rich_text(row.path),
        Text(row.language),
        safe_rich_text(row.model),
        *(OUTCOME_GLYPHS.get(outcome, OUTCOME_GLYPHS[NO_OUTCOME]) for outcome in row.outcomes),
        state,
        flag,
        dispute,
    )


def _people_cells(row: QueueRow) -> tuple[Text, Text, Text]:
    if row.state is ReviewState.NOT_JUDGED:
        state = NOT_JUDGED
    elif row.state is ReviewState.JUDGED:
        state = JUDGED
    else:
        state = Text(f"◐{row.labelled}", style="yellow", justify="center")
    if row.hidden:
        dispute = OUTCOME_GLYPHS[HIDDEN]
    else:
        dispute = DISPUTED_FAILURE if row.disputed_failure else DISPUTED if row.disputed else BLANK
    return state, FLAGGED if row.flagged else BLANK, dispute


class QueueScreen(Screen[str | None]):
    """Every attempt of a session for one reviewer. Dismisses with the chosen attempt_id, or None to quit."""

    # Its rules as the screen's default CSS, not CSS_PATH: Textual adds a screen's CSS_PATH when the screen is first
    # pushed by parsing every stylesheet of the app again and restyling every widget of every screen (the review's
    # too), 50-80 ms of the event loop before the first paint; default CSS is parsed alone as the screen registers.
    DEFAULT_CSS = (Path(__file__).with_name("queue.tcss")).read_text(encoding="utf-8")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]  # noqa: RUF012 - Textual declares it so
    # The table takes the keys from the start: focusing the path filter first and then the table cost the Footer
    # an extra rebuild on every push.
    AUTO_FOCUS = "#queue-table"
    BINDINGS = [
        Binding("enter", "open", "Open", id="queue.open", tooltip="review the attempt under the cursor"),
        Binding(
            "slash",
            "focus_path",
            "Find",
            id="queue.path",
            tooltip="type part of an attempt id, task id, path or model; enter returns to the table",
        ),
        Binding(
            "d",
            "toggle_disputed",
            "Disputed only",
            id="queue.disputed",
            tooltip="only attempts where people disagree with the pipeline or with each other",
        ),
        Binding("f", "toggle_flagged", "Flagged only", id="queue.flagged", tooltip="only attempts sent to audit"),
        Binding(
            "j", "cycle_state", "Your state", id="queue.state", tooltip="cycle: not judged by you, partly, judged, any"
        ),
        Binding("escape", "clear_filters", "Clear filters", id="queue.clear"),
        Binding("A", "audit", "Audit", id="queue.audit", tooltip="settle disputed attempt-stages, failures first"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="queue.reload"),
        Binding("question_mark", "help", "Help", show=False, id="queue.help"),
        Binding("q", "quit_queue", "Quit", id="queue.quit"),
    ]

    def __init__(
        self,
        session_path: Path,
        reviewer: str,
        attempt_id: str | None = None,
        visible: Callable[[], Collection[str] | None] | None = None,
        touched: Callable[[], Collection[str]] | None = None,
    ) -> None:
        """visible: in blind mode, the attempts whose outcomes this reviewer may see (asked on every load);
        None, or a callable returning None: every outcome is shown. touched: the attempts this process changed
        since it was last asked (saved, undone, flagged, revealed), which a return to the queue reads again;
        None: every return reads everything."""
        super().__init__()
        self.session_path = Path(session_path)
        self.reviewer = reviewer
        self._visible = visible
        self._touched = touched
        self.data: QueueData | None = None
        self.shown: QueueRows | list[QueueRow] = []
        self.filter = QueueFilter()
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._cursor_attempt = attempt_id
        self._path_timer: Timer | None = None
        self._setting_selects = False
        self._offered: tuple[list[str], list[str]] = ([], [])
        self._stages: tuple[str, ...] = FIELDS
        self._loading = False
        self._stale = False  # the people columns need a full read (after the audit screen, or a failed refresh)
        self._pending: set[str] = set()  # touched while a read was under way: read again once it is in
        self._showing = False  # on show at least once (composed and mounted): rows can be shown as they come in

    @property
    def rows(self) -> QueueRows | list[QueueRow]:
        """Every row (made when read), or none before the first load."""
        return self.data.rows() if self.data is not None else []

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        take_width_class(self)  # the children styled once, their width class already set
        yield Static(
            Text.assemble(
                ("Queue", "bold"),
                " · reviewer ",
                safe_rich_text(self.reviewer),
                " · ",
                safe_rich_text(self.session_path.name),
            ),
            id="queue-title",
        )
        with Horizontal(id="queue-filters"):
            yield Input(placeholder="find…  (/)", id="filter-path", tooltip="attempt id, task id, path or model")
            yield Choice[str]([], prompt="model", id="filter-model")
            yield Choice[str]([], prompt="language", id="filter-language")
            yield Choice[tuple[str, str]](STAGE_OUTCOME_OPTIONS, prompt="stage=outcome", id="filter-outcome")
            yield Choice[ReviewState](STATE_OPTIONS, prompt="you", id="filter-state")
            yield Choice[bool](YES_NO, prompt="disputed", id="filter-disputed")
            yield Choice[bool](YES_NO, prompt="flagged", id="filter-flagged")
        yield Static("loading…", id="queue-counts")
        yield RowTable[QueueRow](COLUMNS, key=lambda row: row.attempt_id, cells=self._row_cells, id="queue-table")
        yield Static(LEGEND, id="queue-legend")
        yield Footer()

    @property
    def table(self) -> RowTable[QueueRow]:
        return self.query_one("#queue-table", RowTable)

    def on_mount(self) -> None:
        self.table.focus()

    def _row_cells(self, row: QueueRow) -> tuple[Text, ...]:
        cells = self._cells.get(row.attempt_id)
        if cells is None:
            cells = self._cells[row.attempt_id] = row_cells(row)
        return cells

    def point_at(self, attempt_id: str | None) -> None:
        """Put the cursor on this attempt when the rows are next shown (the attempt the reviewer came from)."""
        self._cursor_attempt = attempt_id

    def on_screen_resume(self) -> None:
        # Labels change while the reviewer is on the review or audit screen: on each return read again what
        # changed (the attempts this process touched), or everything people said when that is not known.
        self._showing = True
        if self.data is None:
            self.load()
        elif self._stale or self._touched is None:
            self._stale = False
            self.load(people_only=True)
        else:
            self._refresh_touched()

    # ------------------------------------------------------------------ loading
    def load(self, people_only: bool = False) -> None:
        """Read the session on a thread (the outline first on a first load); may be called before the screen is
        shown, so that `q` finds the rows ready. people_only: keep the attempts and outcomes, read people again."""
        if self._loading:
            return
        self._loading = True
        base = self.data if people_only else None
        app = self.app  # taken here: a screen not on show cannot find its app from another thread
        # A thread of its own, started now: a Textual worker starts from a task on the event loop, which is busy
        # mounting this screen when `q` is pressed, and began the read 0.1-0.2 s late on a big study. The read ends
        # on its own (it reports through call_from_thread, and catches its errors); daemon: it never holds up an exit.
        threading.Thread(target=self._read_quietly, args=(app, base), name="queue-load", daemon=True).start()

    def _read_quietly(self, app: App[object], base: QueueData | None) -> None:
        try:
            self._read(app, base)
        except RuntimeError:
            if app.is_running:
                raise
            # the app closed while the session was read (quit during the load): nobody is left to show it to

    def reload(self) -> None:
        """Read everything again (ctrl+r): what other processes wrote too."""
        self.load()

    def _read(self, app: App[object], base: QueueData | None) -> None:
        # sqlite3 connections belong to their thread: this worker opens its own.
        try:
            with Store.open(self.session_path, readonly=True) as store:
                if base is not None:
                    data = QueueData(**{name: getattr(base, name) for name in base.__dataclass_fields__})
                    data.set_tallies(store.label_tallies(self.reviewer), store.flags())
                    app.call_from_thread(self._received, data, True)
                else:
                    # The outline first on a first load, unless the people's tallies are in by then.
                    for data in load_stepwise(store, self.reviewer, outline=None if not self.data else False):
                        app.call_from_thread(self._received, data, data.people_known)
                        if data.people_known:
                            # What the read does after the rows (the find text's folded ids) waits for their paint
                            # rather than taking the interpreter's lock from it.
                            painted = threading.Event()
                            app.call_from_thread(app.call_after_refresh, painted.set)
                            painted.wait(PAINT_WAIT)
        except SessionError as exc:
            app.call_from_thread(self._failed, str(exc))
        except Exception as exc:  # noqa: BLE001 - shown on the screen rather than lost in a dead worker
            app.call_from_thread(self._failed, unreadable(self.session_path, exc))

    def _received(self, data: QueueData, last: bool) -> None:
        if last:
            self._loading = False
        data.blind(self._visible() if self._visible is not None else None)
        if last and self._pending:
            # The read may have begun before these were saved: read them again over it.
            pending, self._pending = self._pending, set()
            self._reread(data, pending)
        if self._showing:
            self._show_data(data)
        else:
            self.data = data  # shown when the screen is on show (a read begun before the push may come in mid-mount)

    def _show_data(self, data: QueueData) -> None:
        """Show freshly read data, the filters kept."""
        if self.table.row_count and self._cursor_attempt is None:
            self._cursor_attempt = self.table.cursor_key
        self.data = data
        self._cells = {}
        if data.stages != self._stages:
            self._stages = data.stages
            self.table.columns = columns(data.stages)
            self._setting_selects = True
            outcome = self.query_one("#filter-outcome", Choice)
            held = outcome.value
            outcome.set_options(stage_outcome_options(data.stages))
            if isinstance(held, tuple) and held[0] in data.stages:
                outcome.value = held
            self._setting_selects = False
        offered = choices(data)
        if offered != self._offered:  # the full data after the outline offer the same: leave the bar alone
            self._offered = offered
            self._setting_selects = True
            for select_id, values in zip(("#filter-model", "#filter-language"), offered):
                select = self.query_one(select_id, Choice)
                held = select.value
                select.set_options([(safe_rich_text(v), v) for v in values])
                if held in values:
                    select.value = held
            self._setting_selects = False
        self.filter = self._filter_from_controls()
        self._fill()
        if data.people_known:
            gc.freeze()  # the columns live as long as the queue: no collection on the review's path walks them

    def _refresh_touched(self) -> None:
        """Read again only the attempts this process touched since the queue was last on show."""
        data = self.data
        assert data is not None and self._touched is not None
        touched = set(self._touched())
        if self._loading or not data.people_known:
            self._pending |= touched  # the read under way may predate them: done when it is in
            touched = set()
        if touched and not self._reread(data, touched):
            return
        if not self.table.row_count or self.table.rows is not self.shown:
            self._show_data(data)  # read before the screen was shown
        else:
            self.table.forget(touched)
            self._fill(same_cells=True)

    def _reread(self, data: QueueData, attempt_ids: set[str]) -> bool:
        try:
            with Store.open(self.session_path, readonly=True) as store:
                refresh(store, data, self.reviewer, attempt_ids)
        except SessionError as exc:
            self._failed(str(exc))
            return False
        except (DatabaseFault, LookupError, ValueError) as exc:  # a damaged page met on the return to the list
            self._failed(unreadable(self.session_path, exc))
            return False
        data.blind(self._visible() if self._visible is not None else None, only=attempt_ids)
        for attempt_id in attempt_ids:
            self._cells.pop(attempt_id, None)
        return True

    def _failed(self, reason: str) -> None:
        self._loading = False
        if self.is_attached:
            line = self.query_one("#queue-counts", Static)
            line.add_class("failed")  # as many lines as the reason takes: its advice is at its end
            line.update(safe_rich_text(reason, style="red"))

    # ------------------------------------------------------------------ filtering
    def apply_filter(self, queue_filter: QueueFilter) -> None:
        """Show only the rows this filter keeps, and set the controls to match it."""
        self.filter = queue_filter
        self._setting_selects = True
        try:
            self._set_select("#filter-model", queue_filter.model)
            self._set_select("#filter-language", queue_filter.language)
            self._set_select("#filter-outcome", queue_filter.stage_outcome)
            self._set_select("#filter-state", queue_filter.state)
            self._set_select("#filter-disputed", queue_filter.disputed)
            self._set_select("#filter-flagged", queue_filter.flagged)
            path_input = self.query_one("#filter-path", Input)
            if path_input.value != queue_filter.text:
                path_input.value = queue_filter.text
        finally:
            self._setting_selects = False
        self._fill(same_cells=True)

    def _set_select(self, select_id: str, value: object) -> None:
        # Only a control whose value changes is touched: each change costs the screen a layout.
        select = self.query_one(select_id, Choice)
        if value is None:
            if select.value is not None:
                select.clear()
        elif select.value != value:
            select.value = value

    def _filter_from_controls(self) -> QueueFilter:
        def chosen(select_id: str) -> Any:
            # each Choice's options are the values its QueueFilter field takes; None: nothing chosen
            return self.query_one(select_id, Choice).value

        return QueueFilter(
            model=chosen("#filter-model"),
            language=chosen("#filter-language"),
            stage_outcome=chosen("#filter-outcome"),
            state=chosen("#filter-state"),
            disputed=chosen("#filter-disputed"),
            flagged=chosen("#filter-flagged"),
            text=self.query_one("#filter-path", Input).value.strip(),
        )

    @on(Choice.Changed)
    def _select_changed(self, event: Choice.Changed) -> None:
        event.stop()
        if self._setting_selects:
            return
        chosen = self._filter_from_controls()
        if chosen == self.filter:
            return  # the echo of a control apply_filter set: the table shows these rows already
        self.filter = chosen
        self._fill(same_cells=True)

    @on(Input.Changed, "#filter-path")
    def _path_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._setting_selects:
            return
        # Typing refills the table once the reviewer pauses, not on every key.
        if self._path_timer is not None:
            self._path_timer.stop()
        self._path_timer = self.set_timer(0.15, self._apply_path)

    def _apply_path(self) -> None:
        self._path_timer = None
        self.filter = replace(self.filter, text=self.query_one("#filter-path", Input).value.strip())
        self._fill(same_cells=True)

    @on(Input.Submitted, "#filter-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._path_timer is not None:
            self._path_timer.stop()
        self._apply_path()
        self.table.focus()

    def _fill(self, same_cells: bool = False) -> None:
        data = self.data
        if data is None:
            return
        keep = self._cursor_attempt or self.table.cursor_key
        self._cursor_attempt = None
        mask = None if self.filter == NO_FILTER else self.filter.mask(data)
        self.shown = data.rows(None if mask is None else mask.nonzero()[0])
        self.table.set_rows(self.shown, keep=keep, locate=self.shown.position_of, same_cells=same_cells)
        if not data.people_known:
            summary = f"{len(self.shown):,} of {len(data):,} shown · reading labels…"
        else:
            summary = count_data(data, mask).describe()
        if len(data) and not len(self.shown):
            summary += " · esc clears the filters"
        line = self.query_one("#queue-counts", Static)
        if line.has_class("failed"):  # read after all (ctrl+r): one line again
            line.remove_class("failed")
        line.update(summary, layout=False)  # one line: no layout to redo

    # ------------------------------------------------------------------ actions
    @on(RowTable.Selected, "#queue-table")
    def _row_selected(self, event: RowTable.Selected) -> None:
        event.stop()
        self.dismiss(event.key)

    def walk(self) -> Walk | None:
        """The rows on show as the walk the review screen follows (enter and n stay in the filter); None when
        nothing is filtered (the review goes on in the session's own order)."""
        if self.filter == NO_FILTER or not self.shown:
            return None
        shown = self.shown
        ids = shown.ids() if isinstance(shown, QueueRows) else [row.attempt_id for row in shown]
        return Walk(tuple(ids), self.filter.describe())

    def action_open(self) -> None:
        attempt_id = self.table.cursor_key
        if attempt_id is not None:
            self.dismiss(attempt_id)

    def action_focus_path(self) -> None:
        self.query_one("#filter-path", Input).focus()

    def action_toggle_disputed(self) -> None:
        self.apply_filter(replace(self.filter, disputed=None if self.filter.disputed else True))

    def action_toggle_flagged(self) -> None:
        self.apply_filter(replace(self.filter, flagged=None if self.filter.flagged else True))

    def action_cycle_state(self) -> None:
        order: list[ReviewState | None] = [None, ReviewState.NOT_JUDGED, ReviewState.PARTLY, ReviewState.JUDGED]
        following = order[(order.index(self.filter.state) + 1) % len(order)]
        self.apply_filter(replace(self.filter, state=following))

    def action_clear_filters(self) -> None:
        if self.focused is not self.table:
            self.table.focus()  # escape first leaves a filter control
            return
        self.apply_filter(QueueFilter())

    def action_audit(self) -> None:
        from .audit import AuditScreen

        def back(_: None) -> None:
            self._stale = True  # adjudications change disputes anywhere: people are read again on the return

        self.app.push_screen(AuditScreen(self.session_path, auditor=self.reviewer, visible=self._visible), back)

    def action_reload(self) -> None:
        self.reload()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self, title="queue keys"))

    def action_quit_queue(self) -> None:
        self.dismiss(None)
