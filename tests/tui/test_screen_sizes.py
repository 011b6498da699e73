"""Every screen at 80x24 and at 140x45 (issue 14: "every screen works at 80x24 as well as at 200x60"), as SVG
snapshots; regenerate with --snapshot-update and look at them (scripts/screenshots.py renders the same screens
from the demo study). Besides the pictures, each size asserts what must stay visible there."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, Static, TextArea

from bare_tui.calibration import Options
from bare_tui.tui.app import BareTuiApp
from bare_tui.tui.dialogs.goto import GoToScreen
from bare_tui.tui.dialogs.help import HelpScreen
from bare_tui.tui.dialogs.note import NoteScreen
from bare_tui.tui.dialogs.reason import ReasonScreen
from bare_tui.tui.screens.audit import AuditScreen
from bare_tui.tui.screens.queue import QueueScreen
from bare_tui.tui.screens.stats import StatsScreen

from .conftest import make_app, settle, wait_for
from .queue_fixtures import build_queue_session

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((140, 45), id="140x45")]


@pytest.fixture
def queue_session(tmp_path: Path) -> Path:
    return build_queue_session(tmp_path / "queue.db")


async def until(pilot, ready) -> None:  # type: ignore[no-untyped-def]
    """Wait for the screen's data (a minute at most: figures computed on a loaded machine take their time), then
    for every worker (diffs, prefetches) and a last paint."""
    await wait_for(pilot, ready, "the screen showed its data")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_review(demo_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session, mode="blind")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("a", "x")
        title = str(app.screen.query_one("#review-title", Static).render())
        assert "attempt 1 of 4" in title and "BLIND" in title  # the header keeps its facts at any width
        app.clear_notifications()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_review_drawer_at_80x24(demo_session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session, mode="blind")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("r", "v", "e")
        await settle(pilot, app)
        app.clear_notifications()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(demo_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help opened")
        if size[1] < 40:
            subtitle = lambda: str(app.screen.query_one("#help-body").border_subtitle)  # noqa: E731
            await wait_for(pilot, lambda: "more lines" in subtitle(), "the help says it scrolls")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


class QueueHost(App[None]):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(self.path, "ana"))


@pytest.mark.parametrize("size", SIZES)
def test_queue(queue_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = QueueHost(queue_session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        def ready() -> bool:
            screen = app.screen
            return isinstance(screen, QueueScreen) and bool(screen.rows) and screen.rows[0].people_known

        await until(pilot, ready)
        header = app.screen.query_one("#queue-table").render_line(0).text
        assert "id" in header and "path" in header  # ids stay at 80 columns
        filters = [app.screen.query_one(f"#filter-{name}") for name in ("path", "model", "outcome", "flagged")]
        assert all(f.region.right <= size[0] and f.region.bottom <= size[1] for f in filters)  # all on screen

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_audit(queue_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = BareTuiApp.auditing(queue_session, "eve")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        def ready() -> bool:
            screen = app.screen
            return isinstance(screen, AuditScreen) and screen.table.row_count > 0

        await until(pilot, ready)
        assert "id" in app.screen.query_one("#audit-table").render_line(0).text

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_audit_reason(queue_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = BareTuiApp.auditing(queue_session, "eve")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await until(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.table.row_count > 0)
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ReasonScreen) and app.screen.query_one(OptionList).has_focus,
            "the reason picker opened with the focus on its list",
        )

    assert snap_compare(app, terminal_size=size, run_before=run_before)


class StatsHost(App[None]):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.path, Options(by=("model", "anchoring"), replicates=200)))


@pytest.mark.parametrize("size", SIZES)
def test_stats(queue_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = StatsHost(queue_session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        def ready() -> bool:
            screen = app.screen
            if not isinstance(screen, StatsScreen) or screen.bundle is None:
                return False
            table = screen.query_one("#stage-table")
            return table.row_count > 0 and table.size.height > table.row_count  # laid out with its rows

        await until(pilot, ready)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_go_to_dialog(demo_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("g")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, GoToScreen) and app.screen.focused is not None,
            "the dialog has the keys",
        )
        app.screen.query_one(Input).cursor_blink = False  # the cursor shown whatever the moment of the picture
        await pilot.press(*"a-")
        await wait_for(pilot, lambda: app.screen.query_one(Input)._suggestion.startswith("a-"), "an id is suggested")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


NOTE = "renamed helper, callers updated"


@pytest.mark.parametrize("size", SIZES)
def test_note_dialog(demo_session: Path, snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("c")  # keys typed before the dialog has the focus would go elsewhere: wait for it
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, NoteScreen) and app.screen.focused is not None,
            "the dialog has the keys",
        )
        app.screen.query_one(TextArea).cursor_blink = False  # the cursor shown whatever the moment of the picture
        await pilot.press(*NOTE)
        await wait_for(pilot, lambda: app.screen.query_one(TextArea).text == NOTE, "the note holds what was typed")

    assert snap_compare(app, terminal_size=size, run_before=run_before)
