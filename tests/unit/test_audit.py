"""The audit list: which attempt-stages come to audit, in what order, and what an adjudication changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bare_tui.audit import AuditKind, adjudicate, arrange, load_items, suggested_reason
from bare_tui.consensus import consensus_label
from bare_tui.model import Judgement, Label, Outcome, ReasonCode, Verdict
from bare_tui.store import SessionError, Store, new_id
from tests.tui.queue_fixtures import HOSTILE, build_queue_session


@pytest.fixture
def session(tmp_path: Path) -> Path:
    return build_queue_session(tmp_path / "queue.db")


def items_of(path: Path):  # type: ignore[no-untyped-def]
    with Store.open(path) as store:
        return load_items(store)


def test_disputed_failures_first_then_pipeline_then_reviewers_then_flags(session: Path) -> None:
    items = items_of(session)
    assert [(i.attempt_id, i.stage, i.kind) for i in items] == [
        ("a-2", "signatures", AuditKind.DISPUTED_FAILURE),
        ("a-5", "maintainability", AuditKind.PIPELINE),
        ("a-4", "integrity", AuditKind.REVIEWERS),
        ("a-5", "overall", AuditKind.FLAGGED),
        ("a-6", "overall", AuditKind.FLAGGED),
    ]
    assert not any(i.settled for i in items)


def test_each_item_carries_every_reviewers_label_note_and_the_verdict(session: Path) -> None:
    items = {i.key: i for i in items_of(session)}
    failure = items[("a-2", "signatures")]
    assert failure.auto == "fail" and failure.people == "pass"
    assert [(r.reviewer, r.label, r.confidence, r.note) for r in failure.reviews] == [
        ("ana", "pass", 3, "the function was renamed, callers updated"),
        ("ben", "pass", 2, "rename is fine"),
    ]
    split = items[("a-4", "integrity")]
    assert [(r.reviewer, r.label) for r in split.reviews] == [("ana", "fail"), ("ben", "pass")]
    assert split.people is None  # a tie is no consensus
    hostile = items[("a-5", "maintainability")]
    assert hostile.reviews[0].note == f"note {HOSTILE}"  # kept exactly; the screen makes it visible
    assert [f.reviewer for f in hostile.flags] == ["ben"]
    assert [f.note for f in items[("a-6", "overall")].flags] == ["looks identical to the original"]


def test_an_adjudication_is_committed_and_becomes_the_consensus(session: Path) -> None:
    with Store.open(session) as store:
        saved = adjudicate(store, "a-4", "integrity", Label.FAIL, ReasonCode.REVIEWER_ERROR, "eve", "comment is code")
    # A new connection sees it: it was committed before adjudicate returned.
    with Store.open(session) as store:
        stored = store.adjudications()
    assert [(a.attempt_id, a.stage, a.auditor, a.label, a.reason, a.note) for a in stored] == [
        ("a-4", "integrity", "eve", Label.FAIL, ReasonCode.REVIEWER_ERROR, "comment is code"),
    ]
    assert stored[0].adjudication_id == saved.adjudication_id
    item = {i.key: i for i in items_of(session)}[("a-4", "integrity")]
    assert item.settled and item.kind is AuditKind.REVIEWERS  # still listed, marked settled
    assert item.consensus == "fail"
    assert item.consensus == consensus_label([r.label for r in item.reviews], "fail")


def test_the_newest_adjudication_is_the_one_in_force(session: Path) -> None:
    with Store.open(session) as store:
        adjudicate(store, "a-2", "signatures", Label.FAIL, ReasonCode.REVIEWER_ERROR, "eve")
        adjudicate(store, "a-2", "signatures", Label.PASS, ReasonCode.PIPELINE_FALSE_FAIL, "fay", "renames are allowed")
    item = {i.key: i for i in items_of(session)}[("a-2", "signatures")]
    assert (item.adjudication.auditor, item.consensus) == ("fay", "pass")  # type: ignore[union-attr]


def test_an_unsure_adjudication_settles_without_deciding(session: Path) -> None:
    with Store.open(session) as store:
        adjudicate(store, "a-4", "integrity", Label.UNSURE, ReasonCode.AMBIGUOUS_RUBRIC, "eve")
    item = {i.key: i for i in items_of(session)}[("a-4", "integrity")]
    assert item.settled and item.consensus is None


def test_settled_items_move_down_or_hide(session: Path) -> None:
    with Store.open(session) as store:
        adjudicate(store, "a-2", "signatures", Label.PASS, ReasonCode.PIPELINE_FALSE_FAIL, "eve")
    items = items_of(session)
    shown = arrange(items, show_settled=True)
    assert [i.key for i in shown][-1] == ("a-2", "signatures")
    assert ("a-2", "signatures") not in [i.key for i in arrange(items, show_settled=False)]
    assert len(arrange(items, show_settled=False)) == len(items) - 1


def test_adjudicate_refuses_what_is_not_there(session: Path) -> None:
    with Store.open(session) as store:
        with pytest.raises(ValueError):
            adjudicate(store, "a-2", "style", Label.PASS, ReasonCode.OTHER, "eve")
        with pytest.raises(ValueError):
            adjudicate(store, "a-2", "syntax", Label.PASS, ReasonCode.OTHER, "  ")
        with pytest.raises(SessionError):
            adjudicate(store, "a-404", "syntax", Label.PASS, ReasonCode.OTHER, "eve")
        assert store.adjudications() == []


def test_a_disputed_failure_of_an_extra_stage_comes_to_audit_after_the_six_and_can_be_settled(session: Path) -> None:
    """CI's `tests` stage failed an attempt that two reviewers pass: a disputed failure like any other, listed
    after the attempt's six fields, in the disputes view as in the Python list, and settled by an auditor."""
    with Store.open(session) as store:
        store.save_verdicts([Verdict("a-2", "tests", Outcome.FAIL, None, (), "ci", "ci")])
        store.save_judgements(
            [
                Judgement(new_id(), "a-2", reviewer, "tests", Label.PASS, saved_at="2026-01-01T00:00:00Z")
                for reviewer in ("ana", "ben")
            ]
        )
        items = load_items(store)
        listed = [(i.attempt_id, i.stage, i.kind) for i in items]
        assert listed[:2] == [
            ("a-2", "signatures", AuditKind.DISPUTED_FAILURE),
            ("a-2", "tests", AuditKind.DISPUTED_FAILURE),
        ]
        assert [(r["attempt_id"], r["stage"], r["kind"]) for r in store.view_rows("disputes")] == [
            (a, s, k.value) for a, s, k in listed
        ]
        adjudicate(store, "a-2", "tests", Label.PASS, ReasonCode.PIPELINE_FALSE_FAIL, "eve")
        assert {i.key: i.settled for i in load_items(store)}[("a-2", "tests")]


def test_suggested_reason_follows_the_direction_of_the_correction(session: Path) -> None:
    items = {i.key: i for i in items_of(session)}
    assert suggested_reason(items[("a-2", "signatures")], Label.PASS) is ReasonCode.PIPELINE_FALSE_FAIL
    assert suggested_reason(items[("a-5", "maintainability")], Label.FAIL) is ReasonCode.PIPELINE_FALSE_PASS
    assert suggested_reason(items[("a-5", "maintainability")], Label.PASS) is ReasonCode.REVIEWER_ERROR
    assert suggested_reason(items[("a-4", "integrity")], Label.UNSURE) is ReasonCode.AMBIGUOUS_RUBRIC
    assert suggested_reason(items[("a-6", "overall")], Label.PASS) is ReasonCode.PIPELINE_FALSE_FAIL  # overall: fail
    assert suggested_reason(items[("a-6", "overall")], Label.FAIL) is ReasonCode.OTHER


def test_the_statistics_count_the_adjudication_as_the_consensus(session: Path) -> None:
    from bare_tui.calibration import rows_for_store

    def false_passes() -> float | None:
        with Store.open(session) as store:
            rows = rows_for_store(store)
        return next(r.value for r in rows if (r.metric, r.stage, r.group_by) == ("fp", "integrity", "all"))

    assert false_passes() == 0  # a-4 integrity is a tie between the reviewers: no consensus, not counted
    with Store.open(session) as store:
        adjudicate(store, "a-4", "integrity", Label.FAIL, ReasonCode.PIPELINE_FALSE_PASS, "eve")
    assert false_passes() == 1  # the pipeline's pass now stands against the settled fail


def test_reading_notes_attempt_by_attempt_gives_the_same_list_as_reading_them_all(session: Path) -> None:
    from bare_tui.audit import build_items

    with Store.open(session) as store:
        adjudicate(store, "a-1", "syntax", Label.PASS, ReasonCode.OTHER, "eve")  # settled, never disputed
        adjudicate(store, "a-4", "integrity", Label.FAIL, ReasonCode.REVIEWER_ERROR, "eve")
        everything = build_items(
            store.attempt_summaries(),
            store.current_outcomes(),
            store.judgements(),
            store.adjudications(),
            store.flags(),
        )
        assert load_items(store) == everything
    assert ("a-1", "syntax") not in [i.key for i in everything]  # nothing was ever disputed there


def test_the_list_without_notes_has_the_same_items_and_with_notes_completes_each(session: Path) -> None:
    from bare_tui.audit import with_notes

    with Store.open(session) as store:
        adjudicate(store, "a-4", "integrity", Label.FAIL, ReasonCode.REVIEWER_ERROR, "eve")
        full = load_items(store)
        light = load_items(store, notes=False)
        completed = [with_notes(item, store.judgements(attempt_id=item.attempt_id)) for item in light]
    assert [(i.key, i.kind, i.auto, i.people, i.consensus, i.settled) for i in light] == [
        (i.key, i.kind, i.auto, i.people, i.consensus, i.settled) for i in full
    ]
    assert [[(r.reviewer, r.label) for r in i.reviews] for i in light] == [
        [(r.reviewer, r.label) for r in i.reviews] for i in full
    ]
    assert not any(i.notes_read for i in light) and all(i.notes_read for i in full)
    assert completed == full
    assert [r.note for r in completed[0].reviews] == ["the function was renamed, callers updated", "rename is fine"]
