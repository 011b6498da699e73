"""The `bare-tui` subcommands: each module gathers arguments and calls the headless core."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_mode_options(parser: argparse.ArgumentParser, whose: str) -> None:
    """`--blind` or `--assisted` (args.mode; None: the session's review_mode setting, blind unless set), which the
    review and serve commands share. whose: who sees the verdicts, as the help says it ("you", "reviewers")."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--blind",
        dest="mode",
        action="store_const",
        const="blind",
        help=f"{whose} see the automated verdicts only once their labels of every field are saved or r is pressed "
        "(the default unless the session's review_mode setting says assisted)",
    )
    mode.add_argument(
        "--assisted",
        dest="mode",
        action="store_const",
        const="assisted",
        help=f"{whose} see the automated verdicts from the start",
    )
    parser.set_defaults(mode=None)


def add_rubric_option(parser: argparse.ArgumentParser) -> None:
    """`--rubric FILE`, which the review and audit commands share: the words every reviewer and auditor read."""
    parser.add_argument(
        "--rubric",
        metavar="FILE",
        type=Path,
        default=None,
        help="set the session's rubric from this Markdown file ('## syntax' ... '## overall' sections, and one per "
        "extra stage the session has), shown with i",
    )
