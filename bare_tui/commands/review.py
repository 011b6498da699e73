"""`bare-tui review SESSION`: label attempts on the review screen, resuming where this reviewer stopped."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from ..review import ReviewSession, resolve_reviewer
from ..store import SessionError, Store
from . import add_mode_options, add_rubric_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database (made by `bare-tui import`)")
    parser.add_argument(
        "--reviewer",
        metavar="NAME",
        default=None,
        help="who is labelling (default: $BARE_REVIEWER, else your login name)",
    )
    add_mode_options(parser, "you")
    parser.add_argument(
        "--shuffle",
        metavar="SEED",
        default=None,
        help="a reviewer-specific order from this seed (the same seed and name give the same order)",
    )
    parser.add_argument(
        "--plan",
        metavar="NAME",
        default=None,
        help="walk this reviewer's assignments of a review plan, in the plan's order (see `bare-tui plan`)",
    )
    parser.add_argument(
        "--attempt",
        metavar="ID",
        default=None,
        help="open at this attempt rather than at the first one you have not judged",
    )
    add_rubric_option(parser)
    parser.add_argument(
        "--keymap",
        metavar="FILE",
        type=Path,
        default=None,
        help="a TOML file of binding ids and keys (default: $XDG_CONFIG_HOME/bare-tui/keymap.toml if it exists)",
    )


def default_args(session_path: Path) -> argparse.Namespace:
    """The arguments `bare-tui` with no command uses: this session, the default reviewer and mode."""
    return argparse.Namespace(
        session=Path(session_path),
        reviewer=None,
        mode=None,
        shuffle=None,
        plan=None,
        attempt=None,
        keymap=None,
        rubric=None,
    )


def run(args: argparse.Namespace) -> int:
    # No cyclic garbage collection until the review screen has shown its first attempt: loading the interface makes
    # a few hundred thousand objects, and the collections they set off (a full one among them) took 50-100 ms of
    # the first paint. The screen collects once the attempt is shown, freezes what survives and turns collection
    # back on (collect_garbage); so does the end of this command, whatever happens.
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    from ..tui.keymap import load_keymap

    keymap = load_keymap(getattr(args, "keymap", None))  # a bad keymap is one line before the screen opens
    # Opened here, before the screen, so that a missing or foreign file is one clear line (SessionError).
    store = Store.open(args.session)
    try:
        if getattr(args, "rubric", None) is not None:
            from ..rubric import set_rubric  # only with --rubric: the screen shows the rubric when i asks for it

            set_rubric(store, args.rubric)  # the session's from now on: every reviewer reads the same words
        if getattr(args, "plan", None) is not None and args.shuffle is not None:
            raise SessionError("--plan and --shuffle both set the order: give one of them")
        # lazy: the screen paints before the session's order (every attempt id) is read
        session = ReviewSession.open(
            store, resolve_reviewer(args.reviewer), args.mode, args.shuffle, getattr(args, "plan", None), lazy=True
        )
        try:
            start_at = getattr(args, "attempt", None)
            if start_at is not None and not store.has_attempt(start_at):
                raise SessionError(f"{args.session}: no attempt {start_at!r} in this session")
            if session.read_only_reason is not None:
                # Said before the screen takes the terminal, and kept in its header as READ-ONLY.
                print(f"bare-tui: opening read-only: {session.read_only_reason}", file=sys.stderr)
            from ..tui.app import BareTuiApp

            return BareTuiApp(session, Path(args.session), start_at=start_at, keymap=keymap).run_as_command()
        finally:
            session.close()
    finally:
        store.close()
