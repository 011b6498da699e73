"""Regenerate screenshots/<screen>.svg at 120x40 (and <screen>-80x24.svg) from the demo study:
`python scripts/screenshots.py [NAME ...]`.

How it works: the demo study (sessions/demo) is imported and verified once into a temporary session; each step
then runs the app on its own fresh copy of that session, drives it with keys, and saves what the terminal shows.

Adding a screen: write an `async def` that takes (pilot, app) and leaves the app showing your screen, and register
it with `@step("name")` below the others. The steps, in order:

    review-blind      the review screen as a reviewer first sees an attempt, two fields labelled
    review-revealed   the same after `r`, a finding chosen with `e` (the diff scrolled to it and marked)
    review-unified    `s`: the unified diff, at the first change
    review-drawer     (80x24 only) `r` then `v`: the verdicts and findings drawer over the unified diff
    help              `?`: every key of the review screen
    queue             `q`: the queue screen
    queue-disputed    the queue with `d`: only disputed attempts, the counts narrowed
    audit             `A` from the queue: the audit list, disputed failures first, the first item's evidence and diff
    audit-reason      `a` on the first item: the reason-code picker
    stats             Ctrl+P "statistics": agreement by stage, confusion matrices, raw against corrected rates
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bare_tui.commands.demo import DEMO_SOURCE, build_demo  # noqa: E402
from bare_tui.review import ReviewSession  # noqa: E402
from bare_tui.store import Store  # noqa: E402
from bare_tui.tui.app import BareTuiApp  # noqa: E402
from bare_tui.tui.widgets.diff_view import DiffView  # noqa: E402

SIZE = (120, 40)
REVIEWER = "cleo"  # a reviewer with nothing judged in the demo: the screen opens at the first attempt
OUT = REPO / "screenshots"

Drive = Callable[[Pilot, BareTuiApp], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    name: str  # the file written: screenshots/<name>.svg
    drive: Drive
    mode: str = "blind"  # the review mode the app opens in
    size: tuple[int, int] = SIZE


STEPS: list[Step] = []
NARROW = (80, 24)


def step(name: str, mode: str = "blind", narrow: bool = True) -> Callable[[Drive], Drive]:
    """Register a step; narrow: also shoot it at 80x24 as <name>-80x24 (every screen must work there)."""

    def register(drive: Drive) -> Drive:
        if name == "review-drawer":  # a narrow terminal's own view: there is no drawer at 120 columns
            STEPS.append(Step(f"{name}-80x24", drive, mode, NARROW))
            return drive
        STEPS.append(Step(name, drive, mode))
        if narrow:
            STEPS.append(Step(f"{name}-80x24", drive, mode, NARROW))
        return drive

    return register


async def settle(pilot: Pilot, app: BareTuiApp) -> None:
    """Wait until the diff on show is computed and painted, and let any toast expire from the picture."""
    for _ in range(300):
        await pilot.pause()
        if len(app.screen_stack) < 2:
            continue  # the review screen is not pushed yet
        views = list(app.screen.query(DiffView))
        if not views or (not views[0].is_computing and views[0].model is not None):
            break
        await asyncio.sleep(0.02)
    await pilot.pause(0.2)
    app.clear_notifications()
    await pilot.pause()


# ---------------------------------------------------------------------- the steps, one per screen
@step("review-blind")
async def review_blind(pilot: Pilot, app: BareTuiApp) -> None:
    await settle(pilot, app)
    await pilot.press("a", "x")


@step("review-revealed")
async def review_revealed(pilot: Pilot, app: BareTuiApp) -> None:
    await settle(pilot, app)
    await pilot.press("r", "e", "2")
    await settle(pilot, app)


@step("review-unified", narrow=False)
async def review_unified(pilot: Pilot, app: BareTuiApp) -> None:
    await settle(pilot, app)
    await pilot.press("r", "s", "right_square_bracket")
    await settle(pilot, app)


@step("help")
async def help_screen(pilot: Pilot, app: BareTuiApp) -> None:
    await settle(pilot, app)
    await pilot.press("question_mark")
    await pilot.pause()


@step("review-drawer", narrow=False)
async def review_drawer(pilot: Pilot, app: BareTuiApp) -> None:
    await settle(pilot, app)
    await pilot.press("r", "v", "e")
    await settle(pilot, app)


@step("queue", mode="assisted")
async def queue(pilot: Pilot, app: BareTuiApp) -> None:
    await settle(pilot, app)
    await pilot.press("q")
    await pilot.pause(1.0)
    await settle(pilot, app)


# ---------------------------------------------------------------------- queue and audit steps (the queue/audit engineer's)
async def rows_loaded(pilot: Pilot, app: BareTuiApp, screen_type: type) -> None:
    """Wait until a queue or audit screen is on top and its list has rows."""
    for _ in range(300):
        await pilot.pause(0.02)
        screen = app.screen
        rows = getattr(screen, "rows", None) or getattr(screen, "items", None) or []
        if isinstance(screen, screen_type) and screen.table.row_count and getattr(rows[0], "people_known", True):
            break
    await settle(pilot, app)


@step("queue-disputed", mode="assisted", narrow=False)
async def queue_disputed(pilot: Pilot, app: BareTuiApp) -> None:
    from bare_tui.tui.screens.queue import QueueScreen

    await settle(pilot, app)
    await pilot.press("q")
    await rows_loaded(pilot, app, QueueScreen)
    await pilot.press("d", "down")
    await pilot.pause()


@step("audit", mode="assisted")
async def audit(pilot: Pilot, app: BareTuiApp) -> None:
    from bare_tui.tui.screens.audit import AuditScreen
    from bare_tui.tui.screens.queue import QueueScreen

    await settle(pilot, app)
    await pilot.press("q")
    await rows_loaded(pilot, app, QueueScreen)
    await pilot.press("A")
    await rows_loaded(pilot, app, AuditScreen)
    await settle(pilot, app)


@step("audit-reason", mode="assisted", narrow=False)
async def audit_reason(pilot: Pilot, app: BareTuiApp) -> None:
    await audit(pilot, app)
    await pilot.press("a")
    await pilot.pause()


@step("stats", mode="assisted")  # blind mode keeps the statistics out of reach
async def stats(pilot: Pilot, app: BareTuiApp) -> None:
    from bare_tui.tui.screens.stats import StatsScreen

    await settle(pilot, app)
    await app.run_action("stats")
    for _ in range(500):  # the figures load in a worker (2,000 bootstrap resamples)
        await pilot.pause(0.02)
        screen = app.screen
        if isinstance(screen, StatsScreen) and not screen.query_one("#stats-loading").display:
            break
    await pilot.pause(0.3)


# ---------------------------------------------------------------------- running them
async def shoot(session: Path, one: Step) -> str:
    with Store.open(session) as store:
        # A clock that stands still: the header's time on the attempt reads 0:00 in every picture.
        app = BareTuiApp(ReviewSession.open(store, REVIEWER, one.mode), session, clock=lambda: 0.0)
        async with app.run_test(size=one.size) as pilot:
            await one.drive(pilot, app)
            await pilot.pause()
            return app.export_screenshot(title=f"bare-tui: {one.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these steps (default: all)")
    args = parser.parse_args(argv)
    chosen = [s for s in STEPS if not args.names or s.name in args.names]
    unknown = set(args.names) - {s.name for s in STEPS}
    if unknown:
        parser.error(f"no such step: {', '.join(sorted(unknown))}; steps: {', '.join(s.name for s in STEPS)}")
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        built = build_demo(Path(tmp) / "demo.db", DEMO_SOURCE, Console(stderr=True))
        for one in chosen:
            copy = Path(tmp) / one.name / "demo.db"  # each step starts from the same untouched session
            copy.parent.mkdir()
            shutil.copy(built, copy)
            svg = asyncio.run(shoot(copy, one))
            target = OUT / f"{one.name}.svg"
            target.write_text(svg, encoding="utf-8")
            print(f"wrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
