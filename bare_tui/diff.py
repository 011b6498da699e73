"""The line diff between an original file and its refactoring, aligned for split and unified display."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from bare_tui.safe_text import split_lines

MODES: tuple[str, ...] = ("split", "unified")

Span = tuple[int, int]  # [start, end) character offsets in a raw line


@dataclass(frozen=True)
class DiffLimits:
    """Where the diff trades exactness or emphasis for bounded time."""

    exact_cells: int = 250_000  # SequenceMatcher (autojunk off) on the whole when lines_a * lines_b is below this
    approximate_cells: int = 25_000_000  # above this a region without anchors is shown as one replaced block
    intraline_line_chars: int = 500  # no emphasis inside a line longer than this
    intraline_file_lines: int = 20_000  # no emphasis at all above this many lines (both sides together)
    intraline_file_chars: int = 2_000_000  # or this many characters


DEFAULT_LIMITS = DiffLimits()


@dataclass(frozen=True, slots=True)
class SplitRow:
    """One row of the side-by-side view; a side without a line (None) is filler."""

    kind: str  # equal, replace, delete, insert
    old: int | None  # 1-based line number in the original
    new: int | None  # 1-based line number in the refactored file
    old_text: str | None = None  # the raw line (line ending removed), None for filler
    new_text: str | None = None


@dataclass(frozen=True, slots=True)
class UnifiedRow:
    """One row of the unified view: a line of one side, or of both when equal."""

    kind: str  # equal, delete, insert
    old: int | None
    new: int | None
    text: str = ""  # the raw line (line ending removed)


@dataclass(frozen=True, slots=True)
class ChangeBlock:
    """One run of changed lines, with where it sits in each view (row ranges are half-open)."""

    kind: str  # replace, delete, insert
    old_start: int  # 1-based first original line; old_end is one past the last (equal when none)
    old_end: int
    new_start: int
    new_end: int
    split_start: int
    split_end: int
    unified_start: int
    unified_end: int

    def rows(self, mode: str) -> tuple[int, int]:
        """The block's half-open row range in a view mode."""
        if mode == "split":
            return self.split_start, self.split_end
        return self.unified_start, self.unified_end


@dataclass(frozen=True, slots=True)
class IntralineChange:
    """The changed parts of a paired original and refactored line."""

    old: tuple[Span, ...]
    new: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """One opcode of the line diff and the first row it occupies in each view (lines are 0-based here)."""

    tag: str  # equal, replace, delete, insert
    i1: int
    i2: int
    j1: int
    j2: int
    split_start: int
    unified_start: int

    @property
    def split_length(self) -> int:
        return max(self.i2 - self.i1, self.j2 - self.j1)

    @property
    def unified_length(self) -> int:
        if self.tag == "equal":
            return self.i2 - self.i1
        return (self.i2 - self.i1) + (self.j2 - self.j1)


@dataclass(frozen=True)
class DiffModel:
    """Everything a diff view needs: rows for both modes, change blocks and maps from lines to rows.

    Rows are not stored one by one: they are derived from the diff's few segments on demand, so that a
    10,000-line diff costs its opcodes, not 20,000 row objects, before the first page can be painted.
    """

    old_lines: tuple[str, ...]
    new_lines: tuple[str, ...]
    segments: tuple[Segment, ...]
    blocks: tuple[ChangeBlock, ...]
    strategy: str  # "exact", "anchored" (unique-line anchors, exact between) or "approximate"
    refactored_missing: bool  # no code was extracted: the refactored side is shown empty
    intraline_enabled: bool
    intraline_off_reason: str  # why emphasis is off for the whole file, "" when on
    long_lines_unemphasised: bool  # some changed lines are too long for emphasis
    line_endings: tuple[str, str]  # "LF", "CRLF", "CR", "mixed" or "none" for each side
    final_newline: tuple[bool, bool]
    limits: DiffLimits = field(default=DEFAULT_LIMITS, repr=False)
    # Bisection keys and row counts, derived once in __post_init__; the model stays immutable from the outside.
    _split_starts: list[int] = field(init=False, repr=False, compare=False)
    _unified_starts: list[int] = field(init=False, repr=False, compare=False)
    _old_starts: list[int] = field(init=False, repr=False, compare=False)
    _new_starts: list[int] = field(init=False, repr=False, compare=False)
    _block_split_starts: list[int] = field(init=False, repr=False, compare=False)
    _block_unified_starts: list[int] = field(init=False, repr=False, compare=False)
    _split_count: int = field(init=False, repr=False, compare=False)
    _unified_count: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_split_starts", [seg.split_start for seg in self.segments])
        object.__setattr__(self, "_unified_starts", [seg.unified_start for seg in self.segments])
        object.__setattr__(self, "_old_starts", [seg.i1 for seg in self.segments])
        object.__setattr__(self, "_new_starts", [seg.j1 for seg in self.segments])
        object.__setattr__(self, "_block_split_starts", [block.split_start for block in self.blocks])
        object.__setattr__(self, "_block_unified_starts", [block.unified_start for block in self.blocks])
        last = self.segments[-1] if self.segments else None
        object.__setattr__(self, "_split_count", last.split_start + last.split_length if last else 0)
        object.__setattr__(self, "_unified_count", last.unified_start + last.unified_length if last else 0)

    @property
    def identical(self) -> bool:
        """True when both sides have the same lines (line endings aside)."""
        return not self.blocks

    def row_count(self, mode: str) -> int:
        """How many rows a view mode has."""
        if _check_mode(mode) == "split":
            return self._split_count
        return self._unified_count

    def row(self, mode: str, index: int) -> SplitRow | UnifiedRow:
        """One row of a view mode (0-based index)."""
        if _check_mode(mode) == "split":
            return self.split_row(index)
        return self.unified_row(index)

    def split_row(self, index: int) -> SplitRow:
        """One row of the side-by-side view (0-based index)."""
        if not 0 <= index < self._split_count:
            raise IndexError(f"row {index} is outside the split view's {self._split_count} rows")
        seg = self.segments[bisect_right(self._split_starts, index) - 1]
        k = index - seg.split_start
        i, j = seg.i1 + k, seg.j1 + k
        if seg.tag == "equal":
            return SplitRow("equal", i + 1, j + 1, self.old_lines[i], self.new_lines[j])
        if i < seg.i2 and j < seg.j2:
            return SplitRow("replace", i + 1, j + 1, self.old_lines[i], self.new_lines[j])
        if i < seg.i2:
            return SplitRow("delete", i + 1, None, self.old_lines[i], None)
        return SplitRow("insert", None, j + 1, None, self.new_lines[j])

    def unified_row(self, index: int) -> UnifiedRow:
        """One row of the unified view (0-based index)."""
        if not 0 <= index < self._unified_count:
            raise IndexError(f"row {index} is outside the unified view's {self._unified_count} rows")
        seg = self.segments[bisect_right(self._unified_starts, index) - 1]
        k = index - seg.unified_start
        if seg.tag == "equal":
            return UnifiedRow("equal", seg.i1 + k + 1, seg.j1 + k + 1, self.old_lines[seg.i1 + k])
        removed = seg.i2 - seg.i1
        if k < removed:
            return UnifiedRow("delete", seg.i1 + k + 1, None, self.old_lines[seg.i1 + k])
        return UnifiedRow("insert", None, seg.j1 + k - removed + 1, self.new_lines[seg.j1 + k - removed])

    def rows(self, mode: str, start: int = 0, end: int | None = None) -> list[SplitRow] | list[UnifiedRow]:
        """The rows of a view mode from start to end (all by default)."""
        count = self.row_count(mode)
        indices = range(max(0, start), count if end is None else min(end, count))
        if mode == "split":
            return [self.split_row(index) for index in indices]
        return [self.unified_row(index) for index in indices]

    @property
    def split_rows(self) -> list[SplitRow]:
        return [self.split_row(index) for index in range(self._split_count)]

    @property
    def unified_rows(self) -> list[UnifiedRow]:
        return [self.unified_row(index) for index in range(self._unified_count)]

    def line_count(self, side: str) -> int:
        return len(self._lines(side))

    def text(self, side: str, line: int) -> str:
        """The raw text (line ending removed) of a 1-based line of one side."""
        return self._lines(side)[line - 1]

    def row_for(self, side: str, line: int, mode: str) -> int | None:
        """The row index showing a 1-based line of one side in a mode, or None when there is no such line."""
        _check_mode(mode)
        index = line - 1
        if not 0 <= index < len(self._lines(side)):
            return None
        seg, k = self._segment_of(side, index)
        if mode == "split":
            return seg.split_start + k
        if seg.tag == "equal" or side == "original":
            return seg.unified_start + k
        return seg.unified_start + (seg.i2 - seg.i1) + k

    def partner(self, side: str, line: int) -> int | None:
        """The line on the other side that a replaced line is paired with (same split row), if any."""
        index = line - 1
        if not 0 <= index < len(self._lines(side)):
            return None
        seg, k = self._segment_of(side, index)
        if seg.tag != "replace" or k >= min(seg.i2 - seg.i1, seg.j2 - seg.j1):
            return None
        return (seg.j1 if side == "original" else seg.i1) + k + 1

    def next_block(self, row: int, mode: str) -> int | None:
        """The index of the first change block that starts below a row, or None when there is none."""
        index = bisect_left(self._block_starts(mode), row + 1)
        return index if index < len(self.blocks) else None

    def previous_block(self, row: int, mode: str) -> int | None:
        """The index of the last change block that starts above a row, or None when there is none."""
        index = bisect_left(self._block_starts(mode), row) - 1
        return index if index >= 0 else None

    def emphasis(self, side: str, line: int) -> tuple[Span, ...]:
        """The changed character spans of a replaced line (empty when unpaired, too long or emphasis is off)."""
        if not self.intraline_enabled:
            return ()
        other = self.partner(side, line)
        if other is None:
            return ()
        if side == "original":
            change = intraline_change(self.text("original", line), self.text("refactored", other), self.limits)
            return change.old if change else ()
        change = intraline_change(self.text("original", other), self.text("refactored", line), self.limits)
        return change.new if change else ()

    def notices(self) -> tuple[str, ...]:
        """Plain sentences about what the reviewer would otherwise not see or might misread."""
        notes: list[str] = []
        if self.refactored_missing:
            notes.append("no code was extracted from the answer: the refactored side is empty")
        elif not self.new_lines and self.old_lines:
            notes.append("the refactored file is empty")
        elif self.identical and self.old_lines:
            notes.append("no changes: the refactored file has the same lines as the original")
        if self.line_endings[0] != self.line_endings[1] and "none" not in self.line_endings:
            notes.append(
                f"line endings differ: original {self.line_endings[0]}, refactored {self.line_endings[1]}"
                " (ignored when comparing lines)"
            )
        if self.final_newline[0] != self.final_newline[1] and self.old_lines and self.new_lines:
            has = ("original", "refactored") if self.final_newline[0] else ("refactored", "original")
            notes.append(f"newline at end of file: the {has[0]} has one, the {has[1]} does not")
        if self.strategy == "approximate":
            notes.append("large file: the line alignment is approximate")
        if not self.intraline_enabled and self.intraline_off_reason:
            notes.append(f"intra-line emphasis off: {self.intraline_off_reason}")
        elif self.long_lines_unemphasised:
            notes.append(f"intra-line emphasis off for lines over {self.limits.intraline_line_chars} characters")
        return tuple(notes)

    def _segment_of(self, side: str, index: int) -> tuple[Segment, int]:
        if side == "original":
            seg = self.segments[bisect_right(self._old_starts, index) - 1]
            return seg, index - seg.i1
        seg = self.segments[bisect_right(self._new_starts, index) - 1]
        return seg, index - seg.j1

    def _block_starts(self, mode: str) -> list[int]:
        if _check_mode(mode) == "split":
            return self._block_split_starts
        return self._block_unified_starts

    def _lines(self, side: str) -> tuple[str, ...]:
        if side == "original":
            return self.old_lines
        if side == "refactored":
            return self.new_lines
        raise ValueError(f"unknown side {side!r}: use 'original' or 'refactored'")


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown diff mode {mode!r}: use 'split' or 'unified'")
    return mode


class DiffCancelled(Exception):
    """build_diff was told to stop: its caller no longer wants the diff."""


def build_diff(
    original: str,
    refactored: str | None,
    limits: DiffLimits = DEFAULT_LIMITS,
    cancelled: Callable[[], bool] | None = None,
) -> DiffModel:
    """Diff two texts line by line; None for the refactored text means no code could be extracted.

    cancelled, when given, is asked now and then; DiffCancelled is raised once it answers True.
    """
    old_lines = split_lines(original)
    new_lines = split_lines(refactored or "")
    opcodes, strategy = line_opcodes(old_lines, new_lines, limits, cancelled)

    segments: list[Segment] = []
    blocks: list[ChangeBlock] = []
    split_row = unified_row = 0
    long_pair = False
    long_line = limits.intraline_line_chars
    for tag, i1, i2, j1, j2 in opcodes:
        segment = Segment(tag, i1, i2, j1, j2, split_row, unified_row)
        segments.append(segment)
        split_end, unified_end = split_row + segment.split_length, unified_row + segment.unified_length
        if tag != "equal":
            blocks.append(
                ChangeBlock(tag, i1 + 1, i2 + 1, j1 + 1, j2 + 1, split_row, split_end, unified_row, unified_end)
            )
            if tag == "replace" and not long_pair:
                pairs = min(i2 - i1, j2 - j1)
                long_pair = any(len(line) > long_line for line in old_lines[i1 : i1 + pairs]) or any(
                    len(line) > long_line for line in new_lines[j1 : j1 + pairs]
                )
        split_row, unified_row = split_end, unified_end

    off_reason = ""
    total_lines = len(old_lines) + len(new_lines)
    total_chars = len(original) + len(refactored or "")
    if total_lines > limits.intraline_file_lines or total_chars > limits.intraline_file_chars:
        off_reason = "file too large"

    return DiffModel(
        old_lines=tuple(old_lines),
        new_lines=tuple(new_lines),
        segments=tuple(segments),
        blocks=tuple(blocks),
        strategy=strategy,
        refactored_missing=refactored is None,
        intraline_enabled=not off_reason,
        intraline_off_reason=off_reason,
        long_lines_unemphasised=long_pair and not off_reason,
        line_endings=(line_ending_style(original), line_ending_style(refactored or "")),
        final_newline=(original.endswith("\n"), (refactored or "").endswith("\n")),
        limits=limits,
    )


def line_ending_style(text: str) -> str:
    """How a text ends its lines: "LF", "CRLF", "CR", "mixed", or "none" when it has one line or none."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    kinds = [name for name, count in (("LF", lf), ("CRLF", crlf), ("CR", cr)) if count]
    if not kinds:
        return "none"
    return kinds[0] if len(kinds) == 1 else "mixed"


Opcode = tuple[str, int, int, int, int]


def line_opcodes(
    a: list[str], b: list[str], limits: DiffLimits = DEFAULT_LIMITS, cancelled: Callable[[], bool] | None = None
) -> tuple[list[Opcode], str]:
    """difflib-style opcodes between two line lists, and the strategy that found them.

    Small inputs get SequenceMatcher with autojunk off (its heuristic junks frequent lines such as "}" and
    misaligns code). Larger ones, whose quadratic worst case would freeze a review, are anchored on lines
    that occur once on each side (as patience diff does) with exact matching between the anchors.
    """
    matches: list[tuple[int, int, int]] = []
    search = _Search(limits, cancelled)
    _match_region(a, 0, len(a), b, 0, len(b), search, matches, top=True)
    strategy = "approximate" if search.approximate else "anchored" if search.anchored else "exact"
    return _opcodes_from_matches(matches, len(a), len(b)), strategy


@dataclass
class _Search:
    """What the recursive line matching carries along: its limits, a way to stop, and what it had to do."""

    limits: DiffLimits
    cancelled: Callable[[], bool] | None
    anchored: bool = False
    approximate: bool = False


def _match_region(
    a: list[str],
    alo: int,
    ahi: int,
    b: list[str],
    blo: int,
    bhi: int,
    search: _Search,
    out: list[tuple[int, int, int]],
    top: bool = False,
) -> None:
    """Append the matching blocks of a[alo:ahi] and b[blo:bhi] to out, in order."""
    if search.cancelled is not None and search.cancelled():
        raise DiffCancelled()
    limits = search.limits
    if top and (ahi - alo) * (bhi - blo) <= limits.exact_cells:
        # Untrimmed, so that a small diff is exactly SequenceMatcher's (trimming can shift equal lines).
        matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
        out.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
        return
    # Too big for SequenceMatcher's quadratic worst case: common ends first, then unique-line anchors.
    start_a, start_b = alo, blo
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo += 1
        blo += 1
    if alo > start_a:
        out.append((start_a, start_b, alo - start_a))
    tail = 0
    while ahi - tail > alo and bhi - tail > blo and a[ahi - tail - 1] == b[bhi - tail - 1]:
        tail += 1
    ahi -= tail
    bhi -= tail
    if alo < ahi and blo < bhi:
        cells = (ahi - alo) * (bhi - blo)
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi) if cells > limits.exact_cells else []
        if cells <= limits.exact_cells:
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            out.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
        elif anchors:
            search.anchored = True
            i_prev, j_prev = alo, blo
            for i, j in anchors:
                _match_region(a, i_prev, i, b, j_prev, j, search, out)
                out.append((i, j, 1))
                i_prev, j_prev = i + 1, j + 1
            _match_region(a, i_prev, ahi, b, j_prev, bhi, search, out)
        else:
            search.approximate = True
            if cells <= limits.approximate_cells:
                matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=True)
                out.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks() if n)
    if tail:
        out.append((ahi, bhi, tail))


def _unique_anchors(a: list[str], alo: int, ahi: int, b: list[str], blo: int, bhi: int) -> list[tuple[int, int]]:
    """The longest in-order chain of lines that occur exactly once in each region (patience diff's anchors)."""
    seen_a: dict[str, int] = {}
    for i in range(alo, ahi):
        line = a[i]
        seen_a[line] = -1 if line in seen_a else i
    seen_b: dict[str, int] = {}
    for j in range(blo, bhi):
        line = b[j]
        if line in seen_a:
            seen_b[line] = -1 if line in seen_b else j
    candidates = [(i, seen_b[line]) for line, i in seen_a.items() if i >= 0 and seen_b.get(line, -1) >= 0]
    candidates.sort()
    # Longest increasing subsequence of b positions, in a order, with back-links to rebuild the chain.
    tails: list[int] = []
    tail_index: list[int] = []
    back: list[int] = [-1] * len(candidates)
    for index, (_, j) in enumerate(candidates):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[k] = j
            tail_index[k] = index
        back[index] = tail_index[k - 1] if k else -1
    chain: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        chain.append(candidates[index])
        index = back[index]
    chain.reverse()
    return chain


def _opcodes_from_matches(matches: list[tuple[int, int, int]], len_a: int, len_b: int) -> list[Opcode]:
    opcodes: list[Opcode] = []
    i = j = 0
    for ai, bj, size in matches + [(len_a, len_b, 0)]:
        if i < ai or j < bj:
            tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert"
            opcodes.append((tag, i, ai, j, bj))
        if size:
            if opcodes and opcodes[-1][0] == "equal":
                _, ei1, _, ej1, _ = opcodes.pop()
                opcodes.append(("equal", ei1, ai + size, ej1, bj + size))
            else:
                opcodes.append(("equal", ai, ai + size, bj, bj + size))
        i, j = ai + size, bj + size
    return opcodes


_WORD = re.compile(r"\w+|\s+|[^\w\s]")


@lru_cache(maxsize=8192)
def intraline_change(old: str, new: str, limits: DiffLimits = DEFAULT_LIMITS) -> IntralineChange | None:
    """The changed spans of two paired lines, or None when either is too long to emphasise.

    Compared word by word (identifiers, runs of space, single punctuation marks), so that a renamed
    variable is emphasised whole instead of as scattered letters.
    """
    if len(old) > limits.intraline_line_chars or len(new) > limits.intraline_line_chars:
        return None
    old_words = _WORD.findall(old)
    new_words = _WORD.findall(new)
    old_starts = _starts(old_words)
    new_starts = _starts(new_words)
    old_spans: list[Span] = []
    new_spans: list[Span] = []
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            old_spans.append((old_starts[i1], old_starts[i2]))
        if j2 > j1:
            new_spans.append((new_starts[j1], new_starts[j2]))
    return IntralineChange(tuple(old_spans), tuple(new_spans))


def _starts(words: list[str]) -> list[int]:
    starts = [0]
    for word in words:
        starts.append(starts[-1] + len(word))
    return starts
