"""The syntax stage: the refactored file parses (CPython's compile() for Python, tree-sitter for the rest)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter

from bare_tui.model import Evidence, Outcome, StageResult
from bare_tui.pipeline.evidence import capped
from bare_tui.pipeline.languages import (
    Source,
    describe_problem,
    grammar_name,
    iter_problems,
    parse_source,
    spec_for_grammar,
    unsupported,
)
from bare_tui.pipeline.languages.spec import Compiler

RULES_VERSION = "1"
"""Bumped whenever what this stage decides changes, so that the pipeline version changes."""


@dataclass(frozen=True)
class SyntaxProblem:
    """One place where a text does not parse, with the keys that recognise it in another version of the file."""

    line: int
    column: int
    message: str
    end_line: int  # where the error ends: an error running to the end of the file reads as a cut-off answer
    key: tuple[str, ...]  # exact: the kind and the error's own text
    loose_key: tuple[str, ...]  # looser: the kind and the line it starts on, for errors an edit touched


def check_syntax(language: str, original: str, refactored: str | None, path: str = "") -> StageResult:
    """Pass when the refactored file parses, counting only errors that the original does not already have."""
    if (skipped := unsupported(language)) is not None:
        return skipped
    if refactored is None:
        return _fail("no code could be extracted from the answer", checker="none")
    if not refactored.strip():
        return _fail("the answer is empty", checker="none")
    compiler = spec_for_grammar(grammar_name(language, path)).compiler
    if compiler is not None:
        return _check_compiler(compiler, language, original, refactored, path)
    return _check_tree_sitter(language, original, refactored, path)


@lru_cache(maxsize=4)  # the original's problems are met again with every attempt at the same task
def tree_sitter_problems(language: str, text: str, path: str = "") -> tuple[SyntaxProblem, ...]:
    """Every ERROR and MISSING node of a text, located (1-based line and character column) and keyed.

    Also the early errors the language's file declares, which a grammar cannot see but every engine rejects the
    file for (JavaScript's getter with parameters), so verdicts agree with `node --check`.
    """
    source = parse_source(language, text, path)
    problems = _problems(source)
    early_errors = spec_for_grammar(source.grammar).early_errors
    if early_errors is not None:
        early = [_early(source, node, message) for node, message in early_errors(source)]
        problems = sorted(problems + early, key=lambda p: (p.line, p.column))
    return tuple(problems)


def new_problems(
    original: Sequence[SyntaxProblem], refactored: Sequence[SyntaxProblem]
) -> tuple[list[SyntaxProblem], int]:
    """The refactored file's problems that the original does not have, and how many were inherited.

    A multiset match, since line numbers shift: first by exact key (the same error text), then by the looser
    key (the same kind of error on the same line of code) among those left; what stays unmatched is new.
    """
    exact = Counter(problem.key for problem in original)
    unmatched: list[SyntaxProblem] = []
    for problem in refactored:
        if exact[problem.key] > 0:
            exact[problem.key] -= 1
        else:
            unmatched.append(problem)
    loose: Counter[tuple[str, ...]] = Counter()
    for problem in original:  # the original's problems that found no exact partner
        if exact[problem.key] > 0:
            exact[problem.key] -= 1
            loose[problem.loose_key] += 1
    fresh: list[SyntaxProblem] = []
    for problem in unmatched:
        if loose[problem.loose_key] > 0:
            loose[problem.loose_key] -= 1
        else:
            fresh.append(problem)
    return fresh, len(refactored) - len(fresh)


def _check_tree_sitter(language: str, original: str, refactored: str, path: str) -> StageResult:
    before = tree_sitter_problems(language, original, path)
    after = tree_sitter_problems(language, refactored, path)
    fresh, inherited = new_problems(before, after)
    details = {"checker": "tree-sitter", "errors": len(after), "new_errors": len(fresh), "inherited_errors": inherited}
    if not fresh:
        return StageResult(Outcome.PASS, details=details)
    return StageResult(Outcome.FAIL, evidence=_evidence(fresh), details=details)


def _check_compiler(compiler: Compiler, language: str, original: str, refactored: str, path: str) -> StageResult:
    error = compiler.check(refactored, path)
    if error is None:
        return StageResult(Outcome.PASS, details={"checker": compiler.name})
    if compiler.check(original, path) is not None:
        # The original does not compile either (Python 2, a newer dialect): judge as for the other languages,
        # blaming only the tree-sitter errors the original does not have.
        result = _check_tree_sitter(language, original, refactored, path)
        details = dict(
            result.details, checker="tree-sitter (the original does not compile)", compile_error=error.message
        )
        return StageResult(result.outcome, evidence=result.evidence, details=details)
    # A compiler stops at the first error; that is the one reported.
    return StageResult(
        Outcome.FAIL,
        evidence=(Evidence("refactored", error.line, error.column, error.message),),
        details={"checker": compiler.name, "errors": 1, "new_errors": 1},
    )


def _problems(source: Source) -> list[SyntaxProblem]:
    problems: list[SyntaxProblem] = []
    for node in iter_problems(source.root):
        line, column = source.position(node)
        line_text = _line_around(source, node.start_byte, node.start_point.column)
        if node.is_missing:
            key = ("missing", node.type, line_text)
            loose = ("missing", node.type)
        else:
            own = source.data[node.start_byte : min(node.end_byte, node.start_byte + 2000)]
            key = (
                "error",
                _normalise(own.decode("utf-8", errors="replace")),
                str(node.end_byte - node.start_byte > 2000),
            )
            loose = ("error", line_text)
        problems.append(SyntaxProblem(line, column, describe_problem(source, node), node.end_point.row + 1, key, loose))
    return problems


def _early(source: Source, node: tree_sitter.Node, message: str) -> SyntaxProblem:
    line, column = source.position(node)
    line_text = _line_around(source, node.start_byte, node.start_point.column)
    return SyntaxProblem(
        line, column, message, node.end_point.row + 1, ("early", message, line_text), ("early", message)
    )


def _line_around(source: Source, byte: int, byte_column: int, reach: int = 120) -> str:
    """The line a node starts on, normalised, cut to `reach` bytes either side so long lines cost little."""
    line_start = byte - byte_column
    end = source.data.find(b"\n", byte, byte + reach)
    end = byte + reach if end < 0 else end
    start = max(line_start, byte - reach)
    return _normalise(source.data[start:end].decode("utf-8", errors="replace"))


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _evidence(problems: list[SyntaxProblem]) -> tuple[Evidence, ...]:
    return capped(problems, "syntax errors", lambda p: Evidence("refactored", p.line, p.column, p.message))


def _fail(message: str, checker: str) -> StageResult:
    return StageResult(
        Outcome.FAIL, evidence=(Evidence("refactored", None, None, message),), details={"checker": checker}
    )
