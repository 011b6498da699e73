"""bare-tui from Python: open a session read-only and read what an analyst needs as plain dicts, so scripts
never reach into the store or re-derive its rules.

    from bare_tui.api import open_session

    with open_session("sessions/study.db") as session:
        for row in session.attempt_stages(columns=["model", "stage", "outcome", "consensus", "dispute"]):
            ...
        failures = [row for row in session.disputes() if row["kind"] == "disputed failure"]
        frame = pandas.DataFrame(session.attempt_stages())  # or polars.DataFrame(list(...))

Rows are those of the exports (`bare-tui export SESSION --what ...`): the same keys on every row, JSON
booleans as True/False, lists as lists, null as None. Iterators read the session in batches, so a
BARE-sized study is never held whole unless you ask for a list.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from .exporter import chosen_columns, records, view_records
from .store import ANALYST_VIEW_NAMES, Store

__all__ = ["COLUMN_DESCRIPTIONS", "Session", "datasette_metadata", "open_session"]


class Session:
    """A session opened read-only (nothing a script does here can change it). Use as a context manager."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._store = Store.open(self.path, readonly=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    def attempt_stages(self, columns: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """One row per attempt and stage: the verdict that counts, each reviewer's label in force, the
        consensus and the dispute kind (the `attempt_stages` view; COLUMN_DESCRIPTIONS says what each is)."""
        return view_records(self._store, "attempt-stages", chosen_columns("attempt-stages", columns))

    def disputes(self, columns: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """The audit list in auditing order: disputed failures first (the `disputes` view)."""
        return view_records(self._store, "disputes", chosen_columns("disputes", columns))

    def records(self, what: str, source: str | None = None) -> Iterator[dict[str, Any]]:
        """The records of an export: `attempts`, `verdicts` (of one source, if named), `judgements` (every
        row, superseded ones included) or `adjudications`, in the interchange format of DESIGN.md."""
        if what not in ("attempts", "verdicts", "judgements", "adjudications"):
            raise ValueError(f"unknown records '{what}' (expected attempts, verdicts, judgements or adjudications)")
        return iter(records(self._store, what, source))

    def stages(self) -> list[str]:
        """The stages the session has verdicts for: the five and overall, then extra stages by name."""
        return self._store.stage_names()


def open_session(path: str | os.PathLike[str]) -> Session:
    """Open a session read-only; a missing or non-session file is a SessionError with one line saying why."""
    return Session(path)


COLUMN_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "attempt_stages": {
        "attempt_id": "the attempt (one model's answer for one task)",
        "task_id": "the task: one original file to refactor",
        "model": "the model that answered",
        "language": "the task's language",
        "path": "the original file's path in its repository",
        "stage": "syntax, signatures, integrity, defects, maintainability, overall, or an extra stage",
        "outcome": "the verdict that counts: pass, fail, error or skipped (null: no verdict). bare-tui's own "
        "verdicts of the newest run where the attempt has any, else the imported source's",
        "score": "the counting verdict's score, where the stage gives one",
        "source": "whose verdict counts: bare-tui or the external pipeline's name",
        "pipeline_version": "the counting verdict's pipeline version",
        "labels": "each reviewer's label in force, as a JSON list of {reviewer, label}",
        "reviewers": "how many reviewers have a label in force",
        "pass_labels": "labels in force that say pass",
        "fail_labels": "labels in force that say fail",
        "unsure_labels": "labels in force that say unsure",
        "people": "the reviewers' strict majority of pass/fail (unsure and ties: null), before any adjudication",
        "adjudicated": "the auditor's final label, when the attempt-stage was settled",
        "adjudication_reason": "why the auditor settled it that way",
        "consensus": "the human consensus: the adjudication when there is one, else the reviewers' majority",
        "dispute": "disputed failure (pipeline fail, people pass), pipeline vs people, reviewers disagree, or null",
        "disputed_failure": "1 when the pipeline said fail and the consensus says pass",
    },
    "disputes": {
        "attempt_id": "the attempt",
        "task_id": "the task",
        "model": "the model that answered",
        "language": "the task's language",
        "path": "the original file's path",
        "stage": "the field in dispute (overall for a flagged attempt)",
        "kind": "why it came to audit: disputed failure, pipeline vs people, reviewers disagree or flagged; "
        "judged before any adjudication, so a settled item stays listed",
        "outcome": "the verdict that counts",
        "labels": "each reviewer's label in force, as a JSON list of {reviewer, label}",
        "people": "the reviewers' majority before adjudication",
        "adjudicated": "the auditor's final label, once settled",
        "adjudication_reason": "why the auditor settled it that way",
        "consensus": "the human consensus from now on",
        "settled": "1 once an auditor adjudicated it",
        "flagged_by": "the reviewers who sent the attempt to audit, as a JSON list",
    },
}

CANNED_QUERIES: dict[str, dict[str, str]] = {
    "pass_rate_by_model_and_stage": {
        "title": "Pass rate by model and stage: the pipeline's and people's",
        "description": "pipeline_pass_rate over pass/fail verdicts; people_pass_rate over attempt-stages with a "
        "human consensus; error and skipped verdicts are left out, as the statistics do",
        "sql": "SELECT model, stage,\n"
        "  COUNT(CASE WHEN outcome IN ('pass', 'fail') THEN 1 END) AS verdicts,\n"
        "  ROUND(1.0 * SUM(outcome = 'pass') / NULLIF(SUM(outcome IN ('pass', 'fail')), 0), 4)"
        " AS pipeline_pass_rate,\n"
        "  SUM(consensus IS NOT NULL) AS judged,\n"
        "  ROUND(1.0 * SUM(consensus = 'pass') / NULLIF(SUM(consensus IS NOT NULL), 0), 4) AS people_pass_rate,\n"
        "  SUM(disputed_failure) AS disputed_failures\n"
        "FROM attempt_stages GROUP BY model, stage\n"
        "ORDER BY model, CASE stage WHEN 'syntax' THEN 0 WHEN 'signatures' THEN 1 WHEN 'integrity' THEN 2"
        " WHEN 'defects' THEN 3 WHEN 'maintainability' THEN 4 WHEN 'overall' THEN 5 ELSE 6 END, stage",
    },
    "disputed_failures": {
        "title": "Disputed failures: the pipeline said fail, people said pass",
        "description": "the audit list's first kind, open ones first",
        "sql": "SELECT attempt_id, model, language, path, stage, labels, adjudicated, adjudication_reason, settled\n"
        "FROM disputes WHERE kind = 'disputed failure' ORDER BY settled, model, attempt_id",
    },
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette metadata (docs.datasette.io, "Metadata") for a session served as `database` (Datasette names
    a database after its file's stem): the views' column descriptions and the canned queries."""
    tables = {
        view: {"description": _VIEW_DESCRIPTIONS[view], "columns": COLUMN_DESCRIPTIONS[view]}
        for view in ANALYST_VIEW_NAMES
    }
    return {
        "title": "bare-tui: an automated pipeline checked against human judgement",
        "databases": {database: {"tables": tables, "queries": CANNED_QUERIES}},
    }


_VIEW_DESCRIPTIONS = {
    "attempt_stages": "One row per attempt and stage, with bare-tui's own rules applied: the verdict that counts, "
    "each reviewer's label in force, the consensus and the dispute kind.",
    "disputes": "The audit list: disputed attempt-stages and flagged attempts, in auditing order.",
}
