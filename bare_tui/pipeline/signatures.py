"""The signatures stage: every function of the original keeps its qualified name and parameter list.

Parameters are compared on their names and types with whitespace, comments, default values, annotations
(Java, C#, PHP attributes) and Java's `final` left out: a changed default is a change of behaviour, not of
signature, while a changed count, order, name or type is a changed signature. Where types are optional
(Python, JavaScript, TypeScript, PHP) a type is compared only when both sides have one, so adding type hints
keeps a signature; C and C++ compare a parameter's name only where both sides name it (prototypes may not).
Functions nested in other functions may move (an extracted local helper keeps its name and parameters);
everything else must keep its qualified name. A definition must stay a definition (a C++ body removed while its
in-class declaration stays is missing); a declaration (prototype, interface method) is kept by either. New
functions are always allowed: extract-method refactorings add them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import tree_sitter

from bare_tui.model import Evidence, Outcome, StageResult
from bare_tui.pipeline.evidence import capped
from bare_tui.pipeline.languages import (
    Source,
    captures,
    grammar_name,
    kinds_pattern,
    parse_grammar,
    spec_for_grammar,
    unsupported,
)
from bare_tui.pipeline.languages.parameters import Parameter, agree, parameters_of
from bare_tui.pipeline.languages.spec import Typedefs
from bare_tui.pipeline.settings import SIGNATURE_POLICIES

RULES_VERSION = "8"
"""Bumped whenever what this stage decides changes, so that the pipeline version changes. 6: a Java class that
declares no constructor has its implicit one, which an answer must keep callable (a private one does not). 7: a
TypeScript file's type aliases are expanded before types are compared (`Values<typeof C>` and an alias for the
same union agree), each side through its own aliases first; a C++ method the answer made `const` is called as
before. 8: a class nested in a C++ class takes the access it is declared under (private by default in a class), so its
methods are the class's own business where it is private (they were read as public)."""


Node = tree_sitter.Node


@dataclass(frozen=True)
class Signature:
    """A function-like definition: its qualified name and parameters, where it is, and whether it is local."""

    name: str
    parameters: tuple[Parameter, ...]
    kind: str = field(compare=False)  # function, method, constructor, indexer, ...
    line: int = field(compare=False)
    column: int = field(compare=False)
    local: bool = field(default=False, compare=False)  # defined inside another function's body
    declaration: bool = False  # no body here: a prototype, an interface or abstract method, a C++ in-class declaration
    returns: str | None = None  # the declared return type in canonical form; None where none is declared
    visible: bool = field(default=True, compare=False)  # callers outside the file (or class) can call it

    @property
    def simple_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def movable(self) -> bool:
        """Kept by a same-named function anywhere: a local helper may be extracted, and a CommonJS export
        (`module.exports = {f() {}}`) may become `function f` exported by name."""
        return self.local or self.name.startswith(("module.exports.", "exports."))

    def display(self) -> str:
        shown = f"{self.name}({', '.join(p.text for p in self.parameters)})"
        return f"{shown} -> {self.returns}" if self.returns else shown

    def compatible(self, other: Signature) -> bool:
        return (
            len(self.parameters) == len(other.parameters)
            and agree(self.returns, other.returns)
            and all(a.compatible(b) for a, b in zip(self.parameters, other.parameters))
        )


@dataclass(frozen=True)
class SignatureChange:
    """An original signature that is missing from the attempt (after is None) or changed."""

    before: Signature
    after: Signature | None
    body_gone: bool = False  # a definition of which only a declaration is left


POLICIES = SIGNATURE_POLICIES  # settings.py's: `verify --signature-policy` offers them without loading this module


def check_signatures(
    language: str, original: str, refactored: str | None, path: str = "", policy: str = "visible"
) -> StageResult:
    """Pass when every original signature callers can see is kept; the score is the fraction kept."""
    if (skipped := unsupported(language)) is not None:
        return skipped
    if policy not in POLICIES:
        raise ValueError(f"unknown signature policy {policy!r}; expected one of {', '.join(POLICIES)}")
    before = interface(language, original, path, policy)
    after = interface(language, refactored, path, policy) if refactored else []
    grammar = grammar_name(language, path)
    spec = spec_for_grammar(grammar)
    typedefs = spec.typedefs
    if typedefs is not None:
        own = typedefs.aliases(grammar, original)
        theirs = typedefs.aliases(grammar, refactored) if refactored else {}
        if own or theirs:
            # Each side reads its types through its own aliases first (an alias the answer redefines is the
            # answer's), then through the other's (an alias one side dropped still names the same type).
            before = _with_aliases(before, theirs | own, typedefs)
            after = _with_aliases(after, own | theirs, typedefs)
    if spec.caller_compatible_qualifiers:
        after = _qualifiers_added(before, after, spec.caller_compatible_qualifiers)
    changes = compare_signatures(before, after)
    kept = len(before) - len(changes)
    score = kept / len(before) if before else 1.0
    details = {
        "policy": policy,
        "original": len(before),
        "refactored": len(after),
        "kept": kept,
        "missing": sum(1 for c in changes if c.after is None),
        "changed": sum(1 for c in changes if c.after is not None),
    }
    if (refactored is None or not refactored.strip()) and before:
        reason = "no code could be extracted from the answer" if refactored is None else "the answer is empty"
        evidence = (Evidence("refactored", None, None, reason),) + _evidence(changes)
        return StageResult(Outcome.FAIL, score=0.0, evidence=evidence, details=details)
    if not changes:
        return StageResult(Outcome.PASS, score=score, details=details)
    return StageResult(Outcome.FAIL, score=score, evidence=_evidence(changes), details=details)


def interface(language: str, text: str, path: str = "", policy: str = "visible") -> list[Signature]:
    """The signatures the stage compares: those callers outside the file can call (every named one under `all`)."""
    found = extract_signatures(language, text, path)
    if policy == "all":
        return [s for s in found if not s.local]
    return [s for s in found if s.visible and not s.local]


_OVERLOAD_LIMIT = 500
"""Partners looked at per signature beyond the exact match: real overload sets are far smaller, and the cap keeps
a hostile answer with thousands of same-named functions from costing quadratic time."""


def compare_signatures(before: list[Signature], after: list[Signature]) -> list[SignatureChange]:
    """The original signatures not kept by the attempt, each paired with its changed form when there is one.

    A definition is kept by a definition (each used once, exact matches first so an overload cannot take
    another's partner); a declaration is kept by anything with its name and parameters (a prototype by the
    definition, a C++ in-class declaration by an inline body). Lookups go through indexes, so an answer with
    thousands of functions costs no more than reading them.
    """
    by_name: dict[str, list[Signature]] = {}
    exact: dict[tuple[str, tuple[Parameter, ...], str | None], list[Signature]] = {}
    by_arity: dict[tuple[str, int], list[Signature]] = {}
    for signature in after:
        by_name.setdefault(signature.name, []).append(signature)
        if not signature.declaration:
            exact.setdefault((signature.name, signature.parameters, signature.returns), []).append(signature)
            by_arity.setdefault((signature.name, len(signature.parameters)), []).append(signature)
    used: set[int] = set()
    pending: list[Signature] = []
    for signature in before:
        if (
            not signature.declaration
            and _find(exact.get((signature.name, signature.parameters, signature.returns), ()), used) is None
        ):
            pending.append(signature)
    unmatched: list[Signature] = []
    for signature in pending:
        candidates = by_arity.get((signature.name, len(signature.parameters)), ())[:_OVERLOAD_LIMIT]
        if _find(candidates, used, signature.compatible) is None:
            unmatched.append(signature)
    for signature in before:
        if signature.declaration and not any(
            signature.compatible(s) for s in by_name.get(signature.name, ())[:_OVERLOAD_LIMIT]
        ):
            unmatched.append(signature)
    unmatched.sort(key=lambda s: (s.line, s.column))
    changes: list[SignatureChange] = []
    by_simple_name: dict[str, list[Signature]] = {}
    for signature in after:
        if id(signature) not in used:
            by_simple_name.setdefault(signature.simple_name, []).append(signature)
    spare = {name: iter(signatures) for name, signatures in by_name.items()}  # unused partners, in order
    for signature in unmatched:
        if signature.movable:
            moved = _find(by_simple_name.get(signature.simple_name, ()), used, signature.compatible)
            if moved is not None:
                continue
        same_name = by_name.get(signature.name, ())
        if not signature.declaration and any(
            s.declaration and signature.compatible(s) for s in same_name[:_OVERLOAD_LIMIT]
        ):
            changes.append(SignatureChange(signature, None, body_gone=True))
            continue
        changed = next((s for s in spare.get(signature.name, iter(())) if id(s) not in used), None)
        if changed is not None:
            used.add(id(changed))
        elif same_name:
            changed = same_name[0]  # more changed overloads than partners: show the first
        changes.append(SignatureChange(signature, changed))
    return changes


def _find(
    candidates: Sequence[Signature], used: set[int], accept: Callable[[Signature], bool] | None = None
) -> Signature | None:
    """The first unused candidate that `accept` takes (any, without it), marked used."""
    for candidate in candidates:
        if id(candidate) not in used and (accept is None or accept(candidate)):
            used.add(id(candidate))
            return candidate
    return None


def extract_signatures(language: str, text: str, path: str = "") -> list[Signature]:
    """The function-like definitions of a text, in document order, each signature once."""
    return grammar_signatures(grammar_name(language, path), text)


def grammar_signatures(grammar: str, text: str) -> list[Signature]:
    """extract_signatures() for a text read with a grammar named as grammar_name() gives it."""
    return list(_extract(grammar, text))


@lru_cache(maxsize=4)  # the signatures and integrity stages both read the same two texts
def _extract(grammar: str, text: str) -> tuple[Signature, ...]:
    found = _scan(parse_grammar(grammar, text))
    seen: set[Signature] = set()
    unique: list[Signature] = []
    for signature in found:
        if signature not in seen:
            seen.add(signature)
            unique.append(signature)
    return tuple(unique)


def _evidence(changes: list[SignatureChange]) -> tuple[Evidence, ...]:
    return capped(changes, "signatures", _change_evidence, side="original")


def _change_evidence(change: SignatureChange) -> Evidence:
    before, after = change.before, change.after
    if after is None:
        gone = " (only a declaration is left)" if change.body_gone else ""
        return Evidence("original", before.line, before.column, f"missing {before.kind}: {before.display()}{gone}")
    return Evidence(
        "refactored",
        after.line,
        after.column,
        f"changed {before.kind}: {before.display()} (original line {before.line}) -> {after.display()}",
    )


# ---------------------------------------------------------------------------------------------------------
# Parameters


_ARGUMENTS = Parameter("...", None, "...arguments")
_ARGUMENTS_WORD = re.compile(rb"\barguments\b")


def _reads_arguments(source: Source, node: Node) -> bool:
    return (
        node.end_byte - node.start_byte < 200_000
        and _ARGUMENTS_WORD.search(source.data, node.start_byte, node.end_byte) is not None
    )


# ---------------------------------------------------------------------------------------------------------
# The scan: one walk per file over the nodes its language declares (languages/<name>.py: definition_kinds, visit,
# prefix), with an explicit stack of (end, scope, inside-a-function, skipped, hidden).


def _scan(source: Source) -> list[Signature]:
    """Visit the nodes that matter in document order, nesting them by byte range rather than walking the tree.

    A tree-sitter query finds the language's definition nodes in C; an explicit stack of open ranges gives each its
    scope, so a file of any size costs one query and a loop over definitions, and deep nesting cannot overflow anything.
    """
    spec = spec_for_grammar(source.grammar)
    prefix, visit = spec.prefix, spec.visit
    root = source.root
    # Top-level statements that set a prefix for what follows them (Go package, Java package, PHP namespace;).
    starts: list[int] = []
    prefixes: list[tuple[str, ...]] = []
    if prefix is not None:
        current: tuple[str, ...] = ()
        for child in root.children:
            named = prefix(source, child)
            if named is not None:
                current = tuple(part for part in named.split(".") if part)
            starts.append(child.start_byte)
            prefixes.append(current)
    found: list[Signature] = []
    hidden_rule = spec.hidden
    # (end byte, scope, inside a function, skipped, hidden from callers outside)
    open_ranges: list[tuple[int, tuple[str, ...], bool, bool, bool]] = []
    for node in captures(source, kinds_pattern(source.grammar, spec.definition_kinds)):
        while open_ranges and open_ranges[-1][0] <= node.start_byte:
            open_ranges.pop()
        if open_ranges:
            _, scope, in_function, skipped, hidden = open_ranges[-1]
        else:
            index = bisect_right(starts, node.start_byte) - 1
            scope, in_function, skipped, hidden = (prefixes[index] if index >= 0 else ()), False, False, False
        if skipped:
            continue
        seen = visit(source, node)
        if seen.skip:
            open_ranges.append((node.end_byte, scope, in_function, True, hidden))
            continue
        if (seen.emit is not None or seen.scope) and not hidden:
            name = seen.emit[1] if seen.emit is not None and seen.emit[1] else seen.scope or ""
            self_hidden = hidden_rule(source, node, name, scope)
        else:
            self_hidden = False
        if seen.emit is not None:
            kind, name, params = seen.emit
            line, column = source.position(seen.at if seen.at is not None else node)
            qualified = ".".join(scope + tuple(part for part in name.split(".") if part))
            parameters = parameters_of(source, params)
            if not parameters and spec.arguments_object and params is not None and _reads_arguments(source, node):
                parameters = (_ARGUMENTS,)  # `function f() { ... arguments ... }` takes what `f(...args)` takes
            found.append(
                Signature(
                    qualified,
                    parameters,
                    kind,
                    line,
                    column,
                    in_function,
                    seen.declaration,
                    _return_type(source, node, kind),
                    not (hidden or self_hidden or in_function),
                )
            )
        if seen.scope or seen.function or seen.hide:
            child_scope = scope + (seen.scope,) if seen.scope else scope
            child_hidden = hidden or seen.hide or (self_hidden and bool(seen.scope))
            open_ranges.append((node.end_byte, child_scope, in_function or seen.function, False, child_hidden))
    return _members_defined_outside(found) if spec.members_defined_outside else found


def _members_defined_outside(found: list[Signature]) -> list[Signature]:
    """C and C++: declarations inside function bodies are not the file's API, and a member declared private in its
    class stays private where it is defined (`int Box::area() const {}`)."""
    found = [s for s in found if not (s.declaration and s.local)]
    private = {s.name for s in found if not s.visible and s.kind == "method"}
    if private:
        found = [replace(s, visible=False) if s.visible and s.name in private else s for s in found]
    return found


def _return_type(source: Source, node: Node, kind: str) -> str | None:
    """The declared return type, as the language's file reads it; constructors and destructors have none."""
    if kind in ("constructor", "destructor"):
        return None
    spec = spec_for_grammar(source.grammar)
    return spec.return_type(spec, source, node)


def _qualifiers_added(before: list[Signature], after: list[Signature], qualifiers: tuple[str, ...]) -> list[Signature]:
    """The answer's signatures with a qualifier it added to an original's name taken off (C++'s `roster() const` for
    `roster()`: callers call it the same way), where the original has no such qualified one and the answer keeps no
    plain one (then the two are overloads, and each is compared as it is)."""
    names = {s.name for s in before}
    kept = {s.name for s in after}
    result = []
    for signature in after:
        for qualifier in qualifiers:
            plain = signature.name.removesuffix(qualifier)
            if plain != signature.name and plain in names and signature.name not in names and plain not in kept:
                signature = replace(signature, name=plain)
                break
        result.append(signature)
    return result


def _with_aliases(signatures: list[Signature], aliases: dict[str, str], typedefs: Typedefs) -> list[Signature]:
    def typed(parameter: Parameter) -> Parameter:
        if parameter.type is None:
            return parameter
        return Parameter(parameter.name, typedefs.resolve(parameter.type, aliases), parameter.text)

    return [
        replace(
            s,
            parameters=tuple(typed(p) for p in s.parameters),
            returns=typedefs.resolve(s.returns, aliases) if s.returns is not None else None,
        )
        for s in signatures
    ]
