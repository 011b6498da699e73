"""The audit screen under Pilot: the list's order, settling an item with a reason code, and what it leaves on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from bare_tui.audit import load_items
from bare_tui.cli import main
from bare_tui.model import Label, ReasonCode
from bare_tui.queue import load_rows
from bare_tui.store import Store
from bare_tui.tui.app import BareTuiApp
from bare_tui.tui.dialogs.reason import ReasonScreen
from bare_tui.tui.screens.audit import AuditScreen
from bare_tui.tui.screens.review import ReviewScreen
from bare_tui.tui.widgets.diff_view import DiffView

from .conftest import make_app, wait_for
from .queue_fixtures import build_queue_session

SIZE = (120, 40)


@pytest.fixture
def session(tmp_path: Path) -> Path:
    return build_queue_session(tmp_path / "queue.db")


async def loaded(pilot, app: BareTuiApp) -> AuditScreen:  # type: ignore[no-untyped-def]
    for _ in range(500):
        await pilot.pause(0.01)
        screen = app.screen
        if isinstance(screen, AuditScreen) and screen.table.row_count:
            break
    else:
        raise AssertionError("the audit list never appeared")
    # Wait for the first item's diff and details so that what is painted is settled.
    diff = screen.query_one(DiffView)
    item = screen.table.cursor_value
    assert item is not None
    shown = lambda: diff.model is not None and not diff.is_computing and item.attempt_id in details(screen)  # noqa: E731
    await wait_for(pilot, shown, "the first item's diff and details")
    return screen


def listed(screen: AuditScreen) -> list[tuple[str, str]]:
    return [item.key for item in screen.table.rows]


def details(screen: AuditScreen) -> str:
    return str(screen.query_one("#audit-details", Static).content)


async def test_the_list_starts_with_the_disputed_failure_and_shows_what_everyone_said(session: Path) -> None:
    app = BareTuiApp.auditing(session, "eve")
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app)
        assert listed(screen) == [
            ("a-2", "signatures"),
            ("a-5", "maintainability"),
            ("a-4", "integrity"),
            ("a-5", "overall"),
            ("a-6", "overall"),
        ]
        text = details(screen)
        assert "disputed failure" in text
        assert "insort_left(a, x, lo, hi, key) is missing" in text  # the verdict's evidence
        assert "the function was renamed, callers updated" in text and "rename is fine" in text
        # The diff opened on the attempt, at the evidence's line on the original side.
        assert screen.query_one(DiffView).marked_line is not None
        assert screen.query_one(DiffView).marked_line[0] == "original"  # type: ignore[index]
        assert screen.query_one(DiffView).scroll_y > 0  # line 53 of bisect.py is below the first page


async def test_the_next_attempt_down_the_list_is_ready_before_the_auditor_moves(session: Path) -> None:
    app = BareTuiApp.auditing(session, "eve")
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app)
        diff = screen.query_one(DiffView)
        for _ in range(200):
            if diff.prefetched and not diff.is_prefetching:
                break
            await pilot.pause(0.01)
        assert diff.prefetched == 1
        await pilot.press("down")  # a-2 -> a-5
        # the list waits a moment before it shows what the cursor is on
        await wait_for(pilot, lambda: "a-5" in details(screen), "a-5's details")
        assert screen.table.cursor_value.attempt_id == "a-5"
        assert not diff.is_computing
        await pilot.press("up")
        await wait_for(pilot, lambda: "a-2" in details(screen), "a-2's details")
        assert screen.table.cursor_value.attempt_id == "a-2" and not diff.is_computing  # kept for going back


async def test_adjudication_with_a_reason_code_lands_in_the_database_and_becomes_the_consensus(session: Path) -> None:
    app = BareTuiApp.auditing(session, "eve")
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app)
        await pilot.press("down", "down")  # a-4 integrity: ana fail, ben pass, pipeline pass
        await wait_for(pilot, lambda: "a-4" in details(screen), "a-4's details")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("3")  # reviewer-error; the note takes the keys next
        assert isinstance(app.screen.focused, Input)
        await pilot.press(*"comment is code", "enter")
        await pilot.pause()
        assert app.screen is screen
        # On disk, committed, as the auditor said it.
        with Store.open(session) as store:
            stored = store.adjudications()
            assert [(a.attempt_id, a.stage, a.label, a.reason, a.note, a.auditor) for a in stored] == [
                ("a-4", "integrity", Label.FAIL, ReasonCode.REVIEWER_ERROR, "comment is code", "eve"),
            ]
            item = {i.key: i for i in load_items(store)}[("a-4", "integrity")]
            assert item.consensus == "fail"
            # The pipeline said pass, the consensus is now fail: the queue shows a-4 disputed on that ground.
            assert {r.attempt_id: r for r in load_rows(store, "ana")}["a-4"].disputed
        # The list marks it settled, moves it below the open ones and the cursor on to the next open item.
        assert listed(screen)[-1] == ("a-4", "integrity")
        assert screen.table.rows[-1].settled
        assert screen.table.cursor_value.key == ("a-5", "overall")  # type: ignore[union-attr]
        await pilot.press("h")
        assert ("a-4", "integrity") not in listed(screen)
        await pilot.press("h")
        assert ("a-4", "integrity") in listed(screen)


async def test_enter_in_the_reason_list_takes_the_suggested_code(session: Path) -> None:
    app = BareTuiApp.auditing(session, "eve")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        await pilot.press("a")  # the disputed failure: pass suggests pipeline-false-fail
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.highlighted == 0
        await pilot.press("enter", "enter")
        await pilot.pause()
        with Store.open(session) as store:
            assert [(a.label, a.reason, a.note) for a in store.adjudications()] == [
                (Label.PASS, ReasonCode.PIPELINE_FALSE_FAIL, ""),
            ]


async def test_q_ends_bare_tui_audit_and_from_the_review_goes_back_to_it(session: Path) -> None:
    """The audit list is `bare-tui audit`'s first screen: q there ends the program. Opened from the review
    screen, q goes back to the review."""
    app = BareTuiApp.auditing(session, "eve")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "bare-tui audit ended by q")
    app = make_app(session, reviewer="eve", mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review screen")
        await app.run_action("audit")
        await loaded(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "back on the review screen")
        assert app.is_running and len(app.screen_stack) == 1


async def test_escape_cancels_without_writing(session: Path) -> None:
    app = BareTuiApp.auditing(session, "eve")
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app)
        await pilot.press("u", "escape")
        await pilot.pause()
        assert app.screen is screen
        with Store.open(session) as store:
            assert store.adjudications() == []


async def test_hostile_notes_and_paths_are_shown_literally(session: Path) -> None:
    app = BareTuiApp.auditing(session, "eve")
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot, app)
        await pilot.press("down")  # a-5 maintainability: ben's note and flag carry markup and escapes
        await wait_for(pilot, lambda: "a-5" in details(screen), "a-5's details")
        text = details(screen)
        assert "note [bold]x[/bold] [@click=app.quit]q[/] \u241b[31mred" in text
        assert "flag [bold]x[/bold]" in text
        assert "evil/[red]x[/red]\u241b[2J.py" in text and "[b]m[/b]" in text
        assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
        row = screen.table.render_line(2).text
        assert "[red]x[/red]\u241b[2J.py" in row  # the path's end: the list cuts paths at their start
        assert app.is_running


async def test_a_session_with_nothing_disputed_says_so(tmp_path: Path) -> None:
    from bare_tui.model import Attempt, Task

    path = tmp_path / "calm.db"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt("a-1", "t-1", "m", "x = 2\n")])
    app = BareTuiApp.auditing(path, "eve")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):
            await pilot.pause(0.01)
            if isinstance(app.screen, AuditScreen) and "nothing to audit" in details(app.screen):
                break
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        assert details(screen) == "nothing to audit"
        await pilot.press("a")  # nothing under the cursor: no picker opens
        await pilot.pause()
        assert app.screen is screen


def test_audit_command_refuses_a_missing_or_foreign_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    assert main(["audit", str(missing)]) == 2
    assert not missing.exists()  # never creates a session
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database\n")
    assert main(["audit", str(foreign)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("bare-tui: ") for line in err)


def test_audit_snapshot(session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = BareTuiApp.auditing(session, "eve")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await loaded(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reason_picker_snapshot(session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = BareTuiApp.auditing(session, "eve")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await loaded(pilot, app)
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
