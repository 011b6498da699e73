"""Syntax highlighting with no terminal: pygments token spans per line, lexed in windows around the lines asked for."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Token, _TokenType
from pygments.util import ClassNotFound

from bare_tui.pipeline.languages import REGISTRY

# Each language file declares its pygments lexer.
PYGMENTS_LEXERS: dict[str, str] = {spec.name: spec.pygments_lexer for spec in REGISTRY.values()}

TokenSpan = tuple[int, int, _TokenType]  # [start, end) in the raw line, and the token type


def make_lexer(language: str, path: str = "") -> Lexer | None:
    """A pygments lexer for a language (or, failing that, the path's extension); None means plain text."""
    # Offsets must match the lines we hand over: no stripping, no tab expansion, no added newline.
    options: dict[str, Any] = {"stripnl": False, "stripall": False, "ensurenl": False, "tabsize": 0}
    name = PYGMENTS_LEXERS.get(language.lower())
    try:
        if name == "php":
            # Windows start mid-file, far from any "<?php": lex as PHP from the first character.
            return get_lexer_by_name(name, startinline=True, **options)
        if name is not None:
            return get_lexer_by_name(name, **options)
        if path:
            return get_lexer_for_filename(path, **options)
    except ClassNotFound:
        return None
    return None


_TOKEN_TYPES: list[_TokenType] = []
_TOKEN_NUMBERS: dict[_TokenType, int] = {}
_TOKEN_LOCK = threading.Lock()


def _token_number(token_type: _TokenType) -> int:
    """A small number for a token type, shared by every thread (lexing runs in workers too)."""
    number = _TOKEN_NUMBERS.get(token_type)
    if number is None:
        with _TOKEN_LOCK:
            number = _TOKEN_NUMBERS.get(token_type)
            if number is None:
                _TOKEN_TYPES.append(token_type)
                number = _TOKEN_NUMBERS[token_type] = len(_TOKEN_TYPES) - 1
    return number


_TOP_LEVEL = re.compile(r"[A-Za-z_@#}]")

# One line's tokens as a flat tuple of ints (start, end, token number, start, ...): a tuple of ints is not
# tracked by the garbage collector, where a list of tuples per line would give it an object per token to walk on
# every full collection: visible pauses on a large file.
PackedSpans = tuple[int, ...]


class LineHighlighter:
    """Token spans per line of one side, lexed around the lines asked for, and the whole text in the background.

    Lexing a large file takes far longer than a page may wait (bench/diff.py); a page needs a few dozen lines.
    A window of lines is lexed with a few lines of lead-in so that a string or comment opened just above it is
    still recognised; the background pass (lex_all) then replaces the windows with the exact tokens of the whole
    file.
    """

    WINDOW = 48
    LEAD_IN = 16  # lines lexed above a window, at least...
    LOOK_BACK = 48  # ...or back to a line that starts at column 0 (a top-level statement) within this many
    TRAIL = 24  # lines lexed below a window, so that a docstring or comment opened near its end can close
    LONGEST_LINE = 2_000  # longer lines (minified code, data) are shown plain: lexing them could take seconds
    PAUSE = 0.0002  # seconds the background pass sleeps every 256 tokens (about a millisecond of lexing)

    def __init__(self, lines: tuple[str, ...], lexer: Lexer | None) -> None:
        self._lines = lines
        self._lexer = lexer
        self._window_spans: dict[int, PackedSpans] = {}
        self._complete: list[PackedSpans] | None = None
        self._replaced_windows: dict[int, PackedSpans] | None = None  # until forget_windows()

    @property
    def complete(self) -> bool:
        """True once the whole text has been lexed in one pass (exact across every line)."""
        return self._complete is not None or self._lexer is None

    def spans(self, index: int) -> list[TokenSpan]:
        """The token spans of a 0-based line: (start, end, token type), in order."""
        packed = self._packed(index)
        return [(packed[k], packed[k + 1], _TOKEN_TYPES[packed[k + 2]]) for k in range(0, len(packed), 3)]

    def ready(self, index: int) -> bool:
        """True when a 0-based line's spans can be read without lexing."""
        return self.complete or index in self._window_spans or not 0 <= index < len(self._lines)

    def prepare(self, index: int) -> None:
        """Lex now the window that reading a 0-based line would lex: ahead of painting it, in a worker."""
        self._packed(index)

    def _packed(self, index: int) -> PackedSpans:
        if self._lexer is None or not 0 <= index < len(self._lines):
            return ()
        complete = self._complete
        if complete is not None:
            return complete[index]
        windows = self._window_spans  # one dict throughout: lex_all may replace the attribute meanwhile
        spans = windows.get(index)
        if spans is None:
            # Painting goes down a page, or up a line at a time when scrolling back: lex in that direction.
            start = max(0, index - self.WINDOW + 1) if index + 1 in windows else index
            end = min(start + self.WINDOW, len(self._lines))
            lead = self._lead(start)
            lexed = self._lex(lead, min(end + self.TRAIL, len(self._lines)), lambda: False, polite=False) or []
            for offset, line_spans in enumerate(lexed[start - lead : end - lead]):
                windows.setdefault(start + offset, line_spans)
            spans = windows[index]
        return spans

    def _lead(self, start: int) -> int:
        """Where to start lexing for a window: a top-level line shortly above it if there is one.

        Lexing from inside a long string or comment reads it as code; a line that starts at column 0 with a
        name, a decorator, a comment or a closing brace is almost always outside one, in all nine languages.
        """
        lines = self._lines
        for index in range(start, max(-1, start - self.LOOK_BACK - 1), -1):
            if _TOP_LEVEL.match(lines[index]):
                return index
        return max(0, start - self.LEAD_IN)

    def lex_all(self, cancelled: Callable[[], bool]) -> bool:
        """Lex the whole text (meant for a worker thread); False when cancelled before the end."""
        if self._lexer is None or self._complete is not None:
            return True
        lexed = self._lex(0, len(self._lines), cancelled, polite=True)
        if lexed is None:
            return False
        self._replaced_windows = self._window_spans
        self._complete = lexed
        self._window_spans = {}
        return True

    def revised(self, index: int) -> bool:
        """After lex_all: True when a 0-based line's tokens may differ from those it was painted with before.

        A line lexed in a window rarely differs from the whole-file pass; only those that do need painting again.
        """
        windows = self._replaced_windows
        complete = self._complete
        if windows is None or complete is None or not 0 <= index < len(complete):
            return False
        return windows.get(index) != complete[index]

    def forget_windows(self) -> None:
        """Drop the window tokens kept for revised()."""
        self._replaced_windows = None

    def _lex(self, start: int, end: int, cancelled: Callable[[], bool], polite: bool) -> list[PackedSpans] | None:
        assert self._lexer is not None
        if end <= start:
            return []
        longest = self.LONGEST_LINE
        text = "\n".join(line if len(line) <= longest else "" for line in self._lines[start:end]) + "\n"
        packed: list[PackedSpans] = []
        current: list[int] = []
        column = 0
        plain = (Token.Text, Token.Text.Whitespace, Token.Whitespace)
        wanted = end - start
        for count, (_, token_type, value) in enumerate(self._lexer.get_tokens_unprocessed(text)):
            if polite and count % 64 == 0:
                if cancelled():  # often: a newer show() waits for this thread to let go of the GIL
                    return None
                if count % 256 == 0:
                    # Hand the GIL to the event loop now rather than at the end of the 5 ms switch interval, so
                    # that keys and painting stay smooth while a large file is lexed in the background. A real
                    # sleep, not sleep(0): the GIL is not fair, and this thread would take it straight back before
                    # the event loop's thread woke up; the loop would then wait out the interval after each epoll.
                    time.sleep(self.PAUSE)
            if "\n" not in value:
                if token_type not in plain:
                    current.extend((column, column + len(value), _token_number(token_type)))
                column += len(value)
                continue
            for piece_index, piece in enumerate(value.split("\n")):
                if piece_index:
                    packed.append(tuple(current))
                    current = []
                    column = 0
                    if len(packed) >= wanted:
                        break
                if piece and token_type not in plain:
                    current.extend((column, column + len(piece), _token_number(token_type)))
                column += len(piece)
            if len(packed) >= wanted:
                break
        while len(packed) < wanted:
            packed.append(tuple(current))
            current = []
        return packed


RECENT_HIGHLIGHTERS = 8  # files whose tokens are kept between diffs: a task's original comes back with each attempt,
# and the prefetched diffs (DiffView.PREFETCHED) keep theirs


def highlighter_for(lines: tuple[str, ...], language: str, path: str) -> LineHighlighter:
    """The highlighter of a recently shown text with the same lines, or a new one (meant for a worker thread).

    Every attempt of a task has the same original: its tokens, lexed once, serve them all (and going back to
    an attempt finds its refactored file lexed too).
    """
    return _kept_highlighter(language.lower(), path, lines)


@lru_cache(maxsize=RECENT_HIGHLIGHTERS)
def _kept_highlighter(language: str, path: str, lines: tuple[str, ...]) -> LineHighlighter:
    return LineHighlighter(lines, make_lexer(language, path))


def forget_kept_tokens() -> None:
    """Drop the tokens kept between diffs (the next show() lexes both files afresh)."""
    _kept_highlighter.cache_clear()
