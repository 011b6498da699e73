"""`bare-tui verify SESSION`: run the five stages on the attempts that lack verdicts of this pipeline version."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..model import STAGES
from ..pipeline.runner import verify_session
from ..pipeline.settings import DEFAULT_SETTINGS, SIGNATURE_POLICIES
from ..pipeline.summary import PassRate, Summary
from ..pipeline.thresholds import ThresholdMeasurement
from ..pipeline.version import pipeline_version
from ..safe_rich_text import safe_rich_text
from ..safe_text import one_line
from ..store import Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database")
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: one per core)",
    )
    parser.add_argument(
        "--stage",
        dest="stages",
        action="append",
        choices=STAGES,
        metavar="NAME",
        help=f"run only this stage (repeatable; one of {', '.join(STAGES)}; default: all five)",
    )
    parser.add_argument("--force", action="store_true", help="verify every attempt again, even those with verdicts")
    parser.add_argument(
        "--signature-policy",
        choices=SIGNATURE_POLICIES,
        default=DEFAULT_SETTINGS.signature_policy,
        help="which functions the signatures stage compares: visible (what callers of the file can see; the "
        "default) or all (private helpers too). It enters the pipeline version, so the two policies' verdicts sit "
        "side by side and `stats --by pipeline_version` compares them on the same labels",
    )
    parser.epilog = (
        "Example: bare-tui verify sessions/study.db --jobs 2.  "
        "Ctrl+C keeps the verdicts already finished; run the command again to resume."
    )


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        print("bare-tui: --jobs must be at least 1", file=sys.stderr)
        return 2
    Store.open(args.session, readonly=True).close()  # a missing or foreign file is one clear line, before any work
    console = Console(stderr=True)
    settings = DEFAULT_SETTINGS.with_changes(signature_policy=args.signature_policy)
    version = pipeline_version(settings)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),  # the two lines fit 80 columns
        TextColumn("{task.fields[count]}", justify="right"),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        measuring = _Line(progress, "maintainability thresholds", "originals")
        verifying = _Line(progress, f"verify [dim]{version}[/]", "attempts")
        summary = verify_session(
            args.session,
            args.jobs,
            args.stages,
            args.force,
            verifying.advance,
            settings=settings,
            measure_callback=measuring.advance,
        )
    print_summary(summary, Console())
    if summary.interrupted:
        if summary.thresholds is None and summary.attempts_verified == 0 and measuring.started:
            console.print(
                "interrupted while measuring the maintainability thresholds: nothing was kept; "
                "run the command again to measure them"
            )
        else:
            console.print(f"interrupted: {summary.attempts_verified} attempts kept; run the command again to resume")
        return 130
    return 0


class _Line:
    """One progress line, shown from its first report: "1,234 / 4,276 originals", the rate, the time left."""

    def __init__(self, progress: Progress, description: str, unit: str) -> None:
        self._progress = progress
        self._description = description
        self._unit = unit
        self._task: TaskID | None = None
        self._start = 0.0

    @property
    def started(self) -> bool:
        return self._task is not None

    def advance(self, done: int, total: int) -> None:
        now = time.monotonic()
        count = f"{done:,} / {total:,} {self._unit}"
        if self._task is None:
            self._start = now
            self._task = self._progress.add_task(self._description, total=total, completed=done, count=count, rate="")
            return
        elapsed = now - self._start
        rate = f"{done / elapsed:.1f}/s" if elapsed > 0 and done else ""
        self._progress.update(self._task, completed=done, total=total, count=count, rate=rate)


def print_summary(summary: Summary, console: Console) -> None:
    """What the run did, then the pass rate of each stage over all attempts, by language and by model."""
    console.print(
        f"verified {summary.attempts_verified} of {summary.attempts_to_verify} attempts needing it "
        f"({summary.attempts_total} in the session) in {summary.seconds:.1f} s; "
        f"{summary.verdicts_saved} verdicts saved, {summary.errors} errors; pipeline {summary.pipeline_version}"
    )
    for analyser, unchecked in summary.unavailable:
        console.print(
            one_line(f"{analyser} was unavailable: {unchecked} went unchecked"), markup=False, highlight=False
        )
    if summary.thresholds is not None:
        for line in threshold_lines(summary.thresholds):
            console.print(one_line(line), markup=False, highlight=False)
    for group_by in ("all", "language", "model"):
        rows = [rate for rate in summary.pass_rates if rate.group_by == group_by]
        if not rows:
            continue
        console.print(_table(group_by, rows))


LEFT_OUT_SHOWN = 10


def threshold_lines(measurement: ThresholdMeasurement) -> list[str]:
    """Where the maintainability thresholds came from, and each original left out of them, with why."""
    if measurement.reused:
        return ["maintainability thresholds: kept from an earlier run (same pipeline version and originals)"]
    left_out = measurement.left_out
    lines = [
        f"maintainability thresholds: measured {measurement.measured:,} of {measurement.originals:,} originals "
        f"in {measurement.seconds:.1f} s" + (f"; {len(left_out):,} left out of the percentiles:" if left_out else "")
    ]
    lines += [f"  {task_id}: {reason}" for task_id, reason in left_out[:LEFT_OUT_SHOWN]]
    if len(left_out) > LEFT_OUT_SHOWN:
        lines.append(f"  ... and {len(left_out) - LEFT_OUT_SHOWN:,} more")
    return lines


def _table(group_by: str, rows: list[PassRate]) -> Table:
    stages = STAGES + ("overall",)
    title = "pass rate (assessed: pass + fail)" if group_by == "all" else f"pass rate by {group_by}"
    table = Table(title=title, title_justify="left")
    table.add_column(group_by if group_by != "all" else "")
    for stage in stages:
        table.add_column(stage, justify="right", overflow="fold")
    groups: dict[str, dict[str, PassRate]] = {}
    for rate in rows:
        groups.setdefault(rate.group, {})[rate.stage] = rate
    for group, by_stage in groups.items():
        table.add_row(safe_rich_text(group), *(_cell(by_stage.get(stage)) for stage in stages))  # never markup
    return table


def _cell(rate: PassRate | None) -> str:
    if rate is None:
        return "-"
    if rate.rate is None:
        return f"n/a ({rate.errors} err, {rate.skipped} skip)" if rate.errors or rate.skipped else "-"
    text = f"{rate.rate:.0%} ({rate.assessed})"
    if rate.errors:
        text += f" {rate.errors} err"
    return text
