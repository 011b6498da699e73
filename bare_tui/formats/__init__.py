"""The formats people already have, read into bare-tui's interchange records (DESIGN.md "Interchange formats").

Each adapter is a module of this package that turns one file (or folder) into the lines `bare-tui import`
reads, so every record then goes through the same checks as a JSON Lines import. `read_formatted` picks the
adapter named by `--from`, or detects one; bare-tui's own JSON Lines and folders are left to the importer.
No adapter imports Textual; inspect_ai is imported only when an Inspect log is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..store import SessionError

if TYPE_CHECKING:
    from ..importer import ImportReport, SourceLine

# name -> what it reads, as the error for an unknown file and `--help` say it
FORMATS: dict[str, str] = {
    "swebench": "SWE-bench predictions (instance_id, model_name_or_path, model_patch) as JSON Lines or a JSON list",
    "inspect": "Inspect AI eval logs (.eval or .json, read through inspect_ai; pip install 'bare-tui[inspect]')",
    "chat": "chat-completion or Responses objects, OpenAI or Anthropic batch output lines (custom_id), the answer "
    "as the response",
    "csv": "CSV with a header: verdicts (attempt_id, stage, outcome, score, ...) or any bare-tui CSV export",
    "before-after": "a folder with before/ and after/ (or after/<model>/) holding files at their repository paths",
}

NATIVE_KEYS = ("attempt_id", "task_id", "judgement_id", "adjudication_id", "plan")
SNIFF_LINES = 50  # lines looked at to tell a JSON Lines file's format


class FormatError(SessionError):
    """A file in no format bare-tui reads, or not in the format named by --from: one line a user can act on."""


@dataclass
class Context:
    """What an adapter may know besides its file: where to report, and the tasks already in the session."""

    report: ImportReport
    known_task_ids: frozenset[str]


Adapter = Callable[[Path, Context], Iterable["SourceLine"]]


def formats_help() -> str:
    return "; ".join(f"{name}: {text}" for name, text in FORMATS.items())


def unknown_format(path: Path, why: str) -> FormatError:
    names = ", ".join(FORMATS)
    return FormatError(
        f"{path}: {why}. bare-tui reads its own JSON Lines (tasks, attempts, verdicts, judgements, adjudications, "
        f"plans), a tasks/ + attempts/ folder, and with --from one of: {names} "
        f"(see `bare-tui import --help`)"
    )


def adapter(name: str) -> Adapter:
    """The reader of one format; inspect_ai is imported only when its logs are read."""
    if name == "swebench":
        from .swebench import read_predictions

        return read_predictions
    if name == "inspect":
        from .inspect_logs import read_inspect_log

        return read_inspect_log
    if name == "chat":
        from .chat import read_chat_outputs

        return read_chat_outputs
    if name == "csv":
        from .csv_rows import read_csv

        return read_csv
    if name == "before-after":
        from .before_after import read_before_after

        return read_before_after
    if name == "verdict-rows":  # bare-tui's own verdicts export: no --from needed
        from .csv_rows import read_verdict_rows

        return read_verdict_rows
    raise FormatError(f"unknown format '{name}' (expected one of {', '.join(FORMATS)})")


def read_formatted(
    path: Path, name: str | None, report: ImportReport, known_task_ids: Iterable[str] = ()
) -> list[SourceLine] | None:
    """The records of a file or folder in a format people already have, or None when it is bare-tui's own
    (the importer reads those). `name` is --from; without it the format is detected."""
    context = Context(report, frozenset(known_task_ids))
    if path.is_dir():
        if name in (None, "before-after") and (path / "before").is_dir() and (path / "after").is_dir():
            return list(adapter("before-after")(path, context))
        if name == "before-after":
            raise FormatError(f"{path}: --from before-after needs a before/ and an after/ folder inside it")
        return _read_folder(path, name, context)
    detected = name or detect(path)
    if detected is None:
        return None
    return list(adapter(detected)(path, context))


_FILE_SUFFIXES = (".eval", ".json", ".jsonl", ".csv")


def _read_folder(path: Path, name: str | None, context: Context) -> list[SourceLine] | None:
    """A folder of files in one of the formats (Inspect writes a logs/ folder of .eval files). A folder that
    is bare-tui's own (tasks/, attempts/ or .jsonl files in its format) is left to the importer."""
    if name is None and ((path / "tasks").is_dir() or (path / "attempts").is_dir()):
        return None
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.is_symlink() and p.suffix in _FILE_SUFFIXES)
    chosen = [(file, _folder_file_format(file, name)) for file in files]
    if all(fmt is None for _, fmt in chosen):
        return None
    from ..importer import read_source  # a native file beside the others is read the native way

    lines: list[SourceLine] = []
    for file, fmt in chosen:
        lines.extend(read_source(file, context.report) if fmt is None else adapter(fmt)(file, context))
    return lines


def _folder_file_format(file: Path, name: str | None) -> str | None:
    """A file of a folder: bare-tui's own lines (the tasks beside the predictions) stay native even under
    --from; the others are read as --from says, or as detected."""
    try:
        found = detect(file)
    except FormatError:
        if name is None:
            raise
        return name
    return None if found is None else (name or found)


# ---------------------------------------------------------------------- detection
def detect(path: Path) -> str | None:
    """The format of a file: a name of FORMATS (or "verdict-rows"), or None for bare-tui's own JSON Lines.
    A file that is none of them is one FormatError, not an error per line."""
    suffix = path.suffix.lower()
    if suffix == ".eval":
        return "inspect"
    if suffix in (".csv", ".tsv"):
        return "csv"
    head = _head(path)
    if suffix == ".json" or head.lstrip().startswith("["):
        whole = _whole_json(path)
        if whole is not _NOT_JSON:
            found = _json_document_format(whole)
            if found is None:
                raise unknown_format(path, "a JSON document in none of the formats")
            return found
    lines = head.splitlines()
    if len(head.encode("utf-8", errors="replace")) >= SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line read may be cut short
    if not lines and head.lstrip().startswith("{"):
        return None  # one line longer than the sniff: a bare-tui line with a large inline text
    seen_json = native = False
    for text in lines[:SNIFF_LINES]:
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, or nested beyond the decoder: the importer says which
            continue
        seen_json = True
        if isinstance(data, dict):
            found = line_format(data)
            if found is None:
                native = True  # bare-tui's own, unless a later line is in a format (task lines come first)
            elif found != "unknown":
                return found
    if native or not head.strip():
        return None  # an empty file imports nothing, as before
    if not seen_json and not head.lstrip().startswith("{") and _looks_like_csv(head):
        return "csv"
    raise unknown_format(path, "its first lines are in none of the formats" if seen_json else "not JSON Lines")


def line_format(data: dict[str, Any]) -> str | None:
    """What one JSON object is: a format's name, None for a bare-tui record, or "unknown"."""
    if "instance_id" in data and "model_patch" in data:
        return "swebench"
    if "custom_id" in data and ("response" in data or "error" in data or "result" in data):
        return "chat"
    if data.get("object") in ("chat.completion", "response") or "choices" in data or data.get("type") == "message":
        return "chat"
    if "attempt_id" in data and "stage" in data and "outcome" in data and "label" not in data:
        return "verdict-rows"
    if any(key in data for key in NATIVE_KEYS):
        return "chat" if isinstance(data.get("response"), dict) else None
    return "unknown"


def _json_document_format(whole: Any) -> str | None:
    if isinstance(whole, dict):
        if "eval" in whole and ("samples" in whole or "status" in whole):
            return "inspect"
        values = list(whole.values())
        if values and all(isinstance(v, dict) and "model_patch" in v for v in values):
            return "swebench"  # sb-cli's dictionary form: {instance_id: {model_patch, model_name_or_path}}
        found = line_format(whole)
        return None if found in (None, "unknown") else found
    if isinstance(whole, list):
        for item in whole[:SNIFF_LINES]:
            if isinstance(item, dict) and (found := line_format(item)) not in (None, "unknown"):
                return found
    return None


_NOT_JSON = object()
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024  # a JSON document (not lines) is read whole; beyond this it is refused


def _whole_json(path: Path) -> Any:
    """A whole JSON document read as strictly as a JSON line (no NaN, sane nesting and numbers), or _NOT_JSON
    when it is not JSON at all; a JSON document the strict reader refuses is a FormatError saying why."""
    from ..importer import LineError, parse_json_line

    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise FormatError(
            f"{path}: a JSON document of {path.stat().st_size / 1_048_576:.0f} MB; write it as "
            "JSON Lines (one object a line) to import it"
        )
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return _NOT_JSON
    try:
        return parse_json_line(text)
    except LineError as exc:
        raise FormatError(f"{path}: {exc}") from None


def read_json_document(path: Path) -> Any:
    """A whole .json file, or a FormatError saying why it cannot be read."""
    whole = _whole_json(path)
    if whole is _NOT_JSON:
        raise FormatError(f"{path}: not valid JSON")
    return whole


SNIFF_BYTES = 256 * 1024


def _head(path: Path, size: int = SNIFF_BYTES) -> str:
    with path.open("rb") as handle:
        raw = handle.read(size)
    return raw.decode("utf-8-sig", errors="replace")


def _looks_like_csv(head: str) -> bool:
    first = head.splitlines()[0] if head.splitlines() else ""
    return "attempt_id" in first and ("," in first or "\t" in first)


# ---------------------------------------------------------------------- shared by the adapters
def json_lines(path: Path, report: ImportReport) -> Iterator[tuple[int, Any]]:
    """(line number, value) of every JSON line of a file, or of every item of a JSON list document; a line
    that is not JSON is reported as FILE:LINE and skipped."""
    head = _head(path, 4096).lstrip()
    if path.suffix.lower() == ".json" or head.startswith("["):
        whole = read_json_document(path)
        items = whole if isinstance(whole, list) else [whole]
        yield from enumerate(items, start=1)
        return
    from ..importer import LineError, parse_json_line  # the importer's strict reading of a line

    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield number, parse_json_line(raw.decode("utf-8-sig", errors="replace"))
            except LineError as exc:
                report.fail(f"{path}:{number}", str(exc))


def source_line(path: Path | str, line: int, data: dict[str, Any]) -> SourceLine:
    from ..importer import SourceLine

    return SourceLine(str(path), line, data)
