"""The queue screen under Pilot: rows appear, filters narrow them and update the counts, enter returns the attempt."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, Static

from bare_tui.tui.screens.queue import QueueScreen
from bare_tui.tui.widgets.choice import Choice

from .conftest import wait_for
from .queue_fixtures import EXPECTED_ORDER, build_queue_session, queue_loaded

SIZE = (120, 40)
UNSET = "unset"


class QueueHost(App[None]):
    """The smallest app that shows the queue the way the review screen does, and keeps what it returns."""

    def __init__(self, path: Path, reviewer: str = "ana") -> None:
        super().__init__()
        self.path = path
        self.reviewer = reviewer
        self.chosen: str | None = UNSET

    def on_mount(self) -> None:
        self.push_screen(QueueScreen(self.path, self.reviewer), self._chosen)

    def _chosen(self, attempt_id: str | None) -> None:
        self.chosen = attempt_id


@pytest.fixture
def session(tmp_path: Path) -> Path:
    return build_queue_session(tmp_path / "queue.db")


def shown(screen: QueueScreen) -> list[str]:
    return [row.attempt_id for row in screen.table.rows]


def counts(screen: QueueScreen) -> str:
    return str(screen.query_one("#queue-counts", Static).content)


async def test_rows_appear_with_counts(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        assert shown(screen) == EXPECTED_ORDER
        assert counts(screen) == "6 of 6 shown · 1 judged · 2 partly · 3 disputed · 1 disputed failure · 2 flagged"


async def test_filter_keys_narrow_the_rows_and_update_the_counts(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        await pilot.press("d")
        assert shown(screen) == ["a-2", "a-4", "a-5"]
        assert counts(screen).startswith("3 of 6 shown · 0 judged · 2 partly · 3 disputed")
        assert screen.query_one("#filter-disputed", Choice).value is True  # the bar shows what is on
        await pilot.press("f")
        assert shown(screen) == ["a-5"]
        await pilot.press("d", "f", "j")
        assert shown(screen) == ["a-3", "a-5", "a-6"]  # not judged by ana
        await pilot.press("j")
        assert shown(screen) == ["a-2", "a-4"]  # partly
        await pilot.press("escape")
        assert shown(screen) == EXPECTED_ORDER


async def test_path_text_and_selects_filter(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        await pilot.press("slash")
        assert isinstance(screen.focused, Input)
        await pilot.press(*"LIMITER", "enter")
        assert shown(screen) == ["a-3", "a-4"]
        assert counts(screen).startswith("2 of 6 shown")
        assert screen.focused is screen.table  # enter hands the keys back to the table
        screen.query_one("#filter-model", Choice).value = "model-b"
        await pilot.pause()
        assert shown(screen) == ["a-4"]
        await pilot.press("enter")
        assert app.chosen == "a-4"


async def test_stage_outcome_select_through_the_keyboard(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        select = screen.query_one("#filter-outcome", Choice)
        select.focus()
        await pilot.press("enter")  # open the list: blank, then syntax=pass, syntax=fail, ...
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert select.value == ("syntax", "fail")
        assert shown(screen) == ["a-3"]


async def test_a_choice_closed_with_escape_keeps_its_filter_and_its_first_entry_clears_it(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        choice = screen.query_one("#filter-outcome", Choice)
        choice.focus()
        await pilot.press("enter", "down", "down", "enter")  # syntax=fail
        await wait_for(pilot, lambda: shown(screen) == ["a-3"], "the syntax=fail filter applied")
        await pilot.press("enter", "down", "escape")  # opened, moved, closed without choosing
        await pilot.pause()
        assert app.screen is screen
        assert choice.value == ("syntax", "fail")
        assert shown(screen) == ["a-3"]
        await pilot.press("enter", "home", "enter")  # the first entry is the prompt: no filter
        await wait_for(pilot, lambda: shown(screen) == EXPECTED_ORDER, "the filter cleared")
        assert choice.value is None
        assert "stage=outcome" in choice.render().plain


async def test_a_click_opens_a_choice_and_a_click_beside_its_list_closes_it(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        await pilot.click("#filter-model")
        await wait_for(pilot, lambda: app.screen is not screen, "the model list open")
        await pilot.click(offset=(SIZE[0] - 2, SIZE[1] - 5))
        await wait_for(pilot, lambda: app.screen is screen, "the list closed")
        assert screen.query_one("#filter-model", Choice).value is None
        assert shown(screen) == EXPECTED_ORDER


async def test_enter_returns_the_attempt_under_the_cursor(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        await queue_loaded(pilot, app)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.chosen == "a-3"


async def test_q_returns_none_so_the_app_can_quit(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        await queue_loaded(pilot, app)
        await pilot.press("q")
        await pilot.pause()
        assert app.chosen is None


async def test_typing_q_in_the_path_filter_does_not_quit(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        await pilot.press("slash", "q")
        await wait_for(pilot, lambda: screen.query_one("#filter-path", Input).value == "q", "q typed in the filter")
        assert app.chosen == UNSET


async def test_hostile_path_and_model_are_shown_literally(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        line = screen.table.render_line(EXPECTED_ORDER.index("a-5") + 1).text  # line 0 is the header
        assert "evil/[red]x[/red]\u241b[2J.py" in line  # ESC drawn as its control picture, markup as text
        assert "[b]m[/b]" in line
        assert "\x1b" not in line
        assert app.is_running  # the [@click=app.quit] in the session did nothing


async def test_returning_to_the_queue_reads_new_labels(session: Path) -> None:
    from bare_tui.model import Judgement, Label
    from bare_tui.store import Store

    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        with Store.open(session) as store:
            store.save_judgements([Judgement("j-new", "a-3", "ana", "syntax", Label.FAIL)])
        screen.reload()
        for _ in range(200):
            await pilot.pause(0.01)
            if counts(screen).startswith("6 of 6 shown · 1 judged · 3 partly"):
                break
        assert counts(screen).startswith("6 of 6 shown · 1 judged · 3 partly")


def test_queue_snapshot(session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = QueueHost(session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await queue_loaded(pilot, app)
        await pilot.press("down")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_queue_snapshot_filtered(session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = QueueHost(session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await queue_loaded(pilot, app)
        await pilot.press("d")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_through_the_app_q_opens_the_queue_and_enter_reviews_the_chosen_attempt(session: Path) -> None:
    from bare_tui.tui.screens.review import ReviewScreen

    from .conftest import make_app, settle

    app = make_app(session, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        await pilot.press("q")
        queue = await queue_loaded(pilot, app)  # type: ignore[arg-type]
        assert queue.reviewer == "ana"
        await pilot.press("j", "enter")  # not judged by ana: a-3 first
        await settle(pilot, app)
        assert app.screen is review
        assert review.bundle is not None and review.bundle.attempt_id == "a-3"


async def test_a_click_moves_the_cursor_and_a_second_click_opens(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        await pilot.click("#queue-table", offset=(10, 3))  # line 0 is the header: line 3 is the third row
        await pilot.pause()
        assert screen.table.cursor_key == "a-3" and app.chosen == UNSET
        await pilot.click("#queue-table", offset=(10, 3))
        await pilot.pause()
        assert app.chosen == "a-3"


async def test_a_filter_that_matches_nothing_says_how_to_get_the_rows_back(session: Path) -> None:
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        await pilot.press("slash", *"no-such-file", "enter")
        assert shown(screen) == []
        assert counts(screen) == "0 of 6 shown · 0 judged · 0 disputed · esc clears the filters"
        await pilot.press("enter")  # nothing under the cursor: nothing to open
        assert app.chosen == UNSET
        await pilot.press("escape")
        assert shown(screen) == EXPECTED_ORDER
        assert screen.query_one("#filter-path", Input).value == ""


async def test_audit_from_the_queue_and_back_shows_the_settled_dispute(session: Path) -> None:
    from bare_tui.tui.screens.audit import AuditScreen

    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        assert counts(screen).endswith("3 disputed · 1 disputed failure · 2 flagged")
        await pilot.press("A")
        for _ in range(300):
            await pilot.pause(0.01)
            if isinstance(app.screen, AuditScreen) and app.screen.table.row_count:
                break
        audit = app.screen
        assert isinstance(audit, AuditScreen) and audit.auditor == "ana"
        await pilot.press("down", "down")  # a-4 integrity: the reviewers disagree
        await wait_for(pilot, lambda: audit.table.cursor_value.attempt_id == "a-4", "the cursor on a-4")
        await pilot.press("a", "3", "enter")  # pass, reviewer-error: agrees with the pipeline
        await pilot.pause()
        await pilot.press("q")
        for _ in range(300):
            await pilot.pause(0.01)
            if app.screen is screen and "2 disputed" in counts(screen):
                break
        assert app.screen is screen
        assert counts(screen).endswith("2 disputed · 1 disputed failure · 2 flagged")


async def test_a_session_that_cannot_be_read_is_one_line_on_the_screen(tmp_path: Path) -> None:
    app = QueueHost(tmp_path / "gone.db")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):
            await pilot.pause(0.01)
            if isinstance(app.screen, QueueScreen) and "no such session" in counts(app.screen):
                break
        assert "gone.db: no such session" in counts(app.screen)  # type: ignore[arg-type]
        assert not (tmp_path / "gone.db").exists()


async def test_an_extra_stage_gets_a_column_after_the_six(session: Path) -> None:
    from bare_tui.model import Outcome, Verdict
    from bare_tui.store import Store

    with Store.open(session) as store:
        store.save_verdicts([Verdict("a-3", "tests", Outcome.FAIL, pipeline_version="0.1.0+test")])
    app = QueueHost(session)
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        header = screen.table.render_line(0).text
        assert header.index("all") < header.index("tes") < header.index("you")
        screen.apply_filter(screen.filter.__class__(stage_outcome=("tests", "fail")))
        await pilot.pause()
        assert shown(screen) == ["a-3"]


async def test_a_return_reads_again_the_attempts_touched_meanwhile(session: Path) -> None:
    """The review screen tells the queue which attempts it saved; the return shows them as they are now."""
    from bare_tui.model import FIELDS, Judgement, Label
    from bare_tui.store import Store

    touched: set[str] = set()

    def take() -> set[str]:
        found = set(touched)
        touched.clear()
        return found

    class Host(App[None]):
        def on_mount(self) -> None:
            self.install_screen(QueueScreen(session, "ana", touched=take), name="queue")
            self.push_screen("queue")

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = await queue_loaded(pilot, app)
        assert screen.rows[2].state.value == "not judged"
        app.pop_screen()
        await pilot.pause()
        with Store.open(session) as store:  # what saving a-3 on the review screen writes
            store.save_judgements(
                [
                    Judgement(f"k-{stage}", "a-3", "ana", stage, Label.PASS, saved_at="2026-11-22T10:00:00Z")
                    for stage in FIELDS
                ]
            )
        touched.add("a-3")
        await app.push_screen("queue")
        await pilot.pause()
        assert screen.rows[2].attempt_id == "a-3" and screen.rows[2].state.value == "judged"
        assert counts(screen).startswith("6 of 6 shown · 2 judged")
