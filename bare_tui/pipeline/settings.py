"""The pipeline's settings (thresholds, weights, limits) and the version string that names them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

from bare_tui import __version__

METRICS: tuple[str, ...] = ("cyclomatic_complexity", "nloc", "token_count", "parameter_count", "nesting_depth")
"""The per-function maintainability metrics, in the order they are reported."""


@dataclass(frozen=True)
class PipelineSettings:
    """Everything that changes what the stages decide. All of it but the test hook enters the version."""

    time_limit_seconds: float = 30.0
    """One attempt's five stages together; past it the attempt's unfinished stages get an `error` verdict."""

    size_cap_chars: int = 1_000_000
    """An original or refactored text longer than this (about 25,000 lines) is not analysed: `error`."""

    memory_limit_mb: int = 1024
    """Address space of one worker process (RLIMIT_AS); an attempt that needs more gets an `error` verdict saying
    so. lizard alone takes 2 GB on 700 bytes of nested Python functions."""

    threshold_percentile: float = 90.0
    """A function breaches a metric above this percentile of the session's original functions in its language."""

    minimum_functions: int = 30
    """Fewer original functions than this in a language and the default thresholds are used instead."""

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
            "cyclomatic_complexity": 4.0,
            "nloc": 15.0,
            "token_count": 100.0,
            "parameter_count": 3.0,
            "nesting_depth": 2.0,
        }
    )
    """No percentile threshold falls below these, so a session of tiny functions does not flag every branch."""

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

    def with_changes(self, **changes: Any) -> "PipelineSettings":
        return replace(self, **changes)


DEFAULT_SETTINGS = PipelineSettings()


def pipeline_version(settings: PipelineSettings = DEFAULT_SETTINGS) -> str:
    """The package version plus a short hash of the settings and analyser versions, e.g. "0.1.0+5f2c1a"."""
    return _version(json.dumps(settings.version_fields(), sort_keys=True))


@lru_cache(maxsize=8)
def _version(settings_json: str) -> str:
    digest = hashlib.sha256()
    digest.update(settings_json.encode())
    digest.update(json.dumps(analyser_versions(), sort_keys=True).encode())
    return f"{__version__}+{digest.hexdigest()[:6]}"


@lru_cache(maxsize=1)
def analyser_versions() -> dict[str, str]:
    """The versions of the analysers and rule sets behind the verdicts: a new one is a new pipeline."""
    from importlib.metadata import PackageNotFoundError, version

    from bare_tui.pipeline import defects, integrity, maintainability, signatures, syntax

    versions = {
        "syntax-rules": syntax.RULES_VERSION,
        "signature-rules": signatures.RULES_VERSION,
        "integrity-rules": integrity.RULES_VERSION,
        "defect-rules": defects.RULES_VERSION,
        "maintainability-rules": maintainability.RULES_VERSION,
        # A dependency, but an install may lack it: whether it ran changes the C and C++ verdicts.
        "cppcheck": defects.cppcheck_version() or "absent",
    }
    for package in ("pyflakes", "lizard", "tree-sitter"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "absent"
    return versions
