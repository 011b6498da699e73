"""Hostile import lines: each bad line is one `FILE:LINE: reason`, never a traceback, and the good lines around
it go in; a key already present with other content is a reported conflict, never an overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bare_tui import cli
from bare_tui.importer import MAX_TEXT_BYTES, import_into
from bare_tui.model import Label
from bare_tui.store import Store

TASK = {"task_id": "t-1", "language": "python", "path": "a.py", "original": "def f(x):\n    return x\n"}
GOOD = {"attempt_id": "a-good", "task_id": "t-1", "model": "m", "refactored": "def f(x):\n    return +x\n"}
AFTER = {"attempt_id": "a-after", "task_id": "t-1", "model": "m", "refactored": "def f(x):\n    return 0 + x\n"}


def attempt_text(**fields: object) -> str:
    """An attempt line as JSON text, with `@@` markers replaced by raw JSON (for values json.dumps refuses)."""
    return json.dumps({"attempt_id": "a-bad", "task_id": "t-1", "model": "m", "refactored": "x = 1\n", **fields})


DEEP = "[" * 100_000 + "]" * 100_000
HAZARDS: dict[str, str] = {
    "lone surrogate in model": attempt_text(model="@@").replace('"@@"', '"gpt\\ud800"'),
    "lone surrogate in refactored": attempt_text(refactored="@@").replace('"@@"', '"x = \\udfff\\n"'),
    "lone surrogate in a meta key": attempt_text(meta="@@").replace('"@@"', '{"\\ud83d": 1}'),
    "lone surrogate in a task path": json.dumps({**TASK, "task_id": "t-9", "path": "@@"}).replace(
        '"@@"', '"\\ud800.py"'
    ),
    "evidence line 1e999": attempt_text(verdicts="@@").replace(
        '"@@"', '{"syntax": {"outcome": "fail", "evidence": [{"side": "refactored", "line": 1e999}]}}'
    ),
    "score NaN": attempt_text(verdicts="@@").replace('"@@"', '{"syntax": {"outcome": "fail", "score": NaN}}'),
    "score Infinity": attempt_text(verdicts="@@").replace(
        '"@@"', '{"syntax": {"outcome": "fail", "score": -Infinity}}'
    ),
    "score 10^400": attempt_text(verdicts="@@").replace(
        '"@@"', '{"syntax": {"outcome": "fail", "score": 1' + "0" * 400 + "}}"
    ),
    "integer of 5,000 digits": attempt_text(meta="@@").replace('"@@"', '{"n": ' + "7" * 5000 + "}"),
    "nesting 100,000 deep": attempt_text(meta="@@").replace('"@@"', '{"deep": ' + DEEP + "}"),
    "truncated JSON": attempt_text()[:-7],
    "trailing garbage": attempt_text() + " ,]",
    "a JSON string, not an object": json.dumps("attempt_id"),
    "evidence side 'left'": attempt_text(
        verdicts={"syntax": {"outcome": "fail", "evidence": [{"side": "left", "line": 1}]}}
    ),
    "an attempt's fields without attempt_id": json.dumps(
        {"task_id": "t-5", "path": "b.py", "original": "x = 1\n", "model": "m", "refactored": "y = 2\n"}
    ),
    "a model name of 100,000 characters": attempt_text(model="m" * 100_000),
    "meta of 2 MB": attempt_text(meta={"blob": "x" * 2_000_000}),
}


@pytest.mark.parametrize("name", list(HAZARDS))
def test_a_hostile_line_is_reported_alone_and_the_rest_import(tmp_path: Path, name: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([json.dumps(TASK), json.dumps(GOOD), HAZARDS[name], json.dumps(AFTER)]) + "\n")
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source)
        assert {a.attempt_id for a in store.attempts()} == {"a-good", "a-after"}
        assert {t for t in store.tasks()} == {"t-1"}
    assert report.failed == 1 and report.imported == 3
    (error,) = report.errors
    assert error.startswith(f"{source}:3: ") and len(error) > len(f"{source}:3: ") + 10


def test_every_line_of_a_large_file_survives_one_bad_line(tmp_path: Path) -> None:
    """Today a JSON-level error anywhere lost every line of the file (2,998 of 2,998)."""
    lines = [json.dumps(TASK)] + [json.dumps({**GOOD, "attempt_id": f"a-{i}"}) for i in range(2500)]
    lines.insert(1200, HAZARDS["lone surrogate in model"])
    lines.insert(2400, HAZARDS["nesting 100,000 deep"])
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source)
        assert store.count_attempts() == 2500
    assert [e.split(": ")[0] for e in report.errors] == [f"{source}:1201", f"{source}:2401"]


def test_a_store_level_refusal_rolls_back_that_line_only(tmp_path: Path) -> None:
    lines = [TASK] + [{**GOOD, "attempt_id": f"a-{i}"} for i in range(20)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in lines))
    with Store.open(tmp_path / "s.db", create=True) as store:
        store._conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON attempts WHEN NEW.attempt_id = 'a-7'"
            " BEGIN SELECT RAISE(ABORT, 'refused by a site policy'); END"
        )
        report = import_into(store, source)
        assert store.count_attempts() == 19 and store.attempt("a-7") is None
    assert report.errors == [f"{source}:9: refused by a site policy"]


def test_the_import_command_echoes_no_control_character_from_a_bad_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "\x1b]52;c;aGk=\x07\x1b]0;owned\x07\u009b31m"
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({**TASK, "language": hostile})
        + "\n"
        + json.dumps({**TASK, "task_id": hostile, "path": hostile + ".rb"})
        + "\n"
    )
    assert cli.main(["import", str(tmp_path / "s.db"), str(source)]) == 1
    err = capsys.readouterr().err
    assert "unknown language" in err and "\u241b]52;c;aGk=" in err  # shown, as visible stand-ins
    assert not any(char in err for char in "\x1b\x07\u009b")


# ---------------------------------------------------------------------- conflicts are reported, never applied
def imported(tmp_path: Path, name: str, rows: list[dict]) -> tuple[Path, object]:
    source = tmp_path / name
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with Store.open(tmp_path / "s.db", create=True) as store:
        return source, import_into(store, source)


def test_a_duplicate_attempt_with_other_verdicts_is_a_conflict_and_the_stored_verdicts_stay(tmp_path: Path) -> None:
    first = {**GOOD, "verdicts": {"syntax": {"outcome": "pass"}}}
    imported(tmp_path, "one.jsonl", [TASK, first])
    source, report = imported(
        tmp_path, "two.jsonl", [{**first, "verdicts": {"syntax": {"outcome": "fail", "score": 0.1}}}]
    )
    assert report.failed == 1 and report.errors[0].startswith(f"{source}:1: conflict")
    with Store.open(tmp_path / "s.db") as store:
        (verdict,) = store.verdicts()
    assert verdict.outcome.value == "pass" and verdict.score is None


def test_a_duplicate_id_with_other_content_is_a_conflict_for_every_kind(tmp_path: Path) -> None:
    judgement = {
        "judgement_id": "j-1",
        "attempt_id": "a-good",
        "reviewer": "ana",
        "stage": "syntax",
        "label": "pass",
        "saved_at": "2026-11-21T10:00:41Z",
    }
    adjudication = {
        "adjudication_id": "d-1",
        "attempt_id": "a-good",
        "stage": "syntax",
        "auditor": "eve",
        "label": "pass",
        "reason": "pipeline-false-fail",
        "saved_at": "2026-11-21T11:00:00Z",
    }
    imported(tmp_path, "one.jsonl", [TASK, GOOD, judgement, adjudication])
    _, report = imported(
        tmp_path,
        "two.jsonl",
        [
            {**TASK, "original": "def f(x):\n    return x * 1\n"},
            {**GOOD, "refactored": "pass\n"},
            {**judgement, "label": "fail"},
            {**adjudication, "label": "fail"},
            {**GOOD, "attempt_id": "a-new", "path": "a.py", "original": "something else\n"},  # inline original differs
        ],
    )
    assert report.failed == 5 and report.imported == 0
    assert sorted(int(e.split(": ")[0].rsplit(":", 1)[1]) for e in report.errors) == [1, 2, 3, 4, 5]
    assert all("conflict" in e for e in report.errors), report.errors
    with Store.open(tmp_path / "s.db") as store:
        assert store.task("t-1").original == TASK["original"]
        assert store.attempt("a-good").refactored == GOOD["refactored"] and store.attempt("a-new") is None
        assert [j.label for j in store.judgements()] == [Label.PASS]
        assert [a.label for a in store.adjudications()] == [Label.PASS]


def test_reimporting_an_identical_line_is_already_present_not_a_conflict(tmp_path: Path) -> None:
    rows = [TASK, {**GOOD, "verdicts": {"syntax": {"outcome": "fail", "evidence": [{"side": "original", "line": 3}]}}}]
    imported(tmp_path, "one.jsonl", rows)
    _, report = imported(tmp_path, "one.jsonl", rows)
    assert (report.imported, report.unchanged, report.failed) == (0, 2, 0)


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"reviewer": "ben"}, "may not supersede"),
        ({"stage": "integrity"}, "may not supersede"),
        ({"attempt_id": "a-after"}, "may not supersede"),
        ({"supersedes": "j-2"}, "supersedes itself"),
        ({"supersedes": "j-nowhere"}, "not in the session"),
    ],
)
def test_a_judgement_may_only_supersede_the_same_reviewers_attempt_and_stage(
    tmp_path: Path, change: dict, reason: str
) -> None:
    first = {"judgement_id": "j-1", "attempt_id": "a-good", "reviewer": "ana", "stage": "syntax", "label": "pass"}
    second = {**first, "judgement_id": "j-2", "label": "fail", "supersedes": "j-1", **change}
    source, report = imported(tmp_path, "in.jsonl", [TASK, GOOD, AFTER, first, second])
    assert report.failed == 1 and report.errors[0].startswith(f"{source}:5: ") and reason in report.errors[0]
    with Store.open(tmp_path / "s.db") as store:
        assert [(j.judgement_id, j.label) for j in store.judgements()] == [("j-1", Label.PASS)]


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("retracted", "false", "'retracted' must be true or false"),
        ("saw_verdicts", 1, "'saw_verdicts' must be true or false"),
        ("saved_at", "yesterday", "ISO-8601"),
        ("opened_at", "2026-11-21 10:00", "ISO-8601"),
        ("saved_at", "2026-11-21T10:00:41", "ISO-8601"),  # no zone: which day is it?
    ],
)
def test_booleans_and_timestamps_are_validated(tmp_path: Path, field: str, value: object, reason: str) -> None:
    judgement = {
        "judgement_id": "j-1",
        "attempt_id": "a-good",
        "reviewer": "ana",
        "stage": "syntax",
        "label": "pass",
        field: value,
    }
    _, report = imported(tmp_path, "in.jsonl", [TASK, GOOD, judgement])
    assert report.failed == 1 and reason in report.errors[0]


def test_a_time_with_an_offset_is_kept_as_the_same_moment_in_utc(tmp_path: Path) -> None:
    judgement = {
        "judgement_id": "j-1",
        "attempt_id": "a-good",
        "reviewer": "ana",
        "stage": "syntax",
        "label": "pass",
        "saved_at": "2026-11-21T12:00:41+02:00",
    }
    _, report = imported(tmp_path, "in.jsonl", [TASK, GOOD, judgement])
    assert report.complete
    with Store.open(tmp_path / "s.db") as store:
        assert store.judgements()[0].saved_at == "2026-11-21T10:00:41.000000Z"


# ---------------------------------------------------------------------- files and folders
def test_a_byte_order_mark_does_not_cost_line_one(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + (json.dumps(TASK) + "\n" + json.dumps(GOOD) + "\n").encode())
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source)
    assert report.complete and report.imported == 2


def test_folder_import_reads_upper_case_jsonl_and_says_what_it_skips(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    (folder / "more").mkdir(parents=True)
    (folder / "TASKS.JSONL").write_text(json.dumps(TASK) + "\n")
    (folder / "more" / "attempts.jsonl").write_text(json.dumps(GOOD) + "\n")
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, folder)
        assert list(store.tasks()) == ["t-1"]
    assert any("more" in w and "not read" in w for w in report.warnings)


def test_the_folder_layout_follows_no_symbolic_link_and_reads_no_file_above_the_cap(tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text("password = 'hunter2'\n")
    folder = tmp_path / "study"
    (folder / "tasks" / "t-1").mkdir(parents=True)
    (folder / "tasks" / "t-1" / "a.py").symlink_to(outside)
    (folder / "tasks" / "t-2").mkdir()
    with (folder / "tasks" / "t-2" / "big.py").open("wb") as handle:
        handle.truncate(MAX_TEXT_BYTES + 1)  # sparse: nothing to read unless the importer reads it whole
    (folder / "tasks" / "t-3").symlink_to(tmp_path)
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, folder)
        assert store.tasks() == {}
    text = "\n".join(report.errors)
    assert "symbolic link" in text and "above the 2 MB cap" in text and report.failed == 3


@pytest.mark.parametrize(
    "patch, reason",
    [
        ("--- a/a.py\n+++ b/a.py\n", "no hunk"),
        ("--- a/a.py\n+++ b/a.py\n@@ garbage @@\n-x\n+y\n", "no hunk"),
        ("diff --git a/a.py b/a.py\nBinary files a/a.py and b/a.py differ\n", "binary"),
    ],
)
def test_a_patch_that_changes_nothing_is_flagged_not_applied(tmp_path: Path, patch: str, reason: str) -> None:
    _, report = imported(
        tmp_path, "in.jsonl", [TASK, {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "patch": patch}]
    )
    assert report.complete  # imported, flagged: a patch that changes nothing is the model's failure
    with Store.open(tmp_path / "s.db") as store:
        attempt = store.attempt("a-1")
    assert (
        attempt.refactored is None and attempt.problems[0].startswith("patch-failed") and reason in attempt.problems[0]
    )


def test_a_line_longer_than_the_cap_is_skipped_not_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bare_tui import importer

    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(TASK) + "\n" + json.dumps({**GOOD, "meta": {"x": "y" * 5000}}) + "\n" + json.dumps(AFTER) + "\n"
    )
    monkeypatch.setattr(importer, "MAX_LINE_BYTES", 4096)
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source)
        assert store.attempt("a-after") is not None and store.attempt("a-good") is None
    assert report.errors[0].startswith(f"{source}:2: the line is longer")


def test_an_exported_study_reimports_as_already_present_not_as_conflicts(tmp_path: Path) -> None:
    """Derived flags (invalid UTF-8 replaced on the first import) are no difference of content."""
    from bare_tui.exporter import export_text

    source = tmp_path / "in.jsonl"
    source.write_bytes((json.dumps(TASK) + "\n" + json.dumps(GOOD) + "\n").encode().replace(b"+x", b"+\xe9"))
    with Store.open(tmp_path / "s.db", create=True) as store:
        assert import_into(store, source).complete
        exported = tmp_path / "out.jsonl"
        exported.write_text(export_text(store, "attempts", "jsonl"))
        report = import_into(store, exported)
    assert (report.failed, report.imported, report.unchanged) == (0, 0, 1)


def test_no_write_transaction_carries_more_than_the_batch_volume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer saving during an import waits for one transaction at most: big answers split the batch."""
    from bare_tui import importer

    monkeypatch.setattr(importer, "BATCH_BYTES", 10_000)
    written: list[int] = []
    real = importer._write_batch

    def counting(store: Store, prepared: list) -> object:
        written.append(sum(importer._volume(item) for item in prepared))
        return real(store, prepared)

    monkeypatch.setattr(importer, "_write_batch", counting)
    rows = [TASK] + [{**GOOD, "attempt_id": f"a-{i}", "refactored": "x = 1\n" * 700} for i in range(12)]
    _, report = imported(tmp_path, "in.jsonl", rows)
    assert report.complete and report.imported == 13
    assert len(written) >= 6 and all(volume <= 10_000 for volume in written)


@pytest.mark.parametrize(
    "fields",
    [
        {"source": "bare-tui"},  # no version: it would be stored as pipeline version 'bare-tui'
        {"source": "bare-tui", "pipeline_version": "bare-eval@2.1"},
        {"source": "bare-tui", "pipeline_version": "latest"},
    ],
)
@pytest.mark.parametrize("line", ["verdicts only", "attempt"])
def test_a_line_posing_as_bare_tuis_own_verdicts_is_refused(tmp_path: Path, fields: dict, line: str) -> None:
    """bare-tui's own verdicts count before any imported source and tell verify an attempt is done: a file that
    names itself `bare-tui` without the pipeline version verify stamps is refused as FILE:LINE, nothing kept."""
    imported(tmp_path, "one.jsonl", [TASK, GOOD])
    verdicts = {"syntax": {"outcome": "pass"}, "defects": {"outcome": "pass"}}
    row = {"attempt_id": "a-good", "verdicts": verdicts} if line == "verdicts only" else {**AFTER, "verdicts": verdicts}
    source, report = imported(tmp_path, "two.jsonl", [{**row, **fields}])
    assert report.failed == 1 and report.errors[0].startswith(f"{source}:1: source 'bare-tui' is reserved")
    with Store.open(tmp_path / "s.db", readonly=True) as store:
        assert store.verdicts() == [] and not store.has_attempt("a-after")


def test_a_verdicts_export_of_bare_tuis_own_verdicts_reimports(tmp_path: Path) -> None:
    """What the reserved name is for: a verdicts export of verify's own verdicts goes back in as bare-tui's."""
    from bare_tui.exporter import export_text
    from bare_tui.model import Outcome, Verdict
    from bare_tui.pipeline.version import pipeline_version

    imported(tmp_path, "one.jsonl", [TASK, GOOD])
    with Store.open(tmp_path / "s.db") as store:
        store.save_verdicts([Verdict("a-good", "syntax", Outcome.PASS, None, (), pipeline_version())])
        (tmp_path / "verdicts.jsonl").write_text(export_text(store, "verdicts", "jsonl"))
    (tmp_path / "copy").mkdir()
    imported(tmp_path / "copy", "one.jsonl", [TASK, GOOD])
    with Store.open(tmp_path / "copy" / "s.db") as store:
        report = import_into(store, tmp_path / "verdicts.jsonl")
        assert report.complete, report.errors
        assert [(v.source, v.pipeline_version) for v in store.verdicts()] == [("bare-tui", pipeline_version())]


def _levels(levels: int) -> dict:
    """A meta that makes its line `levels` containers deep: the line's object, meta, then lists."""
    value: object = 1
    for _ in range(levels - 2):
        value = [value]
    return {"meta": {"n": value} if levels > 2 else {}}


@pytest.mark.parametrize(
    "limit, at, over",
    [
        # The README's words: "nesting deeper than 64 levels", "integers of more than 400 digits",
        # "an answer above 2 MB is refused", and the caps on names, notes and meta.
        ("nesting", _levels(64), _levels(65)),
        ("digits", {"meta": {"n": int("7" * 400)}}, {"meta": {"n": int("7" * 401)}}),
        ("answer", {"refactored": "x" * MAX_TEXT_BYTES}, {"refactored": "x" * (MAX_TEXT_BYTES + 1)}),
        ("model name", {"model": "m" * 1000}, {"model": "m" * 1001}),
        ("meta", {"meta": {"b": "x" * (256 * 1024 - 10)}}, {"meta": {"b": "x" * (256 * 1024)}}),
    ],
)
def test_each_stated_limit_takes_a_value_at_it_and_refuses_one_past_it(
    tmp_path: Path, limit: str, at: dict, over: dict
) -> None:
    rows = [TASK, {**GOOD, "attempt_id": "a-at", **at}, {**GOOD, "attempt_id": "a-over", **over}]
    source, report = imported(tmp_path, "in.jsonl", rows)
    assert report.imported == 2 and report.failed == 1, report.errors
    assert report.errors[0].startswith(f"{source}:3: ")
    with Store.open(tmp_path / "s.db") as store:
        assert store.has_attempt("a-at") and not store.has_attempt("a-over")
