"""Reading studies into a session: JSON Lines (tasks, attempts, verdicts, judgements, adjudications),
folders of .jsonl files and the tasks/ + attempts/ directory layout. Every line goes in whole or not at all."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Literal, overload

from .formats.answers import answer_key, read_answer
from .model import (
    FIELDS,
    OWN_SOURCE,
    STAGES,
    Adjudication,
    Attempt,
    Evidence,
    Judgement,
    Label,
    Outcome,
    PlanItem,
    ReasonCode,
    Task,
    Verdict,
    is_stage_name,
    language_from_path,
    normalise_language,
)
from .patching import PatchError, apply_patch
from .plans import PlanError, absorb_plan, parse_plan_line, plan_from_items
from .safe_text import visible
from .store import Batch, RecordRejected, SessionError, Store

MAX_TEXT_BYTES = 2 * 1024 * 1024  # an answer or original above this is refused, not analysed
BATCH_LINES = 1000  # lines per committed transaction: a killed import keeps whole batches only
BATCH_BYTES = 16 * 1024 * 1024  # and at most this much text, so that no transaction holds the lock for long
MAX_LINE_BYTES = 24 * 1024 * 1024  # four capped texts, JSON-escaped, and meta: a longer line is not read
MAX_META_BYTES = 256 * 1024
MAX_NAME_CHARS = 1000  # ids, models, reviewers, stages, tags
MAX_PATH_CHARS = 4096
MAX_NOTE_CHARS = 64 * 1024  # notes and evidence messages
MAX_NESTING = 64  # JSON deeper than this is no study record; the decoder itself would overflow near 1,000
MAX_INT_DIGITS = 400  # enough for any count or id; Python refuses to read integers beyond 4,300 digits


@dataclass(frozen=True)
class SourceLine:
    """One record to import and where it came from, for `FILE:LINE: reason` messages."""

    file: str
    line: int
    data: dict[str, Any]
    invalid_utf8: bool = False

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ImportReport:
    """What an import did. `failed` lines were not imported; `warnings` lines were, with a problem flagged."""

    imported: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    # Each error's file and line (0: none, a folder's error), for listing them as a compiler does (in_line_order).
    error_places: list[tuple[str, int]] = field(default_factory=list, repr=False)
    warnings: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    stopped: bool = False  # a fault of the session (a full disk) ended the import early
    slowest: tuple[float, str] = (0.0, "")  # the longest a single line took to prepare or write, and which
    verdicts_written: int = 0  # verdicts new to the session, from attempt lines and verdict-only lines

    def note_time(self, where: str, seconds: float) -> None:
        if seconds > self.slowest[0]:
            self.slowest = (seconds, where)

    def absorb(self, other: ImportReport) -> None:
        """Add what a committed batch did."""
        self.imported += other.imported
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.errors.extend(other.errors)
        self.error_places.extend(other.error_places)
        self.warnings.extend(other.warnings)
        for kind, n in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n
        self.verdicts_written += other.verdicts_written
        if other.slowest[0] > self.slowest[0]:
            self.slowest = other.slowest

    @property
    def complete(self) -> bool:
        """Every line went in (or was already there)."""
        return self.failed == 0

    def fail(self, where: str, reason: str) -> None:
        self.failed += 1
        file, _, line = where.rpartition(":")
        self.error_places.append((file, int(line)) if file and line.isdigit() else (where, 0))
        self.errors.append(f"{where}: {reason}")

    def in_line_order(self) -> None:
        """The errors as a compiler lists them: file by file (in the order the import met them), each by line.
        The import meets them kind by kind (tasks before attempts, bad JSON on its first pass), not in line order."""
        files: dict[str, int] = {}
        for file, _ in self.error_places:
            files.setdefault(file, len(files))
        order = sorted(range(len(self.errors)), key=lambda k: (files[self.error_places[k][0]], self.error_places[k][1]))
        self.errors = [self.errors[k] for k in order]
        self.error_places = [self.error_places[k] for k in order]


class LineError(ValueError):
    """A line that cannot be imported; the message is the reason."""


ProgressCallback = Callable[[int, int], None]


# ---------------------------------------------------------------------- reading sources
def read_source(
    path: Path, report: ImportReport, source_format: str | None = None, known_task_ids: Iterable[str] = ()
) -> list[SourceLine]:
    """Every record in a file or folder, in the order they should be imported. A format people already have
    (`--from`, or detected) is read by its adapter in bare_tui.formats."""
    if not path.exists():
        raise SessionError(f"{path}: no such file or folder")
    lines, files = _gather(path, report, source_format, known_task_ids)
    for file in files:
        lines.extend(_read_jsonl(file, report))
    return lines


def _gather(
    path: Path, report: ImportReport, source_format: str | None, known_task_ids: Iterable[str]
) -> tuple[list[SourceLine], list[Path]]:
    """What read_source reads: the records an adapter or the folder layout gives (in memory), and the JSON
    Lines files to read after them, in order (which the importer streams rather than holds)."""
    from .formats import read_formatted  # the adapters import this module

    formatted = read_formatted(path, source_format, report, known_task_ids)
    if formatted is not None:
        return formatted, []
    if path.is_file():
        return [], [path]
    lines: list[SourceLine] = []
    layout = ("tasks", "attempts")
    if any((path / name).is_dir() for name in layout):
        lines.extend(_read_layout(path, report))
    jsonl_files: list[Path] = []
    for entry in sorted(path.iterdir()):
        if entry.is_symlink():
            report.warnings.append(f"{entry}: a symbolic link; not followed")
        elif entry.is_file() and entry.suffix.lower() == ".jsonl":
            jsonl_files.append(entry)
        elif entry.is_dir() and entry.name not in layout:
            report.warnings.append(f"{entry}: a subfolder; not read (import it by its own path)")
    if not lines and not jsonl_files and not any((path / name).is_dir() for name in layout):
        raise SessionError(f"{path}: no .jsonl files and no tasks/ or attempts/ folder to import")
    return lines, jsonl_files


def _read_jsonl(path: Path, report: ImportReport) -> Iterator[SourceLine]:
    with path.open("rb") as handle:
        for number, _, raw in _raw_lines(handle):
            line = _source_line(path, number, raw, report)
            if line is not None:
                yield line


def _source_line(path: Path, number: int, raw: bytes | None, report: ImportReport) -> SourceLine | None:
    """One raw line as a record, or None: blank, or bad (reported as FILE:LINE: reason)."""
    where = f"{path}:{number}"
    if raw is None:
        report.fail(where, f"the line is longer than {MAX_LINE_BYTES // 1_048_576} MB; not read")
        return None
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark, as some editors write one
    if not raw.strip():
        return None
    text, invalid = _decode(raw)
    try:
        data = parse_json_line(text)
    except LineError as exc:
        report.fail(where, str(exc))
        return None
    if not isinstance(data, dict):
        report.fail(where, f"expected a JSON object, found {_json_type(data)}")
        return None
    return SourceLine(str(path), number, data, invalid)


def _raw_lines(handle: BinaryIO) -> Iterator[tuple[int, int, bytes | None]]:
    """Numbered lines with their byte offsets, each read at most MAX_LINE_BYTES at a time: a longer line is
    skipped (None), not held."""
    number = 0
    while True:
        offset = handle.tell()
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := handle.readline(1_048_576)) and not rest.endswith(b"\n"):
                pass
            yield number, offset, None
            continue
        yield number, offset, raw


def parse_json_line(text: str) -> Any:
    """One JSON value, strictly: no NaN or Infinity, numbers that fit a double, integers of sane length,
    nesting of sane depth and text without lone surrogates. Any failure is a LineError with its reason."""
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_sized_int)
    except LineError:
        raise
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise LineError(f"not imported: nested more than {MAX_NESTING} levels deep") from None
    except ValueError as exc:
        raise LineError(f"not valid JSON ({visible(str(exc))[:200]})") from None
    _check_value(data)
    return data


def _no_constant(name: str) -> Any:
    raise LineError(f"not valid JSON: {name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise LineError(f"the number {text[:40]} is too large for a double")
    return value


def _sized_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise LineError(f"an integer of {len(text)} digits; at most {MAX_INT_DIGITS} are read")
    return int(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_value(data: Any) -> None:
    """Nesting depth and lone surrogates, checked without recursion. A surrogate (from a `\\ud800` escape)
    is not text: SQLite and UTF-8 cannot hold it, so the line is refused, naming the field."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, field_name = stack.pop()
        if depth > MAX_NESTING:
            raise LineError(f"not imported: nested more than {MAX_NESTING} levels deep")
        if isinstance(value, str):
            if _SURROGATE.search(value):
                where = f"'{visible(field_name)[:80]}'" if field_name else "a value"
                raise LineError(f"{where} holds a lone surrogate (a \\ud800-\\udfff escape), which is not text")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = field_name or key
                if _SURROGATE.search(key):
                    raise LineError("a key holds a lone surrogate (a \\ud800-\\udfff escape), which is not text")
                stack.append((item, depth + 1, name))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field_name) for item in value)


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "true or false", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def _read_layout(root: Path, report: ImportReport) -> Iterator[SourceLine]:
    """tasks/<task_id>/<file> originals and attempts/<model>/<task_id>/<file or .patch> answers. Symbolic
    links are not followed (a study folder must not reach outside itself) and no file above the cap is read."""
    for task_dir in _subfolders(root / "tasks", report):
        files = _files(task_dir, report)
        if len(files) != 1:
            if not _has_links(task_dir):  # a link was reported already
                report.fail(str(task_dir), f"expected exactly one original file, found {len(files)}")
            continue
        read = _read_text(files[0], report)
        if read is not None:
            yield SourceLine(
                str(files[0]), 1, {"task_id": task_dir.name, "path": files[0].name, "original": read[0]}, read[1]
            )
    for model_dir in _subfolders(root / "attempts", report):
        for task_dir in _subfolders(model_dir, report):
            files = _files(task_dir, report)
            if len(files) != 1:
                if not _has_links(task_dir):  # a link was reported already
                    report.fail(str(task_dir), f"expected exactly one answer file, found {len(files)}")
                continue
            read = _read_text(files[0], report)
            if read is None:
                continue
            key = answer_key(files[0].name)
            data = {
                "attempt_id": f"{model_dir.name}/{task_dir.name}",
                "task_id": task_dir.name,
                "model": model_dir.name,
                key: read[0],
            }
            yield SourceLine(str(files[0]), 1, data, read[1])


def _subfolders(folder: Path, report: ImportReport) -> list[Path]:
    if not folder.is_dir() or folder.is_symlink():
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            report.fail(str(entry), "a symbolic link; not followed")
        elif entry.is_dir():
            found.append(entry)
    return found


def _has_links(folder: Path) -> bool:
    """Whether a folder holds a symbolic link (reported already, so its file count says nothing more)."""
    return any(entry.is_symlink() for entry in folder.iterdir())


def _files(folder: Path, report: ImportReport) -> list[Path]:
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            report.fail(str(entry), "a symbolic link; not followed")
        elif entry.is_file():
            found.append(entry)
    return found


def _read_text(path: Path, report: ImportReport) -> tuple[str, bool] | None:
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        report.fail(f"{path}:1", f"{size / 1_048_576:.1f} MB, above the {MAX_TEXT_BYTES // 1_048_576} MB cap; not read")
        return None
    with path.open("rb") as handle:
        raw = handle.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:  # it grew while we looked
        report.fail(f"{path}:1", f"above the {MAX_TEXT_BYTES // 1_048_576} MB cap; not read")
        return None
    return _decode(raw)


# ---------------------------------------------------------------------- parsing records
_ATTEMPT_FIELDS = ("model", "refactored", "response", "patch")


def _kind(data: dict[str, Any]) -> str:
    if "plan" in data and "position" in data:
        return "plan"
    if "judgement_id" in data:
        return "judgement"
    if "adjudication_id" in data:
        return "adjudication"
    if "attempt_id" in data:
        return "verdicts" if is_verdict_only(data) else "attempt"
    present = [key for key in _ATTEMPT_FIELDS if key in data]
    if present:
        raise LineError(f"has an attempt's fields ({', '.join(present)}) but no 'attempt_id'")
    if "task_id" in data:
        return "task"
    raise LineError("no attempt_id, task_id, judgement_id, adjudication_id or plan: cannot tell what this line is")


def _shown(value: Any, limit: int = 60) -> str:
    """A bad value echoed in a reason: its JSON text, made visible and cut short."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)[: limit * 2]
    text = visible(text).replace("\n", "\u240a")
    text = text if len(text) <= limit else text[:limit] + "…"
    return f"'{text}'" if isinstance(value, str) else text


@overload
def _text(
    data: dict[str, Any], key: str, required: Literal[True] = True, limit: int | None = MAX_NAME_CHARS
) -> str: ...
@overload
def _text(data: dict[str, Any], key: str, required: bool, limit: int | None = MAX_NAME_CHARS) -> str | None: ...
def _text(data: dict[str, Any], key: str, required: bool = True, limit: int | None = MAX_NAME_CHARS) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise LineError(f"missing '{key}'")
        return None
    if not isinstance(value, str):
        raise LineError(f"'{key}' must be a string, found {_json_type(value)}")
    if required and not value.strip():
        raise LineError(f"'{key}' is empty")
    if limit is not None and len(value) > limit:
        raise LineError(f"'{key}' is {len(value):,} characters long; at most {limit:,}")
    return value


def _required(data: dict[str, Any], key: str) -> str:
    """A required, non-empty string field (what `_text` checks), typed as present."""
    value = _text(data, key)
    if value is None:  # _text has raised already; this tells the type checker
        raise LineError(f"missing '{key}'")
    return value


def _bounded(data: dict[str, Any], key: str) -> str | None:
    value = _text(data, key, required=False, limit=None)
    if value is not None and len(value.encode("utf-8", errors="replace")) > MAX_TEXT_BYTES:
        size = len(value.encode("utf-8", errors="replace")) / 1_048_576
        raise LineError(f"'{key}' is {size:.1f} MB, above the {MAX_TEXT_BYTES // 1_048_576} MB cap; not imported")
    return value


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise LineError(f"'{key}' must be true or false, found {_shown(value)}")
    return value


def _timestamp(data: dict[str, Any], key: str) -> str | None:
    """An ISO-8601 time with a zone. Kept as given when in UTC with a Z; otherwise written in UTC with a Z,
    so that saved times sort as times."""
    value = data.get(key)
    if value is None:
        return None
    reason = f"'{key}' is {_shown(value)}: expected an ISO-8601 time with a zone, like 2026-11-21T10:00:41Z"
    if not isinstance(value, str) or len(value) > 40:
        raise LineError(reason)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise LineError(reason) from None
    if moment.tzinfo is None or "T" not in value:
        raise LineError(reason)
    if value.endswith("Z"):
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _language(data: dict[str, Any], path: str) -> str:
    given = data.get("language")
    if given is not None:
        language = normalise_language(given) if isinstance(given, str) else None
        if language is None:
            raise LineError(
                f"unknown language {_shown(given)} (expected one of c, cpp, csharp, go, java, "
                "javascript, php, python, typescript)"
            )
        return language
    from_path = language_from_path(path)
    if from_path is None:
        raise LineError(
            f"unknown language: no 'language' given and the extension of {_shown(path)} is not one "
            "of the nine languages"
        )
    return from_path


def _meta(data: dict[str, Any]) -> dict[str, Any]:
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise LineError("'meta' must be an object")
    size = len(json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    if size > MAX_META_BYTES:
        raise LineError(f"'meta' is {size / 1024:,.0f} kB; at most {MAX_META_BYTES // 1024} kB")
    return meta


def parse_task(data: dict[str, Any]) -> Task:
    path = _text(data, "path", required=False, limit=MAX_PATH_CHARS) or ""
    original = _bounded(data, "original")
    if original is None:
        raise LineError("missing 'original'")
    return Task(_text(data, "task_id"), _language(data, path), path, original, _meta(data))


def parse_attempt(data: dict[str, Any], task: Task, invalid_utf8: bool) -> tuple[Attempt, list[str]]:
    """The attempt with its refactored text resolved, and warnings to print (the attempt is still imported)."""
    refactored = _bounded(data, "refactored")
    response = _bounded(data, "response")
    patch = _bounded(data, "patch")
    if refactored is None and response is None and patch is None:
        raise LineError("no answer: give one of 'refactored', 'response' or 'patch'")
    problems: list[str] = ["invalid-utf8"] if invalid_utf8 else []
    warnings: list[str] = []
    patch_failed = False
    if refactored is None and patch is not None:
        try:
            refactored = apply_patch(task.original, patch)
        except PatchError as exc:
            patch_failed = True
            problems.append(f"patch-failed: {exc}")
            warnings.append(f"patch does not apply, imported with no code: {exc}")
    if refactored is None and response is not None and not patch_failed:
        answer = read_answer(response, task.original, task.language)  # code, a diff or edit blocks
        refactored = answer.code
        problems.extend(answer.problems)
        warnings.extend(answer.warnings)
    if invalid_utf8:
        warnings.append("invalid UTF-8 replaced with U+FFFD; attempt flagged")
    attempt = Attempt(
        _text(data, "attempt_id"),
        task.task_id,
        _text(data, "model"),
        refactored,
        response,
        patch,
        _meta(data),
        tuple(dict.fromkeys([*_given_problems(data), *problems])),
    )
    return attempt, warnings


def _given_problems(data: dict[str, Any]) -> list[str]:
    """The flags an attempts export carries (`invalid-utf8` cannot be seen again in the replaced text)."""
    given = data.get("problems") or []
    if not isinstance(given, list) or not all(isinstance(p, str) and len(p) <= MAX_NOTE_CHARS for p in given):
        raise LineError("'problems' must be a list of strings")
    return given


EVIDENCE_SIDES = ("original", "refactored")


def _evidence(stage: str, raw: Any) -> Evidence:
    if not isinstance(raw, dict):
        raise LineError(f"verdict for '{stage}': evidence must be a list of objects")
    side = raw.get("side", "refactored")
    if side not in EVIDENCE_SIDES:
        raise LineError(f"verdict for '{stage}': evidence side {_shown(side)}; expected original or refactored")
    where: dict[str, int | None] = {}
    for key in ("line", "column"):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31):
            raise LineError(f"verdict for '{stage}': evidence {key} {_shown(value)}; expected a whole number or null")
        where[key] = value
    message = raw.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str) or len(message) > MAX_NOTE_CHARS:
        raise LineError(
            f"verdict for '{stage}': evidence message must be a string of at most {MAX_NOTE_CHARS:,} characters"
        )
    return Evidence(side, where["line"], where["column"], message)


def parse_verdicts(data: dict[str, Any], attempt_id: str, source: str, pipeline_version: str) -> list[Verdict]:
    raw = data.get("verdicts")
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise LineError("'verdicts' must be an object of stage -> verdict")
    verdicts: list[Verdict] = []
    for stage, body in raw.items():
        if not is_stage_name(stage):
            raise LineError(
                f"unknown stage {_shown(stage)} in verdicts (expected one of {', '.join(FIELDS)}, or an "
                "extra stage named in lower case: letters, digits, '_' or '-')"
            )
        if not isinstance(body, dict):
            raise LineError(f"verdict for '{stage}' must be an object")
        try:
            outcome = Outcome(body.get("outcome"))
        except ValueError:
            raise LineError(
                f"verdict for '{stage}' has outcome {_shown(body.get('outcome'))}; expected pass, fail, "
                "error or skipped"
            ) from None
        score = body.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise LineError(f"verdict for '{stage}' has a score that is not a number")
        if score is not None:
            try:
                score = float(score)
            except OverflowError:
                raise LineError(f"verdict for '{stage}' has a score too large for a double") from None
        evidence = body.get("evidence") or []
        if not isinstance(evidence, list):
            raise LineError(f"verdict for '{stage}': evidence must be a list of objects")
        created_at = body.get("created_at")  # a verdicts export keeps when each verdict was first written
        if created_at is not None:
            created_at = _timestamp(body, "created_at")
        details = body.get("details") or {}
        if not isinstance(details, dict):
            raise LineError(f"verdict for '{stage}': details must be an object")
        verdicts.append(
            Verdict(
                attempt_id,
                stage,
                outcome,
                score,
                tuple(_evidence(stage, e) for e in evidence),
                pipeline_version,
                source,
                details,
                created_at,
            )
        )
    return _with_overall(verdicts)


def _with_overall(verdicts: list[Verdict]) -> list[Verdict]:
    """An imported overall is kept as given; otherwise it is derived when all five stages are pass or fail."""
    by_stage = {v.stage: v for v in verdicts}
    if "overall" in by_stage or not all(s in by_stage for s in STAGES):
        return verdicts
    outcomes = [by_stage[s].outcome for s in STAGES]
    if not all(o in (Outcome.PASS, Outcome.FAIL) for o in outcomes):
        return verdicts
    first = verdicts[0]
    overall = Outcome.PASS if all(o is Outcome.PASS for o in outcomes) else Outcome.FAIL
    return verdicts + [Verdict(first.attempt_id, "overall", overall, None, (), first.pipeline_version, first.source)]


def parse_judgement(data: dict[str, Any]) -> Judgement:
    stage = _text(data, "stage")
    if not is_stage_name(stage):
        raise LineError(f"unknown stage {_shown(stage)} (expected one of {', '.join(FIELDS)})")
    try:
        label = Label(data.get("label"))
    except ValueError:
        raise LineError(f"label {_shown(data.get('label'))}; expected pass, fail or unsure") from None
    confidence = data.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or confidence not in (1, 2, 3)):
        raise LineError(f"confidence {_shown(confidence)}; expected 1, 2, 3 or null")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= MAX_NAME_CHARS for t in tags):
        raise LineError("'tags' must be a list of short strings")
    judgement_id = _text(data, "judgement_id")
    supersedes = _text(data, "supersedes", required=False)
    if supersedes is not None and supersedes == judgement_id:
        raise LineError(f"judgement {_shown(judgement_id)} supersedes itself")
    return Judgement(
        judgement_id,
        _text(data, "attempt_id"),
        _text(data, "reviewer"),
        stage,
        label,
        confidence,
        _text(data, "note", required=False, limit=MAX_NOTE_CHARS) or "",
        tuple(tags),
        _flag(data, "saw_verdicts"),
        _timestamp(data, "opened_at"),
        _timestamp(data, "saved_at"),
        supersedes,
        _flag(data, "retracted"),
    )


def parse_adjudication(data: dict[str, Any]) -> Adjudication:
    stage = _text(data, "stage")
    if not is_stage_name(stage):
        raise LineError(f"unknown stage {_shown(stage)}")
    try:
        label = Label(data.get("label"))
    except ValueError:
        raise LineError(f"label {_shown(data.get('label'))}; expected pass, fail or unsure") from None
    try:
        reason = ReasonCode(data.get("reason"))
    except ValueError:
        raise LineError(
            f"reason {_shown(data.get('reason'))}; expected one of {', '.join(r.value for r in ReasonCode)}"
        ) from None
    return Adjudication(
        _text(data, "adjudication_id"),
        _text(data, "attempt_id"),
        stage,
        _text(data, "auditor"),
        label,
        reason,
        _text(data, "note", required=False, limit=MAX_NOTE_CHARS) or "",
        _timestamp(data, "saved_at"),
    )


# ---------------------------------------------------------------------- importing
@dataclass
class _Prepared:
    """One line parsed, validated and with its code extracted, ready to be written: all the slow work is done
    before the write transaction opens, so a reviewer saving meanwhile waits milliseconds, not seconds."""

    line: SourceLine
    kind: str
    task: Task | None = None  # a task line, or an attempt's inline original that is new
    attempt: Attempt | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    judgement: Judgement | None = None
    adjudication: Adjudication | None = None
    warnings: list[str] = field(default_factory=list)


def import_into(
    store: Store,
    source_path: Path,
    source_name: str = "external",
    source_version: str | None = None,
    progress: ProgressCallback | None = None,
    source_format: str | None = None,
) -> ImportReport:
    """Import a file or folder into an open session. Bad lines are reported and skipped; good lines go in
    whole, in committed batches, so an interrupted import can simply be run again. A fault of the session
    (a full disk) stops the import: the batches committed before it stay and the report says where.
    `source_format` names a format of bare_tui.formats (`--from`); without it the format is detected. The errors
    are listed by file and line."""
    report = ImportReport()
    _import(store, source_path, source_name, source_version, progress, source_format, report)
    report.in_line_order()
    return report


def _import(
    store: Store,
    source_path: Path,
    source_name: str,
    source_version: str | None,
    progress: ProgressCallback | None,
    source_format: str | None,
    report: ImportReport,
) -> None:
    if not source_path.exists():
        raise SessionError(f"{source_path}: no such file or folder")
    known_tasks = store.tasks()
    in_memory, files = _gather(source_path, report, source_format, known_tasks)
    pipeline_version = source_name if not source_version else f"{source_name}@{source_version}"
    # Lines go in by kind (tasks, attempts, verdicts, judgements, adjudications; plan lines last), each kind in
    # file order. A first pass over the JSON Lines files notes each line's kind and place, reporting bad lines;
    # the second reads the lines again one batch at a time, so memory stays flat whatever the file's size.
    kinds: dict[str, list[SourceLine | _Place]] = {kind: [] for kind in _KIND_ORDER}
    plan_lines: list[SourceLine] = []
    for line in in_memory:
        _sort_line(line, line, kinds, plan_lines, report)
    for index, file in enumerate(files):
        with file.open("rb") as handle:
            for number, offset, raw in _raw_lines(handle):
                read = _source_line(file, number, raw, report)
                if read is not None:
                    _sort_line(read, _Place(index, number, offset), kinds, plan_lines, report)
    total = sum(len(entries) for entries in kinds.values())
    if progress:
        progress(0, total)
    with _Reader(files, report) as reader:
        stream = (reader.load(entry) for kind in _KIND_ORDER for entry in kinds[kind])
        done = 0
        while batch := list(islice(((e.kind, e.line) for e in stream if e is not None), BATCH_LINES)):
            prepared: list[_Prepared] = []
            for kind, line in batch:
                began = time.perf_counter()
                try:
                    prepared.append(_prepare(kind, line, known_tasks, source_name, pipeline_version))
                except LineError as exc:
                    report.fail(line.where, str(exc))
                report.note_time(line.where, time.perf_counter() - began)
            for offset, chunk in _by_volume(prepared):
                try:
                    written = _write_batch(store, chunk)
                except SessionError as exc:
                    # this chunk's lines, the batches after it and the plan lines, which come last
                    left = len(prepared) - offset + total - (done + len(batch)) + len(plan_lines)
                    report.fail(
                        chunk[0].line.where,
                        f"import stopped: {exc}. The {report.imported} new lines before "
                        f"this one are committed; this line and {left - 1} after it were not imported. Run the "
                        "import again: what is in already is skipped.",
                    )
                    report.failed += max(left - 1, 0)
                    report.stopped = True
                    return
                report.absorb(written)
            done += len(batch)
            if progress:
                progress(done, total)
    try:
        _import_plans(store, plan_lines, report)
    except SessionError as exc:  # a full disk while writing a plan: the lines before it stay committed
        report.fail(plan_lines[0].where, f"import stopped: {exc}; the plan lines were not imported")
        report.failed += len(plan_lines) - 1
        report.stopped = True


_KIND_ORDER = ("task", "attempt", "verdicts", "judgement", "adjudication")


@dataclass(frozen=True)
class _Place:
    """Where a JSON line is (its file among the import's, its number and byte offset): read again when its
    batch comes, rather than held from the first pass."""

    file: int
    line: int
    offset: int


@dataclass(frozen=True)
class _Entry:
    kind: str
    line: SourceLine


def _sort_line(
    line: SourceLine,
    entry: SourceLine | _Place,
    kinds: dict[str, list[SourceLine | _Place]],
    plans: list[SourceLine],
    report: ImportReport,
) -> None:
    try:
        kind = _kind(line.data)
    except LineError as exc:
        report.fail(line.where, str(exc))
        return
    if kind == "plan":
        plans.append(line)  # a plan goes in whole, after the attempts it names: its lines are held
    else:
        kinds[kind].append(entry)


class _Reader:
    """The second pass: each noted line read again at its offset (the files stay open meanwhile)."""

    def __init__(self, files: list[Path], report: ImportReport) -> None:
        self._files = files
        self._handles: dict[int, BinaryIO] = {}
        self._report = report

    def load(self, entry: SourceLine | _Place) -> _Entry | None:
        if isinstance(entry, SourceLine):
            return _Entry(_kind(entry.data), entry)
        handle = self._handles.get(entry.file)
        if handle is None:
            handle = self._handles[entry.file] = self._files[entry.file].open("rb")
        handle.seek(entry.offset)
        _, _, raw = next(_raw_lines(handle), (0, 0, b""))
        line = _source_line(self._files[entry.file], entry.line, raw, self._report)
        if line is None:  # the file changed since the first pass; reported
            return None
        try:
            return _Entry(_kind(line.data), line)
        except LineError as exc:
            self._report.fail(line.where, str(exc))
            return None

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles.values():
            handle.close()


def _import_plans(store: Store, lines: list[SourceLine], report: ImportReport) -> None:
    """Plan lines, after the attempts they name: each plan goes in whole, in its own transaction, or not at
    all (one error at its first line)."""
    by_plan: dict[str, list[tuple[SourceLine, PlanItem]]] = {}
    broken: set[str] = set()
    for line in lines:
        name = line.data.get("plan")
        key = name if isinstance(name, str) else ""
        try:
            by_plan.setdefault(key, []).append((line, parse_plan_line(line.data)))
        except PlanError as exc:
            report.fail(line.where, f"{exc}; nothing of plan {key!r} imported")
            broken.add(key)
    for name, entries in by_plan.items():
        if name in broken:
            continue
        try:
            incoming = plan_from_items(name, [item for _, item in entries], {"imported": True})
            with store.writing() as batch:
                outcome = absorb_plan(store, batch, incoming, None)
        except PlanError as exc:
            report.fail(entries[0][0].where, str(exc))
            report.failed += len(entries) - 1  # every line of the plan stayed out
            continue
        if outcome == "unchanged":
            report.unchanged += len(entries)
        else:
            report.imported += len(entries)
            report.kinds["plan line"] = report.kinds.get("plan line", 0) + len(entries)


def _by_volume(prepared: list[_Prepared]) -> Iterator[tuple[int, list[_Prepared]]]:
    """The batch in chunks of at most BATCH_BYTES of text, each with its offset: a write transaction holds the
    session's lock, and a reviewer's save waits for it, so no transaction writes hundreds of megabytes."""
    chunk: list[_Prepared] = []
    offset = volume = 0
    for index, item in enumerate(prepared):
        weight = _volume(item)
        if chunk and volume + weight > BATCH_BYTES:
            yield offset, chunk
            chunk, offset, volume = [], index, 0
        chunk.append(item)
        volume += weight
    if chunk:
        yield offset, chunk


def _volume(item: _Prepared) -> int:
    texts = [item.task.original if item.task else None]
    if item.attempt is not None:
        texts += [item.attempt.refactored, item.attempt.response, item.attempt.patch]
    return sum(len(text) for text in texts if text)


def _write_batch(store: Store, prepared: list[_Prepared]) -> ImportReport:
    """Write a batch in one transaction, a savepoint per line; what it did is returned only once committed."""
    result = ImportReport()
    if not prepared:
        return result
    with store.writing() as batch:
        for item in prepared:
            began = time.perf_counter()
            try:
                with batch.savepoint():
                    _write_line(store, batch, item, result)
            except (LineError, RecordRejected) as exc:
                result.fail(item.line.where, str(exc))
            except SessionError:
                raise
            except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError) as exc:
                # Defence in depth: a value the checks above let through that the database could not store.
                result.fail(item.line.where, f"could not be stored: {visible(str(exc))[:200]}")
            result.note_time(item.line.where, time.perf_counter() - began)
    return result


def _prepare(
    kind: str, line: SourceLine, known_tasks: dict[str, Task], source_name: str, pipeline_version: str
) -> _Prepared:
    """Everything about a line that needs no database: parsing, validation, patching and code extraction."""
    data = line.data
    if kind == "task":
        new = parse_task(data)
        known_tasks.setdefault(new.task_id, new)
        return _Prepared(line, kind, task=new)
    if kind == "judgement":
        return _Prepared(line, kind, judgement=parse_judgement(data))
    if kind == "adjudication":
        return _Prepared(line, kind, adjudication=parse_adjudication(data))
    attempt_id = _required(data, "attempt_id")
    run = line_run(data, source_name, pipeline_version)
    if kind == "verdicts":
        # A verdict-only line: an external pipeline's verdicts for an attempt already in the session.
        return _Prepared(line, "verdicts", verdicts=parse_verdicts(data, attempt_id, *run))
    task_id = _required(data, "task_id")
    task: Task | None = known_tasks.get(task_id)
    new_task = None
    if data.get("original") is not None:  # an attempts export gives a task's original on its first row only
        inline = parse_task({**data, "meta": data.get("task_meta") or {}})  # `meta` is the attempt's
        if task is None:
            task = new_task = inline
        elif (inline.language, inline.path, inline.original) != (task.language, task.path, task.original):
            raise LineError(
                f"conflict: the inline original of task {_shown(task_id)} differs from the task "
                "already read (its language, path or text); the line is not imported"
            )
    if task is None:
        raise LineError(
            f"task {_shown(task_id)} is not in the session or the input; give its task line or an inline 'original'"
        )
    attempt, warnings = parse_attempt(data, task, line.invalid_utf8)
    verdicts = parse_verdicts(data, attempt.attempt_id, *run)
    if new_task is not None:
        known_tasks.setdefault(new_task.task_id, new_task)
    return _Prepared(line, kind, task=new_task, attempt=attempt, verdicts=verdicts, warnings=warnings)


def _write_line(store: Store, batch: Batch, item: _Prepared, report: ImportReport) -> None:
    """Write one prepared line. A key already present with other content is a conflict: the stored record
    stays, and the line is reported (LineError rolls back its savepoint)."""
    inserted = False
    if item.task is not None:
        counts = store.add_tasks([item.task], batch)
        if counts.conflicts:
            raise LineError(
                f"conflict: task {_shown(item.task.task_id)} is already in the session with other "
                "content; the stored one is kept"
            )
        inserted = bool(counts.inserted)
    if item.attempt is not None:
        counts = store.add_attempts([item.attempt], batch)
        if counts.conflicts:
            raise LineError(
                f"conflict: attempt {_shown(item.attempt.attempt_id)} is already in the session with "
                "other content; the stored one is kept"
            )
        inserted = bool(counts.inserted)
        if counts.inserted:
            report.warnings.extend(f"{item.line.where}: {w}" for w in item.warnings)
    if item.kind == "verdicts" and item.verdicts and not store.has_attempt(item.verdicts[0].attempt_id):
        raise LineError(f"attempt {_shown(item.verdicts[0].attempt_id)} is not in the session")
    if item.verdicts:
        counts = store.add_verdicts(item.verdicts, batch)
        if counts.conflicts:
            raise LineError(
                f"conflict: the session already has other {', '.join(counts.conflicts)} verdicts from "
                f"{_shown(item.verdicts[0].source)} for this attempt; the stored ones are kept"
            )
        inserted = inserted or bool(counts.inserted)
        report.verdicts_written += counts.inserted
    if item.judgement is not None:
        _check_known_stage(store, item.judgement.stage)
        inserted = _write_judgement(store, batch, item.judgement)
    if item.adjudication is not None:
        _check_known_stage(store, item.adjudication.stage)
        inserted = _write_adjudication(store, batch, item.adjudication)
    _count(report, "verdict line" if item.kind == "verdicts" else item.kind, int(inserted))


def _write_judgement(store: Store, batch: Batch, judgement: Judgement) -> bool:
    stored = store.stored_judgement(judgement.judgement_id, batch)
    if stored is not None:
        if _same(stored, judgement, ("opened_at", "saved_at")):
            return False
        raise LineError(
            f"conflict: judgement {_shown(judgement.judgement_id)} is already in the session with other "
            "content; the stored one is kept"
        )
    if not store.has_attempt(judgement.attempt_id):
        raise LineError(f"attempt {_shown(judgement.attempt_id)} is not in the session")
    return store.save_judgements([judgement], batch) > 0


def _write_adjudication(store: Store, batch: Batch, adjudication: Adjudication) -> bool:
    stored = store.stored_adjudication(adjudication.adjudication_id, batch)
    if stored is not None:
        if _same(stored, adjudication, ("saved_at",)):
            return False
        raise LineError(
            f"conflict: adjudication {_shown(adjudication.adjudication_id)} is already in the session "
            "with other content; the stored one is kept"
        )
    if not store.has_attempt(adjudication.attempt_id):
        raise LineError(f"attempt {_shown(adjudication.attempt_id)} is not in the session")
    return store.save_adjudication(adjudication, batch)


def _same(stored: Any, given: Any, optional: tuple[str, ...]) -> bool:
    """The same record, where a time left out of the line (filled in when first saved) is no difference."""
    for name in stored.__dataclass_fields__:
        ours, theirs = getattr(stored, name), getattr(given, name)
        if ours != theirs and not (name in optional and theirs is None):
            return False
    return True


def is_verdict_only(data: dict[str, Any]) -> bool:
    """A line that adds a pipeline's verdicts to an attempt already in the session (DESIGN.md)."""
    return "verdicts" in data and not any(key in data for key in (*_ATTEMPT_FIELDS, "task_id", "original"))


def line_run(data: dict[str, Any], source_name: str, pipeline_version: str) -> tuple[str, str]:
    """Whose verdicts a line carries: its own `source` and `pipeline_version` (a verdicts export names them),
    else the import's --source and --source-version."""
    source = _text(data, "source", required=False)
    version = _text(data, "pipeline_version", required=False)
    if source is not None and not source.strip():
        raise LineError("'source' is empty")
    if source is None:
        return source_name, version or pipeline_version
    if source == OWN_SOURCE and not _OWN_VERSION.fullmatch(version or ""):
        # The name is reserved (DESIGN.md): bare-tui's own verdicts count first and tell verify what is done. Only
        # what a verdicts export of them writes may carry it: the pipeline version verify stamped, VERSION+HASH.
        raise LineError(
            f"source '{OWN_SOURCE}' is reserved for bare-tui's own verdicts, which carry the pipeline_version "
            f"verify gave them (such as 0.1.0+5f2c1a), not {_shown(version) if version else 'none'}; "
            "name the pipeline these came from"
        )
    return source, version or source


_OWN_VERSION = re.compile(r"[0-9][0-9A-Za-z.!-]*\+[0-9a-f]{6}")
"""bare-tui's pipeline versions (pipeline/version.py): the package version, `+`, six hex digits of a hash."""


def _check_known_stage(store: Store, stage: str) -> None:
    """A label of an extra stage needs that stage's verdicts in the session: a typo is not a new stage."""
    if not store.is_field(stage):
        raise LineError(
            f"unknown stage {_shown(stage)} (expected one of {', '.join(FIELDS)}, or an extra stage "
            "the session has verdicts for)"
        )


def _count(report: ImportReport, kind: str, inserted: int) -> None:
    if inserted:
        report.imported += 1
        report.kinds[kind] = report.kinds.get(kind, 0) + 1
    else:
        report.unchanged += 1
