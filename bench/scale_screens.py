"""One screen scenario of bench/bare_scale.py, in a process of its own: the real `bare-tui review` or `bare-tui
audit` command, its app driven by Textual's Pilot. Prints one JSON line of figures (milliseconds) and errors.

    python bench/scale_screens.py review|queue|audit|stats SESSION --reviewer NAME --attempts N [--spawned T]
                                  [--open-only] [--next-times 60] [--undo-times 30]

The command is started through bare_tui.cli.main exactly as a user types it; only Textual's App.run is swapped
for a headless run_test that drives the app, so whatever the command builds (store, session, screens) is what is
timed. "Painted" is the end of the first compositor refresh at which a condition holds (Pilot's pause waits
for the whole process to go idle, background work included, so it would time more than a person waits for).
A key (n, backspace) is timed from posting it to the end of the first compositor refresh after which its result
holds: a check between refreshes (the 20 ms poll) never ends a key's wait, since the screen would not show the
result yet. Beside the wall time each key's CPU time on the event loop's thread is kept (less noisy on a shared
machine), and every garbage-collection pause that falls between the press and the paint (gc.callbacks).
The conditions read the screens by their class names and by what a person sees (the attempt on show, the rows
in the table, a loading indicator gone, the screen's workers finished), so they outlive a rewrite of the
screens; where a screen no longer offers a hint the scenario falls back to "its workers finished" and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

SIZE = (120, 40)
TIMEOUT = 600.0  # seconds any one wait may take before the figure is reported as a timeout
NEXT_TIMES = 60  # `n` presses timed; 12 said little about the slowest one
UNDO_TIMES = 30  # undos timed (each after an `A` that saves the attempt on show)


def process_started_ago(spawned: float | None) -> float:
    """Seconds since this process started: from `spawned` (time.time() the parent took just before starting it),
    else from /proc (the kernel's start time, to its clock tick), so that a figure "from the command started"
    includes the interpreter and its imports however the bench is run."""
    if spawned is not None:
        return time.time() - spawned
    with open("/proc/self/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # starttime, in clock ticks since boot
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started


def run_from_source(package: str, started: float) -> list[str]:
    """The modules of `package` this process compiled from source rather than loaded from fresh bytecode: none is
    an installed bare-tui's case (pip writes the .pyc files), but a checkout run with PYTHONDONTWRITEBYTECODE set
    compiles every one of them at each start, 60-100 ms of CPU before the first paint that a user never pays.
    Read after the run (nothing is checked while it is timed): a .pyc written after `started` was compiled now."""
    compiled = []
    for name, module in list(sys.modules.items()):
        source = getattr(module, "__file__", None)
        if not (name == package or name.startswith(package + ".")) or not source or not source.endswith(".py"):
            continue
        cached = importlib.util.cache_from_source(source)
        try:
            with open(cached, "rb") as pyc:
                header = pyc.read(16)
            stat = os.stat(source)
            fresh = (
                int.from_bytes(header[4:8], "little") == 0  # flags 0: checked by the source's time and size
                and int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
                and int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF
                and os.stat(cached).st_mtime < started
            )
        except OSError:
            fresh = False
        if not fresh:
            compiled.append(name)
    return sorted(compiled)


def when_imported(name: str, then: Callable[[ModuleType], None]) -> None:
    """Call `then(module)` as soon as module `name` has been imported, whoever imports it."""

    class After:  # a meta path finder; not importlib.abc's subclass, whose import (resources, tempfile, ...) the
        # command does not make and would be counted in its start-up
        def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            if spec is None or spec.loader is None:
                return spec
            load = spec.loader.exec_module

            def exec_module(module: ModuleType) -> None:
                load(module)
                then(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, After())


class Probe:
    """Hooks every screen's compositor refresh: the first paint of each screen, and waits for conditions."""

    def __init__(self) -> None:
        from textual.screen import Screen

        self.first_paint: dict[str, float] = {}
        self.first_paint_cpu: dict[str, float] = {}  # CPU seconds of the process (every thread) by then
        self.first_paint_main_cpu: dict[str, float] = {}  # ... of the main thread (the event loop's) alone
        self.first_paint_text: dict[str, dict[str, str]] = {}  # the one-row Statics' text by id at the first paint
        self.met_cpu: dict[asyncio.Future[float], float] = {}
        self.last_cpu = 0.0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        self.notes: list[str] = []
        self.met_thread_cpu = 0.0  # time.thread_time() of the event loop's thread when the last wait was met
        self.gc_pauses: list[tuple[int, float]] = []  # (generation, ms) of every collection, in order
        self._gc_started: float | None = None
        self._on_paint: set[asyncio.Future[float]] = set()  # waits that only a compositor refresh may end
        gc.callbacks.append(self._gc_callback)
        original = Screen._compositor_refresh
        probe = self

        def hooked(screen: Any) -> None:
            original(screen)
            now = time.perf_counter()
            if screen.id != "_default":
                probe.first_paint.setdefault(type(screen).__name__, now)
                probe.first_paint_cpu.setdefault(type(screen).__name__, time.process_time())
                probe.first_paint_main_cpu.setdefault(type(screen).__name__, time.thread_time())
                probe.first_paint_text.setdefault(type(screen).__name__, shown_rows(screen))
            probe._check(now, painted=True)

        Screen._compositor_refresh = hooked  # type: ignore[method-assign]

    def _gc_callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started is not None:
            self.gc_pauses.append((info["generation"], (time.perf_counter() - self._gc_started) * 1000))
            self._gc_started = None

    def _check(self, now: float, painted: bool = False) -> None:
        for waiter in self._waiters[:]:
            condition, future = waiter
            if not painted and future in self._on_paint:
                continue
            if future.done():
                self._waiters.remove(waiter)
                continue
            try:
                met = condition()
            except Exception as exc:  # noqa: BLE001 - a condition that cannot be read ends its wait with the error
                future.set_exception(exc)
                self._waiters.remove(waiter)
                continue
            if met:
                self.met_cpu[future] = time.process_time()
                future.set_result(now)
                self.met_thread_cpu = time.thread_time()
                self._waiters.remove(waiter)

    async def until(self, condition: Callable[[], bool], timeout: float = TIMEOUT, painted: bool = False) -> float:
        """The perf_counter time of the refresh at which `condition()` first holds (checked every 20 ms as well,
        for a change that needs no repaint, unless `painted`: then only at the end of a compositor refresh);
        `last_cpu` is then the process's CPU time at that moment, `met_thread_cpu` the event loop thread's."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if painted:
            self._on_paint.add(future)
        self._waiters.append((condition, future))
        deadline = time.perf_counter() + timeout
        while not future.done():
            await asyncio.sleep(0.02)
            if time.perf_counter() > deadline:
                raise TimeoutError(f"not reached in {timeout:.0f} s")
            self._check(time.perf_counter())
        self.last_cpu = self.met_cpu.pop(future)
        return future.result()


# ----------------------------------------------------------------------------- what the screens show


def shown_rows(screen: Any) -> dict[str, str]:
    """The text of each Static with an id on a screen: what a person reads in its header rows."""
    rows: dict[str, str] = {}
    for widget in screen.query("Static"):
        if widget.id:
            try:
                rows[widget.id] = str(widget.render())
            except Exception:  # noqa: BLE001 - a row that cannot render yet is left out
                continue
    return rows


def is_screen(app: Any, name: str) -> bool:
    return any(cls.__name__ == name for cls in type(app.screen).__mro__)


def busy(app: Any, screen: Any) -> bool:
    """Whether a worker started from this screen (or a widget on it) is still pending or running."""
    from textual.worker import WorkerState

    for worker in list(app.workers):
        if worker.state not in (WorkerState.PENDING, WorkerState.RUNNING):
            continue
        node = worker.node
        while node is not None:
            if node is screen:
                return True
            node = node.parent
    return False


def diff_ready(app: Any) -> bool:
    """The attempt's diff is on show: computed, not 'computing'. Without a diff view: the screen's work is done."""
    screen = app.screen
    views = screen.query("DiffView")
    if not views:
        return not busy(app, screen)
    view = views.first()
    computing = getattr(view, "is_computing", None)
    if computing is None:
        return not busy(app, screen)
    return not computing and getattr(view, "model", True) is not None


def table_rows(screen: Any) -> int | None:
    """Rows in the screen's list (the first widget that counts rows), or None when none does."""
    for widget in screen.query("*"):
        count = getattr(widget, "row_count", None)
        if isinstance(count, int):
            return count
    return None


def loading_shown(screen: Any) -> bool:
    return any(widget.display for widget in screen.query("LoadingIndicator"))


class Settled:
    """True once the screen's workers started and then all finished, and no loading indicator is shown."""

    def __init__(self, app: Any, name: str) -> None:
        self.app, self.name, self.seen_work = app, name, False

    def __call__(self) -> bool:
        if not is_screen(self.app, self.name):
            return False
        working = busy(self.app, self.app.screen)
        loading = loading_shown(self.app.screen)
        self.seen_work = self.seen_work or working or loading
        return self.seen_work and not working and not loading


# ----------------------------------------------------------------------------- scenarios


async def review_ready(app: Any, probe: Probe) -> float:
    return await probe.until(lambda: is_screen(app, "ReviewScreen") and diff_ready(app))


async def reading(app: Any, pilot: Any) -> None:
    """A reviewer reads before the next key: the screen's background work (next diffs) finishes, up to 10 s."""
    deadline = time.perf_counter() + 10
    while busy(app, app.screen) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    await pilot.pause()


def thread_clocks() -> dict[int, tuple[int, int]]:
    """Each thread of this process by its id: (nanoseconds on a core, nanoseconds ready to run but waiting for a
    core), from /proc/self/task/*/schedstat. Read around a key (not within its timed span), to tell what else ran
    meanwhile (a worker thread's Python holds the GIL the event loop needs) and how long the event loop waited for
    a core the machine's other processes had."""
    clocks: dict[int, tuple[int, int]] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as stat:
                on_core, waiting, _ = stat.read().split()
        except (OSError, ValueError):
            continue  # a thread that ended meanwhile
        clocks[int(tid)] = (int(on_core), int(waiting))
    return clocks


def thread_names() -> dict[int, str]:
    import threading

    return {thread.native_id: thread.name for thread in threading.enumerate() if thread.native_id is not None}


class Timeline:
    """Diagnosis of a slow key, kept beside its figures (nothing here is in the timed condition): when the screen's
    action for the key began and ended, and the store's transactions (BEGIN to COMMIT, the commit's own share, which
    holds SQLite's automatic WAL checkpoint) that fell in the key."""

    def __init__(self) -> None:
        self.actions: list[tuple[str, float, float]] = []  # (name, start, end), perf_counter seconds
        self.transactions: list[tuple[float, float, float, float]] = []  # (start, commit start, end, thread CPU)
        self.session: str | None = None  # the session's path, for its WAL's size
        self.layouts: list[tuple[float, float]] = []  # (start, end) of each layout of the screen (every widget placed)

    def hook_layouts(self, cls: type) -> None:
        timeline = self
        original = cls._refresh_layout

        def timed(screen: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(screen, *args, **kwargs)
            finally:
                timeline.layouts.append((start, time.perf_counter()))

        cls._refresh_layout = timed

    def hook_actions(self, cls: type, names: tuple[str, ...]) -> None:
        timeline = self
        for name in names:
            original = getattr(cls, name)

            def timed(self: Any, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return _original(self, *args, **kwargs)
                finally:
                    timeline.actions.append((_name, start, time.perf_counter()))

            setattr(cls, name, timed)

    def hook_store(self) -> None:
        import contextlib

        from bare_tui.store import Store

        original = Store._transaction.__wrapped__  # type: ignore[attr-defined]  # contextmanager keeps the function
        timeline = self

        @contextlib.contextmanager
        def timed(store: Any) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            inner = original(store)
            connection = next(inner)
            try:
                yield connection
            except BaseException as exc:
                with contextlib.suppress(StopIteration):
                    inner.throw(exc)
                raise
            commit = time.perf_counter()
            with contextlib.suppress(StopIteration):
                next(inner)
            timeline.transactions.append((start, commit, time.perf_counter(), time.thread_time() - cpu))

        Store._transaction = timed  # type: ignore[method-assign]


class KeyTimes:
    """One key's figures over its presses: wall ms from the press to the paint, the event loop's CPU ms over the
    same span, and the garbage collections that fell in it; for diagnosis, each press's parts (`parts`)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.gc: list[list[tuple[int, float]]] = []
        self.parts: list[dict[str, Any]] = []

    def slowest(self, count: int = 6) -> list[dict[str, Any]]:
        """The slowest presses' parts, slowest first."""
        order = sorted(range(len(self.wall)), key=lambda i: -self.wall[i])
        return [{"wall_ms": round(self.wall[i], 1), **self.parts[i]} for i in order[:count] if i < len(self.parts)]

    def part_medians(self) -> dict[str, float]:
        """The median of each part in ms over the presses that have it."""
        keys = dict.fromkeys(k for p in self.parts for k in p if k.endswith("_ms"))
        values = {k: [float(p[k]) for p in self.parts if isinstance(p.get(k), float | int)] for k in keys}
        return {k: round(median(v), 1) for k, v in values.items() if v}

    def figures(self, name: str) -> dict[str, Any]:
        pauses = [ms for presses in self.gc for _, ms in presses]
        return {
            f"{name}_slowest": self.slowest(),
            f"{name}_commit_ms": [p.get("recount_and_commit_ms", 0.0) for p in self.parts],  # each press's, in order
            f"{name}_part_medians": self.part_medians(),
            f"{name}_ms": self.wall,
            f"{name}_cpu_ms": self.cpu,
            f"{name}_median_ms": median(self.wall),
            f"{name}_p90_ms": percentile(self.wall, 90),
            f"{name}_max_ms": max(self.wall),
            f"{name}_cpu_median_ms": median(self.cpu),
            f"{name}_cpu_p90_ms": percentile(self.cpu, 90),
            f"{name}_cpu_max_ms": max(self.cpu),
            f"{name}_gc": {
                "presses_with_a_collection": sum(1 for presses in self.gc if presses),
                "collections_by_generation": [sum(1 for p in self.gc for g, _ in p if g == n) for n in range(3)],
                "longest_ms": max(pauses, default=0.0),
            },
        }


def median(values: list[float]) -> float:
    import statistics  # here: imported at the top (fractions, decimal: 7-15 ms) it was counted in the first paint

    return statistics.median(values)


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile, nearest rank (of 60 presses, p90 is the 54th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


async def time_key(
    app: Any, probe: Probe, key: str, condition: Callable[[], bool], into: KeyTimes, timeline: Timeline | None = None
) -> None:
    collections = len(probe.gc_pauses)
    clocks = thread_clocks() if timeline is not None else {}
    busy_before = sorted(w.name for w in list(app.workers) if not w.is_finished) if timeline is not None else []
    cpu = time.thread_time()
    start = time.perf_counter()
    app.simulate_key(key)
    end = await probe.until(condition, painted=True)
    into.wall.append((end - start) * 1000)
    into.cpu.append((probe.met_thread_cpu - cpu) * 1000)
    into.gc.append(probe.gc_pauses[collections:])
    if timeline is not None:
        into.parts.append(key_parts(timeline, start, end, clocks, thread_clocks(), busy_before))


def key_parts(
    timeline: Timeline,
    start: float,
    end: float,
    before: dict[int, tuple[int, int]],
    after: dict[int, tuple[int, int]],
    busy_before: list[str],
) -> dict[str, Any]:
    """Where one key's wall time went (ms): to the screen's action starting (the event loop busy with what was
    queued before the key), the action, from it to the paint (layout, render, compositor); the event loop's thread
    on a core, and waiting for one (the machine's load); other threads' time on a core (by name: their Python holds
    the GIL); the store's transactions and their commits (a commit that checkpoints the WAL writes back and syncs)."""
    main = threading_main_id()
    names = thread_names()
    ms = 1e-6
    loop_cpu = (after.get(main, (0, 0))[0] - before.get(main, (0, 0))[0]) * ms
    loop_wait = (after.get(main, (0, 0))[1] - before.get(main, (0, 0))[1]) * ms
    others: dict[str, float] = {}
    for tid, (on_core, _) in after.items():
        if tid == main:
            continue
        spent = (on_core - before.get(tid, (0, 0))[0]) * ms
        if spent >= 0.5:
            name = names.get(tid, f"thread {tid} (ended)")
            others[name] = round(others.get(name, 0.0) + spent, 1)
    actions = [(n, a, b) for n, a, b in timeline.actions if start <= a <= end]
    transactions = [(a, c, b, cpu) for a, c, b, cpu in timeline.transactions if start <= a <= end]
    layouts = [(a, b) for a, b in timeline.layouts if start <= a <= end]
    first = min((a for _, a, _ in actions), default=None)
    last = max((b for _, _, b in actions), default=None)
    return {
        "to_action_ms": round((first - start) * 1000, 1) if first is not None else None,
        "action_ms": round(
            sum(b - a for _, a, b in actions if not any(a > a2 and b < b2 for _, a2, b2 in actions)) * 1000, 1
        ),
        "action_to_paint_ms": round((end - last) * 1000, 1) if last is not None else None,
        "actions": [n for n, _, _ in actions],
        "loop_on_core_ms": round(loop_cpu, 1),
        "loop_waiting_for_a_core_ms": round(loop_wait, 1),
        "loop_off_core_ms": round((end - start) * 1000 - loop_cpu - loop_wait, 1),
        "other_threads_ms": others,
        "workers_busy_at_press": busy_before,
        "store_ms": round(sum(b - a for a, _, b, _ in transactions) * 1000, 1),
        "store_on_core_ms": round(sum(cpu for *_, cpu in transactions) * 1000, 1),
        "recount_and_commit_ms": round(sum(b - c for _, c, b, _ in transactions) * 1000, 1),
        "transactions": len(transactions),
        "layouts": len(layouts),
        "layout_ms": round(sum(b - a for a, b in layouts) * 1000, 1),
        "wal_frames_after": wal_frames(timeline.session),
    }


def wal_frames(session: str | None) -> int | None:
    """Frames in the session's WAL (the wal-index header's mxFrame, native byte order): falling to a few after a
    key means a commit checkpointed the WAL and the next write began it again."""
    if session is None:
        return None
    try:
        with open(session + "-shm", "rb") as shm:
            header = shm.read(24)
    except OSError:
        return None
    return int.from_bytes(header[16:20], sys.byteorder) if len(header) == 24 else None


def threading_main_id() -> int:
    import threading

    return threading.main_thread().native_id or os.getpid()


def attempt_on_show(app: Any) -> object:
    return getattr(app.screen, "attempt_id", None)


def judged_by_reviewer(app: Any) -> set[str]:
    """The attempts the reviewer has judged, as the review screen's session counts them (empty if it says not)."""
    return getattr(getattr(app.screen, "session", None), "judged", set())


async def scenario_review(app: Any, pilot: Any, probe: Probe, out: dict[str, Any], args: argparse.Namespace) -> None:
    """Open (first paint, usable), next attempt --next-times times, undo --undo-times times (each after an `A` that
    saves the attempt on show and opens the next: timed as "save")."""
    ready = await review_ready(app, probe)
    out["open_first_paint_ms"] = (min(probe.first_paint.values()) - args.t0) * 1000
    out["open_usable_ms"] = (ready - args.t0) * 1000
    # CPU time of the process from its start (interpreter and imports included), every thread: steadier than the
    # wall clock on a shared machine, though work done on two cores at once counts twice
    out["open_first_paint_cpu_ms"] = min(probe.first_paint_cpu.values()) * 1000
    # the main thread's alone: what the paint waited for (a read on a thread of its own runs beside it)
    out["open_first_paint_main_cpu_ms"] = min(probe.first_paint_main_cpu.values()) * 1000
    # what the header said at that paint: the place and the judged count (never a guess, "…" until known)
    first = probe.first_paint_text.get("ReviewScreen", {})
    out["open_first_paint_header"] = [first.get(key, "") for key in ("review-title", "review-count")]
    out["open_usable_cpu_ms"] = probe.last_cpu * 1000
    if args.open_only:
        return
    # diagnosis beside the figures: the screen's actions and the store's transactions timed (see key_parts)
    timeline = Timeline()
    timeline.hook_actions(
        type(app.screen), ("action_next_attempt", "action_undo", "action_pass_the_rest", "open_attempt")
    )
    timeline.hook_store()
    timeline.hook_layouts(type(app.screen))
    timeline.session = args.session
    following = KeyTimes()
    for _ in range(args.next_times):
        await reading(app, pilot)
        before = attempt_on_show(app)
        await time_key(
            app,
            probe,
            "n",
            lambda b=before: attempt_on_show(app) != b and diff_ready(app),  # type: ignore[misc]
            following,
            timeline,
        )
    out.update(following.figures("next"))
    undone = KeyTimes()
    stored = KeyTimes()
    for _ in range(args.undo_times):
        await reading(app, pilot)
        while attempt_on_show(app) in judged_by_reviewer(app):  # `A` would save nothing there: an attempt not judged
            before = attempt_on_show(app)
            app.simulate_key("n")
            await probe.until(lambda b=before: attempt_on_show(app) != b and diff_ready(app))  # type: ignore[misc]
            await reading(app, pilot)
        saved = attempt_on_show(app)
        # every field pass, saved (the rows committed); the next attempt opens: timed as a key too
        await time_key(
            app,
            probe,
            "A",
            lambda s=saved: attempt_on_show(app) != s and diff_ready(app),  # type: ignore[misc]
            stored,
            timeline,
        )
        await reading(app, pilot)
        await time_key(
            app,
            probe,
            "backspace",
            lambda s=saved: attempt_on_show(app) == s and diff_ready(app),  # type: ignore[misc]
            undone,
            timeline,
        )
    out.update(undone.figures("undo"))
    out.update(stored.figures("save"))


async def queue_full(app: Any, probe: Probe, expected: int) -> float:
    def full() -> bool:
        if not is_screen(app, "QueueScreen"):
            return False
        screen = app.screen
        rows = getattr(screen, "rows", None)
        if rows and not getattr(rows[0], "people_known", True):
            return False  # the outline: labels still being read
        count = table_rows(screen)
        return (count is None or count >= expected) and not busy(app, screen)

    return await probe.until(full)


async def scenario_queue(app: Any, pilot: Any, probe: Probe, out: dict[str, Any], args: argparse.Namespace) -> None:
    """q to every row, five filters, an attempt opened from the queue and the return to it."""
    await review_ready(app, probe)
    await reading(app, pilot)
    start, cpu, loop_cpu = time.perf_counter(), time.process_time(), time.thread_time()
    app.simulate_key("q")
    out["queue_all_rows_ms"] = (await queue_full(app, probe, args.attempts) - start) * 1000
    # the same span's CPU, every thread (the reads run beside the event loop) and the event loop's alone: steadier
    # than the wall clock on a shared machine
    out["queue_all_rows_cpu_ms"] = (probe.last_cpu - cpu) * 1000
    out["queue_all_rows_loop_cpu_ms"] = (probe.met_thread_cpu - loop_cpu) * 1000
    await pilot.pause()
    screen = app.screen
    filters: dict[str, float] = {}
    shown: dict[str, int | None] = {}

    async def filtered(name: str, *keys: str) -> None:
        """From posting the keys (typed at once, as a person types a word and enter) to the table's new count
        painted. A filter that leaves the count as it was would wait: 60 s at most, then reported."""
        if keys[0] == "slash":
            await pilot.press("slash")  # the find box takes the focus (Textual moves focus after the key)
            keys = keys[1:]
        before = table_rows(screen)
        start = time.perf_counter()
        for key in keys:
            app.simulate_key(key)
        filters[name] = (await probe.until(lambda: table_rows(screen) != before, timeout=60) - start) * 1000
        shown[name] = table_rows(screen)
        await pilot.pause()

    for name, keys in (
        ("disputed only (d)", ("d",)),
        ("all again (d)", ("d",)),
        ("not judged by you (j)", ("j",)),
        ("partly judged by you (j)", ("j",)),
        ("judged by you (j)", ("j",)),
        ("any state (j)", ("j",)),
        ("find 'model-03' (typed, enter)", ("slash", *"model-03", "enter")),
        ("clear (escape)", ("escape",)),
    ):
        try:
            await filtered(name, *keys)
        except Exception as exc:  # noqa: BLE001 - one filter that fails is reported, the others still run
            out.setdefault("errors", []).append(f"queue filter {name}: {exc!r}")
    out["filter_ms"] = filters
    out["filter_rows"] = shown
    await pilot.press("escape")  # the filters cleared, the table focused
    await pilot.pause()
    rows_before = getattr(screen, "rows", None)
    app.simulate_key("enter")  # the attempt under the cursor
    await review_ready(app, probe)
    await reading(app, pilot)
    start = time.perf_counter()
    app.simulate_key("q")
    if rows_before is None:
        probe.notes.append("queue: no rows attribute, the return waits for the screen's workers to finish")
        back = await probe.until(Settled(app, "QueueScreen"))
    else:
        back = await probe.until(
            lambda: (
                is_screen(app, "QueueScreen")
                and getattr(app.screen, "rows", None) is not rows_before
                and not busy(app, app.screen)
            )
        )
    out["queue_return_ms"] = (back - start) * 1000


async def scenario_audit(app: Any, pilot: Any, probe: Probe, out: dict[str, Any], args: argparse.Namespace) -> None:
    """`bare-tui audit`: the list painted."""
    settled = Settled(app, "AuditScreen")

    def listed() -> bool:
        if not is_screen(app, "AuditScreen"):
            return False
        count = table_rows(app.screen)
        return settled() or bool(count)

    out["audit_list_ms"] = (await probe.until(listed) - args.t0) * 1000
    out["audit_list_cpu_ms"] = probe.last_cpu * 1000  # the process's CPU time from its start, every thread
    out["audit_items"] = table_rows(app.screen)


async def scenario_stats(app: Any, pilot: Any, probe: Probe, out: dict[str, Any], args: argparse.Namespace) -> None:
    """The statistics screen from the review screen (the palette's "statistics" action) to its figures shown."""
    await review_ready(app, probe)
    await reading(app, pilot)
    start = time.perf_counter()
    await app.run_action("stats")
    out["stats_screen_ms"] = (await probe.until(Settled(app, "StatsScreen")) - start) * 1000


SCENARIOS = {"review": scenario_review, "queue": scenario_queue, "audit": scenario_audit, "stats": scenario_stats}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("session")
    parser.add_argument("--reviewer", default="ana")
    parser.add_argument("--attempts", type=int, required=True, help="attempts in the session (the queue's rows)")
    parser.add_argument(
        "--open-only", action="store_true", help="review: time the opening only (no key pressed, nothing saved)"
    )
    parser.add_argument("--spawned", type=float, default=None, help="time.time() when the parent started us")
    parser.add_argument("--next-times", type=int, default=NEXT_TIMES, help="review: `n` presses timed")
    parser.add_argument("--undo-times", type=int, default=UNDO_TIMES, help="review: undos timed (each after a save)")
    args = parser.parse_args()
    imported = time.perf_counter()
    from bare_tui import cli

    out: dict[str, Any] = {"scenario": args.scenario, "imports_ms": (time.perf_counter() - imported) * 1000}
    probes: list[Probe] = []

    async def drive(app: Any) -> None:
        try:
            async with app.run_test(size=SIZE) as pilot:
                try:
                    await SCENARIOS[args.scenario](app, pilot, probes[0], out, args)
                except Exception as exc:  # noqa: BLE001 - reported in the figures' line, the app still closes
                    out.setdefault("errors", []).append(f"{exc!r} at {traceback.format_exc(limit=-3)}")
                app.exit()
        except Exception as exc:  # noqa: BLE001
            out.setdefault("errors", []).append(f"the app: {exc!r}")

    def run(self: Any, *unused: Any, **unused_too: Any) -> None:
        asyncio.run(drive(self))

    def textual_loaded(module: ModuleType) -> None:
        probes.append(Probe())
        module.App.run = run

    # Hooked when the command imports Textual, not imported here first: `bare-tui` imports it only once its command
    # runs (the audit command starts reading its list before), so importing it here would time another program.
    when_imported("textual.app", textual_loaded)
    command = (
        ["audit", args.session, "--auditor", args.reviewer]
        if args.scenario == "audit"
        else ["review", args.session, "--reviewer", args.reviewer]
    )
    if args.scenario == "stats":
        # the statistics are a lead's view: blind mode keeps them closed until every attempt has been seen
        command.append("--assisted")
    out["process_start_ms"] = process_started_ago(args.spawned) * 1000  # interpreter and imports, before the command
    args.t0 = time.perf_counter()
    status = cli.main(command)
    out["status"] = status
    out["notes"] = probes[0].notes if probes else ["the command never imported Textual"]
    compiled = run_from_source("bare_tui", time.time() - out["process_start_ms"] / 1000)
    out["bare_tui_compiled_from_source"] = len(compiled)
    if compiled:
        out["notes"].append(
            f"{len(compiled)} bare_tui modules were compiled from source in this run (no fresh .pyc: "
            "PYTHONDONTWRITEBYTECODE?), which an installed bare-tui does not do; to time what a user waits for, "
            "run `env -u PYTHONDONTWRITEBYTECODE python -m compileall -q bare_tui` first"
        )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
