"""TypeScript (and TSX, its own grammar for .tsx files): JavaScript's visibility rules plus `private`."""

from __future__ import annotations

import dataclasses

from bare_tui.pipeline.languages.javascript import (
    DEFECT_QUERIES,
    DEFINITION_KINDS,
    KNOWN_NAMES,
    STATIC_MEMBERS,
    early_errors,
    hidden,
    visit,
)
from bare_tui.pipeline.languages.javascript import NODE_KINDS as JAVASCRIPT_NODE_KINDS
from bare_tui.pipeline.languages.parameters import assigned_function_return
from bare_tui.pipeline.languages.spec import Grammar, LanguageSpec, words
from bare_tui.pipeline.languages.tree import Source, captures

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

SPEC = LanguageSpec(
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
    assignment_declares=True,
)
