"""The review queue, headless: one row per attempt with its automated outcomes and human state, and its filters."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .consensus import dispute, is_disputed_failure
from .model import FIELDS, Adjudication, AttemptSummary, Flag, Outcome
from .store import Store

NO_OUTCOME = "none"
"""The outcome shown and filtered on when an attempt has no verdict for a field."""

OUTCOME_CHOICES: tuple[str, ...] = tuple(o.value for o in Outcome) + (NO_OUTCOME,)


class ReviewState(str, enum.Enum):
    """How far one reviewer has labelled an attempt's six fields."""

    NOT_JUDGED = "not judged"
    PARTLY = "partly"
    JUDGED = "judged"


@dataclass(frozen=True)
class QueueRow:
    """One attempt as the queue lists it, from one reviewer's point of view."""

    attempt_id: str
    seq: int
    task_id: str
    path: str
    language: str
    model: str
    outcomes: tuple[str, ...]  # one per FIELDS entry: an Outcome value or NO_OUTCOME
    labelled: int  # how many of the six fields this reviewer has a label in force for
    flagged: bool  # some reviewer sent it to audit
    disputed: bool  # some field is disputed (pipeline against people, or people among themselves)
    disputed_failure: bool  # some field: the pipeline said fail and people said pass
    people_known: bool = True  # False in the outline shown while the labels are still being read

    @property
    def state(self) -> ReviewState:
        if self.labelled == 0:
            return ReviewState.NOT_JUDGED
        if self.labelled < len(FIELDS):
            return ReviewState.PARTLY
        return ReviewState.JUDGED

    def outcome(self, stage: str) -> str:
        return self.outcomes[FIELDS.index(stage)]


def build_rows(
    summaries: Sequence[AttemptSummary],
    outcomes: Mapping[tuple[str, str], str],
    labels: Iterable[tuple[str, str, str, str]],
    adjudications: Iterable[Adjudication],
    flags: Iterable[Flag],
    reviewer: str,
    people_known: bool = True,
) -> list[QueueRow]:
    """Queue rows in import order.

    outcomes: (attempt_id, stage) -> the current verdict's outcome (`Store.current_outcomes`); labels:
    (attempt_id, reviewer, stage, label) of every label in force (`Store.current_labels`).
    """
    # attempt -> stage -> every reviewer's label in force
    by_attempt: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    mine: dict[str, set[str]] = defaultdict(set)
    for attempt_id, who, stage, label in labels:
        by_attempt[attempt_id][stage].append(label)
        if who == reviewer:
            mine[attempt_id].add(stage)
    adjudicated: dict[str, dict[str, str]] = defaultdict(dict)
    for a in adjudications:
        adjudicated[a.attempt_id][a.stage] = a.label.value
    flagged = {f.attempt_id for f in flags if f.flagged}
    nothing: dict[str, Any] = {}
    field_index = {stage: index for index, stage in enumerate(FIELDS)}
    # The consensus rule depends only on (outcome, labels, adjudication), which take few distinct values.
    judged: dict[tuple[str, tuple[str, ...], str | None], tuple[bool, bool]] = {}

    rows: list[QueueRow] = []
    for s in summaries:
        attempt_id = s.attempt_id
        row_outcomes = tuple([outcomes.get((attempt_id, stage), NO_OUTCOME) for stage in FIELDS])
        attempt_labels = by_attempt.get(attempt_id, nothing)
        attempt_adjudicated = adjudicated.get(attempt_id, nothing)
        disputed = failure = False
        # Only a field someone labelled or adjudicated can be disputed; most attempts have none.
        for stage in attempt_labels.keys() | attempt_adjudicated.keys() if attempt_adjudicated else attempt_labels:
            index = field_index.get(stage)
            if index is None:
                continue
            stage_labels = attempt_labels.get(stage, ())
            settled = attempt_adjudicated.get(stage)
            case = (row_outcomes[index], tuple(sorted(stage_labels)), settled)
            found = judged.get(case)
            if found is None:
                found = judged[case] = (
                    dispute(case[0], case[1], settled).disputed,
                    is_disputed_failure(case[0], case[1], settled),
                )
            disputed = disputed or found[0]
            failure = failure or found[1]
            if failure:
                break  # a disputed failure is disputed: nothing more to learn from this attempt
        rows.append(
            QueueRow(
                attempt_id=attempt_id,
                seq=s.seq,
                task_id=s.task_id,
                path=s.path,
                language=s.language,
                model=s.model,
                outcomes=row_outcomes,
                labelled=len(mine.get(attempt_id, ())),
                flagged=attempt_id in flagged,
                disputed=disputed,
                disputed_failure=failure,
                people_known=people_known,
            )
        )
    return rows


def load_rows(store: Store, reviewer: str) -> list[QueueRow]:
    """Every attempt of a session as a queue row for this reviewer."""
    return list(load_rows_stepwise(store, reviewer, outline=False))[-1]


def load_rows_stepwise(store: Store, reviewer: str, outline: bool = True) -> Iterator[list[QueueRow]]:
    """The queue rows in two steps: first an outline (attempts and verdicts, people_known False) so that a big
    session shows at once, then the full rows once every label has been read. outline=False: the full rows only."""
    summaries = store.attempt_summaries()
    outcomes = store.current_outcomes()
    if outline:
        yield build_rows(summaries, outcomes, (), (), (), reviewer, people_known=False)
    yield build_rows(summaries, outcomes, store.current_labels(), store.adjudications(), store.flags(), reviewer)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; None (or empty text) means no restriction."""

    model: str | None = None
    language: str | None = None
    stage_outcome: tuple[str, str] | None = None  # (field, outcome), e.g. ("syntax", "fail")
    state: ReviewState | None = None
    disputed: bool | None = None
    flagged: bool | None = None
    text: str = ""  # found in the task path, ignoring case

    def matches(self, row: QueueRow) -> bool:
        if self.model is not None and row.model != self.model:
            return False
        if self.language is not None and row.language != self.language:
            return False
        if self.stage_outcome is not None:
            stage, outcome = self.stage_outcome
            if row.outcome(stage) != outcome:
                return False
        if self.state is not None and row.state is not self.state:
            return False
        if self.disputed is not None and row.disputed != self.disputed:
            return False
        if self.flagged is not None and row.flagged != self.flagged:
            return False
        if self.text and self.text.casefold() not in row.path.casefold():
            return False
        return True

    def apply(self, rows: Iterable[QueueRow]) -> list[QueueRow]:
        return [row for row in rows if self.matches(row)]


def parse_stage_outcome(text: str) -> tuple[str, str]:
    """A stage-outcome filter written `stage=outcome` (e.g. `syntax=fail`), checked against the known names."""
    stage, sep, outcome = text.strip().partition("=")
    stage, outcome = stage.strip().lower(), outcome.strip().lower()
    if not sep or not stage or not outcome:
        raise ValueError(f"{text!r}: write a stage filter as stage=outcome, e.g. syntax=fail")
    if stage not in FIELDS:
        raise ValueError(f"{stage!r}: not a stage (one of {', '.join(FIELDS)})")
    if outcome not in OUTCOME_CHOICES:
        raise ValueError(f"{outcome!r}: not an outcome (one of {', '.join(OUTCOME_CHOICES)})")
    return stage, outcome


@dataclass(frozen=True)
class QueueCounts:
    """The header's figures: how many rows there are, how many are shown, and what the shown ones hold."""

    total: int
    shown: int
    judged: int
    partly: int
    disputed: int
    disputed_failures: int
    flagged: int

    def describe(self) -> str:
        parts = [f"{self.shown:,} of {self.total:,} shown", f"{self.judged:,} judged"]
        if self.partly:
            parts.append(f"{self.partly:,} partly")
        parts.append(f"{self.disputed:,} disputed")
        if self.disputed_failures:
            parts.append(f"{self.disputed_failures:,} disputed failures")
        if self.flagged:
            parts.append(f"{self.flagged:,} flagged")
        return " · ".join(parts)


def count_rows(all_rows: Sequence[QueueRow], shown: Sequence[QueueRow]) -> QueueCounts:
    """The counts of the shown rows against all of them."""
    return QueueCounts(
        total=len(all_rows),
        shown=len(shown),
        judged=sum(1 for r in shown if r.state is ReviewState.JUDGED),
        partly=sum(1 for r in shown if r.state is ReviewState.PARTLY),
        disputed=sum(1 for r in shown if r.disputed),
        disputed_failures=sum(1 for r in shown if r.disputed_failure),
        flagged=sum(1 for r in shown if r.flagged),
    )


def choices(rows: Iterable[QueueRow]) -> tuple[list[str], list[str]]:
    """The models and the languages present, sorted: what the filter bar offers."""
    models: set[str] = set()
    languages: set[str] = set()
    for row in rows:
        models.add(row.model)
        languages.add(row.language)
    return sorted(models), sorted(languages)
