"""The review session without a terminal: order, resume point, form state, saving, undo, flags, the command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bare_tui import cli
from bare_tui.model import FIELDS, Label, Outcome, Verdict
from bare_tui.review import (
    FormState,
    ReviewSession,
    Walk,
    build_judgements,
    first_unjudged,
    parse_tags,
    resolve_reviewer,
    review_order,
)
from bare_tui.store import ReviewerBusy, SessionError, Store, claim_reviewer


def ids(n: int) -> list[str]:
    return [f"a-{i}" for i in range(1, n + 1)]


def test_import_order_without_a_seed(session: Path) -> None:
    assert review_order(ids(5), "ana") == ids(5)
    assert ReviewSession.open(Store.open(session), "ana").order == ["a-1", "a-2", "a-3"]


def test_shuffle_is_a_permutation_stable_per_reviewer_and_different_between_reviewers() -> None:
    rows = ids(40)
    ana = review_order(rows, "ana", "7")
    assert sorted(ana) == sorted(review_order(rows, "ana"))
    assert ana == review_order(rows, "ana", "7")  # same seed and name: same order, every run
    assert ana != review_order(rows, "ben", "7")
    assert ana != review_order(rows, "ana", "8")
    assert ana != review_order(rows, "ana")


def test_first_unjudged_wraps_round() -> None:
    order = ["a", "b", "c", "d"]
    assert first_unjudged(order, set()) == 0
    assert first_unjudged(order, {"a", "b"}) == 2
    assert first_unjudged(order, {"a", "d"}, start=3) == 1
    assert first_unjudged(order, set(order)) is None


def test_reviewer_from_flag_then_environment_then_login(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BARE_REVIEWER", "env-name")
    assert resolve_reviewer("given") == "given"
    assert resolve_reviewer(None) == "env-name"
    monkeypatch.delenv("BARE_REVIEWER")
    monkeypatch.setattr("getpass.getuser", lambda: "login-name")
    assert resolve_reviewer(None) == "login-name"
    assert resolve_reviewer("  ") == "login-name"


def test_marking_moves_to_the_next_field_and_stays_on_overall() -> None:
    form = FormState()
    assert form.focused_field == "syntax"
    for _ in FIELDS:
        form = form.mark(Label.PASS, verdicts_visible=False)
    assert form.focused_field == "overall" and form.all_labelled
    form = form.mark(Label.FAIL, verdicts_visible=True)
    assert form.label_of("overall") is Label.FAIL and form.focused_field == "overall"
    assert form.move(1).focused_field == "syntax" and form.move(1).move(-1).focused_field == "overall"


def test_fields_to_save_are_the_new_labels_or_all_when_note_or_confidence_changed() -> None:
    form = FormState()
    assert form.fields_to_save() == [] and not form.unsaved
    form = form.mark(Label.PASS, False).move(1).mark(Label.FAIL, False)  # syntax, then integrity
    assert form.fields_to_save() == ["syntax", "integrity"]
    with pytest.raises(ValueError):
        form.with_confidence(4)


def test_tags_are_split_trimmed_and_deduplicated() -> None:
    assert parse_tags(" api, naming  api,,style ") == ("api", "naming", "style")
    assert parse_tags("") == ()


@pytest.fixture
def review(session: Path) -> ReviewSession:
    return ReviewSession.open(Store.open(session), "ana", "blind")


def test_save_writes_one_row_per_labelled_field_and_supersedes_the_previous(review: ReviewSession) -> None:
    bundle = review.load("a-1")
    form = FormState.from_judgements(bundle.judgements).mark(Label.PASS, False).mark(Label.FAIL, True)
    first = review.save(form, bundle, opened_at="2026-01-01T00:00:00Z")
    assert [(j.stage, j.label, j.saw_verdicts) for j in first.judgements] == [
        ("syntax", Label.PASS, False),
        ("signatures", Label.FAIL, True),
    ]
    assert review.judged == {"a-1"} and review.start_index() == 1
    bundle = review.load("a-1")
    form = FormState.from_judgements(bundle.judgements)
    assert form.label_of("signatures") is Label.FAIL and not form.unsaved
    form = form.move(1).mark(Label.PASS, True).with_confidence(2)
    rows = build_judgements(form, bundle, "ana", "2026-01-01T00:01:00Z")
    # confidence changed: both labelled fields are written again, each superseding its predecessor
    assert {j.stage: j.supersedes for j in rows} == {
        "syntax": bundle.judgements["syntax"].judgement_id,
        "signatures": bundle.judgements["signatures"].judgement_id,
    }
    assert {j.stage: j.saw_verdicts for j in rows} == {"syntax": False, "signatures": True}
    review.store.save_judgements(rows)
    now = {j.stage: (j.label, j.confidence) for j in review.store.judgements(reviewer="ana")}
    assert now == {"syntax": (Label.PASS, 2), "signatures": (Label.PASS, 2)}


def test_undo_withdraws_the_last_save_and_updates_what_is_judged(review: ReviewSession) -> None:
    assert review.undo() is None
    bundle = review.load("a-3")
    review.save(FormState().mark(Label.UNSURE, False), bundle, "2026-01-01T00:00:00Z")
    assert review.judged == {"a-3"}
    undone = review.undo()
    assert undone is not None and undone.attempt_id == "a-3"
    assert review.judged == set() and review.store.judgements(reviewer="ana") == []
    assert review.undo() is None


def test_likely_next_is_where_saving_goes_then_the_next_in_order(review: ReviewSession) -> None:
    assert review.order == ["a-1", "a-2", "a-3"]
    walk = review.walk
    assert walk.likely_next("a-1", review.judged) == ["a-2"]
    review.save(FormState().mark(Label.PASS, False), review.load("a-2"), "2026-01-01T00:00:00Z")
    assert walk.likely_next("a-1", review.judged) == ["a-3", "a-2"]  # saving a-1 skips the judged a-2; n goes to it
    assert walk.likely_next("a-3", review.judged) == ["a-1"]  # the save wraps round; there is no next in order
    review.save(FormState().mark(Label.PASS, False), review.load("a-1"), "2026-01-01T00:00:00Z")
    review.save(FormState().mark(Label.PASS, False), review.load("a-3"), "2026-01-01T00:00:00Z")
    assert walk.likely_next("a-3", review.judged) == []  # all judged, and the last: nothing comes next


def test_flags_toggle_and_persist(review: ReviewSession, session: Path) -> None:
    assert review.toggle_flag("a-2") is True
    assert ReviewSession.open(Store.open(session), "ana").flagged == {"a-2"}
    assert ReviewSession.open(Store.open(session), "ben").flagged == set()
    assert review.toggle_flag("a-2") is False
    assert ReviewSession.open(Store.open(session), "ana").flagged == set()


def test_mode_comes_from_the_session_unless_given(session: Path) -> None:
    store = Store.open(session)
    assert ReviewSession.open(store, "ana").mode == "blind"
    store.set_setting("review_mode", "assisted")
    assert ReviewSession.open(store, "ana").mode == "assisted"
    assert ReviewSession.open(store, "ana", "blind").mode == "blind"
    store.set_setting("review_mode", "peeking")
    with pytest.raises(SessionError, match="review_mode"):
        ReviewSession.open(store, "ana")


def test_review_never_creates_a_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    assert cli.main(["review", str(missing), "--reviewer", "ana"]) == 2
    assert not missing.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such session" in err
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database\n" * 100)
    assert cli.main(["review", str(foreign)]) == 2
    assert "not a bare-tui session" in capsys.readouterr().err


def test_the_judged_count_follows_saves_and_undos_of_attempts_in_and_out_of_the_order(review: ReviewSession) -> None:
    review.set_order(["a-1", "a-2"])  # a-3 is outside the order walked (as an attempt outside a plan is)
    counts = []
    assert review.judged_count == 0
    for attempt_id in ("a-3", "a-1", "a-2"):
        review.save(FormState().mark(Label.PASS, False), review.load(attempt_id), "2026-01-01T00:00:00Z")
        counts.append(review.judged_count)
    bundle = review.load("a-1")  # relabelled: still judged, counted once
    review.save(FormState.from_judgements(bundle.judgements).mark(Label.FAIL, True), bundle, "2026-01-01T00:01:00Z")
    counts.append(review.judged_count)
    assert counts == [0, 1, 2, 2]
    for _ in range(4):
        review.undo()
        assert review.judged_count == len(review.judged & set(review.order))  # counted afresh


def test_judged_ids_follow_the_same_rule_as_judged_attempts(review: ReviewSession) -> None:
    store = review.store
    for index, label in ((0, Label.PASS), (1, Label.FAIL), (2, Label.UNSURE)):
        review.save(FormState().mark(label, False), review.load(f"a-{index + 1}"), "2026-01-01T00:00:00Z")
    bundle = review.load("a-1")  # a-1 relabelled: superseded, still judged
    review.save(FormState.from_judgements(bundle.judgements).mark(Label.FAIL, True), bundle, "2026-01-01T00:01:00Z")
    review.undo()  # a-1 back to its first label
    review.undo()  # a-3 withdrawn
    assert store.judged_attempt_ids("ana") == {j.attempt_id for j in store.judgements(reviewer="ana")} == {"a-1", "a-2"}
    assert store.judged_attempt_ids("ben") == set()


def test_review_of_an_empty_session_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    Store.open(empty, create=True).close()
    assert cli.main(["review", str(empty), "--reviewer", "ana"]) == 2
    assert "no attempts to review" in capsys.readouterr().err


# ---------------------------------------------------------------------- a reviewer's day (issue 14)
def test_overall_is_suggested_from_the_five_and_a_contradiction_is_named() -> None:
    form = FormState()
    for _ in range(5):
        form = form.mark(Label.PASS, False)
    assert form.suggested_overall is Label.PASS and form.label_of("overall") is None
    assert "overall" not in form.fields_to_save()  # a suggestion is never saved until confirmed
    with_fail = FormState().mark(Label.PASS, False).mark(Label.PASS, False).mark(Label.PASS, False)
    with_fail = with_fail.mark(Label.FAIL, False).mark(Label.PASS, False)
    assert with_fail.suggested_overall is Label.FAIL
    contradicting = with_fail.mark(Label.PASS, False)  # overall pass, defects fail
    assert contradicting.suggested_overall is None
    assert contradicting.contradiction is not None and "defects" in contradiction_words(contradicting)
    assert FormState().mark(Label.UNSURE, False).suggested_overall is None  # four stages unlabelled: no guess


def contradiction_words(form: FormState) -> str:
    return form.contradiction or ""


def test_mark_unlabelled_labels_only_the_empty_fields() -> None:
    form = FormState().mark(Label.FAIL, False).mark_unlabelled(Label.PASS, True)
    assert [f.label for f in form.fields] == [Label.FAIL] + [Label.PASS] * 5
    assert form.fields[0].saw_verdicts is False and form.fields[1].saw_verdicts is True
    assert form.fields_to_save() == list(FIELDS)


def test_a_walk_follows_its_own_ids_and_says_where_the_attempt_is() -> None:
    walk = Walk(("a-3", "a-1", "a-5"), "filter python")
    assert walk.where("a-1") == "filter python: 2 of 3"
    assert walk.after_save("a-1", judged={"a-5"}) == "a-3"  # wraps to the first unjudged of the walk
    assert walk.after_save("a-1", judged={"a-1", "a-3", "a-5"}) == "a-5"  # all judged: simply the next
    assert walk.step("a-5", 1) is None and walk.step("a-5", -1) == "a-1"
    assert walk.step("a-9", 1) == "a-3"  # reached with g from outside the walk: n starts the walk
    assert Walk(("a-1", "a-2")).where("a-2") == "attempt 2 of 2"


def test_a_second_process_of_the_same_reviewer_is_read_only_and_says_who_holds_the_session(session: Path) -> None:
    first = ReviewSession.open(Store.open(session), "ana", "blind")
    second = ReviewSession.open(Store.open(session), "ana", "blind")
    assert first.read_only_reason is None
    reason = second.read_only_reason
    assert reason is not None and f"pid {os.getpid()}" in reason and "ana is labelling" in reason
    with pytest.raises(SessionError, match="read-only"):
        second.save(FormState().mark(Label.PASS, False), second.load("a-1"), "2026-01-01T00:00:00Z")
    assert ReviewSession.open(Store.open(session), "ben", "blind").read_only_reason is None  # another reviewer
    first.close()
    third = ReviewSession.open(Store.open(session), "ana", "blind")
    assert third.read_only_reason is None  # released on close
    third.close()


HOLDER = (
    "import sys, time\nfrom bare_tui.store import claim_reviewer\n"
    "claim = claim_reviewer(sys.argv[1], 'ana')\nprint('held', flush=True)\ntime.sleep(60)\n"
)


def test_a_killed_holder_leaves_the_session_free(session: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(session)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ReviewerBusy) as busy:
            claim_reviewer(session, "ana")
        assert busy.value.holder is not None and busy.value.holder.pid == holder.pid
        holder.send_signal(signal.SIGKILL)  # kill -9: no cleanup runs in the holder
        holder.wait()
        with claim_reviewer(session, "ana") as claim:
            assert claim.held and claim.hold.pid == os.getpid()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_undo_only_touches_this_process_saves(review: ReviewSession) -> None:
    review.save(FormState().mark(Label.PASS, False), review.load("a-1"), "2026-01-01T00:00:00Z")
    # A save by the same reviewer made elsewhere (another process, before the claim existed, or a merge)
    other = FormState().mark(Label.FAIL, False)
    review.store.save_judgements(build_judgements(other, review.load("a-2"), "ana", "2026-01-01T00:00:01Z"))
    undone = review.undo()
    assert undone is not None and undone.attempt_id == "a-1"  # not a-2, though a-2's save is newer
    assert review.undo() is None
    assert {j.attempt_id for j in review.store.judgements(reviewer="ana")} == {"a-2"}


def test_undo_returns_the_rows_it_took_back_for_the_form(review: ReviewSession) -> None:
    form = FormState().mark(Label.PASS, False).mark(Label.FAIL, True).with_confidence(3).with_note("why", ["t"])
    review.save(form, review.load("a-1"), "2026-01-01T00:00:00Z")
    undone = review.undo()
    assert undone is not None
    restored = FormState.restored(review.load("a-1").judgements, undone.undone)
    assert [restored.label_of(f) for f in ("syntax", "signatures")] == [Label.PASS, Label.FAIL]
    assert (restored.confidence, restored.note, restored.tags) == (3, "why", ("t",))
    assert restored.unsaved and restored.fields[1].saw_verdicts is True


def test_blind_reviewers_see_verdicts_of_fully_labelled_or_revealed_attempts_only(session: Path) -> None:
    review = ReviewSession.open(Store.open(session), "ana", "blind")
    assert review.visible_ids() == frozenset()
    form = FormState()
    for _ in FIELDS:
        form = form.mark(Label.PASS, False)
    review.save(FormState().mark(Label.PASS, False), review.load("a-1"), "2026-01-01T00:00:00Z")  # one field
    review.save(form, review.load("a-2"), "2026-01-01T00:00:00Z")  # all six
    review.reveal("a-3")
    assert review.visible_ids() == {"a-2", "a-3"}
    review.close()
    again = ReviewSession.open(Store.open(session), "ana", "blind")
    assert again.visible_ids() == {"a-2", "a-3"}  # fully labelled and revealed attempts stay seen in the next process
    again.close()
    assert ReviewSession.open(Store.open(session), "ben", "blind").visible_ids() == frozenset()  # ana's, not ben's
    assert ReviewSession.open(Store.open(session), "ben", "assisted").visible_ids() is None


def test_an_undone_save_leaves_its_verdicts_seen_in_the_next_process_too(session: Path) -> None:
    """Saved in every field, an attempt's verdicts may show on any screen; an undo in the same process keeps them
    shown (labels changed then are saved as given with the verdicts in view), and so must the next process."""
    review = ReviewSession.open(Store.open(session), "ana", "blind")
    form = FormState()
    for _ in FIELDS:
        form = form.mark(Label.PASS, False)
    review.save(form, review.load("a-2"), "2026-01-01T00:00:00Z")
    review.save(FormState().mark(Label.FAIL, False), review.load("a-1"), "2026-01-01T00:00:00Z")  # one field
    assert review.undo() is not None and review.undo() is not None  # a-1's save, then a-2's
    assert review.judged == set() and review.visible_ids() == {"a-2"}
    review.close()
    again = ReviewSession.open(Store.open(session), "ana", "blind")
    assert again.visible_ids() == {"a-2"} and again.sees_verdicts("a-2") and not again.sees_verdicts("a-1")
    again.close()


def test_with_an_extra_stage_the_next_process_reveals_what_the_saving_process_revealed(session: Path) -> None:
    """CI brought `tests` verdicts: the form has seven fields. Six labels keep the verdicts hidden in the
    process that saved them, so they stay hidden after a restart; all seven reveal them in both."""
    with Store.open(session) as store:
        store.save_verdicts([Verdict(a, "tests", Outcome.PASS, None, (), "ci", "ci") for a in ("a-1", "a-2")])
    review = ReviewSession.open(Store.open(session), "ana", "blind")
    first = review.load("a-1")
    six = FormState.from_judgements({}, first.fields)
    for _ in FIELDS:
        six = six.mark(Label.PASS, False)
    bundle = review.load("a-2")
    seven = FormState.from_judgements({}, bundle.fields)
    for _ in bundle.fields:
        seven = seven.mark(Label.PASS, False)
    review.save(six, first, "2026-01-01T00:00:00Z")
    review.save(seven, bundle, "2026-01-01T00:00:00Z")
    assert review.visible_ids() == {"a-2"}
    review.close()
    again = ReviewSession.open(Store.open(session), "ana", "blind")
    assert again.visible_ids() == {"a-2"}
    again.close()


def test_a_blind_reviewer_sees_the_statistics_only_once_every_attempt_is_seen(session: Path) -> None:
    review = ReviewSession.open(Store.open(session), "ana", "blind")
    assert not review.may_see_statistics()
    for attempt_id in ("a-1", "a-2"):
        review.reveal(attempt_id)
    assert not review.may_see_statistics()  # a-3's verdicts would be in the figures
    review.reveal("a-3")
    assert review.may_see_statistics()
    assert ReviewSession.open(Store.open(session), "ben", "assisted", claim=False).may_see_statistics()
