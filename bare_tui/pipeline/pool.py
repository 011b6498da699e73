"""A pool of worker processes for verify that a time limit can kill and replace: each item (see work.py) runs in
a worker; one past the time limit, or whose worker dies, gets `error` results and a fresh worker takes its place."""

from __future__ import annotations

import collections
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from multiprocessing.connection import Connection, wait

from bare_tui.pipeline import work
from bare_tui.pipeline.maintainability import Thresholds
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, PipelineSettings
from bare_tui.pipeline.work import Job, Results, WorkItem

# ---------------------------------------------------------------------------------------------------------
# Inside a worker.


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so one hostile answer fails with MemoryError instead of taking the
    machine's memory. Where the platform has no RLIMIT_AS the worker runs unbounded."""
    try:
        import resource
    except ImportError:  # Windows
        return
    limit = megabytes * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError, AttributeError):
        return
    work.MEMORY_LIMIT_MB[0] = megabytes


def _die_with_parent(parent: int) -> None:
    """Make sure this worker cannot outlive verify: the kernel kills it when its parent dies (Linux), and a
    watchdog thread elsewhere. A `kill -9` of verify would otherwise leave a worker spinning on a hostile input."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent:  # the parent died before the request: nobody will signal us
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _worker_main(conn: Connection, thresholds: Thresholds, settings: PipelineSettings, parent: int = 0) -> None:
    # Ctrl+C reaches the whole process group; the parent decides what to keep and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent:
        _die_with_parent(parent)
    if settings.memory_limit_mb > 0:
        _limit_memory(settings.memory_limit_mb)
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is None:
            return
        for item in batch:
            conn.send(("start", None, None))
            for step, result in work.steps(item, thresholds, settings):
                conn.send(("step", step, result))
            conn.send(("done", None, None))


# ---------------------------------------------------------------------------------------------------------
# The parent: a pool of workers it can kill one at a time.

BATCH_SIZE = 8
"""Attempts of one task sent to a worker together: its cached analysis of the original is reused."""

STARTUP_ALLOWANCE = 30.0
"""Extra seconds for a fresh worker's first item: importing the grammars and analysers."""

ProgressCallback = Callable[[int, int], None]
"""Called with (items finished, items to do) as a run advances: attempts, or originals measured."""


class _Worker:
    def __init__(
        self, context: multiprocessing.context.SpawnContext, thresholds: Thresholds, settings: PipelineSettings
    ) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker_main, args=(child, thresholds, settings, os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.fresh = True
        self.queue: collections.deque[WorkItem] = collections.deque()  # sent, not finished; the first is running
        self.deadline = 0.0
        self.results: Results = {}

    @property
    def item(self) -> WorkItem | None:
        return self.queue[0] if self.queue else None

    def give(self, batch: list[WorkItem], limit: float) -> None:
        self.queue.extend(batch)
        self.results = {}
        self.deadline = time.monotonic() + limit + (STARTUP_ALLOWANCE if self.fresh else 0.0)
        self.fresh = False
        with contextlib.suppress(OSError):  # the worker is gone: its sentinel reports it, and the batch is retried
            self.conn.send(batch)

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):  # already gone: nothing to tell it
                self.conn.send(None)
        self.process.join(timeout=1 if not kill else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


def _batches(items: Iterator[WorkItem], size: int) -> Iterator[list[WorkItem]]:
    """Consecutive items of the same batch key (a Job's task), at most `size` at a time."""
    batch: list[WorkItem] = []
    for item in items:
        if batch and (len(batch) >= size or item.batch_key != batch[0].batch_key):
            yield batch
            batch = []
        batch.append(item)
    if batch:
        yield batch


def run_jobs(
    items: Iterable[WorkItem],
    thresholds: Thresholds,
    settings: PipelineSettings = DEFAULT_SETTINGS,
    workers: int = 1,
) -> Generator[tuple[WorkItem, Results], None, None]:
    """Each item with its results, in the order they finish. An item past the time limit, or whose worker
    dies, gets `error` results for its unfinished steps, and its worker is replaced (the rest of its batch
    goes to another). Closing the generator (or an exception in the consumer, e.g. KeyboardInterrupt)
    stops every worker."""
    source = _batches(iter(items), BATCH_SIZE)
    retry: collections.deque[list[WorkItem]] = collections.deque()
    # No more workers than there are batches to give them: `--jobs 30` on one attempt starts one.
    for _ in range(max(1, workers)):
        batch = next(source, None)
        if batch is None:
            break
        retry.append(batch)
    if not retry:
        return  # nothing to do: no worker is started
    context = multiprocessing.get_context("spawn")  # safe from threads (the TUI) and from fork's shared state
    pool = [_Worker(context, thresholds, settings) for _ in range(len(retry))]
    exhausted = False
    try:
        while True:
            for worker in pool:
                if worker.item is None and not (exhausted and not retry):
                    batch = retry.popleft() if retry else next(source, None)
                    if batch is None:
                        exhausted = True
                    else:
                        worker.give(batch, settings.time_limit_seconds)
            busy = [worker for worker in pool if worker.item is not None]
            if not busy:
                return
            timeout = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
            ready = wait([worker.conn for worker in busy] + [worker.process.sentinel for worker in busy], timeout)
            for index, worker in enumerate(pool):
                if worker.item is None:
                    continue
                yield from _drain(worker, settings.time_limit_seconds)
                item = worker.item
                if item is None:
                    continue
                if worker.process.sentinel in ready and not worker.process.is_alive():
                    reason = f"the analyser process died (exit code {worker.process.exitcode})"
                    if settings.memory_limit_mb > 0:
                        reason += f", perhaps over the memory limit of {settings.memory_limit_mb:,} MB per worker"
                elif time.monotonic() >= worker.deadline:
                    reason = f"time limit of {settings.time_limit_seconds:g} s exceeded"
                    if isinstance(item, Job):
                        reason += f" (in the {next((s for s in item.steps if s not in worker.results), '?')} stage)"
                else:
                    continue
                yield _fail_rest(worker, reason)
                if worker.queue:
                    retry.appendleft(list(worker.queue))
                pool[index] = _replace(worker, context, thresholds, settings)
    finally:
        for worker in pool:
            worker.stop(kill=worker.item is not None)


def _drain(worker: _Worker, limit: float) -> Iterator[tuple[WorkItem, Results]]:
    """Read what the worker has sent; each item whose `done` arrived, with its results."""
    try:
        while worker.queue and worker.conn.poll():
            kind, step, result = worker.conn.recv()
            if kind == "start":
                worker.results = {}
                worker.deadline = time.monotonic() + limit
            elif kind == "step":
                worker.results[step] = result
            elif kind == "done":
                item, results = worker.queue.popleft(), worker.results
                worker.results = {}
                yield item, results
    except (EOFError, OSError):
        return


def _fail_rest(worker: _Worker, reason: str) -> tuple[WorkItem, Results]:
    """The running item, its unfinished steps turned into errors; it leaves the worker's queue."""
    item, results = worker.queue.popleft(), dict(worker.results)
    for step in item.steps:
        results.setdefault(step, work.error(reason))
    worker.results = {}
    return item, results


def _replace(
    worker: _Worker, context: multiprocessing.context.SpawnContext, thresholds: Thresholds, settings: PipelineSettings
) -> _Worker:
    """Kill a hung or dead worker and start a fresh one in its place."""
    worker.queue.clear()
    worker.stop(kill=True)
    return _Worker(context, thresholds, settings)
