"""Untrusted text as Rich Text, for the TUI and the reports: never read as markup, its control characters visible."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from bare_tui.safe_text import visible


def safe_rich_text(text: str, style: str | Style | None = None) -> Text:
    """A Rich Text of untrusted text that is never read as markup, with its control characters visible."""
    # Text() never parses markup; Text.from_markup and console markup are what must be avoided.
    return Text(visible(text), style=style or "")
