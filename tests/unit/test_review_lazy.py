"""A lazily opened review session (what `bare-tui review` opens, to paint before it reads): until the order and the
reviewer's labels are read on their threads it answers in import order through the store, and what the reviewer
saves or undoes meanwhile is laid over the labels when they come in, whether the read began before or after."""

from __future__ import annotations

import gc
from concurrent.futures import Future
from pathlib import Path

import pytest

from bare_tui.model import FIELDS, Attempt, Judgement, Label
from bare_tui.review import FormState, ReviewerLabels, ReviewSession, Walk, read_labels
from bare_tui.store import SessionError, Store


def label(store: Store, attempt_id: str, stages: tuple[str, ...], reviewer: str = "ana") -> None:
    store.save_judgements(
        [
            Judgement(f"{attempt_id}-{stage}-{reviewer}", attempt_id, reviewer, stage, Label.PASS, saved_at="2026")
            for stage in stages
        ]
    )


def all_pass(review: ReviewSession, attempt_id: str) -> None:
    bundle = review.load(attempt_id)
    form = FormState.from_judgements(bundle.judgements, bundle.fields).mark_unlabelled(Label.PASS, False)
    review.save(form, bundle, "2026-01-01T00:00:00Z")


def lazy(path: Path, reviewer: str = "ana") -> tuple[ReviewSession, Future[ReviewerLabels]]:
    """A session opened as the command opens it, its labels held back until the test hands them over."""
    review = ReviewSession.open(Store.open(path), reviewer, "blind", lazy=True)
    held: Future[ReviewerLabels] = Future()
    review.labels_ahead = held
    return review, held


def as_read(path: Path, reviewer: str = "ana") -> ReviewerLabels:
    with Store.open(path, readonly=True) as store:
        return read_labels(store, reviewer, store.fields())


def test_before_anything_is_read_the_session_walks_import_order_through_the_store(session: Path) -> None:
    with Store.open(session) as store:
        label(store, "a-1", ("syntax",))
        label(store, "a-3", ("syntax",), reviewer="ben")  # another reviewer's label leaves a-3 unjudged for ana
    review, _ = lazy(session)
    assert not review.ordered and not review.labels_known
    assert review.first_attempt() == "a-2"
    assert [review.where(a) for a in ("a-1", "a-2", "a-3")] == ["attempt 1 of 3", "attempt 2 of 3", "attempt 3 of 3"]
    assert [review.step("a-2", 1), review.step("a-2", -1), review.step("a-3", 1), review.step("a-1", -1)] == [
        "a-3",
        "a-1",
        None,
        None,
    ]
    assert review.progress is None  # not known yet: the header says so rather than showing a guess
    assert review.after_save(Walk(()), "a-2") == "a-3"
    assert review.after_save(Walk(()), "a-3") == "a-2"  # wraps round to the first not judged
    assert review.likely_next(Walk(()), "a-2") == ["a-3"]


@pytest.mark.parametrize("read", ["before the keys", "after the keys"])
def test_saves_and_undos_made_before_the_labels_arrive_count_whether_the_read_began_before_or_after(
    session: Path, read: str
) -> None:
    with Store.open(session) as store:
        label(store, "a-1", ("syntax",))
    before = as_read(session)  # a read that began before the reviewer's first key
    review, held = lazy(session)
    all_pass(review, "a-2")  # every field: judged and seen
    bundle = review.load("a-3")
    review.save(FormState().mark(Label.FAIL, False), bundle, "2026-01-01T00:00:00Z")
    review.undo()  # a-3 withdrawn again
    bundle = review.load("a-1")  # relabelled: still judged
    review.save(FormState.from_judgements(bundle.judgements).mark(Label.FAIL, False), bundle, "2026-01-01T00:00:00Z")
    assert review.progress is None
    held.set_result(before if read == "before the keys" else as_read(session))
    assert review.poll_labels()
    fresh = ReviewSession.open(Store.open(session), "ana", "blind", claim=False)  # what the next process reads
    review.set_order(fresh.order)
    assert review.judged == fresh.judged == {"a-1", "a-2"}
    assert review.progress == review.judged_count == fresh.judged_count == 2
    assert review.visible_ids() == fresh.visible_ids() == {"a-2"}
    assert review.start_index() == fresh.start_index() == 2 and not review.complete


def test_an_attempt_labelled_in_every_field_shows_its_verdicts_before_the_labels_arrive(session: Path) -> None:
    with Store.open(session) as store:
        label(store, "a-1", tuple(FIELDS))
        label(store, "a-2", ("syntax",))
    review, _ = lazy(session)
    review.load("a-1")
    review.load("a-2")
    assert review.sees_verdicts("a-1") and not review.sees_verdicts("a-2")
    assert {"a-1", "a-2"} <= review.judged


def test_labels_whose_read_failed_are_read_by_the_session_itself(session: Path) -> None:
    with Store.open(session) as store:
        label(store, "a-2", tuple(FIELDS))
    review, held = lazy(session)
    held.set_exception(SessionError("the thread could not open the session"))
    assert review.visible_ids() == {"a-2"}  # waits for the labels, here by reading them again
    assert review.labels_known and review.judged == {"a-2"}


def test_a_plan_or_a_shuffle_is_not_walked_in_import_order(session: Path) -> None:
    review = ReviewSession.open(Store.open(session), "ana", "blind", shuffle_seed="7", lazy=True)
    assert not review.in_import_order and review.first_attempt() is None
    assert review.where("a-2") == "attempt"  # a shuffle's place is known once the order is read
    assert review.likely_next(Walk(()), "a-2") == []


@pytest.mark.parametrize("reviewer", ["ana", "ben"])
def test_the_store_s_labelled_attempts_follow_the_labels_in_force(session: Path, reviewer: str) -> None:
    with Store.open(session) as store:
        store.add_attempts([Attempt("a-\x1fodd", "t-1", "m1", "x = 1\n")])  # an id holding the read's separator
        label(store, "a-1", tuple(FIELDS))
        label(store, "a-\x1fodd", ("syntax", "overall", "tests"))
        label(store, "a-2", ("syntax", "overall"))
        label(store, "a-3", ("defects",), reviewer="ben")
    review = ReviewSession.open(Store.open(session), "ana", "blind", claim=False)
    bundle = review.load("a-2")
    review.save(FormState.from_judgements(bundle.judgements).mark(Label.FAIL, False), bundle, "2026-01-02")
    with Store.open(session, readonly=True) as store:
        in_force = store.judgements(reviewer=reviewer)
        for fields in (["syntax", "overall", "tests"], list(FIELDS)):
            labelled = store.reviewer_labelled_attempts(reviewer, fields)
            stages = {a: {j.stage for j in in_force if j.attempt_id == a} for a in {j.attempt_id for j in in_force}}
            assert sorted(labelled.judged) == sorted(stages)
            assert sorted(labelled.fully_labelled) == sorted(a for a, s in stages.items() if set(fields) <= s)
        assert set(read_labels(store, reviewer, FIELDS).fully_labelled) == ({"a-1"} if reviewer == "ana" else set())


def test_the_store_walks_import_order_and_finds_the_first_attempt_not_judged(session: Path) -> None:
    with Store.open(session) as store:
        assert store.first_attempt_unjudged("ana") == "a-1"
        label(store, "a-1", ("syntax",))
        label(store, "a-3", ("syntax",))
        assert store.first_attempt_unjudged("ana") == "a-2"
        assert store.first_attempt_unjudged("ana", after="a-2") == "a-2"  # none after it: from the start again
        assert store.first_attempt_unjudged("ben", after="a-1") == "a-2"
        label(store, "a-2", ("syntax",))
        assert store.first_attempt_unjudged("ana") is None
        assert [store.attempt_position(a) for a in ("a-1", "a-2", "a-3", "nope")] == [0, 1, 2, None]
        assert [store.attempt_step("a-1", -1), store.attempt_step("a-3", 1), store.attempt_step("nope", 1)] == [
            None,
            None,
            None,
        ]


def test_the_review_command_leaves_garbage_collection_on_when_it_fails(tmp_path: Path) -> None:
    """It turns collection off while its screen loads: a command that ends early (here: nothing to review) must
    not leave the process without it."""
    from bare_tui import cli

    empty = tmp_path / "empty.db"
    Store.open(empty, create=True).close()
    assert gc.isenabled()
    assert cli.main(["review", str(empty), "--reviewer", "ana"]) == 2
    assert gc.isenabled()
