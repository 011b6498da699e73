"""The stats command and its four formats: exact keys, nulls, safe CSV, a pasteable markdown report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from bare_tui.calibration import ROW_KEYS, StatRow
from bare_tui.cli import main
from bare_tui.model import Attempt, Judgement, Label, Outcome, Task, Verdict
from bare_tui.report import ReportContext, markdown_report, rows_to_csv, rows_to_json, stage_tables, warnings_for
from bare_tui.store import Store


def make_session(path: Path, attempts: int = 60, models: tuple[str, ...] = ("m-a", "m-b")) -> Path:
    """A real session on disk: attempts with verdicts of all five stages and two reviewers' labels."""
    rng = np.random.default_rng(4)
    with Store.open(path, create=True) as store:
        store.add_tasks([Task(f"t{i}", "python", f"src/f{i}.py", "x = 1\n") for i in range(attempts)])
        store.add_attempts(
            [Attempt(f"a{i}", f"t{i}", models[i % len(models)], "x = 2\n", seq=i) for i in range(attempts)]
        )
        verdicts, judgements = [], []
        for i in range(attempts):
            truth = bool(rng.random() < 0.6)
            for stage in ("syntax", "signatures", "integrity", "defects", "maintainability", "overall"):
                if stage != "overall":  # the overall verdict is derived from the five
                    agrees = rng.random() < 0.85
                    outcome = Outcome.PASS if truth == agrees else Outcome.FAIL
                    score = float(rng.normal(1.0 if truth else -1.0)) if stage == "maintainability" else None
                    verdicts.append(Verdict(f"a{i}", stage, outcome, score, (), "0.1+abc", "bare-tui"))
                for reviewer in ("ana", "bo"):
                    label = truth if rng.random() < 0.9 else not truth
                    judgements.append(
                        Judgement(
                            f"j{i}{stage}{reviewer}",
                            f"a{i}",
                            reviewer,
                            stage,
                            Label.PASS if label else Label.FAIL,
                            saw_verdicts=reviewer == "bo",
                        )
                    )
        store.save_verdicts(verdicts)
        store.save_judgements(judgements)
    return path


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_session(tmp_path_factory.mktemp("stats") / "study.db")


def run_stats(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["stats", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_is_an_array_of_eight_key_rows(session: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_stats(capsys, str(session), "--format", "json", "--by", "model", "--bootstrap", "200")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(tuple(row) == ROW_KEYS for row in rows)
    assert {row["group"] for row in rows if row["group_by"] == "model"} == {"m-a", "m-b"}
    kappa = next(r for r in rows if (r["metric"], r["stage"], r["group"]) == ("cohen_kappa", "overall", "all"))
    assert kappa["ci_low"] <= kappa["value"] <= kappa["ci_high"]
    counts = [r["value"] for r in rows if r["metric"] in ("tp", "fp", "fn", "tn")]
    assert all(isinstance(value, int) for value in counts)  # whole numbers, not 34.0
    auc = [r for r in rows if r["metric"] == "auc"]
    assert {r["stage"] for r in auc} == {"maintainability"}
    assert all(r["value"] > 0.5 for r in auc)  # the score separates the demo's passes from its fails


def test_same_seed_same_output_and_stage_filter(session: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = (str(session), "--format", "csv", "--stage", "defects", "--seed", "9", "--bootstrap", "300")
    first = run_stats(capsys, *args)[1]
    second = run_stats(capsys, *args)[1]
    assert first == second
    rows = list(csv.DictReader(io.StringIO(first)))
    assert {row["stage"] for row in rows} == {"defects"}
    other_seed = run_stats(
        capsys, str(session), "--format", "csv", "--stage", "defects", "--seed", "10", "--bootstrap", "300"
    )[1]
    assert other_seed != first


def test_output_file_and_markdown(session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.md"
    code, out, err = run_stats(
        capsys, str(session), "--format", "markdown", "-o", str(target), "--by", "anchoring", "--bootstrap", "100"
    )
    assert code == 0 and out == "" and "report.md" in err
    text = target.read_text()
    assert "## Method" in text and "Wilson" in text and "Lang & Reiczigel" in text and "100 resamples" in text
    assert "anchoring: blind" in text and "anchoring: saw_verdicts" in text
    assert "## maintainability" in text


def test_errors_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_stats(capsys, str(tmp_path / "missing.db"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "missing.db" in err
    assert not (tmp_path / "missing.db").exists()  # stats never creates a session
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    code, _, err = run_stats(capsys, str(junk))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, _, err = run_stats(capsys, str(junk), "--by", "colour")
    assert code == 2 and "unknown grouping" in err


# ---------------------------------------------------------------- the formats on hand-made rows


def row(
    metric: str,
    value: float | None,
    n: int = 50,
    group: str = "all",
    group_by: str = "all",
    stage: str = "syntax",
    low: float | None = None,
    high: float | None = None,
) -> StatRow:
    return StatRow(metric, stage, group_by, group, n, value, low, high)


def test_csv_neutralises_formulas_but_keeps_negative_numbers() -> None:
    rows = [
        row("cohen_kappa", -0.25, group='=HYPERLINK("http://x")', group_by="model", low=-0.5, high=0.1),
        row("auc", None, group="+1", group_by="model"),
        row("tp", 3, group="@SUM(A1)", group_by="model"),
    ]
    out = io.StringIO()
    rows_to_csv(rows, out)
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(parsed[0]) == ROW_KEYS
    assert parsed[0]["group"].startswith("'=") and parsed[1]["group"] == "'+1" and parsed[2]["group"] == "'@SUM(A1)"
    assert float(parsed[0]["value"]) == -0.25 and float(parsed[0]["ci_low"]) == -0.5
    assert parsed[1]["value"] == "" and parsed[1]["ci_low"] == ""


def test_json_refuses_nan_and_writes_null() -> None:
    text = rows_to_json([row("gwet_ac1", None)])
    assert json.loads(text)[0]["value"] is None
    with pytest.raises(ValueError):
        rows_to_json([row("gwet_ac1", float("nan"))])


def test_table_shows_untrusted_names_literally() -> None:
    console = Console(record=True, width=140)
    for table in stage_tables([row("tp", 1, group="[bold red]evil[/]", group_by="model")]):
        console.print(table)
    assert "[bold red]evil[/]" in console.export_text()


def test_markdown_warns_on_small_n_and_skewed_prevalence() -> None:
    counts = {"tp": 95, "fp": 2, "fn": 1, "tn": 2}  # people pass 96%: the kappa paradox
    rows = [row(m, v, n=100) for m, v in counts.items()]
    rows += [
        row("cohen_kappa", 0.55, n=100, low=0.2, high=0.8),
        row("gwet_ac1", 0.96, n=100),
        row("pabak", 0.94, n=100),
    ]
    rows += [
        row(m, v, n=12, group="tiny|model<b>", group_by="model")
        for m, v in {"tp": 5, "fp": 2, "fn": 2, "tn": 3}.items()
    ]
    warnings = warnings_for(rows)
    assert any("skewed prevalence" in w and "0.960" in w for w in warnings)
    assert any("only 12 compared attempts" in w for w in warnings)
    report = markdown_report(rows, ReportContext(session="study.db", replicates=2000, seed=3))
    assert "0.550 (0.200–0.800) n=100" in report  # value, interval and n in the cell
    assert "tiny&#124;model&lt;b&gt;" in report and "tiny|model" not in report
    assert "2000 resamples, seed 3" in report
    for line in report.splitlines():
        if line.startswith("| model"):
            assert line.count("|") == line.count(" | ") + 2  # no stray pipe breaks the table


# ---------------------------------------------------------------- an extra stage an external pipeline brings


def ci_session(path: Path, attempts: int = 40) -> Path:
    """Attempts whose verdicts come from another pipeline's CSV, with a `tests` stage beside the five, and one
    reviewer's labels of `tests`: the session a team with a CI run has."""
    rng = np.random.default_rng(11)
    with Store.open(path, create=True) as store:
        store.add_tasks([Task(f"t{i}", "python", f"src/f{i}.py", "x = 1\n") for i in range(attempts)])
        store.add_attempts([Attempt(f"a{i}", f"t{i}", ("m-a", "m-b")[i % 2], "x = 2\n") for i in range(attempts)])
    lines = ["attempt_id,stage,outcome,score"]
    truths = [bool(rng.random() < 0.6) for _ in range(attempts)]
    for i, truth in enumerate(truths):
        lines += [f"a{i},{stage},pass," for stage in ("syntax", "signatures", "integrity", "defects")]
        lines.append(f"a{i},maintainability,pass,{rng.normal():.3f}")
        lines.append(f"a{i},tests,{'passed' if truth == (rng.random() < 0.85) else 'failed'},")
    (path.parent / "ci.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", str(path), str(path.parent / "ci.csv"), "--source", "ci"]) == 0
    with Store.open(path) as store:
        store.save_judgements(
            [
                Judgement(f"j{i}", f"a{i}", "ana", "tests", Label.PASS if truth else Label.FAIL)
                for i, truth in enumerate(truths)
            ]
        )
    return path


def test_stats_counts_an_extra_stage_after_the_five(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ci_session(tmp_path / "ci.db")
    capsys.readouterr()
    code, out, err = run_stats(capsys, str(path), "--format", "json", "--bootstrap", "0")
    assert code == 0, err
    rows = json.loads(out)
    assert list(dict.fromkeys(row["stage"] for row in rows)) == [
        "syntax",
        "signatures",
        "integrity",
        "defects",
        "maintainability",
        "overall",
        "tests",
    ]
    code, out, err = run_stats(capsys, str(path), "--format", "json", "--stage", "tests", "--by", "model,reviewer")
    assert code == 0, err
    rows = json.loads(out)
    assert {row["stage"] for row in rows if row["metric"] != "seconds_per_attempt"} == {"tests"}
    pairs = sum(
        next(r["value"] for r in rows if r["metric"] == cell and r["group"] == "all")
        for cell in ("tp", "fp", "fn", "tn")
    )
    assert pairs == 40  # every attempt's CI outcome against ana's label
    assert {row["group"] for row in rows if row["group_by"] == "model"} == {"m-a", "m-b"}
    assert any(row["metric"] == "reviewer_agreement" and row["stage"] == "tests" for row in rows)
    table = run_stats(capsys, str(path), "--stage", "tests", "--bootstrap", "0")[1]
    assert "tests" in table and "maintainability" not in table

    code, out, err = run_stats(capsys, str(path), "--stage", "behaviour")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "unknown stage 'behaviour'" in err and "overall, tests" in err
    code, _, err = run_stats(capsys, str(path), "--stage", "Tests!")
    assert code == 2 and "not a stage name" in err


def test_a_plan_stratified_by_an_extra_stage_weighs_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan --strata tests` and `stats --plan --stage tests`: the design-weighted rows and the PPI estimate of
    the pass rate people would give the tests, for the plan's population."""
    path = ci_session(tmp_path / "ci.db", attempts=60)
    assert main(["plan", str(path), "--name", "p1", "--size", "30", "--strata", "tests", "--seed", "3"]) == 0
    capsys.readouterr()
    code, out, err = run_stats(
        capsys, str(path), "--plan", "p1", "--stage", "tests", "--format", "json", "--by", "model"
    )
    assert code == 0, err
    rows = json.loads(out)
    ppi = [r for r in rows if r["metric"] == "ppi_pass_rate" and r["stage"] == "tests"]
    assert {r["group"] for r in ppi} == {"all", "m-a", "m-b"}
    whole = next(r for r in ppi if r["group"] == "all")
    assert whole["n"] == 30 and whole["ci_low"] <= whole["value"] <= whole["ci_high"]


def test_stats_says_when_the_verdicts_that_count_mix_imported_pipelines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """DESIGN.md's default counts bare-tui's own verdicts, else the one imported source's. With two imported
    sources the newest of each attempt-stage counts, whichever pipeline wrote it: stats says so on stderr, and
    names --source; asked for one source, or with one imported source only, it says nothing."""
    path = tmp_path / "two.db"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt("a-1", "t-1", "m", "x = 2\n"), Attempt("a-2", "t-1", "m", "x = 3\n")])
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.PASS, pipeline_version="ext", source="ext")])
    assert main(["stats", str(path), "--bootstrap", "0", "--format", "json"]) == 0
    assert "mix" not in capsys.readouterr().err  # one imported source: the design's default
    with Store.open(path) as store:
        store.save_verdicts([Verdict("a-2", "syntax", Outcome.FAIL, pipeline_version="ext2", source="ext2")])
    assert main(["stats", str(path), "--bootstrap", "0", "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "2 imported sources (ext, ext2)" in err and "--source NAME" in err and err.count("\n") == 1
    assert main(["stats", str(path), "--bootstrap", "0", "--format", "json", "--source", "ext"]) == 0
    assert "mix" not in capsys.readouterr().err
