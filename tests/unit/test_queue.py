"""The queue's rows, states, disputes, filters and counts, read from sessions built through the store API."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bare_tui.audit import adjudicate
from bare_tui.model import (
    FIELDS,
    Attempt,
    Judgement,
    Label,
    Outcome,
    ReasonCode,
    Verdict,
)
from bare_tui.queue import (
    HIDDEN,
    QueueFilter,
    ReviewState,
    blind,
    choices,
    count_rows,
    load_data,
    load_rows,
    parse_stage_outcome,
)
from bare_tui.store import Store
from tests.tui.queue_fixtures import (
    EXPECTED_ORDER,
    HOSTILE_MODEL,
    HOSTILE_PATH,
    build_queue_session,
)
from tests.unit.test_views import ATTEMPTS, build, judgement_specs, verdict_specs


@pytest.fixture
def session(tmp_path: Path) -> Path:
    return build_queue_session(tmp_path / "queue.db")


def rows_by_id(path: Path, reviewer: str = "ana") -> dict:  # type: ignore[type-arg]
    with Store.open(path) as store:
        return {row.attempt_id: row for row in load_rows(store, reviewer)}


def test_one_row_per_attempt_in_import_order_with_six_outcomes(session: Path) -> None:
    with Store.open(session) as store:
        rows = load_rows(store, "ana")
    assert [r.attempt_id for r in rows] == EXPECTED_ORDER
    a2 = rows[1]
    assert (a2.path, a2.language, a2.model) == ("Lib/bisect.py", "python", "model-b")
    assert dict(zip(FIELDS, a2.outcomes)) == {
        "syntax": "pass",
        "signatures": "fail",
        "integrity": "pass",
        "defects": "pass",
        "maintainability": "pass",
        "overall": "fail",
    }
    assert rows[5].outcome("defects") == "skipped"
    assert rows[4].path == HOSTILE_PATH and rows[4].model == HOSTILE_MODEL


def test_attempt_without_verdicts_shows_none(tmp_path: Path) -> None:
    path = build_queue_session(tmp_path / "q.db")
    # A fresh attempt added after verification has no verdicts yet.
    with Store.open(path) as store:
        store.add_attempts([Attempt("a-7", "t-1", "model-c", "x = 1\n")])
        row = {r.attempt_id: r for r in load_rows(store, "ana")}["a-7"]
    assert row.outcomes == ("none",) * 6
    assert row.state is ReviewState.NOT_JUDGED


def test_reviewer_state_counts_this_reviewers_fields_only(session: Path) -> None:
    ana = rows_by_id(session, "ana")
    assert [ana[a].state for a in EXPECTED_ORDER] == [
        ReviewState.JUDGED,
        ReviewState.PARTLY,
        ReviewState.NOT_JUDGED,
        ReviewState.PARTLY,
        ReviewState.NOT_JUDGED,
        ReviewState.NOT_JUDGED,
    ]
    assert (ana["a-2"].labelled, ana["a-4"].labelled) == (1, 2)
    ben = rows_by_id(session, "ben")
    assert [a for a in EXPECTED_ORDER if ben[a].labelled] == ["a-2", "a-4", "a-5"]
    nobody = rows_by_id(session, "cy")
    assert all(r.state is ReviewState.NOT_JUDGED for r in nobody.values())


def test_disputes_follow_design_definitions(session: Path) -> None:
    rows = rows_by_id(session)
    # a-2: pipeline fail, both reviewers pass: a disputed failure. a-4: reviewers differ. a-5: pipeline pass,
    # the only reviewer fail. a-1: everyone agrees with the pipeline. a-3, a-6: nobody labelled.
    assert {a for a, r in rows.items() if r.disputed} == {"a-2", "a-4", "a-5"}
    assert {a for a, r in rows.items() if r.disputed_failure} == {"a-2"}
    assert {a for a, r in rows.items() if r.flagged} == {"a-5", "a-6"}


def test_a_superseding_label_replaces_the_old_one_and_undo_restores_state(session: Path) -> None:
    with Store.open(session) as store:
        store.save_judgements(
            [
                Judgement(
                    "j-20", "a-4", "ana", "integrity", Label.PASS, saved_at="2026-11-21T11:00:00Z", supersedes="j-12"
                ),
            ]
        )
    assert not rows_by_id(session)["a-4"].disputed  # ana now agrees with ben and the pipeline
    with Store.open(session) as store:
        store.undo_last_save("ana")
    assert rows_by_id(session)["a-4"].disputed


def test_an_adjudication_counts_as_the_consensus(session: Path) -> None:
    with Store.open(session) as store:
        adjudicate(store, "a-4", "integrity", Label.PASS, ReasonCode.REVIEWER_ERROR, "eve")
    # The auditor agrees with the pipeline: no longer disputed by anyone.
    assert not rows_by_id(session)["a-4"].disputed
    with Store.open(session) as store:
        adjudicate(store, "a-2", "signatures", Label.FAIL, ReasonCode.REVIEWER_ERROR, "eve")
    # The auditor sides with the pipeline against both reviewers: settled, not a disputed failure any more.
    row = rows_by_id(session)["a-2"]
    assert not row.disputed_failure and not row.disputed


def test_each_filter_narrows_to_the_rows_that_match(session: Path) -> None:
    with Store.open(session) as store:
        rows = load_rows(store, "ana")

    def ids(f: QueueFilter) -> list[str]:
        return [r.attempt_id for r in f.apply(rows)]

    assert ids(QueueFilter()) == EXPECTED_ORDER
    assert ids(QueueFilter(model="model-a")) == ["a-1", "a-3", "a-6"]
    assert ids(QueueFilter(language="go")) == ["a-3", "a-4"]
    assert ids(QueueFilter(stage_outcome=("syntax", "fail"))) == ["a-3"]
    assert ids(QueueFilter(stage_outcome=("overall", "fail"))) == ["a-2", "a-3", "a-6"]
    assert ids(QueueFilter(stage_outcome=("defects", "skipped"))) == ["a-6"]
    assert ids(QueueFilter(state=ReviewState.NOT_JUDGED)) == ["a-3", "a-5", "a-6"]
    assert ids(QueueFilter(state=ReviewState.PARTLY)) == ["a-2", "a-4"]
    assert ids(QueueFilter(disputed=True)) == ["a-2", "a-4", "a-5"]
    assert ids(QueueFilter(disputed=False)) == ["a-1", "a-3", "a-6"]
    assert ids(QueueFilter(flagged=True)) == ["a-5", "a-6"]
    assert ids(QueueFilter(text="BISECT")) == ["a-1", "a-2", "a-6"]
    assert ids(QueueFilter(text="[red]")) == ["a-5"]  # text is matched literally, never as a pattern
    assert ids(QueueFilter(model="model-a", flagged=True, text="bisect")) == ["a-6"]


def test_parse_stage_outcome() -> None:
    assert parse_stage_outcome("syntax=fail") == ("syntax", "fail")
    assert parse_stage_outcome(" Overall = PASS ") == ("overall", "pass")
    assert parse_stage_outcome("defects=none") == ("defects", "none")
    for bad in ("syntax", "syntax=", "=fail", "parse=fail", "syntax=broken"):
        with pytest.raises(ValueError):
            parse_stage_outcome(bad)


def test_counts_describe_the_shown_rows(session: Path) -> None:
    with Store.open(session) as store:
        rows = load_rows(store, "ana")
    counts = count_rows(rows, rows)
    assert (counts.total, counts.shown, counts.judged, counts.partly, counts.disputed, counts.flagged) == (
        6,
        6,
        1,
        2,
        3,
        2,
    )
    assert counts.describe() == "6 of 6 shown · 1 judged · 2 partly · 3 disputed · 1 disputed failure · 2 flagged"
    shown = QueueFilter(language="go").apply(rows)
    assert count_rows(rows, shown).describe() == "2 of 6 shown · 0 judged · 1 partly · 1 disputed"


def test_choices_list_models_and_languages_once(session: Path) -> None:
    with Store.open(session) as store:
        models, languages = choices(load_rows(store, "ana"))
    assert models == sorted([HOSTILE_MODEL, "model-a", "model-b"])
    assert languages == ["go", "python"]


def test_list_reads_choose_what_the_full_reads_choose(tmp_path: Path) -> None:
    """Store.current_outcomes / current_labels are the fast forms of current_verdicts / judgements."""
    path = build_queue_session(tmp_path / "q.db")
    with Store.open(path) as store:
        # An imported source beside bare-tui's own, a newer own version, and an attempt only the import covers.
        store.save_verdicts(
            [
                Verdict("a-1", "syntax", Outcome.FAIL, source="other-pipeline", pipeline_version="other-pipeline"),
                Verdict("a-2", "syntax", Outcome.ERROR, pipeline_version="0.2.0+test"),
            ]
        )
        store.add_attempts([Attempt("a-7", "t-1", "model-c", "x = 1\n")])
        store.save_verdicts([Verdict("a-7", "syntax", Outcome.SKIPPED, source="other-pipeline")])
        # Supersede, withdraw and relabel.
        store.save_judgements(
            [
                Judgement(
                    "j-30", "a-4", "ana", "integrity", Label.UNSURE, saved_at="2026-11-21T12:00:00Z", supersedes="j-12"
                ),
            ]
        )
        store.save_judgements(
            [Judgement("j-31", "a-1", "ana", "defects", Label.FAIL, saved_at="2026-11-21T12:00:01Z", supersedes="j-4")]
        )
        store.undo_last_save("ana")
        full_outcomes = {k: v.outcome.value for k, v in store.current_verdicts().items()}
        full_labels = sorted((j.attempt_id, j.reviewer, j.stage, j.label.value) for j in store.judgements())
        assert store.current_outcomes() == full_outcomes
        assert sorted(store.current_labels()) == full_labels
    assert full_outcomes[("a-2", "syntax")] == "error"
    assert full_outcomes[("a-7", "syntax")] == "skipped"
    assert full_outcomes[("a-1", "syntax")] == "pass"  # bare-tui's own verdict wins over the import
    assert ("a-4", "ana", "integrity", "unsure") in full_labels


def test_stepwise_load_gives_an_outline_then_the_full_rows(session: Path) -> None:
    from bare_tui.queue import load_rows_stepwise

    with Store.open(session) as store:
        outline, full = list(load_rows_stepwise(store, "ana"))
        assert full == load_rows(store, "ana")
        assert [len(list(load_rows_stepwise(store, "ana", outline=False)))] == [1]
    assert [r.attempt_id for r in outline] == EXPECTED_ORDER
    assert [r.outcomes for r in outline] == [r.outcomes for r in full]  # the verdicts are there at once
    assert not any(r.people_known for r in outline) and all(r.people_known for r in full)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_rows_follow_the_consensus_rule_attempt_stage_by_attempt_stage(data: st.DataObject) -> None:
    """build_rows works on whole columns at once; each row must say what the consensus rule says of each of its
    attempt-stages one by one, whatever the mix of outcomes, labels, stray stages and adjudications. An extra
    stage with verdicts (`style`) is a column after the six and can be disputed; a label or adjudication of a
    stage with no verdict anywhere (`notes`) is left out."""
    from bare_tui.consensus import dispute, is_disputed_failure
    from bare_tui.model import Adjudication, AttemptSummary, Flag
    from bare_tui.queue import NO_OUTCOME, QueueRow, build_rows

    attempts = [f"a-{i}" for i in range(data.draw(st.integers(0, 6)))]
    summaries = [AttemptSummary(a, "t", f"m-{i % 2}", "python", f"p{i}.py", i + 1) for i, a in enumerate(attempts)]
    ids = st.sampled_from([*attempts, "a-gone"])  # a label or verdict of an attempt the list does not have
    stages = st.sampled_from([*FIELDS, "style", "notes"])  # and of stages that are not fields
    verdict_stages = st.sampled_from([*FIELDS, "style"])
    outcomes = data.draw(st.dictionaries(st.tuples(ids, verdict_stages), st.sampled_from([o.value for o in Outcome])))
    columns = FIELDS + (("style",) if any(stage == "style" for _, stage in outcomes) else ())
    labels = data.draw(
        st.lists(
            st.tuples(
                ids, st.sampled_from(["ana", "ben", "cy"]), stages, st.sampled_from([label.value for label in Label])
            )
        )
    )
    labels = list({(a, who, stage): (a, who, stage, label) for a, who, stage, label in labels}.values())
    settled = data.draw(st.dictionaries(st.tuples(ids, stages), st.sampled_from(list(Label))))
    adjudications = [
        Adjudication(f"x-{i}", a, stage, "eve", label, ReasonCode.OTHER)
        for i, ((a, stage), label) in enumerate(settled.items())
    ]
    flags = [Flag(a, "ben", data.draw(st.booleans())) for a in data.draw(st.lists(ids, unique=True))]

    expected = []
    for s in summaries:
        row_outcomes = tuple(outcomes.get((s.attempt_id, stage), NO_OUTCOME) for stage in columns)
        cases = [
            (
                row_outcomes[i],
                [label for a, _, st_, label in labels if (a, st_) == (s.attempt_id, stage)],
                settled[(s.attempt_id, stage)].value if (s.attempt_id, stage) in settled else None,
            )
            for i, stage in enumerate(columns)
        ]
        expected.append(
            QueueRow(
                s.attempt_id,
                s.seq,
                s.task_id,
                s.path,
                s.language,
                s.model,
                row_outcomes,
                labelled=sum(1 for a, who, st_, _ in labels if a == s.attempt_id and who == "ana" and st_ in FIELDS),
                flagged=any(f.flagged for f in flags if f.attempt_id == s.attempt_id),
                disputed=any(dispute(*case).disputed for case in cases),
                disputed_failure=any(is_disputed_failure(*case) for case in cases),
                stages=columns,
            )
        )
    assert build_rows(summaries, outcomes, labels, adjudications, flags, "ana") == expected


def test_the_find_text_matches_attempt_id_task_id_path_and_model(session: Path) -> None:
    with Store.open(session) as store:
        rows = load_rows(store, "ana")

    def ids(text: str) -> list[str]:
        return [r.attempt_id for r in QueueFilter(text=text).apply(rows)]

    assert ids("a-4") == ["a-4"]
    by_task = {r.task_id for r in rows}
    some_task = min(by_task)
    assert ids(some_task) == [r.attempt_id for r in rows if some_task in r.task_id or some_task in r.path]
    assert ids("MODEL-B") == [r.attempt_id for r in rows if "model-b" in r.model]
    assert QueueFilter(language="go", stage_outcome=("syntax", "fail"), disputed=True).describe() == (
        "filter go · syntax=fail · disputed"
    )
    assert QueueFilter().describe() == ""


def test_a_blind_queue_withholds_outcomes_and_disputes_and_no_filter_sees_through(session: Path) -> None:
    with Store.open(session) as store:
        rows = load_rows(store, "ana")
    seen = {"a-2"}
    shown = {r.attempt_id: r for r in blind(rows, seen)}
    assert shown["a-2"] == next(r for r in rows if r.attempt_id == "a-2")  # seen: as it is
    hidden = shown["a-3"]
    assert hidden.hidden and set(hidden.outcomes) == {HIDDEN}
    assert not hidden.disputed and not hidden.disputed_failure
    # a filter on outcomes or disputes can only find what the reviewer may see
    blind_rows = list(shown.values())
    assert [r.attempt_id for r in QueueFilter(stage_outcome=("syntax", "fail")).apply(blind_rows)] == []
    assert {r.attempt_id for r in QueueFilter(disputed=True).apply(blind_rows)} <= seen
    assert "blind: outcomes of 5 hidden" in count_rows(blind_rows, blind_rows).describe()
    assert blind(rows, None) == rows  # assisted: everything


def test_an_extra_stage_is_a_column_after_the_six_and_can_be_filtered_and_disputed(session: Path) -> None:
    """DESIGN.md "Extra stages": `tests` verdicts show after the five and overall. (Written as the session's own
    source here: which source's verdict counts is the store's rule, not the queue's.)"""
    from bare_tui.queue import QueueData, count_data, load_data

    with Store.open(session) as store:
        store.save_verdicts(
            [
                Verdict("a-1", "tests", Outcome.FAIL, pipeline_version="0.1.0+test"),
                Verdict("a-3", "tests", Outcome.PASS, pipeline_version="0.1.0+test"),
            ]
        )
        store.save_judgements([Judgement("j-40", "a-1", "ben", "tests", Label.PASS, saved_at="2026-11-21T12:00:00Z")])
        data = load_data(store, "ana")
        rows = {r.attempt_id: r for r in load_rows(store, "ana")}
    assert isinstance(data, QueueData) and data.stages == (*FIELDS, "tests")
    assert rows["a-1"].outcome("tests") == "fail" and rows["a-2"].outcome("tests") == "none"
    assert rows["a-1"].disputed_failure  # the pipeline's tests failed, the one reviewer says they pass
    assert rows["a-1"].state is ReviewState.JUDGED  # a label of the extra stage is not one of the six fields
    kept = QueueFilter(stage_outcome=("tests", "fail"))
    assert [r.attempt_id for r in kept.select(data)] == ["a-1"] == [r.attempt_id for r in kept.apply(rows.values())]
    assert count_data(data, kept.mask(data)).disputed_failures == 1
    assert parse_stage_outcome("tests=pass", extra_stages=data.stages) == ("tests", "pass")


def test_masks_keep_the_rows_matches_keeps_for_every_filter(session: Path) -> None:
    """The screen filters with vector masks; the row-by-row rule is the reference."""
    from bare_tui.queue import count_data, load_data

    with Store.open(session) as store:
        data = load_data(store, "ana")
    data.blind({"a-2", "a-4"})
    rows = list(data.rows())
    filters = [
        QueueFilter(model="model-a"),
        QueueFilter(model="nobody"),
        QueueFilter(language="go"),
        QueueFilter(stage_outcome=("syntax", "fail")),
        QueueFilter(stage_outcome=("signatures", "fail")),
        QueueFilter(stage_outcome=("defects", "none")),
        QueueFilter(state=ReviewState.PARTLY),
        QueueFilter(disputed=True),
        QueueFilter(disputed=False),
        QueueFilter(flagged=True),
        QueueFilter(text="BISECT"),
        QueueFilter(text="[b]"),
        QueueFilter(text="a-"),
        QueueFilter(model="model-b", disputed=True, text="bisect"),
    ]
    for queue_filter in filters:
        expected = [r.attempt_id for r in queue_filter.apply(rows)]
        assert [r.attempt_id for r in queue_filter.select(data)] == expected, queue_filter
        shown = queue_filter.apply(rows)
        assert count_data(data, queue_filter.mask(data)) == count_rows(rows, shown), queue_filter


# ---------------------------------------------------------------------- the store's columns against the Python rules
def _rows_by_python_rules(store: Store, reviewer: str) -> list:  # type: ignore[type-arg]
    """The queue as the row-by-row rules build it from the full reads: every verdict that counts, every label in
    force, every adjudication and flag."""
    from bare_tui.queue import build_rows

    outcomes = {key: v.outcome.value for key, v in store.current_verdicts().items()}
    labels = [(j.attempt_id, j.reviewer, j.stage, j.label.value) for j in store.judgements()]
    return build_rows(store.attempt_summaries(), outcomes, labels, store.adjudications(), store.flags(), reviewer)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_queue_read_from_the_stores_columns_is_the_queue_the_python_rules_build(data: st.DataObject) -> None:
    """The queue reads each attempt's outcomes packed beside it, kept when verdicts are written; on random sessions
    (two sources, re-verified runs written in later transactions, an extra stage, superseded and withdrawn labels,
    adjudications, flags, blind mode) it must list what the full reads and the Python rules list."""
    import tempfile

    first, later = data.draw(verdict_specs), data.draw(verdict_specs)
    judgements = data.draw(judgement_specs)
    adjudications = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(ATTEMPTS),
                st.sampled_from([*FIELDS, "tests"]),
                st.sampled_from(list(Label)),
                st.sampled_from(("2026-11-21T10:00:00Z", "2026-11-21T10:00:01Z")),
            ),
            max_size=4,
        )
    )
    flags = data.draw(st.lists(st.tuples(st.sampled_from(ATTEMPTS), st.sampled_from(("ana", "ben")), st.booleans())))
    visible = data.draw(st.one_of(st.none(), st.sets(st.sampled_from(ATTEMPTS))))
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "s.db", create=True) as store:
        build(store, first, judgements, adjudications, flags)
        # a re-verify or a newer import, in a transaction of its own: the packed outcomes follow it
        store.save_verdicts(
            [
                Verdict(a, stage, outcome, score, (), version, source, created_at=f"2026-11-22T10:00:0{n % 10}Z")
                for n, (a, stage, source, version, outcome, _, score) in enumerate(later)
            ]
        )
        expected = _rows_by_python_rules(store, "ana")
        found = load_data(store, "ana")
        assert list(found.rows()) == expected
        found.blind(visible)
        assert list(found.rows()) == blind(expected, visible)


def test_outcomes_outside_the_four_written_by_another_program_are_listed_as_written(session: Path) -> None:
    """The store never writes such an outcome, but a session edited by hand may hold one: the queue lists it
    (read for those attempts only) rather than failing or showing another outcome."""
    import sqlite3

    with Store.open(session) as store:
        store.save_verdicts([Verdict("a-2", "defects", Outcome.PASS, source="ext", pipeline_version="x")])
    conn = sqlite3.connect(session)
    conn.execute("UPDATE chosen_verdicts SET outcome = 'timeout' WHERE attempt_id = 'a-2' AND stage = 'syntax'")
    conn.execute("UPDATE attempts SET field_outcomes = field_outcomes | 7 WHERE attempt_id = 'a-2'")
    conn.commit()
    conn.close()
    rows = rows_by_id(session)
    assert rows["a-2"].outcome("syntax") == "timeout"
    assert rows["a-2"].outcome("signatures") == "fail" and rows["a-1"].outcome("syntax") != "timeout"


def test_ids_holding_a_line_break_and_rows_stored_out_of_import_order_list_as_the_python_rules_list(
    tmp_path: Path,
) -> None:
    """The store reads the queue's columns as one joined text each (ids joined by line breaks) in table order: an
    attempt id or stage holding a line break, and rows whose table order is not their import order, must still
    give every attempt its own row, in import order, with its own labels."""
    import sqlite3

    path = build_queue_session(tmp_path / "q.db")
    with Store.open(path) as store:
        store.add_attempts([Attempt("a-\n8", "t-1", "model-c", "x = 1\n"), Attempt("a-9", "t-1", "model-c", "y\n")])
        store.save_verdicts([Verdict("a-\n8", "syntax", Outcome.FAIL), Verdict("a-9", "odd\nstage", Outcome.PASS)])
        store.save_judgements(
            [
                Judgement("j-90", "a-\n8", "ana", "syntax", Label.PASS, saved_at="2026-11-21T12:00:00Z"),
                Judgement("j-91", "a-9", "ben", "odd\nstage", Label.FAIL, saved_at="2026-11-21T12:00:00Z"),
            ]
        )
    conn = sqlite3.connect(path)
    # a-1 moves to the end of import order while its row stays first in the table
    conn.execute("UPDATE attempts SET seq = (SELECT MAX(seq) + 1 FROM attempts) WHERE attempt_id = 'a-1'")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        expected = _rows_by_python_rules(store, "ana")
        found = list(load_data(store, "ana").rows())
    assert [row.attempt_id for row in found][-3:] == ["a-\n8", "a-9", "a-1"]
    assert found == expected
    by_id = {row.attempt_id: row for row in found}
    assert by_id["a-\n8"].labelled == 1 and by_id["a-\n8"].disputed  # ana's pass against the pipeline's fail
    assert by_id["a-9"].disputed and by_id["a-9"].outcome("odd\nstage") == "pass"


def test_the_outline_is_given_only_while_the_people_are_still_being_read(
    session: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """outline=None (the screen's first load): the outline is shown only when the labels are not read by the time
    it is; when they are, the full rows come alone, so the table is not painted twice for nothing."""
    import threading

    import bare_tui.queue as queue_module

    people_read = threading.Event()
    read_people, read_outline = queue_module._read_people, queue_module.read_outline

    def people_first(store: Store) -> queue_module.QueueData:
        assert people_read.wait(10)
        return read_outline(store)

    def people_last(*args: object) -> object:
        assert people_read.wait(10)
        return read_people(*args)  # type: ignore[arg-type]  # why: the wrapped function's own arguments

    def signal(*args: object) -> object:
        try:
            return read_people(*args)  # type: ignore[arg-type]  # why: the wrapped function's own arguments
        finally:
            people_read.set()

    with Store.open(session) as store:
        monkeypatch.setattr(queue_module, "_read_people", signal)
        monkeypatch.setattr(queue_module, "read_outline", people_first)
        alone = list(queue_module.load_stepwise(store, "ana", outline=None))
        people_read.clear()  # now the labels are read only once the outline is on show
        monkeypatch.setattr(queue_module, "_read_people", people_last)
        monkeypatch.setattr(queue_module, "read_outline", read_outline)
        steps = queue_module.load_stepwise(store, "ana", outline=None)
        both = [next(steps)]
        people_read.set()
        both += list(steps)
    assert [d.people_known for d in alone] == [True]
    assert [d.people_known for d in both] == [False, True]
    assert list(alone[0].rows()) == list(both[1].rows())
