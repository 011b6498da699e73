"""A session whose file is damaged after it opened (a page of a table scrambled on disk): each screen says so in the
one line every command prints, with what to do. The review command ends with it on stderr and exit status 2, never
Textual's traceback and an exit status of 0; the queue, the audit list and the statistics show it in place of
what they would show."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from bare_tui.calibration import Options
from bare_tui.store import Store
from bare_tui.tui.app import BareTuiApp
from bare_tui.tui.screens.queue import QueueScreen
from bare_tui.tui.screens.stats import StatsScreen

from .conftest import wait_for
from .own_interpreter import ROOT
from .queue_fixtures import build_queue_session

SIZE = (120, 40)
DAMAGED = "the session file is damaged or unreadable (database disk image is malformed)"
ADVICE = "restore a copy or recover it with `sqlite3 FILE .recover`"


def damaged(tmp_path: Path, table: str) -> Path:
    """The queue fixture's session with the first page of `table` overwritten on disk (its schema intact, so the
    session opens and the damage is met by the first read of that table)."""
    path = build_queue_session(tmp_path / f"{table}.db")
    with Store.open(path):
        pass  # a clean close folds the WAL into the file damaged below
    conn = sqlite3.connect(path)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size + 8 : root * size] = b"\xff" * (size - 8)  # past the page's header's first bytes
    path.write_bytes(bytes(data))
    Store.open(path, readonly=True).close()  # it still opens: the damage is met mid-read
    return path


def run_in_terminal(argv: list[str], timeout: float = 60.0) -> tuple[int, bytes]:
    """Run a command on a pseudo-terminal until it ends: its exit status and everything it wrote."""
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color")
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, start_new_session=True)
    os.close(slave)
    output, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    output += os.read(master, 1 << 16)
                except OSError:
                    break
            elif proc.poll() is not None:
                break
        return proc.wait(timeout=10), output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


@pytest.mark.parametrize("table", ["verdicts", "attempts"])
def test_the_review_command_ends_with_one_line_and_status_2_not_a_traceback(tmp_path: Path, table: str) -> None:
    bad = damaged(tmp_path, table)
    status, output = run_in_terminal([sys.executable, "-m", "bare_tui", "review", str(bad), "--reviewer", "ana"])
    assert status == 2
    text = output.decode("utf-8", "replace")
    assert f"bare-tui: {bad}: {DAMAGED}; {ADVICE}" in text
    assert "Traceback" not in text and "╭" not in text  # Textual's traceback is drawn in boxes


async def test_the_review_app_keeps_the_line_for_the_command(tmp_path: Path) -> None:
    from bare_tui.review import ReviewSession

    bad = damaged(tmp_path, "verdicts")
    with Store.open(bad) as store:
        session = ReviewSession.open(store, "ana", lazy=True)
        app = BareTuiApp(session, bad)
        # Run to its end as the command runs it (run_test would wait for a screen that the failure closed).
        await asyncio.wait_for(app.run_async(headless=True, size=SIZE), timeout=60)
        session.close()
    assert app.return_code == 2
    assert app.failure == f"{bad}: {DAMAGED}; {ADVICE}"


async def test_the_queue_says_the_file_is_damaged_and_what_to_do(tmp_path: Path) -> None:
    bad = damaged(tmp_path, "attempts")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(QueueScreen(bad, "ana"))

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "damaged" in said_on(app.screen, "#queue-counts"), "the queue's failure")
        said = said_on(app.screen, "#queue-counts")
        # SQLite's own error, or (as the queue's reads race, 2 of 1,200 scrambled pages) the rows the damage left
        # contradicting each other: "could not be read (IndexError: ...); its file may be damaged".
        assert said.startswith(f"{bad}: ") and said.endswith(f"; {ADVICE}") and "damaged" in said
        assert app.screen.query_one("#queue-counts").size.height > 1  # whole, its advice included


async def test_the_audit_list_says_the_file_is_damaged_and_what_to_do(tmp_path: Path) -> None:
    bad = damaged(tmp_path, "attempts")
    app = BareTuiApp.auditing(bad, "eve")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "damaged" in said_on(app.screen, "#audit-details"), "the audit list's failure")
        said = said_on(app.screen, "#audit-details")
        assert said.startswith(f"{bad}: ") and said.endswith(f"; {ADVICE}") and "damaged" in said
        assert app.failure is None  # shown on the screen, which stays open


async def test_the_statistics_say_the_file_is_damaged_and_what_to_do(tmp_path: Path) -> None:
    bad = damaged(tmp_path, "attempts")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(StatsScreen(bad, Options(replicates=50)))

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = app.screen.query_one("#stats-progress", Static)
        assert str(said.content) == f"Could not read the session: {bad}: {DAMAGED}; {ADVICE}"
        assert said.size.height > 1  # whole, its advice included, where the sections would be
        assert not app.screen.query_one("#stats-body").display


def said_on(screen: Screen[object], widget: str) -> str:
    """The text a screen's Static shows (empty while the screen is not mounted yet)."""
    found = screen.query(widget)
    return str(found.first(Static).content) if found else ""
