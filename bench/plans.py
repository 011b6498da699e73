"""Benchmark drawing a review plan at BARE scale: 57 models x 4,276 tasks = 243,732 attempts in nine languages.

Target: a 2,000-attempt plan stratified by model, language and overall drawn and saved in 2 s or less (median).
The session is synthetic, with realistic verdict mixes (per-model pass rates, errors and skips) but short
texts: this bench measures plan drawing only, which never reads the texts. It is built once (about a minute)
and kept under bench/.cache/ (gitignored); later runs reuse it.

    python bench/plans.py                  # build or reuse the session, then time 5 draws
    python bench/plans.py --runs 9 --rebuild
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bare_tui.model import STAGES, Attempt, Outcome, Task, Verdict
from bare_tui.pipeline.languages import LANGUAGES, REGISTRY
from bare_tui.plans import PlanDesign, PlanSpec, draw_plan, save_drawn
from bare_tui.store import Store

MODELS, TASKS = 57, 4276
TARGET_SECONDS = 2.0
CACHE = Path(__file__).resolve().parent / ".cache" / "plans-bare-scale.db"
EXTENSIONS = {name: spec.extensions[0].lstrip(".") for name, spec in REGISTRY.items()}  # each language's first


def build_session(path: Path, seed: int = 17) -> None:
    """Every model answers every task; each stage passes at a rate that depends on the model and the stage,
    with errors (1%) and, for the defects stage, skips where a language has no analyser."""
    rng = np.random.default_rng(seed)
    tasks = [
        Task(f"t{k:05d}", LANGUAGES[k % len(LANGUAGES)], f"src/f{k}.{EXTENSIONS[LANGUAGES[k % 9]]}", "x = 1\n")
        for k in range(TASKS)
    ]
    strength = np.linspace(0.35, 0.97, MODELS)
    stage_ease = np.array([0.99, 0.93, 0.9, 0.85, 0.6])
    no_analyser = {"c", "cpp"}
    with Store.open(path, create=True) as store, store.writing() as conn:
        store.add_tasks(tasks, conn)
        for m in range(MODELS):
            model = f"model-{m:02d}"
            store.add_attempts([Attempt(f"{model}/{t.task_id}", t.task_id, model, "x = 2\n") for t in tasks], conn)
            passed = rng.random((len(STAGES), TASKS)) < (strength[m] * stage_ease)[:, None] ** 0.5
            broke = rng.random((len(STAGES), TASKS)) < 0.01
            verdicts = []
            for s, stage in enumerate(STAGES):
                for k, task in enumerate(tasks):
                    if broke[s, k]:
                        outcome = Outcome.ERROR
                    elif stage == "defects" and task.language in no_analyser:
                        outcome = Outcome.SKIPPED
                    else:
                        outcome = Outcome.PASS if passed[s, k] else Outcome.FAIL
                    verdicts.append(Verdict(f"{model}/{task.task_id}", stage, outcome, pipeline_version="bench"))
            overall = passed.all(axis=0) & ~broke.any(axis=0)
            verdicts += [
                Verdict(
                    f"{model}/{t.task_id}",
                    "overall",
                    Outcome.PASS if overall[k] else Outcome.FAIL,
                    pipeline_version="bench",
                )
                for k, t in enumerate(tasks)
            ]
            store.save_verdicts(verdicts, conn)


def time_draws(source: Path, runs: int) -> None:
    """Each run draws a plan under a new name in a scratch copy of the session and saves it (the 243,732
    population rows included)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "s.db"
        shutil.copy(source, path)
        draws, saves, cpu = [], [], []
        with Store.open(path) as store:
            for run in range(runs):
                spec = PlanSpec(
                    f"p{run}", 2000, ("model", "language", "overall"), "neyman", 0.1, ("ana", "ben"), seed=run
                )
                start, start_cpu = time.perf_counter(), time.process_time()
                plan = draw_plan(store, spec)
                drawn = time.perf_counter()
                save_drawn(store, plan)
                saves.append(time.perf_counter() - drawn)
                draws.append(drawn - start)
                cpu.append(time.process_time() - start_cpu)
            strata = len(plan.strata)
            reads, designs = [], []
            for run in range(runs):  # what the estimators read back: the population and the whole design
                start = time.perf_counter()
                population = store.plan_population(f"p{run}")
                reads.append(time.perf_counter() - start)
                start = time.perf_counter()
                PlanDesign.load(store, f"p{run}")
                designs.append(time.perf_counter() - start)
    total = [d + s for d, s in zip(draws, saves)]
    median = statistics.median(total)
    print(
        f"session: {MODELS * TASKS:,} attempts, {len(STAGES) + 1} verdicts each; short texts (plan drawing "
        "never reads them)"
    )
    print(f"plan: 2,000 attempts, strata model,language,overall ({strata} non-empty), neyman, overlap 0.1")
    print(f"draw (read + allocate + sample): median {statistics.median(draws):.2f} s over {runs} runs")
    print(f"save (items, strata, population): median {statistics.median(saves):.2f} s")
    print(
        f"draw + save: median {median:.2f} s (target {TARGET_SECONDS:.1f} s: "
        f"{'met' if median <= TARGET_SECONDS else 'MISSED'}); CPU {statistics.median(cpu):.2f} s of it "
        f"(on a shared machine the wall-clock is the CPU plus the wait for a core; load now "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"read back: plan_population ({len(population):,} attempts) median {statistics.median(reads):.2f} s, "
        f"PlanDesign.load median {statistics.median(designs):.2f} s"
    )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="build the cached session again")
    parser.add_argument("--build-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only is not None:
        build_session(args.build_only)
        return 0
    if args.rebuild or not CACHE.exists():
        CACHE.parent.mkdir(exist_ok=True)
        partial = CACHE.with_name(CACHE.name + ".partial")
        partial.unlink(missing_ok=True)
        start = time.perf_counter()
        # built in a child process so that this one's peak RSS is the drawing's alone
        subprocess.run([sys.executable, __file__, "--build-only", str(partial)], check=True)
        partial.replace(CACHE)
        print(f"built {CACHE.name} in {time.perf_counter() - start:.0f} s")
    time_draws(CACHE, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
