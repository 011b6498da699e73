"""The stage registry: each of the five stages' name, rules version and check, in order; the runner reads it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bare_tui.model import STAGES, StageResult
from bare_tui.pipeline import defects, integrity, maintainability, signatures, syntax
from bare_tui.pipeline.maintainability import Thresholds
from bare_tui.pipeline.settings import PipelineSettings


@dataclass(frozen=True)
class StageInput:
    """What every check is given: one attempt's texts, the pipeline's settings and the session's thresholds."""

    language: str
    original: str
    refactored: str | None
    path: str
    settings: PipelineSettings
    thresholds: Thresholds | None = None


@dataclass(frozen=True)
class Stage:
    """One automated check: its name (a field of the human form), the version of its rules, and the check."""

    name: str
    rules_version: str
    check: Callable[[StageInput], StageResult]


REGISTRY: tuple[Stage, ...] = (
    Stage("syntax", syntax.RULES_VERSION, lambda i: syntax.check_syntax(i.language, i.original, i.refactored, i.path)),
    Stage(
        "signatures",
        signatures.RULES_VERSION,
        lambda i: signatures.check_signatures(
            i.language, i.original, i.refactored, i.path, policy=i.settings.signature_policy
        ),
    ),
    Stage(
        "integrity",
        integrity.RULES_VERSION,
        lambda i: integrity.check_integrity(i.language, i.original, i.refactored, i.path),
    ),
    Stage(
        "defects", defects.RULES_VERSION, lambda i: defects.check_defects(i.language, i.original, i.refactored, i.path)
    ),
    Stage(
        "maintainability",
        maintainability.RULES_VERSION,
        lambda i: maintainability.check_maintainability(
            i.language, i.original, i.refactored, i.path, thresholds=i.thresholds
        ),
    ),
)
BY_NAME: dict[str, Stage] = {stage.name: stage for stage in REGISTRY}

assert tuple(BY_NAME) == STAGES, "the registry lists the stages of model.STAGES, in their order"
