"""Turns a session's verdicts and judgements into DESIGN.md's tidy statistics rows; the math is agreement.py's.

Gathering (from a Store, or plain records in tests) is separate from computing: `load_input` reads what the
figures need, `prepare` lines it up as label arrays per stage, and `calibration_rows` writes one row per
figure: metric, stage, group_by, group, n, value, ci_low, ci_high.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bare_tui import agreement
from bare_tui.agreement import Confusion, Interval, ThresholdCurve
from bare_tui.consensus import consensus_label
from bare_tui.model import (
    FIELD_INDEX,
    FIELDS,
    OWN_SOURCE,
    STAGES,
    Adjudication,
    AttemptSummary,
    Judgement,
    Verdict,
    stage_order,
)
from bare_tui.store import (
    TALLY_ABSENT,
    TALLY_FAIL,
    TALLY_PASS,
    TALLY_STAGES_PER_WORD,
    DatabaseFault,
    collector_paused,
)

if TYPE_CHECKING:
    from bare_tui.store import OutcomeTally, Store
    from bare_tui.survey import StratifiedSample

PASS, FAIL, NONE = 1, 0, -1

GROUPINGS: tuple[str, ...] = ("model", "language", "pipeline_version", "anchoring", "reviewer")
"""What `--by` accepts. `anchoring` splits judgements into those made blind and those made with the
automated verdicts visible (groups `blind` and `saw_verdicts`), so a team sees whether showing verdicts
bends its reviewers; adjudications are left out of that split because auditors always see the verdicts."""

ANCHORING_GROUPS: tuple[str, ...] = ("blind", "saw_verdicts")

METRICS: tuple[str, ...] = (
    "auto_pass_rate",
    "human_pass_rate",
    "tp",
    "fp",
    "fn",
    "tn",
    "percent_agreement",
    "cohen_kappa",
    "gwet_ac1",
    "pabak",
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
    "mcc",
    "krippendorff_alpha",
    "fleiss_kappa",
    "corrected_pass_rate",
    "ppi_pass_rate",
    "labels_needed",
    "auc",
    "best_threshold",
    "reviewer_accuracy",
    "reviewer_agreement",
    "seconds_per_attempt",
)
"""Every metric name, in the order rows are written (DESIGN.md's names)."""

ROW_KEYS: tuple[str, ...] = ("metric", "stage", "group_by", "group", "n", "value", "ci_low", "ci_high")


@dataclass(frozen=True)
class StatRow:
    """One figure: DESIGN.md's tidy row."""

    metric: str
    stage: str
    group_by: str
    group: str
    n: int
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in ROW_KEYS}


@dataclass(frozen=True)
class AttemptColumns:
    """The session's attempts in import order as parallel columns: what the groupings need."""

    attempt_ids: Sequence[str]
    models: Sequence[str]
    languages: Sequence[str]

    @classmethod
    def of(cls, attempts: Sequence[AttemptSummary] | AttemptColumns) -> AttemptColumns:
        if isinstance(attempts, AttemptColumns):
            return attempts
        return cls([a.attempt_id for a in attempts], [a.model for a in attempts], [a.language for a in attempts])

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, str]]) -> AttemptColumns:
        """From (attempt_id, model, language) rows, as `Store.attempt_groups` gives them."""
        return cls(*_transposed(rows, 3))


@dataclass(frozen=True)
class VerdictColumns:
    """Verdicts as parallel columns, entry k of each being verdict k: how a session hands over a million
    verdicts without a million objects."""

    attempt_ids: Sequence[str]
    stages: Sequence[str]
    outcomes: Sequence[str]  # Outcome values (an Outcome member is a str too)
    scores: Sequence[float | None]
    versions: Sequence[str] = ()  # each verdict's pipeline version, or its source without one; may be left empty

    @classmethod
    def of(cls, verdicts: Sequence[Verdict] | VerdictColumns) -> VerdictColumns:
        if isinstance(verdicts, VerdictColumns):
            return verdicts
        return cls(
            [v.attempt_id for v in verdicts],
            [v.stage for v in verdicts],
            [v.outcome for v in verdicts],
            [v.score for v in verdicts],
            [v.pipeline_version or v.source for v in verdicts],
        )

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, str, float | None]]) -> VerdictColumns:
        """From (attempt_id, stage, outcome, score) rows, as `Store.current_verdict_rows` gives them."""
        return cls(*_transposed(rows, 4))

    @classmethod
    def from_runs(cls, rows: Sequence[tuple[str, str, str, float | None, str, str]]) -> VerdictColumns:
        """From (attempt_id, stage, outcome, score, pipeline_version, source) rows, as `Store.verdict_rows`
        gives them, each verdict marked with its run."""
        attempt_ids, stages, outcomes, scores, versions, sources = _transposed(rows, 6)
        runs = [version or source for version, source in zip(versions, sources)]
        return cls(attempt_ids, stages, outcomes, scores, runs)


@dataclass(frozen=True)
class LabelColumns:
    """The labels in force as parallel columns, entry k of each being label k."""

    attempt_ids: Sequence[str]
    reviewers: Sequence[str]
    stages: Sequence[str]
    labels: Sequence[str]  # Label values (a Label member is a str too)
    saw_verdicts: Sequence[bool | int]

    @classmethod
    def of(cls, judgements: Sequence[Judgement] | LabelColumns) -> LabelColumns:
        if isinstance(judgements, LabelColumns):
            return judgements
        return cls(
            [j.attempt_id for j in judgements],
            [j.reviewer for j in judgements],
            [j.stage for j in judgements],
            [j.label for j in judgements],
            [j.saw_verdicts for j in judgements],
        )

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[str, str, str, str, int]]) -> LabelColumns:
        """From (attempt_id, reviewer, stage, label, saw_verdicts) rows, as `Store.current_label_rows` gives them."""
        return cls(*_transposed(rows, 5))

    @classmethod
    def in_force(cls, store: Store) -> LabelColumns:
        """The session's labels in force, read as columns (`Store.label_columns_in_force`)."""
        read = store.label_columns_in_force()
        return cls(read.attempt_ids, read.reviewers, read.stages, read.labels, read.saw_verdicts)


def _transposed(rows: Sequence[tuple[Any, ...]], width: int) -> list[tuple[Any, ...]]:
    # one C-level pass; an empty read still gives `width` empty columns
    return list(zip(*rows)) or [()] * width


@dataclass(frozen=True)
class CalibrationInput:
    """Everything the figures are computed from: plain records (what a test writes) or the same as columns
    (what `load_input` reads from a session, a BARE-sized one in seconds)."""

    attempts: Sequence[AttemptSummary] | AttemptColumns
    verdicts: Sequence[Verdict] | VerdictColumns  # the verdict chosen for each attempt-stage (DESIGN's rule)
    judgements: Sequence[Judgement] | LabelColumns  # each reviewer's current label per attempt-stage
    adjudications: Sequence[Adjudication] = ()
    versioned_verdicts: Sequence[Verdict] | VerdictColumns = ()  # every run's verdicts, for --by pipeline_version


def load_input(store: Store, source: str | None = None, versions: bool = False) -> CalibrationInput:
    """Read what the statistics need from a session; `versions` also reads every pipeline version's verdicts.

    Plain rows become columns directly: a Verdict object per row is what made reading a BARE-sized session slow
    (bench/stats.py prints the figures)."""
    with collector_paused():
        return CalibrationInput(
            attempts=AttemptColumns.from_rows(store.attempt_groups()),
            verdicts=VerdictColumns.from_rows(store.current_verdict_rows(source=source)),
            judgements=LabelColumns.from_rows(store.current_label_rows()),
            adjudications=store.adjudications(current_only=True),
            versioned_verdicts=VerdictColumns.from_runs(store.verdict_rows(source=source)) if versions else (),
        )


@dataclass(frozen=True)
class StageColumns:
    """One stage's verdicts lined up on the session's attempts (index i is attempt i)."""

    auto: np.ndarray  # int8: 1 pass, 0 fail, -1 no pass/fail verdict (none, error, skipped)
    score: np.ndarray  # float64, NaN without a score


@dataclass(frozen=True)
class HumanColumns:
    """One stage's human labels lined up on attempts, with the consensus and where anyone said anything."""

    labels: np.ndarray  # int8, attempts x reviewers: 1 pass, 0 fail, -1 missing or unsure
    consensus: np.ndarray  # int8: 1, 0, -1 no consensus
    labelled: np.ndarray  # indices of the attempts with a decisive label or a consensus, ascending


@dataclass(frozen=True)
class Grouping:
    """Each attempt's group under one grouping, as codes into the sorted group names."""

    codes: np.ndarray  # int64 per attempt
    names: tuple[str, ...]


@dataclass(frozen=True)
class StageTally:
    """One stage's verdicts counted over every attempt of the population, not only the labelled ones: how many
    have a pass or fail verdict (decided) and how many a pass, per model (rows) and language (columns)."""

    decided: np.ndarray  # int64, models x languages (1 x 1 for a pipeline run, which is not grouped)
    passes: np.ndarray

    def by(self, grouping: str) -> tuple[np.ndarray, np.ndarray]:
        """(decided, passes) per group of "model" or "language", in the grouping's name order."""
        axis = 1 if grouping == "model" else 0
        return self.decided.sum(axis=axis), self.passes.sum(axis=axis)

    @classmethod
    def of(cls, auto: np.ndarray, cells: np.ndarray, models: int, languages: int) -> StageTally:
        """From a stage's outcome codes per attempt and each attempt's cell (model code x languages + language
        code)."""
        size = models * languages
        decided = np.bincount(cells[auto >= 0], minlength=size)[:size].reshape(models, languages)
        passes = np.bincount(cells[auto == PASS], minlength=size)[:size].reshape(models, languages)
        return cls(decided.astype(np.int64), passes.astype(np.int64))


@dataclass(frozen=True)
class PreparedSession:
    """A session as arrays: grouping codes per attempt, verdict columns and human columns per stage, and each
    stage's verdicts counted over the whole population (`tallies`).

    The attempts lined up are all of the session's (`prepare`, from records) or only those people labelled or
    settled (`load_session`, from a store, which counts the rest in SQL): every figure comes out the same."""

    attempt_ids: tuple[str, ...]
    groupings: dict[str, Grouping]  # "model", "language"
    stages: dict[str, StageColumns]
    humans: dict[str, HumanColumns]
    anchoring: dict[str, dict[str, HumanColumns]]  # "blind" / "saw_verdicts" -> stage -> columns
    versions: dict[str, dict[str, StageColumns]] = field(default_factory=dict)  # version -> stage -> columns
    reviewers: tuple[str, ...] = ()
    stage_names: tuple[str, ...] = FIELDS  # the five, overall, then any extra stage the records bring, by name
    tallies: dict[str, StageTally] = field(default_factory=dict)  # stage -> counts over the population
    version_tallies: dict[str, dict[str, StageTally]] = field(default_factory=dict)  # version -> stage -> counts
    scored_stages: frozenset[str] = frozenset()  # stages with a finite score anywhere in the population
    plan_counts: PlanCounts | None = None  # a plan's population counted in the same pass (load_session's plan)


@dataclass(frozen=True)
class PlanCounts:
    """A plan's population counted with the session's (one pass of SQLite over the attempts): for `load_plan`."""

    plan: str
    source: str | None
    tallies: dict[str, StageTally]  # stage -> the pipeline's verdicts over the plan's population
    size: int  # attempts of the population with a verdict, as often as the population lists them


class _Codes(dict[object, int]):
    """A lookup answering -1 for what it does not know, so that `map(codes.__getitem__, column)` maps a
    million values in C, faster than a comprehension calling `.get` (`.get` still answers None)."""

    def __missing__(self, key: object) -> int:
        return NONE


def _coded(codes: _Codes, values: Sequence[object], dtype: type) -> np.ndarray:
    return np.fromiter(map(codes.__getitem__, values), dtype=dtype, count=len(values))


_STAGE_INDEX = _Codes(FIELD_INDEX)  # the five and overall come first in every session's stage index
# Outcome and Label are str enums, so one dict answers for the enum members and their plain values alike
_CODES = _Codes({"pass": PASS, "fail": FAIL})


def prepare(data: CalibrationInput) -> PreparedSession:
    """Line the records up as arrays, computing each attempt-stage's consensus with consensus.py's rule, and
    count each stage's verdicts over every attempt (all of them are here).

    Millions of records pass through here, so each column is mapped to codes in one pass in C and written
    into the arrays with one fancy assignment, rather than element by element."""
    attempts = AttemptColumns.of(data.attempts)
    verdicts = VerdictColumns.of(data.verdicts)
    versioned = VerdictColumns.of(data.versioned_verdicts)
    judgements = LabelColumns.of(data.judgements)
    names = session_stages(verdicts.stages, versioned.stages, judgements.stages, [a.stage for a in data.adjudications])
    session = _arrange(
        attempts,
        verdicts,
        versioned,
        judgements,
        data.adjudications,
        names,
        (tuple(sorted(set(attempts.models))), tuple(sorted(set(attempts.languages)))),
        tuple(sorted(set(versioned.versions))),
    )
    models, languages = (len(session.groupings[g].names) for g in ("model", "language"))
    cells = session.groupings["model"].codes * languages + session.groupings["language"].codes
    whole = np.zeros(len(session.attempt_ids), dtype=np.int64)
    return replace(
        session,
        tallies={stage: StageTally.of(c.auto, cells, models, languages) for stage, c in session.stages.items()},
        version_tallies={
            version: {stage: StageTally.of(c.auto, whole, 1, 1) for stage, c in columns.items()}
            for version, columns in session.versions.items()
        },
        scored_stages=frozenset(stage for stage, c in session.stages.items() if np.isfinite(c.score).any()),
    )


def _arrange(
    attempts: AttemptColumns,
    verdicts: VerdictColumns,
    versioned: VerdictColumns,
    judgements: LabelColumns,
    adjudications: Sequence[Adjudication],
    names: tuple[str, ...],
    group_names: tuple[tuple[str, ...], tuple[str, ...]],
    run_names: tuple[str, ...],
) -> PreparedSession:
    """The attempts given as arrays (without the population's counts): `names` are the stages, `group_names`
    the models and languages and `run_names` the pipeline runs to code against."""
    attempt_ids = tuple(attempts.attempt_ids)
    index = _Codes(zip(attempt_ids, range(len(attempt_ids))))
    groupings = {
        "model": _grouping(attempts.models, group_names[0]),
        "language": _grouping(attempts.languages, group_names[1]),
    }
    stage_index = _Codes((name, s) for s, name in enumerate(names))
    stages = _stage_columns(*_verdict_codes(verdicts, index, stage_index), len(index), names)

    # every run's verdicts are coded once, then cut by run
    (rows, stage_codes, outcomes, scores), runs = (
        _verdict_codes(versioned, index, stage_index),
        _grouping(versioned.versions, run_names),
    )
    version_columns: dict[str, dict[str, StageColumns]] = {}
    for r, name in enumerate(runs.names):
        cut = runs.codes == r
        version_columns[name] = _stage_columns(
            rows[cut], stage_codes[cut], outcomes[cut], scores[cut], len(index), names
        )

    reviewers = tuple(sorted(set(judgements.reviewers)))
    labels, saw, touched = _label_cube(judgements, index, reviewers, stage_index)
    adjudicated = np.full((len(names), len(index)), NONE, dtype=np.int8)
    for adjudication in adjudications:
        i, s = index.get(adjudication.attempt_id), stage_index.get(adjudication.stage)
        if i is not None and s is not None:
            adjudicated[s, i] = _CODES.get(adjudication.label, NONE)
            touched[s].add(i)
    humans: dict[str, HumanColumns] = {}
    anchoring: dict[str, dict[str, HumanColumns]] = {"blind": {}, "saw_verdicts": {}}
    no_adjudication = np.full(len(index), NONE, dtype=np.int8)
    for s, stage in enumerate(names):
        # only attempts someone labelled or settled can have a consensus: a few percent of a large study
        candidates = np.array(sorted(touched[s]), dtype=np.int64)
        humans[stage] = _human_columns(labels[s], adjudicated[s], candidates)
        # auditors always see the verdicts, so the anchoring split leaves adjudications out
        anchoring["blind"][stage] = _human_columns(np.where(saw[s], NONE, labels[s]), no_adjudication, candidates)
        anchoring["saw_verdicts"][stage] = _human_columns(
            np.where(saw[s], labels[s], NONE), no_adjudication, candidates
        )
    return PreparedSession(attempt_ids, groupings, stages, humans, anchoring, version_columns, reviewers, names)


def load_session(
    store: Store,
    source: str | None = None,
    versions: bool = False,
    judgements: LabelColumns | None = None,
    plan: str | None = None,
) -> PreparedSession:
    """The session as `prepare(load_input(store, source, versions))` gives it, with the same figures, read the
    way a BARE-sized session allows: SQLite counts each stage's verdicts over the population (grouped by
    model and language, or by run), and only the attempts people labelled or settled (a few thousand of
    243,732) are read as rows and lined up. The counting runs on a connection of its own in a second thread
    while this one reads the labels (SQLite lets go of the interpreter while it counts). `judgements`: the
    labels in force, when the caller has read them already. `plan`: a plan whose population `load_plan` will
    need, counted in the same pass over the attempts (a plan that does not exist is load_plan's to report)."""
    if plan is not None and store.plan(plan) is None:
        plan = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        counting = pool.submit(_count_population, store.path, source, versions, plan)
        with collector_paused():
            if judgements is None:
                judgements = LabelColumns.in_force(store)
            adjudications = store.adjudications(current_only=True)
            labelled = {*judgements.attempt_ids, *(a.attempt_id for a in adjudications)}
            groups = store.attempt_groups_of(labelled)
            chosen = store.counted_verdicts_of(groups.attempt_ids, source)
            runs = store.run_verdicts_of(groups.attempt_ids, source) if versions else None
        population = counting.result()
    names = session_stages(population.stages, judgements.stages, [a.stage for a in adjudications])
    models, languages = population.models, population.languages
    session = _arrange(
        AttemptColumns(groups.attempt_ids, groups.models, groups.languages),
        VerdictColumns(chosen.attempt_ids, chosen.stages, chosen.outcomes, chosen.scores),
        VerdictColumns(runs.attempt_ids, runs.stages, runs.outcomes, runs.scores, runs.runs)
        if runs
        else VerdictColumns.of([]),
        judgements,
        adjudications,
        names,
        (models, languages),
        tuple(sorted(set(population.runs.runs))) if population.runs else (),
    )
    return replace(
        session,
        tallies=_tallies(population.counted, population.stages, names, models, languages),
        version_tallies=_version_tallies(population.runs, population.stages, names) if population.runs else {},
        scored_stages=population.scored & frozenset(names),
        plan_counts=PlanCounts(
            plan,
            source,
            _tallies(population.counted.listed_only(), population.stages, names, models, languages),
            sum(population.counted.listed),
        )
        if plan is not None
        else None,
    )


@dataclass(frozen=True)
class _Population:
    """What SQLite counts over every attempt for load_session."""

    stages: tuple[str, ...]  # the stages of the verdicts counted (the five and overall first), as the tallies
    counted: OutcomeTally  # the verdicts that count (with how often the plan asked for lists each combination)
    runs: OutcomeTally | None  # every run's verdicts, when asked for
    scored: frozenset[str]
    models: tuple[str, ...]
    languages: tuple[str, ...]


def _count_population(path: Path, source: str | None, versions: bool, plan: str | None = None) -> _Population:
    from bare_tui.store import Store

    with Store.open(path, readonly=True) as store:
        stages = session_stages(store.counted_stage_names(source), store.run_stage_names(source) if versions else ())
        present = store.group_names()
        population = _Population(
            stages,
            store.outcome_tally(stages, source, listed_in=plan),
            store.outcome_tally(stages, source, runs=True) if versions else None,
            frozenset(store.scored_stage_names(source)),
            tuple(sorted(set(present.models))),
            tuple(sorted(set(present.languages))),
        )
    # The names come from walking the indexes, the tallies from the tables: on a damaged page the two can disagree
    # without SQLite noticing, and a tally of a name no index has would fail deep in _tallies' arithmetic.
    counted = population.counted
    if not (set(counted.models) <= set(population.models) and set(counted.languages) <= set(population.languages)):
        raise DatabaseFault("the attempts' models or languages read two ways disagree (a damaged page)")
    return population


# Store.outcome_tally's codes as the pass/fail codes of the arrays: absent and other (error, skipped) are NONE
_TALLY_CODES = np.full(4, NONE, dtype=np.int8)
_TALLY_CODES[[TALLY_PASS, TALLY_FAIL]] = PASS, FAIL


def _tally_outcomes(tally: OutcomeTally, names: tuple[str, ...]) -> np.ndarray:
    """combinations x stages outcome codes (1, 0, -1), with overall derived as _stage_columns derives it: where
    a combination has no overall verdict and all five stages decided."""
    words = np.array(tally.words, dtype=np.int64).reshape(len(tally.attempts), -(-len(names) // TALLY_STAGES_PER_WORD))
    stage = np.arange(len(names))
    raw = (words[:, stage // TALLY_STAGES_PER_WORD] >> (2 * (stage % TALLY_STAGES_PER_WORD))) & 3
    auto = _TALLY_CODES[raw]
    overall = _STAGE_INDEX["overall"]
    five = auto[:, [_STAGE_INDEX[stage] for stage in STAGES]]
    derive = (five >= 0).all(axis=1) & (raw[:, overall] == TALLY_ABSENT)
    auto[derive, overall] = (five[derive] == PASS).all(axis=1)
    return auto


def _tallies(
    tally: OutcomeTally,
    counted: tuple[str, ...],
    names: tuple[str, ...],
    models: tuple[str, ...],
    languages: tuple[str, ...],
) -> dict[str, StageTally]:
    """Per stage of `names`, the counted combinations' verdicts (over the stages `counted`, the five and overall
    first) summed per model and language; a stage without verdicts counts none."""
    auto = _tally_outcomes(tally, counted)
    model_code = {name: m for m, name in enumerate(models)}
    language_code = {name: g for g, name in enumerate(languages)}
    cells = np.array(
        [model_code[m] * len(languages) + language_code[g] for m, g in zip(tally.models, tally.languages)],
        dtype=np.int64,
    )
    weights = np.array(tally.attempts, dtype=np.int64)
    size = len(models) * len(languages)
    column = {stage: s for s, stage in enumerate(counted)}

    def summed(mask: np.ndarray) -> np.ndarray:
        counts = np.bincount(cells[mask], weights=weights[mask], minlength=size)[:size]
        return np.rint(counts).astype(np.int64).reshape(len(models), len(languages))

    nothing = np.zeros(len(weights), dtype=bool)
    return {
        stage: StageTally(
            summed(auto[:, column[stage]] >= 0 if stage in column else nothing),
            summed(auto[:, column[stage]] == PASS if stage in column else nothing),
        )
        for stage in names
    }


def _version_tallies(
    tally: OutcomeTally, counted: tuple[str, ...], names: tuple[str, ...]
) -> dict[str, dict[str, StageTally]]:
    """Per run and stage of `names`, the run's verdicts counted over every attempt."""
    auto = _tally_outcomes(tally, counted)
    weights = np.array(tally.attempts, dtype=np.int64)
    runs = np.array(tally.runs, dtype=object)
    column = {stage: s for s, stage in enumerate(counted)}

    def total(mask: np.ndarray) -> np.ndarray:
        return np.array([[int(weights[mask].sum())]], dtype=np.int64)

    out: dict[str, dict[str, StageTally]] = {}
    for run in sorted(set(tally.runs)):
        mine = runs == run
        out[run] = {
            stage: StageTally(
                total(mine & (auto[:, column[stage]] >= 0)), total(mine & (auto[:, column[stage]] == PASS))
            )
            if stage in column
            else StageTally(np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1), dtype=np.int64))
            for stage in names
        }
    return out


def session_stages(*columns: Sequence[str]) -> tuple[str, ...]:
    """The five stages and overall, then every other stage name the columns hold (an external pipeline's
    `tests`, say), by name: the stages figures are computed for. The set is one pass in C over strings whose
    hashes are cached, a fraction of the coding pass that follows."""
    extra = set().union(*(set(column) for column in columns)) - FIELD_INDEX.keys()
    return FIELDS + tuple(sorted(extra, key=stage_order))


def _grouping(values: Sequence[str], names: tuple[str, ...]) -> Grouping:
    """Each value's code into `names`, which holds every value."""
    code = {name: c for c, name in enumerate(names)}
    return Grouping(np.array([code[v] for v in values], dtype=np.int64), names)


def _verdict_codes(
    verdicts: VerdictColumns, index: _Codes, stage_index: _Codes
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each verdict's attempt row, stage index, outcome code and score (NaN without), as arrays."""
    rows = _coded(index, verdicts.attempt_ids, np.int64)
    stages = _coded(stage_index, verdicts.stages, np.int64)
    outcomes = _coded(_CODES, verdicts.outcomes, np.int8)
    scores = np.array(verdicts.scores, dtype=np.float64)  # None becomes NaN
    return rows, stages, outcomes, scores


def _stage_columns(
    rows: np.ndarray,
    stages: np.ndarray,
    outcomes: np.ndarray,
    scores: np.ndarray,
    count: int,
    names: tuple[str, ...] = FIELDS,
) -> dict[str, StageColumns]:
    """Each stage's outcome codes and scores per attempt, from the verdicts' coded arrays (stage codes index
    `names`, which starts with FIELDS)."""
    known = (rows >= 0) & (stages >= 0)
    rows, stages, outcomes, scores = rows[known], stages[known], outcomes[known], scores[known]
    auto = np.full((len(names), count), NONE, dtype=np.int8)
    score = np.full((len(names), count), np.nan)
    auto[stages, rows] = outcomes
    score[stages, rows] = scores
    # overall is success at all five stages (extra stages have no say): derived where no overall verdict was
    # given and all five decided
    overall = _STAGE_INDEX["overall"]
    has_overall = np.zeros(count, dtype=bool)
    has_overall[rows[stages == overall]] = True
    five = auto[[_STAGE_INDEX[stage] for stage in STAGES]]
    derive = (five >= 0).all(axis=0) & ~has_overall
    auto[overall, derive] = (five[:, derive] == PASS).all(axis=0)
    return {stage: StageColumns(auto[s], score[s]) for s, stage in enumerate(names)}


def _label_cube(
    judgements: LabelColumns, index: _Codes, reviewers: tuple[str, ...], stage_index: _Codes = _STAGE_INDEX
) -> tuple[np.ndarray, np.ndarray, list[set[int]]]:
    """stage x attempt x reviewer labels (-1 missing or unsure), whether each was made seeing the verdicts,
    and per stage the attempts that have any judgement."""
    column = {name: r for r, name in enumerate(reviewers)}
    shape = (len(stage_index), len(index), len(reviewers))
    labels = np.full(shape, NONE, dtype=np.int8)
    saw = np.zeros(shape, dtype=bool)
    rows = _coded(index, judgements.attempt_ids, np.int64)
    stages = _coded(stage_index, judgements.stages, np.int64)
    who = np.array([column[r] for r in judgements.reviewers], dtype=np.int64)
    codes = _coded(_CODES, judgements.labels, np.int8)
    seen = np.array(judgements.saw_verdicts, dtype=bool)
    known = (rows >= 0) & (stages >= 0)
    rows, stages, who = rows[known], stages[known], who[known]
    labels[stages, rows, who] = codes[known]
    saw[stages, rows, who] = seen[known]
    touched = [set(rows[stages == s].tolist()) for s in range(len(stage_index))]
    return labels, saw, touched


def _human_columns(labels: np.ndarray, adjudicated: np.ndarray, candidates: np.ndarray) -> HumanColumns:
    """The consensus of each candidate attempt from consensus.py's rule. The rule sees only how many
    reviewers said pass and fail and what an auditor decided, so it is asked once per distinct combination."""
    consensus = np.full(len(labels), NONE, dtype=np.int8)
    rows = labels[candidates]
    passes = (rows == PASS).sum(axis=1)
    fails = (rows == FAIL).sum(axis=1)
    settled = adjudicated[candidates]
    keep = (passes + fails > 0) | (settled >= 0)
    labelled = candidates[keep]
    if len(labelled):
        passes, fails, settled = passes[keep], fails[keep], settled[keep].astype(np.int64)
        radix = int(max(passes.max(), fails.max())) + 1
        keys = (passes * radix + fails) * 3 + (settled + 1)
        unique, inverse = np.unique(keys, return_inverse=True)
        words = {PASS: "pass", FAIL: "fail"}
        decided = np.array(
            [
                _CODES.get(
                    consensus_label(
                        ["pass"] * int(k // 3 // radix) + ["fail"] * int(k // 3 % radix), words.get(int(k % 3) - 1)
                    ),
                    NONE,
                )
                for k in unique.tolist()
            ],
            dtype=np.int8,
        )
        consensus[labelled] = decided[inverse]
    return HumanColumns(labels, consensus, labelled)


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class Options:
    """How rows are computed: groupings beyond `all`, stages, and the bootstrap."""

    by: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()  # empty: every stage the session has (the five, overall, then extra stages)
    replicates: int = 2000
    seed: int = 0
    precision: float | None = None  # the half-width `labels_needed` aims at; None: no such rows
    ppi: bool = True  # the unweighted PPI rows (a plan writes its own instead)


def calibration_rows(session: PreparedSession, options: Options = Options()) -> list[StatRow]:
    """Every figure for the `all` group and each requested grouping, stage by stage, in METRICS order."""
    unknown = [name for name in options.by if name not in GROUPINGS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown[0]!r}; choose from {', '.join(GROUPINGS)}")
    scored = session.scored_stages
    groups: list[tuple[_Figures, str, str, _Slice]] = []
    for stage in stages_for(session, options):  # (reviewer rows come from the judgements themselves: reviewer_rows)
        figures = _Figures(stage, stage in scored, options)
        columns, humans, tally = session.stages[stage], session.humans[stage], session.tallies[stage]
        groups.append((figures, "all", "all", _Slice.whole(tally, columns, humans)))
        for grouping in options.by:
            if grouping in session.groupings:
                for group, part in _Slice.by_group(grouping, session.groupings[grouping], tally, columns, humans):
                    groups.append((figures, grouping, group, part))
            elif grouping == "pipeline_version":
                for version, version_columns in session.versions.items():
                    whole = _Slice.whole(session.version_tallies[version][stage], version_columns[stage], humans)
                    groups.append((figures, grouping, version, whole))
            elif grouping == "anchoring":
                for group in ANCHORING_GROUPS:
                    part = _Slice.whole(tally, columns, session.anchoring[group][stage])
                    groups.append((figures, grouping, group, part))
    return [row for rows in _each(groups) for row in rows]


FIGURE_THREADS = min(4, os.cpu_count() or 1)
"""Threads computing groups' figures side by side. Each group's resampling seeds its own generator, so the
rows are the same whichever thread computes them, and numpy draws the resamples without holding the
interpreter: a BARE study's 400 groups (57 models x 7 stages) take their time mostly there."""

FIGURE_THREAD_WORK = 1_000_000
"""Labelled attempts times resamples, summed over the groups, below which the groups are computed in the calling
thread: a small study's groups take less time than handing them to threads (a property test's hundreds of small
sessions ran in 14-20 s without the threads, 25-26 s with them), and a plan's frame draws no resamples at all."""


def _each(groups: list[tuple[_Figures, str, str, _Slice]]) -> list[list[StatRow]]:
    """Each group's rows, in the groups' order."""

    def rows(group: tuple[_Figures, str, str, _Slice]) -> list[StatRow]:
        figures, group_by, name, part = group
        return figures.rows(group_by, name, part)

    work = sum(len(part.consensus) * figures.options.replicates for figures, _, _, part in groups)
    if FIGURE_THREADS < 2 or len(groups) < 2 or work < FIGURE_THREAD_WORK:
        return [rows(group) for group in groups]
    with ThreadPoolExecutor(max_workers=FIGURE_THREADS) as pool:
        return list(pool.map(rows, groups))


@dataclass(frozen=True)
class _Slice:
    """What one group contributes: its pipeline pass counts over all its attempts, and the arrays of its
    labelled attempts only (a few percent of a BARE-sized study), which is all the agreement figures need."""

    decided: int
    passes: int
    auto: np.ndarray
    score: np.ndarray
    consensus: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, decided: int, passes: int, at: np.ndarray, columns: StageColumns, humans: HumanColumns) -> _Slice:
        return cls(decided, passes, columns.auto[at], columns.score[at], humans.consensus[at], humans.labels[at])

    @classmethod
    def whole(cls, tally: StageTally, columns: StageColumns, humans: HumanColumns) -> _Slice:
        return cls.of(int(tally.decided.sum()), int(tally.passes.sum()), humans.labelled, columns, humans)

    @classmethod
    def by_group(
        cls, by: str, grouping: Grouping, tally: StageTally, columns: StageColumns, humans: HumanColumns
    ) -> list[tuple[str, _Slice]]:
        size = len(grouping.names)
        decided, passes = tally.by(by)
        # the labelled attempts sorted by group, then cut at each group's boundary
        labelled = humans.labelled
        codes = grouping.codes[labelled]
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(size + 1))
        return [
            (name, cls.of(int(decided[g]), int(passes[g]), labelled[order[bounds[g] : bounds[g + 1]]], columns, humans))
            for g, name in enumerate(grouping.names)
        ]


def rows_for_store(store: Store, options: Options = Options(), source: str | None = None) -> list[StatRow]:
    """The stats command's whole job on an open session."""
    return rows_and_sampling_note(store, options, source)[0]


def rows_and_sampling_note(
    store: Store, options: Options = Options(), source: str | None = None
) -> tuple[list[StatRow], str]:
    """The rows, and labelled_sample_kind's sentence on whom they speak for, from one read of the labels."""
    judgements = LabelColumns.in_force(store)
    session = load_session(store, source=source, versions="pipeline_version" in options.by, judgements=judgements)
    rows = calibration_rows(session, options) + _reviewers_for(
        store, replace(options, stages=stages_for(session, options))
    )
    return rows, labelled_sample_kind(store, judgements.attempt_ids)


def stages_for(session: PreparedSession, options: Options) -> tuple[str, ...]:
    """The stages figures are written for: those asked, else every stage the session has. A stage the session
    does not have is a ValueError naming those it has."""
    if not options.stages:
        return session.stage_names
    unknown = [stage for stage in options.stages if stage not in session.stages]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r} (this session has {', '.join(session.stage_names)})")
    return options.stages


def _reviewers_for(store: Store, options: Options) -> list[StatRow]:
    if "reviewer" not in options.by:
        return []
    return reviewer_rows(store.judgements(current_only=True), store.adjudications(current_only=True), options.stages)


def score_curve(session: PreparedSession, stage: str = "maintainability") -> agreement.ThresholdCurve:
    """The 'pass when score >= t' curve of a scored stage against the human consensus, with Youden's best t."""
    return agreement.threshold_curve(session.stages[stage].score, session.humans[stage].consensus)


def confusion(session: PreparedSession, stage: str) -> Confusion:
    """The stage's pipeline verdicts against the human consensus over all attempts (pass = positive)."""
    return Confusion.from_labels(session.stages[stage].auto, session.humans[stage].consensus)


def plan_confusion(session: PreparedSession, plan: PlanDesign, stage: str) -> Confusion:
    """confusion() over the plan's sampled (non-gold) attempts only: the labelled pairs its figures rest on."""
    return Confusion.from_labels(session.stages[stage].auto[plan.rows], session.humans[stage].consensus[plan.rows])


def plan_score_curve(session: PreparedSession, plan: PlanDesign, stage: str = "maintainability") -> ThresholdCurve:
    """score_curve() for the plan's population: its labelled items, each weighing N_h / n_h as the weighted rows
    weigh them (`auc` and `best_threshold` under --plan are this curve's)."""
    rows, reference, sample = _labelled_sample(plan, session.humans[stage])
    return agreement.threshold_curve(session.stages[stage].score[rows], reference, sample.weights)


def _labelled_sample(plan: PlanDesign, humans: HumanColumns) -> tuple[np.ndarray, np.ndarray, StratifiedSample]:
    """The plan's items with a consensus in `humans`: their session rows, their consensus (int64) and their
    design sample (_marked_items)."""
    consensus = humans.consensus[plan.rows]
    labelled = consensus >= 0
    rows, sample = _marked_items(plan, labelled)
    return rows, consensus[labelled].astype(np.int64), sample


def _marked_items(plan: PlanDesign, labelled: np.ndarray) -> tuple[np.ndarray, StratifiedSample]:
    """The plan's items `labelled` marks (booleans over plan.rows): their session rows and their
    survey.StratifiedSample, each weighing N_h / n_h with n_h the stratum's marked items."""
    from bare_tui import survey  # the design's weights, needed only under a plan

    return plan.rows[labelled], survey.StratifiedSample(plan.strata[labelled], plan.population)


def _membership(domains: list[tuple[str, str, np.ndarray]], count: int) -> np.ndarray:
    """The domains' memberships as columns (rows x domains booleans), for `count` labelled rows."""
    return np.column_stack([d for _, _, d in domains]) if count else np.zeros((0, len(domains)), dtype=bool)


@dataclass(frozen=True)
class _Figures:
    stage: str
    scored: bool
    options: Options

    def rows(self, group_by: str, group: str, part: _Slice) -> list[StatRow]:
        out: list[StatRow] = []

        def add(metric: str, n: int, estimate: Interval | float | int | None) -> None:
            if isinstance(estimate, Interval):
                out.append(StatRow(metric, self.stage, group_by, group, n, estimate.value, estimate.low, estimate.high))
            else:
                # counts stay whole numbers in JSON and CSV; everything else passes the NaN guard
                value = estimate if isinstance(estimate, int) else agreement.finite_or_none(estimate)
                out.append(StatRow(metric, self.stage, group_by, group, n, value))

        add("auto_pass_rate", part.decided, agreement.wilson(part.passes, part.decided))
        n_human = int(np.count_nonzero(part.consensus >= 0))
        add("human_pass_rate", n_human, agreement.wilson(int(np.count_nonzero(part.consensus == PASS)), n_human))

        cells = Confusion.from_labels(part.auto, part.consensus)
        pairs = cells.n
        for name in ("tp", "fp", "fn", "tn"):
            add(name, pairs, getattr(cells, name))
        share = agreement.wilson(cells.tp + cells.tn, pairs)
        add("percent_agreement", pairs, share)

        table = cells.table()
        boot = agreement.paired_bootstrap(
            part.auto, part.consensus, part.labels, replicates=self.options.replicates, seed=self.options.seed
        )
        resampled = boot.replicates > 0
        # without resamples kappa has no interval: the asymptotic one collapses to zero width at perfect agreement
        add("cohen_kappa", pairs, boot.cohen_kappa if resampled else Interval(agreement.cohen_kappa(table)))
        add("gwet_ac1", pairs, boot.gwet_ac1 if resampled else Interval(agreement.gwet_ac1(table)))
        if share.value is None or share.low is None or share.high is None:
            add("pabak", pairs, None)
        else:
            # PABAK is 2 po - 1 for two categories, so its interval is the Wilson interval of po, stretched
            add("pabak", pairs, Interval(2 * share.value - 1, 2 * share.low - 1, 2 * share.high - 1))
        add("sensitivity", cells.tp + cells.fn, cells.sensitivity())
        add("specificity", cells.tn + cells.fp, cells.specificity())
        add("ppv", cells.tp + cells.fp, cells.ppv())
        add("npv", cells.tn + cells.fn, cells.npv())
        add("mcc", pairs, boot.mcc if resampled else Interval(cells.mcc()))

        counts = agreement.category_counts(part.labels, 2) if part.labels.shape[1] else np.zeros((len(part.labels), 2))
        per_unit = counts.sum(axis=1)
        alpha = boot.krippendorff_alpha if resampled else Interval(agreement.krippendorff_alpha_from_counts(counts))
        add("krippendorff_alpha", int(np.count_nonzero(per_unit >= 2)), alpha)
        fleiss_units = _equal_rater_units(per_unit)
        add("fleiss_kappa", int(fleiss_units.sum()), agreement.fleiss_kappa(counts[fleiss_units]))

        add(
            "corrected_pass_rate",
            part.decided,
            agreement.lang_reiczigel(
                part.passes, part.decided, cells.tp, cells.tp + cells.fn, cells.tn, cells.tn + cells.fp
            ),
        )
        # under a plan these two are replaced by the design's own, so they are left as placeholders
        ppi = _simple_ppi(part) if self.options.ppi else None
        add("ppi_pass_rate", ppi.n if ppi else 0, ppi.interval if ppi else None)
        if self.options.precision is not None:
            from bare_tui import survey

            needed = survey.labels_needed(self.options.precision, ppi, part.decided) if self.options.ppi else None
            add("labels_needed", ppi.n if ppi else 0, needed)
        if self.scored:
            curve = agreement.threshold_curve(part.score, part.consensus)
            n_scored = curve.positives + curve.negatives
            add("auc", n_scored, curve.auc)
            add("best_threshold", n_scored, curve.best_threshold)
        return out


def _simple_ppi(part: _Slice) -> Any:
    """PPI treating the labelled attempts with a verdict as a simple random sample of the attempts with one
    (what the figures without a plan assume, and the report warns about)."""
    from bare_tui import survey

    both = (part.auto >= 0) & (part.consensus >= 0)
    n = int(both.sum())
    if n == 0 or part.decided <= 0 or n > part.decided:
        return None
    sample = survey.StratifiedSample.simple(n, part.decided)
    labels = survey.PlanLabels(sample, part.auto[both].astype(np.int64), part.consensus[both].astype(np.int64))
    known = survey.Population(np.array([float(part.passes)]), np.array([float(part.decided)]))
    return labels.ppi(known)[0]


def _equal_rater_units(per_unit: np.ndarray) -> np.ndarray:
    """Fleiss' kappa needs the same number of raters on every item: keep the commonest count of two or more
    (the larger count on a tie), so a stray third review does not void the figure."""
    tally = np.bincount(per_unit.astype(np.int64), minlength=2)
    tally[:2] = 0
    if not tally.any():
        return np.zeros(len(per_unit), dtype=bool)
    raters = len(tally) - 1 - int(np.argmax(tally[::-1]))  # the commonest count, the larger on a tie
    return per_unit == raters


# ---------------------------------------------------------------- figures for a plan's population


PLAN_GROUPINGS: tuple[str, ...] = ("model", "language")
"""Groupings whose figures are design-weighted under a plan (domains: they cut across the strata)."""

WEIGHTED_METRICS: frozenset[str] = frozenset(
    {
        "auto_pass_rate",
        "human_pass_rate",
        "tp",
        "fp",
        "fn",
        "tn",
        "percent_agreement",
        "cohen_kappa",
        "gwet_ac1",
        "pabak",
        "sensitivity",
        "specificity",
        "ppv",
        "npv",
        "mcc",
        "corrected_pass_rate",
        "ppi_pass_rate",
        "labels_needed",
        "auc",
        "best_threshold",
        "krippendorff_alpha",
        "fleiss_kappa",
    }
)
"""The rows a plan replaces with design-weighted ones: the pipeline against people for all, each plan grouping
(model, language), each anchoring group and each pipeline version (`_weighted_stage_rows`, the score curve's
`auc` and `best_threshold` among them), and reviewers among themselves, alpha and Fleiss' kappa, for the same
groups (`_weighted_reviewer_rows`)."""


@dataclass(frozen=True)
class PlanDesign:
    """A plan lined up on a prepared session: each sampled (non-gold) attempt's row and stratum code (of the
    attempts the session lines up), each stratum's population N_h, how many attempts were sampled, and each
    stage's verdicts counted over the plan's population (none for a plan imported as lines)."""

    name: str
    rows: np.ndarray  # session row of each sampled attempt lined up
    strata: np.ndarray  # stratum code of each
    population: np.ndarray  # N_h per stratum code
    tallies: dict[str, StageTally]  # stage -> the pipeline's verdicts over the plan's population
    population_size: int  # attempts of the plan's population in the session, as often as the population lists them
    sampled: int  # the plan's sampled (non-gold) attempts in the session, labelled or not
    stratum_names: tuple[str, ...] = ()
    # run -> stage -> that pipeline version's verdicts over the plan's population (when the session was read with
    # every version's verdicts: `--by pipeline_version`)
    version_tallies: dict[str, dict[str, StageTally]] = field(default_factory=dict)


def load_plan(store: Store, name: str, session: PreparedSession, source: str | None = None) -> PlanDesign:
    """Read a plan's design for a session from `load_session` (or `prepare`): the sample's items, and its
    population counted by SQLite (in load_session's own pass when it was given this plan and source).
    ValueError when there is no such plan."""
    strata, names, items = _plan_sample(store, name)
    index = {attempt_id: i for i, attempt_id in enumerate(session.attempt_ids)}
    code = {s: h for h, s in enumerate(names)}
    lined_up = [item for item in items if item.attempt_id in index]
    # the sampled attempts nobody labelled are not lined up, but they count as the plan's size
    missing = set(store.missing_attempt_ids(item.attempt_id for item in items if item.attempt_id not in index))
    counted = session.plan_counts
    if counted is None or (counted.plan, counted.source) != (name, source):
        tally = store.outcome_tally(session.stage_names, source, plan=name)
        models, languages = session.groupings["model"].names, session.groupings["language"].names
        tallies = _tallies(tally, session.stage_names, session.stage_names, models, languages)
        counted = PlanCounts(name, source, tallies, sum(tally.attempts))
    versions: dict[str, dict[str, StageTally]] = {}
    if session.versions:
        runs = store.outcome_tally(session.stage_names, source, runs=True, plan=name)
        versions = _version_tallies(runs, session.stage_names, session.stage_names)
    return PlanDesign(
        name=name,
        rows=np.array([index[item.attempt_id] for item in lined_up], dtype=np.int64),
        strata=np.array([code[item.stratum] for item in lined_up], dtype=np.int64),
        population=np.array([float(s.population) for s in strata]),
        tallies=counted.tallies,
        population_size=counted.size,
        sampled=sum(1 for item in items if item.attempt_id not in missing),
        stratum_names=names,
        version_tallies=versions,
    )


def load_plan_in_memory(store: Store, name: str, session: PreparedSession) -> PlanDesign:
    """load_plan for a session from `prepare`, which lines up every attempt: the population counted from its
    arrays. The reference `load_plan` is checked against (tests/unit/test_stats_store.py)."""
    strata, names, items = _plan_sample(store, name)
    code = {s: h for h, s in enumerate(names)}
    index = {attempt_id: i for i, attempt_id in enumerate(session.attempt_ids)}
    lined_up = [item for item in items if item.attempt_id in index]
    population = store.plan_population(name)
    population_rows = np.array([index[a] for a in population.attempt_ids if a in index], dtype=np.int64)
    models, languages = (len(session.groupings[g].names) for g in ("model", "language"))
    cells = (session.groupings["model"].codes * languages + session.groupings["language"].codes)[population_rows]
    return PlanDesign(
        name=name,
        rows=np.array([index[item.attempt_id] for item in lined_up], dtype=np.int64),
        strata=np.array([code[item.stratum] for item in lined_up], dtype=np.int64),
        population=np.array([float(s.population) for s in strata]),
        tallies={
            stage: StageTally.of(columns.auto[population_rows], cells, models, languages)
            for stage, columns in session.stages.items()
        },
        population_size=len(population_rows),
        sampled=len(lined_up),
        stratum_names=names,
        version_tallies={
            version: {
                stage: StageTally.of(columns.auto[population_rows], np.zeros(len(population_rows), np.int64), 1, 1)
                for stage, columns in stages.items()
            }
            for version, stages in session.versions.items()
        },
    )


def _plan_sample(store: Store, name: str) -> tuple[list[Any], tuple[str, ...], list[Any]]:
    """A plan's strata, their names and its sampled (non-gold) items; ValueError naming the plans there are."""
    if store.plan(name) is None:
        known = ", ".join(p.name for p in store.plans()) or "none"
        raise ValueError(f"no plan named {name!r} in this session (plans: {known})")
    strata = store.plan_strata(name)
    return strata, tuple(s.stratum for s in strata), [item for item in store.plan_items(name) if not item.gold]


def plan_rows(session: PreparedSession, plan: PlanDesign, options: Options = Options()) -> list[StatRow]:
    """Every figure speaking for the plan's population: the design-weighted rows of WEIGHTED_METRICS (the score
    curve's `auc` and `best_threshold`, alpha and Fleiss' kappa among them), `ppi_pass_rate` per all / model /
    language / anchoring group / pipeline version and, with a precision, `labels_needed`. The labelled items' own
    rows (calibration_rows of the plan's items) are the frame the weighted rows replace, one for one: every
    row of it, or a RuntimeError."""
    in_plan = np.zeros(len(session.attempt_ids), dtype=bool)
    in_plan[plan.rows] = True
    # The frame says which rows there are and in what order (auc where a stage is scored, labels_needed with a
    # precision, the groups of each grouping); each is replaced by its weighted figure, so it is computed without
    # resamples, which were all thrown away: at BARE scale with all four groupings (bench/stats_plan.py) the figures'
    # CPU fell from 5.7-6.6 s to 3.6-4.0 s (old and new alternately, 3 pairs).
    frame = calibration_rows(_restricted_to(session, in_plan), replace(options, ppi=False, replicates=0))
    weighted = {
        (row.metric, row.stage, row.group_by, row.group): row
        for stage in stages_for(session, options)
        for rows in (_weighted_stage_rows, _weighted_reviewer_rows)
        for row in rows(session, plan, stage, options)
    }
    out = []
    for row in frame:
        key = (row.metric, row.stage, row.group_by, row.group)
        if key not in weighted:  # an unweighted figure must never pass for the plan's
            raise RuntimeError(f"no design-weighted figure for {' / '.join(key)} under plan {plan.name!r}")
        out.append(weighted[key])
    return out


def _restricted_to(session: PreparedSession, keep: np.ndarray) -> PreparedSession:
    """The session with human labels only on the kept attempts (the plan's sampled, non-gold items)."""

    def cut(humans: HumanColumns) -> HumanColumns:
        labels = np.where(keep[:, None], humans.labels, NONE).astype(np.int8)
        consensus = np.where(keep, humans.consensus, NONE).astype(np.int8)
        return HumanColumns(labels, consensus, humans.labelled[keep[humans.labelled]])

    return replace(
        session,
        humans={stage: cut(h) for stage, h in session.humans.items()},
        anchoring={
            group: {stage: cut(h) for stage, h in stages.items()} for group, stages in session.anchoring.items()
        },
    )


def _domains(session: PreparedSession, rows: np.ndarray, by: tuple[str, ...]) -> list[tuple[str, str, np.ndarray]]:
    """(group_by, group, membership of each given row) for all and each requested plan grouping."""
    out = [("all", "all", np.ones(len(rows), dtype=bool))]
    for grouping in by:
        if grouping in PLAN_GROUPINGS:
            codes = session.groupings[grouping]
            for g, name in enumerate(codes.names):
                out.append((grouping, name, codes.codes[rows] == g))
    return out


def _domain_counts(tally: StageTally, by: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The pipeline's passes and decided attempts of the plan's population for all and each plan grouping's
    groups, in `_domains`' order."""
    passes, sizes = [float(tally.passes.sum())], [float(tally.decided.sum())]
    for grouping in by:
        if grouping in PLAN_GROUPINGS:
            decided, passed = tally.by(grouping)
            passes += passed.astype(float).tolist()
            sizes += decided.astype(float).tolist()
    return np.array(passes), np.array(sizes)


def _weighted_stage_rows(session: PreparedSession, plan: PlanDesign, stage: str, options: Options) -> list[StatRow]:
    """A stage's design-weighted rows: all and the plan groupings (domains of one estimate), then each anchoring
    group (the labels given blind, or after seeing the verdicts, against the same verdicts) and each pipeline
    version (its verdicts against the same labels), which differ in what is compared, not in who."""
    columns, humans = session.stages[stage], session.humans[stage]
    scored = stage in session.scored_stages
    out = _weighted_rows(
        stage,
        plan,
        columns,
        humans,
        lambda rows: _domains(session, rows, options.by),
        _domain_counts(plan.tallies[stage], options.by),
        options,
        scored,
    )
    for grouping in options.by:
        if grouping == "anchoring":
            everything = _domain_counts(plan.tallies[stage], ())
            for group in ANCHORING_GROUPS:
                anchored = session.anchoring[group][stage]
                out += _weighted_rows(
                    stage, plan, columns, anchored, _whole(grouping, group), everything, options, scored
                )
        elif grouping == "pipeline_version":
            for version, version_columns in session.versions.items():
                tally = plan.version_tallies.get(version, {}).get(stage)
                known = _domain_counts(tally, ()) if tally is not None else (np.zeros(1), np.zeros(1))
                out += _weighted_rows(
                    stage, plan, version_columns[stage], humans, _whole(grouping, version), known, options, scored
                )
    return out


def _whole(group_by: str, group: str) -> Callable[[np.ndarray], list[tuple[str, str, np.ndarray]]]:
    """The domains of a comparison that is one group whole (an anchoring group, a pipeline version): every
    labelled row, under that group's name."""
    return lambda rows: [(group_by, group, np.ones(len(rows), dtype=bool))]


def _weighted_rows(
    stage: str,
    plan: PlanDesign,
    columns: StageColumns,
    humans: HumanColumns,
    domains_of: Callable[[np.ndarray], list[tuple[str, str, np.ndarray]]],
    population: tuple[np.ndarray, np.ndarray],
    options: Options,
    scored: bool,
) -> list[StatRow]:
    """The design-weighted rows of one comparison: the pipeline verdicts `columns` against the human consensus
    `humans` on the plan's labelled items, for each domain `domains_of` cuts from them (group_by, group,
    membership of each labelled row); `population`: the pipeline's passes and decided attempts of the plan's
    population in each domain, in the same order; `scored`: whether the stage has a score curve (auc and
    best_threshold)."""
    from bare_tui import survey  # the design-based estimators, needed only under a plan

    rows, reference, sample = _labelled_sample(plan, humans)
    decision = columns.auto[rows].astype(np.int64)
    domains = domains_of(rows)
    labels = survey.PlanLabels(sample, decision, reference, _membership(domains, len(rows)))

    # the pipeline's verdicts over the plan's population, per domain: PPI's known part
    known = survey.Population(*population)
    pass_rates = labels.pass_rate()
    ratios = labels.confusion_ratios()
    tables = labels.confusion()
    ppis = labels.ppi(known) if plan.population_size else [None] * len(domains)
    out: list[StatRow] = []
    for j, (group_by, group, _) in enumerate(domains):

        def add(metric: str, n: int, interval: Interval, group_by: str = group_by, group: str = group) -> None:
            out.append(StatRow(metric, stage, group_by, group, n, interval.value, interval.low, interval.high))

        # the pipeline's own pass rate is counted, not estimated: over the plan's population (its --where), which a
        # session's other attempts are not part of; unknown (empty) for a plan whose population is not listed here
        decided, passed = int(known.domain_sizes[j]), int(known.domain_passes[j])
        add("auto_pass_rate", decided, agreement.wilson(passed, decided))
        human = pass_rates[j]
        add("human_pass_rate", human.n, survey.wilson_effective(human))
        table = tables[j]
        for cell, name in ((3, "tp"), (1, "fp"), (2, "fn"), (0, "tn")):
            add(name, table.pairs, table.count(cell))
        agreement_share = survey.wilson_effective(ratios["percent_agreement"][j])
        add("percent_agreement", table.pairs, agreement_share)
        kappa, ac1, mcc = agreement.table_intervals(
            table.proportions(), table.effective, replicates=options.replicates, seed=options.seed
        )
        add("cohen_kappa", table.pairs, kappa)
        add("gwet_ac1", table.pairs, ac1)
        share, low, high = agreement_share.value, agreement_share.low, agreement_share.high
        add(
            "pabak",
            table.pairs,
            Interval(
                None if share is None else 2 * share - 1,
                None if low is None else 2 * low - 1,
                None if high is None else 2 * high - 1,
            ),
        )
        for name in ("sensitivity", "specificity", "ppv", "npv"):
            estimate = ratios[name][j]
            add(name, estimate.n, survey.wilson_effective(estimate))
        add("mcc", table.pairs, mcc)
        sens, spec = ratios["sensitivity"][j], ratios["specificity"][j]
        corrected = Interval(None)
        if sens.value is not None and spec.value is not None and known.domain_sizes[j] > 0:
            # Lang-Reiczigel with the error rates' effective sample sizes in place of their counts
            n_sens, n_spec = _effective(sens), _effective(spec)
            corrected = agreement.lang_reiczigel(
                int(known.domain_passes[j]),
                int(known.domain_sizes[j]),
                sens.value * n_sens,
                n_sens,
                spec.value * n_spec,
                n_spec,
            )
        add("corrected_pass_rate", int(known.domain_sizes[j]), corrected)
        ppi = ppis[j]
        add("ppi_pass_rate", ppi.n if ppi else 0, ppi.interval if ppi else Interval(None))
        if options.precision is not None:
            needed = survey.labels_needed(options.precision, ppi, float(known.domain_sizes[j])) if ppi else None
            out.append(StatRow("labels_needed", stage, group_by, group, ppi.n if ppi else 0, needed))
    if scored:
        # the score curve of the labelled items with a score, each weighing N_h / n_h (n_h the stratum's items
        # with a consensus here, as every weighted row counts them), so a (pass, fail) pair weighs the product of
        # its items' weights; n is the scored labelled items behind the figure; no interval, as without a plan
        weights, scores = sample.weights, columns.score[rows]
        for group_by, group, member in domains:
            curve = agreement.threshold_curve(scores[member], reference[member], weights[member])
            n = curve.positives + curve.negatives
            out.append(StatRow("auc", stage, group_by, group, n, curve.auc))
            out.append(StatRow("best_threshold", stage, group_by, group, n, curve.best_threshold))
    return out


def _weighted_reviewer_rows(session: PreparedSession, plan: PlanDesign, stage: str, options: Options) -> list[StatRow]:
    """Krippendorff's alpha and Fleiss' kappa among the reviewers of the plan's labelled items, for all and each
    plan grouping, each item weighing N_h / n_h: n_h counts the stratum's sampled items with a reviewer's pass
    or fail label (an item whose two reviewers disagree has no consensus, but it is labelled, and alpha needs
    it), the weighting-class adjustment the other figures make for items not labelled yet. Items with fewer
    than two labels add nothing to alpha but are resampled with the rest: a plan's second labels are its
    overlap share, a subsample of its items, and how many a resample holds is part of alpha's uncertainty.
    n is the count of items behind each figure, as without a plan; Fleiss keeps no interval, as without one.
    Each anchoring group's are its own labels' (those given blind, or after seeing the verdicts); a pipeline
    version's are the whole's, as without a plan (the reviewers are the same whichever verdicts are compared)."""
    whole = _reviewer_rows_weighted(
        stage, plan, session.humans[stage], lambda rows: _domains(session, rows, options.by), options
    )
    out = list(whole)
    for grouping in options.by:
        if grouping == "anchoring":
            for group in ANCHORING_GROUPS:
                anchored = session.anchoring[group][stage]
                out += _reviewer_rows_weighted(stage, plan, anchored, _whole(grouping, group), options)
        elif grouping == "pipeline_version":
            everything = [row for row in whole if (row.group_by, row.group) == ("all", "all")]
            out += [replace(row, group_by=grouping, group=v) for v in session.versions for row in everything]
    return out


def _reviewer_rows_weighted(
    stage: str,
    plan: PlanDesign,
    humans: HumanColumns,
    domains_of: Callable[[np.ndarray], list[tuple[str, str, np.ndarray]]],
    options: Options,
) -> list[StatRow]:
    """_weighted_reviewer_rows of one set of labels, for each domain `domains_of` cuts from the labelled rows."""
    from bare_tui import survey  # the design-based estimators, needed only under a plan

    labels = humans.labels[plan.rows]
    counts = agreement.category_counts(labels, 2) if labels.shape[1] else np.zeros((len(plan.rows), 2))
    labelled = counts.sum(axis=1) > 0
    rows, sample = _marked_items(plan, labelled)
    counts = counts[labelled]
    domains = domains_of(rows)
    members = _membership(domains, len(rows))
    alphas = survey.weighted_alpha(counts, sample, members, replicates=options.replicates, seed=options.seed)
    per_unit, weights = counts.sum(axis=1), sample.weights
    out: list[StatRow] = []
    for (group_by, group, member), alpha in zip(domains, alphas):
        pairable = int(np.count_nonzero(per_unit[member] >= 2))
        out.append(StatRow("krippendorff_alpha", stage, group_by, group, pairable, alpha.value, alpha.low, alpha.high))
        equal = _equal_rater_units(per_unit[member])
        kappa = agreement.fleiss_kappa(counts[member][equal], weights[member][equal])
        out.append(StatRow("fleiss_kappa", stage, group_by, group, int(equal.sum()), kappa))
    return out


def _effective(estimate: Any) -> float:
    """Kish's effective sample size of a design-weighted proportion (its labelled count where undefined)."""
    p = estimate.smoothed if estimate.smoothed is not None else estimate.value
    if estimate.variance and 0 < p < 1:
        return float(p * (1 - p) / estimate.variance)
    return float(estimate.n)


def plan_rows_for_store(
    store: Store, plan: str, options: Options = Options(), source: str | None = None
) -> list[StatRow]:
    """`stats --plan`: the session's figures for the plan's population; ValueError naming a missing plan."""
    session = load_session(store, source=source, versions="pipeline_version" in options.by, plan=plan)
    reviewers = _reviewers_for(store, replace(options, stages=stages_for(session, options)))
    return plan_rows(session, load_plan(store, plan, session, source), options) + reviewers


def mixed_pipelines_note(store: Store) -> str | None:
    """DESIGN.md's default counts bare-tui's own verdicts where an attempt has them, else the one imported
    source's. With two imported sources or more the verdict that counts is each attempt-stage's newest, whichever
    pipeline wrote it: the figures then mix pipelines, which the stats command (on stderr) and the statistics
    screen say in these words, with how to count one. None when one pipeline counts."""
    imported = [source for source in store.counted_sources() if source != OWN_SOURCE]
    if len(imported) < 2:
        return None
    return (
        f"the verdicts that count come from {len(imported)} imported sources ({', '.join(imported)}), each "
        "attempt-stage's newest: the figures mix their pipelines; stats --source NAME counts one source's"
    )


def labelled_sample_kind(store: Store, labelled: Iterable[str] | None = None) -> str:
    """One sentence on what the labelled attempts are, for figures made without a plan: they describe those
    attempts only, and are not known to be a random sample of anything (an import-order prefix, or attempts
    picked from the audit list, is the common case and is named). `labelled`: the attempts of the labels in
    force, when the caller has them."""
    if labelled is None:
        labelled = store.label_columns_in_force().attempt_ids
    positions = store.import_positions(labelled)
    adjudicated = {a.attempt_id for a in store.adjudications(current_only=True)}
    total, count = positions.total, positions.found
    base = "Without a plan these figures describe the labelled attempts only, not the session's population."
    if count == 0:
        return base + " No attempt is labelled yet."
    if count == total:
        return "Every attempt of the session is labelled: the figures describe the whole session."
    notes = []
    if positions.last is not None and positions.last < count + max(2, count // 10):
        notes.append(f"the {count} labelled attempts are the first in import order (a prefix), not a random sample")
    if adjudicated:
        notes.append(f"{len(adjudicated)} attempts were settled from the audit list, which over-represents disputes")
    if not notes:
        notes.append(f"the {count} labelled attempts of {total} are not known to be a random sample")
    return base + " Warning: " + "; ".join(notes) + ". Draw a plan (`bare-tui plan`) and use `stats --plan`."


# ---------------------------------------------------------------- reviewers measured


def reviewer_rows(
    judgements: Sequence[Judgement], adjudications: Sequence[Adjudication], stages: Sequence[str] = ()
) -> list[StatRow]:
    """`--by reviewer`: per reviewer and stage, `reviewer_accuracy` (their labels against the auditors'
    adjudications, gold items included: an adjudicated attempt is what a gold item is), `reviewer_agreement`
    (with the strict majority of the other reviewers' labels of the same attempt-stage) with Wilson intervals,
    and `seconds_per_attempt` (the median time from opening an attempt to saving it, stage `overall`)."""
    from datetime import datetime
    from statistics import median

    stages = stages or session_stages([j.stage for j in judgements], [a.stage for a in adjudications])

    def word(label: object) -> str:
        return str(getattr(label, "value", label))  # a Label member or its plain value

    settled = {(a.attempt_id, a.stage): word(a.label) for a in adjudications if word(a.label) in ("pass", "fail")}
    given: dict[tuple[str, str], dict[str, str]] = {}
    spans: dict[str, dict[str, list[float]]] = {}
    for j in judgements:
        label = word(j.label)
        if label in ("pass", "fail"):
            given.setdefault((j.attempt_id, j.stage), {})[j.reviewer] = label
        if j.opened_at and j.saved_at:
            try:
                opened = datetime.fromisoformat(j.opened_at)
                saved = datetime.fromisoformat(j.saved_at)
            except ValueError:
                continue
            times = spans.setdefault(j.reviewer, {}).setdefault(j.attempt_id, [])
            times += [opened.timestamp(), saved.timestamp()]
    reviewers = sorted({j.reviewer for j in judgements})
    rows: list[StatRow] = []
    for reviewer in reviewers:
        for stage in stages:
            right = compared = agree = paired = 0
            for (attempt_id, label_stage), labels in given.items():
                if label_stage != stage or reviewer not in labels:
                    continue
                own = labels[reviewer]
                if (attempt_id, stage) in settled:
                    compared += 1
                    right += own == settled[(attempt_id, stage)]
                others = [v for r, v in labels.items() if r != reviewer]
                passes = others.count("pass")
                if others and passes * 2 != len(others):
                    paired += 1
                    agree += own == ("pass" if passes * 2 > len(others) else "fail")
            accuracy, agreement_ = agreement.wilson(right, compared), agreement.wilson(agree, paired)
            rows.append(
                StatRow(
                    "reviewer_accuracy",
                    stage,
                    "reviewer",
                    reviewer,
                    compared,
                    accuracy.value,
                    accuracy.low,
                    accuracy.high,
                )
            )
            rows.append(
                StatRow(
                    "reviewer_agreement",
                    stage,
                    "reviewer",
                    reviewer,
                    paired,
                    agreement_.value,
                    agreement_.low,
                    agreement_.high,
                )
            )
        durations = [max(t) - min(t) for t in spans.get(reviewer, {}).values()]
        rows.append(
            StatRow(
                "seconds_per_attempt",
                "overall",
                "reviewer",
                reviewer,
                len(durations),
                float(median(durations)) if durations else None,
            )
        )
    return rows
