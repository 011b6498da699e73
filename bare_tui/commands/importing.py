"""`bare-tui import SESSION SOURCE`: read a study into a session, reporting bad lines as FILE:LINE: reason."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..formats import FORMATS
from ..importer import ImportReport, import_into
from ..model import OWN_SOURCE
from ..safe_text import one_line
from ..store import SessionError, Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database (created if missing)")
    parser.add_argument(
        "source",
        type=Path,
        help="a .jsonl file, a folder of .jsonl files, a folder with tasks/ and "
        "attempts/, or a file or folder in a format named by --from",
    )
    parser.add_argument(
        "--from",
        dest="source_format",
        choices=tuple(FORMATS),
        default=None,
        metavar="FORMAT",
        help="read a format people already have: "
        + "; ".join(f"{name}: {text}" for name, text in FORMATS.items())
        + ". Without --from the format is detected.",
    )
    parser.add_argument(
        "--source",
        dest="source_name",
        default="external",
        metavar="NAME",
        help="whose verdicts the lines carry (default: external)",
    )
    parser.add_argument(
        "--source-version",
        default=None,
        metavar="VERSION",
        help="the external pipeline's version, kept with its verdicts",
    )
    parser.add_argument("--quiet", action="store_true", help="print only errors and the summary")


def run(args: argparse.Namespace) -> int:
    if not args.source.exists():
        raise SessionError(f"{args.source}: no such file or folder")
    if args.source_name == OWN_SOURCE:
        raise SessionError(f"--source {OWN_SOURCE} is reserved for bare-tui's own verdicts; name the external pipeline")
    err = Console(stderr=True, highlight=False)
    with (
        Store.open(args.session, create=True) as store,
        Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
            disable=args.quiet,
        ) as progress,
    ):
        task = progress.add_task("import", total=None)
        report = import_into(
            store,
            args.source,
            args.source_name,
            args.source_version,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            source_format=args.source_format,
        )
    print_report(report, quiet=args.quiet)
    return 0 if report.complete else 1


def print_report(report: ImportReport, quiet: bool = False) -> None:
    for line in report.errors:
        print(one_line(line), file=sys.stderr)
    if not quiet:
        for line in report.warnings:
            print(f"{one_line(line)} (warning)", file=sys.stderr)
    kinds = ", ".join(_count(n, kind) for kind, n in sorted(report.kinds.items())) or "nothing new"
    verdicts = f", {_count(report.verdicts_written, 'verdict')} written" if report.verdicts_written else ""
    print(
        f"imported {report.imported} ({kinds}){verdicts}, skipped {report.unchanged} already present, "
        f"failed {report.failed}"
    )


def _count(n: int, noun: str) -> str:
    """'1 attempt', '3 attempts': the summary a person reads."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
