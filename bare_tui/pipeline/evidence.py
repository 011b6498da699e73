"""The one rule for how much evidence a verdict carries: at most EVIDENCE_LIMIT findings, then one line saying how
many more there were."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from bare_tui.model import Evidence

EVIDENCE_LIMIT = 50
"""At most this many findings are listed per verdict; the count of the rest is said in one last line."""

_Finding = TypeVar("_Finding")


@overload
def capped(findings: Sequence[Evidence], what: str, *, side: str = "refactored") -> tuple[Evidence, ...]: ...


@overload
def capped(
    findings: Sequence[_Finding], what: str, as_evidence: Callable[[_Finding], Evidence], side: str = "refactored"
) -> tuple[Evidence, ...]: ...


def capped(
    findings: Sequence[Any],
    what: str,
    as_evidence: Callable[[Any], Evidence] | None = None,
    side: str = "refactored",
) -> tuple[Evidence, ...]:
    """The first EVIDENCE_LIMIT findings as evidence (made by `as_evidence` unless they are Evidence already), and
    "… and N more <what>" when there were more. Only those shown are made into evidence: a hostile answer can have
    a million findings."""
    shown = [as_evidence(f) if as_evidence is not None else f for f in findings[:EVIDENCE_LIMIT]]
    rest = len(findings) - len(shown)
    return tuple(shown) if rest <= 0 else (*shown, Evidence(side, None, None, f"… and {rest:,} more {what}"))
