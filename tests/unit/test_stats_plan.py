"""`bare-tui stats --plan`: figures that speak for the plan's population, and the warning without a plan."""

from __future__ import annotations

import io
import json
import shutil
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bare_tui.cli import main
from bare_tui.model import Outcome
from bare_tui.store import Store
from tests.unit.test_report import make_session


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = make_session(tmp_path_factory.mktemp("plan") / "study.db", attempts=80)
    assert (
        main(
            [
                "plan",
                str(path),
                "--name",
                "p1",
                "--size",
                "40",
                "--strata",
                "model,defects",
                "--allocation",
                "equal",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    return path


def stats_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["stats", *args, "--format", "json", "--bootstrap", "300"]) == 0
    return json.loads(capsys.readouterr().out)


def find(
    rows: list[dict[str, object]], metric: str, group_by: str = "all", group: str = "all", stage: str = "overall"
) -> dict[str, object]:
    return next(
        r for r in rows if (r["metric"], r["stage"], r["group_by"], r["group"]) == (metric, stage, group_by, group)
    )


def test_plan_pass_rate_is_the_stratified_mean(planned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = stats_json(capsys, str(planned), "--plan", "p1", "--stage", "overall")
    # by hand: each stratum's consensus pass share, weighted by the stratum's population
    with Store.open(planned, readonly=True) as store:
        labels: dict[str, list[str]] = defaultdict(list)
        for attempt_id, _reviewer, stage, label, _saw in store.current_label_rows():
            if stage == "overall":
                labels[attempt_id].append(label)
        sizes = {s.stratum: s.population for s in store.plan_strata("p1")}
        passes: dict[str, list[int]] = defaultdict(list)
        for item in store.plan_items("p1"):
            given = labels[item.attempt_id]
            if given.count("pass") > len(given) / 2:
                passes[item.stratum].append(1)
            elif given.count("fail") > len(given) / 2:
                passes[item.stratum].append(0)
    total = sum(sizes[h] for h in passes)
    expected = sum(sizes[h] * sum(v) / len(v) for h, v in passes.items()) / total
    rate = find(rows, "human_pass_rate")
    assert rate["value"] == pytest.approx(expected, abs=1e-9)
    assert rate["ci_low"] < rate["value"] < rate["ci_high"]
    ppi = find(rows, "ppi_pass_rate")
    assert ppi["value"] is not None and ppi["ci_low"] <= ppi["value"] <= ppi["ci_high"]
    # every row keeps the eight keys; weighted cells are estimated population counts over the 80 attempts
    assert all(len(r) == 8 for r in rows)
    cells = sum(find(rows, m)["value"] for m in ("tp", "fp", "fn", "tn"))  # type: ignore[misc]
    assert cells <= 80 + 1e-9


def test_plan_score_curve_is_design_weighted(planned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sklearn.metrics import roc_auc_score, roc_curve

    rows = stats_json(capsys, str(planned), "--plan", "p1", "--by", "model", "--stage", "maintainability")
    # by hand: the plan's items with a consensus on the stage, each weighing N_h / n_h of its stratum
    with Store.open(planned, readonly=True) as store:
        labels: dict[str, list[str]] = defaultdict(list)
        for attempt_id, _reviewer, stage, label, _saw in store.current_label_rows():
            if stage == "maintainability":
                labels[attempt_id].append(label)
        scores = {a: s for a, stage, _outcome, s in store.current_verdict_rows() if stage == "maintainability"}
        models = {a: model for a, model, _language in store.attempt_groups()}
        sizes = {s.stratum: s.population for s in store.plan_strata("p1")}
        sampled = [item for item in store.plan_items("p1") if not item.gold]
    consensus = {}
    for item in sampled:
        given = labels[item.attempt_id]
        for word, code in (("pass", 1), ("fail", 0)):
            if given.count(word) > len(given) / 2:
                consensus[item.attempt_id] = code
    labelled = [item for item in sampled if item.attempt_id in consensus]
    per_stratum = {h: sum(1 for item in labelled if item.stratum == h) for h in sizes}
    for group_by, group in (("all", "all"), ("model", "m-a"), ("model", "m-b")):
        items = [item for item in labelled if group == "all" or models[item.attempt_id] == group]
        truth = np.array([consensus[item.attempt_id] for item in items])
        score = np.array([scores[item.attempt_id] for item in items])
        weights = np.array([sizes[item.stratum] / per_stratum[item.stratum] for item in items])
        assert np.ptp(weights) > 0  # the strata weigh differently, so weighting can matter
        auc = find(rows, "auc", group_by, group, stage="maintainability")
        weighted = roc_auc_score(truth, score, sample_weight=weights)
        assert auc["n"] == len(items)
        assert auc["value"] == pytest.approx(weighted, abs=1e-12)
        assert auc["ci_low"] is None and auc["ci_high"] is None  # no interval, as without a plan
        if group == "all":  # (within a model the score happens to separate perfectly: 1 either way)
            assert abs(weighted - roc_auc_score(truth, score)) > 1e-3  # the unweighted figure is another
        fpr, tpr, cuts = roc_curve(truth, score, sample_weight=weights, drop_intermediate=False)
        best = find(rows, "best_threshold", group_by, group, stage="maintainability")
        assert best["n"] == len(items)
        assert best["value"] == pytest.approx(cuts[1:][np.argmax((tpr - fpr)[1:])], abs=1e-12)


def test_plan_groups_and_labels_needed(planned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = stats_json(capsys, str(planned), "--plan", "p1", "--by", "model,language", "--precision", "0.05")
    groups = {(r["group_by"], r["group"]) for r in rows if r["metric"] == "ppi_pass_rate"}
    assert {("all", "all"), ("model", "m-a"), ("model", "m-b"), ("language", "python")} <= groups
    needed = find(rows, "labels_needed")
    assert isinstance(needed["value"], int) and needed["value"] >= 0
    wider = stats_json(capsys, str(planned), "--plan", "p1", "--precision", "0.2")
    assert find(wider, "labels_needed")["value"] <= needed["value"]


def test_a_row_without_its_weighted_figure_is_refused_not_shown_unweighted(
    planned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bare_tui import calibration
    from bare_tui.calibration import Options, load_plan, load_session, plan_rows

    with Store.open(planned, readonly=True) as store:
        session = load_session(store, plan="p1")
        design = load_plan(store, "p1", session)
    options = Options(by=("model", "language", "anchoring", "pipeline_version"), replicates=50, precision=0.05)
    rows = plan_rows(session, design, options)
    assert rows and all(r.metric in calibration.WEIGHTED_METRICS for r in rows)
    # the frame is drawn without resamples: every interval shown comes from the weighted rows
    kappa = next(r for r in rows if (r.metric, r.group_by) == ("cohen_kappa", "all") and r.stage == "overall")
    assert kappa.ci_low is not None and kappa.ci_high is not None

    whole = calibration._weighted_reviewer_rows
    monkeypatch.setattr(
        calibration,
        "_weighted_reviewer_rows",
        lambda *args: [r for r in whole(*args) if r.metric != "fleiss_kappa"],
    )
    with pytest.raises(RuntimeError, match="no design-weighted figure for fleiss_kappa"):
        plan_rows(session, design, options)


def test_plan_pipeline_pass_rate_counts_the_plans_population_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a plan drawn from one model's attempts speaks for those: the pipeline's pass rate is theirs, and the other
    # model, outside the population, has none (it was the whole session's 0.20 of 80 attempts before)
    path = make_session(tmp_path / "s.db", attempts=80)
    plan = ["plan", str(path), "--name", "ma", "--size", "30", "--strata", "defects", "--where", "model=m-a"]
    assert main([*plan, "--seed", "1"]) == 0
    whole = stats_json(capsys, str(path), "--stage", "overall", "--by", "model")
    rows = stats_json(capsys, str(path), "--plan", "ma", "--stage", "overall", "--by", "model")
    expected = find(whole, "auto_pass_rate", "model", "m-a")
    assert expected["n"] == 40 and expected["value"] != find(whole, "auto_pass_rate")["value"]
    for group_by, group in (("all", "all"), ("model", "m-a")):
        row = find(rows, "auto_pass_rate", group_by, group)
        assert (row["n"], row["value"], row["ci_low"], row["ci_high"]) == (
            40,
            expected["value"],
            expected["ci_low"],
            expected["ci_high"],
        )
    outside = find(rows, "auto_pass_rate", "model", "m-b")
    assert (outside["n"], outside["value"]) == (0, None)
    # and the corrected pass rate removes the pipeline's errors from that same rate
    assert find(rows, "corrected_pass_rate")["n"] == 40


def test_plan_weighs_the_anchoring_groups_each_reviewers_labels(
    planned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # make_session's ana labels blind and bo after seeing the verdicts: each anchoring group's pass rate under the
    # plan is the stratified mean of that reviewer's labels, as the whole's is of the consensus
    rows = stats_json(capsys, str(planned), "--plan", "p1", "--stage", "defects", "--by", "anchoring")
    with Store.open(planned, readonly=True) as store:
        given = {(a, r): label for a, r, stage, label, _saw in store.current_label_rows() if stage == "defects"}
        sizes = {s.stratum: s.population for s in store.plan_strata("p1")}
        items = store.plan_items("p1")
    for group, reviewer in (("blind", "ana"), ("saw_verdicts", "bo")):
        passes: dict[str, list[int]] = defaultdict(list)
        for item in items:
            passes[item.stratum].append(int(given[(item.attempt_id, reviewer)] == "pass"))
        expected = sum(sizes[h] * sum(v) / len(v) for h, v in passes.items()) / sum(sizes[h] for h in passes)
        row = find(rows, "human_pass_rate", "anchoring", group, "defects")
        assert row["value"] == pytest.approx(expected, abs=1e-12) and row["n"] == 40
        assert row["ci_low"] < row["value"] < row["ci_high"]
    blind, saw = (find(rows, "cohen_kappa", "anchoring", g, "defects")["value"] for g in ("blind", "saw_verdicts"))
    assert blind != saw
    # the score curve too: the one pipeline version is the verdicts that count, so its weighted curve is the whole's
    scored = stats_json(capsys, str(planned), "--plan", "p1", "--stage", "maintainability", "--by", "pipeline_version")
    for metric in ("auc", "best_threshold"):
        version = find(scored, metric, "pipeline_version", "0.1+abc", "maintainability")
        assert version == {**find(scored, metric, stage="maintainability"), "group_by": "pipeline_version"} | {
            "group": "0.1+abc"
        }


def test_plan_weighs_each_pipeline_versions_verdicts_over_its_population(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a second pipeline version re-judges one stage with some verdicts turned: under a plan drawn from one model,
    # the newer version (the one that counts) has the whole's weighted figures, the older its own, and each
    # version's pass rate is counted over the plan's population
    path = make_session(tmp_path / "s.db", attempts=80)
    with Store.open(path) as store:
        old = [v for v in store.verdicts() if v.stage == "defects"]
        store.save_verdicts(
            [
                replace(v, outcome=Outcome.FAIL if i % 3 == 0 else v.outcome, pipeline_version="0.2", created_at=None)
                for i, v in enumerate(old)
            ]
        )
    plan = ["plan", str(path), "--name", "ma", "--size", "30", "--strata", "defects", "--where", "model=m-a"]
    assert main([*plan, "--seed", "3"]) == 0
    by_version = ("--stage", "defects", "--by", "pipeline_version")
    rows = stats_json(capsys, str(path), "--plan", "ma", *by_version)
    metrics = ("auto_pass_rate", "human_pass_rate", "sensitivity", "specificity", "cohen_kappa", "ppi_pass_rate")
    for metric in (*metrics, "krippendorff_alpha", "fleiss_kappa"):
        newest, counted = find(rows, metric, "pipeline_version", "0.2", "defects"), find(rows, metric, stage="defects")
        assert newest == {**counted, "group_by": "pipeline_version", "group": "0.2"}
    with Store.open(path, readonly=True) as store:
        m_a = {a.attempt_id for a in store.attempts() if a.model == "m-a"}
        outcomes = [v.outcome for v in old if v.attempt_id in m_a]
    older = find(rows, "auto_pass_rate", "pipeline_version", "0.1+abc", "defects")
    assert (older["n"], older["value"]) == (40, outcomes.count(Outcome.PASS) / 40)
    assert older["value"] != find(rows, "auto_pass_rate", stage="defects")["value"]
    assert (
        find(rows, "specificity", "pipeline_version", "0.1+abc", "defects")["value"]
        != find(rows, "specificity", stage="defects")["value"]
    )


def test_without_a_plan_the_table_says_whom_figures_describe(planned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["stats", str(planned), "--stage", "overall", "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "Every attempt of the session is labelled" in out  # the fixture labels all 80
    capsys.readouterr()
    assert main(["stats", str(planned), "--plan", "p1", "--stage", "overall", "--bootstrap", "0"]) == 0
    assert "Figures weighted by plan p1" in capsys.readouterr().out


def test_a_labelled_prefix_is_named_in_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = make_session(tmp_path / "s.db", attempts=40)
    with Store.open(path) as store:
        # keep the labels of the first ten attempts in import order only: a prefix
        store._conn.execute("DELETE FROM judgements WHERE CAST(substr(attempt_id, 2) AS INTEGER) >= 10")
        store._conn.commit()
    capsys.readouterr()
    assert main(["stats", str(path), "--format", "markdown", "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "describe the labelled attempts only" in out
    assert "first in import order (a prefix)" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("--plan", "nope"), "no plan named 'nope'"),
        (("--precision", "0"), "--precision must be more than 0"),
        (("--precision", "-0.1"), "--precision must be more than 0"),
    ],
)
def test_bad_plan_or_precision_is_one_line_and_exit_2(
    planned: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    capsys.readouterr()
    assert main(["stats", str(planned), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and captured.err.count("\n") == 1


def test_reviewer_rows_measure_each_reviewer() -> None:
    from bare_tui.calibration import reviewer_rows
    from bare_tui.model import Adjudication, Judgement, Label

    def judged(attempt: str, reviewer: str, label: str, seconds: int) -> Judgement:
        return Judgement(
            f"{attempt}{reviewer}",
            attempt,
            reviewer,
            "overall",
            Label(label),
            opened_at="2026-11-21T10:00:00Z",
            saved_at=f"2026-11-21T10:00:{seconds:02d}Z",
        )

    judgements = [
        judged("a1", "ana", "pass", 10),
        judged("a1", "bo", "pass", 20),
        judged("a1", "cy", "fail", 30),
        judged("a2", "ana", "fail", 30),
        judged("a2", "bo", "pass", 40),
        judged("a2", "cy", "pass", 50),
    ]
    adjudications = [Adjudication("x1", "a1", "overall", "dee", Label.PASS, "reviewer-error", "")]
    rows = {(r.metric, r.group): r for r in reviewer_rows(judgements, adjudications, ("overall",))}
    assert rows[("reviewer_accuracy", "cy")].value == 0.0 and rows[("reviewer_accuracy", "cy")].n == 1
    assert rows[("reviewer_accuracy", "ana")].value == 1.0
    # on a1 the others of ana tie (bo pass, cy fail): no consensus; on a2 they both said pass, ana fail
    assert (rows[("reviewer_agreement", "ana")].n, rows[("reviewer_agreement", "ana")].value) == (1, 0.0)
    assert rows[("reviewer_agreement", "bo")].n == 0 and rows[("reviewer_agreement", "bo")].value is None
    assert rows[("seconds_per_attempt", "ana")].value == 20.0  # median of 10 s and 30 s
    low, high = rows[("reviewer_accuracy", "cy")].ci_low, rows[("reviewer_accuracy", "cy")].ci_high
    assert low == 0.0 and high is not None and high > 0.5  # one label is no certainty


def test_study_panel_warns_without_a_plan_and_shows_progress_with_one(planned: Path, tmp_path: Path) -> None:
    from rich.console import Console

    from bare_tui.calibration import Options
    from bare_tui.tui.screens.stats import compute_bundle, study_panel

    def painted(path: Path) -> str:
        bundle = compute_bundle(path, Options(by=("model",), replicates=50))
        assert bundle.study is not None
        console = Console(width=120, record=True, file=io.StringIO())
        console.print(study_panel(bundle.study))
        return console.export_text()

    with_plan = painted(planned)
    assert "Plan p1:" in with_plan and "labelled" in with_plan and "No review plan" not in with_plan
    assert "people" in with_plan and "m-a" in with_plan
    bare = make_session(tmp_path / "bare.db", attempts=20)
    assert "No review plan backs these figures" in painted(bare)


def hand_alpha(units: list[tuple[list[str], float]]) -> float:
    """Nominal alpha from a coincidence matrix in which each unit's pairs count its weight, written out."""
    o: dict[tuple[str, str], float] = defaultdict(float)
    for labels, weight in units:
        if len(labels) >= 2:
            for i, a in enumerate(labels):
                for j, b in enumerate(labels):
                    if i != j:
                        o[(a, b)] += weight / (len(labels) - 1)
    totals = {c: sum(v for (a, _), v in o.items() if a == c) for c in ("pass", "fail")}
    n = sum(totals.values())
    disagreement = sum(v for (a, b), v in o.items() if a != b)
    return 1 - (n - 1) * disagreement / (n * n - sum(t * t for t in totals.values()))


def hand_fleiss(units: list[tuple[list[str], float]], raters: int) -> float:
    """Fleiss' kappa of the units with `raters` labels: the weighted mean agreement and weighted shares."""
    kept = [(labels, w) for labels, w in units if len(labels) == raters]
    total = sum(w for _, w in kept)
    observed = sum(
        w * sum(labels.count(c) * (labels.count(c) - 1) for c in ("pass", "fail")) / (raters * (raters - 1))
        for labels, w in kept
    )
    shares = [sum(w * labels.count(c) for labels, w in kept) / (raters * total) for c in ("pass", "fail")]
    expected = sum(s * s for s in shares)
    return (observed / total - expected) / (1 - expected)


def test_plan_alpha_and_fleiss_are_the_design_weighted_formulas(
    planned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under --plan each labelled item weighs N_h / n_h, n_h its stratum's items with a reviewer's label: some
    items lose both labels here (they leave n_h) and some their second (they stay in n_h, but pair with nobody)."""
    path = tmp_path / "study.db"
    shutil.copy(planned, path)
    with Store.open(path) as store:
        items = sorted((i for i in store.plan_items("p1") if not i.gold), key=lambda i: i.position)
        for item in items[:4]:
            store._conn.execute("DELETE FROM judgements WHERE attempt_id = ? AND stage = 'overall'", (item.attempt_id,))
        for item in items[4:10]:
            store._conn.execute(
                "DELETE FROM judgements WHERE attempt_id = ? AND stage = 'overall' AND reviewer = 'bo'",
                (item.attempt_id,),
            )
        store._conn.commit()
        given: dict[str, list[str]] = defaultdict(list)
        for attempt_id, _reviewer, stage, label, _saw in store.current_label_rows():
            if stage == "overall" and label in ("pass", "fail"):
                given[attempt_id].append(label)
        population = {s.stratum: s.population for s in store.plan_strata("p1")}
        groups = store.attempt_groups_of([i.attempt_id for i in items])
        models = dict(zip(groups.attempt_ids, groups.models))
    labelled = [i for i in items if given[i.attempt_id]]
    sizes = {h: sum(1 for i in labelled if i.stratum == h) for h in population}
    weight = {i.attempt_id: population[i.stratum] / sizes[i.stratum] for i in labelled}
    assert len(set(weight.values())) > 1  # equal allocation over strata of different sizes

    rows = stats_json(capsys, str(path), "--plan", "p1", "--stage", "overall", "--by", "model")
    for group_by, group in (("all", "all"), ("model", "m-a"), ("model", "m-b")):
        chosen = [i.attempt_id for i in labelled if group == "all" or models[i.attempt_id] == group]
        units = [(given[a], weight[a]) for a in chosen]
        alpha, fleiss = find(rows, "krippendorff_alpha", group_by, group), find(rows, "fleiss_kappa", group_by, group)
        assert alpha["value"] == pytest.approx(hand_alpha(units), abs=1e-12)
        assert alpha["n"] == sum(1 for labels, _ in units if len(labels) >= 2)
        assert alpha["ci_low"] < alpha["value"] < alpha["ci_high"]  # type: ignore[operator]
        assert fleiss["value"] == pytest.approx(hand_fleiss(units, 2), abs=1e-12)
        assert fleiss["n"] == sum(1 for labels, _ in units if len(labels) == 2) and fleiss["ci_low"] is None
        # the weights matter: the labelled items' own figures are not these
        unweighted = [(labels, 1.0) for labels, _ in units]
        assert abs(alpha["value"] - hand_alpha(unweighted)) > 1e-3  # type: ignore[operator]
        assert abs(fleiss["value"] - hand_fleiss(unweighted, 2)) > 1e-3  # type: ignore[operator]
