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


async def test_findings_shown_and_stepped_to_before_the_list_is_mounted_are_listed_and_highlighted() -> None:
    """The findings list is mounted after the screen's first paint: what was shown and the finding an `e` stepped to
    in the meantime are in it once it is, and the step was announced at once (no key is lost)."""
    from textual.app import App, ComposeResult

    from bare_tui.model import Evidence, Outcome, Verdict

    verdicts = {
        "signatures": Verdict(
            "a-1",
            "signatures",
            Outcome.FAIL,
            evidence=(Evidence("original", 3, None, "first"), Evidence("refactored", 9, None, "second")),
        )
    }
    chosen: list[str] = []
    before: dict[str, object] = {}

    class Panel(App[None]):
        def compose(self) -> ComposeResult:
            yield VerdictPanel(id="verdicts")

        def on_mount(self) -> None:
            panel = self.query_one(VerdictPanel)
            before["listed"] = bool(panel.query(_Findings))
            panel.show(verdicts, True)
            before["stepped"] = panel.step(1)
            before["stepped again"] = panel.step(1)

        def on_verdict_panel_finding_chosen(self, event: VerdictPanel.FindingChosen) -> None:
            chosen.append(event.finding.evidence.message)

    app = Panel()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        await pilot.pause()
        options = app.query_one(VerdictPanel).query_one(_Findings)
        assert before["listed"] is False  # not there at the first paint
        assert options.option_count == 2
        assert options.highlighted == 1
        assert app.query_one(VerdictPanel).selected is not None
        assert app.query_one(VerdictPanel).selected.evidence.message == "second"
    assert chosen == ["first", "second"]
