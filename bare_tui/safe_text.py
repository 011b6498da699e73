"""Make untrusted text (model output, notes) safe to paint: every invisible or controlling character shown.

Plain strings only, so the diff model and the importer can use it without Rich; safe_rich_text.py makes Rich Text."""

from __future__ import annotations

import re

TAB_SIZE = 4

# Characters a terminal would act on, or that change how the text reads without being seen: the trojan-source
# bidi controls, zero-width characters, the Unicode "tag" block used to smuggle hidden instructions, lone
# surrogates from undecodable bytes. The format ranges are Unicode's Cf, Zl and Zp categories (checked
# against unicodedata by the tests), plus the Hangul fillers that render as blank identifier characters.
_FORMAT_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0x3164, 0x3164),
    (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)


def _class_of(ranges: tuple[tuple[int, int], ...]) -> str:
    parts = []
    for low, high in ranges:
        parts.append(f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}")
    return "".join(parts)


# Tab is in the class so that one search tells whether a line needs any work at all.
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f" + _class_of(_FORMAT_RANGES) + "]")

_STAND_INS: dict[str, str] = {}


def stand_in(char: str) -> str:
    """The visible text that replaces one unsafe character (tab and newline excepted)."""
    shown = _STAND_INS.get(char)
    if shown is None:
        code = ord(char)
        if code < 0x20:
            shown = chr(0x2400 + code)  # Control Pictures: NUL is U+2400, ESC U+241B
        elif code == 0x7F:
            shown = "\u2421"  # SYMBOL FOR DELETE
        else:
            shown = f"\u27e8U+{code:04X}\u27e9"
        _STAND_INS[char] = shown
    return shown


def is_safe(line: str) -> bool:
    """True when a line (no newline) paints exactly as it reads: nothing to replace or expand."""
    return _UNSAFE.search(line) is None


def visible_line(line: str) -> str:
    """One line (no newline in it) with every unsafe character made visible and tabs expanded."""
    if _UNSAFE.search(line) is None:
        return line
    return visible_line_with_offsets(line)[0]


def visible_line_with_offsets(line: str) -> tuple[str, tuple[int, ...] | None]:
    """A line made visible, and where each raw character starts in it (len(line) + 1 offsets, None if same).

    Syntax tokens and intra-line changes are found on the raw text; the offsets carry them to the text shown.
    """
    if _UNSAFE.search(line) is None:
        return line, None
    pieces: list[str] = []
    offsets: list[int] = []
    column = 0
    for char in line:
        offsets.append(column)
        if char == "\t":
            shown = " " * (TAB_SIZE - column % TAB_SIZE)
        elif _UNSAFE.match(char) is not None:
            shown = stand_in(char)
        else:
            shown = char
        pieces.append(shown)
        column += len(shown)
    offsets.append(column)
    return "".join(pieces), tuple(offsets)


def split_lines(text: str) -> list[str]:
    """The lines of a text: a CRLF ends a line like LF does; a lone CR stays in its line (to be shown)."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def visible(text: str) -> str:
    """Untrusted text made safe to paint: "\\n" is the only line break left, all else visible or expanded."""
    if _UNSAFE.search(text) is None:
        return text
    ends_with_newline = text.endswith("\n")
    shown = "\n".join(visible_line(line) for line in split_lines(text))
    return shown + "\n" if ends_with_newline else shown


def one_line(text: str) -> str:
    """Untrusted text for a one-line message (a CLI error, a toast): made visible, its line breaks shown as ␊."""
    return visible(text).replace("\n", "\u240a")


def json_for_terminal(json_text: str) -> str:
    """JSON text to print on a terminal: every unsafe character left raw by `ensure_ascii=False` (C1 controls,
    bidi and invisible characters) written as its \\u escape, which decodes to the same data."""
    if _UNSAFE.search(json_text) is None:
        return json_text
    return _UNSAFE.sub(_json_escape, json_text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return "\\t"
    if code > 0xFFFF:  # a surrogate pair, as JSON writes characters beyond the basic plane
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


# Markdown that builds links or images from data: brackets (no link or image without them), autolinks, HTML,
# code spans, table pipes. As entities they read the same and build nothing; a bare URL's "://", "www." and
# an address's "@" lose the autolink trigger.
_MARKDOWN_ENTITIES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{char: f"&#{ord(char)};" for char in "|`[]"},
    }
)
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=www)(\.)|(@)")


def markdown_text(text: str) -> str:
    """Untrusted text for a markdown document, on one line: visible controls, and nothing that markdown would
    turn into a link, an image, HTML, a code span or a table cell break."""
    shown = one_line(text).translate(_MARKDOWN_ENTITIES)
    return _AUTOLINK.sub(lambda m: f"&#{ord(m.group()):d};", shown)
