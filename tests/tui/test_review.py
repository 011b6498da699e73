"""The review screen driven with its keys, as a reviewer would, checking the rows that land in the session."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import fcntl
import os
import pty
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import OptionList, Static

from bare_tui.model import FIELDS, Judgement, Label
from bare_tui.store import Store
from bare_tui.tui.dialogs.help import HelpScreen
from bare_tui.tui.dialogs.note import NoteScreen
from bare_tui.tui.screens.review import REVIEW_BINDINGS, ReviewScreen
from bare_tui.tui.widgets.diff_view import DiffView
from bare_tui.tui.widgets.verdict_panel import VerdictPanel

from .conftest import make_app, settle, wait_for

SIZE = (120, 40)


def current(path: Path, reviewer: str = "ana") -> dict[tuple[str, str], object]:
    with Store.open(path, readonly=True) as store:
        return {(j.attempt_id, j.stage): j for j in store.judgements(reviewer=reviewer)}


def notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_label_every_field_with_the_keys_and_save(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.bundle.attempt_id == "a-1"
        assert screen.form.focused_field == "syntax"
        await pilot.press("a", "x", "u", "a", "a", "x", "enter")
        # enter has returned: the rows are committed, readable from another connection
        rows = current(demo_session)
        assert {stage: j.label for (a, stage), j in rows.items() if a == "a-1"} == {
            "syntax": Label.PASS,
            "signatures": Label.FAIL,
            "integrity": Label.UNSURE,
            "defects": Label.PASS,
            "maintainability": Label.PASS,
            "overall": Label.FAIL,
        }
        assert all(j.opened_at <= j.saved_at and j.supersedes is None for j in rows.values())
        assert any(n.startswith("saved 6 judgements of a-1") for n in notices(app))
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-2"
        assert screen.form.focused_field == "syntax" and not screen.form.unsaved
        assert "attempt 2 of 4" in str(screen.query_one("#review-title", Static).render())
        assert "1/4 judged" in str(screen.query_one("#review-count", Static).render())


async def test_enter_with_nothing_labelled_saves_nothing(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        assert current(demo_session) == {}
        assert app.screen.bundle.attempt_id == "a-1"
        assert any("nothing labelled" in n for n in notices(app))


async def test_blind_then_reveal_records_what_was_seen(demo_session: Path) -> None:
    app = make_app(demo_session, mode="blind")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        panel = app.screen.query_one(VerdictPanel)
        stages = str(panel.query_one("#verdict-stages", Static).render())
        assert "hidden" in stages and "fail" not in stages and panel.findings == []
        await pilot.press("a", "a", "r")
        stages = str(panel.query_one("#verdict-stages", Static).render())
        assert "✗ fail" in stages and len(panel.findings) == 1
        await pilot.press("a", "a", "a", "a", "enter")
    rows = current(demo_session)
    seen = {stage: rows[("a-1", stage)].saw_verdicts for stage in FIELDS}
    assert seen == {
        "syntax": False,
        "signatures": False,
        "integrity": True,
        "defects": True,
        "maintainability": True,
        "overall": True,
    }


async def test_blind_shows_nothing_of_the_verdicts_until_the_labels_are_saved(demo_session: Path) -> None:
    """DESIGN.md: in blind mode no screen shows the automated outcomes before the reviewer's labels are saved or
    r is pressed. A form labelled in every field but not saved may still change: it stays blind, on this screen
    and for the queue and audit screens (visible_ids)."""
    app = make_app(demo_session, mode="blind")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press(*"aaaaaa")  # every field labelled
        assert screen.form.all_labelled and screen.form.unsaved
        assert not screen.revealed
        assert "a-1" not in (screen.session.visible_ids() or ())
        await pilot.press("x")  # still free to change a label, blind
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.attempt_id != "a-1", "the next attempt after the save")
        assert screen.session.sees_verdicts("a-1")  # saved in every field: no longer hidden
        assert "a-1" in (screen.session.visible_ids() or ())
    assert not any(j.saw_verdicts for j in current(demo_session).values())


async def test_blind_shows_the_last_attempts_verdicts_once_it_is_saved_in_every_field(demo_session: Path) -> None:
    """The last attempt in the order, the others judged, has no next one to move to: once saved in every field its
    verdicts show."""
    with Store.open(demo_session) as store:
        assert store.count_attempts() == 4
        store.save_judgements(
            [
                Judgement(f"j-{a}-{f}", f"a-{a}", "ana", f, Label.PASS, saved_at="2026-12-01T10:00:00Z")
                for a in (1, 2, 3)
                for f in FIELDS
            ]
        )
    app = make_app(demo_session, mode="blind", start_at="a-4")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.attempt_id == "a-4"
        await pilot.press(*"aaaaaa")
        assert not screen.revealed
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.revealed, "the saved last attempt's verdicts shown")
        assert screen.attempt_id == "a-4" and not screen.form.unsaved
        assert screen.query_one(VerdictPanel).display


async def test_assisted_mode_from_the_session_setting(demo_session: Path) -> None:
    with Store.open(demo_session) as store:
        store.set_setting("review_mode", "assisted")
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.screen.revealed
        await pilot.press("a", "enter")
    assert current(demo_session)[("a-1", "syntax")].saw_verdicts is True


async def test_backspace_undoes_the_last_save_and_brings_its_labels_back_into_the_form(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        screen.form = screen.form.with_note("formatting only", ("fmt",))
        await pilot.press(*"aaaaaa", "2", "enter")
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-2"
        await pilot.press("backspace")
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-1"
        assert current(demo_session) == {}  # withdrawn on disk...
        # ...and back in the form, unsaved: fixing one field is one key, not six labels and the note again
        assert [f.label for f in screen.form.fields] == [Label.PASS] * 6
        assert screen.form.unsaved and screen.form.confidence == 2
        assert (screen.form.note, screen.form.tags) == ("formatting only", ("fmt",))
        await pilot.press("tab", "tab", "tab", "x", "enter")  # defects was wrong
        await settle(pilot, app)
        saved = current(demo_session)
        assert saved[("a-1", "defects")].label is Label.FAIL and saved[("a-1", "syntax")].label is Label.PASS
        assert saved[("a-1", "overall")].note == "formatting only" and saved[("a-1", "overall")].confidence == 2
        # a changed label, then undone: the earlier label is back in force, the changed one in the form
        await pilot.press("p")
        await settle(pilot, app)
        await pilot.press("u", "enter")
        assert current(demo_session)[("a-1", "syntax")].label is Label.UNSURE
        await pilot.press("backspace")
        await settle(pilot, app)
        assert current(demo_session)[("a-1", "syntax")].label is Label.PASS
        assert screen.form.label_of("syntax") is Label.UNSURE and screen.form.unsaved
    with Store.open(demo_session, readonly=True) as store:
        history = store.judgements(current_only=False, reviewer="ana")
    assert len(history) == 6 + 6 + 6 + 1 + 1  # saves and undos are appended, nothing is deleted


def judgements_in_the_file(path: Path) -> int:
    """Judgement rows the database file itself holds, not counting its WAL: what checkpoints have copied into it."""
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)) as conn:
        return conn.execute("SELECT COUNT(*) FROM judgements").fetchone()[0]


async def test_saves_reach_the_session_file_while_the_reviewer_reads(demo_session: Path) -> None:
    # SQLite copies the WAL into the file inside a commit once it holds 1,000 pages, a pause on every ~20th save or
    # undo of a big study; the screen does it on a thread at a quiet moment instead, after a few saves.
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        in_file = judgements_in_the_file(demo_session)
        for _ in range(12):  # 12 saves and undos write some 650 rows: 650 WAL pages, short of SQLite's 1,000
            await pilot.press("A")
            await settle(pilot, app)
            await pilot.press("backspace")
            await settle(pilot, app)
            await wait_for(pilot, lambda: all(w.is_finished for w in app.workers), "the screen's work finished")
            if judgements_in_the_file(demo_session) > in_file:
                break
        assert judgements_in_the_file(demo_session) > in_file
        assert app.screen.form.unsaved  # the last undo's labels are back in the form, as always


def side_shown(screen: ReviewScreen) -> tuple[object, ...]:
    """What the verdict panel and the judgement form show, as text."""
    panel = screen.query_one(VerdictPanel)
    texts = [str(static.render()) for static in panel.query(Static)]
    options = [str(panel.query_one(OptionList).get_option_at_index(i).prompt) for i in range(len(panel.findings))]
    forms = [str(form.render()) for form in screen.query("JudgementForm")]
    return (panel.stages, texts, options, forms)


async def test_undo_shows_the_attempt_as_a_fresh_open_would_with_the_undone_labels_in_the_form(
    demo_session: Path,
) -> None:
    # a-1 has a finding on a real line; it is flagged and labelled, saved, and a-2 opens; undo reopens a-1.
    app = make_app(demo_session, mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press("p")  # laid out once: the panel's findings are measured at its width
        await settle(pilot, app)
        await pilot.press("f", "a", "x", "a", "a", "a", "x", "3")
        labelled = (screen.form.fields, screen.form.confidence)
        await pilot.press("tab")  # the focus back on syntax, where an undo opens the form
        before = side_shown(screen)
        await pilot.press("enter")
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-2"
        await pilot.press("backspace")
        await settle(pilot, app)
        assert screen.attempt_id == screen.bundle.attempt_id == "a-1"
        # the attempt as the store has it now: its verdicts, no labels in force, the flag
        assert screen.bundle == screen.session.load("a-1")
        assert screen.bundle.judgements == {} and screen.bundle.flagged
        # the form and the panel as they were before the save, the labels unsaved again
        assert (screen.form.fields, screen.form.confidence) == labelled and screen.form.unsaved
        assert side_shown(screen) == before
        assert screen.query_one(DiffView).model is not None
        # saved again, then one label changed and saved: the undo puts the labels saved before back in force
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        await pilot.press("u", "enter")
        await settle(pilot, app)
        await pilot.press("backspace")
        await settle(pilot, app)
        assert screen.bundle == screen.session.load("a-1")
        assert screen.bundle.judgements["syntax"].label is Label.PASS
        assert screen.form.label_of("syntax") is Label.UNSURE and screen.form.unsaved
        await pilot.press("enter")  # saving it again supersedes the labels in force
        await settle(pilot, app)
        assert current(demo_session)[("a-1", "syntax")].label is Label.UNSURE


async def test_labels_given_at_one_width_are_in_the_form_shown_at_another(demo_session: Path) -> None:
    # Wide, the two-line form under the diff is hidden; narrow, the side panel's is: each shows the labels given
    # while it was hidden once the terminal's width brings it back.
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        side, strip = screen.query_one("#form"), screen.query_one("#form-strip")
        await pilot.press("a", "x")
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: strip.display and strip.size.width > 0, "the two-line form shown")
        assert "syn pass" in strip.render_line(0).text.replace("▸", " ")
        assert "sig fail" in strip.render_line(0).text.replace("▸", " ")
        await pilot.press("u")
        await pilot.resize_terminal(*SIZE)
        await wait_for(pilot, lambda: side.size.width > 0 and not screen.narrow, "the side panel's form shown")
        rows = [side.render_line(y).text for y in range(side.size.height)]
        assert any("integrity" in row and "unsure" in row for row in rows), rows


async def test_note_confidence_and_flag(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"renames a public function")
        await pilot.press("tab", *"api naming")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("3", "f")
        with Store.open(demo_session, readonly=True) as store:
            assert [(f.attempt_id, f.reviewer) for f in store.flags()] == [("a-1", "ana")]
        await pilot.press("a", "x", "enter")
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        await pilot.press("f")  # taken back
        with Store.open(demo_session, readonly=True) as store:
            assert store.flags() == []
    rows = current(demo_session)
    assert {(j.note, j.confidence, j.tags) for j in rows.values()} == {
        ("renames a public function", 3, ("api", "naming"))
    }


async def test_escape_asks_before_it_discards_a_changed_note(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("c", *"draft", "escape")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)  # a typed note is not thrown away on one key
        assert any("esc again discards" in n for n in notices(app))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.form.note == ""
        await pilot.press("c", "escape")  # nothing typed: one escape closes
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_a_pasted_escape_sequence_goes_into_the_note_visible_and_in_order(demo_session: Path) -> None:
    from textual import events

    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("c")
        await pilot.pause()
        await app.screen.query_one("#note-text")._on_paste(events.Paste("see \x1b[31mred\x1b[0m \u202eevil\u202c end"))
        await pilot.press(*"!", "ctrl+s")
        await pilot.pause()
        assert app.screen.form.note == "see ␛[31mred␛[0m ⟨U+202E⟩evil⟨U+202C⟩ end!"


async def test_next_and_previous_warn_once_before_dropping_labels(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("n")
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-2"
        await pilot.press("p")
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-1"
        await pilot.press("a", "n")
        assert screen.bundle.attempt_id == "a-1"
        assert any("unsaved labels: press n again to discard" in n for n in notices(app))
        await pilot.press("n")
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-2"
        await pilot.press("p")
        await settle(pilot, app)
        assert screen.form.label_of("syntax") is None
    assert current(demo_session) == {}


async def test_reopening_resumes_at_the_first_unjudged_attempt(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", "enter")
        await settle(pilot, app)
        await pilot.press("a", "enter")
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.screen.bundle.attempt_id == "a-3"
        assert "no-code" in str(app.screen.query_one("#review-attempt", Static).render())
        await pilot.press("a", "enter")
        await settle(pilot, app)
        await pilot.press("a", "enter")
    app = make_app(demo_session)  # everything judged: the queue over the last attempt, said plainly
    async with app.run_test(size=SIZE) as pilot:
        from bare_tui.tui.screens.queue import QueueScreen

        said: set[str] = set()  # the notices as they come: a loaded machine may take longer than one shows for

        def queue_shown_and_said() -> bool:  # the notice may come a moment after the queue, or before it
            said.update(notices(app))
            return isinstance(app.screen, QueueScreen) and any("every attempt is judged (4 of 4)" in n for n in said)

        await wait_for(pilot, queue_shown_and_said, "the queue over the last attempt, and the notice saying why")
        assert app.screen_stack[-2].bundle.attempt_id == "a-4"


async def test_the_review_under_the_queue_waits_quietly_and_shows_its_diff_on_return(demo_session: Path) -> None:
    """A session judged to its end opens with the queue over the review screen before the review has painted: its
    diff waits for that paint without going round the event loop meanwhile (it asked again after every refresh, a
    few thousand messages a second), and is computed and shown once an attempt is chosen in the queue."""
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for _ in range(4):
            await pilot.press("a", "enter")
            await settle(pilot, app)
    from bare_tui.tui.screens.queue import QueueScreen

    arrived: list[str] = []
    app = make_app(demo_session)
    async with app.run_test(size=SIZE, message_hook=lambda message: arrived.append(type(message).__name__)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen), "the queue over the last attempt")
        arrived.clear()
        await asyncio.sleep(0.5)  # nothing pressed: the header's clock, a toast's timer
        assert len(arrived) < 100, collections.Counter(arrived).most_common(3)
        await pilot.press("enter")  # the row pointed at: the last attempt, now on show
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.bundle.attempt_id == "a-4"
        diff = screen.query_one(DiffView)
        assert diff.model is not None and not diff.is_computing


async def test_scrolling_keys_reach_the_diff_and_findings_mark_their_line(demo_session: Path) -> None:
    app = make_app(demo_session, mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        diff = app.screen.query_one(DiffView)
        await pilot.press("tab", "down", "down", "pagedown")
        assert diff.scroll_y > 2 and app.screen.form.focused_field == "signatures"
        await pilot.press("home")
        assert diff.scroll_y == 0
        await pilot.press("e")
        await pilot.pause()
        finding = app.screen.query_one(VerdictPanel).findings[0].evidence
        assert diff.marked_line == ("original", finding.line)
        assert diff.scroll_y > 0
        await pilot.press("s")
        assert diff.mode == "unified"


async def test_help_lists_every_binding(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        shown = {entry.description for entry in help_screen.entries}
        assert {b.description for b in REVIEW_BINDINGS} <= shown
        assert "Palette" in shown
        keys = " ".join(entry.keys for entry in help_screen.entries)
        for key in (
            "↑",
            "↓",
            "pgup",
            "pgdn",
            "home",
            "end",
            "]",
            "[",
            "tab",
            "a",
            "x",
            "u",
            "1",
            "2",
            "3",
            "c",
            "f",
            "enter",
            "backspace",
            "n",
            "p",
            "r",
            "?",
            "q",
        ):
            assert key in keys, key
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def open_palette(pilot, app) -> CommandPalette:  # type: ignore[no-untyped-def]
    """Ctrl+P, once the palette holds the keys (keys typed before would go to the screen below)."""
    await pilot.press("ctrl+p")
    await wait_for(
        pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.focused is not None, "the palette opened"
    )
    return app.screen


def offered(palette: CommandPalette) -> list[str]:
    options = palette.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_palette_lists_the_actions_and_runs_them(demo_session: Path) -> None:
    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        palette = await open_palette(pilot, app)
        await pilot.press(*"reveal")
        await wait_for(pilot, lambda: any("Reveal verdicts" in p for p in offered(palette)), "reveal is offered")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), "the palette closed")
        assert app.screen.revealed


async def test_untrusted_text_is_shown_literally(hostile_session: Path) -> None:
    app = make_app(hostile_session, mode="assisted")
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("p")
        await settle(pilot, app)
        screen = app.screen
        info = screen.query_one("#review-attempt", Static).render()
        plain = str(info)
        assert "[bold]x[/bold]" in plain and "[@click=app.quit]" in plain
        assert "\x1b" not in plain and "␛[31m" in plain and "\u202e" not in plain
        assert all(not span.style or "link" not in str(span.style) for span in info.spans)
        finding = screen.query_one(VerdictPanel).query_one(OptionList).get_option_at_index(0).prompt
        assert "[@click=app.quit]" in str(finding) and "\x00" not in str(finding)
        await pilot.click("#review-attempt")
        await pilot.press("c")
        await pilot.pause()
        assert "[bold]x[/bold]" in app.screen.query_one("TextArea").text
        # the title is kept as markup with the id's brackets escaped: painted literally, never a link
        assert app.screen.query_one("#note-body").border_title == "note on a-\\[@click=app.quit]h\\[/]"
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ReviewScreen)
        assert "note [bold]x" in str(screen.query_one("#form").render())


async def test_q_goes_to_the_queue_which_opens_an_attempt_or_quits(demo_session: Path) -> None:
    from bare_tui.tui.screens.queue import QueueScreen

    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen), "the queue opened")
        await pilot.press("down", "down", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ReviewScreen) and app.screen.bundle.attempt_id == "a-3"
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen), "back at the queue")
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app quit")


async def test_the_queue_keeps_its_filters_between_visits_and_points_at_the_attempt_left(demo_session: Path) -> None:
    from bare_tui.tui.screens.queue import QueueScreen

    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen), "the queue opened")
        queue = app.screen
        await pilot.press("j")  # your state: not judged
        await wait_for(pilot, lambda: queue.filter.state is not None and len(queue.shown) == 4, "the filter applied")
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert app.screen.bundle.attempt_id == "a-2"
        await pilot.press(*"aaaaaa", "enter")  # a-2 judged: the filter now leaves it out
        await settle(pilot, app)
        assert app.screen.bundle.attempt_id == "a-3"
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is queue, "back at the queue")
        assert queue.filter.state is not None
        assert [row.attempt_id for row in queue.shown] == ["a-1", "a-3", "a-4"]
        assert queue.table.cursor_key == "a-3"  # where the reviewer was, not where the queue was left


# ---------------------------------------------------------------------- the real binary under a terminal
class Terminal:
    """`bare-tui` running under a pseudo-terminal of 120x40, its output collected as it is painted."""

    def __init__(self, *args: str) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        binary = shutil.which("bare-tui")
        command = [binary] if binary else [sys.executable, "-m", "bare_tui.cli"]
        env = dict(os.environ, TERM="xterm-256color", BARE_REVIEWER="ana", COLUMNS="120", LINES="40")
        self.process = subprocess.Popen(
            command + list(args), stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:

        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)

    def text(self) -> str:

        return re.sub(
            r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]", "", self.output.decode("utf-8", "replace")
        )

    def wait_for(self, predicate, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.process.poll() is not None:
                raise AssertionError(
                    f"bare-tui exited ({self.process.returncode}) waiting for {what}: {self.text()[-2000:]}"
                )
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}: {self.text()[-2000:]}")

    def send(self, *keys: bytes) -> None:

        for key in keys:
            os.write(self.master, key)
            time.sleep(0.05)  # one key a read, as a person types

    def kill(self) -> None:

        if self.process.poll() is None:  # it may have exited already (a failed start): its output says why
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        os.close(self.master)


def test_a_killed_process_loses_nothing_it_showed_as_saved(demo_session: Path) -> None:
    terminal = Terminal("review", str(demo_session))
    try:
        terminal.wait_for(lambda: "attempt 1 of 4" in terminal.text(), "the review screen")
        terminal.send(b"a", b"a", b"a", b"a", b"a", b"a", b"\r")
        terminal.wait_for(lambda: len(current(demo_session)) == 6, "six judgements in the session")
    finally:
        terminal.kill()
    rows = current(demo_session)
    assert {(a, stage) for (a, stage) in rows} == {("a-1", stage) for stage in FIELDS}
    assert all(j.label is Label.PASS for j in rows.values())
    terminal = Terminal("review", str(demo_session))
    try:
        terminal.wait_for(lambda: "attempt 2 of 4" in terminal.text(), "the screen to reopen at attempt 2")
        assert "1/4 judged" in terminal.text()
    finally:
        terminal.kill()


async def test_palette_opens_the_statistics_screen(demo_session: Path) -> None:
    from bare_tui.tui.screens.stats import StatsScreen

    app = make_app(demo_session, mode="assisted")  # blind mode keeps the statistics out of reach
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        palette = await open_palette(pilot, app)
        await pilot.press(*"agreement statistics")
        await wait_for(pilot, lambda: any("Agreement statistics" in p for p in offered(palette)), "stats offered")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen), "the statistics opened")


async def test_a_read_only_session_says_so_and_never_claims_saved(demo_session: Path) -> None:
    from bare_tui.review import ReviewSession
    from bare_tui.tui.app import BareTuiApp

    app = BareTuiApp(ReviewSession.open(Store.open(demo_session, readonly=True), "ana"), demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a", "enter")
        shown = notices(app)
        assert any("read-only" in n for n in shown)
        assert any(n.startswith("not saved") for n in shown) and not any(n.startswith("saved") for n in shown)
        assert app.screen.bundle.attempt_id == "a-1" and app.screen.form.unsaved
    assert current(demo_session) == {}


async def test_a_finding_chosen_while_the_diff_is_computed_is_shown_when_it_arrives(demo_session: Path) -> None:
    app = make_app(demo_session, mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        screen.open_attempt("a-2")
        screen.diff.forget_prefetched()
        screen.open_attempt("a-1")  # away and back, with nothing kept: the diff is computed again
        assert screen.diff.is_computing
        await pilot.press("e")
        await settle(pilot, app)
        line = screen.query_one(VerdictPanel).findings[0].evidence.line
        assert screen.diff.marked_line == ("original", line)


async def test_the_raw_response_of_a_no_code_attempt_from_the_palette(demo_session: Path) -> None:
    from bare_tui.tui.dialogs.response import ResponseScreen

    app = make_app(demo_session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n", "n")
        await settle(pilot, app)
        assert app.screen.bundle.attempt_id == "a-3"
        palette = await open_palette(pilot, app)
        await pilot.press(*"raw response")
        await wait_for(pilot, lambda: any("raw response" in p.lower() for p in offered(palette)), "response offered")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResponseScreen), "the response opened")
        assert app.screen.shown_text == "I cannot help with that."
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_the_next_attempt_is_computed_while_the_reviewer_reads(demo_session: Path) -> None:
    app = make_app(demo_session, mode="assisted")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert screen.diff.prefetched >= 1
        await pilot.press("n")
        # The key has been handled: the diff of a-2 is on screen without waiting for a worker.
        assert screen.bundle.attempt_id == "a-2" and not screen.diff.is_computing
        assert screen.diff.model.new_lines[0].startswith('"""Bisection algorithms on sorted lists."""')
        await settle(pilot, app)
        await pilot.press("p")
        assert screen.bundle.attempt_id == "a-1" and not screen.diff.is_computing  # and back again


# ---------------------------------------------------------------- an extra stage an external pipeline brings


def ci_session(path: Path) -> Path:
    """Two attempts whose verdicts come from a CI pipeline with a `tests` stage beside the five."""
    from bare_tui.model import STAGES, Attempt, Evidence, Outcome, Task, Verdict

    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t-1", "python", "src/total.py", "def total(xs):\n    return sum(xs)\n")])
        store.add_attempts(
            [
                Attempt("a-1", "t-1", "model-a", "def total(xs):\n    return max(xs)\n"),
                Attempt("a-2", "t-1", "model-b", "def total(items):\n    return sum(items)\n"),
            ]
        )
        failing = (Evidence("refactored", 2, 5, "test_total_of_three: expected 6, got 3"),)
        store.save_verdicts(
            [
                Verdict(a, stage, Outcome.PASS, pipeline_version="ci@1", source="ci")
                for a in ("a-1", "a-2")
                for stage in STAGES
            ]
            + [
                Verdict("a-1", "tests", Outcome.FAIL, evidence=failing, pipeline_version="ci@1", source="ci"),
                Verdict("a-2", "tests", Outcome.PASS, pipeline_version="ci@1", source="ci"),
            ]
        )
        store.set_setting("review_mode", "assisted")
    return path


async def test_an_extra_stage_is_shown_after_the_five_and_labelled_in_the_form(tmp_path: Path) -> None:
    path = ci_session(tmp_path / "ci.db")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        panel = screen.query_one(VerdictPanel)
        assert panel.stages == (*FIELDS, "tests")
        shown = str(panel.query_one("#verdict-stages", Static).render()).splitlines()
        assert shown[6].startswith("tests") and "fail" in shown[6] and shown[5].startswith("overall")
        assert [f.stage for f in panel.findings] == ["tests"]
        assert screen.form.names == (*FIELDS, "tests")
        form_text = str(screen.query_one("#form").render())
        assert form_text.splitlines()[6].startswith("  tests (extra)")  # after overall, marked
        # the five and overall pass, the tests fail: overall is success at the five, so no contradiction
        await pilot.press(*"aaaaaa", "x")
        assert screen.form.focused_field == "tests" and screen.form.contradiction is None
        await pilot.press("enter")
        saved = current(path)
        assert saved[("a-1", "tests")].label is Label.FAIL and saved[("a-1", "overall")].label is Label.PASS
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-2"
        await pilot.press("backspace")  # undo: the tests label comes back into its field
        await settle(pilot, app)
        assert screen.bundle.attempt_id == "a-1" and screen.form.label_of("tests") is Label.FAIL
        assert screen.form.unsaved and ("a-1", "tests") not in current(path)


async def test_an_extra_field_stays_in_sight_in_the_narrow_form(tmp_path: Path) -> None:
    """At 80 columns the form is a strip of six cells under the diff; a seventh scrolls in with the focus."""
    app = make_app(ci_session(tmp_path / "ci.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        strip = app.screen.query_one("#form-strip")
        assert "syn" in str(strip.render()).splitlines()[0]
        await pilot.press(*"aaaaaa")
        first = str(strip.render()).splitlines()[0]
        assert "▸tes" in first and first.startswith("…")


async def test_revealing_the_verdicts_keeps_the_panel_where_it_was(demo_session: Path) -> None:
    """Hidden or revealed, with or without the legend, the stage list takes the same rows: the findings' title
    does not move when `r` is pressed (nor when the next attempt's verdicts are shown another way)."""
    app = make_app(demo_session, mode="blind")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        title = app.screen.query_one("#verdict-findings-title", Static)
        hidden_at = title.region
        assert "hidden" in str(title.render())
        await pilot.press("r")
        await settle(pilot, app)
        assert "findings (1)" in str(title.render()) and title.region == hidden_at
