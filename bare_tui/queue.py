"""The review queue, headless: one row per attempt with its automated outcomes and human state, and its filters."""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import repeat
from operator import itemgetter
from typing import Any

import numpy as np

from .consensus import dispute, is_disputed_failure
from .model import FIELD_INDEX, FIELDS, Adjudication, AttemptSummary, Flag, Outcome
from .store import Store

NO_OUTCOME = "none"
"""The outcome shown and filtered on when an attempt has no verdict for a field."""

HIDDEN = "hidden"
"""The outcome a blind reviewer's queue holds for an attempt whose verdicts they have not seen: no filter on
outcomes matches it, so a filter cannot leak what the column hides."""

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
    hidden: bool = False  # blind mode: outcomes and disputes withheld until this reviewer has seen the verdicts

    @property
    def state(self) -> ReviewState:
        if self.labelled == 0:
            return ReviewState.NOT_JUDGED
        if self.labelled < len(FIELDS):
            return ReviewState.PARTLY
        return ReviewState.JUDGED

    def outcome(self, stage: str) -> str:
        return self.outcomes[FIELD_INDEX[stage]]


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
    grid = _OutcomeGrid.of(summaries, outcomes)
    people = _People.of(grid, labels, adjudications, flags, reviewer)
    return _rows(summaries, grid.tuples(), people, people_known)


# The builders below work on whole columns (numpy, and map() over itemgetters) rather than attempt by attempt:
# a Python loop per label was the slow part of opening the queue on a large study (bench/queue_screen.py).


@dataclass(frozen=True)
class _OutcomeGrid:
    """Every attempt's outcome per field as codes (attempts in import order x FIELDS), and the values they code."""

    index: dict[str, int]  # attempt_id -> row
    codes: np.ndarray
    names: tuple[str, ...]  # code -> outcome value; the last is NO_OUTCOME

    @classmethod
    def of(cls, summaries: Sequence[AttemptSummary], outcomes: Mapping[tuple[str, str], str]) -> _OutcomeGrid:
        index = {s.attempt_id: row for row, s in enumerate(summaries)}
        names = list(dict.fromkeys(outcomes.values()))
        code = {name: value for value, name in enumerate(names)}
        count = len(outcomes)
        rows = np.fromiter(map(index.get, map(_first, outcomes.keys()), repeat(-1)), np.intp, count)
        columns = np.fromiter(map(FIELD_INDEX.get, map(_second, outcomes.keys()), repeat(-1)), np.intp, count)
        values = np.fromiter(map(code.__getitem__, outcomes.values()), np.intp, count)
        codes = np.full((len(index), len(FIELDS)), len(names), np.intp)
        known = (rows >= 0) & (columns >= 0)
        codes[rows[known], columns[known]] = values[known]
        return cls(index, codes, (*names, NO_OUTCOME))

    def tuples(self) -> list[tuple[str, ...]]:
        """Each attempt's outcomes; attempts with the same six share one tuple (few combinations occur)."""
        if not self.index:
            return []
        combinations, inverse = _distinct_rows(self.codes)
        shared = [tuple(self.names[code] for code in combination) for combination in combinations.tolist()]
        return [shared[row] for row in inverse.tolist()]


@dataclass(frozen=True)
class _People:
    """What people said, per attempt in import order: the reviewer's label count, flags and disputes."""

    labelled: list[int]
    flagged: set[str]
    disputed: list[bool]
    disputed_failures: list[bool]

    @classmethod
    def of(
        cls,
        grid: _OutcomeGrid,
        labels: Iterable[tuple[str, str, str, str]],
        adjudications: Iterable[Adjudication],
        flags: Iterable[Flag],
        reviewer: str,
    ) -> _People:
        rows = labels if isinstance(labels, list) else list(labels)
        count, attempts, width = len(rows), len(grid.index), len(FIELDS)
        attempt = np.fromiter(map(grid.index.get, map(_first, rows), repeat(-1)), np.intp, count)
        mine = np.fromiter(map(reviewer.__eq__, map(_second, rows)), bool, count)
        # One label in force per (attempt, reviewer, stage): counting the reviewer's labels counts the fields.
        labelled = np.bincount(attempt[(attempt >= 0) & mine], minlength=attempts)
        stage = np.fromiter(map(FIELD_INDEX.get, map(_third, rows), repeat(-1)), np.intp, count)
        label_names = list(dict.fromkeys(map(_fourth, rows)))
        label_code = {name: value for value, name in enumerate(label_names)}
        label = np.fromiter(map(label_code.__getitem__, map(_fourth, rows)), np.intp, count)
        known = (attempt >= 0) & (stage >= 0)
        cell = attempt[known] * width + stage[known]  # one cell per attempt-stage
        kinds = max(1, len(label_names))
        # How many labels of each kind every attempt-stage has: all the consensus rule looks at.
        tally = np.bincount(cell * kinds + label[known], minlength=attempts * width * kinds)
        tally = tally.reshape(attempts * width, kinds)
        settled_names: list[str] = []
        settled = np.full(attempts * width, -1, np.intp)
        for a in adjudications:  # few: an auditor's work; the newest per attempt-stage comes last
            row, column = grid.index.get(a.attempt_id), FIELD_INDEX.get(a.stage)
            if row is not None and column is not None:
                value = a.label.value
                if value not in settled_names:
                    settled_names.append(value)
                settled[row * width + column] = settled_names.index(value)
        disputed = np.zeros(attempts, bool)
        failures = np.zeros(attempts, bool)
        # Only an attempt-stage someone labelled or adjudicated can be disputed; most attempts have none.
        active = np.flatnonzero(tally.any(axis=1) | (settled >= 0))
        if len(active):
            cases = np.column_stack([grid.codes.reshape(-1)[active], tally[active], settled[active]])
            distinct, inverse = _distinct_rows(cases)
            found = np.array(
                [_judge(case, grid.names, label_names, settled_names) for case in distinct.tolist()], bool
            ).reshape(-1, 2)[inverse]
            disputed[active[found[:, 0]] // width] = True
            failures[active[found[:, 1]] // width] = True
        return cls(labelled.tolist(), {f.attempt_id for f in flags if f.flagged}, disputed.tolist(), failures.tolist())


def _distinct_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a matrix of small integers, and for each row the index of its distinct row.

    np.unique(axis=0) does this by sorting a structured view, 10x slower than sorting one number per row.
    """
    low = matrix.min(axis=0)
    radix = matrix.max(axis=0) - low + 1
    if float(np.prod(radix.astype(float))) >= 2.0**62:  # the numbers would not fit one int64
        distinct, inverse = np.unique(matrix, axis=0, return_inverse=True)
        return distinct, inverse.reshape(-1)
    weights = np.concatenate(([1], np.cumprod(radix[:-1]))).astype(np.int64)
    _, first, inverse = np.unique((matrix - low) @ weights, return_index=True, return_inverse=True)
    return matrix[first], inverse.reshape(-1)


def _judge(
    case: list[int], outcome_names: Sequence[str], label_names: Sequence[str], settled_names: Sequence[str]
) -> tuple[bool, bool]:
    """(disputed, disputed failure) of one distinct case: outcome code, a count per label, adjudication code."""
    auto = outcome_names[case[0]]
    labels = [name for name, times in zip(label_names, case[1:-1]) for _ in range(times)]
    settled = settled_names[case[-1]] if case[-1] >= 0 else None
    return dispute(auto, labels, settled).disputed, is_disputed_failure(auto, labels, settled)


_first, _second, _third, _fourth = (itemgetter(i) for i in range(4))
_ROW_FIELDS = tuple(f.name for f in fields(QueueRow))


def _row(*values: Any) -> QueueRow:
    """A QueueRow from its field values in order. A frozen dataclass's __init__ sets each field through
    object.__setattr__, which made it the larger part of building the rows."""
    row = object.__new__(QueueRow)
    row.__dict__.update(zip(_ROW_FIELDS, values))
    return row


def _rows(
    summaries: Sequence[AttemptSummary],
    outcome_tuples: Sequence[tuple[str, ...]],
    people: _People | None,
    people_known: bool = True,
) -> list[QueueRow]:
    """The rows; without people (the outline) nobody has labelled, flagged or disputed anything yet."""
    if people is None:
        return [
            _row(
                s.attempt_id, s.seq, s.task_id, s.path, s.language, s.model, row_outcomes, 0, False, False, False, False
            )
            for s, row_outcomes in zip(summaries, outcome_tuples)
        ]
    flagged = people.flagged
    return [
        _row(
            s.attempt_id,
            s.seq,
            s.task_id,
            s.path,
            s.language,
            s.model,
            row_outcomes,
            labelled,
            s.attempt_id in flagged,
            disputed,
            failure,
            people_known,
        )
        for s, row_outcomes, labelled, disputed, failure in zip(
            summaries, outcome_tuples, people.labelled, people.disputed, people.disputed_failures
        )
    ]


def blind(rows: Sequence[QueueRow], visible: Collection[str] | None) -> list[QueueRow]:
    """The rows as a blind reviewer may see them: outcomes and disputes only of attempts in `visible` (whose
    verdicts they have seen); None: every row as it is (assisted mode)."""
    if visible is None:
        return list(rows)
    withheld = tuple(HIDDEN for _ in FIELDS)
    return [
        row
        if row.attempt_id in visible
        else _row(
            row.attempt_id,
            row.seq,
            row.task_id,
            row.path,
            row.language,
            row.model,
            withheld,
            row.labelled,
            row.flagged,
            False,
            False,
            row.people_known,
            True,
        )
        for row in rows
    ]


def load_rows(store: Store, reviewer: str) -> list[QueueRow]:
    """Every attempt of a session as a queue row for this reviewer."""
    return list(load_rows_stepwise(store, reviewer, outline=False))[-1]


def load_rows_stepwise(store: Store, reviewer: str, outline: bool = True) -> Iterator[list[QueueRow]]:
    """The queue rows in two steps: first an outline (attempts and verdicts, people_known False) so that a big
    session shows at once, then the full rows once every label has been read. outline=False: the full rows only."""
    summaries = store.attempt_summaries()
    grid = _OutcomeGrid.of(summaries, store.current_outcomes())
    outcome_tuples = grid.tuples()
    if outline:
        yield _rows(summaries, outcome_tuples, None)
    people = _People.of(grid, store.current_labels(), store.adjudications(), store.flags(), reviewer)
    yield _rows(summaries, outcome_tuples, people)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; None (or empty text) means no restriction."""

    model: str | None = None
    language: str | None = None
    stage_outcome: tuple[str, str] | None = None  # (field, outcome), e.g. ("syntax", "fail")
    state: ReviewState | None = None
    disputed: bool | None = None
    flagged: bool | None = None
    text: str = ""  # found in the attempt id, task id, path or model, ignoring case

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
        if self.text:
            wanted = self.text.casefold()
            if not any(wanted in value.casefold() for value in (row.attempt_id, row.task_id, row.path, row.model)):
                return False
        return True

    def describe(self) -> str:
        """The filter in a few words, for the review screen's header: "python · syntax=fail · "inv""."""
        parts: list[str] = []
        if self.text:
            parts.append(f'"{self.text}"')
        parts.extend(value for value in (self.model, self.language) if value is not None)
        if self.stage_outcome is not None:
            parts.append("=".join(self.stage_outcome))
        if self.state is not None:
            parts.append(f"you: {self.state.value}")
        if self.disputed is not None:
            parts.append("disputed" if self.disputed else "not disputed")
        if self.flagged is not None:
            parts.append("flagged" if self.flagged else "not flagged")
        return "filter " + " · ".join(parts) if parts else ""

    def apply(self, rows: Iterable[QueueRow]) -> list[QueueRow]:
        if self == NO_FILTER:
            return list(rows)
        return [row for row in rows if self.matches(row)]


NO_FILTER = QueueFilter()


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
    hidden: int = 0

    def describe(self) -> str:
        parts = [f"{self.shown:,} of {self.total:,} shown", f"{self.judged:,} judged"]
        if self.partly:
            parts.append(f"{self.partly:,} partly")
        parts.append(f"{self.disputed:,} disputed")
        if self.disputed_failures:
            parts.append(f"{self.disputed_failures:,} disputed failure{'s' if self.disputed_failures != 1 else ''}")
        if self.flagged:
            parts.append(f"{self.flagged:,} flagged")
        if self.hidden:
            parts.append(f"blind: outcomes of {self.hidden:,} hidden until you label them")
        return " · ".join(parts)


def count_rows(all_rows: Sequence[QueueRow], shown: Sequence[QueueRow]) -> QueueCounts:
    """The counts of the shown rows against all of them."""
    judged = partly = disputed = failures = flagged = hidden = 0
    for r in shown:  # one pass: the header is recounted on every filter change
        state = r.state
        if state is ReviewState.JUDGED:
            judged += 1
        elif state is ReviewState.PARTLY:
            partly += 1
        if r.disputed:
            disputed += 1
        if r.disputed_failure:
            failures += 1
        if r.flagged:
            flagged += 1
        if r.hidden:
            hidden += 1
    return QueueCounts(
        total=len(all_rows),
        shown=len(shown),
        judged=judged,
        partly=partly,
        disputed=disputed,
        disputed_failures=failures,
        flagged=flagged,
        hidden=hidden,
    )


def choices(rows: Iterable[QueueRow]) -> tuple[list[str], list[str]]:
    """The models and the languages present, sorted: what the filter bar offers."""
    models: set[str] = set()
    languages: set[str] = set()
    for row in rows:
        models.add(row.model)
        languages.add(row.language)
    return sorted(models), sorted(languages)
