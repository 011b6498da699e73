"""The signatures stage: qualified names and parameter lists, checked against CPython's ast and mutations."""

from __future__ import annotations

import ast
from collections import defaultdict

import pytest

from bare_tui.model import Outcome
from bare_tui.pipeline.signatures import check_signatures, extract_signatures
from tests.unit.pipeline import corpus

CATCH_RATE = 0.97
LANGUAGES = ["c", "cpp", "csharp", "go", "java", "javascript", "php", "python", "typescript"]


def _names(language: str, text: str, path: str = "") -> dict[str, list[str]]:
    """Qualified name -> parameter texts, for readable assertions."""
    return {s.name: [p.text for p in s.parameters] for s in extract_signatures(language, text, path)}


# --- against an independent reader -------------------------------------------------------------------------


def _ast_signatures(text: str) -> set[tuple[str, tuple[str, ...]]]:
    """Every def in a module as (qualified name, parameter names with * and ** marks), read by CPython's ast."""
    found: set[tuple[str, tuple[str, ...]]] = set()
    stack: list[tuple[ast.AST, tuple[str, ...]]] = [(ast.parse(text), ())]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = child.args
                names = [x.arg for x in a.posonlyargs + a.args]
                names += [f"*{a.vararg.arg}"] if a.vararg else []
                names += [x.arg for x in a.kwonlyargs]
                names += [f"**{a.kwarg.arg}"] if a.kwarg else []
                found.add((".".join(scope + (child.name,)), tuple(names)))
                stack.append((child, scope + (child.name,)))
            elif isinstance(child, ast.ClassDef):
                stack.append((child, scope + (child.name,)))
            elif not isinstance(child, ast.Lambda):
                stack.append((child, scope))
    return found


def test_python_signatures_match_cpythons_ast() -> None:
    checked = 0
    for item in corpus.python_files()[::3]:
        ours = {
            (s.name, tuple(p.name for p in s.parameters if p.name not in ("*", "/")))
            for s in extract_signatures("python", item.text, item.path)
        }
        assert ours == _ast_signatures(item.text), item.path
        checked += len(ours)
    assert checked > 200


# --- mutations -----------------------------------------------------------------------------------------------


# Mutations whose outcome is known: FAIL where callers of the file would break, PASS where they would not.
BREAKING = ("delete_function", "add_parameter", "change_return_type")
NAMED_ARGUMENTS = ("python", "php", "csharp")


def _expected(case: corpus.Case) -> Outcome | None:
    if case.mutation in BREAKING:
        return Outcome.FAIL
    if case.mutation == "rename_parameter":
        return Outcome.FAIL if case.item.language in NAMED_ARGUMENTS else Outcome.PASS
    if case.mutation in ("rename_private_helper", "original", "commented"):
        return Outcome.PASS
    return None


@pytest.mark.parametrize("language", LANGUAGES)
def test_signature_mutations_have_their_known_outcome(language: str) -> None:
    right: dict[str, list[bool]] = defaultdict(list)
    named: list[bool] = []
    for item in corpus.by_language()[language]:
        for case in corpus.cases(item):
            expected = _expected(case)
            if expected is None:
                continue
            result = check_signatures(language, item.text, case.text, item.path)
            if case.mutation in ("original", "commented"):
                assert result.outcome is Outcome.PASS, (case.label, result.evidence)
                assert result.score == 1.0
                continue
            right[case.mutation].append(result.outcome is expected)
            if expected is Outcome.FAIL:
                named.append(any(case.detail in e.message for e in result.evidence))  # names the function touched
    for mutation in ("delete_function", "add_parameter"):
        assert right[mutation], mutation
    for mutation, outcomes in right.items():
        assert sum(outcomes) / len(outcomes) >= CATCH_RATE, (language, mutation, outcomes)
    assert sum(named) / len(named) >= CATCH_RATE


def test_every_visibility_rule_and_return_type_mutation_is_exercised() -> None:
    applied = {(case.item.language, case.mutation) for item in corpus.corpus() for case in corpus.cases(item)}
    for language in LANGUAGES:
        assert (language, "rename_parameter") in applied, language
    for language in ("c", "cpp", "go", "javascript", "python", "typescript"):
        assert (language, "rename_private_helper") in applied, language
    for language in ("c", "cpp", "csharp", "go", "java", "typescript"):
        assert (language, "change_return_type") in applied, language


def test_an_implicit_java_constructor_made_private_fails_and_declared_as_java_gives_it_passes() -> None:
    # Mutations of the corpus's Java classes that declare no constructor: `new Name()` works from other files, so a
    # private constructor breaks those callers while one declared with the class's own access keeps them.
    breaking, sound = [], []
    for item in corpus.by_language()["java"]:
        for seed in range(len(corpus.java_classes_without_constructor(item))):
            private = corpus.constructor_declared(item, seed, access="private")
            declared = corpus.constructor_declared(item, seed)
            assert private is not None and declared is not None
            result = check_signatures("java", item.text, private[0], item.path)
            breaking.append(
                result.outcome is Outcome.FAIL
                and any(e.message.endswith(f".{private[1]}.{private[1]}()") for e in result.evidence)
            )
            sound.append(check_signatures("java", item.text, declared[0], item.path).outcome is Outcome.PASS)
    assert len(breaking) >= 2  # Graph and Inventory: the corpus's other classes declare their constructors
    assert sum(breaking) / len(breaking) >= CATCH_RATE, breaking
    assert sum(sound) / len(sound) >= CATCH_RATE, sound
    # a constructor that takes arguments instead: `new Name()` no longer compiles either
    original = "public class Car {\n    int speed;\n}\n"
    taking = "public class Car {\n    int speed;\n    public Car(int speed) {\n        this.speed = speed;\n    }\n}\n"
    assert check_signatures("java", original, taking).outcome is Outcome.FAIL
    # a private nested class's constructor is its own business
    nested = "public class Car {\n    private static class Part {\n    }\n}\n"
    hidden = nested.replace("class Part {", "class Part {\n        private Part() {\n        }")
    assert check_signatures("java", nested, hidden).outcome is Outcome.PASS


# --- the normalisation rule ----------------------------------------------------------------------------------

PYTHON = """\
class Invoice:
    def __init__(self, lines, currency="EUR"):
        self.lines = lines

    def total(self, *, rounding=2):
        return round(sum(self.lines), rounding)


def parse(text, strict=False):
    def clean(line):
        return line.strip()
    return [clean(line) for line in text.splitlines()]
"""


def test_a_changed_default_or_added_type_hints_keep_a_signature() -> None:
    refactored = PYTHON.replace('currency="EUR"', 'currency="USD"').replace(
        "def parse(text, strict=False):", "def parse(text: str, strict: bool = False) -> list[str]:"
    )
    result = check_signatures("python", PYTHON, refactored)
    assert result.outcome is Outcome.PASS, result.evidence
    assert result.details["original"] == 3  # the nested helper `clean` is not the file's interface


def test_a_renamed_parameter_is_a_changed_signature_shown_before_and_after() -> None:
    refactored = PYTHON.replace("def parse(text, strict=False):", "def parse(source, strict=False):")
    result = check_signatures("python", PYTHON, refactored)
    assert result.outcome is Outcome.FAIL
    (evidence,) = result.evidence
    assert evidence.side == "refactored" and evidence.line == 9
    assert "parse(text, strict)" in evidence.message and "parse(source, strict)" in evidence.message
    assert result.score == pytest.approx(2 / 3)


def test_a_missing_method_points_at_the_original() -> None:
    refactored = PYTHON.replace(
        "    def total(self, *, rounding=2):\n        return round(sum(self.lines), rounding)\n", ""
    )
    result = check_signatures("python", PYTHON, refactored)
    assert result.outcome is Outcome.FAIL
    (evidence,) = result.evidence
    assert (evidence.side, evidence.line) == ("original", 5)
    assert "Invoice.total(self, *, rounding)" in evidence.message


def test_extracted_helpers_and_a_moved_local_function_are_fine() -> None:
    refactored = """\
class Invoice:
    def __init__(self, lines, currency="EUR"):
        self.lines = lines

    def total(self, *, rounding=2):
        return round(self._sum(), rounding)

    def _sum(self):
        return sum(self.lines)


def clean(line):
    return line.strip()


def parse(text, strict=False):
    return [clean(line) for line in text.splitlines()]
"""
    result = check_signatures("python", PYTHON, refactored)
    assert result.outcome is Outcome.PASS, result.evidence


def test_no_code_fails_with_every_signature_missing() -> None:
    result = check_signatures("python", PYTHON, None)
    assert result.outcome is Outcome.FAIL
    assert result.score == 0.0
    assert result.details["missing"] == 3


def test_javascript_functions_assigned_to_names_and_class_fields() -> None:
    text = """
const add = (a, b = 1) => a + b;
exports.parse = function (text, options) { return text; };
class Store {
  handle = async (event) => event;
  #secret(key) { return key; }
  get size() { return 0; }
  set size(value) {}
}
const api = { load(url) { return url; }, save: function (url, body) {} };
"""
    names = _names("javascript", text)
    assert names["add"] == ["a", "b"]
    assert names["exports.parse"] == ["text", "options"]
    assert names["Store.handle"] == ["event"]
    assert names["Store.#secret"] == ["key"]
    assert names["Store.get size"] == [] and names["Store.set size"] == ["value"]
    assert names["api.load"] == ["url"] and names["api.save"] == ["url", "body"]


def test_typescript_generic_parameters_are_compared_by_type() -> None:
    original = "export function first<T>(items: Array<T>, fallback?: T): T { return items[0] ?? fallback; }\n"
    assert _names("typescript", original)["first"] == ["items: Array<T>", "fallback?: T"]
    same = original.replace("items: Array<T>", "items:   Array< T >")
    assert check_signatures("typescript", original, same).outcome is Outcome.PASS
    changed = original.replace("items: Array<T>", "items: ReadonlyArray<T>")
    assert check_signatures("typescript", original, changed).outcome is Outcome.FAIL


def test_go_receivers_and_grouped_parameters() -> None:
    original = "package shop\n\nfunc (c *Cart) Add(sku string, qty, price int) error { return nil }\n"
    assert _names("go", original) == {"shop.(*Cart).Add": ["sku string", "qty int", "price int"]}
    regrouped = original.replace("qty, price int", "qty int, price int")
    assert check_signatures("go", original, regrouped).outcome is Outcome.PASS
    value_receiver = original.replace("(c *Cart)", "(c Cart)")
    assert check_signatures("go", original, value_receiver).outcome is Outcome.FAIL


def test_php_namespaces_methods_and_promoted_parameters() -> None:
    original = "<?php\nnamespace App\\Shop;\nclass Cart {\n  public function __construct(private array $items = []) {}\n  public function add(string $sku, int $qty = 1): void {}\n}\n"
    assert _names("php", original) == {
        "App.Shop.Cart.__construct": ["private array $items"],
        "App.Shop.Cart.add": ["string $sku", "int $qty"],
    }
    retyped = original.replace("int $qty", "float $qty")
    assert check_signatures("php", original, retyped).outcome is Outcome.FAIL


def test_cpp_out_of_class_definitions_and_declarations() -> None:
    original = (
        "namespace geo {\nclass Box {\n public:\n  double area(double scale = 1.0) const;\n};\n}\n"
        "double geo::Box::area(double scale) const { return scale; }\n"
    )
    names = extract_signatures("cpp", original)
    assert {(s.name, s.declaration) for s in names} == {("geo.Box.area const", True), ("geo.Box.area const", False)}
    inline = (
        "namespace geo {\nclass Box {\n public:\n  double area(double scale = 1.0) const { return scale; }\n};\n}\n"
    )
    assert check_signatures("cpp", original, inline).outcome is Outcome.PASS
    body_gone = original.replace("double geo::Box::area(double scale) const { return scale; }\n", "")
    result = check_signatures("cpp", original, body_gone)
    assert result.outcome is Outcome.FAIL
    assert "only a declaration is left" in result.evidence[0].message


def test_a_class_nested_in_a_cpp_class_takes_the_access_it_is_declared_under() -> None:
    # `class Inner {...};` in a class body is a member like a method: private by default in a class, so its methods are
    # the class's own business, while one declared under `public:` is called from other files.
    header = (
        "class Outer {\n  class Inner {\n   public:\n    int f(int x);\n  };\n  struct Node { int g(); };\n"
        " public:\n  struct Pub { int h(); };\n  int k();\n private:\n  class Priv { public: int m(); };\n};\n"
    )
    visible = {s.name: s.visible for s in extract_signatures("cpp", header, "outer.h")}
    assert visible == {
        "Outer.Inner.f": False,
        "Outer.Node.g": False,
        "Outer.Pub.h": True,
        "Outer.k": True,
        "Outer.Priv.m": False,
    }
    renamed = header.replace("int f(int x)", "int first(int x, int y)").replace("int m()", "int n()")
    assert check_signatures("cpp", header, renamed, "outer.h").outcome is Outcome.PASS
    public = renamed.replace("int h()", "int h(int y)")
    assert check_signatures("cpp", header, public, "outer.h").outcome is Outcome.FAIL
    in_struct = header.replace("class Outer {", "struct Outer {")  # a struct's members are public by default
    assert extract_signatures("cpp", in_struct, "outer.h")[0].visible


def test_c_prototypes_are_kept_by_their_definition() -> None:
    original = "static int helper(int);\nint main(void) { return helper(1); }\nstatic int helper(int x) { return x; }\n"
    reordered = "static int helper(int x) { return x; }\nint main(void) { return helper(1); }\n"
    assert check_signatures("c", original, reordered).outcome is Outcome.PASS
    assert _names("c", original)["main"] == []


def test_csharp_indexers_constructors_and_operators() -> None:
    original = (
        "namespace Num {\npublic struct V {\n  public V(double x) {}\n  public double this[int i] => 0;\n"
        "  public static V operator +(V a, V b) => a;\n  public void Scale(ref double by, params int[] axes) {}\n}\n}\n"
    )
    assert _names("csharp", original) == {
        "Num.V.V": ["double x"],
        "Num.V.this[]": ["int i"],
        "Num.V.operator +": ["V a", "V b"],
        "Num.V.Scale": ["ref double by", "params int[] axes"],
    }
    retyped = original.replace("this[int i]", "this[long i]")
    result = check_signatures("csharp", original, retyped)
    assert result.outcome is Outcome.FAIL and "this[]" in result.evidence[0].message


def test_java_overloads_and_parameter_annotations() -> None:
    original = (
        "package a;\nclass Repo {\n  Repo(String url) {}\n  int find(int id) { return id; }\n"
        "  int find(String name) { return 0; }\n}\n"
    )
    annotated = original.replace("int find(int id)", "int find(final @Positive int id)")
    assert check_signatures("java", original, annotated).outcome is Outcome.PASS
    dropped = original.replace("  int find(String name) { return 0; }\n", "")
    result = check_signatures("java", original, dropped)
    assert result.outcome is Outcome.FAIL
    assert "a.Repo.find(String name)" in result.evidence[0].message


def test_a_python_def_missing_its_colon_still_has_its_signature() -> None:
    # the syntax stage fails this; the signatures stage judges the names and parameters on their own
    original = "import time\n\n\ndef forget_old(now, max_age):\n    return now - max_age\n"
    broken = original.replace("max_age):", "max_age)")
    result = check_signatures("python", original, broken)
    assert result.outcome is Outcome.PASS, result.evidence
    (signature,) = extract_signatures("python", broken)
    assert (signature.name, signature.line, signature.column) == ("forget_old", 4, 1)


@pytest.mark.parametrize(
    "language, record, rewritten",
    [
        (
            "csharp",
            "namespace N { public record R(int A); }",
            "namespace N { public class R { public R(int A) { this.A = A; } public int A { get; } } }",
        ),
        (
            "java",
            "package p; record R(int a) {}",
            "package p; final class R { private final int a; R(int a) { this.a = a; } }",
        ),
    ],
)
def test_a_record_rewritten_as_a_class_keeps_its_constructor(language: str, record: str, rewritten: str) -> None:
    assert check_signatures(language, record, rewritten).outcome is Outcome.PASS
    assert (
        check_signatures(language, record, rewritten.replace("int a)", "long a)").replace("int A)", "long A)")).outcome
        is Outcome.FAIL
    )


def test_cpp_template_scopes_and_const_overloads() -> None:
    original = (
        "template <typename T> class Box {\n public:\n  T& get(int i);\n  const T& get(int i) const;\n};\n"
        "template <typename T> T& Box<T>::get(int i) { return items[i]; }\n"
        "template <typename T> const T& Box<T>::get(int i) const { return items[i]; }\n"
    )
    assert {s.name for s in extract_signatures("cpp", original)} == {"Box.get", "Box.get const"}
    without_const = original.replace(
        "template <typename T> const T& Box<T>::get(int i) const { return items[i]; }\n", ""
    )
    result = check_signatures("cpp", original, without_const)
    assert result.outcome is Outcome.FAIL
    assert "Box.get const(int i) -> T (only a declaration is left)" in result.evidence[0].message


def test_commonjs_exports_may_become_named_functions() -> None:
    original = "module.exports = {\n  parse(text, options) { return text; },\n  format: function (value) { return String(value); },\n};\n"
    named = (
        "function parse(text, options) {\n  return text;\n}\n\nfunction format(value) {\n  return String(value);\n}\n\n"
        "module.exports = { parse, format };\n"
    )
    assert _names("javascript", original) == {
        "module.exports.parse": ["text", "options"],
        "module.exports.format": ["value"],
    }
    assert check_signatures("javascript", original, named).outcome is Outcome.PASS
    assert check_signatures("javascript", original, named.replace("(value)", "(value, radix)")).outcome is Outcome.FAIL


def test_prototype_code_rewritten_as_a_class_keeps_its_signatures() -> None:
    original = "function Foo(a, b) {\n  this.a = a;\n}\nFoo.prototype.bar = function (x) {\n  return x + this.a;\n};\n"
    modern = "class Foo {\n  constructor(a, b) {\n    this.a = a;\n  }\n\n  bar(x) {\n    return x + this.a;\n  }\n}\n"
    assert _names("javascript", modern) == {"Foo": ["a", "b"], "Foo.bar": ["x"]}
    assert check_signatures("javascript", original, modern).outcome is Outcome.PASS
    assert (
        check_signatures("javascript", original, modern.replace("constructor(a, b)", "constructor(a)")).outcome
        is Outcome.FAIL
    )


@pytest.mark.parametrize(
    "language, promoted, plain",
    [
        (
            "php",
            "<?php\nclass A {\n  public function __construct(private int $x, protected readonly string $name = 'a') {}\n}\n",
            "<?php\nclass A {\n  private int $x;\n  protected string $name;\n"
            "  public function __construct(int $x, string $name = 'a') { $this->x = $x; $this->name = $name; }\n}\n",
        ),
        (
            "typescript",
            "class A { constructor(private readonly s: string, public t = 1) {} }\n",
            "class A { private readonly s: string; public t: number; constructor(s: string, t = 1) { this.s = s; this.t = t; } }\n",
        ),
    ],
)
def test_promoted_constructor_parameters_are_called_like_plain_ones(language: str, promoted: str, plain: str) -> None:
    assert check_signatures(language, promoted, plain).outcome is Outcome.PASS


def test_a_java_comment_inside_a_parameter_list_is_not_a_changed_signature() -> None:
    # Java's grammar calls comments line_comment and block_comment, not comment.
    from bare_tui.model import Outcome
    from bare_tui.pipeline.signatures import check_signatures

    original = "class A {\n  void f(int a, String b) { }\n}\n"
    commented = "class A {\n  void f(int /* count */ a, // the name\n         String b) { }\n}\n"
    assert check_signatures("java", original, commented, "A.java").outcome is Outcome.PASS
    assert check_signatures("java", original, commented.replace("int /*", "long /*"), "A.java").outcome is Outcome.FAIL


# --- what callers can see ------------------------------------------------------------------------------------

SOUND_REFACTORINGS = [
    # a private helper inlined, a static one renamed, an unexported one reshaped, a nested one extracted
    (
        "java",
        "class A {\n  private int twice(int x) { return 2 * x; }\n  public int f(int y) { return twice(y) + 1; }\n}\n",
        "class A {\n  public int f(int y) { return 2 * y + 1; }\n}\n",
    ),
    (
        "c",
        "static int twice(int x) { return 2 * x; }\nint f(int y) { return twice(y) + 1; }\n",
        "static int doubled(int x, int k) { return k * x; }\nint f(int y) { return doubled(y, 2) + 1; }\n",
    ),
    (
        "go",
        "package p\n\nfunc twice(x int) int { return 2 * x }\n\nfunc F(y int) int { return twice(y) + 1 }\n",
        "package p\n\nfunc F(y int) int { return 2*y + 1 }\n",
    ),
    (
        "python",
        "def f(y):\n    def twice(x):\n        return 2 * x\n    return twice(y) + 1\n\ndef _g(a):\n    return a\n",
        "def f(y):\n    return 2 * y + 1\n\ndef _g(a, b=0):\n    return a + b\n",
    ),
    (
        "csharp",
        "class A {\n  int Twice(int x) { return 2 * x; }\n  public int F(int y) { return Twice(y) + 1; }\n}\n",
        "class A {\n  public int F(int y) { return 2 * y + 1; }\n}\n",
    ),
    (
        "php",
        "<?php\nclass A {\n  private function twice($x) { return 2 * $x; }\n  public function f($y) { return $this->twice($y) + 1; }\n}\n",
        "<?php\nclass A {\n  public function f($y) { return 2 * $y + 1; }\n}\n",
    ),
    (
        "typescript",
        "export class A {\n  private twice(x: number) { return 2 * x; }\n  f(y: number): number { return this.twice(y) + 1; }\n}\n",
        "export class A {\n  f(y: number): number { return 2 * y + 1; }\n}\n",
    ),
    (
        "javascript",
        "function twice(x) { return 2 * x; }\nfunction f(y) { return twice(y) + 1; }\nmodule.exports = { f };\n",
        "function f(y) { return 2 * y + 1; }\nmodule.exports = { f };\n",
    ),
    (
        "cpp",
        "class A {\n  int twice(int x) { return 2 * x; }\n public:\n  int f(int y) { return twice(y) + 1; }\n};\n",
        "class A {\n public:\n  int f(int y) { return 2 * y + 1; }\n};\n",
    ),
    (
        "cpp",
        "namespace {\nint twice(int x) { return 2 * x; }\n}\nint f(int y) { return twice(y) + 1; }\n",
        "int f(int y) { return 2 * y + 1; }\n",
    ),
    # caller-compatible spellings
    (
        "java",
        "class A {\n  public int f(int count, String label) { return count; }\n}\n",
        "class A {\n  public int f(final int n, String name) { return n; }\n}\n",
    ),
    (
        "cpp",
        "#include <string>\nusing namespace std;\nint count(string text) { return text.size(); }\n",
        "#include <string>\nusing namespace std;\nint count(const std::string& text) { return text.size(); }\n",
    ),
    (
        "c",
        "struct node { int v; };\ntypedef struct node node_t;\nint value(struct node *n) { return n->v; }\n",
        "typedef struct node { int v; } node_t;\nint value(node_t *n) { return n->v; }\n",
    ),
    (
        "go",
        "package p\n\nfunc Handle(int, string) error { return nil }\n",
        "package p\n\nfunc Handle(code int, message string) error { return nil }\n",
    ),
    # a return type respelled through the file's own aliases: the same union either way
    (
        "typescript",
        "const C = { a: 1, b: 2 } as const\ntype Color = keyof typeof C\ntype Values<T> = T[keyof T]\n"
        "export const code = (color: Color): Values<typeof C> => C[color]\n",
        "const C = { a: 1, b: 2 } as const;\ntype Color = keyof typeof C;\ntype Value = typeof C[Color];\n"
        "export const code = (color: Color): Value => C[color];\n",
    ),
    (
        "typescript",
        "type Id = string\nexport function find(id: Id): Id | undefined { return id }\n",
        "export function find(id: string): string | undefined { return id }\n",
    ),
    # a C++ member function made const: callers call it the same way
    (
        "cpp",
        '#include "school.h"\nmap<int, vector<string> > school::roster()\n{\n\treturn grades;\n}\n',
        '#include "school.h"\nmap<int, vector<string>> school::roster() const\n{\n    return grades;\n}\n',
    ),
]


@pytest.mark.parametrize(
    ("language", "original", "refactored"),
    SOUND_REFACTORINGS,
    ids=[f"{s[0]}-{i}" for i, s in enumerate(SOUND_REFACTORINGS)],
)
def test_hidden_helpers_may_change_and_caller_compatible_spellings_pass(
    language: str, original: str, refactored: str
) -> None:
    result = check_signatures(language, original, refactored)
    assert result.outcome is Outcome.PASS, [e.message for e in result.evidence]


BREAKING_CHANGES = [
    (
        "java",
        "import java.util.*;\nclass A {\n  public ArrayList<String> names() { return new ArrayList<>(); }\n}\n",
        "import java.util.*;\nclass A {\n  public List<String> names() { return new ArrayList<>(); }\n}\n",
        "ArrayList<String>",
    ),
    (
        "csharp",
        "public class A {\n  public int Count(string text) { return 0; }\n}\n",
        "public class A {\n  public int Count(string value) { return 0; }\n}\n",
        "Count(string text)",
    ),
    (
        "python",
        "def area(width, height):\n    return width * height\n",
        "def area(w, h):\n    return w * h\n",
        "area(width, height)",
    ),
    (
        "go",
        "package p\n\nfunc Parse(s string) int { return 0 }\n",
        "package p\n\nfunc Parse(s string) (int, error) { return 0, nil }\n",
        "Parse",
    ),
    (
        "typescript",
        "export function load(path: string): string { return path; }\n",
        "function load(path: string): string { return path; }\nexport const x = 1;\n",
        "load",
    ),
    # an alias the answer redefines is read as the answer defines it: the return type did change
    (
        "typescript",
        "type Id = string\nexport function find(id: string): Id { return id }\n",
        "type Id = number\nexport function find(id: string): Id { return 0 }\n",
        "find",
    ),
    # const taken away: a caller holding a const object can no longer call it
    (
        "cpp",
        "class A {\n public:\n  int size() const { return 0; }\n};\n",
        "class A {\n public:\n  int size() { return 0; }\n};\n",
        "size",
    ),
]


@pytest.mark.parametrize(
    ("language", "original", "refactored", "named"),
    BREAKING_CHANGES,
    ids=[f"{s[0]}-{i}" for i, s in enumerate(BREAKING_CHANGES)],
)
def test_a_visible_signature_that_changes_fails_naming_it(
    language: str, original: str, refactored: str, named: str
) -> None:
    result = check_signatures(language, original, refactored)
    assert result.outcome is Outcome.FAIL
    assert any(named in e.message for e in result.evidence), [e.message for e in result.evidence]


def test_the_policy_all_compares_private_helpers_too_and_enters_the_pipeline_version() -> None:
    from bare_tui.pipeline.settings import DEFAULT_SETTINGS
    from bare_tui.pipeline.version import pipeline_version

    language, original, refactored = SOUND_REFACTORINGS[0]
    assert check_signatures(language, original, refactored, policy="all").outcome is Outcome.FAIL
    assert check_signatures(language, original, refactored).details["policy"] == "visible"
    assert pipeline_version(DEFAULT_SETTINGS.with_changes(signature_policy="all")) != pipeline_version(DEFAULT_SETTINGS)
