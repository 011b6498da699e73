"""The pipeline version: the package version plus a hash of the settings, the stages' rules and the analysers in use."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from bare_tui import __version__
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, PipelineSettings

ANALYSER_PACKAGES: tuple[str, ...] = ("pyflakes", "lizard", "tree-sitter")
"""Analysers whose versions change what the stages decide; each language file adds its grammar wheels."""


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
    """The versions of the rule sets, grammars and analysers behind the verdicts: two installs that can decide
    differently never share a pipeline version."""
    from importlib.metadata import PackageNotFoundError, version

    from bare_tui.pipeline import defects
    from bare_tui.pipeline.stages import REGISTRY

    versions = {f"{stage.name}-rules": stage.rules_version for stage in REGISTRY}
    # A dependency, but an install may lack it: whether it ran changes the C and C++ verdicts.
    versions["cppcheck"] = defects.cppcheck_version() or "absent"
    from bare_tui.pipeline.languages import REGISTRY as LANGUAGES

    grammars = sorted({package for spec in LANGUAGES.values() for package in spec.grammar_packages})
    for package in (*ANALYSER_PACKAGES, *grammars):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "absent"
    return versions
