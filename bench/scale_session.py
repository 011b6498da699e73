"""A BARE-sized review session for the screen benches, built once and cached under bench/.cache/.

The study is bench/scale_study.py's, made by the one generator (scale_study.Study) that also writes the JSON
Lines bench/bare_scale.py imports through the CLI; here its records go straight into a session, in process,
read by the importer's own parsers (answers in prose have their code extracted as an import does). So the two
benches measure the same study: 4,276 real files x 57 models = 243,732 attempts, the external pipeline's
verdicts for every attempt (source `ext`, six each: 1.46 million) and three reviewers' labels (ana, ben, cy) of
4% of the attempts. Beside them, as after a `verify` over a subset (which this build does not run: it would
take hours), bare-tui's own verdicts for every fifth attempt, and flags for audit. The benches time the screens
on it with Pilot (bench/queue_screen.py --scale, bench/tui.py --scale).

    python bench/scale_session.py [--attempts 243732]   builds (or finds) the session and prints its path
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from scale_study import REVIEWERS, Study  # noqa: E402

from bare_tui.importer import parse_attempt, parse_judgement, parse_task, parse_verdicts  # noqa: E402
from bare_tui.model import FIELDS, OWN_SOURCE, Attempt, Flag, Judgement, Outcome, Task, Verdict  # noqa: E402
from bare_tui.store import SCHEMA_VERSION, Store  # noqa: E402

BARE_ATTEMPTS = 243_732
MODELS = 57
EXTERNAL = "ext"  # as bench/bare_scale.py imports it: `bare-tui import ... --source ext`
OWN_EVERY = 5  # bare-tui's own verdicts for every fifth attempt
OWN_VERSION = "0.9.0+scale"
OWN_AGREE = 0.9  # how often an own verdict's outcome is the external one's
GENERATOR_VERSION = 2  # a change to what is built makes a new cache file (2: scale_study's records)
CACHE = REPO / "bench" / ".cache"
BATCH = 4_000  # attempts a transaction


def cached_path(attempts: int) -> Path:
    """Where the session of this size is kept: the schema version in the name, so a new schema builds anew."""
    return CACHE / f"scale-{attempts}-g{GENERATOR_VERSION}-s{SCHEMA_VERSION}.db"


def scale_session(attempts: int = BARE_ATTEMPTS, quiet: bool = False) -> Path:
    """The cached session of this size (attempts // 57 files x 57 models), built first when it is not there."""
    path = cached_path(attempts)
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        for stale in (partial, partial.with_name(partial.name + "-wal"), partial.with_name(partial.name + "-shm")):
            stale.unlink(missing_ok=True)
        start = time.perf_counter()
        build(partial, attempts, quiet)
        with Store.open(partial) as store:  # fold the WAL in, so the file moves on its own
            store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        partial.rename(path)
        if not quiet:
            print(f"built {path.name} in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def build(path: Path, attempts: int, quiet: bool = False) -> None:
    """The study's records into a new session at `path`, a transaction every BATCH attempts."""
    study = Study(max(1, attempts // MODELS), MODELS)
    own = random.Random(5)  # the own verdicts' choices, apart from the study's generator
    tasks: dict[str, Task] = {}
    new_tasks: list[Task] = []
    rows: list[Attempt] = []
    verdicts: list[Verdict] = []
    judgements: list[Judgement] = []
    written = 0
    with Store.open(path, create=True) as store:

        def flush() -> None:
            nonlocal written
            with store.writing() as batch:
                store.add_tasks(new_tasks, batch)
                store.add_attempts(rows, batch)
                store.save_verdicts(verdicts, batch)
                store.save_judgements(judgements, batch)
            written += len(rows)
            if not quiet and written // BATCH % 10 == 1:
                print(f"  {written:,} attempts written", flush=True)
            for done in (new_tasks, rows, verdicts, judgements):
                done.clear()

        for record in study.records():
            if record[0] == "task":
                task = parse_task(record[1])
                tasks[task.task_id] = task
                new_tasks.append(task)
            elif record[0] == "attempt":
                _, line, stage_verdicts = record
                attempt, _warnings = parse_attempt(line, tasks[line["task_id"]], invalid_utf8=False)
                external = parse_verdicts({"verdicts": stage_verdicts}, attempt.attempt_id, EXTERNAL, EXTERNAL)
                if (study.kinds.total() - 1) % OWN_EVERY == 0:
                    verdicts.extend(_own_verdicts(external, own))
                rows.append(attempt)
                verdicts.extend(external)
                if len(rows) >= BATCH:
                    flush()
            else:
                judgements.append(parse_judgement(record[2]))
        flush()
        ids = [row.attempt_id for row in store.attempt_summaries()]
        for i in range(0, len(ids), max(1, len(ids) // 200)):
            store.set_flag(Flag(ids[i], REVIEWERS[i % len(REVIEWERS)], True, "look again"))


def _own_verdicts(external: list[Verdict], rng: random.Random) -> list[Verdict]:
    """bare-tui's verdicts of one attempt as a verify would write them: mostly the external outcomes."""
    outcomes = {
        v.stage: v.outcome if rng.random() < OWN_AGREE else rng.choice((Outcome.PASS, Outcome.FAIL, Outcome.ERROR))
        for v in external
        if v.stage != "overall"
    }
    overall = Outcome.PASS if all(o is Outcome.PASS for o in outcomes.values()) else Outcome.FAIL
    attempt_id = external[0].attempt_id
    return [
        Verdict(
            attempt_id,
            stage,
            {**outcomes, "overall": overall}[stage],
            score=round(rng.gauss(0.1, 0.4), 3) if stage == "maintainability" else None,
            pipeline_version=OWN_VERSION,
            source=OWN_SOURCE,
        )
        for stage in FIELDS
        if stage in outcomes or stage == "overall"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=BARE_ATTEMPTS)
    args = parser.parse_args()
    print(scale_session(args.attempts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
