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
from bare_tui.pipeline.evidence import EVIDENCE_LIMIT, capped
from bare_tui.pipeline.languages import (
    Source,
    captures,
    grammar_name,
    kinds_pattern,
    parse_source,
    spec_for_grammar,
    unsupported,
    unwrap_parentheses,
)

RULES_VERSION = "5"
"""Bumped whenever what this stage decides changes, so that the pipeline version changes."""


Node = tree_sitter.Node


@dataclass(frozen=True)
class Parameter:
    """One parameter: its name and type in canonical form (None where the language leaves it out)."""

    name: str | None
    type: str | None
    text: str = field(default="", compare=False)  # as written, whitespace collapsed, for messages

    def compatible(self, other: Parameter) -> bool:
        """The same parameter, a side without a type (or name) agreeing with any."""
        return _agree(self.name, other.name) and _agree(self.type, other.type)


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
            and _agree(self.returns, other.returns)
            and all(a.compatible(b) for a, b in zip(self.parameters, other.parameters))
        )


@dataclass(frozen=True)
class SignatureChange:
    """An original signature that is missing from the attempt (after is None) or changed."""

    before: Signature
    after: Signature | None
    body_gone: bool = False  # a definition of which only a declaration is left


POLICIES = ("visible", "all")
"""`visible`: only what callers of the file can see is compared (the default, DESIGN.md's stage 2); `all`: every
named function, private helpers too (the stage before 3)."""


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
    if grammar_name(language, path) in ("c", "cpp"):
        aliases = type_aliases(language, original, path) | (
            type_aliases(language, refactored, path) if refactored else {}
        )
        if aliases:
            before, after = _with_aliases(before, aliases), _with_aliases(after, aliases)
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
    return list(_extract(grammar_name(language, path), text))


@lru_cache(maxsize=4)  # the signatures and integrity stages both read the same two texts
def _extract(grammar: str, text: str) -> tuple[Signature, ...]:
    path = "x.tsx" if grammar == "tsx" else ""
    language = "typescript" if grammar == "tsx" else grammar
    source = parse_source(language, text, path)
    scanner = _SCANNERS[grammar]
    found = scanner(source)
    seen: set[Signature] = set()
    unique: list[Signature] = []
    for signature in found:
        if signature not in seen:
            seen.add(signature)
            unique.append(signature)
    return tuple(unique)


def _evidence(changes: list[SignatureChange]) -> tuple[Evidence, ...]:
    shown: list[Evidence] = []
    for change in changes[:EVIDENCE_LIMIT]:
        before = change.before
        if change.after is None:
            gone = " (only a declaration is left)" if change.body_gone else ""
            shown.append(
                Evidence("original", before.line, before.column, f"missing {before.kind}: {before.display()}{gone}")
            )
        else:
            after = change.after
            shown.append(
                Evidence(
                    "refactored",
                    after.line,
                    after.column,
                    f"changed {before.kind}: {before.display()} (original line {before.line}) -> {after.display()}",
                )
            )
    return capped(shown, "signatures", side="original", total=len(changes))


def _agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


# ---------------------------------------------------------------------------------------------------------
# Parameters


_LIST_PUNCTUATION = frozenset({"(", ")", "[", "]", "<", ">", "|"})
# Subtrees left out of a parameter: they do not change how it is called.
_IGNORED_IN_PARAMETER = {
    "java": frozenset({"modifiers", "marker_annotation", "annotation"}),
    "csharp": frozenset({"attribute_list"}),
    # A promoted constructor parameter (`private int $x`, `private readonly s: string`) is called like a plain one.
    "php": frozenset({"attribute_list", "visibility_modifier", "readonly_modifier"}),
    "python": frozenset(),
    "javascript": frozenset({"decorator"}),
    "typescript": frozenset({"decorator", "accessibility_modifier", "readonly", "override_modifier"}),
    "tsx": frozenset({"decorator", "accessibility_modifier", "readonly", "override_modifier"}),
    "go": frozenset(),
    "c": frozenset({"attribute_specifier"}),
    "cpp": frozenset({"attribute_specifier", "attribute_declaration"}),
}


def parameters_of(source: Source, params: Node | None) -> tuple[Parameter, ...]:
    """The canonical parameters of a parameter-list node (or of a lone parameter, as in `x => x`)."""
    if params is None:
        return ()
    groups: list[list[Node]] = []
    if params.type in ("identifier", "variable_name"):
        groups.append([params])
    else:
        current: list[Node] = []
        for child in params.children:
            if child.type == ",":
                groups.append(current)
                current = []
            elif child.type in _LIST_PUNCTUATION or child.is_extra:
                continue
            else:
                current.append(child)
        groups.append(current)
    grammar = source.grammar
    result: list[Parameter] = []
    for group in groups:
        if not group:
            continue
        if grammar == "go":
            result.extend(_go_parameters(source, group))
            continue
        text = _as_written(source, group)
        spec = spec_for_grammar(grammar)
        if spec.optional_types:
            name, type_key = _optional_typed_parameter(source, group)
            if not spec.named_arguments:
                name = _positional_name(name)
            if not spec.return_fields:
                type_key = None  # a language whose annotations are hints (Python): no caller breaks when one changes
            result.append(Parameter(name, type_key, text))
        elif grammar in ("c", "cpp"):
            # Callers never see a C or C++ parameter's name (and prototypes may leave it out): the type alone.
            ignored = _IGNORED_IN_PARAMETER[grammar]
            name_node = _c_parameter_name(group)
            skip = {name_node.id} if name_node is not None else set()
            key = _canonical(source, group, ignored, skip_ids=skip)
            if key == "void" and name_node is None and len(groups) == 1:
                continue  # f(void) takes no parameters
            if key or name_node is not None:
                result.append(Parameter(None, normalise_c_type(key), text))
        elif grammar == "java":
            # Java callers pass by position: the name is left out, the type kept.
            key = _canonical(source, group, _IGNORED_IN_PARAMETER["java"], skip_ids=_java_parameter_names(group))
            if key:
                result.append(Parameter(None, key, text))
        else:
            key = _canonical(source, group, _IGNORED_IN_PARAMETER.get(grammar, frozenset()))
            if key:
                result.append(Parameter(None, key, text))
    return tuple(result)


_JS_GRAMMARS = frozenset({"javascript", "typescript", "tsx"})
_ARGUMENTS = Parameter("...", None, "...arguments")
_ARGUMENTS_WORD = re.compile(rb"\barguments\b")


def _reads_arguments(source: Source, node: Node) -> bool:
    return (
        node.end_byte - node.start_byte < 200_000
        and _ARGUMENTS_WORD.search(source.data, node.start_byte, node.end_byte) is not None
    )


def _positional_name(name: str | None) -> str | None:
    """What a positional parameter's name means to callers: nothing, except a rest parameter (`...args`) and a
    destructured object or array, whose keys callers do pass."""
    if name is None:
        return ""
    if name.startswith("..."):
        return "..."
    if name[:1] in ("{", "["):
        return name
    return ""  # a plain positional parameter: any name is the same to callers, but not a rest parameter


def _java_parameter_names(group: list[Node]) -> set[int]:
    ids: set[int] = set()
    for node in group:
        name = node.child_by_field_name("name")
        if name is not None:
            ids.add(name.id)
        for child in node.named_children:  # spread_parameter: `String... names`
            if child.type == "variable_declarator":
                ids.add(child.id)
        dimensions = node.child_by_field_name("dimensions")
        if dimensions is not None and name is not None:
            ids.discard(dimensions.id)
    return ids


def _c_parameter_name(group: list[Node]) -> Node | None:
    """The identifier a C or C++ parameter declares (through pointers, references, arrays), if it names one."""
    if len(group) != 1:
        return None
    node = group[0].child_by_field_name("declarator")
    for _ in range(64):
        if node is None:
            return None
        if node.type == "identifier":
            return node
        inner = node.child_by_field_name("declarator")
        if inner is None and node.type in ("reference_declarator", "parenthesized_declarator", "pointer_declarator"):
            inner = next(
                (c for c in node.named_children if c.type not in ("type_qualifier", "ms_pointer_modifier")), None
            )
        node = inner
    return None


def _as_written(source: Source, group: list[Node]) -> str:
    """A parameter's text as written, whitespace collapsed and its default value cut off."""
    end = group[-1].end_byte
    for node in group:
        cut = next((child for child in node.children if child.type == "="), None)
        if cut is not None:
            end = min(end, cut.start_byte)
            break
    start = group[0].start_byte
    raw = source.data[start : min(end, start + 400)].decode("utf-8", errors="replace")
    return " ".join(raw.split())


def _optional_typed_parameter(source: Source, group: list[Node]) -> tuple[str | None, str | None]:
    ignored = _IGNORED_IN_PARAMETER.get(source.grammar, frozenset())
    type_nodes = [t for node in group for t in (node.child_by_field_name("type"),) if t is not None]
    type_ids = {t.id for t in type_nodes}
    name = _canonical(source, group, ignored, skip_ids=type_ids, drop_tokens=frozenset({":"}))
    type_key: str | None = None
    if type_nodes:
        type_key = _canonical(source, type_nodes, ignored).lstrip(":") or None
    return name or None, type_key


def _go_parameters(source: Source, group: list[Node]) -> list[Parameter]:
    node = group[0]
    type_node = node.child_by_field_name("type")
    names = node.children_by_field_name("name")
    type_key = _canonical(source, [type_node] if type_node else group, frozenset())
    type_text = _as_written(source, [type_node] if type_node else group)
    variadic = "..." if node.type == "variadic_parameter_declaration" else ""
    if not names:
        return [Parameter(None, variadic + type_key, variadic + type_text)]
    # Go callers pass by position: `func(int)` and `func(n int)` are called alike, so the name is left out.
    return [Parameter(None, variadic + type_key, f"{source.node_text(n)} {variadic}{type_text}") for n in names]


def _canonical(
    source: Source,
    nodes: list[Node],
    ignored: frozenset[str],
    skip_ids: set[int] | frozenset[int] = frozenset(),
    drop_tokens: frozenset[str] = frozenset(),
) -> str:
    """A key for some nodes' tokens that ignores whitespace and comments; a default after `=` is cut off."""
    pieces: list[str] = []
    for top in nodes:
        stack = [top]
        while stack:
            node = stack.pop()
            if node.id in skip_ids or node.type in ignored or node.is_extra:  # Java: line_/block_comment
                continue
            if node.child_count == 0 or node.type in ("string", "string_literal", "interpreted_string_literal"):
                token = source.node_text(node)
                if token in drop_tokens:
                    continue
                # A space only where two words would otherwise run together.
                if pieces and _wordy(pieces[-1][-1:]) and _wordy(token[:1]):
                    pieces.append(" ")
                pieces.append(token)
                continue
            children = node.children
            for index, child in enumerate(children):
                if child.type == "=":
                    children = children[:index]
                    break
            stack.extend(reversed(children))
    return "".join(pieces)


def _wordy(char: str) -> bool:
    return char.isalnum() or char in "_$"


# ---------------------------------------------------------------------------------------------------------
# Scanners: one walk per language with an explicit stack of (node, scope, inside-a-function)


@dataclass(frozen=True)
class _Visit:
    """What a node means for the walk: a signature to record, a scope its children live in, or neither."""

    emit: tuple[str, str, Node | None] | None = None  # (kind, name, parameter-list node)
    scope: str | None = None  # a name the children are qualified with
    function: bool = False  # the children are inside a function body
    declaration: bool = False  # the emitted signature has no body here
    at: Node | None = None  # where the signature is, when not at the node itself
    skip: bool = False  # nothing under this node is part of the file's API
    hide: bool = False  # what is under this node is hidden from other files (C++'s anonymous namespace)


_NOTHING = _Visit()
_SKIP = _Visit(skip=True)


def _scan(
    source: Source,
    visit: Callable[[Source, Node], _Visit],
    prefix: Callable[[Source, Node], str | None] | None = None,
) -> list[Signature]:
    """Visit the nodes that matter in document order, nesting them by byte range rather than walking the tree.

    A tree-sitter query finds the candidate nodes in C; an explicit stack of open ranges gives each its scope,
    so a 5 MB file costs one query and a loop over definitions, and deep nesting cannot overflow anything.
    """
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
    hidden_rule = spec_for_grammar(source.grammar).hidden
    # (end byte, scope, inside a function, skipped, hidden from callers outside)
    open_ranges: list[tuple[int, tuple[str, ...], bool, bool, bool]] = []
    for node in _candidates(source):
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
            if (
                not parameters
                and source.grammar in _JS_GRAMMARS
                and params is not None
                and _reads_arguments(source, node)
            ):
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
    return found


_CANDIDATE_KINDS: dict[str, tuple[str, ...]] = {
    "python": ("function_definition", "class_definition", "lambda"),
    "javascript": (
        "function_declaration",
        "generator_function_declaration",
        "function_signature",
        "method_definition",
        "method_signature",
        "abstract_method_signature",
        "class",
        "class_declaration",
        "abstract_class_declaration",
        "interface_declaration",
        "internal_module",
        "module",
        "variable_declarator",
        "assignment_expression",
        "pair",
        "field_definition",
        "public_field_definition",
        "arrow_function",
        "function_expression",
        "function",
        "generator_function",
    ),
    "go": ("function_declaration", "method_declaration", "type_spec", "method_elem", "method_spec", "func_literal"),
    "java": (
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
        "method_declaration",
        "constructor_declaration",
        "compact_constructor_declaration",
        "object_creation_expression",
        "lambda_expression",
    ),
    "csharp": (
        "namespace_declaration",
        "class_declaration",
        "struct_declaration",
        "interface_declaration",
        "record_declaration",
        "record_struct_declaration",
        "enum_declaration",
        "method_declaration",
        "local_function_statement",
        "constructor_declaration",
        "destructor_declaration",
        "operator_declaration",
        "conversion_operator_declaration",
        "indexer_declaration",
        "lambda_expression",
        "anonymous_method_expression",
        "accessor_declaration",
    ),
    "c": (
        "function_definition",
        "declaration",
        "field_declaration",
        "class_specifier",
        "struct_specifier",
        "union_specifier",
        "namespace_definition",
        "lambda_expression",
    ),
    "php": (
        "namespace_definition",
        "class_declaration",
        "interface_declaration",
        "trait_declaration",
        "enum_declaration",
        "function_definition",
        "method_declaration",
        "object_creation_expression",
        "anonymous_function",
        "arrow_function",
        "anonymous_function_creation_expression",
    ),
}
_CANDIDATE_KINDS["typescript"] = _CANDIDATE_KINDS["tsx"] = _CANDIDATE_KINDS["javascript"]
_CANDIDATE_KINDS["cpp"] = _CANDIDATE_KINDS["c"]


def _candidates(source: Source) -> list[Node]:
    kinds = _CANDIDATE_KINDS[source.grammar]
    if source.grammar == "python":
        kinds = kinds + (
            "ERROR",
        )  # a def whose colon is missing: tree-sitter keeps its name and parameters in an ERROR
    return captures(source, kinds_pattern(source.grammar, kinds))


def _name(source: Source, node: Node | None) -> str:
    return " ".join(source.node_text(node).split()) if node is not None else ""


# Python


def _visit_python(source: Source, node: Node) -> _Visit:
    kind = node.type
    if kind == "function_definition":
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(("function", name, node.child_by_field_name("parameters")), scope=name, function=True)
    if kind == "class_definition":
        return _Visit(scope=_name(source, node.child_by_field_name("name")))
    if kind == "lambda":
        return _SKIP
    if kind == "ERROR":
        return _python_broken_def(source, node)
    return _NOTHING


def _python_broken_def(source: Source, node: Node) -> _Visit:
    """`def name(params)` inside an ERROR node (say, the colon is missing): still a function of the file."""
    children = node.children
    for index, child in enumerate(children[:-2]):
        if (
            child.type == "def"
            and children[index + 1].type == "identifier"
            and children[index + 2].type == "parameters"
        ):
            name = _name(source, children[index + 1])
            return _Visit(("function", name, children[index + 2]), at=child)
    if len(children) >= 2 and children[0].type == "identifier" and children[1].type == "parameters":
        # tree-sitter may leave the `def` keyword out of the ERROR node it keeps the rest in
        before = source.data[max(0, node.start_byte - 8) : node.start_byte].decode("utf-8", "replace")
        if before.rstrip().endswith("def"):
            return _Visit(("function", _name(source, children[0]), children[1]), at=children[0])
    return _NOTHING


# JavaScript and TypeScript

_JS_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "generator_function", "async_function"})
_JS_CLASSES = frozenset({"class", "class_declaration", "abstract_class_declaration"})


def _js_member_name(source: Source, node: Node | None) -> str:
    if node is None:
        return ""
    if node.type == "string":
        return _name(source, node)[1:-1]
    if node.type == "computed_property_name":
        return "[" + " ".join(source.node_text(node)[1:-1].split()) + "]"
    return _name(source, node)


def _js_params(node: Node) -> Node | None:
    return node.child_by_field_name("parameters") or node.child_by_field_name("parameter")


def _js_assigned(source: Source, name: str, value: Node | None, kind: str) -> _Visit:
    if value is None or not name:
        return _NOTHING
    value = _unwrap_parentheses(value)
    if value.type in _JS_FUNCTIONS:
        return _Visit((kind, name, _js_params(value)), scope=name, function=True)
    if value.type in ("object", "class"):
        return _Visit(scope=name)
    return _NOTHING


_unwrap_parentheses = unwrap_parentheses


def _visit_js(source: Source, node: Node) -> _Visit:
    kind = node.type
    if kind in ("function_declaration", "generator_function_declaration", "function_signature"):
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(
            ("function", name, node.child_by_field_name("parameters")),
            scope=name,
            function=True,
            declaration=kind == "function_signature",
        )
    if kind in ("method_definition", "method_signature", "abstract_method_signature"):
        name = _js_member_name(source, node.child_by_field_name("name"))
        accessor = next((c.type for c in node.children if c.type in ("get", "set")), "")
        shown = f"{accessor} {name}" if accessor else name
        if name == "constructor" and not accessor:
            # Named after its class, like the constructor function of pre-2015 code (`function Foo(a)`), so
            # rewriting that as a class keeps the signature.
            return _Visit(
                ("constructor", "", node.child_by_field_name("parameters")),
                scope=name,
                function=True,
                declaration=node.child_by_field_name("body") is None,
            )
        return _Visit(
            ("method", shown, node.child_by_field_name("parameters")),
            scope=name,
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind in _JS_CLASSES or kind in ("interface_declaration", "internal_module", "module"):
        name = _name(source, node.child_by_field_name("name"))
        if kind == "module":
            name = name.strip("'\"")
        if kind in _JS_CLASSES and name and not _declares_constructor(node):
            # `new Foo()` calls the implicit constructor: the same call as `function Foo() {}` made a class
            return _Visit(("constructor", name, None), scope=name)
        return _Visit(scope=name or None)
    if kind == "variable_declarator":
        target = node.child_by_field_name("name")
        if target is not None and target.type == "identifier":
            return _js_assigned(source, _name(source, target), node.child_by_field_name("value"), "function")
        return _NOTHING
    if kind == "assignment_expression":
        target = node.child_by_field_name("left")
        if target is not None and target.type in ("identifier", "member_expression"):
            # `Foo.prototype.bar = function` is the method `Foo.bar`, as in `class Foo { bar() {} }`
            name = _name(source, target).replace(".prototype.", ".")
            return _js_assigned(source, name, node.child_by_field_name("right"), "function")
        return _NOTHING
    if kind == "pair":
        return _js_assigned(
            source,
            _js_member_name(source, node.child_by_field_name("key")),
            node.child_by_field_name("value"),
            "method",
        )
    if kind in ("field_definition", "public_field_definition"):
        target = node.child_by_field_name("property") or node.child_by_field_name("name")
        return _js_assigned(source, _js_member_name(source, target), node.child_by_field_name("value"), "method")
    if kind in _JS_FUNCTIONS:
        if _immediately_invoked(node):
            return _NOTHING  # (function () { ... })(): a module pattern, its functions are the file's own
        return _Visit(function=True)
    return _NOTHING


def _declares_constructor(node: Node) -> bool:
    body = node.child_by_field_name("body")
    if body is None:
        return True  # nothing to say about a class without a body
    for member in body.named_children:
        if member.type in ("method_definition", "method_signature"):
            name = member.child_by_field_name("name")
            if name is not None and name.text == b"constructor":
                return True
    return bool(node.child_by_field_name("heritage") or any(c.type == "class_heritage" for c in node.children))


def _immediately_invoked(node: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None or parent.type != "call_expression":
        return False
    callee = parent.child_by_field_name("function")
    return callee is not None and callee.id == node.id


# Go


def _go_prefix(source: Source, node: Node) -> str | None:
    if node.type == "package_clause":
        return _name(source, node.named_children[0]) if node.named_child_count else ""
    return None


def _go_receiver(source: Source, receiver: Node | None) -> str:
    if receiver is None:
        return ""
    declaration = next((c for c in receiver.named_children if c.type == "parameter_declaration"), None)
    type_node = declaration.child_by_field_name("type") if declaration is not None else None
    if type_node is None:
        return ""
    pointer = type_node.type == "pointer_type"
    if pointer and type_node.named_child_count:
        type_node = type_node.named_children[0]
    if type_node.type == "generic_type":
        type_node = type_node.child_by_field_name("type") or type_node
    name = _name(source, type_node)
    return f"(*{name})" if pointer else name


def _visit_go(source: Source, node: Node) -> _Visit:
    kind = node.type
    if kind == "function_declaration":
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(("function", name, node.child_by_field_name("parameters")), function=True)
    if kind == "method_declaration":
        receiver = _go_receiver(source, node.child_by_field_name("receiver"))
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(
            ("method", f"{receiver}.{name}" if receiver else name, node.child_by_field_name("parameters")),
            function=True,
        )
    if kind == "type_spec":
        return _Visit(scope=_name(source, node.child_by_field_name("name")))
    if kind in ("method_elem", "method_spec"):
        return _Visit(
            ("method", _name(source, node.child_by_field_name("name")), node.child_by_field_name("parameters")),
            declaration=True,
        )
    if kind == "func_literal":
        return _Visit(function=True)
    return _NOTHING


# Java


def _java_prefix(source: Source, node: Node) -> str | None:
    if node.type == "package_declaration":
        named = [c for c in node.named_children if c.type in ("scoped_identifier", "identifier")]
        return _name(source, named[0]) if named else ""
    return None


def _visit_java(source: Source, node: Node) -> _Visit:
    kind = node.type
    if kind in (
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
    ):
        name = _name(source, node.child_by_field_name("name"))
        if kind == "record_declaration":
            # The record's components are its canonical constructor's parameters.
            return _Visit(("constructor", f"{name}.{name}", node.child_by_field_name("parameters")), scope=name)
        return _Visit(scope=name)
    if kind == "method_declaration":
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(
            ("method", name, node.child_by_field_name("parameters")),
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind == "constructor_declaration":
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(("constructor", name, node.child_by_field_name("parameters")), function=True)
    if kind == "compact_constructor_declaration":
        return _Visit(function=True)
    if kind == "object_creation_expression" and any(c.type == "class_body" for c in node.children):
        return _SKIP  # an anonymous class's methods are not named API (and may become a lambda)
    if kind == "lambda_expression":
        return _Visit(function=True)
    return _NOTHING


# C#


def _csharp_prefix(source: Source, node: Node) -> str | None:
    if node.type == "file_scoped_namespace_declaration":
        return _name(source, node.child_by_field_name("name"))
    return None


def _visit_csharp(source: Source, node: Node) -> _Visit:
    kind = node.type
    if kind == "namespace_declaration":
        return _Visit(scope=_name(source, node.child_by_field_name("name")))
    if kind in (
        "class_declaration",
        "struct_declaration",
        "interface_declaration",
        "record_declaration",
        "record_struct_declaration",
        "enum_declaration",
    ):
        name = _name(source, node.child_by_field_name("name"))
        primary = node.child_by_field_name("parameters") or next(
            (c for c in node.named_children if c.type == "parameter_list"), None
        )
        if primary is not None:
            # A primary constructor is named like an explicit one, so rewriting it as one keeps the signature.
            return _Visit(("constructor", f"{name}.{name}", primary), scope=name)
        return _Visit(scope=name)
    if kind in ("method_declaration", "local_function_statement"):
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(
            ("method" if kind == "method_declaration" else "function", name, node.child_by_field_name("parameters")),
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind == "constructor_declaration":
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(("constructor", name, node.child_by_field_name("parameters")), function=True)
    if kind == "destructor_declaration":
        name = "~" + _name(source, node.child_by_field_name("name"))
        return _Visit(("destructor", name, node.child_by_field_name("parameters")), function=True)
    if kind == "operator_declaration":
        operator = node.child_by_field_name("operator")
        symbol = _name(source, operator) if operator is not None else _operator_token(source, node)
        return _Visit(("operator", f"operator {symbol}", node.child_by_field_name("parameters")), function=True)
    if kind == "conversion_operator_declaration":
        direction = next((c.type for c in node.children if c.type in ("implicit", "explicit")), "")
        target = _name(source, node.child_by_field_name("type"))
        return _Visit(
            ("operator", f"{direction} operator {target}".strip(), node.child_by_field_name("parameters")),
            function=True,
        )
    if kind == "indexer_declaration":
        params = node.child_by_field_name("parameters") or next(
            (c for c in node.named_children if c.type == "bracketed_parameter_list"), None
        )
        return _Visit(("indexer", "this[]", params), function=True)
    if kind in ("lambda_expression", "anonymous_method_expression", "accessor_declaration"):
        return _Visit(function=True)
    return _NOTHING


def _operator_token(source: Source, node: Node) -> str:
    children = node.children
    for index, child in enumerate(children):
        if child.type == "operator" and index + 1 < len(children):
            return source.node_text(children[index + 1])
    return "?"


# C and C++


_C_NAMES = frozenset(
    {
        "identifier",
        "field_identifier",
        "qualified_identifier",
        "destructor_name",
        "operator_name",
        "template_function",
        "operator_cast",
        "type_identifier",
    }
)


def _function_declarator(node: Node | None) -> Node | None:
    """The declarator that names a function (f in `int (*f(void))(int)`), or None for a pointer to one.

    Follows the declarator chain down to the name: the innermost function declarator on it names a function
    when no pointer stands between it and the name (`int (*fp)(int)` is a variable).
    """
    innermost: Node | None = None
    pointer_since = False
    for _ in range(256):
        if node is None:
            return None
        kind = node.type
        if kind in _C_NAMES:
            return innermost if innermost is not None and not pointer_since else None
        if kind == "function_declarator":
            innermost, pointer_since = node, False
        elif kind in ("pointer_declarator", "reference_declarator"):
            pointer_since = innermost is not None or pointer_since
        elif kind not in ("parenthesized_declarator", "attributed_declarator", "init_declarator"):
            return None
        node = node.child_by_field_name("declarator") or (
            next((c for c in node.named_children if c.type != "attribute_specifier"), None)
            if kind in ("parenthesized_declarator", "reference_declarator", "attributed_declarator")
            else None
        )
    return None


def _c_function_name(source: Source, declarator: Node) -> str:
    """`ns.Box.area` for `ns::Box<T>::area`: template arguments left out of scopes, so an out-of-class
    definition meets its in-class declaration; `const` kept, since C++ overloads on it."""
    name_node = declarator.child_by_field_name("declarator")
    text = "".join(source.node_text(name_node).split()) if name_node is not None else ""
    parts = text.split("::")
    parts = [_without_template_arguments(part) for part in parts[:-1]] + parts[-1:]
    if not parts[-1].startswith("operator"):
        parts[-1] = _without_template_arguments(parts[-1])
    name = ".".join(parts)
    if any(c.type == "type_qualifier" and source.node_text(c) == "const" for c in declarator.children):
        name += " const"
    return name


def _without_template_arguments(part: str) -> str:
    cut = part.find("<")
    return part[:cut] if cut > 0 else part


def _visit_c(source: Source, node: Node) -> _Visit:
    kind = node.type
    if kind == "function_definition":
        declarator = _function_declarator(node.child_by_field_name("declarator"))
        if declarator is None:
            return _Visit(function=True)
        name = _c_function_name(source, declarator)
        return _Visit(("function", name, declarator.child_by_field_name("parameters")), function=True)
    if kind in ("declaration", "field_declaration"):
        declarators = node.children_by_field_name("declarator")
        for declarator_root in declarators:
            declarator = _function_declarator(declarator_root)
            if declarator is not None:
                name = _c_function_name(source, declarator)
                # In a class body a declaration declares a method; elsewhere it is a prototype.
                in_class = node.parent is not None and node.parent.type == "field_declaration_list"
                return _Visit(
                    ("method" if in_class else "function", name, declarator.child_by_field_name("parameters")),
                    declaration=True,
                )
        return _NOTHING
    if kind in ("class_specifier", "struct_specifier", "union_specifier"):
        name_node = node.child_by_field_name("name")
        if node.child_by_field_name("body") is None:
            return _NOTHING
        return _Visit(scope=_name(source, name_node).replace("::", ".") if name_node is not None else None)
    if kind == "namespace_definition":
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return _Visit(hide=True)  # an anonymous namespace: internal linkage, like `static`
        return _Visit(scope=_name(source, name_node).replace("::", "."))
    if kind == "lambda_expression":
        return _Visit(function=True)
    return _NOTHING


def _scan_c(source: Source) -> list[Signature]:
    found = _scan(source, _visit_c)
    # Declarations inside function bodies are not the file's API.
    found = [s for s in found if not (s.declaration and s.local)]
    # A member declared private in its class stays private where it is defined (`int Box::area() const {}`).
    private = {s.name for s in found if not s.visible and s.kind == "method"}
    if private:
        found = [replace(s, visible=False) if s.visible and s.name in private else s for s in found]
    return found


# PHP


def _php_prefix(source: Source, node: Node) -> str | None:
    if node.type == "namespace_definition" and node.child_by_field_name("body") is None:
        return _name(source, node.child_by_field_name("name")).replace("\\", ".")
    return None


def _visit_php(source: Source, node: Node) -> _Visit:
    kind = node.type
    if kind == "namespace_definition":
        body = node.child_by_field_name("body")
        if body is None:
            return _NOTHING
        return _Visit(scope=_name(source, node.child_by_field_name("name")).replace("\\", ".") or None)
    if kind in ("class_declaration", "interface_declaration", "trait_declaration", "enum_declaration"):
        return _Visit(scope=_name(source, node.child_by_field_name("name")))
    if kind == "function_definition":
        name = _name(source, node.child_by_field_name("name"))
        return _Visit(("function", name, node.child_by_field_name("parameters")), function=True)
    if kind == "method_declaration":
        name = _name(source, node.child_by_field_name("name"))
        method = "constructor" if name.lower() == "__construct" else "method"
        return _Visit(
            (method, name, node.child_by_field_name("parameters")),
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind == "object_creation_expression" and any(
        c.type == "anonymous_class" or c.type == "declaration_list" for c in node.children
    ):
        return _SKIP
    if kind in ("anonymous_function", "arrow_function", "anonymous_function_creation_expression"):
        return _Visit(function=True)
    return _NOTHING


# ---------------------------------------------------------------------------------------------------------
# Declared return types, in the same canonical form as parameter types.

_ALWAYS_DECLARED = frozenset({"go", "java", "csharp", "c", "cpp"})  # no return type written means void


def _return_type(source: Source, node: Node, kind: str) -> str | None:
    grammar = source.grammar
    if kind in ("constructor", "destructor"):
        return None
    if grammar in ("c", "cpp"):
        return _c_return_type(source, node)
    target = node
    if grammar in ("javascript", "typescript", "tsx") and node.type in (
        "variable_declarator",
        "pair",
        "assignment_expression",
        "field_definition",
        "public_field_definition",
    ):
        value = node.child_by_field_name("value") or node.child_by_field_name("right")
        if value is None:
            return None
        target = _unwrap_parentheses(value)
    for name in spec_for_grammar(grammar).return_fields:
        found = target.child_by_field_name(name)
        if found is not None and grammar == "go" and found.type == "parameter_list":
            # `(n int, err error)` returns what `(int, error)` returns: result names are the callee's business
            types = [p.type or "" for p in parameters_of(source, found)]
            return types[0] if len(types) == 1 else "(" + ",".join(types) + ")"
        if found is not None:
            key = _canonical(source, [found], _IGNORED_IN_PARAMETER.get(grammar, frozenset())).lstrip(":")
            return key or None
    if grammar in _ALWAYS_DECLARED and node.type in (
        "function_declaration",
        "method_declaration",
        "method_elem",
        "method_spec",
        "func_literal",
    ):
        return "" if grammar == "go" else None
    return None


def _c_return_type(source: Source, node: Node) -> str | None:
    type_node = node.child_by_field_name("type")
    if type_node is None:
        return None  # a constructor, destructor or conversion operator
    # `constexpr`, `inline` and the like say how the function is compiled, not what callers get back.
    qualifiers = [
        source.node_text(c)
        for c in node.children
        if c.type == "type_qualifier" and source.node_text(c) in ("const", "volatile")
    ]
    key = _canonical(source, [type_node], _IGNORED_IN_PARAMETER[source.grammar])
    suffix = ""
    declarator = node.child_by_field_name("declarator")
    for _ in range(64):
        if declarator is None or declarator.type == "function_declarator":
            break
        if declarator.type == "pointer_declarator":
            suffix += "*"
        elif declarator.type == "reference_declarator":
            suffix += "&&" if source.node_text(declarator).lstrip().startswith("&&") else "&"
        inner = declarator.child_by_field_name("declarator")
        if inner is None:
            inner = next(
                (c for c in declarator.named_children if c.type not in ("type_qualifier", "attribute_specifier")), None
            )
        declarator = inner
    return normalise_c_type(" ".join(qualifiers + [key]) + suffix)


_C_TAG = re.compile(r"\b(struct|union|enum|class|typename)\s+")
_STD = re.compile(r"\bstd::")
_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_:]*")


def normalise_c_type(key: str, aliases: dict[str, str] | None = None) -> str:
    """A C or C++ type as callers see it: `const std::string&` is `string` (a caller passes the same argument),
    top-level `const` on a value is the callee's business, `struct node` is `node`, a typedef is its type."""
    key = _STD.sub("", _C_TAG.sub("", key)).strip()
    if aliases:
        key = _WORDS.sub(lambda m: aliases.get(m.group(), m.group()), key)
    compact = key.replace(" ", "")
    if compact.endswith("&") and not compact.endswith("&&"):
        inner = key[: key.rstrip().rfind("&")].strip()
        words = inner.split()
        if "const" in words and "*" not in inner:
            return " ".join(w for w in words if w != "const")  # by const reference or by value: the same call
    if "*" not in compact and "&" not in compact:
        return " ".join(w for w in key.split() if w != "const")
    if compact.endswith("const") and "*" in compact:
        return key[: key.rfind("const")].strip()  # `char *const p`: a const pointer variable, same call
    return key


@lru_cache(maxsize=8)
def _type_aliases(grammar: str, text: str) -> tuple[tuple[str, str], ...]:
    language = "typescript" if grammar == "tsx" else grammar
    source = parse_source(language, text)
    found: list[tuple[str, str]] = []
    for node in captures(source, "(type_definition) @node"):
        type_node = node.child_by_field_name("type")
        if type_node is None:
            continue
        if type_node.type in ("struct_specifier", "union_specifier", "enum_specifier"):
            tag = type_node.child_by_field_name("name")
            if tag is None:
                continue
            target = source.node_text(tag)
        else:
            target = normalise_c_type(_canonical(source, [type_node], frozenset()))
        for declarator in node.children_by_field_name("declarator"):
            if declarator.type == "type_identifier":
                alias = source.node_text(declarator)
                if alias != target:
                    found.append((alias, target))
    return tuple(found)


def type_aliases(language: str, text: str, path: str = "") -> dict[str, str]:
    """C and C++ typedef names and what they stand for (`node_t` -> `node` for `typedef struct node {...} node_t`)."""
    grammar = grammar_name(language, path)
    if grammar not in ("c", "cpp"):
        return {}
    return dict(_type_aliases(grammar, text))


def _with_aliases(signatures: list[Signature], aliases: dict[str, str]) -> list[Signature]:
    def typed(parameter: Parameter) -> Parameter:
        if parameter.type is None:
            return parameter
        return Parameter(parameter.name, normalise_c_type(parameter.type, aliases), parameter.text)

    return [
        replace(
            s,
            parameters=tuple(typed(p) for p in s.parameters),
            returns=normalise_c_type(s.returns, aliases) if s.returns is not None else None,
        )
        for s in signatures
    ]


_SCANNERS: dict[str, Callable[[Source], list[Signature]]] = {
    "python": lambda source: _scan(source, _visit_python),
    "javascript": lambda source: _scan(source, _visit_js),
    "typescript": lambda source: _scan(source, _visit_js),
    "tsx": lambda source: _scan(source, _visit_js),
    "go": lambda source: _scan(source, _visit_go, _go_prefix),
    "java": lambda source: _scan(source, _visit_java, _java_prefix),
    "csharp": lambda source: _scan(source, _visit_csharp, _csharp_prefix),
    "php": lambda source: _scan(source, _visit_php, _php_prefix),
    "c": _scan_c,
    "cpp": _scan_c,
}
