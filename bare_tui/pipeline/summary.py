"""What a verify run did, and the session's pass rates per stage (all attempts, by language, by model) at one
pipeline version: the table `verify` prints and the statistics screen reads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bare_tui.model import OWN_SOURCE, STAGES, Outcome, Task
from bare_tui.pipeline.thresholds import ThresholdMeasurement

if TYPE_CHECKING:
    from bare_tui.store import Store


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


def pass_rates(store: Store, version: str, tasks: dict[str, Task] | None = None) -> tuple[PassRate, ...]:
    """Per stage (and overall): pass counts over all attempts, by language and by model, at this version."""
    tasks = tasks if tasks is not None else store.tasks()
    summaries = {s.attempt_id: s for s in store.attempt_summaries()}
    counts: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for verdict in store.verdicts(source=OWN_SOURCE, pipeline_version=version):
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
