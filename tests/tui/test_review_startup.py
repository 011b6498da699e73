"""`bare-tui review` paints its first attempt without importing what only other screens and dialogs need (numpy,
pandas, the Markdown parser, the queue, audit and statistics screens), and those still open when asked for."""

from __future__ import annotations

import json
from pathlib import Path

from .own_interpreter import run_driver

# Modules a reviewer's first attempt does not need: each is imported when its screen or dialog first opens.
NOT_BEFORE_THE_FIRST_ATTEMPT = (
    "numpy",
    "pandas",
    "sqlite_utils",
    "markdown_it",
    "bare_tui.plans",
    "bare_tui.calibration",
    "bare_tui.formats",
    "bare_tui.tui.screens.queue",
    "bare_tui.tui.screens.audit",
    "bare_tui.tui.screens.stats",
    "bare_tui.tui.dialogs.rubric",
    "bare_tui.tui.dialogs.help",
    "tomllib",  # read only when there is a keymap file: its import compiles its parser's patterns (~9 ms)
)

# Modules the screen's first paint does not need: the first diff's worker imports them once the screen is painted.
NOT_BEFORE_THE_FIRST_PAINT = ("bare_tui.diff", "bare_tui.highlight", "pygments", "bare_tui.rubric")

DRIVER = """
import asyncio, gc, json, sys
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen
from bare_tui import cli

loaded_early = []
screens = []
collection = {}
at_first_paint = {"reparsed": 0}

# At the review screen's first paint: what was imported, and how often Textual parsed every stylesheet again.
reparse, refresh = Stylesheet.reparse, Screen._compositor_refresh
def counted_reparse(self):
    if "loaded" not in at_first_paint:
        at_first_paint["reparsed"] += 1
    reparse(self)
def first_paint(screen):
    refresh(screen)
    if type(screen).__name__ == "ReviewScreen" and "loaded" not in at_first_paint:
        at_first_paint["loaded"] = [name for name in json.loads(sys.argv[3]) if name in sys.modules]
Stylesheet.reparse, Screen._compositor_refresh = counted_reparse, first_paint

async def drive(app):
    async with app.run_test(size=(120, 40)) as pilot:
        def attempt_shown():
            views = app.screen.query("DiffView")
            return bool(views) and not views.first().is_computing and views.first().model is not None
        await until(pilot, attempt_shown)
        loaded_early.extend(name for name in NAMES if name in sys.modules)
        collection["back_on"] = await until(pilot, gc.isenabled)
        for key, name in (("i", "RubricScreen"), ("escape", "ReviewScreen"), ("question_mark", "HelpScreen"),
                          ("escape", "ReviewScreen"), ("q", "QueueScreen")):
            await pilot.press(key)
            if await until(pilot, lambda: type(app.screen).__name__ == name):
                screens.append(name)
        app.exit()

NAMES = json.loads(sys.argv[2])
App.run = lambda self, *args, **kwargs: asyncio.run(drive(self))
status = cli.main(["review", sys.argv[1], "--reviewer", "ana"])
collection["on_after"] = gc.isenabled()
print(json.dumps({"status": status, "loaded_early": loaded_early, "screens": screens, "collection": collection,
                  "at_first_paint": at_first_paint}))
"""


def run_review(session: Path) -> dict[str, object]:
    return run_driver(
        DRIVER, str(session), json.dumps(NOT_BEFORE_THE_FIRST_ATTEMPT), json.dumps(NOT_BEFORE_THE_FIRST_PAINT)
    )


def test_the_first_attempt_opens_without_other_screens_imports_and_they_still_open(demo_session: Path) -> None:
    outcome = run_review(demo_session)
    assert outcome["status"] == 0
    assert outcome["loaded_early"] == []
    # Imported on demand, they work: the rubric, the help and the queue open from the review screen.
    assert outcome["screens"] == ["RubricScreen", "ReviewScreen", "HelpScreen", "ReviewScreen", "QueueScreen"]


def test_the_first_paint_neither_imports_the_diff_nor_parses_the_stylesheets_again(demo_session: Path) -> None:
    outcome = run_review(demo_session)
    # The diff and its highlighter come with the first diff's worker, after the paint (bare_tui.diff's dataclasses
    # alone cost 5-6 ms of CPU); the review screen's stylesheet was read with the app's, so pushing the screen does
    # not make Textual parse every stylesheet again (a fresh parse of all of them, then the app restyled).
    assert outcome["at_first_paint"] == {"loaded": [], "reparsed": 0}


def test_garbage_collection_is_back_on_once_the_attempt_is_shown(demo_session: Path) -> None:
    outcome = run_review(demo_session)
    # The command turns it off while the screen loads (loading the interface set off a full collection): it is on
    # again once the attempt is shown (its survivors collected and frozen), and after the command.
    assert outcome["collection"] == {"back_on": True, "on_after": True}
