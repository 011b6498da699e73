"""`bare-tui merge TARGET SOURCE...`: reviewers' separate copies into one session; repeating it changes nothing."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..merge import merge_into
from ..safe_text import one_line
from ..store import SessionError, Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", type=Path, help="the session to merge into (created if missing)")
    parser.add_argument("sources", type=Path, nargs="+", metavar="SOURCE", help="sessions to take records from")


def run(args: argparse.Namespace) -> int:
    for source in args.sources:
        if os.path.realpath(source) == os.path.realpath(args.target):  # realpath: a symlink loop is no crash
            raise SessionError(f"{source}: is the target itself")
        Store.open(source, readonly=True).close()  # every source must be a session before anything is written
    with Store.open(args.target, create=True) as target:
        for source_path in args.sources:
            with Store.open(source_path, readonly=True) as source:
                if source.immutable:
                    print(
                        f"{one_line(str(source_path))}: on read-only media, read as an immutable file "
                        "(as it is on disk; no program can be writing it there)"
                    )
                report = merge_into(target, source)
            print(
                f"{one_line(str(source_path))}: {report.tasks} tasks, {report.attempts} attempts, "
                f"{report.verdicts} verdicts, {report.judgements} judgements, {report.adjudications} adjudications, "
                f"{report.flags} flags, {report.plans} plans new"
            )
            for conflict in report.plan_conflicts:
                print(one_line(f"{source_path}: {conflict}"), file=sys.stderr)
    return 0
