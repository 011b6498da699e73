"""A finding's lines in the verdict panel: wrapped to the list's own width, the same on every open of an attempt."""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Region

from bare_tui.tui.widgets.verdict_panel import VerdictPanel, _Findings

from .conftest import make_app, settle

SIZE = (120, 40)


def findings_shown(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The findings list's rows as the screen paints them (trailing blanks dropped)."""
    options = app.screen.query_one(VerdictPanel).query_one(_Findings)
    strips = options.render_lines(Region(0, 0, options.size.width, options.size.height))
    rows = [strip.text.rstrip() for strip in strips]
    while rows and not rows[-1]:
        rows.pop()
    return rows


async def test_a_finding_wraps_the_same_the_first_time_its_attempt_opens_as_later(demo_session: Path) -> None:
    app = make_app(demo_session, mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.screen.attempt_id == "a-1"
        first = findings_shown(app)
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        assert app.screen.attempt_id == "a-1"
        again = findings_shown(app)
    assert first == again
    # one finding: its heading, then the message under it, every row indented and no word cut in two
    message = "insort_left(a, x, lo, hi, key) is missing"
    assert first[0].startswith("signatures original L")
    assert all(row.startswith("  ") for row in first[1:])
    assert " ".join(row.strip() for row in first[1:]) == message
