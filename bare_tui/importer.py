"""Reading studies into a session: JSON Lines (tasks, attempts, verdicts, judgements, adjudications),
folders of .jsonl files and the tasks/ + attempts/ directory layout. Every line goes in whole or not at all."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extract import extract_code
from .model import (
    FIELDS,
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
    language_from_path,
    normalise_language,
)
from .patching import PatchError, apply_patch
from .plans import PlanError, absorb_plan, parse_plan_line, plan_from_items
from .store import RecordRejected, SessionError, Store

MAX_TEXT_BYTES = 2 * 1024 * 1024  # an answer or original above this is refused, not analysed
BATCH_LINES = 1000  # lines per committed transaction: a killed import keeps whole batches only


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
    warnings: list[str] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every line went in (or was already there)."""
        return self.failed == 0

    def fail(self, where: str, reason: str) -> None:
        self.failed += 1
        self.errors.append(f"{where}: {reason}")


class LineError(ValueError):
    """A line that cannot be imported; the message is the reason."""


ProgressCallback = Callable[[int, int], None]


# ---------------------------------------------------------------------- reading sources
def read_source(path: Path, report: ImportReport) -> list[SourceLine]:
    """Every record in a file or folder, in the order they should be imported."""
    if not path.exists():
        raise SessionError(f"{path}: no such file or folder")
    if path.is_file():
        return list(_read_jsonl(path, report))
    lines: list[SourceLine] = []
    if (path / "tasks").is_dir() or (path / "attempts").is_dir():
        lines.extend(_read_layout(path, report))
    jsonl_files = sorted(p for p in path.glob("*.jsonl") if p.is_file())
    if not lines and not jsonl_files:
        raise SessionError(f"{path}: no .jsonl files and no tasks/ or attempts/ folder to import")
    for file in jsonl_files:
        lines.extend(_read_jsonl(file, report))
    return lines


def _read_jsonl(path: Path, report: ImportReport) -> Iterator[SourceLine]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            text, invalid = _decode(raw)
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                report.fail(f"{path}:{number}", f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(data, dict):
                report.fail(f"{path}:{number}", f"expected a JSON object, found {type(data).__name__}")
                continue
            yield SourceLine(str(path), number, data, invalid)


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def _read_layout(root: Path, report: ImportReport) -> Iterator[SourceLine]:
    """tasks/<task_id>/<file> originals and attempts/<model>/<task_id>/<file or .patch> answers."""
    for task_dir in sorted(p for p in (root / "tasks").glob("*") if p.is_dir()):
        files = sorted(p for p in task_dir.iterdir() if p.is_file())
        if len(files) != 1:
            report.fail(str(task_dir), f"expected exactly one original file, found {len(files)}")
            continue
        text, invalid = _read_text(files[0])
        yield SourceLine(
            str(files[0]), 1, {"task_id": task_dir.name, "path": files[0].name, "original": text}, invalid
        )
    for model_dir in sorted(p for p in (root / "attempts").glob("*") if p.is_dir()):
        for task_dir in sorted(p for p in model_dir.iterdir() if p.is_dir()):
            files = sorted(p for p in task_dir.iterdir() if p.is_file())
            if len(files) != 1:
                report.fail(str(task_dir), f"expected exactly one answer file, found {len(files)}")
                continue
            text, invalid = _read_text(files[0])
            key = "patch" if files[0].suffix in (".patch", ".diff") else "refactored"
            data = {
                "attempt_id": f"{model_dir.name}/{task_dir.name}", "task_id": task_dir.name,
                "model": model_dir.name, key: text,
            }
            yield SourceLine(str(files[0]), 1, data, invalid)


def _read_text(path: Path) -> tuple[str, bool]:
    return _decode(path.read_bytes())


# ---------------------------------------------------------------------- parsing records
def _kind(data: dict[str, Any]) -> str:
    if "plan" in data and "position" in data:
        return "plan"
    if "judgement_id" in data:
        return "judgement"
    if "adjudication_id" in data:
        return "adjudication"
    if "attempt_id" in data:
        return "attempt"
    if "task_id" in data:
        return "task"
    raise LineError("no attempt_id, task_id, judgement_id, adjudication_id or plan: cannot tell what this line is")


def _text(data: dict[str, Any], key: str, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise LineError(f"missing '{key}'")
        return None
    if not isinstance(value, str):
        raise LineError(f"'{key}' must be a string, found {type(value).__name__}")
    if required and not value.strip():
        raise LineError(f"'{key}' is empty")
    return value


def _bounded(data: dict[str, Any], key: str) -> str | None:
    value = _text(data, key, required=False)
    if value is not None and len(value.encode("utf-8", errors="replace")) > MAX_TEXT_BYTES:
        size = len(value.encode("utf-8", errors="replace")) / 1_048_576
        raise LineError(f"'{key}' is {size:.1f} MB, above the {MAX_TEXT_BYTES // 1_048_576} MB cap; not imported")
    return value


def _language(data: dict[str, Any], path: str) -> str:
    given = data.get("language")
    if given is not None:
        if not isinstance(given, str) or normalise_language(given) is None:
            raise LineError(f"unknown language '{given}' (expected one of c, cpp, csharp, go, java, javascript, "
                            "php, python, typescript)")
        return normalise_language(given)  # type: ignore[return-value]
    from_path = language_from_path(path)
    if from_path is None:
        raise LineError(f"unknown language: no 'language' given and the extension of '{path}' is not one of "
                        "the nine languages'")
    return from_path


def _meta(data: dict[str, Any]) -> dict[str, Any]:
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise LineError("'meta' must be an object")
    return meta


def parse_task(data: dict[str, Any]) -> Task:
    path = _text(data, "path", required=False) or ""
    original = _bounded(data, "original")
    if original is None:
        raise LineError("missing 'original'")
    return Task(_text(data, "task_id"), _language(data, path), path, original, _meta(data))  # type: ignore[arg-type]


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
        extraction = extract_code(response, task.language)
        refactored = extraction.code
        if extraction.code is None:
            problems.append("no-code")
            warnings.append("the response has no code; imported as an answer with no code")
    if invalid_utf8:
        warnings.append("invalid UTF-8 replaced with U+FFFD; attempt flagged")
    attempt = Attempt(
        _text(data, "attempt_id"), task.task_id, _text(data, "model"), refactored, response, patch,  # type: ignore[arg-type]
        _meta(data), tuple(problems),
    )
    return attempt, warnings


def parse_verdicts(data: dict[str, Any], attempt_id: str, source: str, pipeline_version: str) -> list[Verdict]:
    raw = data.get("verdicts")
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise LineError("'verdicts' must be an object of stage -> verdict")
    verdicts: list[Verdict] = []
    for stage, body in raw.items():
        if stage not in FIELDS:
            raise LineError(f"unknown stage '{stage}' in verdicts (expected one of {', '.join(FIELDS)})")
        if not isinstance(body, dict):
            raise LineError(f"verdict for '{stage}' must be an object")
        try:
            outcome = Outcome(body.get("outcome"))
        except ValueError:
            raise LineError(f"verdict for '{stage}' has outcome {body.get('outcome')!r}; expected pass, fail, "
                            "error or skipped") from None
        score = body.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float))):
            raise LineError(f"verdict for '{stage}' has a score that is not a number")
        evidence = body.get("evidence") or []
        if not isinstance(evidence, list) or not all(isinstance(e, dict) for e in evidence):
            raise LineError(f"verdict for '{stage}': evidence must be a list of objects")
        verdicts.append(
            Verdict(attempt_id, stage, outcome, None if score is None else float(score),
                    tuple(Evidence.from_json(e) for e in evidence), pipeline_version, source)
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
    if stage not in FIELDS:
        raise LineError(f"unknown stage '{stage}' (expected one of {', '.join(FIELDS)})")
    try:
        label = Label(data.get("label"))
    except ValueError:
        raise LineError(f"label {data.get('label')!r}; expected pass, fail or unsure") from None
    confidence = data.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or confidence not in (1, 2, 3)):
        raise LineError(f"confidence {confidence!r}; expected 1, 2, 3 or null")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise LineError("'tags' must be a list of strings")
    saw = data.get("saw_verdicts", False)
    if not isinstance(saw, bool):
        raise LineError("'saw_verdicts' must be true or false")
    return Judgement(
        _text(data, "judgement_id"), _text(data, "attempt_id"), _text(data, "reviewer"), stage, label,  # type: ignore[arg-type]
        confidence, _text(data, "note", required=False) or "", tuple(tags), saw,
        _text(data, "opened_at", required=False), _text(data, "saved_at", required=False),
        _text(data, "supersedes", required=False), bool(data.get("retracted", False)),
    )


def parse_adjudication(data: dict[str, Any]) -> Adjudication:
    stage = _text(data, "stage")
    if stage not in FIELDS:
        raise LineError(f"unknown stage '{stage}'")
    try:
        label = Label(data.get("label"))
        reason = ReasonCode(data.get("reason"))
    except ValueError as exc:
        raise LineError(str(exc)) from None
    return Adjudication(
        _text(data, "adjudication_id"), _text(data, "attempt_id"), stage, _text(data, "auditor"),  # type: ignore[arg-type]
        label, reason, _text(data, "note", required=False) or "", _text(data, "saved_at", required=False),
    )


# ---------------------------------------------------------------------- importing
def import_into(
    store: Store,
    source_path: Path,
    source_name: str = "external",
    source_version: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import a file or folder into an open session. Bad lines are reported and skipped; good lines go in
    whole, in committed batches, so an interrupted import can simply be run again."""
    report = ImportReport()
    lines = read_source(source_path, report)
    pipeline_version = source_name if not source_version else f"{source_name}@{source_version}"
    known_tasks = store.tasks()
    order = {"task": 0, "attempt": 1, "judgement": 2, "adjudication": 3}
    kinded: list[tuple[str, SourceLine]] = []
    for line in lines:
        try:
            kinded.append((_kind(line.data), line))
        except LineError as exc:
            report.fail(line.where, str(exc))
    plan_lines = [line for kind, line in kinded if kind == "plan"]
    kinded = [pair for pair in kinded if pair[0] != "plan"]
    kinded.sort(key=lambda pair: order[pair[0]])  # stable: file order kept within a kind
    done = 0
    for start in range(0, len(kinded), BATCH_LINES):
        batch = kinded[start : start + BATCH_LINES]
        with store.transaction() as conn:
            for kind, line in batch:
                # A savepoint per line: a line that fails half-way leaves nothing behind.
                try:
                    with store.savepoint(conn):
                        _import_line(store, conn, kind, line, known_tasks, source_name, pipeline_version, report)
                except (LineError, RecordRejected) as exc:
                    report.fail(line.where, str(exc))
        done += len(batch)
        if progress:
            progress(done, len(kinded))
    _import_plans(store, plan_lines, report)
    return report


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
            with store.transaction() as conn:
                outcome = absorb_plan(store, conn, incoming, None)
        except PlanError as exc:
            report.fail(entries[0][0].where, str(exc))
            report.failed += len(entries) - 1  # every line of the plan stayed out
            continue
        if outcome == "unchanged":
            report.unchanged += len(entries)
        else:
            report.imported += len(entries)
            report.kinds["plan line"] = report.kinds.get("plan line", 0) + len(entries)


def _import_line(
    store: Store, conn: Any, kind: str, line: SourceLine, known_tasks: dict[str, Task],
    source_name: str, pipeline_version: str, report: ImportReport,
) -> None:
    """Validate a line completely, then write it; nothing is written before every check has passed."""
    data = line.data
    if kind == "task":
        task = parse_task(data)
        counts = store.add_tasks([task], conn)
        known_tasks.setdefault(task.task_id, task)
        _count(report, kind, counts.inserted)
        return
    if kind == "attempt":
        task_id = _text(data, "task_id")
        task = known_tasks.get(task_id)  # type: ignore[arg-type]
        inline_task = None
        if "original" in data:
            inline_task = parse_task(data)
            if task is None:
                task = inline_task
        if task is None:
            raise LineError(f"task '{task_id}' is not in the session or the input; give its task line or an "
                            "inline 'original'")
        attempt, warnings = parse_attempt(data, task, line.invalid_utf8)
        verdicts = parse_verdicts(data, attempt.attempt_id, source_name, pipeline_version)
        if inline_task is not None and task is inline_task:
            store.add_tasks([inline_task], conn)
        counts = store.add_attempts([attempt], conn)
        if verdicts:
            store.save_verdicts(verdicts, conn)
        known_tasks.setdefault(task.task_id, task)
        if counts.inserted:
            report.warnings.extend(f"{line.where}: {w}" for w in warnings)
        _count(report, kind, counts.inserted)
        return
    if kind == "judgement":
        judgement = parse_judgement(data)
        if not store.has_attempt(judgement.attempt_id):
            raise LineError(f"attempt '{judgement.attempt_id}' is not in the session")
        _count(report, kind, store.save_judgements([judgement], conn))
        return
    adjudication = parse_adjudication(data)
    if not store.has_attempt(adjudication.attempt_id):
        raise LineError(f"attempt '{adjudication.attempt_id}' is not in the session")
    _count(report, kind, int(store.save_adjudication(adjudication, conn)))


def _count(report: ImportReport, kind: str, inserted: int) -> None:
    if inserted:
        report.imported += 1
        report.kinds[kind] = report.kinds.get(kind, 0) + 1
    else:
        report.unchanged += 1

