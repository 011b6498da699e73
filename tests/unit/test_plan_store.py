"""The store's plan records: written in one transaction, read back as named rows, names never overwritten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bare_tui.model import Outcome, PlanItem, PlanRecord, PlanStratum, Verdict
from bare_tui.store import SessionError, Store


def _plan(name: str = "p1") -> tuple[PlanRecord, list[PlanStratum], list[PlanItem], list[tuple[str, str]]]:
    record = PlanRecord(name, {"strata": ["model"], "seed": 3}, "2026-12-01T00:00:00Z", 2)
    strata = [PlanStratum(name, "model=m1", 2, 1), PlanStratum(name, "model=m2", 1, 1)]
    items = [
        PlanItem(name, "a-2", "model=m2", 1.0, 1, ("ana", "ben")),
        PlanItem(name, "a-3", "model=m1", 0.5, 2, ("ben",)),
    ]
    population = [("a-1", "model=m1"), ("a-2", "model=m2"), ("a-3", "model=m1")]
    return record, strata, items, population


def test_a_plan_round_trips_as_named_rows(session: Path) -> None:
    with Store.open(session) as store:
        store.save_plan(*_plan())
        assert [p.name for p in store.plans()] == ["p1"]
        assert store.plan("p1") == _plan()[0]
        assert store.plan("nope") is None
        assert store.plan_items("p1") == _plan()[2]
        assert store.plan_strata("p1") == _plan()[1]
        population = store.plan_population("p1")
        assert sorted(zip(population.attempt_ids, population.strata)) == sorted(_plan()[3])
        members = list(store._query("SELECT attempt_id, stratum FROM plan_members WHERE plan = 'p1'"))
        assert sorted((m["attempt_id"], m["stratum"]) for m in members) == sorted(_plan()[3])


def test_an_existing_name_is_refused_and_nothing_is_written(session: Path) -> None:
    with Store.open(session) as store:
        store.save_plan(*_plan())
        record, strata, items, population = _plan()
        with pytest.raises(SessionError, match="plan named 'p1' exists"):
            store.save_plan(record, strata, items[:1], population)
        assert len(store.plan_items("p1")) == 2


def test_a_plan_naming_an_unknown_attempt_leaves_nothing(session: Path) -> None:
    record, strata, items, population = _plan()
    items.append(PlanItem("p1", "ghost", "model=m1", 0.5, 3))
    with Store.open(session) as store:
        with pytest.raises(sqlite3.IntegrityError):
            store.save_plan(record, strata, items, population)
        assert store.plans() == [] and store.plan_items("p1") == []
        assert store.missing_attempt_ids(["a-1", "ghost", "a-9"]) == ["ghost", "a-9"]


def test_one_stage_outcome_follows_the_verdict_rule(session: Path) -> None:
    with Store.open(session) as store:
        store.save_verdicts([Verdict("a-1", "overall", Outcome.PASS, pipeline_version="ext", source="ext")])
        store.save_verdicts([Verdict("a-2", "overall", Outcome.FAIL, pipeline_version="ext", source="ext")])
        store.save_verdicts([Verdict("a-2", "syntax", Outcome.PASS, pipeline_version="v1")])  # own, another stage
        store.save_verdicts([Verdict("a-3", "overall", Outcome.PASS, pipeline_version="v1")])
        store.save_verdicts([Verdict("a-3", "overall", Outcome.FAIL, pipeline_version="v2")])
        chosen = {a: o for (a, stage), o in store.current_outcomes().items() if stage == "overall"}
        assert store.current_stage_outcomes("overall") == chosen == {"a-1": "pass", "a-3": "fail"}
