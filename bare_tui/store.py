"""The session database: the one module that holds SQL. Every write is one committed transaction."""

from __future__ import annotations

import bisect
import contextlib
import gc
import hashlib
import itertools
import json
import math
import os
import re
import signal
import socket
import sqlite3
import sys
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Self, TypeAlias, cast, overload

from .model import (
    FIELD_INDEX,
    FIELDS,
    OWN_SOURCE,
    Adjudication,
    Attempt,
    AttemptSummary,
    Evidence,
    Flag,
    Judgement,
    Label,
    Outcome,
    PlanItem,
    PlanPopulation,
    PlanRecord,
    PlanStratum,
    ReasonCode,
    Task,
    Verdict,
    stage_order,
)

if TYPE_CHECKING:
    import numpy as np

APPLICATION_ID = 0x42415245  # "BARE": marks a file as a bare-tui session
BUSY_TIMEOUT_MS = 5000


class SessionError(Exception):
    """A session cannot be opened or written; the message is one line a user can act on."""


DatabaseFault = sqlite3.DatabaseError
"""What SQLite raises when a session's file fails mid-query (a damaged page): callers outside this module
catch it by this name, so that SQL stays here."""


class DiskFull(SessionError):
    """A write failed for want of space; the transaction was rolled back and can be retried."""


class RecordRejected(ValueError):
    """The database refused one record (a constraint); what was written of it has been rolled back."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in the block, for a bulk read: its millions of rows of strings and numbers
    all live on and none is in a cycle, so every collection their allocations set off walks them all again and
    frees nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def utc_now() -> str:
    """An ISO-8601 UTC timestamp with a Z, as the interchange formats use."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return str(uuid.uuid4())


_FIELD_VALUES = ", ".join(f"('{name}', {index})" for index, name in enumerate(FIELDS))
_FIELD_LIST = ", ".join(f"'{name}'" for name in FIELDS)

# One row per attempt and stage: each attempt's six fields, and any extra stage it has a verdict, label or
# adjudication for. The same rules as the Python code: the verdict that counts is Store._chosen_verdicts' (own
# source first, then the newest run, the first written on a tie; an attempt with any own verdict uses only its
# own), the label in force Store._labels_in_force's, the newest adjudication Store.adjudications', and the
# consensus and dispute consensus.py's. tests/unit/test_views.py checks them against the Python on random sessions.
# The verdict that counts as step 5 chose it in the view itself; step 6 reads it from chosen_verdicts instead.
_CHOSEN_5 = f"""chosen AS (
    SELECT attempt_id, stage, outcome, score, source, pipeline_version FROM (
        SELECT v.attempt_id, v.stage, v.outcome, v.score, v.source, v.pipeline_version,
            ROW_NUMBER() OVER (PARTITION BY v.attempt_id, v.stage ORDER BY v.source = '{OWN_SOURCE}' DESC,
                v.created_at DESC, v.pipeline_version DESC, v.rowid) AS rank,
            MAX(v.source = '{OWN_SOURCE}') OVER (PARTITION BY v.attempt_id) AS attempt_has_own
        FROM verdicts v)
    WHERE rank = 1 AND (source = '{OWN_SOURCE}' OR NOT attempt_has_own)),"""
_ATTEMPT_STAGES_VIEW_5 = f"""CREATE VIEW attempt_stages AS
WITH
stage_names(stage, stage_index) AS (VALUES {_FIELD_VALUES}),
{_CHOSEN_5}
in_force AS (
    SELECT attempt_id, stage, reviewer, label FROM (
        SELECT j.attempt_id, j.stage, j.reviewer, j.label, j.retracted,
            ROW_NUMBER() OVER (PARTITION BY j.attempt_id, j.reviewer, j.stage
                ORDER BY j.saved_at DESC, j.rowid DESC) AS rank
        FROM judgements j WHERE NOT EXISTS (SELECT 1 FROM judgements s WHERE s.supersedes = j.judgement_id))
    WHERE rank = 1 AND NOT retracted),
people AS (
    SELECT attempt_id, stage, json_group_array(json_object('reviewer', reviewer, 'label', label)) AS labels,
        COUNT(*) AS reviewers,
        SUM(label = 'pass') AS pass_labels, SUM(label = 'fail') AS fail_labels, SUM(label = 'unsure') AS unsure_labels
    FROM (SELECT * FROM in_force ORDER BY reviewer) GROUP BY attempt_id, stage),
settled AS (
    SELECT attempt_id, stage, label, reason FROM (
        SELECT a.attempt_id, a.stage, a.label, a.reason,
            ROW_NUMBER() OVER (PARTITION BY a.attempt_id, a.stage ORDER BY a.saved_at DESC, a.rowid DESC) AS rank
        FROM adjudications a)
    WHERE rank = 1),
cells AS (
    SELECT a.attempt_id, n.stage FROM attempts a CROSS JOIN stage_names n
    UNION SELECT attempt_id, stage FROM chosen
    UNION SELECT attempt_id, stage FROM people
    UNION SELECT attempt_id, stage FROM settled),
judged AS (
    SELECT c.attempt_id, a.task_id, a.model, t.language, t.path, c.stage, v.outcome, v.score, v.source,
        v.pipeline_version, COALESCE(p.labels, '[]') AS labels, COALESCE(p.reviewers, 0) AS reviewers,
        COALESCE(p.pass_labels, 0) AS pass_labels, COALESCE(p.fail_labels, 0) AS fail_labels,
        COALESCE(p.unsure_labels, 0) AS unsure_labels,
        CASE WHEN p.pass_labels > p.fail_labels THEN 'pass' WHEN p.fail_labels > p.pass_labels THEN 'fail' END
            AS people,
        d.label AS adjudicated, d.reason AS adjudication_reason, a.seq, COALESCE(n.stage_index, 6) AS stage_index
    FROM cells c JOIN attempts a ON a.attempt_id = c.attempt_id JOIN tasks t ON t.task_id = a.task_id
    LEFT JOIN stage_names n ON n.stage = c.stage
    LEFT JOIN chosen v ON v.attempt_id = c.attempt_id AND v.stage = c.stage
    LEFT JOIN people p ON p.attempt_id = c.attempt_id AND p.stage = c.stage
    LEFT JOIN settled d ON d.attempt_id = c.attempt_id AND d.stage = c.stage),
agreed AS (
    SELECT *, CASE WHEN adjudicated IN ('pass', 'fail') THEN adjudicated ELSE people END AS consensus FROM judged)
SELECT attempt_id, task_id, model, language, path, stage, outcome, score, source, pipeline_version, labels,
    reviewers, pass_labels, fail_labels, unsure_labels, people, adjudicated, adjudication_reason, consensus,
    CASE WHEN outcome = 'fail' AND consensus = 'pass' THEN 'disputed failure'
        WHEN outcome IN ('pass', 'fail') AND consensus IS NOT NULL AND consensus != outcome THEN 'pipeline vs people'
        WHEN (adjudicated IS NULL OR adjudicated NOT IN ('pass', 'fail')) AND pass_labels > 0 AND fail_labels > 0
            THEN 'reviewers disagree'
    END AS dispute,
    outcome IS 'fail' AND consensus IS 'pass' AS disputed_failure
FROM agreed ORDER BY seq, stage_index, stage"""

# The audit list (audit.build_items): the attempt-stages of the five and overall that people labelled or an
# auditor settled, with why they came to audit, judged without the adjudication so a settled item stays;
# and each flagged attempt's `overall`. In auditing order: disputed failures, pipeline vs people, reviewers
# disagree, flagged; then import order and stage order.
_FIELD_ORDER = " ".join(f"WHEN '{name}' THEN {index}" for index, name in enumerate(FIELDS))

_DISPUTES_VIEW_5 = f"""CREATE VIEW disputes AS
WITH
flagged AS (
    SELECT attempt_id, json_group_array(reviewer) AS flagged_by
    FROM (SELECT * FROM flags WHERE flagged ORDER BY reviewer) GROUP BY attempt_id),
judged AS (
    SELECT s.*, f.flagged_by,
        CASE WHEN s.outcome = 'fail' AND s.people = 'pass' THEN 'disputed failure'
            WHEN s.outcome IN ('pass', 'fail') AND s.people IS NOT NULL AND s.people != s.outcome
                THEN 'pipeline vs people'
            WHEN s.pass_labels > 0 AND s.fail_labels > 0 THEN 'reviewers disagree'
            WHEN s.stage = 'overall' AND f.flagged_by IS NOT NULL THEN 'flagged'
        END AS kind
    FROM attempt_stages s LEFT JOIN flagged f ON f.attempt_id = s.attempt_id
    WHERE s.stage IN ({_FIELD_LIST})
        AND (s.reviewers > 0 OR s.adjudicated IS NOT NULL OR (s.stage = 'overall' AND f.flagged_by IS NOT NULL)))
SELECT j.attempt_id, j.task_id, j.model, j.language, j.path, j.stage, j.kind, j.outcome, j.labels, j.people,
    j.adjudicated, j.adjudication_reason, j.consensus, j.adjudicated IS NOT NULL AS settled,
    COALESCE(j.flagged_by, '[]') AS flagged_by
FROM judged j JOIN attempts a ON a.attempt_id = j.attempt_id
WHERE j.kind IS NOT NULL
ORDER BY CASE j.kind WHEN 'disputed failure' THEN 0 WHEN 'pipeline vs people' THEN 1
    WHEN 'reviewers disagree' THEN 2 ELSE 3 END, a.seq, CASE j.stage {_FIELD_ORDER} END"""

# Step 5's views as released; step 6 re-creates them reading the verdict that counts from chosen_verdicts.
_ANALYST_VIEWS_5 = [_ATTEMPT_STAGES_VIEW_5, _DISPUTES_VIEW_5]
_CHOSEN_6 = """chosen AS (
    SELECT attempt_id, stage, outcome, score, source, pipeline_version FROM chosen_verdicts WHERE counts),"""
assert _CHOSEN_5 in _ATTEMPT_STAGES_VIEW_5
ATTEMPT_STAGES_VIEW = _ATTEMPT_STAGES_VIEW_5.replace(_CHOSEN_5, _CHOSEN_6)
# Step 6's audit list also holds the extra stages people labelled (`tests`), after the six in stage order.
_FIELDS_ONLY_5 = f"""    WHERE s.stage IN ({_FIELD_LIST})
        AND (s.reviewers > 0"""
_ORDER_5 = f"a.seq, CASE j.stage {_FIELD_ORDER} END"
assert _FIELDS_ONLY_5 in _DISPUTES_VIEW_5 and _ORDER_5 in _DISPUTES_VIEW_5
DISPUTES_VIEW = _DISPUTES_VIEW_5.replace(_FIELDS_ONLY_5, "    WHERE (s.reviewers > 0").replace(
    _ORDER_5, f"a.seq, CASE j.stage {_FIELD_ORDER} ELSE {len(FIELDS)} END, j.stage"
)
ANALYST_VIEWS = [ATTEMPT_STAGES_VIEW, DISPUTES_VIEW]
ANALYST_VIEW_NAMES = ("attempt_stages", "disputes")

# The rule of Store._chosen_verdicts as SQL, writing chosen_verdicts: per attempt, stage and source the newest
# run (created_at, then pipeline version, the first written on a tie), and among those the one that counts: own
# source first, then the newest; an attempt with any own verdict counts only its own in the fields bare-tui
# judges (the five stages and overall), while an extra stage (`tests`), which bare-tui never writes, counts from
# the newest imported run that brings it. {where} limits it to some
# attempts (the ones a transaction wrote verdicts for); the migration runs it over every verdict.
_RECOUNT = f"""INSERT INTO chosen_verdicts
    (attempt_id, stage, source, verdict, outcome, score, pipeline_version, counts)
WITH newest AS (
    SELECT * FROM (
        SELECT v.attempt_id, v.stage, v.source, v.rowid AS verdict, v.outcome, v.score, v.pipeline_version,
            v.created_at, ROW_NUMBER() OVER (PARTITION BY v.attempt_id, v.stage, v.source
                ORDER BY v.created_at DESC, v.pipeline_version DESC, v.rowid) AS run
        FROM verdicts v{{where}})
    WHERE run = 1),
ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY attempt_id, stage ORDER BY source = '{OWN_SOURCE}' DESC,
            created_at DESC, pipeline_version DESC, verdict) AS rank,
        MAX(source = '{OWN_SOURCE}') OVER (PARTITION BY attempt_id) AS has_own
    FROM newest)
SELECT attempt_id, stage, source, verdict, outcome, score, pipeline_version,
    rank = 1 AND (source = '{OWN_SOURCE}' OR NOT has_own OR stage NOT IN ({_FIELD_LIST}))
FROM ranked"""
_DIRTY = " WHERE v.attempt_id IN (SELECT attempt_id FROM temp.dirty_attempts)"

# Each attempt's outcomes of the verdicts that count in the six fields, packed into one integer kept beside the
# attempt (attempts.field_outcomes, written with chosen_verdicts in the same transaction): FIELD_OUTCOME_BITS
# bits per field in FIELDS order, 0 for no verdict, 1 + its index in Outcome for an outcome, FIELD_OUTCOME_OTHER
# for a text outside Outcome (never written by the store). The queue lists a BARE-sized study from one scan of
# the attempts table with it, instead of pivoting 1.5 million verdict rows in Python.
FIELD_OUTCOME_BITS = 3
FIELD_OUTCOME_OTHER = 7
FIELD_OUTCOME_NAMES: tuple[str, ...] = tuple(o.value for o in Outcome)
_OUTCOME_CODE = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(FIELD_OUTCOME_NAMES, 1))
_FIELD_OUTCOMES = f"""UPDATE attempts SET field_outcomes = COALESCE((
    SELECT SUM((CASE c.outcome {_OUTCOME_CODE} ELSE {FIELD_OUTCOME_OTHER} END)
        << ({FIELD_OUTCOME_BITS} * (CASE c.stage {_FIELD_ORDER} END)))
    FROM chosen_verdicts c WHERE c.attempt_id = attempts.attempt_id AND c.counts AND c.stage IN ({_FIELD_LIST})), 0)
{{where}}"""
_DIRTY_ATTEMPTS = " WHERE attempt_id IN (SELECT attempt_id FROM temp.dirty_attempts)"

# The label in force, decided when judgements are written (judgements.in_force, kept by Store._recount in the
# same transaction): per attempt, reviewer and stage the newest row (saved_at, then the order written) that no
# row supersedes, unless it is a withdrawal; the rule of Store._labels_in_force. {where} limits it to the keys
# a transaction wrote (temp.dirty_labels); the migration runs it over every judgement.
_LABEL_KEYS = "({0}attempt_id, {0}reviewer, {0}stage) IN (SELECT attempt_id, reviewer, stage FROM temp.dirty_labels)"
_IN_FORCE_CLEAR = "UPDATE judgements SET in_force = 0 WHERE in_force{where}"
_IN_FORCE_SET = """UPDATE judgements SET in_force = 1 WHERE rowid IN (
    SELECT written FROM (
        SELECT j.rowid AS written, j.retracted, ROW_NUMBER() OVER (PARTITION BY j.attempt_id, j.reviewer, j.stage
            ORDER BY j.saved_at DESC, j.rowid DESC) AS rank
        FROM judgements j WHERE NOT EXISTS (SELECT 1 FROM judgements s WHERE s.supersedes = j.judgement_id){where})
    WHERE rank = 1 AND NOT retracted)"""

# The audit list (Store.audit_rows, the rules of audit.build_items): each attempt-stage with labels in force
# tallied, and each flagged attempt's `overall`; its verdict that counts (a field's unpacked from the attempt's
# field_outcomes, an extra stage's or a text outside Outcome from chosen_verdicts), the people's majority and why it
# is disputed, decided before the few listed cells are joined to their task and their labels read.
_AUDIT_KINDS = ("disputed failure", "pipeline vs people", "reviewers disagree", "flagged")
_AUDIT_OUTCOME = " ".join(f"WHEN {code} THEN '{name}'" for code, name in enumerate(FIELD_OUTCOME_NAMES, 1))
_AUDIT_ROWS = f"""WITH tally AS (
    SELECT attempt_id, stage, SUM(label = 'pass') AS passes, SUM(label = 'fail') AS fails
    FROM judgements WHERE in_force GROUP BY attempt_id, stage),
flagged AS (SELECT DISTINCT attempt_id FROM flags WHERE flagged),
cells AS (
    SELECT attempt_id, stage, passes, fails FROM tally
    UNION ALL SELECT attempt_id, 'overall', 0, 0 FROM flagged f WHERE NOT EXISTS
        (SELECT 1 FROM tally t WHERE t.attempt_id = f.attempt_id AND t.stage = 'overall')),
judged AS MATERIALIZED (
    SELECT c.*, a.seq, a.model, a.task_id,
        CASE (a.field_outcomes >> ({FIELD_OUTCOME_BITS} * (CASE c.stage {_FIELD_ORDER} END))) & {FIELD_OUTCOME_OTHER}
            WHEN 0 THEN NULL {_AUDIT_OUTCOME}
            ELSE (SELECT v.outcome FROM chosen_verdicts v
                WHERE v.attempt_id = c.attempt_id AND v.stage = c.stage AND v.counts) END AS outcome,
        CASE WHEN c.passes > c.fails THEN 'pass' WHEN c.fails > c.passes THEN 'fail' END AS people
    FROM cells c JOIN attempts a ON a.attempt_id = c.attempt_id),
kinds AS MATERIALIZED (
    SELECT * FROM (
        SELECT *, CASE WHEN outcome = 'fail' AND people = 'pass' THEN 0
            WHEN outcome IN ('pass', 'fail') AND people IS NOT NULL AND people != outcome THEN 1
            WHEN passes > 0 AND fails > 0 THEN 2
            WHEN stage = 'overall' AND attempt_id IN (SELECT attempt_id FROM flagged) THEN 3 END AS kind
        FROM judged)
    WHERE kind IS NOT NULL)
SELECT k.attempt_id, k.stage, k.kind, k.seq, t.path, t.language, k.model, k.outcome, k.people,
    (SELECT json_group_array(json_array(j.reviewer, j.label)) FROM judgements j
        WHERE j.in_force AND j.attempt_id = k.attempt_id AND j.stage = k.stage) AS labels
FROM kinds k JOIN tasks t ON t.task_id = k.task_id
ORDER BY k.kind, k.seq, CASE k.stage {_FIELD_ORDER} ELSE {len(FIELDS)} END, k.stage"""

# Each entry takes the schema from the version before it to its own number; a database at version N runs
# every step after N. Never edit a released step: append a new one (SCHEMA_VERSION follows the last).
# Evidence a verify or import wrote before it was validated (schema 5 and earlier): not JSON, not a list, an item
# that is not an object, a side other than original or refactored, a message that is not text, a line or column
# that is not a whole number. CASE keeps json_each away from text that is not JSON.
_MALFORMED_EVIDENCE = """SELECT rowid, evidence FROM verdicts WHERE CASE
    WHEN evidence IS NULL OR NOT json_valid(evidence) OR json_type(evidence) != 'array' THEN 1
    ELSE EXISTS (SELECT 1 FROM json_each(verdicts.evidence) e WHERE e.type != 'object'
        OR json_type(e.value, '$.side') IS NOT 'text'
        OR json_extract(e.value, '$.side') NOT IN ('original', 'refactored')
        OR json_type(e.value, '$.message') IS NOT 'text'
        OR COALESCE(json_type(e.value, '$.line'), 'null') NOT IN ('integer', 'null')
        OR COALESCE(json_type(e.value, '$.column'), 'null') NOT IN ('integer', 'null'))
    END"""


def _mend_stored_evidence(conn: sqlite3.Connection) -> None:
    """Rewrite malformed stored evidence once, as the tolerant read shows it (_stored_evidence), so that the
    exports, which copy stored evidence without decoding it, write valid lines that re-import."""
    mended = [
        (_dump([e.to_json() for e in _stored_evidence(text)]), rowid)
        for rowid, text in conn.execute(_MALFORMED_EVIDENCE).fetchall()
    ]
    conn.executemany("UPDATE verdicts SET evidence = ? WHERE rowid = ?", mended)


# An attempt's long texts, in the attempt_texts table.
_LONG_TEXTS = ("refactored", "response", "patch")


# A step is SQL statements and, where SQL cannot say it, a function given the connection (same transaction).
_MIGRATIONS: list[tuple[int, list[str | Callable[[sqlite3.Connection], None]]]] = [
    (
        1,
        [
            """CREATE TABLE tasks (
                task_id TEXT PRIMARY KEY, language TEXT NOT NULL, path TEXT NOT NULL,
                original TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}', seq INTEGER NOT NULL)""",
            """CREATE TABLE attempts (
                attempt_id TEXT PRIMARY KEY, task_id TEXT NOT NULL REFERENCES tasks(task_id),
                model TEXT NOT NULL, refactored TEXT, response TEXT, patch TEXT,
                meta TEXT NOT NULL DEFAULT '{}', problems TEXT NOT NULL DEFAULT '[]', seq INTEGER NOT NULL)""",
            """CREATE TABLE verdicts (
                attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id), stage TEXT NOT NULL,
                source TEXT NOT NULL, pipeline_version TEXT NOT NULL, outcome TEXT NOT NULL,
                score REAL, evidence TEXT NOT NULL DEFAULT '[]', details TEXT NOT NULL DEFAULT '{}',
                created_at TEXT NOT NULL,
                PRIMARY KEY (attempt_id, stage, source, pipeline_version))""",
            """CREATE TABLE reviewers (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)""",
            """CREATE TABLE judgements (
                judgement_id TEXT PRIMARY KEY, attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
                reviewer TEXT NOT NULL REFERENCES reviewers(name), stage TEXT NOT NULL, label TEXT NOT NULL,
                confidence INTEGER, note TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
                saw_verdicts INTEGER NOT NULL DEFAULT 0, opened_at TEXT, saved_at TEXT,
                supersedes TEXT)""",
            """CREATE TABLE adjudications (
                adjudication_id TEXT PRIMARY KEY, attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
                stage TEXT NOT NULL, auditor TEXT NOT NULL, label TEXT NOT NULL, reason TEXT NOT NULL,
                note TEXT NOT NULL DEFAULT '', saved_at TEXT NOT NULL)""",
            """CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
            "CREATE INDEX idx_attempts_task ON attempts(task_id)",
            "CREATE INDEX idx_judgements_attempt ON judgements(attempt_id, reviewer, stage)",
        ],
    ),
    (
        2,
        [
            # Undo writes rows that withdraw a label; flags let any reviewer send an attempt to audit.
            "ALTER TABLE judgements ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE judgements ADD COLUMN save_id TEXT",
            "ALTER TABLE judgements ADD COLUMN undo INTEGER NOT NULL DEFAULT 0",
            # Rows saved before saves had ids: one save per reviewer and moment, as they were written.
            "UPDATE judgements SET save_id = reviewer || '@' || COALESCE(saved_at, judgement_id)",
            """CREATE TABLE flags (
                attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id), reviewer TEXT NOT NULL,
                flagged INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '', saved_at TEXT NOT NULL,
                PRIMARY KEY (attempt_id, reviewer))""",
            # The queue's queries: by model, language, stage outcome, judged by a reviewer, disputed.
            "CREATE INDEX idx_attempts_model ON attempts(model)",
            "CREATE INDEX idx_tasks_language ON tasks(language)",
            "CREATE INDEX idx_verdicts_stage_outcome ON verdicts(stage, outcome)",
            "CREATE INDEX idx_verdicts_source ON verdicts(source, pipeline_version)",
            "CREATE INDEX idx_judgements_reviewer ON judgements(reviewer, attempt_id)",
            "CREATE INDEX idx_judgements_supersedes ON judgements(supersedes)",
            "CREATE INDEX idx_judgements_save ON judgements(reviewer, save_id)",
            "CREATE INDEX idx_adjudications_attempt ON adjudications(attempt_id, stage)",
        ],
    ),
    (
        3,
        [
            # Import order: each insert asks for MAX(seq), which without these scanned the whole table.
            "CREATE UNIQUE INDEX idx_attempts_seq ON attempts(seq)",
            "CREATE UNIQUE INDEX idx_tasks_seq ON tasks(seq)",
        ],
    ),
    (
        4,
        [
            # Review plans: a recorded probability sample (DESIGN.md "Review plans"). The population table
            # keeps each attempt's stratum as drawn, so the estimators see the same strata after a re-verify.
            """CREATE TABLE plans (
                name TEXT PRIMARY KEY, definition TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,
                size INTEGER NOT NULL)""",
            """CREATE TABLE plan_strata (
                plan TEXT NOT NULL REFERENCES plans(name), stratum TEXT NOT NULL,
                population INTEGER NOT NULL, drawn INTEGER NOT NULL,
                PRIMARY KEY (plan, stratum)) WITHOUT ROWID""",
            """CREATE TABLE plan_items (
                plan TEXT NOT NULL REFERENCES plans(name), attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
                stratum TEXT NOT NULL, inclusion_probability REAL, position INTEGER NOT NULL,
                reviewers TEXT NOT NULL DEFAULT '[]', gold INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (plan, attempt_id), UNIQUE (plan, position))""",
            # One row per stratum holding its attempts as a JSON array: a BARE-sized population (243,732
            # attempts) writes as a few rows rather than one per attempt, and reads whole in one query.
            """CREATE TABLE plan_population (
                plan TEXT NOT NULL REFERENCES plans(name), stratum TEXT NOT NULL,
                attempt_ids TEXT NOT NULL DEFAULT '[]',
                PRIMARY KEY (plan, stratum)) WITHOUT ROWID""",
            # ... and as rows, one per attempt, for SQL users (Datasette, sqlite-utils).
            """CREATE VIEW plan_members AS SELECT p.plan AS plan, m.value AS attempt_id, p.stratum AS stratum
                FROM plan_population p, json_each(p.attempt_ids) m""",
        ],
    ),
    (
        5,
        # The analyst's surface: bare-tui's rules as SQL, so Datasette and sqlite-utils users need no code.
        # A later change of a rule drops and re-creates its view in a new step.
        ["DROP VIEW IF EXISTS disputes", "DROP VIEW IF EXISTS attempt_stages", *_ANALYST_VIEWS_5],
    ),
    (
        6,
        [
            # Texts out of the attempts table: list reads (summaries, the queue, audit, statistics) walk small
            # rows only; a BARE-sized study keeps 2.7 GB of answer texts here instead.
            """CREATE TABLE attempt_texts (
                attempt_id TEXT PRIMARY KEY REFERENCES attempts(attempt_id),
                refactored TEXT, response TEXT, patch TEXT)""",
            "INSERT INTO attempt_texts (attempt_id, refactored, response, patch)"
            " SELECT attempt_id, refactored, response, patch FROM attempts ORDER BY seq",
            "DROP VIEW IF EXISTS disputes",
            "DROP VIEW IF EXISTS attempt_stages",
            "ALTER TABLE attempts DROP COLUMN refactored",
            "ALTER TABLE attempts DROP COLUMN response",
            "ALTER TABLE attempts DROP COLUMN patch",
            # A task's attempts in import order: an attempts export finds each task's first attempt by it.
            "CREATE INDEX idx_attempts_task_seq ON attempts(task_id, seq)",
            # The verdict that counts, decided when verdicts are written (Store._recount, in the same
            # transaction): one row per attempt, stage and source holding that source's newest run, `counts`
            # marking the one the rule chooses (DESIGN.md: own verdicts of the newest run where an attempt has
            # any, else the imported source's).
            """CREATE TABLE chosen_verdicts (
                attempt_id TEXT NOT NULL, stage TEXT NOT NULL, source TEXT NOT NULL, verdict INTEGER NOT NULL,
                outcome TEXT NOT NULL, score REAL, pipeline_version TEXT NOT NULL, counts INTEGER NOT NULL,
                PRIMARY KEY (attempt_id, stage, source)) WITHOUT ROWID""",
            # the verdicts that count, covering what the light reads (statistics, queue, plans) take
            "CREATE INDEX idx_chosen_counted"
            " ON chosen_verdicts(stage, outcome, score, source, pipeline_version, counts) WHERE counts",
            "CREATE INDEX idx_chosen_source ON chosen_verdicts(source, stage)",
            _RECOUNT.format(where=""),
            _mend_stored_evidence,
            # Undo walks one reviewer's saves newest first.
            "CREATE INDEX idx_judgements_reviewer_saved ON judgements(reviewer, saved_at)",
            *ANALYST_VIEWS,
        ],
    ),
    (
        7,
        [
            # The outcomes of each attempt's verdicts that count in the six fields, packed (_FIELD_OUTCOMES) and
            # kept by Store._recount with chosen_verdicts: the queue reads them in its one scan of the attempts.
            "ALTER TABLE attempts ADD COLUMN field_outcomes INTEGER NOT NULL DEFAULT 0",
            _FIELD_OUTCOMES.format(where=""),
            # The label in force marked on its row (_IN_FORCE_SET), kept by Store._recount: the queue and the audit
            # list tally them along this index instead of deciding them again from every judgement on each read.
            "ALTER TABLE judgements ADD COLUMN in_force INTEGER NOT NULL DEFAULT 0",
            _IN_FORCE_SET.format(where=""),
            "CREATE INDEX idx_judgements_in_force ON judgements(attempt_id, stage, reviewer, label) WHERE in_force",
        ],
    ),
    (
        8,
        [
            # The long texts (a task's original; an attempt's refactored, response and patch: whole files) stored
            # in their JSON form (_stored_text), so that an attempts export copies them as they are instead of
            # decoding and escaping 1.8 GB of a BARE-sized study again on every export. SQLite's json_quote
            # writes what json.dumps(ensure_ascii=False) writes (tests/unit/test_export_streamed.py holds it).
            "UPDATE tasks SET original = json_quote(CAST(original AS TEXT))",
            "UPDATE attempt_texts SET"
            + ",".join(f" {c} = CASE WHEN {c} IS NOT NULL THEN json_quote(CAST({c} AS TEXT)) END" for c in _LONG_TEXTS),
        ],
    ),
]
SCHEMA_VERSION = _MIGRATIONS[-1][0]
# One ordered sequence with no gaps: a database's user_version names exactly the steps it has run.
assert [version for version, _ in _MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


# The columns that make up a record's content, a prefix of the rows add_tasks and add_attempts build: a key
# already present with other content is a conflict, never an overwrite and never "already present". Derived
# columns are left out (an attempt's problems: an exported invalid-UTF-8 answer re-imports as valid text), and
# so is a task's meta (an inline original takes the attempt's).
_CONTENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "tasks": ("task_id", "language", "path", "original"),
    "attempts": ("attempt_id", "task_id", "model", "refactored", "response", "patch", "meta"),
}


class ImportCounts(NamedTuple):
    """What one batch of import rows did: new rows written, rows already present and left alone."""

    inserted: int = 0
    unchanged: int = 0
    conflicts: tuple[str, ...] = ()  # keys already present with different content: the stored rows were kept


# The outcome codes of OutcomeTally: two bits per stage, TALLY_STAGES_PER_WORD stages to a (signed 64-bit) integer.
TALLY_ABSENT, TALLY_PASS, TALLY_FAIL, TALLY_OTHER = 0, 1, 2, 3

# One label in force as one small number, for Store.label_tallies: its field's index in FIELDS (len(FIELDS) for any
# other stage) << _TALLY_STAGE_SHIFT, then 2 bits of label (_TALLY_LABEL_PASS, _TALLY_LABEL_FAIL, 0 for any other)
# << 1, then 1 when the label is the reviewer's (the :reviewer parameter).
_TALLY_STAGE_SHIFT = 3
_TALLY_LABEL_PASS, _TALLY_LABEL_FAIL = 1, 2
_TALLY_CODE = (
    f"((CASE stage {_FIELD_ORDER} ELSE {len(FIELDS)} END) << {_TALLY_STAGE_SHIFT})"
    f" + (CASE label WHEN 'pass' THEN {_TALLY_LABEL_PASS << 1} WHEN 'fail' THEN {_TALLY_LABEL_FAIL << 1} ELSE 0 END)"
    " + (reviewer = :reviewer)"
)
TALLY_STAGES_PER_WORD = 31


@dataclass(frozen=True)
class OutcomeTally:
    """Store.outcome_tally's answer as named columns, entry k of each being combination k: its model and
    language (or its run), each stage's outcome packed into `words`, and how many attempts have it. Stage s
    of `stage_count` is bits 2 (s % TALLY_STAGES_PER_WORD) and up of word s // TALLY_STAGES_PER_WORD."""

    models: list[str]
    languages: list[str]
    runs: list[str]
    words: list[tuple[int, ...]]
    attempts: list[int]
    stage_count: int
    listed: list[int] = field(default_factory=list)  # with listed_in: how often the plan lists them

    def listed_only(self) -> OutcomeTally:
        """The combinations of the plan's population (with listed_in), counted as often as it lists them."""
        keep = [k for k, n in enumerate(self.listed) if n]
        return OutcomeTally(
            [self.models[k] for k in keep],
            [self.languages[k] for k in keep],
            [self.runs[k] for k in keep],
            [self.words[k] for k in keep],
            [self.listed[k] for k in keep],
            self.stage_count,
        )


class LabelColumnsInForce(NamedTuple):
    """The labels in force as named columns, entry k of each being label k (in the order written)."""

    attempt_ids: list[str]
    reviewers: list[str]
    stages: list[str]
    labels: list[str]  # the label's value ("pass", ...)
    saw_verdicts: list[int]  # 1: the reviewer had seen the verdicts; 0: labelled blind


class ReviewerLabelledAttempts(NamedTuple):
    """One reviewer's labelled attempts: those with a label in force on any field, and those labelled in every
    field asked about (both in id order)."""

    judged: list[str]
    fully_labelled: list[str]


class GroupNames(NamedTuple):
    """The models and the languages of a session's attempts."""

    models: list[str]
    languages: list[str]


class AttemptGroups(NamedTuple):
    """Attempts as named columns: each one's id, model and language."""

    attempt_ids: list[str]
    models: list[str]
    languages: list[str]


class VerdictRows(NamedTuple):
    """Verdicts as named columns: attempt, stage, outcome value, score and run (empty where not asked for)."""

    attempt_ids: list[str]
    stages: list[str]
    outcomes: list[str]
    scores: list[float | None]
    runs: list[str]

    @classmethod
    def of(cls, rows: Sequence[tuple[Any, ...]]) -> VerdictRows:
        if not rows:
            return cls([], [], [], [], [])
        attempt_ids, stages, outcomes, scores, runs = (list(column) for column in zip(*rows))
        return cls(attempt_ids, stages, outcomes, scores, runs)


class ImportPositions(NamedTuple):
    """Of some attempts: how many the session has, the import position (from 0) of the last (None without any),
    and how many attempts the session has in all."""

    found: int
    last: int | None
    total: int


class RawJSON(str):
    """JSON text as the session stores it, for an export to copy into its output without decoding it."""

    __slots__ = ()


class Batch:
    """A write transaction of one Store (Store.writing()): handed to the store's write methods in place of a
    connection, and to nothing else. It holds the connection privately; SQL stays in the store."""

    def __init__(self, store: Store, conn: sqlite3.Connection) -> None:
        self.store = store
        self._conn = conn

    def savepoint(self) -> contextlib.AbstractContextManager[None]:
        """Everything written in the block stands or falls together (Store.savepoint)."""
        return self.store.savepoint(self)


Writer: TypeAlias = sqlite3.Connection | Batch  # outside the store a Batch; inside, its own transaction


@overload
def _connection(writer: Writer) -> sqlite3.Connection: ...
@overload
def _connection(writer: Writer | None) -> sqlite3.Connection | None: ...
def _connection(writer: Writer | None) -> sqlite3.Connection | None:
    return writer._conn if isinstance(writer, Batch) else writer


# An attempt with its texts, which live in their own table so that list reads never walk them.
_ATTEMPT_COLUMNS = (
    "a.attempt_id, a.task_id, a.model, x.refactored, x.response, x.patch, a.meta, a.problems, a.seq"
    " FROM attempts a LEFT JOIN attempt_texts x ON x.attempt_id = a.attempt_id"
)


DEFERRED_CHECKPOINT_PAGES = 8_000
"""Pages (of 4 KiB) a connection that checkpoints at quiet moments (Store.defer_checkpoints) lets the WAL hold before
a commit checkpoints it regardless: 32 MiB, some 250 saves of a reviewer with no quiet moment between them."""


class _NeedsUpgrade(Exception):
    """A read-only open found an older schema: open() upgrades the file writable first, or refuses if it may not."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


class Store:
    """A session database. Open with `Store.open(path)`; use as a context manager."""

    upgrade_notice: ClassVar[Callable[[Path, int, int], None] | None] = None
    """Told (path, from version, to version) before an existing session's schema is upgraded, which on a
    benchmark-sized session takes tens of seconds: the command line sets it to say so on stderr."""

    def __init__(self, conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
        self._conn = conn
        conn.execute("PRAGMA recursive_triggers = on")  # what sqlite-utils, once the reader here, set on every open
        self.path = path
        self.readonly = readonly
        self.immutable = False  # opened as a file nobody can write (read-only media): read as it is, no WAL
        self._probe: sqlite3.Connection | None = None  # a parallel snapshot's: reads data_version (export_to)
        self._data_version = 0  # what it read before the snapshot began

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """The rows of one SELECT as dicts by column name (sqlite-utils' query without it: importing sqlite-utils
        imports pandas, half a second before a screen can paint)."""
        cursor = self._conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return (dict(zip(names, row)) for row in cursor)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | os.PathLike[str], create: bool = False, readonly: bool = False) -> Store:
        """Open a session. Only `create=True` (import, merge) may make a new one."""
        path = Path(path)
        try:
            os.stat(path)
            exists = True
        except FileNotFoundError:
            exists = os.path.islink(path)  # a dangling link: not a session, and not to be created through
            if exists:
                raise SessionError(f"{path}: a symbolic link to nothing ({os.readlink(path)})") from None
        except OSError as exc:  # a symlink loop, a name too long, a folder we may not enter
            raise SessionError(f"{path}: cannot open: {exc.strerror or exc}") from None
        if exists and not (path.is_file() or path.is_dir()):
            raise SessionError(f"{path}: not a regular file, so not a session database")
        if not exists and not create:
            raise SessionError(f"{path}: no such session (create one with `bare-tui import {path} FILE`)")
        if exists and path.is_dir():
            raise SessionError(f"{path}: is a folder, not a session database")
        if create and not exists:
            parent = path.parent
            if not parent.exists():
                raise SessionError(f"{path}: folder {parent} does not exist")
        if create and not exists and not os.access(path.parent, os.W_OK):
            raise SessionError(f"{path}: cannot create a session: folder {path.parent} is read-only")
        may_write = (not exists or os.access(path, os.W_OK)) and os.access(path.parent, os.W_OK)
        if not readonly and may_write:
            return cls._connect(path, path, exists, readonly=False)
        try:
            return cls._open_read_only(path, exists)
        except _NeedsUpgrade as old:
            if not may_write:
                raise SessionError(
                    f"{path}: made by an older bare-tui (schema {old.version}) and read-only here, so it cannot be "
                    "upgraded; copy it to a writable folder and open the copy"
                ) from None
        # An older session read by export, stats or merge: upgraded once, as a writable open would, then read as
        # asked (a read-only open cannot migrate, and refusing would only send the user off to open it writable
        # by hand).
        cls._connect(path, path, exists, readonly=False).close()
        return cls._open_read_only(path, exists)

    @classmethod
    def _open_read_only(cls, path: Path, exists: bool) -> Store:
        # Read-only: first as a reader beside possible writers; on read-only media or in a read-only folder,
        # where SQLite cannot make the WAL's shared-memory file, as an immutable file (nobody can write it).
        uri = path.resolve().as_uri()
        try:
            return cls._connect(f"{uri}?mode=ro", path, exists, readonly=True)
        except SessionError as first:
            if os.access(path.parent, os.W_OK) and os.access(path, os.W_OK):
                raise
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                # An immutable open would not read the WAL: it would show the session without its last saves.
                raise SessionError(
                    f"{path}: on read-only media with saves still in {wal.name}, which SQLite cannot read without "
                    "writing; copy the session and its -wal file to a writable folder and open the copy"
                ) from None
            try:
                store = cls._connect(f"{uri}?immutable=1", path, exists, readonly=True)
            except SessionError:
                raise first from None
            store.immutable = True
            return store

    @classmethod
    def _connect(cls, target: str | Path, path: Path, exists: bool, readonly: bool) -> Store:
        try:
            if not readonly and str(target).startswith("file:"):  # a plain name that would read as a URI
                target = f"./{target}"
            # URIs on: a merge ATTACHes its source read-only by one
            conn = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise SessionError(f"{path}: cannot open: {exc}") from None
        store = cls(conn, path, readonly=readonly)
        try:
            store._prepare(new=not exists)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _session_error(path, exc) from None
        except UnicodeDecodeError:
            # SQLite's own error names the damaged schema object, and Python cannot decode a name whose bytes the
            # damage scrambled: the message is lost, the diagnosis is not.
            conn.close()
            raise SessionError(
                f"{path}: the session file is damaged (its schema cannot be read); restore a copy or recover it "
                "with `sqlite3 FILE .recover`"
            ) from None
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self, new: bool) -> None:
        c = self._conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        c.execute("PRAGMA foreign_keys = ON")
        app_id = c.execute("PRAGMA application_id").fetchone()[0]
        version = c.execute("PRAGMA user_version").fetchone()[0]
        if not new and app_id != APPLICATION_ID:
            raise SessionError(f"{self.path}: not a bare-tui session (a SQLite file made by something else)")
        # Reading the schema now finds a damaged or truncated file at open, as one line, not mid-command.
        c.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        if version > SCHEMA_VERSION:
            raise SessionError(
                f"{self.path}: made by a newer bare-tui (schema {version}, this one knows {SCHEMA_VERSION}); upgrade"
            )
        if not self.readonly:
            c.execute("CREATE TEMP TABLE IF NOT EXISTS dirty_attempts (attempt_id TEXT PRIMARY KEY)")
            c.execute(
                "CREATE TEMP TABLE IF NOT EXISTS dirty_labels"
                " (attempt_id TEXT, reviewer TEXT, stage TEXT, PRIMARY KEY (attempt_id, reviewer, stage))"
            )
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise _NeedsUpgrade(version)
            if version and Store.upgrade_notice is not None:
                Store.upgrade_notice(self.path, version, SCHEMA_VERSION)
            self._migrate(version)
        if not self.readonly:
            mode = c.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                c.execute("PRAGMA journal_mode = WAL")
            c.execute("PRAGMA synchronous = NORMAL")
            # Which attempts a transaction wrote verdicts for, whatever wrote them: transaction() decides their
            # verdict that counts again before it commits. Temporary, so this connection's alone.
            # (no OR IGNORE: an upsert's own conflict rule would override it inside the trigger)
            mark = (
                "INSERT INTO dirty_attempts SELECT {0}.attempt_id"
                " WHERE NOT EXISTS (SELECT 1 FROM dirty_attempts WHERE attempt_id = {0}.attempt_id);"
            )
            for event, rows in (("INSERT", ("new",)), ("UPDATE", ("new", "old")), ("DELETE", ("old",))):
                c.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS verdicts_{event.lower()}_marks AFTER {event} ON main.verdicts"
                    f" BEGIN {' '.join(mark.format(row) for row in rows)} END"
                )
            # Likewise the keys (attempt, reviewer, stage) whose label in force a transaction may have changed: the
            # row's own, and the one of the row it supersedes.
            label_mark = (
                "INSERT INTO dirty_labels SELECT k.attempt_id, k.reviewer, k.stage FROM (SELECT {0}.attempt_id AS"
                " attempt_id, {0}.reviewer AS reviewer, {0}.stage AS stage UNION SELECT attempt_id, reviewer, stage"
                " FROM main.judgements WHERE judgement_id = {0}.supersedes) k WHERE NOT EXISTS (SELECT 1 FROM"
                " dirty_labels d WHERE d.attempt_id = k.attempt_id AND d.reviewer = k.reviewer AND d.stage = k.stage);"
            )
            for event, rows in (("INSERT", ("new",)), ("UPDATE", ("new", "old")), ("DELETE", ("old",))):
                c.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS judgements_{event.lower()}_marks AFTER {event}"
                    f" ON main.judgements BEGIN {' '.join(label_mark.format(row) for row in rows)} END"
                )

    def _migrate(self, current: int) -> None:
        with self._transaction():
            if current == 0:
                self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for version, statements in _MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements:
                    if callable(statement):
                        statement(self._conn)
                    else:
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {version}")

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------------ the write-ahead log
    def defer_checkpoints(self, pages: int = DEFERRED_CHECKPOINT_PAGES) -> None:
        """Let this connection's commits grow the WAL to `pages` before one of them copies it into the database
        (SQLite's automatic checkpoint, at 1,000 pages by default, which writes back and syncs inside the commit:
        16-80 ms on a BARE-sized session, once every ~20 saves of a reviewer). The caller checkpoints when nobody
        waits (checkpoint_wal); the larger limit stays as a backstop, so the WAL is bounded all the same."""
        if not self.readonly:
            self._conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    @property
    def changes(self) -> int:
        """Rows this connection has written since it opened: a caller tells from it whether anything was written."""
        return self._conn.total_changes

    def checkpoint_wal(self) -> None:
        """Copy the WAL's committed pages into the database file, as SQLite's automatic checkpoint does, without
        waiting for readers or writers (PASSIVE: what a reader still reads stays for a later one). On a connection
        of its own, opened and closed here, so that a worker thread may call it while this store's connection goes
        on writing (the next commit after a complete checkpoint begins the WAL again)."""
        if self.readonly or self.immutable:
            return
        conn = self._another_connection("mode=rw", check_same_thread=False)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            raise _session_error(self.path, exc) from None
        finally:
            conn.close()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction, taken with the write lock up front so concurrent writers queue."""
        if self.readonly:
            raise SessionError(f"{self.path}: read-only session; cannot write")
        c = self._conn
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _session_error(self.path, exc) from None
        try:
            yield c
            self._recount(c)
        except BaseException as exc:
            _rollback(c)
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                raise _session_error(self.path, exc) from None
            raise
        try:
            c.execute("COMMIT")
        except sqlite3.Error as exc:
            # A full disk or an I/O error at commit: nothing of this transaction is kept, and the error says so.
            _rollback(c)
            raise _session_error(self.path, exc) from None

    def _recount(self, c: sqlite3.Connection) -> None:
        """Decide the verdict that counts again for the attempts this transaction wrote verdicts for, and their
        packed field outcomes (attempts.field_outcomes) with it; and the label in force of the keys it wrote
        judgements of (judgements.in_force)."""
        if c.execute("SELECT EXISTS (SELECT 1 FROM temp.dirty_attempts)").fetchone()[0]:
            c.execute("DELETE FROM chosen_verdicts WHERE attempt_id IN (SELECT attempt_id FROM temp.dirty_attempts)")
            c.execute(_RECOUNT.format(where=_DIRTY))
            c.execute(_FIELD_OUTCOMES.format(where=_DIRTY_ATTEMPTS))
            c.execute("DELETE FROM temp.dirty_attempts")
        if c.execute("SELECT EXISTS (SELECT 1 FROM temp.dirty_labels)").fetchone()[0]:
            c.execute(_IN_FORCE_CLEAR.format(where=" AND " + _LABEL_KEYS.format("")))
            c.execute(_IN_FORCE_SET.format(where=" AND " + _LABEL_KEYS.format("j.")))
            c.execute("DELETE FROM temp.dirty_labels")

    @contextmanager
    def writing(self, attach: Store | None = None) -> Iterator[Batch]:
        """One committed transaction, as a Batch the store owns: what the importer and merge write through
        (the store's methods take it where they take a transaction), never the connection itself. attach: a
        session read from in the same statements (ATTACHed read-only as `src`), for a merge."""
        if attach is None:
            with self._transaction() as c:
                yield Batch(self, c)
            return
        if self.readonly:
            raise SessionError(f"{self.path}: read-only session; cannot write")
        # Attached as the source was opened: on read-only media, where SQLite cannot make the shared-memory
        # file a WAL-mode session's readers need, as an immutable file (Store.open refuses one with saves still
        # in its WAL, so nothing is missed).
        mode = "immutable=1" if attach.immutable else "mode=ro"
        try:
            self._conn.execute("ATTACH DATABASE ? AS src", (f"{attach.path.resolve().as_uri()}?{mode}",))
        except sqlite3.Error as exc:
            raise _session_error(attach.path, exc) from None
        try:
            with self._transaction() as c:
                yield Batch(self, c)
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("DETACH DATABASE src")

    @contextmanager
    def savepoint(self, conn: Writer) -> Iterator[None]:
        """Inside a transaction: everything written in the block stands or falls together. A record the
        database refuses (a constraint) is RecordRejected; a fault of the file or disk is a SessionError,
        since it ends the whole transaction, not just this record."""
        conn = _connection(conn)
        conn.execute("SAVEPOINT record")
        try:
            yield
        except BaseException as exc:
            if isinstance(exc, sqlite3.Error) and _is_fault(exc):
                raise _session_error(self.path, exc) from None
            try:
                conn.execute("ROLLBACK TO record")
                conn.execute("RELEASE record")
            except sqlite3.Error as fault:  # the transaction itself is gone (SQLite ended it)
                raise _session_error(self.path, fault) from None
            if isinstance(exc, sqlite3.Error):
                raise RecordRejected(str(exc)) from None
            raise
        conn.execute("RELEASE record")

    # ------------------------------------------------------------------ tasks and attempts
    def add_tasks(self, tasks: Sequence[Task], conn: Writer | None = None) -> ImportCounts:
        """Insert tasks that are new; a task_id already present is left as it is."""
        conn = _connection(conn)
        return self._insert_new(
            "tasks",
            "task_id",
            [(t.task_id, t.language, t.path, _stored_text(t.original), _dump(t.meta)) for t in tasks],
            "INSERT INTO tasks (task_id, language, path, original, meta, seq) VALUES (?, ?, ?, ?, ?, "
            "(SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks))",
            conn,
        )

    def add_attempts(self, attempts: Sequence[Attempt], conn: Writer | None = None) -> ImportCounts:
        """Insert attempts that are new, in the given order; an attempt_id already present is left alone."""
        conn = _connection(conn)
        return self._insert_new(
            "attempts",
            "attempt_id",
            [
                (
                    a.attempt_id,
                    a.task_id,
                    a.model,
                    _stored_text(a.refactored),
                    _stored_text(a.response),
                    _stored_text(a.patch),
                    _dump(a.meta),
                    _dump(list(a.problems)),
                )
                for a in attempts
            ],
            "INSERT INTO attempts (attempt_id, task_id, model, meta, problems, seq)"
            " VALUES (?1, ?2, ?3, ?7, ?8, (SELECT COALESCE(MAX(seq), 0) + 1 FROM attempts))",
            conn,
            "INSERT INTO attempt_texts (attempt_id, refactored, response, patch) VALUES (?, ?, ?, ?)",
        )

    def _insert_new(
        self,
        table: str,
        key: str,
        rows: list[tuple[Any, ...]],
        sql: str,
        conn: Writer | None,
        texts_sql: str | None = None,
    ) -> ImportCounts:
        conn = _connection(conn)
        if conn is None:
            with self._transaction() as c:
                return self._insert_new(table, key, rows, sql, c, texts_sql)
        inserted = unchanged = 0
        conflicts: list[str] = []
        columns = ", ".join(_CONTENT_COLUMNS[table])
        source = f"{table} LEFT JOIN attempt_texts USING (attempt_id)" if texts_sql else table
        for row in rows:
            stored = conn.execute(f"SELECT {columns} FROM {source} WHERE {key} = ?", (row[0],)).fetchone()
            if stored is None:
                conn.execute(sql, row)
                if texts_sql:
                    conn.execute(texts_sql, (row[0], *row[3:6]))  # an attempt's id and its three texts
                inserted += 1
            elif tuple(stored) == tuple(row[: len(stored)]):
                unchanged += 1
            else:
                conflicts.append(row[0])
        return ImportCounts(inserted, unchanged, tuple(conflicts))

    def has_attempt(self, attempt_id: str) -> bool:
        return self._conn.execute("SELECT 1 FROM attempts WHERE attempt_id = ?", (attempt_id,)).fetchone() is not None

    def tasks(self) -> dict[str, Task]:
        return {row["task_id"]: _task(row) for row in self._query("SELECT * FROM tasks ORDER BY seq")}

    def task(self, task_id: str) -> Task | None:
        rows = list(self._query("SELECT * FROM tasks WHERE task_id = ?", [task_id]))
        return _task(rows[0]) if rows else None

    def attempts(self) -> list[Attempt]:
        return list(self.iter_attempts())

    def attempt(self, attempt_id: str) -> Attempt | None:
        rows = list(self._query(f"SELECT {_ATTEMPT_COLUMNS} WHERE a.attempt_id = ?", [attempt_id]))
        return _attempt(rows[0]) if rows else None

    def iter_attempts(self, batch: int = 500) -> Iterator[Attempt]:
        """Every attempt with its texts, in import order, without holding them all in memory."""
        cursor = self._conn.execute(f"SELECT {_ATTEMPT_COLUMNS} ORDER BY a.seq")
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(batch):
            for row in rows:
                yield _attempt(dict(zip(names, row)))

    def attempt_summaries(self) -> list[AttemptSummary]:
        """Every attempt without its texts, in import order."""
        rows = self._conn.execute(
            "SELECT a.attempt_id, a.task_id, a.model, t.language, t.path, a.seq, a.problems "
            "FROM attempts a JOIN tasks t ON t.task_id = a.task_id ORDER BY a.seq"
        ).fetchall()
        # nearly every attempt has no problems: skipping the JSON parser for those saves a third of the time
        return [
            AttemptSummary(r[0], r[1], r[2], r[3], r[4], r[5], () if r[6] == "[]" else tuple(json.loads(r[6])))
            for r in rows
        ]

    def attempt_groups(self) -> list[AttemptGroup]:
        """(attempt_id, model, language) of every attempt in import order: what the statistics group by."""
        rows = self._conn.execute(
            "SELECT a.attempt_id, a.model, t.language FROM attempts a JOIN tasks t ON t.task_id = a.task_id"
            " ORDER BY a.seq"
        ).fetchall()
        return list(map(AttemptGroup._make, rows))

    def count_attempts(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]

    # ------------------------------------------------------------------ verdicts
    def counted_sources(self) -> list[str]:
        """The sources whose verdicts count (chosen_verdicts) for at least one attempt-stage, by name. Each
        distinct source is sought in idx_chosen_source rather than the index scanned (145 ms for 1.46 million
        verdicts; a count by source, 1.9 s), then asked for one counted verdict."""
        found: list[str] = []
        source = self._conn.execute("SELECT MIN(source) FROM chosen_verdicts").fetchone()[0]
        while source is not None:
            if self._conn.execute(
                "SELECT 1 FROM chosen_verdicts WHERE source = ? AND counts LIMIT 1", (source,)
            ).fetchone():
                found.append(source)
            source = self._conn.execute(
                "SELECT MIN(source) FROM chosen_verdicts WHERE source > ?", (source,)
            ).fetchone()[0]
        return found

    def save_verdicts(self, verdicts: Iterable[Verdict], conn: Writer | None = None) -> int:
        """Store verdicts; one with the same attempt, stage, source and pipeline version is replaced.

        A verdict's created_at, when it has one (a verdict read from another copy), is kept: which run counts
        depends on it. New verdicts are stamped now."""
        conn = _connection(conn)
        now = utc_now()
        rows = [_verdict_row(v, now) for v in verdicts]
        sql = (
            "INSERT OR REPLACE INTO verdicts (attempt_id, stage, source, pipeline_version, outcome, score,"
            " evidence, details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if conn is not None:
            conn.executemany(sql, rows)
        else:
            with self._transaction() as c:
                c.executemany(sql, rows)
        return len(rows)

    def add_verdicts(self, verdicts: Sequence[Verdict], conn: Writer) -> ImportCounts:
        """Import verdicts: new ones are written, identical ones left alone, and one that differs from the
        stored verdict of the same attempt, stage, source and version is a conflict (the stored one stays)."""
        conn = _connection(conn)
        inserted = unchanged = 0
        conflicts: list[str] = []
        for v in verdicts:
            row = (v.outcome.value, v.score, _dump([e.to_json() for e in v.evidence]))
            stored = conn.execute(
                "SELECT outcome, score, evidence FROM verdicts WHERE attempt_id = ? AND stage = ? AND source = ?"
                " AND pipeline_version = ?",
                (v.attempt_id, v.stage, v.source, v.pipeline_version),
            ).fetchone()
            if stored is None:
                self.save_verdicts([v], conn)
                inserted += 1
            elif tuple(stored) == row:
                unchanged += 1
            else:
                conflicts.append(v.stage)
        return ImportCounts(inserted, unchanged, tuple(conflicts))

    def stage_names(self) -> list[str]:
        """Every stage the session has verdicts for: the five and overall, then extra stages by name."""
        return sorted(self.verdict_stages(), key=stage_order)

    def fields(self) -> list[str]:
        """What a reviewer labels, an auditor settles and a rubric has sections for: the five stages and
        overall, then each extra stage the session has verdicts of (a typo is not a new stage)."""
        return [*FIELDS, *(stage for stage in self.stage_names() if stage not in FIELDS)]

    def is_field(self, stage: str) -> bool:
        """Whether fields() holds this stage, without reading the stored stage names for one of the six (an
        import asks this for every judgement line)."""
        return stage in FIELDS or stage in self.verdict_stages()

    def verdicts(
        self, source: str | None = None, pipeline_version: str | None = None, attempt_id: str | None = None
    ) -> list[Verdict]:
        where, params = _where(source=source, pipeline_version=pipeline_version, attempt_id=attempt_id)
        return [_verdict(r) for r in self._query(f"SELECT * FROM verdicts{where} ORDER BY rowid", params)]

    def current_verdicts(
        self, source: str | None = None, attempt_id: str | None = None
    ) -> dict[tuple[str, str], Verdict]:
        """(attempt_id, stage) -> the verdict statistics and screens use.

        With a source: that source's newest run per attempt-stage. Without: bare-tui's own verdicts of the
        newest pipeline run where an attempt has them, else the imported source's.
        """
        names, rows = self._chosen_verdicts("*", source, attempt_id)
        return {(r["attempt_id"], r["stage"]): _verdict(r) for r in (dict(zip(names, row)) for row in rows)}

    def _chosen_verdicts(
        self, columns: str, source: str | None, attempt_id: str | None, stage: str | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The verdict that counts per attempt-stage, as decided when it was written (chosen_verdicts, kept by
        transaction()): own source first, then the newest run (the first written on a tie); with no source
        named, an attempt that has any own verdict uses only its own in the five stages and overall, never a
        mix with an imported stage there, while an extra stage counts from the source that brings it. With
        a source, that source's newest run. columns name chosen_verdicts' own (attempt_id, stage, outcome,
        score, source, pipeline_version), or "*" for the whole verdict row; rows in no particular order."""
        where = ["c.counts" if source is None else "c.source = ?"]
        params: list[Any] = [] if source is None else [source]
        for column, value in (("attempt_id", attempt_id), ("stage", stage)):
            if value is not None:
                where.append(f"c.{column} = ?")
                params.append(value)
        if columns == "*":
            select = "v.* FROM chosen_verdicts c JOIN verdicts v ON v.rowid = c.verdict"
        else:
            select = ", ".join(f"c.{name.strip()}" for name in columns.split(",")) + " FROM chosen_verdicts c"
        cursor = self._conn.execute(f"SELECT {select} WHERE {' AND '.join(where)}", params)
        return [d[0] for d in cursor.description], cursor.fetchall()

    def verdict_stages(self) -> list[str]:
        """Every stage name some verdict has, found by skipping along the (stage, outcome) index."""
        rows = self._conn.execute(
            "WITH RECURSIVE s(stage) AS (SELECT MIN(stage) FROM verdicts UNION ALL"
            " SELECT (SELECT MIN(stage) FROM verdicts WHERE stage > s.stage) FROM s WHERE s.stage IS NOT NULL)"
            " SELECT stage FROM s WHERE stage IS NOT NULL"
        ).fetchall()
        return [row[0] for row in rows]

    def current_stage_outcomes(self, stage: str, source: str | None = None) -> dict[str, str]:
        """attempt_id -> the outcome value of one stage's verdict that counts (as current_verdicts() chooses),
        for attempts that have one: what a plan stratified by a stage reads, without the other stages."""
        _, rows = self._chosen_verdicts("attempt_id, stage, outcome", source, None, stage)
        return {attempt_id: outcome for attempt_id, _, outcome in rows}

    def current_verdict_rows(self, source: str | None = None) -> list[VerdictRow]:
        """(attempt_id, stage, outcome value, score) of each verdict current_verdicts() chooses, without building
        Verdicts: the in-memory statistics' read, which the tests hold the counted read (load_session) to."""
        _, rows = self._chosen_verdicts("attempt_id, stage, outcome, score", source, None)
        return list(map(VerdictRow._make, rows))

    def verdict_rows(self, source: str | None = None) -> list[RunVerdictRow]:
        """(attempt_id, stage, outcome value, score, pipeline_version, source) of every verdict, in the order
        written, as verdicts() finds them without their evidence: each run's verdicts, for comparing runs."""
        where, params = _where(source=source)
        rows = self._conn.execute(
            f"SELECT attempt_id, stage, outcome, score, pipeline_version, source FROM verdicts{where} ORDER BY rowid",
            params,
        ).fetchall()
        return list(map(RunVerdictRow._make, rows))

    def attempts_missing_verdicts(self, pipeline_version: str, stages: Sequence[str]) -> list[str]:
        """Attempt ids, in import order, lacking a bare-tui verdict of this version for any of the stages."""
        if not stages:
            return []
        marks = ", ".join("?" for _ in stages)
        rows = self._conn.execute(
            f"SELECT a.attempt_id FROM attempts a WHERE (SELECT COUNT(DISTINCT v.stage) FROM verdicts v"
            f" WHERE v.attempt_id = a.attempt_id AND v.source = ? AND v.pipeline_version = ?"
            f" AND v.stage IN ({marks})) < ? ORDER BY a.seq",
            [OWN_SOURCE, pipeline_version, *stages, len(set(stages))],
        ).fetchall()
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ reviewers and judgements
    def save_judgements(
        self, judgements: Sequence[Judgement], conn: Writer | None = None, save_id: str | None = None
    ) -> int:
        """Append judgements in one committed transaction; a judgement_id already present is left alone.

        Returns how many rows were new. The caller may say "saved" once this returns. save_id names the save
        (a new id when not given): a process that remembers its own saves' ids can undo only those.
        """
        conn = _connection(conn)
        if conn is None:
            with self._transaction() as c:
                return self.save_judgements(judgements, c, save_id)
        save_id = save_id or new_id()
        written = 0
        for j in judgements:
            self._check_supersedes(conn, j)
            conn.execute("INSERT OR IGNORE INTO reviewers (name, created_at) VALUES (?, ?)", (j.reviewer, utc_now()))
            cursor = conn.execute(
                "INSERT OR IGNORE INTO judgements (judgement_id, attempt_id, reviewer, stage, label, confidence,"
                " note, tags, saw_verdicts, opened_at, saved_at, supersedes, retracted, save_id, undo)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    j.judgement_id,
                    j.attempt_id,
                    j.reviewer,
                    j.stage,
                    j.label.value,
                    j.confidence,
                    j.note,
                    _dump(list(j.tags)),
                    int(j.saw_verdicts),
                    j.opened_at,
                    j.saved_at or utc_now(),
                    j.supersedes,
                    int(j.retracted),
                    save_id,
                ),
            )
            written += cursor.rowcount
        return written

    def judgements(
        self, current_only: bool = True, attempt_id: str | None = None, reviewer: str | None = None
    ) -> list[Judgement]:
        """Judgement rows in the order they were written.

        current_only: for each (attempt, reviewer, stage), the newest row that no other row supersedes,
        and only when it is a label rather than a withdrawal.
        """
        where, params = _where(prefix="j.", attempt_id=attempt_id, reviewer=reviewer)
        if attempt_id is not None and reviewer is not None:
            # One attempt's rows through the attempt index (the unary + keeps the reviewer from choosing an index):
            # else the planner walks every label the reviewer has in saved order, to spare sorting a dozen rows.
            where, params = " WHERE j.attempt_id = ? AND +j.reviewer = ?", [attempt_id, reviewer]
        if not current_only:
            return [_judgement(r) for r in self._query(f"SELECT * FROM judgements j{where} ORDER BY j.rowid", params)]
        names, rows = self._labels_in_force("j.*", where, params)
        return [_judgement(dict(zip(names, row))) for row in rows]

    def _labels_in_force(
        self, columns: str, where: str, params: Sequence[Any]
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The one rule for which judgement counts: per (attempt, reviewer, stage), the newest row that no
        other row supersedes, unless it is a withdrawal; in the order the rows were written. Decided when the
        rows are written (judgements.in_force, _IN_FORCE_SET, kept by _recount in the same transaction), so a
        read walks the partial in-force index instead of every judgement and its supersessions."""
        joiner = " AND" if where else " WHERE"
        cursor = self._conn.execute(
            f"SELECT {columns} FROM judgements j{where}{joiner} j.in_force ORDER BY j.rowid", list(params)
        )
        return [d[0] for d in cursor.description], cursor.fetchall()

    def undo_last_save(self, reviewer: str, among: Collection[str] | None = None) -> list[Judgement]:
        """Withdraw the reviewer's most recent save that is still in force, in one transaction.

        Each judgement of that save is superseded: by a copy of the label it replaced, if it replaced one,
        else by a withdrawal. among: only saves with these save ids count (a process's own saves, so that an
        undo never reaches another process's work). Returns the rows written (empty: nothing to undo).
        """
        if among is not None and not among:
            return []
        with self._transaction() as c:
            # The reviewer's rows newest first until the first one in force that belongs to a save counted: with
            # `among`, only those saves' rows, found through the (reviewer, save_id) index (labels imported with
            # later times than this process's saves, thousands in a merged study, are not walked); else along
            # the (reviewer, saved_at) index.
            if among is None:
                candidates = c.execute(
                    "SELECT judgement_id, save_id FROM judgements WHERE reviewer = ? AND undo = 0"
                    " ORDER BY saved_at DESC, rowid DESC",
                    (reviewer,),
                )
            else:
                candidates = c.execute(
                    "SELECT judgement_id, save_id FROM judgements INDEXED BY idx_judgements_save WHERE reviewer = ?"
                    " AND undo = 0 AND save_id IN (SELECT value FROM json_each(?)) ORDER BY saved_at DESC, rowid DESC",
                    (reviewer, json.dumps(list(among))),
                )
            found, target = False, None
            for jid, save in candidates:
                if (among is None or save in among) and self._in_force(c, jid) is not None:
                    found, target = True, save  # a row saved before saves had ids has none
                    break
            if not found:
                return []
            # the save's rows by its index (else the planner walks the reviewer's labels in saved order); rows saved
            # before saves had ids are found by the reviewer
            rows = c.execute(
                "SELECT judgement_id FROM judgements INDEXED BY idx_judgements_save WHERE reviewer = ? AND save_id = ?"
                " AND undo = 0 ORDER BY saved_at DESC, rowid DESC"
                if target is not None
                else "SELECT judgement_id FROM judgements WHERE reviewer = ? AND save_id IS ? AND undo = 0"
                " ORDER BY saved_at DESC, rowid DESC",
                (reviewer, target),
            ).fetchall()
            undone = [j for j in (self._in_force(c, row[0]) for row in rows) if j is not None]
            now = utc_now()
            written: list[Judgement] = []
            for j in undone:
                previous = self._judgement_by_id(c, j.supersedes) if j.supersedes else None
                if previous is not None and not previous.retracted:
                    replacement = Judgement(
                        new_id(),
                        j.attempt_id,
                        reviewer,
                        j.stage,
                        previous.label,
                        previous.confidence,
                        previous.note,
                        previous.tags,
                        previous.saw_verdicts,
                        previous.opened_at,
                        now,
                        supersedes=j.judgement_id,
                    )
                else:
                    replacement = Judgement(
                        new_id(),
                        j.attempt_id,
                        reviewer,
                        j.stage,
                        j.label,
                        j.confidence,
                        j.note,
                        j.tags,
                        j.saw_verdicts,
                        j.opened_at,
                        now,
                        supersedes=j.judgement_id,
                        retracted=True,
                    )
                written.append(replacement)
            self.save_judgements(written, c)
            c.execute(
                f"UPDATE judgements SET undo = 1 WHERE judgement_id IN ({', '.join('?' for _ in written)})",
                [j.judgement_id for j in written],
            )
            return written

    def _in_force(self, c: sqlite3.Connection, judgement_id: str) -> Judgement | None:
        """The judgement, when it is the label in force for its attempt, reviewer and stage: judgements.in_force,
        which every committed write keeps (_recount), so it is current until this transaction writes."""
        return self._judgement_by_id(c, judgement_id, in_force=True)

    def _check_supersedes(self, conn: sqlite3.Connection, j: Judgement) -> None:
        """A judgement may only supersede the same reviewer's earlier judgement of the same attempt and stage."""
        if j.supersedes is None:
            return
        if j.supersedes == j.judgement_id:
            raise RecordRejected(f"judgement {j.judgement_id} supersedes itself")
        target = self._judgement_by_id(conn, j.supersedes)
        if target is None:
            raise RecordRejected(f"judgement {j.judgement_id} supersedes {j.supersedes}, which is not in the session")
        if (target.reviewer, target.attempt_id, target.stage) != (j.reviewer, j.attempt_id, j.stage):
            raise RecordRejected(
                f"judgement {j.judgement_id} ({j.reviewer}, {j.attempt_id}, {j.stage}) may not supersede "
                f"{target.judgement_id} ({target.reviewer}, {target.attempt_id}, {target.stage}): only the same "
                "reviewer's judgement of the same attempt and stage"
            )

    def stored_judgement(self, judgement_id: str, conn: Writer | None = None) -> Judgement | None:
        """The judgement with this id as stored, or None."""
        conn = _connection(conn)
        return self._judgement_by_id(conn or self._conn, judgement_id)

    def stored_adjudication(self, adjudication_id: str, conn: Writer | None = None) -> Adjudication | None:
        """The adjudication with this id as stored, or None."""
        conn = _connection(conn)
        cursor = (conn or self._conn).execute(
            "SELECT * FROM adjudications WHERE adjudication_id = ?", (adjudication_id,)
        )
        row = cursor.fetchone()
        return None if row is None else _adjudication(dict(zip([d[0] for d in cursor.description], row)))

    @staticmethod
    def _judgement_by_id(conn: sqlite3.Connection, judgement_id: str, in_force: bool = False) -> Judgement | None:
        """The judgement of this id; with in_force, only when it is the label in force."""
        cursor = conn.execute(
            f"SELECT * FROM judgements WHERE judgement_id = ?{' AND in_force' if in_force else ''}", (judgement_id,)
        )
        row = cursor.fetchone()
        if row is None:
            return None
        return _judgement(dict(zip([d[0] for d in cursor.description], row)))

    # ------------------------------------------------------------------ adjudications and flags
    def save_adjudication(self, adjudication: Adjudication, conn: Writer | None = None) -> bool:
        """Record an auditor's final label; returns False when that adjudication_id was already there."""
        conn = _connection(conn)
        sql = (
            "INSERT OR IGNORE INTO adjudications (adjudication_id, attempt_id, stage, auditor, label, reason,"
            " note, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        a = adjudication
        params = (
            a.adjudication_id,
            a.attempt_id,
            a.stage,
            a.auditor,
            a.label.value,
            a.reason.value,
            a.note,
            a.saved_at or utc_now(),
        )
        if conn is not None:
            return conn.execute(sql, params).rowcount == 1
        with self._transaction() as c:
            return c.execute(sql, params).rowcount == 1

    def adjudications(self, current_only: bool = True) -> list[Adjudication]:
        """Adjudications in the order written; current_only keeps the newest per attempt-stage."""
        rows = [_adjudication(r) for r in self._query("SELECT * FROM adjudications ORDER BY saved_at, rowid")]
        if not current_only:
            return rows
        newest: dict[tuple[str, str], Adjudication] = {}
        for a in rows:
            newest[(a.attempt_id, a.stage)] = a
        return list(newest.values())

    def set_flag(self, flag: Flag) -> None:
        with self._transaction() as c:
            c.execute(
                "INSERT OR REPLACE INTO flags (attempt_id, reviewer, flagged, note, saved_at) VALUES (?, ?, ?, ?, ?)",
                (flag.attempt_id, flag.reviewer, int(flag.flagged), flag.note, flag.saved_at or utc_now()),
            )

    def merge_flags(self, flags: Sequence[Flag], conn: Writer) -> None:
        """Take flags from another copy; where both have one, the newer wins."""
        conn = _connection(conn)
        for f in flags:
            conn.execute(
                "INSERT INTO flags (attempt_id, reviewer, flagged, note, saved_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (attempt_id, reviewer) DO UPDATE SET flagged = excluded.flagged,"
                " note = excluded.note, saved_at = excluded.saved_at WHERE excluded.saved_at > flags.saved_at",
                (f.attempt_id, f.reviewer, int(f.flagged), f.note, f.saved_at or utc_now()),
            )

    def flags(self, include_cleared: bool = False) -> list[Flag]:
        """Attempts reviewers sent to audit; include_cleared adds flags that were taken back."""
        where = "" if include_cleared else " WHERE flagged = 1"
        return [
            Flag(r["attempt_id"], r["reviewer"], bool(r["flagged"]), r["note"], r["saved_at"])
            for r in self._query(f"SELECT * FROM flags{where} ORDER BY saved_at")
        ]

    def merge_verdicts(self, verdicts: Iterable[Verdict], conn: Writer) -> int:
        """Take verdicts from another copy, each with its own created_at; where both copies hold the same
        verdict (attempt, stage, source, pipeline version), the one written later stands. Returns rows written."""
        conn = _connection(conn)
        now = utc_now()
        written = 0
        for v in verdicts:
            cursor = conn.execute(
                "INSERT INTO verdicts (attempt_id, stage, source, pipeline_version, outcome, score, evidence,"
                " details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (attempt_id, stage, source, pipeline_version) DO UPDATE SET outcome = excluded.outcome,"
                " score = excluded.score, evidence = excluded.evidence, details = excluded.details,"
                " created_at = excluded.created_at WHERE excluded.created_at > verdicts.created_at",
                _verdict_row(v, now),
            )
            written += cursor.rowcount
        return written

    def merge_attached(self, batch: Batch) -> dict[str, int]:
        """Copy every record of the session attached to this batch (Store.writing(attach=...)) that this one
        lacks, as SQL between the two files: nothing is held in memory, whatever the study's size. Keys
        decide: a task, attempt, judgement or adjudication already present is left as it is (even with other
        content); a verdict present in both stands as written later (created_at kept as written, since which
        run counts depends on it); a flag likewise by saved_at. New tasks and attempts follow this session's,
        in the source's order. Judgements keep their save ids, so undo still steps back by save. Returns the
        rows this merge wrote, by table."""
        c = _connection(batch)
        written: dict[str, int] = {}
        for table, key in (("tasks", "task_id"), ("attempts", "attempt_id")):
            columns = [row[1] for row in c.execute(f"PRAGMA main.table_info({table})") if row[1] != "seq"]
            names = ", ".join(columns)
            base = c.execute(f"SELECT COALESCE(MAX(seq), 0) FROM main.{table}").fetchone()[0]
            written[table] = c.execute(
                f"INSERT INTO main.{table} ({names}, seq) SELECT {', '.join(f's.{n}' for n in columns)},"
                f" ? + ROW_NUMBER() OVER (ORDER BY s.seq) FROM src.{table} s"
                f" WHERE NOT EXISTS (SELECT 1 FROM main.{table} t WHERE t.{key} = s.{key}) ORDER BY s.seq",
                (base,),
            ).rowcount
        c.execute(
            "INSERT INTO main.attempt_texts (attempt_id, refactored, response, patch)"
            " SELECT s.attempt_id, s.refactored, s.response, s.patch FROM src.attempt_texts s"
            " WHERE NOT EXISTS (SELECT 1 FROM main.attempt_texts t WHERE t.attempt_id = s.attempt_id)"
        )
        verdict_key = "v.attempt_id = s.attempt_id AND v.stage = s.stage AND v.source = s.source" + (
            " AND v.pipeline_version = s.pipeline_version"
        )
        updated = c.execute(
            "UPDATE main.verdicts AS v SET outcome = s.outcome, score = s.score, evidence = s.evidence,"
            f" details = s.details, created_at = s.created_at FROM src.verdicts AS s WHERE {verdict_key}"
            " AND s.created_at > v.created_at"
        ).rowcount
        verdict_columns = "attempt_id, stage, source, pipeline_version, outcome, score, evidence, details, created_at"
        written["verdicts"] = updated + (
            c.execute(
                f"INSERT INTO main.verdicts ({verdict_columns}) SELECT {verdict_columns} FROM src.verdicts s"
                f" WHERE NOT EXISTS (SELECT 1 FROM main.verdicts v WHERE {verdict_key}) ORDER BY s.rowid"
            ).rowcount
        )
        c.execute("INSERT OR IGNORE INTO main.reviewers (name, created_at) SELECT name, created_at FROM src.reviewers")
        for table, key in (("judgements", "judgement_id"), ("adjudications", "adjudication_id")):
            names = ", ".join(row[1] for row in c.execute(f"PRAGMA main.table_info({table})"))
            written[table] = c.execute(
                f"INSERT INTO main.{table} ({names}) SELECT {names} FROM src.{table} s"
                f" WHERE NOT EXISTS (SELECT 1 FROM main.{table} t WHERE t.{key} = s.{key}) ORDER BY s.rowid"
            ).rowcount
        written["flags"] = c.execute(
            "INSERT INTO main.flags (attempt_id, reviewer, flagged, note, saved_at)"
            " SELECT attempt_id, reviewer, flagged, note, saved_at FROM src.flags WHERE true"
            " ON CONFLICT (attempt_id, reviewer) DO UPDATE SET flagged = excluded.flagged,"
            " note = excluded.note, saved_at = excluded.saved_at WHERE excluded.saved_at > flags.saved_at"
        ).rowcount
        return written

    # ------------------------------------------------------------------ review plans
    def plans(self) -> list[PlanRecord]:
        """Every plan, oldest first."""
        rows = self._conn.execute(
            "SELECT name, definition, created_at, size FROM plans ORDER BY created_at, name"
        ).fetchall()
        return [_plan_record(row) for row in rows]

    def plan(self, name: str) -> PlanRecord | None:
        row = self._conn.execute(
            "SELECT name, definition, created_at, size FROM plans WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else _plan_record(row)

    def plan_items(self, name: str) -> list[PlanItem]:
        """The plan's attempts in position order, gold items included (marked)."""
        rows = self._conn.execute(
            "SELECT plan, attempt_id, stratum, inclusion_probability, position, reviewers, gold FROM plan_items"
            " WHERE plan = ? ORDER BY position",
            (name,),
        ).fetchall()
        return [PlanItem(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), bool(r[6])) for r in rows]

    def plan_strata(self, name: str) -> list[PlanStratum]:
        """The plan's strata by name: population N_h and drawn n_h (gold items not counted)."""
        rows = self._conn.execute(
            "SELECT plan, stratum, population, drawn FROM plan_strata WHERE plan = ? ORDER BY stratum", (name,)
        ).fetchall()
        return [PlanStratum(*row) for row in rows]

    def plan_population(self, name: str) -> PlanPopulation:
        """Every attempt of the plan's population with its stratum as drawn, by stratum then attempt id. Empty
        for a plan that came in as plan lines (export/import carries the sample, not the population)."""
        ids: list[str] = []
        strata: list[str] = []
        for stratum, members in self._conn.execute(
            "SELECT stratum, attempt_ids FROM plan_population WHERE plan = ? ORDER BY stratum", (name,)
        ):
            found = json.loads(members)
            ids += found
            strata += [stratum] * len(found)
        return PlanPopulation(name, ids, strata)

    def save_plan(
        self,
        record: PlanRecord,
        strata: Sequence[PlanStratum],
        items: Sequence[PlanItem],
        population: Sequence[tuple[str, str]] | None = None,
        replace: bool = False,
        conn: Writer | None = None,
    ) -> None:
        """Write a plan in one transaction: its record, strata, items and (attempt_id, stratum) population.

        replace=False refuses a name that exists (SessionError, nothing written). replace=True rewrites the
        record, strata and items of an existing plan (an extension) and keeps its population unless one is
        given.
        """
        conn = _connection(conn)
        if conn is None:
            with self._transaction() as c:
                self.save_plan(record, strata, items, population, replace, c)
            return
        name = record.name
        exists = conn.execute("SELECT 1 FROM plans WHERE name = ?", (name,)).fetchone() is not None
        if exists and not replace:
            raise SessionError(f"{self.path}: a plan named {name!r} exists; choose another name")
        if exists:
            conn.execute("DELETE FROM plan_items WHERE plan = ?", (name,))
            conn.execute("DELETE FROM plan_strata WHERE plan = ?", (name,))
            conn.execute(
                "UPDATE plans SET definition = ?, size = ? WHERE name = ?",
                (_dump(record.definition), record.size, name),
            )
            if population is not None:
                conn.execute("DELETE FROM plan_population WHERE plan = ?", (name,))
        else:
            conn.execute(
                "INSERT INTO plans (name, definition, created_at, size) VALUES (?, ?, ?, ?)",
                (name, _dump(record.definition), record.created_at, record.size),
            )
        conn.executemany(
            "INSERT INTO plan_strata (plan, stratum, population, drawn) VALUES (?, ?, ?, ?)",
            [(name, s.stratum, s.population, s.drawn) for s in strata],
        )
        conn.executemany(
            "INSERT INTO plan_items (plan, attempt_id, stratum, inclusion_probability, position, reviewers, gold)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    name,
                    i.attempt_id,
                    i.stratum,
                    i.inclusion_probability,
                    i.position,
                    _dump(list(i.reviewers)),
                    int(i.gold),
                )
                for i in items
            ],
        )
        if population is not None:
            members: dict[str, list[str]] = {}
            for attempt_id, stratum in population:
                members.setdefault(stratum, []).append(attempt_id)
            conn.executemany(
                "INSERT INTO plan_population (plan, stratum, attempt_ids) VALUES (?, ?, ?)",
                [(name, stratum, json.dumps(sorted(ids))) for stratum, ids in members.items()],
            )

    def adjudicated_attempt_ids(self) -> set[str]:
        """Attempts with at least one adjudication: the candidates for gold items."""
        return {row[0] for row in self._conn.execute("SELECT DISTINCT attempt_id FROM adjudications")}

    def missing_attempt_ids(self, attempt_ids: Iterable[str]) -> list[str]:
        """The ids given that name no attempt of the session, in the order given."""
        ids = list(dict.fromkeys(attempt_ids))
        found = {
            row[0]
            for row in self._conn.execute(
                "SELECT attempt_id FROM attempts WHERE attempt_id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
        }
        return [attempt_id for attempt_id in ids if attempt_id not in found]

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self._transaction() as c:
            c.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, _dump(value)))

    def counts(self) -> dict[str, int]:
        """How many rows each kind of record has: for summaries."""
        tables = ("tasks", "attempts", "verdicts", "reviewers", "judgements", "adjudications", "flags", "plans")
        return {t: self._conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}

    # ------------------------------------------------------------------ the analyst's views
    def view_columns(self, view: str) -> list[str]:
        """The columns of one of ANALYST_VIEW_NAMES, in order."""
        if view not in ANALYST_VIEW_NAMES:
            raise ValueError(f"unknown view '{view}' (expected one of {', '.join(ANALYST_VIEW_NAMES)})")
        return [row[1] for row in self._conn.execute(f"PRAGMA table_info({view})")]

    def view_rows(self, view: str, columns: Sequence[str] | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """The rows of one of ANALYST_VIEW_NAMES in its order, as dicts of the columns asked (default all),
        read in batches so a BARE-sized study is never held whole."""
        known = self.view_columns(view)
        chosen = list(columns) if columns else known
        unknown = [c for c in chosen if c not in known]
        if unknown:
            raise ValueError(f"unknown column(s) {', '.join(unknown)} of {view} (it has {', '.join(known)})")
        cursor = self._conn.execute(f"SELECT {', '.join(chosen)} FROM {view}")
        while rows := cursor.fetchmany(batch):
            for row in rows:
                yield dict(zip(chosen, row))

    # ------------------------------------------------------------------ exports, streamed
    @contextmanager
    def snapshot(self, parallel: bool = False) -> Iterator[None]:
        """Every read in the block sees one state of the session (one read transaction), whatever other
        processes commit meanwhile: an export read by two statements is still one consistent copy. parallel: a
        second connection, outside any transaction, reads SQLite's data_version before this one begins, so that
        export_to can show that its reader processes read this same state."""
        if self._conn.in_transaction:
            yield
            return
        if parallel and EXPORT_READERS > 1 and hasattr(os, "fork"):
            with contextlib.suppress(sqlite3.Error):  # no second connection (too many files open): read alone
                self._probe = self._export_connection()
                self._data_version = self._probe.execute("PRAGMA data_version").fetchone()[0]
        try:
            _begin_read(self._conn)
            yield
        finally:
            if self._probe is not None:
                self._probe.close()
                self._probe = None
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("COMMIT")

    def _another_connection(self, mode: str, check_same_thread: bool = True) -> sqlite3.Connection:
        """Another connection to this session's file (`mode`: mode=ro, mode=rw or immutable=1), in autocommit,
        waiting BUSY_TIMEOUT_MS for a lock as the store's own does."""
        return sqlite3.connect(
            f"{self.path.resolve().as_uri()}?{mode}",
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=check_same_thread,
        )

    def _export_connection(self) -> sqlite3.Connection:
        """Another read-only connection to this session, with the export's functions."""
        conn = self._another_connection("immutable=1" if self.immutable else "mode=ro")
        _export_functions(conn)
        return conn

    def export_lines(
        self,
        what: str,
        columns: Sequence[str],
        fmt: str,
        source: str | None = None,
        keys: Sequence[int] | None = None,
        skip: Sequence[int] = (),
    ) -> Iterator[ExportChunk]:
        """The lines of a verdicts, attempts or judgements export in the export's order, as UTF-8 in chunks of
        whole lines (JSON Lines: one object and \\n; CSV: one record and \\r\\n). Byte for byte what the exporter
        writes from export_rows (the rules are the exporter's: stored JSON copied, formulas neutralised, null an
        empty CSV cell), without a Python object per value: SQLite builds each line, and a long text (a whole
        file, stored in its JSON form) comes between the line's other parts as it is stored, joined to them here
        rather than by SQLite (whose || copies the line so far again at each part). In CSV a long text is the
        one value Python writes. keys: only the rows with these order keys (ExportMark.key); skip: all rows but
        these."""
        # Each task's first attempt from a list read in this same transaction (outside one, a commit could land
        # between the two reads: the query then asks SQLite row by row, as the other export queries do).
        listed = self._conn.in_transaction
        select, tasks, lines, firsts = _line_select(what, columns, fmt, listed)
        self._export_functions()
        leading = [json.dumps(self._first_attempts())] if firsts else []
        sql, params = _export_query(what, select, source, _keys_where(what, keys, skip), leading=leading, tasks=tasks)
        cursor = self._conn.execute(sql, params)
        while rows := cursor.fetchmany(EXPORT_BLOCK_KEYS[what]):  # about 2 MB of lines a chunk
            yield lines(rows)

    def export_to(
        self,
        what: str,
        columns: Sequence[str],
        fmt: str,
        source: str | None,
        skip: Sequence[int],
        write: Callable[[ExportChunk], object],
    ) -> int | None:
        """export_lines(what, columns, fmt, source, skip=skip) read and written by EXPORT_READERS processes at
        once (the cores of the machine; SQLite and Python in one process share locks that threads fight over):
        the order keys are cut into blocks of EXPORT_BLOCK_KEYS[what], process k reads every k-th block (one
        query on a range of the order's index) and calls `write` with its lines when the block before has been
        written. `write` runs in those processes: it must write to a file descriptor they share, not to Python's
        buffers. Returns the rows written; or None, having written nothing, where it cannot (not in a parallel
        snapshot, no fork, one block) or where its readers cannot be shown to read the snapshot's state (a
        commit landed while they began): export_lines then reads them alone."""
        threading = sys.modules.get("threading")
        if self._probe is None or (threading is not None and threading.active_count() > 1):
            return None  # a fork copies only this thread: another's locks would stay held in the readers
        select, tasks, lines, listed = _line_select(what, columns, fmt, True)
        table, key = _EXPORT_KEYS[what]
        low, high = self._conn.execute(f"SELECT min({key}), max({key}) FROM {table}").fetchone()
        order, step = _EXPORT_ORDER[what], EXPORT_BLOCK_KEYS[what]
        blocks = range(low, high + 1, step) if low is not None else range(0)
        if len(blocks) < 2:
            return None
        skipped = sorted(skip)
        firsts = self._first_attempts() if listed else []  # the snapshot's, which the readers are shown to read

        def read(conn: sqlite3.Connection, start: int) -> ExportChunk:
            inside = skipped[bisect.bisect_left(skipped, start) : bisect.bisect_left(skipped, start + step)]
            where = [(f"{order} >= ?", [start]), (f"{order} < ?", [start + step]), *_keys_where(what, None, inside)]
            block = firsts[bisect.bisect_left(firsts, start) : bisect.bisect_left(firsts, start + step)]
            leading = [json.dumps(block)] if listed else []
            sql, params = _export_query(what, select, source, where, leading=leading, tasks=tasks)
            return lines(conn.execute(sql, params).fetchall())

        return _ReaderProcesses(self, min(EXPORT_READERS, len(blocks)), blocks).run(read, write)

    def export_marks(
        self, what: str, columns: Sequence[str], source: str | None = None, limit: int = 0
    ) -> list[ExportMark]:
        """The first `limit` rows of a JSON Lines export (export_lines) as what the exporter reads of them to
        move a row up so that polars infers every column (exporter.hoisted): each row's order key and which of
        its columns are empty. No line is built: the rows moved up are read again by key."""
        expressions = _export_expressions(what, columns)
        self._export_functions()
        empty = " | ".join(
            f"(({_EMPTY_SQL[kind].replace('$c', sql)}) << {i})" for i, (sql, kind) in enumerate(expressions)
        )
        sql, params = _export_query(what, f"{_EXPORT_ORDER[what]}, {empty or '0'}", source, (), limit)
        return [ExportMark(key, bits) for key, bits in self._conn.execute(sql, params)]

    def export_first_keys(
        self, what: str, columns: Sequence[str], source: str | None, after: int, bits: int, within: int
    ) -> list[int]:
        """For each column asked with bit i set in `bits`: the order key of the first row, among the `within`
        rows after the key `after`, in which it is not empty (export_marks's empty bits); found by SQLite in one
        pass, no row read into Python. Sorted, each key once; a column empty in all of those rows gives none."""
        self._export_functions()
        order = _EXPORT_ORDER[what]
        expressions = _export_expressions(what, columns)
        chosen = [i for i in range(len(expressions)) if bits >> i & 1]
        if not chosen or within <= 0:
            return []
        wanted = [expressions[i] for i in chosen]
        leading = []  # in a transaction, each task's first attempt as a list (_FIRST_LISTED), as the lines ask it
        if self._conn.in_transaction and (asked := _first_listed(wanted)) is not None:
            wanted, leading = asked, [json.dumps(self._first_attempts())]
        filled = ", ".join(
            f"NOT ({_EMPTY_SQL[kind].replace('$c', sql)}) AS f{i}"
            for i, (sql, kind) in zip(chosen, wanted, strict=True)
        )
        where = [(f"{order} > ?", [after])]
        inner, params = _export_query(what, f"{order} AS k, {filled}", source, where, within, leading)
        firsts = ", ".join(f"min(CASE WHEN f{i} THEN k END)" for i in chosen)
        row = self._conn.execute(f"SELECT {firsts} FROM ({inner})", params).fetchone()
        return sorted({key for key in row if key is not None})

    def export_span(
        self, what: str, columns: Sequence[str], source: str | None, after: int, until: int, limit: int
    ) -> ExportSpan:
        """The rows after the order key `after` up to `until`, if there are at most `limit` of them (else
        ExportSpan.last is None): how many, the characters of text they hold (as exporter.hoisted counts them),
        and those of the row `until`. The characters are counted only when the rows are few enough."""
        order = _EXPORT_ORDER[what]
        between = [(f"{order} > ?", [after]), (f"{order} <= ?", [until])]
        inner, params = _export_query(what, f"{order} AS k", source, between, max(limit, 0))
        rows, last = self._conn.execute(f"SELECT count(*), max(k) FROM ({inner})", params).fetchone()
        if last != until:
            return ExportSpan(rows, 0, None)
        self._export_functions()
        chars = " + ".join(_CHARS_SQL[kind].replace("$c", sql) for sql, kind in _export_expressions(what, columns))
        inner, params = _export_query(what, f"{order} AS k, {chars or '0'} AS c", source, between)
        held, own = self._conn.execute(
            f"SELECT COALESCE(sum(c), 0), sum(CASE WHEN k = ? THEN c END) FROM ({inner})", [until, *params]
        ).fetchone()
        return ExportSpan(rows, held, own)

    def export_group_keys(
        self, what: str, columns: Sequence[str], source: str | None, group: Sequence[str], key: int
    ) -> list[int]:
        """The order keys of the rows before `key` in its order group: those whose group columns are the row's
        (a column not asked counts as NULL in every row, as exporter.hoisted has it)."""
        order = _EXPORT_ORDER[what]
        chosen = dict(zip(columns, _export_expressions(what, columns)))
        expressions = [chosen[name][0] for name in group if name in chosen]
        where: list[tuple[str, Sequence[Any]]] = [(f"{order} < ?", [key])]
        if expressions:
            query, params = _export_query(what, ", ".join(expressions), source, [(f"{order} = ?", [key])])
            values = self._conn.execute(query, params).fetchone()
            where += [(f"{expression} IS ?", [value]) for expression, value in zip(expressions, values)]
        query, params = _export_query(what, order, source, where)
        return [row[0] for row in self._conn.execute(query, params)]

    def _export_functions(self) -> None:
        _export_functions(self._conn)

    def _first_attempts(self) -> list[int]:
        """The seq of each task's first attempt (_FIRST_OF_TASK), ascending, for an export to ask of a short list
        (_FIRST_LISTED) instead of idx_attempts_task_seq twice a row: one step down that index a task (6 ms for
        4,276 tasks of 243,732 attempts, where a GROUP BY walking all of it took 23 ms)."""
        sql = "SELECT (SELECT min(f.seq) FROM attempts f WHERE f.task_id = t.task_id) FROM tasks t"
        return sorted(row[0] for row in self._conn.execute(sql) if row[0] is not None)  # None: a task without one

    def export_rows(self, what: str, source: str | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """The rows of a verdicts or attempts export, read from a cursor in batches (memory stays flat) with
        stored JSON (evidence, details, meta, problems) as RawJSON: copied into the output, never decoded.
        verdicts: in the order written, with each attempt's model and language. attempts: in import order with
        the task's language and path, and its original and meta on the task's first attempt only."""
        if what == "verdicts":
            where, params = ("" if source is None else " WHERE v.source = ?"), ([] if source is None else [source])
            sql = (
                "SELECT v.attempt_id, v.stage, v.outcome, v.score, v.evidence, v.pipeline_version, v.source,"
                " v.created_at, a.model, t.language, v.details FROM verdicts v"
                " LEFT JOIN attempts a ON a.attempt_id = v.attempt_id LEFT JOIN tasks t ON t.task_id = a.task_id"
                f"{where} ORDER BY v.rowid"
            )
            raw: tuple[str, ...] = ("evidence", "details")
            texts: tuple[str, ...] = ()
        elif what == "attempts":
            first = "a.seq = (SELECT MIN(b.seq) FROM attempts b WHERE b.task_id = a.task_id)"
            sql = (
                "SELECT a.attempt_id, a.task_id, a.model, t.language, t.path,"
                f" CASE WHEN {first} THEN t.original END AS original,"
                f" CASE WHEN {first} THEN t.meta END AS task_meta, x.refactored, x.response, x.patch, a.meta,"
                " a.problems FROM attempts a JOIN tasks t ON t.task_id = a.task_id"
                " LEFT JOIN attempt_texts x ON x.attempt_id = a.attempt_id ORDER BY a.seq"
            )
            params, raw, texts = [], ("task_meta", "meta", "problems"), ("original", *_LONG_TEXTS)
        else:
            raise ValueError(f"no streamed export of {what!r}")
        cursor = self._conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        read: list[Callable[[Any], Any] | None] = [
            RawJSON if name in raw else _text if name in texts else None for name in names
        ]
        while rows := cursor.fetchmany(batch):
            for row in rows:
                yield {
                    name: value if value is None or convert is None else convert(value)
                    for name, value, convert in zip(names, row, read)
                }

    def raw_view_rows(self, view: str, columns: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        """view_rows with the JSON columns (labels, flagged_by) as RawJSON, for exports that copy them."""
        for row in self.view_rows(view, columns):
            for key in ("labels", "flagged_by"):
                if row.get(key) is not None:
                    row[key] = RawJSON(row[key])
            yield row

    # ------------------------------------------------------------------ lists (the queue and audit screens)
    # The same rules as current_verdicts() and judgements(), without texts, evidence and enums, so that
    # long lists load quickly (bench/queue_screen.py).
    def current_outcomes(self) -> dict[tuple[str, str], str]:
        """(attempt_id, stage) -> the outcome value of the verdict current_verdicts() chooses."""
        _, rows = self._chosen_verdicts("attempt_id, stage, outcome", None, None)
        return {(attempt_id, stage): outcome for attempt_id, stage, outcome in rows}

    def current_labels(self) -> list[LabelRow]:
        """(attempt_id, reviewer, stage, label) of every label in force, as judgements() finds them."""
        _, rows = self._labels_in_force("j.attempt_id, j.reviewer, j.stage, j.label", "", ())
        return list(map(LabelRow._make, rows))

    def current_label_rows(self) -> list[SeenLabelRow]:
        """(attempt_id, reviewer, stage, label, saw_verdicts 0 or 1) of every label in force, as judgements()
        finds them: what the statistics read, anchoring included."""
        _, rows = self._labels_in_force("j.attempt_id, j.reviewer, j.stage, j.label, j.saw_verdicts", "", ())
        return list(map(SeenLabelRow._make, rows))

    def label_columns_in_force(self) -> LabelColumnsInForce:
        """current_label_rows() as named columns: what the statistics read, without a named row per label (136k
        on a BARE-sized study, a third of a second)."""
        _, rows = self._labels_in_force("j.attempt_id, j.reviewer, j.stage, j.label, j.saw_verdicts", "", ())
        columns = [list(column) for column in zip(*rows)] or [[] for _ in range(5)]
        return LabelColumnsInForce(*columns)

    def judged_attempt_ids(self, reviewer: str) -> set[str]:
        """Attempts on which this reviewer has at least one label in force, without building judgements."""
        _, rows = self._labels_in_force("j.attempt_id", " WHERE j.reviewer = ?", (reviewer,))
        return {row[0] for row in rows}

    def reviewer_labelled_attempts(self, reviewer: str, fields: Sequence[str]) -> ReviewerLabelledAttempts:
        """The attempts this reviewer has a label in force on, and those among them labelled in every one of
        `fields`: what the review session derives its judged and fully labelled attempts from. Counted in SQL along
        the in-force index (7,547 attempts of 45k labels at BARE scale) and handed back as one joined text per
        column: a read on a thread of its own then needs the interpreter's lock once, not once a row."""
        # ?1: how many fields, ?2: their names, ?3: the reviewer
        labelled = (
            "(SELECT j.attempt_id AS attempt_id, SUM(j.stage IN (SELECT value FROM json_each(?2))) >= ?1 AS whole"
            " FROM judgements j INDEXED BY idx_judgements_in_force WHERE j.reviewer = ?3 AND j.in_force"
            " GROUP BY j.attempt_id)"
        )
        params = (len(set(fields)), json.dumps(list(fields)), reviewer)
        joined, full, count, full_count = self._conn.execute(
            "SELECT group_concat(attempt_id, char(31)), group_concat(CASE WHEN whole THEN attempt_id END, char(31)),"
            f" COUNT(*), TOTAL(whole) FROM {labelled}",
            params,
        ).fetchone()
        judged = joined.split("\x1f") if joined is not None else []
        fully = full.split("\x1f") if full is not None else []
        if len(judged) != count or len(fully) != int(full_count):  # an id holds the separator: one a row
            rows = self._conn.execute(f"SELECT attempt_id, whole FROM {labelled}", params).fetchall()
            judged = [attempt_id for attempt_id, _ in rows]
            fully = [attempt_id for attempt_id, whole in rows if whole]
        return ReviewerLabelledAttempts(judged, fully)

    # The review screen before the session's order is read: its answers in import order, each through an index.
    def first_attempt_unjudged(self, reviewer: str, after: str | None = None) -> str | None:
        """The first attempt in import order on which this reviewer has no label in force; after: the first one
        after that attempt, else (wrapping round) from the start. None when every attempt is judged."""
        sql = (
            "SELECT a.attempt_id FROM attempts a WHERE a.seq > ? AND NOT EXISTS (SELECT 1 FROM judgements j"
            " WHERE j.attempt_id = a.attempt_id AND j.reviewer = ? AND j.in_force) ORDER BY a.seq LIMIT 1"
        )
        seq = self._seq(after) if after is not None else None
        for start in ([seq] if seq is not None else []) + [-(2**63)]:
            row = self._conn.execute(sql, (start, reviewer)).fetchone()
            if row is not None:
                return str(row[0])
        return None

    def attempt_step(self, attempt_id: str, step: int) -> str | None:
        """The attempt next (+1) or previous (-1) to this one in import order; None past either end."""
        seq = self._seq(attempt_id)
        if seq is None:
            return None
        sql = (
            "SELECT attempt_id FROM attempts WHERE seq > ? ORDER BY seq LIMIT 1"
            if step > 0
            else "SELECT attempt_id FROM attempts WHERE seq < ? ORDER BY seq DESC LIMIT 1"
        )
        row = self._conn.execute(sql, (seq,)).fetchone()
        return None if row is None else str(row[0])

    def attempt_position(self, attempt_id: str) -> int | None:
        """The attempt's 0-based place in import order (counted along the seq index); None if it is not here."""
        seq = self._seq(attempt_id)
        if seq is None:
            return None
        return int(self._conn.execute("SELECT COUNT(*) FROM attempts WHERE seq < ?", (seq,)).fetchone()[0])

    def _seq(self, attempt_id: str) -> int | None:
        row = self._conn.execute("SELECT seq FROM attempts WHERE attempt_id = ?", (attempt_id,)).fetchone()
        return None if row is None else int(row[0])

    # ------------------------------------------------------------------ the screens' reads (queue, audit, review)
    # Reads of a few thousand attempts out of a BARE-sized session, so that a list of them does not walk them all.
    def attempt_ids_in_order(self) -> list[str]:
        """Every attempt id in import order, and nothing else: the review screen's order."""
        return [row[0] for row in self._conn.execute("SELECT attempt_id FROM attempts ORDER BY seq")]

    def attempt_columns(self) -> AttemptColumns:
        """Every attempt in import order as columns, with its packed field outcomes, and the verdicts that count in
        the extra stages: one scan of the attempts table (no texts in it) and two of its covering indexes, the tasks,
        and an index range.

        243,732 attempts at BARE scale: each column comes back as one joined text that numpy parses, and the tasks
        and models as codes grouped in SQL, rather than a Python tuple and five objects per attempt (a third of the
        CPU, and most of what is left runs in SQLite, without Python's lock). Its reads are one read transaction,
        so that the groups' rowids are the scan's whatever another process commits meanwhile."""
        with self.snapshot():
            return self._attempt_columns()

    def _attempt_columns(self) -> AttemptColumns:
        ids_text, rowids_text, seqs_text, outcomes_text = self._conn.execute(
            # the separator a literal: char(10) is a function call a row, a fifth of the scan's CPU
            f"SELECT group_concat(attempt_id, '{_LF}'), group_concat(rowid), group_concat(seq),"
            " group_concat(field_outcomes) FROM attempts"
        ).fetchone()
        # Every select before numpy is first needed: the queue imports numpy on another thread as this read begins
        # (100-200 ms holding the interpreter's lock), and SQLite works without that lock meanwhile.
        groups = {
            column: self._conn.execute(
                f"SELECT {column}, count(*), group_concat(rowid) FROM attempts GROUP BY {column}"
            ).fetchall()
            for column in ("task_id", "model")
        }
        tasks = {row[0]: TaskPlace(*row) for row in self._conn.execute("SELECT task_id, language, path FROM tasks")}
        extra = [stage for stage in self.verdict_stages() if stage not in FIELDS]
        outcomes: list[StageOutcome] = []
        if extra:
            cursor = self._conn.execute(
                "SELECT attempt_id, stage, outcome FROM chosen_verdicts"
                " WHERE counts AND stage IN (SELECT value FROM json_each(?))",
                (json.dumps(extra),),
            )
            outcomes = [StageOutcome(*row) for row in cursor]
        # Imported here, not at the top: the commands that never list attempts do not load numpy.
        import numpy as np

        rowids, seqs, codes = (_int_column(text) for text in (rowids_text, seqs_text, outcomes_text))
        ids: list[str] = ids_text.split("\n") if ids_text is not None else []
        if len(ids) != len(rowids):  # an id holds the separator: read the ids one a row, in the same order
            ids = [row[0] for row in self._conn.execute("SELECT attempt_id FROM attempts ORDER BY rowid")]
            order = np.argsort(rowids, kind="stable")
            rowids, seqs, codes = rowids[order], seqs[order], codes[order]
        if len(seqs) > 1 and not bool(np.all(seqs[1:] > seqs[:-1])):
            order = np.argsort(seqs, kind="stable")
            ids = [ids[i] for i in order.tolist()]
            rowids, seqs, codes = rowids[order], seqs[order], codes[order]
        position_of = _positions_of(rowids)

        def grouped(column: str) -> tuple[np.ndarray, list[str]]:
            """Each attempt's code of this column, and the values by code (one row a distinct value)."""
            rows = groups[column]
            code = np.zeros(len(ids), np.int32)
            positions = position_of(_int_column(",".join(row[2] for row in rows)))
            code[positions] = np.repeat(np.arange(len(rows), dtype=np.int32), [row[1] for row in rows])
            return code, [row[0] for row in rows]

        task, task_ids = grouped("task_id")
        model, models = grouped("model")
        return AttemptColumns(ids, seqs, task, task_ids, model, models, codes, tasks, extra, outcomes)

    def label_tallies(self, reviewer: str, attempt_ids: Iterable[str] | None = None) -> LabelTallies:
        """The people side of every attempt-stage someone labelled or an auditor settled (of these attempts only,
        when given), tallied along the labels in force kept on write (judgements.in_force): what the queue decides
        its people columns from, without reading each judgement as a row.

        SQL groups the labels by attempt only (9,879 groups at BARE scale, not 59,274 attempt-stages) and gives
        each label in force as one small number (_TALLY_CODE: its field, pass or fail, whether it is the
        reviewer's), which numpy counts per attempt-stage; an attempt comes back with its seq, so that the queue
        places it without a dictionary of every attempt id. Labels of stages outside the six fields, which no
        form writes but a merged or imported session may hold, are tallied by stage name in a second read, only
        when there are some."""
        only = "" if attempt_ids is None else " AND attempt_id IN (SELECT value FROM json_each(:ids))"
        params = {"reviewer": reviewer, "ids": json.dumps(sorted(set(attempt_ids or ())))}
        rows = self._conn.execute(
            "SELECT x.attempt_id, a.seq, x.n, x.codes FROM (SELECT attempt_id, COUNT(*) AS n,"
            f" group_concat({_TALLY_CODE}) AS codes FROM judgements WHERE in_force{only} GROUP BY attempt_id) x"
            " JOIN attempts a ON a.attempt_id = x.attempt_id",
            params,
        ).fetchall()
        import numpy as np  # after the select, as in attempt_columns

        attempt_index = {row[0]: i for i, row in enumerate(rows)}
        attempt_seqs = np.array([row[1] for row in rows], np.int64)
        codes = _int_column(",".join(row[3] for row in rows))
        owner = np.repeat(np.arange(len(rows)), [row[2] for row in rows])
        width = len(FIELDS)
        field_label = (codes >> _TALLY_STAGE_SHIFT) < width
        cell = owner[field_label] * width + (codes[field_label] >> _TALLY_STAGE_SHIFT)
        label = (codes[field_label] >> 1) & 3
        size = len(rows) * width
        at = np.flatnonzero(np.bincount(cell, minlength=size))  # the attempt-stages with a label, in that order
        passes, fails, mine = (
            np.bincount(cell, weights, size)[at].astype(np.int64)
            for weights in (label == _TALLY_LABEL_PASS, label == _TALLY_LABEL_FAIL, codes[field_label] & 1)
        )
        owners = at // width
        ids = [rows[i][0] for i in owners.tolist()]
        stage = at % width
        stage_names = list(FIELDS)
        seqs = attempt_seqs[owners]
        others: dict[tuple[str, str], int] = {}  # (attempt_id, stage) -> row, of stages outside the six
        if not bool(field_label.all()):  # labels of other stages: tallied by name, as few as they are
            other = self._conn.execute(
                "SELECT t.attempt_id, t.stage, t.passes, t.fails, t.mine, a.seq FROM (SELECT attempt_id, stage,"
                " SUM(label = 'pass') AS passes, SUM(label = 'fail') AS fails, SUM(reviewer = :reviewer) AS mine"
                f" FROM judgements WHERE in_force AND stage NOT IN ({_FIELD_LIST}){only} GROUP BY attempt_id, stage) t"
                " JOIN attempts a ON a.attempt_id = t.attempt_id",
                params,
            ).fetchall()
            stage_names += sorted({row[1] for row in other})
            others = {(row[0], row[1]): len(ids) + i for i, row in enumerate(other)}
            ids += [row[0] for row in other]
            numbers = np.array([row[2:] for row in other], np.int64).reshape(-1, 4)
            stage = np.concatenate((stage, [stage_names.index(row[1]) for row in other])).astype(np.int64)
            passes, fails, mine, seqs = (np.concatenate((a, b)) for a, b in zip((passes, fails, mine, seqs), numbers.T))
        # Adjudications are an auditor's few: the newest of each attempt-stage, placed here rather than joined in SQL.
        settled = self._conn.execute(
            "SELECT d.attempt_id, d.stage, d.label, a.seq FROM (SELECT attempt_id, stage, label, ROW_NUMBER()"
            " OVER (PARTITION BY attempt_id, stage ORDER BY saved_at DESC, rowid DESC) AS rank"
            f" FROM adjudications WHERE true{only}) d JOIN attempts a ON a.attempt_id = d.attempt_id"
            " WHERE rank = 1",
            params,
        ).fetchall()
        adjudication_names = sorted({row[2] for row in settled})
        adjudicated = np.full(len(ids), -1, np.int64)
        unlabelled: list[tuple[str, str, int, int]] = []  # settled where no label is in force
        for attempt_id, stage_name, verdict, seq in settled:
            code = adjudication_names.index(verdict)
            found = others.get((attempt_id, stage_name))
            if found is None and stage_name in FIELD_INDEX and attempt_id in attempt_index:
                place = attempt_index[attempt_id] * width + FIELD_INDEX[stage_name]
                i = int(np.searchsorted(at, place))
                found = i if i < len(at) and at[i] == place else None
            if found is None:
                unlabelled.append((attempt_id, stage_name, code, seq))
            else:
                adjudicated[found] = code
        if unlabelled:
            for name in sorted({row[1] for row in unlabelled} - set(stage_names)):
                stage_names.append(name)
            ids += [row[0] for row in unlabelled]
            stage = np.concatenate((stage, [stage_names.index(row[1]) for row in unlabelled])).astype(np.int64)
            adjudicated = np.concatenate((adjudicated, [row[2] for row in unlabelled])).astype(np.int64)
            seqs = np.concatenate((seqs, [row[3] for row in unlabelled])).astype(np.int64)
            nothing = np.zeros(len(unlabelled), np.int64)
            passes, fails, mine = (np.concatenate((column, nothing)) for column in (passes, fails, mine))
        return LabelTallies(ids, stage, stage_names, passes, fails, mine, adjudicated, adjudication_names, seqs)

    def audit_rows(self) -> list[AuditRow]:
        """The audit list selected in SQL (audit.build_items' rules, which tests/unit/test_lists.py compares it
        with): the attempt-stages whose labels in force dispute the verdict that counts or each other, judged
        without any adjudication so that a settled item stays, and each flagged attempt's `overall`; in auditing
        order. Only attempt-stages with labels are looked at, along judgements.in_force, never every attempt; a
        field's verdict that counts is read from its attempt's packed outcomes (attempts.field_outcomes), which the
        list reads anyway, rather than looked up in chosen_verdicts cell by cell."""
        with collector_paused():
            rows = self._conn.execute(_AUDIT_ROWS).fetchall()
            # Few distinct label sets among thousands of rows ([["ana","pass"],["ben","fail"]], ...): each JSON text
            # decoded once, and its tuple shared by every row that has it.
            labels: dict[str, tuple[tuple[str, str], ...]] = {}
            for text in {row[-1] for row in rows}:
                labels[text] = tuple(sorted(map(tuple, json.loads(text))))
            return [
                AuditRow(a, stage, _AUDIT_KINDS[kind], seq, path, language, model, outcome, people, labels[text])
                for a, stage, kind, seq, path, language, model, outcome, people, text in rows
            ]

    def current_outcomes_of(self, attempt_ids: Iterable[str]) -> dict[tuple[str, str], str]:
        """current_outcomes() of these attempts only: the verdicts that count as kept on write (chosen_verdicts),
        read through its (attempt_id, ...) key."""
        rows = self._conn.execute(
            "SELECT attempt_id, stage, outcome FROM chosen_verdicts"
            " WHERE counts AND attempt_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(attempt_ids))),),
        )
        return {(attempt_id, stage): outcome for attempt_id, stage, outcome in rows}

    # ------------------------------------------------------------------ the statistics' reads
    # A BARE-sized session holds 1.5 million verdicts that count; the statistics need of them only how many
    # attempts of each group passed and failed each stage (counted here by SQLite), and each verdict of the
    # few thousand attempts people labelled. calibration.load_session puts the two together.
    def outcome_tally(
        self,
        stages: Sequence[str],
        source: str | None = None,
        *,
        runs: bool = False,
        plan: str | None = None,
        listed_in: str | None = None,
    ) -> OutcomeTally:
        """How many attempts share each combination of group and outcomes across `stages`.

        Without runs: the verdicts that count (a source's newest run with `source`), grouped by model and
        language; attempts without a verdict of the stages asked are left out (group_names() has every group).
        `plan` counts only the attempts of that plan's population (as often as it lists them). `listed_in`
        counts every attempt and, in the same pass, how often that plan's population lists each combination's
        attempts (OutcomeTally.listed; its `listed_only()` is what `plan` gives). With runs: every run's
        verdicts (a run being the pipeline version, or the source for a verdict without one), grouped by run,
        attempts without a verdict of the run left out; where two verdicts of one run share an attempt and
        stage (two sources with the same version), the one written last is the run's.

        The verdicts that count in the six fields are read from attempts.field_outcomes, which the store keeps
        with chosen_verdicts in the same transaction: one scan of the attempts rather than a grouping of 1.5
        million verdicts; only extra stages' verdicts are read from chosen_verdicts."""
        words = max(1, -(-len(stages) // TALLY_STAGES_PER_WORD))
        if runs:
            sql, params = self._run_tally_sql(stages, source, words, plan)
        elif source is None:
            sql, params = self._counted_tally_sql(stages, words, plan, listed_in)
        else:
            sql, params = self._source_tally_sql(stages, source, words, plan, listed_in)
        rows = self._conn.execute(sql, params).fetchall()
        if not rows:
            return OutcomeTally([], [], [], [], [], len(stages))
        models, languages, run_names, *packed_words, counts, listed = (list(column) for column in zip(*rows))
        return OutcomeTally(
            models,
            languages,
            run_names,
            [tuple(w) for w in zip(*packed_words)],
            counts,
            len(stages),
            [n or 0 for n in listed] if listed_in is not None else [],
        )

    @staticmethod
    def _packed_words(
        stages: Sequence[str], words: int, keep: Callable[[str], bool] = lambda stage: True
    ) -> tuple[list[str], list[str]]:
        """Per word, the SUM over one attempt's verdicts (as `v`) packing each stage's outcome at its place among
        `stages` (only the stages `keep` accepts; a verdict of another stage shifts by NULL and adds nothing),
        and the stage names those expressions bind."""
        code = f"(CASE v.outcome WHEN 'pass' THEN {TALLY_PASS} WHEN 'fail' THEN {TALLY_FAIL} ELSE {TALLY_OTHER} END)"
        packed, params = [], []
        for w in range(words):
            shifts = [
                (s, stage)
                for s, stage in list(enumerate(stages))[w * TALLY_STAGES_PER_WORD : (w + 1) * TALLY_STAGES_PER_WORD]
                if keep(stage)
            ]
            cases = " ".join(f"WHEN ? THEN {2 * (s % TALLY_STAGES_PER_WORD)}" for s, _ in shifts)
            packed.append(f"SUM({code} << (CASE v.stage {cases} END)) AS w{w}" if shifts else f"0 AS w{w}")
            params += [stage for _, stage in shifts]
        return packed, params

    @staticmethod
    def _listing(plan: str) -> tuple[str, list[str]]:
        """A CTE `listed(attempt_id, n)`: each attempt of the plan's population and how often it is listed."""
        return (
            "listed AS (SELECT m.value AS attempt_id, COUNT(*) AS n FROM plan_population p"
            " JOIN json_each(p.attempt_ids) m WHERE p.plan = ? GROUP BY m.value)",
            [plan],
        )

    def _counted_tally_sql(
        self, stages: Sequence[str], words: int, plan: str | None, listed_in: str | None
    ) -> tuple[str, list[Any]]:
        """outcome_tally of the verdicts that count: the six fields from attempts.field_outcomes (grouped as they
        are stored, then turned into the tally's codes per distinct value), extra stages from chosen_verdicts."""
        extra = [stage for stage in stages if stage not in FIELD_INDEX]
        ctes, params = [], []
        if extra:
            packed, stage_params = self._packed_words(stages, words, lambda stage: stage not in FIELD_INDEX)
            ctes.append(
                f"extra AS (SELECT v.attempt_id, {', '.join(packed)} FROM chosen_verdicts v"
                f" WHERE v.counts AND v.stage IN ({', '.join('?' * len(extra))}) GROUP BY v.attempt_id)"
            )
            params += [*stage_params, *extra]
        listing = plan if plan is not None else listed_in
        if listing is not None:
            cte, listing_params = self._listing(listing)
            ctes.append(cte)
            params += listing_params
        if plan is not None:  # the plan's attempts only, found through the attempts' key
            members = (
                "listed l CROSS JOIN attempts a ON a.attempt_id = l.attempt_id JOIN tasks t ON t.task_id = a.task_id"
            )
            count = "SUM(l.n)"
        else:  # every attempt, task by task: one lookup per task, not per attempt
            members = "tasks t CROSS JOIN attempts a ON a.task_id = t.task_id"
            count = "COUNT(*)"
        extra_words = [f"e.w{w}" for w in range(words)] if extra else []
        if extra:
            members += " LEFT JOIN extra e ON e.attempt_id = a.attempt_id"
        if listed_in is not None:
            members += " LEFT JOIN listed l ON l.attempt_id = a.attempt_id"
        listed = "SUM(l.n)" if listed_in is not None else "0"
        # the stored field codes (0 none, 1 + the index in Outcome) become the tally's: 0 absent, 1 pass, 2 fail,
        # 3 anything else, which is min(code, 3)
        assert FIELD_OUTCOME_NAMES[:2] == ("pass", "fail") and (TALLY_PASS, TALLY_FAIL, TALLY_OTHER) == (1, 2, 3)
        word_sql = []
        for w in range(words):
            terms = [
                f"(MIN((g.fo >> {FIELD_OUTCOME_BITS * FIELD_INDEX[stage]}) & {FIELD_OUTCOME_OTHER}, {TALLY_OTHER})"
                f" << {2 * (s % TALLY_STAGES_PER_WORD)})"
                for s, stage in list(enumerate(stages))[w * TALLY_STAGES_PER_WORD : (w + 1) * TALLY_STAGES_PER_WORD]
                if stage in FIELD_INDEX
            ]
            if extra:
                terms.append(f"COALESCE(g.e{w}, 0)")
            word_sql.append(" + ".join(terms) if terms else "0")
        present = "a.field_outcomes != 0" + (" OR e.attempt_id IS NOT NULL" if extra else "")
        grouped = ", ".join(["a.model", "t.language", "a.field_outcomes", *extra_words])
        inner = ", ".join(
            ["a.model AS model", "t.language AS language", "a.field_outcomes AS fo"]
            + [f"e.w{w} AS e{w}" for w in range(words) if extra]
        )
        sql = (
            f"{'WITH ' + ', '.join(ctes) if ctes else ''}"
            f" SELECT model, language, '' AS run, {', '.join(f'{x} AS w{w}' for w, x in enumerate(word_sql))},"
            f" SUM(attempts), SUM(listed) FROM (SELECT {inner}, {count} AS attempts, {listed} AS listed"
            f" FROM {members} WHERE {present} GROUP BY {grouped}) g"
            f" GROUP BY model, language, {', '.join(f'w{w}' for w in range(words))}"
        )
        return sql, params

    def _source_tally_sql(
        self, stages: Sequence[str], source: str, words: int, plan: str | None, listed_in: str | None
    ) -> tuple[str, list[Any]]:
        """outcome_tally of one source's newest verdicts: grouped per attempt in one scan of chosen_verdicts in
        its key's order (the source index would sort 1.5 million rows and look each one up)."""
        packed, stage_params = self._packed_words(stages, words)
        word_names = ", ".join(f"w{w}" for w in range(words))
        ctes = [f"per AS (SELECT v.attempt_id, {', '.join(packed)} FROM chosen_verdicts v WHERE +v.source = ?"
                " GROUP BY v.attempt_id)"]  # fmt: skip
        params: list[Any] = [*stage_params, source]
        listing = plan if plan is not None else listed_in
        if listing is not None:
            cte, listing_params = self._listing(listing)
            ctes.append(cte)
            params += listing_params
        if plan is not None:
            members, count = "listed l JOIN per ON per.attempt_id = l.attempt_id", "SUM(l.n)"
        else:
            members, count = "per", "COUNT(*)"
        members += " JOIN attempts a ON a.attempt_id = per.attempt_id"
        if listed_in is not None:
            members += " LEFT JOIN listed l ON l.attempt_id = per.attempt_id"
        listed = "SUM(l.n)" if listed_in is not None else "0"
        # each attempt's words, counted per model and task, then per language: a task lookup per task, not per
        # attempt
        sql = (
            f"WITH {', '.join(ctes)},"
            f" cells AS (SELECT a.model, a.task_id, {', '.join(f'per.w{w} AS w{w}' for w in range(words))},"
            f" {count} AS attempts, {listed} AS listed FROM {members} GROUP BY a.model, a.task_id, {word_names})"
            f" SELECT c.model, t.language, '' AS run, {', '.join(f'c.w{w}' for w in range(words))},"
            f" SUM(c.attempts), SUM(c.listed) FROM cells c JOIN tasks t ON t.task_id = c.task_id"
            f" GROUP BY c.model, t.language, {', '.join(f'c.w{w}' for w in range(words))}"
        )
        return sql, params

    def _run_tally_sql(
        self, stages: Sequence[str], source: str | None, words: int, plan: str | None = None
    ) -> tuple[str, list[Any]]:
        """outcome_tally with runs: every run's verdicts, grouped by run; `plan`: of its population's attempts
        only, as often as it lists them."""
        packed, stage_params = self._packed_words(stages, words)
        word_names = ", ".join(f"w{w}" for w in range(words))
        where, params = ("WHERE source = ?", [source]) if source is not None else ("", [])
        run = "CASE WHEN pipeline_version != '' THEN pipeline_version ELSE source END"
        verdicts = f"SELECT attempt_id, stage, outcome, {run} AS run, rowid AS written FROM verdicts {where}"
        pairs = self._conn.execute(f"SELECT DISTINCT source, pipeline_version FROM verdicts {where}", params)
        names = [version or name for name, version in pairs]
        if len(names) != len(set(names)):  # one run name from two sources: the last written verdict is the run's
            verdicts = (
                "SELECT attempt_id, stage, outcome, run FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY run,"
                f" attempt_id, stage ORDER BY written DESC) AS newest FROM ({verdicts})) WHERE newest = 1"
            )
        listing, members, count = "", "per", "COUNT(*)"
        listing_params: list[str] = []
        if plan is not None:
            cte, listing_params = self._listing(plan)
            listing, members, count = f"{cte}, ", "per JOIN listed l ON l.attempt_id = per.attempt_id", "SUM(l.n)"
        sql = (
            f"WITH {listing}v AS ({verdicts}), per AS (SELECT v.attempt_id, v.run, {', '.join(packed)}"
            " FROM v GROUP BY v.attempt_id, v.run)"
            f" SELECT '' AS model, '' AS language, run, {word_names}, {count} AS attempts, 0 FROM {members}"
            f" GROUP BY run, {word_names}"
        )
        return sql, [*listing_params, *params, *stage_params]

    def group_names(self) -> GroupNames:
        """Every model and every language the session's attempts have (a language only tasks without attempts
        have is not one), found along the indexes."""
        models = self._conn.execute(
            "WITH RECURSIVE m(model) AS (SELECT MIN(model) FROM attempts UNION ALL"
            " SELECT (SELECT MIN(model) FROM attempts WHERE model > m.model) FROM m WHERE m.model IS NOT NULL)"
            " SELECT model FROM m WHERE model IS NOT NULL"
        ).fetchall()
        languages = self._conn.execute(
            "SELECT DISTINCT t.language FROM tasks t"
            " WHERE EXISTS (SELECT 1 FROM attempts a WHERE a.task_id = t.task_id)"
        ).fetchall()
        return GroupNames([row[0] for row in models], [row[0] for row in languages])

    def counted_stage_names(self, source: str | None = None) -> list[str]:
        """Every stage name among the verdicts that count (a source's newest run with `source`), unordered."""
        if source is not None:  # skipping along the (source, stage) index
            rows = self._conn.execute(
                "WITH RECURSIVE s(stage) AS (SELECT MIN(stage) FROM chosen_verdicts WHERE source = ?1 UNION ALL"
                " SELECT (SELECT MIN(stage) FROM chosen_verdicts WHERE source = ?1 AND stage > s.stage) FROM s"
                " WHERE s.stage IS NOT NULL) SELECT stage FROM s WHERE stage IS NOT NULL",
                (source,),
            )
            return [row[0] for row in rows]
        # skipping along the (stage, ...) index of the verdicts that count
        rows = self._conn.execute(
            "WITH RECURSIVE s(stage) AS (SELECT MIN(stage) FROM chosen_verdicts WHERE counts UNION ALL"
            " SELECT (SELECT MIN(stage) FROM chosen_verdicts WHERE counts AND stage > s.stage) FROM s"
            " WHERE s.stage IS NOT NULL) SELECT stage FROM s WHERE stage IS NOT NULL"
        )
        return [row[0] for row in rows]

    def run_stage_names(self, source: str | None = None) -> list[str]:
        """Every stage name some verdict of any run has (of one source's runs with `source`), unordered."""
        if source is None:
            return self.verdict_stages()
        return [row[0] for row in self._conn.execute("SELECT DISTINCT stage FROM verdicts WHERE source = ?", (source,))]

    def scored_stage_names(self, source: str | None = None) -> set[str]:
        """The stages whose verdicts that count (a source's with `source`) hold a finite score somewhere. A
        source's are found in one scan (its index holds no scores, and looking each row up costs more)."""
        where, params = ("counts", []) if source is None else ("+source = ?", [source])
        rows = self._conn.execute(
            f"SELECT DISTINCT stage FROM chosen_verdicts WHERE {where} AND score > -9e999 AND score < 9e999", params
        )
        return {row[0] for row in rows}

    def attempt_groups_of(self, attempt_ids: Iterable[str]) -> AttemptGroups:
        """attempt_groups() of these attempts only (those the session has), in import order, as named columns."""
        rows = self._conn.execute(
            "SELECT a.attempt_id, a.model, t.language FROM attempts a JOIN tasks t ON t.task_id = a.task_id"
            " WHERE a.attempt_id IN (SELECT value FROM json_each(?)) ORDER BY a.seq",
            (json.dumps(sorted(set(attempt_ids))),),
        ).fetchall()
        ids, models, languages = (list(column) for column in zip(*rows)) if rows else ([], [], [])
        return AttemptGroups(ids, models, languages)

    def counted_verdicts_of(self, attempt_ids: Iterable[str], source: str | None = None) -> VerdictRows:
        """The verdicts that count (current_verdict_rows(), a source's with `source`) of these attempts only, found
        through their key (the source index would walk every verdict of the source)."""
        where, params = ("counts", []) if source is None else ("+source = ?", [source])
        rows = self._conn.execute(
            "SELECT attempt_id, stage, outcome, score, '' FROM chosen_verdicts"
            f" WHERE {where} AND attempt_id IN (SELECT value FROM json_each(?))",
            [*params, json.dumps(sorted(set(attempt_ids)))],
        ).fetchall()
        return VerdictRows.of(rows)

    def run_verdicts_of(self, attempt_ids: Iterable[str], source: str | None = None) -> VerdictRows:
        """Every run's verdicts (verdict_rows(), one source's with `source`) of these attempts only, in the order
        written, each with its run: the pipeline version, or the source for a verdict without one."""
        where, params = (" AND source = ?", [source]) if source is not None else ("", [])
        rows = self._conn.execute(
            "SELECT attempt_id, stage, outcome, score,"
            " CASE WHEN pipeline_version != '' THEN pipeline_version ELSE source END FROM verdicts"
            f" WHERE attempt_id IN (SELECT value FROM json_each(?)){where} ORDER BY rowid",
            [json.dumps(sorted(set(attempt_ids))), *params],
        ).fetchall()
        return VerdictRows.of(rows)

    def import_positions(self, attempt_ids: Iterable[str]) -> ImportPositions:
        """How many of these attempts the session has, and the import position (from 0) of the last of them."""
        row = self._conn.execute(
            "WITH given AS (SELECT seq FROM attempts WHERE attempt_id IN (SELECT value FROM json_each(?)))"
            " SELECT (SELECT COUNT(*) FROM given), (SELECT COUNT(*) FROM attempts"
            " WHERE seq < (SELECT MAX(seq) FROM given)), (SELECT COUNT(*) FROM attempts)",
            (json.dumps(sorted(set(attempt_ids))),),
        ).fetchone()
        return ImportPositions(found=row[0], last=row[1] if row[0] else None, total=row[2])


class AttemptGroup(NamedTuple):
    """An attempt and what the statistics and plans group it by."""

    attempt_id: str
    model: str
    language: str


class VerdictRow(NamedTuple):
    """A verdict that counts, without its evidence: outcome as its value ("pass", ...)."""

    attempt_id: str
    stage: str
    outcome: str
    score: float | None


class RunVerdictRow(NamedTuple):
    """A stored verdict of some run, without its evidence."""

    attempt_id: str
    stage: str
    outcome: str
    score: float | None
    pipeline_version: str
    source: str


class LabelRow(NamedTuple):
    """A label in force: label as its value ("pass", ...)."""

    attempt_id: str
    reviewer: str
    stage: str
    label: str


class SeenLabelRow(NamedTuple):
    """A label in force, and whether its reviewer had seen the verdicts (1) or labelled blind (0)."""

    attempt_id: str
    reviewer: str
    stage: str
    label: str
    saw_verdicts: int


class TaskPlace(NamedTuple):
    """Where a task's file sits: what a list shows of it."""

    task_id: str
    language: str
    path: str


class StageOutcome(NamedTuple):
    """The outcome of one attempt-stage's verdict that counts."""

    attempt_id: str
    stage: str
    outcome: str


class AttemptColumns(NamedTuple):
    """Every attempt of a session in import order, as columns read in one scan of the attempts table: what the
    queue lists before people are read. task and model: each attempt's code into task_ids and models (the distinct
    values, in no particular order). field_outcomes: each attempt's outcomes of the verdicts that count in the
    six fields, packed (FIELD_OUTCOME_BITS a field in FIELDS order: 0 none, 1 + index in FIELD_OUTCOME_NAMES,
    FIELD_OUTCOME_OTHER for another text); extra_outcomes: the verdicts that count in the extra stages."""

    attempt_ids: list[str]
    seqs: np.ndarray  # int64
    task: np.ndarray  # int32 codes into task_ids
    task_ids: list[str]
    model: np.ndarray  # int32 codes into models
    models: list[str]
    field_outcomes: np.ndarray  # int64
    tasks: dict[str, TaskPlace]
    extra_stages: list[str]
    extra_outcomes: list[StageOutcome]


_LF = "\n"
"""A line feed, written into SQL as a literal (a text column joined with it needs no char(10) call a row)."""


def _positions_of(rowids: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A function from some of these rowids to their places among them: one look in a table indexed by rowid when
    the rowids are about as many as the rows (a session's are 1..n unless attempts were deleted), else a binary
    search each."""
    import numpy as np

    if not len(rowids):
        return lambda wanted: np.zeros(0, np.intp)
    low, high = int(rowids.min()), int(rowids.max())
    if low >= 0 and high < 4 * len(rowids) + 1024:
        table = np.full(high + 1, -1, np.intp)
        table[rowids] = np.arange(len(rowids))
        return lambda wanted: table[wanted]
    order = np.argsort(rowids, kind="stable")
    ordered = rowids[order]
    return lambda wanted: order[np.searchsorted(ordered, wanted)]


def _int_column(text: str | None) -> np.ndarray:
    """Integers SQLite joined with commas (group_concat), parsed in one numpy call; none when the text is None."""
    import numpy as np

    if not text:
        return np.zeros(0, np.int64)
    return np.fromstring(text, np.int64, sep=",")


class LabelTallies(NamedTuple):
    """Every attempt-stage that has a label in force or an adjudication, as columns: how many reviewers said pass
    and fail, whether the reviewer asked for has a label there, the newest adjudication's label, and the attempt's
    seq (its place in import order). The stage and the adjudication are codes into the names given (FIELDS first
    among the stages), so that a reader maps a column of codes rather than a text a row."""

    attempt_ids: list[str]
    stage: np.ndarray  # int64 codes into stage_names, as are the int64 columns below
    stage_names: list[str]
    passes: np.ndarray
    fails: np.ndarray
    mine: np.ndarray
    adjudicated: np.ndarray  # codes into adjudication_names; -1: none
    adjudication_names: list[str]
    seqs: np.ndarray

    @property
    def stages(self) -> list[str]:
        """Each row's stage name."""
        return [self.stage_names[code] for code in self.stage.tolist()]

    @property
    def adjudications(self) -> list[str | None]:
        """Each row's newest adjudication's label, or None."""
        return [self.adjudication_names[code] if code >= 0 else None for code in self.adjudicated.tolist()]


class AuditRow(NamedTuple):
    """One attempt-stage on the audit list, as the store selects it (the rules of audit.build_items): why it is
    there, what the attempt is, its verdict that counts, and each reviewer's label in force."""

    attempt_id: str
    stage: str
    kind: str
    seq: int
    path: str
    language: str
    model: str
    outcome: str | None
    people: str | None  # the reviewers' consensus, before any adjudication
    labels: tuple[tuple[str, str], ...]  # (reviewer, label), by reviewer


# ---------------------------------------------------------------------- one process per reviewer and session
class ReviewerHold(NamedTuple):
    """Who holds a reviewer's claim on a session: the process, its host and when it started."""

    reviewer: str
    pid: int
    host: str
    started_at: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, since {self.started_at[:16].replace('T', ' ')} UTC"


class ReviewerBusy(SessionError):
    """Another live process is labelling as this reviewer on this session."""

    def __init__(self, path: Path, holder: ReviewerHold | None) -> None:
        who = holder.describe() if holder is not None else "another process"
        super().__init__(f"{path}: {holder.reviewer if holder else 'this reviewer'} is already labelling here ({who})")
        self.holder = holder


class ReviewerClaim:
    """A reviewer's exclusive hold on a session: an flock on a side file, so the kernel lets go of it when the
    process ends, however it ends (kill -9 included); the file says who holds it, for the refusal message."""

    def __init__(self, path: Path, handle: Any, hold: ReviewerHold) -> None:
        self.path = path
        self._handle = handle
        self.hold = hold

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is None:
            return
        import fcntl

        try:
            # Unlinked while still locked: a process that opens the path afterwards gets a new file.
            self.path.unlink(missing_ok=True)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        finally:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def reviewer_lock_path(session: Path, reviewer: str) -> Path:
    """The side file of a reviewer's claim: beside the session, named by a readable slug and a hash."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", reviewer)[:32].strip("-") or "reviewer"
    digest = hashlib.sha256(reviewer.encode("utf-8")).hexdigest()[:10]
    return session.with_name(f"{session.name}.reviewer-{slug}-{digest}.lock")


def claim_reviewer(session: str | os.PathLike[str], reviewer: str) -> ReviewerClaim:
    """Take this reviewer's claim on a session, or raise ReviewerBusy naming the process that holds it.

    The claim is an exclusive, non-blocking flock (per open file, so a second claim in the same process is
    refused too). A claim left by a killed process is free again: the kernel dropped its lock.
    """
    import fcntl

    path = reviewer_lock_path(Path(session), reviewer)
    for _ in range(5):  # the file may be unlinked by its releasing holder between our open and our lock
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for as long as the claim
        except OSError as exc:
            raise SessionError(f"{path}: cannot write the reviewer's lock file: {exc.strerror or exc}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            text = handle.read()
            handle.close()
            raise ReviewerBusy(Path(session), _read_hold(text)) from None
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            handle.close()
            continue
        hold = ReviewerHold(reviewer, os.getpid(), socket.gethostname(), utc_now())
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps({"reviewer": hold.reviewer, "pid": hold.pid, "host": hold.host, "started_at": hold.started_at})
        )
        handle.flush()
        return ReviewerClaim(path, handle, hold)
    raise SessionError(f"{path}: could not take the reviewer's lock (the file kept changing); try again")


def _read_hold(text: str) -> ReviewerHold | None:
    try:
        data = json.loads(text)
        return ReviewerHold(str(data["reviewer"]), int(data["pid"]), str(data["host"]), str(data["started_at"]))
    except (ValueError, KeyError, TypeError):
        return None  # written half-way by a holder that is starting up: the message names no process


# ---------------------------------------------------------------------- exports built by SQLite
class ExportMark(NamedTuple):
    """A row at the head of a JSON Lines export: its order key (what Store.export_lines reads it again by) and
    which of its columns are empty (bit i for the i-th column asked)."""

    key: int
    empty: int


class ExportSpan(NamedTuple):
    """Rows of an export between two order keys (Store.export_span): how many, the characters of text they hold,
    and those of the last row (None: more rows than asked lie before it)."""

    rows: int
    chars: int
    last: int | None


class ExportChunk(NamedTuple):
    """Whole lines of an export, as UTF-8 in parts (the lines are the parts joined in order), and how many.
    Parts, so that a file can take them in one gathering write (os.writev) instead of a copy joined first."""

    rows: int
    parts: Sequence[bytes]

    @property
    def data(self) -> bytes:
        return b"".join(self.parts)


# What each column of a streamed export is read from, and what kind of value it is: text, a long text (long: a
# whole file, stored in its JSON form: copied as it is into JSON Lines, written as its cell by Python in CSV), stored
# JSON copied as it is (json), a stored JSON list decoded and written again (list: a judgement's tags, as
# judgements() has them), a 0/1 boolean (bool), or a number.
_FIRST_OF_TASK = "a.seq = (SELECT MIN(f.seq) FROM attempts f WHERE f.task_id = a.task_id)"
# The same test against a list of those seqs (Store._first_attempts, read in the same transaction), the query's
# first parameter: what an export's lines ask (_line_select), where _FIRST_OF_TASK costs two steps down an index of
# text keys a row (original and task_meta each ask it): 8.9k of 50k instructions a JSON Lines row (callgrind).
# SQLite reads the list into an index of its own once per statement.
_FIRST_LISTED = "a.seq IN (SELECT value FROM json_each(?1))"
# A column of the task's own row (t): the same in every attempt of the task (57 a task in a BARE session), so an
# attempts CSV export builds its cell once per task, with the commas beside it (_csv_line_items' tasks, read from
# a table of the tasks of the rows read: _export_query), instead of once per attempt: a short text's cell rule
# (_CSV_SQL) reads the value up to ten times and scans it four times. On the 243,732-attempt session: 117.9k to
# 105.7k instructions an attempts CSV row, query and lines (callgrind, 15,104 rows); the export's CPU (user +
# system) 7.59 to 7.20 s, median of 10 alternating runs each at load 4.3-6.4, faster in 9 of the 10 pairs.
_TASK_COLUMN = re.compile(r"t\.\w+")
_EXPORT_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "verdicts": {
        "attempt_id": ("v.attempt_id", "text"),
        "stage": ("v.stage", "text"),
        "outcome": ("v.outcome", "text"),
        "score": ("v.score", "number"),
        "evidence": ("v.evidence", "json"),
        "pipeline_version": ("v.pipeline_version", "text"),
        "source": ("v.source", "text"),
        "created_at": ("v.created_at", "text"),
        "model": ("a.model", "text"),
        "language": ("t.language", "text"),
        "details": ("v.details", "json"),
    },
    "attempts": {
        "attempt_id": ("a.attempt_id", "text"),
        "task_id": ("t.task_id", "text"),  # the join's a.task_id, read as the task's: see _TASK_COLUMN
        "model": ("a.model", "text"),
        "language": ("t.language", "text"),
        "path": ("t.path", "text"),
        "original": (f"CASE WHEN {_FIRST_OF_TASK} THEN t.original END", "long"),
        "task_meta": (f"CASE WHEN {_FIRST_OF_TASK} THEN t.meta END", "json"),
        "refactored": ("x.refactored", "long"),
        "response": ("x.response", "long"),
        "patch": ("x.patch", "long"),
        "meta": ("a.meta", "json"),
        "problems": ("a.problems", "json"),
    },
    "judgements": {
        "judgement_id": ("j.judgement_id", "text"),
        "attempt_id": ("j.attempt_id", "text"),
        "reviewer": ("j.reviewer", "text"),
        "stage": ("j.stage", "text"),
        "label": ("j.label", "text"),
        "confidence": ("j.confidence", "number"),
        "note": ("j.note", "text"),
        "tags": ("j.tags", "list"),
        "saw_verdicts": ("j.saw_verdicts", "bool"),
        "opened_at": ("j.opened_at", "text"),
        "saved_at": ("j.saved_at", "text"),
        "supersedes": ("j.supersedes", "text"),
        "retracted": ("j.retracted", "bool"),
    },
}
# Each kind as a JSON value, as a CSV cell, whether it is empty (null, [] or {}: exporter.hoisted) and how many
# characters of text it holds; $c is the column. A CSV cell follows csv_rows.csv_record: null an empty cell,
# empty text a quoted one, a cell with a quote, comma or line break quoted; and text that a spreadsheet would
# run as a formula gets a leading apostrophe (exporter.neutralise_cell), numbers and stored JSON never.
# GLOB reads text up to a NUL, as far as the first two characters here, where a NUL ends the match as it ends
# Python's startswith; instr reads the whole text, NULs and all. Cheap tests first (these run on every short value
# of an export): text whose first byte is a digit, or 'A' and above, starts no formula (comparisons, no call);
# stored JSON is mostly {} or [], else holds a quote.
# Made by Python instead (each column's bytes fetched, its cells kept by value, a record's short cells joined),
# the cells cost the same CPU as these rules: a 60,160-attempt slice of the 243,732-attempt CSV export 1.04 s
# either way (SQLite 0.50 to 0.33 s, Python 0.55 to 0.72 s), 400k verdicts 2.61 s and 2.63 s (best of 3 each).
# Measured and dropped (callgrind, the cells of an attempt's five short texts, 16.8k instructions a row with these
# rules): the quote test as one GLOB '*[",' || char(10, 13) || ']*' for text without a NUL (instr's tests kept
# for text with one), 22.8k: a '[' right after '*' is SQLite's slow path, the set parsed again at each character,
# where instr scans for one byte at about 10 instructions a character (a call with its column read about 600);
# the model's cell (57 values) built once per block as the task's are, 4.8k a row more (the block's attempts read
# again for their distinct models); printf('%s,%s,...') joining a record's cells in one call instead of ||, 3.0k
# a row fewer, but %s ends a text at its first NUL, which || and the reference keep.
_FORMULA = (
    "(($c < '0' OR ($c >= ':' AND $c < 'A'))"
    " AND ($c GLOB '[-=+@' || char(9, 13) || ']*' OR $c GLOB '''[-''=+@' || char(9, 13) || ']*'))"
)
_QUOTED = "$c = '' OR instr($c, '\"') OR instr($c, ',') OR instr($c, char(10)) OR instr($c, char(13))"
_JSON_SQL = {
    "text": "json_quote($c)",
    "json": "COALESCE($c, 'null')",
    "list": "CASE WHEN $c = '[]' THEN '[]' ELSE bare_json_list($c) END",
    "bool": "CASE WHEN $c THEN 'true' ELSE 'false' END",
    "number": "CASE typeof($c) WHEN 'integer' THEN CAST($c AS TEXT) WHEN 'null' THEN 'null'"
    " ELSE bare_json_value($c) END",
}
_CSV_SQL = {
    "text": f"CASE WHEN $c IS NULL THEN '' WHEN {_QUOTED} THEN '\"' || CASE WHEN {_FORMULA} THEN '''' ELSE '' END"
    f" || replace($c, '\"', '\"\"') || '\"' WHEN {_FORMULA} THEN '''' || $c ELSE $c END",
    "json": "CASE WHEN $c IS NULL THEN '' WHEN $c = '{}' OR $c = '[]' THEN $c"
    f" WHEN {_QUOTED} THEN '\"' || replace($c, '\"', '\"\"') || '\"' ELSE $c END",
    "list": "CASE WHEN $c = '[]' THEN '[]' ELSE bare_csv_value(bare_json_list($c)) END",
    "bool": "CASE WHEN $c THEN 'true' ELSE 'false' END",
    "number": "CASE typeof($c) WHEN 'integer' THEN CAST($c AS TEXT) WHEN 'null' THEN '' ELSE bare_csv_value($c) END",
}
_EMPTY_SQL = {
    "text": "$c IS NULL",
    "long": "$c IS NULL",
    "json": "COALESCE($c IN ('[]', '{}'), 1)",  # $c once: an attempt's task_meta is a subquery (_FIRST_OF_TASK)
    "list": "CASE WHEN $c = '[]' THEN 1 ELSE bare_json_list($c) = '[]' END",  # CASE: OR would call both
    "bool": "0",
    "number": "$c IS NULL",
}
_LENGTH = "CASE WHEN instr($c, char(0)) THEN bare_length($c) ELSE length($c) END"  # SQLite's length() stops at a NUL
_CHARS_SQL = {
    "text": f"COALESCE({_LENGTH}, 0)",
    "long": "bare_text_length($c)",  # stored in its JSON form
    "json": f"COALESCE({_LENGTH}, 0)",
    "list": "0",
    "bool": "0",
    "number": f"CASE typeof($c) WHEN 'text' THEN {_LENGTH} ELSE 0 END",
}


def _export_expressions(what: str, columns: Sequence[str]) -> list[tuple[str, str]]:
    known = _EXPORT_COLUMNS.get(what)
    if known is None:
        raise ValueError(f"no streamed export of {what!r}")
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)} of a {what} export")
    return [known[c] for c in columns]


# Each streamed export's order key: its rows are written in this order, and read again by it (ExportMark.key).
_EXPORT_ORDER = {"verdicts": "v.rowid", "attempts": "a.seq", "judgements": "j.rowid"}
# ... and its table and column, unaliased (a block's range is cut from their least and greatest).
_EXPORT_KEYS = {
    "verdicts": ("verdicts", "rowid"),
    "attempts": ("attempts", "seq"),
    "judgements": ("judgements", "rowid"),
}
# Order keys a block of a parallel export (Store.export_to) spans, and rows a chunk of export_lines holds: about
# 2 MB of lines each (an attempts row carries whole files); each reader holds one block, whatever the session's size.
# Larger attempts blocks wait less for their turn (a reader's waits: 0.35-0.56 s with 256, 0.18-0.20 with 1024) but
# cost more system time: the 243,732-attempt CSV export, 6 alternating runs at load 1.1-1.7, took 3.49 s with 256,
# 3.88 with 512, 4.15 with 1024 (system time 0.94, 1.43, 1.82 s; peaks 48, 61, 76 MB).
EXPORT_BLOCK_KEYS = {"verdicts": 4096, "attempts": 256, "judgements": 4096}
# Processes that read and write an export's blocks at once (Store.export_to): both cores of a laptop. One core:
# the session's own connection reads alone. A third reader on two cores, to work while another waits for its turn,
# gave nothing: the 243,732-attempt CSV export, 6 alternating runs each, 3.96 s with two and 4.05 with three at load
# 1.9-2.2 (7.7 and 8.9 s at load 3.1-3.9).
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
EXPORT_READERS = 2 if _CORES > 1 else 0
# How much of the session a reader maps into memory (SQLite caps it: 2 GB in Debian's build; pages past it are read
# as before): a long text's overflow pages are then copied out of the page cache directly instead of by a pread
# each (565k of them for a 243,732-attempt export: its system time fell by 0.4-0.6 s of 1.3-1.6). The map is
# dropped after each block (_unmap), so a reader's resident memory stays one block's pages (48 MB in all, where
# a map kept whole grew to 1.4 GB), not every page it has read: those stay in the page cache.
EXPORT_MAP_BYTES = 1 << 40


def _begin_read(conn: sqlite3.Connection) -> None:
    """Begin a read transaction on conn now (BEGIN alone waits for the first read to take its snapshot)."""
    conn.execute("BEGIN")
    conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone()


def _unmap(conn: sqlite3.Connection) -> None:
    """Drop conn's map of the session (SQLite maps it again at the next read): the pages read so far leave the
    process's resident memory, staying in the page cache. SQLite does nothing while a page of the map is in use."""
    conn.execute("PRAGMA mmap_size = 0")
    conn.execute(f"PRAGMA mmap_size = {EXPORT_MAP_BYTES}")


def _export_functions(conn: sqlite3.Connection) -> None:
    """The few values SQLite cannot write as Python's json and str do (floats: SQLite rounds them to 15
    digits; a list re-encoded), as functions of the connection, called for those values only."""
    for name, function in (
        ("bare_json_value", _json_value),
        ("bare_csv_value", _csv_value),
        ("bare_json_list", _json_list),
        ("bare_length", len),
        ("bare_text_length", _text_length),
    ):
        conn.create_function(name, 1, function, deterministic=True)


def _first_listed(expressions: Sequence[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """The expressions with each task's first attempt asked of the list (_FIRST_LISTED, the query's first
    parameter) instead of the index (_FIRST_OF_TASK); None when none of them asks it (the query takes no list)."""
    if not any(_FIRST_OF_TASK in sql for sql, _ in expressions):
        return None
    return [(sql.replace(_FIRST_OF_TASK, _FIRST_LISTED), kind) for sql, kind in expressions]


def _line_select(
    what: str, columns: Sequence[str], fmt: str, listed: bool
) -> tuple[str, str, Callable[[list[Any]], ExportChunk], bool]:
    """The SELECT items that build an export's lines (_json_line_items, _csv_line_items), those of the cells
    built once per task (_export_query's tasks: an attempts CSV export's), how rows of them become an
    ExportChunk (_line_chunks), and whether the items take the list of each task's first attempt as the query's
    first parameter (listed: they do when a column asks it, _FIRST_LISTED): what export_lines and export_to read
    alike."""
    expressions = _export_expressions(what, columns)
    asked = _first_listed(expressions) if listed else None
    listed = asked is not None
    if asked is not None:
        expressions = asked
    tasks: list[str] = []
    if fmt == "jsonl":
        items = _json_line_items(expressions, columns)
    elif fmt == "csv":
        items = _csv_line_items(expressions, tasks if what == "attempts" else None)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if not any(isinstance(item, str) for item in items):  # no column: the query still reads one item a row
        items[-1] = f"CAST({_sql_text(cast(bytes, items[-1]).decode('utf-8'))} AS BLOB)"
    select = ", ".join(item for item in items if isinstance(item, str))
    cells = ", ".join(f"{cell} AS k{i}" for i, cell in enumerate(tasks))
    return select, cells, _line_chunks(items, fmt, len(expressions)), listed


def _line_chunks(items: Sequence[str | bytes], fmt: str, columns: int) -> Callable[[list[Any]], ExportChunk]:
    """How rows of an export query (_json_line_items, _csv_line_items: the items that are SQL, str) become an
    ExportChunk of whole lines, with the parts that are the same in every line (bytes) placed between them. A long
    text (at the odd places of items) is one part in JSON Lines, its stored JSON form; in CSV three
    (_csv_stored_parts: its cell's opening quote and lead, its text, its closing quote), so that no cell is
    copied again to join them."""
    if len(items) == 1:
        return lambda rows: ExportChunk(len(rows), [row[0] for row in rows])
    csv = fmt == "csv"
    # Where each item goes in a line's parts: a long text's CSV cell takes three places, its text the middle one.
    places = [place + (place // 2) * 2 + place % 2 if csv else place for place in range(len(items))]
    width = places[-1] + 1
    read = [places[place] for place, item in enumerate(items) if isinstance(item, str)]
    constants = [(places[place], item) for place, item in enumerate(items) if isinstance(item, bytes)]
    long = places[1::2]
    flat = itertools.chain.from_iterable
    cell = _csv_stored_parts() if csv else None
    # A null long text: an empty CSV cell (a record of one null cell is quoted: no blank line), JSON's null. Read
    # as None, no value is built for it in SQLite or Python (JSON Lines: 40.5k to 39.8k instructions a row).
    empty = (b'""' if columns == 1 else b"") if csv else b"null"
    null = (b"", empty, b"")

    def lines(rows: list[Any]) -> ExportChunk:
        count = len(rows)
        values = list(flat(rows))
        if width == len(read):
            parts: list[Any] = values
        else:
            parts = [b""] * (count * width)
            for k, place in enumerate(read):
                parts[place::width] = values[k :: len(read)]
            for place, constant in constants:
                parts[place::width] = [constant] * count
        for k in long:
            if cell is None:  # JSON Lines: the stored JSON form as it is
                parts[k::width] = [empty if stored is None else stored for stored in parts[k::width]]
            else:
                cells = [null if stored is None else cell(stored) for stored in parts[k::width]]
                parts[k - 1 :: width], parts[k::width], parts[k + 1 :: width] = zip(*cells)
        return ExportChunk(count, parts)

    return lines


def _csv_stored_cell() -> Callable[[bytes], bytes]:
    """A long text's CSV cell from its stored JSON form (_stored_text): the bytes of
    _csv_value(json.loads(stored)).encode("utf-8"), the rule's one definition; _csv_stored_parts joined."""
    parts = _csv_stored_parts()
    return lambda stored: b"".join(parts(stored))


# Measured and dropped: the long texts stored as they are (raw UTF-8) instead of in their JSON form. On 30,000
# attempts' texts of the 243,732-attempt session (222 MB; CPU, median of 5 alternating runs), a CSV cell from the
# raw bytes (quote test and doubling only) took 0.206 s where these cells take 0.393, but JSON Lines would then
# encode every text (orjson) in 0.252 s where it copies the stored form in 0.122: about 1.5 s of CPU saved for a
# whole CSV export (to about 90k rows/s on two cores, still short of 100k), 1.0 s added to every JSON Lines one,
# and a migration rewriting 2.5 GB of texts in every existing session.
def _csv_stored_parts() -> Callable[[bytes], tuple[bytes, bytes, bytes]]:
    """A long text's CSV cell from its stored JSON form (_stored_text) as three parts whose join is the bytes of
    _csv_value(json.loads(stored)).encode("utf-8"), the rule's one definition, at about twice its rate: its
    opening quote and lead (where it has them), its text, its closing quote. The export writes the three as
    they are (a join would copy each text once more: 1.8 GB of a BARE-sized export). simdjson decodes the text:
    1.2 GB/s on the real texts of a 243,732-attempt session where orjson decodes 0.65 (and SQLite's json_extract,
    3.40's, a third of that); its quotes are then doubled in the UTF-8 bytes. Every '"' inside a JSON string
    is the end of an escape (\\"; a UTF-8 sequence holds no '"' byte), so a stored form without one holds a text
    without one. What is not a JSON string goes the reference's way."""
    import orjson  # only here: three times json.loads's rate over whole files
    import simdjson

    # Reads a JSON string as json.loads does, or raises ValueError where it does (a lone surrogate, bad UTF-8,
    # trailing text): tests/unit/test_export_streamed.py. One parser, reused: a string is returned as a str
    # of its own, so no document it parsed is held.
    decode = simdjson.Parser().parse

    def cell(stored: bytes) -> tuple[bytes, bytes, bytes]:
        end = len(stored) - 1
        if end < 1 or stored[0] != 34 or stored[end] != 34:  # not a JSON string: 34 is '"'
            return b"", _csv_value(orjson.loads(stored)).encode("utf-8"), b""
        text = cast(str, decode(stored))  # the one JSON value that starts and ends with '"'
        lead = _csv_lead(text)
        if stored.find(b'"', 1, end) >= 0:
            return b"\"'" if lead else b'"', text.encode("utf-8").replace(b'"', b'""'), b'"'
        if end == 1 or "\n" in text or "," in text or "\r" in text:
            return b"\"'" if lead else b'"', text.encode("utf-8"), b'"'
        return b"'" if lead else b"", text.encode("utf-8"), b""

    return cell


class _ReaderProcesses:
    """Store.export_to's processes: `count` forked readers, each with a connection of its own begun on the
    snapshot's state, taking turns to write. Turns pass down pipes in a ring (reader k's turn is a byte on
    turns[k], written by reader k - 1, or by the parent for the first block: 1 once every reader has begun
    and the state is shown to be the snapshot's, else 0, and each reader ends without writing). A reader
    that ends early closes the next one's pipe, whose reader then sees no turn and ends too: nothing waits
    forever, and nothing is written out of order. Each reader holds one block.
    A fork copies SQLite's per-process lock bookkeeping, in which the parent's connection holds its read lock:
    a reader's own new connection may count that lock as its own without the kernel granting it one. What
    keeps the pages a reader reads from being checkpointed over is then the parent's lock, which the kernel
    does hold, on the same state (pinned), for as long as any reader lives (run returns before the snapshot
    ends). The inherited connections themselves are never used, nor closed: a reader leaves by os._exit."""

    def __init__(self, store: Store, count: int, blocks: Sequence[int]) -> None:
        self.store, self.count, self.blocks = store, count, blocks

    def run(
        self, read: Callable[[sqlite3.Connection, int], ExportChunk], write: Callable[[ExportChunk], object]
    ) -> int | None:
        import pickle  # here, not in a reader: a fork must not import

        count = self.count
        turns = [os.pipe() for _ in range(count)]
        results = [os.pipe() for _ in range(count)]
        ready = os.pipe()
        held = {fd for pair in (*turns, *results, ready) for fd in pair}  # the parent's ends still open
        pids: list[int] = []
        outcomes: list[object] = []
        pinned = False
        try:
            for k in range(count):
                ends = (turns[k][0], turns[(k + 1) % count][1], ready[1], results[k][1])
                pid = os.fork()
                if pid == 0:  # the reader: keeps its own ends, and never returns into the caller's code
                    status = 1
                    try:
                        for fd in held - set(ends):
                            os.close(fd)
                        status = self._reader(k, read, write, *ends, pickle.dumps)
                    finally:
                        os._exit(status)
                pids.append(pid)
            for fd in (ready[1], *(pair[0] for pair in turns), *(pair[1] for pair in (*turns[1:], *results))):
                os.close(fd)
                held.discard(fd)
            begun = b""
            while len(begun) < count and (byte := os.read(ready[0], count)):
                begun += byte
            probe = self.store._probe
            pinned = (
                len(begun) == count
                and probe is not None
                and (probe.execute("PRAGMA data_version").fetchone()[0] == self.store._data_version)
            )
            os.write(turns[0][1], b"1" if pinned else b"0")  # the first block's turn, or: end without writing
            os.close(turns[0][1])
            held.discard(turns[0][1])
            for k in range(count):
                message = b""
                while part := os.read(results[k][0], 1 << 16):
                    message += part
                outcomes.append(pickle.loads(message) if message else None)
            while pids:
                os.waitpid(pids.pop(), 0)
        finally:
            for pid in pids:  # the caller's thread was interrupted: its readers go too
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
            for fd in held:
                os.close(fd)
        if not pinned:
            return None  # read alone instead (which meets whatever stopped a reader from beginning)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        if not all(isinstance(outcome, int) for outcome in outcomes):
            raise SessionError(f"{self.store.path}: an export reader ended before its last block")
        return sum(cast(int, outcome) for outcome in outcomes)

    def _reader(
        self,
        k: int,
        read: Callable[[sqlite3.Connection, int], ExportChunk],
        write: Callable[[ExportChunk], object],
        turn: int,
        next_turn: int,
        ready: int,
        result: int,
        dumps: Callable[[object], bytes],
    ) -> int:
        """Reader k: begin on the session's current state, say so, then for each of its blocks read it, wait
        for its turn, write it and pass the turn on; tell the parent its rows, or the error that stopped it."""
        try:
            conn = self.store._export_connection()
            conn.execute(f"PRAGMA mmap_size = {EXPORT_MAP_BYTES}")
            _begin_read(conn)
            os.write(ready, b"r")
            os.close(ready)
            rows = 0
            last = len(self.blocks) - 1
            for index in range(k, len(self.blocks), self.count):
                chunk = read(conn, self.blocks[index])
                _unmap(conn)
                if os.read(turn, 1) != b"1":
                    return 1  # no turn: not pinned, or the reader before ended (and says why)
                if chunk.rows:
                    write(chunk)
                rows += chunk.rows
                if index < last:
                    os.write(next_turn, b"1")
            os.write(result, dumps(rows))
            return 0
        except BaseException as exc:  # noqa: BLE001  # sent to the parent, raised there
            try:
                message = dumps(exc)
            except Exception:  # noqa: BLE001  # an exception that does not pickle: its text
                message = dumps(SessionError(f"{self.store.path}: an export reader failed: {exc!r}"))
            os.write(result, message)
            return 1


def _export_query(
    what: str,
    select: str,
    source: str | None,
    where: Sequence[tuple[str, Sequence[Any]]] = (),
    limit: int | None = None,
    leading: Sequence[Any] = (),
    tasks: str = "",
) -> tuple[str, list[Any]]:
    """SELECT `select` of a streamed export, in its order, with its parameters; where: more conditions, each
    with its parameters; limit: the first rows only; leading: the parameters `select` numbers itself (?1...),
    which come first; tasks (attempts only): SELECT items of a task's row (t), built once per task of the rows
    read into a table tc that `select` reads (_TASK_COLUMN)."""
    params: list[Any] = list(leading)
    conditions = []
    with_tasks = ""
    if what == "verdicts":
        frm = (
            "FROM verdicts v LEFT JOIN attempts a ON a.attempt_id = v.attempt_id"
            " LEFT JOIN tasks t ON t.task_id = a.task_id"
        )
        if source is not None:
            conditions.append("+v.source = ?")  # +: read in rowid order, never sorted after
            params.append(source)
    elif what == "attempts":
        # CROSS JOIN keeps attempts the outer loop, read in seq order, so rows stream instead of being sorted
        # first. (Each task's first attempt, _FIRST_OF_TASK, is one step down idx_attempts_task_seq a row, or a
        # look-up in a list (_FIRST_LISTED): a block of the export reads no more than its own rows.)
        frm = (
            "FROM attempts a CROSS JOIN tasks t ON t.task_id = a.task_id"
            " LEFT JOIN attempt_texts x ON x.attempt_id = a.attempt_id"
        )
        if tasks:
            # The cells of the tasks of the rows read (all tasks when all rows are), one row each, found by the
            # same conditions (which therefore number their parameters); each row then steps down tc's
            # automatic index instead of tasks' index of text keys, and reads its task by rowid.
            frm = (
                "FROM attempts a CROSS JOIN tc ON tc.task_id = a.task_id CROSS JOIN tasks t ON t.rowid = tc.r"
                " LEFT JOIN attempt_texts x ON x.attempt_id = a.attempt_id"
            )
            where = _numbered(where, len(params) + 1)
            within = " AND ".join(condition for condition, _ in where)
            within = f" WHERE t.task_id IN (SELECT a.task_id FROM attempts a WHERE {within})" if where else ""
            with_tasks = (
                f"WITH tc AS MATERIALIZED (SELECT t.rowid AS r, t.task_id AS task_id, {tasks} FROM tasks t{within}) "
            )
    else:
        frm = "FROM judgements j"
    for condition, values in where:
        conditions.append(condition)
        params.extend(values)
    filters = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"{with_tasks}SELECT {select} {frm}{filters} ORDER BY {_EXPORT_ORDER[what]}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


def _numbered(where: Sequence[tuple[str, Sequence[Any]]], first: int) -> list[tuple[str, Sequence[Any]]]:
    """Conditions of _export_query with their parameters (each ?) numbered in order from `first` (?N), so that
    a query can hold them twice and their parameters once."""
    numbered: list[tuple[str, Sequence[Any]]] = []
    for condition, values in where:
        pieces = condition.split("?")
        if len(pieces) != len(values) + 1:
            raise ValueError(f"{condition!r} takes {len(pieces) - 1} parameters, not {len(values)}")
        numbered.append((pieces[0] + "".join(f"?{first + k}{piece}" for k, piece in enumerate(pieces[1:])), values))
        first += len(values)
    return numbered


def _keys_where(what: str, keys: Sequence[int] | None, skip: Sequence[int]) -> list[tuple[str, Sequence[Any]]]:
    """Conditions of _export_query: only the rows with these order keys (None: all), and not those in skip."""
    order = _EXPORT_ORDER[what]
    where: list[tuple[str, Sequence[Any]]] = []
    if keys is not None:
        where.append((f"{order} IN (SELECT value FROM json_each(?))", [json.dumps(list(keys))]))
    if skip:
        where.append((f"{order} NOT IN (SELECT value FROM json_each(?))", [json.dumps(list(skip))]))
    return where


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _line_item(pieces: Sequence[tuple[str, str | None]]) -> str | bytes:
    """A part of a line from its pieces, each SQL and, for a literal, its text: a SELECT item joining them (str),
    or the part's UTF-8 bytes when every piece is a literal. Such a part is the same in every line, so no row
    reads it (a value fetched costs SQLite and Python about 1k instructions: 2k of an attempts row)."""
    if all(text is not None for _, text in pieces):
        return "".join(text or "" for _, text in pieces).encode("utf-8")
    return f"CAST({' || '.join(sql for sql, _ in pieces)} AS BLOB)"


def _json_line_items(expressions: Sequence[tuple[str, str]], names: Sequence[str]) -> list[str | bytes]:
    """One JSON object and its \\n as json.dumps(ensure_ascii=False) writes it, keys in the order given, as
    parts whose UTF-8 bytes joined in order are the line (_line_item: SELECT items, or bytes the same in every
    line), with each long text's stored JSON form as it is between two of them (at the odd places)."""
    items: list[str | bytes] = []
    parts: list[tuple[str, str | None]] = []
    for i, ((sql, kind), name) in enumerate(zip(expressions, names)):
        key = ("{" if i == 0 else ", ") + encode_basestring(name) + ": "
        parts.append((_sql_text(key), key))
        if kind == "long":
            items.append(_line_item(parts))
            items.append(f"CAST({sql} AS BLOB)")  # null: None, written as null by _line_chunks
            parts = []
        else:
            parts.append((_JSON_SQL[kind].replace("$c", sql), None))
    parts.append(("'}' || char(10)", "}\n") if expressions else ("'{}' || char(10)", "{}\n"))
    items.append(_line_item(parts))
    return items


def _csv_line_items(expressions: Sequence[tuple[str, str]], tasks: list[str] | None = None) -> list[str | bytes]:
    """One CSV record as csv_rows.csv_record writes it (a record of one null cell quoted, so it is no blank
    line), as parts whose UTF-8 bytes joined in order are the record (_line_item: SELECT items, or bytes the same
    in every record), with each long text's stored JSON form between two of them (at the odd places), for the
    caller to write as its cell. tasks (an attempts export's): where the cells of the task's own columns
    (_TASK_COLUMN) go, to be built once per task, side by side ones and the commas beside them as one; the record
    reads them as tc.k0, tc.k1..."""
    if len(expressions) == 1 and expressions[0][1] in ("text", "json", "number"):
        sql, kind = expressions[0]
        return [f"CAST(CASE WHEN {sql} IS NULL THEN '\"\"' ELSE {_CSV_SQL[kind].replace('$c', sql)} END"
                " || char(13, 10) AS BLOB)"]  # fmt: skip
    items: list[str | bytes] = []
    parts: list[tuple[str, str | None]] = []

    def add(sql: str, text: str | None, task: bool = False) -> None:
        """A piece of the record (text: a literal's); the task's own, or a literal beside one, goes into the
        task's cell (fewer pieces for SQLite to join a row)."""
        if tasks is None or not (task or text is not None):
            parts.append((sql, text))
        elif parts and parts[-1][0] == f"tc.k{len(tasks) - 1}":
            tasks[-1] += f" || {sql}"
        elif task:
            lead = f"{parts.pop()[0]} || " if parts and parts[-1][1] is not None else ""
            parts.append((f"tc.k{len(tasks)}", None))
            tasks.append(lead + sql)
        else:
            parts.append((sql, text))

    for i, (sql, kind) in enumerate(expressions):
        if i:
            add("','", ",")
        if kind == "long":
            items.append(_line_item(parts))
            items.append(f"CAST({sql} AS BLOB)")
            parts = []
        else:
            add(_CSV_SQL[kind].replace("$c", sql), None, _TASK_COLUMN.fullmatch(sql) is not None)
    add("char(13, 10)", "\r\n")
    items.append(_line_item(parts))
    return items


def _json_value(value: Any) -> str:
    """A value as json.dumps(ensure_ascii=False) writes it: the floats SQLite would round."""
    kind = type(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is str:
        return encode_basestring(value)
    return json.dumps(value, ensure_ascii=False)


def _csv_value(value: Any) -> str:
    """A cell as the exporter writes a value that is not stored JSON: str() of a number, text neutralised."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return _csv_quoted(str(value))
    return _csv_quoted("'" + value if _csv_lead(value) else value)


_CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # exporter.neutralise_cell's
_CSV_AFTER_APOSTROPHE = ("'", *_CSV_FORMULA_STARTS)


def _csv_lead(text: str) -> bool:
    """Whether a cell's text takes a leading apostrophe (exporter.neutralise_cell): it would start a formula, or
    starts with an apostrophe before one."""
    return text.startswith(_CSV_FORMULA_STARTS) or (text.startswith("'") and text[1:].startswith(_CSV_AFTER_APOSTROPHE))


def _csv_quoted(text: str) -> str:
    """A cell's text quoted as csv_rows.csv_record quotes it."""
    if text == "" or '"' in text or "," in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _text_length(stored: str | None) -> int:
    """The characters of a long text, from its stored JSON form (as exporter.hoisted counts them)."""
    return 0 if stored is None else len(json.loads(stored))


def _json_list(text: str) -> str:
    """Stored JSON read as judgements() reads tags (a tuple of its items) and written as a list."""
    return json.dumps(list(json.loads(text)), ensure_ascii=False)


# ---------------------------------------------------------------------- row conversion
def _verdict_row(v: Verdict, now: str) -> tuple[Any, ...]:
    """A verdict as the verdicts table's columns (attempt_id, stage, source, pipeline_version, outcome, score,
    evidence, details, created_at): a verdict without a created_at is stamped now."""
    return (
        v.attempt_id,
        v.stage,
        v.source,
        v.pipeline_version,
        v.outcome.value,
        v.score,
        _dump([e.to_json() for e in v.evidence]),
        _dump(v.details),
        v.created_at or now,
    )


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _where(prefix: str = "", **filters: Any) -> tuple[str, list[Any]]:
    parts, params = [], []
    for column, value in filters.items():
        if value is not None:
            parts.append(f"{prefix}{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def _stored_text(text: str | None) -> str | None:
    """A long text (an original, an answer: a whole file) as the session stores it (schema 8): its JSON form,
    byte for byte what json.dumps(text, ensure_ascii=False) writes, which an export copies as it is."""
    if text is None:
        return None
    import orjson  # the same bytes as json.dumps(ensure_ascii=False) writes, four times as fast

    try:
        return orjson.dumps(text).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError: a lone surrogate, which SQLite then refuses as it refuses the text
        return json.dumps(text, ensure_ascii=False)


def _text(stored: str | None) -> str | None:
    """A long text as stored (_stored_text) read back."""
    return None if stored is None else json.loads(stored)


def _task(row: dict[str, Any]) -> Task:
    original = json.loads(row["original"])  # stored in its JSON form (_stored_text), never null
    return Task(row["task_id"], row["language"], row["path"], original, json.loads(row["meta"]))


def _attempt(row: dict[str, Any]) -> Attempt:
    return Attempt(
        row["attempt_id"],
        row["task_id"],
        row["model"],
        _text(row["refactored"]),
        _text(row["response"]),
        _text(row["patch"]),
        json.loads(row["meta"]),
        tuple(json.loads(row["problems"])),
        row["seq"],
    )


def _verdict(row: dict[str, Any]) -> Verdict:
    return Verdict(
        row["attempt_id"],
        row["stage"],
        Outcome(row["outcome"]),
        row["score"],
        _stored_evidence(row["evidence"]),
        row["pipeline_version"],
        row["source"],
        json.loads(row["details"]),
        row["created_at"],
    )


def _stored_evidence(text: Any) -> tuple[Evidence, ...]:
    """A verdict's evidence as stored. Rows written before import validated evidence (a side other than original or
    refactored, an item that is not an object, text that is not a JSON list, a line of 1e999) are read as what they
    can be, never an exception: the screens, stats and exports that show them must still open. A bad side becomes
    `refactored` with the stored one kept in the message."""
    try:
        items = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        items = [{"message": f"unreadable evidence: {str(text)[:200]}"}]
    if not isinstance(items, list):
        items = [items]
    found = []
    for item in items:
        if not isinstance(item, dict):
            item = {"message": item}
        message = item.get("message")
        if not isinstance(message, str):
            message = "" if message is None else json.dumps(message, default=str)[:200]
        side = item.get("side")
        if side not in ("original", "refactored"):
            if side is not None:
                message = f"(stored side {json.dumps(side, default=str)[:40]}) {message}"
            side = "refactored"
        found.append(Evidence(side, _stored_int(item.get("line")), _stored_int(item.get("column")), message))
    return tuple(found)


def _stored_int(value: Any) -> int | None:
    """A stored line or column: a whole number, else None (text, infinity, NaN, a list)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def _judgement(row: dict[str, Any]) -> Judgement:
    return Judgement(
        row["judgement_id"],
        row["attempt_id"],
        row["reviewer"],
        row["stage"],
        Label(row["label"]),
        row["confidence"],
        row["note"],
        tuple(json.loads(row["tags"])),
        bool(row["saw_verdicts"]),
        row["opened_at"],
        row["saved_at"],
        row["supersedes"],
        bool(row.get("retracted", 0)),
    )


def _adjudication(row: dict[str, Any]) -> Adjudication:
    return Adjudication(
        row["adjudication_id"],
        row["attempt_id"],
        row["stage"],
        row["auditor"],
        Label(row["label"]),
        ReasonCode(row["reason"]),
        row["note"],
        row["saved_at"],
    )


def _plan_record(row: tuple[Any, ...]) -> PlanRecord:
    return PlanRecord(row[0], json.loads(row[1]), row[2], row[3])


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is open; SQLite may already have ended the transaction itself (a full disk does)."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):  # the error that brought us here is the one to report
            conn.execute("ROLLBACK")


def _is_fault(exc: sqlite3.Error) -> bool:
    """A failure of the file, disk or lock rather than of one record: it ends the transaction."""
    if isinstance(exc, sqlite3.IntegrityError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(
        (
            "SQLITE_FULL",
            "SQLITE_IOERR",
            "SQLITE_CORRUPT",
            "SQLITE_NOTADB",
            "SQLITE_READONLY",
            "SQLITE_BUSY",
            "SQLITE_LOCKED",
            "SQLITE_CANTOPEN",
            "SQLITE_PERM",
        )
    ):
        return True
    text = str(exc)
    return any(word in text for word in ("disk is full", "disk I/O", "malformed", "readonly", "locked"))


def unreadable(path: str | Path, exc: BaseException) -> str:
    """One line for a session that opened but failed in the middle of a read: a damaged page (SQLite's
    DatabaseError: DatabaseFault), or rows a damaged page left contradicting each other (any other error the
    read raised), with what to do about it. The commands and the screens say the same."""
    if isinstance(exc, sqlite3.DatabaseError):
        what = f"the session file is damaged or unreadable ({exc})"
    else:
        what = f"the session could not be read ({type(exc).__name__}: {exc}); its file may be damaged"
    return f"{path}: {what}; restore a copy or recover it with `sqlite3 FILE .recover`"


def _session_error(path: Path, exc: sqlite3.Error) -> SessionError:
    text = str(exc)
    if "full" in text or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
        return DiskFull(f"{path}: the disk is full: nothing of the last write was kept; free space and try again")
    if "malformed" in text or getattr(exc, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
        return SessionError(
            f"{path}: the session file is damaged ({text}); restore a copy or recover it with `sqlite3 FILE .recover`"
        )
    if "locked" in text or "busy" in text:
        return SessionError(
            f"{path}: session is locked by another program (waited {BUSY_TIMEOUT_MS // 1000} s); try again"
        )
    if "readonly" in text or "read-only" in text:
        return SessionError(f"{path}: read-only session; cannot write")
    if "not a database" in text or "file is encrypted" in text:
        return SessionError(f"{path}: not a bare-tui session (not a SQLite database)")
    return SessionError(f"{path}: {text}")
