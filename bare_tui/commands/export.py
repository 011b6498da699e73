"""`bare-tui export SESSION --what ... --format ...`: records out, in the interchange formats."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from ..exporter import FORMATS, WHATS, chosen_columns, export
from ..store import SessionError, Store
from .output import finish_output, output_target


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database")
    parser.add_argument(
        "--what",
        choices=(*WHATS, "datasette-metadata"),
        default="judgements",
        help="which records (default: judgements); attempt-stages and disputes are the analyst's "
        "tables; datasette-metadata writes Datasette's metadata.json for this session (column "
        "descriptions and canned queries: `datasette SESSION -m metadata.json`)",
    )
    parser.add_argument("--format", choices=FORMATS, default="jsonl", help="jsonl or csv (default: jsonl)")
    parser.add_argument("--source", default=None, metavar="NAME", help="verdicts: only this source's")
    parser.add_argument(
        "--columns",
        default=None,
        metavar="A,B,...",
        help="only these columns, in this order (default: all of the kind's)",
    )
    parser.add_argument("-o", "--output", type=Path, default=None, help="write here instead of standard output")


def run(args: argparse.Namespace) -> int:
    if args.what == "datasette-metadata":
        return _write_metadata(args)
    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    try:
        chosen_columns(args.what, columns)
    except ValueError as exc:
        raise SessionError(str(exc)) from None
    with Store.open(args.session, readonly=True) as store:
        if args.output is None:
            count = export(store, args.what, args.format, _stdout(), args.source, columns, terminal=sys.stdout.isatty())
        else:
            target = output_target(args.output)
            with target.open("wb", buffering=1 << 20) as out:  # UTF-8 bytes, written as SQLite builds them
                count = export(store, args.what, args.format, out, args.source, columns)
            finish_output(target, args.output)
    print(f"exported {count} {args.what}", file=sys.stderr)
    return 0


def _stdout() -> TextIO | BinaryIO:
    """Standard output's bytes when it writes UTF-8 and \\n as they are (the export's bytes go through as
    SQLite builds them); otherwise the text stream, which encodes as it is set to."""
    encoding = (sys.stdout.encoding or "").lower().replace("_", "-")
    if encoding in ("utf-8", "utf8") and os.linesep == "\n" and hasattr(sys.stdout, "buffer"):
        sys.stdout.flush()
        return sys.stdout.buffer
    return sys.stdout


def _write_metadata(args: argparse.Namespace) -> int:
    import json

    from ..api import datasette_metadata

    with Store.open(args.session, readonly=True):  # a missing or non-session file is one clear error
        pass
    text = json.dumps(datasette_metadata(args.session.stem), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    print(f"wrote Datasette metadata for database '{args.session.stem}'", file=sys.stderr)
    return 0
