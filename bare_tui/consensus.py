"""The human consensus rule of DESIGN.md, in one place: stats, audit and queue all call it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

DECISIVE = ("pass", "fail")


def consensus_label(labels: Iterable[str], adjudicated: str | None = None) -> str | None:
    """The consensus of each reviewer's latest label: an adjudication wins, else the strict majority of
    pass/fail among the decisive labels; `unsure`, ties and no labels give no consensus (None)."""
    if adjudicated in DECISIVE:
        return adjudicated
    counts = Counter(label for label in labels if label in DECISIVE)
    if counts["pass"] > counts["fail"]:
        return "pass"
    if counts["fail"] > counts["pass"]:
        return "fail"
    return None


@dataclass(frozen=True)
class DisputeKind:
    """Why an attempt-stage is disputed; both may hold."""

    against_pipeline: bool  # the consensus differs from a pass/fail verdict
    among_reviewers: bool  # reviewers' decisive labels differ

    @property
    def disputed(self) -> bool:
        return self.against_pipeline or self.among_reviewers


def dispute(auto_outcome: str | None, labels: Iterable[str], adjudicated: str | None = None) -> DisputeKind:
    """Whether an attempt-stage is disputed. An adjudicated attempt-stage is settled: it stays disputed
    against the pipeline when the auditor disagrees with it, but reviewers no longer dispute among themselves."""
    label_list = list(labels)
    consensus = consensus_label(label_list, adjudicated)
    against = auto_outcome in DECISIVE and consensus is not None and consensus != auto_outcome
    decisive = {label for label in label_list if label in DECISIVE}
    among = adjudicated not in DECISIVE and len(decisive) > 1
    return DisputeKind(against_pipeline=against, among_reviewers=among)


def is_disputed_failure(auto_outcome: str | None, labels: Iterable[str], adjudicated: str | None = None) -> bool:
    """The case audits care most about: the pipeline said fail and people said pass."""
    return auto_outcome == "fail" and consensus_label(labels, adjudicated) == "pass"
