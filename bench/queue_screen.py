"""Bench: the queue and audit lists on a 10,000-attempt session (row build, table fill, a filter). Prints figures.

Targets: pushing the queue screen to all its rows painted within 1 s (load in the worker + table fill on the
event loop), as the review screen opens; the audit screen's list painted within 1.5 s.
The session: 57 models, nine languages, six verdicts an attempt, ~70,000 labels by three reviewers.
Wall-clock figures on a shared machine swing with its load; CPU seconds say what the work itself costs.
Run: python bench/queue_screen.py [--attempts 10000] [--keep PATH]   (--keep reuses a session built before)

--scale: the same screens on issue 11's BARE-sized session (bench/scale_session.py: 243,732 attempts, two verdict
sources, 4% judged by two or three reviewers), each screen in a process of its own so that each peak memory is
its own. Targets: queue from push to every row 1 s, a return from an attempt refreshing only what changed,
filters and counts 100 ms, the audit list 1 s, the statistics screen 5 s, no screen over 1 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bare_tui.audit import load_items
from bare_tui.model import FIELDS, STAGES, Attempt, Flag, Judgement, Label, Outcome, Task, Verdict
from bare_tui.pipeline.languages import LANGUAGES, REGISTRY
from bare_tui.queue import QueueData, QueueFilter, ReviewState, load_rows
from bare_tui.store import Store, new_id

EXTENSIONS = {name: spec.extensions[0].lstrip(".") for name, spec in REGISTRY.items()}  # each language's first


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
        with store.writing() as conn:
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
        def _show_data(self, data: QueueData) -> None:
            super()._show_data(data)
            self.call_after_refresh(stamp, "full" if data.people_known else "outline")

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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spread(times: list[float]) -> str:
    return f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms (n={len(times)})"


SCALE_FILTERS = (
    QueueFilter(model="model-03"),
    QueueFilter(language="go"),
    QueueFilter(stage_outcome=("syntax", "fail")),
    QueueFilter(state=ReviewState.NOT_JUDGED),
    QueueFilter(disputed=True),
    QueueFilter(flagged=True),
    QueueFilter(text="module_0012"),
    QueueFilter(text="a-0012"),
    QueueFilter(model="model-03", stage_outcome=("overall", "pass"), disputed=False),
)


async def scale_queue(path: Path) -> None:
    """The queue on the BARE-sized session: push to outline and to every row painted, each filter to painted
    (mask, counts and the visible window), and a return from an attempt (one attempt touched) to painted."""
    from textual.app import App

    from bare_tui.tui.screens.queue import QueueScreen

    painted: dict[str, float] = {}
    done = asyncio.Event()
    touched: set[str] = set()

    def stamp(step: str) -> None:
        painted.setdefault(step, time.perf_counter() - start)
        painted.setdefault(step + " cpu", time.process_time() - cpu_start)
        if step == "full":
            done.set()

    class TimedQueue(QueueScreen):
        def _show_data(self, data: QueueData) -> None:
            super()._show_data(data)
            self.call_after_refresh(stamp, "full" if data.people_known else "outline")

    def take() -> set[str]:
        found = set(touched)
        touched.clear()
        return found

    cpu_spent: list[float] = []

    async def painted_after(call) -> float:  # type: ignore[no-untyped-def]
        """Milliseconds from the call to the screen refreshed after it (and the CPU milliseconds, kept)."""
        event = asyncio.Event()
        begun, cpu = time.perf_counter(), time.process_time()
        call()
        screen.call_after_refresh(event.set)
        await event.wait()
        cpu_spent.append((time.process_time() - cpu) * 1000)
        return (time.perf_counter() - begun) * 1000

    app = App[None]()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = TimedQueue(path, reviewer="ana", touched=take)
        app.install_screen(screen, name="queue")
        start, cpu_start = time.perf_counter(), time.process_time()
        await app.push_screen("queue")
        await done.wait()
        await pilot.pause()
        print(
            f"queue, push to outline painted {painted['outline'] * 1000:.0f} ms, to every row painted"
            f" {painted['full'] * 1000:.0f} ms ({painted['full cpu'] * 1000:.0f} ms CPU; target 1000 ms);"
            f" {len(screen.rows):,} rows",
            flush=True,
        )
        times = []
        for queue_filter in SCALE_FILTERS * 2:
            times.append(await painted_after(lambda f=queue_filter: screen.apply_filter(f)))
            times.append(await painted_after(lambda: screen.apply_filter(QueueFilter())))
        print(f"queue filter (mask + counts + window painted), {spread(times)}   (target 100 ms)", flush=True)
        print(f"   CPU of each: {spread(cpu_spent)}", flush=True)
        masks = []
        data = screen.data
        assert data is not None
        for queue_filter in SCALE_FILTERS * 3:
            begun = time.perf_counter()
            queue_filter.mask(data)
            masks.append((time.perf_counter() - begun) * 1000)
        print(f"   of which the mask over {len(data):,} rows: {spread(masks)}", flush=True)
        returns = []
        cpu_spent.clear()
        for i in range(5):
            app.pop_screen()
            await pilot.pause()
            touched.add(screen.rows[i * 1000].attempt_id)
            returns.append(await painted_after(lambda: app.push_screen("queue")))
            await pilot.pause()
        print(f"queue, return from an attempt (one touched) to painted: {spread(returns)}", flush=True)
        print(f"   CPU of each: {spread(cpu_spent)}", flush=True)
        begun = time.perf_counter()
        screen.action_reload()
        while screen._loading:
            await asyncio.sleep(0.01)
        await pilot.pause()
        print(f"queue, ctrl+r (everything read again): {(time.perf_counter() - begun) * 1000:.0f} ms", flush=True)
    print(f"queue process peak RSS {peak_mb():.0f} MB   (target 1024 MB)", flush=True)


async def scale_stats(path: Path) -> None:
    """The statistics screen: push to its figures painted."""
    from textual.app import App

    from bare_tui.tui.screens.stats import StatsScreen

    painted = asyncio.Event()

    class TimedStats(StatsScreen):
        CSS_PATH = str(Path(inspect.getfile(StatsScreen)).with_name("stats.tcss"))

        def on_stats_screen_loaded(self, message: StatsScreen.Loaded) -> None:
            self.call_after_refresh(painted.set)

    app = App[None]()
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        start, cpu = time.perf_counter(), time.process_time()
        await app.push_screen(TimedStats(path))
        await painted.wait()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"statistics screen, push to painted {wall * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU; target 5000 ms)")
    print(f"statistics process peak RSS {peak_mb():.0f} MB   (target 1024 MB)", flush=True)


def scale_step(step: str, path: Path) -> None:
    if step == "queue":
        asyncio.run(scale_queue(path))
    elif step == "audit":
        listed, cpu = asyncio.run(audit_fill(path))
        print(f"audit list, push to painted {listed * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU; target 1000 ms)")
        with Store.open(path) as store:
            print(f"audit items {len(load_items(store, notes=False)):,}")
        print(f"audit process peak RSS {peak_mb():.0f} MB   (target 1024 MB)", flush=True)
    elif step == "stats":
        asyncio.run(scale_stats(path))


def scale(attempts: int) -> int:
    from scale_session import scale_session

    path = scale_session(attempts)
    print(f"session {path.name}: {path.stat().st_size / 2**30:.2f} GB", flush=True)
    for step in ("queue", "audit", "stats"):
        # A process per screen: each peak memory is that screen's, and no screen inherits another's garbage.
        subprocess.run([sys.executable, __file__, "--step", step, "--session", str(path)], check=False)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None, help="build the session here and keep it")
    parser.add_argument("--scale", action="store_true", help="the screens on the BARE-sized session instead")
    parser.add_argument("--scale-attempts", type=int, default=243_732, help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=("queue", "audit", "stats"), help=argparse.SUPPRESS)
    parser.add_argument("--session", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        scale_step(args.step, args.session)
        return 0
    if args.scale:
        return scale(args.scale_attempts)
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
