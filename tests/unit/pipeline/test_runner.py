"""verify on real sessions: six verdicts per attempt, resumable, bounded in time and size, never taken down."""

from __future__ import annotations

import inspect
import json
import json.decoder
from pathlib import Path

import pytest

from bare_tui.cli import main
from bare_tui.model import FIELDS, STAGES, Attempt, Outcome, Task
from bare_tui.pipeline.maintainability import compute_thresholds
from bare_tui.pipeline.runner import overall_result, verify_session
from bare_tui.pipeline.settings import DEFAULT_SETTINGS
from bare_tui.pipeline.thresholds import measure_thresholds
from bare_tui.pipeline.version import pipeline_version
from bare_tui.store import Store

DECODER = inspect.getsource(json.decoder)
GO = "package calc\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """Two tasks in two languages and four attempts from two models."""
    path = tmp_path / "study.db"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t-py", "python", "json/decoder.py", DECODER), Task("t-go", "go", "calc/add.go", GO)])
        store.add_attempts(
            [
                Attempt("a-1", "t-py", "model-a", DECODER.replace("def py_scanstring", "def py_scanstring2")),
                Attempt("a-2", "t-py", "model-b", DECODER + "\nvalue = undefined_helper()\n"),
                Attempt("a-3", "t-go", "model-a", GO.replace("return a + b", "sum := a + b\n\treturn sum")),
                Attempt("a-4", "t-go", "model-b", None, response="I cannot help with that."),
            ]
        )
    return path


def _verdicts(path: Path) -> dict[tuple[str, str], object]:
    with Store.open(path, readonly=True) as store:
        return {(v.attempt_id, v.stage): v for v in store.verdicts(source="bare-tui")}


def test_verify_writes_six_verdicts_per_attempt_with_the_pipeline_version(study: Path) -> None:
    summary = verify_session(study, jobs=2)

    assert (summary.attempts_to_verify, summary.attempts_verified, summary.verdicts_saved) == (4, 4, 24)
    assert not summary.interrupted
    verdicts = _verdicts(study)
    assert set(verdicts) == {(a, f) for a in ("a-1", "a-2", "a-3", "a-4") for f in FIELDS}
    assert {v.pipeline_version for v in verdicts.values()} == {pipeline_version()}
    assert verdicts[("a-2", "defects")].outcome is Outcome.FAIL
    assert "undefined_helper" in verdicts[("a-2", "defects")].evidence[0].message
    assert verdicts[("a-4", "syntax")].outcome is Outcome.FAIL  # no code in the answer
    assert verdicts[("a-4", "overall")].outcome is Outcome.FAIL
    assert verdicts[("a-1", "signatures")].outcome is Outcome.FAIL  # a function renamed away
    assert "thresholds" in verdicts[("a-1", "maintainability")].details
    by_language = {(r.stage, r.group) for r in summary.pass_rates if r.group_by == "language"}
    assert ("overall", "go") in by_language and ("defects", "python") in by_language
    assert {r.group for r in summary.pass_rates if r.group_by == "model"} == {"model-a", "model-b"}


def test_a_rerun_does_nothing_and_force_redoes_everything(study: Path) -> None:
    verify_session(study, jobs=1)
    again = verify_session(study, jobs=1)
    assert (again.attempts_to_verify, again.attempts_verified, again.verdicts_saved) == (0, 0, 0)

    forced = verify_session(study, jobs=1, force=True)
    assert (forced.attempts_verified, forced.verdicts_saved) == (4, 24)
    assert len(_verdicts(study)) == 24  # replaced, not duplicated


def test_one_stage_at_a_time_and_overall_once_all_five_are_known(study: Path) -> None:
    first = verify_session(study, jobs=1, stages=["syntax"])
    assert first.verdicts_saved == 4
    assert not any(stage == "overall" for _, stage in _verdicts(study))

    rest = verify_session(study, jobs=1, stages=list(STAGES[1:]))
    assert rest.verdicts_saved == 4 * 4 + 4  # four stages and the now-derivable overall
    assert all((a, "overall") in _verdicts(study) for a in ("a-1", "a-2", "a-3", "a-4"))
    with pytest.raises(ValueError, match="unknown stage"):
        verify_session(study, stages=["style"])


def test_a_hung_analyser_becomes_an_error_verdict_and_the_run_goes_on(study: Path) -> None:
    with Store.open(study) as store:
        store.add_attempts([Attempt("a-hang", "t-go", "model-a", GO + "// HANG\n")])
    settings = DEFAULT_SETTINGS.with_changes(hang_marker="// HANG", time_limit_seconds=1.5)

    summary = verify_session(study, jobs=1, settings=settings)

    assert summary.attempts_verified == 5
    verdicts = _verdicts(study)
    hung = verdicts[("a-hang", "defects")]
    assert hung.outcome is Outcome.ERROR
    assert "time limit of 1.5 s exceeded (in the defects stage)" in hung.details["reason"]
    assert verdicts[("a-hang", "maintainability")].outcome is Outcome.ERROR
    assert verdicts[("a-hang", "syntax")].outcome is Outcome.PASS  # finished before the hang, kept
    assert verdicts[("a-hang", "overall")].outcome is Outcome.ERROR
    assert all(verdicts[(a, "overall")].outcome is not Outcome.ERROR for a in ("a-1", "a-2", "a-3", "a-4"))


def test_hostile_inputs_each_get_a_verdict_or_an_error_and_the_run_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "hostile.db"
    js = "function f(a) {\n  return a + 1;\n}\n"
    hostile = {
        "long-line": "const x = [" + ", ".join(["1"] * 33000) + "];\n" + js,
        "deep": "function f(a) {\n  return " + "[" * 2000 + "a" + "]" * 2000 + ";\n}\n",
        "junk": "\x00\x01\x02\ufffd\x7f garbage \u202e" * 500,
        "empty": "",
        "crlf": js.replace("\n", "\r\n"),
        "huge": js + "// padding\n" * (5_000_000 // 11),
    }
    with Store.open(path, create=True) as store:
        store.add_tasks(
            [
                Task("t-js", "javascript", "a.js", js),
                Task("t-py", "python", "a.py", "def f(a):\n    return a + 1\n"),
            ]
        )
        store.add_attempts([Attempt(f"h-{name}", "t-js", "m", text) for name, text in hostile.items()])
        store.add_attempts(
            [
                Attempt("h-py-deep", "t-py", "m", "def f(a):\n    return " + "(" * 2000 + "a" + ")" * 2000 + "\n"),
                Attempt("h-last", "t-js", "m", js.replace("a + 1", "1 + a")),
            ]
        )

    summary = verify_session(path, jobs=2)

    assert summary.attempts_verified == len(hostile) + 2
    verdicts = _verdicts(path)
    for attempt_id in [f"h-{name}" for name in hostile] + ["h-py-deep", "h-last"]:
        assert all((attempt_id, field) in verdicts for field in FIELDS), attempt_id
    huge = verdicts[("h-huge", "syntax")]
    assert huge.outcome is Outcome.ERROR and "over the size cap" in huge.details["reason"]
    assert verdicts[("h-empty", "syntax")].outcome is Outcome.FAIL
    assert verdicts[("h-crlf", "syntax")].outcome is Outcome.PASS
    assert verdicts[("h-last", "syntax")].outcome is Outcome.PASS


def test_overall_is_fail_on_any_failure_pass_on_all_passes_else_error_then_skipped() -> None:
    every = {stage: Outcome.PASS for stage in STAGES}
    assert overall_result(every).outcome is Outcome.PASS
    assert overall_result(every | {"defects": Outcome.SKIPPED}).outcome is Outcome.SKIPPED
    assert overall_result(every | {"defects": Outcome.SKIPPED, "syntax": Outcome.ERROR}).outcome is Outcome.ERROR
    assert overall_result(every | {"syntax": Outcome.ERROR, "integrity": Outcome.FAIL}).outcome is Outcome.FAIL


def test_the_command_prints_the_summary_and_a_missing_session_is_one_line(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(study), "--jobs", "1", "--stage", "syntax"]) == 0
    out = capsys.readouterr().out
    assert "verified 4 of 4 attempts" in out
    assert "pass rate by language" in out and "pass rate by model" in out

    assert main(["verify", str(tmp_path / "nope.db")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "nope.db" in err


def test_the_signature_policy_is_chosen_on_the_command_line_and_sits_beside_the_default(tmp_path: Path) -> None:
    """DESIGN.md: the signature policy is a setting that enters the pipeline version. `--signature-policy all`
    compares private helpers too: an inlined private helper fails under it and passes by default, and both runs'
    verdicts stay in the session under their own versions."""
    path = tmp_path / "policy.db"
    original = (
        "class A {\n  private int twice(int x) { return 2 * x; }\n  public int f(int y) { return twice(y) + 1; }\n}\n"
    )
    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t-1", "java", "A.java", original)])
        store.add_attempts([Attempt("a-1", "t-1", "m", "class A {\n  public int f(int y) { return 2 * y + 1; }\n}\n")])
    assert main(["verify", str(path), "--jobs", "1", "--stage", "signatures"]) == 0
    assert main(["verify", str(path), "--jobs", "1", "--stage", "signatures", "--signature-policy", "all"]) == 0
    visible = pipeline_version(DEFAULT_SETTINGS)
    every = pipeline_version(DEFAULT_SETTINGS.with_changes(signature_policy="all"))
    with Store.open(path, readonly=True) as store:
        found = {v.pipeline_version: v.outcome for v in store.verdicts(attempt_id="a-1") if v.stage == "signatures"}
    assert found == {visible: Outcome.PASS, every: Outcome.FAIL}


def test_an_interrupted_run_keeps_what_finished_and_a_rerun_resumes(study: Path) -> None:
    def interrupt_after_two(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt  # what Ctrl+C (or a TUI's cancel) does mid-run

    first = verify_session(study, jobs=1, progress_callback=interrupt_after_two)
    assert first.interrupted and first.attempts_verified == 2
    kept = {attempt for attempt, stage in _verdicts(study) if stage == "overall"}
    assert len(kept) == 2 and len(_verdicts(study)) == 12

    rest = verify_session(study, jobs=1)
    assert not rest.interrupted
    assert (rest.attempts_to_verify, rest.attempts_verified) == (2, 2)
    assert len(_verdicts(study)) == 24


def test_every_stage_skips_a_language_outside_the_nine_alike() -> None:
    from bare_tui.model import STAGES, Outcome
    from bare_tui.pipeline.work import Job, run_stage

    job = Job(
        attempt_id="a", language="rust", path="lib.rs", original="fn f() {}\n", refactored="fn g() {}\n", stages=STAGES
    )
    assert {run_stage(stage, job).outcome for stage in STAGES} == {Outcome.SKIPPED}


# ---------------------------------------------------------------------------------------------------------
# The maintainability thresholds, measured in the workers.

REPO = Path(__file__).resolve().parents[3]


def _real_originals() -> list[Task]:
    """The demo study's originals, the test corpus's own files and a few standard-library modules: nine languages."""
    import email.message
    import http.client
    import textwrap

    from bare_tui.model import language_from_path

    tasks = [
        Task(row["task_id"], row["language"], row["path"], row["original"])
        for row in map(json.loads, (REPO / "sessions/demo/tasks.jsonl").read_text(encoding="utf-8").splitlines())
    ]
    for index, path in enumerate(sorted(p for p in (REPO / "tests/unit/pipeline/data").iterdir() if p.is_file())):
        tasks.append(Task(f"data-{index}", language_from_path(path.name), path.name, path.read_text(encoding="utf-8")))
    for module in (json.decoder, textwrap, http.client, email.message):
        tasks.append(
            Task(module.__name__, "python", module.__file__, Path(module.__file__).read_text(encoding="utf-8"))
        )
    return tasks


def _by_language(tasks: list[Task]) -> dict[str, list[str]]:
    originals: dict[str, list[str]] = {}
    for task in tasks:
        originals.setdefault(task.language, []).append(task.original)
    return originals


def test_thresholds_measured_by_two_workers_equal_compute_thresholds_on_real_files() -> None:
    tasks = _real_originals()
    seen: list[tuple[int, int]] = []

    settings = DEFAULT_SETTINGS.with_changes(minimum_functions=30)  # the corpus's files are small
    measured = measure_thresholds(
        tasks, settings, workers=2, progress_callback=lambda done, total: seen.append((done, total))
    )

    expected = compute_thresholds(_by_language(tasks), settings)
    assert measured.thresholds.by_language == expected.by_language
    assert measured.thresholds.origin == expected.origin
    assert len(expected.by_language) >= 7  # most languages have enough functions for percentiles of their own
    assert (measured.originals, measured.measured, measured.left_out) == (len(tasks), len(tasks), ())
    assert seen == [(done, len(tasks)) for done in range(len(tasks) + 1)]


def test_verify_keeps_the_thresholds_in_the_session_as_before_and_reuses_them(tmp_path: Path) -> None:
    tasks = _real_originals()
    path = tmp_path / "real.db"
    with Store.open(path, create=True) as store:
        store.add_tasks(tasks)
        store.add_attempts([Attempt("a-1", tasks[0].task_id, "m", tasks[0].original + "\n")])
    seen: list[tuple[int, int]] = []

    first = verify_session(path, jobs=2, measure_callback=lambda done, total: seen.append((done, total)))

    expected = compute_thresholds(_by_language(tasks))
    with Store.open(path, readonly=True) as store:
        kept = store.get_setting("maintainability_thresholds")
    assert set(kept) == {"key", "by_language", "percentile", "origin", "scales"}
    assert kept["key"].startswith(pipeline_version() + ":")
    assert (kept["by_language"], kept["origin"], kept["percentile"]) == (expected.by_language, expected.origin, 90.0)
    assert kept["scales"] == expected.scales and expected.scales
    assert first.thresholds is not None and not first.thresholds.reused and first.thresholds.measured == len(tasks)
    assert seen[-1] == (len(tasks), len(tasks))

    seen.clear()
    again = verify_session(path, jobs=1, force=True, measure_callback=lambda done, total: seen.append((done, total)))
    assert again.thresholds is not None and again.thresholds.reused
    assert again.thresholds.thresholds.scales == expected.scales  # the kept units, not the defaults
    assert seen == []  # nothing measured: the session's thresholds were kept


def test_an_original_past_the_time_limit_or_over_the_size_cap_is_left_out_and_said(tmp_path: Path) -> None:
    tasks = _real_originals()
    hanging = Task("t-hang", "python", "hang.py", "# HANG\ndef f(a):\n    return a\n")
    big = max(tasks, key=lambda task: len(task.original))
    settings = DEFAULT_SETTINGS.with_changes(
        hang_marker="# HANG", time_limit_seconds=3.0, size_cap_chars=len(big.original) - 1
    )

    seen: list[tuple[int, int]] = []

    measured = measure_thresholds(
        tasks + [hanging], settings, workers=2, progress_callback=lambda done, total: seen.append((done, total))
    )

    assert seen == [(done, len(tasks) + 1) for done in range(1, len(tasks) + 2)]  # the one over the cap counts as done
    reasons = dict(measured.left_out)
    assert set(reasons) == {"t-hang", big.task_id}
    assert "time limit of 3 s exceeded" in reasons["t-hang"]
    assert "over the size cap" in reasons[big.task_id]
    assert (measured.originals, measured.measured) == (len(tasks) + 1, len(tasks) - 1)
    expected = compute_thresholds(_by_language([task for task in tasks if task is not big]), settings)
    assert measured.thresholds.by_language == expected.by_language


def test_ctrl_c_while_measuring_keeps_nothing_and_the_next_run_measures_again(study: Path) -> None:
    import multiprocessing

    def interrupt_after_one(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    first = verify_session(study, jobs=2, measure_callback=interrupt_after_one)

    assert first.interrupted and first.attempts_verified == 0 and first.thresholds is None
    assert multiprocessing.active_children() == []  # the workers were stopped, not left measuring
    assert _verdicts(study) == {}
    with Store.open(study, readonly=True) as store:
        assert store.get_setting("maintainability_thresholds") is None

    rest = verify_session(study, jobs=2)
    assert not rest.interrupted and rest.attempts_verified == 4
    assert rest.thresholds is not None and rest.thresholds.measured == 2


def test_the_command_says_how_the_thresholds_were_measured(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(study), "--jobs", "2"]) == 0
    captured = capsys.readouterr()
    assert "maintainability thresholds: measured 2 of 2 originals" in captured.out
    assert "maintainability thresholds" in captured.err and "2 / 2 originals" in captured.err

    assert main(["verify", str(study), "--jobs", "1", "--force"]) == 0
    assert "maintainability thresholds: kept from an earlier run" in capsys.readouterr().out


# --- bounded memory, workers that die with verify, no idle workers ------------------------------------------

# 28 nested one-space defs: 700 bytes that take lizard to 2 GB of memory.
NESTED_DEFS = "".join(" " * depth + f"def f{depth}():\n" for depth in range(28)) + " " * 28 + "pass\n"


def test_an_answer_over_the_memory_limit_is_an_error_saying_so_and_the_rest_go_on(tmp_path: Path) -> None:
    import resource

    path = tmp_path / "memory.db"
    original = "def f(a):\n    return a + 1\n"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t", "python", "a.py", original)])
        store.add_attempts(
            [Attempt("nested", "t", "m", NESTED_DEFS), Attempt("fine", "t", "m", original.replace("a + 1", "1 + a"))]
        )

    summary = verify_session(path, jobs=2)

    assert summary.attempts_verified == 2
    verdicts = _verdicts(path)
    over = verdicts[("nested", "maintainability")]
    assert over.outcome is Outcome.ERROR
    assert f"memory limit of {DEFAULT_SETTINGS.memory_limit_mb:,} MB" in over.details["reason"]
    assert verdicts[("nested", "syntax")].outcome is Outcome.PASS  # the other stages of the same answer are kept
    assert all(verdicts[("fine", stage)].outcome is not Outcome.ERROR for stage in STAGES)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports kilobytes
    assert peak_mb < 1024


def test_no_more_workers_start_than_there_is_work(study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bare_tui.pipeline import pool

    started: list[int] = []
    real = pool._Worker.__init__

    def counting(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        started.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(pool._Worker, "__init__", counting)
    with Store.open(study) as store:
        only = store.attempt("a-3")
    assert only is not None
    summary = verify_session(study, jobs=30, stages=["syntax"])
    assert summary.attempts_verified == 4
    assert len(started) == 2  # one batch per task: two tasks, two workers, not thirty


def test_a_worker_dies_with_its_parent(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import multiprocessing, sys, time\n"
        "from bare_tui.pipeline.maintainability import default_thresholds\n"
        "from bare_tui.pipeline.pool import _Worker\n"
        "from bare_tui.pipeline.work import Job\n"
        "from bare_tui.pipeline.settings import DEFAULT_SETTINGS\n"
        "if __name__ == '__main__':\n"
        "    settings = DEFAULT_SETTINGS.with_changes(hang_marker='# HANG')\n"
        "    worker = _Worker(multiprocessing.get_context('spawn'), default_thresholds(), settings)\n"
        "    worker.give([Job('a', 'python', 'a.py', 'x = 1\\n', 'x = 2  # HANG\\n')], 600)\n"
        "    while worker.conn.recv()[1] != 'integrity':\n"
        "        pass  # the worker is now inside the defects stage, which never returns\n"
        "    print(worker.process.pid, flush=True)\n"
        "    time.sleep(600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]
    )
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)  # what `kill -9` of verify does: no cleanup code runs
    parent.wait()

    def alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][:1]
        except (FileNotFoundError, IndexError):
            return False
        return state not in ("Z", "X")

    deadline = time.monotonic() + 30
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker)


def test_the_stage_registry_drives_every_stage_and_the_pipeline_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from bare_tui.model import StageResult
    from bare_tui.pipeline import stages, version
    from bare_tui.pipeline.work import Job, analyse

    assert tuple(stage.name for stage in stages.REGISTRY) == STAGES
    for stage in stages.REGISTRY:

        def fake(given: stages.StageInput, name: str = stage.name) -> StageResult:
            return StageResult(Outcome.SKIPPED, details={"reason": f"registered {name} on {given.path}"})

        monkeypatch.setitem(stages.BY_NAME, stage.name, stages.Stage(stage.name, "test", fake))
    results = dict(analyse(Job("a", "go", "calc/add.go", GO, GO.replace("a + b", "b + a"))))
    assert {name: result.details["reason"] for name, result in results.items()} == {
        name: f"registered {name} on calc/add.go" for name in STAGES
    }

    before = version.analyser_versions()
    assert {f"{stage.name}-rules" for stage in stages.REGISTRY} <= set(before)
    assert {"tree-sitter-go", "tree-sitter-php", "cppcheck", "lizard"} <= set(before)
