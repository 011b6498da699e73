"""Parameters and declared return types as callers see them: the canonical keys the signatures stage compares, and
the rules every language shares. A language with rules of its own (Go's grouped names, C's declarators, Java's
positional names) declares them in its file (LanguageSpec.parameter, return_type); this module and the stage both
read them, so neither the stage nor this module names a language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import tree_sitter

from bare_tui.pipeline.languages.tree import Source, unwrap_parentheses

if TYPE_CHECKING:
    from bare_tui.pipeline.languages.spec import LanguageSpec

Node = tree_sitter.Node


def agree(a: str | None, b: str | None) -> bool:
    """Two canonical keys that callers cannot tell apart: equal, or one side leaves it out."""
    return a is None or b is None or a == b


@dataclass(frozen=True)
class Parameter:
    """One parameter: its name and type in canonical form (None where the language leaves it out)."""

    name: str | None
    type: str | None
    text: str = field(default="", compare=False)  # as written, whitespace collapsed, for messages

    def compatible(self, other: Parameter) -> bool:
        """The same parameter, a side without a type (or name) agreeing with any."""
        return agree(self.name, other.name) and agree(self.type, other.type)


_LIST_PUNCTUATION = frozenset({"(", ")", "[", "]", "<", ">", "|"})


def parameters_of(source: Source, params: Node | None) -> tuple[Parameter, ...]:
    """The canonical parameters of a parameter-list node (or of a lone parameter, as in `x => x`): the list split at
    its commas, each part read by the language's parameter rule."""
    from bare_tui.pipeline.languages import spec_for_grammar  # the language files import this module

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
    spec = spec_for_grammar(source.grammar)
    only = len(groups) == 1
    result: list[Parameter] = []
    for group in groups:
        if group:
            result.extend(spec.parameter(spec, source, group, only))
    return tuple(result)


def standard_parameter(spec: LanguageSpec, source: Source, group: list[Node], only: bool) -> list[Parameter]:
    """The parameter rule of most languages. Where types may be left out, the name and the type apart (the name only
    where callers pass by name, the type only where the language declares return types, as hints are not
    compared); elsewhere every token but annotations and modifiers, the name included (C#'s named arguments)."""
    text = as_written(source, group)
    if spec.optional_types:
        name, type_key = _optional_typed(spec, source, group)
        if not spec.named_arguments:
            name = positional_name(name)
        if not spec.return_fields:
            type_key = None  # a language whose annotations are hints (Python): no caller breaks when one changes
        return [Parameter(name, type_key, text)]
    key = canonical(source, group, spec.ignored_in_parameters)
    return [Parameter(None, key, text)] if key else []


def _optional_typed(spec: LanguageSpec, source: Source, group: list[Node]) -> tuple[str | None, str | None]:
    ignored = spec.ignored_in_parameters
    type_nodes = [t for node in group for t in (node.child_by_field_name("type"),) if t is not None]
    type_ids = {t.id for t in type_nodes}
    name = canonical(source, group, ignored, skip_ids=type_ids, drop_tokens=frozenset({":"}))
    type_key: str | None = None
    if type_nodes:
        type_key = canonical(source, type_nodes, ignored).lstrip(":") or None
    return name or None, type_key


def positional_name(name: str | None) -> str | None:
    """What a positional parameter's name means to callers: nothing, except a rest parameter (`...args`) and a
    destructured object or array, whose keys callers do pass."""
    if name is None:
        return ""
    if name.startswith("..."):
        return "..."
    if name[:1] in ("{", "["):
        return name
    return ""  # a plain positional parameter: any name is the same to callers, but not a rest parameter


def declared_return(spec: LanguageSpec, source: Source, node: Node) -> str | None:
    """The return type a definition declares in one of the language's return fields, canonical; None without."""
    for name in spec.return_fields:
        found = node.child_by_field_name(name)
        if found is not None:
            key = canonical(source, [found], spec.ignored_in_parameters).lstrip(":")
            return key or None
    return None


_ASSIGNED = frozenset(
    {"variable_declarator", "pair", "assignment_expression", "field_definition", "public_field_definition"}
)


def assigned_function_return(spec: LanguageSpec, source: Source, node: Node) -> str | None:
    """declared_return() where a function may be a value assigned to a name (`const f = (): T => ...`, `f: function`):
    the function's own return type."""
    target = node
    if node.type in _ASSIGNED:
        value = node.child_by_field_name("value") or node.child_by_field_name("right")
        if value is None:
            return None
        target = unwrap_parentheses(value)
    return declared_return(spec, source, target)


def as_written(source: Source, group: list[Node]) -> str:
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


def canonical(
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
