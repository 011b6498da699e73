"""Sessions made by every earlier bare-tui schema open, migrate in place and keep their rows; a newer one is refused.

The old schemas are frozen here as they were released (taken from store.py's history), not read from the
migration list, so that a later edit of a released step is caught rather than mirrored.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from bare_tui import cli
from bare_tui.exporter import export_text
from bare_tui.importer import import_into
from bare_tui.model import Attempt, Flag, Label, Outcome, PlanItem, PlanRecord, PlanStratum, Task
from bare_tui.queue import load_data
from bare_tui.store import _ANALYST_VIEWS_5, _MIGRATIONS, APPLICATION_ID, SCHEMA_VERSION, SessionError, Store

V1 = [
    """CREATE TABLE tasks (
        task_id TEXT PRIMARY KEY, language TEXT NOT NULL, path TEXT NOT NULL,
        original TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}', seq INTEGER NOT NULL)""",
    """CREATE TABLE attempts (
        attempt_id TEXT PRIMARY KEY, task_id TEXT NOT NULL REFERENCES tasks(task_id),
        model TEXT NOT NULL, refactored TEXT, response TEXT, patch TEXT,
        meta TEXT NOT NULL DEFAULT '{}', problems TEXT NOT NULL DEFAULT '[]', seq INTEGER NOT NULL)""",
    """CREATE TABLE verdicts (
        attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id), stage TEXT NOT NULL,
        source TEXT NOT NULL, pipeline_version TEXT NOT NULL, outcome TEXT NOT NULL,
        score REAL, evidence TEXT NOT NULL DEFAULT '[]', details TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        PRIMARY KEY (attempt_id, stage, source, pipeline_version))""",
    """CREATE TABLE reviewers (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)""",
    """CREATE TABLE judgements (
        judgement_id TEXT PRIMARY KEY, attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
        reviewer TEXT NOT NULL REFERENCES reviewers(name), stage TEXT NOT NULL, label TEXT NOT NULL,
        confidence INTEGER, note TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
        saw_verdicts INTEGER NOT NULL DEFAULT 0, opened_at TEXT, saved_at TEXT,
        supersedes TEXT)""",
    """CREATE TABLE adjudications (
        adjudication_id TEXT PRIMARY KEY, attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
        stage TEXT NOT NULL, auditor TEXT NOT NULL, label TEXT NOT NULL, reason TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '', saved_at TEXT NOT NULL)""",
    """CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    "CREATE INDEX idx_attempts_task ON attempts(task_id)",
    "CREATE INDEX idx_judgements_attempt ON judgements(attempt_id, reviewer, stage)",
]
# Version 2 as first released (d894a39): without the save_id back-fill that a later edit added.
V2 = [
    "ALTER TABLE judgements ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE judgements ADD COLUMN save_id TEXT",
    "ALTER TABLE judgements ADD COLUMN undo INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE flags (
        attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id), reviewer TEXT NOT NULL,
        flagged INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '', saved_at TEXT NOT NULL,
        PRIMARY KEY (attempt_id, reviewer))""",
    "CREATE INDEX idx_attempts_model ON attempts(model)",
    "CREATE INDEX idx_tasks_language ON tasks(language)",
    "CREATE INDEX idx_verdicts_stage_outcome ON verdicts(stage, outcome)",
    "CREATE INDEX idx_verdicts_source ON verdicts(source, pipeline_version)",
    "CREATE INDEX idx_judgements_reviewer ON judgements(reviewer, attempt_id)",
    "CREATE INDEX idx_judgements_supersedes ON judgements(supersedes)",
    "CREATE INDEX idx_judgements_save ON judgements(reviewer, save_id)",
    "CREATE INDEX idx_adjudications_attempt ON adjudications(attempt_id, stage)",
]
V3 = [
    "CREATE UNIQUE INDEX idx_attempts_seq ON attempts(seq)",
    "CREATE UNIQUE INDEX idx_tasks_seq ON tasks(seq)",
]
V4 = [
    """CREATE TABLE plans (
        name TEXT PRIMARY KEY, definition TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,
        size INTEGER NOT NULL)""",
    """CREATE TABLE plan_strata (
        plan TEXT NOT NULL REFERENCES plans(name), stratum TEXT NOT NULL,
        population INTEGER NOT NULL, drawn INTEGER NOT NULL,
        PRIMARY KEY (plan, stratum)) WITHOUT ROWID""",
    """CREATE TABLE plan_items (
        plan TEXT NOT NULL REFERENCES plans(name), attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
        stratum TEXT NOT NULL, inclusion_probability REAL, position INTEGER NOT NULL,
        reviewers TEXT NOT NULL DEFAULT '[]', gold INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (plan, attempt_id), UNIQUE (plan, position))""",
    """CREATE TABLE plan_population (
        plan TEXT NOT NULL REFERENCES plans(name), stratum TEXT NOT NULL,
        attempt_ids TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (plan, stratum)) WITHOUT ROWID""",
    """CREATE VIEW plan_members AS SELECT p.plan AS plan, m.value AS attempt_id, p.stratum AS stratum
        FROM plan_population p, json_each(p.attempt_ids) m""",
]
# Version 5's views: the store keeps their released text itself (its step 5 creates them), so they are not
# copied a second time here.
V5 = list(_ANALYST_VIEWS_5)
RELEASED = {1: V1, 2: V1 + V2, 3: V1 + V2 + V3, 4: V1 + V2 + V3 + V4, 5: V1 + V2 + V3 + V4 + V5}
# Version 6 moved texts out and kept the verdict that counts (chosen_verdicts): its rows are the ones of version 5
# carried by the store's own step 6 (it holds a function and the views it released, so it is not copied here).
LATER = (6, 7)


def old_session(path: Path, version: int) -> Path:
    """A session as bare-tui of that schema version wrote it, with a row of every kind it knew."""
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in RELEASED[min(version, 5)]:
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {min(version, 5)}")
    conn.execute("INSERT INTO tasks VALUES ('t', 'python', 'a.py', 'x = 1\n', '{}', 1)")
    conn.execute("INSERT INTO attempts VALUES ('a', 't', 'm', 'x = 2\n', NULL, NULL, '{}', '[]', 1)")
    conn.execute(
        "INSERT INTO attempts VALUES ('b', 't', 'n', NULL, 'a long answer', '--- a.py', '{\"k\": 1}', '[]', 2)"
    )
    conn.execute(
        "INSERT INTO verdicts VALUES ('a', 'syntax', 'bare-tui', 'v1', 'pass', NULL, '[]', '{}',"
        " '2026-01-01T00:00:00Z')"
    )
    # two sources and two runs: the migration decides which verdict counts by the same rule as the reads did
    conn.execute(
        "INSERT INTO verdicts VALUES ('a', 'syntax', 'ext', 'ext', 'fail', NULL, '[]', '{}', '2026-01-05T00:00:00Z')"
    )
    conn.execute(
        "INSERT INTO verdicts VALUES ('b', 'syntax', 'ext', 'ext', 'fail', 0.2, '[]', '{}', '2026-01-01T00:00:00Z')"
    )
    conn.execute(
        "INSERT INTO verdicts VALUES ('b', 'syntax', 'ext', 'ext@2', 'pass', 0.8, '[]', '{}', '2026-01-02T00:00:00Z')"
    )
    conn.execute("INSERT INTO reviewers VALUES ('ana', '2026-01-01T00:00:00Z')")
    columns = (
        "judgement_id, attempt_id, reviewer, stage, label, confidence, note, tags, saw_verdicts, opened_at,"
        " saved_at, supersedes"
    )
    conn.execute(
        f"INSERT INTO judgements ({columns}) VALUES ('j', 'a', 'ana', 'syntax', 'pass', 2, '', '[]', 0,"
        " NULL, '2026-01-01T00:00:00Z', NULL)"
    )
    conn.execute(
        "INSERT INTO adjudications VALUES ('d', 'b', 'overall', 'eve', 'fail', 'other', '', '2026-01-02T00:00:00Z')"
    )
    if version >= 2:
        conn.execute("INSERT INTO flags VALUES ('b', 'ana', 1, '', '2026-01-02T00:00:00Z')")
    for later in LATER:
        if version >= later:
            for statement in dict(_MIGRATIONS)[later]:
                statement(conn) if callable(statement) else conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {later}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("version", [*sorted(RELEASED), *LATER])
def test_a_session_of_every_earlier_schema_opens_migrated_with_its_rows(tmp_path: Path, version: int) -> None:
    path = old_session(tmp_path / f"v{version}.db", version)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [(a.attempt_id, a.refactored, a.response, a.patch, a.meta) for a in store.attempts()] == [
            ("a", "x = 2\n", None, None, {}),
            ("b", None, "a long answer", "--- a.py", {"k": 1}),
        ]
        assert store.attempt("b") == store.attempts()[1]
        assert [s.attempt_id for s in store.attempt_summaries()] == ["a", "b"]
        assert store.current_verdicts()[("a", "syntax")].outcome is Outcome.PASS
        assert sorted(store.current_verdict_rows()) == [("a", "syntax", "pass", None), ("b", "syntax", "pass", 0.8)]
        assert store.current_verdict_rows(source="ext") and store.current_outcomes()[("b", "syntax")] == "pass"
        assert [row["outcome"] for row in store.view_rows("attempt_stages", ["outcome"])][:2] == ["pass", None]
        assert [(j.judgement_id, j.label) for j in store.judgements()] == [("j", Label.PASS)]
        # the queue's packed outcomes (step 7) hold the verdicts that count, own source first
        queue = load_data(store, "ana")
        assert [row.outcome("syntax") for row in queue.rows()] == ["pass", "pass"]
        assert [row.outcome("overall") for row in queue.rows()] == ["none", "none"]
        assert [a.adjudication_id for a in store.adjudications()] == ["d"]
        store.set_flag(Flag("a", "ana", True))
        assert store.undo_last_save("ana")[0].retracted  # undo works on rows written before saves had ids
        store.save_plan(
            PlanRecord("p", {}, "2026-01-03T00:00:00Z", 1),
            [PlanStratum("p", "all", 2, 1)],
            [PlanItem("p", "a", "all", 0.5, 1, ("ana",))],
            [("a", "all"), ("b", "all")],
        )
    with Store.open(path, readonly=True) as store:  # the migration was committed
        assert [i.attempt_id for i in store.plan_items("p")] == ["a"]


@pytest.mark.parametrize("version", sorted(RELEASED))
def test_evidence_stored_before_it_was_validated_exports_as_valid_lines_that_reimport(
    tmp_path: Path, version: int
) -> None:
    """Verify and import wrote evidence unchecked before schema 6: text that is not JSON, a side that is not
    original or refactored, items that are not objects, a line of 1e999. The streamed export copies stored
    evidence without decoding it, so the migration mends such rows once, as the screens read them."""
    path = old_session(tmp_path / f"v{version}.db", version)
    bad = [
        "not json",
        '{"side": "original"}',
        '[{"side": "left", "line": 3, "column": null, "message": "moved"}]',
        '["loose text", {"side": "refactored", "line": 1e999, "column": "x", "message": 7}]',
    ]
    good = '[{"side": "original", "line": 2, "column": 1, "message": "kept as written"}]'
    conn = sqlite3.connect(path)
    for stage, evidence in zip(("integrity", "defects", "maintainability", "overall"), bad):
        conn.execute(
            "INSERT INTO verdicts VALUES ('a', ?, 'ext', 'ext', 'fail', NULL, ?, '{}', '2026-01-01T00:00:00Z')",
            (stage, evidence),
        )
    conn.execute("UPDATE verdicts SET evidence = ? WHERE attempt_id = 'b'", (good,))
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        text = export_text(store, "verdicts", "jsonl")
        shown = {(v.attempt_id, v.stage): v.evidence for v in store.verdicts()}
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    evidence = {(line["attempt_id"], line["stage"]): line["evidence"] for line in lines if line["source"] == "ext"}
    assert evidence[("a", "maintainability")] == [
        {"side": "refactored", "line": 3, "column": None, "message": '(stored side "left") moved'}
    ]
    assert evidence[("a", "integrity")][0]["message"].startswith("unreadable evidence: not json")
    assert [e["line"] for e in evidence[("a", "overall")]] == [None, None]
    assert evidence[("b", "syntax")] == json.loads(good)  # a well-formed row is left exactly as it was
    for key, items in evidence.items():  # the export says what the screens show
        assert items == [e.to_json() for e in shown[key]]
    copy = tmp_path / "copy.db"
    with Store.open(copy, create=True) as target:
        target.add_tasks([Task("t", "python", "a.py", "x = 1\n")])
        target.add_attempts([Attempt("a", "t", "m", "x = 2\n"), Attempt("b", "t", "n", None)])
    # the external pipeline's lines (the fixture's own verdict carries a version verify never stamps)
    external = [line for line in text.splitlines() if json.loads(line)["source"] == "ext"]
    (tmp_path / "v.jsonl").write_text("\n".join(external) + "\n", encoding="utf-8")
    with Store.open(copy) as target:
        report = import_into(target, tmp_path / "v.jsonl")
        assert report.errors == [] and len(target.verdicts()) == len(external) == 7


def test_a_session_from_a_newer_bare_tui_is_refused_untouched(tmp_path: Path) -> None:
    path = old_session(tmp_path / "new.db", 3)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SessionError, match=f"newer bare-tui \\(schema {SCHEMA_VERSION + 1}"):
        Store.open(path)
    assert path.read_bytes() == before


def test_an_old_session_read_by_a_read_only_command_is_upgraded_once_and_read(tmp_path: Path) -> None:
    # export, stats and merge open read-only; they used to refuse an older schema and send the user off to open
    # it writable by hand. A file they may write is upgraded, then read as asked.
    path = old_session(tmp_path / "v3.db", 3)
    with Store.open(path, readonly=True) as store:
        assert store.readonly and store.schema_version == SCHEMA_VERSION
        assert [a.attempt_id for a in store.iter_attempts()] != []


def test_the_command_line_says_a_session_is_being_upgraded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = old_session(tmp_path / "v3.db", 3)
    assert cli.main(["export", str(path), "--what", "attempts", "-o", str(tmp_path / "a.jsonl")]) == 0
    err = capsys.readouterr().err
    assert f"upgrading {path} from schema 3 to {SCHEMA_VERSION}" in err
    assert cli.main(["export", str(path), "--what", "attempts", "-o", str(tmp_path / "b.jsonl")]) == 0
    assert "upgrading" not in capsys.readouterr().err  # once
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes() != b""


def test_an_old_session_it_may_not_write_is_refused_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = old_session(tmp_path / "v3.db", 3)
    before = path.read_bytes()
    # a file on read-only media or in a folder the user may not write (the tests run as root, which writes
    # through file modes, so the permission is taken away where bare-tui asks for it)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode & os.W_OK else real_access(p, mode))
    with pytest.raises(SessionError, match="older bare-tui \\(schema 3\\).*copy it to a writable folder"):
        Store.open(path, readonly=True)
    assert path.read_bytes() == before
