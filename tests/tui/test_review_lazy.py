"""The review screen as `bare-tui review` opens it: painted before the session's order and the reviewer's labels
are read. Keys pressed before those reads finish do what they would do after them, and the count of judged
attempts is shown once it is known, never as a guess."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from textual.widgets import ProgressBar, Static

from bare_tui.model import FIELDS, Judgement, Label
from bare_tui.review import ReviewerLabels, ReviewSession, read_labels
from bare_tui.store import Store
from bare_tui.tui.app import BareTuiApp
from bare_tui.tui.screens.review import ReviewScreen

from .conftest import settle, wait_for

SIZE = (120, 40)


def in_force(path: Path) -> dict[str, set[str]]:
    """attempt -> the fields ana has a label in force on."""
    with Store.open(path, readonly=True) as store:
        found: dict[str, set[str]] = {}
        for j in store.judgements(reviewer="ana"):
            found.setdefault(j.attempt_id, set()).add(j.stage)
        return found


def header(screen: ReviewScreen) -> tuple[str, str]:
    return str(screen.query_one("#review-title", Static).render()), str(
        screen.query_one("#review-count", Static).render()
    )


async def test_keys_pressed_before_the_labels_and_order_are_read_lose_nothing(demo_session: Path) -> None:
    with Store.open(demo_session) as store:
        store.save_judgements([Judgement("j-0", "a-1", "ana", "syntax", Label.PASS, saved_at="2026-01-01T00:00:00Z")])
        before = read_labels(store, "ana", store.fields())  # a read that began before any key below
    session = ReviewSession.open(Store.open(demo_session), "ana", lazy=True)
    held: Future[ReviewerLabels] = Future()
    session.labels_ahead = held  # the labels (and so the order, read after them) stay unread until handed over
    app = BareTuiApp(session, demo_session, clock=lambda: 1000.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.attempt_id == "a-2"  # a-1 is judged
        title, count = header(screen)
        assert "attempt 2 of 4" in title and count == "…/4 judged"  # the place counted, the judged count not guessed
        assert screen.query_one(ProgressBar).total is None
        await pilot.press("A")  # every field pass, saved: on to the next attempt not judged, in import order
        await settle(pilot, app)
        assert screen.attempt_id == "a-3" and in_force(demo_session)["a-2"] == set(FIELDS)
        await pilot.press("backspace")  # undone: a-2 again, its labels back in the form, unsaved
        await settle(pilot, app)
        assert screen.attempt_id == "a-2" and "a-2" not in in_force(demo_session)
        assert screen.form.unsaved and all(screen.form.label_of(f) is Label.PASS for f in FIELDS)
        await pilot.press("enter")  # saved again
        await settle(pilot, app)
        assert screen.attempt_id == "a-3" and in_force(demo_session)["a-2"] == set(FIELDS)
        await pilot.press("x", "n", "n")  # a label on a-3, then n twice: the second discards it, a-4 opens
        await settle(pilot, app)
        assert screen.attempt_id == "a-4" and "a-3" not in in_force(demo_session)
        assert "attempt 4 of 4" in header(screen)[0] and header(screen)[1] == "…/4 judged"
        await pilot.press("p")
        await settle(pilot, app)
        assert screen.attempt_id == "a-3"
        held.set_result(before)  # the labels as read before the keys: the saves and the undo laid over them
        await wait_for(pilot, lambda: session.labels_known and session.ordered, "the labels and the order read")
        await wait_for(pilot, lambda: header(screen)[1] == "2/4 judged", "the count shown")
        assert screen.query_one(ProgressBar).total == 4 and screen.query_one(ProgressBar).progress == 2
        assert "attempt 3 of 4" in header(screen)[0]
        assert session.judged == {"a-1", "a-2"} and session.sees_verdicts("a-2")
        await pilot.press("ctrl+q")  # nothing unsaved on a-3: quits at once
        await pilot.pause()
    assert not app.is_running
    assert in_force(demo_session) == {"a-1": {"syntax"}, "a-2": set(FIELDS)}
