"""Go: tree-sitter-go; a package exports exactly its capitalised names."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import NOTHING, Grammar, LanguageSpec, Visit, words
from bare_tui.pipeline.languages.tree import Source, name_text


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    return not name.rsplit(".", 1)[-1][:1].isupper()


# The definitions the signatures stage compares.

_DEFINITION_KINDS = (
    "function_declaration",
    "method_declaration",
    "type_spec",
    "method_elem",
    "method_spec",
    "func_literal",
)
"""The nodes the signatures scanner visits."""


def _prefix(source: Source, node: tree_sitter.Node) -> str | None:
    if node.type == "package_clause":
        return name_text(source, node.named_children[0]) if node.named_child_count else ""
    return None


def _receiver(source: Source, receiver: tree_sitter.Node | None) -> str:
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
    name = name_text(source, type_node)
    return f"(*{name})" if pointer else name


def _visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind == "function_declaration":
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(("function", name, node.child_by_field_name("parameters")), function=True)
    if kind == "method_declaration":
        receiver = _receiver(source, node.child_by_field_name("receiver"))
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(
            ("method", f"{receiver}.{name}" if receiver else name, node.child_by_field_name("parameters")),
            function=True,
        )
    if kind == "type_spec":
        return Visit(scope=name_text(source, node.child_by_field_name("name")))
    if kind in ("method_elem", "method_spec"):
        return Visit(
            ("method", name_text(source, node.child_by_field_name("name")), node.child_by_field_name("parameters")),
            declaration=True,
        )
    if kind == "func_literal":
        return Visit(function=True)
    return NOTHING


SPEC = LanguageSpec(
    name="go",
    extensions=(".go",),
    aliases=("golang",),
    fence_names=("go", "golang"),
    grammars={"go": Grammar("tree_sitter_go")},
    return_fields=("result",),
    hidden=hidden,
    definition_kinds=_DEFINITION_KINDS,
    visit=_visit,
    prefix=_prefix,
    known_names=words("""
    append cap clear close complex copy delete imag len make max min new panic print println real recover
    nil true false iota bool byte rune string error int int8 int16 int32 int64 uint uint8 uint16 uint32
    uint64 uintptr float32 float64 complex64 complex128 any comparable _
"""),
    type_queries=("(type_spec name: (_) @name)", "(type_alias name: (_) @name)"),
)
