"""Turns a session's verdicts and judgements into DESIGN.md's tidy statistics rows; the math is agreement.py's.

Gathering (from a Store, or plain records in tests) is separate from computing: `load_input` reads what the
figures need, `prepare` lines it up as label arrays per stage, and `calibration_rows` writes one row per
figure: metric, stage, group_by, group, n, value, ci_low, ci_high.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bare_tui import agreement
from bare_tui.agreement import Confusion, Interval
from bare_tui.consensus import consensus_label
from bare_tui.model import FIELDS, STAGES, Adjudication, AttemptSummary, Judgement, Outcome, Verdict

if TYPE_CHECKING:
    from bare_tui.store import Store

PASS, FAIL, NONE = 1, 0, -1

GROUPINGS: tuple[str, ...] = ("model", "language", "pipeline_version", "anchoring")
"""What `--by` accepts. `anchoring` splits judgements into those made blind and those made with the
automated verdicts visible (groups `blind` and `saw_verdicts`), so a team sees whether showing verdicts
bends its reviewers; adjudications are left out of that split because auditors always see the verdicts."""

ANCHORING_GROUPS: tuple[str, ...] = ("blind", "saw_verdicts")

METRICS: tuple[str, ...] = (
    "auto_pass_rate", "human_pass_rate", "tp", "fp", "fn", "tn", "percent_agreement", "cohen_kappa",
    "gwet_ac1", "pabak", "sensitivity", "specificity", "ppv", "npv", "mcc", "krippendorff_alpha",
    "fleiss_kappa", "corrected_pass_rate", "auc", "best_threshold",
)  # fmt: skip
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
class CalibrationInput:
    """Everything the figures are computed from, as plain records (a Store gives them; so can a test)."""

    attempts: Sequence[AttemptSummary]
    verdicts: Sequence[Verdict]  # the verdict chosen for each attempt-stage (DESIGN's default-source rule)
    judgements: Sequence[Judgement]  # each reviewer's current label per attempt-stage
    adjudications: Sequence[Adjudication] = ()
    versioned_verdicts: Sequence[Verdict] = ()  # every pipeline version's verdicts, for --by pipeline_version


def load_input(store: "Store", source: str | None = None, versions: bool = False) -> CalibrationInput:
    """Read what the statistics need from a session; `versions` also reads every pipeline version's verdicts."""
    chosen = store.current_verdicts(source=source)
    return CalibrationInput(
        attempts=store.attempt_summaries(),
        verdicts=list(chosen.values()),
        judgements=store.judgements(current_only=True),
        adjudications=store.adjudications(current_only=True),
        versioned_verdicts=store.verdicts(source=source) if versions else (),
    )


@dataclass(frozen=True)
class StageColumns:
    """One stage's figures lined up on the session's attempts (index i is attempt i)."""

    auto: np.ndarray  # int8: 1 pass, 0 fail, -1 no pass/fail verdict (none, error, skipped)
    score: np.ndarray  # float64, NaN without a score


@dataclass(frozen=True)
class HumanColumns:
    """One stage's human labels lined up on attempts: reviewers x attempts matrix and the consensus."""

    labels: np.ndarray  # int8, attempts x reviewers: 1 pass, 0 fail, -1 missing or unsure
    consensus: np.ndarray  # int8: 1, 0, -1 no consensus


@dataclass(frozen=True)
class PreparedSession:
    """A session as arrays: grouping keys per attempt, verdict columns and human columns per stage."""

    attempt_ids: tuple[str, ...]
    keys: dict[str, np.ndarray]  # "model" / "language" -> object array of each attempt's value
    stages: dict[str, StageColumns]
    humans: dict[str, HumanColumns]
    anchoring: dict[str, dict[str, HumanColumns]]  # "blind" / "saw_verdicts" -> stage -> columns
    versions: dict[str, dict[str, StageColumns]] = field(default_factory=dict)  # version -> stage -> columns
    reviewers: tuple[str, ...] = ()

    @property
    def scored_stages(self) -> frozenset[str]:
        return frozenset(stage for stage, columns in self.stages.items() if np.isfinite(columns.score).any())


def prepare(data: CalibrationInput) -> PreparedSession:
    """Line the records up as arrays, computing each attempt-stage's consensus with consensus.py's rule."""
    attempt_ids = tuple(a.attempt_id for a in data.attempts)
    index = {attempt_id: i for i, attempt_id in enumerate(attempt_ids)}
    count = len(attempt_ids)
    keys = {
        "model": np.array([a.model for a in data.attempts], dtype=object),
        "language": np.array([a.language for a in data.attempts], dtype=object),
    }
    stages = _verdict_columns(data.verdicts, index, count)

    versions: dict[str, list[Verdict]] = defaultdict(list)
    for verdict in data.versioned_verdicts:
        versions[verdict.pipeline_version or verdict.source].append(verdict)
    version_columns = {name: _verdict_columns(rows, index, count) for name, rows in sorted(versions.items())}

    reviewers = tuple(sorted({j.reviewer for j in data.judgements}))
    adjudicated = {(a.attempt_id, a.stage): a.label.value for a in data.adjudications}
    humans = _human_columns(data.judgements, adjudicated, index, count, reviewers)
    anchoring = {
        "blind": _human_columns([j for j in data.judgements if not j.saw_verdicts], {}, index, count, reviewers),
        "saw_verdicts": _human_columns([j for j in data.judgements if j.saw_verdicts], {}, index, count, reviewers),
    }
    return PreparedSession(attempt_ids, keys, stages, humans, anchoring, version_columns, reviewers)


def _verdict_columns(verdicts: Iterable[Verdict], index: dict[str, int], count: int) -> dict[str, StageColumns]:
    auto = {stage: np.full(count, NONE, dtype=np.int8) for stage in FIELDS}
    score = {stage: np.full(count, np.nan) for stage in FIELDS}
    has_overall = np.zeros(count, dtype=bool)
    codes = {Outcome.PASS: PASS, Outcome.FAIL: FAIL}
    for verdict in verdicts:
        i = index.get(verdict.attempt_id)
        if i is None or verdict.stage not in auto:
            continue
        auto[verdict.stage][i] = codes.get(Outcome(verdict.outcome), NONE)
        if verdict.score is not None:
            score[verdict.stage][i] = verdict.score
        if verdict.stage == "overall":
            has_overall[i] = True
    # overall is success at all five stages: derived where no overall verdict was given and all five decided
    five = np.stack([auto[stage] for stage in STAGES])
    decided = (five >= 0).all(axis=0) & ~has_overall
    auto["overall"][decided] = (five[:, decided] == PASS).all(axis=0).astype(np.int8)
    return {stage: StageColumns(auto[stage], score[stage]) for stage in FIELDS}


def _human_columns(
    judgements: Iterable[Judgement],
    adjudicated: dict[tuple[str, str], str],
    index: dict[str, int],
    count: int,
    reviewers: tuple[str, ...],
) -> dict[str, HumanColumns]:
    column = {name: j for j, name in enumerate(reviewers)}
    labels = {stage: np.full((count, len(reviewers)), NONE, dtype=np.int8) for stage in FIELDS}
    given: dict[tuple[str, str], list[str]] = defaultdict(list)  # (attempt_id, stage) -> labels
    codes = {"pass": PASS, "fail": FAIL}
    for judgement in judgements:
        i = index.get(judgement.attempt_id)
        if i is None or judgement.stage not in labels:
            continue
        label = judgement.label.value
        labels[judgement.stage][i, column[judgement.reviewer]] = codes.get(label, NONE)
        given[(judgement.attempt_id, judgement.stage)].append(label)
    consensus = {stage: np.full(count, NONE, dtype=np.int8) for stage in FIELDS}
    for key in set(given) | set(adjudicated):
        attempt_id, stage = key
        i = index.get(attempt_id)
        if i is None or stage not in consensus:
            continue
        decided = consensus_label(given.get(key, ()), adjudicated.get(key))
        consensus[stage][i] = codes.get(decided or "", NONE)
    return {stage: HumanColumns(labels[stage], consensus[stage]) for stage in FIELDS}


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class Options:
    """How rows are computed: groupings beyond `all`, stages, and the bootstrap."""

    by: tuple[str, ...] = ()
    stages: tuple[str, ...] = FIELDS
    replicates: int = 2000
    seed: int = 0


def calibration_rows(session: PreparedSession, options: Options = Options()) -> list[StatRow]:
    """Every figure for the `all` group and each requested grouping, stage by stage, in METRICS order."""
    unknown = [name for name in options.by if name not in GROUPINGS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown[0]!r}; choose from {', '.join(GROUPINGS)}")
    scored = session.scored_stages
    everyone = np.ones(len(session.attempt_ids), dtype=bool)
    rows: list[StatRow] = []
    for stage in options.stages:
        figures = _Figures(stage, stage in scored, options)
        rows += figures.rows("all", "all", everyone, session.stages[stage], session.humans[stage])
        for grouping in options.by:
            if grouping in session.keys:
                values = session.keys[grouping]
                for group in sorted(set(values.tolist()), key=str):
                    mask = values == group
                    rows += figures.rows(grouping, str(group), mask, session.stages[stage], session.humans[stage])
            elif grouping == "pipeline_version":
                for version, columns in session.versions.items():
                    rows += figures.rows(grouping, version, everyone, columns[stage], session.humans[stage])
            elif grouping == "anchoring":
                for group in ANCHORING_GROUPS:
                    humans = session.anchoring[group][stage]
                    rows += figures.rows(grouping, group, everyone, session.stages[stage], humans)
    return rows


def rows_for_store(store: "Store", options: Options = Options(), source: str | None = None) -> list[StatRow]:
    """The stats command's whole job on an open session."""
    data = load_input(store, source=source, versions="pipeline_version" in options.by)
    return calibration_rows(prepare(data), options)


def score_curve(session: PreparedSession, stage: str = "maintainability") -> agreement.ThresholdCurve:
    """The 'pass when score >= t' curve of a scored stage against the human consensus, with Youden's best t."""
    return agreement.threshold_curve(session.stages[stage].score, session.humans[stage].consensus)


def confusion(session: PreparedSession, stage: str) -> Confusion:
    """The stage's pipeline verdicts against the human consensus over all attempts (pass = positive)."""
    return Confusion.from_labels(session.stages[stage].auto, session.humans[stage].consensus)


@dataclass(frozen=True)
class _Figures:
    stage: str
    scored: bool
    options: Options

    def rows(
        self, group_by: str, group: str, mask: np.ndarray, columns: StageColumns, humans: HumanColumns
    ) -> list[StatRow]:
        auto = columns.auto[mask]
        consensus = humans.consensus[mask]
        labels = humans.labels[mask]
        out: list[StatRow] = []

        def add(metric: str, n: int, estimate: Interval | float | int | None) -> None:
            if isinstance(estimate, Interval):
                out.append(StatRow(metric, self.stage, group_by, group, n, estimate.value, estimate.low, estimate.high))
            else:
                value = None if estimate is None else agreement.finite_or_none(estimate)
                out.append(StatRow(metric, self.stage, group_by, group, n, value))

        decided = auto >= 0
        n_auto = int(decided.sum())
        auto_passes = int((auto == PASS).sum())
        add("auto_pass_rate", n_auto, agreement.wilson(auto_passes, n_auto))
        n_human = int((consensus >= 0).sum())
        add("human_pass_rate", n_human, agreement.wilson(int((consensus == PASS).sum()), n_human))

        cells = Confusion.from_labels(auto, consensus)
        pairs = cells.n
        for name in ("tp", "fp", "fn", "tn"):
            add(name, pairs, getattr(cells, name))
        agreeing = cells.tp + cells.tn
        add("percent_agreement", pairs, agreement.wilson(agreeing, pairs))

        table = cells.table()
        boot = agreement.paired_bootstrap(
            auto, consensus, labels, replicates=self.options.replicates, seed=self.options.seed
        )
        if boot.replicates:
            add("cohen_kappa", pairs, boot.cohen_kappa)
        else:
            add("cohen_kappa", pairs, agreement.cohen_kappa_interval(table))
        add("gwet_ac1", pairs, boot.gwet_ac1 if boot.replicates else Interval(agreement.gwet_ac1(table)))
        share = agreement.wilson(agreeing, pairs)
        if share.value is None:
            add("pabak", pairs, None)
        else:
            # PABAK is 2 po - 1 for two categories, so its interval is the Wilson interval of po, stretched
            add("pabak", pairs, Interval(2 * share.value - 1, 2 * share.low - 1, 2 * share.high - 1))
        add("sensitivity", cells.tp + cells.fn, cells.sensitivity())
        add("specificity", cells.tn + cells.fp, cells.specificity())
        add("ppv", cells.tp + cells.fp, cells.ppv())
        add("npv", cells.tn + cells.fn, cells.npv())
        add("mcc", pairs, boot.mcc if boot.replicates else Interval(cells.mcc()))

        counts = agreement.category_counts(labels, 2) if labels.shape[1] else np.zeros((len(labels), 2))
        per_unit = counts.sum(axis=1)
        add("krippendorff_alpha", int((per_unit >= 2).sum()),
            boot.krippendorff_alpha if boot.replicates
            else Interval(agreement.krippendorff_alpha_from_counts(counts)))  # fmt: skip
        fleiss_units = _equal_rater_units(per_unit)
        add("fleiss_kappa", int(fleiss_units.sum()), agreement.fleiss_kappa(counts[fleiss_units]))

        add("corrected_pass_rate", n_auto, agreement.lang_reiczigel(
            auto_passes, n_auto, cells.tp, cells.tp + cells.fn, cells.tn, cells.tn + cells.fp))  # fmt: skip
        if self.scored:
            curve = agreement.threshold_curve(columns.score[mask], consensus)
            n_scored = curve.positives + curve.negatives
            add("auc", n_scored, curve.auc)
            add("best_threshold", n_scored, curve.best_threshold)
        return out


def _equal_rater_units(per_unit: np.ndarray) -> np.ndarray:
    """Fleiss' kappa needs the same number of raters on every item: keep the commonest count of two or more
    (the larger count on a tie), so a stray third review does not void the figure."""
    counts = Counter(int(m) for m in per_unit if m >= 2)
    if not counts:
        return np.zeros(len(per_unit), dtype=bool)
    raters = max(counts, key=lambda m: (counts[m], m))
    return per_unit == raters
