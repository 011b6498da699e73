"""The SQL views `attempt_stages` and `disputes` follow the same rules as the Python code (the verdict that
counts, the label in force, the consensus, the dispute kinds and the audit list), checked on random sessions."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bare_tui.audit import load_items
from bare_tui.consensus import consensus_label, dispute, is_disputed_failure
from bare_tui.model import FIELDS, Adjudication, Attempt, Flag, Judgement, Label, Outcome, ReasonCode, Task, Verdict
from bare_tui.store import Store

STAGES = (*FIELDS, "tests")
TIMES = ("2026-11-21T10:00:00Z", "2026-11-21T10:00:01Z", "2026-11-21T10:00:02Z")
ATTEMPTS = ("a-1", "a-2", "a-3")
REVIEWERS = ("ana", "ben", "cy")

verdict_specs = st.lists(
    st.tuples(
        st.sampled_from(ATTEMPTS),
        st.sampled_from(STAGES),
        st.sampled_from(("bare-tui", "ext", "ci")),
        st.sampled_from(("v1", "v2")),
        st.sampled_from(list(Outcome)),
        st.sampled_from(TIMES),
        st.one_of(st.none(), st.floats(-1, 1, allow_nan=False)),
    ),
    max_size=25,
)
judgement_specs = st.lists(
    st.tuples(
        st.sampled_from(ATTEMPTS),
        st.sampled_from(REVIEWERS),
        st.sampled_from(STAGES),
        st.sampled_from(list(Label)),
        st.sampled_from(TIMES),
        st.booleans(),
        st.booleans(),
    ),
    max_size=30,
)
adjudication_specs = st.lists(
    st.tuples(
        st.sampled_from(ATTEMPTS),
        st.sampled_from(FIELDS),
        st.sampled_from(list(Label)),
        st.sampled_from(TIMES),
    ),
    max_size=4,
)
flag_specs = st.lists(st.tuples(st.sampled_from(ATTEMPTS), st.sampled_from(REVIEWERS), st.booleans()), max_size=3)


def build(store: Store, verdicts: list[Any], judgements: list[Any], adjudications: list[Any], flags: list[Any]) -> None:
    store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n")])
    store.add_attempts([Attempt(a, "t-1", f"m{n % 2}", "x = 2\n") for n, a in enumerate(ATTEMPTS)])
    seen: set[tuple[str, str, str, str]] = set()
    rows = []
    for attempt_id, stage, source, version, outcome, created_at, score in verdicts:
        if (attempt_id, stage, source, version) not in seen:  # the primary key: one verdict per run
            seen.add((attempt_id, stage, source, version))
            rows.append(Verdict(attempt_id, stage, outcome, score, (), version, source, created_at=created_at))
    store.save_verdicts(rows)
    latest: dict[tuple[str, str, str], str] = {}
    for n, (attempt_id, reviewer, stage, label, saved_at, supersede, retract) in enumerate(judgements):
        key = (attempt_id, reviewer, stage)
        previous = latest.get(key) if supersede else None
        store.save_judgements(
            [
                Judgement(
                    f"j{n}",
                    attempt_id,
                    reviewer,
                    stage,
                    label,
                    saved_at=saved_at,
                    supersedes=previous,
                    retracted=retract and previous is not None,
                )
            ]
        )
        latest[key] = f"j{n}"
    for n, (attempt_id, stage, label, saved_at) in enumerate(adjudications):
        store.save_adjudication(Adjudication(f"d{n}", attempt_id, stage, "aud", label, ReasonCode.OTHER, "", saved_at))
    for attempt_id, reviewer, flagged in flags:
        store.set_flag(Flag(attempt_id, reviewer, flagged, "", "2026-11-21T10:00:00Z"))


def _dispute_name(outcome: str | None, labels: list[str], adjudicated: str | None) -> str | None:
    if is_disputed_failure(outcome, labels, adjudicated):
        return "disputed failure"
    kind = dispute(outcome, labels, adjudicated)
    return "pipeline vs people" if kind.against_pipeline else "reviewers disagree" if kind.among_reviewers else None


def expected_attempt_stages(store: Store) -> set[tuple[Any, ...]]:
    """attempt_stages computed by the Python code the screens and statistics use."""
    verdicts = store.current_verdicts()
    labels: dict[tuple[str, str], dict[str, str]] = {}
    for j in store.judgements():
        labels.setdefault((j.attempt_id, j.stage), {})[j.reviewer] = j.label.value
    settled = {(a.attempt_id, a.stage): a for a in store.adjudications()}
    cells = {(a, s) for a in ATTEMPTS for s in FIELDS} | set(verdicts) | set(labels) | set(settled)
    rows = set()
    for key in cells:
        v, given, adj = verdicts.get(key), labels.get(key, {}), settled.get(key)
        outcome = v.outcome.value if v else None
        adjudicated = adj.label.value if adj else None
        said = list(given.values())
        rows.add(
            (
                *key,
                outcome,
                v.score if v else None,
                v.source if v else None,
                v.pipeline_version if v else None,
                tuple(sorted(given.items())),
                consensus_label(said),
                adjudicated,
                consensus_label(said, adjudicated),
                _dispute_name(outcome, said, adjudicated),
                is_disputed_failure(outcome, said, adjudicated),
            )
        )
    return rows


def view_attempt_stages(store: Store) -> set[tuple[Any, ...]]:
    return {
        (
            r["attempt_id"],
            r["stage"],
            r["outcome"],
            r["score"],
            r["source"],
            r["pipeline_version"],
            tuple((pair["reviewer"], pair["label"]) for pair in json.loads(r["labels"])),
            r["people"],
            r["adjudicated"],
            r["consensus"],
            r["dispute"],
            bool(r["disputed_failure"]),
        )
        for r in store.view_rows("attempt_stages")
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(verdict_specs, judgement_specs, adjudication_specs, flag_specs)
def test_the_views_follow_the_python_rules(
    verdicts: list[Any], judgements: list[Any], adjudications: list[Any], flags: list[Any]
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "s.db", create=True) as store:
        build(store, verdicts, judgements, adjudications, flags)
        assert view_attempt_stages(store) == expected_attempt_stages(store)
        audit = [
            (
                i.attempt_id,
                i.stage,
                i.kind.value,
                i.auto,
                i.people,
                i.adjudication.label.value if i.adjudication else None,
                i.settled,
                [f.reviewer for f in i.flags],
            )
            for i in load_items(store)
        ]
        listed = [
            (
                r["attempt_id"],
                r["stage"],
                r["kind"],
                r["outcome"],
                r["people"],
                r["adjudicated"],
                bool(r["settled"]),
                json.loads(r["flagged_by"]),
            )
            for r in store.view_rows("disputes")
        ]
        assert listed == audit


def test_every_session_has_the_views_and_a_disputed_failure_is_listed_first(session: Path) -> None:
    with Store.open(session) as store:
        store.save_verdicts(
            [
                Verdict("a-2", "syntax", Outcome.FAIL, None, (), "v1", "bare-tui"),
                Verdict("a-1", "syntax", Outcome.PASS, None, (), "v1", "bare-tui"),
            ]
        )
        store.save_judgements(
            [
                Judgement("j1", "a-1", "ana", "syntax", Label.PASS),
                Judgement("j2", "a-1", "ben", "syntax", Label.FAIL),
                Judgement("j3", "a-2", "ana", "syntax", Label.PASS),
            ]
        )
        rows = list(store.view_rows("disputes", ["attempt_id", "stage", "kind"]))
        stage_row = next(
            r for r in store.view_rows("attempt_stages") if (r["attempt_id"], r["stage"]) == ("a-2", "syntax")
        )
    assert rows == [
        {"attempt_id": "a-2", "stage": "syntax", "kind": "disputed failure"},
        {"attempt_id": "a-1", "stage": "syntax", "kind": "reviewers disagree"},
    ]
    assert stage_row["consensus"] == "pass" and stage_row["dispute"] == "disputed failure"
    assert stage_row["model"] == "m2" and stage_row["language"] == "python"


# ---------------------------------------------------------------------- the Python API and Datasette metadata
def _disputed_session(session: Path) -> Path:
    with Store.open(session) as store:
        store.save_verdicts(
            [
                Verdict("a-1", "syntax", Outcome.FAIL, None, (), "v1", "bare-tui"),
                Verdict("a-2", "syntax", Outcome.PASS, None, (), "v1", "bare-tui"),
                Verdict("a-3", "syntax", Outcome.PASS, None, (), "v1", "bare-tui"),
            ]
        )
        store.save_judgements(
            [
                Judgement("j1", "a-1", "ana", "syntax", Label.PASS),
                Judgement("j2", "a-2", "ana", "syntax", Label.PASS),
                Judgement("j3", "a-3", "ana", "syntax", Label.FAIL),
            ]
        )
    return session


def test_the_api_reads_the_analysts_rows_without_the_store(session: Path) -> None:
    from bare_tui.api import open_session

    with open_session(_disputed_session(session)) as study:
        rows = list(study.attempt_stages(columns=["attempt_id", "stage", "consensus", "disputed_failure", "labels"]))
        disputes = list(study.disputes())
        verdicts = list(study.records("verdicts"))
        assert study.stages() == ["syntax"]
    assert {
        "attempt_id": "a-1",
        "stage": "syntax",
        "consensus": "pass",
        "disputed_failure": True,
        "labels": [{"reviewer": "ana", "label": "pass"}],
    } in rows
    assert [(d["attempt_id"], d["kind"], d["settled"]) for d in disputes] == [
        ("a-1", "disputed failure", False),
        ("a-3", "pipeline vs people", False),
    ]
    assert len(verdicts) == 3 and all(v["source"] == "bare-tui" for v in verdicts)


def test_the_api_opens_read_only(session: Path) -> None:
    from bare_tui.api import open_session
    from bare_tui.store import SessionError

    with open_session(session) as study:
        assert study._store.readonly
    try:
        open_session(session.with_name("missing.db"))
    except SessionError as exc:
        assert "no such session" in str(exc)
    else:
        raise AssertionError("a missing session opened")


def test_datasette_metadata_describes_every_view_column_and_its_queries_run(session: Path) -> None:
    from bare_tui.api import datasette_metadata

    metadata = datasette_metadata("study")["databases"]["study"]
    with Store.open(_disputed_session(session)) as store:
        for view, table in metadata["tables"].items():
            assert list(table["columns"]) == store.view_columns(view)
    with closing(sqlite3.connect(session)) as conn:  # as Datasette runs them
        rates = conn.execute(metadata["queries"]["pass_rate_by_model_and_stage"]["sql"]).fetchall()
        failures = conn.execute(metadata["queries"]["disputed_failures"]["sql"]).fetchall()
    # m1 has a-1 (fail, people pass) and a-3 (pass, people fail); m2 has a-2 (pass, people pass)
    syntax = {row[0]: row[2:] for row in rates if row[1] == "syntax"}
    assert syntax == {"m1": (2, 0.5, 2, 0.5, 1), "m2": (1, 1.0, 1, 1.0, 0)}
    assert [row[0] for row in failures] == ["a-1"]


def test_export_attempt_stages_with_columns_from_the_command_line(session: Path, capsys: Any) -> None:
    from bare_tui.cli import main

    _disputed_session(session)
    assert main(["export", str(session), "--what", "disputes", "--format", "csv", "--columns", "attempt_id,kind"]) == 0
    assert capsys.readouterr().out.splitlines() == ["attempt_id,kind", "a-1,disputed failure", "a-3,pipeline vs people"]
    assert main(["export", str(session), "--what", "disputes", "--columns", "attempt_id,colour"]) == 2
    assert "unknown column(s) colour" in capsys.readouterr().err
