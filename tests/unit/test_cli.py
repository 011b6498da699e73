"""The `bare-tui` command line: help, exit statuses, and one clear line (never a traceback) on bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bare_tui.cli import COMMANDS, main
from bare_tui.store import Store
from tests.conftest import write_jsonl

TASK = {"task_id": "t-1", "path": "a.py", "original": "x = 1\n"}


def test_help_lists_every_command_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for name in ("import", "verify", "review", "audit", "stats", "export", "merge", "serve"):
        assert f"    {name} " in out
    assert set(COMMANDS) == {"import", "verify", "plan", "review", "audit", "stats", "export", "merge", "serve"}


@pytest.mark.parametrize("command", ["verify", "review", "audit", "stats", "export"])
def test_commands_never_create_a_session(tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "absent.db"
    code = main([command, str(missing)])
    err = capsys.readouterr().err
    assert code != 0 and not missing.exists()
    assert len(err.strip().splitlines()) == 1 and "no such session" in err


@pytest.mark.parametrize("command", ["verify", "review", "audit", "stats", "export"])
def test_a_file_that_is_not_a_session_is_one_line(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    code = main([command, str(other)])
    err = capsys.readouterr().err.strip()
    assert code != 0 and "not a bare-tui session" in err
    assert len(err.splitlines()) == 1


def test_import_exit_status_tells_whether_every_line_went_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [TASK])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"task_id": "t-2", "language": "klingon", "path": "a.k", "original": "x"}) + "\n")
    assert main(["import", str(tmp_path / "s.db"), str(good)]) == 0
    assert "imported 1 (1 task), skipped 0 already present, failed 0" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "s.db"), str(good)]) == 0
    assert "imported 0" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "s.db"), str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"{bad}:1: unknown language 'klingon'" in captured.err and "failed 1" in captured.out


def test_import_of_a_missing_source_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "s.db"), str(tmp_path / "nope.jsonl")]) == 2
    assert capsys.readouterr().err.strip() == f"bare-tui: {tmp_path / 'nope.jsonl'}: no such file or folder"
    assert not (tmp_path / "s.db").exists()


def test_export_to_a_file_and_merge(tmp_path: Path, session: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "attempts.csv"
    assert main(["export", str(session), "--what", "attempts", "--format", "csv", "-o", str(out)]) == 0
    assert out.read_text().splitlines()[0].startswith("attempt_id,task_id,model,language")
    target = tmp_path / "merged.db"
    assert main(["merge", str(target), str(session)]) == 0
    assert main(["merge", str(target), str(session)]) == 0
    assert "0 tasks, 0 attempts" in capsys.readouterr().out.splitlines()[-1]
    with Store.open(target) as store:
        assert store.count_attempts() == 3


def test_merge_refuses_a_source_that_is_not_a_session_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["merge", str(tmp_path / "t.db"), str(tmp_path / "absent.db")]) == 2
    assert not (tmp_path / "t.db").exists()


@pytest.mark.parametrize("module", ["bare_tui", "bare_tui.cli"])
def test_the_installed_command_prints_no_traceback(tmp_path: Path, module: str) -> None:
    # `python -m bare_tui` is the same command line as the entry point, for scripts that pin an interpreter
    result = subprocess.run(
        [sys.executable, "-m", module, "export", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_the_demo_study_ships_inside_the_package_and_an_installed_copy_builds_its_session_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bare_tui.commands import demo

    # the package's own link reaches the study, so a wheel (which copies what the link points at) carries it
    assert (demo.DEMO_SOURCE / "tasks.jsonl").is_file() and (demo.DEMO_SOURCE / "attempts.jsonl").is_file()
    assert demo.demo_session_path(Path("/checkout/sessions/demo")) == Path("/checkout/sessions/demo.db")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    installed = tmp_path / "site-packages" / "bare_tui" / "demo_study"
    assert demo.demo_session_path(installed) == tmp_path / "bare-tui" / "demo.db"
