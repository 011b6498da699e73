"""Code extraction from a model's raw response: fenced blocks, or the whole answer when it is bare code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import normalise_language
from .pipeline.languages import REGISTRY

# A fence opens with ``` or ~~~ (3 or more), an optional info string, and closes with the same run or longer.
# The runs are possessive (`*+`, `{3,}+`): a fence is the whole run, and a long line of tildes fails in one pass
# instead of trying every split between the fence, the blanks and the info string (quadratic in the line).
_FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}+|~{3,}+)[ \t]*+(?P<info>[^`\n]*)$")

_INFO_ALIASES = {fence: spec.name for spec in REGISTRY.values() for fence in spec.fence_names}
"""A fence's info word -> the language it means (```py, ```golang), as the language files declare them."""

# Prose: after any list or quote marker, a run of at least three words, mostly plain words (inline `code`
# and punctuation allowed), the way sentences and numbered questions read.
_INLINE_CODE = re.compile(r"`[^`]*`")  # prose that quotes code is still prose
_LIST_MARKER = re.compile(r"^\s*(?:[-*+>]|\d+[.)])?\s*")
# Possessive runs: the classes overlap (' and ), and backtracking between them was quadratic in a long word.
_WORD = re.compile(r"^[`\"'(]*+[A-Za-z][A-Za-z'’\-]*+[`\"')]*+[,.;:!?)]*+$")
_CODE_MARKS = re.compile(
    r"[;{}=<>\[\]]|^\s*+(#include|import |from |def |class |func |package |using |<\?php|return\b)"
)


@dataclass(frozen=True)
class Extraction:
    """The code found in a response, and how it was found."""

    code: str | None  # None: the answer has no code
    how: str  # "fenced:<lang>", "fenced-largest", "bare", "none"
    blocks: int  # how many fenced blocks the response had


@dataclass(frozen=True)
class _Block:
    info: str
    text: str


def fenced_blocks(text: str) -> list[_Block]:
    """Every fenced code block, in order; an unclosed fence runs to the end (truncated answers do that)."""
    blocks: list[_Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence, info = match["fence"], match["info"].strip()
        body: list[str] = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                break
            body.append(lines[i])
            i += 1
        blocks.append(_Block(info, "\n".join(body) + ("\n" if body else "")))
        i += 1
    return blocks


def block_language(info: str) -> str | None:
    """The language a fence's info string names (```python, ```ts title="x.ts"), if any."""
    word = info.split()[0].lower() if info.split() else ""
    word = word.lstrip("{.").rstrip("}")
    return _INFO_ALIASES.get(word) or normalise_language(word) if word else None


def extract_code(response: str, language: str) -> Extraction:
    """The refactored file inside a response: the fenced block in the task's language (the largest such),
    else the largest fenced block; with no fences, the whole response when it reads as code."""
    blocks = [b for b in fenced_blocks(response) if b.text.strip()]
    if blocks:
        same = [b for b in blocks if block_language(b.info) == language]
        if same:
            return Extraction(max(same, key=lambda b: len(b.text)).text, f"fenced:{language}", len(blocks))
        return Extraction(max(blocks, key=lambda b: len(b.text)).text, "fenced-largest", len(blocks))
    if looks_like_code(response):
        return Extraction(response, "bare", 0)
    return Extraction(None, "none", 0)


def looks_like_code(text: str) -> bool:
    """Whether an unfenced answer is code rather than prose. Docstrings and comments read as prose, so a few
    lines with code punctuation (outside `inline code`) suffice, or a third of lines that read as no sentence."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    # The same rule, stopping as soon as it is decided: a long answer is settled by its first few lines.
    marked = 0
    for line in lines:
        if _has_code_marks(_INLINE_CODE.sub("", line)):
            marked += 1
            if marked >= 5:
                return True
    needed = len(lines) / 3
    counted = marked  # a marked line that reads as no sentence counts twice, as it always has
    for line in lines:
        if not _reads_as_prose(line):
            counted += 1
            if counted >= needed:
                return True
    return counted >= needed


def _has_code_marks(line: str) -> bool:
    """Code punctuation, a keyword at the start, or a call or signature closing the line: `(...)` then an
    optional colon. The last is tested by hand: as a regex (`\\(.*\\)\\s*:?\\s*$`) it is quadratic in a line
    of open parentheses."""
    if _CODE_MARKS.search(line):
        return True
    tail = line.rstrip()
    if tail.endswith(":"):
        tail = tail[:-1].rstrip()
    return tail.endswith(")") and "(" in tail[:-1]


PROSE_SAMPLE_CHARS = 2000
"""How much of a line the prose test reads: a sentence shows itself early, and a megabyte-long line costs no
more than this."""


def _reads_as_prose(line: str) -> bool:
    words = _LIST_MARKER.sub("", line[:PROSE_SAMPLE_CHARS], count=1).split()
    plain = sum(1 for w in words if _WORD.match(w))
    return len(words) >= 3 and plain / len(words) >= 0.6
