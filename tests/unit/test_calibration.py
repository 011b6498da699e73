"""Session records become DESIGN.md's rows: the consensus rule, exclusions, groupings and the anchoring split."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from bare_tui.calibration import (
    METRICS,
    ROW_KEYS,
    CalibrationInput,
    Options,
    StatRow,
    calibration_rows,
    confusion,
    prepare,
    reviewer_rows,
    rows_for_store,
    score_curve,
)
from bare_tui.model import (
    FIELDS,
    STAGES,
    Adjudication,
    Attempt,
    AttemptSummary,
    Judgement,
    Label,
    Outcome,
    ReasonCode,
    Task,
    Verdict,
)
from bare_tui.store import Store

DESIGN_METRICS = {
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
    "auc",
    "best_threshold",
}
REVIEWER_METRICS = {"reviewer_accuracy", "reviewer_agreement", "seconds_per_attempt"}


def attempt(i: int, model: str = "m1", language: str = "python") -> AttemptSummary:
    return AttemptSummary(f"a{i}", f"t{i}", model, language, f"f{i}.py", i)


def verdict(i: int, stage: str, outcome: str, score: float | None = None, version: str = "v1") -> Verdict:
    return Verdict(f"a{i}", stage, Outcome(outcome), score, (), version, "bare-tui")


def judgement(i: int, reviewer: str, stage: str, label: str, saw: bool = False) -> Judgement:
    return Judgement(f"j-{i}-{reviewer}-{stage}", f"a{i}", reviewer, stage, Label(label), saw_verdicts=saw)


def pick(rows: list[StatRow], metric: str, stage: str = "syntax", group_by: str = "all", group: str = "all"):
    found = [r for r in rows if (r.metric, r.stage, r.group_by, r.group) == (metric, stage, group_by, group)]
    assert len(found) == 1, (metric, stage, group_by, group)
    return found[0]


def test_consensus_rule_exclusions_and_counts() -> None:
    attempts = [attempt(i) for i in range(8)]
    verdicts = [
        verdict(0, "syntax", "pass"),  # people pass -> tp
        verdict(1, "syntax", "fail"),  # people pass -> fn (a disputed failure)
        verdict(2, "syntax", "pass"),  # people fail -> fp
        verdict(3, "syntax", "fail"),  # people fail -> tn
        verdict(4, "syntax", "error"),  # left out of the pass/fail figures
        verdict(5, "syntax", "pass"),  # a tie between reviewers: no consensus
        verdict(6, "syntax", "fail"),  # a tie settled by an adjudication: pass -> fn
        verdict(7, "syntax", "skipped"),
    ]
    judgements = [
        judgement(0, "ana", "syntax", "pass"),
        judgement(0, "bo", "syntax", "unsure"),  # unsure is no vote
        judgement(1, "ana", "syntax", "pass"),
        judgement(1, "bo", "syntax", "pass"),
        judgement(2, "ana", "syntax", "fail"),
        judgement(3, "ana", "syntax", "fail"),
        judgement(3, "bo", "syntax", "fail"),
        judgement(4, "ana", "syntax", "pass"),
        judgement(5, "ana", "syntax", "pass"),
        judgement(5, "bo", "syntax", "fail"),
        judgement(6, "ana", "syntax", "pass"),
        judgement(6, "bo", "syntax", "fail"),
    ]
    adjudications = [Adjudication("x1", "a6", "syntax", "carol", Label.PASS, ReasonCode.PIPELINE_FALSE_FAIL)]
    rows = calibration_rows(
        prepare(CalibrationInput(attempts, verdicts, judgements, adjudications)), Options(replicates=0)
    )

    assert (pick(rows, "tp").value, pick(rows, "fp").value, pick(rows, "fn").value, pick(rows, "tn").value) == (
        1,
        1,
        2,
        1,
    )
    assert pick(rows, "tp").n == 5
    auto = pick(rows, "auto_pass_rate")
    assert (auto.n, auto.value) == (6, pytest.approx(3 / 6))  # error and skipped verdicts left out
    human = pick(rows, "human_pass_rate")
    assert (human.n, human.value) == (6, pytest.approx(4 / 6))  # attempt 5 has no consensus
    assert pick(rows, "sensitivity").n == 3 and pick(rows, "sensitivity").value == pytest.approx(1 / 3)
    # alpha among reviewers: units with two decisive labels are 1, 3, 5, 6 (unsure counts as missing)
    assert pick(rows, "krippendorff_alpha").n == 4
    assert pick(rows, "fleiss_kappa").n == 4


def test_rows_have_design_names_keys_and_no_nan() -> None:
    rng = np.random.default_rng(1)
    attempts = [attempt(i, model=f"m{i % 3}", language=("python", "go")[i % 2]) for i in range(60)]
    verdicts, judgements = [], []
    for i in range(60):
        truth = rng.random() < 0.5
        for stage in ("syntax", "signatures", "integrity", "defects", "maintainability"):
            verdicts.append(
                verdict(
                    i,
                    stage,
                    "pass" if (rng.random() < 0.8) == truth else "fail",
                    score=float(rng.normal(truth)) if stage == "maintainability" else None,
                )
            )
            judgements.append(judgement(i, "ana", stage, "pass" if truth else "fail"))
    rows = calibration_rows(
        prepare(CalibrationInput(attempts, verdicts, judgements)), Options(by=("model", "language"), replicates=200)
    )
    assert {r.metric for r in rows} == DESIGN_METRICS
    assert [m for m in METRICS if m in DESIGN_METRICS | REVIEWER_METRICS | {"labels_needed"}] == list(METRICS)
    assert {r.stage for r in rows} == set(FIELDS)  # overall was derived from the five stages
    assert {(r.group_by, r.group) for r in rows} == {
        ("all", "all"),
        ("model", "m0"),
        ("model", "m1"),
        ("model", "m2"),
        ("language", "go"),
        ("language", "python"),
    }
    for row in rows:
        assert tuple(row.as_dict()) == ROW_KEYS
        for number in (row.value, row.ci_low, row.ci_high):
            assert number is None or math.isfinite(number)
    assert {r.stage for r in rows if r.metric == "auc"} == {"maintainability"}  # only a scored stage
    # one reviewer: agreement among reviewers is undefined, not zero
    assert pick(rows, "krippendorff_alpha").value is None
    assert pick(rows, "fleiss_kappa").value is None


def test_kappa_row_matches_scikit_learn_on_the_same_pairs() -> None:
    rng = np.random.default_rng(2)
    attempts = [attempt(i) for i in range(120)]
    truth = rng.random(120) < 0.6
    auto = np.where(rng.random(120) < 0.85, truth, ~truth)
    verdicts = [verdict(i, "defects", "pass" if auto[i] else "fail") for i in range(120)]
    judgements = [judgement(i, "ana", "defects", "pass" if truth[i] else "fail") for i in range(120)]
    rows = calibration_rows(prepare(CalibrationInput(attempts, verdicts, judgements)), Options(replicates=500))
    kappa = pick(rows, "cohen_kappa", "defects")
    assert kappa.value == pytest.approx(cohen_kappa_score(truth, auto))
    assert kappa.ci_low < kappa.value < kappa.ci_high
    again = calibration_rows(prepare(CalibrationInput(attempts, verdicts, judgements)), Options(replicates=500))
    assert again == rows  # the seeded bootstrap is reproducible


def test_corrected_pass_rate_uses_error_rates_measured_against_people() -> None:
    # the pipeline fails half of what people pass and never passes what people fail
    attempts = [attempt(i) for i in range(200)]
    verdicts, judgements = [], []
    for i in range(200):
        human_pass = i < 100
        auto_pass = human_pass and i % 2 == 0
        verdicts.append(verdict(i, "integrity", "pass" if auto_pass else "fail"))
        if i % 4 == 0 or i % 4 == 1:  # half the attempts were labelled
            judgements.append(judgement(i, "ana", "integrity", "pass" if human_pass else "fail"))
    rows = calibration_rows(prepare(CalibrationInput(attempts, verdicts, judgements)), Options(replicates=0))
    raw = pick(rows, "auto_pass_rate", "integrity")
    corrected = pick(rows, "corrected_pass_rate", "integrity")
    assert raw.value == pytest.approx(0.25)
    assert corrected.value == pytest.approx(0.5)  # 0.25 / sensitivity 0.5, specificity 1
    assert corrected.ci_low < 0.5 < corrected.ci_high


def test_anchoring_split_compares_blind_and_visible_judgements() -> None:
    attempts = [attempt(i) for i in range(40)]
    verdicts = [verdict(i, "maintainability", "pass" if i % 2 else "fail") for i in range(40)]
    judgements = []
    for i in range(40):
        if i < 20:  # blind reviewers disagree with the pipeline half the time
            judgements.append(judgement(i, "ana", "maintainability", "pass" if i % 4 < 2 else "fail", saw=False))
        else:  # reviewers who saw the verdicts copy them
            judgements.append(judgement(i, "bo", "maintainability", "pass" if i % 2 else "fail", saw=True))
    adjudications = [Adjudication("x", "a0", "maintainability", "carol", Label.PASS, ReasonCode.OTHER)]
    rows = calibration_rows(
        prepare(CalibrationInput(attempts, verdicts, judgements, adjudications)),
        Options(by=("anchoring",), stages=("maintainability",), replicates=0),
    )
    blind = pick(rows, "percent_agreement", "maintainability", "anchoring", "blind")
    seen = pick(rows, "percent_agreement", "maintainability", "anchoring", "saw_verdicts")
    assert (blind.n, seen.n) == (20, 20)
    assert seen.value == 1.0
    assert blind.value == pytest.approx(0.5)  # the adjudication of a0 does not leak into the blind figure
    assert pick(rows, "percent_agreement", "maintainability").n == 40


def test_pipeline_versions_are_compared_on_the_same_labels() -> None:
    attempts = [attempt(i) for i in range(30)]
    old = [verdict(i, "signatures", "pass", version="0.1") for i in range(30)]
    new = [verdict(i, "signatures", "pass" if i < 15 else "fail", version="0.2") for i in range(30)]
    judgements = [judgement(i, "ana", "signatures", "pass" if i < 15 else "fail") for i in range(30)]
    data = CalibrationInput(attempts, new, judgements, versioned_verdicts=old + new)
    rows = calibration_rows(prepare(data), Options(by=("pipeline_version",), stages=("signatures",), replicates=0))
    assert pick(rows, "percent_agreement", "signatures", "pipeline_version", "0.1").value == pytest.approx(0.5)
    assert pick(rows, "percent_agreement", "signatures", "pipeline_version", "0.2").value == 1.0
    # a pipeline that passes everything agrees with people no better than chance
    assert pick(rows, "cohen_kappa", "signatures", "pipeline_version", "0.1").value == pytest.approx(0.0)
    assert pick(rows, "cohen_kappa", "signatures", "pipeline_version", "0.2").value == pytest.approx(1.0)


def test_empty_session_gives_rows_of_undefined_figures() -> None:
    rows = calibration_rows(prepare(CalibrationInput([], [], [])), Options(by=("model",), replicates=100))
    assert {r.metric for r in rows} == DESIGN_METRICS - {"auc", "best_threshold"}
    assert all(r.value is None or r.metric in {"tp", "fp", "fn", "tn"} for r in rows)
    assert all(r.group_by == "all" for r in rows)  # no models, no model rows


def test_unknown_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown grouping"):
        calibration_rows(prepare(CalibrationInput([], [], [])), Options(by=("colour",)))


def test_threshold_curve_and_confusion_for_the_screen() -> None:
    attempts = [attempt(i) for i in range(10)]
    verdicts = [verdict(i, "maintainability", "pass" if i >= 5 else "fail", score=float(i)) for i in range(10)]
    judgements = [judgement(i, "ana", "maintainability", "pass" if i >= 4 else "fail") for i in range(10)]
    session = prepare(CalibrationInput(attempts, verdicts, judgements))
    curve = score_curve(session)
    assert curve.best_threshold == 4.0 and curve.best_youden == 1.0 and curve.auc == 1.0
    cells = confusion(session, "maintainability")
    assert (cells.tp, cells.fp, cells.fn, cells.tn) == (5, 0, 1, 4)


def test_rows_from_a_session_equal_rows_from_the_same_records_in_memory(tmp_path: Path) -> None:
    """A session with two runs of bare-tui and an imported pipeline: reading it gives the rows that the
    records give in memory with DESIGN's choice made by hand (the newest own run, else the imported source,
    never a mix within an attempt), and `source=` reads the named source's verdicts instead."""

    rng = np.random.default_rng(7)
    outcomes = ("pass", "fail", "error", "skipped")

    def run(ids: range, version: str, source: str = "bare-tui", stages: tuple[str, ...] = STAGES) -> list[Verdict]:
        return [
            Verdict(
                f"a{i}",
                stage,
                Outcome(outcomes[int(rng.choice(4, p=(0.5, 0.4, 0.05, 0.05)))]),
                float(rng.normal()) if stage == "maintainability" else None,
                (),
                version,
                source,
            )
            for i in ids
            for stage in stages
        ]

    attempts = [attempt(i, model=f"m{i % 2}", language=("python", "go")[i % 3 % 2]) for i in range(24)]
    first, second = run(range(18), "0.1+a"), run(range(9), "0.2+b")
    imported = run(range(6, 24), "ext", "ext")
    lone_own = run(range(20, 21), "0.2+b", stages=("syntax",))  # a20 has one own stage beside imported ones
    judgements, superseded = [], []
    for i in range(24):
        for stage in FIELDS:
            truth = "pass" if rng.random() < 0.6 else "fail"
            judgements.append(judgement(i, "ana", stage, truth, saw=bool(i % 2)))
            if i % 3:
                judgements.append(judgement(i, "bo", stage, truth if rng.random() < 0.8 else "unsure", saw=i > 12))
    for j in judgements[:10]:  # ana changed her mind on some: only the newer label counts
        superseded.append(Judgement(f"{j.judgement_id}-old", j.attempt_id, j.reviewer, j.stage, Label.UNSURE))
    adjudications = [Adjudication("x1", "a1", "syntax", "carol", Label.FAIL, ReasonCode.PIPELINE_FALSE_PASS)]

    path = tmp_path / "study.db"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task(a.task_id, a.language, a.path, "x = 1\n") for a in attempts])
        store.add_attempts([Attempt(a.attempt_id, a.task_id, a.model, "x = 2\n") for a in attempts])
        for verdicts in (first, imported, second, lone_own):  # written in this order: 0.2+b is the newest run
            store.save_verdicts(verdicts)
        store.save_judgements(superseded)
        store.save_judgements(
            [j if k >= 10 else replace(j, supersedes=f"{j.judgement_id}-old") for k, j in enumerate(judgements)]
        )
        store.save_adjudication(adjudications[0])

    options = Options(by=("model", "language", "pipeline_version", "anchoring"), replicates=200)
    in_second = {v.attempt_id for v in second}
    chosen = (
        second
        + [v for v in first if v.attempt_id not in in_second]
        + lone_own
        + [v for v in imported if v.attempt_id not in {"a20"} and int(v.attempt_id[1:]) >= 18]
    )
    everything = first + imported + second + lone_own

    def in_memory(verdicts: list[Verdict], versioned: list[Verdict]) -> list[StatRow]:
        return calibration_rows(
            prepare(CalibrationInput(attempts, verdicts, judgements, adjudications, versioned)), options
        )

    with Store.open(path, readonly=True) as store:
        default_rows = rows_for_store(store, options)
        imported_rows = rows_for_store(store, options, source="ext")
    assert default_rows == in_memory(chosen, everything)
    assert imported_rows == in_memory(imported, imported)
    # the choice matters here: the older own run, or the imported source, give other figures
    older = first + [v for v in imported if int(v.attempt_id[1:]) >= 18]
    assert default_rows != in_memory(older, everything) and default_rows != imported_rows
    assert {r.group for r in default_rows if r.group_by == "pipeline_version"} == {"0.1+a", "0.2+b", "ext"}


def test_an_extra_stage_is_counted_like_the_five_and_written_after_them(tmp_path: Path) -> None:
    """An external pipeline's `tests` stage: its rows come after the five and overall, its counts are its own
    pairs, it has no say in the derived overall, and reading it from a session gives the rows the records give."""
    attempts = [attempt(i) for i in range(6)]
    ext = "ci"
    verdicts = [Verdict(f"a{i}", stage, Outcome.PASS, None, (), "ci@1", ext) for i in range(6) for stage in STAGES] + [
        Verdict(f"a{i}", "tests", Outcome(outcome), None, (), "ci@1", ext)
        for i, outcome in enumerate(["pass", "pass", "fail", "fail", "error", "pass"])
    ]
    judgements = [
        judgement(0, "ana", "tests", "pass"),  # tp
        judgement(1, "ana", "tests", "fail"),  # fp
        judgement(2, "ana", "tests", "pass"),  # fn: a disputed failure of the tests
        judgement(3, "ana", "tests", "fail"),  # tn
        judgement(4, "ana", "tests", "pass"),  # error verdict: left out of the pairs
        judgement(5, "ana", "overall", "pass"),
    ]
    rows = calibration_rows(prepare(CalibrationInput(attempts, verdicts, judgements)), Options(replicates=0))
    assert list(dict.fromkeys(r.stage for r in rows)) == [*FIELDS, "tests"]
    assert [pick(rows, cell, "tests").value for cell in ("tp", "fp", "fn", "tn")] == [1, 1, 1, 1]
    assert pick(rows, "auto_pass_rate", "tests").n == 5 and pick(rows, "auto_pass_rate", "tests").value == 0.6
    assert pick(rows, "human_pass_rate", "tests").n == 5
    # overall is success at the five: two failed test runs do not fail it
    assert pick(rows, "auto_pass_rate", "overall").value == 1.0 and pick(rows, "auto_pass_rate", "overall").n == 6

    only = calibration_rows(
        prepare(CalibrationInput(attempts, verdicts, judgements)), Options(stages=("tests",), replicates=0)
    )
    assert {r.stage for r in only} == {"tests"}
    with pytest.raises(ValueError, match="unknown stage 'behaviour'.*overall, tests"):
        calibration_rows(prepare(CalibrationInput(attempts, verdicts, judgements)), Options(stages=("behaviour",)))

    path = tmp_path / "s.db"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task(a.task_id, a.language, a.path, "x = 1\n") for a in attempts])
        store.add_attempts([Attempt(a.attempt_id, a.task_id, a.model, "x = 2\n") for a in attempts])
        store.save_verdicts(verdicts)
        store.save_judgements(judgements)
    with Store.open(path, readonly=True) as store:
        assert rows_for_store(store, Options(by=("model", "reviewer"), replicates=0)) == calibration_rows(
            prepare(CalibrationInput(attempts, verdicts, judgements)), Options(by=("model",), replicates=0)
        ) + reviewer_rows(judgements, [])
    assert {r.stage for r in reviewer_rows(judgements, []) if r.metric == "reviewer_agreement"} == {*FIELDS, "tests"}


def test_an_extra_stage_only_people_settled_still_has_its_rows() -> None:
    """A stage named only by labels and an adjudication (the pipeline's verdicts not imported yet) gets rows
    too, its pipeline figures empty rather than borrowed from another stage."""
    attempts = [attempt(i) for i in range(2)]
    judgements = [judgement(0, "ana", "behaviour", "pass"), judgement(1, "ana", "behaviour", "fail")]
    adjudications = [Adjudication("x1", "a1", "behaviour", "carol", Label.PASS, ReasonCode.REVIEWER_ERROR)]
    rows = calibration_rows(
        prepare(CalibrationInput(attempts, [verdict(0, "syntax", "pass")], judgements, adjudications)),
        Options(replicates=0),
    )
    assert pick(rows, "human_pass_rate", "behaviour").value == 1.0  # the adjudication overrides ana's fail
    assert pick(rows, "auto_pass_rate", "behaviour").n == 0 and pick(rows, "tp", "behaviour").n == 0
