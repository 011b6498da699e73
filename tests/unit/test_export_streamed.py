"""The big exports (verdicts, attempts, judgements) have each line built by SQLite: byte for byte what the
exporter writes from Python rows (export_from_rows), on random sessions with hostile texts, extra stages, two
verdict sources, rows moved up for polars, chosen columns, and a terminal."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bare_tui.exporter import COLUMNS, FORMATS, STREAMED, export, export_from_rows
from bare_tui.model import Attempt, Evidence, Judgement, Label, Outcome, Task, Verdict
from bare_tui.store import _CSV_SQL, Store, _csv_quoted, _csv_stored_cell, _csv_stored_parts, _csv_value

# What trips a format up: quotes, separators, line breaks, controls, a NUL, bidi and line-separator characters,
# text beyond the BMP, and what a spreadsheet would run as a formula (also behind an apostrophe).
PIECES = (
    "a",
    "x = 1",
    " ",
    '"',
    "'",
    ",",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "é",
    "😀",
    "\\",
    "\\u0041",
    "=",
    "+",
    "-",
    "@",
    "{}",
    "[]",
    "null",
)
STAGES = ("syntax", "signatures", "integrity", "defects", "maintainability", "overall", "tests", "security")
SCORES = (None, None, 0.0, -0.0, -0.4, 0.1 + 0.2, 1e20, 1e-7, 1.0, 2.5e-300, 123456789.123, math.inf, -math.inf)


def hostile(rng: random.Random, nullable: bool = False) -> str | None:
    if nullable and rng.random() < 0.3:
        return None
    if rng.random() < 0.1:
        return ""
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))


def random_session(path: Path, seed: int) -> Path:
    """Tasks and attempts with hostile texts and metadata, verdicts of two sources over the six stages and
    extra ones (scores that SQLite would round), judgements with tags, chains and retractions. Some columns are
    empty for more than 100 rows before a value (JSON Lines moves that row up for polars). One task has no
    attempt (it has no first attempt to list)."""
    rng = random.Random(seed)
    late = rng.randint(101, 180)  # the first row with a value in the columns empty until then
    with Store.open(path, create=True) as store:
        tasks = [
            Task(f"t-{t}", rng.choice(("python", "go", "c")), hostile(rng) or "a.py", hostile(rng) or "", meta)
            for t, meta in enumerate(({}, {"repo": hostile(rng)}, {"é": [1, 2.5, None]}, {}))
        ]
        store.add_tasks([*tasks, Task("t-none", "python", "none.py", "x = 1", {})])
        attempts = []
        for n in range(rng.randint(150, 220)):
            kind = rng.random()
            attempts.append(
                Attempt(
                    f"a-{n}{hostile(rng) if rng.random() < 0.05 else ''}",
                    rng.choice(tasks).task_id,
                    hostile(rng) or "m",
                    hostile(rng) if kind < 0.6 else None,
                    hostile(rng, nullable=True),
                    hostile(rng) if kind > 0.9 else None,
                    {"temperature": 0.2, "note": hostile(rng)} if n == late else {},
                    ("no-code",) if n >= late and rng.random() < 0.2 else (),
                )
            )
        store.add_attempts(attempts)
        verdicts = []
        for n, attempt in enumerate(attempts):
            for source, version in (("bare-tui", "0.3.0+5f2c1a"), ("ext", "ci@2")):
                for stage in rng.sample(STAGES, rng.randint(1, 4)):
                    evidence = tuple(
                        Evidence(rng.choice(("original", "refactored")), rng.randint(1, 9), None, hostile(rng) or "m")
                        for _ in range(rng.choice((0, 0, 1, 2)))
                    )
                    details = (
                        {"thresholds": {"ccn": 10}, "why": hostile(rng)} if n >= late and stage == "defects" else {}
                    )
                    score = rng.choice(SCORES) if n * 8 >= late else None
                    outcome = rng.choice(tuple(Outcome))
                    verdicts.append(
                        Verdict(attempt.attempt_id, stage, outcome, score, evidence, version, source, details)
                    )
        store.save_verdicts(verdicts)
        judgements = []
        for n, attempt in enumerate(attempts[: rng.randint(120, len(attempts))]):
            for reviewer in rng.sample(("ana", "ben", "cy"), rng.randint(1, 2)):
                stage = rng.choice(STAGES)
                first = Judgement(
                    f"j-{n}-{reviewer}",
                    attempt.attempt_id,
                    reviewer,
                    stage,
                    rng.choice(tuple(Label)),
                    rng.choice((None, 1, 2, 3)),
                    hostile(rng) or "",
                    tuple(hostile(rng) or "t" for _ in range(rng.choice((0, 0, 0, 1, 2)))),
                    rng.random() < 0.5,
                    rng.choice((None, "2026-11-21T10:00:00Z")),
                    "2026-11-21T10:00:41Z",
                )
                judgements.append(first)
                if n >= late and rng.random() < 0.3:
                    judgements.append(
                        Judgement(
                            f"j-{n}-{reviewer}-again",
                            attempt.attempt_id,
                            reviewer,
                            stage,
                            Label.FAIL,
                            saved_at="2026-11-21T10:02:00Z",
                            supersedes=first.judgement_id,
                            retracted=rng.random() < 0.5,
                        )
                    )
        for judgement in judgements:
            store.save_judgements([judgement])
    return path


def both(store: Store, what: str, fmt: str, **options: object) -> tuple[str, str]:
    streamed, rows = io.StringIO(), io.StringIO()
    count = export(store, what, fmt, streamed, **options)  # type: ignore[arg-type]  # why: options as given
    assert export_from_rows(store, what, fmt, rows, **options) == count  # type: ignore[arg-type]  # why: the same
    return streamed.getvalue(), rows.getvalue()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", STREAMED)
def test_lines_built_by_sqlite_are_the_bytes_the_rows_write(tmp_path: Path, what: str, fmt: str, seed: int) -> None:
    with Store.open(random_session(tmp_path / "s.db", seed), readonly=True) as store:
        streamed, rows = both(store, what, fmt)
        assert streamed == rows
        assert streamed.count("\n") > 100
        rng = random.Random(seed)
        for _ in range(3):  # chosen columns, in any order, one alone included
            columns = rng.sample(COLUMNS[what], rng.randint(1, 4))
            assert both(store, what, fmt, columns=columns)[0] == both(store, what, fmt, columns=columns)[1]
        if what == "verdicts":
            assert both(store, what, fmt, source="ext") == both(store, what, fmt, source="ext")[::-1]
            assert '"source": "bare-tui"' not in both(store, what, "jsonl", source="ext")[0]
        if fmt == "jsonl":  # on a terminal, controls escaped, line by line
            streamed, rows = both(store, what, fmt, terminal=True)
            assert streamed == rows and "\x1b" not in streamed


def test_a_column_empty_in_the_first_rows_has_its_first_value_moved_up(tmp_path: Path) -> None:
    """The streamed JSON Lines keep polars_friendly's rule: the first row with evidence comes within the first
    100 lines, and the rest keep their order."""
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt(f"a-{n}", "t-1", "m", "x = 2\n") for n in range(300)])
        store.save_verdicts(
            [
                Verdict(
                    f"a-{n}", "syntax", Outcome.FAIL, None, (Evidence("refactored", 1, 1, "x"),) if n == 250 else ()
                )
                for n in range(300)
            ]
        )
        out = io.StringIO()
        assert export(store, "verdicts", "jsonl", out) == 300
    lines = out.getvalue().splitlines()
    assert lines[0].startswith('{"attempt_id": "a-250"') and '"evidence": [{' in lines[0]
    assert [line.split('"')[3] for line in lines[1:4]] == ["a-0", "a-1", "a-2"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_lines_read_outside_a_snapshot_are_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    """Within a transaction the lines ask each task's first attempt of a list read beforehand; outside one they
    ask SQLite row by row (a commit could land between two reads): the same bytes either way."""
    with Store.open(random_session(tmp_path / "s.db", 5), readonly=True) as store:
        alone = b"".join(chunk.data for chunk in store.export_lines("attempts", COLUMNS["attempts"], fmt))
        with store.snapshot():
            within = b"".join(chunk.data for chunk in store.export_lines("attempts", COLUMNS["attempts"], fmt))
    assert alone == within
    if fmt == "jsonl":  # each task's first attempt carries its meta, every other attempt null
        assert within.count(b'"task_meta": {') == 4 and within.count(b'"task_meta": null') == within.count(b"\n") - 4


def test_a_tasks_first_attempt_past_the_first_rows_has_its_task_meta_moved_up(tmp_path: Path) -> None:
    """A task's meta is written on its first attempt only: when every attempt of the first 100 rows belongs to a
    task without meta, the first attempt of a task with meta (row 131) comes first in the JSON Lines, as the
    rows' rule has it, and the rest keep their order."""
    with Store.open(tmp_path / "s.db", create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n"), Task("t-2", "go", "b.go", "y", {"repo": "r"})])
        store.add_attempts(
            [Attempt(f"a-{n}", "t-1" if n < 130 or n % 2 else "t-2", "m", "x = 2\n") for n in range(200)]
        )
    with Store.open(tmp_path / "s.db", readonly=True) as store:
        streamed, rows = both(store, "attempts", "jsonl")
    assert streamed == rows
    lines = streamed.splitlines()
    assert lines[0].startswith('{"attempt_id": "a-130"') and '"task_meta": {"repo": "r"}' in lines[0]
    assert [line.split('"')[3] for line in lines[1:4]] == ["a-0", "a-1", "a-2"]
    assert sum('"task_meta": {' in line for line in lines) == 2  # each task's first attempt, and only those


@pytest.mark.parametrize("what", STREAMED)
def test_the_scan_ahead_stops_where_the_rows_stop_it(
    tmp_path: Path, what: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows held while looking ahead for a first value are bounded by count and by characters of text; the
    lines built by SQLite count both as the rows do, so they stop at the same row."""
    import bare_tui.exporter as exporter

    with Store.open(random_session(tmp_path / "s.db", 7), readonly=True) as store:
        for rows, chars in ((5, 10**9), (10**6, 40), (10**6, 400)):
            monkeypatch.setattr(exporter, "HOIST_SCAN_ROWS", rows)
            monkeypatch.setattr(exporter, "HOIST_SCAN_CHARS", chars)
            streamed, from_rows = both(store, what, "jsonl")
            assert streamed == from_rows


@pytest.mark.parametrize("what", STREAMED)
@pytest.mark.parametrize("bound", ["HOIST_SCAN_ROWS", "HOIST_SCAN_CHARS"])
def test_the_scan_ahead_stops_at_the_same_row_at_its_exact_bound(
    tmp_path: Path, what: str, bound: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streamed export finds the rows to move up with SQLite's help instead of reading each row ahead; at
    the exact bound where the rows path stops before a first value (found by bisection on that path), and one
    either side of it, both write the same bytes."""
    import bare_tui.exporter as exporter

    def from_rows(store: Store, limit: int) -> str:
        monkeypatch.setattr(exporter, bound, limit)
        out = io.StringIO()
        export_from_rows(store, what, "jsonl", out)
        return out.getvalue()

    with Store.open(random_session(tmp_path / "s.db", 8), readonly=True) as store:  # each kind moves rows up
        high = 10**7
        full = from_rows(store, high)
        assert from_rows(store, 0) != full  # rows are moved up, and a bound of 0 stops it
        low = 0
        while low < high:  # the smallest bound that reads as far as the last row moved up
            middle = (low + high) // 2
            low, high = (low, middle) if from_rows(store, middle) == full else (middle + 1, high)
        for limit in (low - 1, low, low + 1):
            monkeypatch.setattr(exporter, bound, limit)
            streamed, rows = both(store, what, "jsonl")
            assert streamed == rows


# Any text, surrogates too (only ensure_ascii's \\u escapes can store them), often built of the pieces above.
CELL_TEXTS = st.lists(st.sampled_from(PIECES) | st.text(st.characters(blacklist_categories=())), max_size=6).map(
    "".join
)


def _reference_cell(stored: bytes) -> bytes | None:
    """The rule's one definition: the cell of the text a stored JSON form holds (None: it raises)."""
    try:
        return _csv_value(json.loads(stored)).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 form
        return None


@settings(max_examples=400, deadline=None)
@given(text=CELL_TEXTS, ensure_ascii=st.booleans())
@example(text="", ensure_ascii=False)
@example(text='"', ensure_ascii=False)
@example(text='a\\"', ensure_ascii=False)  # a backslash then a quote: two escapes side by side
@example(text="'=1", ensure_ascii=False)
@example(text="''", ensure_ascii=False)
@example(text="'\"", ensure_ascii=False)
@example(text='="a"', ensure_ascii=False)
@example(text="\t", ensure_ascii=False)
@example(text="\ra", ensure_ascii=False)
@example(text="a\x00b", ensure_ascii=False)
@example(text="\x00=", ensure_ascii=False)
@example(text="\ud800", ensure_ascii=True)
@example(text='\U0001f600"', ensure_ascii=True)
def test_a_long_texts_cell_is_the_references_bytes(text: str, ensure_ascii: bool) -> None:
    """The attempts export writes a long text's CSV cell from its stored JSON form at orjson's rate, by its own
    route (quotes doubled before decoding, the checks on what it decoded): the bytes _csv_value writes for the
    text, for any text and either JSON form json.dumps writes, or an error where the reference has one."""
    stored = json.dumps(text, ensure_ascii=ensure_ascii)
    try:
        data = stored.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate written as itself: no session can hold it
        return
    expected = _reference_cell(data)
    cell = _csv_stored_cell()
    if expected is None:
        with pytest.raises(ValueError):  # orjson's JSONDecodeError: it reads no lone surrogate
            cell(data)
    else:
        assert cell(data) == expected


@settings(max_examples=300, deadline=None)
@given(
    text=CELL_TEXTS.filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text)), ensure_ascii=st.booleans()
)
@example(text='="a"', ensure_ascii=False)
@example(text="'+", ensure_ascii=False)
@example(text='\u00e9"\x01', ensure_ascii=True)  # \\u escapes: one of a letter, one of a control
@example(text="", ensure_ascii=False)
def test_a_long_texts_cell_is_written_as_its_text_between_its_quotes(text: str, ensure_ascii: bool) -> None:
    """The export writes a long text's cell as three parts, so that the text (a whole file) is never copied again
    to join them: the quote and apostrophe before it, the text as UTF-8 with its quotes doubled, the quote
    after it; together the reference's bytes."""
    head, body, tail = _csv_stored_parts()(json.dumps(text, ensure_ascii=ensure_ascii).encode("utf-8"))
    assert head + body + tail == _reference_cell(json.dumps(text).encode("utf-8"))
    assert body == text.replace('"', '""').encode("utf-8")
    assert head in (b"", b"'", b'"', b"\"'") and tail == (b'"' if head.startswith(b'"') else b"")


@pytest.mark.parametrize("stored", [b"12", b"-0.5", b"null", b"true", b'["=a", 1]', b'{"a": "b,c"}', b' "=x"', b'"a" '])
def test_a_stored_form_that_is_not_a_json_string_gets_the_references_cell(stored: bytes) -> None:
    """A long text's stored form is a JSON string (_stored_text); any other JSON value (a session written by
    hand) is written as the reference writes it."""
    assert _csv_stored_cell()(stored) == _reference_cell(stored)


@pytest.mark.parametrize("stored", [b'"a" "b"', b'"a","b"', b'"\\"', b'"\\x"', b'"\\ud800"', b'"\xc0\xaf"', b'"a\x01"'])
def test_a_stored_form_the_reference_refuses_is_refused(stored: bytes) -> None:
    """A stored form the reference cannot write (text after the string, a bad escape, bad UTF-8, a raw control,
    a lone surrogate) stops the export with a ValueError, as the reference does, instead of writing a cell."""
    with pytest.raises(ValueError):  # a lone surrogate: json.loads reads it, and its cell has no UTF-8 form
        _csv_value(json.loads(stored)).encode("utf-8")
    with pytest.raises(ValueError):
        _csv_stored_cell()(stored)


@pytest.mark.parametrize(
    "columns",
    [["refactored", "response"], ["patch"], ["original", "attempt_id", "patch", "refactored"], ["response", "model"]],
)
def test_long_texts_side_by_side_first_last_or_alone_in_a_csv_record(tmp_path: Path, columns: list[str]) -> None:
    """Each long text's cell takes three places among a record's parts: long texts next to each other, first,
    last or alone give the bytes the rows write, read by this process and by the reader processes."""
    with Store.open(random_session(tmp_path / "s.db", 6), readonly=True) as store:
        streamed, rows = both(store, "attempts", "csv", columns=columns)
        assert streamed == rows and '""' in streamed
        assert _to_file(store, tmp_path / "out", "attempts", "csv", columns=columns) == rows.encode("utf-8")


@pytest.fixture(scope="module")
def interleaved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random session whose tasks' attempts are interleaved (each attempt's task drawn at random)."""
    return random_session(tmp_path_factory.mktemp("interleaved") / "s.db", 9)


@settings(max_examples=25, deadline=None)
@given(columns=st.permutations(COLUMNS["attempts"]).flatmap(lambda every: st.sampled_from(range(1, 13)).map(
    lambda count: every[:count])))  # fmt: skip
@example(columns=["task_id", "language", "path"])
@example(columns=["path", "original", "language", "model", "task_id"])
@example(columns=["original", "task_id"])
def test_the_cells_of_a_tasks_own_columns_are_built_once_per_task_in_any_order(
    interleaved: Path, columns: list[str]
) -> None:
    """An attempts CSV export builds the cells of the task's own columns (task_id, language, path) once per task,
    side by side ones and their commas as one: any choice and order of columns gives the bytes the rows write,
    read whole by this process and in blocks of a few attempts by the reader processes (each block with the
    cells of its own tasks, which other blocks share)."""
    import bare_tui.store as store_module

    ran: list[int | None] = []
    run = store_module._ReaderProcesses.run
    with Store.open(interleaved, readonly=True) as store, pytest.MonkeyPatch.context() as patch:
        streamed, rows = both(store, "attempts", "csv", columns=columns)
        assert streamed == rows
        patch.setattr(store_module, "EXPORT_READERS", 2)
        patch.setattr(store_module, "EXPORT_BLOCK_KEYS", dict.fromkeys(STREAMED, 7))
        patch.setattr(store_module._ReaderProcesses, "run", lambda self, *a: ran.append(run(self, *a)) or ran[-1])
        with tempfile.TemporaryDirectory() as folder:
            assert _to_file(store, Path(folder) / "out", "attempts", "csv", columns=columns) == rows.encode("utf-8")
    assert len(ran) == 1 and isinstance(ran[0], int) and ran[0] > 0  # read by the processes


def test_an_attempts_csv_block_is_read_in_order_with_its_tasks_cells_by_an_index(tmp_path: Path) -> None:
    """The query of a block of the attempts CSV export reads the attempts in order (no sort, which would copy
    whole files) and each attempt's task cells and task by an index, not by a scan a row."""
    from bare_tui.store import _export_query, _line_select

    select, tasks, _, listed = _line_select("attempts", COLUMNS["attempts"], "csv", True)
    assert listed and "t.task_id" in tasks and "t.path" in tasks
    with Store.open(random_session(tmp_path / "s.db", 1), readonly=True) as store:
        for where in ([("a.seq >= ?", [1]), ("a.seq < ?", [257])], []):
            sql, params = _export_query("attempts", select, None, where, leading=["[]"], tasks=tasks)
            plan = [row[3] for row in store._conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert not any("TEMP B-TREE" in step for step in plan), plan
            assert any(step.startswith("SEARCH tc USING AUTOMATIC") for step in plan), plan
            assert "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan


@settings(max_examples=300, deadline=None)
@given(text=st.none() | CELL_TEXTS.filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text)))
@example(text="a\x00,")  # a comma behind a NUL, which GLOB would not reach
@example(text="\x00=")
@example(text=":=")
@example(text="@")
@example(text="A=")
@example(text="0=")
def test_a_short_texts_cell_built_by_sqlite_is_the_references_bytes(text: str | None) -> None:
    """Short text (ids, names, paths) and stored JSON get their cells from SQL (the text kind's rule skips its
    formula test by comparing the first byte): the bytes _csv_value writes for the text, and the stored JSON
    quoted as it is, for any text SQLite can hold."""
    conn = sqlite3.connect(":memory:")
    try:
        for kind, reference in (("text", _csv_value), ("json", lambda v: "" if v is None else _csv_quoted(v))):
            sql = f"SELECT CAST({_CSV_SQL[kind].replace('$c', '?1')} AS BLOB)"
            assert conn.execute(sql, (text,)).fetchone()[0] == reference(text).encode("utf-8"), kind
    finally:
        conn.close()


@pytest.mark.parametrize("what", [*STREAMED, "adjudications", "plans", "disputes"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_binary_stream_gets_the_text_as_utf8(tmp_path: Path, what: str, fmt: str) -> None:
    """`bare-tui export -o FILE` writes SQLite's bytes to a binary file: the same text, encoded as UTF-8."""
    with Store.open(random_session(tmp_path / "s.db", 3), readonly=True) as store:
        text, binary = io.StringIO(), io.BytesIO()
        assert export(store, what, fmt, binary) == export(store, what, fmt, text)
    assert binary.getvalue() == text.getvalue().encode("utf-8")
    assert what in ("adjudications", "plans", "disputes") or "é".encode() in binary.getvalue()


def _modules_after_export(session: Path, what: str) -> set[str]:
    script = (
        "import json, sys\n"
        "from bare_tui.cli import main\n"
        f"assert main(['export', {str(session)!r}, '--what', {what!r}, '-o', {str(session) + '.out'!r}]) == 0\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_exporting_loads_only_what_the_export_needs(tmp_path: Path) -> None:
    """`bare-tui export` starts without numpy, the plans, the queue, the API or CSV (0.2-0.3 s of start-up on
    a 136k-row export that takes about a second), nor a JSON escaper (an attempts export copies its long texts
    as stored); a plans export does load what it needs."""
    session = random_session(tmp_path / "s.db", 1)
    unwanted = {"numpy", "bare_tui.plans", "bare_tui.queue", "bare_tui.api", "csv", "textual", "orjson"}
    judgements = _modules_after_export(session, "judgements")
    assert "bare_tui.exporter" in judgements and judgements.isdisjoint(unwanted)
    attempts = _modules_after_export(session, "attempts")
    assert "bare_tui.exporter" in attempts and attempts.isdisjoint(unwanted)
    assert {"numpy", "bare_tui.plans"} <= _modules_after_export(session, "plans")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_gets_the_same_bytes_by_gathering_writes_even_short_ones(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A regular file takes each chunk's parts in gathering writes (os.writev), after what its buffer holds (the
    CSV header); a write the kernel cuts short has its rest written, in order."""
    import os

    with Store.open(random_session(tmp_path / "s.db", 5), readonly=True) as store:
        expected = io.BytesIO()
        export(store, "attempts", fmt, expected)
        writev = os.writev
        for cut in (None, 7):
            if cut is not None:  # the kernel writes at most `cut` bytes of each gathering write
                monkeypatch.setattr(os, "writev", lambda fd, parts, cut=cut: writev(fd, [b"".join(parts)[:cut]]))
            path = tmp_path / f"out-{cut}.{fmt}"
            with path.open("wb", buffering=1 << 20) as out:
                export(store, "attempts", fmt, out)
            assert path.read_bytes() == expected.getvalue()


def _to_file(store: Store, path: Path, what: str, fmt: str, **options: object) -> bytes:
    with path.open("wb", buffering=1 << 20) as out:
        export(store, what, fmt, out, **options)  # type: ignore[arg-type]  # why: options as given
    return path.read_bytes()


def _rows_text(store: Store, what: str, fmt: str, **options: object) -> bytes:
    rows = io.StringIO()
    export_from_rows(store, what, fmt, rows, **options)  # type: ignore[arg-type]  # why: options as given
    return rows.getvalue().encode("utf-8")


@pytest.mark.parametrize("readers", [2, 3])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", STREAMED)
def test_reader_processes_write_the_same_bytes_in_order(
    tmp_path: Path, what: str, fmt: str, readers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file (or pipe) gets its lines from reader processes taking blocks of the order in turn: the same bytes
    as the rows write, rows moved up and chosen columns included, with blocks small enough that every reader
    writes many, some of them empty or holding a row moved up."""
    import bare_tui.store as store_module

    ran: list[int | None] = []
    run = store_module._ReaderProcesses.run
    monkeypatch.setattr(store_module, "EXPORT_READERS", readers)
    monkeypatch.setattr(store_module, "EXPORT_BLOCK_KEYS", dict.fromkeys(STREAMED, 7))
    monkeypatch.setattr(store_module._ReaderProcesses, "run", lambda self, *a: ran.append(run(self, *a)) or ran[-1])
    with Store.open(random_session(tmp_path / "s.db", 8), readonly=True) as store:
        assert _to_file(store, tmp_path / "out", what, fmt) == _rows_text(store, what, fmt)
        columns = ["attempt_id", COLUMNS[what][-1]]
        assert _to_file(store, tmp_path / "out", what, fmt, columns=columns) == _rows_text(
            store, what, fmt, columns=columns
        )
    assert len(ran) == 2 and all(isinstance(rows, int) and rows > 0 for rows in ran)  # read by the processes


def test_reader_processes_write_to_a_pipe(tmp_path: Path) -> None:
    """`bare-tui export SESSION | ...`: the readers write to the pipe in turn, the same bytes as to a file."""
    session = random_session(tmp_path / "s.db", 2)
    script = (
        "import bare_tui.store as s\n"
        "s.EXPORT_READERS = 2\n"
        "s.EXPORT_BLOCK_KEYS = dict.fromkeys(s.EXPORT_BLOCK_KEYS, 5)\n"
        "from bare_tui.cli import main\n"
        f"raise SystemExit(main(['export', {str(session)!r}, '--what', 'attempts']))\n"
    )
    piped = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    with Store.open(session, readonly=True) as store:
        assert piped.stdout == _rows_text(store, "attempts", "jsonl")


def _read_through_a_pipe(pipe: Path, argv: list[str]) -> bytes:
    """What `bare-tui ARGV` (whose -o names the named pipe `pipe`) writes into it, read as it is written."""
    os.mkfifo(pipe)
    received: list[bytes] = []

    def read() -> None:
        with pipe.open("rb") as reader:  # opens once the command opens the pipe to write
            received.append(reader.read())

    reading = threading.Thread(target=read, daemon=True)  # never waited on past the bound below
    reading.start()
    script = f"from bare_tui.cli import main\nraise SystemExit(main({argv!r}))\n"
    command = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert command.returncode == 0, command.stderr
    reading.join(timeout=10)
    assert stat.S_ISFIFO(pipe.stat().st_mode), "the pipe was replaced by a file"
    assert not pipe.with_name(pipe.name + ".partial").exists()
    assert len(received) == 1, "the command never wrote into the pipe"
    return received[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_an_output_that_is_a_pipe_or_a_device_is_written_as_it_is_not_replaced(tmp_path: Path) -> None:
    """`bare-tui export -o /dev/null` or `-o >(gzip > out.gz)`, and `bare-tui stats -o` alike: the bytes go into
    the device or pipe named, which stays what it was. A file renamed over it (how a regular file is written,
    whole or not at all) replaced /dev/null itself with a file when run as root. A named pipe stands in here."""
    session = random_session(tmp_path / "s.db", 2)
    exported = _read_through_a_pipe(
        tmp_path / "a", ["export", str(session), "--what", "attempts", "-o", str(tmp_path / "a")]
    )
    with Store.open(session, readonly=True) as store:
        assert exported == _rows_text(store, "attempts", "jsonl")
    stats = ["stats", str(session), "--format", "csv", "--bootstrap", "0"]
    reported = _read_through_a_pipe(tmp_path / "r", [*stats, "-o", str(tmp_path / "r")])
    script = f"from bare_tui.cli import main\nraise SystemExit(main({[*stats, '-o', str(tmp_path / 'r.csv')]!r}))\n"
    subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, timeout=120)
    assert reported == (tmp_path / "r.csv").read_bytes() and b"kappa" in reported


def test_readers_that_cannot_be_shown_to_read_the_snapshot_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit that lands while the reader processes begin would have them read a later state than the
    export's snapshot: SQLite's data_version shows it, and the export is read by its own connection alone, so
    it is still the state it began on."""
    import sqlite3

    import bare_tui.store as store_module

    session = random_session(tmp_path / "s.db", 4)
    monkeypatch.setattr(store_module, "EXPORT_READERS", 2)
    monkeypatch.setattr(store_module, "EXPORT_BLOCK_KEYS", dict.fromkeys(STREAMED, 7))
    begin_read = store_module._begin_read
    parent = __import__("os").getpid()

    def begin_after_a_commit(conn: sqlite3.Connection) -> None:
        if __import__("os").getpid() != parent:  # in a reader: another process saves first
            with sqlite3.connect(session, isolation_level=None) as writer:
                writer.execute("UPDATE verdicts SET outcome = 'fail', evidence = '[]' WHERE outcome != 'fail'")
        begin_read(conn)

    monkeypatch.setattr(store_module, "_begin_read", begin_after_a_commit)
    with Store.open(session, readonly=True) as store:
        before = _rows_text(store, "verdicts", "jsonl")
        assert _to_file(store, tmp_path / "out", "verdicts", "jsonl") == before
        assert _rows_text(store, "verdicts", "jsonl") != before  # the commit did land meanwhile


def test_an_error_in_a_reader_process_is_the_exports_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills while a reader process writes its block stops the export with that error, as it would
    stop an export written by one process (the command says "No space left on device"), and no reader is left
    behind waiting for its turn."""
    import errno
    import os

    import bare_tui.exporter as exporter
    import bare_tui.store as store_module

    monkeypatch.setattr(store_module, "EXPORT_READERS", 2)
    monkeypatch.setattr(store_module, "EXPORT_BLOCK_KEYS", dict.fromkeys(STREAMED, 7))
    gather, parent = exporter._gather, os.getpid()

    def fills_up(fd: int, parts: list[bytes]) -> None:
        if os.getpid() != parent and os.fstat(fd).st_size > 20_000:
            raise OSError(errno.ENOSPC, "No space left on device")
        gather(fd, parts)

    monkeypatch.setattr(exporter, "_gather", fills_up)
    with Store.open(random_session(tmp_path / "s.db", 6), readonly=True) as store, pytest.raises(OSError) as raised:
        _to_file(store, tmp_path / "out", "verdicts", "jsonl")
    assert raised.value.errno == errno.ENOSPC
    assert 20_000 < (tmp_path / "out").stat().st_size < len(_rows_text_of(tmp_path / "s.db"))


def _rows_text_of(session: Path) -> bytes:
    with Store.open(session, readonly=True) as store:
        return _rows_text(store, "verdicts", "jsonl")


def test_a_reader_maps_the_session_only_while_it_reads_a_block(tmp_path: Path) -> None:
    """A reader process reads the session's pages through a map (no pread per page) and drops the map after
    each block: what it has read stays in the page cache, not in its resident memory, so a reader of a
    243,732-attempt export holds one block's pages rather than every page it has read (1.2 GB)."""
    import bare_tui.store as store_module

    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("no /proc/self/maps: cannot see the process's maps")
    session = random_session(tmp_path / "s.db", 3)

    def mapped() -> bool:  # the session file itself (its -shm is mapped all along)
        return any(line.endswith(f" {session.resolve()}") for line in maps.read_text().splitlines())

    with Store.open(session, readonly=True) as store:
        conn = store._export_connection()
        try:
            conn.execute(f"PRAGMA mmap_size = {store_module.EXPORT_MAP_BYTES}")
            if not conn.execute("PRAGMA mmap_size").fetchone()[0]:
                pytest.skip("this SQLite maps no file (built with SQLITE_MAX_MMAP_SIZE=0)")
            store_module._begin_read(conn)
            read = conn.execute("SELECT sum(length(refactored)) FROM attempt_texts").fetchone()[0]
            assert read and mapped()  # read through the map
            store_module._unmap(conn)
            assert not mapped()
            again = conn.execute("SELECT sum(length(refactored)) FROM attempt_texts").fetchone()[0]
            assert again == read and mapped()  # mapped again to read on
        finally:
            conn.close()


@pytest.mark.parametrize("what", STREAMED)
def test_each_column_alone_in_a_csv_record_is_the_references(tmp_path: Path, what: str) -> None:
    """A record of one cell: a null one is written quoted (no blank line), whatever the column's kind (text,
    stored JSON, a number, a list, a boolean or a long text)."""
    with Store.open(random_session(tmp_path / "s.db", 5), readonly=True) as store:
        for column in COLUMNS[what]:
            streamed, rows = both(store, what, "csv", columns=[column])
            assert streamed == rows, column
            records = list(csv.reader(io.StringIO(streamed, newline="")))
            assert all(len(record) == 1 for record in records), column  # no blank line: csv.reader gives []
