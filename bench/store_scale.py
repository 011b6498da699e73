"""The store at BARE scale (issue 11): import, session size, the verdict that counts, export, merge and undo on
a study of real source texts with two verdict sources. Prints each figure with its target and the peak memory
of the step (each step runs in a process of its own, so its peak is its own).

    .venv/bin/python bench/store_scale.py                    # 243,732 attempts: 4,276 tasks x 57 models
    .venv/bin/python bench/store_scale.py --tasks 428        # a tenth of it

The study is bench/scale_study.py's, the one bench/bare_scale.py imports through the command line (real
source files in the nine languages, 57 models' answers, an external pipeline's verdicts for the five stages
and overall), cached where that bench caches it. bare-tui's own verdicts are then written for a tenth of the
attempts, as a verify over a subset would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if "PYTHONPATH" not in os.environ:  # PYTHONPATH names another checkout of the package: measure that one
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import bare_scale  # noqa: E402
import scale_study  # noqa: E402

STAGES = scale_study.STAGES
MODELS = 57


def study_input(tasks: int, cache: Path) -> Path:
    """The study's folder, made by the one generator every scale bench shares (bench/scale_study.py) and cached
    where bench/bare_scale.py keeps it, so both benches measure the same texts and verdicts."""
    folder = bare_scale.study_folder(cache, {"tasks": tasks, "models": MODELS})
    if not (folder / "manifest.json").exists():
        print(f"building the study in {folder} (once; cached) ...", flush=True)
        scale_study.build_apart(folder, tasks, MODELS)
    return folder


# ---------------------------------------------------------------------- the steps, each in its own process
def step_import(study: Path, session: Path) -> dict:
    """The tasks and attempts, then the external pipeline's verdicts for all of them (`--source ext`)."""
    from bare_tui.importer import import_into
    from bare_tui.store import Store

    session.unlink(missing_ok=True)
    with Store.open(session, create=True) as store:
        attempts = import_into(store, study / "study.jsonl")
        verdicts = import_into(store, study / "verdicts-ext.jsonl", source_name="ext")
    return {"attempts": attempts.kinds.get("attempt", 0), "failed": attempts.failed + verdicts.failed}


def step_own_verdicts(session: Path) -> dict:
    """bare-tui's verdicts for every tenth attempt, saved in batches as verify saves them."""
    from bare_tui.model import Outcome, Verdict
    from bare_tui.store import Store

    rng = random.Random(6)
    with Store.open(session) as store:
        ids = [s.attempt_id for s in store.attempt_summaries()][::10]
        for start in range(0, len(ids), 500):
            batch = [
                Verdict(a, stage, Outcome.PASS if rng.random() < 0.6 else Outcome.FAIL, None, (), "0.9+bench")
                for a in ids[start : start + 500]
                for stage in (*STAGES, "overall")
            ]
            store.save_verdicts(batch)
    return {"own_attempts": len(ids)}


def step_counted(session: Path) -> dict:
    from bare_tui.store import Store

    with Store.open(session, readonly=True) as store:
        started = time.perf_counter()
        rows = store.current_verdict_rows()
        verdict_rows = time.perf_counter() - started
        started = time.perf_counter()
        summaries = store.attempt_summaries()
        summaries_s = time.perf_counter() - started
        started = time.perf_counter()
        outcomes = store.current_stage_outcomes("overall")
        stage_s = time.perf_counter() - started
    return {
        "current_verdict_rows_s": verdict_rows,
        "rows": len(rows),
        "attempt_summaries_s": summaries_s,
        "summaries": len(summaries),
        "current_stage_outcomes_s": stage_s,
        "overall": len(outcomes),
    }


def step_export(session: Path, what: str) -> dict:
    from bare_tui.exporter import export
    from bare_tui.store import Store

    with Store.open(session, readonly=True) as store, open(os.devnull, "w", encoding="utf-8") as out:
        started = time.perf_counter()
        rows = export(store, what, "jsonl", out)
        seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds}


def step_label(session: Path, reviewer: str, share: float) -> dict:
    """A reviewer's copy: labels on a share of the attempts, saved one attempt at a time."""
    from bare_tui.model import FIELDS, Judgement, Label
    from bare_tui.store import Store, new_id

    rng = random.Random(reviewer)
    with Store.open(session) as store:
        ids = [s.attempt_id for s in store.attempt_summaries()]
        chosen = rng.sample(ids, int(len(ids) * share))
        for attempt_id in chosen:
            store.save_judgements(
                [
                    Judgement(new_id(), attempt_id, reviewer, field, rng.choice([Label.PASS, Label.FAIL]))
                    for field in FIELDS
                ]
            )
    return {"labelled": len(chosen)}


def step_merge(target: Path, source: Path) -> dict:
    from bare_tui.merge import merge_into
    from bare_tui.store import Store

    with Store.open(target) as into, Store.open(source, readonly=True) as copy:
        report = merge_into(into, copy)
    return {"judgements": report.judgements, "verdicts": report.verdicts, "total": report.total}


def step_undo(session: Path, reviewer: str) -> dict:
    from bare_tui.store import Store

    times = []
    with Store.open(session) as store:
        for _ in range(7):
            started = time.perf_counter()
            store.undo_last_save(reviewer)
            times.append(time.perf_counter() - started)
    return {"undo_ms_median": statistics.median(times) * 1000, "undo_ms_max": max(times) * 1000}


STEPS = {
    "import": step_import,
    "own-verdicts": step_own_verdicts,
    "counted": step_counted,
    "export": step_export,
    "label": step_label,
    "merge": step_merge,
    "undo": step_undo,
}


def run_step(name: str, *args: str) -> tuple[dict, float, float]:
    """Run one step in a fresh process; its result, its seconds and its peak resident memory in MB."""
    process = subprocess.Popen([sys.executable, __file__, "--step", name, *args], stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"step {name} failed ({status})")
    result = json.loads(output)
    return result, result["step_s"], usage.ru_maxrss / 1024


def show(figure: str, value: str, target: str, peak: float | None = None) -> None:
    memory = f"  peak {peak:,.0f} MB" if peak is not None else ""
    print(f"{figure:<42} {value:>16}   target {target:<14}{memory}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=4276, help="tasks (x 57 models = attempts)")
    parser.add_argument("--cache", type=Path, default=None, help="where the study lives (bare_scale.py's default)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        step = STEPS[options.step]
        converted = [Path(a) if "/" in a else (float(a) if a.replace(".", "").isdigit() else a) for a in options.args]
        began = time.perf_counter()
        result = step(*converted)
        print(json.dumps({**result, "step_s": time.perf_counter() - began}))  # without the process's start-up
        return
    started = time.perf_counter()
    cache = bare_scale.cache_root(options.cache)
    source = study_input(options.tasks, cache)
    size = sum(p.stat().st_size for p in source.glob("*.jsonl")) / 1e9
    print(f"input: {size:.2f} GB, built or cached in {time.perf_counter() - started:.0f} s")
    work = cache / f"store-{options.tasks}-{'other' if 'PYTHONPATH' in os.environ else 'here'}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    session = work / "study.db"

    result, seconds, peak = run_step("import", str(source), str(session))
    show(f"import ({result['attempts']:,} attempts)", f"{seconds:,.1f} s", "minutes, 1 GB", peak)
    result, seconds, peak = run_step("own-verdicts", str(session))
    show(f"bare-tui verdicts for {result['own_attempts']:,} attempts", f"{seconds:,.1f} s", "-", peak)
    size = sum(p.stat().st_size for p in work.glob("study.db*")) / 1e9
    show("session size", f"{size:.2f} GB", "-")

    result, seconds, peak = run_step("counted", str(session))
    show("current_verdict_rows (two sources)", f"{result['current_verdict_rows_s']:.2f} s", "-", peak)
    show("attempt_summaries", f"{result['attempt_summaries_s']:.2f} s", "-")
    show("current_stage_outcomes('overall')", f"{result['current_stage_outcomes_s']:.2f} s", "-")

    for what in ("verdicts", "attempts"):
        result, seconds, peak = run_step("export", str(session), what)
        show(f"export {what} ({result['rows']:,} rows)", f"{result['rows_per_s']:,.0f} rows/s", "100k rows/s", peak)

    copies = {name: work / f"{name}.db" for name in ("ana", "ben")}
    for name, copy in copies.items():
        shutil.copy(session, copy)
        run_step("label", str(copy), name, "0.04")
    result, seconds, peak = run_step("merge", str(copies["ana"]), str(copies["ben"]))
    show(f"merge ({result['judgements']:,} judgements new)", f"{seconds:,.1f} s", "60 s, 1 GB", peak)
    result, seconds, peak = run_step("merge", str(copies["ana"]), str(copies["ben"]))
    show(f"merge again (nothing new: {result['total']})", f"{seconds:,.1f} s", "fast", peak)
    result, seconds, peak = run_step("undo", str(copies["ana"]), "ana")
    show("undo (backspace), median of 7", f"{result['undo_ms_median']:.1f} ms", "50 ms", peak)
    show("undo, slowest of 7", f"{result['undo_ms_max']:.1f} ms", "50 ms")
    print(f"own peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
