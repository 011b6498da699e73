"""The `bare-tui` subcommands: each module gathers arguments and calls the headless core."""

from __future__ import annotations

import argparse
from pathlib import Path


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
