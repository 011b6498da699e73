"""The one rule for how much evidence a verdict carries: at most EVIDENCE_LIMIT findings, then one line saying how
many more there were."""

from __future__ import annotations

from collections.abc import Sequence

from bare_tui.model import Evidence

EVIDENCE_LIMIT = 50
"""At most this many findings are listed per verdict; the count of the rest is said in one last line."""


def capped(
    evidence: Sequence[Evidence], what: str, side: str = "refactored", total: int | None = None
) -> tuple[Evidence, ...]:
    """The first EVIDENCE_LIMIT items, and "… and N more <what>" when there were more. `total` counts the findings
    when only the first ones were turned into evidence (a hostile answer can have a million)."""
    count = len(evidence) if total is None else total
    if count <= EVIDENCE_LIMIT:
        return tuple(evidence)
    rest = count - EVIDENCE_LIMIT
    return (*evidence[:EVIDENCE_LIMIT], Evidence(side, None, None, f"… and {rest:,} more {what}"))
