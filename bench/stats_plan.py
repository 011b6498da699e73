"""Benchmark `bare-tui stats --plan` at BARE scale: 243,732 attempts, a 2,000-attempt plan, 2,000 resamples.

Target: the whole command's work (read the session and the plan, line it up, every design-weighted figure of
all six fields with 2,000 resamples for kappa, AC1, MCC and alpha) in 5 s or less (median of runs).

The session is bench/plans.py's synthetic BARE-sized one (built there once and cached under bench/.cache/,
gitignored); this bench copies it, draws a plan stratified by model, language and overall (Neyman, 10%
overlap, two reviewers) and labels every planned attempt as a careful reviewer would (the pipeline's verdict,
wrong 10% of the time), then keeps that labelled copy in the cache too.

    python bench/stats_plan.py               # 5 runs, all rows
    python bench/stats_plan.py --by model,language
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bare_tui.calibration import Options, load_plan, load_session, plan_rows
from bare_tui.model import FIELDS, Judgement, Label
from bare_tui.plans import PlanSpec, draw_plan, save_drawn
from bare_tui.store import Store

TARGET_SECONDS = 5.0
HERE = Path(__file__).resolve().parent
LABELLED = HERE / ".cache" / "stats-plan-bare-scale.db"


def plans_bench() -> object:
    spec = importlib.util.spec_from_file_location("plans_bench", HERE / "plans.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(seed: int = 3) -> None:
    module = plans_bench()
    source: Path = module.CACHE  # type: ignore[attr-defined]
    if not source.exists():
        subprocess.run([sys.executable, str(HERE / "plans.py"), "--runs", "1"], check=True)
    partial = LABELLED.with_name(LABELLED.name + ".partial")
    shutil.copy(source, partial)
    rng = np.random.default_rng(seed)
    with Store.open(partial) as store:
        plan = draw_plan(
            store, PlanSpec("study", 2000, ("model", "language", "overall"), "neyman", 0.1, ("ana", "ben"), seed=seed)
        )
        save_drawn(store, plan)
        items = store.plan_items("study")
        verdicts = {(v[0], v[1]): v[2] for v in store.current_verdict_rows()}
        judgements = []
        for item in items:
            for reviewer in item.reviewers:
                for stage in FIELDS:
                    outcome = verdicts.get((item.attempt_id, stage))
                    passed = outcome == "pass"
                    if rng.random() < 0.1:
                        passed = not passed
                    judgements.append(
                        Judgement(
                            f"{item.attempt_id}-{reviewer}-{stage}",
                            item.attempt_id,
                            reviewer,
                            stage,
                            Label.PASS if passed else Label.FAIL,
                            opened_at="2026-12-01T10:00:00Z",
                            saved_at="2026-12-01T10:00:40Z",
                        )
                    )
        store.save_judgements(judgements)
    partial.replace(LABELLED)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--by", default="", help="groupings, comma-separated (default: the all rows only)")
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    if args.rebuild or not LABELLED.exists():
        started = time.perf_counter()
        build()
        print(f"built {LABELLED.name} in {time.perf_counter() - started:.0f} s")
    by = tuple(b for b in args.by.split(",") if b)
    options = Options(by=by, replicates=args.bootstrap, precision=0.05)
    times, reads, lines, figures = [], [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        with Store.open(LABELLED, readonly=True) as store:
            # the same steps as plan_rows_for_store, timed apart: the plan's population is counted in the
            # session's pass over the attempts
            session = load_session(store, plan="study")
            read = time.perf_counter()
            design = load_plan(store, "study", session)
            lined = time.perf_counter()
            rows = plan_rows(session, design, options)
        done = time.perf_counter()
        times.append(done - started)
        reads.append(read - started)
        lines.append(lined - read)
        figures.append(done - lined)
    median = statistics.median(times)
    print("session: 243,732 attempts; plan: 2,000 attempts (model, language, overall), every one labelled")
    print(f"stats --plan{' --by ' + args.by if by else ''}: {len(rows)} rows, {args.bootstrap} resamples")
    print(
        "  read the session (its population and the plan's counted in one SQLite pass, labels lined up):"
        f" median {statistics.median(reads):.2f} s"
    )
    print(f"  read the plan's sample and line it up: median {statistics.median(lines):.2f} s")
    print(f"  every figure, design-weighted, with resamples: median {statistics.median(figures):.2f} s")
    print(
        f"total median {median:.2f} s over {args.runs} runs (min {min(times):.2f}, max {max(times):.2f}); "
        f"target {TARGET_SECONDS:.0f} s: {'met' if median <= TARGET_SECONDS else 'MISSED'}"
    )
    return 0 if median <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
