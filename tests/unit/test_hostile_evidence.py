"""Evidence stored before import validated it: a side other than original/refactored, items that are not
objects, text that is not a JSON list. Such rows are in sessions made by earlier versions; they must not
break the audit screen, review's `e` or stats. Each session here is written raw, past the store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bare_tui import cli
from bare_tui.importer import import_into
from bare_tui.store import Store

from .test_hostile_terminal import run_in_terminal

# (attempt id, the evidence column as an older version may have written it)
STORED = [
    ("ev-side", json.dumps([{"side": "left", "line": 1, "column": None, "message": "a side of old"}])),
    ("ev-side-object", json.dumps([{"side": {"a": 1}, "line": 2, "column": 0, "message": "side an object"}])),
    ("ev-items", json.dumps([1, "loose text", None, [2]])),
    ("ev-object", json.dumps({"side": "left", "line": 1, "message": "not a list"})),
    ("ev-text", "not json at all"),
    ("ev-huge", '[{"side": null, "line": 1e999, "column": "x", "message": {"nested": true}}]'),
    ("ev-controls", json.dumps([{"side": "\x1b]0;owned\x07", "line": 1, "message": "side with controls"}])),
]


def raw_session(folder: Path) -> Path:
    """Attempts whose syntax verdict failed and a reviewer passed (so each is a disputed failure on the audit
    list), their evidence then overwritten raw."""
    rows: list[dict] = [
        {"task_id": "t-1", "language": "python", "path": "a.py", "original": "def f(x):\n    return x\n"}
    ]
    for attempt_id, _ in STORED:
        rows.append(
            {
                "attempt_id": attempt_id,
                "task_id": "t-1",
                "model": "m",
                "refactored": "def f(x):\n    return +x\n",
                "verdicts": {"syntax": {"outcome": "fail", "evidence": [{"side": "refactored", "line": 1}]}},
            }
        )
        rows.append(
            {"judgement_id": f"j-{attempt_id}", "attempt_id": attempt_id, "reviewer": "ben", "stage": "syntax"}
            | {"label": "pass"}
        )
    source = folder / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    db = folder / "s.db"
    with Store.open(db, create=True) as store:
        assert import_into(store, source).complete
    connection = sqlite3.connect(db)
    with connection:
        for attempt_id, evidence in STORED:
            connection.execute(
                "UPDATE verdicts SET evidence = ? WHERE attempt_id = ? AND stage = 'syntax'", (evidence, attempt_id)
            )
    connection.close()
    return db


@pytest.fixture
def session(tmp_path: Path) -> Path:
    return raw_session(tmp_path)


def test_stored_bad_evidence_reads_as_valid_evidence_keeping_what_it_said(session: Path) -> None:
    with Store.open(session, readonly=True) as store:
        by_attempt = {v.attempt_id: v.evidence for v in store.verdicts() if v.stage == "syntax"}
    assert set(by_attempt) == {attempt_id for attempt_id, _ in STORED}
    for evidence in by_attempt.values():
        assert evidence and all(e.side in ("original", "refactored") for e in evidence)
        assert all(isinstance(e.message, str) for e in evidence)
        assert all(e.line is None or isinstance(e.line, int) for e in evidence)
    # What the old row said is kept in the message, not dropped.
    assert by_attempt["ev-side"][0].message == '(stored side "left") a side of old'
    assert by_attempt["ev-side"][0].line == 1
    assert [e.message for e in by_attempt["ev-items"]] == ["1", "loose text", "", "[2]"]
    assert by_attempt["ev-object"][0].message.endswith("not a list")
    assert "not json at all" in by_attempt["ev-text"][0].message
    assert (by_attempt["ev-huge"][0].line, by_attempt["ev-huge"][0].column) == (None, None)


def test_stats_read_a_session_with_bad_stored_evidence(session: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # (The verdicts export streams the stored evidence column as it is, undecoded: such rows go out as they were
    # stored, and a row that is not JSON makes an invalid line. Left to the store's owner; see the report.)
    assert cli.main(["stats", str(session), "--format", "csv"]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_the_audit_screen_opens_and_walks_every_item_with_bad_stored_evidence(session: Path) -> None:
    # Down through every disputed item (each shows its verdict's evidence and marks its line), then quit.
    steps = [(b"disputed failure", "\x1b[B")] * len(STORED) + [(b"disputed failure", "\x11")]
    received = run_in_terminal(["audit", "s.db", "--auditor", "eve"], session.parent, steps=steps)
    assert b"Traceback" not in received and b"Error" not in received
    assert b"stored side" in received  # the bad side's item was shown, with what it said
    assert b"\x1b]0;owned" not in received  # a side with controls is not written to the terminal raw


def test_review_steps_through_findings_of_every_attempt_with_bad_stored_evidence(session: Path) -> None:
    # On each attempt: `e` (the next finding: scroll to its line) twice and `E` once, then `n`.
    steps = [(attempt_id.encode(), "eeEn") for attempt_id, _ in STORED] + [(b"ev-controls", "\x11\x11")]
    received = run_in_terminal(["review", "s.db", "--reviewer", "ana", "--assisted"], session.parent, steps=steps)
    assert b"Traceback" not in received and b"Error" not in received
    assert b"stored side" in received
