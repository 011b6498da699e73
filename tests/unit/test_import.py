"""Importing studies: every format of DESIGN.md, every kind of bad input, and nothing half-imported."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from bare_tui.importer import MAX_TEXT_BYTES, import_into
from bare_tui.model import Outcome
from bare_tui.store import Store
from tests.conftest import write_jsonl

ORIGINAL = "def total(items):\n    s = 0\n    for i in items:\n        s += i\n    return s\n\n\ndef mean(items):\n    return total(items) / len(items)\n"
REFACTORED = ORIGINAL.replace(
    "    s = 0\n    for i in items:\n        s += i\n    return s\n", "    return sum(items)\n"
)
TASK = {"task_id": "t-1", "language": "python", "path": "stats.py", "original": ORIGINAL}


def run_import(tmp_path: Path, rows: list[dict], **kwargs) -> tuple[Store, object]:
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    store = Store.open(tmp_path / "s.db", create=True)
    return store, import_into(store, source, **kwargs)


def test_tasks_and_attempts_with_refactored(tmp_path: Path) -> None:
    store, report = run_import(
        tmp_path, [TASK, {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": REFACTORED}]
    )
    assert (report.imported, report.failed, report.complete) == (2, 0, True)
    assert store.attempt("a-1").refactored == REFACTORED
    assert store.task("t-1").language == "python"


def test_inline_original_and_language_from_extension(tmp_path: Path) -> None:
    row = {
        "attempt_id": "a-1",
        "task_id": "t-9",
        "model": "m",
        "path": "src/App.tsx",
        "original": "let a = 1;\n",
        "refactored": "const a = 1;\n",
    }
    store, report = run_import(tmp_path, [row])
    assert report.complete
    assert store.task("t-9").language == "typescript" and store.task("t-9").path == "src/App.tsx"


@pytest.mark.parametrize(
    "ext, language",
    [
        (".c", "c"),
        (".h", "c"),
        (".cpp", "cpp"),
        (".cc", "cpp"),
        (".cxx", "cpp"),
        (".hpp", "cpp"),
        (".hh", "cpp"),
        (".cs", "csharp"),
        (".go", "go"),
        (".java", "java"),
        (".js", "javascript"),
        (".mjs", "javascript"),
        (".cjs", "javascript"),
        (".jsx", "javascript"),
        (".ts", "typescript"),
        (".tsx", "typescript"),
        (".php", "php"),
        (".py", "python"),
    ],
)
def test_language_from_each_extension(tmp_path: Path, ext: str, language: str) -> None:
    store, report = run_import(tmp_path, [{"task_id": "t", "path": f"x/file{ext}", "original": "x"}])
    assert report.complete and store.task("t").language == language


def test_bad_lines_are_reported_with_file_and_line_and_good_lines_go_in(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps(TASK),
        "{not json",
        "[1, 2]",
        json.dumps({"task_id": "t-2", "path": "a.rb", "original": "puts 1"}),
        json.dumps({"task_id": "t-3", "language": "cobol", "path": "a.cob", "original": "x"}),
        json.dumps({"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": REFACTORED}),
        json.dumps({"attempt_id": "a-2", "task_id": "t-404", "model": "m", "refactored": "x"}),
        json.dumps({"attempt_id": "a-3", "task_id": "t-1", "model": "m"}),
        json.dumps({"hello": "world"}),
        json.dumps({"judgement_id": "j", "attempt_id": "a-1", "reviewer": "ana", "stage": "style", "label": "pass"}),
        json.dumps(
            {
                "judgement_id": "j2",
                "attempt_id": "a-1",
                "reviewer": "ana",
                "stage": "syntax",
                "label": "pass",
                "confidence": 5,
            }
        ),
    ]
    source.write_text("\n".join(lines) + "\n")
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source)
        assert [a.attempt_id for a in store.attempts()] == ["a-1"]
    assert report.imported == 2 and report.failed == 9 and not report.complete
    where = [e.split(": ", 1)[0] for e in report.errors]
    # Listed as a compiler lists them, by line: the import meets them kind by kind (bad JSON on its first pass,
    # the tasks' before the attempts' and the judgements').
    assert where == [f"{source}:{n}" for n in (2, 3, 4, 5, 7, 8, 9, 10, 11)]
    text = "\n".join(report.errors)
    assert "not valid JSON" in text and "expected a JSON object" in text
    assert "unknown language" in text and "cobol" in text
    assert "task 't-404' is not in the session" in text
    assert "no answer" in text and "unknown stage 'style'" in text and "confidence 5" in text


def test_errors_of_two_files_are_listed_file_by_file_each_by_line(tmp_path: Path) -> None:
    """A folder's files: the errors of the first file met, by line, then the next file's."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        json.dumps(TASK) + "\n" + json.dumps({"attempt_id": "a-9", "task_id": "t-404", "model": "m"}) + "\n{bad\n"
    )
    (folder / "b.jsonl").write_text("{bad\n" + json.dumps({"task_id": "t-5", "language": "cobol", "path": "x"}) + "\n")
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, folder)
    where = [e.split(": ", 1)[0] for e in report.errors]
    assert where == [
        f"{folder / 'a.jsonl'}:2",
        f"{folder / 'a.jsonl'}:3",
        f"{folder / 'b.jsonl'}:1",
        f"{folder / 'b.jsonl'}:2",
    ]


def test_a_line_with_a_bad_verdict_is_not_half_imported(tmp_path: Path) -> None:
    row = {
        "attempt_id": "a-1",
        "task_id": "t-1",
        "model": "m",
        "refactored": REFACTORED,
        "verdicts": {"syntax": {"outcome": "pass"}, "defects": {"outcome": "maybe"}},
    }
    store, report = run_import(tmp_path, [TASK, row])
    assert report.failed == 1 and "outcome 'maybe'" in report.errors[0]
    assert store.attempt("a-1") is None and store.verdicts() == []


def test_reimporting_the_same_ids_changes_nothing(tmp_path: Path) -> None:
    rows = [
        TASK,
        {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": REFACTORED},
        {"judgement_id": "j1", "attempt_id": "a-1", "reviewer": "ana", "stage": "overall", "label": "pass"},
    ]
    store, first = run_import(tmp_path, rows)
    before = store.counts()
    second = import_into(store, tmp_path / "in.jsonl")
    assert (first.imported, second.imported, second.unchanged, second.failed) == (3, 0, 3, 0)
    assert store.counts() == before


def test_invalid_utf8_is_replaced_and_flagged(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    attempt = json.dumps({"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": "x = 'CAFE'\n"})
    source.write_bytes((json.dumps(TASK) + "\n" + attempt + "\n").encode().replace(b"CAFE", b"caf\xe9"))
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source)
        attempt_row = store.attempt("a-1")
    assert report.complete
    assert "\ufffd" in attempt_row.refactored and "invalid-utf8" in attempt_row.problems
    assert any("invalid UTF-8" in w for w in report.warnings)


def test_an_answer_above_the_size_cap_is_refused_with_its_reason(tmp_path: Path) -> None:
    huge = "x = 1\n" * (MAX_TEXT_BYTES // 6 + 10)
    store, report = run_import(
        tmp_path, [TASK, {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": huge}]
    )
    assert report.failed == 1 and "above the 2 MB cap" in report.errors[0]
    assert store.attempt("a-1") is None


def test_code_is_extracted_from_a_raw_response(tmp_path: Path) -> None:
    response = (
        "Sure! Here is the refactored version.\n\n```python\n" + REFACTORED + "```\n\n"
        "And a quick test:\n\n```bash\npytest -q tests/test_stats.py --maxfail=1 -k mean\n```\n"
    )
    prose = "I am sorry, but I cannot refactor this file without more context about its callers."
    rows = [
        TASK,
        {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "response": response},
        {"attempt_id": "a-2", "task_id": "t-1", "model": "m", "response": prose},
    ]
    store, report = run_import(tmp_path, rows)
    assert report.complete
    assert store.attempt("a-1").refactored == REFACTORED
    assert store.attempt("a-2").refactored is None and store.attempt("a-2").problems == ("no-code",)
    assert store.attempt("a-2").response == prose


def test_a_patch_is_applied_and_a_bad_hunk_is_explained(tmp_path: Path) -> None:
    patch = "".join(
        difflib.unified_diff(ORIGINAL.splitlines(True), REFACTORED.splitlines(True), "a/stats.py", "b/stats.py")
    )
    broken = patch.replace("-    for i in items:", "-    for item in items:")
    rows = [
        TASK,
        {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "patch": patch},
        {"attempt_id": "a-2", "task_id": "t-1", "model": "m", "patch": broken},
    ]
    store, report = run_import(tmp_path, rows)
    assert report.complete  # both attempts are imported: a patch that does not apply is the model's failure
    assert store.attempt("a-1").refactored == REFACTORED
    bad = store.attempt("a-2")
    assert bad.refactored is None and bad.problems[0].startswith("patch-failed: hunk 1")
    assert any("hunk 1" in w and "does not apply" in w for w in report.warnings)


def test_external_verdicts_keep_their_source_and_derive_overall(tmp_path: Path) -> None:
    five = {s: {"outcome": "pass"} for s in ("syntax", "signatures", "integrity", "defects")}
    five["maintainability"] = {
        "outcome": "fail",
        "score": -0.4,
        "evidence": [{"side": "refactored", "line": 12, "column": 1, "message": "cc 14 > 10"}],
    }
    rows = [
        TASK,
        {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": REFACTORED, "verdicts": five},
        {
            "attempt_id": "a-2",
            "task_id": "t-1",
            "model": "m",
            "refactored": REFACTORED,
            "verdicts": {**five, "overall": {"outcome": "pass"}},
        },
        {
            "attempt_id": "a-3",
            "task_id": "t-1",
            "model": "m",
            "refactored": REFACTORED,
            "verdicts": {"syntax": {"outcome": "pass"}},
        },
    ]
    store, report = run_import(tmp_path, rows, source_name="bare-eval", source_version="2.1")
    assert report.complete
    verdicts = {(v.attempt_id, v.stage): v for v in store.verdicts()}
    assert verdicts[("a-1", "overall")].outcome is Outcome.FAIL  # derived
    assert verdicts[("a-2", "overall")].outcome is Outcome.PASS  # kept as given
    assert ("a-3", "overall") not in verdicts  # not all five stages known: nothing derived
    maint = verdicts[("a-1", "maintainability")]
    assert maint.score == -0.4 and maint.evidence[0].line == 12
    assert {(v.source, v.pipeline_version) for v in verdicts.values()} == {("bare-eval", "bare-eval@2.1")}


def test_judgements_import_keyed_by_id(tmp_path: Path) -> None:
    judgement = {
        "judgement_id": "2f1c",
        "attempt_id": "a-1",
        "reviewer": "ana",
        "stage": "syntax",
        "label": "pass",
        "confidence": 3,
        "note": "ok",
        "tags": ["easy"],
        "saw_verdicts": False,
        "opened_at": "2026-11-21T10:00:00Z",
        "saved_at": "2026-11-21T10:00:41Z",
        "supersedes": None,
    }
    rows = [TASK, {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": REFACTORED}, judgement, judgement]
    store, report = run_import(tmp_path, rows)
    assert (report.imported, report.unchanged) == (3, 1)
    (j,) = store.judgements()
    assert (j.reviewer, j.label.value, j.confidence, j.tags, j.saved_at) == (
        "ana",
        "pass",
        3,
        ("easy",),
        "2026-11-21T10:00:41Z",
    )


def test_folder_of_jsonl_and_directory_layout(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    (folder / "tasks" / "t-1").mkdir(parents=True)
    (folder / "tasks" / "t-1" / "stats.py").write_text(ORIGINAL)
    (folder / "attempts" / "model-x" / "t-1").mkdir(parents=True)
    (folder / "attempts" / "model-x" / "t-1" / "stats.py").write_text(REFACTORED)
    (folder / "attempts" / "model-y" / "t-1").mkdir(parents=True)
    patch = "".join(
        difflib.unified_diff(ORIGINAL.splitlines(True), REFACTORED.splitlines(True), "a/stats.py", "b/stats.py")
    )
    (folder / "attempts" / "model-y" / "t-1" / "stats.patch").write_text(patch)
    write_jsonl(
        folder / "judgements.jsonl",
        [{"judgement_id": "j", "attempt_id": "model-x/t-1", "reviewer": "ana", "stage": "overall", "label": "pass"}],
    )
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, folder)
        attempts = {a.attempt_id: a for a in store.attempts()}
        judged = store.judgements()
    assert report.complete and report.imported == 4
    assert attempts["model-x/t-1"].refactored == REFACTORED == attempts["model-y/t-1"].refactored
    assert attempts["model-y/t-1"].patch == patch and judged[0].attempt_id == "model-x/t-1"


def test_a_verdict_only_line_adds_an_external_pipelines_verdicts_and_never_replaces_them(tmp_path: Path) -> None:
    store, first = run_import(
        tmp_path, [TASK, {"attempt_id": "a-1", "task_id": "t-1", "model": "m", "refactored": REFACTORED}]
    )
    source = write_jsonl(
        tmp_path / "verdicts.jsonl",
        [
            {"attempt_id": "a-1", "verdicts": {"syntax": {"outcome": "pass"}}},
            {"attempt_id": "a-404", "verdicts": {"syntax": {"outcome": "pass"}}},
        ],
    )
    report = import_into(store, source, source_name="ci")
    assert (report.imported, report.failed) == (1, 1) and "'a-404' is not in the session" in report.errors[0]
    again = write_jsonl(tmp_path / "again.jsonl", [{"attempt_id": "a-1", "verdicts": {"syntax": {"outcome": "fail"}}}])
    report = import_into(store, again, source_name="ci")
    assert report.failed == 1 and "conflict" in report.errors[0]
    assert [(v.source, v.outcome) for v in store.verdicts()] == [("ci", Outcome.PASS)]


def test_a_long_import_streams_in_batches_reporting_every_bad_line_and_losing_no_good_one(tmp_path: Path) -> None:
    """Lines of every kind, out of kind order (verdict-only lines and the task line after the attempts that
    need them), bad lines scattered among them, across several committed batches: every bad line is reported
    FILE:LINE, every good one is in, and the progress reaches the total."""
    n = 2_600
    rows: list[dict | str] = []
    for i in range(n):
        rows.append({"attempt_id": f"a-{i}", "task_id": "t-1", "model": f"m{i % 7}", "refactored": f"x = {i}\n"})
    rows += [{"attempt_id": f"a-{i}", "verdicts": {"syntax": {"outcome": "pass"}}} for i in range(0, n, 3)]
    rows.append({"task_id": "t-1", "language": "python", "path": "a.py", "original": "x = 0\n"})
    bad = {10: "{not json", 1_500: '{"attempt_id": "a-x"}', 2_900: "[1, 2]"}
    for at, text in sorted(bad.items()):
        rows.insert(at, text)
    source = tmp_path / "big.jsonl"
    source.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    seen: list[tuple[int, int]] = []
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source, progress=lambda done, total: seen.append((done, total)))
        assert store.count_attempts() == n
        assert len(store.current_verdict_rows()) == len(range(0, n, 3))
        assert store.attempt("a-2599").refactored == "x = 2599\n"
    assert sorted(e.split(": ")[0] for e in report.errors) == sorted(f"{source}:{at + 1}" for at in bad)
    assert report.imported == n + len(range(0, n, 3)) + 1 and report.failed == len(bad)
    assert len(seen) > 3 and seen[-1][0] == seen[-1][1]
