"""A before/after folder: `before/` holds the original files at their repository paths, and either `after/`
mirrors it (one model's answer, the model named after the folder) or `after/<model>/` does, one folder per
model. Each file that changed becomes an attempt of the task named by its repository path, so
`src/billing/invoice.py` stays `src/billing/invoice.py`. A file whose extension is none of the nine languages
is left out, and so is a file left unchanged (nothing was refactored); a file missing from an answer is an
empty answer. A raw answer beside the file (`invoice.py.response.md`) is read as the response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import language_from_path
from . import Context, source_line

if TYPE_CHECKING:
    from ..importer import SourceLine

MAX_FILE_BYTES = 2 * 1024 * 1024
RESPONSE_MARK = ".response."


def read_before_after(root: Path, context: Context) -> Iterator[SourceLine]:
    before = _files(root / "before", context)
    originals: dict[str, str] = {}
    for rel, file in before.items():
        if language_from_path(rel) is None:
            continue
        text = _read(file, context)
        if text is not None:
            originals[rel] = text
            yield source_line(file, 1, {"task_id": rel, "path": rel, "original": text})
    for model, answers in _answer_sets(root, set(before), context):
        yield from _answers(model, answers, originals, context)


def _answer_sets(root: Path, before_paths: set[str], context: Context) -> list[tuple[str, dict[str, Path]]]:
    """after/ mirrors before/ when any of its top-level names is also in before/; else each subfolder is a model."""
    after = root / "after"
    tops = {rel.split("/", 1)[0] for rel in before_paths}
    children = sorted(p for p in after.iterdir() if not p.is_symlink())
    if any(child.name in tops for child in children) or not any(child.is_dir() for child in children):
        return [(root.resolve().name, _files(after, context))]
    return [(child.name, _files(child, context)) for child in children if child.is_dir()]


def _answers(model: str, answers: dict[str, Path], originals: dict[str, str], context: Context) -> Iterator[SourceLine]:
    responses = {rel.split(RESPONSE_MARK, 1)[0]: file for rel, file in answers.items() if RESPONSE_MARK in rel}
    unchanged = 0
    for rel, original in originals.items():
        data: dict[str, Any] = {
            "attempt_id": f"{model}/{rel}",
            "task_id": rel,
            "model": model,
            "meta": {"format": "before-after"},
        }
        where: Path
        if rel in answers:
            text = _read(answers[rel], context)
            if text is None:
                continue
            if text == original and rel not in responses:
                unchanged += 1
                continue
            data["refactored"], where = text, answers[rel]
        elif rel in responses:
            text = _read(responses[rel], context)
            if text is None:
                continue
            data["response"], where = text, responses[rel]
        else:
            data["refactored"], where = "", Path(rel)  # the answer deleted the file
            data["meta"]["deleted"] = True
        if rel in responses and "response" not in data:
            data["response"] = _read(responses[rel], context)
        yield source_line(where, 1, data)
    extra = sorted(
        rel
        for rel in answers
        if RESPONSE_MARK not in rel and rel not in originals and language_from_path(rel) is not None
    )
    if extra:
        context.report.warnings.append(
            f"{model}: {len(extra)} file(s) only in the answer (no original), left "
            f"out: {', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''}"
        )
    if unchanged:
        context.report.warnings.append(f"{model}: {unchanged} file(s) identical to the original, left out")


def _files(folder: Path, context: Context) -> dict[str, Path]:
    """Every regular file under a folder by its POSIX path relative to it; symbolic links are not followed."""
    found: dict[str, Path] = {}
    for file in sorted(folder.rglob("*")):
        if file.is_symlink():
            context.report.warnings.append(f"{file}: a symbolic link; not followed")
        elif file.is_file() and not any(part.startswith(".") for part in file.relative_to(folder).parts):
            found[file.relative_to(folder).as_posix()] = file
    return found


def _read(file: Path, context: Context) -> str | None:
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        context.report.fail(f"{file}:1", f"{size / 1_048_576:.1f} MB, above the 2 MB cap; not read")
        return None
    return file.read_bytes().decode("utf-8", errors="replace")
