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
from bare_tui.pipeline.languages.spec import Grammar, LanguageSpec, NodeKinds, words
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


NODE_KINDS = NodeKinds(
    comments=words("comment"),
    strings=words("string template_string"),
    calls=words("call_expression"),
    anonymous_functions=words("arrow_function function function_expression"),
    string_arguments=words("string template_string"),
    top_level_statements=words("expression_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("comment string"),
    assignments=words("assignment_expression"),
    value_definitions=words("class function_expression"),
    control=words(
        "catch_clause do_statement for_in_statement for_statement if_statement",
        "switch_statement try_statement while_statement with_statement",
    ),
    functions=words(
        "arrow_function function function_declaration function_expression",
        "generator_function_declaration method_definition",
    ),
    chained_parents=words("else_clause if_statement"),
    same_level=words("catch_clause"),
    not_parameters=words("( ) , comment"),
    number_literals=words("number"),
    terminators=words("break_statement continue_statement return_statement throw_statement"),
    reachable_after=words(
        "; class_declaration comment empty_statement function_declaration",
        "generator_function_declaration labeled_statement }",
    ),
    jump_targets=words("labeled_statement"),
    self_assignments=words("assignment_expression"),
    single_value_arms=words("switch_case"),
    pairs=words("pair"),
    computed_keys=words("computed_property_name"),
    names=words("identifier"),
    declaring_nodes=words("shorthand_property_identifier_pattern"),
    wrappers=words("pair"),
    jsx_elements=words("jsx_closing_element jsx_opening_element jsx_self_closing_element"),
    assigning=words("assignment_expression"),
    for_in_statements=words("for_in_statement"),
    object_names=words("identifier"),
    property_names=words("property_identifier"),
    imports=words(
        "import import_alias import_attribute import_clause import_require_clause",
        "import_specifier import_statement named_imports namespace_import using",
    ),
    member_fields=words("attribute key label property type"),
    member_contexts=frozenset({("jsx_attribute", None), ("nested_identifier", None)}),
    declaring=frozenset(
        {
            ("array_pattern", None),
            ("arrow_function", "parameter"),
            ("assignment_expression", "left"),
            ("assignment_pattern", "left"),
            ("catch_clause", "name"),
            ("catch_clause", "parameter"),
            ("class", "name"),
            ("class_declaration", "name"),
            ("enum_declaration", "name"),
            ("for_in_statement", "left"),
            ("formal_parameters", None),
            ("function", "name"),
            ("function_declaration", "name"),
            ("function_expression", "name"),
            ("function_signature", "name"),
            ("generator_function_declaration", "name"),
            ("import_clause", None),
            ("import_specifier", "alias"),
            ("import_specifier", "name"),
            ("interface_declaration", "name"),
            ("internal_module", "name"),
            ("labeled_statement", None),
            ("labeled_statement", "label"),
            ("namespace_import", None),
            ("object_assignment_pattern", "left"),
            ("object_pattern", None),
            ("optional_parameter", "pattern"),
            ("pair_pattern", "value"),
            ("required_parameter", "pattern"),
            ("rest_pattern", None),
            ("type_parameter", None),
            ("variable_declarator", "name"),
        }
    ),
    receiver_fields=words("object"),
)
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
    defect_queries=DEFECT_QUERIES,
    block_query="(statement_block) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query="(switch_body) @hit",
    static_members=STATIC_MEMBERS,
    assignment_declares=True,
)
