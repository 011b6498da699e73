"""Fuzzing the import formats and the session paths: for every input, no traceback, every bad line reported as
FILE:LINE with a reason, every good line imported, and nothing overwritten by a line that was not imported."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bare_tui import cli
from bare_tui.importer import import_into
from bare_tui.store import SessionError, Store

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

TASK = {"task_id": "t-1", "language": "python", "path": "a.py", "original": "def f(x):\n    return x\n"}

# Text a model or a reviewer might send: any character but lone surrogates (JSON text cannot carry them
# unescaped; the escaped ones are among the hostile lines below).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20).filter(lambda s: s.strip() != "")


@dataclass(frozen=True)
class Line:
    text: str | bytes
    kind: str  # "good", "bad", "conflict" (good shape, other content), "same" (an exact repeat)
    key: str = ""
    model: str = ""


def good_attempt(index: int, model: str, answer: str) -> Line:
    record = {
        "attempt_id": f"a-{index}",
        "task_id": "t-1",
        "model": model,
        "refactored": answer + "\n",
        "verdicts": {
            "syntax": {
                "outcome": "fail",
                "score": 0.5,
                "evidence": [{"side": "refactored", "line": 1, "column": 0, "message": answer}],
            }
        },
    }
    return Line(json.dumps(record, ensure_ascii=index % 2 == 0), "good", f"a-{index}", model)


def hostile_json(index: int) -> st.SearchStrategy[str]:
    """Lines that are JSON, or nearly, and must be refused: each is an attempt that would be new if it were good."""
    base = {"attempt_id": f"bad-{index}", "task_id": "t-1", "model": "m", "refactored": "x\n"}
    dumped = json.dumps(base)
    return st.sampled_from(
        [
            dumped.replace('"m"', '"\\ud800"'),
            dumped.replace('"x\\n"', '"x\\udfff"'),
            dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "score": NaN}}}',
            dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "score": 1e999}}}',
            dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "score": ' + "9" * 4400 + "}}}",
            dumped[:-1] + ', "meta": ' + "[" * 5000 + "]" * 5000 + "}",
            dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "fail", "evidence": [{"side": "middle"}]}}}',
            dumped[:-1] + ', "verdicts": {"syntax": {"outcome": "maybe"}}}',
            dumped.replace('"t-1"', '"t-missing"'),
            dumped.replace('"attempt_id"', '"attempt"'),
            dumped[: len(dumped) // 2],
            dumped + "}",
            json.dumps({**base, "model": 7}),
            json.dumps({**base, "meta": "not an object"}),
            json.dumps([base]),
        ]
    )


@st.composite
def import_files(draw: st.DrawFn) -> list[Line]:
    lines: list[Line] = [Line(json.dumps(TASK), "good", "t-1")]
    goods: list[Line] = []
    for index in range(draw(st.integers(1, 25))):
        choice = draw(st.sampled_from(["good", "good", "good", "hostile", "bytes", "conflict", "same"]))
        if choice == "good" or (choice in ("conflict", "same") and not goods):
            line = good_attempt(index, draw(names), draw(any_text))
            goods.append(line)
        elif choice == "hostile":
            line = Line(draw(hostile_json(index)), "bad")
        elif choice == "bytes":
            raw = draw(st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b and b.strip() != b""))
            line = Line(raw, "bad")
        elif choice == "conflict":
            target = draw(st.sampled_from(goods))
            record = json.loads(target.text)
            record["model"] = target.model + "-changed"
            line = Line(json.dumps(record), "conflict", target.key)
        else:
            line = Line(draw(st.sampled_from(goods)).text, "same")
        lines.append(line)
    return lines


@FUZZ
@given(import_files())
def test_fuzzed_import_files(lines: list[Line]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.jsonl"
        source.write_bytes(b"".join((t.encode() if isinstance(t, str) else t) + b"\n" for t in (x.text for x in lines)))
        with Store.open(Path(folder) / "s.db", create=True) as store:
            report = import_into(store, source)  # no exception, whatever the lines
            stored = {a.attempt_id: a.model for a in store.attempts()}
        reported = {int(e.split(": ", 1)[0].rsplit(":", 1)[1]) for e in report.errors}
        assert all(e.startswith(f"{source}:") and len(e.split(": ", 1)[1]) > 5 for e in report.errors)
        expected = {n for n, line in enumerate(lines, start=1) if line.kind in ("bad", "conflict")}
        assert reported == expected and len(report.errors) == len(expected)
        goods = [line for line in lines if line.kind == "good"]
        assert report.imported == len(goods) and report.unchanged == sum(line.kind == "same" for line in lines)
        assert stored == {line.key: line.model for line in goods if line.key != "t-1"}  # no conflict overwrote one


@FUZZ
@given(first=import_files(), second=import_files())
def test_fuzzed_reimport_never_overwrites(first: list[Line], second: list[Line]) -> None:
    """A second file with the same ids: what it reports as present is what was stored, unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "s.db"
        for number, lines in enumerate((first, second)):
            source = Path(folder) / f"in{number}.jsonl"
            source.write_bytes(
                b"".join((x.text.encode() if isinstance(x.text, str) else x.text) + b"\n" for x in lines)
            )
            with Store.open(db, create=True) as store:
                before = {a.attempt_id: a for a in store.attempts()}
                import_into(store, source)
                after = {a.attempt_id: a for a in store.attempts()}
                verdicts_before = len(before)
            assert all(after[key] == attempt for key, attempt in before.items()), "a stored attempt changed"
            assert len(after) >= verdicts_before


@st.composite
def session_files(draw: st.DrawFn) -> tuple[str, bytes]:
    kinds = [
        "bytes",
        "sqlite header then bytes",
        "a session cut short",
        "a session with a page scrambled",
        "folder",
        "loop",
        "dangling",
        "fifo",
    ]
    kind = draw(st.sampled_from(kinds))
    return kind, draw(st.binary(max_size=5000))


def _good_session(path: Path) -> bytes:
    with Store.open(path, create=True) as store:
        store._conn.execute("PRAGMA journal_mode = DELETE")  # one file to damage, no WAL beside it
        source = path.with_suffix(".jsonl")
        source.write_text(json.dumps(TASK) + "\n" + good_attempt(1, "m", "y = 2").text + "\n")
        import_into(store, source)
    return path.read_bytes()


@FUZZ
@given(session_files(), st.integers(0, 1 << 30))
# Found by this fuzz: the attempt's model scrambled to NUL in its table, not in its index, so that the statistics'
# names (read along the index) lacked the tallies' (read from the table): a KeyError, not a damaged session.
@example(case=("a session with a page scrambled", b"\x00"), where=16378)
def test_fuzzed_session_paths_are_one_line_never_a_traceback(case: tuple[str, bytes], where: int) -> None:
    kind, noise = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.db"
        good = _good_session(Path(folder) / "good.db")
        if kind == "bytes":
            path.write_bytes(noise)
        elif kind == "sqlite header then bytes":
            path.write_bytes(good[:100] + noise)
        elif kind == "a session cut short":
            path.write_bytes(good[: where % len(good)])
        elif kind == "a session with a page scrambled":
            at = where % len(good)
            path.write_bytes(good[:at] + noise + good[at + len(noise) :])
        elif kind == "folder":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to(Path(folder) / "t.db")
            (Path(folder) / "t.db").symlink_to(path)
        elif kind == "dangling":
            path.symlink_to(Path(folder) / "nowhere.db")
        else:
            os.mkfifo(path)
        try:
            Store.open(path, readonly=True).close()
        except SessionError as exc:
            assert "\n" not in str(exc)
        for argv in (
            ["stats", str(path), "--bootstrap", "0", "--format", "json"],
            ["export", str(path)],
            ["merge", str(Path(folder) / "m.db"), str(path)],
        ):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr("sys.stdout", open(os.devnull, "w"))  # noqa: SIM115 (closed with the process)
                assert cli.main(argv) in (0, 2)


def test_a_schema_name_scrambled_past_utf_8_is_a_damaged_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the fuzz above: a byte of a schema object's name turned into invalid UTF-8 makes SQLite's own
    error message undecodable, and every command that opened the session died with a UnicodeDecodeError."""
    good = _good_session(tmp_path / "good.db")
    at = good.find(b"CREATE TABLE")
    bad = tmp_path / "bad.db"
    for back in range(1, 80):  # the record header and names just before the first table's SQL
        damaged = bytearray(good)
        damaged[at - back] = 0xFF
        bad.write_bytes(bytes(damaged))
        try:
            sqlite3.connect(bad).execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except UnicodeDecodeError:
            break
        except sqlite3.Error:
            continue
    else:
        pytest.skip("no byte of this SQLite's schema record makes its error message undecodable")
    for argv in (["export", str(bad)], ["stats", str(bad)], ["merge", str(tmp_path / "m.db"), str(bad)]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert "the session file is damaged" in err and err.count("\n") == 1


@st.composite
def layouts(draw: st.DrawFn) -> list[tuple[str, str, int, bytes]]:
    """(model or "", task id, how many files, content) per folder: tasks/<id>/ when model is "", else
    attempts/<model>/<id>/; -1 files means a symbolic link in place of the file."""
    folders = []
    for index in range(draw(st.integers(1, 8))):
        model = draw(st.sampled_from(["", "", "m1", "m2"]))
        folders.append((model, f"t-{index}", draw(st.sampled_from([1, 1, 1, 0, 2, -1])), draw(st.binary(max_size=200))))
    return folders


@FUZZ
@given(layouts())
def test_fuzzed_folder_layouts(folders: list[tuple[str, str, int, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name) / "study"
        outside = Path(name) / "outside.py"
        outside.write_text("secret = 1\n")
        expected_bad, good_tasks = set(), set()
        for model, task_id, files, content in folders:
            folder = root / ("tasks" if not model else f"attempts/{model}") / task_id
            folder.mkdir(parents=True, exist_ok=True)
            if files == -1:
                (folder / "a.py").symlink_to(outside)
            for number in range(max(files, 0)):
                (folder / f"f{number}.py").write_bytes(content)
            if files != 1:
                expected_bad.add(str(folder))
            elif not model:
                good_tasks.add(task_id)
        (root / "tasks").mkdir(parents=True, exist_ok=True)
        with Store.open(Path(name) / "s.db", create=True) as store:
            report = import_into(store, root)
            stored = set(store.tasks())
        assert stored == good_tasks
        for folder in expected_bad:
            assert any(e.startswith(folder) for e in report.errors), folder
