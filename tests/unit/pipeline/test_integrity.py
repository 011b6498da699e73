"""The integrity stage: whole, changed, clean files pass; elided, cut, chatty, diffed or doctored ones fail."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bare_tui.model import Outcome
from bare_tui.pipeline.integrity import check_integrity, integrity_findings
from bare_tui.pipeline.signatures import check_signatures
from tests.unit.pipeline import corpus

CATCH_RATE = 0.97
LANGUAGES = ["c", "cpp", "csharp", "go", "java", "javascript", "php", "python", "typescript"]
INTEGRITY_MUTATIONS = ("elide_body", "cut_last_third", "wrap_markdown", "as_patch", "drop_anonymous_callback")
SOUND_MUTATIONS = ("commented", "rename_private_helper", "rename_parameter", "drop_helper_for_library_call")


@pytest.mark.parametrize("language", LANGUAGES)
def test_integrity_mutations_are_caught_and_comments_pass(language: str) -> None:
    caught: dict[str, list[bool]] = defaultdict(list)
    sound: dict[str, list[bool]] = defaultdict(list)
    for item in corpus.by_language()[language]:
        for case in corpus.cases(item):
            result = check_integrity(language, item.text, case.text, item.path)
            if case.mutation in INTEGRITY_MUTATIONS:
                caught[case.mutation].append(result.outcome is Outcome.FAIL)
            elif case.mutation in SOUND_MUTATIONS:
                sound[case.mutation].append(result.outcome is Outcome.PASS)
            elif case.mutation == "original":
                assert result.outcome is Outcome.FAIL  # identical: nothing was refactored
                assert result.details["findings"] == {"identical": 1}
    for mutation in INTEGRITY_MUTATIONS:
        if mutation == "drop_anonymous_callback" and language not in ("javascript", "typescript"):
            continue
        assert caught[mutation], mutation
        assert sum(caught[mutation]) / len(caught[mutation]) >= CATCH_RATE, (mutation, caught[mutation])
    assert all(sound["commented"]), "a commented copy is whole"
    for mutation, outcomes in sound.items():
        assert sum(outcomes) / len(outcomes) >= CATCH_RATE, (mutation, outcomes)


def _checks(language: str, original: str, refactored: str | None) -> list[str]:
    return [f.check for f in integrity_findings(language, original, refactored)]


PYTHON = '''\
"""Invoices."""


class Invoice:
    """An invoice."""

    def __init__(self, lines):
        self.lines = lines

    def total(self):
        subtotal = 0
        for line in self.lines:
            subtotal += line
        return subtotal

    def describe(self):
        return f"{len(self.lines)} lines, total {self.total()}"


class Credit(Invoice):
    def total(self):
        return -super().total()


def main():
    print(Invoice([1, 2, 3]).describe())


if __name__ == "__main__":
    main()
'''
REFACTORED = PYTHON.replace(
    "        subtotal = 0\n        for line in self.lines:\n            subtotal += line\n        return subtotal\n",
    "        return sum(self.lines)\n",
)


def test_a_real_refactoring_passes() -> None:
    assert check_integrity("python", PYTHON, REFACTORED).outcome is Outcome.PASS


def test_identical_after_line_endings_and_trailing_spaces_fails() -> None:
    doctored = PYTHON.replace("\n", "   \r\n")
    result = check_integrity("python", PYTHON, doctored)
    assert result.outcome is Outcome.FAIL
    assert "identical" in result.evidence[0].message


@pytest.mark.parametrize(
    "placeholder",
    [
        "# ... rest of the code unchanged ...",
        "# existing code here",
        "# ... (unchanged)",
        "# ...",
        "# Rest of the implementation remains the same",
        "# [previous methods omitted for brevity]",
        "# ... existing validation logic ...",
        "# (rest of the class)",
        "# Other methods remain unchanged",
        "# implementation goes here",
        "# same as before",
        "# …",
    ],
)
def test_elision_placeholders_fail_with_their_location(placeholder: str) -> None:
    elided = REFACTORED.replace(
        '        return f"{len(self.lines)} lines, total {self.total()}"\n', f"        {placeholder}\n        pass\n"
    )
    result = check_integrity("python", PYTHON, elided)
    assert result.outcome is Outcome.FAIL
    (evidence,) = [e for e in result.evidence if "elision" in e.message]
    assert (evidence.side, evidence.line, evidence.column) == ("refactored", 14, 9)


@pytest.mark.parametrize("language, marker", [("java", "//"), ("php", "//"), ("go", "//"), ("c", "/*")])
def test_elision_comments_in_other_languages(language: str, marker: str) -> None:
    item = corpus.data_files(language)[0]
    span = max(corpus.functions(item), key=lambda s: s.last_line - s.first_line)
    words = "... existing code ..." if marker == "//" else "rest of the function unchanged"
    comment = f"// {words}" if marker == "//" else f"/* {words} */"
    elided = item.text[: span.body_start] + "{\n" + comment + "\n}" + item.text[span.body_end :]
    assert "elision" in _checks(language, item.text, elided)


@pytest.mark.parametrize(
    "comment",
    [
        "# The rest of the module formats numbers with two decimals; keep this the same for exports.",
        "# Unchanged lines are skipped by the diff view.",
        "# Parse the rest of the file",
        "# x is left unchanged",
        "# The rest of the function is a loop over rows",
        "# Keep the original implementation",
        "# the string is truncated here",
        "# handles a, b, etc...",
        "# no change to the order",
        "# The code here handles retries",
        "# other methods (see below)",
        "# Same as above, but for the second axis",
        "# Returns the original value unchanged if the key is missing.",
        "# if the body is unchanged, skip",
        "# other fields unchanged by this call",
    ],
)
def test_comments_that_only_mention_those_words_are_not_placeholders(comment: str) -> None:
    commented = REFACTORED.replace("    def describe(self):", f"    {comment}\n    def describe(self):")
    assert check_integrity("python", PYTHON, commented).outcome is Outcome.PASS


def test_a_body_replaced_by_ellipsis_fails_but_original_stubs_are_fine() -> None:
    stubbed = REFACTORED.replace('        return f"{len(self.lines)} lines, total {self.total()}"', "        ...")
    assert _checks("python", PYTHON, stubbed) == ["elision"]
    protocol = "from typing import Protocol\n\n\nclass Sized(Protocol):\n    def size(self) -> int: ...\n\n\ndef f(x):\n    return x\n"
    refactored = protocol.replace("return x", "return x + 0")
    assert check_integrity("python", protocol, refactored).outcome is Outcome.PASS


def test_a_dropped_class_fails_with_the_original_location_unless_signatures_reports_it() -> None:
    credit = "class Credit(Invoice):\n    def total(self):\n        return -super().total()\n"
    dropped = REFACTORED.replace(credit, "")
    # Credit.total is callers' interface: the signatures stage reports it, and the class with it; integrity does not
    # say it twice
    assert integrity_findings("python", PYTHON, dropped) == []
    # A class callers call nothing of is integrity's alone: located where the original defined it
    plain = PYTHON.replace(credit, "class Credit(Invoice):\n    sign = -1\n")
    findings = integrity_findings("python", plain, dropped)
    assert [(f.check, f.side, f.line) for f in findings] == [("dropped-type", "original", 20)]


def test_a_dropped_public_function_or_changed_parameter_list_is_left_to_signatures() -> None:
    dropped = REFACTORED.replace(
        '    def describe(self):\n        return f"{len(self.lines)} lines, total {self.total()}"\n', ""
    )
    assert integrity_findings("python", PYTHON, dropped) == []
    changed = REFACTORED.replace("def describe(self):", "def describe(self, verbose=False):")
    assert check_integrity("python", PYTHON, changed).outcome is Outcome.PASS


HELPER = "def _clean(line):\n    return line.strip()\n\n\ndef parse(text):\n    return [_clean(line) for line in text.splitlines()]\n"


def test_a_private_helper_inlined_or_renamed_passes_but_one_dropped_while_still_called_fails() -> None:
    inlined = "def parse(text):\n    return [line.strip() for line in text.splitlines()]\n"
    renamed = HELPER.replace("_clean", "_strip_line")
    assert integrity_findings("python", HELPER, inlined) == []
    assert integrity_findings("python", HELPER, renamed) == []  # not "missing", not "the answer stops early"
    dropped = HELPER.replace("def _clean(line):\n    return line.strip()\n\n\n", "").replace("text)", "text, /)")
    findings = integrity_findings("python", HELPER, dropped)
    assert [(f.check, f.line) for f in findings] == [("dropped-function", 1)]
    assert "still calls _clean" in findings[0].message


def test_a_qualified_call_of_another_function_is_not_a_call_of_the_dropped_helper() -> None:
    original = (
        "#include <string>\n\nnamespace handshake {\n"
        "static std::string reverse(std::string s) {\n  return std::string(s.rbegin(), s.rend());\n}\n\n"
        "std::string commands(std::string s) {\n  return reverse(s);\n}\n}\n"
    )
    library = original.replace(
        "static std::string reverse(std::string s) {\n  return std::string(s.rbegin(), s.rend());\n}\n\n", ""
    ).replace("return reverse(s);", "std::reverse(s.begin(), s.end());\n  return s;")
    assert integrity_findings("cpp", original, library) == []  # std::reverse is the library's, not the helper
    method = library.replace("std::reverse(s.begin(), s.end());", "s = s.reverse();")
    assert integrity_findings("cpp", original, method) == []  # a member call on an object is not the free helper
    still = original.replace(
        "static std::string reverse(std::string s) {\n  return std::string(s.rbegin(), s.rend());\n}\n\n", ""
    )
    findings = integrity_findings("cpp", original, still)
    assert [f.check for f in findings] == ["dropped-function"] and "still calls reverse" in findings[0].message
    # a method called through self or this is the file's own
    python = "class A:\n    def _h(self):\n        return 1\n\n    def f(self):\n        return self._h() + 1\n"
    dropped = python.replace("    def _h(self):\n        return 1\n\n", "")
    assert [f.check for f in integrity_findings("python", python, dropped)] == ["dropped-function"]


TRANSPOSE = """export function transpose(rows: string[]): string[] {
    let out: string[] = Array.from(Array(longest(rows)), () => '');
    for (let row = 0; row < rows.length; row++) {
        out = out.map((c: string, i: number) => c + (rows[row][i] ?? (ahead(row, i, rows) ? ' ' : '')));
    }
    return out;
}

// whether a later row reaches this column
function ahead(row: number, i: number, rows: string[]): boolean {
    while (rows[row + 1]) {
        if (rows[row + 1][i]) {
            return true;
        }
        row++;
    }
    return false;
}

function longest(rows: string[]): number {
    return rows.reduce((most, r) => Math.max(most, r.length), 0);
}
"""


def test_helpers_folded_into_a_loop_are_not_an_answer_that_stops_early() -> None:
    folded = """export function transpose(rows: string[]): string[] {
    const width = rows.reduce((most, r) => Math.max(most, r.length), 0);
    const out: string[] = Array(width).fill('');
    for (let row = 0; row < rows.length; row++) {
        for (let col = 0; col < width; col++) {
            out[col] += rows[row][col] ?? (col < width - 1 ? ' ' : '');
        }
    }
    return out;
}
"""
    assert integrity_findings("typescript", TRANSPOSE, folded) == []
    # the same beginning, but it still calls the helpers it lost: cut short, not folded
    cut = TRANSPOSE[: TRANSPOSE.index("// whether")]
    assert "truncated" in _checks("typescript", TRANSPOSE, cut) or "dropped-function" in _checks(
        "typescript", TRANSPOSE, cut
    )
    # and a tail with a statement besides the helpers is still a cut
    with_statement = TRANSPOSE + "\nconsole.log(transpose(['ab', 'c']));\n"
    assert _checks("typescript", with_statement, folded) != []


def test_a_renamed_last_function_is_not_called_truncation() -> None:
    original = "function a(x) {\n  return x + 1;\n}\n\nfunction b(y) {\n  return a(y) * 2;\n}\n"
    renamed = original.replace("function b(", "function doubled(")
    assert [f.check for f in integrity_findings("javascript", original, renamed)] == []


def test_an_answer_cut_at_a_clean_boundary_fails_on_what_it_lost_not_on_missing_names() -> None:
    original = (
        "function price(items) {\n  let total = 0;\n  for (const item of items) {\n    total += item.price;\n  }\n"
        "  return total;\n}\n\nfunction format(amount) {\n  return amount.toFixed(2);\n}\n\n"
        "function describe(items) {\n  return items.length + ' items: ' + format(price(items));\n}\n\n"
        "module.exports = { price, format, describe };\n"
    )
    # rewritten, and it stops after the first function: what is there parses
    answer = "function price(items) {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}\n"
    # A rewritten answer that stops after its first function parses: missing functions alone cannot tell a cut
    # from a rename (signatures reports format and describe), but the top-level export it lost is integrity's.
    findings = integrity_findings("javascript", original, answer)
    assert [f.check for f in findings] == ["dropped-statement"]
    assert "module.exports" in findings[0].message and findings[0].line == 17


def test_truncation_is_found_three_ways() -> None:
    # the tail cut off between statements
    assert "truncated" in _checks("python", PYTHON, REFACTORED[: REFACTORED.index("def main")])
    # mid-statement
    assert "truncated" in _checks("python", PYTHON, REFACTORED[: REFACTORED.index("lines, total") + 5])
    # unbalanced at the end of a brace language
    java = corpus.data_files("java")[0].text
    cut = java[: java.rindex("}")]
    findings = integrity_findings("java", java, cut)
    assert [f.check for f in findings] == ["truncated"]
    assert "missing '}'" in findings[0].message


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u2060", "\ufeff"])
def test_hidden_characters_introduced_fail_at_their_position(char: str) -> None:
    doctored = REFACTORED.replace("return sum(self.lines)", f"return sum(self.{char}lines)")
    result = check_integrity("python", PYTHON, doctored)
    assert result.outcome is Outcome.FAIL
    (evidence,) = result.evidence
    line = doctored.split("\n")[10]
    assert (evidence.line, evidence.column) == (11, line.index(char) + 1)
    assert f"U+{ord(char):04X}" in evidence.message


def test_hidden_characters_the_original_has_and_a_leading_bom_are_fine() -> None:
    original = PYTHON.replace('"""Invoices."""', '"""Invoices \u200b."""')
    assert (
        check_integrity(
            "python", original, "\ufeff" + REFACTORED.replace('"""Invoices."""', '"""Invoices \u200b."""')
        ).outcome
        is Outcome.PASS
    )


@pytest.mark.parametrize(
    "line",
    [
        "Here is the refactored code:",
        "```python",
        "```",
        "I have refactored the class to use sum().",
        "Explanation:",
        "@@ -1,5 +1,4 @@",
        "--- a/invoice.py",
    ],
)
def test_prose_fences_and_diff_headers_fail(line: str) -> None:
    chatty = REFACTORED + "\n" + line + "\n"
    result = check_integrity("python", PYTHON, chatty)
    assert result.outcome is Outcome.FAIL
    assert any(e.line == REFACTORED.count("\n") + 2 for e in result.evidence), result.evidence


@pytest.mark.parametrize(
    "comment",
    [
        "// No code provided to optimize.",
        "// No implementation was provided to refactor; please include it.",
        "/* Nothing to refactor here. */",
        "// The original code is already optimal.",
    ],
)
def test_a_note_to_the_user_added_in_a_comment_is_chat(comment: str) -> None:
    original = '#include "bob.h"\n\n'
    result = check_integrity("cpp", original, f'#include "bob.h"\n\n{comment}\n')
    assert result.outcome is Outcome.FAIL
    (evidence,) = result.evidence
    assert evidence.line == 3 and "note to the user" in evidence.message


def test_comments_about_the_code_and_chat_the_original_has_are_fine() -> None:
    original = '#include "bob.h"\n// No code provided to optimize.\nint f() { return 1; }\n'
    kept = '#include "bob.h"\n// No code provided to optimize.\nint f() { return 2; }\n'
    assert check_integrity("cpp", original, kept).outcome is Outcome.PASS
    about_code = '#include "bob.h"\n// No allocation needed: the table is static.\nint f() { return 2; }\n'
    assert check_integrity("cpp", original.replace("// No code provided to optimize.\n", ""), about_code).outcome is (
        Outcome.PASS
    )


def test_markdown_the_original_has_in_a_docstring_is_fine() -> None:
    original = PYTHON.replace(
        '"""An invoice."""', '"""An invoice.\n\n    ```python\n    Invoice([1]).total()\n    ```\n    """'
    )
    refactored = REFACTORED.replace(
        '"""An invoice."""', '"""An invoice.\n\n    ```python\n    Invoice([1]).total()\n    ```\n    """'
    )
    assert check_integrity("python", original, refactored).outcome is Outcome.PASS


def test_php_answer_without_an_opening_tag_fails() -> None:
    item = corpus.data_files("php")[0]
    assert "prose" in _checks("php", item.text, item.text.replace("<?php", "", 1))


def test_no_code_and_empty_answers_fail() -> None:
    assert _checks("python", PYTHON, None) == ["empty"]
    assert _checks("python", PYTHON, "\n\n") == ["empty"]


# --- the demo study's reviewers as a reference ---------------------------------------------------------------


def test_stages_agree_with_the_demo_reviewers() -> None:
    """Where the demo's reviewers agree on a stage of an attempt given as a file, the stage says the same."""
    import json
    from pathlib import Path

    from bare_tui.pipeline.signatures import check_signatures
    from bare_tui.pipeline.syntax import check_syntax

    demo = Path(__file__).resolve().parents[3] / "sessions" / "demo"
    if not (demo / "attempts.jsonl").exists():
        pytest.skip("no demo study")
    tasks = {t["task_id"]: t for t in map(json.loads, (demo / "tasks.jsonl").read_text().splitlines())}
    latest: dict[tuple[str, str, str], str] = {}
    for row in map(json.loads, (demo / "judgements.jsonl").read_text().splitlines()):
        latest[(row["attempt_id"], row["stage"], row["reviewer"])] = row["label"]  # rows are in time order
    checks = {"syntax": check_syntax, "signatures": check_signatures, "integrity": check_integrity}
    compared = agreed = 0
    for attempt in map(json.loads, (demo / "attempts.jsonl").read_text().splitlines()):
        if attempt.get("refactored") is None:
            continue  # extracting code from a reply or applying a patch is the importer's job
        task = tasks[attempt["task_id"]]
        for stage, check in checks.items():
            labels = {label for (a, s, _), label in latest.items() if a == attempt["attempt_id"] and s == stage}
            if len(labels) != 1 or labels == {"unsure"}:
                continue
            outcome = check(task["language"], task["original"], attempt["refactored"], task["path"]).outcome
            compared += 1
            agreed += outcome.value == labels.pop()
    assert compared >= 40
    assert agreed / compared >= 0.95, (agreed, compared)


ROUTES = """const express = require('express');
const app = express();

app.get('/users', function (req, res) {
  res.json(users.list());
});

app.post('/users', function (req, res) {
  users.add(req.body);
  res.status(201).end();
});

app.listen(3000);
"""


def test_a_dropped_route_handler_or_top_level_statement_fails_naming_it() -> None:
    without_handler = ROUTES.replace(
        "app.post('/users', function (req, res) {\n  users.add(req.body);\n  res.status(201).end();\n});\n", ""
    )
    findings = integrity_findings("javascript", ROUTES, without_handler)
    assert [(f.check, f.line) for f in findings] == [("dropped-callback", 8)]
    assert "app.post('/users'" in findings[0].message
    without_listen = ROUTES.replace("app.listen(3000);\n", "")
    assert [f.check for f in integrity_findings("javascript", ROUTES, without_listen)] == ["dropped-statement"]


def test_a_handler_made_a_named_function_or_arrow_passes() -> None:
    named = ROUTES.replace(
        "app.get('/users', function (req, res) {\n  res.json(users.list());\n});",
        "function listUsers(req, res) {\n  res.json(users.list());\n}\n\napp.get('/users', listUsers);",
    )
    arrow = ROUTES.replace("function (req, res)", "(req, res) =>").replace("app.listen(3000);", "app.listen(8080);")
    assert integrity_findings("javascript", ROUTES, named) == []
    assert integrity_findings("javascript", ROUTES, arrow) == []


PERIOD_ENUM = """
enum Period {
  Earth = 1.0,
  Mars = 1.8808158,
}

export function onPlanet(seconds: number, planet: keyof typeof Period): number {
  return seconds / 31557600 / Period[planet];
}
"""
PERIOD_CONST = """
const Period = {
  Earth: 1.0,
  Mars: 1.8808158,
} as const;

export function onPlanet(seconds: number, planet: keyof typeof Period): number {
  return seconds / 31557600 / Period[planet];
}
"""


def test_an_unexported_enum_made_a_const_object_is_no_type_lost_but_an_exported_one_is() -> None:
    # The mutation on every TypeScript module of the corpus: the file with an enum only it uses, then the enum made a
    # const object (sound: no other file can name the enum, and the file reads the object as it read the enum, under
    # the same name or another); exported, importers that wrote `Period` as a type lose it; still named by the answer
    # (in a type annotation) while nothing defines it, the file is broken.
    for item in corpus.by_language()["typescript"]:
        original = item.text + PERIOD_ENUM
        assert check_integrity("typescript", original, item.text + PERIOD_CONST, item.path).outcome is Outcome.PASS
        exported = item.text + PERIOD_ENUM.replace("enum Period", "export enum Period")
        result = check_integrity("typescript", exported, item.text + PERIOD_CONST, item.path)
        assert result.outcome is Outcome.FAIL
        assert "type Period of the original is missing" in [e.message for e in result.evidence]
        listed = original + "export { Period };\n"
        assert (
            check_integrity("typescript", listed, item.text + PERIOD_CONST + "export { Period };\n", item.path).outcome
            is Outcome.FAIL
        )
        renamed = item.text + PERIOD_CONST.replace("Period", "ORBITAL_PERIODS")
        assert check_integrity("typescript", original, renamed, item.path).outcome is Outcome.PASS
        named = renamed.replace("keyof typeof ORBITAL_PERIODS", "Period")
        assert check_integrity("typescript", original, named, item.path).outcome is Outcome.FAIL


# A type callers of the file cannot name, replaced (reshaped, not lost): (language, original, answer without the type,
# the original with the type made visible to callers). The answer passes; made visible, the type is lost.
UNNAMEABLE_TYPES = [
    (
        "java",
        "Colour",
        "class Resistor {\n  private enum Colour { BLACK, BROWN }\n\n"
        "  int value(String name) {\n    return Colour.valueOf(name).ordinal();\n  }\n}\n",
        'class Resistor {\n  private static final java.util.List<String> NAMES = java.util.List.of("BLACK", "BROWN");\n\n'
        "  int value(String name) {\n    return NAMES.indexOf(name);\n  }\n}\n",
        ("private enum", "public enum"),
    ),
    (
        "java",  # nested in a private type: no caller can reach it either
        "Mark",
        "class Board {\n  private static class Cell {\n    enum Mark { X, O }\n  }\n\n"
        "  int size() {\n    return Cell.Mark.values().length;\n  }\n}\n",
        "class Board {\n  int size() {\n    return 2;\n  }\n}\n",
        ("private static class", "static class"),
    ),
    (
        "java",  # a local class, declared in a method's body
        "Box",
        "class Tally {\n  int count(int[] xs) {\n    class Box { int n; }\n    Box b = new Box();\n"
        "    for (int x : xs) b.n += x;\n    return b.n;\n  }\n}\n",
        "class Tally {\n  int count(int[] xs) {\n    int n = 0;\n    for (int x : xs) n += x;\n    return n;\n  }\n}\n",
        None,
    ),
    (
        "csharp",  # a nested type without an access modifier is private
        "Cell",
        "public class Board\n{\n    class Cell { public int N; }\n\n"
        "    public int Size() { var c = new Cell(); return c.N; }\n}\n",
        "public class Board\n{\n    public int Size() { return 0; }\n}\n",
        ("    class Cell", "    public class Cell"),
    ),
    (
        "go",  # a struct declared inside a function
        "state",
        "package bucket\n\nfunc Solve(n int) int {\n\ttype state struct{ a, b int }\n"
        "\ts := state{n, 0}\n\treturn s.a + s.b\n}\n",
        "package bucket\n\nfunc Solve(n int) int {\n\ta, b := n, 0\n\treturn a + b\n}\n",
        None,
    ),
    (
        "go",  # unexported: other packages cannot name it
        "state",
        "package bucket\n\ntype state struct{ a, b int }\n\nfunc Solve(n int) int {\n"
        "\ts := state{n, 0}\n\treturn s.a + s.b\n}\n",
        "package bucket\n\nfunc Solve(n int) int {\n\ta, b := n, 0\n\treturn a + b\n}\n",
        ("state", "State"),
    ),
    (
        "python",
        "State",
        "def solve(n):\n    class State:\n        pass\n    s = State()\n    s.n = n\n    return s.n\n",
        "def solve(n):\n    return n\n",
        None,
    ),
    (
        "python",
        "_Pair",
        # a class with nothing callers call (a visible constructor would be the signatures stage's to report)
        "class _Pair:\n    a = 0\n    b = 0\n\n\ndef total(a, b):\n    pair = _Pair()\n    pair.a, pair.b = a, b\n"
        "    return sum(vars(pair).values())\n",
        "def total(a, b):\n    return a + b\n",
        ("_Pair", "Pair"),
    ),
    (
        "typescript",
        "Rect",
        "export function area(w: number, h: number): number {\n  class Rect {\n"
        "    constructor(public w: number, public h: number) {}\n  }\n  const r = new Rect(w, h);\n  return r.w * r.h;\n}\n",
        "export function area(w: number, h: number): number {\n  return w * h;\n}\n",
        None,
    ),
]


@pytest.mark.parametrize(("language", "name", "original", "answer", "visible"), UNNAMEABLE_TYPES)
def test_a_type_callers_cannot_name_may_be_replaced_while_a_visible_one_may_not(
    language: str, name: str, original: str, answer: str, visible: tuple[str, str] | None
) -> None:
    # A private, unexported, nested-private or function-local type is the file's own: reshaping it into arrays, a map
    # or plain variables is refactoring, as inlining a private helper is.
    assert integrity_findings(language, original, answer) == []
    # Still named by the answer (here in a trailing line), it is missing: the answer refers to what it dropped.
    marker = "#" if language == "python" else "//"
    named = answer + f"{marker} uses {name}\n"
    assert "dropped-type" in _checks(language, original, named)
    if visible is not None:
        # Callers of the file could name it: gone is lost, whatever the answer says.
        shown = original.replace(*visible)
        assert "dropped-type" in _checks(language, shown, answer.replace(*visible))


def test_a_type_lost_with_the_visible_code_signatures_reports_is_not_charged_again() -> None:
    # The enum went with the public method that alone used it; the class went with its constructor: signatures reports
    # those, and integrity reports dropped code beyond them.
    original = (
        "public class Checker {\n    enum Letter { A, B }\n\n    public boolean first(String s) {\n"
        "        return Letter.valueOf(s) == Letter.A;\n    }\n\n    public boolean second(String s) {\n"
        '        return s.equals("A");\n    }\n}\n'
    )
    answer = 'public class Checker {\n    public boolean second(String s) {\n        return "A".equals(s);\n    }\n}\n'
    assert integrity_findings("java", original, answer, "Checker.java") == []
    shared = original.replace('return s.equals("A");', "return Letter.valueOf(s) != null;")
    assert [f.check for f in integrity_findings("java", shared, answer, "Checker.java")] == ["dropped-type"]
    kept = answer.replace(
        "    public boolean second",
        "    public boolean first(String s) {\n        return true;\n    }\n\n    public boolean second",
    )
    assert [f.check for f in integrity_findings("java", original, kept, "Checker.java")] == ["dropped-type"]
    python = "class Cache:\n    def __init__(self):\n        self.head = Node()\n\n\nclass Node:\n    def __init__(self, key=None):\n        self.key = key\n"
    assert (
        integrity_findings("python", python, "class Cache:\n    def __init__(self):\n        self.head = {}\n", "c.py")
        == []
    )
    plain = python.replace("    def __init__(self, key=None):\n        self.key = key\n", "    key = None\n")
    assert [
        f.check
        for f in integrity_findings(
            "python", plain, "class Cache:\n    def __init__(self):\n        self.head = {}\n", "c.py"
        )
    ] == ["dropped-type"]


def test_a_private_class_nested_in_a_header_class_may_be_replaced_but_a_public_one_may_not() -> None:
    # A header's types are seen by every file that includes it, except a class nested under a class's private access.
    original = (
        "#include <vector>\nclass Stack {\n  struct Cell {\n    int value;\n  };\n  std::vector<Cell> cells;\n"
        " public:\n  int top() const;\n};\n"
    )
    answer = "#include <vector>\nclass Stack {\n  std::vector<int> values;\n public:\n  int top() const;\n};\n"
    assert integrity_findings("cpp", original, answer, "stack.h") == []
    public = original.replace("  struct Cell {", " public:\n  struct Cell {")
    assert [f.check for f in integrity_findings("cpp", public, answer, "stack.h")] == ["dropped-type"]


def test_a_private_type_the_answer_still_uses_is_missing() -> None:
    original, answer = UNNAMEABLE_TYPES[0][2], UNNAMEABLE_TYPES[0][3]
    broken = answer.replace("return NAMES.indexOf(name);", "return Colour.valueOf(name).ordinal();")
    findings = integrity_findings("java", original, broken)
    assert [(f.check, f.line, f.message) for f in findings] == [
        ("dropped-type", 2, "type Colour of the original is missing")
    ]


# Imports: (language, path, original, the answer dropping an import it still uses, the import's name, a sound answer
# that reorders, merges, splits, re-quotes or drops an import nothing uses any more).
IMPORT_CASES = [
    (
        "python",
        "paths.py",
        "import os\nimport sys\n\n\ndef where(name):\n    return os.path.join(sys.prefix, name)\n",
        "import sys\n\n\ndef where(name: str) -> str:\n    return os.path.join(sys.prefix, name)\n",
        "os",
        "import os, sys\n\n\ndef where(name: str) -> str:\n    return os.path.join(sys.prefix, name)\n",
    ),
    (
        "javascript",
        "where.js",
        'const path = require("path");\nconst fs = require("fs");\n\nfunction where(name) {\n'
        '  return fs.existsSync(path.join("/data", name));\n}\n\nmodule.exports = { where };\n',
        'const fs = require("fs");\n\nfunction where(name) {\n  const file = path.join("/data", name);\n'
        "  return fs.existsSync(file);\n}\n\nmodule.exports = { where };\n",
        "path",
        'const { existsSync } = require("fs");\nconst { join } = require("path");\n\nfunction where(name) {\n'
        '  return existsSync(join("/data", name));\n}\n\nmodule.exports = { where };\n',
    ),
    (
        "typescript",
        "where.ts",
        'import { join } from "path";\nimport { existsSync } from "fs";\n\nexport function where(name: string): '
        'boolean {\n  return existsSync(join("/data", name));\n}\n',
        'import { existsSync } from "fs";\n\nexport function where(name: string): boolean {\n'
        '  const file = join("/data", name);\n  return existsSync(file);\n}\n',
        "join",
        "import { existsSync } from 'fs';\nimport { join, sep } from 'path';\n\nexport function where(name: string): "
        "boolean {\n  return existsSync(join(sep + 'data', name));\n}\n",
    ),
    (
        "java",
        "Basket.java",
        "import java.util.ArrayList;\nimport java.util.List;\n\npublic class Basket {\n"
        "    public List<String> items() {\n        List<String> found = new ArrayList<>();\n"
        '        found.add("apple");\n        return found;\n    }\n}\n',
        "import java.util.List;\n\npublic class Basket {\n    public List<String> items() {\n"
        '        List<String> found = new ArrayList<>(List.of("apple"));\n        return found;\n    }\n}\n',
        "ArrayList",
        "import java.util.*;\n\npublic class Basket {\n    public List<String> items() {\n"
        '        return new ArrayList<>(List.of("apple"));\n    }\n}\n',
    ),
    (
        "csharp",
        "Basket.cs",
        "using System.Text;\nusing Col = System.Collections.Generic;\n\npublic class Basket\n{\n"
        "    public Col.List<string> Items()\n    {\n        var found = new Col.List<string>();\n"
        '        found.Add(new StringBuilder("apple").ToString());\n        return found;\n    }\n}\n',
        "using System.Text;\n\npublic class Basket\n{\n    public Col.List<string> Items()\n    {\n"
        '        return new Col.List<string> { new StringBuilder("apple").ToString() };\n    }\n}\n',
        "Col",
        "using Col = System.Collections.Generic;\n\npublic class Basket\n{\n    public Col.List<string> Items()\n"
        '    {\n        return new Col.List<string> { "apple" };\n    }\n}\n',
    ),
    (
        "go",
        "shout.go",
        'package shout\n\nimport "fmt"\nimport "strings"\n\n// Shout upper-cases a greeting.\n'
        'func Shout(name string) string {\n\tgreeting := fmt.Sprintf("hello, %s", name)\n'
        "\treturn strings.ToUpper(greeting)\n}\n",
        'package shout\n\nimport "fmt"\n\n// Shout upper-cases a greeting.\nfunc Shout(name string) string {\n'
        '\treturn strings.ToUpper(fmt.Sprintf("hello, %s", name))\n}\n',
        "strings",
        'package shout\n\nimport (\n\t"strings"\n)\n\n// Shout upper-cases a greeting.\n'
        'func Shout(name string) string {\n\treturn strings.ToUpper("hello, " + name)\n}\n',
    ),
    (
        "php",
        "Shop.php",
        "<?php\n\nnamespace App;\n\nuse App\\Models\\User;\nuse App\\Models\\Order;\n\nclass Shop\n{\n"
        "    public function open(): Order\n    {\n        $user = new User();\n        return new Order($user);\n"
        "    }\n}\n",
        "<?php\n\nnamespace App;\n\nuse App\\Models\\Order;\n\nclass Shop\n{\n    public function open(): Order\n"
        "    {\n        return new Order(new User());\n    }\n}\n",
        "User",
        "<?php\n\nnamespace App;\n\nuse App\\Models\\{Order, User};\n\nclass Shop\n{\n"
        "    public function open(): Order\n    {\n        return new Order(new User());\n    }\n}\n",
    ),
    (
        "c",
        "two_fer.c",
        '#include <stdio.h>\n#include "two_fer.h"\n\nvoid two_fer(char *buffer, const char *name)\n{\n'
        '    if (name == NULL)\n        name = "you";\n    sprintf(buffer, "One for %s, one for me.", name);\n}\n',
        "#include <stdio.h>\n\nvoid two_fer(char *buffer, const char *name)\n{\n"
        '    sprintf(buffer, "One for %s, one for me.", name ? name : "you");\n}\n',
        "two_fer.h",
        '#include "two_fer.h"\n#include "stdio.h"\n\nvoid two_fer(char *buffer, const char *name)\n{\n'
        '    sprintf(buffer, "One for %s, one for me.", name ? name : "you");\n}\n',
    ),
    (
        "cpp",
        "grid.cpp",
        '#include "grid.h"\n#include <vector>\nusing std::vector;\n\nnamespace grid {\n'
        "vector<int> row(int n)\n{\n    vector<int> cells;\n    for (int i = 0; i < n; ++i)\n"
        "        cells.push_back(i);\n    return cells;\n}\n}\n",
        '#include "grid.h"\n#include <vector>\n\nnamespace grid {\nvector<int> row(int n)\n{\n'
        "    vector<int> cells(n);\n    for (int i = 0; i < n; ++i)\n        cells[i] = i;\n    return cells;\n}\n}\n",
        "vector",
        '#include "grid.h"\n#include <numeric>\n#include <vector>\nusing namespace std;\n\nnamespace grid {\n'
        "vector<int> row(int n)\n{\n    vector<int> cells(n);\n    iota(cells.begin(), cells.end(), 0);\n"
        "    return cells;\n}\n}\n",
    ),
]


# TSX has a grammar of its own: the TypeScript case again, read by it.
IMPORT_CASES.append(("typescript", "where.tsx", *IMPORT_CASES[2][2:]))


@pytest.mark.parametrize(("language", "path", "original", "dropped", "name", "sound"), IMPORT_CASES)
def test_a_dropped_import_the_answer_still_uses_fails_naming_it_while_reshaped_imports_pass(
    language: str, path: str, original: str, dropped: str, name: str, sound: str
) -> None:
    findings = integrity_findings(language, original, dropped, path)
    assert [f.check for f in findings] == ["dropped-import"], findings
    assert findings[0].side == "original" and name in findings[0].message
    assert integrity_findings(language, original, sound, path) == []


def test_an_import_no_longer_used_may_go_but_one_made_for_its_effect_may_not() -> None:
    # Removing an import the answer no longer needs (or the original never used) is a cleanup; a module imported only
    # for what importing it does has no use to read, so it is missing when no import of the answer names it.
    original = 'import "./polyfills.js";\nimport { readFile } from "fs";\nimport { join } from "path";\n\n'
    original += "export function load(name) {\n  return readFile(name);\n}\n"
    unused_gone = 'import "./polyfills.js";\nimport { readFile } from "fs";\n\n'
    unused_gone += "export function load(name) {\n  return readFile(name, 'utf8');\n}\n"
    assert integrity_findings("javascript", original, unused_gone) == []
    requoted = unused_gone.replace('"./polyfills.js"', "'./polyfills.js'")
    assert integrity_findings("javascript", original, requoted) == []
    effect_gone = unused_gone.replace('import "./polyfills.js";\n', "")
    findings = integrity_findings("javascript", original, effect_gone)
    assert [(f.check, f.line) for f in findings] == [("dropped-import", 1)]
    assert "./polyfills.js" in findings[0].message


def test_an_import_whose_name_the_answer_defines_itself_or_uses_only_qualified_is_not_missing() -> None:
    original = "from math import gcd\n\n\ndef lcm(a, b):\n    return a * b // gcd(a, b)\n"
    own = "def gcd(a, b):\n    while b:\n        a, b = b, a % b\n    return a\n\n\ndef lcm(a, b):\n"
    own += "    return a * b // gcd(a, b)\n"
    assert integrity_findings("python", original, own) == []
    qualified = "import math\n\n\ndef lcm(a, b):\n    return a * b // math.gcd(a, b)\n"
    assert integrity_findings("python", original, qualified) == []
    in_a_string = "def lcm(a, b):\n    # gcd(a, b) divides both\n    return abs(a * b) // _g(a, b)\n\n\n"
    in_a_string += "def _g(a, b):\n    return a if not b else _g(b, a % b)\n"
    assert integrity_findings("python", original, in_a_string) == []


# Constants: (language, path, original, the answer without one other files can name, its name, an answer that inlines
# or removes one only the file can name). A constant's name still written anywhere in the answer's code keeps it.
CONSTANT_CASES = [
    (
        "python",
        "retry.py",
        "MAX_RETRIES = 3\n\n\ndef attempts(log):\n    return [f'try {i}' for i in range(MAX_RETRIES)]\n",
        "def attempts(log):\n    return [f'try {i}' for i in range(3)]\n",
        "MAX_RETRIES",
        "MAX_RETRIES = 3\n\n\ndef attempts(log):\n    return [f'try {n + 1}' for n in range(MAX_RETRIES)]\n",
    ),
    (
        "javascript",
        "limits.js",
        "export const LIMIT = 10;\nconst PAGE = 5;\n\nexport function pages(items) {\n"
        "  return Math.ceil(Math.min(items.length, LIMIT) / PAGE);\n}\n",
        "export function pages(items) {\n  return Math.ceil(Math.min(items.length, 10) / 5);\n}\n",
        "LIMIT",
        "export const LIMIT = 10;\n\nexport function pages(items) {\n  const shown = Math.min(items.length, LIMIT);\n"
        "  return Math.ceil(shown / 5);\n}\n",
    ),
    (
        "typescript",
        "limits.ts",
        "export const LIMIT = 10;\nconst PAGE = 5;\n\nexport function pages(items: string[]): number {\n"
        "  return Math.ceil(Math.min(items.length, LIMIT) / PAGE);\n}\n",
        "export function pages(items: string[]): number {\n  return Math.ceil(Math.min(items.length, 10) / 5);\n}\n",
        "LIMIT",
        "export const LIMIT = 10;\n\nexport function pages(items: string[]): number {\n"
        "  const shown = Math.min(items.length, LIMIT);\n  return Math.ceil(shown / 5);\n}\n",
    ),
    (
        "java",
        "Bottles.java",
        "public class Bottles {\n    public static final int LIMIT = 99;\n"
        '    private static final String WALL = " on the wall";\n\n    public String verse(int n) {\n'
        '        return Math.min(n, LIMIT) + " bottles" + WALL;\n    }\n}\n',
        'public class Bottles {\n    public String verse(int n) {\n        return Math.min(n, 99) + " bottles on the wall";'
        "\n    }\n}\n",
        "LIMIT",
        "public class Bottles {\n    public static final int LIMIT = 99;\n\n    public String verse(int n) {\n"
        '        return String.format("%d bottles on the wall", Math.min(n, LIMIT));\n    }\n}\n',
    ),
    (
        "csharp",
        "Bottles.cs",
        'public class Bottles\n{\n    public const int Limit = 99;\n    const string Wall = " on the wall";\n\n'
        '    public string Verse(int n)\n    {\n        return Math.Min(n, Limit) + " bottles" + Wall;\n    }\n}\n',
        "public class Bottles\n{\n    public string Verse(int n)\n    {\n"
        '        return Math.Min(n, 99) + " bottles on the wall";\n    }\n}\n',
        "Limit",
        "public class Bottles\n{\n    public const int Limit = 99;\n\n    public string Verse(int n)\n    {\n"
        '        return $"{Math.Min(n, Limit)} bottles on the wall";\n    }\n}\n',
    ),
    (
        "go",
        "cars.go",
        "package cars\n\n// Limit is the most cars an hour.\nconst Limit = 221\n\nconst successRate = 0.9\n\n"
        "// Produced is how many good cars an hour at a speed.\nfunc Produced(speed int) float64 {\n"
        "\treturn float64(speed*Limit) * successRate\n}\n",
        "package cars\n\n// Produced is how many good cars an hour at a speed.\nfunc Produced(speed int) float64 {\n"
        "\treturn float64(speed*221) * 0.9\n}\n",
        "Limit",
        "package cars\n\n// Limit is the most cars an hour.\nconst Limit = 221\n\n"
        "// Produced is how many good cars an hour at a speed.\nfunc Produced(speed int) float64 {\n"
        "\treturn 0.9 * float64(speed*Limit)\n}\n",
    ),
    (
        "php",
        "Bottles.php",
        "<?php\n\nconst LIMIT = 99;\n\nclass Bottles\n{\n    private const WALL = ' on the wall';\n\n"
        "    public function verse(int $n): string\n    {\n        return min($n, LIMIT) . ' bottles' . self::WALL;\n"
        "    }\n}\n",
        "<?php\n\nclass Bottles\n{\n    public function verse(int $n): string\n    {\n"
        "        return min($n, 99) . ' bottles on the wall';\n    }\n}\n",
        "LIMIT",
        "<?php\n\nconst LIMIT = 99;\n\nclass Bottles\n{\n    public function verse(int $n): string\n    {\n"
        '        return sprintf("%d bottles on the wall", min($n, LIMIT));\n    }\n}\n',
    ),
    (
        "c",
        "buffer.h",
        "#ifndef BUFFER_H\n#define BUFFER_H\n\n#define BUFFER_CAPACITY 64\nstatic const int GROWTH = 2;\n\n"
        "int grow(int size);\n\n#endif\n",
        "#ifndef BUFFER_H\n#define BUFFER_H\n\nint grow(int size);\n\n#endif\n",
        "BUFFER_CAPACITY",
        "#ifndef BUFFER_H\n#define BUFFER_H\n\n#define BUFFER_CAPACITY 64\n\nint grow(int size); /* doubles */\n\n"
        "#endif\n",
    ),
    (
        "cpp",
        "grains.hpp",
        "#pragma once\n\nnamespace grains {\nconstexpr int squares = 64;\n\n"
        "unsigned long long square(int n);\nunsigned long long total();\n}\n",
        "#pragma once\n\nnamespace grains {\nunsigned long long square(int n);\nunsigned long long total();\n}\n",
        "squares",
        "#pragma once\n\nnamespace grains {\ninline constexpr int squares = 64;\n\n"
        "unsigned long long square(int n);\nunsigned long long total();\n}\n",
    ),
]


@pytest.mark.parametrize(("language", "path", "original", "dropped", "name", "sound"), CONSTANT_CASES)
def test_a_constant_other_files_can_name_that_the_answer_drops_fails_naming_it(
    language: str, path: str, original: str, dropped: str, name: str, sound: str
) -> None:
    findings = integrity_findings(language, original, dropped, path)
    # Python's module constants are top-level assignments, which the dropped-statement check reports already.
    expected = "dropped-statement" if language == "python" else "dropped-constant"
    assert [f.check for f in findings] == [expected], findings
    assert findings[0].side == "original" and name in findings[0].message
    assert integrity_findings(language, original, sound, path) == []


def test_a_constant_only_its_file_can_name_may_be_inlined() -> None:
    # Private, unexported, or in a C source file: the file's own, like a helper. On the real corpus's labels the
    # reviewers passed every such constant inlined or replaced (21 answers), so only a visible one is charged.
    for language, path, original, dropped in (
        (
            "java",
            "Twofer.java",
            'class Twofer {\n    private static final String DEFAULT = "you";\n\n    String twofer(String name) {\n'
            '        return "One for " + (name == null ? DEFAULT : name) + ", one for me.";\n    }\n}\n',
            'class Twofer {\n    String twofer(String name) {\n        return "One for " + (name == null ? "you" : name)'
            ' + ", one for me.";\n    }\n}\n',
        ),
        (
            "go",
            "cars.go",
            "package cars\n\nconst successRate = 0.9\n\n// Rate is the good share.\nfunc Rate() float64 {\n"
            "\treturn successRate\n}\n",
            "package cars\n\n// Rate is the good share.\nfunc Rate() float64 {\n\treturn 0.9\n}\n",
        ),
        (
            "c",
            "stack.c",
            "#define MAXSTACK 64\n\nint depth(int n)\n{\n    return n < MAXSTACK ? n : MAXSTACK;\n}\n",
            "int depth(int n)\n{\n    return n < 64 ? n : 64;\n}\n",
        ),
        (
            "typescript",
            "colors.ts",
            "const COLORS = ['black', 'brown', 'red'];\n\nexport function code(color: string): number {\n"
            "  return COLORS.indexOf(color);\n}\n",
            "export function code(color: string): number {\n  return ['black', 'brown', 'red'].indexOf(color);\n}\n",
        ),
    ):
        assert integrity_findings(language, original, dropped, path) == [], language


def test_a_constant_in_a_dropped_type_is_not_charged_again() -> None:
    # The class went with its implicit public constructor, which the signatures stage reports (integrity rules 8):
    # neither the class nor the constant in it is charged again here.
    original = "public class Config {\n    public static final int LIMIT = 10;\n}\n\n"
    original += "class Use {\n    int limit() {\n        return Config.LIMIT;\n    }\n}\n"
    answer = "class Use {\n    int limit() {\n        return 10;\n    }\n}\n"
    assert integrity_findings("java", original, answer, "Use.java") == []
    assert check_signatures("java", original, answer, "Use.java").outcome is Outcome.FAIL
    kept = "public class Config {\n}\n\n" + answer
    findings = integrity_findings("java", original, kept, "Use.java")
    assert [(f.check, f.line) for f in findings] == [("dropped-constant", 2)]


def test_a_using_declaration_replaced_by_qualified_names_passes_whatever_the_includes_spell() -> None:
    # `#include <vector>` writes `vector` but uses nothing: a system header is read as a whole import, not as code.
    original = '#include "sieve.h"\n#include <vector>\nusing std::vector;\n\nnamespace sieve {\n'
    original += (
        "vector<int> primes(int n)\n{\n    vector<int> found;\n    found.push_back(n);\n    return found;\n}\n}\n"
    )
    qualified = '#include "sieve.h"\n#include <vector>\n\nnamespace sieve {\n'
    qualified += "std::vector<int> primes(int n)\n{\n    return {n};\n}\n}\n"
    assert integrity_findings("cpp", original, qualified, "sieve.cpp") == []
    bare = qualified.replace("std::vector", "vector")
    assert [f.check for f in integrity_findings("cpp", original, bare, "sieve.cpp")] == ["dropped-import"]
