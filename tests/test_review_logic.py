"""The review session without a terminal: order, resume point, form state, saving, undo, flags, the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from bare_tui import cli
from bare_tui.model import FIELDS, Label
from bare_tui.review import (
    FormState,
    ReviewSession,
    build_judgements,
    first_unjudged,
    parse_tags,
    resolve_reviewer,
    review_order,
)
from bare_tui.store import SessionError, Store


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
        ("syntax", Label.PASS, False), ("signatures", Label.FAIL, True),
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
