"""Untrusted text is shown literally: markup stays text, control and invisible characters become visible."""

from __future__ import annotations

import io
import unicodedata

from rich.console import Console
from textual.content import Content

from bare_tui.safe_rich_text import safe_rich_text
from bare_tui.safe_text import split_lines, visible, visible_line, visible_line_with_offsets

HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}


def hidden_characters(text: str) -> list[str]:
    """Characters that a terminal acts on or that paint as nothing (newline aside), by Python's Unicode data."""
    return [char for char in text if char != "\n" and unicodedata.category(char) in HIDDEN_CATEGORIES]


def rendered(text: str) -> str:
    console = Console(width=200, record=True, color_system=None, file=io.StringIO())
    console.print(safe_rich_text(text))
    return console.export_text().rstrip("\n")


def test_rich_markup_is_shown_as_typed() -> None:
    hostile = "[bold red]x[/]"
    text = safe_rich_text(hostile)
    assert text.plain == hostile
    assert text.spans == []
    assert rendered(hostile) == hostile


def test_textual_action_markup_is_shown_as_typed() -> None:
    hostile = "[@click=app.quit]quit[/]"
    content = Content.from_rich_text(safe_rich_text(hostile))
    assert content.plain == hostile
    assert list(content.spans) == []


def test_ansi_colour_escape_is_made_visible() -> None:
    shown = visible("\x1b[31mred")
    assert shown == "\u241b[31mred"
    assert "\x1b" not in rendered("\x1b[31mred")


def test_osc8_hyperlink_is_made_visible() -> None:
    shown = visible("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\")
    assert shown == "\u241b]8;;http://x\u241b\\link\u241b]8;;\u241b\\"
    assert hidden_characters(shown) == []


def test_trojan_source_bidi_controls_are_tagged() -> None:
    # The "stretched string" example from Boucher and Anderson, "Trojan Source" (2021).
    line = 'if access_level != "user\u202e \u2066// Check if admin\u2069 \u2066":'
    shown = visible_line(line)
    assert "\u27e8U+202E\u27e9" in shown
    assert shown.count("\u27e8U+2066\u27e9") == 2
    assert "\u27e8U+2069\u27e9" in shown
    assert hidden_characters(shown) == []


def test_every_control_format_and_separator_character_is_replaced() -> None:
    # The reference is Python's Unicode database, not our own list of ranges.
    every = "".join(
        chr(code)
        for code in range(0x110000)
        if chr(code) != "\n" and unicodedata.category(chr(code)) in HIDDEN_CATEGORIES
    )
    assert len(every) > 2000
    assert hidden_characters(visible(every)) == []


def test_zero_width_and_invisible_characters_are_tagged() -> None:
    for char in "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c":
        assert visible_line(f"a{char}b") == f"a\u27e8U+{ord(char):04X}\u27e9b"


def test_c0_del_and_c1_controls() -> None:
    assert visible_line("a\x00b") == "a\u2400b"
    assert visible_line("\x07\x08\x0b\x0c\x1f") == "\u2407\u2408\u240b\u240c\u241f"
    assert visible_line("\x7f") == "\u2421"
    assert visible_line("\x9b31m") == "\u27e8U+009B\u27e931m"


def test_crlf_lines_split_cleanly_and_a_lone_cr_is_shown() -> None:
    assert visible("a\r\nb\r\n") == "a\nb\n"
    assert visible("a\rb") == "a\u240db"
    assert split_lines("one\r\ntwo\rstill two\nthree") == ["one", "two\rstill two", "three"]
    assert split_lines("") == []
    assert split_lines("\n") == [""]


def test_tabs_expand_to_four_columns() -> None:
    assert visible_line("\tx") == "    x"
    assert visible_line("ab\tc") == "ab  c"
    assert visible_line("abcd\te") == "abcd    e"
    assert visible("\tx\n\ty") == "    x\n    y"


def test_offsets_carry_raw_positions_to_the_shown_text() -> None:
    shown, offsets = visible_line_with_offsets("a\tb\x00c")
    assert shown == "a   b\u2400c"
    assert offsets == (0, 1, 4, 5, 6, 7)
    assert visible_line_with_offsets("plain") == ("plain", None)


def test_ordinary_unicode_is_left_alone() -> None:
    for line in ("名前 = 'café'", "x = 1  # naïve", "emoji 🎉 ok", "ünïcödé"):
        assert visible_line(line) == line


def test_a_100000_character_line() -> None:
    long_line = "x = '" + "a" * 100_000 + "'"
    assert visible_line(long_line) == long_line
    hostile = "[b]" * 25_000 + "\x00"
    shown = visible_line(hostile)
    assert shown == "[b]" * 25_000 + "\u2400"
    assert safe_rich_text(hostile).spans == []
