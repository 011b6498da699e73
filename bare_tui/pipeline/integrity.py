"""The integrity stage: the refactored file is whole, new, clean text and not a fragment, a diff or a chat reply."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TypeAlias, TypeVar

import tree_sitter

from bare_tui.model import Evidence, Outcome, StageResult
from bare_tui.pipeline.evidence import EVIDENCE_LIMIT, capped
from bare_tui.pipeline.languages import (
    Source,
    captures,
    encode,
    grammar_name,
    kinds_pattern,
    matches,
    parse_source,
    query,
    snippet,
    spec_for_grammar,
    unsupported,
)
from bare_tui.pipeline.languages.spec import Imported
from bare_tui.pipeline.signatures import Signature, compare_signatures, extract_signatures, grammar_signatures
from bare_tui.pipeline.syntax import new_problems, tree_sitter_problems

RULES_VERSION = "9"
"""Bumped whenever what this stage decides changes, so that the pipeline version changes. 4: a qualified call
(`std::reverse(`, `obj.reverse(`) no longer counts as a call of a dropped helper of that name unless its qualifier is
the helper's owner or self/this; a missing tail of nothing but helpers the answer neither defines nor calls is no
longer read as an answer that stops early. 5: a type a TypeScript module does not export is its own, as a C
file's are: one that is gone (an unexported enum made a const object) matters only while the answer still names it.
6: a comment the answer adds that talks to the user about the task ("No code provided to optimize.") is chat.
7: any type callers of the file cannot name is its own in the same way: one its language hides (a Java or PHP private
type, a C# nested type without a modifier, an unexported Go type, a Python `_Type`), one nested in such a type, and one
declared inside a function (a Go struct in a function body, a Java local class). 8: a type whose loss the signatures
stage reports already is not charged again: one whose visible constructor or method is missing, or one nothing names
but its own definition and the visible functions that are missing (an enum that went with the public method that used
it); a class nested under a C++ class's private access is private (it was read as public). 9: a dropped import the
answer still uses (or a dropped project header or import made for its effect), and a dropped constant other files can
name (public, exported, in a header), are missing code (LanguageSpec.imports, LanguageSpec.constant_queries)."""


Node = tree_sitter.Node

# Characters that change how text reads without showing: bidirectional controls (the "Trojan Source" attack)
# and zero-width characters.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLES = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_HIDDEN = BIDI_CONTROLS | INVISIBLES
_HIDDEN_PATTERN = re.compile("[" + "".join(sorted(_HIDDEN)) + "]")

# Placeholders a model writes instead of code it did not repeat. Matched in comments only, and only where the
# original does not have the same comment. Each rule needs a word that marks the elision (unchanged, omitted,
# here, "...") or a comment that is nothing but the placeholder: "Parse the rest of the file" or "x is left
# unchanged" are comments about code, not stand-ins for it.
_CODE_WORDS = (
    r"(code|file|class|implementation|functions?|methods?|module|logic|body|program|script|tests?|cases?|content|"
    r"fields?|properties|members|imports|definitions?|helpers?|classes|handling|branch(es)?|section|part|steps?)"
)
_END = r"\s*(\.\.\.|…|\)|\]|\.)*\s*$"  # what may follow a placeholder's last word: dots, a bracket
_UNCHANGED = (
    r"(unchanged|omitted|as\s+before|not\s+shown"
    r"|((remains?|stays?|is|are|left|kept)\s+)?(the\s+same|unchanged|as\s+(is|before)|intact))"
)
_ELISION_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # "rest of the code unchanged", "... rest of the method remains the same", "rest of the file here"
        rf"\brest\s+of\s+(the\s+)?(\w+\s+)?{_CODE_WORDS}\s*(\.\.\.|…|\(|\[)?\s*({_UNCHANGED}{_END}|(goes\s+)?here\b)",
        # a comment that is only "... rest of the code ..." or "the rest of the class"
        rf"^(\.\.\.|…|\[|\()?\s*(the\s+)?rest\s+of\s+(the\s+)?(\w+\s+)?{_CODE_WORDS}{_END}",
        # "existing code here", "... existing logic ...", "previous methods unchanged"
        rf"\b(existing|original|previous|remaining|other|unchanged|same)\s+(\w+\s+)?{_CODE_WORDS}\s*"
        rf"(\.\.\.|…|(goes\s+)?here\b|{_UNCHANGED}{_END})",
        # a comment that is only "existing code" or "... original implementation"
        rf"^(\.\.\.|…|\[|\()?\s*(the\s+)?(existing|original|previous|remaining|unchanged)\s+(\w+\s+)?{_CODE_WORDS}{_END}",
        r"\b(omitted|elided|snipped|abbreviated|removed|skipped)\s+for\s+(brevity|clarity|space|readability)\b",
        r"\bfor\s+brevity\b",
        # "code remains unchanged", "other methods stay the same"
        rf"\b{_CODE_WORDS}\s+(remains?|stays?|is|are|left|kept)\s+(unchanged|the\s+same|as\s+(is|before)|intact){_END}",
        rf"^(\.\.\.|…)?\s*(same|unchanged)(\s+as\s+(before|above|the\s+original|in\s+the\s+original|original))?{_END}",
        r"(\.\.\.|…)\s*[\(\[]?\s*(unchanged|omitted|same|existing|rest|other|previous|remaining)\b",
        r"\b(unchanged|omitted)\s*[\)\]]?\s*(\.\.\.|…)",
        r"\b(implementation|code|logic|body)\s+goes\s+here\b",
        r"^(your|the)?\s*(implementation|code|logic)\s+here\s*[.…]*$",
        r"^no\s+changes?(\s+(needed|required|made|here))?\s*[.…]*$",
    )
]
_ONLY_DOTS = re.compile(r"^[\s.…]*$")
# Words without which no placeholder pattern can match: one cheap search skips most comments.
_ELISION_WORDS = re.compile(
    r"rest|existing|original|previous|remaining|other|unchanged|same|omitted|elided|snipped|skipped|removed|"
    r"abbreviated|brevity|remain|stay|left|kept|\.\.\.|…|implement|code|logic|body|no\s+change",
    re.IGNORECASE,
)


# Lines of a chat reply or a diff that did not belong in the file.
_PROSE_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(here\s+is|here's|here\s+are|below\s+is|this\s+is)\b.*\b(code|refactor\w*|version|file|implementation)\b.*[:.]?$",
        r"^(i\s+have|i've|i\s+)\s*(refactored|rewritten|restructured|improved|updated|made|extracted|simplified)\b",
        r"^(the\s+)?refactored\s+(code|version|file)\b",
        r"^(explanation|changes\s+made|key\s+changes|summary\s+of\s+changes|improvements(\s+made)?|"
        r"main\s+changes|what\s+changed)\s*:?\s*$",
        r"^(this|the)\s+refactor(ing|ed)?\b.*\b(improves|makes|keeps|reduces|extracts|splits|preserves)\b",
    )
]
# Comments that are a note to the user about the task rather than about the code: "No code provided to optimize.",
# "Nothing to refactor here", "The original code is already optimal". Matched in comments the original does not have.
_CHAT_COMMENT_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^no\s+(code|implementation|functions?|logic|source)\s+(was\s+|were\s+|is\s+|are\s+)?"
        r"(provided|given|supplied|found|present|to\s+(refactor|optimi[sz]e|improve|change|modify))\b",
        r"^(there\s+is\s+)?nothing\s+(here\s+)?to\s+(refactor|optimi[sz]e|improve|simplify)\b",
        r"^(the\s+)?(original\s+|given\s+|provided\s+)?(code|file|implementation)\s+(is|was)\s+already\s+"
        r"(optimal|optimi[sz]ed|efficient|minimal|clean|as\s+simple)\b",
        r"^no\s+(refactoring|optimi[sz]ations?|changes?)\s+(is\s+|are\s+|was\s+|were\s+)?"
        r"(possible|necessary|needed|required)\b.*\b(code|file|provided|given|empty|only|includes?)\b",
    )
]
_FENCE = re.compile(r"^\s*(```|~~~)")
_DIFF_LINES = (re.compile(r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@"), re.compile(r"^(---|\+\+\+) (a/|b/|/dev/null)"))


@dataclass(frozen=True)
class Finding:
    """One integrity problem: which check found it, where, and what it says."""

    check: str  # one of _CHECK_ORDER, or empty or identical
    side: str
    line: int | None
    column: int | None
    message: str


def check_integrity(language: str, original: str, refactored: str | None, path: str = "") -> StageResult:
    """Pass when the refactored file is a whole, changed file with nothing elided, cut, hidden or chatty."""
    if (skipped := unsupported(language)) is not None:
        return skipped
    findings = integrity_findings(language, original, refactored, path)
    counts = Counter(f.check for f in findings)
    details = {"findings": dict(sorted(counts.items()))}
    if not findings:
        return StageResult(Outcome.PASS, details=details)
    evidence = capped(findings, "findings", lambda f: Evidence(f.side, f.line, f.column, f.message))
    return StageResult(Outcome.FAIL, evidence=evidence, details=details)


def integrity_findings(language: str, original: str, refactored: str | None, path: str = "") -> list[Finding]:
    """Every integrity problem of an attempt, in the order of the checks."""
    if refactored is None:
        return [Finding("empty", "refactored", None, None, "no code could be extracted from the answer")]
    if not refactored.strip():
        return [Finding("empty", "refactored", None, None, "the answer is empty")]
    if _normalised_lines(original) == _normalised_lines(refactored):
        return [Finding("identical", "refactored", None, None, "identical to the original: nothing was refactored")]
    grammar = grammar_name(language, path)
    before = parse_source(language, original, path)
    after = parse_source(language, refactored, path)
    findings: list[Finding] = []
    findings += _dropped_types(before, after, path)
    findings += _elisions(before, after)
    findings += _truncation(language, before, after, path)
    findings += _dropped_functions(language, original, refactored, path)
    if not any(f.check == "truncated" for f in findings):  # a cut answer's missing tail says it all
        lost = _dropped_callbacks(before, after)
        lost += _dropped_imports(before, after)
        lost += _dropped_constants(before, after, path)
        findings += lost
        findings += _dropped_statements(before, after, said={f.line for f in lost})
    findings += _hidden_characters(original, refactored)
    findings += _prose(before, after)
    spec = spec_for_grammar(grammar)
    if spec.stub_bodies is not None:
        for node, message in spec.stub_bodies(before, after):
            line, column = after.position(node)
            findings.append(Finding("elision", "refactored", line, column, message))
    tags = spec.opening_tags
    if tags and tags[0] in original and not any(tag in refactored for tag in tags):
        # Without an opening tag PHP reads the whole answer as HTML to echo: it parses, but it is not code.
        message = f"no '{tags[0]}' tag: the answer is not {spec.name.upper()} code"
        findings.append(Finding("prose", "refactored", 1, 1, message))
    # The telling finding first: a cut or a chat reply explains the dropped definitions that follow from it.
    findings.sort(key=lambda f: _CHECK_ORDER.index(f.check))
    return findings


_CHECK_ORDER = (
    "truncated",
    "prose",
    "elision",
    "hidden-character",
    "dropped-type",
    "dropped-function",
    "dropped-callback",
    "dropped-import",
    "dropped-constant",
    "dropped-statement",
)


# ---------------------------------------------------------------------------------------------------------


def _normalised_lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _comments(source: Source) -> list[Node]:
    pattern = kinds_pattern(source.grammar, sorted(spec_for_grammar(source.grammar).node_kinds.comments))
    return captures(source, pattern) if pattern else []


def _comment_body(text: str) -> str:
    """A comment's words without its markers (#, //, /* */, *, <!-- -->, ///)."""
    text = text.strip()
    for opener, closer in (("/**", "*/"), ("/*", "*/"), ("<!--", "-->")):
        if text.startswith(opener):
            text = text[len(opener) :]
            if text.endswith(closer):
                text = text[: -len(closer)]
            break
    lines = []
    for line in text.splitlines():
        line = line.strip()
        line = re.sub(r"^(//+|#+|\*+)", "", line).strip()
        lines.append(line)
    return " ".join(" ".join(lines).split())


@cache
def _type_pattern(grammar: str) -> str:
    # One query for all of a grammar's type definitions; patterns its version lacks are left out.
    return "\n".join(p for p in spec_for_grammar(grammar).type_queries if query(grammar, p) is not None)


def _dropped_types(before: Source, after: Source, path: str = "") -> list[Finding]:
    pattern = _type_pattern(before.grammar)
    if not pattern:
        return []
    kept = Counter(name for name, _ in _types(after))
    spec = spec_for_grammar(before.grammar)
    if spec.functions_stand_for_types:
        # `class Foo` rewritten as `function Foo` with prototype methods (or back) is the same type to its users.
        for signature in grammar_signatures(before.grammar, after.text):
            if signature.kind in ("function", "constructor") and "." not in signature.name:
                kept[signature.name] += 1
    # A C or C++ source file's types are its own (other files see only its header's): one that is gone matters
    # only while the answer still names it.
    file_local = bool(spec.header_extensions) and not path.lower().endswith(spec.header_extensions)
    # So are the types a module does not export (TypeScript), and any type its language hides from other files
    # (private, unexported, nested in a private type) or that lives inside a function: callers cannot name them.
    missing: list[tuple[int, str, int, int]] = []
    for index, (name, (line, column)) in enumerate(_types(before)):
        if kept[name] > 0:
            kept[name] -= 1
        else:
            missing.append((index, name, line, column))
    if not missing:
        return []
    own = _module_local_types(before)
    words = set(re.findall(r"[A-Za-z_]\w*", after.text))
    if own:
        words -= _module_values(after)  # named, but as the value that replaced the type
    gone = [item for item in missing if not ((file_local or item[1] in own) and item[1] not in words)]
    # Only a type that is gone and that the answer no longer names needs its visibility read.
    unnameable = _unnameable_types(before) if any(name not in words for _, name, _, _ in gone) else frozenset()
    lost = [item for item in gone if item[0] not in unnameable or item[1] in words]
    if lost:
        charged = _charged_to_signatures(before, after, {name for _, name, _, _ in lost})
        lost = [item for item in lost if item[1] not in charged]
    findings = [
        Finding("dropped-type", "original", line, column, f"type {name} of the original is missing")
        for _, name, line, column in lost
    ]
    findings.sort(key=lambda f: (f.line or 0, f.column or 0))
    return findings


def _charged_to_signatures(before: Source, after: Source, names: set[str]) -> set[str]:
    """Of the types gone, those whose loss the signatures stage reports already: a type whose own constructor or method
    callers could call is missing, and a type that nothing in the original names outside its own definition and the
    visible functions that are missing (an enum that went with the one public method that used it). Integrity reports
    dropped code beyond what signatures reports; the same loss is not charged twice."""
    lost = [
        change.before
        for change in compare_signatures(
            [s for s in grammar_signatures(before.grammar, before.text) if s.visible and not s.local],
            grammar_signatures(after.grammar, after.text),
        )
        if change.after is None
    ]
    if not lost:
        return set()
    charged = {name for name in names if any(s.name.split(".")[-2:-1] == [name] for s in lost)}
    rest = names - charged
    if not rest:
        return charged
    # Lines of the missing functions and of the types' own definitions, against the lines naming each type.
    starts = {(s.line, s.column) for s in lost}
    spec = spec_for_grammar(before.grammar)
    pattern = kinds_pattern(before.grammar, sorted(spec.node_kinds.functions))
    spans = [
        (node.start_point.row + 1, node.end_point.row + 1)
        for node in (captures(before, pattern) if pattern else [])
        if before.position(node) in starts or _named_at(before, node, starts)
    ]
    if not spans:
        return charged
    for found in matches(before, _definition_pattern(before.grammar)):
        if found.get("name") and found.get("definition") and _type_name(before, found["name"][0]) in rest:
            definition = found["definition"][0]
            spans.append((definition.start_point.row + 1, definition.end_point.row + 1))
    lines = before.text.split("\n")
    for name in rest:
        word = re.compile(rf"(?<![A-Za-z0-9_$]){re.escape(name)}(?![A-Za-z0-9_])")
        named = [number for number, line in enumerate(lines, 1) if word.search(line)]
        if named and all(any(first <= number <= last for first, last in spans) for number in named):
            charged.add(name)
    return charged


def _named_at(source: Source, node: Node, starts: set[tuple[int, int]]) -> bool:
    """Whether a function node's name is at one of the positions (a signature is placed at its name in some
    languages, at its definition in others)."""
    name = node.child_by_field_name("name")
    return name is not None and source.position(name) in starts


def _module_local_types(source: Source) -> frozenset[str]:
    """The top-level types of a module that it does not export (LanguageSpec.module_local_types); none in a script."""
    patterns = spec_for_grammar(source.grammar).module_local_types
    if not patterns:
        return frozenset()
    types, exported, module, _ = patterns
    if not captures(source, module):
        return frozenset()
    listed = {source.node_text(n) for n in captures(source, exported)}
    return frozenset(source.node_text(n) for n in captures(source, types)) - listed


def _module_values(source: Source) -> frozenset[str]:
    """The top-level values that may stand in for a type of the module's own (LanguageSpec.module_local_types)."""
    patterns = spec_for_grammar(source.grammar).module_local_types
    return frozenset(source.node_text(n) for n in captures(source, patterns[3])) if patterns else frozenset()


# The original's facts are read once per task, not once per attempt (Source objects hash by identity).
@lru_cache(maxsize=4)
def _types(source: Source) -> tuple[tuple[str, tuple[int, int]], ...]:
    pattern = _type_pattern(source.grammar)
    found = []
    for node in captures(source, pattern) if pattern else []:
        name = _type_name(source, node)
        if name:
            found.append((name, source.position(node)))
    return tuple(found)


@cache
def _definition_pattern(grammar: str) -> str:
    # The type patterns again, each capturing its whole definition too (a node's parent costs its depth to find).
    return "\n".join(
        f"{p} @definition" for p in spec_for_grammar(grammar).type_queries if query(grammar, p) is not None
    )


@lru_cache(maxsize=4)
def _unnameable_types(source: Source) -> frozenset[int]:
    """Which of _types(source) no other file can name: declared inside a function, or hidden by its language's
    visibility rule (LanguageSpec.hidden: private, unexported, a C# nested type without a modifier), itself or through
    a type it is nested in. Such a type is the file's own, to reshape as its helpers are.

    Nesting is read from byte ranges (functions found by one query, types in document order, each with a stack of the
    ranges still open), never by climbing each node's ancestors: deeply nested types cost linear time."""
    spec = spec_for_grammar(source.grammar)
    pairs = sorted(
        (
            (found["name"][0], found["definition"][0])
            for found in matches(source, _definition_pattern(source.grammar))
            if found.get("name") and found.get("definition")
        ),
        key=lambda pair: (pair[0].start_byte, -pair[0].end_byte),
    )
    pattern = kinds_pattern(source.grammar, sorted(spec.node_kinds.functions))
    functions = [(n.start_byte, n.end_byte) for n in captures(source, pattern)] if pattern else []
    result: set[int] = set()
    next_function = 0
    open_functions: list[int] = []  # end bytes of the functions around the current type
    open_types: list[tuple[int, str, bool]] = []  # (end byte, name, hidden itself or by a type around it)
    index = 0
    for name_node, definition in pairs:
        text = _type_name(source, name_node)
        if not text:
            continue  # _types() leaves it out too
        start, end = definition.start_byte, definition.end_byte
        while next_function < len(functions) and functions[next_function][0] <= start:
            function_start, function_end = functions[next_function]
            while open_functions and open_functions[-1] <= function_start:
                open_functions.pop()
            if function_end >= end and (function_start, function_end) != (start, end):
                open_functions.append(function_end)
            next_function += 1
        while open_functions and open_functions[-1] < end:
            open_functions.pop()
        while open_types and open_types[-1][0] < end:
            open_types.pop()
        scope = (open_types[-1][1],) if open_types else ()  # the type it is nested in (the rules ask only whether)
        hidden = bool(open_types and open_types[-1][2]) or spec.hidden(source, definition, text, scope)
        if open_functions or hidden:
            result.add(index)
        open_types.append((end, text, hidden))
        index += 1
    return frozenset(result)


def _dropped_functions(language: str, original: str, refactored: str, path: str) -> list[Finding]:
    """Code the answer lost that no signature names: a helper only its file could call that is gone while the answer
    still calls it (an inlined or renamed helper is gone and no longer called: that is refactoring). Functions callers
    can see are the signatures stage's business and are not reported again here; missing definitions are never read
    as a cut (a rename or an inlined helper looks the same): truncation is found in the text itself."""
    before = [s for s in extract_signatures(language, original, path) if not s.local]
    after = extract_signatures(language, refactored, path)
    changes = compare_signatures(before, after)
    dropped = {id(c.before) for c in changes if c.after is None and not c.body_gone}
    if not dropped:
        return []
    findings: list[Finding] = []
    calls = _calls(refactored)
    defined = {s.simple_name for s in after}
    for signature in before:
        if id(signature) not in dropped or signature.visible:
            continue
        name = signature.simple_name
        if name not in defined and _calls_helper(calls, signature):
            findings.append(
                Finding(
                    "dropped-function",
                    "original",
                    signature.line,
                    signature.column,
                    f"{signature.kind} {signature.name} of the original is gone, but the answer still calls {name}",
                )
            )
    return findings


# A name starts only after a non-name character, and its match never backtracks: on a long line of letters the
# plain pattern retried from every letter (quadratic); this one reads the line once. The optional qualifier in front
# (`std::`, `obj.`, `p->`, `self.`) says whose function is called.
_CALL = re.compile(
    r"(?:(?<![A-Za-z0-9_$])([A-Za-z_$][A-Za-z0-9_$]*+)\s*+(?:\.|::|->)\s*+)?"
    r"(?<![A-Za-z0-9_$])([A-Za-z_$][A-Za-z0-9_$]*+)\s*+\("
)
_SELF = frozenset({"self", "this", "cls", "static", "parent", "super"})
"""Qualifiers that call the file's own members: `self._helper()`, `this.helper()`, `static::helper()`."""


@lru_cache(maxsize=4)
def _calls(text: str) -> frozenset[tuple[str, str]]:
    """Every call written in a text, as (qualifier, name): `name(` is ("", name), `std::reverse(` is ("std",
    "reverse"). A local variable that happens to share a helper's name is no call."""
    found = set()
    for match in _CALL.finditer(text):
        qualifier = match.group(1) or ""
        if not qualifier and match.start(2) > 0 and text[match.start(2) - 1] in ".>:":
            qualifier = "?"  # qualified by an expression the pattern does not name: `a[0].f(`, `g().f(`
        found.add((qualifier, match.group(2)))
    return frozenset(found)


def _calls_helper(calls: frozenset[tuple[str, str]], signature: Signature) -> bool:
    """Whether one of the calls can reach the original's helper: an unqualified call by its name, or its name qualified
    by what owns it (`self.`, `this.`, its class or namespace). `std::reverse(...)` or `items.reverse()` call someone
    else's function of the same name: a free helper `reverse` inlined away is not still called by them."""
    name = signature.simple_name
    owners = set(re.split(r"::|\.", signature.name)[:-1])
    for qualifier, called in calls:
        if called != name:
            continue
        if not qualifier or qualifier in owners:
            return True
        if qualifier in _SELF and (owners or signature.kind != "function"):
            return True
    return False


# Anonymous functions registered with a call (a route handler, an event listener, a test case): code no signature
# names. A call is a registration when it passes a function and a string literal (the route, the event, the name):
# what a call, an anonymous function and such a literal are, the language file says (NodeKinds).


@lru_cache(maxsize=4)
def _registrations(source: Source) -> tuple[tuple[tuple[str, str], str, bool, tuple[int, int]], ...]:
    """Every call with a string literal among its arguments: (callee name, first string), the callee as written,
    whether it passes an anonymous function, and where it is."""
    kinds = spec_for_grammar(source.grammar).node_kinds
    pattern = kinds_pattern(source.grammar, sorted(kinds.calls))
    found = []
    for call in captures(source, pattern) if pattern else []:
        arguments = call.child_by_field_name("arguments")
        if arguments is None or call.end_byte - call.start_byte > 200_000:
            continue
        values = [
            a.named_children[0] if a.type in kinds.argument_wrappers and a.named_child_count else a
            for a in arguments.named_children
        ]
        literal = next((v for v in values if v.type in kinds.string_arguments), None)
        if literal is None:
            continue
        key = (_callee_name(source, call), "".join(source.node_text(literal).split())[:200])
        shown = source.data[call.start_byte : min(arguments.start_byte, call.start_byte + 200)].decode(
            "utf-8", "replace"
        )
        found.append((key, shown, any(v.type in kinds.anonymous_functions for v in values), source.position(call)))
    return tuple(found)


def _callee_name(source: Source, call: Node) -> str:
    """The name a call calls by: `on` in `stream(cache).on(...)`, `get` in `app.get(...)`, so a renamed receiver or
    a re-spelled chain keeps the registration's key."""
    callee = call.child_by_field_name("function") or call.child_by_field_name("name") or call
    for field_name in ("property", "name", "field", "attribute"):
        member = callee.child_by_field_name(field_name)
        if member is not None:
            callee = member
            break
    return "".join(source.node_text(callee).split())[:200] if callee.end_byte - callee.start_byte < 2000 else ""


def _dropped_callbacks(before: Source, after: Source) -> list[Finding]:
    """A registration of an anonymous function that the answer no longer makes at all (by any function)."""
    kept = {key for key, _, _, _ in _registrations(after)}
    findings = []
    for key, shown, anonymous, (line, column) in _registrations(before):
        if anonymous and key not in kept:
            literal = key[1]
            findings.append(
                Finding(
                    "dropped-callback",
                    "original",
                    line,
                    column,
                    f"the function passed to {snippet(shown, 50)}({snippet(literal, 40)}, …) is missing",
                )
            )
            kept.add(key)  # said once
    return findings


# Imports and constants (LanguageSpec.imports, LanguageSpec.constant_queries). An import is dropped when a name it
# brings in is brought in by no import of the answer while the answer's code still uses it: reordering, merging or
# splitting imports, changing quotes, or swapping `require` for `import` keeps the name. An import the answer no longer
# needs (its uses refactored away, or never used at all) is a cleanup, not dropped code: reporting every import the
# answer leaves out would fail answers for removing an unused `#include` or `using`, and an import whose uses are gone
# is only as missing as the code that used it, which the other checks report. An import made for its effect alone
# (`import "./setup.js"`, a project header) has no use to read, so it is dropped whenever no import of the answer
# names its module. A constant is dropped when other files can name it and the answer never writes its name (see
# _dropped_constants): on the real corpus's labels (bench/real_agreement.py, 525 attempts), reporting every constant
# whose name was gone, private and unexported ones inlined into their uses included, failed 21 answers the reviewers
# passed and caught none they failed; charging visible ones only fails one they passed (an exported array made an
# unexported map).

# The whitespace belongs to the qualifier's group: an optional `\s*+` of its own before the name made each
# position of a blanked stretch (a 100,000-character line outside PHP's tags) read the rest of it, 27 s for one file.
_IDENTIFIER = re.compile(rb"(?:(->|::|[.\\$])\s*+)?([A-Za-z_\x80-\xff][A-Za-z0-9_$\x80-\xff]*+)")


@lru_cache(maxsize=4)
def _imports(source: Source) -> tuple[Imported, ...]:
    rule = spec_for_grammar(source.grammar).imports
    return tuple(rule(source)) if rule is not None else ()


@lru_cache(maxsize=4)
def _code_names(source: Source) -> tuple[frozenset[str], frozenset[str]]:
    """The names a text's code writes outside comments and strings: (every one, qualified or not; those written
    unqualified outside its imports). `filepath.Join` uses `filepath` unqualified; `Math.max` does not use an imported
    `max`, nor `std::vector` a `using std::vector`."""
    starts, ends = _covered(source)
    data = bytearray(source.data)
    for start, end in zip(starts, ends):
        data[start:end] = b" " * (end - start)
    everywhere = {match.group(2) for match in _IDENTIFIER.finditer(data)}
    for imported in _imports(source):
        node = imported.node
        data[node.start_byte : node.end_byte] = b" " * (node.end_byte - node.start_byte)
    bare = {match.group(2) for match in _IDENTIFIER.finditer(data) if not match.group(1)}
    return _decoded(everywhere), _decoded(bare)


def _decoded(names: set[bytes]) -> frozenset[str]:
    return frozenset(name.decode("utf-8", "replace") for name in names)


def _dropped_imports(before: Source, after: Source) -> list[Finding]:
    """An import of the original whose name no import of the answer brings in, by name or with its whole module, while
    the answer's code still uses it (and defines nothing of that name itself); or whose module, imported for its
    effect, the answer no longer imports."""
    imports = [imported for imported in _imports(before) if not imported.whole]
    if not imports:
        return []
    kept = {imported.name for imported in _imports(after) if imported.name}
    modules = {imported.module for imported in _imports(after)}
    wholes = tuple(imported.module for imported in _imports(after) if imported.whole and imported.module)
    gone = [
        imported
        for imported in imports
        if (imported.name not in kept and not any(_within(imported.module, whole) for whole in wholes))
        if imported.name or imported.module not in modules
    ]
    if not gone:
        return []  # most answers: every import kept, and the answer's code need not be read
    used = _code_names(after)[1]
    defined: set[str] | None = None
    findings = []
    said: set[tuple[str, str]] = set()
    for imported in gone:
        name, module = imported.name, imported.module
        if (name, module) in said:
            continue
        if name:
            if name not in used:
                continue
            if defined is None:
                defined = {s.simple_name for s in grammar_signatures(after.grammar, after.text)}
                defined |= {type_name for type_name, _ in _types(after)} | {c[0] for c in _constants(after)}
            if name in defined:
                continue  # the answer defines its own `join` in place of the imported one
            shown = f"{snippet(name, 40)} from {snippet(module, 60)!r}"
            message = f"the import of {shown} is missing, but the answer uses {snippet(name, 40)}"
        elif module and module not in modules:
            message = f"the import of {snippet(module, 60)!r} is missing"
        else:
            continue
        said.add((name, module))
        line, column = before.position(imported.node)
        findings.append(Finding("dropped-import", "original", line, column, message))
    return findings


def _within(module: str, whole: str) -> bool:
    """Whether a module is a whole import's module or inside it: `java.util.ArrayList` in `java.util`, `std::vector`
    in `std` (whatever the separator)."""
    return module == whole or (
        module.startswith(whole) and not (module[len(whole)].isalnum() or module[len(whole)] == "_")
    )


@lru_cache(maxsize=4)
def _constants(source: Source) -> tuple[tuple[str, Node, bool], ...]:
    """The constants of a text (LanguageSpec.constant_queries): (name, name node, whether other files can name it).
    A function, class or `require` bound to a constant name is left out: it is a definition (which the signatures and
    types checks follow) or an import."""
    spec = spec_for_grammar(source.grammar)
    kinds = spec.node_kinds
    definitions = kinds.anonymous_functions | kinds.value_definitions
    imported = {imported.name for imported in _imports(source)}
    found = []
    for pattern in spec.constant_queries:
        for match in matches(source, pattern):
            values = match.get("value", [])
            if values and values[0].type in definitions:
                continue
            definition = match.get("definition", [None])[0]
            for node in match.get("name", []):
                name = source.node_text(node)
                if name and name not in imported:
                    visible = definition is not None and not spec.hidden(source, definition, name, ())
                    found.append((name, node, visible))
    return tuple(sorted(found, key=lambda c: c[1].start_byte))


def _dropped_constants(before: Source, after: Source, path: str) -> list[Finding]:
    """A constant other files can name (public, exported, in a header) whose name the answer's code never writes: the
    file's interface lost it, as a missing public function is. One only the file can name (private, unexported, in a
    C source file) is its own, as its helpers are: inlined or no longer needed, it is refactored away, and one the
    answer still uses without defining it is an undefined name, which the defects stage reports. A constant in a type
    that is gone is part of that type's loss (reported here, or with its constructor by the signatures stage)."""
    spec = spec_for_grammar(before.grammar)
    if not spec.constant_queries or (spec.header_extensions and not path.lower().endswith(spec.header_extensions)):
        return []
    visible = [(name, node) for name, node, shown in _constants(before) if shown]
    if not visible:
        return []
    defined = {name for name, _, _ in _constants(after)}
    lost = [(name, node) for name, node in visible if name not in defined]
    if lost:  # a constant the answer defines again is written in its code; for the rest, read the code
        written = _code_names(after)[0]
        lost = [(name, node) for name, node in lost if name not in written]
    if not lost:
        return []
    gone_types = {name for name, _ in _types(before)} - {name for name, _ in _types(after)}
    findings = []
    for name, node in lost:
        if gone_types and _inside_type(before, node, gone_types):
            continue
        line, column = before.position(node)
        message = f"the constant {snippet(name, 40)} is missing: the answer never names it"
        findings.append(Finding("dropped-constant", "original", line, column, message))
    return findings


def _inside_type(source: Source, node: Node, names: set[str]) -> bool:
    """Whether a node is inside a definition named one of these (at most 64 levels up: constants sit near the top)."""
    parent = node.parent
    for _ in range(64):
        if parent is None:
            return False
        name = parent.child_by_field_name("name")
        if name is not None and name.id != node.id and _type_name(source, name) in names:
            return True
        parent = parent.parent
    return False


_MODULE_EXPORTS = re.compile(r"^\s*export\b|\bmodule\.exports\b|\bexports\.\w+", re.MULTILINE)


@lru_cache(maxsize=4)
def _top_level_statements(source: Source) -> tuple[tuple[str, tuple[int, int]], ...]:
    """The original's top-level statements that are not definitions, each by what it acts on: a call's callee
    (`app.listen`), an assignment's target (`module.exports`), an if's condition (`__name__ == "__main__"`)."""
    kinds = spec_for_grammar(source.grammar).node_kinds
    found = []
    for node in source.root.named_children:
        if node.type not in kinds.top_level_statements:
            continue
        inner = node.named_children[0] if node.type not in kinds.conditionals and node.named_child_count else node
        if inner.type in kinds.directives:
            continue  # a docstring, a directive ("use strict")
        head: Node | None
        if inner.type in kinds.conditionals:
            head = inner.child_by_field_name("condition")
        elif inner.type in kinds.calls:
            head = inner.child_by_field_name("function") or inner.child_by_field_name("name")
        elif inner.type in kinds.assignments:
            value = inner.child_by_field_name("right")
            if value is not None and (value.type in kinds.anonymous_functions or value.type in kinds.value_definitions):
                continue  # `Foo.prototype.bar = function`: a definition, which the signatures stage follows
            head = inner.child_by_field_name("left")
        else:
            head = None
        if head is None or head.end_byte - head.start_byte > 300:
            continue
        found.append(("".join(source.node_text(head).split()), source.position(node)))
    return tuple(found)


def _dropped_statements(before: Source, after: Source, said: set[int | None]) -> list[Finding]:
    """A top-level statement of the original whose callee, target or condition appears nowhere in the answer:
    moving `main()` into a function or re-spelling its arguments is fine, losing `app.listen` is not."""
    statements = _top_level_statements(before)
    if not statements:
        return []
    answer = "".join(after.text.split())
    exports = _MODULE_EXPORTS.search(after.text) is not None
    findings = []
    for head, (line, column) in statements:
        if exports and (head.startswith(("exports.", "module.exports")) or head == "Object.defineProperty"):
            continue  # CommonJS plumbing: an answer that exports another way (ES modules) keeps the exports
        if head and head not in answer and line not in said:
            findings.append(
                Finding(
                    "dropped-statement",
                    "original",
                    line,
                    column,
                    f"the top-level statement on {snippet(head, 60)!r} is missing",
                )
            )
    return findings


def _type_name(source: Source, node: Node) -> str:
    return source.node_text(node).strip().lstrip("*&").strip() if node.end_byte - node.start_byte < 200 else ""


def _is_elision(body: str) -> bool:
    if not body:
        return False
    if ("..." in body or "…" in body) and _ONLY_DOTS.match(body):
        return True
    if len(body) > 160 or not _ELISION_WORDS.search(body):
        return False  # a long comment is prose about the code, not a placeholder for it
    return any(p.search(body) for p in _ELISION_PATTERNS)


Comment: TypeAlias = tuple[str, str, tuple[int, int]]
"""A comment as the checks read it: (body, text, position)."""

T = TypeVar("T")


def _matching_comments(source: Source, max_bytes: int, accept: Callable[[str], bool]) -> tuple[Comment, ...]:
    """The comments of a text whose body `accept` takes; a comment of max_bytes or more is read as empty."""
    found = []
    for node in _comments(source):
        text = source.node_text(node) if node.end_byte - node.start_byte < max_bytes else ""
        body = _comment_body(text)
        if accept(body):
            found.append((body, text, source.position(node)))
    return tuple(found)


def _new_in_answer(original_keys: Iterable[str], items: Iterable[T], key: Callable[[T], str]) -> Iterator[T]:
    """The answer's items beyond those the original has with the same key: a multiset difference, so a line or
    comment the original already had is never blamed on the answer, however often it repeats."""
    known = Counter(original_keys)
    for item in items:
        if known[key(item)] > 0:
            known[key(item)] -= 1
        else:
            yield item


@lru_cache(maxsize=4)
def _placeholders(source: Source) -> tuple[Comment, ...]:
    """The comments of a text that read as elision placeholders."""
    return _matching_comments(source, 2000, _is_elision)


def _elisions(before: Source, after: Source) -> list[Finding]:
    return [
        Finding("elision", "refactored", line, column, f"elision placeholder: {snippet(text, 60)!r}")
        for _, text, (line, column) in _new_in_answer(
            (body for body, _, _ in _placeholders(before)), _placeholders(after), lambda c: c[0]
        )
    ]


_OPEN_ENDINGS = ("(", "[", "{", ",", "=", "+", "*", "/", "&&", "||", "\\", ".", "=>", "->", "?", "<", "%", "|", "&")


def _last_code_line(text: str) -> str:
    for line in reversed(text.replace("\r\n", "\n").replace("\r", "\n").rstrip().split("\n")[-50:]):
        stripped = line.strip()
        if stripped:
            return stripped
    return ""


def _ends_mid_statement(grammar: str, text: str) -> bool:
    last = _last_code_line(text)
    if not last or "#" in last or "//" in last or "/*" in last or last.endswith("*/"):
        return False
    endings = _OPEN_ENDINGS + spec_for_grammar(grammar).open_endings
    return last.endswith(endings) and not last.endswith(("++", "--", "...", "?>"))


def _truncation(language: str, before: Source, after: Source, path: str) -> list[Finding]:
    """At most one finding: where the answer stops short of a whole file."""
    last_line = after.text.rstrip().count("\n") + 1

    def truncated(line: int, column: int | None, message: str, side: str = "refactored") -> list[Finding]:
        return [Finding("truncated", side, line, column, message)]

    fresh, _ = new_problems(
        tree_sitter_problems(language, before.text, path), tree_sitter_problems(language, after.text, path)
    )
    at_end = [p for p in fresh if p.end_line >= last_line]
    if any(line == last_line for line, _, _ in _prose_lines(after)):
        return []  # the answer ends in chat or a fence: the prose finding says it better than a cut would
    if at_end:
        problem = at_end[-1]
        if problem.line >= last_line:
            return truncated(problem.line, problem.column, f"the file ends abruptly: {problem.message} at the end")
        # an error node running from where the text stops making sense to the end of the file
        return truncated(last_line, None, f"the file ends inside an unfinished construct begun on line {problem.line}")
    if _ends_mid_statement(before.grammar, after.text) and not _ends_mid_statement(before.grammar, before.text):
        return truncated(last_line, None, f"the file ends mid-statement: {snippet(_last_code_line(after.text), 60)!r}")
    cut = _tail_missing(before.text, after.text)
    if cut is None or _tail_folded_away(language, before, after.text, cut, path):
        return []
    return truncated(
        cut, None, f"the original's tail from line {cut} on is missing: the answer stops there", "original"
    )


def _tail_missing(original: str, refactored: str) -> int | None:
    """The original line where the attempt stops, when it reads as the original cut short."""
    old = [" ".join(line.split()) for line in original.replace("\r\n", "\n").split("\n")]
    new = [" ".join(line.split()) for line in refactored.replace("\r\n", "\n").split("\n")]
    old_code = [(i, line) for i, line in enumerate(old) if line]
    new_code = [line for line in new if line]
    if not old_code or not new_code or len(new_code) >= len(old_code):
        return None
    # A whole file still has the original's last substantial line (not a lone brace) somewhere.
    last = next((line for _, line in reversed(old_code) if sum(ch.isalnum() for ch in line) >= 4), None)
    if last is None or last in set(new_code):
        return None
    end = _where_it_stops(old_code, new_code)
    if end is None:
        return None
    # A cut answer is the original's beginning, perhaps lightly edited: most of its lines are the original's.
    before_cut = {line for i, line in old_code if i <= end}
    if sum(1 for line in new_code if line in before_cut) < 0.6 * len(new_code):
        return None
    remaining = sum(1 for i, _ in old_code if i > end)
    if remaining < max(3, len(old_code) // 10):
        return None
    return end + 1


def _tail_folded_away(language: str, before: Source, refactored: str, cut: int, path: str) -> bool:
    """Whether the original's missing tail (after line `cut`) is nothing but helpers the answer no longer needs: every
    definition there is gone and uncalled, and nothing else (a statement, half a function) is. Helpers inlined into a
    loop or replaced by a library call leave the original's beginning as the answer's shape; a cut answer stops
    inside code, or still calls what it lost."""
    tail = [s for s in extract_signatures(language, before.text, path) if s.line > cut and not s.local]
    if not tail:
        return False
    calls = _calls(refactored)
    defined = {s.simple_name for s in extract_signatures(language, refactored, path)}
    if any(s.simple_name in defined or _calls_helper(calls, s) for s in tail):
        return False
    lines = sorted(s.line for s in tail)
    return _only_definitions_after(before.root, cut, lines)


def _only_definitions_after(node: Node, cut: int, definition_lines: list[int]) -> bool:
    """Whether every named node that starts after line `cut` is a comment or holds one of the definitions; a node
    that spans the cut is looked into (a class whose last methods are the tail)."""
    for child in node.children:
        first, last = child.start_point.row + 1, child.end_point.row + 1
        if last <= cut or not child.is_named:
            continue
        if first <= cut:
            if not _only_definitions_after(child, cut, definition_lines):
                return False
            continue
        if "comment" in child.type:
            continue
        at = bisect_right(definition_lines, last)
        if at == 0 or definition_lines[at - 1] < first:
            return False
    return True


def _where_it_stops(old_code: list[tuple[int, str]], new_code: list[str]) -> int | None:
    """The original line the attempt's last line is (or begins), its lines before agreeing: the last such place."""
    tail = new_code[-1]
    before = new_code[-3:-1]
    for position in range(len(old_code) - 1, -1, -1):
        index, line = old_code[position]
        if not (line == tail or (line.startswith(tail) and (len(tail) >= 3 or before))):
            continue
        preceding = [text for _, text in old_code[max(0, position - len(before)) : position]]
        if preceding == before:
            return index
    return None


def _hidden_characters(original: str, refactored: str) -> list[Finding]:
    allowed = Counter(_HIDDEN_PATTERN.findall(original[1:] if original.startswith("\ufeff") else original))
    findings: list[Finding] = []
    start = 1 if refactored.startswith("\ufeff") else 0  # a byte-order mark at the start is an encoding mark
    for match in _HIDDEN_PATTERN.finditer(refactored, start):
        char = match.group()
        if allowed[char] > 0:
            allowed[char] -= 1
            continue
        index = match.start()
        line = refactored.count("\n", 0, index) + 1
        column = index - (refactored.rfind("\n", 0, index) + 1) + 1
        kind = "bidirectional control" if char in BIDI_CONTROLS else "invisible character"
        findings.append(Finding("hidden-character", "refactored", line, column, f"{kind} U+{ord(char):04X} introduced"))
        if len(findings) > EVIDENCE_LIMIT:
            break
    return findings


def _covered(source: Source) -> tuple[list[int], list[int]]:
    """Byte ranges of comments and string literals, as sorted starts and their ends."""
    kinds = spec_for_grammar(source.grammar).node_kinds
    pattern = kinds_pattern(source.grammar, sorted(kinds.comments | kinds.strings))
    nodes = captures(source, pattern) if pattern else []
    starts: list[int] = []
    ends: list[int] = []
    fences = spec_for_grammar(source.grammar).backtick_strings_are_fences
    for node in nodes:
        if fences and source.data[node.start_byte : node.start_byte + 1] == b"`":
            continue  # tree-sitter reads backticks as Python 2 repr strings; a markdown fence is not one
        if starts and node.start_byte < ends[-1]:
            ends[-1] = max(ends[-1], node.end_byte)  # nested (a string in a template): one range
            continue
        starts.append(node.start_byte)
        ends.append(node.end_byte)
    return starts, ends


_PROSE_CANDIDATE = re.compile(
    r"^[ \t]*(?:```|~~~|@@ |--- |\+\+\+ |(?i:here|below|this\s+(?:is|refactor)|the\s+refactor|i\b|i've|refactored|"
    r"explanation|changes|key|summary|improvements|main|what))[^\n]*",
    re.MULTILINE,
)


@lru_cache(maxsize=4)
def _prose_lines(source: Source) -> list[tuple[int, str, str]]:
    """Lines outside comments and strings that read as chat, markdown fences or diff headers: (line, kind, text)."""
    found: list[tuple[int, str, str]] = []
    covered: tuple[list[int], list[int]] | None = None
    text = source.text
    line_number, counted_to = 1, 0
    byte_offset, byte_counted_to = 0, 0
    for match in _PROSE_CANDIDATE.finditer(text):
        line = match.group().strip()
        if len(line) > 400:
            continue
        if _FENCE.match(line):
            kind = "markdown fence"
        elif any(p.match(line) for p in _DIFF_LINES):
            kind = "diff header"
        elif any(p.match(line) for p in _PROSE_PATTERNS):
            kind = "prose"
        else:
            continue
        if covered is None:
            covered = _covered(source)
        starts, ends = covered
        byte_offset += len(encode(text[byte_counted_to : match.start()]))
        byte_counted_to = match.start()
        first = byte_offset + len(encode(match.group()[: len(match.group()) - len(match.group().lstrip())]))
        index = bisect_right(starts, first) - 1
        if index >= 0 and first < ends[index]:
            continue
        line_number += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        found.append((line_number, kind, line))
    return found


@lru_cache(maxsize=4)
def _chat_comments(source: Source) -> tuple[Comment, ...]:
    """The comments of a text that talk to the user about the task."""
    return _matching_comments(
        source, 400, lambda body: bool(body) and any(p.search(body) for p in _CHAT_COMMENT_PATTERNS)
    )


def _prose(before: Source, after: Source) -> list[Finding]:
    findings = [
        Finding("prose", "refactored", line, 1, f"{kind} left in the code: {snippet(text, 60)!r}")
        for line, kind, text in _new_in_answer(
            (text for _, _, text in _prose_lines(before)), _prose_lines(after), lambda p: p[2]
        )
    ]
    for _, text, (line, column) in _new_in_answer(
        (body for body, _, _ in _chat_comments(before)), _chat_comments(after), lambda c: c[0]
    ):
        message = f"a note to the user in a comment, not about the code: {snippet(text, 60)!r}"
        findings.append(Finding("prose", "refactored", line, column, message))
    return findings
