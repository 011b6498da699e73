"""The audit screen: disputed attempt-stages and flags, disputed failures first; the auditor settles each one."""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from bare_tui.audit import (
    AuditItem,
    AuditKind,
    adjudicate,
    arrange,
    read_list,
    visible_items,
    with_notes,
)
from bare_tui.model import Label, Verdict
from bare_tui.review import read_diff_texts
from bare_tui.rubric import load_rubric
from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.safe_text import one_line
from bare_tui.store import SessionError, Store, unreadable

from ..style import CONFIDENCE_WORDS, FLAG_STYLE, OUTCOME_STYLES, outcome_glyph
from ..widgets.diff_view import DiffView
from ..widgets.footer import Footer
from ..widgets.row_table import Column, RowTable
from . import close_or_quit, take_width_class

if TYPE_CHECKING:
    from ..dialogs.reason import ReasonChoice

# The dialogs (the rubric's Markdown parser among them) are imported when first opened, not before the list paints.

KIND_STYLES: dict[AuditKind, str] = {
    AuditKind.DISPUTED_FAILURE: "bold red",
    AuditKind.PIPELINE: "yellow",
    AuditKind.REVIEWERS: "cyan",
    AuditKind.FLAGGED: FLAG_STYLE,
}
EVIDENCE_SHOWN = 8  # the rest are a scroll away in the review screen; the first ones say what kind of finding it is

NARROW_BELOW = 110
"""Below this many columns the list leaves out path, model and labels (the details beside the diff name them)
and the diff is unified."""
COLUMNS: tuple[Column, ...] = (
    Column("settled", "", 1, "center"),
    Column("kind", "why", 18),
    Column("attempt_id", "id", 12, keep_end=True),
    Column("path", "path", None, keep_end=True, hide_below=NARROW_BELOW),
    Column("model", "model", 14, hide_below=NARROW_BELOW),
    Column("stage", "stage", 15),
    Column("auto", "pipeline", 8),
    Column("labels", "labels", 6, hide_below=NARROW_BELOW),
    Column("people", "people", 7),
    Column("final", "settled", 7),
)


def _outcome(value: str | None) -> Text:
    if value is None:
        return Text("—", style="dim")
    return Text(value, style=OUTCOME_STYLES.get(value, ""))


def item_cells(item: AuditItem) -> tuple[Text, ...]:
    """The list's cells for one item; paths and names are untrusted and go through safe text."""
    final = item.adjudication.label.value if item.adjudication is not None else None
    return (
        Text("✓", style="green") if item.settled else Text(""),
        Text(item.kind.value, style="dim" if item.settled else KIND_STYLES[item.kind]),
        safe_rich_text(item.attempt_id),
        safe_rich_text(item.path),
        safe_rich_text(item.model),
        Text(item.stage),
        _outcome(item.auto),
        _label_glyphs(item),
        _outcome(item.people),
        _outcome(final) if final is not None else Text(""),
    )


def _label_glyphs(item: AuditItem) -> Text:
    """Each reviewer's label as one glyph, in reviewer order (the details name them): ✓✗ is a split."""
    return Text.assemble(*(outcome_glyph(review.label) for review in item.reviews))


def item_details(item: AuditItem, verdict: Verdict | None) -> Text:
    """Everything said about an item: the verdict and its evidence, each reviewer's label and note, the flags
    and the adjudication. Built from Text pieces so that no note or message is ever read as markup."""
    text = Text()
    text.append_text(safe_rich_text(item.attempt_id, style="bold"))
    text.append(f" · {item.stage}\n", style="bold")
    text.append_text(safe_rich_text(item.path))
    text.append(" · ")
    text.append_text(safe_rich_text(item.model))
    text.append("\n")
    text.append(item.kind.value, style=KIND_STYLES[item.kind])
    text.append("\n\n")

    text.append("pipeline  ", style="bold")
    if verdict is None:
        text.append("no verdict\n", style="dim")
    else:
        text.append_text(_outcome(verdict.outcome.value))
        if verdict.score is not None:
            text.append(f"  score {verdict.score:.3g}")
        source = f"{verdict.source} {verdict.pipeline_version}".strip()
        text.append("  ")
        text.append_text(safe_rich_text(source, style="dim"))
        text.append("\n")
        for evidence in verdict.evidence[:EVIDENCE_SHOWN]:
            where = evidence.side
            if evidence.line is not None:
                where += f" {evidence.line}" + (f":{evidence.column}" if evidence.column is not None else "")
            text.append(f"  {where}\n", style="dim")
            text.append("    ")
            text.append_text(safe_rich_text(evidence.message))
            text.append("\n")
        if len(verdict.evidence) > EVIDENCE_SHOWN:
            text.append(f"  … and {len(verdict.evidence) - EVIDENCE_SHOWN} more findings\n", style="dim")
    text.append("\n")

    text.append("reviewers\n", style="bold")
    if not item.reviews:
        text.append("  no labels for this field\n", style="dim")
    for review in item.reviews:
        text.append("  ")
        text.append_text(safe_rich_text(review.reviewer))
        text.append("  ")
        text.append_text(_outcome(review.label))
        if review.confidence in CONFIDENCE_WORDS:
            text.append(f"  {CONFIDENCE_WORDS[review.confidence]} confidence", style="dim")
        if review.saw_verdicts:
            text.append("  saw verdicts", style="dim")
        text.append("\n")
        if review.note:
            text.append("    ")
            text.append_text(safe_rich_text(review.note, style="italic"))
            text.append("\n")
    text.append("  consensus  ", style="dim")
    text.append_text(_outcome(item.people) if item.people else Text("none", style="dim"))
    text.append("\n")

    if item.flags:
        text.append("\nflagged\n", style="bold")
        for flag in item.flags:
            text.append("  ")
            text.append_text(safe_rich_text(flag.reviewer))
            if flag.note:
                text.append("  ")
                text.append_text(safe_rich_text(flag.note, style="italic"))
            text.append("\n")

    text.append("\n")
    if item.adjudication is None:
        text.append("open: a pass · x fail · u unsure", style="dim")
    else:
        a = item.adjudication
        text.append("settled  ", style="bold")
        text.append_text(_outcome(a.label.value))
        text.append(f"  {a.reason.value}  by ")
        text.append_text(safe_rich_text(a.auditor))
        text.append("\n")
        if a.note:
            text.append("  ")
            text.append_text(safe_rich_text(a.note, style="italic"))
            text.append("\n")
    return text


class AuditScreen(Screen[None]):
    """The audit list and, for the item under the cursor, what everyone said and the diff."""

    # Its rules as the screen's default CSS, not CSS_PATH: Textual adds a screen's CSS_PATH when the screen is first
    # pushed by parsing every stylesheet of the app again and restyling every widget of every screen (the review's
    # too), 50-80 ms of the event loop before the first paint; default CSS is parsed alone as the screen registers.
    DEFAULT_CSS = (Path(__file__).with_name("audit.tcss")).read_text(encoding="utf-8")
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]  # noqa: RUF012 - Textual declares it so
    BINDINGS = [
        Binding("a", "settle('pass')", "Pass", id="audit.pass", tooltip="settle as pass, then pick a reason"),
        Binding("x", "settle('fail')", "Fail", id="audit.fail", tooltip="settle as fail, then pick a reason"),
        Binding("u", "settle('unsure')", "Unsure", id="audit.unsure", tooltip="settle as unsure, then pick a reason"),
        Binding(
            "h",
            "toggle_settled",
            "Show/hide settled",
            id="audit.settled",
            tooltip="settled items sit below the open ones; h hides them",
        ),
        Binding("s", "toggle_mode", "Split / unified", show=False, id="audit.toggle_mode"),
        Binding("right_square_bracket", "next_change", "Next change", show=False, id="audit.next_change"),
        Binding("left_square_bracket", "previous_change", "Previous change", show=False, id="audit.previous_change"),
        Binding("tab", "switch_focus", "List / diff", show=False, id="audit.focus"),
        Binding("i", "rubric", "Rubric", show=False, id="audit.rubric", tooltip="the session's rubric for this stage"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="audit.reload"),
        Binding("question_mark", "help", "Help", id="audit.help"),
        Binding("q", "close", "Back", id="audit.close"),
    ]

    @dataclass
    class ItemsLoaded(Message):
        items: list[AuditItem]

    @dataclass
    class LoadFailed(Message):
        reason: str

    def __init__(
        self,
        session_path: Path,
        auditor: str,
        visible: Callable[[], Collection[str] | None] | None = None,
        read_ahead: Future[list[AuditItem]] | None = None,
    ) -> None:
        """visible: a blind reviewer's attempts whose verdicts they have seen (asked on every load): only those
        are listed. None, or a callable returning None: every item (an auditor sees all verdicts). read_ahead:
        the list already being read (`audit.read_ahead`), taken by the first load instead of reading it again."""
        super().__init__()
        self.session_path = Path(session_path)
        self.auditor = auditor
        self._visible = visible
        self._read_ahead = read_ahead
        self.hidden = 0  # items left out in blind mode
        self.items: list[AuditItem] = []
        self.show_settled = True
        self._store: Store | None = None
        self._shown_attempt: str | None = None
        self._detail_timer: Timer | None = None
        self._pending_mark: tuple[str, int] | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        take_width_class(self)  # the children styled once, their width class already set
        yield Static(id="audit-title")
        yield RowTable[AuditItem](COLUMNS, key=_item_key, cells=item_cells, id="audit-table")
        with Horizontal(id="audit-body"):
            with VerticalScroll(id="audit-facts"):
                yield Static("loading…", id="audit-details")
            yield DiffView(id="audit-diff")
        yield Footer()

    @property
    def table(self) -> RowTable[AuditItem]:
        return self.query_one("#audit-table", RowTable)

    def on_mount(self) -> None:
        # The main thread's own connection: quick reads of one attempt, and the adjudication writes.
        try:
            self._store = Store.open(self.session_path)
        except SessionError as exc:
            self._show_error(str(exc))
            return
        self._update_title()
        self.table.focus()
        self._load()

    def on_resize(self, event: events.Resize) -> None:
        # Side by side needs room: at 80 columns each half of a split diff beside the facts was ~15 columns.
        self.query_one(DiffView).mode = "unified" if self.size.width < NARROW_BELOW else "split"

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # ------------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="audit-load", exit_on_error=False)
    def _load(self) -> None:
        ahead, self._read_ahead = self._read_ahead, None
        try:
            # Notes are read for the item on show only: reading every judgement took seconds on a big study.
            items = ahead.result() if ahead is not None else read_list(self.session_path)
        except SessionError as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - shown on the screen rather than lost in a dead worker
            self.post_message(self.LoadFailed(unreadable(self.session_path, exc)))
            return
        self.post_message(self.ItemsLoaded(items))

    def on_audit_screen_items_loaded(self, message: ItemsLoaded) -> None:
        self.items, self.hidden = visible_items(message.items, self._visible() if self._visible else None)
        self._fill(keep=self.table.cursor_key)
        gc.freeze()  # the list lives as long as the screen: out of the collector's sight

    def on_audit_screen_load_failed(self, message: LoadFailed) -> None:
        self._show_error(message.reason)

    def _show_error(self, reason: str) -> None:
        self.query_one("#audit-details", Static).update(safe_rich_text(reason, style="red"))

    def _fill(self, keep: str | None) -> None:
        self.table.set_rows(arrange(self.items, self.show_settled), keep=keep)
        self._update_title()
        if not self.table.row_count:
            empty = "nothing to audit" if self.show_settled else "nothing open: h shows the settled items"
            if self.hidden:
                empty += f" ({self.hidden} not listed in blind mode until you label those attempts)"
            self.query_one("#audit-details", Static).update(Text(empty, style="dim"))

    def _update_title(self) -> None:
        settled = sum(1 for i in self.items if i.settled)
        failures = sum(1 for i in self.items if i.kind is AuditKind.DISPUTED_FAILURE and not i.settled)
        title = Text.assemble(("Audit", "bold"), " · auditor ")
        title.append_text(safe_rich_text(self.auditor))
        title.append(" · ")
        title.append_text(safe_rich_text(self.session_path.name))
        title.append(
            f" · {len(self.items) - settled} open ({failures} disputed failure{'s' if failures != 1 else ''})"
            f" · {settled} settled"
        )
        if not self.show_settled:
            title.append(" (hidden)", style="dim")
        if self.hidden:
            title.append(f" · blind: {self.hidden} on attempts you have not labelled are not listed", style="yellow")
        self.query_one("#audit-title", Static).update(title)

    # ------------------------------------------------------------------ the item under the cursor
    @on(RowTable.Highlighted, "#audit-table")
    def _highlighted(self, event: RowTable.Highlighted) -> None:
        event.stop()
        # Moving fast through the list should not diff every attempt passed on the way.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(0.05, self._show_current)

    def _show_current(self) -> None:
        self._detail_timer = None
        item = self.table.cursor_value
        store = self._store
        if item is None or store is None:
            return
        verdict = store.current_verdicts(attempt_id=item.attempt_id).get((item.attempt_id, item.stage))
        if not item.notes_read:
            item = with_notes(item, store.judgements(attempt_id=item.attempt_id))
        self.query_one("#audit-details", Static).update(item_details(item, verdict))
        if item.attempt_id != self._shown_attempt:
            self._shown_attempt = item.attempt_id
            texts = read_diff_texts(store, item.attempt_id)
            if texts is not None:
                self.query_one(DiffView).show(*texts)
        # The first finding with a line is where the auditor will want to look.
        first = next((e for e in verdict.evidence if e.line is not None), None) if verdict is not None else None
        mark = (first.side, first.line) if first is not None and first.line is not None else None
        diff = self.query_one(DiffView)
        if mark is not None and not diff.is_computing and diff.model is not None:
            diff.scroll_to_line(*mark)
        else:
            self._pending_mark = mark

    @on(DiffView.Ready)
    def _diff_ready(self, event: DiffView.Ready) -> None:
        if self._pending_mark is not None:
            # After the refresh: the diff's new virtual size must be in place before it can scroll down.
            self.call_after_refresh(event.diff_view.scroll_to_line, *self._pending_mark)
            self._pending_mark = None
        self.call_after_refresh(self._prefetch_next)

    def _prefetch_next(self) -> None:
        """Have the diff of the next attempt down the list computed while the auditor reads this one (the one
        above is kept by the diff view once shown)."""
        store, rows = self._store, self.table.rows
        if store is None:
            return
        following = next(
            (row for row in rows[self.table.cursor_row + 1 :] if row.attempt_id != self._shown_attempt), None
        )
        texts = read_diff_texts(store, following.attempt_id) if following is not None else None
        if texts is not None:
            self.query_one(DiffView).prefetch([texts])

    # ------------------------------------------------------------------ adjudication
    def action_settle(self, label: str) -> None:
        from ..dialogs.reason import ReasonScreen

        item = self.table.cursor_value
        if item is None or self._store is None:
            return
        chosen_label = Label(label)

        def settle(choice: ReasonChoice | None) -> None:
            if choice is not None:
                self._save(item, chosen_label, choice)

        self.app.push_screen(ReasonScreen(item, chosen_label), settle)

    def _save(self, item: AuditItem, label: Label, choice: ReasonChoice) -> None:
        assert self._store is not None
        try:
            adjudication = adjudicate(
                self._store, item.attempt_id, item.stage, label, choice.reason, self.auditor, choice.note
            )
        except (SessionError, ValueError) as exc:
            self.notify(one_line(str(exc)), title="not saved", severity="error", markup=False)
            return
        # Committed: from here on it is the consensus, and the list says so.
        order = [i.key for i in arrange(self.items, self.show_settled)]
        position = order.index(item.key) if item.key in order else 0
        self.items = [replace(i, adjudication=adjudication) if i.key == item.key else i for i in self.items]
        keep = _next_open(order, position, {i.key for i in self.items if not i.settled})
        self._fill(keep=keep)
        self._show_current()
        self.notify(
            one_line(f"saved: {item.attempt_id} {item.stage} → {label.value} ({choice.reason.value})"),
            markup=False,
            timeout=3,
        )

    # ------------------------------------------------------------------ other actions
    def action_toggle_settled(self) -> None:
        self.show_settled = not self.show_settled
        self._fill(keep=self.table.cursor_key)

    def action_toggle_mode(self) -> None:
        self.query_one(DiffView).toggle_mode()

    def action_next_change(self) -> None:
        self.query_one(DiffView).next_change()

    def action_previous_change(self) -> None:
        self.query_one(DiffView).previous_change()

    def action_switch_focus(self) -> None:
        if self.table.has_focus:
            self.query_one(DiffView).focus()
        else:
            self.table.focus()

    def action_reload(self) -> None:
        self._load()

    def action_help(self) -> None:
        from ..dialogs.help import HelpScreen

        self.app.push_screen(HelpScreen(self, title="audit keys"))

    def action_rubric(self) -> None:
        from ..dialogs.rubric import RubricScreen

        item = self.table.cursor_value
        if self._store is None:
            return
        self.app.push_screen(RubricScreen(load_rubric(self._store), item.stage if item is not None else "overall"))

    def action_close(self) -> None:
        close_or_quit(self)


def _row_key(key: tuple[str, str]) -> str:
    return "\x00".join(key)


def _item_key(item: AuditItem) -> str:
    return _row_key(item.key)


def _next_open(order: list[tuple[str, str]], position: int, open_keys: set[tuple[str, str]]) -> str | None:
    """The row key of the first open item after `position` in the old order (wrapping), so the auditor moves on."""
    for key in order[position + 1 :] + order[:position]:
        if key in open_keys:
            return _row_key(key)
    return None
