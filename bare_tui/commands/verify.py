"""`bare-tui verify SESSION`: run the five stages on the attempts that lack verdicts of this pipeline version."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..model import STAGES
from ..pipeline.runner import PassRate, Summary, verify_session
from ..pipeline.settings import DEFAULT_SETTINGS, pipeline_version
from ..store import Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database")
    parser.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
        help="worker processes (default: one per core)",
    )
    parser.add_argument(
        "--stage", dest="stages", action="append", choices=STAGES, metavar="NAME",
        help=f"run only this stage (repeatable; one of {', '.join(STAGES)}; default: all five)",
    )
    parser.add_argument("--force", action="store_true", help="verify every attempt again, even those with verdicts")
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
    version = pipeline_version(DEFAULT_SETTINGS)
    with Progress(
        TextColumn(f"verify [dim]{version}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("verify", total=None, rate="")
        clock = _Rate()

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, rate=clock.text(done))

        summary = verify_session(args.session, args.jobs, args.stages, args.force, advance)
    print_summary(summary, Console())
    if summary.interrupted:
        console.print(f"interrupted: {summary.attempts_verified} attempts kept; run the command again to resume")
        return 130
    return 0


class _Rate:
    """Attempts per second since the first progress report."""

    def __init__(self) -> None:
        import time

        self._time = time.monotonic
        self._start = self._time()

    def text(self, done: int) -> str:
        elapsed = self._time() - self._start
        return f"{done / elapsed:.1f} attempts/s" if elapsed > 0 and done else ""


def print_summary(summary: Summary, console: Console) -> None:
    """What the run did, then the pass rate of each stage over all attempts, by language and by model."""
    console.print(
        f"verified {summary.attempts_verified} of {summary.attempts_to_verify} attempts needing it "
        f"({summary.attempts_total} in the session) in {summary.seconds:.1f} s; "
        f"{summary.verdicts_saved} verdicts saved, {summary.errors} errors; pipeline {summary.pipeline_version}"
    )
    for group_by in ("all", "language", "model"):
        rows = [rate for rate in summary.pass_rates if rate.group_by == group_by]
        if not rows:
            continue
        console.print(_table(group_by, rows))


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
        table.add_row(group, *(_cell(by_stage.get(stage)) for stage in stages))
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

