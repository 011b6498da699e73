"""Export in the interchange formats, CSV that spreadsheets cannot run, and merges that are safe to repeat."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bare_tui.exporter import export_text, neutralise_cell
from bare_tui.importer import import_into
from bare_tui.merge import merge_into
from bare_tui.model import Evidence, Flag, Judgement, Label, Outcome, Verdict
from bare_tui.store import Store
from tests.conftest import write_jsonl

JUDGEMENT_KEYS = [
    "judgement_id",
    "attempt_id",
    "reviewer",
    "stage",
    "label",
    "confidence",
    "note",
    "tags",
    "saw_verdicts",
    "opened_at",
    "saved_at",
    "supersedes",
    "retracted",
]  # retracted: always, true or false


def test_judgements_export_in_the_design_format_and_import_back(session: Path, tmp_path: Path) -> None:
    with Store.open(session) as store:
        store.save_judgements(
            [
                Judgement(
                    "j1",
                    "a-1",
                    "ana",
                    "syntax",
                    Label.PASS,
                    3,
                    "=cmd|' /C calc'!A0",
                    ("x",),
                    True,
                    "2026-11-21T10:00:00Z",
                    "2026-11-21T10:00:41Z",
                )
            ]
        )
        text = export_text(store, "judgements", "jsonl")
    row = json.loads(text)
    assert list(row) == JUDGEMENT_KEYS
    assert row["note"] == "=cmd|' /C calc'!A0" and row["saw_verdicts"] is True and row["tags"] == ["x"]
    # The export is an import file: into a copy of the tasks and attempts, it gives the same judgement back.
    target = tmp_path / "copy.db"
    with Store.open(session) as source, Store.open(target, create=True) as copy:
        merge_into(copy, source)
    exported = write_jsonl(tmp_path / "j.jsonl", [row])
    with Store.open(target) as copy:
        report = import_into(copy, exported)
        assert report.unchanged == 1 and report.imported == 0


def test_verdicts_export_one_line_per_attempt_and_stage(session: Path) -> None:
    with Store.open(session) as store:
        store.save_verdicts(
            [
                Verdict(
                    "a-1", "syntax", Outcome.FAIL, None, (Evidence("refactored", 40, 5, "missing '}'"),), "0.3.0+5f2c1a"
                )
            ]
        )
        row = json.loads(export_text(store, "verdicts", "jsonl"))
    created_at = row.pop("created_at")
    assert created_at.endswith("Z")  # when the verdict was first written, kept on re-import
    assert row == {
        "attempt_id": "a-1",
        "stage": "syntax",
        "outcome": "fail",
        "score": None,
        "evidence": [{"side": "refactored", "line": 40, "column": 5, "message": "missing '}'"}],
        "pipeline_version": "0.3.0+5f2c1a",
        "source": "bare-tui",
        "model": "m1",
        "language": "python",
        "details": {},
    }


def test_attempts_export_resolves_language_and_refactored(session: Path) -> None:
    with Store.open(session) as store:
        rows = [json.loads(line) for line in export_text(store, "attempts", "jsonl").splitlines()]
    assert [(r["attempt_id"], r["language"]) for r in rows] == [("a-1", "python"), ("a-2", "python"), ("a-3", "go")]
    assert rows[1]["refactored"] == "def f(x, y):\n    return x\n"
    # a task's original once, on its first attempt's row, not repeated in every row
    assert rows[0]["original"] == "def f(x):\n    return x\n" and rows[1]["original"] is None


def test_csv_cells_that_would_run_as_formulas_are_neutralised(session: Path) -> None:
    notes = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "plain", "a=b"]
    with Store.open(session) as store:
        store.save_judgements(
            [Judgement(f"j{i}", "a-1", f"r{i}", "syntax", Label.PASS, None, note) for i, note in enumerate(notes)]
        )
        store.save_verdicts([Verdict("a-1", "maintainability", Outcome.FAIL, -0.4, (), "v")])
        judgements = list(csv.DictReader(io.StringIO(export_text(store, "judgements", "csv"))))
        verdicts = list(csv.DictReader(io.StringIO(export_text(store, "verdicts", "csv"))))
    assert [r["note"] for r in judgements] == ["'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "plain", "a=b"]
    assert verdicts[0]["score"] == "-0.4"  # a number is data, not a formula


@given(st.text())
def test_no_neutralised_cell_starts_a_formula(text: str) -> None:
    cell = neutralise_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell.endswith(text)


def test_empty_csv_export_still_has_its_header(session: Path) -> None:
    with Store.open(session) as store:
        text = export_text(store, "adjudications", "csv")
    assert text.strip() == "adjudication_id,attempt_id,stage,auditor,label,reason,note,saved_at"


def test_merge_brings_reviewers_copies_together_and_is_idempotent(session: Path, tmp_path: Path) -> None:
    copies = []
    for reviewer in ("ana", "ben"):
        copy = tmp_path / f"{reviewer}.db"
        with Store.open(session) as base, Store.open(copy, create=True) as mine:
            merge_into(mine, base)
            mine.save_judgements([Judgement(f"{reviewer}-1", "a-1", reviewer, "overall", Label.PASS)])
            mine.set_flag(Flag("a-2", reviewer, True, "odd"))
        copies.append(copy)
    target = tmp_path / "all.db"
    with Store.open(target, create=True) as merged:
        for copy in copies:
            with Store.open(copy) as source:
                merge_into(merged, source)
        counts = merged.counts()
        for copy in copies:
            with Store.open(copy) as source:
                assert merge_into(merged, source).total == 0
        assert merged.counts() == counts
        assert {j.reviewer for j in merged.judgements()} == {"ana", "ben"}
        assert counts["attempts"] == 3 and counts["flags"] == 2


def test_merge_copies_texts_saves_and_newer_verdicts_and_counts_only_its_own_rows(
    session: Path, tmp_path: Path
) -> None:
    """A merge is SQL between the two files: the answer texts come along, each judgement keeps its save (so
    undo in the merged session steps back by the reviewer's saves), a verdict both hold stands as written
    later with its created_at, and the summary counts what this merge wrote."""
    copy = tmp_path / "ana.db"
    with Store.open(session) as base, Store.open(copy, create=True) as mine:
        merge_into(mine, base)
        mine.save_judgements([Judgement("j1", "a-1", "ana", "syntax", Label.PASS)], save_id="first")
        mine.save_judgements([Judgement("j2", "a-2", "ana", "syntax", Label.FAIL)], save_id="second")
        mine.save_verdicts([Verdict("a-1", "syntax", Outcome.PASS, None, (), "v1", created_at="2026-02-01T00:00:00Z")])
    with Store.open(session) as target:
        target.save_verdicts(
            [Verdict("a-1", "syntax", Outcome.FAIL, None, (), "v1", created_at="2026-01-01T00:00:00Z")]
        )
        target.save_judgements([Judgement("own", "a-3", "lead", "overall", Label.PASS)])
        with Store.open(copy, readonly=True) as source:
            report = merge_into(target, source)
            assert (report.tasks, report.attempts, report.judgements, report.verdicts) == (0, 0, 2, 1)
            assert merge_into(target, source).total == 0
            assert [target.attempt(a.attempt_id) for a in source.attempts()] == source.attempts()
        counted = target.current_verdicts()[("a-1", "syntax")]
        assert (counted.outcome, counted.created_at) == (Outcome.PASS, "2026-02-01T00:00:00Z")
        assert [j.supersedes for j in target.undo_last_save("ana")] == ["j2"]  # the newest save only
        assert [j.judgement_id for j in target.judgements(reviewer="ana")] == ["j1"]


@pytest.mark.parametrize("left_behind", [(), ("-wal", "-shm")])
def test_a_merge_reads_a_copy_on_read_only_media(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], left_behind: tuple[str, ...]
) -> None:
    """A reviewer's copy on a read-only stick or share (a WAL-mode session, with or without the empty -wal and
    -shm files a copy taken mid-session brings): SQLite cannot make the shared-memory file a reader needs there,
    so the copy is attached as an immutable file, and the merge says it read it that way."""
    from bare_tui import cli
    from tests.unit.test_hostile_faults import _mount, small_session

    made = tmp_path / "made"
    made.mkdir()
    with Store.open(small_session(made)) as store:
        store.save_judgements([Judgement("j-2", "a-1", "ben", "syntax", Label.FAIL)])
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every save in the file, the WAL empty
        for suffix in left_behind:
            (tmp_path / f"keep{suffix}").write_bytes((made / f"s.db{suffix}").read_bytes())
    for suffix in left_behind:
        (made / f"s.db{suffix}").write_bytes((tmp_path / f"keep{suffix}").read_bytes())
    media = tmp_path / "media"
    media.mkdir()
    if os.geteuid() != 0 or not _mount("--bind", str(made), str(media)):
        pytest.skip("a read-only bind mount needs root")
    try:
        assert _mount("-o", "remount,bind,ro", str(media))
        assert cli.main(["merge", str(tmp_path / "team.db"), str(media / "s.db")]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
    finally:
        subprocess.run(["umount", str(media)], check=True)
    assert "5 attempts" in out and "2 judgements" in out
    with Store.open(tmp_path / "team.db") as team:
        assert {j.judgement_id for j in team.judgements()} == {"j-1", "j-2"}
    if not left_behind:
        assert "read as an immutable file" in out
