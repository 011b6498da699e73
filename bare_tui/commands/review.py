"""`bare-tui review SESSION`: label attempts on the review screen, resuming where this reviewer stopped."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..review import ReviewSession, resolve_reviewer
from ..store import SessionError, Store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database (made by `bare-tui import`)")
    parser.add_argument(
        "--reviewer", metavar="NAME", default=None,
        help="who is labelling (default: $BARE_REVIEWER, else your login name)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--blind", dest="mode", action="store_const", const="blind",
        help="hide the automated verdicts until you have labelled every field or pressed r",
    )
    mode.add_argument(
        "--assisted", dest="mode", action="store_const", const="assisted",
        help="show the automated verdicts from the start",
    )
    parser.set_defaults(mode=None)
    parser.add_argument(
        "--shuffle", metavar="SEED", default=None,
        help="a reviewer-specific order from this seed (the same seed and name give the same order)",
    )
    parser.add_argument(
        "--plan", metavar="NAME", default=None,
        help="walk this reviewer's assignments of a review plan, in the plan's order (see `bare-tui plan`)",
    )


def default_args(session_path: Path) -> argparse.Namespace:
    """The arguments `bare-tui` with no command uses: this session, the default reviewer and mode."""
    return argparse.Namespace(session=Path(session_path), reviewer=None, mode=None, shuffle=None, plan=None)


def run(args: argparse.Namespace) -> int:
    # Opened here, before the screen, so that a missing or foreign file is one clear line (SessionError).
    store = Store.open(args.session)
    try:
        if args.plan is not None and args.shuffle is not None:
            raise SessionError("--plan and --shuffle both set the order: give one of them")
        session = ReviewSession.open(
            store, resolve_reviewer(args.reviewer), args.mode, args.shuffle, getattr(args, "plan", None)
        )
        from ..tui.app import BareTuiApp

        BareTuiApp(session, Path(args.session)).run()
    finally:
        store.close()
    return 0
