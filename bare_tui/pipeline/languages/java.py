"""Java: tree-sitter-java; `private` members are hidden, everything else (package-private too) is visible."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import tree_sitter

from bare_tui.pipeline.languages.findings import Finding, captured, finding
from bare_tui.pipeline.languages.parameters import Parameter, as_written, canonical
from bare_tui.pipeline.languages.spec import (
    ASSIGNMENT_IN_PARENTHESES,
    NOTHING,
    SKIP,
    Grammar,
    LanguageSpec,
    NodeKinds,
    Visit,
    empty_catch,
    private_modifier,
    query_imports,
    words,
)
from bare_tui.pipeline.languages.tree import Source, matches, name_text

# The definitions the signatures stage compares.

_TYPE_KINDS = (
    "class_declaration",
    "interface_declaration",
    "enum_declaration",
    "record_declaration",
    "annotation_type_declaration",
)
"""The type definitions: scopes of the signatures stage, and types whose removal integrity reports."""

_DEFINITION_KINDS = (
    *_TYPE_KINDS,
    "method_declaration",
    "constructor_declaration",
    "compact_constructor_declaration",
    "object_creation_expression",
    "lambda_expression",
)
"""The nodes the signatures scanner visits."""


def _prefix(source: Source, node: tree_sitter.Node) -> str | None:
    if node.type == "package_declaration":
        named = [c for c in node.named_children if c.type in ("scoped_identifier", "identifier")]
        return name_text(source, named[0]) if named else ""
    return None


def _visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind in _TYPE_KINDS:
        name = name_text(source, node.child_by_field_name("name"))
        if kind == "record_declaration":
            # The record's components are its canonical constructor's parameters.
            return Visit(("constructor", f"{name}.{name}", node.child_by_field_name("parameters")), scope=name)
        if kind == "class_declaration" and _implicit_constructor(node):
            # A class that declares no constructor has Java's: no parameters, the class's own access. Callers
            # outside may write `new Name()`; an answer must keep a constructor they can call that way (one it
            # declares, or the implicit one again). No body is written, so any compatible constructor keeps it.
            return Visit(("constructor", f"{name}.{name}", None), scope=name, declaration=True)
        return Visit(scope=name)
    if kind == "method_declaration":
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(
            ("method", name, node.child_by_field_name("parameters")),
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind == "constructor_declaration":
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(("constructor", name, node.child_by_field_name("parameters")), function=True)
    if kind == "compact_constructor_declaration":
        return Visit(function=True)
    if kind == "object_creation_expression" and any(c.type == "class_body" for c in node.children):
        return SKIP  # an anonymous class's methods are not named API (and may become a lambda)
    if kind == "lambda_expression":
        return Visit(function=True)
    return NOTHING


def _implicit_constructor(node: tree_sitter.Node) -> bool:
    """A class whose body declares no constructor (JLS 8.8.9: it gets a default one)."""
    body = node.child_by_field_name("body")
    return body is not None and not any(child.type == "constructor_declaration" for child in body.named_children)


def parameter(spec: LanguageSpec, source: Source, group: list[tree_sitter.Node], only: bool) -> list[Parameter]:
    """Java callers pass by position: the name is left out, the type kept."""
    key = canonical(source, group, spec.ignored_in_parameters, skip_ids=_parameter_names(group))
    return [Parameter(None, key, as_written(source, group))] if key else []


def _parameter_names(group: list[tree_sitter.Node]) -> set[int]:
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


# The defect rules written as code, which the defects stage runs for this language (LanguageSpec.defect_rules).

_PRIVATE_FIELDS = "(field_declaration (modifiers) @modifiers declarator: (variable_declarator name: (identifier) @hit))"


def unused_private_fields(source: Source) -> Iterator[Finding]:
    """A private field that nothing in the file reads or writes: only its class can, and it does not (javac -Xlint
    and every IDE flag it). Names are counted as identifiers outside comments and strings."""
    names = captured(source.grammar, _PRIVATE_FIELDS, source.root)
    if not names:
        return
    counts = Counter(source.node_text(n) for n in captured(source.grammar, "(identifier) @hit", source.root))
    for name in names:
        declaration = name.parent.parent if name.parent is not None else None
        modifiers = next((c for c in declaration.children if c.type == "modifiers"), None) if declaration else None
        if modifiers is None or "private" not in source.node_text(modifiers).split():
            continue
        if any(c.type in ("annotation", "marker_annotation") for c in modifiers.children):
            continue  # @Inject, @Mock, @SerializedName: read by a framework, not by the file
        text = source.node_text(name)
        if text != "serialVersionUID" and counts[text] <= 1:
            yield finding(source, "unused-private-field", text, name, f"private field '{text}' is never used")


def foreign_private_access(source: Source) -> Iterator[Finding]:
    """`car.battery` in one top-level class where `battery` is a private field of another top-level class of the
    file and no field of its own: javac refuses it ("has private access")."""
    private_of: dict[str, set[int]] = defaultdict(set)  # field -> top-level classes declaring it private
    fields_of: dict[int, set[str]] = defaultdict(set)  # top-level class id -> every field and method it declares
    tops = [
        n
        for n in source.root.named_children
        if n.type in ("class_declaration", "record_declaration", "enum_declaration")
    ]
    if len(tops) < 2:
        return
    for top in tops:
        for name in captured(
            source.grammar, "(field_declaration declarator: (variable_declarator name: (identifier) @hit))", top
        ):
            fields_of[top.id].add(source.node_text(name))
            declaration = name.parent.parent if name.parent is not None else None
            modifiers = next((c for c in declaration.children if c.type == "modifiers"), None) if declaration else None
            if (
                modifiers is not None
                and "private" in source.node_text(modifiers).split()
                and _enclosing_top(name) == top
            ):
                private_of[source.node_text(name)].add(top.id)
        for name in captured(
            source.grammar,
            "(record_declaration parameters: (formal_parameters (formal_parameter name: (identifier) @hit)))",
            top,
        ):
            fields_of[top.id].add(source.node_text(name))
    if not private_of:
        return
    for top in tops:
        for access in captured(source.grammar, "(field_access field: (identifier) @hit)", top):
            field_name = source.node_text(access)
            owners = private_of.get(field_name, set())
            if owners and top.id not in owners and field_name not in fields_of[top.id]:
                yield finding(
                    source, "private-access", field_name, access, f"'{field_name}' is a private field of another class"
                )


_SERIAL_VERSIONS = """
(class_declaration name: (identifier) @class body: (class_body (field_declaration
    declarator: (variable_declarator name: (identifier) @field (#eq? @field "serialVersionUID")))))
"""


def lost_serial_versions(original: Source, answer: Source) -> Iterator[Finding]:
    """A class that declared its serialVersionUID and still extends or implements something (an exception, a
    Serializable) without it: javac -Xlint warns [serial], and the class's serialized form gets an id computed from its
    members, which any later change breaks. Only a class the original gave one is blamed."""
    kept = _serial_classes(answer)
    declared_before = _serial_classes(original)
    if not declared_before - kept:
        return
    for node in captured(answer.grammar, "(class_declaration name: (identifier) @hit)", answer.root):
        name = answer.node_text(node)
        declaration = node.parent
        if name not in declared_before or name in kept or declaration is None:
            continue
        if (
            declaration.child_by_field_name("superclass") is None
            and declaration.child_by_field_name("interfaces") is None
        ):
            continue  # no longer serializable through anything: nothing to version
        message = (
            f"class {name} lost its serialVersionUID: its serialized form's id is now computed (javac -Xlint:serial)"
        )
        yield finding(answer, "serial-version-lost", name, node, message)


def _serial_classes(source: Source) -> set[str]:
    """The classes that declare a serialVersionUID field in their own body."""
    return {source.node_text(hit["class"][0]) for hit in matches(source, _SERIAL_VERSIONS) if hit.get("class")}


def _enclosing_top(node: tree_sitter.Node) -> tree_sitter.Node | None:
    top = None
    current = node.parent
    while current is not None and current.parent is not None:
        top = current
        current = current.parent
    return top


NODE_KINDS = NodeKinds(
    comments=words("block_comment line_comment"),
    strings=words("character_literal string_literal"),
    calls=words("method_invocation"),
    anonymous_functions=words("lambda_expression"),
    string_arguments=words("string_literal"),
    top_level_statements=words("expression_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("string_literal"),
    assignments=words("assignment_expression"),
    value_definitions=words("class"),
    control=words(
        "catch_clause do_statement enhanced_for_statement for_statement if_statement",
        "switch_expression try_statement while_statement",
    ),
    operations=words("binary_expression"),
    parentheses=words("parenthesized_expression"),
    functions=words("constructor_declaration lambda_expression method_declaration"),
    chained_parents=words("if_statement"),
    same_level=words("catch_clause"),
    not_parameters=words("( ) , block_comment line_comment"),
    terminators=words("break_statement continue_statement return_statement throw_statement"),
    reachable_after=words("; block_comment class_declaration labeled_statement line_comment }"),
    jump_targets=words("labeled_statement"),
    self_assignments=words("assignment_expression"),
    labelled_arms=words("switch_block_statement_group switch_rule"),
    case_labels=words("switch_label"),
    names=words("identifier"),
    wrappers=words("array_creation_expression"),
    method_references=words("method_reference"),
    method_calls=words("method_invocation"),
    assigning=words("assignment_expression"),
    object_names=words("identifier"),
    imports=words("import import_declaration package package_declaration"),
    member_fields=words("field key scope type"),
    member_contexts=frozenset(
        {
            ("annotation", None),
            ("field_access", "field"),
            ("marker_annotation", None),
            ("object_creation_expression", "type"),
            ("scoped_identifier", "name"),
        }
    ),
    declaring=frozenset(
        {
            ("annotation_type_declaration", "name"),
            ("assignment_expression", "left"),
            ("catch_clause", "name"),
            ("catch_formal_parameter", "name"),
            ("class", "name"),
            ("class_declaration", "name"),
            ("compact_constructor_declaration", "name"),
            ("constructor_declaration", "name"),
            ("declaration", "declarator"),
            ("enhanced_for_statement", "name"),
            ("enum_constant", "name"),
            ("enum_declaration", "name"),
            ("field_declaration", "declarator"),
            ("formal_parameter", "name"),
            ("formal_parameters", None),
            ("inferred_parameters", None),
            ("instanceof_expression", "name"),
            ("interface_declaration", "name"),
            ("labeled_statement", None),
            ("lambda_expression", "parameters"),
            ("method_declaration", "name"),
            ("record_declaration", "name"),
            ("record_pattern_component", None),
            ("resource", "name"),
            ("spread_parameter", None),
            ("type_parameter", None),
            ("type_pattern", None),
            ("variable_declarator", "name"),
        }
    ),
    receiver_fields=words("object"),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

_OBJECT = "getClass hashCode equals toString clone finalize notify notifyAll wait"
"""java.lang.Object's methods, which every class and enum has (an anonymous class's body is a class_body too)."""

IMPORTS = query_imports("""
    (import_declaration (scoped_identifier name: (identifier) @name) @module) @import
    (import_declaration (scoped_identifier) @module (asterisk) @whole) @import
    """)
"""The class (or, for `import static`, the member) each import brings in; `.*` imports bring in a whole package."""

CONSTANT_QUERIES = (
    "(field_declaration (modifiers) @modifiers declarator: (variable_declarator name: (identifier) @name value: (_)?"
    r' @value) (#match? @modifiers "(^|\\s)static(\\s|$)") (#match? @modifiers "(^|\\s)final(\\s|$)")) @definition',
    "(constant_declaration declarator: (variable_declarator name: (identifier) @name value: (_)? @value)) @definition",
)
"""A class's `static final` fields and an interface's fields (static and final without saying so)."""

SPEC = LanguageSpec(
    node_kinds=NODE_KINDS,
    name="java",
    extensions=(".java",),
    fence_names=("java",),
    grammars={"java": Grammar("tree_sitter_java")},
    return_fields=("type",),
    parameter=parameter,
    hidden=private_modifier("modifiers"),
    definition_kinds=_DEFINITION_KINDS,
    visit=_visit,
    prefix=_prefix,
    ignored_in_parameters=frozenset({"modifiers", "marker_annotation", "annotation"}),
    known_names=words("""
    this super String Object Integer Long Short Byte Double Float Boolean Character Number Math System
    StringBuilder StringBuffer Thread Runnable Exception RuntimeException IllegalArgumentException
    IllegalStateException NullPointerException UnsupportedOperationException IndexOutOfBoundsException
    ArithmeticException ClassCastException Error Throwable Iterable Comparable CharSequence Class Void Enum
    Record Override Deprecated SuppressWarnings FunctionalInterface SafeVarargs AutoCloseable Cloneable
    InterruptedException CloneNotSupportedException length
"""),
    implicit_members=(
        ("enum_body", words(f"values valueOf ordinal name compareTo getDeclaringClass describeConstable {_OBJECT}")),
        ("class_body", words(_OBJECT)),
    ),
    type_queries=tuple(f"({kind} name: (_) @name)" for kind in _TYPE_KINDS),
    imports=IMPORTS,
    constant_queries=CONSTANT_QUERIES,
    defect_queries=(ASSIGNMENT_IN_PARENTHESES, empty_catch("block")),
    block_query="(block) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query="(switch_block) @hit",
    defect_rules=(unused_private_fields, foreign_private_access),
    compared_rules=(lost_serial_versions,),
    capitalised_objects_are_classes=True,
)
