"""Writing a session's records out as JSON Lines or CSV, in the interchange formats of DESIGN.md, and the
analyst's tables (attempt-stages, disputes) from the session's views.

Every export has the same keys on every row (null where there is no value), booleans as JSON true/false (and
`true`/`false` in CSV), and re-imports to the same records. JSON Lines is written so that polars, which
infers each column from the first 100 rows, reads it without options."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO, TypeVar, cast

from .model import PLAN_LINE_KEYS
from .safe_text import json_for_terminal, visible
from .store import ExportChunk, RawJSON, Store

if TYPE_CHECKING:
    from .model import Adjudication, Judgement, Verdict

# csv_rows (CSV) and plans (numpy, for a plan's draw) load when a CSV or plans export needs them: the command
# that exports JSON Lines starts without them.

WHATS = ("attempts", "verdicts", "judgements", "adjudications", "plans", "attempt-stages", "disputes")
FORMATS = ("jsonl", "csv")
VIEWS = {"attempt-stages": "attempt_stages", "disputes": "disputes"}

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Columns are fixed per kind, so an empty export still has its header and optional keys keep a column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "attempts": (
        "attempt_id",
        "task_id",
        "model",
        "language",
        "path",
        "original",
        "task_meta",
        "refactored",
        "response",
        "patch",
        "meta",
        "problems",
    ),
    "verdicts": (
        "attempt_id",
        "stage",
        "outcome",
        "score",
        "evidence",
        "pipeline_version",
        "source",
        "created_at",
        "model",
        "language",
        "details",
    ),
    "judgements": (
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
    ),
    "adjudications": ("adjudication_id", "attempt_id", "stage", "auditor", "label", "reason", "note", "saved_at"),
    "plans": PLAN_LINE_KEYS,
    "attempt-stages": (
        "attempt_id",
        "task_id",
        "model",
        "language",
        "path",
        "stage",
        "outcome",
        "score",
        "source",
        "pipeline_version",
        "labels",
        "reviewers",
        "pass_labels",
        "fail_labels",
        "unsure_labels",
        "people",
        "adjudicated",
        "adjudication_reason",
        "consensus",
        "dispute",
        "disputed_failure",
    ),
    "disputes": (
        "attempt_id",
        "task_id",
        "model",
        "language",
        "path",
        "stage",
        "kind",
        "outcome",
        "labels",
        "people",
        "adjudicated",
        "adjudication_reason",
        "consensus",
        "settled",
        "flagged_by",
    ),
}
# View columns that SQLite holds as 0/1 or JSON text, written as booleans and lists.
_VIEW_BOOLEANS = frozenset({"disputed_failure", "settled"})
_VIEW_JSON = frozenset({"labels", "flagged_by"})

T = TypeVar("T")
STREAMED = ("verdicts", "attempts", "judgements")  # built line by line by SQLite (Store.export_lines)
POLARS_INFERENCE_ROWS = 100  # polars.read_ndjson infers each column's type from this many rows
HOIST_SCAN_ROWS = 50_000  # how far ahead a first value is looked for, at most (rows held in memory meanwhile)
HOIST_SCAN_CHARS = 32 * 1024 * 1024  # and at most this much text held: an attempts export's rows carry whole files


def neutralise_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will show but never run: text that would start a formula gets a leading
    apostrophe, and so does text that already starts with an apostrophe before one, so that the importer's
    taking one off gives back the text. Numbers stay numbers (a negative score is data, not a formula)."""
    if isinstance(value, str) and (
        value.startswith(_FORMULA_STARTS) or (value.startswith("'") and value[1:].startswith(("'", *_FORMULA_STARTS)))
    ):
        return "'" + value
    return value


def attempt_records(store: Store) -> Iterator[dict[str, Any]]:
    """The attempts import format, with `refactored` and `language` resolved. A task's original is written
    once, on its first attempt's row (null on the others), not repeated in every row."""
    tasks = store.tasks()
    written: set[str] = set()
    for attempt in store.iter_attempts():
        task = tasks[attempt.task_id]
        first = attempt.task_id not in written
        written.add(attempt.task_id)
        yield {
            "attempt_id": attempt.attempt_id,
            "task_id": attempt.task_id,
            "model": attempt.model,
            "language": task.language,
            "path": task.path,
            "original": task.original if first else None,
            "task_meta": task.meta if first else None,
            "refactored": attempt.refactored,
            "response": attempt.response,
            "patch": attempt.patch,
            "meta": attempt.meta,
            "problems": list(attempt.problems),
        }


def verdict_record(v: Verdict, model: str | None = None, language: str | None = None) -> dict[str, Any]:
    return {
        "attempt_id": v.attempt_id,
        "stage": v.stage,
        "outcome": v.outcome.value,
        "score": v.score,
        "evidence": [e.to_json() for e in v.evidence],
        "pipeline_version": v.pipeline_version,
        "source": v.source,
        "created_at": v.created_at,
        "model": model,
        "language": language,
        "details": v.details,  # stage-specific facts, e.g. the thresholds a maintainability verdict used
    }


def verdict_records(store: Store, source: str | None = None) -> Iterator[dict[str, Any]]:
    groups = {attempt_id: (model, language) for attempt_id, model, language in store.attempt_groups()}
    for v in store.verdicts(source=source):
        yield verdict_record(v, *groups.get(v.attempt_id, (None, None)))


def judgement_record(j: Judgement) -> dict[str, Any]:
    return {
        "judgement_id": j.judgement_id,
        "attempt_id": j.attempt_id,
        "reviewer": j.reviewer,
        "stage": j.stage,
        "label": j.label.value,
        "confidence": j.confidence,
        "note": j.note,
        "tags": list(j.tags),
        "saw_verdicts": j.saw_verdicts,
        "opened_at": j.opened_at,
        "saved_at": j.saved_at,
        "supersedes": j.supersedes,
        "retracted": j.retracted,  # retracted: an undo withdrawing what it supersedes
    }


def adjudication_record(a: Adjudication) -> dict[str, Any]:
    return {
        "adjudication_id": a.adjudication_id,
        "attempt_id": a.attempt_id,
        "stage": a.stage,
        "auditor": a.auditor,
        "label": a.label.value,
        "reason": a.reason.value,
        "note": a.note,
        "saved_at": a.saved_at,
    }


def view_records(store: Store, what: str, columns: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
    """The rows of the attempt_stages or disputes view, with booleans and lists as such."""
    for row in store.view_rows(VIEWS[what], columns):
        for key in _VIEW_BOOLEANS.intersection(row):
            row[key] = None if row[key] is None else bool(row[key])
        for key in _VIEW_JSON.intersection(row):
            row[key] = json.loads(row[key])
        yield row


def _view_export_rows(store: Store, what: str, columns: list[str] | None) -> Iterator[dict[str, Any]]:
    """view_records for an export: the booleans as such, the JSON lists copied as stored."""
    for row in store.raw_view_rows(VIEWS[what], columns):
        for key in _VIEW_BOOLEANS.intersection(row):
            row[key] = None if row[key] is None else bool(row[key])
        yield row


def records(store: Store, what: str, source: str | None = None) -> Iterable[dict[str, Any]]:
    if what == "attempts":
        return attempt_records(store)
    if what == "verdicts":
        return verdict_records(store, source)
    if what == "judgements":
        return (judgement_record(j) for j in store.judgements(current_only=False))
    if what == "adjudications":
        return (adjudication_record(a) for a in store.adjudications(current_only=False))
    if what == "plans":
        from .plans import plan_lines

        return plan_lines(store)
    if what in VIEWS:
        return view_records(store, what)
    raise ValueError(f"unknown export '{what}' (expected one of {', '.join(WHATS)})")


# Rows that must stay in order among themselves when a row is moved up: a judgement's chain of supersedes,
# and a task's attempts (its original is on the first).
_ORDER_GROUPS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "judgements": lambda row: (row.get("attempt_id"), row.get("reviewer"), row.get("stage")),
    "attempts": lambda row: row.get("task_id"),
}


def _empty(value: Any) -> bool:
    if type(value) is RawJSON:
        return value in ("[]", "{}")
    return value is None or value == [] or value == {}


def polars_friendly(
    rows: Iterable[dict[str, Any]], group: Callable[[dict[str, Any]], Any] | None = None
) -> Iterator[dict[str, Any]]:
    """The rows with, for each column empty in the first 100 rows but not after, its first row with a value
    moved up among them (with the earlier rows of its group, in their order), so that polars infers the
    column's type instead of a null type it then cannot fill. Otherwise the order is kept."""
    source = iter(rows)
    keys: list[str] = []

    def empty(row: dict[str, Any]) -> int:
        if not keys:
            keys.extend(row)  # the columns are the first row's
        return sum(1 << i for i, key in enumerate(keys) if _empty(row.get(key)))

    def chars(row: dict[str, Any]) -> int:
        return sum(len(value) for value in row.values() if isinstance(value, str))

    yield from hoisted(source, empty, chars, group)
    yield from source


def hoisted(
    source: Iterator[T],
    empty: Callable[[T], int],
    chars: Callable[[T], int],
    group: Callable[[T], Any] | None = None,
) -> list[T]:
    """polars_friendly's rule on any rows: the first rows of `source`, as many as the rule reads (it reads no
    further, so the rest follow in their order), in the order to write them. `empty(row)`: bit i set when the
    row's i-th column is null, [] or {}; `chars(row)`: the characters of text it holds (what the scan ahead
    may hold is bounded); `group(row)`: rows that must keep their order among themselves."""
    window, moved = _hoist(source, empty, chars, group)
    taken = set(moved)
    return [window[i] for i in moved] + [row for i, row in enumerate(window) if i not in taken]


def _hoist(
    source: Iterator[T],
    empty: Callable[[T], int],
    chars: Callable[[T], int],
    group: Callable[[T], Any] | None = None,
) -> tuple[list[T], list[int]]:
    """hoisted's reading: the rows it read, and the places among them of the rows to move up, in order."""
    head = list(islice(source, POLARS_INFERENCE_ROWS))
    if not head:
        return [], []
    wanted = -1
    for first in head:
        wanted &= empty(first)
    ahead: list[T] = []
    chosen: list[int] = []  # positions in head + ahead to move up
    held = 0
    while wanted and len(ahead) < HOIST_SCAN_ROWS and held < HOIST_SCAN_CHARS:
        found_row = next(source, None)
        if found_row is None:
            break
        row = found_row
        ahead.append(row)
        held += chars(row)
        found = wanted & ~empty(row)
        if found:
            wanted &= ~found
            chosen.append(len(head) + len(ahead) - 1)
    window = head + ahead
    moved: set[int] = set()
    for at in chosen:
        moved.add(at)
        if group is not None:
            key = group(window[at])
            moved.update(i for i in range(at) if group(window[i]) == key)
    return window, sorted(moved)


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO, terminal: bool = False) -> int:
    """One JSON object a line. For a terminal, characters it would act on are written as \\u escapes (the
    same data once decoded)."""
    count = 0
    keys: dict[str, str] = {}
    for row in rows:
        text = (
            "{"
            + ", ".join(f"{keys.get(k) or keys.setdefault(k, _encode(k))}: {_encode(v)}" for k, v in row.items())
            + "}"
        )
        out.write((json_for_terminal(text) if terminal else text) + "\n")
        count += 1
    return count


def _encode(value: Any) -> str:
    """One value as json.dumps(ensure_ascii=False) writes it; stored JSON (RawJSON) copied as it is."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is RawJSON:
        return value
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def _cell(value: Any) -> Any:
    if type(value) is RawJSON:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return neutralise_cell(value)


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, columns: Sequence[str], terminal: bool = False) -> int:
    """CSV with a fixed header; booleans as true/false; lists and objects as JSON text; null an empty cell and
    empty text a quoted empty cell (""); formulas neutralised.
    For a terminal, control and invisible characters in cells are shown as visible stand-ins, never sent raw."""
    from .formats.csv_rows import csv_record

    out.write(csv_record(columns))
    count = 0
    for row in rows:
        cells = [_cell(row.get(key)) for key in columns]
        if terminal:
            cells = [visible(value) if isinstance(value, str) else value for value in cells]
        out.write(csv_record(cells))
        count += 1
    return count


def chosen_columns(what: str, columns: Sequence[str] | None) -> tuple[str, ...]:
    """The columns asked for with --columns, in the order asked, or all of the kind's."""
    known = COLUMNS[what]
    if not columns:
        return known
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)} for --what {what} (choose from {', '.join(known)})")
    return tuple(dict.fromkeys(columns))


def export(
    store: Store,
    what: str,
    fmt: str,
    out: TextIO | BinaryIO,
    source: str | None = None,
    columns: Sequence[str] | None = None,
    terminal: bool = False,
) -> int:
    """Write one kind of record, with all its columns or those asked; returns how many rows were written.
    `out`: a text stream, or a binary one that takes UTF-8 (the big kinds then write SQLite's bytes as they
    are); `terminal`: out is a terminal. The big kinds (verdicts, attempts, judgements) have each line built by
    SQLite; the same bytes as export_from_rows writes."""
    if what not in COLUMNS:
        raise ValueError(f"unknown export '{what}' (expected one of {', '.join(WHATS)})")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})")
    if what in STREAMED and not (terminal and fmt == "csv"):  # a terminal's CSV shows each cell's controls
        return _export_streamed(store, what, fmt, _Sink(out, terminal), source, chosen_columns(what, columns))
    if isinstance(out, io.TextIOBase):
        return export_from_rows(store, what, fmt, cast(TextIO, out), source, columns, terminal)
    text = io.TextIOWrapper(cast(io.BufferedWriter, out), encoding="utf-8", newline="", write_through=True)
    try:
        return export_from_rows(store, what, fmt, text, source, columns, terminal)
    finally:
        text.detach()  # out stays open: it is the caller's


def export_from_rows(
    store: Store,
    what: str,
    fmt: str,
    out: TextIO,
    source: str | None = None,
    columns: Sequence[str] | None = None,
    terminal: bool = False,
) -> int:
    """export() with every row a Python dict, written by write_jsonl or write_csv: the small kinds, and the
    rules the streamed kinds' SQL follows byte for byte."""
    keep = chosen_columns(what, columns)
    rows: Iterable[dict[str, Any]]
    if what in ("verdicts", "attempts"):
        rows = store.export_rows(what, source)  # streamed, stored JSON copied rather than decoded
    elif what in VIEWS:
        rows = _view_export_rows(store, what, list(keep) if columns else None)
    else:
        rows = records(store, what, source)
    if columns:
        rows = ({key: row.get(key) for key in keep} for row in rows)
    if fmt == "jsonl":
        return write_jsonl(polars_friendly(rows, _ORDER_GROUPS.get(what)), out, terminal)
    return write_csv(rows, out, keep, terminal)


# The columns of a streamed export's order groups (_ORDER_GROUPS), in the same order.
_GROUP_COLUMNS: dict[str, tuple[str, ...]] = {
    "judgements": ("attempt_id", "reviewer", "stage"),
    "attempts": ("task_id",),
}


class _Sink:
    """Where a streamed export's UTF-8 chunks go: a binary stream as they are; a text stream decoded; a
    terminal with each JSON line's unsafe characters escaped (json_for_terminal)."""

    def __init__(self, out: TextIO | BinaryIO, terminal: bool) -> None:
        self.terminal = terminal
        self.write: Callable[[bytes], object]
        self.out = out
        self.fd: int | None = None  # a regular file's: chunks go to it by gathering writes
        self.shared: int | None = None  # a file's or pipe's, which other processes may write to in turn
        if isinstance(out, io.TextIOBase):
            text = cast(TextIO, out)
            self.write = lambda data: text.write(data.decode("utf-8"))
        else:
            self.write = cast(BinaryIO, out).write
            with contextlib.suppress(OSError, ValueError, AttributeError):  # BytesIO and the like: no descriptor
                fd = out.fileno()
                mode = os.fstat(fd).st_mode
                if stat.S_ISREG(mode):
                    self.fd = fd
                if not terminal and (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                    self.shared = fd

    def text(self, text: str) -> None:
        self.write(text.encode("utf-8"))

    def chunk(self, chunk: ExportChunk) -> int:
        if self.terminal:  # JSON Lines only: a line holds no raw line break, so the text splits into its lines
            lines = chunk.data.decode("utf-8").split("\n")
            self.text("\n".join(json_for_terminal(line) for line in lines))
        elif self.fd is not None:
            self.out.flush()  # what the stream holds goes first
            _gather(self.fd, chunk.parts)
        else:
            self.write(chunk.data)
        return chunk.rows


_IOV_MAX = 1024  # the parts one os.writev takes at most (POSIX's minimum for IOV_MAX; Linux's own)

# Measured and not adopted: writing with O_DIRECT (aligned buffers, the page cache bypassed). On the 2-core VM of the
# benches, 1.7 GB written from a reused 2 MB buffer took 2.2-13.0 s buffered (nearly all of it system time: the
# kernel filling new page-cache pages, which this VM backs again on first touch) and 1.1-1.3 s direct (0.1 s of
# system time; dd the same: 3.7-9.5 s against 1.3 s). But a buffered write returns once the page cache has the
# data, where a direct one waits for the disk: on a laptop's SATA SSD (0.5 GB/s) the 1.74 GB attempts CSV would
# become disk-bound at 3.5 s. And the cost it removes is not what holds the CSV export back: piped to dd (no file
# written) it still took 4.5-5.7 s where JSON Lines took 3.5-4.1, the difference being the texts' decoding.


def _gather(fd: int, parts: Sequence[bytes]) -> None:
    """Write the parts in order to a file descriptor, by gathering writes: the kernel copies each part once,
    where joining them first would copy an attempts export's 1.8 GB once more. A short write's rest is
    written whole."""
    for start in range(0, len(parts), _IOV_MAX):
        some = parts[start : start + _IOV_MAX]
        written = os.writev(fd, some)
        if written < sum(map(len, some)):
            rest = memoryview(b"".join(some))[written:]
            while rest:
                rest = rest[os.write(fd, rest) :]


def _export_streamed(store: Store, what: str, fmt: str, sink: _Sink, source: str | None, keep: Sequence[str]) -> int:
    """A verdicts, attempts or judgements export with its lines built by SQLite (Store.export_lines): Python
    only writes bytes, so memory stays flat and the rate is SQLite's. The same bytes as write_jsonl and
    write_csv write from the rows. JSON Lines first finds the rows hoisted would move up (_moved_keys); those
    are written first, read by their keys, then the rest in order: to a file or pipe by reader processes taking
    turns (Store.export_to: both cores), else by this process; all of it one state of the session."""
    count = 0
    moved: list[int] = []
    with store.snapshot(parallel=sink.shared is not None):
        if fmt == "csv":
            from .formats.csv_rows import csv_record

            sink.text(csv_record(keep))
        else:
            moved = _moved_keys(store, what, keep, source)
            if moved:
                for chunk in store.export_lines(what, keep, fmt, source, keys=moved):
                    count += sink.chunk(chunk)
        rest = None
        if sink.shared is not None:
            sink.out.flush()  # what the stream holds goes first
            fd = sink.shared
            rest = store.export_to(what, keep, fmt, source, moved, lambda chunk: _gather(fd, chunk.parts))
        if rest is None:
            for chunk in store.export_lines(what, keep, fmt, source, skip=moved):
                count += sink.chunk(chunk)
        else:
            count += rest
    return count


def _moved_keys(store: Store, what: str, keep: Sequence[str], source: str | None) -> list[int]:
    """The order keys of the rows _hoist moves up in a JSON Lines export, in their order, found as _hoist finds
    them but with SQLite answering: the first 100 rows read (Store.export_marks), then for each column empty in
    all of them the first row where it is not (Store.export_first_keys), taken while the rows read ahead up to
    it stay within HOIST_SCAN_ROWS and HOIST_SCAN_CHARS (Store.export_span), with the rows before it in its
    order group (Store.export_group_keys). No row ahead becomes a Python object."""
    group = _GROUP_COLUMNS.get(what, ())
    head = store.export_marks(what, keep, source, POLARS_INFERENCE_ROWS)
    if len(head) < POLARS_INFERENCE_ROWS:
        return []  # no row after these: _hoist reads none ahead
    wanted = -1
    for mark in head:
        wanted &= mark.empty
    if not wanted:
        return []
    chosen: list[int] = []
    rows = chars = 0  # of the rows read ahead so far
    after = head[-1].key
    for key in store.export_first_keys(what, keep, source, after, wanted, HOIST_SCAN_ROWS):
        span = store.export_span(what, keep, source, after, key, HOIST_SCAN_ROWS - rows)
        if span.last is None or chars + span.chars - span.last >= HOIST_SCAN_CHARS:
            break  # _hoist stops reading before this row
        chosen.append(key)
        rows, chars, after = rows + span.rows, chars + span.chars, key
    moved = set(chosen)
    if group:
        for key in chosen:
            moved.update(store.export_group_keys(what, keep, source, group, key))
    return sorted(moved)


def export_text(store: Store, what: str, fmt: str, columns: Sequence[str] | None = None) -> str:
    buffer = io.StringIO()
    export(store, what, fmt, buffer, columns=columns)
    return buffer.getvalue()
