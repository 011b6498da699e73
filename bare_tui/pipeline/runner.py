"""verify over a session: the stages on every attempt lacking a verdict of this pipeline version, in the worker pool
(pool.py), after the session's thresholds (thresholds.py); verdicts saved as they finish, then the summary
(summary.py)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bare_tui.model import OWN_SOURCE, STAGES, Evidence, Outcome, StageResult, Task, Verdict
from bare_tui.pipeline.defects import unavailable_analysers
from bare_tui.pipeline.maintainability import Thresholds, default_thresholds
from bare_tui.pipeline.pool import ProgressCallback, run_jobs
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, PipelineSettings
from bare_tui.pipeline.summary import Summary, pass_rates
from bare_tui.pipeline.thresholds import ThresholdMeasurement, session_thresholds
from bare_tui.pipeline.version import pipeline_version
from bare_tui.pipeline.work import Job, Results, WorkItem, error, over_cap

if TYPE_CHECKING:
    from bare_tui.store import Store  # opened where verify runs; the workers never import it

SOURCE = OWN_SOURCE
SAVE_EVERY_SECONDS = 2.0
SAVE_EVERY_VERDICTS = 600


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
                measurement = session_thresholds(store, tasks, settings, version, jobs, measure_callback)
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


def _verify_attempts(
    store: Store,
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
        reason = over_cap(settings, original=job.original, refactored=job.refactored)
        if reason:
            oversized.append((job, {stage: error(reason) for stage in stages}))
            continue
        yield job


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


def _stored_outcomes(store: Store, version: str) -> dict[str, dict[str, Outcome]]:
    found: dict[str, dict[str, Outcome]] = defaultdict(dict)
    for verdict in store.verdicts(source=SOURCE, pipeline_version=version):
        found[verdict.attempt_id][verdict.stage] = verdict.outcome
    return found
