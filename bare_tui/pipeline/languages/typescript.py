"""TypeScript (and TSX, its own grammar for .tsx files): JavaScript's visibility rules plus `private`."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from functools import cache, lru_cache

import tree_sitter

from bare_tui.pipeline.languages.findings import Finding, captured, finding
from bare_tui.pipeline.languages.javascript import (
    CONSTANT_QUERIES,
    DEFECT_QUERIES,
    DEFINITION_KINDS,
    IMPORTS,
    KNOWN_NAMES,
    STATIC_MEMBERS,
    early_errors,
    hidden,
    unused_module_bindings,
    visit,
)
from bare_tui.pipeline.languages.javascript import NODE_KINDS as JAVASCRIPT_NODE_KINDS
from bare_tui.pipeline.languages.parameters import assigned_function_return, canonical
from bare_tui.pipeline.languages.spec import Grammar, LanguageSpec, Typedefs, words
from bare_tui.pipeline.languages.tree import Source, captures, kinds_pattern, parse_grammar, snippet

_TYPE_NAMES = "Record Partial Required Readonly Pick Omit Exclude Extract ReturnType Parameters NonNullable keyof"


# Maintainability: what lizard is given to read.


def without_generic_function_parameters(source: Source) -> str:
    """The text with `<T>` after a TypeScript function's name blanked out (same length, same lines).

    lizard's TypeScript reader loses `function f<T>(...)` entirely; blanking the type parameters, which
    carry no complexity, lets it measure the function, and before and after are treated alike.
    """
    nodes = captures(source, _GENERIC_PATTERN, name="hit")
    if not nodes:
        return source.text
    data = bytearray(source.data)
    for node in nodes:
        data[node.start_byte : node.end_byte] = b" " * (node.end_byte - node.start_byte)
    return data.decode("utf-8", errors="replace")


_GENERIC_PATTERN = (
    "(function_declaration type_parameters: (type_parameters) @hit)"
    " (generator_function_declaration type_parameters: (type_parameters) @hit)"
)


# Signatures: a parameter or return type is compared as what the file's own type aliases make it.

_GENERIC = "\0"
"""Separates a generic alias's parameters from its body in the alias table (`T,U\0body`)."""
_TOKENS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|[A-Za-z_$][\w$]*|\S")
_EXPANSION_ROUNDS = 8
"""Aliases naming aliases are expanded this deep (a recursive alias stops there, unexpanded the same on both sides)."""
_EXPANSION_TOKENS = 4_000


@lru_cache(maxsize=8)
def _type_aliases(grammar: str, text: str) -> tuple[tuple[str, str], ...]:
    source = parse_grammar(grammar, text)
    found: list[tuple[str, str]] = []
    for node in captures(source, "(type_alias_declaration) @node"):
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name is None or value is None or value.end_byte - value.start_byte > 2_000:
            continue
        body = canonical(source, [value], frozenset())
        parameters = node.child_by_field_name("type_parameters")
        if parameters is not None:
            names = []
            for parameter in parameters.named_children:
                named = parameter.child_by_field_name("name")
                if parameter.type != "type_parameter" or named is None or parameter.child_by_field_name("value"):
                    break  # a default (`T = string`) lets callers leave it out: not expanded
                names.append(source.node_text(named))
            else:
                found.append((source.node_text(name), ",".join(names) + _GENERIC + body))
            continue
        found.append((source.node_text(name), body))
    return tuple(found)


def type_aliases(grammar: str, text: str) -> dict[str, str]:
    """The type aliases a file declares: name -> the canonical type it stands for (a generic one's parameters first,
    `T,U\0T[keyof U]`)."""
    return dict(_type_aliases(grammar, text))


def resolve_aliases(key: str, aliases: dict[str, str]) -> str:
    """A canonical type with the file's aliases expanded: `Values<typeof C>` (`type Values<T> = T[keyof T]`) and
    `Value` (`type Value = typeof C[Color]`, `type Color = keyof typeof C`) are the same union, and read the same."""
    if not aliases:
        return key
    tokens = _TOKENS.findall(key)
    for _ in range(_EXPANSION_ROUNDS):
        expanded, changed = _expand_once(tokens, aliases)
        if not changed or len(expanded) > _EXPANSION_TOKENS:
            break
        tokens = expanded
    return _join(tokens)


def _expand_once(tokens: list[str], aliases: dict[str, str]) -> tuple[list[str], bool]:
    out: list[str] = []
    changed = False
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if len(out) > _EXPANSION_TOKENS:  # a hostile type: the rest stays as written, on both sides alike
            out.extend(tokens[index:])
            break
        entry = aliases.get(token)
        if entry is None or (out and out[-1] == "."):  # `ns.Color` is another module's
            out.append(token)
            index += 1
            continue
        parameters, generic, body = entry.partition(_GENERIC)
        if not generic:
            out.extend(_TOKENS.findall(entry))
            changed = True
            index += 1
            continue
        arguments, end = _type_arguments(tokens, index + 1)
        names = parameters.split(",")
        if arguments is None or len(arguments) != len(names):
            out.append(token)
            index += 1
            continue
        bound = dict(zip(names, arguments))
        out.extend(piece for part in _TOKENS.findall(body) for piece in bound.get(part, [part]))
        changed = True
        index = end
    return out, changed


def _type_arguments(tokens: list[str], start: int) -> tuple[list[list[str]] | None, int]:
    """The arguments of `<...>` opening at tokens[start], split at its own commas, and the index after its `>`."""
    if start >= len(tokens) or tokens[start] != "<":
        return None, start
    arguments: list[list[str]] = [[]]
    depth = 0
    for index in range(start + 1, len(tokens)):
        token = tokens[index]
        if token in "<([{":
            depth += 1
        elif token in ")]}" or (token == ">" and depth > 0):
            depth -= 1
        elif token == ">":
            return arguments, index + 1
        elif token == "," and depth == 0:
            arguments.append([])
            continue
        arguments[-1].append(token)
    return None, start


def _join(tokens: list[str]) -> str:
    """Tokens back into canonical form: a space only where two words would otherwise run together."""
    pieces: list[str] = []
    for token in tokens:
        if pieces and _wordy(pieces[-1][-1]) and _wordy(token[0]):
            pieces.append(" ")
        pieces.append(token)
    return "".join(pieces)


def _wordy(char: str) -> bool:
    return char.isalnum() or char in "_$"


TYPEDEFS = Typedefs(aliases=type_aliases, resolve=resolve_aliases)


NODE_KINDS = dataclasses.replace(
    JAVASCRIPT_NODE_KINDS,
    imports=JAVASCRIPT_NODE_KINDS.imports - {"using_declaration"} | {"import_alias", "import_require_clause"},
    member_fields=JAVASCRIPT_NODE_KINDS.member_fields - {"member"} | {"type"},
    member_contexts=JAVASCRIPT_NODE_KINDS.member_contexts | {("nested_identifier", None)},
    declaring=JAVASCRIPT_NODE_KINDS.declaring - {("using_declaration", None)}
    | {
        ("enum_declaration", "name"),
        ("function_signature", "name"),
        ("interface_declaration", "name"),
        ("internal_module", "name"),
        ("optional_parameter", "pattern"),
        ("required_parameter", "pattern"),
        ("type_parameter", None),
    },
)
"""JavaScript's node kinds with the TypeScript grammars' own: typed parameters, type declarations and their
names, `import x = require(...)`; the grammars have no `using` declaration or member field `member`."""
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

# Defects: a value the declared return type cannot hold.

_PRIMITIVES = frozenset({"string", "number", "boolean"})
_LITERALS = {"true": "boolean", "false": "boolean", "number": "number", "string": "string", "template_string": "string"}
_SCOPES = (
    "function_declaration function_expression function arrow_function method_definition generator_function_declaration",
    "generator_function class_body return_statement",
)


def returns_of_another_type(source: Source) -> Iterator[Finding]:
    """A function declared to return `string`, `number` or `boolean` that returns a literal of another of the three,
    or a field of its class declared as another (`winner(): string` returning `this._hasWinner: boolean`): tsc refuses
    the file (TS2322). Each return belongs to its innermost function, found by one sweep over byte ranges."""
    # Open scopes, innermost last: (end byte, declared primitive return type, the fields `this` has there, a class).
    scopes: list[tuple[int, str | None, dict[str, str], bool]] = []
    for node in captured(source.grammar, _scopes_pattern(source.grammar), source.root):
        start = node.start_byte
        while scopes and scopes[-1][0] <= start:
            scopes.pop()
        around = scopes[-1] if scopes else None
        if node.type == "class_body":
            scopes.append((node.end_byte, None, _primitive_fields(source, node), True))
        elif node.type != "return_statement":
            # `this` is the class's in its methods and in arrow functions inside them, nobody's known elsewhere.
            method = node.type == "method_definition" and around is not None and around[3]
            fields = around[2] if around is not None and (method or node.type == "arrow_function") else {}
            scopes.append((node.end_byte, _primitive(source, node.child_by_field_name("return_type")), fields, False))
        elif around is not None and around[1] is not None and node.named_child_count:
            declared, value = around[1], node.named_children[0]
            returned = _LITERALS.get(value.type)
            if returned is None and value.type == "member_expression":
                target, field = value.child_by_field_name("object"), value.child_by_field_name("property")
                if target is not None and target.type == "this" and field is not None:
                    returned = around[2].get(source.node_text(field))
            if returned is not None and returned != declared:
                text = snippet(source.node_text(value), 40)
                message = f"returns {text}, a {returned}, where the declared return type is {declared}"
                yield finding(source, "return-type", text, value, message)


@cache
def _scopes_pattern(grammar: str) -> str:
    return kinds_pattern(grammar, sorted(words(*_SCOPES)), capture="hit")


def _primitive(source: Source, annotation: tree_sitter.Node | None) -> str | None:
    """`string`, `number` or `boolean` when a type annotation is exactly that, else None."""
    if annotation is None:
        return None
    text = source.node_text(annotation).lstrip(":").strip()
    return text if text in _PRIMITIVES else None


def _primitive_fields(source: Source, body: tree_sitter.Node) -> dict[str, str]:
    fields = {}
    for member in body.named_children:
        if member.type == "public_field_definition":
            name, kind = member.child_by_field_name("name"), _primitive(source, member.child_by_field_name("type"))
            if name is not None and kind is not None:
                fields[source.node_text(name)] = kind
    return fields


SPEC = LanguageSpec(
    integer_power=True,  # `2 ** n`: maintainability counts `1 << n` for it as bit arithmetic
    node_kinds=NODE_KINDS,
    name="typescript",
    extensions=(".ts", ".tsx"),
    aliases=("ts", "tsx"),
    fence_names=("typescript", "ts", "tsx"),
    grammars={
        "typescript": Grammar("tree_sitter_typescript", "language_typescript"),
        "tsx": Grammar("tree_sitter_typescript", "language_tsx"),
    },
    optional_types=True,
    return_fields=("return_type",),
    return_type=assigned_function_return,
    typedefs=TYPEDEFS,
    early_errors=early_errors,
    lizard_source=without_generic_function_parameters,
    hidden=hidden,
    definition_kinds=DEFINITION_KINDS,
    visit=visit,
    ignored_in_parameters=frozenset({"decorator", "accessibility_modifier", "readonly", "override_modifier"}),
    arguments_object=True,
    known_names=words(KNOWN_NAMES, _TYPE_NAMES, "React"),
    type_queries=(
        "(class_declaration name: (_) @name)",
        "(abstract_class_declaration name: (_) @name)",
        "(interface_declaration name: (_) @name)",
        "(enum_declaration name: (_) @name)",
        "(type_alias_declaration name: (_) @name)",
        "(class name: (_) @name)",
    ),
    functions_stand_for_types=True,
    imports=IMPORTS,
    constant_queries=CONSTANT_QUERIES,
    module_local_types=(
        "(program [(enum_declaration name: (_) @name) (interface_declaration name: (_) @name)"
        " (type_alias_declaration name: (_) @name) (class_declaration name: (_) @name)"
        " (abstract_class_declaration name: (_) @name)])",
        "(export_clause (export_specifier name: (_) @name))",
        "(program [(import_statement) (export_statement)] @name)",
        "(program (lexical_declaration (variable_declarator name: (identifier) @name)))",
    ),
    defect_queries=DEFECT_QUERIES,
    block_query="(statement_block) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query="(switch_body) @hit",
    static_members=STATIC_MEMBERS,
    member_query="(member_expression) @hit",
    defect_rules=(returns_of_another_type,),
    compared_rules=(unused_module_bindings,),
    assignment_declares=True,
)
