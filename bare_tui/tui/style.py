"""How every screen writes what the pipeline and people said: one glyph, colour and word for each."""

from __future__ import annotations

from rich.console import JustifyMethod
from rich.text import Text

# Outcomes of a stage and labels of a person share their values ("pass", "fail", ...), and so their look. Fail and
# error are bold: they are what a reviewer scans a column for.
OUTCOME_COLOURS: dict[str, str] = {
    "pass": "green",
    "fail": "red",
    "unsure": "yellow",
    "error": "magenta",
    "skipped": "dim",
}
OUTCOME_STYLES: dict[str, str] = {
    "pass": "green",
    "fail": "bold red",
    "unsure": "yellow",
    "error": "bold magenta",
    "skipped": "dim",
}
OUTCOME_GLYPHS: dict[str, str] = {
    "pass": "\u2713",  # ✓
    "fail": "\u2717",  # ✗
    "unsure": "?",
    "error": "!",
    "skipped": "\u2013",  # –
}
NONE_GLYPH = "\u00b7"  # · no verdict, no label
NONE_STYLE = "dim"

CONFIDENCE_WORDS: dict[int, str] = {1: "low", 2: "medium", 3: "high"}

FLAG_GLYPH = "\u2691"  # ⚑ flagged for audit
FLAG_STYLE = "bold yellow"

# A stage's name where a column or a form strip has three letters for it
STAGE_ABBREVIATIONS: dict[str, str] = {
    "syntax": "syn",
    "signatures": "sig",
    "integrity": "int",
    "defects": "def",
    "maintainability": "mnt",
    "overall": "all",
}


def stage_abbreviation(stage: str) -> str:
    """Three letters for a stage: the six's own, an extra stage's first three."""
    return STAGE_ABBREVIATIONS.get(stage, stage[:3])


def outcome_glyph(value: str | None, justify: JustifyMethod | None = None) -> Text:
    """An outcome or label as its coloured glyph (a dim dot when there is none)."""
    if value is None or value not in OUTCOME_GLYPHS:
        return Text(NONE_GLYPH, style=NONE_STYLE, justify=justify)
    return Text(OUTCOME_GLYPHS[value], style=OUTCOME_STYLES[value], justify=justify)
