"""Bringing separate copies of a session together: every record is keyed, so merging twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Copy every record of `source` that `target` lacks, in one transaction, as SQL between the two files
    (Store.merge_attached): memory stays flat at any size, and a merge with nothing new only reads.

    Verdicts keep the time they were written (which run counts depends on it); where both copies hold the
    same verdict, the later-written stands. Plans come whole; a plan the target already holds with other
    items is reported, not changed. The report counts the rows this merge wrote, not other writers'.
    """
    conflicts: list[str] = []
    changed_plans = 0
    with target.writing(attach=source) as batch:
        new = target.merge_attached(batch)
        plans_before = len(target.plans())
        for record in source.plans():
            population = source.plan_population(record.name)
            incoming = DrawnPlan(record, source.plan_strata(record.name), source.plan_items(record.name), [])
            try:
                with batch.savepoint():
                    pairs = list(zip(population.attempt_ids, population.strata))
                    changed_plans += absorb_plan(target, batch, incoming, pairs) in ("extended", "completed")
            except PlanError as exc:
                conflicts.append(str(exc))
        new_plans = len(target.plans()) - plans_before
    return MergeReport(
        tasks=new["tasks"],
        attempts=new["attempts"],
        verdicts=new["verdicts"],
        judgements=new["judgements"],
        adjudications=new["adjudications"],
        flags=new["flags"],
        plans=new_plans + changed_plans,
        plan_conflicts=tuple(conflicts),
    )
