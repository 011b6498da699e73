"""Long texts (a task's original; an attempt's refactored, response and patch: whole files) are stored in their
JSON form, which an attempts export copies into its lines as it is (schema 8). That form must stay byte for byte
what json.dumps(text, ensure_ascii=False) writes, whoever wrote it: bare-tui on import, or SQLite's json_quote
when an older session migrated. Hostile texts included: controls, a NUL, U+2028, quotes and backslashes, text
beyond the BMP, and invalid UTF-8 as the importer reads it. Lone surrogates: the store cannot hold them."""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bare_tui.exporter import export, export_from_rows
from bare_tui.importer import import_into
from bare_tui.model import Attempt, Task
from bare_tui.store import _MIGRATIONS, Store

from .test_migrations import old_session

HOSTILE = (
    "",
    "\x00",
    "a\x00b",
    "\x01\x08\x0b\x1b[31m\x1f\x7f",
    "\b\f\n\r\t",
    "\u2028\u2029",
    "\x85\u202e\ufeff",
    '"\\',
    "\\u0041 \\n",
    "\ud7ff\ue000\uffff",
    "😀\U0010ffff",
    "caf\ufffd",
    "x = 1\n" * 3,
)
# Any text Python can hand SQLite: every code point but the surrogates (which are not text).
TEXTS = st.text(st.characters(blacklist_categories=("Cs",))) | st.sampled_from(HOSTILE)


def stored_texts(path: Path) -> list[str | None]:
    """The long texts as the session file holds them: originals, then each attempt's three texts."""
    conn = sqlite3.connect(path)
    try:
        originals = [row[0] for row in conn.execute("SELECT original FROM tasks ORDER BY seq")]
        answers = conn.execute(
            "SELECT x.refactored, x.response, x.patch FROM attempts a JOIN attempt_texts x USING (attempt_id)"
            " ORDER BY a.seq"
        ).fetchall()
    finally:
        conn.close()
    return originals + [text for row in answers for text in row]


def dumped(texts: list[str | None]) -> list[str | None]:
    return [None if text is None else json.dumps(text, ensure_ascii=False) for text in texts]


def exports_agree(store: Store) -> list[str]:
    """The attempts export, streamed (long texts copied as stored), equals the one written from Python rows, in
    both formats: its JSON lines."""
    written = {}
    for fmt in ("jsonl", "csv"):
        streamed, rows = io.StringIO(), io.StringIO()
        assert export(store, "attempts", fmt, streamed) == export_from_rows(store, "attempts", fmt, rows)
        assert streamed.getvalue() == rows.getvalue()
        written[fmt] = streamed.getvalue()
    return written["jsonl"].split("\n")[:-1]  # not splitlines: U+2028 and U+0085 stay inside a line


@settings(max_examples=40, deadline=None)
@given(original=TEXTS, refactored=TEXTS, response=st.none() | TEXTS, patch=st.none() | TEXTS)
def test_the_texts_bare_tui_stores_are_what_json_dumps_writes(
    original: str, refactored: str, response: str | None, patch: str | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.db"
        with Store.open(path, create=True) as store:
            store.add_tasks([Task("t", "python", "a.py", original)])
            store.add_attempts([Attempt("a", "t", "m", refactored, response, patch)])
            again = store.add_attempts([Attempt("a", "t", "m", refactored, response, patch)])
            assert (again.inserted, again.unchanged) == (0, 1)  # the same texts are recognised as the same
            assert store.task("t").original == original  # type: ignore[union-attr]  # why: the task exists
            attempt = store.attempt("a")
            assert attempt is not None and (attempt.refactored, attempt.response, attempt.patch) == (
                refactored,
                response,
                patch,
            )
            lines = exports_agree(store)
        assert stored_texts(path) == dumped([original, refactored, response, patch])
    assert json.loads(lines[0])["refactored"] == refactored


def _schema_7_texts(conn: sqlite3.Connection, texts: list[str | None]) -> None:
    """Tables of schema 7's shape for the long texts, holding them raw as schema 7 stored them."""
    conn.execute("CREATE TABLE tasks (task_id TEXT PRIMARY KEY, original TEXT NOT NULL)")
    conn.execute("CREATE TABLE attempt_texts (attempt_id TEXT PRIMARY KEY, refactored TEXT, response TEXT, patch TEXT)")
    for n, text in enumerate(texts):
        conn.execute("INSERT INTO tasks VALUES (?, ?)", (f"t{n}", text if text is not None else ""))
        conn.execute("INSERT INTO attempt_texts VALUES (?, ?, ?, NULL)", (f"a{n}", text, text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | TEXTS, min_size=1, max_size=8))
def test_the_migration_quotes_texts_as_json_dumps_writes_them(texts: list[str | None]) -> None:
    """Step 8 (SQLite's json_quote) writes, for any text, what bare-tui writes on import."""
    conn = sqlite3.connect(":memory:")
    _schema_7_texts(conn, texts)
    for statement in dict(_MIGRATIONS)[8]:
        statement(conn) if callable(statement) else conn.execute(statement)
    originals = [row[0] for row in conn.execute("SELECT original FROM tasks ORDER BY rowid")]
    answers = conn.execute("SELECT refactored, response, patch FROM attempt_texts ORDER BY rowid").fetchall()
    assert originals == dumped([text if text is not None else "" for text in texts])
    assert answers == [(q, q, None) for q in dumped(texts)]


def test_a_schema_7_session_with_hostile_texts_migrates_and_exports_them_unchanged(tmp_path: Path) -> None:
    path = old_session(tmp_path / "v7.db", 7)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    for n, text in enumerate(HOSTILE):
        conn.execute("INSERT INTO tasks VALUES (?, 'python', 'a.py', ?, '{}', ?)", (f"h{n}", text, 10 + n))
        conn.execute(
            "INSERT INTO attempts (attempt_id, task_id, model, seq) VALUES (?, ?, 'm', ?)", (f"h{n}", f"h{n}", 10 + n)
        )
        conn.execute("INSERT INTO attempt_texts VALUES (?, ?, ?, NULL)", (f"h{n}", text, text[::-1]))
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        for n, text in enumerate(HOSTILE):
            attempt = store.attempt(f"h{n}")
            assert attempt is not None and (attempt.refactored, attempt.response) == (text, text[::-1])
            assert store.task(f"h{n}").original == text  # type: ignore[union-attr]  # why: the task exists
        lines = [json.loads(line) for line in exports_agree(store)]
    assert [line["refactored"] for line in lines[2:]] == list(HOSTILE)
    held = stored_texts(path)  # the fixture's own rows quoted too: task t's original, attempt a's answer
    assert (held[0], held[1 + len(HOSTILE)]) == tuple(dumped(["x = 1\n", "x = 2\n"]))


def test_invalid_utf8_imported_is_stored_as_json_dumps_writes_what_the_importer_read(tmp_path: Path) -> None:
    task = {"task_id": "t", "language": "python", "path": "a.py", "original": "s = 'ORIG'\n"}
    attempt = {"attempt_id": "a", "task_id": "t", "model": "m", "refactored": "s = 'CAFE'\x00\u2028\n"}
    source = tmp_path / "in.jsonl"
    lines = json.dumps(task) + "\n" + json.dumps(attempt) + "\n"
    source.write_bytes(lines.encode().replace(b"CAFE", b"caf\xe9\xff").replace(b"ORIG", b"\xc3("))
    with Store.open(tmp_path / "s.db", create=True) as store:
        assert import_into(store, source).complete
        read = store.attempt("a")
        original = store.task("t").original  # type: ignore[union-attr]  # why: the task was imported
        assert read is not None and "\ufffd" in read.refactored and "invalid-utf8" in read.problems  # type: ignore[operator]  # why: imported with an answer
        exported = json.loads(exports_agree(store)[0])
    assert stored_texts(tmp_path / "s.db") == dumped([original, read.refactored, None, None])
    assert exported["refactored"] == read.refactored and exported["original"] == original


def test_a_lone_surrogate_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t", "python", "a.py", "x = 1\n")])
        with pytest.raises(UnicodeEncodeError):
            store.add_attempts([Attempt("a", "t", "m", "x = '\ud800'\n")])
        assert store.attempt("a") is None
