"""The `bare-tui` command: parses arguments and hands each subcommand to its module."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, cast

from . import __version__
from .safe_text import one_line

# name -> (module under bare_tui.commands, one line of help)
COMMANDS: dict[str, tuple[str, str]] = {
    "import": (
        "importing",
        "import tasks, attempts, verdicts or judgements (JSON Lines, a folder, or tasks/ + attempts/)",
    ),
    "verify": ("verify", "run the five automated stages on attempts that lack verdicts of this pipeline version"),
    "plan": ("plan", "draw a review plan: a seeded stratified sample for people to label, or list the plans"),
    "review": ("review", "label attempts on the review screen"),
    "audit": ("audit", "settle disputed attempt-stages, disputed failures first"),
    "stats": ("stats", "agreement between the pipeline and people: kappa, AC1, alpha, sensitivity, ..."),
    "export": ("export", "write attempts, verdicts, judgements or adjudications as JSON Lines or CSV"),
    "merge": ("merge", "bring reviewers' separate copies of a session together (safe to repeat)"),
    "serve": ("serve", "serve the review app to a browser: one link with its own token per reviewer"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only`, a command's name, just that command's parser is made (its options read
    from its module), so that running one command neither imports the others' modules nor builds their parsers
    (an ArgumentParser each, looking up its translated words: 1 ms before the review screen's first paint). Any
    other `only` (none, an option, a misspelt name) makes every command's, for --help and the error listing."""
    parser = argparse.ArgumentParser(
        prog="bare-tui",
        description="Check an automated code-evaluation pipeline against human judgement. "
        "With no command: open the bundled demo study on the review screen.",
    )
    parser.add_argument("--version", action="version", version=f"bare-tui {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, (module_name, help_text) in COMMANDS.items():
        if only in COMMANDS and only != name:
            continue
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if only is None or only == name:
            _load(module_name).add_arguments(sub)
        sub.set_defaults(module_name=module_name)
    return parser


class Command(Protocol):
    """What a module under bare_tui.commands provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def _upgrade_notice(path: Path, old: int, new: int) -> None:
    """An upgrade of a large session takes tens of seconds with nothing else on screen: say what is happening."""
    print(
        one_line(f"bare-tui: upgrading {path} from schema {old} to {new} (once; a large session takes a while)"),
        file=sys.stderr,
        flush=True,
    )


def _load(module_name: str) -> Command:
    return cast(Command, importlib.import_module(f"bare_tui.commands.{module_name}"))


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # The command is the first word that is not an option (the top level's options take no value). The store and
    # the command's module (with what it imports) load here, not when this module is imported: classes, functions
    # and constants that live as long as the process, so a collection set off while they load frees nothing (a score
    # of them, 3-4 ms before the review screen's first paint). None runs meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .store import DatabaseFault, RecordRejected, SessionError, Store, unreadable

        parser = build_parser(only=next((word for word in argv if not word.startswith("-")), ""))
    finally:
        if collecting:
            gc.enable()
    args = parser.parse_args(argv)
    Store.upgrade_notice = _upgrade_notice
    try:
        if args.command is None:
            from .commands import demo

            return demo.run(args)
        return int(_load(args.module_name).run(args) or 0)
    except SessionError as exc:
        return _fail(str(exc))
    except RecordRejected as exc:
        return _fail(f"{_session_of(args)}: a record was refused and nothing of this write was kept: {exc}")
    except DatabaseFault as exc:
        # A damaged page found mid-command (the schema read at open was fine): one line, never a traceback.
        return _fail(unreadable(_session_of(args), exc))
    except KeyboardInterrupt:
        print("bare-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 141
    except OSError as exc:
        name = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{name}{exc.strerror or exc}")


def _fail(message: str) -> int:
    """One line on stderr, data in it made visible, and the exit status for a bad session or argument."""
    print(f"bare-tui: {one_line(message)}", file=sys.stderr)
    return 2


def _session_of(args: argparse.Namespace) -> str:
    return str(getattr(args, "session", None) or getattr(args, "target", None) or "the session")


if __name__ == "__main__":
    sys.exit(main())
