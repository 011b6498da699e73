"""The diff widget in a minimal app at 120x40: what it paints, how it scrolls, and that it never obeys the code."""

from __future__ import annotations

import argparse
import inspect
import textwrap as textwrap_module
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pygments.lexers import get_lexer_by_name
from pygments.token import Token
from textual.app import App, ComposeResult
from textual.pilot import Pilot

import bare_tui.diff as diff_module
import bare_tui.highlight as highlight_module
import bare_tui.tui.widgets.diff_paint as diff_paint
import bare_tui.tui.widgets.diff_prefetch as diff_prefetch
from bare_tui.diff import DEFAULT_LIMITS, DiffLimits, build_diff
from bare_tui.highlight import PYGMENTS_LEXERS, LineHighlighter, make_lexer
from bare_tui.tui.widgets.diff_view import DiffView

from .conftest import wait_for

SIZE = (120, 40)

ORIGINAL = """\
def total(items):
    t = 0
    for item in items:
        t += item.price
    return t

def count(items):
    return len(items)
"""

REFACTORED = """\
def total(items):
    return sum(item.price for item in items)

def count(items):
    return len(items)

def empty(items):
    return not items
"""


class DiffApp(App[None]):
    """What a screen does with the widget: shows a diff and binds the review keys to its methods."""

    BINDINGS = [("]", "next_change"), ("[", "previous_change"), ("s", "toggle_mode")]

    def __init__(
        self, original: str, refactored: str | None, language: str = "python", limits: DiffLimits = DEFAULT_LIMITS
    ) -> None:
        super().__init__()
        self.texts = (original, refactored, language)
        self.limits = limits
        self.ready: list[DiffView.Ready] = []

    def compose(self) -> ComposeResult:
        yield DiffView(id="diff", limits=self.limits)

    def on_mount(self) -> None:
        view = self.query_one(DiffView)
        view.focus()
        view.show(*self.texts, path="src/example.py")
        self.after_show(view)

    def after_show(self, view: DiffView) -> None:
        """What a screen does next, in the same handler (the diff is still computing)."""

    def on_diff_view_ready(self, message: DiffView.Ready) -> None:
        self.ready.append(message)

    def action_next_change(self) -> None:
        self.query_one(DiffView).next_change()

    def action_previous_change(self) -> None:
        self.query_one(DiffView).previous_change()

    def action_toggle_mode(self) -> None:
        self.query_one(DiffView).toggle_mode()


@pytest.fixture(autouse=True)
def fresh_highlighters() -> None:
    """Each test lexes its files afresh: tokens kept from an earlier test's diff would hide the lexing."""
    highlight_module.forget_kept_tokens()


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the diff is computed, highlighted and painted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def painted(view: DiffView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def stdlib_source() -> str:
    """A real file to diff: the standard library's textwrap module (about 490 lines)."""
    return inspect.getsource(textwrap_module)


def edited_stdlib_source() -> str:
    source = stdlib_source()
    source = source.replace(
        "    def _munge_whitespace(self, text):", "    def _munge_whitespace(self, text: str) -> str:"
    )
    source = source.replace("def indent(text, prefix, predicate=None):", "def indent(text, prefix, test=None):")
    source = source.replace("def dedent(text):", "def dedent(text: str) -> str:")
    return source


async def test_split_view_paints_both_sides_with_numbers_and_filler() -> None:
    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert len(app.ready) == 1 and app.ready[0].model is view.model
        lines = painted(view)
        left, _, right = lines[0].partition("\u2502")
        assert left.startswith("1   def total(items):")
        assert right.startswith("1   def total(items):")
        assert "2 -     t = 0" in lines[1] and "2 +     return sum(item.price for item in items)" in lines[1]
        assert "3 -     for item in items:" in lines[2]
        assert lines[2].partition("\u2502")[2].strip("\u2571") == ""  # filler where the refactored side has no line
        assert lines[9].partition("\u2502")[2].startswith("7 + def empty(items):")
        assert lines[9].partition("\u2502")[0].strip("\u2571") == ""  # filler where the original has no line


async def test_unified_mode_with_s_shows_old_and_new_numbers() -> None:
    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        await pilot.press("s")
        assert view.mode == "unified"
        lines = painted(view)
        assert lines[0].startswith("1 1   def total(items):")
        assert lines[1].startswith("2   -     t = 0")
        assert lines[5].startswith("  2 +     return sum(item.price for item in items)")
        await pilot.press("s")
        assert view.mode == "split"


async def test_bracket_keys_move_between_changes_of_a_real_file() -> None:
    app = DiffApp(stdlib_source(), edited_stdlib_source())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert view.change_count == 3
        assert view.scroll_y == 0
        expected = ["def _munge_whitespace(self, text: str) -> str:", "def dedent(text: str) -> str:", "test=None"]
        for index, fragment in enumerate(expected):
            await pilot.press("]")
            assert view.current_change == index
            assert any(fragment in line for line in painted(view)), fragment
        top = view.scroll_y
        await pilot.press("]")  # no change below the last one: nothing moves
        assert view.current_change == 2 and view.scroll_y == top
        await pilot.press("[")
        assert view.current_change == 1
        assert any("def dedent(text: str) -> str:" in line for line in painted(view))


async def test_scroll_keys_move_both_sides_together() -> None:
    app = DiffApp(stdlib_source(), edited_stdlib_source())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        await pilot.press("down")
        assert view.scroll_y == 1
        await pilot.press("pagedown")
        assert view.scroll_y > 30
        top = round(view.scroll_y)
        left, _, right = painted(view)[0].partition("\u2502")
        # The same line number sits at the top of both sides (no change above this point).
        assert left.split()[0] == right.split()[0] == str(top + 1)
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y > 0
        await pilot.press("home")
        assert view.scroll_y == 0


async def test_each_diff_shown_brings_its_own_scrollbars_and_scroll_range() -> None:
    # A short diff fits (no scrollbar), a long one scrolls to its last line, and back: the view's scrollbars and
    # range follow each diff shown in turn, as on the review screen's next attempt.
    long_original, long_refactored = stdlib_source(), edited_stdlib_source()
    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        for original, refactored in ((long_original, long_refactored), (ORIGINAL, REFACTORED)) * 2:
            view.show(original, refactored, "python", "src/example.py")
            await settle(pilot)
            assert view.model is not None
            rows = len(view.notices) + view.model.row_count("split")
            long = rows > view.size.height
            assert view.show_vertical_scrollbar is long and view.vertical_scrollbar.display is long
            assert view.max_scroll_y == max(0, rows - view.scrollable_content_region.height)
            await pilot.press("end")
            last = view.model.line_count("refactored")
            assert painted(view)[rows - 1 - round(view.scroll_y)].split("\u2502")[1].split()[0] == str(last)
            await pilot.press("home")


async def test_horizontal_scroll_keeps_the_line_numbers() -> None:
    long_line = "value = " + " + ".join(f"term_{n}" for n in range(40)) + "\n"
    app = DiffApp(long_line, long_line.replace("term_39", "term_forty"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert view.max_scroll_x > 0
        for _ in range(10):
            await pilot.press("right")
        assert view.scroll_x > 0
        line = painted(view)[0]
        left, _, right = line.partition("\u2502")
        assert left.startswith("1 - ") and right.startswith("1 + ")
        assert "value =" not in line
        await pilot.press("end")  # the end of the file, not of the line: the text stays scrolled sideways
        assert view.scroll_x > 0


async def test_hostile_code_is_painted_literally() -> None:
    hostile = (
        "x = '[bold]x[/bold]'\n"
        "y = '[@click=app.quit]quit[/]'\n"
        "z = '\x1b[31mred\x1b]8;;http://x\x1b\\\\'\n"
        'if access != "user\u202e \u2066// admin\u2069 \u2066":\n'
        "nul = '\x00'\r\n"
        "\tindented = 1\n"
    )
    app = DiffApp("x = 1\n", hostile)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert view.notices == ("line endings differ: original LF, refactored mixed (ignored when comparing lines)",)
        right = [line.partition("\u2502")[2] for line in painted(view)[1:]]
        assert "x = '[bold]x[/bold]'" in right[0]
        assert "y = '[@click=app.quit]quit[/]'" in right[1]
        assert "\u241b[31mred\u241b]8;;http://x\u241b\\\\" in right[2]
        assert "\u27e8U+202E\u27e9" in right[3] and "\u27e8U+2069\u27e9" in right[3]
        assert "nul = '\u2400'" in right[4] and "\u240d" not in right[4]  # CRLF is a line ending, not a CR
        assert "6 +     indented = 1" in right[5]
        for y in range(7):
            for segment in view.render_line(y):
                style = segment.style
                assert style is None or (style.link is None and not any(key.startswith("@") for key in style.meta))
        assert app.is_running
        await pilot.press("down", "up")
        assert app.is_running


class ShowBeforeMountApp(App[None]):
    def compose(self) -> ComposeResult:
        view = DiffView()
        view.show("a = 1\n", "x = '" + "a" * 100_000 + "'\n", "python")
        yield view


async def test_a_100000_character_line_shown_before_mount() -> None:
    app = ShowBeforeMountApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert view.notices == ("intra-line emphasis off for lines over 500 characters",)
        right = painted(view)[1].partition("\u2502")[2]
        assert right.startswith("1 + x = 'aaaa")
        assert view.max_scroll_x > 99_000
        await pilot.press("end")
        view.scroll_to(x=view.max_scroll_x, animate=False, immediate=True)
        await pilot.pause()
        assert painted(view)[1].rstrip().endswith("a'")


async def test_wide_characters_and_controls_keep_the_columns_aligned() -> None:
    original = "名前 = '東京'  # 説明\nemoji = '🎉🎉'\ntab\t= 1\n"
    refactored = "名前 = '大阪'  # 説明\nemoji = '🎉'\ntab\t= 2\x00\n" + "x = '" + "字" * 80 + "'\n"
    app = DiffApp(original, refactored)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        for scroll_x in (0, 1, 7):
            view.scroll_to(x=scroll_x, animate=False, force=True)
            await pilot.pause()
            separators = set()
            first = len(view.notices)
            for y in range(first, first + 4):
                strip = view.render_line(y)
                assert strip.cell_length == view.scrollable_content_region.width
                text = "".join(segment.text for segment in strip)
                before, separator, _ = text.partition("\u2502")
                assert separator
                separators.add(sum(2 if "\u4e00" <= char <= "\u9fff" or char == "🎉" else 1 for char in before))
            assert len(separators) == 1  # the divider is in the same column on every row


async def test_scroll_to_line_marks_an_evidence_line() -> None:
    app = DiffApp(stdlib_source(), edited_stdlib_source())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        model = view.model
        assert model is not None
        line = next(
            n
            for n in range(1, model.line_count("refactored") + 1)
            if "def dedent(text: str)" in model.text("refactored", n)
        )
        assert view.scroll_to_line("refactored", line)
        await pilot.pause()
        assert view.marked_line == ("refactored", line)
        rows = painted(view)
        y = next(y for y, text in enumerate(rows) if "def dedent(text: str)" in text)
        marked = view.get_component_rich_style("diff-view--marked")
        right_gutter = [segment for segment in view.render_line(y) if segment.text.strip() == str(line)]
        assert right_gutter and right_gutter[-1].style.bgcolor == marked.bgcolor
        assert not view.scroll_to_line("refactored", 10_000)
        await pilot.press("s")
        assert any("def dedent(text: str)" in text for text in painted(view))  # the line stays in view


class EvidenceApp(DiffApp):
    """Scrolls to a finding as the audit screen does: asked while computing, or as soon as the diff is ready."""

    def __init__(self, line: int, when: str) -> None:
        super().__init__(stdlib_source(), edited_stdlib_source())
        self.line = line
        self.when = when
        self.answers: list[bool] = []

    def after_show(self, view: DiffView) -> None:
        if self.when == "computing":
            self.answers.append(view.scroll_to_line("refactored", self.line))

    def on_diff_view_ready(self, message: DiffView.Ready) -> None:
        if self.when == "ready":
            self.answers.append(message.diff_view.scroll_to_line("refactored", self.line))


@pytest.mark.parametrize("when", ["computing", "ready"])
async def test_scroll_to_line_asked_before_the_first_paint(when: str) -> None:
    line = next(n for n, text in enumerate(edited_stdlib_source().split("\n"), 1) if "def dedent(text: str)" in text)

    app = EvidenceApp(line, when)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert app.answers == [True]
        assert view.marked_line == ("refactored", line)
        assert view.scroll_y > 300
        assert any("def dedent(text: str)" in text for text in painted(view))


def lexed_on_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many lines each lexing on the calling (event loop) thread covers; no whole-file pass, so that
    every line painted must have been lexed by a worker ahead of time or on the spot."""
    calls: list[int] = []
    lex = LineHighlighter._lex
    event_loop_thread = threading.get_ident()

    def recording(self: LineHighlighter, start: int, end: int, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == event_loop_thread:
            calls.append(end - start)
        return lex(self, start, end, *args, **kwargs)

    monkeypatch.setattr(LineHighlighter, "_lex", recording)
    monkeypatch.setattr(DiffView, "_start_lexing_all", lambda self, generation: None)
    return calls


async def test_the_first_page_and_the_evidence_page_are_lexed_before_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = lexed_on_the_event_loop(monkeypatch)
    line = next(n for n, text in enumerate(edited_stdlib_source().split("\n"), 1) if "def dedent(text: str)" in text)

    cases = (
        (DiffApp(stdlib_source(), edited_stdlib_source()), "import re"),  # the top of the file
        (EvidenceApp(line, "computing"), "def dedent(text: str)"),  # the evidence line's page
    )
    for app, shown in cases:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            view = app.query_one(DiffView)
            assert any(shown in text for text in painted(view))
            assert not calls, "the first page was lexed while painting it"


async def test_page_down_and_next_change_after_a_pause_are_lexed_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = lexed_on_the_event_loop(monkeypatch)

    app = DiffApp(stdlib_source(), edited_stdlib_source())
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(DiffView)
        await wait_for(pilot, lambda: view.model is not None, "the diff was computed")  # after the first paint
        for key in ("pagedown", "pagedown", "pagedown", "]", "]", "pageup"):
            await pilot.pause(0.05)  # the reviewer reads the page for a moment
            await pilot.pause()
            before = round(view.scroll_y)
            await pilot.press(key)
            assert round(view.scroll_y) != before, key
            rows = painted(view)
            assert not calls, f"{key} lexed {calls} lines while painting"
            top = round(view.scroll_y)
            if key.startswith("page"):  # no change above these pages: both sides start at the same number
                left, _, right = rows[0].partition("\u2502")
                assert left.split()[0] == right.split()[0] == str(top + 1)
        # A jump far away, with no time to look ahead, is still painted (lexed on the spot, one window a side).
        view.scroll_to(y=view.max_scroll_y // 2, animate=False, immediate=True)
        assert all(painted(view))
        assert calls and max(calls) <= LineHighlighter.WINDOW + LineHighlighter.LOOK_BACK + LineHighlighter.TRAIL


async def test_missing_code_is_said() -> None:
    app = DiffApp(ORIGINAL, None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert "no code was extracted from the answer" in painted(view)[0]
        assert painted(view)[1].startswith("1 - def total(items):")


async def test_a_slow_diff_keeps_the_last_one_then_says_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()

    def slow_build_diff(*args: Any) -> Any:
        gate.wait(10)
        return build_diff(*args)

    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        monkeypatch.setattr(diff_module, "build_diff", slow_build_diff)  # the worker imports it when it runs
        view.show("x = 1\n", "x = 2\n", "python")
        assert view.is_computing and view.model is None
        assert "def total(items):" in view.render_line(0).text  # no flash: the last diff stays a moment
        assert not view.next_change()
        await pilot.pause(DiffView.COMPUTING_NOTICE_DELAY + 0.1)
        assert view.render_line(0).text.strip() == "computing diff\u2026"
        gate.set()
        await settle(pilot)
        assert not view.is_computing and len(app.ready) == 2
        assert "1 + x = 2" in painted(view)[0]


async def test_a_failing_diff_says_so_and_is_still_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_build_diff(original: str, refactored: str | None, *rest: Any) -> Any:
        if original:
            raise MemoryError("out of memory")
        return build_diff(original, refactored, *rest)

    monkeypatch.setattr(diff_module, "build_diff", broken_build_diff)

    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert len(app.ready) == 1 and not view.is_computing
        assert painted(view)[0].strip().startswith("the diff could not be computed (MemoryError: out of memory)")


async def test_above_the_size_limit_emphasis_is_dropped_with_a_notice() -> None:
    source = stdlib_source()
    app = DiffApp(source, edited_stdlib_source(), limits=DiffLimits(intraline_file_lines=100))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        assert painted(view)[0].strip() == "intra-line emphasis off: file too large"
        assert view.model is not None and not view.model.intraline_enabled


async def test_changed_words_are_emphasised_and_keywords_coloured() -> None:
    app = DiffApp("total = price * qty\n", "total = price * quantity\n")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        segments = list(view.render_line(0))
        by_text = {segment.text: segment.style for segment in segments}
        added = view.get_component_rich_style("diff-view--added")
        emphasis = view.get_component_rich_style("diff-view--added-emphasis")
        assert by_text["quantity"].bgcolor == emphasis.bgcolor != added.bgcolor
        assert by_text["price"].bgcolor == added.bgcolor
        assert by_text["*"].color != by_text["price"].color  # the operator is highlighted


SNIPPETS = {
    "c": "int main(void) { return 0; }",
    "cpp": "class A { public: int f() const; };",
    "csharp": "public class A { public int F() { return 1; } }",
    "go": "func main() { return }",
    "java": "public class A { void f() { return; } }",
    "javascript": "function f() { return null; }",
    "php": "function f() { return null; }",
    "python": "def f():\n    return None",
    "typescript": "function f(): number { return 1; }",
}


@pytest.mark.parametrize("language", sorted(PYGMENTS_LEXERS))
def test_each_language_is_highlighted_like_pygments_does(language: str) -> None:
    lines = tuple(SNIPPETS[language].split("\n"))
    highlighter = LineHighlighter(lines, make_lexer(language))
    chunked = [highlighter.spans(n) for n in range(len(lines))]
    assert highlighter.lex_all(lambda: False)
    whole = [highlighter.spans(n) for n in range(len(lines))]
    assert chunked == whole
    keywords = [
        (line, start, end) for line, spans in enumerate(whole) for start, end, kind in spans if kind in Token.Keyword
    ]
    assert keywords, f"no keyword found in {language}"
    # The reference: pygments' own tokens of the whole text, by position.
    lexer = (
        get_lexer_by_name(PYGMENTS_LEXERS[language], startinline=True)
        if language == "php"
        else get_lexer_by_name(PYGMENTS_LEXERS[language])
    )
    text = "\n".join(lines) + "\n"
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    reference = {(index, token) for index, token, _ in lexer.get_tokens_unprocessed(text)}
    for line, start, _ in keywords:
        assert any(kind in Token.Keyword and index == starts[line] + start for index, kind in reference)


def test_background_lexing_matches_one_pass_over_a_real_file() -> None:
    lines = tuple(stdlib_source().split("\n"))
    lexer = make_lexer("python")
    highlighter = LineHighlighter(lines, lexer)
    assert highlighter.lex_all(lambda: False) and highlighter.complete
    text = "\n".join(lines) + "\n"
    plain = (Token.Text, Token.Text.Whitespace, Token.Whitespace)
    reference = [
        (index, kind)
        for index, kind, value in lexer.get_tokens_unprocessed(text)
        if kind not in plain and "\n" not in value
    ]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    ours = {(starts[n] + start, kind) for n in range(len(lines)) for start, _, kind in highlighter.spans(n)}
    assert set(reference) <= ours
    cancelled = LineHighlighter(lines, make_lexer("python"))
    assert not cancelled.lex_all(lambda: True) and not cancelled.complete


@pytest.mark.parametrize("module", [textwrap_module, argparse])
def test_windowed_highlighting_agrees_with_the_whole_file_on_most_lines(module: Any) -> None:
    # Before the background pass ends, pages are lexed in windows; they should rarely disagree with it.
    lines = tuple(inspect.getsource(module).split("\n"))
    whole = LineHighlighter(lines, make_lexer("python"))
    assert whole.lex_all(lambda: False)
    for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):  # paging down, scrolling up
        windowed = LineHighlighter(lines, make_lexer("python"))
        spans = {index: windowed.spans(index) for index in order}
        agree = sum(spans[index] == whole.spans(index) for index in range(len(lines)))
        assert agree >= 0.9 * len(lines)


def test_after_the_whole_file_pass_exactly_the_lines_lexed_differently_are_revised() -> None:
    # Only these are painted again when the pass ends; the rest of the screen and the pages ahead are kept.
    lines = tuple(inspect.getsource(argparse).split("\n"))
    highlighter = LineHighlighter(lines, make_lexer("python"))
    windowed = {index: highlighter.spans(index) for index in range(0, len(lines), 3)}  # what pages showed
    assert not any(highlighter.revised(index) for index in windowed)  # nothing to revise before the pass
    assert highlighter.lex_all(lambda: False)
    differ = {index for index in windowed if windowed[index] != highlighter.spans(index)}
    assert differ, "windows agree everywhere on argparse: the test no longer tells revised lines apart"
    assert {index for index in windowed if highlighter.revised(index)} == differ
    highlighter.forget_windows()
    assert not any(highlighter.revised(index) for index in range(len(lines)))


async def test_the_screen_after_the_whole_file_pass_is_the_whole_file_highlighting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Painted with window tokens first, then only the revised lines again: the same as painting the page afresh
    # from the whole-file tokens.
    start_pass = DiffView._start_lexing_all
    monkeypatch.setattr(DiffView, "_start_lexing_all", lambda self, generation: None)
    whole = {
        side: LineHighlighter(tuple(text.split("\n")), make_lexer("python"))
        for side, text in (("original", stdlib_source()), ("refactored", edited_stdlib_source()))
    }
    for highlighter in whole.values():
        assert highlighter.lex_all(lambda: False)

    app = DiffApp(stdlib_source(), edited_stdlib_source())
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(DiffView)
        await settle(pilot)
        model = view._model
        assert model is not None
        height = view.scrollable_content_region.height
        while True:  # down to a page where the window tokens of some line are not the whole file's
            painted(view)
            top = round(view.scroll_y) - len(view.notices)
            lines = list(diff_paint.painted_lines(model, view.mode, top, height))
            if any(view._highlighters[side].spans(line - 1) != whole[side].spans(line - 1) for side, line in lines):
                break
            assert view.scroll_y < view.max_scroll_y, "no page with a line the windows got wrong"
            await pilot.press("pagedown")
        start_pass(view, view._generation)
        await settle(pilot)
        assert all(highlighter.complete for highlighter in view._highlighters.values())
        shown = [list(view.render_line(y)) for y in range(height)]
        view._clear_caches()
        assert shown == [list(view.render_line(y)) for y in range(height)]


async def test_the_next_attempt_of_the_same_task_reuses_the_tokens_of_its_original() -> None:
    app = DiffApp(stdlib_source(), edited_stdlib_source())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        original, refactored = view._highlighters["original"], view._highlighters["refactored"]
        # The whole-file pass starts a moment after the first page is painted: on a loaded machine, after settle.
        await wait_for(pilot, lambda: original.complete and refactored.complete, "the whole-file highlighting")
        first = [list(view.render_line(y)) for y in range(view.scrollable_content_region.height)]
        # Another attempt at the same task: the same original, another refactoring.
        other = stdlib_source().replace("def dedent(text):", "def dedent(text: str):")
        view.show(stdlib_source(), other, "python", "src/example.py")
        while view.is_computing:
            await pilot.pause()
        assert view._highlighters["original"] is original and original.complete
        assert view._highlighters["refactored"] not in (original, refactored)  # a new text has tokens of its own
        # And back to the first attempt: both its files' tokens are still there, and it paints the same.
        view.show(stdlib_source(), edited_stdlib_source(), "python", "src/example.py")
        while view.is_computing:
            await pilot.pause()
        assert view._highlighters == {"original": original, "refactored": refactored}
        await pilot.pause()
        assert [list(view.render_line(y)) for y in range(view.scrollable_content_region.height)] == first


def test_snapshot_split(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)

    app = DiffApp(ORIGINAL.replace("t = 0", "t = 0  # [bold]not bold[/bold]"), REFACTORED)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_unified(snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()

    app = DiffApp(ORIGINAL, REFACTORED)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# Prefetching: the next attempt's diff computed while the reviewer reads this one -----------------------------

OTHER_REFACTORED = REFACTORED.replace("def empty(items):", "def is_empty(items):")
OTHER = (ORIGINAL, OTHER_REFACTORED, "python", "src/example.py")


async def until(condition: Callable[[], bool], pilot: Pilot[None]) -> None:
    for _ in range(400):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("condition never held")


def rows_of(model: Any) -> list[tuple[Any, ...]]:
    return [(row.old, row.new) for row in (model.row("split", i) for i in range(model.row_count("split")))]


async def test_a_prefetched_diff_is_shown_at_once_and_is_the_same_diff() -> None:
    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        view.prefetch([OTHER])
        await settle(pilot)
        assert view.prefetched == 1
        view.show(*OTHER)
        # No worker, no "computing": the diff is there when show() returns.
        assert not view.is_computing and view.model is not None
        assert rows_of(view.model) == rows_of(build_diff(ORIGINAL, OTHER_REFACTORED))
        await settle(pilot)
        assert len(app.ready) == 2 and app.ready[1].model is view.model
        assert any("is_empty" in line for line in painted(view))


async def test_going_back_to_the_diff_shown_before_needs_no_worker() -> None:
    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        first = view.model
        view.show(*OTHER)
        await settle(pilot)
        view.show(ORIGINAL, REFACTORED, "python", "src/example.py")
        assert not view.is_computing and view.model is first


async def test_going_back_paints_the_diff_from_its_rows_as_first_shown_and_unmarked() -> None:
    # An undo or p goes back to the diff shown before: its rows as painted then are kept with it, so that it is
    # not painted row by row again, but never a marked line's (going back shows the diff unmarked).
    app = DiffApp(stdlib_source(), edited_stdlib_source())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        height = view.scrollable_content_region.height
        first_shown = [list(view.render_line(y)) for y in range(height)]
        model = view.model
        assert model is not None
        line = next(n for n in range(1, 30) if model.text("refactored", n).startswith("import"))
        assert view.scroll_to_line("refactored", line)
        await pilot.pause()
        assert view.marked_line == ("refactored", line)
        view.show(*OTHER)
        await settle(pilot)
        rendered: list[int] = []
        render_row = view._render_row

        def counted(row: int, width: int, scroll_x: int) -> Any:
            rendered.append(row)
            return render_row(row, width, scroll_x)

        view._render_row = counted  # type: ignore[method-assign]  # to count the rows painted afresh
        view.show(stdlib_source(), edited_stdlib_source(), "python", "src/example.py")
        await pilot.pause()
        assert view.marked_line is None
        assert [list(view.render_line(y)) for y in range(height)] == first_shown  # no mark left in its rows
        rendered.clear()
        view.clear_mark()  # nothing marked now: the rows painted are kept with the diff when it goes
        await pilot.pause()
        view.show(*OTHER)
        await settle(pilot)
        rendered.clear()
        view.show(stdlib_source(), edited_stdlib_source(), "python", "src/example.py")
        await pilot.pause()  # painted
        assert [list(view.render_line(y)) for y in range(height)] == first_shown
        assert [row for row in rendered if row < height] == []  # the page on show came from the rows kept with it


async def show_while_prefetching(
    replacement: Callable[..., Any], started: Callable[[], bool], release: threading.Event
) -> DiffView:
    """Prefetch OTHER with _prepare replaced, show OTHER once the replacement has started, then release it;
    returns the view once it has a diff again."""
    app = DiffApp(ORIGINAL, REFACTORED)
    real_prepare = diff_prefetch.prepare
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        diff_prefetch.prepare = replacement
        try:
            view.prefetch([OTHER])
            await until(started, pilot)
            view.show(*OTHER)
            assert view.is_computing
            release.set()
            await until(lambda: not view.is_computing, pilot)
            await settle(pilot)
        finally:
            diff_prefetch.prepare = real_prepare
    return view


async def test_showing_the_diff_being_prefetched_waits_for_that_worker() -> None:
    release = threading.Event()
    real_prepare = diff_prefetch.prepare
    calls: list[Any] = []

    def held_prepare(key: Any, *args: Any) -> Any:
        calls.append(key)
        release.wait(5)
        return real_prepare(key, *args)

    view = await show_while_prefetching(held_prepare, lambda: bool(calls), release)
    assert calls == [OTHER]  # computed once, by the prefetch, not again by show()
    assert rows_of(view.model) == rows_of(build_diff(ORIGINAL, OTHER_REFACTORED))


async def test_a_prefetch_that_fails_leaves_show_to_compute_the_diff() -> None:
    release = threading.Event()
    real_prepare = diff_prefetch.prepare
    started: list[Any] = []

    def failing_prefetch(key: Any, *args: Any) -> Any:
        if not started:  # the first call is the prefetch's
            started.append(key)
            release.wait(5)
            raise RuntimeError("lexer blew up")
        return real_prepare(key, *args)

    view = await show_while_prefetching(failing_prefetch, lambda: bool(started), release)
    assert rows_of(view.model) == rows_of(build_diff(ORIGINAL, OTHER_REFACTORED))


async def test_a_prefetched_diff_paints_exactly_as_one_computed_on_show() -> None:
    original = stdlib_source()
    refactored = edited_stdlib_source().replace("import re", "import re  # changed on the first page")
    fresh = DiffApp(original, refactored)
    async with fresh.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = fresh.query_one(DiffView)
        expected = [list(view.render_line(y)) for y in range(view.scrollable_content_region.height)]
    highlight_module.forget_kept_tokens()
    app = DiffApp(ORIGINAL, REFACTORED)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.query_one(DiffView)
        view.prefetch([(original, refactored, "python", "src/example.py")])
        await wait_for(pilot, lambda: view.prefetched > 0 and not view.is_prefetching, "the prefetch finished")
        await settle(pilot)
        painted_ahead = sum(len(prepared.code) for prepared in view._prefetched.values())
        view.show(original, refactored, "python", "src/example.py")
        assert not view.is_computing
        await pilot.pause()  # the scroll bar the long diff needs narrows the view
        shown = [list(view.render_line(y)) for y in range(view.scrollable_content_region.height)]
    assert painted_ahead >= 2 * len(expected) - 10  # both sides of the first page, less its filler rows
    assert shown == expected  # same text, same highlighting, same tints: segment for segment


def test_the_kept_diffs_drop_the_one_kept_longest_ago_whatever_was_read_meanwhile() -> None:
    # Painting a kept diff ahead asks holds() chunk after chunk; that must not decide which diff goes next (a
    # cache that reorders on reads, as Textual's LRUCache does, would drop the diff kept later instead).
    def prepared(n: int) -> diff_prefetch.Prepared:
        key = (f"x = {n}\n", f"x = {n + 1}\n", "python", "a.py")
        made = diff_prefetch.prepare(key, "split", 10, DEFAULT_LIMITS, lambda: False, lambda: None)
        assert made is not None
        return made

    first, second, third = prepared(1), prepared(2), prepared(3)
    kept = diff_prefetch.KeptDiffs(2)
    kept.keep(first)
    kept.keep(second)
    assert kept.holds(first) and [p.key for p in kept.values()] == [first.key, second.key]
    kept.keep(third)
    assert not kept.holds(first) and kept.holds(second) and kept.holds(third)
    kept.keep(second)  # shown again: kept anew, so it outlives the third
    kept.keep(first)
    assert [p.key for p in kept.values()] == [second.key, first.key]
    assert kept.take(second.key) is second and second.key not in kept and len(kept) == 1
