"""TypeScript (and TSX, its own grammar for .tsx files): JavaScript's visibility rules plus `private`."""

from __future__ import annotations

from bare_tui.pipeline.languages.javascript import (
    DEFECT_QUERIES,
    DEFINITION_KINDS,
    KNOWN_NAMES,
    STATIC_MEMBERS,
    early_errors,
    hidden,
    visit,
)
from bare_tui.pipeline.languages.parameters import assigned_function_return
from bare_tui.pipeline.languages.spec import Grammar, LanguageSpec, words

_TYPE_NAMES = "Record Partial Required Readonly Pick Omit Exclude Extract ReturnType Parameters NonNullable keyof"


SPEC = LanguageSpec(
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
    defect_queries=DEFECT_QUERIES,
    block_query="(statement_block) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query="(switch_body) @hit",
    static_members=STATIC_MEMBERS,
    assignment_declares=True,
)
