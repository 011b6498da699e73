"""A BARE-sized review session for the screen benches, built once and cached under bench/.cache/.

The shape of issue 11's study: 57 models x 4,276 tasks in nine languages = 243,732 attempts whose answers are
files of 60 to 2,000 lines (11 KB on average, as in the real study), an external pipeline's verdicts for every
attempt (six each: 1.46 million), bare-tui's own verdicts beside them for every fifth attempt (as after a
`verify` over a subset), and 4% of the attempts judged by two or three of five reviewers, with flags. The
benches time the screens on it with Pilot (bench/queue_screen.py --scale, bench/tui.py --scale).

    python bench/scale_session.py [--attempts 243732]   builds (or finds) the session and prints its path
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bare_tui.model import (  # noqa: E402
    FIELDS,
    OWN_SOURCE,
    STAGES,
    Attempt,
    Flag,
    Judgement,
    Label,
    Outcome,
    Task,
    Verdict,
)
from bare_tui.pipeline.languages import LANGUAGES, REGISTRY  # noqa: E402
from bare_tui.store import SCHEMA_VERSION, Store, new_id  # noqa: E402

BARE_ATTEMPTS = 243_732
MODELS = 57
REVIEWERS = ("ana", "ben", "cy", "dee", "eli")
EXTERNAL = "ext-pipeline"
OWN_EVERY = 5  # bare-tui's own verdicts for every fifth attempt
JUDGED_SHARE = 0.04
AGREE = 0.88  # how often a reviewer's label is the external verdict's outcome
GENERATOR_VERSION = 1  # a change to what is built makes a new cache file
CACHE = REPO / "bench" / ".cache"
EXTENSIONS = {name: spec.extensions[0].lstrip(".") for name, spec in REGISTRY.items()}  # each language's first


def cached_path(attempts: int) -> Path:
    """Where the session of this size is kept: the schema version in the name, so a new schema builds anew."""
    return CACHE / f"scale-{attempts}-g{GENERATOR_VERSION}-s{SCHEMA_VERSION}.db"


def scale_session(attempts: int = BARE_ATTEMPTS, quiet: bool = False) -> Path:
    """The cached session of this size, built first when it is not there yet."""
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


def _source(lines: int, rng: random.Random) -> str:
    """Code-shaped text of about `lines` lines (~20 bytes a line, like real files)."""
    words = ("total", "value", "index", "count", "item", "result", "node", "buffer")
    out = []
    while len(out) < lines:
        name = rng.choice(words)
        out.append(f"def f{len(out)}({name}):")
        for _ in range(rng.randint(2, 9)):
            out.append(f"    {name} += {rng.randint(1, 99)}")
        out.append(f"    return {name}")
    return "\n".join(out[:lines]) + "\n"


def _line_counts(count: int, rng: random.Random) -> list[int]:
    """Log-uniform between 60 and 2,000 lines: most files short, a tail of long ones."""
    low, high = math.log(60), math.log(2000)
    return [int(math.exp(rng.uniform(low, high))) for _ in range(count)]


def build(path: Path, attempts: int, quiet: bool = False) -> None:
    rng = random.Random(11)
    tasks_count = max(1, attempts // MODELS)
    models = [f"model-{m:02d}" for m in range(MODELS)]
    pool = [_source(lines, rng) for lines in _line_counts(64, rng)]  # texts shared by many tasks: cheap to make
    with Store.open(path, create=True) as store:
        tasks = []
        for t in range(tasks_count):
            language = LANGUAGES[t % len(LANGUAGES)]
            tasks.append(
                Task(
                    f"t-{t:05d}",
                    language,
                    f"repo-{t % 97:02d}/src/pkg_{t // 97:03d}/module_{t:05d}.{EXTENSIONS[language]}",
                    f"// task {t}\n{pool[t % len(pool)]}",
                )
            )
        store.add_tasks(tasks)
        batch = 4000
        for start in range(0, attempts, batch):
            chunk = range(start, min(attempts, start + batch))
            rows, verdicts, judgements = [], [], []
            for i in chunk:
                task = tasks[i % tasks_count]
                attempt_id = f"a-{i:06d}"
                # the answer: the original with a model's touch, so every attempt's text is its own
                rows.append(
                    Attempt(attempt_id, task.task_id, models[i // tasks_count % MODELS], task.original + f"# {i}\n")
                )
                verdicts += _verdicts(attempt_id, rng, EXTERNAL, "1.0")
                if i % OWN_EVERY == 0:
                    verdicts += _verdicts(attempt_id, rng, OWN_SOURCE, "0.9.0+scale")
                if rng.random() < JUDGED_SHARE:
                    external = {v.stage: v.outcome for v in verdicts[-len(FIELDS) :]}
                    judgements += _judgements(attempt_id, external, rng)
            with store.writing() as conn:
                store.add_attempts(rows, conn)
                store.save_verdicts(verdicts, conn)
                store.save_judgements(judgements, conn)
            if not quiet and start // batch % 10 == 0:
                print(f"  {start + len(chunk):,} attempts written", flush=True)
        for i in range(0, attempts, max(1, attempts // 200)):
            store.set_flag(Flag(f"a-{i:06d}", REVIEWERS[i % len(REVIEWERS)], True, "look again"))


def _verdicts(attempt_id: str, rng: random.Random, source: str, version: str) -> list[Verdict]:
    outcomes = [
        rng.choice((Outcome.PASS,) * 5 + (Outcome.FAIL, Outcome.FAIL, Outcome.ERROR, Outcome.SKIPPED)) for _ in STAGES
    ]
    overall = Outcome.PASS if all(o is Outcome.PASS for o in outcomes) else Outcome.FAIL
    return [
        Verdict(
            attempt_id,
            stage,
            outcome,
            score=rng.random() if stage == "maintainability" else None,
            pipeline_version=version,
            source=source,
        )
        for stage, outcome in zip(FIELDS, [*outcomes, overall])
    ]


def _judgements(attempt_id: str, outcomes: dict[str, Outcome], rng: random.Random) -> Iterator[Judgement]:
    for reviewer in rng.sample(REVIEWERS, rng.choice((2, 2, 3))):
        saved = f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"
        for stage in FIELDS:
            auto = outcomes[stage]
            if rng.random() < AGREE and auto in (Outcome.PASS, Outcome.FAIL):
                label = Label(auto.value)
            else:
                label = rng.choice((Label.PASS, Label.PASS, Label.FAIL, Label.UNSURE))
            yield Judgement(new_id(), attempt_id, reviewer, stage, label, 2, opened_at=saved, saved_at=saved)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=BARE_ATTEMPTS)
    args = parser.parse_args()
    print(scale_session(args.attempts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
