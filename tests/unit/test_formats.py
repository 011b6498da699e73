"""Formats people already have: each adapter on a file in its real format, detection, and one error for a file
in none of them. The fixtures in tests/unit/data/formats follow each format's documentation, cited per test."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bare_tui.cli import main
from bare_tui.formats import FORMATS, FormatError, detect
from bare_tui.formats.csv_rows import csv_record, quoted_empty_cells
from bare_tui.importer import import_into
from bare_tui.model import Outcome, Task
from bare_tui.store import Store
from tests.conftest import write_jsonl

DATA = Path(__file__).resolve().parent / "data" / "formats"
INVOICE = "def total(lines):\n    s = 0\n    for line in lines:\n        s += line.price * line.qty\n    return s\n"
TAX = "RATE = 0.2\n\n\ndef tax(amount):\n    return amount * RATE\n"


def billing_session(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "s.db", create=True)
    store.add_tasks(
        [
            Task(
                "t-invoice",
                "python",
                "src/billing/invoice.py",
                INVOICE + "\n\ndef describe(invoice):\n    return 'Invoice ' + str(invoice.number)\n",
            ),
            Task("t-tax", "python", "src/billing/tax.py", TAX),
        ]
    )
    return store


# ---------------------------------------------------------------------- SWE-bench predictions
# swebench.com "Evaluation Guide", Prediction Format: JSON Lines of {instance_id, model_name_or_path, model_patch};
# sb-cli "Submit Command": a JSON list of the same objects, or a dictionary keyed by instance_id.
@pytest.mark.parametrize("name", ["swebench_preds.jsonl", "swebench_preds.json", "swebench_preds_dict.json"])
def test_swebench_predictions_split_a_multi_file_patch_into_one_attempt_per_file(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(DATA / "swebench_tasks.jsonl", folder / "tasks.jsonl")
    shutil.copy(DATA / name, folder / name)
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, folder)
        attempts = {a.attempt_id: a for a in store.attempts()}
    model = "gpt-4o-2024-08-06"
    assert sorted(attempts) == [
        f"{model}/acme__billing-42:src/billing/invoice.py",
        f"{model}/acme__billing-42:src/billing/tax.py",
    ]
    assert report.complete and report.kinds == {"task": 2, "attempt": 2}
    tax = attempts[f"{model}/acme__billing-42:src/billing/tax.py"]
    assert tax.refactored == "TAX_RATE = 0.2\n\n\ndef tax(amount):\n    return amount * TAX_RATE\n"
    assert tax.model == model and tax.meta["instance_id"] == "acme__billing-42" and tax.meta["files_in_patch"] == 3
    invoice = attempts[f"{model}/acme__billing-42:src/billing/invoice.py"]
    assert invoice.refactored.startswith("def total(lines):\n    return sum(")
    warnings = "\n".join(report.warnings)
    assert "docs/changes.rst" in warnings and "empty model_patch" in warnings


def test_swebench_without_the_tasks_names_the_task_ids_to_give(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, DATA / "swebench_preds.jsonl", source_format="swebench")
    assert report.failed == 2
    assert "task 'acme__billing-42:src/billing/tax.py' is not in the session" in "\n".join(report.errors)


# ---------------------------------------------------------------------- chat completions and batch outputs
# OpenAI API reference, Batch API "The request output object": {id, custom_id, response: {status_code,
# request_id, body}, error}, the body "The chat completion object" (choices[0].message.content).
def test_batch_output_lines_become_attempts_with_the_answer_as_response(tmp_path: Path) -> None:
    store = billing_session(tmp_path)
    report = import_into(store, DATA / "openai_batch_output.jsonl")
    attempts = {a.attempt_id: a for a in store.attempts()}
    assert sorted(attempts) == ["gpt-4o-mini-2024-07-18/t-tax", "t-invoice:run-1"]
    invoice = attempts["t-invoice:run-1"]
    assert invoice.task_id == "t-invoice" and invoice.model == "gpt-4o-mini-2024-07-18"
    assert invoice.response.startswith("Here is a cleaner version:")
    assert invoice.refactored.startswith("def total(lines):\n    return sum(") and "Here is" not in invoice.refactored
    assert report.failed == 1 and "the batch request failed: This request could not be executed" in report.errors[0]
    assert report.errors[0].startswith(f"{DATA / 'openai_batch_output.jsonl'}:3: ")
    store.close()


def test_an_attempt_line_carrying_a_chat_completion_reads_its_content(tmp_path: Path) -> None:
    store = billing_session(tmp_path)
    report = import_into(store, DATA / "chat_wrapped.jsonl")
    attempt = store.attempt("a-7")
    assert report.complete and attempt.refactored.startswith("TAX_RATE = 0.2")
    assert attempt.response.startswith("```python")
    store.close()


def test_a_custom_id_naming_no_task_says_how_to_name_it(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, DATA / "openai_batch_output.jsonl", source_format="chat")
    assert report.failed == 3 and "names no task in the session" in report.errors[0]


# ---------------------------------------------------------------------- a CSV of another pipeline's verdicts
def test_a_csv_of_verdicts_adds_a_pipelines_verdicts_and_keeps_extra_stages(tmp_path: Path, session: Path) -> None:
    with Store.open(session) as store:
        report = import_into(store, DATA / "verdicts.csv", source_name="ci-tests", source_version="2.1")
        verdicts = {(v.attempt_id, v.stage): v for v in store.verdicts(source="ci-tests")}
    assert report.complete and report.verdicts_written == 6 and report.kinds == {"verdict line": 2}
    assert verdicts[("a-1", "tests")].outcome is Outcome.FAIL and verdicts[("a-1", "tests")].score == 0.6
    assert verdicts[("a-1", "tests")].evidence[0].message == "3 of 5 tests pass: test_total_empty fails"
    assert verdicts[("a-2", "syntax")].outcome is Outcome.PASS and verdicts[("a-2", "tests")].outcome is Outcome.PASS
    assert verdicts[("a-1", "behaviour")].pipeline_version == "ci-tests@2.1"


def test_the_summary_counts_the_verdicts_written(session: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(session), str(DATA / "verdicts.csv"), "--source", "ci", "--quiet"]) == 0
    assert "6 verdicts written" in capsys.readouterr().out
    assert main(["import", str(session), str(DATA / "verdicts.csv"), "--source", "ci", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "verdicts written" not in out and "skipped 2 already present" in out


def test_verdict_only_json_lines_for_an_unknown_attempt_are_refused(tmp_path: Path, session: Path) -> None:
    source = write_jsonl(
        tmp_path / "v.jsonl",
        [
            {"attempt_id": "a-1", "verdicts": {"syntax": {"outcome": "pass"}, "tests": {"outcome": "fail"}}},
            {"attempt_id": "a-404", "verdicts": {"syntax": {"outcome": "pass"}}},
        ],
    )
    with Store.open(session) as store:
        report = import_into(store, source, source_name="other")
        assert {v.stage for v in store.verdicts(source="other")} == {"syntax", "tests"}
        assert store.stage_names() == ["syntax", "tests"]
    assert report.verdicts_written == 2 and report.failed == 1 and "'a-404' is not in the session" in report.errors[0]


def test_a_judgement_of_an_unknown_stage_is_still_refused(tmp_path: Path, session: Path) -> None:
    source = write_jsonl(
        tmp_path / "j.jsonl",
        [{"judgement_id": "j1", "attempt_id": "a-1", "reviewer": "ana", "stage": "tests", "label": "pass"}],
    )
    with Store.open(session) as store:
        first = import_into(store, source)
        import_into(
            store,
            write_jsonl(tmp_path / "v.jsonl", [{"attempt_id": "a-1", "verdicts": {"tests": {"outcome": "fail"}}}]),
        )
        second = import_into(store, source)
    assert "unknown stage 'tests'" in first.errors[0] and second.complete


# ---------------------------------------------------------------------- a before/after folder
def test_a_before_after_folder_keeps_repository_paths(tmp_path: Path) -> None:
    folder = tmp_path / "model-x"
    shutil.copytree(DATA / "before_after", folder)
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, folder)
        tasks, attempts = store.tasks(), store.attempts()
    assert sorted(tasks) == ["src/billing/invoice.py", "src/billing/tax.py"]
    assert tasks["src/billing/invoice.py"].path == "src/billing/invoice.py"
    assert [(a.attempt_id, a.model) for a in attempts] == [("model-x/src/billing/invoice.py", "model-x")]
    assert "1 file(s) identical to the original" in "\n".join(report.warnings)


def test_before_after_with_one_folder_per_model(tmp_path: Path) -> None:
    (tmp_path / "before" / "pkg").mkdir(parents=True)
    (tmp_path / "before" / "pkg" / "a.go").write_text("package pkg\n\nfunc A() int { return 1 }\n")
    for model in ("m1", "m2"):
        (tmp_path / "after" / model / "pkg").mkdir(parents=True)
        (tmp_path / "after" / model / "pkg" / "a.go").write_text(
            f"package pkg\n\n// {model}\nfunc A() int {{ return 1 }}\n"
        )
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, tmp_path, source_format="before-after")
        assert [a.attempt_id for a in store.attempts()] == ["m1/pkg/a.go", "m2/pkg/a.go"]
    assert report.complete


# ---------------------------------------------------------------------- answers in the folder layout
def _layout(tmp_path: Path, answer_name: str, answer: str) -> Store:
    (tmp_path / "tasks" / "t-1").mkdir(parents=True)
    (tmp_path / "tasks" / "t-1" / "tax.py").write_text(TAX)
    (tmp_path / "attempts" / "m" / "t-1").mkdir(parents=True)
    (tmp_path / "attempts" / "m" / "t-1" / answer_name).write_text(answer)
    store = Store.open(tmp_path / "s.db", create=True)
    import_into(store, tmp_path)
    return store


def test_a_response_file_is_extracted_not_stored_as_code(tmp_path: Path) -> None:
    answer = "Sure! Here is a cleaner version.\n\n```python\nTAX_RATE = 0.2\n\n\ndef tax(amount):\n    return amount * TAX_RATE\n```\n"
    with _layout(tmp_path, "tax.py.response.md", answer) as store:
        attempt = store.attempt("m/t-1")
    assert attempt.response == answer and attempt.refactored.startswith("TAX_RATE") and "Sure" not in attempt.refactored


def test_a_diff_fence_is_applied_as_a_patch(tmp_path: Path) -> None:
    answer = (
        "The constant deserves a clearer name:\n\n```diff\n--- a/tax.py\n+++ b/tax.py\n@@ -1,5 +1,5 @@\n-RATE = 0.2\n"
        "+TAX_RATE = 0.2\n \n \n def tax(amount):\n-    return amount * RATE\n+    return amount * TAX_RATE\n```\n"
    )
    with _layout(tmp_path, "answer.md", answer) as store:
        attempt = store.attempt("m/t-1")
    assert attempt.refactored == "TAX_RATE = 0.2\n\n\ndef tax(amount):\n    return amount * TAX_RATE\n"


def test_edit_blocks_are_applied_and_a_block_that_does_not_apply_is_flagged(tmp_path: Path) -> None:
    good = (
        "tax.py\n```python\n<<<<<<< SEARCH\nRATE = 0.2\n=======\nTAX_RATE = 0.2\n>>>>>>> REPLACE\n```\n"
        "```python\n<<<<<<< SEARCH\n    return amount * RATE\n=======\n    return amount * TAX_RATE\n>>>>>>> REPLACE\n```\n"
    )
    with _layout(tmp_path / "good", "answer.txt", good) as store:
        assert (
            store.attempt("m/t-1").refactored == "TAX_RATE = 0.2\n\n\ndef tax(amount):\n    return amount * TAX_RATE\n"
        )
    bad = "<<<<<<< SEARCH\nVAT = 0.2\n=======\nTAX_RATE = 0.2\n>>>>>>> REPLACE\n"
    with _layout(tmp_path / "bad", "answer.txt", bad) as store:
        attempt = store.attempt("m/t-1")
    assert attempt.refactored is None and any(p.startswith("edit-failed") for p in attempt.problems)


# ---------------------------------------------------------------------- detection and the one clear error
@pytest.mark.parametrize(
    "name, expected",
    [
        ("swebench_preds.jsonl", "swebench"),
        ("swebench_preds.json", "swebench"),
        ("swebench_preds_dict.json", "swebench"),
        ("openai_batch_output.jsonl", "chat"),
        ("chat_wrapped.jsonl", "chat"),
        ("verdicts.csv", "csv"),
        ("swebench_tasks.jsonl", None),
    ],
)
def test_each_format_is_detected(name: str, expected: str | None) -> None:
    assert detect(DATA / name) == expected


def test_a_file_in_no_known_format_is_one_error_naming_the_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "results.jsonl"
    source.write_text("".join(json.dumps({"question": n, "answer": "42"}) + "\n" for n in range(109)))
    with pytest.raises(FormatError) as caught:
        detect(source)
    assert all(name in str(caught.value) for name in FORMATS)
    assert main(["import", str(tmp_path / "s.db"), str(source)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "swebench" in err and "before-after" in err


# ---------------------------------------------------------------------- Inspect AI eval logs
# Read only through inspect_ai's read_eval_log (inspect.aisi.org.uk, "Eval Logs"); the log is written by
# inspect_ai itself, in both of its formats.
@pytest.mark.parametrize("suffix", [".eval", ".json"])
def test_an_inspect_eval_log_becomes_attempts_with_scores_as_verdicts(tmp_path: Path, suffix: str) -> None:
    inspect_log = pytest.importorskip(
        "inspect_ai.log", reason="inspect_ai is not installed: pip install 'bare-tui[inspect]'"
    )
    from inspect_ai.model import ModelOutput
    from inspect_ai.scorer import Score

    answer = "```python\nTAX_RATE = 0.2\n\n\ndef tax(amount):\n    return amount * TAX_RATE\n```\n"
    samples = [
        inspect_log.EvalSample(
            id="t-tax",
            epoch=1,
            input="Refactor src/billing/tax.py",
            target="",
            output=ModelOutput.from_content("openai/gpt-4o", answer),
            scores={"syntax": Score(value="C"), "tests": Score(value="I", explanation="test_tax_zero fails")},
            metadata={"original": TAX, "path": "src/billing/tax.py"},
        ),
        inspect_log.EvalSample(
            id="t-invoice",
            epoch=1,
            input="Refactor src/billing/invoice.py",
            target="",
            output=ModelOutput.from_content("openai/gpt-4o", "I cannot see the file."),
            scores={"syntax": Score(value=0)},
            metadata={"original": INVOICE, "path": "src/billing/invoice.py"},
        ),
    ]
    log = inspect_log.EvalLog(
        status="success",
        eval=inspect_log.EvalSpec(
            created="2026-11-21T10:00:00+00:00",
            task="refactor",
            model="openai/gpt-4o",
            dataset=inspect_log.EvalDataset(name="billing", samples=2),
            config=inspect_log.EvalConfig(),
        ),
        samples=samples,
    )
    path = tmp_path / f"2026-11-21T10-00-00_refactor{suffix}"
    inspect_log.write_eval_log(log, str(path))
    assert detect(path) == "inspect"
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, path, source_name="inspect-run")
        attempts = {a.attempt_id: a for a in store.attempts()}
        verdicts = {(v.attempt_id, v.stage): v for v in store.verdicts()}
    assert sorted(attempts) == ["openai/gpt-4o/t-invoice", "openai/gpt-4o/t-tax"]
    assert attempts["openai/gpt-4o/t-tax"].refactored.startswith("TAX_RATE")
    assert "no-code" in attempts["openai/gpt-4o/t-invoice"].problems
    tests = verdicts[("openai/gpt-4o/t-tax", "tests")]
    assert tests.outcome is Outcome.FAIL and tests.evidence[0].message == "test_tax_zero fails"
    assert verdicts[("openai/gpt-4o/t-tax", "syntax")].outcome is Outcome.PASS
    assert verdicts[("openai/gpt-4o/t-invoice", "syntax")].outcome is Outcome.FAIL
    assert report.verdicts_written == 3


def test_task_lines_before_attempt_lines_carrying_completions_are_read_as_chat(tmp_path: Path) -> None:
    wrapped = json.loads((DATA / "chat_wrapped.jsonl").read_text())
    source = write_jsonl(
        tmp_path / "study.jsonl", [{"task_id": "t-tax", "path": "src/billing/tax.py", "original": TAX}, wrapped]
    )
    assert detect(source) == "chat"
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, source)
        assert report.complete and store.attempt("a-7").refactored.startswith("TAX_RATE")


def test_without_inspect_ai_an_eval_log_is_one_error_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "inspect_ai.log", None)  # as if inspect_ai were not installed
    log = tmp_path / "run.eval"
    log.write_bytes(b"PK\x03\x04")
    with Store.open(tmp_path / "s.db", create=True) as store, pytest.raises(FormatError, match=r"bare-tui\[inspect\]"):
        import_into(store, log)


def test_a_folder_imported_with_from_keeps_its_task_lines_native(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    shutil.copy(DATA / "swebench_tasks.jsonl", folder / "tasks.jsonl")
    shutil.copy(DATA / "swebench_preds.jsonl", folder / "preds.jsonl")
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_into(store, folder, source_format="swebench")
    assert report.complete and report.kinds == {"task": 2, "attempt": 2}


def test_a_bare_tui_file_whose_first_line_is_longer_than_the_sniff_is_native(tmp_path: Path) -> None:
    big = "x = 1\n" * 60_000  # 360 kB: the first line is cut short where detection stops reading
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"task_id": "t", "path": "a.py", "original": big},
            {"attempt_id": "a", "task_id": "t", "model": "m", "refactored": big},
        ],
    )
    assert detect(source) is None


# Anthropic API reference, "Retrieve Message Batch results": one {custom_id, result} a line, the result
# {type: succeeded, message: {content: [{type: text, text}]}} or errored, canceled, expired.
def test_anthropic_message_batch_results_become_attempts(tmp_path: Path) -> None:
    store = billing_session(tmp_path)
    assert detect(DATA / "anthropic_batch_results.jsonl") == "chat"
    report = import_into(store, DATA / "anthropic_batch_results.jsonl")
    attempt = store.attempt("t-tax:claude")
    assert attempt.model == "claude-sonnet-4-5-20250929" and attempt.refactored.startswith("TAX_RATE")
    assert report.failed == 1 and "the batch request expired" in report.errors[0]
    store.close()


def test_a_line_nested_beyond_the_decoder_is_one_reported_line(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    source = tmp_path / "out.jsonl"
    source.write_text(
        (DATA / "openai_batch_output.jsonl").read_text() + '{"custom_id": "x", "response": ' + deep + "}\n"
    )
    assert detect(source) == "chat"
    store = billing_session(tmp_path)
    report = import_into(store, source)
    assert report.failed == 2 and any(e.startswith(f"{source}:4: ") and "nested" in e for e in report.errors)
    store.close()


# ---------------------------------------------------------------------- CSV: null apart from empty text
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.one_of(st.none(), st.text(alphabet=st.sampled_from("ab ,\"\r\n\t'="), max_size=6)), min_size=1)
)
def test_a_csv_record_keeps_null_apart_from_empty_text(cells: list[str | None]) -> None:
    """What the exporter writes, the csv module reads back cell for cell, and the quoted empty cells found in
    the raw record are exactly the empty texts (a null is an empty cell; a lone null cell is quoted, as the
    csv module writes it, or the row would read as a blank line)."""
    if cells == [None]:
        assert csv_record(cells) == '""\r\n'
        return
    for delimiter in (",", "\t"):
        record = csv_record(cells, delimiter)
        assert next(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter)) == [c or "" for c in cells]
        assert quoted_empty_cells(record, delimiter) == [i for i, c in enumerate(cells) if c == ""]


def test_a_hand_written_csv_reads_a_quoted_empty_answer_as_empty_code(tmp_path: Path) -> None:
    """A CSV another tool wrote (quoted empty cell: empty text; empty cell: null) imports as polars reads it."""
    (tmp_path / "answers.csv").write_text(
        "attempt_id,task_id,model,refactored,response\n"
        'a-1,t-tax,m,"",\n'
        'a-2,t-tax,m,,"Here you go:\n```python\nRATE = 0.25\n```\n"\n',
        encoding="utf-8",
    )
    store = billing_session(tmp_path)
    report = import_into(store, tmp_path / "answers.csv")
    assert report.complete, report.errors
    assert store.attempt("a-1").refactored == "" and store.attempt("a-2").refactored == "RATE = 0.25\n"
    store.close()
