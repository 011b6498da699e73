"""One file per language: the registry declares each language, and every stage reads its declarations from there."""

from __future__ import annotations

import ast
import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bare_tui import extract, highlight, model
from bare_tui.model import Outcome
from bare_tui.pipeline import defects, integrity, languages, maintainability, signatures, syntax
from bare_tui.pipeline.defects import check_defects
from bare_tui.pipeline.integrity import integrity_findings
from bare_tui.pipeline.languages import REGISTRY, LanguageSpec
from bare_tui.pipeline.languages.parameters import standard_parameter
from bare_tui.pipeline.languages.spec import never_hidden, no_definitions
from bare_tui.pipeline.maintainability import function_metrics
from bare_tui.pipeline.signatures import check_signatures
from bare_tui.pipeline.syntax import check_syntax


def test_the_nine_language_files_declare_what_the_rest_of_bare_tui_knows() -> None:
    assert languages.LANGUAGES == ("c", "cpp", "csharp", "go", "java", "javascript", "php", "python", "typescript")
    for name, spec in REGISTRY.items():
        assert spec.name == name
        # what import, answer extraction and the highlighter know of a language comes from its file
        assert all(model.language_from_path(f"src/file{ext}") == name for ext in spec.extensions), name
        assert all(model.normalise_language(alias.upper()) == name for alias in (name, *spec.aliases)), name
        assert all(extract.block_language(f"{fence} title=x") == name for fence in spec.fence_names), name
        assert highlight.make_lexer(name) is not None, name
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
    integrity._unnameable_types.cache_clear()
    integrity._definition_pattern.cache_clear()
    integrity._type_pattern.cache_clear()
    integrity._registrations.cache_clear()
    integrity._top_level_statements.cache_clear()
    maintainability._code_profile.cache_clear()
    defects._kept_rule_findings.cache_clear()


GO = "package p\n\ntype Box struct{ n int }\n\nfunc helper(x int) int { return x }\n\nfunc Run(x int) int { return helper(x) }\n"


def test_the_registry_drives_every_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    tsx = 'export const A = () => <div className="x">{a}</div>;\n'
    inlined = GO.replace("func helper(x int) int { return x }\n\n", "").replace("return helper(x)", "return x")
    undeclared = GO.replace("return helper(x)", "return helper(limit)")
    dropped_type = GO.replace("type Box struct{ n int }\n\n", "")
    # as declared
    plain = "export const A = 1;\n"
    assert check_syntax("typescript", plain, tsx, "a.tsx").outcome is Outcome.PASS
    assert check_signatures("go", GO, inlined).outcome is Outcome.PASS  # helper is unexported
    assert "undefined-name" in check_defects("go", GO, undeclared).details["new_by_rule"]
    assert [f.check for f in integrity_findings("go", GO, dropped_type)] == ["dropped-type"]  # Box is exported
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


def test_the_stages_read_each_rule_from_the_language_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compilers, parameter and type rules, defect rules and tables: each a declaration the stages follow."""
    broken = "def f(:\n    pass\n"
    assert check_syntax("python", "x = 1\n", broken).details["checker"] == "compile"
    unused = GO.replace("return helper(x)", "spare := 2\n\treturn helper(x)")
    assert "unused-variable" in check_defects("go", GO, unused).details["new_by_rule"]
    js = "export function f(x) {\n  return Math.floor(x);\n}\n"
    assert "unknown-member" in check_defects("javascript", js, js.replace("floor", "flor")).details["new_by_rule"]
    c = "typedef struct node { int v; } node_t;\nint size(struct node *n) { return n->v; }\n"
    assert check_signatures("c", c, c.replace("struct node *n", "node_t *n")).outcome is Outcome.PASS
    java = "class A {\n    public int f(int count) { return count; }\n}\n"
    assert check_signatures("java", java, java.replace("count", "n")).outcome is Outcome.PASS

    _replace(monkeypatch, "python", compiler=None)
    assert check_syntax("python", "x = 1\n", broken).details["checker"] == "tree-sitter"
    _replace(monkeypatch, "go", defect_rules=())
    assert "unused-variable" not in check_defects("go", GO, unused).details["new_by_rule"]
    _replace(monkeypatch, "javascript", static_members={})
    assert check_defects("javascript", js, js.replace("floor", "flor")).outcome is Outcome.PASS
    _replace(monkeypatch, "c", typedefs=None)
    assert check_signatures("c", c, c.replace("struct node *n", "node_t *n")).outcome is Outcome.FAIL
    _replace(monkeypatch, "java", parameter=standard_parameter)  # the name is then part of the parameter
    assert check_signatures("java", java, java.replace("count", "n")).outcome is Outcome.FAIL


def _language_words() -> set[str]:
    return {word for spec in REGISTRY.values() for word in (spec.name, *spec.grammars, *spec.aliases)}


def test_no_stage_keys_on_a_language_name() -> None:
    """The stages (and the parse layer they share) read what a language needs from its file: no module of the
    pipeline but the language files compares a grammar or language with a name, keeps a table by name, or calls a
    rule for one, so a tenth language needs no change there."""
    words = _language_words()
    shared = [Path(languages.__file__).parent / f"{name}.py" for name in ("spec", "parameters", "__init__")]
    found: dict[str, set[str]] = {}
    for path in sorted(Path(syntax.__file__).parent.glob("*.py")) + shared:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        said = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in words}
        if said:
            found[path.name] = said
    assert found == {}


def test_the_check_for_language_names_sees_one_in_a_stage(tmp_path: Path) -> None:
    """The check above reads string constants: a comparison, a table key, an argument all are one."""
    stage = 'def rule(source):\n    if source.grammar in ("go", "kotlin"):\n        return {"php": 1}\n'
    said = {n.value for n in ast.walk(ast.parse(stage)) if isinstance(n, ast.Constant)}
    assert said & _language_words() == {"go", "php"}


def _grammar_vocabulary() -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Every registered language's node kinds (named and anonymous) and field names, over all its grammars, and
    its named kinds apart (the words a node-kind table would hold: `if_statement`, not `(`)."""
    kinds: dict[str, set[str]] = {}
    named_kinds: dict[str, set[str]] = {}
    fields: dict[str, set[str]] = {}
    for name, spec in REGISTRY.items():
        for grammar in spec.grammars:
            language = languages.language_for_grammar(grammar)
            found = (language.node_kind_for_id(i) for i in range(language.node_kind_count))
            kinds.setdefault(name, set()).update(kind for kind in found if kind)
            named_kinds.setdefault(name, set()).update(
                kind
                for i in range(language.node_kind_count)
                if language.node_kind_is_named(i) and (kind := language.node_kind_for_id(i))
            )
            named = (language.field_name_for_id(i) for i in range(1, language.field_count + 1))
            fields.setdefault(name, set()).update(field for field in named if field)
    return kinds, fields, named_kinds


_FIELD_READERS = frozenset({"child_by_field_name", "children_by_field_name"})

NODE_KINDS_LEFT: dict[str, set[str]] = {
    # Field names a call's member is read from (`app.get`: property, name, field, attribute).
    "integrity.py": {"attribute", "name"},
    # Receivers in an answer's text (`this.helper()`, `super.helper()`), read by a regular expression, not a tree.
    "integrity.py ": {"this", "super"},
    # A metric's display name.
    "maintainability.py": {"parameters"},
    # The checker a syntax verdict names when there was nothing to check.
    "syntax.py": {"none"},
    # A field name (a method call's `name`).
    "defects.py": {"name"},
}
"""String constants of stage modules that equal some grammar's node kind but name no node: each is documented."""

MODULES_LEFT: set[str] = set()
"""Stage modules whose node-kind tables are still to move into the language files."""


def _node_kind_constants(tree: ast.AST, named: set[str]) -> set[str]:
    """String constants of a module that are node kinds of a registered grammar, leaving out docstrings, field
    names given to a field reader and substring tests (`"comment" in node.type`: every grammar keeps the convention
    that a comment's kind says so)."""
    left_out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _FIELD_READERS:
            left_out.update(id(argument) for argument in node.args)
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and not isinstance(node.comparators[0], (ast.Tuple, ast.Set, ast.List, ast.Name))
        ):
            left_out.add(id(node.left))
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            left_out.add(id(body[0].value))
    found = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in named
        if id(node) not in left_out
    }
    # Kinds inside tree-sitter query text (`"(import_spec path: (_) @hit)"`): a word that opens a pattern.
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _QUERY_CAPTURE.search(node.value):
            found.update(set(_QUERY_KIND.findall(node.value)) & named)
    return found


_QUERY_CAPTURE = re.compile(r"[)\]]\s*@[A-Za-z_]")
"""Query text: a pattern closed and captured (`...) @hit`)."""
_QUERY_KIND = re.compile(r"[(\[]\s*([A-Za-z_][A-Za-z0-9_]*)")
"""A node kind in query text: the word a pattern or an alternation opens with."""


def test_no_stage_module_keeps_a_table_of_node_kinds() -> None:
    """What a comment, a call, a function or a control statement is in a grammar is declared in its language's file
    (LanguageSpec.node_kinds): a stage module that names a node kind of any registered grammar fails, so a tenth
    grammar's kinds need no entry there. Kinds of the named defect rules still in defects.py are listed apart."""
    every = set().union(*_grammar_vocabulary()[2].values())
    allowed: dict[str, set[str]] = {}
    for module, names in NODE_KINDS_LEFT.items():
        allowed.setdefault(module.strip(), set()).update(names)
    found: dict[str, set[str]] = {}
    for path in sorted(Path(syntax.__file__).parent.glob("*.py")):
        if path.name in MODULES_LEFT:
            continue
        said = _node_kind_constants(ast.parse(path.read_text(encoding="utf-8")), every) - allowed.get(path.name, set())
        if said:
            found[path.name] = said
    assert found == {}


def test_the_check_for_node_kinds_sees_a_table_in_a_stage() -> None:
    stage = (
        "def rule(node):\n"
        '    """A comment in the docstring names no node."""\n'
        '    if node.type in ("if_statement", "foreach_statement") and "comment" not in node.type:\n'
        '        return node.child_by_field_name("body")\n'
        '    return {"arrow_function": 1}\n'
    )
    every = set().union(*_grammar_vocabulary()[2].values())
    assert _node_kind_constants(ast.parse(stage), every) == {"if_statement", "foreach_statement", "arrow_function"}
    # and kinds written inside a query's text, as the Go import and JavaScript member rules had them
    queried = (
        "def rule(source):\n"
        '    for path in captures(source, "(import_spec path: (_) @hit)"):\n'
        "        yield path\n"
        '    yield from captures(source, "[(member_expression) (call_expression)] @hit")\n'
        '    yield re.search(r"(\\d+)", "(tokens outside comments)")\n'
    )
    assert _node_kind_constants(ast.parse(queried), every) == {"import_spec", "member_expression", "call_expression"}


def test_each_language_declares_node_kinds_its_grammar_has() -> None:
    """A kind misspelt or copied from another grammar in a language file would match nothing: each declared kind is
    one of the language's grammars', and the parts every stage needs are declared."""
    kinds, fields, _ = _grammar_vocabulary()
    for name, spec in REGISTRY.items():
        for part in dataclasses.fields(spec.node_kinds):
            declared = getattr(spec.node_kinds, part.name)
            if part.name.endswith("_fields"):  # field names, not node kinds
                assert declared <= fields[name], (name, part.name, declared - fields[name])
                continue
            pairs = [item for item in declared if isinstance(item, tuple)]
            words = {item for item in declared if isinstance(item, str)} | {kind for kind, _ in pairs}
            assert words <= kinds[name], (name, part.name, words - kinds[name])
            seconds = {second for _, second in pairs if second is not None}
            assert seconds <= fields[name] | kinds[name], (name, part.name, seconds - fields[name] - kinds[name])
        assert spec.node_kinds.comments and spec.node_kinds.control and spec.node_kinds.functions, name


def test_each_language_declares_imports_and_constant_patterns_its_grammars_read() -> None:
    """A pattern a grammar cannot compile matches nothing, silently: each constant pattern compiles for every grammar
    of its language, and every language says what its imports bring in (the integrity tests run each on real code)."""
    for name, spec in REGISTRY.items():
        assert spec.imports is not None, name
        assert spec.constant_queries or name == "python", name  # Python's constants are top-level statements
        for grammar in spec.grammars:
            for pattern in spec.constant_queries:
                assert languages.query(grammar, pattern) is not None, (name, grammar, pattern)


def test_the_stages_read_node_kinds_from_the_language_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nesting is counted over the control kinds the language declares; a registration over its call kinds."""
    java = "class A {\n  int f(int a) {\n    if (a > 0) {\n      while (a > 1) { a--; }\n    }\n    return a;\n  }\n}\n"
    assert [m.values["nesting_depth"] for m in function_metrics("java", java)] == [2]
    kinds = REGISTRY["java"].node_kinds
    _replace(monkeypatch, "java", node_kinds=dataclasses.replace(kinds, control=kinds.control - {"while_statement"}))
    assert [m.values["nesting_depth"] for m in function_metrics("java", java)] == [1]
    route = 'app.get("/a", function (req, res) { res.send("a"); });\n'
    moved = route.replace('"/a"', '"/b"')
    assert "dropped-callback" in [f.check for f in integrity_findings("javascript", route, moved)]
    kinds = REGISTRY["javascript"].node_kinds
    _replace(monkeypatch, "javascript", node_kinds=dataclasses.replace(kinds, calls=frozenset()))
    assert "dropped-callback" not in [f.check for f in integrity_findings("javascript", route, moved)]


def test_the_signatures_stage_finds_definitions_where_the_language_file_says(monkeypatch: pytest.MonkeyPatch) -> None:
    java = "package shop;\nclass Cart {\n    public int total(int a) { return a; }\n}\n"
    # the class declares no constructor: it has Java's implicit one
    assert [s.name for s in signatures.extract_signatures("java", java)] == ["shop.Cart.Cart", "shop.Cart.total"]
    # without the package rule the names lose their package; without class declarations, their class
    _replace(monkeypatch, "java", prefix=None)
    assert [s.name for s in signatures.extract_signatures("java", java)] == ["Cart.Cart", "Cart.total"]
    kinds = tuple(kind for kind in REGISTRY["java"].definition_kinds if kind != "class_declaration")
    _replace(monkeypatch, "java", definition_kinds=kinds)
    assert [s.name for s in signatures.extract_signatures("java", java)] == ["total"]
    # a language whose visitor knows no definitions has none to keep
    _replace(monkeypatch, "java", visit=no_definitions)
    assert signatures.extract_signatures("java", java) == []


def test_defect_rules_read_the_known_names_of_the_language_file() -> None:
    assert "unsigned" in REGISTRY["c"].known_names and "nullptr" in REGISTRY["cpp"].known_names
    assert defects.spec_for_grammar("tsx") is REGISTRY["typescript"]


KOTLIN = """\"\"\"Kotlin, as a test stands it in: Java's grammar under another name.\"\"\"

from bare_tui.pipeline.languages.java import SPEC as JAVA
from bare_tui.pipeline.languages.spec import LanguageSpec

SPEC = LanguageSpec(
    **{
        **JAVA.__dict__,
        "name": "kotlin",
        "extensions": (".kt",),
        "aliases": ("kt",),
        "fence_names": ("kotlin", "kt"),
        "grammars": {"kotlin": JAVA.grammars["java"]},
        "lizard_extensions": {"kotlin": ".java"},
    }
)
"""


def test_a_tenth_language_is_one_more_file(tmp_path: Path) -> None:
    """What the README promises: drop a language file into pipeline/languages/ and import, extraction, the
    highlighter's table and every stage know the language, with no other file changed."""
    package = Path(languages.__file__).parents[2]
    shutil.copytree(package, tmp_path / "bare_tui", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "bare_tui" / "pipeline" / "languages" / "kotlin.py").write_text(KOTLIN, encoding="utf-8")
    script = (
        "from bare_tui.model import language_from_path, normalise_language\n"
        "from bare_tui.extract import extract_code\n"
        "from bare_tui.pipeline.languages import LANGUAGES\n"
        "from bare_tui.pipeline.work import Job, analyse\n"
        "code = 'class Cart {\\n    public int total(int a) { return a; }\\n}\\n'\n"
        "changed = code.replace('int a', 'long a')\n"
        "print('kotlin' in LANGUAGES, language_from_path('Cart.kt'), normalise_language('KT'))\n"
        "print(extract_code('```kt\\n' + changed + '```\\n', 'kotlin').how)\n"
        "print(' '.join(f'{stage}={result.outcome.value}' for stage, result in analyse(Job('a', 'kt', 'Cart.kt', code, changed))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=True, timeout=120
    )
    found, extracted, stages = result.stdout.splitlines()
    assert found.split() == ["True", "kotlin", "kotlin"]
    assert extracted == "fenced:kotlin"
    assert "syntax=pass" in stages and "signatures=fail" in stages  # read by its grammar, its signature rules
