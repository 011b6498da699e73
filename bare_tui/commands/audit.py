"""`bare-tui audit SESSION`: settle disputed attempt-stages and flagged attempts, disputed failures first."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..audit import read_ahead
from ..review import resolve_reviewer
from ..rubric import set_rubric
from ..store import Store
from . import add_rubric_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database (made by `bare-tui import`)")
    parser.add_argument(
        "--auditor",
        metavar="NAME",
        default=None,
        help="who is settling disputes (default: $BARE_REVIEWER, else your login name)",
    )
    add_rubric_option(parser)


def run(args: argparse.Namespace) -> int:
    # Opened first so that a missing or foreign file is one clear line (SessionError), never a new session.
    with Store.open(args.session) as store:
        if getattr(args, "rubric", None) is not None:
            set_rubric(store, args.rubric)
    auditor = resolve_reviewer(args.auditor)
    # The list is read on a thread from here: SQLite selects it while the interface is imported and started.
    reading = read_ahead(Path(args.session))
    from ..tui.app import BareTuiApp

    return BareTuiApp.auditing(Path(args.session), auditor, read_ahead=reading).run_as_command()
