"""Writing a session's records out as JSON Lines or CSV, in the interchange formats of DESIGN.md."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

from .model import Adjudication, Judgement, Verdict
from .plans import LINE_KEYS, plan_lines
from .safe_text import json_for_terminal, visible
from .store import Store

WHATS = ("attempts", "verdicts", "judgements", "adjudications", "plans")
FORMATS = ("jsonl", "csv")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# CSV headers are fixed per kind, so an empty export still has its header and optional keys keep a column.
COLUMNS: dict[str, tuple[str, ...]] = {
    "attempts": ("attempt_id", "task_id", "model", "language", "path", "original", "refactored", "response",
                 "patch", "meta", "problems"),
    "verdicts": ("attempt_id", "stage", "outcome", "score", "evidence", "pipeline_version", "source"),
    "judgements": ("judgement_id", "attempt_id", "reviewer", "stage", "label", "confidence", "note", "tags",
                   "saw_verdicts", "opened_at", "saved_at", "supersedes", "retracted"),
    "adjudications": ("adjudication_id", "attempt_id", "stage", "auditor", "label", "reason", "note", "saved_at"),
    "plans": LINE_KEYS,
}


def neutralise_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will show but never run: text that would start a formula gets a leading
    apostrophe. Numbers stay numbers (a negative score is data, not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def attempt_records(store: Store) -> Iterator[dict[str, Any]]:
    """The attempts import format, with `refactored` and `language` resolved and the task inline."""
    tasks = store.tasks()
    for attempt in store.iter_attempts():
        task = tasks[attempt.task_id]
        yield {
            "attempt_id": attempt.attempt_id, "task_id": attempt.task_id, "model": attempt.model,
            "language": task.language, "path": task.path, "original": task.original,
            "refactored": attempt.refactored, "response": attempt.response, "patch": attempt.patch,
            "meta": attempt.meta, "problems": list(attempt.problems),
        }


def verdict_record(v: Verdict) -> dict[str, Any]:
    return {
        "attempt_id": v.attempt_id, "stage": v.stage, "outcome": v.outcome.value, "score": v.score,
        "evidence": [e.to_json() for e in v.evidence], "pipeline_version": v.pipeline_version,
        "source": v.source,
    }


def judgement_record(j: Judgement) -> dict[str, Any]:
    record = {
        "judgement_id": j.judgement_id, "attempt_id": j.attempt_id, "reviewer": j.reviewer, "stage": j.stage,
        "label": j.label.value, "confidence": j.confidence, "note": j.note, "tags": list(j.tags),
        "saw_verdicts": j.saw_verdicts, "opened_at": j.opened_at, "saved_at": j.saved_at,
        "supersedes": j.supersedes,
    }
    if j.retracted:
        record["retracted"] = True  # an undo: withdraws the judgement it supersedes
    return record


def adjudication_record(a: Adjudication) -> dict[str, Any]:
    return {
        "adjudication_id": a.adjudication_id, "attempt_id": a.attempt_id, "stage": a.stage,
        "auditor": a.auditor, "label": a.label.value, "reason": a.reason.value, "note": a.note,
        "saved_at": a.saved_at,
    }


def records(store: Store, what: str, source: str | None = None) -> Iterable[dict[str, Any]]:
    if what == "attempts":
        return attempt_records(store)
    if what == "verdicts":
        return (verdict_record(v) for v in store.verdicts(source=source))
    if what == "judgements":
        return (judgement_record(j) for j in store.judgements(current_only=False))
    if what == "adjudications":
        return (adjudication_record(a) for a in store.adjudications(current_only=False))
    if what == "plans":
        return plan_lines(store)
    raise ValueError(f"unknown export '{what}' (expected one of {', '.join(WHATS)})")


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO, terminal: bool = False) -> int:
    """One JSON object a line. For a terminal, characters it would act on are written as \\u escapes (the
    same data once decoded)."""
    count = 0
    for row in rows:
        text = json.dumps(row, ensure_ascii=False)
        out.write((json_for_terminal(text) if terminal else text) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, columns: Sequence[str], terminal: bool = False) -> int:
    """CSV with a fixed header; lists and objects as JSON text; formulas neutralised. For a terminal, control
    and invisible characters in cells are shown as visible stand-ins, never sent raw."""
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        cells = {
            key: neutralise_cell(json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value)
            for key, value in row.items()
        }
        if terminal:
            cells = {key: visible(value) if isinstance(value, str) else value for key, value in cells.items()}
        writer.writerow(cells)
        count += 1
    return count


def export(store: Store, what: str, fmt: str, out: TextIO, source: str | None = None, terminal: bool = False) -> int:
    """Write one kind of record; returns how many rows were written. `terminal`: out is a terminal."""
    rows = records(store, what, source)
    if fmt == "jsonl":
        return write_jsonl(rows, out, terminal)
    if fmt == "csv":
        return write_csv(rows, out, COLUMNS[what], terminal)
    raise ValueError(f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})")


def export_text(store: Store, what: str, fmt: str) -> str:
    buffer = io.StringIO()
    export(store, what, fmt, buffer)
    return buffer.getvalue()
