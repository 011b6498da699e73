"""A session's maintainability thresholds: its originals measured in the worker pool, once, and kept in the session
under a key of the pipeline version and the originals, so a rerun reuses them."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bare_tui.model import StageResult, Task
from bare_tui.pipeline.languages import unsupported
from bare_tui.pipeline.maintainability import FunctionSample, Thresholds, default_thresholds
from bare_tui.pipeline.pool import ProgressCallback, run_jobs
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, PipelineSettings
from bare_tui.pipeline.work import Measure, over_cap

if TYPE_CHECKING:
    from bare_tui.store import Store

_SETTING = "maintainability_thresholds"
"""The session setting that keeps the thresholds and the key they were measured under."""


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
        reason = over_cap(settings, original=task.original)
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


def session_thresholds(
    store: Store,
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
    kept = store.get_setting(_SETTING)
    if isinstance(kept, dict) and kept.get("key") == key:
        return ThresholdMeasurement(
            Thresholds(kept["by_language"], kept["percentile"], kept["origin"], settings, kept.get("scales", {})),
            reused=True,
        )
    measurement = measure_thresholds(tasks.values(), settings, workers, progress_callback)
    thresholds = measurement.thresholds
    # Written only once every original is measured: an interrupted run leaves no thresholds, and the next
    # run measures them all again.
    store.set_setting(
        _SETTING,
        {
            "key": key,
            "by_language": thresholds.by_language,
            "percentile": thresholds.percentile,
            "origin": thresholds.origin,
            "scales": thresholds.scales,
        },
    )
    return measurement
