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


def _agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


# ---------------------------------------------------------------------------------------------------------
# Parameters


_LIST_PUNCTUATION = frozenset({"(", ")", "[", "]", "<", ">", "|"})


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
    spec = spec_for_grammar(grammar)
    result: list[Parameter] = []
    for group in groups:
        if not group:
            continue
        if grammar == "go":
            result.extend(_go_parameters(source, group))
            continue
        text = _as_written(source, group)
        if spec.optional_types:
            name, type_key = _optional_typed_parameter(source, group)
            if not spec.named_arguments:
                name = _positional_name(name)
            if not spec.return_fields:
                type_key = None  # a language whose annotations are hints (Python): no caller breaks when one changes
            result.append(Parameter(name, type_key, text))
        elif grammar in ("c", "cpp"):
            # Callers never see a C or C++ parameter's name (and prototypes may leave it out): the type alone.
            name_node = _c_parameter_name(group)
            skip = {name_node.id} if name_node is not None else set()
            key = _canonical(source, group, spec.ignored_in_parameters, skip_ids=skip)
            if key == "void" and name_node is None and len(groups) == 1:
                continue  # f(void) takes no parameters
            if key or name_node is not None:
                result.append(Parameter(None, normalise_c_type(key), text))
        elif grammar == "java":
            # Java callers pass by position: the name is left out, the type kept.
            key = _canonical(source, group, spec.ignored_in_parameters, skip_ids=_java_parameter_names(group))
            if key:
                result.append(Parameter(None, key, text))
        else:
            key = _canonical(source, group, spec.ignored_in_parameters)
            if key:
                result.append(Parameter(None, key, text))
    return tuple(result)


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
    ignored = spec_for_grammar(source.grammar).ignored_in_parameters
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
        target = unwrap_parentheses(value)
    for name in spec_for_grammar(grammar).return_fields:
        found = target.child_by_field_name(name)
        if found is not None and grammar == "go" and found.type == "parameter_list":
            # `(n int, err error)` returns what `(int, error)` returns: result names are the callee's business
            types = [p.type or "" for p in parameters_of(source, found)]
            return types[0] if len(types) == 1 else "(" + ",".join(types) + ")"
        if found is not None:
            key = _canonical(source, [found], spec_for_grammar(grammar).ignored_in_parameters).lstrip(":")
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
    key = _canonical(source, [type_node], spec_for_grammar(source.grammar).ignored_in_parameters)
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
    source = parse_grammar(grammar, text)
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
