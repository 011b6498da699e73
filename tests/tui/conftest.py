"""Sessions for the TUI tests, built through the store API from real source files of the standard library."""

from __future__ import annotations

import asyncio
import bisect
import colorsys
import inspect
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from bare_tui.model import STAGES, Attempt, Evidence, Judgement, Label, Outcome, Task, Verdict
from bare_tui.review import ReviewSession
from bare_tui.store import Store
from bare_tui.tui.app import BareTuiApp

BISECT = inspect.getsource(bisect)
COLORSYS = inspect.getsource(colorsys)
HOSTILE_ID = "a-[@click=app.quit]h[/]"
HOSTILE = "[bold]x[/bold] [@click=app.quit]quit[/] \x1b[31mred\x1b[0m \u202eevil\u202c\tTAB\r\nNUL\x00"


def _line_of(text: str, needle: str) -> int:
    """The 1-based line where a piece of text first appears (so that evidence points at real lines)."""
    return text[: text.index(needle)].count("\n") + 1


def _verdicts(
    attempt_id: str, outcomes: dict[str, Outcome], evidence: dict[str, tuple[Evidence, ...]]
) -> list[Verdict]:
    rows = [
        Verdict(
            attempt_id,
            stage,
            outcomes.get(stage, Outcome.PASS),
            evidence=evidence.get(stage, ()),
            pipeline_version="test",
            source="bare-tui",
        )
        for stage in STAGES
    ]
    overall = Outcome.PASS if all(v.outcome is Outcome.PASS for v in rows) else Outcome.FAIL
    return rows + [Verdict(attempt_id, "overall", overall, pipeline_version="test", source="bare-tui")]


def build_session(path: Path) -> Path:
    """Four attempts at two real stdlib files: renamed function, docstring edit, no code, a changed formula."""
    renamed = BISECT.replace("def insort_left(", "def insert_left(")
    documented = BISECT.replace('"""Bisection algorithms."""', '"""Bisection algorithms on sorted lists."""')
    changed = COLORSYS.replace("ONE_THIRD = 1.0/3.0", "ONE_THIRD = 0.333")
    missing_line = _line_of(BISECT, "def insort_left(")
    with Store.open(path, create=True) as store:
        store.add_tasks(
            [
                Task("t-1", "python", "Lib/bisect.py", BISECT),
                Task("t-2", "python", "Lib/colorsys.py", COLORSYS),
            ]
        )
        store.add_attempts(
            [
                Attempt("a-1", "t-1", "model-a", renamed),
                Attempt("a-2", "t-1", "model-b", documented),
                Attempt("a-3", "t-2", "model-a", None, response="I cannot help with that.", problems=("no-code",)),
                Attempt("a-4", "t-2", "model-b", changed),
            ]
        )
        store.save_verdicts(
            _verdicts(
                "a-1",
                {"signatures": Outcome.FAIL},
                {
                    "signatures": (Evidence("original", missing_line, 1, "insort_left(a, x, lo, hi, key) is missing"),),
                },
            )
            + _verdicts("a-2", {}, {})
            + _verdicts(
                "a-3",
                {s: Outcome.FAIL for s in STAGES},
                {"syntax": (Evidence("refactored", None, None, "no code in the answer"),)},
            )
            + _verdicts("a-4", {"maintainability": Outcome.SKIPPED}, {})
        )
    return path


@pytest.fixture
def demo_session(tmp_path: Path) -> Path:
    """A small session: four attempts with verdicts (one with evidence on a real line), nothing judged."""
    return build_session(tmp_path / "s.db")


@pytest.fixture
def hostile_session(tmp_path: Path) -> Path:
    """An attempt whose id, path, model, code, note and evidence carry markup, ANSI, bidi, tab, CRLF and NUL."""
    return build_hostile_session(tmp_path / "hostile.db")


def build_hostile_session(path: Path) -> Path:
    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t-h", "python", f"src/{HOSTILE}.py", f"x = 1\n# {HOSTILE}\n")])
        store.add_attempts(
            [
                Attempt(HOSTILE_ID, "t-h", f"model {HOSTILE}", f"x = 2\n# {HOSTILE}\ny = '{HOSTILE}'\n"),
                Attempt("a-plain", "t-h", "model-b", "x = 3\n"),  # not judged: the screen opens here, p goes back
            ]
        )
        store.save_verdicts(
            _verdicts(
                HOSTILE_ID,
                {"defects": Outcome.FAIL},
                {
                    "defects": (Evidence("refactored", 2, 1, f"finding {HOSTILE}"),),
                },
            )
        )
        store.save_judgements(
            [
                Judgement(
                    "j-h",
                    HOSTILE_ID,
                    "ana",
                    "syntax",
                    label=Label.PASS,
                    note=f"note {HOSTILE}",
                    opened_at="2026-01-01T00:00:00Z",
                    saved_at="2026-01-01T00:00:01Z",
                ),
            ]
        )
    return path


def make_app(
    path: Path,
    reviewer: str = "ana",
    mode: str | None = None,
    shuffle: str | None = None,
    keymap: dict[str, str] | None = None,
    start_at: str | None = None,
) -> BareTuiApp:
    """The app as `bare-tui review` builds it, on a Store opened in the test's (the event loop's) thread, with a
    clock that stands still (the header's "0:00 on this" stays put in snapshots)."""
    store = Store.open(path)
    session = ReviewSession.open(store, reviewer, mode, shuffle)
    return BareTuiApp(session, path, start_at=start_at, keymap=keymap, clock=lambda: 1000.0)


async def settle(pilot: Pilot[None], app: BareTuiApp) -> None:
    """Wait until the diff on show has been computed and painted."""
    from bare_tui.tui.screens.review import ReviewScreen
    from bare_tui.tui.widgets.diff_view import DiffView

    for _ in range(200):
        await pilot.pause()
        views = list(app.screen.query(DiffView))
        if not views and isinstance(app.screen, ReviewScreen):
            continue  # the review screen is not composed yet
        if not views or (not views[0].is_computing and views[0].model is not None):
            break  # computed, or a screen without a diff is on top
        await asyncio.sleep(0.01)
    await pilot.pause()


async def wait_for(pilot: Pilot[None], ready: Callable[[], bool], what: str) -> None:
    """Let the app run until ready() holds, then for one more idle moment. A test waits on a state (a dialog has
    the focus, the input holds what was typed), never a fixed pause: a loaded machine is slower, not different.
    Fails naming `what` after a minute, so that a state that never comes is a failure rather than a hang."""
    deadline = time.monotonic() + 60
    while not ready():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause(0.01)
    if pilot.app.is_running:
        await pilot.pause()
