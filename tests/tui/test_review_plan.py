"""The review screen walking a review plan: the plan's order, and its progress in the header."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from bare_tui.model import Label
from bare_tui.plans import PlanSpec, draw_plan, save_drawn
from bare_tui.review import FormState, ReviewSession
from bare_tui.store import Store
from bare_tui.tui.app import BareTuiApp
from bare_tui.tui.screens.review import ReviewScreen

from .conftest import settle


async def test_a_plan_sets_the_order_and_the_header_counts_its_progress(demo_session: Path) -> None:
    with Store.open(demo_session) as store:
        save_drawn(store, draw_plan(store, PlanSpec("p1", 3, reviewers=("ana",), seed=4)))
        planned = [item.attempt_id for item in store.plan_items("p1")]
    store = Store.open(demo_session)
    app = BareTuiApp(ReviewSession.open(store, "ana", plan="p1"), demo_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.bundle is not None
        assert screen.bundle.attempt_id == planned[0]
        title = screen.query_one("#review-title", Static)
        assert "plan p1: 0 of 3" in str(title.render())
        await pilot.press("a", "a", "a", "a", "a", "a", "enter")  # every field pass, saved
        await settle(pilot, app)
        assert screen.bundle is not None and screen.bundle.attempt_id == planned[1]
        assert "plan p1: 1 of 3" in str(title.render())


async def test_undo_of_a_save_outside_the_plan_reopens_it_and_keeps_walking_the_plan(demo_session: Path) -> None:
    with Store.open(demo_session) as store:
        save_drawn(store, draw_plan(store, PlanSpec("p1", 2, reviewers=("ana",), seed=4)))
        planned = [item.attempt_id for item in store.plan_items("p1")]
        outside = next(s.attempt_id for s in store.attempt_summaries() if s.attempt_id not in planned)
    store = Store.open(demo_session)
    session = ReviewSession.open(store, "ana", plan="p1")
    # A save of this process (undo never reaches another process's saves) on an attempt the plan does not hold.
    session.save(FormState().mark(Label.PASS, False), session.load(outside), "2026-01-01T00:00:00Z")
    app = BareTuiApp(session, demo_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("backspace")
        await settle(pilot, app)
        assert screen.bundle is not None and screen.bundle.attempt_id == outside  # its label back in the form
        assert screen.form.label_of("syntax") is Label.PASS and screen.form.unsaved
        assert any(f"of {outside}" in str(n.message) for n in app._notifications)
        assert "plan p1: 0 of 2" in str(screen.query_one("#review-title", Static).render())
        await pilot.press("n")  # unsaved: asks first
        await pilot.press("n")
        await settle(pilot, app)
        assert screen.bundle.attempt_id == planned[0]  # n goes on in the plan
    with Store.open(demo_session) as store:
        assert store.judgements(attempt_id=outside) == []
