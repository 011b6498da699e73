"""The converted real corpus (bench/real/convert_sustainable.py writes it): one JSON object a line, a task (with
`language`, `path`, `original`) or an attempt of one (with `attempt_id`, `model`, `refactored`), tasks first.
The bench scripts that read it (sample.py, real_agreement.py, undefined_names_gcc.py) read it through here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path


def read_corpus(
    path: Path, keep_task: Callable[[dict], bool] = lambda task: True
) -> tuple[dict[str, dict], list[dict]]:
    """(the tasks `keep_task` keeps, by id; the attempts of those tasks, in the corpus's order)."""
    tasks: dict[str, dict] = {}
    attempts: list[dict] = []
    for _, record in corpus_lines(path):
        if "attempt_id" in record:
            if record["task_id"] in tasks:
                attempts.append(record)
        elif "task_id" in record and keep_task(record):
            tasks[record["task_id"]] = record
    return tasks, attempts


def corpus_lines(path: Path) -> Iterator[tuple[str, dict]]:
    """Each line of the corpus as it is written, with its record."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield line, json.loads(line)
