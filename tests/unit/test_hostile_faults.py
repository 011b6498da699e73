"""Faults: a full disk loses nothing committed and says so, read-only media still serve every reading command,
and a damaged session or a path loop is one line on stderr, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bare_tui import cli
from bare_tui.importer import import_into
from bare_tui.model import Judgement, Label
from bare_tui.review import FormState, ReviewSession
from bare_tui.store import DiskFull, SessionError, Store

TASK = {"task_id": "t-1", "language": "python", "path": "a.py", "original": "x = 1\n"}


def attempts(n: int, pad: int = 200) -> list[dict]:
    return [
        {"attempt_id": f"a-{i}", "task_id": "t-1", "model": "m", "refactored": f"x = {i}\n" + "# pad\n" * pad}
        for i in range(n)
    ]


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def small_session(folder: Path) -> Path:
    db = folder / "s.db"
    judgement = {"judgement_id": "j-1", "attempt_id": "a-0", "reviewer": "ana", "stage": "syntax", "label": "pass"}
    with Store.open(db, create=True) as store:
        report = import_into(store, write(folder / "in.jsonl", [TASK, *attempts(5, pad=2), judgement]))
    assert report.complete
    return db


# ---------------------------------------------------------------------- a full disk
def test_a_full_disk_stops_the_import_keeping_and_reporting_what_was_committed(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", [TASK, *attempts(3000)])
    with Store.open(tmp_path / "s.db", create=True) as store:
        store._conn.execute("PRAGMA max_page_count = 900")  # room for about two batches of 1,000 lines
        report = import_into(store, source)
        stored = store.count_attempts()
    assert report.stopped and not report.complete
    assert 0 < report.imported < 3001 and stored == report.imported - 1  # the task line is one of them
    (error,) = report.errors
    assert error.startswith(f"{source}:{report.imported + 1}: import stopped") and "disk is full" in error
    assert report.imported + report.failed == 3001


def test_the_import_command_on_a_full_disk_is_one_line_per_problem_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "in.jsonl", [TASK, *attempts(3000)])
    opened = Store.open

    def small_disk(path: object, create: bool = False, readonly: bool = False) -> Store:
        store = opened(path, create=create, readonly=readonly)  # type: ignore[arg-type]
        store._conn.execute("PRAGMA max_page_count = 900")
        return store

    monkeypatch.setattr(Store, "open", staticmethod(small_disk))
    assert cli.main(["import", str(tmp_path / "s.db"), str(source), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "disk is full" in err and "import stopped" in err


def test_a_review_save_on_a_full_disk_is_not_saved_and_saves_once_space_returns(tmp_path: Path) -> None:
    db = small_session(tmp_path)
    with Store.open(db) as store:
        review = ReviewSession.open(store, "ben")
        bundle = review.load(review.order[0])
        form = FormState().mark(Label.PASS, False).mark(Label.FAIL, False)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(DiskFull):  # fill the last pages with judgements, so that no judgement fits any more
            for i in range(100_000):
                store.save_judgements([Judgement(f"filler-{i:06}", "a-1", "zed", "syntax", Label.PASS)])
        with pytest.raises(DiskFull, match="disk is full"):
            review.save(form, bundle, "2026-01-01T00:00:00Z")
        assert store.judgements(reviewer="ben") == [] and bundle.attempt_id not in review.judged
        store._conn.execute(f"PRAGMA max_page_count = {pages * 100}")  # space returns
        result = review.save(form, bundle, "2026-01-01T00:00:00Z")
        assert [j.label for j in result.judgements] == [Label.PASS, Label.FAIL]
    with Store.open(db, readonly=True) as store:
        assert [(j.stage, j.label) for j in store.judgements(reviewer="ben")] == [
            ("syntax", Label.PASS),
            ("signatures", Label.FAIL),
        ]


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture
def tiny_tmpfs(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 3 MB tmpfs: a real full disk, where SQLite fails at commit rather than at a page limit."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)):
        pytest.skip("mounting a tmpfs needs root")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_a_real_full_disk_stops_the_import_with_the_committed_lines_kept(tmp_path: Path, tiny_tmpfs: Path) -> None:
    source = write(tmp_path / "in.jsonl", [TASK, *attempts(3000)])
    with Store.open(tiny_tmpfs / "s.db", create=True) as store:
        report = import_into(store, source)
        assert report.stopped and "disk is full" in report.errors[-1]
        assert store.count_attempts() == report.imported - 1 > 0


# ---------------------------------------------------------------------- read-only media and folders
READING_COMMANDS = [
    ["stats", "{db}", "--bootstrap", "0", "--format", "csv"],
    ["stats", "{db}", "--bootstrap", "0", "--format", "markdown"],
    ["export", "{db}", "--what", "attempts"],
    ["export", "{db}", "--what", "judgements", "--format", "csv"],
]


def _run_all(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in READING_COMMANDS:
        assert cli.main([part.format(db=db) for part in command]) == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert out.strip()
    with Store.open(db) as store:  # a command that would write opens it read-only instead of failing
        assert store.readonly and store.count_attempts() == 5


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_session_in_a_read_only_folder_serves_every_reading_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = small_session(tmp_path)
    db.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        _run_all(db, capsys)
    finally:
        tmp_path.chmod(0o755)


def test_a_session_on_read_only_media_serves_every_reading_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "made"
    folder.mkdir()
    small_session(folder)
    media = tmp_path / "media"
    media.mkdir()
    if os.geteuid() != 0 or not _mount("--bind", str(folder), str(media)):
        pytest.skip("a read-only bind mount needs root")
    try:
        assert _mount("-o", "remount,bind,ro", str(media))
        _run_all(media / "s.db", capsys)
    finally:
        subprocess.run(["umount", str(media)], check=True)


# ---------------------------------------------------------------------- damaged sessions and path loops
def damage(kind: str, good: Path, folder: Path) -> Path:
    data = good.read_bytes()
    path = folder / f"{kind}.db"
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif kind == "garbage header":
        path.write_bytes(b"\x8f" * 100 + data[100:])
    elif kind == "damaged schema page":
        path.write_bytes(data[:100] + bytes(range(256)) * 15 + data[100 + 256 * 15 :])
    elif kind == "a folder":
        path.mkdir()
    elif kind == "a symlink loop":
        other = folder / "other.db"
        path.symlink_to(other)
        other.symlink_to(path)
    elif kind == "a dangling symlink":
        path.symlink_to(folder / "nowhere.db")
    return path


COMMANDS = {
    "stats": ["stats", "{db}", "--bootstrap", "0"],
    "export": ["export", "{db}"],
    "merge from it": ["merge", "{other}", "{db}"],
    "merge into it": ["merge", "{db}", "{good}"],
    "review": ["review", "{db}", "--reviewer", "ana"],
    "audit": ["audit", "{db}"],
}


@pytest.mark.parametrize(
    "kind", ["truncated", "garbage header", "damaged schema page", "a folder", "a symlink loop", "a dangling symlink"]
)
def test_a_damaged_session_is_one_line_from_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    made = tmp_path / "made"
    made.mkdir()
    good = small_session(made)
    with Store.open(good) as store:  # a clean close folds the WAL into the file that is damaged below
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = damage(kind, good, tmp_path)
    for name, command in COMMANDS.items():
        argv = [part.format(db=db, good=good, other=tmp_path / "merged.db") for part in command]
        assert cli.main(argv) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("bare-tui: ") and "Traceback" not in err, (name, err)
    assert not (tmp_path / "merged.db").exists()


def test_opening_a_missing_session_through_a_loop_is_a_session_error(tmp_path: Path) -> None:
    (tmp_path / "a.db").symlink_to(tmp_path / "b.db")
    (tmp_path / "b.db").symlink_to(tmp_path / "a.db")
    with pytest.raises(SessionError, match="symbolic links"):
        Store.open(tmp_path / "a.db", create=True)


def test_read_only_media_with_saves_still_in_the_wal_is_refused_not_shown_stale(tmp_path: Path) -> None:
    folder = tmp_path / "made"
    folder.mkdir()
    db = small_session(folder)
    with Store.open(db) as store:
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store._conn.execute("PRAGMA wal_autocheckpoint = 0")
        store.save_judgements([Judgement("j-late", "a-1", "ben", "syntax", Label.FAIL)])
        copy = tmp_path / "copy"
        copy.mkdir()
        for name in ("s.db", "s.db-wal"):  # what a copy taken while a reviewer works looks like
            (copy / name).write_bytes((folder / name).read_bytes())
    media = tmp_path / "media"
    media.mkdir()
    if os.geteuid() != 0 or not _mount("--bind", str(copy), str(media)):
        pytest.skip("a read-only bind mount needs root")
    try:
        assert _mount("-o", "remount,bind,ro", str(media))
        with pytest.raises(SessionError, match="saves still in s.db-wal"):
            Store.open(media / "s.db", readonly=True)
    finally:
        subprocess.run(["umount", str(media)], check=True)


def test_the_screens_open_read_only_on_read_only_media_and_say_a_save_is_not_saved(tmp_path: Path) -> None:
    """The README: read-only media open read-only for the screens too. Review shows READ-ONLY in its header and a
    save says "not saved" instead of failing; audit opens; neither writes, neither ends in a traceback."""
    from .test_hostile_terminal import run_in_terminal

    folder = tmp_path / "made"
    folder.mkdir()
    small_session(folder)
    media = tmp_path / "media"
    media.mkdir()
    if os.geteuid() != 0 or not _mount("--bind", str(folder), str(media)):
        pytest.skip("a read-only bind mount needs root")
    try:
        assert _mount("-o", "remount,bind,ro", str(media))
        review = run_in_terminal(
            ["review", "s.db", "--reviewer", "ben"],
            media,
            steps=[(b"READ-ONLY", "a"), (b"READ-ONLY", "\r"), (b"not saved", "\x11\x11")],
        )
        audit = run_in_terminal(["audit", "s.db", "--auditor", "eve"], media, steps=[(b"audit", "\x11")])
    finally:
        subprocess.run(["umount", str(media)], check=True)
    for received in (review, audit):
        assert b"Traceback" not in received
    assert b"not saved: read-only" in review
    with Store.open(folder / "s.db") as store:
        assert [j.reviewer for j in store.judgements()] == ["ana"]  # nothing of ben's was written
