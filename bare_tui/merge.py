"""Bringing separate copies of a session together: every record is keyed, so merging twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from .plans import DrawnPlan, PlanError, absorb_plan
from .store import Store


@dataclass(frozen=True)
class MergeReport:
    """New rows the merge wrote into the target, by kind; plans the target holds differently, left alone."""

    tasks: int
    attempts: int
    verdicts: int
    judgements: int
    adjudications: int
    flags: int
    plans: int = 0
    plan_conflicts: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return (
            self.tasks + self.attempts + self.verdicts + self.judgements + self.adjudications + self.flags + self.plans
        )


def merge_into(target: Store, source: Store) -> MergeReport:
    """Copy every record of `source` that `target` lacks, in one transaction.

    Verdicts keep the time they were written (which run counts depends on it); where both copies hold the
    same verdict, the later-written stands. Plans come whole; a plan the target already holds with other
    items is reported, not changed.
    """
    before = target.counts()
    conflicts: list[str] = []
    changed_plans = 0
    with target.transaction() as conn:
        target.add_tasks(list(source.tasks().values()), conn)
        target.add_attempts(list(source.iter_attempts()), conn)
        target.merge_verdicts(source.verdicts(), conn)
        judgements = source.judgements(current_only=False)
        # One save per (reviewer, saved_at) keeps each reviewer's saves apart, so undo still steps back by save.
        for _, group in groupby(judgements, key=lambda j: (j.reviewer, j.saved_at)):
            target.save_judgements(list(group), conn)
        for adjudication in source.adjudications(current_only=False):
            target.save_adjudication(adjudication, conn)
        target.merge_flags(source.flags(include_cleared=True), conn)
        for record in source.plans():
            population = source.plan_population(record.name)
            incoming = DrawnPlan(record, source.plan_strata(record.name), source.plan_items(record.name), [])
            try:
                with target.savepoint(conn):
                    pairs = list(zip(population.attempt_ids, population.strata))
                    changed_plans += absorb_plan(target, conn, incoming, pairs) in ("extended", "completed")
            except PlanError as exc:
                conflicts.append(str(exc))
    after = target.counts()
    new = {kind: after[kind] - before[kind] for kind in after}
    return MergeReport(
        tasks=new["tasks"],
        attempts=new["attempts"],
        verdicts=new["verdicts"],
        judgements=new["judgements"],
        adjudications=new["adjudications"],
        flags=new["flags"],
        plans=new["plans"] + changed_plans,
        plan_conflicts=tuple(conflicts),
    )
