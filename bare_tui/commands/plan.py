"""`bare-tui plan SESSION`: draw a review plan (a seeded stratified sample), size it for a precision, list plans."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from rich.console import Console

from ..plans import (
    ALL,
    ALLOCATIONS,
    PlanError,
    PlanSpec,
    draw_plan,
    extend_plan,
    plan_progress,
    precision_needs,
    save_drawn,
)
from ..safe_text import visible
from ..store import Store


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the examples' lines
    parser.description = (
        "Draw a review plan: a seeded, stratified probability sample of the session's attempts, assigned to\n"
        "reviewers, that `review --plan` walks and `stats --plan` weights back to the population.\n"
        "With the session alone: list the plans and their progress."
    )
    parser.epilog = (
        "examples:\n"
        "  bare-tui plan s.db --name p1 --size 200 --strata model,overall --reviewers ana,ben --overlap 0.2 --seed 7\n"
        "  bare-tui plan s.db --name p1 --precision 0.05 [--extend]\n"
        "  bare-tui plan s.db"
    )
    parser.add_argument("session", type=Path, help="the session database")
    parser.add_argument("--name", default=None, metavar="NAME", help="the plan's name")
    parser.add_argument("--size", type=int, default=None, metavar="N", help="attempts to draw (gold items come on top)")
    parser.add_argument(
        "--strata",
        type=_names,
        default=[],
        metavar="ATTRS",
        help="stratify by model, language and/or a stage's pipeline outcome (e.g. model,language,overall)",
    )
    parser.add_argument(
        "--allocation",
        choices=ALLOCATIONS,
        default="proportional",
        help="how the size is shared over strata (default: proportional)",
    )
    parser.add_argument(
        "--overlap",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of the drawn attempts given to two reviewers (default 0)",
    )
    parser.add_argument("--reviewers", type=_names, default=[], metavar="A,B,...", help="who reviews the plan")
    parser.add_argument(
        "--gold",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of all items that are adjudicated attempts, mixed in unannounced (default 0)",
    )
    parser.add_argument(
        "--where",
        default="",
        metavar="FILTER",
        help="the population: conditions like model=x,language=c,syntax=fail (all must hold)",
    )
    parser.add_argument("--seed", type=int, default=None, help="the draw's seed (default: a fresh one, recorded)")
    parser.add_argument(
        "--precision",
        type=float,
        default=None,
        metavar="H",
        help="labels each stratum still needs for a 95%% interval of half-width H",
    )
    parser.add_argument("--extend", action="store_true", help="with --precision: draw those attempts into the plan")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except PlanError as exc:
        print(f"bare-tui plan: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    drawing = args.size is not None
    if args.extend and args.precision is None:
        raise PlanError("--extend needs --precision H: it draws what that half-width requires")
    if args.precision is not None and not args.precision > 0:
        raise PlanError(f"--precision {args.precision}: the half-width must be more than 0 (e.g. 0.05)")
    if (drawing or args.precision is not None) and not args.name:
        raise PlanError("--name: say which plan")
    if drawing and args.precision is not None:
        raise PlanError("--size draws a new plan and --precision sizes an existing one: give one of them")
    with Store.open(args.session) as store:
        if drawing:
            return _draw(store, args)
        if args.precision is not None:
            return _precision(store, args.name, args.precision, args.extend)
        return _list(store, args.name)


def _draw(store: Store, args: argparse.Namespace) -> int:
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    spec = PlanSpec(
        name=args.name,
        size=args.size,
        strata=tuple(args.strata),
        allocation=args.allocation,
        overlap=args.overlap,
        reviewers=tuple(args.reviewers),
        gold=args.gold,
        where=args.where,
        seed=seed,
    )
    # seconds at BARE scale: say what is happening (on a terminal only; nothing is left behind)
    with Console(stderr=True).status(f"drawing plan {visible(spec.name)} …"):
        plan = draw_plan(store, spec)
        save_drawn(store, plan)
    gold = sum(item.gold for item in plan.items)
    population = sum(s.population for s in plan.strata)
    print(
        f"plan {visible(spec.name)}: {len(plan.items) - gold} of {population} attempts drawn"
        f"{f' + {gold} gold' if gold else ''} from {len(plan.strata)} strata ({spec.allocation}, seed {seed})"
    )
    _print_progress(store, spec.name)
    return 0


def _precision(store: Store, name: str, half_width: float, extend: bool) -> int:
    needs = precision_needs(store, name, half_width)
    width = max((len(n.stratum) for n in needs), default=7)
    print(
        f"plan {visible(name)}: labels for a 95% interval of half-width {half_width} on the human pass rate "
        "(prior: the pipeline's pass rate; labelled: a pass or fail on overall by anyone)"
    )
    print(
        f"{'stratum':<{width}}  {'N_h':>8}  {'prior':>5}  {'required':>8}  {'labelled':>8}  {'needed':>6}"
        f"  {'drawn':>6}  {'to draw':>7}"
    )
    for n in needs:
        to_draw = "" if n.stratum == ALL else str(n.to_draw)
        print(
            f"{visible(n.stratum):<{width}}  {n.population:>8}  {n.prior:>5.2f}  {n.required:>8}  {n.labelled:>8}"
            f"  {n.labels_needed:>6}  {n.drawn:>6}  {to_draw:>7}"
        )
    if extend:
        plan, added = extend_plan(store, name, half_width)
        if added == 0:
            print(
                f"plan {visible(name)} already holds what half-width {half_width} requires in every stratum; "
                "nothing drawn"
            )
            return 0
        save_drawn(store, plan, replace=True)
        print(f"plan {visible(name)} extended by {added} attempts; it now holds {plan.record.size} items")
    return 0


def _list(store: Store, name: str | None) -> int:
    records = store.plans() if name is None else [r for r in store.plans() if r.name == name]
    if name is not None and not records:
        raise PlanError(f"no plan named {name!r} in {store.path}")
    if not records:
        print(f"{store.path}: no plans yet (draw one: bare-tui plan {store.path} --name p1 --size 200)")
        return 0
    for record in records:
        _print_progress(store, record.name)
    return 0


def _print_progress(store: Store, name: str) -> None:
    record = store.plan(name)
    assert record is not None
    progress = plan_progress(store, record)
    definition = record.definition
    how = (
        "from plan lines"
        if definition.get("imported")
        else (
            f"strata {','.join(definition.get('strata', [])) or 'none'}, {definition.get('allocation', '?')}, "
            f"seed {definition.get('seed', '?')}"
        )
    )
    drawn = record.created_at[:16].replace("T", " ")
    print(f"{visible(name)}: {progress.done} of {record.size} labelled  ({visible(how)}, drawn {drawn} UTC)")
    for reviewer, (done, assigned) in sorted(progress.per_reviewer.items()):
        print(f"  {visible(reviewer)}: {done} of {assigned}")
