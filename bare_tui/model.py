"""Domain values shared by every layer: stages, outcomes, labels and the records that carry them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

STAGES: tuple[str, ...] = ("syntax", "signatures", "integrity", "defects", "maintainability")
"""The automated stages, in pipeline order."""

FIELDS: tuple[str, ...] = STAGES + ("overall",)
"""The judgement form's fields: the five stages and `overall`."""

OWN_SOURCE = "bare-tui"
"""The source of the verdicts bare-tui's own pipeline writes; an import may not claim it."""

FIELD_INDEX: dict[str, int] = {name: index for index, name in enumerate(FIELDS)}
"""Each field's position in FIELDS: for ordering by field and lining values up in field order."""

_EXTRA_STAGE = re.compile(r"[a-z][a-z0-9_-]{0,63}")


def is_stage_name(name: object) -> bool:
    """One of FIELDS, or an extra stage an external pipeline brings (`tests`, `behaviour`): lower case
    letters, digits, '_' and '-', starting with a letter (DESIGN.md "Extra stages")."""
    return isinstance(name, str) and (name in FIELD_INDEX or _EXTRA_STAGE.fullmatch(name) is not None)


def stage_order(stage: str) -> tuple[int, str]:
    """Sort key: the five stages and overall in their order, then extra stages by name."""
    return (FIELD_INDEX.get(stage, len(FIELDS)), stage)


class Outcome(str, enum.Enum):
    """An automated stage verdict."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # the check itself broke or timed out
    SKIPPED = "skipped"  # not assessable, e.g. no analyser for the language


class Label(str, enum.Enum):
    """A reviewer's label for one field."""

    PASS = "pass"
    FAIL = "fail"
    UNSURE = "unsure"


class ReasonCode(str, enum.Enum):
    """Why an auditor settled a disputed attempt-stage the way they did."""

    PIPELINE_FALSE_FAIL = "pipeline-false-fail"
    PIPELINE_FALSE_PASS = "pipeline-false-pass"
    REVIEWER_ERROR = "reviewer-error"
    AMBIGUOUS_RUBRIC = "ambiguous-rubric"
    OTHER = "other"


def language_from_path(path: str) -> str | None:
    """The language a file's extension names, or None for an extension no language file declares."""
    dot = path.rfind(".")
    if dot < 0:
        return None
    return _language_tables()[1].get(path[dot:].lower())


def normalise_language(name: str) -> str | None:
    """The canonical name of a language given by a user or a file, or None when no language file declares it."""
    key = name.strip().lower()
    names, _, aliases = _language_tables()
    if key in names:
        return key
    return aliases.get(key)


@cache
def _language_tables() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """(names, extension -> name, alias -> name), read from the language files' declarations
    (bare_tui/pipeline/languages/<name>.py) on first use: those files import this module."""
    from bare_tui.pipeline.languages import REGISTRY

    extensions = {extension: spec.name for spec in REGISTRY.values() for extension in spec.extensions}
    aliases = {alias: spec.name for spec in REGISTRY.values() for alias in spec.aliases}
    return frozenset(REGISTRY), extensions, aliases


@dataclass(frozen=True)
class Evidence:
    """One finding behind a verdict: where it is and what it says."""

    side: str  # "original" or "refactored"
    line: int | None
    column: int | None
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"side": self.side, "line": self.line, "column": self.column, "message": self.message}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        return cls(
            side=str(data.get("side") or "refactored"),
            line=_optional_int(data.get("line")),
            column=_optional_int(data.get("column")),
            message=str(data.get("message") or ""),
        )


@dataclass(frozen=True)
class StageResult:
    """What one stage decided for one attempt, before it is stored as a verdict."""

    outcome: Outcome
    score: float | None = None
    evidence: tuple[Evidence, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)  # stage-specific facts, e.g. thresholds used


@dataclass(frozen=True)
class Task:
    task_id: str
    language: str
    path: str
    original: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attempt:
    attempt_id: str
    task_id: str
    model: str
    refactored: str | None  # None when no code could be extracted from the answer
    response: str | None = None
    patch: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # import-time flags: "no-code", "invalid-utf8", "patch-failed: ..."
    seq: int = 0  # import order


class AttemptSummary(NamedTuple):
    """An attempt without its texts: what lists, queues and statistics need."""

    attempt_id: str
    task_id: str
    model: str
    language: str
    path: str
    seq: int
    problems: tuple[str, ...] = ()


class Flag(NamedTuple):
    """A reviewer's request that an attempt be audited."""

    attempt_id: str
    reviewer: str
    flagged: bool
    note: str = ""
    saved_at: str | None = None


@dataclass(frozen=True)
class Verdict:
    attempt_id: str
    stage: str  # one of FIELDS
    outcome: Outcome
    score: float | None = None
    evidence: tuple[Evidence, ...] = ()
    pipeline_version: str = ""
    source: str = OWN_SOURCE
    details: dict[str, Any] = field(default_factory=dict)
    # When the verdict was first written. Which run counts depends on it, so copying a verdict (merge) keeps
    # it; None means "now". Not part of the verdict's value: two reads of one verdict compare equal.
    created_at: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Judgement:
    judgement_id: str
    attempt_id: str
    reviewer: str
    stage: str  # one of FIELDS
    label: Label
    confidence: int | None = None  # 1 low, 2 medium, 3 high
    note: str = ""
    tags: tuple[str, ...] = ()
    saw_verdicts: bool = False
    opened_at: str | None = None
    saved_at: str | None = None
    supersedes: str | None = None
    retracted: bool = False  # an undo: this row supersedes a judgement and withdraws it


@dataclass(frozen=True)
class Adjudication:
    adjudication_id: str
    attempt_id: str
    stage: str
    auditor: str
    label: Label
    reason: ReasonCode
    note: str = ""
    saved_at: str | None = None


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PlanRecord(NamedTuple):
    """A stored review plan: its name, how it was drawn (definition, JSON), when, and how many attempts it holds."""

    name: str
    definition: dict[str, Any]
    created_at: str
    size: int  # plan items, gold items included


# A plan's line in the plans export and import, its keys in order (plans.plan_line writes them).
PLAN_LINE_KEYS: tuple[str, ...] = (
    "plan",
    "attempt_id",
    "stratum",
    "inclusion_probability",
    "position",
    "reviewers",
    "gold",
)


class PlanItem(NamedTuple):
    """One attempt of a plan: its stratum, inclusion probability (None for a gold item, which is no part of the
    sample), position in the plan's order (from 1), who reviews it, and whether it is a gold item."""

    plan: str
    attempt_id: str
    stratum: str
    inclusion_probability: float | None
    position: int
    reviewers: tuple[str, ...] = ()
    gold: bool = False


class PlanStratum(NamedTuple):
    """One stratum of a plan: how many attempts of the population it holds (N_h) and how many were drawn (n_h)."""

    plan: str
    stratum: str
    population: int
    drawn: int


@dataclass(frozen=True)
class PlanPopulation:
    """Every attempt of a plan's population and its stratum, as they were when the plan was drawn (strata by
    a stage's outcome do not move when the pipeline is re-run). Parallel lists, by stratum then attempt id."""

    plan: str
    attempt_ids: list[str]
    strata: list[str]

    def __len__(self) -> int:
        return len(self.attempt_ids)
