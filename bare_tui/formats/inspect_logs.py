"""Inspect AI eval logs (.eval or .json), read only through inspect_ai's own `read_eval_log` (the log format
is inspect_ai's to change), an optional extra: `pip install 'bare-tui[inspect]'`.

Each sample is one attempt of the eval's model: its task is `metadata.task_id` (else the sample id), with an
inline original when the sample's metadata carries `original` (and `path`, `language`); the answer is the
sample output's completion, read as a raw response. Each scorer's score becomes a verdict of the stage named
after the scorer (a dict-valued score gives one stage per key), so `syntax` stays `syntax` and `tests` is kept
as an extra stage. Values are read with inspect_ai's `value_to_float` (C 1, I 0, P 0.5, N 0, yes/no, numbers):
the outcome is pass at 1 (the top of the 0-1 scale its accuracy metric uses), fail below, and the float is
the verdict's score; the explanation is its evidence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import Context, FormatError, source_line

if TYPE_CHECKING:
    from ..importer import SourceLine

INSTALL_HINT = "reading Inspect AI logs needs inspect_ai: pip install 'bare-tui[inspect]'"
_STAGE_CHARS = re.compile(r"[^a-z0-9_-]+")


def stage_name(scorer: str) -> str:
    """A scorer's name as a stage name: lower case, other characters as '_' (`inspect_evals/verify` -> ...)."""
    return _STAGE_CHARS.sub("_", scorer.strip().lower()).strip("_") or "score"


def read_inspect_log(path: Path, context: Context) -> Iterator[SourceLine]:
    try:
        from inspect_ai.log import read_eval_log
        from inspect_ai.scorer import value_to_float
    except ImportError:
        raise FormatError(f"{path}: {INSTALL_HINT}") from None
    try:
        log = read_eval_log(str(path))
    except Exception as exc:  # noqa: BLE001 - inspect_ai raises its own errors for a damaged or foreign file
        raise FormatError(
            f"{path}: inspect_ai could not read it as an eval log ({type(exc).__name__}: {exc})"
        ) from None
    model = log.eval.model
    samples = log.samples or []
    if not samples:
        context.report.warnings.append(f"{path}: the eval log ({log.status}) has no samples")
    epochs = {sample.epoch for sample in samples}
    to_float = value_to_float()
    for number, sample in enumerate(samples, start=1):
        where = f"{path}:sample {sample.id}" + (f" epoch {sample.epoch}" if len(epochs) > 1 else "")
        metadata: dict[str, Any] = dict(sample.metadata or {})
        task_id = str(metadata.get("task_id") or sample.id)
        completion = sample.output.completion if sample.output is not None else ""
        if not completion and sample.error is not None:
            context.report.fail(where, f"the sample ended in an error and has no answer: {sample.error.message}")
            continue
        attempt_id = f"{model}/{task_id}" + (f"#{sample.epoch}" if len(epochs) > 1 else "")
        data: dict[str, Any] = {
            "attempt_id": attempt_id,
            "task_id": task_id,
            "model": model,
            "response": completion,
            "meta": {
                "format": "inspect",
                "eval_id": log.eval.eval_id,
                "task": log.eval.task,
                "sample_id": sample.id,
                "epoch": sample.epoch,
            },
        }
        for key in ("original", "path", "language"):
            if key in metadata:
                data[key] = metadata[key]
        verdicts = _verdicts(sample.scores or {}, to_float)
        if verdicts:
            data["verdicts"] = verdicts
        yield source_line(path, number, data)  # FILE:N, the Nth sample of the log


def _verdicts(scores: dict[str, Any], to_float: Any) -> dict[str, dict[str, Any]]:
    verdicts: dict[str, dict[str, Any]] = {}
    for scorer, score in scores.items():
        value = score.value
        values = value if isinstance(value, dict) else {scorer: value}
        for name, item in values.items():
            number = float(to_float(item))
            body: dict[str, Any] = {"outcome": "pass" if number >= 1.0 else "fail", "score": number}
            if score.explanation:
                body["evidence"] = [
                    {"side": "refactored", "line": None, "column": None, "message": str(score.explanation)}
                ]
            verdicts[stage_name(str(name))] = body
    return verdicts
