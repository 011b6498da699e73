"""The queue's and the audit list's reads from what the store keeps on write (the label in force marked on its row,
each attempt's packed outcomes) against the Python rules they replace, on random sessions written in several
transactions: superseded and withdrawn labels, undo, a merge of another copy, adjudications and flags."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bare_tui.audit import build_items, load_items
from bare_tui.merge import merge_into
from bare_tui.model import FIELDS, Adjudication, Attempt, Judgement, Label, ReasonCode, Task
from bare_tui.store import Store
from tests.unit.test_views import (
    ATTEMPTS,
    REVIEWERS,
    adjudication_specs,
    build,
    flag_specs,
    judgement_specs,
    verdict_specs,
)


def python_in_force(store: Store) -> list[Judgement]:
    """DESIGN.md's rule for the label in force, from every row ever written (no column the store keeps): per
    attempt, reviewer and stage the newest row (saved_at, then the order written) that no row supersedes, unless
    it is a withdrawal; in the order written."""
    written = store.judgements(current_only=False)
    superseded = {j.supersedes for j in written if j.supersedes}
    newest: dict[tuple[str, str, str], tuple[int, Judgement]] = {}
    for order, j in sorted(enumerate(written), key=lambda pair: (pair[1].saved_at or "", pair[0])):
        if j.judgement_id not in superseded:
            newest[(j.attempt_id, j.reviewer, j.stage)] = (order, j)
    return [j for _, j in sorted(newest.values(), key=lambda pair: pair[0]) if not j.retracted]


def python_tallies(store: Store, reviewer: str) -> set[tuple[Any, ...]]:
    """Store.label_tallies as the full reads and the Python rules give it."""
    passes: Counter[tuple[str, str]] = Counter()
    fails: Counter[tuple[str, str]] = Counter()
    mine: Counter[tuple[str, str]] = Counter()
    cells = set()
    for j in python_in_force(store):
        key = (j.attempt_id, j.stage)
        cells.add(key)
        passes[key] += j.label is Label.PASS
        fails[key] += j.label is Label.FAIL
        mine[key] += j.reviewer == reviewer
    settled = {(a.attempt_id, a.stage): a.label.value for a in store.adjudications()}
    return {(*key, passes[key], fails[key], mine[key], settled.get(key)) for key in cells | settled.keys()}


def store_tallies(store: Store, reviewer: str, attempt_ids: Any = None) -> set[tuple[Any, ...]]:
    t = store.label_tallies(reviewer, attempt_ids)
    return set(zip(t.attempt_ids, t.stages, t.passes, t.fails, t.mine, t.adjudications))


undo_specs = st.lists(st.sampled_from(REVIEWERS), max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verdict_specs, judgement_specs, adjudication_specs, flag_specs, undo_specs, judgement_specs)
def test_labels_in_force_kept_on_write_are_the_ones_the_python_rule_chooses(
    verdicts: list[Any],
    judgements: list[Any],
    adjudications: list[Any],
    flags: list[Any],
    undos: list[str],
    theirs: list[Any],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path, other = Path(folder) / "s.db", Path(folder) / "other.db"
        with Store.open(other, create=True) as copy:
            build(copy, [], theirs, [], [])
        with Store.open(path, create=True) as store:
            build(store, verdicts, judgements, adjudications, flags)
            for reviewer in undos:
                store.undo_last_save(reviewer)
            assert store.judgements() == python_in_force(store)
            for reviewer in REVIEWERS:
                assert store_tallies(store, reviewer) == python_tallies(store, reviewer)
            with Store.open(other, readonly=True) as copy:
                merge_into(store, copy)
            assert store.judgements() == python_in_force(store)
            assert store_tallies(store, "ana") == python_tallies(store, "ana")
            some = ATTEMPTS[:2]
            assert store_tallies(store, "ben", some) == {r for r in python_tallies(store, "ben") if r[0] in some}
        with Store.open(path, readonly=True) as store:  # a reader sees what the writer kept
            assert store_tallies(store, "cy") == python_tallies(store, "cy")


def python_audit(store: Store) -> list[Any]:
    """The audit list as audit.build_items makes it from the full reads."""
    outcomes = {key: v.outcome.value for key, v in store.current_verdicts().items()}
    return build_items(store.attempt_summaries(), outcomes, store.judgements(), store.adjudications(), store.flags())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verdict_specs, judgement_specs, adjudication_specs, flag_specs, undo_specs)
def test_the_audit_list_selected_in_sql_is_the_one_the_python_rules_build(
    verdicts: list[Any], judgements: list[Any], adjudications: list[Any], flags: list[Any], undos: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "s.db", create=True) as store:
        build(store, verdicts, judgements, adjudications, flags)
        for reviewer in undos:
            store.undo_last_save(reviewer)
        expected = python_audit(store)
        assert load_items(store) == expected
        light = load_items(store, notes=False)
        assert [(i.key, i.kind, i.auto, i.people, i.adjudication, i.flags) for i in light] == [
            (i.key, i.kind, i.auto, i.people, i.adjudication, i.flags) for i in expected
        ]
        assert [[(r.reviewer, r.label) for r in i.reviews] for i in light] == [
            [(r.reviewer, r.label) for r in i.reviews] for i in expected
        ]


def test_a_label_saved_after_the_queue_was_read_is_in_force_for_the_next_read(tmp_path: Path) -> None:
    """The label in force is decided in the transaction that saves it: a save, a change of mind and an undo each
    show in the next read, for the saver's reviewer and for another's."""
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt("a", "t", "m", "x = 2\n")])
        store.save_judgements([Judgement("j1", "a", "ana", "syntax", Label.PASS, saved_at="2026-01-01T00:00:00Z")])
        assert store_tallies(store, "ana") == {("a", "syntax", 1, 0, 1, None)}
        store.save_judgements(
            [Judgement("j2", "a", "ana", "syntax", Label.FAIL, saved_at="2026-01-01T00:00:01Z", supersedes="j1")]
        )
        assert store_tallies(store, "ben") == {("a", "syntax", 0, 1, 0, None)}
        store.undo_last_save("ana")
        assert store_tallies(store, "ana") == {("a", "syntax", 1, 0, 1, None)}
        store.save_judgements([Judgement("j3", "a", "ana", "overall", Label.PASS, saved_at="2026-01-01T00:00:02Z")])
        assert ("a", "overall", 1, 0, 1, None) in store_tallies(store, "ana")
        store.undo_last_save("ana")  # a first label undone is withdrawn
        assert store_tallies(store, "ana") == {("a", FIELDS[0], 1, 0, 1, None)}


def test_tallies_of_a_stage_outside_the_six_carry_its_labels_and_its_adjudication(tmp_path: Path) -> None:
    """Labels of another stage (a merged or imported session's) are tallied by its name beside the fields', and an
    auditor's settling of it, or of a field someone labelled, lands on that attempt-stage's row, not a new one."""
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt("a", "t", "m", "x = 2\n"), Attempt("b", "t", "m", "x = 3\n")])
        at = "2026-01-01T00:00:00Z"
        store.save_judgements(
            [
                Judgement("j1", "a", "ana", "tests", Label.PASS, saved_at=at),
                Judgement("j2", "a", "ben", "tests", Label.FAIL, saved_at=at),
                Judgement("j3", "b", "ben", "overall", Label.UNSURE, saved_at=at),
            ]
        )
        for n, (attempt, stage) in enumerate((("a", "tests"), ("b", "overall"), ("b", "syntax"))):
            store.save_adjudication(
                Adjudication(f"d{n}", attempt, stage, "eve", Label.FAIL, ReasonCode.PIPELINE_FALSE_PASS, saved_at=at)
            )
        expected = {
            ("a", "tests", 1, 1, 1, "fail"),
            ("b", "overall", 0, 0, 0, "fail"),
            ("b", "syntax", 0, 0, 0, "fail"),
        }
        assert store_tallies(store, "ana") == expected == python_tallies(store, "ana")
        assert store_tallies(store, "ana", ["b"]) == {row for row in expected if row[0] == "b"}
