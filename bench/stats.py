"""Benchmark the statistics at BARE scale: 250,000 attempts, six fields, two reviewers on 5% of them.

Target: every row (all + by model) with 2,000 bootstrap resamples in at most 5 s.

    python bench/stats.py                 # in-memory records -> arrays -> rows
    python bench/stats.py --with-store    # also write a session to a temporary SQLite file and time reading it
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from bare_tui.calibration import CalibrationInput, Options, calibration_rows, load_input, prepare
from bare_tui.model import FIELDS, LANGUAGES, STAGES, Attempt, AttemptSummary, Judgement, Label, Outcome, Task, Verdict

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
                judgements.append(Judgement(f"{reviewer}-{i}-{field}", f"a{i}", reviewer, field, label[given[k]],
                                            saw_verdicts=bool(i % 2)))  # fmt: skip
    return CalibrationInput(summaries, verdicts, judgements)


def write_store(data: CalibrationInput, path: Path) -> None:
    from bare_tui.store import Store

    with Store.open(path, create=True) as store:
        store.add_tasks([Task(a.task_id, a.language, a.path, "") for a in data.attempts])
        store.add_attempts([Attempt(a.attempt_id, a.task_id, a.model, "", seq=a.seq) for a in data.attempts])
        store.save_verdicts(data.verdicts)
        store.save_judgements(data.judgements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=250_000)
    parser.add_argument("--models", type=int, default=57)
    parser.add_argument("--reviewed", type=float, default=0.05)
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--with-store", action="store_true", help="also time reading the rows' input from SQLite")
    args = parser.parse_args()

    started = time.perf_counter()
    data = synthetic_input(args.attempts, args.models, args.reviewed, args.seed)
    print(f"generated {len(data.attempts):,} attempts, {len(data.verdicts):,} verdicts, "
          f"{len(data.judgements):,} judgements in {time.perf_counter() - started:.1f} s (not timed below)")  # fmt: skip

    options = Options(by=("model",), replicates=args.bootstrap, seed=args.seed)
    # CPU time is printed beside wall time: on a shared machine the difference is other people's work
    t0, c0 = time.perf_counter(), time.process_time()
    session = prepare(data)
    t1, c1 = time.perf_counter(), time.process_time()
    rows = calibration_rows(session, options)
    t2, c2 = time.perf_counter(), time.process_time()
    print(f"records -> arrays (consensus included): {t1 - t0:.2f} s wall, {c1 - c0:.2f} s CPU")
    print(f"arrays -> {len(rows):,} rows, all + by model, {args.bootstrap} resamples: "
          f"{t2 - t1:.2f} s wall, {c2 - c1:.2f} s CPU")  # fmt: skip
    total = t2 - t0
    verdict = "within" if total <= TARGET_SECONDS else "OVER"
    print(f"total from records: {total:.2f} s wall ({verdict} the {TARGET_SECONDS:.0f} s target), "
          f"{c2 - c0:.2f} s CPU")  # fmt: skip

    if args.with_store:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.db"
            t0 = time.perf_counter()
            write_store(data, path)
            print(f"wrote the session to SQLite in {time.perf_counter() - t0:.1f} s (not part of the target)")
            from bare_tui.store import Store

            t0 = time.perf_counter()
            with Store.open(path, readonly=True) as store:
                loaded = load_input(store)
            t1 = time.perf_counter()
            stored_rows = calibration_rows(prepare(loaded), options)
            t2 = time.perf_counter()
            print(f"read from the store: {t1 - t0:.2f} s; arrays and rows: {t2 - t1:.2f} s; total {t2 - t0:.2f} s")
            same = [(r.metric, r.stage, r.group, r.value) for r in stored_rows] == [
                (r.metric, r.stage, r.group, r.value) for r in rows
            ]
            print(f"rows from the store equal the in-memory rows: {same}")


if __name__ == "__main__":
    main()
