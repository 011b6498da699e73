"""Snapshots of the review screen (blind, revealed) and its help at 120x40; regenerate with --snapshot-update."""

from __future__ import annotations

from pathlib import Path

from .conftest import make_app, settle

SIZE = (120, 40)


def test_review_screen_blind(demo_session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session, mode="blind")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("a", "x")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_review_screen_revealed_at_a_finding(demo_session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session, mode="blind")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("r", "e", "3")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(demo_session: Path, snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_session)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
