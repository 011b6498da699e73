"""What a raw model response holds: a whole file (extracted as before), a unified diff in a ```diff fence, or
edit blocks (SEARCH/REPLACE, as aider and similar tools write them). A diff or edit blocks are applied to the
original; when they do not apply, the attempt is imported with no code and flagged, never stored as code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..extract import block_language, extract_code, fenced_blocks
from ..model import language_from_path
from ..patching import PatchError, apply_patch

# <<<<<<< SEARCH / ======= / >>>>>>> REPLACE, each marker alone on its line (5 to 9 marker characters)
_EDIT_BLOCK = re.compile(
    r"^<{5,9} ?SEARCH[^\n]*\n(?P<search>.*?)^={5,9}[ \t]*\n(?P<replace>.*?)^>{5,9} ?REPLACE[^\n]*$",
    re.MULTILINE | re.DOTALL,
)
_DIFF_INFOS = ("diff", "patch", "udiff")
_DIFF_START = re.compile(r"^(--- |\+\+\+ |@@ |diff --git )", re.MULTILINE)


@dataclass(frozen=True)
class Answer:
    """The code a response gives, how it was found, and the flags and warnings to import it with."""

    code: str | None
    how: str  # "edit-blocks", "diff", or extract_code's "fenced:<lang>", "fenced-largest", "bare", "none"
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def read_answer(response: str, original: str, language: str) -> Answer:
    """The refactored file a response stands for: edit blocks applied, else a fenced block in the task's
    language, else a diff fence applied, else extract_code's choice."""
    edits = [(m["search"], m["replace"]) for m in _EDIT_BLOCK.finditer(response)]
    if edits:
        try:
            return Answer(apply_edit_blocks(original, edits), "edit-blocks")
        except PatchError as exc:
            return Answer(
                None,
                "edit-blocks",
                (f"edit-failed: {exc}",),
                (f"edit blocks do not apply, imported with no code: {exc}",),
            )
    blocks = [b for b in fenced_blocks(response) if b.text.strip()]
    if not any(block_language(b.info) == language for b in blocks):
        diffs = [b for b in blocks if _is_diff(b.info, b.text)]
        if diffs:
            diff = max(diffs, key=lambda b: len(b.text))
            try:
                return Answer(apply_patch(original, diff.text), "diff")
            except PatchError as exc:
                return Answer(
                    None,
                    "diff",
                    (f"patch-failed: {exc}",),
                    (f"the response's diff does not apply, imported with no code: {exc}",),
                )
    extraction = extract_code(response, language)
    if extraction.code is None:
        return Answer(None, "none", ("no-code",), ("the response has no code; imported as an answer with no code",))
    return Answer(extraction.code, extraction.how)


def _is_diff(info: str, text: str) -> bool:
    word = info.split()[0].lower() if info.split() else ""
    if word in _DIFF_INFOS:
        return True
    return not word and bool(_DIFF_START.match(text)) and "\n@@ " in "\n" + text


def apply_edit_blocks(original: str, edits: list[tuple[str, str]]) -> str:
    """Each SEARCH text replaced by its REPLACE text, in order; a SEARCH found nowhere is a PatchError. An
    empty SEARCH on an empty original writes the file."""
    text = original
    for number, (search, replace) in enumerate(edits, start=1):
        if not search.strip():
            if text.strip():
                raise PatchError(f"edit block {number} has an empty SEARCH but the original is not empty")
            text = replace
            continue
        at = text.find(search)
        if at < 0:
            stripped = search.strip("\n")
            at = text.find(stripped)
            if at < 0:
                raise PatchError(f"edit block {number}'s SEARCH text is not in the original")
            search, replace = stripped, replace.strip("\n")
        text = text[:at] + replace + text[at + len(search) :]
    return text


def answer_key(filename: str) -> str:
    """What an answer file of the folder layout holds: a diff (`.patch`, `.diff`), a file in one of the nine
    languages (the refactored code), or anything else (`.response.md`, `.txt`): a raw response to extract."""
    lower = filename.lower()
    if lower.endswith((".patch", ".diff")):
        return "patch"
    if ".response." not in lower and language_from_path(lower) is not None:
        return "refactored"
    return "response"
