"""Benchmark the statistics at BARE scale: 250,000 attempts, six fields, two reviewers on 5% of them.

Targets: every row (all + by model) with 2,000 bootstrap resamples in at most 5 s from records; reading the
same study from a session file (load_session) in at most 5 s.

    python bench/stats.py                 # in-memory records -> arrays -> rows
    python bench/stats.py --with-store    # also write a session to a temporary SQLite file and time reading it
    python bench/stats.py --with-store --session bench/.cache/bare.db   # keep the file; later runs reuse it
    python bench/stats.py --with-store --rerun 0.2   # a newer pipeline run of 20%: the store must choose
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from bare_tui.calibration import CalibrationInput, Options, StatRow, calibration_rows, load_session, prepare
from bare_tui.model import FIELDS, STAGES, Attempt, AttemptSummary, Judgement, Label, Outcome, Task, Verdict
from bare_tui.pipeline.languages import LANGUAGES

TARGET_SECONDS = 5.0


def synthetic_input(attempts: int, models: int, reviewed_share: float, seed: int) -> CalibrationInput:
    """A study shaped like BARE: each attempt's true quality per stage, a pipeline that errs 10-20% of the
    time, and two reviewers who err 5% of the time on a random 5% of attempts (half of them blind)."""
    rng = np.random.default_rng(seed)
    model_names = [f"model-{m:02d}" for m in range(models)]
    model_of = rng.integers(0, models, attempts)
    language_of = rng.integers(0, len(LANGUAGES), attempts)
    summaries = [
        AttemptSummary(f"a{i}", f"t{i}", model_names[model_of[i]], LANGUAGES[language_of[i]], f"f{i}", i)
        for i in range(attempts)
    ]
    truth = rng.random((len(STAGES), attempts)) < np.linspace(0.9, 0.4, len(STAGES))[:, None]
    flip = rng.random((len(STAGES), attempts)) < np.linspace(0.1, 0.2, len(STAGES))[:, None]
    auto = truth ^ flip
    outcome = {True: Outcome.PASS, False: Outcome.FAIL}
    scores = rng.normal(truth[-1] * 1.0, 1.0)
    verdicts = []
    for s, stage in enumerate(STAGES):
        column = auto[s].tolist()
        if stage == "maintainability":
            verdicts += [Verdict(f"a{i}", stage, outcome[column[i]], float(scores[i])) for i in range(attempts)]
        else:
            verdicts += [Verdict(f"a{i}", stage, outcome[column[i]]) for i in range(attempts)]
    overall = auto.all(axis=0).tolist()
    verdicts += [Verdict(f"a{i}", "overall", outcome[overall[i]]) for i in range(attempts)]

    reviewed = np.flatnonzero(rng.random(attempts) < reviewed_share)
    human_truth = np.vstack([truth, truth.all(axis=0)])
    judgements = []
    label = {True: Label.PASS, False: Label.FAIL}
    for reviewer in ("ana", "bo"):
        wrong = rng.random((len(FIELDS), len(reviewed))) < 0.05
        for f, field in enumerate(FIELDS):
            given = (human_truth[f, reviewed] ^ wrong[f]).tolist()
            for k, i in enumerate(reviewed.tolist()):
                judgements.append(
                    Judgement(
                        f"{reviewer}-{i}-{field}", f"a{i}", reviewer, field, label[given[k]], saw_verdicts=bool(i % 2)
                    )
                )
    return CalibrationInput(summaries, verdicts, judgements)


def second_run(first: Sequence[Verdict], share: float, seed: int) -> list[Verdict]:
    """A newer pipeline version re-judging a share of the attempts and changing a tenth of their outcomes:
    in the session every such attempt-stage then has two verdicts for the store to choose between."""
    rng = np.random.default_rng(seed + 1)
    attempts = sorted({v.attempt_id for v in first})
    redone = {attempts[k] for k in np.flatnonzero(rng.random(len(attempts)) < share).tolist()}
    flipped = {Outcome.PASS: Outcome.FAIL, Outcome.FAIL: Outcome.PASS}
    return [
        Verdict(
            v.attempt_id,
            v.stage,
            flipped.get(v.outcome, v.outcome) if rng.random() < 0.1 else v.outcome,
            v.score,
            pipeline_version="v2",
        )
        for v in first
        if v.attempt_id in redone
    ]


def write_store(data: CalibrationInput, path: Path, later: Sequence[Verdict] = ()) -> None:
    """The study as a session file: the records of `data`, then the verdicts of a later run."""
    from bare_tui.store import Store

    with Store.open(path, create=True) as store:
        store.add_tasks([Task(a.task_id, a.language, a.path, "") for a in data.attempts])
        store.add_attempts([Attempt(a.attempt_id, a.task_id, a.model, "", seq=a.seq) for a in data.attempts])
        store.save_verdicts(data.verdicts)
        store.save_verdicts(later)
        store.save_judgements(data.judgements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=250_000)
    parser.add_argument("--models", type=int, default=57)
    parser.add_argument("--reviewed", type=float, default=0.05)
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rerun",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="a newer pipeline run re-judges this share of the attempts",
    )
    parser.add_argument("--with-store", action="store_true", help="also time reading the rows' input from SQLite")
    parser.add_argument(
        "--session",
        type=Path,
        default=None,
        metavar="PATH",
        help="write the session here and keep it; a file already there is reused as it is "
        "(it must come from the same arguments: the equality check below tells)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    written = synthetic_input(args.attempts, args.models, args.reviewed, args.seed)
    later = second_run(written.verdicts, args.rerun, args.seed) if args.rerun else []
    redone = {v.attempt_id for v in later}
    # what DESIGN's rule chooses: the newer run where there is one
    data = replace(written, verdicts=[v for v in written.verdicts if v.attempt_id not in redone] + later)
    print(
        f"generated {len(data.attempts):,} attempts, {len(written.verdicts) + len(later):,} verdicts "
        f"({len(later):,} of a second run), {len(data.judgements):,} judgements in "
        f"{time.perf_counter() - started:.1f} s (not timed below)"
    )

    options = Options(by=("model",), replicates=args.bootstrap, seed=args.seed)
    # CPU time is printed beside wall time: on a shared machine the difference is other people's work
    t0, c0 = time.perf_counter(), time.process_time()
    session = prepare(data)
    t1, c1 = time.perf_counter(), time.process_time()
    rows = calibration_rows(session, options)
    t2, c2 = time.perf_counter(), time.process_time()
    print(f"records -> arrays (consensus included): {t1 - t0:.2f} s wall, {c1 - c0:.2f} s CPU")
    print(
        f"arrays -> {len(rows):,} rows, all + by model, {args.bootstrap} resamples: "
        f"{t2 - t1:.2f} s wall, {c2 - c1:.2f} s CPU"
    )
    total = t2 - t0
    verdict = "within" if total <= TARGET_SECONDS else "OVER"
    print(f"total from records: {total:.2f} s wall ({verdict} the {TARGET_SECONDS:.0f} s target), {c2 - c0:.2f} s CPU")

    if args.with_store:
        with tempfile.TemporaryDirectory() as folder:
            path = args.session or Path(folder) / "bench.db"
            if path.exists():
                print(f"reusing the session {path}")
            else:
                t0 = time.perf_counter()
                write_store(written, path, later)
                print(f"wrote the session to SQLite in {time.perf_counter() - t0:.1f} s (not part of the target)")
            # `bare-tui stats` holds no records while it reads: millions of live objects here would slow every
            # garbage collection during the timed read
            del data, written, later, session
            gc.collect()
            stored_rows = time_store(path, options)
            # every field of every row: counts and intervals too, not only the values
            print(f"rows from the store equal the in-memory rows: {stored_rows == rows}")


def time_store(path: Path, options: Options) -> list[StatRow]:
    """Read the session as `bare-tui stats` does, printing each step's time and the machine's load."""
    from bare_tui.store import Store

    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    with Store.open(path, readonly=True) as store:
        session = load_session(store)
    t1, c1 = time.perf_counter(), time.process_time()
    stored_rows = calibration_rows(session, options)
    t2, c2 = time.perf_counter(), time.process_time()
    verdict = "within" if t1 - t0 <= TARGET_SECONDS else "OVER"
    print(
        f"read from the store (population counted in SQLite, labelled attempts lined up): {t1 - t0:.2f} s wall"
        f" ({verdict} the {TARGET_SECONDS:.0f} s target), {c1 - c0:.2f} s CPU"
    )
    print(f"rows: {t2 - t1:.2f} s; total from the session file: {t2 - t0:.2f} s wall, {c2 - c0:.2f} s CPU")
    print(
        f"load average (1 min) before and after: {load_before:.2f}, {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    return stored_rows


if __name__ == "__main__":
    main()
