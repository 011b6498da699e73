"""C#: tree-sitter-c-sharp; a member without an access modifier is private (interface members are public)."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import (
    NOTHING,
    Grammar,
    LanguageSpec,
    NodeKinds,
    Visit,
    assignment_in_condition,
    empty_catch,
    query_imports,
    words,
)
from bare_tui.pipeline.languages.tree import Source, modifier_words, name_text

_OPEN = frozenset({"public", "protected", "internal"})
_ALWAYS_VISIBLE = frozenset(
    {"namespace_declaration", "operator_declaration", "conversion_operator_declaration", "destructor_declaration"}
)
_TOP_LEVEL = frozenset({"compilation_unit", "namespace_declaration", "file_scoped_namespace_declaration"})


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    found = modifier_words(source, node, frozenset({"modifier"}))
    if "private" in found:
        return True
    if found & _OPEN or node.type in _ALWAYS_VISIBLE:
        return False
    if any(child.type == "explicit_interface_specifier" for child in node.children):
        return False  # `void IFoo.Bar()`: called through the interface
    container = node.parent.parent if node.parent is not None else None
    if container is None or container.type in _TOP_LEVEL:
        return False  # a top-level type is internal by default: visible to the assembly
    return container.type != "interface_declaration"


# The definitions the signatures stage compares.

_TYPE_KINDS = (
    "class_declaration",
    "struct_declaration",
    "interface_declaration",
    "record_declaration",
    "record_struct_declaration",
    "enum_declaration",
)
"""The type definitions the signatures stage qualifies member names with."""

_DEFINITION_KINDS = (
    "namespace_declaration",
    *_TYPE_KINDS,
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
)
"""The nodes the signatures scanner visits."""


def _prefix(source: Source, node: tree_sitter.Node) -> str | None:
    if node.type == "file_scoped_namespace_declaration":
        return name_text(source, node.child_by_field_name("name"))
    return None


def _visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind == "namespace_declaration":
        return Visit(scope=name_text(source, node.child_by_field_name("name")))
    if kind in _TYPE_KINDS:
        name = name_text(source, node.child_by_field_name("name"))
        primary = node.child_by_field_name("parameters") or next(
            (c for c in node.named_children if c.type == "parameter_list"), None
        )
        if primary is not None:
            # A primary constructor is named like an explicit one, so rewriting it as one keeps the signature.
            return Visit(("constructor", f"{name}.{name}", primary), scope=name)
        return Visit(scope=name)
    if kind in ("method_declaration", "local_function_statement"):
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(
            ("method" if kind == "method_declaration" else "function", name, node.child_by_field_name("parameters")),
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind == "constructor_declaration":
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(("constructor", name, node.child_by_field_name("parameters")), function=True)
    if kind == "destructor_declaration":
        name = "~" + name_text(source, node.child_by_field_name("name"))
        return Visit(("destructor", name, node.child_by_field_name("parameters")), function=True)
    if kind == "operator_declaration":
        operator = node.child_by_field_name("operator")
        symbol = name_text(source, operator) if operator is not None else _operator_token(source, node)
        return Visit(("operator", f"operator {symbol}", node.child_by_field_name("parameters")), function=True)
    if kind == "conversion_operator_declaration":
        direction = next((c.type for c in node.children if c.type in ("implicit", "explicit")), "")
        target = name_text(source, node.child_by_field_name("type"))
        return Visit(
            ("operator", f"{direction} operator {target}".strip(), node.child_by_field_name("parameters")),
            function=True,
        )
    if kind == "indexer_declaration":
        params = node.child_by_field_name("parameters") or next(
            (c for c in node.named_children if c.type == "bracketed_parameter_list"), None
        )
        return Visit(("indexer", "this[]", params), function=True)
    if kind in ("lambda_expression", "anonymous_method_expression", "accessor_declaration"):
        return Visit(function=True)
    return NOTHING


def _operator_token(source: Source, node: tree_sitter.Node) -> str:
    children = node.children
    for index, child in enumerate(children):
        if child.type == "operator" and index + 1 < len(children):
            return source.node_text(children[index + 1])
    return "?"


NODE_KINDS = NodeKinds(
    comments=words("comment"),
    strings=words(
        "character_literal interpolated_string_expression raw_string_literal", "string_literal verbatim_string_literal"
    ),
    calls=words("invocation_expression"),
    anonymous_functions=words("anonymous_method_expression lambda_expression"),
    string_arguments=words("raw_string_literal string_literal"),
    argument_wrappers=words("argument"),
    top_level_statements=words("expression_statement global_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("comment string_literal"),
    assignments=words("assignment_expression"),
    value_definitions=words("class"),
    control=words(
        "catch_clause do_statement for_statement foreach_statement if_statement",
        "switch_expression switch_statement try_statement while_statement",
    ),
    operations=words("binary_expression"),
    parentheses=words("parenthesized_expression"),
    functions=words(
        "accessor_declaration constructor_declaration lambda_expression", "local_function_statement method_declaration"
    ),
    chained_parents=words("if_statement"),
    same_level=words("catch_clause"),
    not_parameters=words("( ) , comment"),
    terminators=words("break_statement continue_statement goto_statement return_statement", "throw_statement"),
    reachable_after=words(
        "; class_declaration comment empty_statement labeled_statement",
        "local_function_statement preproc_elif preproc_else preproc_if }",
    ),
    jump_targets=words("labeled_statement"),
    self_assignments=words("assignment_expression"),
    pattern_arms=words("switch_section"),
    constant_patterns=words("constant_pattern"),
    names=words("identifier"),
    declaring_nodes=words("implicit_parameter"),
    wrappers=words("array_creation_expression tuple_pattern"),
    foreach_statements=words("foreach_statement"),
    assigning=words("assignment_expression"),
    preprocessor_conditionals=words("preproc_elif preproc_if"),
    object_names=words("identifier"),
    imports=words("extern extern_alias_directive using using_directive using_statement"),
    member_fields=words("returns type"),
    member_contexts=frozenset(
        {
            ("argument", "name"),
            ("attribute", None),
            ("attribute_list", None),
            ("generic_name", None),
            ("goto_statement", None),
            ("member_access_expression", "name"),
            ("object_creation_expression", "type"),
            ("qualified_name", None),
            ("qualified_name", "name"),
        }
    ),
    declaring=frozenset(
        {
            ("assignment_expression", "left"),
            ("catch_clause", "name"),
            ("catch_declaration", "name"),
            ("class", "name"),
            ("class_declaration", "name"),
            ("constructor_declaration", "name"),
            ("declaration_pattern", "name"),
            ("delegate_declaration", "name"),
            ("enum_declaration", "name"),
            ("enum_member_declaration", "name"),
            ("event_declaration", "name"),
            ("extern_alias_directive", None),
            ("file_scoped_namespace_declaration", "name"),
            ("foreach_statement", "left"),
            ("from_clause", "name"),
            ("implicit_parameter", None),
            ("interface_declaration", "name"),
            ("join_clause", "name"),
            ("join_into_clause", None),
            ("labeled_statement", None),
            ("lambda_expression", "parameters"),
            ("let_clause", None),
            ("local_function_statement", "name"),
            ("method_declaration", "name"),
            ("namespace_declaration", "name"),
            ("operator_declaration", None),
            ("parameter", "name"),
            ("parenthesized_variable_designation", None),
            ("property_declaration", "name"),
            ("record_declaration", "name"),
            ("struct_declaration", "name"),
            ("tuple_element", "name"),
            ("type_parameter", None),
            ("type_parameter_list", None),
            ("type_pattern", None),
            ("using_directive", None),
            ("var_pattern", None),
            ("variable_declarator", "name"),
        }
    ),
    property_initialisers=frozenset({("assignment_expression", "initializer_expression")}),
    receiver_fields=words("expression"),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

IMPORTS = query_imports("""
    (using_directive name: (identifier) @name (_) @module) @import
    (using_directive !name (_) @module) @whole @import
    """)
"""An alias `using` (`using Col = System.Collections.Generic;`) brings in its name; `using System;` and `using static`
bring in a whole namespace or class."""

_FIELD = "(variable_declaration (variable_declarator name: (identifier) @name (_)? @value))"
CONSTANT_QUERIES = (
    f'(field_declaration (modifier) @const {_FIELD} (#eq? @const "const")) @definition',
    f"(field_declaration (modifier) @static (modifier) @readonly {_FIELD}"
    ' (#eq? @static "static") (#eq? @readonly "readonly")) @definition',
)
"""A class's `const` and `static readonly` fields."""

SPEC = LanguageSpec(
    node_kinds=NODE_KINDS,
    name="csharp",
    extensions=(".cs",),
    aliases=("c#", "cs", "c_sharp"),
    fence_names=("csharp", "cs", "c#"),
    grammars={"csharp": Grammar("tree_sitter_c_sharp")},
    named_arguments=True,
    return_fields=("returns", "type"),
    hidden=hidden,
    definition_kinds=_DEFINITION_KINDS,
    visit=_visit,
    prefix=_prefix,
    ignored_in_parameters=frozenset({"attribute_list"}),
    known_names=words("""
    this base value var nameof typeof sizeof default String Object Int32 Int64 Double Boolean Char Decimal
    Math Console Convert Array Exception ArgumentException ArgumentNullException InvalidOperationException
    NotImplementedException NotSupportedException ArgumentOutOfRangeException NullReferenceException
    FormatException Guid DateTime TimeSpan Environment Task List Dictionary HashSet IEnumerable IList
    IDictionary Func Action Enumerable StringBuilder Nullable Tuple ValueTuple Span args dynamic
    StringComparer StringComparison CultureInfo Encoding File Path Directory Stream TextWriter TextReader
    KeyValuePair IReadOnlyList IReadOnlyDictionary ICollection IComparer IEqualityComparer EqualityComparer
    Comparer Lazy CancellationToken Interlocked Monitor Debug Trace Regex Uri Random Activator Type
    ArgumentException
"""),
    imports=IMPORTS,
    constant_queries=CONSTANT_QUERIES,
    type_queries=(
        "(class_declaration name: (_) @name)",
        "(struct_declaration name: (_) @name)",
        "(interface_declaration name: (_) @name)",
        "(enum_declaration name: (_) @name)",
        "(record_declaration name: (_) @name)",
        "(delegate_declaration name: (_) @name)",
    ),
    defect_queries=(
        assignment_in_condition("""
        (if_statement condition: (assignment_expression) @hit)
        (while_statement condition: (assignment_expression) @hit)
        """),
        empty_catch("block"),
    ),
    block_query="(block) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query="(switch_body) @hit",
    capitalised_objects_are_classes=True,
)
