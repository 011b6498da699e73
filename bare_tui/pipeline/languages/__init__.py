"""The languages bare-tui reads, one file each, and the shared tree-sitter layer.

Each `<language>.py` here declares a LanguageSpec named SPEC (extensions and aliases, fence names, grammar, pygments
lexer, lizard extension, signature and visibility rules, defect name tables, type queries). The stages, the
importer (model.language_from_path), answer extraction (extract.py) and the highlighter read those declarations,
and every module here but the shared ones (spec.py, tree.py, parameters.py, findings.py) is a language: a tenth
language is one more file plus its tests.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from bare_tui.pipeline.languages.spec import LanguageSpec
from bare_tui.pipeline.languages.tree import (
    Source,
    UnknownLanguage,
    captures,
    describe_problem,
    encode,
    get_parser,
    grammar_name,
    iter_problems,
    kinds_pattern,
    language_for_grammar,
    matches,
    modifier_words,
    name_text,
    node_snippet,
    parse_grammar,
    parse_source,
    query,
    query_captures,
    snippet,
    unsupported,
    unwrap_parentheses,
)

_SHARED = frozenset({"findings", "parameters", "spec", "tree"})
"""The modules here that are not a language."""

MODULES: tuple[str, ...] = tuple(
    sorted(module.name for module in pkgutil.iter_modules(__path__) if module.name not in _SHARED)
)
"""The language files, by module name."""

REGISTRY: dict[str, LanguageSpec] = {}
for _module in MODULES:
    _spec: LanguageSpec = import_module(f"{__name__}.{_module}").SPEC
    REGISTRY[_spec.name] = _spec

LANGUAGES: tuple[str, ...] = tuple(sorted(REGISTRY))
"""The languages' names, in order."""

BY_GRAMMAR: dict[str, LanguageSpec] = {grammar: spec for spec in REGISTRY.values() for grammar in spec.grammars}
"""Grammar name ("tsx" included) -> the language it belongs to."""


def spec_for_grammar(grammar: str) -> LanguageSpec:
    found = BY_GRAMMAR.get(grammar)
    if found is None:
        raise UnknownLanguage(f"no tree-sitter grammar named {grammar!r}")
    return found


def path_for_grammar(grammar: str) -> str:
    """A file name that reads with this grammar: none for its language's first grammar, else `x.<grammar>` (x.tsx)."""
    spec = spec_for_grammar(grammar)
    return "" if grammar == next(iter(spec.grammars)) else f"x.{grammar}"


__all__ = [
    "BY_GRAMMAR",
    "LANGUAGES",
    "MODULES",
    "REGISTRY",
    "LanguageSpec",
    "Source",
    "UnknownLanguage",
    "captures",
    "describe_problem",
    "encode",
    "get_parser",
    "grammar_name",
    "iter_problems",
    "kinds_pattern",
    "language_for_grammar",
    "matches",
    "modifier_words",
    "name_text",
    "parse_grammar",
    "parse_source",
    "path_for_grammar",
    "query",
    "query_captures",
    "node_snippet",
    "snippet",
    "spec_for_grammar",
    "unsupported",
    "unwrap_parentheses",
]
