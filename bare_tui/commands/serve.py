"""`bare-tui serve SESSION`: the review app in a browser, one link (with its own token) per reviewer."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..review import plan_review_order
from ..store import SessionError, Store
from . import add_mode_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", type=Path, help="the session database (made by `bare-tui import`)")
    parser.add_argument(
        "--reviewers",
        metavar="A,B,...",
        required=True,
        help="who may connect: each gets a link of their own, printed at start, and labels under that name",
    )
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="the port (default: 8000)")
    add_mode_options(parser, "reviewers")
    parser.add_argument(
        "--plan",
        metavar="NAME",
        default=None,
        help="each reviewer walks their assignments of this review plan (see `bare-tui plan`)",
    )


def run(args: argparse.Namespace) -> int:
    from ..serve import make_links, make_server

    with Store.open(args.session) as store:  # a missing or foreign file is one line, before the server starts
        if store.readonly:
            raise SessionError(f"{args.session}: read-only session; reviewers could not save")
    links = make_links(args.reviewers.split(","))
    if args.plan is not None:
        with Store.open(args.session, readonly=True) as store:
            for link in links:  # every reviewer must have assignments, or their link would open on an error
                plan_review_order(store, args.plan, link.reviewer)
    extra = ([f"--{args.mode}"] if args.mode else []) + (["--plan", args.plan] if args.plan else [])
    make_server(Path(args.session).resolve(), links, host=args.host, port=args.port, extra=extra).serve()
    return 0
