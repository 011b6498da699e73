"""The syntax stage against the real tools: CPython's compile(), V8 (node), gcc/g++, javac, gofmt and php -l."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

from bare_tui.model import Outcome
from bare_tui.pipeline.languages import get_parser, iter_problems, parse_source
from bare_tui.pipeline.syntax import check_syntax
from tests.unit.pipeline import corpus

AGREEMENT = 0.99
CATCH_RATE = 0.97
# The mutations that break syntax, and the harmless edit that must not.
SYNTAX_MUTATIONS = ("remove_closing", "wrap_markdown")

# V8's own parser, batched: node's CommonJS loader compiles a file as a function with these parameters, and an
# ES module as a SourceTextModule. test_batched_checker_is_node_check ties it to `node --check` itself.
NODE_CHECKER = r"""
const fs = require("fs");
const vm = require("vm");
const out = [];
for (const [path, isModule] of JSON.parse(fs.readFileSync(0, "utf8"))) {
  let code = fs.readFileSync(path, "utf8");
  if (code.startsWith("#!")) code = "//" + code.slice(2);
  try {
    if (isModule) new vm.SourceTextModule(code, { identifier: path });
    else vm.compileFunction(code, ["exports", "require", "module", "__filename", "__dirname"], { filename: path });
    out.push("ok");
  } catch (error) {
    out.push("error");
  }
}
process.stdout.write(out.join("\n") + "\n");
"""


def _fails(case: corpus.Case) -> bool:
    result = check_syntax(case.item.language, case.item.text, case.text, case.item.path)
    assert result.outcome in (Outcome.PASS, Outcome.FAIL), result
    return result.outcome is Outcome.FAIL


def _compiles(text: str) -> bool:
    try:
        compile(text, "<case>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _agreement(verdicts: list[tuple[str, bool, bool]]) -> tuple[float, list[str]]:
    """(label, stage says it fails, the tool says it fails) rows: the agreeing fraction and the disagreements."""
    wrong = [label for label, ours, theirs in verdicts if ours != theirs]
    return 1 - len(wrong) / len(verdicts), wrong


def test_python_verdicts_agree_with_compile() -> None:
    verdicts = []
    for item in corpus.python_files()[::2]:  # half the files keeps the test quick; the catch test sees all
        for case in corpus.cases(item):
            verdicts.append((case.label, _fails(case), not _compiles(case.text)))
    rate, wrong = _agreement(verdicts)
    assert len(verdicts) >= 150
    assert rate >= AGREEMENT, wrong


def _node_verdicts(paths: list[tuple[str, bool]]) -> list[bool]:
    """For each (file, is an ES module): whether V8 rejects it."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "check.js"
        script.write_text(NODE_CHECKER, encoding="utf-8")
        completed = subprocess.run(
            ["node", "--experimental-vm-modules", "--no-warnings", str(script)],
            input=json.dumps(paths),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    lines = completed.stdout.split()
    assert len(lines) == len(paths)
    return [line != "ok" for line in lines]


@pytest.fixture(scope="module")
def javascript_cases(tmp_path_factory) -> list[tuple[corpus.Case, str]]:
    folder = tmp_path_factory.mktemp("js")
    written = []
    for index, case in enumerate(c for c in corpus.all_cases() if c.item.language == "javascript"):
        path = folder / f"{index}-{case.item.name}"
        path.write_text(case.text, encoding="utf-8")
        written.append((case, str(path)))
    return written


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_verdicts_agree_with_node(javascript_cases) -> None:
    theirs = _node_verdicts([(path, case.item.module) for case, path in javascript_cases])
    verdicts = [(case.label, _fails(case), rejected) for (case, _), rejected in zip(javascript_cases, theirs)]
    rate, wrong = _agreement(verdicts)
    assert len(verdicts) >= 200
    assert rate >= AGREEMENT, wrong


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_batched_checker_is_node_check(javascript_cases) -> None:
    # A spread of originals and mutations, each through `node --check` itself.
    sample = javascript_cases[::23][:8]
    batched = _node_verdicts([(path, case.item.module) for case, path in sample])
    for (case, path), rejected in zip(sample, batched):
        suffix = ".mjs" if case.item.module else ".cjs"
        copy = Path(path).with_suffix(suffix)
        copy.write_text(case.text, encoding="utf-8")
        status = subprocess.run(["node", "--check", str(copy)], capture_output=True, timeout=60).returncode
        assert (status != 0) == rejected, case.label
    assert any(batched) and not all(batched)


# The compilers of the data-file languages check only the cases that change syntax alone: deleting a function
# makes gcc complain about its callers, which is not a syntax error.
_COMPILER_CASES = ("original", "commented", "remove_closing", "cut_last_third", "wrap_markdown", "elide_body")
# g++ spends half a second on the standard headers of each file: only the originals and the broken cases.
_CPP_CASES = ("original", "remove_closing", "cut_last_third")


def _compiler_cases(language: str) -> list[corpus.Case]:
    if language == "cpp":
        found = [c for item in corpus.data_files(language) for c in corpus.cases(item) if c.mutation in _CPP_CASES]
        originals = [c for c in found if c.mutation == "original"]
        return originals[:1] + [c for c in found if c.mutation != "original"]
    return [c for item in corpus.data_files(language) for c in corpus.cases(item) if c.mutation in _COMPILER_CASES]


def _write(folder: Path, cases: list[corpus.Case]) -> list[Path]:
    paths = []
    for index, case in enumerate(cases):
        # Java wants the file named after its public class: one folder per case.
        target = folder / str(index) / case.item.name
        target.parent.mkdir(parents=True)
        target.write_text(case.text, encoding="utf-8")
        paths.append(target)
    return paths


def _rejected_by_one_run(command: list[str], paths: list[Path], pattern: str) -> list[bool]:
    """Run one compiler over all files; a file is rejected when an error line names it."""
    completed = subprocess.run(command + [str(p) for p in paths], capture_output=True, text=True, timeout=300)
    named = set(re.findall(pattern, completed.stdout + completed.stderr, flags=re.MULTILINE))
    return [str(p) in named for p in paths]


def _tool_verdicts(language: str, paths: list[Path]) -> list[bool]:
    if language == "c":
        return _rejected_by_one_run(
            ["gcc", "-std=gnu11", "-fsyntax-only", "-w"], paths, r"^(.+?):\d+:\d+: (?:fatal )?error"
        )
    if language == "cpp":
        return _rejected_by_one_run(
            ["g++", "-std=c++17", "-fsyntax-only", "-w"], paths, r"^(.+?):\d+:\d+: (?:fatal )?error"
        )
    if language == "java":
        out = tempfile.mkdtemp()
        return _rejected_by_one_run(
            ["javac", "-XDshould-stop.ifNoError=PARSE", "-proc:none", "-d", out], paths, r"^(.+?\.java):\d+: error"
        )
    if language == "go":
        return [subprocess.run(["gofmt", "-e", "-l", str(p)], capture_output=True).returncode != 0 for p in paths]
    if language == "php":
        return [subprocess.run(["php", "-l", str(p)], capture_output=True).returncode != 0 for p in paths]
    raise AssertionError(language)


_TOOLS = {"c": "gcc", "cpp": "g++", "java": "javac", "go": "gofmt", "php": "php"}


@pytest.mark.parametrize("language", sorted(_TOOLS))
def test_data_file_verdicts_agree_with_the_compiler(language: str, tmp_path: Path) -> None:
    if shutil.which(_TOOLS[language]) is None:
        pytest.skip(f"{_TOOLS[language]} is not installed")
    cases = _compiler_cases(language)
    theirs = _tool_verdicts(language, _write(tmp_path, cases))
    verdicts = [(c.label, _fails(c), rejected) for c, rejected in zip(cases, theirs)]
    rate, wrong = _agreement(verdicts)
    assert len(verdicts) >= 7
    assert rate >= AGREEMENT, wrong
    # The compiler saw broken files: agreement is not the trivial "everything passes".
    assert any(rejected for _, _, rejected in verdicts)


@pytest.mark.parametrize("language", ["c", "cpp", "csharp", "go", "java", "javascript", "php", "python", "typescript"])
def test_syntax_mutations_are_caught_and_comments_pass(language: str) -> None:
    caught: dict[str, list[bool]] = defaultdict(list)
    for item in corpus.by_language()[language]:
        for case in corpus.cases(item):
            if case.mutation in SYNTAX_MUTATIONS:
                caught[case.mutation].append(_fails(case))
            elif case.mutation in ("original", "commented"):
                assert not _fails(case), case.label
    for mutation in SYNTAX_MUTATIONS:
        assert caught[mutation], mutation
        assert sum(caught[mutation]) / len(caught[mutation]) >= CATCH_RATE, (mutation, caught[mutation])


# --- behaviour a reviewer relies on ------------------------------------------------------------------------


def test_missing_brace_is_reported_where_it_is_missing() -> None:
    original = "int f(void) {\n    return 1;\n}\n"
    result = check_syntax("c", original, "int f(void) {\n    return 1;\n")
    assert result.outcome is Outcome.FAIL
    assert [e.message for e in result.evidence] == ["missing '}'"]
    assert result.evidence[0].side == "refactored"
    assert result.evidence[0].line == 2


def test_columns_count_characters_not_bytes() -> None:
    refactored = 'const s = "ééé"; const t = ;\n'
    result = check_syntax("javascript", 'const s = "ééé";\n', refactored)
    assert result.outcome is Outcome.FAIL
    (evidence,) = result.evidence
    (node,) = iter_problems(parse_source("javascript", refactored).root)
    # each é is two bytes in UTF-8: tree-sitter's column is three more than the character column
    assert evidence.column == node.start_point.column + 1 - 3
    assert refactored[evidence.column - 1 :] == refactored.encode()[node.start_point.column :].decode()


def test_errors_the_original_already_has_are_not_blamed() -> None:
    # A macro that tree-sitter cannot read, kept as it was, while the function after it is refactored.
    original = "#define DECLARE(name) int name\nDECLARE(x) = 1 +;\nint f(int a) { return a; }\n"
    assert parse_source("c", original).root.has_error
    refactored = original.replace("return a;", "int b = a;\n    return b;")
    result = check_syntax("c", original, refactored)
    assert result.outcome is Outcome.PASS
    assert result.details["inherited_errors"] >= 1
    broken = refactored.replace("return b;", "return b")
    assert check_syntax("c", original, broken).outcome is Outcome.FAIL


def test_python_reports_compile_location_and_message() -> None:
    result = check_syntax("python", "def f():\n    return 1\n", "def f()\n    return 1\n", "m.py")
    assert result.outcome is Outcome.FAIL
    assert result.details["checker"] == "compile"
    (evidence,) = result.evidence
    assert (evidence.line, evidence.column) == (1, 8)
    assert "expected ':'" in evidence.message


def test_no_code_or_empty_answer_fails() -> None:
    for language in ("python", "go"):
        assert check_syntax(language, "x = 1\n", None).outcome is Outcome.FAIL
        assert check_syntax(language, "x = 1\n", "  \n").outcome is Outcome.FAIL


def test_tsx_paths_use_the_tsx_grammar() -> None:
    text = 'const a = <div className="x">hi</div>;\n'
    assert check_syntax("typescript", text, text + "\n", "view.tsx").outcome is Outcome.PASS
    assert parse_source("typescript", text, "view.ts").root.has_error
    assert not parse_source("typescript", text, "view.tsx").root.has_error


def test_php_files_with_an_opening_tag_parse() -> None:
    assert not parse_source("php", "<?php\nfunction f($a) { return $a; }\n").root.has_error


def test_parsers_are_made_once_per_grammar() -> None:
    assert get_parser("go") is get_parser("golang")
    assert get_parser("typescript", "a.tsx") is not get_parser("typescript", "a.ts")


def test_problems_inside_error_nodes_are_found_without_recursion() -> None:
    deep = "int f(void) { return " + "(" * 3000 + "1" + ")" * 2999 + "; }\n"
    source = parse_source("c", deep)
    assert list(iter_problems(source.root))
    assert sys.getrecursionlimit() < 3000  # a recursive walk would have overflowed


# --- hostile input: every stage gives a verdict --------------------------------------------------------------


def _hostile_texts() -> dict[str, str]:
    return {
        "long line": "x = " + "a" * 100_000 + "\n",
        "deep nesting": "f(" * 2000 + ")" * 2000 + "\n",
        "deep braces": "{" * 2000 + "}" * 2000 + "\n",
        "binary junk": bytes(range(256)).decode("latin-1") * 40,
        "nul bytes": "x = 1\0\0\0\n",
        "crlf": "def f(a):\r\n    return a\r\n",
        "lone surrogates": "x = '\udcff\udc80'\n",
        "many errors on one line": "f(a,); x = (1 +); é " * 2000,
    }


@pytest.mark.parametrize("language", ["c", "cpp", "csharp", "go", "java", "javascript", "php", "python", "typescript"])
def test_hostile_input_gets_a_verdict(language: str) -> None:
    # every stage, in-process (no worker's time limit to fall back on): a 100,000-character line took PHP's
    # integrity 27 s and 2,000 nested calls C++'s defects 488 s before their scans were made linear
    from bare_tui.pipeline.defects import check_defects
    from bare_tui.pipeline.integrity import check_integrity
    from bare_tui.pipeline.maintainability import check_maintainability
    from bare_tui.pipeline.signatures import check_signatures

    original = corpus.by_language()[language][0].text
    for name, text in _hostile_texts().items():
        for check in (check_syntax, check_signatures, check_integrity):
            result = check(language, original, text, "")
            assert result.outcome in (Outcome.PASS, Outcome.FAIL), (name, check.__name__)
            assert all(e.line is None or e.line >= 1 for e in result.evidence)
        for check in (check_defects, check_maintainability):
            result = check(language, original, text, "")
            assert result.outcome in (Outcome.PASS, Outcome.FAIL, Outcome.SKIPPED, Outcome.ERROR), (
                name,
                check.__name__,
            )
            assert all(e.line is None or e.line >= 1 for e in result.evidence)


@pytest.mark.parametrize("language", ["python"])  # 5 MB parses take seconds; the bench measures the others
def test_five_megabyte_file_gets_a_verdict(language: str) -> None:
    from bare_tui.pipeline.integrity import check_integrity
    from bare_tui.pipeline.signatures import check_signatures

    original = corpus.by_language()[language][0].text
    big = (original + "\n") * (5_000_000 // len(original) + 1)
    for check in (check_syntax, check_signatures, check_integrity):
        assert check(language, original, big, "").outcome in (Outcome.PASS, Outcome.FAIL)


def test_a_language_without_a_grammar_is_skipped_by_every_stage() -> None:
    from bare_tui.pipeline.integrity import check_integrity
    from bare_tui.pipeline.signatures import check_signatures

    for check in (check_syntax, check_signatures, check_integrity):
        result = check("cobol", "DISPLAY 'HI'.", "DISPLAY 'HELLO'.")
        assert result.outcome is Outcome.SKIPPED
        assert "cobol" in result.details["reason"]


# --- any text at all gets a verdict --------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CODE_ALPHABET = st.sampled_from(
    list("{}()[];:,.=<>+-*/\\\"'`#$@!?&|^%~ \t\n\r")
    + ["def ", "class ", "func ", "function ", "<?php ", "=> ", "\u202e", "\u200b", "é", "\0", "x", "1"]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    language=st.sampled_from(["c", "cpp", "csharp", "go", "java", "javascript", "php", "python", "typescript"]),
    text=st.lists(_CODE_ALPHABET, max_size=200).map("".join),
)
def test_any_text_gets_a_verdict_from_every_stage(language: str, text: str) -> None:
    from bare_tui.pipeline.integrity import check_integrity
    from bare_tui.pipeline.signatures import check_signatures

    original = corpus.by_language()[language][-1].text
    for check in (check_syntax, check_signatures, check_integrity):
        for before, after in ((original, text), (text, original), (text, text)):
            result = check(language, before, after, "")
            assert result.outcome in (Outcome.PASS, Outcome.FAIL)
            for evidence in result.evidence:
                assert evidence.side in ("original", "refactored")
                assert evidence.line is None or evidence.line >= 1
                assert evidence.column is None or evidence.column >= 1


def test_python_whose_original_does_not_compile_is_judged_on_new_errors() -> None:
    # A Python 2 file: compile() rejects the original too, so only errors the original lacks are blamed.
    original = 'def greet(name):\n    print "hello", name\n\n\ndef add(a, b):\n    return a + b\n'
    refactored = original.replace("return a + b", "total = a + b\n    return total")
    result = check_syntax("python", original, refactored)
    assert result.outcome is Outcome.PASS
    assert "does not compile" in result.details["checker"]
    broken = refactored.replace("def add(a, b):", "def add(a, b")
    assert check_syntax("python", original, broken).outcome is Outcome.FAIL
