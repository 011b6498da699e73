"""The audit list, headless: disputed attempt-stages and flagged attempts, and recording an auditor's adjudication."""

from __future__ import annotations

import enum
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .consensus import DECISIVE, consensus_label, dispute, is_disputed_failure
from .model import (
    FIELDS,
    Adjudication,
    AttemptSummary,
    Flag,
    Judgement,
    Label,
    ReasonCode,
    stage_order,
)
from .store import SessionError, Store, collector_paused, new_id, utc_now

FLAG_STAGE = "overall"
"""A flag concerns a whole attempt, so its adjudication settles the `overall` field."""


class AuditKind(str, enum.Enum):
    """Why an item is on the audit list, in the order auditors take them."""

    DISPUTED_FAILURE = "disputed failure"  # the pipeline said fail, people said pass
    PIPELINE = "pipeline vs people"
    REVIEWERS = "reviewers disagree"
    FLAGGED = "flagged"

    @property
    def rank(self) -> int:
        return list(AuditKind).index(self)


@dataclass(frozen=True)
class ReviewerLabel:
    """One reviewer's label in force for an attempt-stage."""

    reviewer: str
    label: str
    confidence: int | None
    note: str
    saw_verdicts: bool
    saved_at: str | None


@dataclass(frozen=True)
class AuditItem:
    """One attempt-stage an auditor should settle, with everything said about it."""

    attempt_id: str
    stage: str
    kind: AuditKind
    seq: int
    path: str
    language: str
    model: str
    auto: str | None  # the outcome of the automated verdict the statistics use (None: no verdict)
    reviews: tuple[ReviewerLabel, ...]  # every reviewer's label in force, by reviewer name
    people: str | None  # the reviewers' consensus, before any adjudication
    adjudication: Adjudication | None  # the newest adjudication: once there, it is the consensus
    flags: tuple[Flag, ...]  # reviewers who sent this attempt to audit
    notes_read: bool = True  # False: reviews hold labels only (`load_items(notes=False)`, `with_notes`)

    @property
    def key(self) -> tuple[str, str]:
        return (self.attempt_id, self.stage)

    @property
    def settled(self) -> bool:
        return self.adjudication is not None

    @property
    def consensus(self) -> str | None:
        """The consensus from now on: the adjudication when there is one, else the reviewers' majority."""
        adjudicated = self.adjudication.label.value if self.adjudication is not None else None
        return consensus_label((r.label for r in self.reviews), adjudicated)


def build_items(
    summaries: Sequence[AttemptSummary],
    outcomes: Mapping[tuple[str, str], str],
    judgements: Iterable[Judgement],
    adjudications: Iterable[Adjudication],
    flags: Iterable[Flag],
) -> list[AuditItem]:
    """The audit list in auditing order: disputed failures, other pipeline-vs-people disputes, reviewers
    against each other, then flagged attempts; within each, import order and stage order.

    An item's kind is why it came to audit, judged without the adjudication, so that settling it keeps it on
    the list (marked settled) rather than making it vanish.
    """
    reviews: dict[tuple[str, str], list[ReviewerLabel]] = defaultdict(list)
    for j in judgements:
        reviews[(j.attempt_id, j.stage)].append(_review(j))
    return _items(summaries, outcomes, reviews, adjudications, flags, notes_read=True)


def _review(j: Judgement) -> ReviewerLabel:
    return ReviewerLabel(j.reviewer, _LABEL_VALUES[j.label], j.confidence, j.note, j.saw_verdicts, j.saved_at)


_LABEL_VALUES = {label: label.value for label in Label}  # a dict lookup: Enum.value is a slow descriptor
_RANKS = {kind: kind.rank for kind in AuditKind}


def _items(
    summaries: Sequence[AttemptSummary],
    outcomes: Mapping[tuple[str, str], str],
    reviews: Mapping[tuple[str, str], Sequence[ReviewerLabel]],
    adjudications: Iterable[Adjudication],
    flags: Iterable[Flag],
    notes_read: bool,
) -> list[AuditItem]:
    settled = {(a.attempt_id, a.stage): a for a in adjudications}
    flags_of: dict[str, list[Flag]] = defaultdict(list)
    for f in flags:
        if f.flagged:
            flags_of[f.attempt_id].append(f)
    stages_of: dict[str, list[str]] = defaultdict(list)
    for attempt_id, stage in reviews.keys() | settled.keys() if settled else reviews.keys():
        stages_of[attempt_id].append(stage)  # the six fields and any extra stage (`tests`) people labelled
    # Kind and consensus depend only on (verdict, labels): few distinct cases among thousands of attempt-stages.
    judged: dict[tuple[str | None, tuple[str, ...]], tuple[AuditKind | None, str | None]] = {}

    items: list[AuditItem] = []
    for s in summaries:
        attempt_id = s.attempt_id
        attempt_flags = tuple(sorted(flags_of[attempt_id], key=_by_reviewer)) if attempt_id in flags_of else ()
        stages = stages_of.get(attempt_id)
        if not stages and not attempt_flags:
            continue
        listed = False  # whether the flag stage is among the listed ones
        for stage in sorted(stages, key=stage_order) if stages else ():
            key = (attempt_id, stage)
            auto = outcomes.get(key)
            stage_reviews = reviews.get(key, ())
            labels = tuple(sorted([r.label for r in stage_reviews]))
            case = (auto, labels)
            found = judged.get(case)
            if found is None:
                found = judged[case] = (_kind(auto, labels), consensus_label(labels))
            kind = found[0]
            if kind is None and stage == FLAG_STAGE and attempt_flags:
                kind = AuditKind.FLAGGED
            if kind is None:
                continue
            listed = listed or stage == FLAG_STAGE
            items.append(
                AuditItem(
                    attempt_id,
                    stage,
                    kind,
                    s.seq,
                    s.path,
                    s.language,
                    s.model,
                    auto,
                    tuple(sorted(stage_reviews, key=_by_reviewer)),
                    found[1],
                    settled.get(key),
                    attempt_flags,
                    notes_read,
                )
            )
        if attempt_flags and not listed:
            key = (attempt_id, FLAG_STAGE)
            items.append(
                AuditItem(
                    attempt_id,
                    FLAG_STAGE,
                    AuditKind.FLAGGED,
                    s.seq,
                    s.path,
                    s.language,
                    s.model,
                    outcomes.get(key),
                    (),
                    None,
                    settled.get(key),
                    attempt_flags,
                    notes_read,
                )
            )
    items.sort(key=lambda i: (_RANKS[i.kind], i.seq, *stage_order(i.stage)))
    return items


_ITEM_FIELDS = tuple(f.name for f in fields(AuditItem))


def _item(*values: Any) -> AuditItem:
    """An AuditItem from its field values in order, without the frozen dataclass's per-field __setattr__ (a third
    of the Python time of listing 15,000 items)."""
    item = object.__new__(AuditItem)
    item.__dict__.update(zip(_ITEM_FIELDS, values))
    return item


def _by_reviewer(found: ReviewerLabel | Flag) -> str:
    return found.reviewer


def _kind(auto: str | None, labels: Sequence[str]) -> AuditKind | None:
    if is_disputed_failure(auto, labels):
        return AuditKind.DISPUTED_FAILURE
    found = dispute(auto, labels)
    if found.against_pipeline:
        return AuditKind.PIPELINE
    if found.among_reviewers:
        return AuditKind.REVIEWERS
    return None


# Up to this many attempts on the list, their notes are read attempt by attempt (an indexed read each) rather
# than reading every judgement of the session.
PER_ATTEMPT_READS = 500


def load_items(store: Store, notes: bool = True) -> list[AuditItem]:
    """The session's audit list, in auditing order.

    The store selects the listed attempt-stages in SQL (`Store.audit_rows`, the rules of `build_items`) along the
    labels in force it keeps on write, so no attempt nobody labelled or flagged is read. notes=False leaves out
    what only an item's details show (confidence, note, whether the reviewer saw the verdicts, when it was
    saved): each item then says notes_read False, and `with_notes` completes one item when it is shown.
    """
    settled = {(a.attempt_id, a.stage): a for a in store.adjudications()}
    flags_of: dict[str, list[Flag]] = defaultdict(list)
    for f in store.flags():
        if f.flagged:
            flags_of[f.attempt_id].append(f)
    sorted_flags = {attempt_id: tuple(sorted(found, key=_by_reviewer)) for attempt_id, found in flags_of.items()}
    kinds = {kind.value: kind for kind in AuditKind}
    # Few distinct label sets among thousands of items: each set's reviews made once and shared (they are frozen).
    reviews_of: dict[tuple[tuple[str, str], ...], tuple[ReviewerLabel, ...]] = {}
    items = []
    with collector_paused():  # thousands of items that all live on: no collection walks them while made
        for row in store.audit_rows():
            reviews = reviews_of.get(row.labels)
            if reviews is None:
                reviews = reviews_of[row.labels] = tuple(
                    ReviewerLabel(reviewer, label, None, "", False, None) for reviewer, label in row.labels
                )
            items.append(
                _item(
                    row.attempt_id,
                    row.stage,
                    kinds[row.kind],
                    row.seq,
                    row.path,
                    row.language,
                    row.model,
                    row.outcome,
                    reviews,
                    row.people,
                    settled.get((row.attempt_id, row.stage)) if settled else None,
                    sorted_flags.get(row.attempt_id, ()),
                    False,
                )
            )
    if not notes:
        return items
    # Only the listed attempt-stages' notes are read: attempt by attempt for a short list, else in one pass.
    keys = {item.key for item in items}
    wanted = {attempt_id for attempt_id, _ in keys}
    judged: dict[tuple[str, str], list[ReviewerLabel]] = defaultdict(list)
    if len(wanted) <= PER_ATTEMPT_READS:
        judgements: Iterable[Judgement] = (j for a in sorted(wanted) for j in store.judgements(attempt_id=a))
    else:
        judgements = store.judgements()
    for j in judgements:
        key = (j.attempt_id, j.stage)
        if key in keys:
            judged[key].append(_review(j))
    return [
        replace(item, reviews=tuple(sorted(judged.get(item.key, ()), key=_by_reviewer)), notes_read=True)
        for item in items
    ]


def read_list(session_path: Path) -> list[AuditItem]:
    """The audit list as a screen first shows it (`load_items(notes=False)`), read on a connection of its own: a
    call may run on any thread."""
    with Store.open(session_path) as store:
        return load_items(store, notes=False)


def read_ahead(session_path: Path) -> Future[list[AuditItem]]:
    """Start `read_list` on a thread of its own and return at once: `bare-tui audit` starts it before it imports
    and starts the screen, so that SQLite selects the list (most of the wait on a big study, done without the
    interpreter's lock) while the interface loads. The future holds the list, or what reading it raised."""
    future: Future[list[AuditItem]] = Future()

    def read() -> None:
        try:
            future.set_result(read_list(session_path))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the list, as a call would raise it
            future.set_exception(exc)

    threading.Thread(target=read, name="audit-read-ahead", daemon=True).start()
    return future


def with_notes(item: AuditItem, judgements: Iterable[Judgement]) -> AuditItem:
    """The item with its reviewers' notes and confidence, from the attempt's judgements in force
    (`Store.judgements(attempt_id=...)`)."""
    if item.notes_read:
        return item
    reviews = sorted((_review(j) for j in judgements if (j.attempt_id, j.stage) == item.key), key=_by_reviewer)
    return replace(item, reviews=tuple(reviews), notes_read=True)


def visible_items(items: Sequence[AuditItem], visible: Collection[str] | None) -> tuple[list[AuditItem], int]:
    """The items a blind reviewer may see (attempts whose verdicts they have seen: `visible`), and how many were
    left out; None: every item (an auditor, or assisted mode). An item cannot be shown with its verdict hidden:
    why it is on the list (a disputed failure) already tells the verdict."""
    if visible is None:
        return list(items), 0
    shown = [item for item in items if item.attempt_id in visible]
    return shown, len(items) - len(shown)


def arrange(items: Sequence[AuditItem], show_settled: bool) -> list[AuditItem]:
    """What the audit screen lists: open items first in auditing order, then the settled ones (or none)."""
    open_items = [i for i in items if not i.settled]
    if not show_settled:
        return open_items
    return open_items + [i for i in items if i.settled]


def suggested_reason(item: AuditItem, label: Label) -> ReasonCode:
    """The reason code that usually goes with settling this item this way; the auditor may pick another."""
    final = label.value
    if final == "unsure":
        return ReasonCode.AMBIGUOUS_RUBRIC
    if item.auto == "fail" and final == "pass":
        return ReasonCode.PIPELINE_FALSE_FAIL
    if item.auto == "pass" and final == "fail":
        return ReasonCode.PIPELINE_FALSE_PASS
    if any(r.label in DECISIVE and r.label != final for r in item.reviews):
        return ReasonCode.REVIEWER_ERROR
    return ReasonCode.OTHER


def adjudicate(
    store: Store,
    attempt_id: str,
    stage: str,
    label: Label,
    reason: ReasonCode,
    auditor: str,
    note: str = "",
) -> Adjudication:
    """Record an auditor's final label for an attempt-stage, committed when this returns; from then on it is
    the consensus for that attempt-stage."""
    if not store.is_field(stage):  # an extra stage (`tests`) once the session has its verdicts
        raise ValueError(f"{stage!r}: not a field (one of {', '.join(FIELDS)}) nor a stage the session has verdicts of")
    if not auditor.strip():
        raise ValueError("an adjudication needs the auditor's name")
    if not store.has_attempt(attempt_id):
        raise SessionError(f"{store.path}: no attempt {attempt_id!r}")
    adjudication = Adjudication(new_id(), attempt_id, stage, auditor, Label(label), ReasonCode(reason), note, utc_now())
    store.save_adjudication(adjudication)
    return adjudication
