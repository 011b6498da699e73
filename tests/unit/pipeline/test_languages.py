"""One file per language: the registry declares each language, and every stage reads its declarations from there."""

from __future__ import annotations

import dataclasses

import pytest

from bare_tui import model
from bare_tui.model import Outcome
from bare_tui.pipeline import defects, integrity, languages, maintainability, signatures, syntax
from bare_tui.pipeline.defects import check_defects
from bare_tui.pipeline.integrity import integrity_findings
from bare_tui.pipeline.languages import REGISTRY, LanguageSpec
from bare_tui.pipeline.languages.spec import never_hidden, no_definitions
from bare_tui.pipeline.maintainability import function_metrics
from bare_tui.pipeline.signatures import check_signatures
from bare_tui.pipeline.syntax import check_syntax


def test_the_nine_language_files_declare_what_the_rest_of_bare_tui_knows() -> None:
    assert tuple(sorted(REGISTRY)) == model.LANGUAGES
    for name, spec in REGISTRY.items():
        assert spec.name == name
        # model.py's tables (used by import and the review screen) agree with the language files
        assert {ext for ext, lang in model.EXTENSION_LANGUAGE.items() if lang == name} == set(spec.extensions), name
        assert {alias for alias, lang in model.LANGUAGE_ALIASES.items() if lang == name} <= set(spec.aliases), name
        assert name in spec.fence_names and spec.pygments_lexer and spec.grammar_packages
        assert set(spec.lizard_extensions) == set(spec.grammars), name
        for grammar in spec.grammars:
            assert languages.language_for_grammar(grammar) is not None


def _replace(monkeypatch: pytest.MonkeyPatch, name: str, **changes: object) -> None:
    """Swap one language's declaration for the test, and forget what the stages cached from the old one."""
    spec: LanguageSpec = dataclasses.replace(REGISTRY[name], **changes)  # type: ignore[arg-type]
    monkeypatch.setitem(REGISTRY, name, spec)
    for grammar in spec.grammars:
        monkeypatch.setitem(languages.BY_GRAMMAR, grammar, spec)
    syntax.tree_sitter_problems.cache_clear()
    signatures._extract.cache_clear()
    maintainability._function_metrics.cache_clear()
    integrity._types.cache_clear()
    integrity._type_pattern.cache_clear()


GO = "package p\n\ntype box struct{ n int }\n\nfunc helper(x int) int { return x }\n\nfunc Run(x int) int { return helper(x) }\n"


def test_the_registry_drives_every_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    tsx = 'export const A = () => <div className="x">{a}</div>;\n'
    inlined = GO.replace("func helper(x int) int { return x }\n\n", "").replace("return helper(x)", "return x")
    undeclared = GO.replace("return helper(x)", "return helper(limit)")
    dropped_type = GO.replace("type box struct{ n int }\n\n", "")
    # as declared
    plain = "export const A = 1;\n"
    assert check_syntax("typescript", plain, tsx, "a.tsx").outcome is Outcome.PASS
    assert check_signatures("go", GO, inlined).outcome is Outcome.PASS  # helper is unexported
    assert "undefined-name" in check_defects("go", GO, undeclared).details["new_by_rule"]
    assert [f.check for f in integrity_findings("go", GO, dropped_type)] == ["dropped-type"]
    go_metrics = [f.name for f in function_metrics("go", GO)]
    assert go_metrics == ["helper", "Run"]

    # every stage follows a changed declaration
    _replace(monkeypatch, "typescript", grammars={"typescript": REGISTRY["typescript"].grammars["typescript"]})
    assert check_syntax("typescript", plain, tsx, "a.tsx").outcome is Outcome.FAIL  # no TSX grammar declared
    _replace(
        monkeypatch,
        "go",
        hidden=never_hidden,
        known_names=REGISTRY["go"].known_names | {"limit"},
        type_queries=(),
        lizard_extensions={"go": ".py"},
    )
    assert check_signatures("go", GO, inlined).outcome is Outcome.FAIL  # now every function is visible
    assert "undefined-name" not in check_defects("go", GO, undeclared).details["new_by_rule"]
    assert integrity_findings("go", GO, dropped_type) == []
    assert [f.name for f in function_metrics("go", GO)] != go_metrics  # lizard read it with its Python reader


def test_the_signatures_stage_finds_definitions_where_the_language_file_says(monkeypatch: pytest.MonkeyPatch) -> None:
    java = "package shop;\nclass Cart {\n    public int total(int a) { return a; }\n}\n"
    assert [s.name for s in signatures.extract_signatures("java", java)] == ["shop.Cart.total"]
    # without the package rule the names lose their package; without class declarations, their class
    _replace(monkeypatch, "java", prefix=None)
    assert [s.name for s in signatures.extract_signatures("java", java)] == ["Cart.total"]
    kinds = tuple(kind for kind in REGISTRY["java"].definition_kinds if kind != "class_declaration")
    _replace(monkeypatch, "java", definition_kinds=kinds)
    assert [s.name for s in signatures.extract_signatures("java", java)] == ["total"]
    # a language whose visitor knows no definitions has none to keep
    _replace(monkeypatch, "java", visit=no_definitions)
    assert signatures.extract_signatures("java", java) == []


def test_defect_rules_read_the_known_names_of_the_language_file() -> None:
    assert "unsigned" in REGISTRY["c"].known_names and "nullptr" in REGISTRY["cpp"].known_names
    assert defects.spec_for_grammar("tsx") is REGISTRY["typescript"]
