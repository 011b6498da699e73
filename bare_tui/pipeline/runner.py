"""Runs the five stages on a session's attempts in worker processes that a time limit can kill and replace."""

from __future__ import annotations

import collections
import contextlib
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bare_tui.model import OWN_SOURCE, STAGES, Evidence, Outcome, StageResult, Task, Verdict
from bare_tui.pipeline.defects import unavailable_analysers
from bare_tui.pipeline.languages import unsupported
from bare_tui.pipeline.maintainability import (
    FunctionSample,
    MetricsUnavailable,
    Thresholds,
    default_thresholds,
    measure_original,
)
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, PipelineSettings
from bare_tui.pipeline.stages import BY_NAME, StageInput
from bare_tui.pipeline.version import pipeline_version

if TYPE_CHECKING:
    from bare_tui.store import Store  # the runner opens the store where it runs; workers never import it

SOURCE = OWN_SOURCE
SAVE_EVERY_SECONDS = 2.0
SAVE_EVERY_VERDICTS = 600
_THRESHOLDS_SETTING = "maintainability_thresholds"


@dataclass(frozen=True)
class Job:
    """One attempt's inputs for the stages; what a worker receives."""

    attempt_id: str
    language: str
    path: str
    original: str
    refactored: str | None
    stages: tuple[str, ...] = STAGES

    @property
    def steps(self) -> tuple[str, ...]:
        return self.stages

    @property
    def batch_key(self) -> tuple[str, str, str]:
        return (self.language, self.path, self.original)


@dataclass(frozen=True)
class Measure:
    """One original to measure for the session's maintainability thresholds; what a worker receives."""

    task_id: str
    language: str
    original: str

    @property
    def steps(self) -> tuple[str, ...]:
        return ("measure",)

    @property
    def batch_key(self) -> str:
        return self.task_id  # no two originals share work: one a batch, so both workers stay busy to the end


WorkItem = Job | Measure

ProgressCallback = Callable[[int, int], None]
"""Called with (items finished, items to do) as the run advances: attempts, or originals measured."""


@dataclass(frozen=True)
class ThresholdMeasurement:
    """The session's maintainability thresholds and how they were found: measured now, or kept from before."""

    thresholds: Thresholds
    reused: bool  # kept in the session from an earlier run: nothing was measured
    originals: int = 0  # the session's originals in the nine languages
    left_out: tuple[tuple[str, str], ...] = ()  # (task_id, why): over the size cap, past the time limit, unreadable
    seconds: float = 0.0

    @property
    def measured(self) -> int:
        """The originals in the percentiles: every one not left out."""
        return self.originals - len(self.left_out)


@dataclass(frozen=True)
class PassRate:
    """How many assessed verdicts of one stage passed, within one group of attempts."""

    stage: str
    group_by: str  # "all", "language" or "model"
    group: str
    passed: int
    assessed: int  # pass + fail
    errors: int
    skipped: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.assessed if self.assessed else None


@dataclass(frozen=True)
class Summary:
    """What a verify run did, and the session's pass rates at this pipeline version."""

    pipeline_version: str
    attempts_total: int
    attempts_to_verify: int
    attempts_verified: int
    verdicts_saved: int
    errors: int
    interrupted: bool
    seconds: float
    pass_rates: tuple[PassRate, ...] = field(default=())
    # None when no thresholds were wanted (maintainability not run, nothing to verify) or measuring was interrupted
    thresholds: ThresholdMeasurement | None = None
    # (analyser, what it left unchecked) for each analyser the session's languages need that could not run
    unavailable: tuple[tuple[str, str], ...] = ()


# ---------------------------------------------------------------------------------------------------------
# Inside a worker.


def analyse(
    job: Job, thresholds: Thresholds | None = None, settings: PipelineSettings = DEFAULT_SETTINGS
) -> Iterator[tuple[str, StageResult]]:
    """Each requested stage's result for one attempt, in stage order; a stage that raises gives `error`."""
    for stage in job.stages:
        yield stage, run_stage(stage, job, thresholds, settings)


def run_stage(
    stage: str, job: Job, thresholds: Thresholds | None = None, settings: PipelineSettings = DEFAULT_SETTINGS
) -> StageResult:
    """One stage on one attempt. Never raises: a broken check is an `error` verdict with its reason."""

    def check() -> StageResult:
        if settings.hang_marker and stage == "defects" and settings.hang_marker in (job.refactored or ""):
            _hang()
        skipped = unsupported(job.language)  # one answer for every stage, not an error in some
        if skipped is not None:
            return skipped
        return BY_NAME[stage].check(
            StageInput(job.language, job.original, job.refactored, job.path, settings, thresholds)
        )

    # An analyser's bug must not lose the attempt's other stages.
    return _contained(f"the {stage} check failed", check)


def measure(
    item: Measure, settings: PipelineSettings = DEFAULT_SETTINGS
) -> tuple[tuple[float, ...], ...] | StageResult:
    """One original's functions for the thresholds (see measure_original), or an `error` result saying why not."""

    def rows() -> tuple[tuple[float, ...], ...] | StageResult:
        if settings.hang_marker and settings.hang_marker in item.original:
            _hang()
        try:
            return measure_original(item.language, item.original)
        except MetricsUnavailable as exc:
            return _error(str(exc))

    # One original that breaks lizard or tree-sitter is left out, not the session's thresholds.
    return _contained("measuring failed", rows)


_Answer = TypeVar("_Answer")


def _contained(failed: str, call: Callable[[], _Answer]) -> _Answer | StageResult:
    """call()'s answer, or an `error` result saying why it raised: out of stack, out of memory, a bug."""
    try:
        return call()
    except RecursionError:
        return _error("the analyser ran out of stack on this input (nesting too deep)")
    except MemoryError:
        limit = _MEMORY_LIMIT_MB[0]
        if limit:
            return _error(f"the analyser went over the memory limit of {limit:,} MB per worker on this input")
        return _error("the analyser ran out of memory on this input")
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _error(f"{failed}: {exc.__class__.__name__}: {exc} ({Path(where.filename).name}:{where.lineno})")


def _hang() -> None:
    while True:  # the test hook: an analyser that never returns
        time.sleep(60)


def _steps(item: WorkItem, thresholds: Thresholds, settings: PipelineSettings) -> Iterator[tuple[str, object]]:
    if isinstance(item, Measure):
        yield "measure", measure(item, settings)
    else:
        yield from analyse(item, thresholds, settings)


_MEMORY_LIMIT_MB = [0]  # the limit this worker runs under, for the messages; 0 in the parent


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
    _MEMORY_LIMIT_MB[0] = megabytes


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
            for step, result in _steps(item, thresholds, settings):
                conn.send(("step", step, result))
            conn.send(("done", None, None))


def _error(reason: str) -> StageResult:
    return StageResult(
        Outcome.ERROR, evidence=(Evidence("refactored", None, None, reason),), details={"reason": reason}
    )


# ---------------------------------------------------------------------------------------------------------
# The parent: a pool of workers it can kill one at a time.

BATCH_SIZE = 8
"""Attempts of one task sent to a worker together: its cached analysis of the original is reused."""

STARTUP_ALLOWANCE = 30.0
"""Extra seconds for a fresh worker's first item: importing the grammars and analysers."""

Results = dict[str, Any]
"""One item's results by step: StageResults for a Job's stages; measure()'s answer for a Measure."""


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
        results.setdefault(step, _error(reason))
    worker.results = {}
    return item, results


def _replace(
    worker: _Worker, context: multiprocessing.context.SpawnContext, thresholds: Thresholds, settings: PipelineSettings
) -> _Worker:
    """Kill a hung or dead worker and start a fresh one in its place."""
    worker.queue.clear()
    worker.stop(kill=True)
    return _Worker(context, thresholds, settings)


# ---------------------------------------------------------------------------------------------------------
# A session.


def overall_result(outcomes: dict[str, Outcome]) -> StageResult:
    """`overall` from the five stages: fail when any fails, pass when all pass, else error, else skipped."""
    values = [outcomes[stage] for stage in STAGES]
    failed = [stage for stage in STAGES if outcomes[stage] is Outcome.FAIL]
    details = {"stages": {stage: outcomes[stage].value for stage in STAGES}}
    if failed:
        evidence = tuple(Evidence("refactored", None, None, f"{stage} failed") for stage in failed)
        return StageResult(Outcome.FAIL, evidence=evidence, details=details)
    if all(value is Outcome.PASS for value in values):
        return StageResult(Outcome.PASS, details=details)
    if Outcome.ERROR in values:
        return StageResult(Outcome.ERROR, details=details)
    return StageResult(Outcome.SKIPPED, details=details)


def verify_session(
    store_path: str | Path,
    jobs: int = 1,
    stages: Sequence[str] | None = None,
    force: bool = False,
    progress_callback: ProgressCallback | None = None,
    settings: PipelineSettings = DEFAULT_SETTINGS,
    measure_callback: ProgressCallback | None = None,
) -> Summary:
    """Run the stages on every attempt lacking a verdict of this pipeline version; save as they finish.

    First, when the maintainability stage has work and the session has no thresholds for this pipeline
    version and these originals, its originals are measured in worker processes like the stages' (killable,
    time-limited, size-capped); `measure_callback` follows that as `progress_callback` follows the attempts.

    Verdicts are saved in batches, each one transaction, so an interrupted run keeps what it finished and a
    rerun resumes (an interrupted measuring keeps nothing: the rerun measures again). KeyboardInterrupt
    (Ctrl+C, or raised by either callback to cancel, e.g. from a TUI worker) is absorbed: the summary says
    `interrupted`.
    """
    from bare_tui.store import Store

    started = time.monotonic()
    chosen = tuple(stage for stage in STAGES if stages is None or stage in stages) or STAGES
    unknown = set(stages or ()) - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stage {sorted(unknown)[0]!r}; the stages are {', '.join(STAGES)}")
    version = pipeline_version(settings)
    with Store.open(store_path) as store:
        tasks = store.tasks()
        wanted = None if force else set(store.attempts_missing_verdicts(version, chosen))
        attempt_total = store.count_attempts()
        todo = attempt_total if wanted is None else len(wanted)
        verified = saved = errors = 0
        interrupted = False
        measurement: ThresholdMeasurement | None = None
        thresholds = default_thresholds(settings)
        # Measuring every original takes minutes on a big study: only when maintainability has work to do.
        if "maintainability" in chosen and todo:
            try:
                measurement = _session_thresholds(store, tasks, settings, version, jobs, measure_callback)
                thresholds = measurement.thresholds
            except KeyboardInterrupt:
                interrupted = True
        if not interrupted:
            verified, saved, errors, interrupted = _verify_attempts(
                store, tasks, wanted, chosen, todo, thresholds, settings, version, jobs, progress_callback
            )
        rates = pass_rates(store, version, tasks)
    unavailable = tuple(unavailable_analysers(task.language for task in tasks.values())) if "defects" in chosen else ()
    return Summary(
        pipeline_version=version,
        attempts_total=attempt_total,
        attempts_to_verify=todo,
        attempts_verified=verified,
        verdicts_saved=saved,
        errors=errors,
        interrupted=interrupted,
        seconds=time.monotonic() - started,
        pass_rates=rates,
        thresholds=measurement,
        unavailable=unavailable,
    )


def _verify_attempts(  # type: ignore[no-untyped-def]
    store,
    tasks: dict[str, Task],
    wanted: set[str] | None,
    chosen: tuple[str, ...],
    todo: int,
    thresholds: Thresholds,
    settings: PipelineSettings,
    version: str,
    workers: int,
    progress_callback: ProgressCallback | None,
) -> tuple[int, int, int, bool]:
    """(attempts verified, verdicts saved, errors, interrupted): the stages on the wanted attempts."""
    known = _stored_outcomes(store, version) if chosen != STAGES else {}
    verified = saved = errors = 0
    interrupted = False
    batch: list[Verdict] = []
    last_save = time.monotonic()
    if progress_callback:
        progress_callback(0, todo)

    def flush() -> None:
        nonlocal saved, batch, last_save
        if batch:
            saved += store.save_verdicts(batch)
            batch = []
        last_save = time.monotonic()

    ready: list[tuple[Job, Results]] = []  # attempts over the size cap, decided here without a worker
    job_source = _jobs(store, tasks, wanted, chosen, settings, ready)
    running = run_jobs(job_source, thresholds, settings, workers=workers)
    try:
        for job, results in _interleave(ready, running):
            assert isinstance(job, Job)  # verify sends only jobs
            outcomes = dict(known.get(job.attempt_id, {}))
            for stage, result in results.items():
                batch.append(_verdict(job.attempt_id, stage, result, version))
                outcomes[stage] = result.outcome
                errors += result.outcome is Outcome.ERROR
            if all(stage in outcomes for stage in STAGES):
                batch.append(_verdict(job.attempt_id, "overall", overall_result(outcomes), version))
            verified += 1
            if progress_callback:
                progress_callback(verified, todo)
            if len(batch) >= SAVE_EVERY_VERDICTS or time.monotonic() - last_save >= SAVE_EVERY_SECONDS:
                flush()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        running.close()  # stops the workers now, not whenever the generator is collected
        flush()
    return verified, saved, errors, interrupted


def _interleave(
    ready: list[tuple[Job, Results]], results: Iterator[tuple[WorkItem, Results]]
) -> Iterator[tuple[WorkItem, Results]]:
    """The workers' results, with those decided without a worker (over the size cap) slipped in as they appear."""
    for item in results:
        while ready:
            yield ready.pop()
        yield item
    while ready:
        yield ready.pop()


def _jobs(
    store: Store,
    tasks: dict[str, Task],
    wanted: set[str] | None,
    stages: tuple[str, ...],
    settings: PipelineSettings,
    oversized: list[tuple[Job, Results]],
) -> Iterator[Job]:
    # Task by task, so that a worker meets the same original again while its analysis is still cached.
    task_order = {task_id: index for index, task_id in enumerate(tasks)}
    summaries = [s for s in store.attempt_summaries() if wanted is None or s.attempt_id in wanted]
    summaries.sort(key=lambda s: (task_order.get(s.task_id, len(task_order)), s.seq))
    for summary in summaries:
        attempt = store.attempt(summary.attempt_id)
        if attempt is None:
            continue
        task = tasks.get(attempt.task_id)
        if task is None:
            continue
        job = Job(attempt.attempt_id, task.language, task.path, task.original, attempt.refactored, stages)
        reason = _over_cap(settings, original=job.original, refactored=job.refactored)
        if reason:
            oversized.append((job, {stage: _error(reason) for stage in stages}))
            continue
        yield job


def _over_cap(settings: PipelineSettings, **sides: str | None) -> str | None:
    """Why a file is too big to analyse (the first side over the size cap), or None."""
    for side, text in sides.items():
        if len(text or "") > settings.size_cap_chars:
            return (
                f"the {side} file has {len(text or ''):,} characters, over the size cap of {settings.size_cap_chars:,}"
            )
    return None


def _verdict(attempt_id: str, stage: str, result: StageResult, version: str) -> Verdict:
    return Verdict(
        attempt_id=attempt_id,
        stage=stage,
        outcome=result.outcome,
        score=result.score,
        evidence=tuple(result.evidence),
        pipeline_version=version,
        source=SOURCE,
        details=dict(result.details),
    )


def _stored_outcomes(store, version: str) -> dict[str, dict[str, Outcome]]:  # type: ignore[no-untyped-def]
    found: dict[str, dict[str, Outcome]] = defaultdict(dict)
    for verdict in store.verdicts(source=SOURCE, pipeline_version=version):
        found[verdict.attempt_id][verdict.stage] = verdict.outcome
    return found


def measure_thresholds(
    tasks: Iterable[Task],
    settings: PipelineSettings = DEFAULT_SETTINGS,
    workers: int = 1,
    progress_callback: ProgressCallback | None = None,
) -> ThresholdMeasurement:
    """The maintainability thresholds of these originals (as compute_thresholds gives them), measured in
    worker processes under the stages' time limit and size cap. An original over the cap, past the limit
    or unreadable is left out of the percentiles and listed with its reason. Originals in a language
    without a grammar are not measured: no stage would use their thresholds. KeyboardInterrupt (Ctrl+C,
    or raised by `progress_callback`) stops the workers and propagates."""
    started = time.monotonic()
    items: list[Measure] = []
    left_out: list[tuple[str, str]] = []
    for task in tasks:
        if unsupported(task.language) is not None:
            continue
        reason = _over_cap(settings, original=task.original)
        if reason:
            left_out.append((task.task_id, reason))
        else:
            items.append(Measure(task.task_id, task.language, task.original))
    originals = len(items) + len(left_out)
    sample = FunctionSample()
    if progress_callback:  # those over the size cap are done already: the count is of all the originals
        progress_callback(len(left_out), originals)
    running = run_jobs(items, default_thresholds(settings), settings, workers)
    try:
        for done, (item, results) in enumerate(running, start=len(left_out) + 1):
            assert isinstance(item, Measure)  # measuring sends only originals
            answer = results["measure"]
            if isinstance(answer, StageResult):
                left_out.append((item.task_id, answer.details.get("reason", "not measured")))
            else:
                sample.add(item.language, answer)
            if progress_callback:
                progress_callback(done, originals)
    finally:
        running.close()  # stops the workers now, Ctrl+C included
    return ThresholdMeasurement(
        thresholds=sample.thresholds(settings),
        reused=False,
        originals=originals,
        left_out=tuple(left_out),
        seconds=time.monotonic() - started,
    )


def _session_thresholds(  # type: ignore[no-untyped-def]
    store,
    tasks: dict[str, Task],
    settings: PipelineSettings,
    version: str,
    workers: int,
    progress_callback: ProgressCallback | None,
) -> ThresholdMeasurement:
    """The maintainability thresholds from the session's originals, measured once and kept in the session."""
    digest = hashlib.sha256()
    for task_id in sorted(tasks):
        digest.update(
            f"{task_id}\0{hashlib.sha256(tasks[task_id].original.encode('utf-8', 'replace')).hexdigest()}\0".encode()
        )
    key = f"{version}:{digest.hexdigest()[:16]}"
    kept = store.get_setting(_THRESHOLDS_SETTING)
    if isinstance(kept, dict) and kept.get("key") == key:
        return ThresholdMeasurement(
            Thresholds(kept["by_language"], kept["percentile"], kept["origin"], settings), reused=True
        )
    measurement = measure_thresholds(tasks.values(), settings, workers, progress_callback)
    thresholds = measurement.thresholds
    # Written only once every original is measured: an interrupted run leaves no thresholds, and the next
    # run measures them all again.
    store.set_setting(
        _THRESHOLDS_SETTING,
        {
            "key": key,
            "by_language": thresholds.by_language,
            "percentile": thresholds.percentile,
            "origin": thresholds.origin,
        },
    )
    return measurement


def pass_rates(store, version: str, tasks: dict[str, Task] | None = None) -> tuple[PassRate, ...]:  # type: ignore[no-untyped-def]
    """Per stage (and overall): pass counts over all attempts, by language and by model, at this version."""
    tasks = tasks if tasks is not None else store.tasks()
    summaries = {s.attempt_id: s for s in store.attempt_summaries()}
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for verdict in store.verdicts(source=SOURCE, pipeline_version=version):
        summary = summaries.get(verdict.attempt_id)
        if summary is None:
            continue
        index = {Outcome.PASS: 0, Outcome.FAIL: 1, Outcome.ERROR: 2, Outcome.SKIPPED: 3}[verdict.outcome]
        for group_by, group in (("all", "all"), ("language", summary.language), ("model", summary.model)):
            counts[(verdict.stage, group_by, group)][index] += 1
    order = {stage: i for i, stage in enumerate(STAGES + ("overall",))}
    rows = [
        PassRate(stage, group_by, group, c[0], c[0] + c[1], c[2], c[3])
        for (stage, group_by, group), c in counts.items()
    ]
    rows.sort(key=lambda r: (("all", "language", "model").index(r.group_by), r.group, order.get(r.stage, 99)))
    return tuple(rows)
