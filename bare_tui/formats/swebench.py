"""SWE-bench predictions: `instance_id`, `model_name_or_path`, `model_patch`, one object a line, a JSON list,
or sb-cli's dictionary keyed by instance id (swebench.com, "Evaluation Guide" and sb-cli "Submit Command").

A prediction's patch usually changes several files; bare-tui's tasks are files, so each changed file becomes
its own attempt of the task `INSTANCE_ID:PATH`. Originals are not in predictions: give them as task lines
with those ids (imported before, or in the same folder), except for a file the patch creates (original "")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from ..model import language_from_path
from . import Context, json_lines, source_line

if TYPE_CHECKING:
    from ..importer import SourceLine


def task_id_for(instance_id: str, path: str) -> str:
    """The task a changed file of an instance is: what a task line must name to give its original."""
    return f"{instance_id}:{path}"


def read_predictions(path: Path, context: Context) -> Iterator[SourceLine]:
    for number, item in json_lines(path, context.report):
        where = f"{path}:{number}"
        if (
            isinstance(item, dict)
            and item
            and "instance_id" not in item
            and all(isinstance(v, dict) and "model_patch" in v for v in item.values())
        ):  # sb-cli's {instance_id: {...}} form
            predictions = [{"instance_id": key, **value} for key, value in item.items()]
        else:
            predictions = [item]
        for prediction in predictions:
            yield from _prediction(path, number, where, prediction, context)


def _prediction(path: Path, number: int, where: str, item: Any, context: Context) -> Iterator[SourceLine]:
    if not isinstance(item, dict):
        context.report.fail(where, "expected a prediction object (instance_id, model_name_or_path, model_patch)")
        return
    instance_id, model, patch = item.get("instance_id"), item.get("model_name_or_path"), item.get("model_patch")
    if not isinstance(instance_id, str) or not instance_id.strip():
        context.report.fail(where, "a prediction needs 'instance_id' (a string)")
        return
    if not isinstance(model, str) or not model.strip():
        context.report.fail(where, f"prediction {instance_id}: 'model_name_or_path' must be a non-empty string")
        return
    if patch is None or (isinstance(patch, str) and not patch.strip()):
        context.report.warnings.append(
            f"{where}: prediction {instance_id} of {model} has an empty model_patch; there is no changed file to import"
        )
        return
    if not isinstance(patch, str):
        context.report.fail(where, f"prediction {instance_id}: 'model_patch' must be a string")
        return
    try:
        files = PatchSet(patch.splitlines(keepends=True))
    except UnidiffParseError as exc:
        context.report.fail(where, f"prediction {instance_id}: model_patch is not a unified diff ({exc})")
        return
    if len(files) == 0:
        context.report.fail(where, f"prediction {instance_id}: model_patch has no file header (---/+++)")
        return
    left_out: list[str] = []
    for changed in files:
        file_path = changed.path
        if changed.is_binary_file or language_from_path(file_path) is None:
            left_out.append(file_path)
            continue
        task_id = task_id_for(instance_id, file_path)
        data: dict[str, Any] = {
            "attempt_id": f"{model}/{task_id}",
            "task_id": task_id,
            "model": model,
            "patch": str(changed),
            "meta": {"format": "swebench", "instance_id": instance_id, "files_in_patch": len(files)},
        }
        if changed.is_added_file:
            data.update({"path": file_path, "original": ""})  # a new file: its original is empty
        yield source_line(path, number, data)
    if left_out:
        context.report.warnings.append(
            f"{where}: prediction {instance_id}: {len(left_out)} changed file(s) not in the nine languages or "
            f"binary, left out: {', '.join(left_out[:5])}{' ...' if len(left_out) > 5 else ''}"
        )
