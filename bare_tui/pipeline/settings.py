"""The pipeline's settings: thresholds, weights, limits and policies (pipeline/version.py names them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

METRICS: tuple[str, ...] = ("cyclomatic_complexity", "nloc", "token_count", "parameter_count", "nesting_depth")
"""The per-function maintainability metrics, in the order they are reported."""


@dataclass(frozen=True)
class PipelineSettings:
    """Everything that changes what the stages decide. All of it but the test hook enters the version."""

    time_limit_seconds: float = 30.0
    """One attempt's five stages together; past it the attempt's unfinished stages get an `error` verdict."""

    size_cap_chars: int = 1_000_000
    """An original or refactored text longer than this (about 25,000 lines) is not analysed: `error`."""

    signature_policy: str = "visible"
    """Which functions the signatures stage compares: `visible` (what callers of the file can see: public,
    exported, protected, header-declared) or `all` (private helpers too)."""

    memory_limit_mb: int = 1024
    """Address space of one worker process (RLIMIT_AS); an attempt that needs more gets an `error` verdict saying
    so: a few hundred bytes of deeply nested Python functions can make lizard alone ask for gigabytes."""

    threshold_percentile: float = 90.0
    """A function breaches a metric above this percentile of the session's original functions in its language."""

    minimum_functions: int = 50
    """Fewer original functions than this in a language and the default thresholds are used instead: percentiles
    of a few small originals are brittle."""

    minimum_score: float = 0.0
    """An original that breaches no threshold passes when its functions' metric load (each metric over the session's
    percentile of it, weighted) falls by more than this share of the load before and after, with nothing made worse.
    Calibrated on the 273 labelled real answers (bench/real_agreement.py): kappa is flat from -0.04 to 0 and falls
    beyond it; the largest threshold within 0.01 of the best kappa was taken."""

    default_thresholds: dict[str, float] = field(
        default_factory=lambda: {
            # McCabe's 10; 60 lines and 400 tokens fit one screen; 5 parameters and 4 levels of nesting are
            # the usual code-review limits (Code Complete, Sonar's defaults).
            "cyclomatic_complexity": 10.0,
            "nloc": 60.0,
            "token_count": 400.0,
            "parameter_count": 5.0,
            "nesting_depth": 4.0,
        }
    )
    """Thresholds when a session has too few originals in a language to take percentiles of."""

    threshold_floors: dict[str, float] = field(
        default_factory=lambda: {
            "cyclomatic_complexity": 10.0,
            "nloc": 60.0,
            "token_count": 400.0,
            "parameter_count": 5.0,
            "nesting_depth": 4.0,
        }
    )
    """No percentile threshold falls below these, the usual review limits (the defaults above): a session of small
    exercise files has 90th percentiles of 4 branches or 15 lines, which no reviewer flags, and breaches of them
    passed lateral answers that resolved one and failed clearer ones that added one. A session of larger functions
    still raises its thresholds above them."""

    weights: dict[str, float] = field(
        default_factory=lambda: {
            "cyclomatic_complexity": 2.0,
            "nloc": 1.0,
            "token_count": 1.0,
            "parameter_count": 1.0,
            "nesting_depth": 1.5,
        }
    )
    """How much a breach of each metric counts in the severity sum: complexity and nesting matter most."""

    hang_marker: str | None = None
    """Test hook: a stage given a refactored text containing this string hangs, and so does measuring an
    original that contains it (for the thresholds), to exercise the time limit. Never part of the version,
    never set outside tests."""

    def version_fields(self) -> dict[str, Any]:
        fields = asdict(self)
        fields.pop("hang_marker")
        return fields

    def with_changes(self, **changes: Any) -> PipelineSettings:
        return replace(self, **changes)


DEFAULT_SETTINGS = PipelineSettings()
