"""Bench: the queue and audit lists on a 10,000-attempt session (row build, table fill, a filter). Prints figures.

Targets: pushing the queue screen to all its rows painted within 1 s (load in the worker + table fill on the
event loop), as the review screen opens; the audit screen's list painted within 1.5 s.
The session: 57 models, nine languages, six verdicts an attempt, ~70,000 labels by three reviewers.
Wall-clock figures on a shared machine swing with its load; CPU seconds say what the work itself costs.
Run: python bench/queue_screen.py [--attempts 10000] [--keep PATH]   (--keep reuses a session built before)
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bare_tui.audit import load_items
from bare_tui.model import FIELDS, STAGES, Attempt, Flag, Judgement, Label, Outcome, Task, Verdict
from bare_tui.pipeline.languages import LANGUAGES
from bare_tui.queue import QueueFilter, load_rows
from bare_tui.store import Store, new_id

EXTENSIONS = {
    "c": "c",
    "cpp": "cpp",
    "csharp": "cs",
    "go": "go",
    "java": "java",
    "javascript": "js",
    "php": "php",
    "python": "py",
    "typescript": "ts",
}


def build_session(path: Path, attempts: int, seed: int = 7) -> None:
    """A session shaped like a BARE slice: 57 models, nine languages, six verdicts an attempt, a third
    labelled by one of three reviewers and some by two, a few flags."""
    rng = random.Random(seed)
    models = [f"model-{i:02d}" for i in range(57)]
    task_count = max(1, attempts // 57)
    with Store.open(path, create=True) as store:
        tasks = []
        for t in range(task_count):
            language = LANGUAGES[t % len(LANGUAGES)]
            tasks.append(Task(f"t-{t:05d}", language, f"src/module_{t:05d}/file.{EXTENSIONS[language]}", "x = 1\n"))
        store.add_tasks(tasks)
        rows = [
            Attempt(f"a-{i:06d}", tasks[i % task_count].task_id, models[i % len(models)], "x = 2\n")
            for i in range(attempts)
        ]
        verdicts = []
        judgements = []
        for a in rows:
            outcomes = [
                rng.choice((Outcome.PASS, Outcome.PASS, Outcome.PASS, Outcome.FAIL, Outcome.ERROR, Outcome.SKIPPED))
                for _ in STAGES
            ]
            overall = Outcome.PASS if all(o is Outcome.PASS for o in outcomes) else Outcome.FAIL
            for stage, outcome in zip(FIELDS, outcomes + [overall]):
                verdicts.append(Verdict(a.attempt_id, stage, outcome, pipeline_version="0.1.0+bench"))
            reviewers = rng.choice(((), (), ("ana",), ("ben",), ("ana", "ben"), ("ana", "ben", "cy")))
            for reviewer in reviewers:
                for stage in FIELDS:
                    label = rng.choice((Label.PASS, Label.PASS, Label.FAIL, Label.UNSURE))
                    judgements.append(
                        Judgement(new_id(), a.attempt_id, reviewer, stage, label, 2, saved_at="2026-11-21T10:00:00Z")
                    )
        with store.transaction() as conn:
            store.add_attempts(rows, conn)
            store.save_verdicts(verdicts, conn)
            store.save_judgements(judgements, conn)
        for a in rows[:: max(1, attempts // 50)]:
            store.set_flag(Flag(a.attempt_id, "ana", True, "look again"))


def median_times(runs: int, work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall-clock and CPU seconds of a piece of work (CPU time shows the cost on a busy machine)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


async def table_fill(path: Path) -> tuple[float, float, float, float]:
    """Seconds from pushing the queue screen to the outline painted, to the full rows painted (and the process's
    CPU seconds to then, both threads); one filter.

    "Painted" is the end of the first screen refresh after the rows were handled (call_after_refresh). The rows'
    arrival is signalled, not polled: polling the app would take the GIL from the loading worker.
    """
    from textual.app import App

    from bare_tui.tui.screens.queue import QueueScreen

    painted: dict[str, float] = {}
    done = asyncio.Event()
    start, cpu_start = time.perf_counter(), time.process_time()

    def stamp(step: str) -> None:
        painted.setdefault(step, time.perf_counter() - start)
        if step == "full":
            painted["cpu"] = time.process_time() - cpu_start
            done.set()

    class TimedQueue(QueueScreen):
        CSS_PATH = str(Path(inspect.getfile(QueueScreen)).with_name("queue.tcss"))  # relative paths follow the module

        # Textual calls QueueScreen's own handler after this one (handlers run down the class hierarchy): no super().
        def on_queue_screen_rows_loaded(self, message: QueueScreen.RowsLoaded) -> None:
            step = "full" if message.rows and message.rows[0].people_known else "outline"
            self.call_after_refresh(stamp, step)

    class Bench(App[None]):
        pass

    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        start, cpu_start = time.perf_counter(), time.process_time()
        screen = TimedQueue(path, reviewer="ana")
        await app.push_screen(screen)
        await done.wait()
        await pilot.pause()
        begun = time.perf_counter()
        screen.apply_filter(QueueFilter(model="model-03"))
        await pilot.pause()
        filtered = time.perf_counter() - begun
    return painted.get("outline", painted["full"]), painted["full"], painted["cpu"], filtered


async def audit_fill(path: Path) -> tuple[float, float]:
    """Seconds from pushing the audit screen to its list painted (the first item's details and diff follow), and
    the process's CPU seconds to then."""
    from textual.app import App

    from bare_tui.tui.screens.audit import AuditScreen

    painted = asyncio.Event()
    start, cpu_start = time.perf_counter(), time.process_time()
    listed: list[float] = []

    def stamp() -> None:
        listed.extend((time.perf_counter() - start, time.process_time() - cpu_start))
        painted.set()

    class TimedAudit(AuditScreen):
        CSS_PATH = str(Path(inspect.getfile(AuditScreen)).with_name("audit.tcss"))

        def on_audit_screen_items_loaded(self, message: AuditScreen.ItemsLoaded) -> None:
            self.call_after_refresh(stamp)  # AuditScreen's own handler runs next

    class Bench(App[None]):
        pass

    app = Bench()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        start, cpu_start = time.perf_counter(), time.process_time()
        await app.push_screen(TimedAudit(path, auditor="ana"))
        await painted.wait()
        await pilot.pause()
    return listed[0], listed[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None, help="build the session here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.db"
        if not path.exists():
            start = time.perf_counter()
            build_session(path, args.attempts)
            print(f"built a {args.attempts:,}-attempt session in {time.perf_counter() - start:.1f} s")
        # The screen first, in a fresh process: the lists the other figures keep alive would slow its collector.
        outlined, opened, cpu, filtered = asyncio.run(table_fill(path))
        print(
            f"queue screen: pushed to outline painted {outlined * 1000:.0f} ms, to full rows painted"
            f" {opened * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU); a model filter {filtered * 1000:.0f} ms"
        )
        listed, cpu = asyncio.run(audit_fill(path))
        print(f"audit screen: pushed to the list painted {listed * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU)")
        print(f"peak RSS after both screens {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        with Store.open(path) as store:
            rows = load_rows(store, "ana")
            wall, cpu = median_times(3, lambda: load_rows(store, "ana"))
            print(
                f"queue rows built (store reads + consensus), {len(rows):,} rows: {wall * 1000:.0f} ms wall,"
                f" {cpu * 1000:.0f} ms CPU (median of 3)"
            )
            wall, cpu = median_times(5, lambda: QueueFilter(text="module_01", disputed=True).apply(rows))
            print(f"one filter over {len(rows):,} rows: {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU")
            items = load_items(store, notes=False)
            wall, cpu = median_times(3, lambda: load_items(store, notes=False))
            print(
                f"audit list built as the screen reads it (labels, no notes), {len(items):,} items:"
                f" {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU"
            )
            wall, cpu = median_times(3, lambda: load_items(store))
            print(
                f"audit list with every reviewer's notes (load_items): {wall * 1000:.0f} ms wall,"
                f" {cpu * 1000:.0f} ms CPU"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole run (the list with every note included) {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
