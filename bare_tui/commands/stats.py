"""`bare-tui stats SESSION`: how far the pipeline agrees with people, as DESIGN.md's rows in four formats."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..calibration import GROUPINGS, Options, mixed_pipelines_note, plan_rows_for_store, rows_and_sampling_note
from ..model import FIELDS, is_stage_name
from ..report import FORMATS, ReportContext, write_rows
from ..safe_text import one_line
from ..store import SessionError, Store
from .output import finish_output, output_target


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database")
    parser.add_argument(
        "--by",
        action="append",
        type=_names,
        default=[],
        metavar="GROUPING",
        help=f"add grouped rows beside the `all` rows: {', '.join(GROUPINGS)} (repeat or comma-separate)",
    )
    parser.add_argument(
        "--stage",
        action="append",
        type=_names,
        default=[],
        metavar="STAGE",
        help=f"only these stages: {', '.join(FIELDS)}, or an extra stage the session's verdicts bring (such as "
        "tests) (default: every stage the session has)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="table (default), json, csv or markdown")
    parser.add_argument("-o", "--output", type=Path, default=None, help="write here instead of standard output")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed: the same seed gives the same intervals")
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=2000,
        metavar="N",
        help="resamples for the kappa, AC1, MCC and alpha intervals (default 2000; 0: those four without intervals)",
    )
    parser.add_argument("--source", default=None, metavar="NAME", help="use this verdict source's verdicts")
    parser.add_argument(
        "--plan",
        default=None,
        metavar="NAME",
        help="weigh every figure by this review plan's design, so that it speaks for the plan's population",
    )
    parser.add_argument(
        "--precision",
        type=float,
        default=None,
        metavar="H",
        help="add labels_needed rows: more labelled attempts for a 95%% interval of half-width H (e.g. 0.05)",
    )


def run(args: argparse.Namespace) -> int:
    """Compute and write the rows; 2 on a bad session or argument (one line on stderr), else 0."""
    by = tuple(dict.fromkeys(name for names in args.by for name in names))
    stages = tuple(dict.fromkeys(name for names in args.stage for name in names))
    problem = next(
        (f"unknown grouping '{b}' (choose from {', '.join(GROUPINGS)})" for b in by if b not in GROUPINGS), None
    ) or next(
        (f"'{s}' is not a stage name (lower case letters, digits, - and _)" for s in stages if not is_stage_name(s)),
        None,
    )
    if problem is None and args.bootstrap < 0:
        problem = "--bootstrap must be 0 or more"
    if problem is None and args.precision is not None and not args.precision > 0:
        problem = f"--precision must be more than 0 (a half-width such as 0.05), not {args.precision:g}"
    if problem:
        print(f"bare-tui stats: {one_line(problem)}", file=sys.stderr)
        return 2
    options = Options(by=by, stages=stages, replicates=args.bootstrap, seed=args.seed, precision=args.precision)
    try:
        with Store.open(args.session, readonly=True) as store:
            mixed = mixed_pipelines_note(store) if args.source is None else None
            if mixed is not None:
                print(f"bare-tui stats: {one_line(mixed)}", file=sys.stderr)
            if args.plan is None:
                # without a plan the report says what the labelled attempts are, whom the figures speak for
                rows, sampling = rows_and_sampling_note(store, options, source=args.source)
            else:
                rows = plan_rows_for_store(store, args.plan, options, source=args.source)
                sampling = None
    except SessionError as exc:
        print(f"bare-tui: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"bare-tui stats: {one_line(str(exc))}", file=sys.stderr)
        return 2
    context = ReportContext(
        session=args.session.name,
        source=args.source,
        replicates=args.bootstrap,
        seed=args.seed,
        plan=args.plan,
        sampling=sampling,
    )
    if args.output is None:
        terminal = sys.stdout.isatty()
        write_rows(rows, args.format, sys.stdout, context, color=args.format == "table" and terminal, terminal=terminal)
    else:
        target = output_target(args.output)
        with target.open("w", encoding="utf-8", newline="") as out:
            write_rows(rows, args.format, out, context)
        finish_output(target, args.output)
        print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0
