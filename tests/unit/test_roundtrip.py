"""Every export re-imports to the same records, in JSON Lines and in CSV; and polars and pandas read every
export without options (checked when they are installed)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from bare_tui.cli import main
from bare_tui.exporter import COLUMNS, FORMATS, WHATS, export_text
from bare_tui.importer import import_into
from bare_tui.model import (
    Adjudication,
    Attempt,
    Evidence,
    Judgement,
    Label,
    Outcome,
    ReasonCode,
    Task,
    Verdict,
)
from bare_tui.plans import PlanSpec, draw_plan, save_drawn
from bare_tui.store import Store

ORIGINAL = "def total(items):\n    s = 0\n    for i in items:\n        s += i\n    return s\n"
T0, T1, T2 = "2026-11-21T10:00:00Z", "2026-11-21T10:00:41Z", "2026-11-21T10:02:00Z"


def rich_session(path: Path, attempts: int = 3) -> Path:
    """Every kind of record, with the values that trip formats up: nulls, formulas, newlines, negative
    scores, extra stages, superseded and retracted judgements."""
    with Store.open(path, create=True) as store:
        store.add_tasks(
            [
                Task("t-1", "python", "src/stats.py", ORIGINAL, {"repo": "acme"}),
                Task("t-2", "go", "pkg/b.go", "package b\n\nfunc G(a int) int { return a }\n"),
            ]
        )
        rows = [
            Attempt(
                "a-1",
                "t-1",
                "model-x",
                "def total(items):\n    return sum(items)\n",
                None,
                None,
                {"temperature": 0.2},
                ("invalid-utf8",),
            ),
            Attempt("a-2", "t-1", '=HYPERLINK("x")', None, "I could not do it, sorry.", None, {}, ("no-code",)),
            Attempt("a-3", "t-2", "model-y", "package b\n\nfunc G(a int) int {\n\treturn a\n}\n"),
        ]
        store.add_attempts(rows[:attempts])
        store.save_verdicts(
            [
                Verdict("a-1", "syntax", Outcome.PASS, None, (), "0.3.0+5f2c1a", "bare-tui", created_at=T0),
                Verdict(
                    "a-1",
                    "maintainability",
                    Outcome.FAIL,
                    -0.4,
                    (Evidence("refactored", 2, 5, 'complexity rose, "a lot"\nsee line 2'),),
                    "0.3.0+5f2c1a",
                    "bare-tui",
                    {"thresholds": {"ccn": 10}},
                    created_at=T1,
                ),
                Verdict(
                    "a-2",
                    "tests",
                    Outcome.FAIL,
                    0.6,
                    (Evidence("refactored", None, None, "=1+1"),),
                    "ci@2",
                    "ci",
                    created_at=T1,
                ),
                Verdict("a-2", "overall", Outcome.ERROR, None, (), "ci@2", "ci", created_at=T2),
            ]
        )
        store.save_judgements(
            [Judgement("j1", "a-1", "ana", "syntax", Label.PASS, 3, "'=quoted", ("x", "y"), True, T0, T1)]
        )
        store.save_judgements(
            [
                Judgement(
                    "j2", "a-1", "ana", "syntax", Label.FAIL, None, "-1 for style", (), False, None, T2, supersedes="j1"
                )
            ]
        )
        store.save_judgements(
            [
                Judgement(
                    "j3",
                    "a-1",
                    "ana",
                    "syntax",
                    Label.FAIL,
                    None,
                    "",
                    (),
                    False,
                    None,
                    "2026-11-21T10:03:00Z",
                    supersedes="j2",
                    retracted=True,
                )
            ]
        )
        store.save_judgements(
            [Judgement("j4", "a-2", "ben", "tests", Label.UNSURE, 1, "line one\nline two", (), False, T0, T1)]
        )
        store.save_judgements([Judgement("j5", "a-1", "ben", "maintainability", Label.PASS, saved_at=T1)])
        store.save_adjudication(
            Adjudication("d1", "a-1", "syntax", "aud", Label.PASS, ReasonCode.REVIEWER_ERROR, "+ settled", T2)
        )
        if attempts >= 2:
            save_drawn(
                store, draw_plan(store, PlanSpec("p1", size=2, strata=("model",), reviewers=("ana", "ben"), seed=7))
            )
    return path


def records(store: Store) -> dict[str, object]:
    """Everything a session holds, in a form to compare: created_at is no part of a Verdict's equality, so
    it is compared beside it; import order (seq) is left out."""
    return {
        "tasks": store.tasks(),
        "attempts": [replace(a, seq=0) for a in store.attempts()],
        "verdicts": sorted(((v, v.created_at) for v in store.verdicts()), key=lambda p: (p[0].attempt_id, p[0].stage)),
        "judgements": store.judgements(current_only=False),
        "adjudications": store.adjudications(current_only=False),
        "plans": {record.name: store.plan_items(record.name) for record in store.plans()},
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_export_reimports_to_the_same_records(tmp_path: Path, fmt: str) -> None:
    source = rich_session(tmp_path / "source.db")
    with Store.open(source, readonly=True) as store:
        exported = {
            what: export_text(store, what, fmt)
            for what in ("attempts", "verdicts", "judgements", "adjudications", "plans")
        }
        expected = records(store)
    with Store.open(tmp_path / "copy.db", create=True) as copy:
        for what, text in exported.items():  # attempts first: the others name them
            path = tmp_path / f"{what}.{fmt}"
            path.write_text(text, encoding="utf-8", newline="")
            report = import_into(copy, path)
            assert report.complete, (what, report.errors)
        assert records(copy) == expected
        again = {what: export_text(copy, what, fmt) for what in exported}
    assert again == exported  # and the copy exports the same text


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_have_stable_keys_and_true_false_booleans(tmp_path: Path, fmt: str) -> None:
    with Store.open(rich_session(tmp_path / "s.db"), readonly=True) as store:
        text = export_text(store, "judgements", fmt)
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        assert all(list(row) == list(COLUMNS["judgements"]) for row in rows)
        assert [row["retracted"] for row in rows] == [False, False, True, False, False]
        assert rows[0]["supersedes"] is None and rows[0]["saw_verdicts"] is True
    else:
        header = text.splitlines()[0]
        assert header.split(",") == list(COLUMNS["judgements"])
        assert "true" in text and "false" in text and "True" not in text and "False" not in text


def test_columns_chooses_and_orders_columns(tmp_path: Path) -> None:
    with Store.open(rich_session(tmp_path / "s.db"), readonly=True) as store:
        text = export_text(store, "attempt-stages", "csv", columns=["stage", "attempt_id", "consensus"])
        with pytest.raises(ValueError, match="unknown column"):
            export_text(store, "verdicts", "csv", columns=["attempt_id", "colour"])
    assert text.splitlines()[0] == "stage,attempt_id,consensus"
    assert "syntax,a-1,pass" in text.splitlines()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", WHATS)
def test_pandas_reads_every_export_without_options(tmp_path: Path, what: str, fmt: str) -> None:
    pandas = pytest.importorskip("pandas", reason="pandas is not installed (pip install 'bare-tui[test]')")
    with Store.open(rich_session(tmp_path / "s.db"), readonly=True) as store:
        text = export_text(store, what, fmt)
    frame = pandas.read_json(io.StringIO(text), lines=True) if fmt == "jsonl" else pandas.read_csv(io.StringIO(text))
    assert list(frame.columns) == list(COLUMNS[what]) and len(frame) > 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", WHATS)
def test_polars_reads_every_export_without_options(tmp_path: Path, what: str, fmt: str) -> None:
    polars = pytest.importorskip("polars", reason="polars is not installed (pip install 'bare-tui[test]')")
    with Store.open(rich_session(tmp_path / "s.db"), readonly=True) as store:
        text = export_text(store, what, fmt)
    frame = polars.read_ndjson(io.StringIO(text)) if fmt == "jsonl" else polars.read_csv(io.StringIO(text))
    assert frame.columns == list(COLUMNS[what]) and frame.height > 0


def test_polars_reads_a_column_whose_first_value_comes_after_row_100(tmp_path: Path) -> None:
    """polars infers a column from its first 100 rows: `supersedes`, null in all of them, used to fail."""
    polars = pytest.importorskip("polars", reason="polars is not installed (pip install 'bare-tui[test]')")
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt(f"a-{n}", "t-1", "m", "x = 2\n") for n in range(150)])
        store.save_judgements(
            [Judgement(f"j{n}", f"a-{n}", "ana", "overall", Label.PASS, saved_at=T0) for n in range(150)]
        )
        store.save_judgements(
            [Judgement("late", "a-149", "ana", "overall", Label.FAIL, 2, saved_at=T1, supersedes="j149")]
        )
        text = export_text(store, "judgements", "jsonl")
        (tmp_path / "attempts.jsonl").write_text(export_text(store, "attempts", "jsonl"))
    copy = Store.open(tmp_path / "copy.db", create=True)
    import_into(copy, tmp_path / "attempts.jsonl")
    frame = polars.read_ndjson(io.StringIO(text))
    late = frame.filter(polars.col("judgement_id") == "late")
    assert late["supersedes"].to_list() == ["j149"] and late["confidence"].to_list() == [2]
    # moving the superseding row up keeps it after the judgement it supersedes, so it still imports
    (tmp_path / "j.jsonl").write_text(text)
    report = import_into(copy, tmp_path / "j.jsonl")
    assert report.complete and len(copy.judgements()) == 150
    copy.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reimported_verdicts_export_keeps_each_created_at_so_the_newer_run_still_counts(
    tmp_path: Path, fmt: str
) -> None:
    """Which run counts depends on when each verdict was written: a verdicts export re-imported into another
    copy keeps every created_at from its line, even with the older run's lines last, so the older run never
    wins by being imported later."""
    with Store.open(tmp_path / "a.db", create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", ORIGINAL)])
        store.add_attempts([Attempt("a-1", "t-1", "m", ORIGINAL)])
    copy = tmp_path / "b.db"
    copy.write_bytes((tmp_path / "a.db").read_bytes())
    with Store.open(tmp_path / "a.db") as store:
        # bare-tui's own runs: versions as verify stamps them (an import refuses the name with any other)
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.PASS, None, (), "0.1.0+000002", created_at=T2)])
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.FAIL, None, (), "0.1.0+000001", created_at=T0)])
        text = export_text(store, "verdicts", fmt)  # in the order written: the older run's line last
    source = tmp_path / f"v.{fmt}"
    source.write_text(text)
    with Store.open(copy) as store:
        report = import_into(store, source)
        assert report.errors == []
        assert sorted((v.pipeline_version, v.created_at) for v in store.verdicts()) == [
            ("0.1.0+000001", T0),
            ("0.1.0+000002", T2),
        ]
        assert store.current_verdicts()[("a-1", "syntax")].outcome is Outcome.PASS


@pytest.mark.parametrize("what", ["verdicts", "attempts", "attempt-stages", "disputes"])
def test_a_streamed_export_copying_stored_json_writes_the_records_the_api_decodes(tmp_path: Path, what: str) -> None:
    """The big exports stream from a cursor and copy stored JSON (evidence, meta, labels) without decoding
    it: every line still reads back as the record the Python API gives, in CSV as in JSON Lines."""
    from bare_tui.exporter import records

    session = rich_session(tmp_path / "s.db")
    with Store.open(session) as store:
        expected = sorted(json.dumps(r, sort_keys=True) for r in records(store, what))
        lines = export_text(store, what, "jsonl").splitlines()
        text = export_text(store, what, "csv")
    assert sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines) == expected
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_answer_that_deletes_everything_is_not_a_missing_answer(tmp_path: Path, fmt: str) -> None:
    """`refactored: ""` (the answer deletes the whole file) and an empty original (a new file) stay empty
    text through either format, apart from null (no code could be extracted); CSV writes empty text as a
    quoted empty cell ("") and null as an empty one, as PostgreSQL and polars read them."""
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", ORIGINAL), Task("t-2", "python", "new.py", "")])
        store.add_attempts(
            [
                Attempt("a-1", "t-1", "m", ""),
                Attempt("a-2", "t-2", "m", "x = 1\n"),
                Attempt("a-3", "t-1", "m", None, "I cannot help with that.", None, {}, ("no-code",)),
            ]
        )
        text = export_text(store, "attempts", fmt)
        expected = records(store)
    (tmp_path / f"attempts.{fmt}").write_text(text, encoding="utf-8", newline="")
    with Store.open(tmp_path / "copy.db", create=True) as copy:
        report = import_into(copy, tmp_path / f"attempts.{fmt}")
        assert report.complete, report.errors
        assert records(copy) == expected
        assert copy.attempt("a-1").refactored == "" and copy.attempt("a-3").refactored is None
        assert copy.tasks()["t-2"].original == ""
    if fmt == "csv":
        assert text.splitlines()[1].startswith('a-1,t-1,m,python,a.py,"def total')
        assert ',{},"",,,{},[]' in text  # a-1: refactored "" beside a null response and patch
    polars = pytest.importorskip("polars", reason="polars is not installed (pip install 'bare-tui[test]')")
    frame = polars.read_ndjson(io.StringIO(text)) if fmt == "jsonl" else polars.read_csv(io.StringIO(text))
    assert frame["refactored"].to_list() == ["", "x = 1\n", None]


def test_csv_plan_lines_reimport_into_a_copy_that_already_has_the_plan(tmp_path: Path) -> None:
    """A lead hands the same plan to every reviewer's copy as CSV: read back whole, then again with nothing new."""
    source = rich_session(tmp_path / "source.db")
    with Store.open(source, readonly=True) as store:
        attempts, plans = export_text(store, "attempts", "csv"), export_text(store, "plans", "csv")
        expected = {record.name: store.plan_items(record.name) for record in store.plans()}
    (tmp_path / "attempts.csv").write_text(attempts, encoding="utf-8", newline="")
    (tmp_path / "plans.csv").write_text(plans, encoding="utf-8", newline="")
    with Store.open(tmp_path / "copy.db", create=True) as copy:
        assert import_into(copy, tmp_path / "attempts.csv").complete
        first = import_into(copy, tmp_path / "plans.csv")
        again = import_into(copy, tmp_path / "plans.csv")
        assert first.complete and again.complete and not again.errors
        assert {record.name: copy.plan_items(record.name) for record in copy.plans()} == expected
        assert export_text(copy, "plans", "csv") == plans


BOOLEAN_COLUMNS = {
    "judgements": ("saw_verdicts", "retracted"),
    "plans": ("gold",),
    "attempt-stages": ("disputed_failure",),
    "disputes": ("settled",),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", WHATS)
def test_every_export_has_its_keys_on_every_row_and_booleans_as_booleans(tmp_path: Path, what: str, fmt: str) -> None:
    """The same keys in the same order on every row (null where there is no value), and each boolean column
    true/false in both formats, read as booleans by polars whether it reads JSON Lines or CSV."""
    with Store.open(rich_session(tmp_path / "s.db"), readonly=True) as store:
        text = export_text(store, what, fmt)
    booleans = BOOLEAN_COLUMNS.get(what, ())
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        assert rows and all(list(row) == list(COLUMNS[what]) for row in rows)
        assert all(isinstance(row[name], bool) for row in rows for name in booleans)
    else:
        header, *lines = text.splitlines()
        assert header.split(",") == list(COLUMNS[what]) and lines
        frame = csv.DictReader(io.StringIO(text))
        assert all(row[name] in ("true", "false") for row in frame for name in booleans)
    polars = pytest.importorskip("polars", reason="polars is not installed (pip install 'bare-tui[test]')")
    read = polars.read_ndjson(io.StringIO(text)) if fmt == "jsonl" else polars.read_csv(io.StringIO(text))
    assert all(read.schema[name] == polars.Boolean for name in booleans)


@pytest.mark.parametrize("fmt", FORMATS)
def test_columns_chooses_the_keys_of_every_row_in_either_format(tmp_path: Path, fmt: str) -> None:
    path = rich_session(tmp_path / "s.db")
    out = tmp_path / f"v.{fmt}"
    assert (
        main(
            [
                "export",
                str(path),
                "--what",
                "verdicts",
                "--format",
                fmt,
                "--columns",
                "stage, attempt_id,outcome",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text(encoding="utf-8")
    if fmt == "jsonl":
        assert [list(json.loads(line)) for line in text.splitlines()] == [["stage", "attempt_id", "outcome"]] * 4
    else:
        assert text.splitlines()[0] == "stage,attempt_id,outcome" and len(text.splitlines()) == 5
    assert main(["export", str(path), "--what", "verdicts", "--columns", "stage,colour"]) == 2
