"""Applying a unified diff to the original file, with a reason a person can act on when it does not apply."""

from __future__ import annotations

from dataclasses import dataclass

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError


class PatchError(ValueError):
    """The patch cannot be read or does not apply; the message says which hunk and why."""


@dataclass(frozen=True)
class _Line:
    kind: str  # " ", "-", "+"
    text: str


def apply_patch(original: str, patch: str) -> str:
    """The original with the patch's single file diff applied. Context must match exactly (line endings aside)."""
    try:
        patch_set = PatchSet(patch.splitlines(keepends=True))
    except UnidiffParseError as exc:
        raise PatchError(f"not a unified diff: {exc}") from None
    if len(patch_set) == 0:
        raise PatchError("not a unified diff: no file header (---/+++) or hunk (@@) found")
    if len(patch_set) > 1:
        raise PatchError(f"the patch changes {len(patch_set)} files; expected one")
    if patch_set[0].is_binary_file:
        raise PatchError("a binary patch: it carries no text to apply")
    if len(patch_set[0]) == 0:
        raise PatchError("no hunk that can be read: the patch has a file header and no valid @@ -a,b +c,d @@ line")
    source = original.splitlines()
    ends_with_newline = original.endswith(("\n", "\r"))
    result: list[str] = []
    cursor = 0  # next unconsumed line of the original, 0-based
    for number, hunk in enumerate(patch_set[0], start=1):
        lines = [_Line(line.line_type, line.value.rstrip("\r\n")) for line in hunk if line.line_type in " -+"]
        expected = [line.text for line in lines if line.kind in " -"]
        start = _locate(source, expected, hunk.source_start - 1 if hunk.source_length else hunk.source_start, cursor)
        if start is None:
            where = f"at line {hunk.source_start}"
            raise PatchError(f"hunk {number} (@@ -{hunk.source_start},{hunk.source_length} @@) does not apply {where}: "
                             "its context or removed lines differ from the original")
        result.extend(source[cursor:start])
        result.extend(line.text for line in lines if line.kind in " +")
        cursor = start + len(expected)
        if any(line.line_type == "\\" for line in hunk) and hunk[-1].line_type == "+":
            ends_with_newline = False
    result.extend(source[cursor:])
    text = "\n".join(result)
    return text + "\n" if result and ends_with_newline else text


def _locate(source: list[str], expected: list[str], hint: int, floor: int) -> int | None:
    """Where the hunk's old lines stand: at the line the header names, else the nearest exact match after
    the previous hunk (patch(1) would accept the same offsets, without fuzz). Candidates are found by a
    rolling hash of line windows, so a hunk that matches nowhere costs one pass, not lines x hunk."""
    hint = max(hint, 0)
    size = len(expected)
    if size == 0:
        return min(max(hint, floor), len(source))
    if hint >= floor and source[hint : hint + size] == expected:
        return hint
    codes: dict[str, int] = {}
    want = [codes.setdefault(text, len(codes) + 1) for text in expected]
    have = [codes.get(text, 0) for text in source]  # 0: a line the hunk does not have
    target = 0
    for code in want:
        target = (target * _BASE + code) % _MODULUS
    top = pow(_BASE, size - 1, _MODULUS)
    best: int | None = None
    window = 0
    for end, code in enumerate(have):
        if end >= size:
            window = (window - have[end - size] * top) % _MODULUS
        window = (window * _BASE + code) % _MODULUS
        at = end - size + 1
        if at < floor or window != target or have[at : at + size] != want:
            continue
        if best is None or abs(at - hint) < abs(best - hint):
            best = at
        if at > hint:
            break  # later matches are only further away
    return best


_BASE = 1_000_003
_MODULUS = (1 << 61) - 1
