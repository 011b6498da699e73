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
    the previous hunk (patch(1) would accept the same offsets, without fuzz)."""
    def fits(at: int) -> bool:
        return at >= floor and source[at : at + len(expected)] == expected

    hint = max(hint, 0)
    if fits(hint):
        return hint
    for offset in range(1, len(source) + 1):
        for at in (hint - offset, hint + offset):
            if 0 <= at <= len(source) - len(expected) and fits(at):
                return at
    return None
