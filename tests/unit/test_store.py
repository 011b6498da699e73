"""The session store: round trips, append-only judgements, migrations, concurrency and clear errors."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bare_tui.model import (
    FIELDS,
    OWN_SOURCE,
    Adjudication,
    Attempt,
    Evidence,
    Flag,
    Judgement,
    Label,
    Outcome,
    ReasonCode,
    Task,
    Verdict,
)
from bare_tui.store import _MIGRATIONS, APPLICATION_ID, SCHEMA_VERSION, SessionError, Store


def test_tasks_and_attempts_round_trip(session: Path) -> None:
    with Store.open(session) as store:
        tasks = store.tasks()
        attempts = store.attempts()
        summaries = store.attempt_summaries()
    assert tasks["t-2"].language == "go" and tasks["t-2"].original.startswith("package b")
    assert [a.attempt_id for a in attempts] == ["a-1", "a-2", "a-3"]
    assert attempts[1].refactored == "def f(x, y):\n    return x\n"
    assert [(s.attempt_id, s.language, s.path) for s in summaries][2] == ("a-3", "go", "pkg/b.go")


def test_verdicts_round_trip_and_replace_same_version(session: Path) -> None:
    evidence = (Evidence("refactored", 3, 5, "missing '}'"),)
    with Store.open(session) as store:
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.FAIL, None, evidence, "0.1.0+aa")])
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.PASS, 0.5, (), "0.1.0+aa")])
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.FAIL, None, evidence, "0.1.0+bb")])
        rows = store.verdicts(attempt_id="a-1")
    assert [(v.pipeline_version, v.outcome) for v in rows] == [("0.1.0+aa", Outcome.PASS), ("0.1.0+bb", Outcome.FAIL)]
    assert rows[1].evidence == evidence


def test_current_verdicts_prefer_own_newest_then_imported(session: Path) -> None:
    with Store.open(session) as store:
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.FAIL, pipeline_version="ext", source="ext")])
        store.save_verdicts([Verdict("a-2", "syntax", Outcome.FAIL, pipeline_version="ext", source="ext")])
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.PASS, pipeline_version="0.1+old")])
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.FAIL, pipeline_version="0.1+new")])
        current = store.current_verdicts()
        external = store.current_verdicts(source="ext")
    assert current[("a-1", "syntax")].pipeline_version == "0.1+new"
    assert current[("a-2", "syntax")].source == "ext"  # no own verdict: the imported one stands
    assert external[("a-1", "syntax")].outcome is Outcome.FAIL and external[("a-1", "syntax")].source == "ext"


def test_attempts_missing_verdicts(session: Path) -> None:
    with Store.open(session) as store:
        store.save_verdicts([Verdict("a-1", s, Outcome.PASS, pipeline_version="v1") for s in ("syntax", "defects")])
        assert store.attempts_missing_verdicts("v1", ["syntax"]) == ["a-2", "a-3"]
        assert store.attempts_missing_verdicts("v1", ["syntax", "defects", "integrity"]) == ["a-1", "a-2", "a-3"]
        assert store.attempts_missing_verdicts("v2", ["syntax"]) == ["a-1", "a-2", "a-3"]


def _judgement(
    jid: str,
    label: Label,
    stage: str = "syntax",
    supersedes: str | None = None,
    attempt: str = "a-1",
    reviewer: str = "ana",
) -> Judgement:
    return Judgement(jid, attempt, reviewer, stage, label, 3, "", (), False, "2026-11-21T10:00:00Z", None, supersedes)


def test_judgements_are_append_only_and_a_change_supersedes(session: Path) -> None:
    with Store.open(session) as store:
        store.save_judgements([_judgement("j1", Label.PASS)])
        store.save_judgements([_judgement("j2", Label.FAIL, supersedes="j1")])
        history = store.judgements(current_only=False)
        current = store.judgements()
    assert [j.judgement_id for j in history] == ["j1", "j2"]
    assert [(j.judgement_id, j.label) for j in current] == [("j2", Label.FAIL)]


def test_saving_the_same_judgement_twice_changes_nothing(session: Path) -> None:
    with Store.open(session) as store:
        assert store.save_judgements([_judgement("j1", Label.PASS)]) == 1
        assert store.save_judgements([_judgement("j1", Label.PASS)]) == 0
        assert len(store.judgements(current_only=False)) == 1


def test_undo_restores_the_previous_label_then_withdraws_earlier_saves(session: Path) -> None:
    with Store.open(session) as store:
        store.save_judgements(
            [_judgement("j1", Label.PASS, attempt="a-2"), _judgement("j1b", Label.FAIL, "overall", attempt="a-2")]
        )
        store.save_judgements([_judgement("j2", Label.PASS, attempt="a-1")])
        store.save_judgements([_judgement("j3", Label.FAIL, supersedes="j2", attempt="a-1")])
        undone = store.undo_last_save("ana")
        assert [(j.label, j.supersedes, j.retracted) for j in undone] == [(Label.PASS, "j3", False)]
        assert {(j.attempt_id, j.stage, j.label) for j in store.judgements()} == {
            ("a-1", "syntax", Label.PASS),
            ("a-2", "syntax", Label.PASS),
            ("a-2", "overall", Label.FAIL),
        }
        # The next undo steps back to the save before: both of its fields are withdrawn together.
        undone = store.undo_last_save("ana")
        assert {(j.attempt_id, j.stage, j.retracted) for j in undone} == {
            ("a-2", "syntax", True),
            ("a-2", "overall", True),
        }
        assert {(j.attempt_id, j.stage) for j in store.judgements()} == {("a-1", "syntax")}
        assert len(store.judgements(current_only=False)) == 7  # nothing was deleted
        assert store.undo_last_save("ben") == []


def test_adjudications_flags_and_settings(session: Path) -> None:
    with Store.open(session) as store:
        store.save_adjudication(
            Adjudication(
                "d1", "a-1", "syntax", "zoe", Label.PASS, ReasonCode.PIPELINE_FALSE_FAIL, "fine", "2026-11-21T10:00:00Z"
            )
        )
        store.save_adjudication(
            Adjudication("d2", "a-1", "syntax", "zoe", Label.FAIL, ReasonCode.OTHER, "", "2026-11-21T11:00:00Z")
        )
        store.set_flag(Flag("a-2", "ana", True, "look at this"))
        store.set_setting("review_mode", "assisted")
        assert [a.adjudication_id for a in store.adjudications()] == ["d2"]
        assert len(store.adjudications(current_only=False)) == 2
        assert [(f.attempt_id, f.note) for f in store.flags()] == [("a-2", "look at this")]
        store.set_flag(Flag("a-2", "ana", False))
        assert store.flags() == []
        assert store.get_setting("review_mode") == "assisted"
        assert store.get_setting("absent", 7) == 7


def test_pragmas_wal_foreign_keys_and_marks(session: Path) -> None:
    with Store.open(session) as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.schema_version == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError), store._transaction() as c:  # the store's own foreign keys
            c.execute("INSERT INTO attempts (attempt_id, task_id, model, seq) VALUES ('x', 'no-task', 'm', 9)")


def test_migrates_a_version_1_session_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in dict(_MIGRATIONS)[1]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO tasks VALUES ('t', 'python', 'a.py', 'x = 1\n', '{}', 1)")
    conn.execute("INSERT INTO attempts VALUES ('a', 't', 'm', 'x = 2\n', NULL, NULL, '{}', '[]', 1)")
    conn.execute("INSERT INTO reviewers VALUES ('ana', '2026-01-01T00:00:00Z')")
    conn.execute(
        "INSERT INTO judgements VALUES ('j', 'a', 'ana', 'syntax', 'pass', 2, '', '[]', 0, NULL,"
        " '2026-01-01T00:00:00Z', NULL)"
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [(j.judgement_id, j.label, j.retracted) for j in store.judgements()] == [("j", Label.PASS, False)]
        store.set_flag(Flag("a", "ana", True))  # a table version 2 added
        assert store.undo_last_save("ana")[0].retracted


def test_missing_file_is_never_created(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="no such session"):
        Store.open(tmp_path / "absent.db")
    assert not (tmp_path / "absent.db").exists()


def test_not_a_session(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello " * 200)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(SessionError, match="not a bare-tui session"):
        Store.open(text)
    with pytest.raises(SessionError, match="not a bare-tui session"):
        Store.open(other)


def test_newer_schema_is_refused(session: Path) -> None:
    conn = sqlite3.connect(session)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(SessionError, match="newer bare-tui"):
        Store.open(session)


def test_read_only_session_reads_but_refuses_writes(session: Path) -> None:
    os.chmod(session, stat.S_IRUSR)
    try:
        if os.access(session, os.W_OK):
            pytest.skip("running as a user who can write read-only files (root)")
        with Store.open(session) as store:
            assert len(store.attempts()) == 3
            with pytest.raises(SessionError, match="read-only"):
                store.save_judgements([_judgement("j1", Label.PASS)])
    finally:
        os.chmod(session, stat.S_IRUSR | stat.S_IWUSR)


def test_explicit_readonly_open_refuses_writes(session: Path) -> None:
    with Store.open(session, readonly=True) as store:
        assert len(store.attempts()) == 3
        with pytest.raises(SessionError, match="read-only"):
            store.set_setting("x", 1)


def test_locked_past_the_timeout_is_a_clear_error(session: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bare_tui.store.BUSY_TIMEOUT_MS", 200)
    blocker = sqlite3.connect(session, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with Store.open(session) as store:
            store._conn.execute("PRAGMA busy_timeout = 200")
            with pytest.raises(SessionError, match="locked"):
                store.save_judgements([_judgement("j1", Label.PASS)])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def _write_judgements(path: str, reviewer: str, count: int, start: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    start.wait()
    with Store.open(path) as store:
        for i in range(count):
            store.save_judgements(
                [
                    Judgement(f"{reviewer}-{i}-{stage}", f"a-{i % 3 + 1}", reviewer, stage, Label.PASS)
                    for stage in ("syntax", "overall")
                ]
            )


def test_four_processes_writing_at_once_lose_nothing(session: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_write_judgements, args=(str(session), f"r{n}", 60, start)) for n in range(4)]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with Store.open(session) as store:
        rows = store.judgements(current_only=False)
    assert len(rows) == 4 * 60 * 2
    assert len({j.judgement_id for j in rows}) == len(rows)


def test_a_savepoint_rolls_back_a_record_the_database_refuses(session: Path) -> None:
    from bare_tui.model import Attempt, Task
    from bare_tui.store import RecordRejected

    with Store.open(session) as store:
        with store.writing() as conn:
            with pytest.raises(RecordRejected, match="FOREIGN KEY"), store.savepoint(conn):
                store.add_tasks([Task("t-new", "python", "n.py", "x = 1\n")], conn)
                store.add_attempts([Attempt("a-new", "t-missing", "m", "x")], conn)
            store.add_tasks([Task("t-kept", "python", "k.py", "y = 1\n")], conn)
        assert store.task("t-new") is None and store.task("t-kept") is not None


def _light(verdicts: dict[tuple[str, str], Verdict]) -> list[tuple[str, str, str, float | None]]:
    return [(v.attempt_id, v.stage, v.outcome.value, v.score) for v in verdicts.values()]


def test_light_reads_follow_the_same_rules_as_the_full_ones(session: Path) -> None:
    evidence = (Evidence("refactored", 1, 1, "x"),)
    with Store.open(session) as store:
        store.save_verdicts(
            [
                Verdict("a-1", "syntax", Outcome.FAIL, 0.3, evidence, "ext", "ext"),
                Verdict("a-2", "syntax", Outcome.PASS, None, evidence, "ext", "ext"),
                Verdict("a-1", "syntax", Outcome.PASS, 0.9, evidence, "0.1+a"),
            ]
        )
        store.save_judgements([_judgement("j1", Label.PASS), _judgement("j2", Label.FAIL, "overall", reviewer="ben")])
        store.save_judgements([_judgement("j3", Label.UNSURE, supersedes="j1")])
        full = store.current_verdicts()
        # a-1's own verdict wins over the imported one
        assert (
            sorted(store.current_verdict_rows())
            == sorted(_light(full))
            == [("a-1", "syntax", "pass", 0.9), ("a-2", "syntax", "pass", None)]
        )
        assert sorted(store.current_verdict_rows(source="ext")) == sorted(_light(store.current_verdicts(source="ext")))
        assert store.verdict_rows() == [
            (v.attempt_id, v.stage, v.outcome.value, v.score, v.pipeline_version, v.source) for v in store.verdicts()
        ]
        assert store.verdict_rows(source="ext") == [r for r in store.verdict_rows() if r[5] == "ext"]
        assert full[("a-1", "syntax")].evidence == evidence
        assert store.attempt_groups() == [(s.attempt_id, s.model, s.language) for s in store.attempt_summaries()]
        assert store.current_label_rows() == [
            (j.attempt_id, j.reviewer, j.stage, j.label.value, int(j.saw_verdicts)) for j in store.judgements()
        ]
        assert store.current_outcomes() == {k: v.outcome.value for k, v in full.items()}
        assert store.current_labels() == [
            (j.attempt_id, j.reviewer, j.stage, j.label.value) for j in store.judgements()
        ]
        assert store.judged_attempt_ids("ana") == {"a-1"} and store.judged_attempt_ids("cid") == set()


def test_one_run_of_one_source_per_attempt_reads_every_verdict_as_chosen(session: Path) -> None:
    """Where no attempt has two verdicts for a stage nor mixes own with imported ones, the rule has nothing
    to choose: each attempt keeps its only source, own or imported."""
    with Store.open(session) as store:
        store.save_verdicts(
            [
                Verdict("a-1", "syntax", Outcome.PASS, None, (), "0.1+a"),
                Verdict("a-1", "defects", Outcome.SKIPPED, None, (), "0.1+a"),
            ]
        )
        assert sorted(store.current_verdict_rows()) == [
            ("a-1", "defects", "skipped", None),
            ("a-1", "syntax", "pass", None),
        ]
        store.save_verdicts([Verdict("a-2", "syntax", Outcome.FAIL, 0.1, (), "ext", "ext")])
        assert sorted(store.current_verdict_rows()) == [
            ("a-1", "defects", "skipped", None),
            ("a-1", "syntax", "pass", None),
            ("a-2", "syntax", "fail", 0.1),
        ]
        assert sorted(store.current_verdict_rows()) == sorted(_light(store.current_verdicts()))
        assert sorted(store.current_verdict_rows(source="ext")) == [("a-2", "syntax", "fail", 0.1)]
        # one imported stage beside own verdicts: the attempt now keeps only its own
        store.save_verdicts([Verdict("a-1", "integrity", Outcome.FAIL, None, (), "ext", "ext")])
        assert (
            sorted(store.current_verdict_rows())
            == sorted(_light(store.current_verdicts()))
            == [("a-1", "defects", "skipped", None), ("a-1", "syntax", "pass", None), ("a-2", "syntax", "fail", 0.1)]
        )
        # a second own run of one stage: a-1 now has a choice to make there, and the newer run wins
        store.save_verdicts([Verdict("a-1", "defects", Outcome.FAIL, None, (), "0.2+b")])
        assert (
            sorted(store.current_verdict_rows())
            == sorted(_light(store.current_verdicts()))
            == [("a-1", "defects", "fail", None), ("a-1", "syntax", "pass", None), ("a-2", "syntax", "fail", 0.1)]
        )
        # the imported source, named, keeps its own verdict of a-1 beside a-2's
        assert sorted(store.current_verdict_rows(source="ext")) == [
            ("a-1", "integrity", "fail", None),
            ("a-2", "syntax", "fail", 0.1),
        ]


def test_an_extra_stage_counts_from_the_pipeline_that_brings_it_beside_own_verdicts(tmp_path: Path) -> None:
    """The usual study: bare-tui verified every attempt and CI brings `tests` verdicts. With no source named,
    the five stages and overall count bare-tui's own, and `tests` (which bare-tui never writes) counts CI's,
    so the screens and stats show it without --source; an imported syntax verdict still never mixes in."""
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt("a-1", "t-1", "m", "x = 2\n")])
        store.save_verdicts([Verdict("a-1", "syntax", Outcome.PASS, None, (), "0.3+a")])
        store.save_verdicts(
            [
                Verdict("a-1", "tests", Outcome.FAIL, None, (), "ci", "ci"),
                Verdict("a-1", "syntax", Outcome.FAIL, None, (), "ci", "ci"),
            ]
        )
        counted = {(a, s): (v.source, v.outcome) for (a, s), v in store.current_verdicts().items()}
        assert counted == {("a-1", "syntax"): (OWN_SOURCE, Outcome.PASS), ("a-1", "tests"): ("ci", Outcome.FAIL)}
        assert store.current_stage_outcomes("tests") == {"a-1": "fail"}
        rows = {(r["stage"], r["source"]) for r in store.view_rows("attempt_stages")}
        assert ("tests", "ci") in rows and ("syntax", OWN_SOURCE) in rows and ("syntax", "ci") not in rows


# ---------------------------------------------------------------------- the verdict that counts, decided on write
def _old_rule(verdicts: list[Verdict], source: str | None = None) -> dict[tuple[str, str], Verdict]:
    """The rule as the reads applied it before it was kept in the session: over the verdicts in the order
    written, own source first, then the newest run (created_at, then version), the first written on a tie;
    with no source named, an attempt with any own verdict counts only its own in the five stages and overall;
    an extra stage (which bare-tui never writes) counts from the imported run that brings it."""
    best: dict[tuple[str, str], tuple[tuple[bool, str, str], Verdict]] = {}
    for v in verdicts:
        if source is not None and v.source != source:
            continue
        rank = (v.source == OWN_SOURCE, v.created_at or "", v.pipeline_version)
        held = best.get((v.attempt_id, v.stage))
        if held is None or rank > held[0]:
            best[(v.attempt_id, v.stage)] = (rank, v)
    own = {attempt_id for (attempt_id, _), (rank, _) in best.items() if rank[0]}
    return {
        key: v
        for key, (rank, v) in best.items()
        if source is not None or rank[0] or key[0] not in own or key[1] not in FIELDS
    }


_write = st.tuples(
    st.sampled_from(["save", "merge", "import"]),
    st.lists(
        st.tuples(
            st.sampled_from(["a-1", "a-2", "a-3"]),
            st.sampled_from(["syntax", "overall", "tests"]),
            st.sampled_from([OWN_SOURCE, "ext", "other"]),
            st.sampled_from(["v1", "v2"]),
            st.sampled_from(list(Outcome)),
            st.sampled_from([None, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]),
        ),
        min_size=1,
        max_size=6,
    ),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(_write, min_size=1, max_size=5))
def test_the_verdict_that_counts_kept_on_write_follows_the_old_rule(session: Path, writes: list) -> None:
    """Through every write path (verify's save, a merge's verdicts, an import's), with two sources, several
    runs and ties, the verdict the session keeps as counting is the one the old rule chose on every read."""
    path = session.with_name(f"h-{uuid.uuid4().hex}.db")
    shutil.copy(session, path)
    with Store.open(path) as store:
        for path_kind, rows in writes:
            verdicts = [Verdict(a, s, o, None, (), ver, src, {}, at) for a, s, src, ver, o, at in rows]
            if path_kind == "save":
                store.save_verdicts(verdicts)
            else:
                with store.writing() as conn:
                    if path_kind == "merge":
                        store.merge_verdicts(verdicts, conn)
                    else:
                        for v in verdicts:
                            with contextlib.suppress(Exception):
                                store.add_verdicts([v], conn)
            stored = store.verdicts()
            for source in (None, "ext", OWN_SOURCE):
                expected = _old_rule(stored, source)
                assert store.current_verdicts(source=source) == expected
                assert sorted(store.current_verdict_rows(source=source)) == sorted(
                    (a, s, v.outcome.value, v.score) for (a, s), v in expected.items()
                )
                assert store.current_stage_outcomes("syntax", source) == {
                    a: v.outcome.value for (a, s), v in expected.items() if s == "syntax"
                }
            # the audit list's read of a few attempts follows the same kept rule
            assert store.current_outcomes_of(["a-1", "a-3"]) == {
                key: v.outcome.value for key, v in _old_rule(stored).items() if key[0] in ("a-1", "a-3")
            }
            assert store.current_outcomes() == {key: v.outcome.value for key, v in _old_rule(stored).items()}
            counted = {(r["attempt_id"], r["stage"]): r["outcome"] for r in store.view_rows("attempt_stages")}
            assert {k: o for k, o in counted.items() if o is not None} == {
                key: v.outcome.value for key, v in _old_rule(stored).items()
            }
    path.unlink()


def _in_the_file(path: Path, key: str) -> bool:
    """Whether the database file itself (not its WAL) holds this setting: what a checkpoint has copied into it."""
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)) as conn:
        return conn.execute("SELECT COUNT(*) FROM settings WHERE key = ?", (key,)).fetchone()[0] == 1


def test_deferred_checkpoints_keep_the_commits_in_the_wal_until_checkpoint_wal(session: Path) -> None:
    big = "x" * 200_000  # some 50 pages a commit: 30 commits pass SQLite's automatic checkpoint at 1,000 pages
    with Store.open(session) as store:
        for n in range(30):
            store.set_setting(f"as-sqlite-does-{n}", big)
        assert _in_the_file(session, "as-sqlite-does-0")  # the control: one of those commits checkpointed
        store.checkpoint_wal()
        store.defer_checkpoints()
        before = store.changes
        for n in range(30):
            store.set_setting(f"deferred-{n}", big)
        assert store.changes == before + 30
        # no commit copied the WAL into the file (each would have written back and synced inside the commit)...
        assert not any(_in_the_file(session, f"deferred-{n}") for n in range(30))
        store.checkpoint_wal()  # ...until the caller's checkpoint, at a moment of its choosing
        assert all(_in_the_file(session, f"deferred-{n}") for n in range(30))
        assert store.get_setting("deferred-29") == big
