"""CSV files and bare-tui's own verdict rows, read back into interchange lines.

A CSV's header says what its rows are: verdicts (attempt_id, stage, outcome[, score, evidence, message,
pipeline_version, source, created_at]) from bare-tui or any other pipeline, or any of bare-tui's CSV exports
(attempts, judgements, adjudications, plans). Cells are typed by their column, the way the exporter wrote
them: lists and objects as JSON, booleans as true/false, an empty cell as null and a quoted empty cell ("")
as empty text (PostgreSQL's and polars' rule: an answer that deletes everything is not a missing answer),
and the apostrophe the exporter puts before a would-be formula taken off again. Verdict rows (CSV, or the
JSON Lines verdicts export) become verdict-only lines, one per attempt and run, so a pipeline's verdicts join
attempts already in the session."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import Context, FormatError, json_lines, source_line

if TYPE_CHECKING:
    from ..importer import SourceLine

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_BYTES = 4 * 1024 * 1024  # an original or answer, JSON-escaped, fits

csv.field_size_limit(MAX_CELL_BYTES)

TRUE_WORDS = {"true", "1", "yes", "t", "y"}
FALSE_WORDS = {"false", "0", "no", "f", "n"}
OUTCOME_WORDS = {
    "passed": "pass",
    "success": "pass",
    "ok": "pass",
    "failed": "fail",
    "failure": "fail",
    "errored": "error",
    "skip": "skipped",
}


class CellError(ValueError):
    """A cell that cannot be read as its column's type."""


def unneutralise(text: str) -> str:
    """Take off the apostrophe the exporter put before a cell that would start a formula."""
    if text.startswith("'") and text[1:].startswith(("'", *FORMULA_STARTS)):
        return text[1:]
    return text


def _json(text: str) -> Any:
    from ..importer import LineError, parse_json_line  # as strict as a JSON line

    try:
        return parse_json_line(text)
    except LineError as exc:
        raise CellError(f"is not valid JSON: {exc}") from None


def _bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("is not true or false")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CellError("is not a number") from None


def _integer(text: str) -> int:
    try:
        return int(float(text)) if float(text).is_integer() else int(text)
    except ValueError:
        raise CellError("is not a whole number") from None


# column -> how its cell is read; text columns are not listed. An empty cell of a listed column is null.
CONVERTERS: dict[str, Callable[[str], Any]] = {
    "score": _number,
    "confidence": _integer,
    "position": _integer,
    "inclusion_probability": _number,
    "saw_verdicts": _bool,
    "retracted": _bool,
    "gold": _bool,
    "evidence": _json,
    "tags": _json,
    "meta": _json,
    "problems": _json,
    "reviewers": _json,
    "details": _json,
    "task_meta": _json,
}
# text columns whose empty cell means null rather than ""
NULLABLE_TEXT = {
    "original",
    "opened_at",
    "saved_at",
    "supersedes",
    "refactored",
    "response",
    "patch",
    "created_at",
    "pipeline_version",
    "source",
    "model",
    "language",
    "path",
    "task_id",
}
# columns that are always lists/objects; an empty cell is an empty one
EMPTY_COLLECTIONS: dict[str, Any] = {
    "evidence": [],
    "tags": [],
    "meta": {},
    "problems": [],
    "reviewers": [],
    "details": {},
}


def typed_row(row: dict[str, str], empty_text: Iterable[str] = ()) -> dict[str, Any]:
    """A CSV row with each cell read as its column's type; `empty_text`: the columns whose cell was a quoted
    empty cell (""), which stay empty text where an unquoted empty cell is null."""
    typed: dict[str, Any] = {}
    quoted_empty = frozenset(empty_text)
    for column, cell in row.items():
        if column is None:
            continue
        text = unneutralise(cell or "")
        if column in CONVERTERS:
            if text == "":
                typed[column] = EMPTY_COLLECTIONS.get(column)
                continue
            try:
                typed[column] = CONVERTERS[column](text)
            except CellError as exc:
                raise CellError(f"column '{column}' {exc} ({text[:40]!r})") from None
        elif column in NULLABLE_TEXT and text == "" and column not in quoted_empty:
            typed[column] = None
        else:
            typed[column] = text
    return typed


# ---------------------------------------------------------------------- null and empty text, apart
# Python's csv module (3.11) writes None and "" alike and reads both back as "". bare-tui's CSV keeps them
# apart the way PostgreSQL's COPY and polars do: null is an empty cell, empty text a quoted one ("").


def csv_record(cells: Sequence[object], delimiter: str = ",") -> str:
    """One CSV record as the csv module's minimal quoting writes it (\\r\\n at the end), except that None is
    an empty cell and empty text a quoted empty cell. A record of one null cell is quoted as the csv module
    writes it: an empty line would be read as a blank line, and the row lost."""
    if len(cells) == 1 and cells[0] is None:
        return '""\r\n'
    out = []
    for cell in cells:
        if cell is None:
            out.append("")
            continue
        text = cell if isinstance(cell, str) else str(cell)
        if text == "" or '"' in text or delimiter in text or "\r" in text or "\n" in text:
            out.append('"' + text.replace('"', '""') + '"')
        else:
            out.append(text)
    return delimiter.join(out) + "\r\n"


# a quoted cell up to its closing quote (doubled quotes inside), or an unquoted one up to the next separator
_CELLS = {delimiter: re.compile(f'("[^"]*(?:""[^"]*)*")|[^{delimiter}\r\n]*') for delimiter in (",", "\t")}


def quoted_empty_cells(record: str, delimiter: str = ",") -> list[int]:
    """The positions of the quoted empty cells ("") of one record's raw text, which the csv module reads as
    it reads an empty cell. Each cell is matched once, a quoted one up to its closing quote, so the scan is
    linear in the record."""
    pattern = _CELLS[delimiter]
    found: list[int] = []
    position, index = 0, 0
    while (match := pattern.match(record, position)) is not None:  # the unquoted branch matches "" too
        if match.group(1) == '""':
            found.append(index)
        position = match.end()
        if not record.startswith(delimiter, position):
            break
        position += 1
        index += 1
    return found


class _Recorded:
    """The lines a csv reader takes from a file, kept until the record they make is read, so that the
    record's raw text can be looked at again (for its quoted empty cells)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.taken: list[str] = []

    def __iter__(self) -> _Recorded:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line

    def record(self) -> str:
        text = "".join(self.taken)
        self.taken.clear()
        return text


def read_csv(path: Path, context: Context) -> Iterator[SourceLine]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        lines = _Recorded(handle)
        reader = csv.reader(lines, delimiter=delimiter)
        header = [name.strip() for name in next(reader, [])]
        lines.record()
        kind = _csv_kind(path, header)
        rows: list[tuple[int, dict[str, Any]]] = []
        while True:
            try:
                cells = next(reader, None)
            except csv.Error as exc:
                if not lines.record():  # nothing more was read: the end of the file
                    break
                context.report.fail(f"{path}:{reader.line_num}", f"not a CSV row ({exc})")
                continue
            raw = lines.record()
            if cells is None:
                break
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
            quoted = quoted_empty_cells(raw, delimiter) if "" in cells else []
            try:
                rows.append((number, typed_row(row, [header[i] for i in quoted if i < len(header)])))
            except CellError as exc:
                context.report.fail(f"{path}:{number}", str(exc))
    if kind == "verdicts":
        yield from verdict_lines(path, rows, context)
        return
    for number, data in rows:
        yield source_line(path, number, data)


def _csv_kind(path: Path, header: list[str]) -> str:
    columns = set(header)
    if "judgement_id" in columns or "adjudication_id" in columns or {"plan", "position"} <= columns:
        return "records"
    if {"attempt_id", "stage", "outcome"} <= columns:
        return "verdicts"
    if "attempt_id" in columns or "task_id" in columns:
        return "records"
    raise FormatError(
        f"{path}: a CSV whose header ({', '.join(header[:8]) or 'empty'}) has neither attempt_id, "
        "stage, outcome (verdicts) nor the columns of a bare-tui export"
    )


def read_verdict_rows(path: Path, context: Context) -> Iterator[SourceLine]:
    """bare-tui's verdicts export (one JSON object per attempt and stage), as verdict-only lines."""
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, item in json_lines(path, context.report):
        if isinstance(item, dict):
            rows.append((number, item))
        else:
            context.report.fail(f"{path}:{number}", "expected a JSON object")
    yield from verdict_lines(path, rows, context)


def verdict_lines(path: Path, rows: Iterable[tuple[int, dict[str, Any]]], context: Context) -> Iterator[SourceLine]:
    """One verdict-only line per attempt and run (source, pipeline version), at the row where it begins, so
    an attempt's stages arrive together and `overall` can be derived from all five."""
    grouped: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
    for number, row in rows:
        attempt_id, stage = row.get("attempt_id"), row.get("stage")
        if not isinstance(attempt_id, str) or not attempt_id or not isinstance(stage, str) or not stage:
            context.report.fail(f"{path}:{number}", "a verdict row needs 'attempt_id' and 'stage'")
            continue
        key = (attempt_id, row.get("source"), row.get("pipeline_version"))
        _, line = grouped.setdefault(key, (number, {"attempt_id": attempt_id, "verdicts": {}}))
        for name in ("source", "pipeline_version"):
            if row.get(name):
                line[name] = row[name]
        if stage in line["verdicts"]:
            context.report.fail(
                f"{path}:{number}",
                f"a second verdict for attempt '{attempt_id}', stage '{stage}' of the same run; the first is kept",
            )
            continue
        line["verdicts"][stage] = _verdict_body(row)
    for number, line in grouped.values():
        yield source_line(path, number, line)


def _verdict_body(row: dict[str, Any]) -> dict[str, Any]:
    outcome = row.get("outcome")
    if isinstance(outcome, str):
        word = outcome.strip().lower()
        outcome = OUTCOME_WORDS.get(word, word)
    elif isinstance(outcome, bool):
        outcome = "pass" if outcome else "fail"
    body: dict[str, Any] = {"outcome": outcome, "score": row.get("score")}
    evidence = row.get("evidence")
    if isinstance(evidence, str) and evidence:  # another pipeline's free-text finding
        evidence = [{"side": "refactored", "line": None, "column": None, "message": evidence}]
    message = row.get("message") or row.get("explanation")
    if isinstance(message, str) and message and not evidence:
        evidence = [{"side": "refactored", "line": None, "column": None, "message": message}]
    body["evidence"] = evidence or []
    for key in ("created_at", "details"):
        if row.get(key):
            body[key] = row[key]
    return body
