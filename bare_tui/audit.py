"""The audit list, headless: disputed attempt-stages and flagged attempts, and recording an auditor's adjudication."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .consensus import DECISIVE, consensus_label, dispute, is_disputed_failure
from .model import FIELDS, Adjudication, AttemptSummary, Flag, Judgement, Label, ReasonCode
from .store import SessionError, Store, new_id, utc_now

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
        reviews[(j.attempt_id, j.stage)].append(
            ReviewerLabel(j.reviewer, j.label.value, j.confidence, j.note, j.saw_verdicts, j.saved_at)
        )
    settled = {(a.attempt_id, a.stage): a for a in adjudications}
    flags_of: dict[str, list[Flag]] = defaultdict(list)
    for f in flags:
        if f.flagged:
            flags_of[f.attempt_id].append(f)
    stages_of: dict[str, set[str]] = defaultdict(set)
    for attempt_id, stage in reviews.keys() | settled.keys():
        if stage in FIELDS:
            stages_of[attempt_id].add(stage)

    items: list[AuditItem] = []
    for s in summaries:
        attempt_flags = tuple(sorted(flags_of.get(s.attempt_id, ()), key=lambda f: f.reviewer))
        listed: set[str] = set()
        for stage in sorted(stages_of.get(s.attempt_id, ()), key=FIELDS.index):
            auto = outcomes.get((s.attempt_id, stage))
            stage_reviews = tuple(sorted(reviews.get((s.attempt_id, stage), ()), key=lambda r: r.reviewer))
            labels = [r.label for r in stage_reviews]
            kind = _kind(auto, labels)
            adjudication = settled.get((s.attempt_id, stage))
            if kind is None and stage == FLAG_STAGE and attempt_flags:
                kind = AuditKind.FLAGGED
            if kind is None:
                continue
            listed.add(stage)
            items.append(
                AuditItem(
                    s.attempt_id, stage, kind, s.seq, s.path, s.language, s.model, auto, stage_reviews,
                    consensus_label(labels), adjudication, attempt_flags,
                )
            )
        if attempt_flags and FLAG_STAGE not in listed:
            items.append(
                AuditItem(
                    s.attempt_id, FLAG_STAGE, AuditKind.FLAGGED, s.seq, s.path, s.language, s.model,
                    outcomes.get((s.attempt_id, FLAG_STAGE)),
                    (), None, settled.get((s.attempt_id, FLAG_STAGE)), attempt_flags,
                )
            )
    items.sort(key=lambda i: (i.kind.rank, i.seq, FIELDS.index(i.stage)))
    return items


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


def load_items(store: Store) -> list[AuditItem]:
    """The session's audit list, in auditing order."""
    outcomes = store.current_outcomes()
    flags = store.flags()
    # Which attempts come to audit is known from the bare labels; only those need their notes and confidence.
    labels: dict[tuple[str, str], list[str]] = defaultdict(list)
    for attempt_id, _, stage, label in store.current_labels():
        labels[(attempt_id, stage)].append(label)
    wanted = {key[0] for key, found in labels.items() if _kind(outcomes.get(key), found) is not None}
    wanted |= {f.attempt_id for f in flags if f.flagged}
    if len(wanted) <= PER_ATTEMPT_READS:
        judgements = [j for attempt_id in sorted(wanted) for j in store.judgements(attempt_id=attempt_id)]
    else:
        judgements = store.judgements()
    return build_items(store.attempt_summaries(), outcomes, judgements, store.adjudications(), flags)


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
    if stage not in FIELDS:
        raise ValueError(f"{stage!r}: not a field (one of {', '.join(FIELDS)})")
    if not auditor.strip():
        raise ValueError("an adjudication needs the auditor's name")
    if not store.has_attempt(attempt_id):
        raise SessionError(f"{store.path}: no attempt {attempt_id!r}")
    adjudication = Adjudication(
        new_id(), attempt_id, stage, auditor, Label(label), ReasonCode(reason), note, utc_now()
    )
    store.save_adjudication(adjudication)
    return adjudication
