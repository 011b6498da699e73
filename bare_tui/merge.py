"""Bringing separate copies of a session together: every record is keyed, so merging twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from .store import Store


@dataclass(frozen=True)
class MergeReport:
    """New rows the merge wrote into the target, by kind."""

    tasks: int
    attempts: int
    verdicts: int
    judgements: int
    adjudications: int
    flags: int

    @property
    def total(self) -> int:
        return self.tasks + self.attempts + self.verdicts + self.judgements + self.adjudications + self.flags


def merge_into(target: Store, source: Store) -> MergeReport:
    """Copy every record of `source` that `target` lacks, in one transaction."""
    before = target.counts()
    with target.transaction() as conn:
        target.add_tasks(list(source.tasks().values()), conn)
        target.add_attempts(list(source.iter_attempts()), conn)
        target.save_verdicts(source.verdicts(), conn)
        judgements = source.judgements(current_only=False)
        # One save per (reviewer, saved_at) keeps each reviewer's saves apart, so undo still steps back by save.
        for _, group in groupby(judgements, key=lambda j: (j.reviewer, j.saved_at)):
            target.save_judgements(list(group), conn)
        for adjudication in source.adjudications(current_only=False):
            target.save_adjudication(adjudication, conn)
        target.merge_flags(source.flags(include_cleared=True), conn)
    after = target.counts()
    return MergeReport(*(after[k] - before[k] for k in ("tasks", "attempts", "verdicts", "judgements",
                                                        "adjudications", "flags")))
