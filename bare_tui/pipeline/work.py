"""What a verify worker does with one item: the stages on an attempt, or measuring an original for the
session's thresholds. Nothing here raises: a broken check becomes an `error` result saying why."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bare_tui.model import STAGES, Evidence, Outcome, StageResult
from bare_tui.pipeline.languages import unsupported
from bare_tui.pipeline.maintainability import MetricsUnavailable, Thresholds, measure_original
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, PipelineSettings
from bare_tui.pipeline.stages import BY_NAME, StageInput


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

Results = dict[str, Any]
"""One item's results by step: StageResults for a Job's stages; measure()'s answer for a Measure."""

MEMORY_LIMIT_MB = [0]
"""The address-space limit this worker runs under (pool.limit_memory sets it), for the messages; 0 in the parent."""


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
            return error(str(exc))

    # One original that breaks lizard or tree-sitter is left out, not the session's thresholds.
    return _contained("measuring failed", rows)


def steps(item: WorkItem, thresholds: Thresholds, settings: PipelineSettings) -> Iterator[tuple[str, object]]:
    """Each step's result for one item, in order: a worker sends them to the parent as they finish."""
    if isinstance(item, Measure):
        yield "measure", measure(item, settings)
    else:
        yield from analyse(item, thresholds, settings)


def error(reason: str) -> StageResult:
    """An `error` result: the reason in its one evidence line and in its details."""
    return StageResult(
        Outcome.ERROR, evidence=(Evidence("refactored", None, None, reason),), details={"reason": reason}
    )


def over_cap(settings: PipelineSettings, **sides: str | None) -> str | None:
    """Why a file is too big to analyse (the first side over the size cap), or None."""
    for side, text in sides.items():
        if len(text or "") > settings.size_cap_chars:
            return (
                f"the {side} file has {len(text or ''):,} characters, over the size cap of {settings.size_cap_chars:,}"
            )
    return None


_Answer = TypeVar("_Answer")


def _contained(failed: str, call: Callable[[], _Answer]) -> _Answer | StageResult:
    """call()'s answer, or an `error` result saying why it raised: out of stack, out of memory, a bug."""
    try:
        return call()
    except RecursionError:
        return error("the analyser ran out of stack on this input (nesting too deep)")
    except MemoryError:
        limit = MEMORY_LIMIT_MB[0]
        if limit:
            return error(f"the analyser went over the memory limit of {limit:,} MB per worker on this input")
        return error("the analyser ran out of memory on this input")
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return error(f"{failed}: {exc.__class__.__name__}: {exc} ({Path(where.filename).name}:{where.lineno})")


def _hang() -> None:
    while True:  # the test hook: an analyser that never returns
        time.sleep(60)
