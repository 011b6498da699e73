"""The review queue, headless: one row per attempt with its automated outcomes and human state, and its filters.

The queue of a BARE-sized study holds 243,732 attempts, so it is kept as columns (`QueueData`: numpy arrays of
codes, and the ids and names they code), its filters and counts are vector masks over them, and a `QueueRow`
is made only for a row that is painted or asked for (bench/queue_screen.py --scale measures it).
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from itertools import repeat
from operator import contains, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from .consensus import dispute, is_disputed_failure
from .model import FIELD_INDEX, FIELDS, Adjudication, AttemptSummary, Flag, Outcome, stage_order
from .store import (
    FIELD_OUTCOME_BITS,
    FIELD_OUTCOME_NAMES,
    FIELD_OUTCOME_OTHER,
    AttemptColumns,
    LabelTallies,
    Store,
    collector_paused,
)

if TYPE_CHECKING:
    import numpy as np
else:

    class _Numpy:
        """numpy, imported where it is first used rather than with this module: importing numpy is 100-200 ms, and
        the queue screen imports this module on the event loop when `q` is pressed, before its read can begin. The
        read's threads import it while SQLite selects the rows; from then on `np` is numpy itself."""

        def __getattr__(self, name: str) -> Any:
            import numpy

            globals()["np"] = numpy
            return getattr(numpy, name)

    np = _Numpy()

NO_OUTCOME = "none"
"""The outcome shown and filtered on when an attempt has no verdict for a field."""

HIDDEN = "hidden"
"""The outcome a blind reviewer's queue holds for an attempt whose verdicts they have not seen: no filter on
outcomes matches it, so a filter cannot leak what the column hides."""

OUTCOME_VALUES: tuple[str, ...] = tuple(o.value for o in Outcome)
OUTCOME_CHOICES: tuple[str, ...] = OUTCOME_VALUES + (NO_OUTCOME,)
assert FIELD_OUTCOME_NAMES == OUTCOME_VALUES  # the store's packed codes are 1 + these indexes


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
    outcomes: tuple[str, ...]  # one per stage of `stages`: an Outcome value, NO_OUTCOME or HIDDEN
    labelled: int  # how many of the six fields this reviewer has a label in force for
    flagged: bool  # some reviewer sent it to audit
    disputed: bool  # some stage is disputed (pipeline against people, or people among themselves)
    disputed_failure: bool  # some stage: the pipeline said fail and people said pass
    people_known: bool = True  # False in the outline shown while the labels are still being read
    hidden: bool = False  # blind mode: outcomes and disputes withheld until this reviewer has seen the verdicts
    stages: tuple[str, ...] = FIELDS  # the six fields, then any extra stage the session has verdicts for

    @property
    def state(self) -> ReviewState:
        if self.labelled == 0:
            return ReviewState.NOT_JUDGED
        if self.labelled < len(FIELDS):
            return ReviewState.PARTLY
        return ReviewState.JUDGED

    def outcome(self, stage: str) -> str:
        if stage in self.stages:
            return self.outcomes[self.stages.index(stage)]
        return HIDDEN if self.hidden else NO_OUTCOME


_ROW_FIELDS = tuple(f.name for f in fields(QueueRow))
_first, _second, _third, _fourth = (itemgetter(i) for i in range(4))


def _row(*values: Any) -> QueueRow:
    """A QueueRow from its field values in order, without the frozen dataclass's per-field __setattr__."""
    row = object.__new__(QueueRow)
    row.__dict__.update(zip(_ROW_FIELDS, values))
    return row


def queue_stages(extra: Iterable[str]) -> tuple[str, ...]:
    """The queue's stage columns: the six fields, then the extra stages given, in stage order."""
    return FIELDS + tuple(sorted({s for s in extra if s not in FIELD_INDEX}, key=stage_order))


def _codes(values: Iterable[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's code (first seen, first numbered) and the values by code: two passes in C (the distinct values
    in order, then a lookup each), not a Python call per value."""
    values = values if isinstance(values, list) else list(values)
    names = list(dict.fromkeys(values))
    table = dict(zip(names, range(len(names))))
    return np.fromiter(map(table.__getitem__, values), np.int32, len(values)), names


@dataclass
class QueueData:
    """Every attempt of a session as columns, in import order, from one reviewer's point of view.

    Built on the loading thread and then owned by the screen, which updates the people columns in place when
    the reviewer comes back from an attempt (`refresh_people`).
    """

    ids: list[str]
    seqs: np.ndarray
    task: np.ndarray  # code into task_ids
    task_ids: list[str]
    path: np.ndarray  # code into paths
    paths: list[str]
    language: np.ndarray
    languages: list[str]
    model: np.ndarray
    models: list[str]
    stages: tuple[str, ...]
    outcome_names: tuple[str, ...]  # code -> outcome value; the last is NO_OUTCOME
    outcomes: np.ndarray  # attempts x stages, codes into outcome_names
    labelled: np.ndarray  # this reviewer's labels in force among the six fields
    flagged: np.ndarray
    disputed: np.ndarray
    disputed_failure: np.ndarray
    people_known: bool = False
    hidden: np.ndarray | None = None  # blind mode: rows whose outcomes and disputes are withheld
    _index: dict[str, int] | None = field(default=None, repr=False)
    _folded: list[str] | None = field(default=None, repr=False)
    _tuples: dict[bytes, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def index(self) -> dict[str, int]:
        """attempt_id -> row, made on first use."""
        if self._index is None:
            self._index = {attempt_id: row for row, attempt_id in enumerate(self.ids)}
        return self._index

    def row_of(self, attempt_id: str) -> int | None:
        """The row of this attempt, or None; without making the dictionary of every id (90 ms of CPU at BARE
        scale) when it is not made yet: one look along the ids, in C."""
        if self._index is not None:
            return self._index.get(attempt_id)
        try:
            return self.ids.index(attempt_id)
        except ValueError:
            return None

    def rows_of(self, attempt_ids: Iterable[str]) -> np.ndarray:
        """The rows of these attempts (those present), in order, without making the dictionary of every id."""
        wanted = set(attempt_ids)
        if self._index is not None or len(wanted) <= 8:
            found = {self.row_of(attempt_id) for attempt_id in wanted}
            return np.array(sorted(row for row in found if row is not None), np.intp)
        return np.flatnonzero(np.fromiter(map(wanted.__contains__, self.ids), bool, len(self.ids)))

    @classmethod
    def of(
        cls,
        summaries: Sequence[AttemptSummary],
        outcomes: Iterable[tuple[Any, ...]] | Mapping[tuple[str, str], str],
        extra_stages: Iterable[str] = (),
    ) -> QueueData:
        """The attempts and their outcomes, people not read yet. outcomes: (attempt_id, stage, outcome, ...) of each
        verdict that counts (`Store.current_verdict_rows`), or a mapping (attempt_id, stage) -> outcome."""
        triples: Sequence[tuple[Any, ...]] = (
            [(a, s, o) for (a, s), o in outcomes.items()]
            if isinstance(outcomes, Mapping)
            else outcomes
            if isinstance(outcomes, list)
            else list(outcomes)
        )
        ids = [s.attempt_id for s in summaries]
        index = {attempt_id: row for row, attempt_id in enumerate(ids)}
        task, task_ids = _codes(s.task_id for s in summaries)
        path, paths = _codes(s.path for s in summaries)
        language, languages = _codes(s.language for s in summaries)
        model, models = _codes(s.model for s in summaries)
        stages = queue_stages(extra_stages)
        stage_index = {stage: i for i, stage in enumerate(stages)}
        count = len(triples)
        # 1.5 million verdicts at BARE scale: each column is one C-level map over the rows (a Python loop per
        # verdict was seconds).
        rows = np.fromiter(map(index.get, map(_first, triples), repeat(-1)), np.intp, count)
        columns = np.fromiter(map(stage_index.get, map(_second, triples), repeat(-1)), np.int16, count)
        names = list(OUTCOME_VALUES)
        outcome_code = {name: code for code, name in enumerate(names)}
        try:
            values = np.fromiter(map(outcome_code.__getitem__, map(_third, triples)), np.int16, count)
        except KeyError:  # an outcome outside the four (never written by the store): code them as they come
            values, names = _codes(map(_third, triples))
        grid = np.full((len(ids), len(stages)), len(names), np.int16)
        known = (rows >= 0) & (columns >= 0)
        grid[rows[known], columns[known]] = values[known]
        none = np.zeros(len(ids), bool)
        return cls(
            ids,
            np.fromiter((s.seq for s in summaries), np.int64, len(ids)),
            task,
            task_ids,
            path,
            paths,
            language,
            languages,
            model,
            models,
            stages,
            (*names, NO_OUTCOME),
            grid,
            np.zeros(len(ids), np.int16),
            none,
            none.copy(),
            none.copy(),
            _index=index,
        )

    @classmethod
    def of_columns(
        cls,
        columns: AttemptColumns,
        outcomes_of: Callable[[list[str]], Mapping[tuple[str, str], str]] | None = None,
    ) -> QueueData:
        """The attempts and their outcomes from the store's columns (`Store.attempt_columns`), people not read yet:
        the six fields unpacked from each attempt's packed outcomes as whole columns, the extra stages from their
        verdict rows. outcomes_of: (attempt_id, stage) -> outcome of some attempts (`Store.current_outcomes_of`),
        asked only for attempts whose packed outcomes hold a text outside the four outcomes."""
        ids = columns.attempt_ids
        task, task_ids = columns.task, columns.task_ids
        places = [columns.tasks[task_id] for task_id in task_ids]
        task_path, paths = _codes(place.path for place in places)
        task_language, languages = _codes(place.language for place in places)
        model, models = columns.model, columns.models
        stages = queue_stages(columns.extra_stages)
        names = list(OUTCOME_VALUES)
        none = -1  # no verdict, until the outcome names are all known
        grid = np.full((len(ids), len(stages)), none, np.int16)
        packed = columns.field_outcomes
        other = np.zeros(len(ids), bool)
        for column in range(len(FIELDS)):
            codes = (packed >> (FIELD_OUTCOME_BITS * column)) & FIELD_OUTCOME_OTHER
            grid[:, column] = np.where((codes == 0) | (codes == FIELD_OUTCOME_OTHER), none, codes - 1)
            other |= codes == FIELD_OUTCOME_OTHER
        outcome_code = {name: code for code, name in enumerate(names)}
        stage_index = {stage: i for i, stage in enumerate(stages)}
        cells: list[tuple[str, str, str]] = list(columns.extra_outcomes)
        if other.any():
            if outcomes_of is None:
                raise ValueError("outcomes outside the four are stored: outcomes_of must read them")
            unusual = [ids[r] for r in np.flatnonzero(other).tolist()]
            cells += [(a, stage, outcome) for (a, stage), outcome in outcomes_of(unusual).items() if stage in FIELDS]
        # The dictionary of every id (90 ms at BARE scale) only when some extra stage or unusual outcome needs it.
        index = dict(zip(ids, range(len(ids)))) if cells else {}
        for attempt_id, stage, outcome in cells:
            row, column = index.get(attempt_id, -1), stage_index.get(stage, -1)
            if row < 0 or column < 0:
                continue
            code = outcome_code.get(outcome)
            if code is None:
                code = outcome_code[outcome] = len(names)
                names.append(outcome)
            grid[row, column] = code
        grid[grid == none] = len(names)
        nobody = np.zeros(len(ids), bool)
        return cls(
            ids,
            columns.seqs,
            task,
            task_ids,
            task_path[task] if len(task) else task,
            paths,
            task_language[task] if len(task) else task,
            languages,
            model,
            models,
            stages,
            (*names, NO_OUTCOME),
            grid,
            np.zeros(len(ids), np.int16),
            nobody,
            nobody.copy(),
            nobody.copy(),
        )

    # ------------------------------------------------------------------ people
    def set_people(
        self,
        labels: Iterable[tuple[str, str, str, str]],
        adjudications: Iterable[Adjudication],
        flags: Iterable[Flag],
        reviewer: str,
    ) -> None:
        """Fill the people columns from every label in force, adjudication and flag of the session."""
        people = _people(self, np.arange(len(self.ids)), list(labels), list(adjudications), reviewer)
        self.labelled, self.disputed, self.disputed_failure = people
        flagged = np.zeros(len(self.ids), bool)
        flagged[self.rows_of(f.attempt_id for f in flags if f.flagged)] = True
        self.flagged = flagged
        self.people_known = True

    def set_tallies(self, tallies: LabelTallies, flags: Iterable[Flag], only: Collection[str] | None = None) -> None:
        """Fill the people columns from the store's tallies of every labelled or settled attempt-stage
        (`Store.label_tallies`) and the flags. only: the tallies are of these attempts alone, whose rows are set
        (a return from reviewing a few attempts); None: every row is set."""
        if only is None:
            rows = np.arange(len(self.ids))
        else:
            rows = self.rows_of(only)
            if not len(rows):
                return
        labelled, disputed, failures = _people_of_tallies(self, rows, tallies)
        flagged = {f.attempt_id for f in flags if f.flagged}
        if only is None:
            self.labelled, self.disputed, self.disputed_failure = labelled, disputed, failures
            self.flagged = np.zeros(len(self.ids), bool)
            self.flagged[self.rows_of(flagged)] = True
            self.people_known = True
        else:
            self.labelled[rows], self.disputed[rows], self.disputed_failure[rows] = labelled, disputed, failures
            self.flagged[rows] = [self.ids[r] in flagged for r in rows.tolist()]

    def refresh_people(
        self,
        attempt_ids: Collection[str],
        labels: Iterable[tuple[str, str, str, str]],
        adjudications: Iterable[Adjudication],
        flags: Iterable[Flag],
        reviewer: str,
    ) -> None:
        """Recompute the people columns of these attempts only, from their labels in force (every reviewer's),
        the adjudications and the flags: what a return from reviewing a few attempts has to do."""
        index = self.index
        rows = np.array(sorted({index[a] for a in attempt_ids if a in index}), np.intp)
        if not len(rows):
            return
        wanted = {self.ids[r] for r in rows}
        labelled, disputed, failures = _people(
            self,
            rows,
            [label for label in labels if label[0] in wanted],
            [a for a in adjudications if a.attempt_id in wanted],
            reviewer,
        )
        self.labelled[rows], self.disputed[rows], self.disputed_failure[rows] = labelled, disputed, failures
        flagged = {f.attempt_id for f in flags if f.flagged}
        self.flagged[rows] = [self.ids[r] in flagged for r in rows]

    # ------------------------------------------------------------------ blind mode
    def blind(self, visible: Collection[str] | None, only: Collection[str] | None = None) -> None:
        """Withhold outcomes and disputes of the attempts not in `visible` (None: show every row). only: set
        these attempts' rows alone (the rest are as they were)."""
        if visible is None:
            self.hidden = None
            return
        if only is not None and self.hidden is not None:
            for attempt_id in only:
                row = self.row_of(attempt_id)
                if row is not None:
                    self.hidden[row] = attempt_id not in visible
            return
        seen = np.fromiter(map(visible.__contains__, self.ids), bool, len(self.ids))
        self.hidden = ~seen

    # ------------------------------------------------------------------ columns as a reviewer may see them
    @property
    def shown_disputed(self) -> np.ndarray:
        return self.disputed if self.hidden is None else self.disputed & ~self.hidden

    @property
    def shown_disputed_failure(self) -> np.ndarray:
        return self.disputed_failure if self.hidden is None else self.disputed_failure & ~self.hidden

    @property
    def folded(self) -> list[str]:
        """The attempt ids case-folded, for the find text; the same list when folding changes none of them.

        Folded as one joined text (folding is per character, so the parts are each id folded) and compared with
        it in one step: a call per id was 100-180 ms of CPU at BARE scale, taken from the first keys after the
        paint."""
        if self._folded is None:
            joined = "\n".join(self.ids)
            folded = joined.casefold()
            if folded == joined:
                self._folded = self.ids
            else:
                parts = folded.split("\n")
                # an id holding the separator: one by one
                self._folded = parts if len(parts) == len(self.ids) else [i.casefold() for i in self.ids]
        return self._folded

    # ------------------------------------------------------------------ rows, made when asked for
    def row(self, i: int) -> QueueRow:
        hidden = self.hidden is not None and bool(self.hidden[i])
        outcomes = tuple(HIDDEN for _ in self.stages) if hidden else self._outcome_tuple(i)
        return _row(
            self.ids[i],
            int(self.seqs[i]),
            self.task_ids[self.task[i]],
            self.paths[self.path[i]],
            self.languages[self.language[i]],
            self.models[self.model[i]],
            outcomes,
            int(self.labelled[i]),
            bool(self.flagged[i]),
            bool(self.disputed[i]) and not hidden,
            bool(self.disputed_failure[i]) and not hidden,
            self.people_known,
            hidden,
            self.stages,
        )

    def _outcome_tuple(self, i: int) -> tuple[str, ...]:
        # Few combinations of outcomes occur: one tuple each, shared by every row that has it.
        codes = self.outcomes[i]
        key = codes.tobytes()
        found = self._tuples.get(key)
        if found is None:
            found = self._tuples[key] = tuple(self.outcome_names[c] for c in codes.tolist())
        return found

    def rows(self, positions: np.ndarray | None = None) -> QueueRows:
        return QueueRows(self, positions)


class QueueRows(Sequence[QueueRow]):
    """Some rows of a QueueData (all, or those at the positions given) as a sequence of QueueRow, each made
    when it is read: the table paints a window of them, not all 243,732."""

    def __init__(self, data: QueueData, positions: np.ndarray | None = None) -> None:
        self.data = data
        self.positions = positions

    def __len__(self) -> int:
        return len(self.data) if self.positions is None else len(self.positions)

    @overload
    def __getitem__(self, i: int) -> QueueRow: ...
    @overload
    def __getitem__(self, i: slice) -> list[QueueRow]: ...
    def __getitem__(self, i: int | slice) -> QueueRow | list[QueueRow]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.data.row(i if self.positions is None else int(self.positions[i]))

    def __iter__(self) -> Iterator[QueueRow]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # why: a mutable view compares by content

    def ids(self) -> list[str]:
        """The attempt ids in order, without making rows."""
        ids = self.data.ids
        return list(ids) if self.positions is None else [ids[i] for i in self.positions.tolist()]

    def position_of(self, attempt_id: str) -> int | None:
        """Where this attempt is among these rows, or None (a binary search: positions are in import order)."""
        row = self.data.row_of(attempt_id)
        if row is None:
            return None
        if self.positions is None:
            return row
        at = int(np.searchsorted(self.positions, row))
        return at if at < len(self.positions) and self.positions[at] == row else None


# The people columns are computed on whole columns (numpy) rather than attempt by attempt: a Python loop per label
# was the slow part of opening the queue on a large study.
def _people(
    data: QueueData,
    rows: np.ndarray,
    labels: list[tuple[str, str, str, str]],
    adjudications: list[Adjudication],
    reviewer: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(this reviewer's label count, disputed, disputed failure) of the given rows, from their labels in force
    ((attempt_id, reviewer, stage, label)) and adjudications."""
    width = len(data.stages)
    local = {data.ids[r]: i for i, r in enumerate(rows.tolist())}
    attempts = len(rows)
    stage_index = {stage: i for i, stage in enumerate(data.stages)}
    count = len(labels)
    attempt = np.fromiter(map(local.get, map(_first, labels), repeat(-1)), np.intp, count)
    mine = np.fromiter(map(reviewer.__eq__, map(_second, labels)), bool, count)
    stage = np.fromiter(map(stage_index.get, map(_third, labels), repeat(-1)), np.intp, count)
    # One label in force per (attempt, reviewer, stage): counting the reviewer's labels of the six counts fields.
    labelled = np.bincount(attempt[(attempt >= 0) & mine & (stage >= 0) & (stage < len(FIELDS))], minlength=attempts)
    label, label_names = _codes(map(_fourth, labels))
    known = (attempt >= 0) & (stage >= 0)
    cell = attempt[known] * width + stage[known]  # one cell per attempt-stage
    kinds = max(1, len(label_names))
    # How many labels of each kind every attempt-stage has: all the consensus rule looks at.
    tally = np.bincount(cell * kinds + label[known], minlength=attempts * width * kinds)
    tally = tally.reshape(attempts * width, kinds)
    settled_names: list[str] = []
    settled = np.full(attempts * width, -1, np.intp)
    for a in adjudications:  # few: an auditor's work; the newest per attempt-stage comes last
        row, column = local.get(a.attempt_id), stage_index.get(a.stage)
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
        grid = data.outcomes[rows].reshape(-1)
        cases = np.column_stack([grid[active], tally[active], settled[active]])
        distinct, inverse = _distinct_rows(cases)
        found = np.array(
            [_judge(case, data.outcome_names, label_names, settled_names) for case in distinct.tolist()], bool
        ).reshape(-1, 2)[inverse]
        disputed[active[found[:, 0]] // width] = True
        failures[active[found[:, 1]] // width] = True
    return labelled.astype(np.int16), disputed, failures


def _people_of_tallies(
    data: QueueData, rows: np.ndarray, tallies: LabelTallies
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(this reviewer's label count among the six fields, disputed, disputed failure) of the given rows, from the
    store's tallies per attempt-stage: the consensus rule (consensus.py) asked once per distinct case of outcome,
    pass and fail counts and adjudication, not once per attempt-stage; the tallies' stages and adjudications come
    as codes, so that no step here walks them one by one."""
    local = np.full(len(data.ids), -1, np.intp)
    local[rows] = np.arange(len(rows))
    seqs = data.seqs
    count = len(tallies.seqs)
    if not len(seqs):
        found = np.full(count, -1, np.intp)
    elif bool(np.all(seqs[1:] > seqs[:-1])):
        # Placed by seq in the attempts' import order (a binary search each), not by a dictionary of every id.
        at = np.minimum(np.searchsorted(seqs, tallies.seqs), len(seqs) - 1)
        found = np.where(seqs[at] == tallies.seqs, at, -1)
    else:
        found = np.fromiter(map(data.index.get, tallies.attempt_ids, repeat(-1)), np.intp, count)
    row = np.where(found >= 0, local[found], -1)
    # each of the tallies' stage codes -> the data's column (-1: a stage the data has no column for)
    to_column = np.array([data.stages.index(s) if s in data.stages else -1 for s in tallies.stage_names], np.intp)
    column = to_column[tallies.stage] if len(tallies.stage) else np.zeros(0, np.intp)
    known = (row >= 0) & (column >= 0)
    row, column = row[known], column[known]
    field = column < len(FIELDS)
    labelled = np.bincount(row[field], tallies.mine[known][field], len(rows))
    disputed = np.zeros(len(rows), bool)
    failures = np.zeros(len(rows), bool)
    if len(row):
        cases = np.column_stack(
            [data.outcomes[rows[row], column], tallies.passes[known], tallies.fails[known], tallies.adjudicated[known]]
        )
        distinct, inverse = _distinct_rows(cases)
        settled_names = [*tallies.adjudication_names, ""]  # code -1: no adjudication
        judged = np.array(
            [
                _judge_tally(auto, passes, fails, settled_names[adjudicated], data.outcome_names)
                for auto, passes, fails, adjudicated in distinct.tolist()
            ],
            bool,
        ).reshape(-1, 2)[inverse]
        disputed[row[judged[:, 0]]] = True
        failures[row[judged[:, 1]]] = True
    return labelled.astype(np.int16), disputed, failures


def _judge_tally(
    auto: int, passes: int, fails: int, adjudicated: str, outcome_names: Sequence[str]
) -> tuple[bool, bool]:
    """(disputed, disputed failure) of one distinct case: outcome code, pass and fail counts, adjudication ("")."""
    outcome = outcome_names[auto]
    labels = ["pass"] * passes + ["fail"] * fails
    settled = adjudicated or None
    return dispute(outcome, labels, settled).disputed, is_disputed_failure(outcome, labels, settled)


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


# ---------------------------------------------------------------------- reading a session
def load_data(store: Store, reviewer: str) -> QueueData:
    """Every attempt of a session as queue columns for this reviewer, people included."""
    return list(load_stepwise(store, reviewer, outline=False))[-1]


def load_stepwise(store: Store, reviewer: str, outline: bool | None = True) -> Iterator[QueueData]:
    """The queue in two steps: first the outline (attempts and verdicts, people_known False) so that a big session
    shows at once, then the same data with the people columns filled. outline=False: the full data only; None: the
    outline only when the people are still being read once it is ready (showing it then would paint the table
    twice for nothing).

    The people's tallies are read on a connection of their own while the outline is read (SQLite works without
    Python's lock), and no garbage collection walks the half a million objects the reads make on their way."""
    with collector_paused(), ThreadPoolExecutor(2, thread_name_prefix="queue-people") as pool:
        # numpy's first import (100-200 ms, holding the interpreter's lock) made while both reads are in SQLite,
        # which runs without that lock, rather than after the first of them is back
        pool.submit(importlib.import_module, "numpy")
        people = pool.submit(_read_people, store.path, reviewer)
        data = read_outline(store)
        if outline or (outline is None and not people.done()):
            yield data
            data = QueueData(**{f.name: getattr(data, f.name) for f in fields(QueueData) if f.init})
        tallies, flags = people.result()
        data.set_tallies(tallies, flags)
    yield data
    data.folded  # noqa: B018 - the find text's case-folded ids, made on the loading thread, not on the first key


def _read_people(path: Path, reviewer: str) -> tuple[LabelTallies, list[Flag]]:
    with Store.open(path, readonly=True) as store:
        return store.label_tallies(reviewer), store.flags()


def read_outline(store: Store) -> QueueData:
    """The attempts and the outcome of each verdict that counts, as columns (people not read yet)."""
    return QueueData.of_columns(store.attempt_columns(), store.current_outcomes_of)


def refresh(store: Store, data: QueueData, reviewer: str, attempt_ids: Collection[str]) -> None:
    """Re-read what people said of these attempts (labels, adjudications, flags) into the data, in place."""
    if not attempt_ids:
        return
    data.set_tallies(store.label_tallies(reviewer, attempt_ids), store.flags(), only=attempt_ids)


# The row-list forms: what the tests and small callers use; the screen keeps the columns.
def build_rows(
    summaries: Sequence[AttemptSummary],
    outcomes: Mapping[tuple[str, str], str],
    labels: Iterable[tuple[str, str, str, str]],
    adjudications: Iterable[Adjudication],
    flags: Iterable[Flag],
    reviewer: str,
    people_known: bool = True,
) -> list[QueueRow]:
    """Queue rows in import order. outcomes: (attempt_id, stage) -> the current verdict's outcome
    (`Store.current_outcomes`); labels: (attempt_id, reviewer, stage, label) of every label in force."""
    data = QueueData.of(summaries, outcomes, {stage for _, stage in outcomes})
    if people_known:
        data.set_people(labels, adjudications, flags, reviewer)
    return list(data.rows())


def load_rows(store: Store, reviewer: str) -> list[QueueRow]:
    """Every attempt of a session as a queue row for this reviewer."""
    return list(load_data(store, reviewer).rows())


def load_rows_stepwise(store: Store, reviewer: str, outline: bool = True) -> Iterator[list[QueueRow]]:
    """load_stepwise as row lists."""
    for data in load_stepwise(store, reviewer, outline):
        yield list(data.rows())


def blind(rows: Sequence[QueueRow], visible: Collection[str] | None) -> list[QueueRow]:
    """The rows as a blind reviewer may see them: outcomes and disputes only of attempts in `visible` (whose
    verdicts they have seen); None: every row as it is (assisted mode)."""
    if visible is None:
        return list(rows)
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
            tuple(HIDDEN for _ in row.outcomes),
            row.labelled,
            row.flagged,
            False,
            False,
            row.people_known,
            True,
            row.stages,
        )
        for row in rows
    ]


# ---------------------------------------------------------------------- filters and counts
@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; None (or empty text) means no restriction."""

    model: str | None = None
    language: str | None = None
    stage_outcome: tuple[str, str] | None = None  # (stage, outcome), e.g. ("syntax", "fail")
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

    def mask(self, data: QueueData) -> np.ndarray:
        """The rows of the data this filter keeps, as a boolean vector (the same rule as `matches`)."""
        keep = np.ones(len(data), bool)
        if self.model is not None:
            keep &= _equals(data.model, data.models, self.model)
        if self.language is not None:
            keep &= _equals(data.language, data.languages, self.language)
        if self.stage_outcome is not None:
            stage, outcome = self.stage_outcome
            if stage in data.stages and outcome in data.outcome_names:
                column = data.outcomes[:, data.stages.index(stage)]
                keep &= column == data.outcome_names.index(outcome)
                if data.hidden is not None:
                    keep &= ~data.hidden
            elif outcome == NO_OUTCOME and stage not in data.stages:
                if data.hidden is not None:
                    keep &= ~data.hidden
            else:
                keep[:] = False
        if self.state is not None:
            labelled = data.labelled
            if self.state is ReviewState.NOT_JUDGED:
                keep &= labelled == 0
            elif self.state is ReviewState.PARTLY:
                keep &= (labelled > 0) & (labelled < len(FIELDS))
            else:
                keep &= labelled >= len(FIELDS)
        if self.disputed is not None:
            keep &= data.shown_disputed == self.disputed
        if self.flagged is not None:
            keep &= data.flagged == self.flagged
        if self.text:
            keep &= _text_mask(data, self.text.casefold())
        return keep

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

    def select(self, data: QueueData) -> QueueRows:
        """The rows of the data this filter keeps, as a lazy sequence."""
        if self == NO_FILTER:
            return data.rows()
        return data.rows(np.flatnonzero(self.mask(data)))


NO_FILTER = QueueFilter()


def _equals(codes: np.ndarray, names: list[str], value: str) -> np.ndarray:
    if value not in names:
        return np.zeros(len(codes), bool)
    return codes == names.index(value)


def _text_mask(data: QueueData, wanted: str) -> np.ndarray:
    """Rows whose attempt id, task id, path or model holds the text (case-folded): the ids one by one (in C, by
    map), the other three once per distinct value."""
    keep = np.fromiter(map(contains, data.folded, repeat(wanted)), bool, len(data))
    for codes, names in ((data.task, data.task_ids), (data.path, data.paths), (data.model, data.models)):
        hits = np.fromiter((wanted in name.casefold() for name in names), bool, len(names))
        if hits.any():
            keep |= hits[codes]
    return keep


def parse_stage_outcome(text: str, extra_stages: Collection[str] = ()) -> tuple[str, str]:
    """A stage-outcome filter written `stage=outcome` (e.g. `syntax=fail`), checked against the known names."""
    stage, sep, outcome = text.strip().partition("=")
    stage, outcome = stage.strip().lower(), outcome.strip().lower()
    if not sep or not stage or not outcome:
        raise ValueError(f"{text!r}: write a stage filter as stage=outcome, e.g. syntax=fail")
    known = (*FIELDS, *extra_stages)
    if stage not in known:
        raise ValueError(f"{stage!r}: not a stage (one of {', '.join(known)})")
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
    for r in shown:
        state = r.state
        if state is ReviewState.JUDGED:
            judged += 1
        elif state is ReviewState.PARTLY:
            partly += 1
        disputed += r.disputed
        failures += r.disputed_failure
        flagged += r.flagged
        hidden += r.hidden
    return QueueCounts(len(all_rows), len(shown), judged, partly, disputed, failures, flagged, hidden)


def count_data(data: QueueData, keep: np.ndarray | None = None) -> QueueCounts:
    """count_rows over columns: the counts of the rows `keep` marks (None: all) against all of them."""

    def within(column: np.ndarray) -> int:
        return int(np.count_nonzero(column if keep is None else column & keep))

    labelled = data.labelled
    return QueueCounts(
        total=len(data),
        shown=len(data) if keep is None else int(np.count_nonzero(keep)),
        judged=within(labelled >= len(FIELDS)),
        partly=within((labelled > 0) & (labelled < len(FIELDS))),
        disputed=within(data.shown_disputed),
        disputed_failures=within(data.shown_disputed_failure),
        flagged=within(data.flagged),
        hidden=0 if data.hidden is None else within(data.hidden),
    )


def choices(rows: Iterable[QueueRow] | QueueData) -> tuple[list[str], list[str]]:
    """The models and the languages present, sorted: what the filter bar offers."""
    if isinstance(rows, QueueData):
        return sorted(rows.models), sorted(rows.languages)
    models: set[str] = set()
    languages: set[str] = set()
    for row in rows:
        models.add(row.model)
        languages.add(row.language)
    return sorted(models), sorted(languages)
