"""`bare-tui audit` lists its items without importing what only the review screen and the dialogs need (the review
screen, the Markdown parser, numpy), reads the list while the interface starts, and the dialogs still open when asked
for; a session that cannot be read is said on the screen."""

from __future__ import annotations

import json
from pathlib import Path

from .own_interpreter import run_driver
from .queue_fixtures import build_queue_session

# Modules the audit list does not need before it is shown: each is imported when its screen or dialog first opens.
NOT_BEFORE_THE_LIST = (
    "numpy",
    "markdown_it",
    "bare_tui.tui.screens.review",
    "bare_tui.tui.screens.queue",
    "bare_tui.tui.screens.stats",
    "bare_tui.tui.dialogs.rubric",
    "bare_tui.tui.dialogs.help",
    "bare_tui.tui.dialogs.reason",
)

DRIVER = """
import asyncio, json, sys, threading
from textual.app import App
from bare_tui import audit, cli

loaded_early = []
screens = []
listed = []
read_on = []

read_list = audit.read_list
def reading(path):
    read_on.append(threading.current_thread().name)
    return read_list(path)
audit.read_list = reading

async def drive(app):
    async with app.run_test(size=(120, 40)) as pilot:
        def list_shown():
            return type(app.screen).__name__ == "AuditScreen" and app.screen.table.row_count > 0
        if await until(pilot, list_shown):
            listed.append(app.screen.table.row_count)
        loaded_early.extend(name for name in NAMES if name in sys.modules)
        for key, name in (("i", "RubricScreen"), ("escape", "AuditScreen"), ("question_mark", "HelpScreen"),
                          ("escape", "AuditScreen"), ("a", "ReasonScreen"), ("escape", "AuditScreen")):
            await pilot.press(key)
            if await until(pilot, lambda: type(app.screen).__name__ == name):
                screens.append(name)
        app.exit()

NAMES = json.loads(sys.argv[2])
App.run = lambda self, *args, **kwargs: asyncio.run(drive(self))
status = cli.main(["audit", sys.argv[1], "--auditor", "eve"])
print(json.dumps({"status": status, "loaded_early": loaded_early, "screens": screens, "listed": listed,
                  "read_on": read_on}))
"""


def run_audit(session: Path) -> dict[str, object]:
    return run_driver(DRIVER, str(session), json.dumps(NOT_BEFORE_THE_LIST))


def test_the_list_shows_without_other_screens_imports_read_once_ahead_and_the_dialogs_still_open(
    tmp_path: Path,
) -> None:
    outcome = run_audit(build_queue_session(tmp_path / "queue.db"))
    assert outcome["status"] == 0
    assert outcome["listed"] and outcome["listed"][0] > 0  # type: ignore[index]
    assert outcome["loaded_early"] == []
    # Read once, on the thread started before the interface: the screen took that list rather than reading again.
    assert outcome["read_on"] == ["audit-read-ahead"]
    # Imported on demand, they work: the rubric, the help and the reason dialog open from the audit screen.
    assert outcome["screens"] == [
        "RubricScreen",
        "AuditScreen",
        "HelpScreen",
        "AuditScreen",
        "ReasonScreen",
        "AuditScreen",
    ]
