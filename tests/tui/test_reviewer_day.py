"""A reviewer's day (issue 14) under Pilot: blind mode on every screen, one process per reviewer, the keys that
save time (A, g, the restoring undo, overall suggested), walking a filtered queue, keymaps, pacing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from bare_tui import cli
from bare_tui.model import FIELDS, Label
from bare_tui.queue import HIDDEN, QueueFilter
from bare_tui.rubric import Rubric, set_rubric
from bare_tui.store import SessionError, Store
from bare_tui.tui.dialogs.goto import GoToScreen
from bare_tui.tui.dialogs.help import HelpScreen
from bare_tui.tui.dialogs.rubric import RubricScreen
from bare_tui.tui.keymap import default_keymap_path, load_keymap
from bare_tui.tui.screens.audit import AuditScreen
from bare_tui.tui.screens.review import ReviewScreen

from .conftest import make_app, settle, wait_for
from .queue_fixtures import build_queue_session, queue_loaded

SIZE = (120, 40)


def current(path: Path, reviewer: str = "ana") -> dict[tuple[str, str], object]:
    with Store.open(path, readonly=True) as store:
        return {(j.attempt_id, j.stage): j for j in store.judgements(reviewer=reviewer)}


def words(text: object) -> str:
    """A widget's text with its wrapping undone."""
    return " ".join(str(text).split())


def notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def audit_loaded(pilot, app) -> AuditScreen:  # type: ignore[no-untyped-def]
    def title() -> str:
        return " ".join(str(title.content) for title in app.screen.query("#audit-title").results(Static))

    await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen) and "open" in title(), "the audit list loaded")
    screen = app.screen
    item = screen.table.cursor_value
    details = lambda: str(screen.query_one("#audit-details", Static).content)  # noqa: E731
    await wait_for(pilot, lambda: item is None or item.attempt_id in details(), "the item's details shown")
    return screen


@pytest.fixture
def queue_session(tmp_path: Path) -> Path:
    return build_queue_session(tmp_path / "queue.db")


# ---------------------------------------------------------------------- 1. blind mode on every screen
async def test_a_blind_queue_shows_outcomes_only_of_attempts_labelled_or_revealed(demo_session: Path) -> None:
    app = make_app(demo_session, mode="blind")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("q")
        queue = await queue_loaded(pilot, app)
        assert all(set(row.outcomes) == {HIDDEN} for row in queue.rows)  # nothing labelled, nothing seen
        assert "a-3" not in [r.attempt_id for r in queue.table.rows if r.outcome("syntax") == "fail"]
        await pilot.press("enter")  # back to a-1, still blind
        await settle(pilot, app)
        review = app.screen
        assert isinstance(review, ReviewScreen) and not review.revealed
        await pilot.press("a", "enter")  # one field only: the verdicts stay hidden, and were not seen
        await settle(pilot, app)
        assert current(demo_session)[("a-1", "syntax")].saw_verdicts is False
        await pilot.press("r", "q")  # a-2 revealed: its row shows its outcomes, no other does
        queue = await queue_loaded(pilot, app)
        revealed = {row.attempt_id for row in queue.rows if not row.hidden}
        assert revealed == {"a-2"}
        assert "blind: outcomes of 3 hidden" in str(queue.query_one("#queue-counts", Static).content)


async def test_a_blind_reviewer_reaches_no_statistics_and_a_reveal_lasts_into_the_next_app(demo_session: Path) -> None:
    from bare_tui.tui.screens.stats import StatsScreen

    app = make_app(demo_session, mode="blind")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("r")  # a-1 revealed; a-2 to a-4 unseen
        await app.run_action("stats")  # the palette's "Agreement statistics"
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)  # the figures count every attempt's verdicts
        assert any("blind review" in n for n in notices(app))
    app = make_app(demo_session, mode="blind")  # a new process: what was revealed stays revealed
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.screen.bundle.attempt_id == "a-1" and app.screen.revealed
        for _ in range(3):
            await pilot.press("n", "r")
            await settle(pilot, app)
        await app.run_action("stats")  # every attempt seen: nothing left to hide
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen), "the statistics opened")


async def test_a_blind_reviewer_s_audit_lists_only_attempts_whose_verdicts_they_have_seen(queue_session: Path) -> None:
    app = make_app(queue_session, reviewer="ana", mode="blind")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await app.run_action("audit")
        audit = await audit_loaded(pilot, app)
        # ana labelled all six fields of a-1 only, which nobody disputes: every item is on attempts not seen
        assert audit.table.row_count == 0 and audit.hidden > 0
        assert "not listed" in str(audit.query_one("#audit-title", Static).content)
    app = make_app(queue_session, reviewer="ana", mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await app.run_action("audit")
        audit = await audit_loaded(pilot, app)
        assert audit.table.row_count > 0 and audit.hidden == 0


# ---------------------------------------------------------------------- 2. one process per reviewer
async def test_a_second_app_of_the_same_reviewer_is_read_only_with_a_lasting_badge(demo_session: Path) -> None:
    first = make_app(demo_session)
    second = make_app(demo_session)  # the first still holds ana's claim
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot, second)
        title = str(second.screen.query_one("#review-title", Static).render())
        assert "READ-ONLY" in title
        await pilot.press("a", "enter")
        await pilot.pause()
        assert current(demo_session) == {}
        assert any("not saved: read-only" in n and "labelling this session in another" in n for n in notices(second))
    first.session.close()


# ---------------------------------------------------------------------- 3. the keys
async def test_capital_a_passes_every_unlabelled_field_and_saves(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("x", "A")  # syntax fail, the rest pass: two keys for a whole attempt
        await settle(pilot, app)
        assert app.screen.attempt_id == "a-2"
    saved = current(demo_session)
    assert [saved[("a-1", f)].label for f in FIELDS] == [Label.FAIL] + [Label.PASS] * 5


async def test_overall_is_offered_not_saved_and_a_contradiction_is_shown(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press(*"aaaaa")
        screen = app.screen
        form_text = words(screen.query_one("#form").render())
        assert "pass?" in form_text and "overall pass? as the five say: a confirms it" in form_text
        await pilot.press("shift+tab", "x", "a")  # maintainability fail, then overall pass: a contradiction
        assert "but maintainability fail: overall passes only when all five pass" in words(
            screen.query_one("#form").render()
        )
        await pilot.press("tab", "u", "enter")  # maintainability unsure, save: overall is saved as given
        await settle(pilot, app)
    assert current(demo_session)[("a-1", "overall")].label is Label.PASS


async def test_g_goes_to_an_attempt_by_its_id(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GoToScreen)
        await pilot.press(*"a-9", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GoToScreen)  # unknown: says so and stays
        assert "no attempt" in str(app.screen.query_one("#goto-error", Static).render())
        await pilot.press("ctrl+u", *"a-3", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ReviewScreen) and app.screen.attempt_id == "a-3"


async def test_enter_and_n_follow_the_filter_the_reviewer_came_from(queue_session: Path) -> None:
    app = make_app(queue_session, reviewer="cleo", mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("q")
        queue = await queue_loaded(pilot, app)
        queue.apply_filter(QueueFilter(model="model-a"))
        await pilot.pause()
        assert [r.attempt_id for r in queue.table.rows] == ["a-1", "a-3", "a-6"]
        await pilot.press("enter")
        await settle(pilot, app)
        review = app.screen
        assert review.attempt_id == "a-1"
        assert "filter model-a: 1 of 3" in str(review.query_one("#review-title", Static).render())
        await pilot.press("n")  # import order would give a-2
        await settle(pilot, app)
        assert review.attempt_id == "a-3"
        await pilot.press("A")  # saved: the next unjudged in the filter is a-6 (import order: a-4)
        await settle(pilot, app)
        assert review.attempt_id == "a-6"
        await pilot.press("n")
        assert any("last attempt of filter model-a" in n for n in notices(app))
        await pilot.press("q")  # no filter: back to the session's order
        queue = await queue_loaded(pilot, app)
        queue.apply_filter(QueueFilter())
        await pilot.pause()
        await pilot.press("home", "enter")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert review.attempt_id == "a-2" and "attempt 2 of 6" in str(
            review.query_one("#review-title", Static).render()
        )


async def test_attempt_option_opens_there_and_an_unknown_id_is_one_line(
    demo_session: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(demo_session, start_at="a-3")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.screen.attempt_id == "a-3"
    app.session.close()
    assert cli.main(["review", str(demo_session), "--reviewer", "ana", "--attempt", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no attempt 'nope'" in err


async def test_a_keymap_rebinds_keys_and_the_help_and_footer_show_them(demo_session: Path, tmp_path: Path) -> None:
    keymap_file = tmp_path / "keymap.toml"
    keymap_file.write_text('"review.pass" = "y"\n[review]\nnext_attempt = "j"\n', encoding="utf-8")
    keymap = load_keymap(keymap_file)
    assert keymap == {"review.pass": "y", "review.next_attempt": "j"}
    app = make_app(demo_session, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("y")
        assert app.screen.form.label_of("syntax") is Label.PASS
        footer_keys = {binding.key for _, binding, *_ in app.screen.active_bindings.values()}
        assert "y" in footer_keys and "a" not in footer_keys
        await pilot.press("j")  # unsaved: the warning names the key in force
        assert any("press j again" in n for n in notices(app))
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        keys = {entry.description: entry.keys for entry in help_screen.entries}
        assert keys["Pass"] == "y" and keys["Next attempt"] == "j" and keys["Fail"] == "x"


def test_a_bad_keymap_is_one_line_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "keymap.toml"
    bad.write_text('"review.pas" = "y"\n', encoding="utf-8")
    session = tmp_path / "s.db"
    Store.open(session, create=True).close()
    assert cli.main(["review", str(session), "--keymap", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "review.pas" in err and str(bad) in err
    assert default_keymap_path({"XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg/bare-tui/keymap.toml")
    assert load_keymap(None, {"XDG_CONFIG_HOME": str(tmp_path / "none")}) == {}  # no file: no keymap


async def test_ctrl_q_asks_once_when_labels_are_unsaved(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", "ctrl+q")
        await pilot.pause()
        assert app.is_running and any("press ctrl+q again" in n for n in notices(app))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


# ---------------------------------------------------------------------- 4. finding and pacing
async def test_the_header_counts_changes_and_times_the_attempt(demo_session: Path) -> None:
    now = [100.0]
    app = make_app(demo_session)
    app._clock = lambda: now[0]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        pace = screen.query_one("#review-pace", Static)
        assert "1 change" in str(pace.render()) and "0:00 on this" in str(pace.render())
        await pilot.press("right_square_bracket")
        assert "change 1 of 1" in str(pace.render())
        now[0] += 75
        await pilot.press(*"aaaaaa", "enter")
        await settle(pilot, app)
        now[0] += 12
        screen._paint_pace()
        text = str(pace.render())
        assert "0:12 on this" in text and "/h" in text  # one save in 87 s: 41 an hour


# ---------------------------------------------------------------------- 5. any terminal size
async def test_below_110_columns_the_diff_is_unified_and_the_verdicts_are_in_a_drawer(demo_session: Path) -> None:
    app = make_app(demo_session, mode="assisted")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert screen.diff.mode == "unified"
        assert not screen.query_one("#review-side").display and screen.query_one("#form-strip").display
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#review-side").display
        await pilot.press("a", "v")
        await pilot.pause()
        assert not screen.query_one("#review-side").display
        assert "syn pass" in str(screen.query_one("#form-strip").render())


async def test_at_80_columns_the_attempts_row_keeps_the_models_name(demo_session: Path) -> None:
    # Textual wraps a Static's text by words: a name that did not fit went to a second line nobody sees
    now = [100.0]
    app = make_app(demo_session)
    app._clock = lambda: now[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        now[0] += 60
        await pilot.press("A")  # saves attempt 1, opens 2: the session now has a rate
        await settle(pilot, app)
        screen._paint_pace()
        model = screen.bundle.summary.model
        row = "".join(segment.text for segment in screen.query_one("#review-attempt").render_line(0))
        assert f"{screen.bundle.attempt_id} · " in row and f"model {model}" in row
        assert "/h" not in str(screen.query_one("#review-pace", Static).render())  # its room given to the row
        await pilot.resize_terminal(140, 40)
        await settle(pilot, app)
        screen._paint_pace()
        assert "/h" in str(screen.query_one("#review-pace", Static).render())


# ---------------------------------------------------------------------- 6. the rubric on a key
RUBRIC = """Judge the refactored file as a maintainer would.

## syntax

It parses: **a warning is not a failure**.

## defects

A *new* finding only; \x1b[31mcolours\x1b[0m are not findings.
"""


def test_a_rubric_is_split_by_field_and_a_misspelt_heading_is_refused(tmp_path: Path, demo_session: Path) -> None:
    rubric = Rubric.parse(RUBRIC)
    assert set(rubric.sections) == {"syntax", "defects"} and rubric.general.startswith("Judge")
    shown = rubric.for_field("defects")
    assert shown.index("A *new* finding") < shown.index("Judge the refactored") < shown.index("It parses")
    assert "no section for integrity" in rubric.for_field("integrity")
    bad = tmp_path / "bad.md"
    bad.write_text("## sintax\n\nparses\n", encoding="utf-8")
    with Store.open(demo_session) as store, pytest.raises(SessionError, match=r"bad.md:1: '## sintax' names no field"):
        set_rubric(store, bad)


async def test_i_shows_the_session_rubric_for_the_focused_field(tmp_path: Path, demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, RubricScreen) and "No rubric in this session" in app.screen.shown
        await pilot.press("escape")
    app.session.close()
    source = tmp_path / "rubric.md"
    source.write_text(RUBRIC, encoding="utf-8")
    with Store.open(demo_session) as store:
        set_rubric(store, source)  # what `bare-tui review SESSION --rubric FILE` does
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("tab", "tab", "tab", "i")  # defects focused
        await pilot.pause()
        shown = app.screen.shown
        assert shown.startswith("## defects") and "\x1b" not in shown and "␛[31m" in shown
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
