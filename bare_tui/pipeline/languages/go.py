"""Go: tree-sitter-go; a package exports exactly its capitalised names."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import tree_sitter

from bare_tui.pipeline.languages.findings import Finding, captured, finding
from bare_tui.pipeline.languages.parameters import Parameter, as_written, canonical, parameters_of
from bare_tui.pipeline.languages.spec import NOTHING, Grammar, LanguageSpec, NodeKinds, Visit, query_imports, words
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


# Parameters and return types as callers see them.


def parameter(spec: LanguageSpec, source: Source, group: list[tree_sitter.Node], only: bool) -> list[Parameter]:
    """`a, b int` is two parameters of one type; callers pass by position, so the names are left out (`func(int)`
    and `func(n int)` are called alike)."""
    node = group[0]
    type_node = node.child_by_field_name("type")
    names = node.children_by_field_name("name")
    type_key = canonical(source, [type_node] if type_node else group, frozenset())
    type_text = as_written(source, [type_node] if type_node else group)
    variadic = "..." if node.type == "variadic_parameter_declaration" else ""
    if not names:
        return [Parameter(None, variadic + type_key, variadic + type_text)]
    return [Parameter(None, variadic + type_key, f"{source.node_text(n)} {variadic}{type_text}") for n in names]


_FUNCTIONS = frozenset({"function_declaration", "method_declaration", "method_elem", "method_spec", "func_literal"})


def return_type(spec: LanguageSpec, source: Source, node: tree_sitter.Node) -> str | None:
    """A function's results; none written means it returns nothing (""), which callers do see."""
    for name in spec.return_fields:
        found = node.child_by_field_name(name)
        if found is not None and found.type == "parameter_list":
            # `(n int, err error)` returns what `(int, error)` returns: result names are the callee's business
            types = [p.type or "" for p in parameters_of(source, found)]
            return types[0] if len(types) == 1 else "(" + ",".join(types) + ")"
        if found is not None:
            key = canonical(source, [found], spec.ignored_in_parameters).lstrip(":")
            return key or None
    return "" if node.type in _FUNCTIONS else None


# The defect rules written as code, which the defects stage runs for this language (LanguageSpec.defect_rules).

_LOCALS = """
(short_var_declaration left: (expression_list (identifier) @hit))
(var_spec name: (identifier) @hit)
"""
_LOCAL_SCOPES = frozenset({"function_declaration", "method_declaration", "func_literal"})


def unused_locals(source: Source) -> Iterator[Finding]:
    """Go's "declared and not used": a local whose name appears nowhere else in its function."""
    counts: dict[int, Counter[str]] = {}
    for name in captured(source.grammar, _LOCALS, source.root):
        function = name.parent
        while function is not None and function.type not in _LOCAL_SCOPES:
            function = function.parent
        if function is None:
            continue  # a package-level variable may be used from another file
        text = source.node_text(name)
        if text == "_":
            continue
        if function.id not in counts:
            counts[function.id] = Counter(
                source.node_text(n) for n in captured(source.grammar, "(identifier) @hit", function)
            )
        if counts[function.id][text] <= 1:
            yield finding(source, "unused-variable", text, name, f"declared and not used: {text}")


def unused_imports(source: Source) -> Iterator[Finding]:
    """An imported package the file never names: `go build` refuses it ("imported and not used")."""
    used = {
        source.node_text(n)
        for n in captured(source.grammar, "(selector_expression operand: (identifier) @hit)", source.root)
    }
    used |= {
        source.node_text(n)
        for n in captured(source.grammar, "(qualified_type package: (package_identifier) @hit)", source.root)
    }
    for spec in captured(source.grammar, "(import_spec) @hit", source.root):
        alias = spec.child_by_field_name("name")
        path = spec.child_by_field_name("path")
        if path is None:
            continue
        if alias is not None:
            name = source.node_text(alias)
            if name in ("_", "."):
                continue
        else:
            name = source.node_text(path).strip('"`').rstrip("/").rsplit("/", 1)[-1]
            if "-" in name or "." in name or (name.startswith("v") and name[1:].isdigit()):
                continue  # the package's own name may differ from its path's last element
        if name not in used:
            yield finding(source, "unused-import", name, spec, f"imported and not used: {source.node_text(path)}")


_BUILTIN_PRINTS = frozenset({"print", "println"})


def builtin_print(source: Source) -> Iterator[Finding]:
    """A call of the builtin print or println, which write to standard error and are kept for bootstrapping (the
    language specification says they may not stay in the language): output meant for the user goes through fmt,
    and Go linters forbid them. A file that declares a function of that name calls its own."""
    calls = [
        call
        for call in captured(source.grammar, "(call_expression function: (identifier) @hit)", source.root)
        if source.node_text(call) in _BUILTIN_PRINTS
    ]
    if not calls:
        return
    own = {
        source.node_text(name)
        for name in captured(source.grammar, "(function_declaration name: (identifier) @hit)", source.root)
    }
    for call in calls:
        name = source.node_text(call)
        if name not in own:
            message = f"builtin {name} writes to standard error, not standard output (fmt.{name.capitalize()} does)"
            yield finding(source, "builtin-print", name, call, message)


NODE_KINDS = NodeKinds(
    comments=words("comment"),
    strings=words("interpreted_string_literal raw_string_literal"),
    calls=words("call_expression"),
    anonymous_functions=words("func_literal"),
    string_arguments=words("interpreted_string_literal raw_string_literal"),
    top_level_statements=words("expression_statement if_statement"),
    conditionals=words("if_statement"),
    directives=words("comment"),
    control=words("expression_switch_statement for_statement if_statement select_statement", "type_switch_statement"),
    operations=words("binary_expression"),
    parentheses=words("parenthesized_expression"),
    functions=words("func_literal function_declaration method_declaration"),
    chained_parents=words("if_statement"),
    not_parameters=words("( ) , comment"),
    number_literals=words("int_literal"),
    parameter_declarations=words("parameter_declaration"),
    terminators=words("break_statement continue_statement goto_statement return_statement"),
    reachable_after=words("; comment empty_statement function_declaration labeled_statement }"),
    jump_targets=words("labeled_statement"),
    self_assignments=words("assignment_statement"),
    list_value_arms=words("expression_case"),
    names=words("identifier"),
    wrappers=words("expression_list literal_element"),
    object_names=words("identifier"),
    imports=words(
        "import import_declaration import_spec import_spec_list package package_clause", "package_identifier"
    ),
    member_fields=words("field key label type"),
    member_contexts=frozenset({("goto_statement", None)}),
    declaring=frozenset(
        {
            ("const_spec", "name"),
            ("function_declaration", "name"),
            ("import_spec", "name"),
            ("labeled_statement", None),
            ("labeled_statement", "label"),
            ("method_declaration", "name"),
            ("parameter_declaration", "name"),
            ("range_clause", "left"),
            ("receive_statement", "left"),
            ("short_var_declaration", "left"),
            ("type_parameter_declaration", "name"),
            ("type_parameter_list", None),
            ("type_spec", "name"),
            ("type_switch_statement", "alias"),
            ("var_spec", "name"),
            ("variadic_parameter_declaration", "name"),
        }
    ),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

_VERSION_SUFFIX = re.compile(r"(/v\d+|\.v\d+)$")


def package_name(path: str) -> str:
    """The name an import without an alias is used by: its path's last element (`filepath` for "path/filepath"), less
    a major version (`yaml` for "gopkg.in/yaml.v2", `y` for "github.com/x/y/v2"). A package named otherwise than its
    folder is missed, never reported wrongly: the name is then not what the answer's code uses."""
    return _VERSION_SUFFIX.sub("", path).rsplit("/", 1)[-1]


IMPORTS = query_imports(
    """
    (import_spec name: (package_identifier) @name path: (interpreted_string_literal (interpreted_string_literal_content)
        @module)) @import
    (import_spec !name path: (interpreted_string_literal (interpreted_string_literal_content) @module)) @import
    (import_spec name: (blank_identifier) @effect path: (interpreted_string_literal (interpreted_string_literal_content)
        @module)) @import
    (import_spec name: (dot) @whole path: (interpreted_string_literal (interpreted_string_literal_content) @module))
        @import
    """,
    package_name,
)
"""What each import brings in: its alias or its package's name; `_` imports run for their effect, `.` imports bring in
the whole package."""

SPEC = LanguageSpec(
    node_kinds=NODE_KINDS,
    name="go",
    extensions=(".go",),
    aliases=("golang",),
    fence_names=("go", "golang"),
    grammars={"go": Grammar("tree_sitter_go")},
    final_newline=True,
    grouped_parameters=True,
    return_fields=("result",),
    parameter=parameter,
    return_type=return_type,
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
    imports=IMPORTS,
    constant_queries=("(source_file (const_declaration (const_spec (identifier) @name) @definition))",),
    block_query="(statement_list) @hit",
    assignment_query="(assignment_statement) @hit",
    switch_query="(expression_switch_statement) @hit",
    defect_rules=(unused_locals, unused_imports, builtin_print),
    import_path_query="(import_spec path: (_) @hit)",
)
