"""JavaScript: tree-sitter-javascript; what a module exports (ES `export`, CommonJS `module.exports`) is visible."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

import tree_sitter

from bare_tui.pipeline.languages.findings import Finding, finding
from bare_tui.pipeline.languages.parameters import assigned_function_return
from bare_tui.pipeline.languages.spec import (
    ASSIGNMENT_IN_PARENTHESES,
    NOTHING,
    DefectQuery,
    Grammar,
    LanguageSpec,
    NodeKinds,
    Visit,
    empty_catch,
    query_imports,
    words,
)
from bare_tui.pipeline.languages.tree import (
    Source,
    captures,
    kinds_pattern,
    matches,
    modifier_words,
    name_text,
    unwrap_parentheses,
)

FUNCTION_KINDS = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function", "async_function"}
)
CLASS_KINDS = frozenset({"class", "class_declaration", "abstract_class_declaration"})
KNOWN_NAMES = """
    undefined NaN Infinity globalThis window document console Math JSON Object Array String Number Boolean
    Symbol BigInt Date RegExp Error TypeError RangeError SyntaxError ReferenceError Promise Map Set WeakMap
    WeakSet Proxy Reflect Intl parseInt parseFloat isNaN isFinite encodeURIComponent decodeURIComponent
    encodeURI decodeURI setTimeout clearTimeout setInterval clearInterval queueMicrotask structuredClone
    require module exports process Buffer __dirname __filename arguments this super fetch URL
    URLSearchParams TextEncoder TextDecoder AbortController Uint8Array Int32Array Float64Array ArrayBuffer
    DataView alert navigator location localStorage sessionStorage HTMLElement Event CustomEvent
    async await of get set static
"""


@lru_cache(maxsize=8)
def exports(source: Source) -> frozenset[str] | None:
    """The names a module exports, or None when the file is a script (no exports at all): a script's top-level
    functions are globals, callable from anywhere."""
    module = any(child.type == "export_statement" for child in source.root.children)
    names: set[str] = set()
    for node in captures(source, "[(export_statement) (assignment_expression)] @node"):
        if node.type == "export_statement":
            module = True
            for child in node.named_children:
                if child.type == "export_clause":
                    for specifier in child.named_children:
                        target = specifier.child_by_field_name("name")
                        if target is not None:
                            names.add(source.node_text(target))
                elif (
                    child.type not in FUNCTION_KINDS
                    and child.type not in CLASS_KINDS
                    and not child.type.endswith("declaration")
                ):
                    names.update(_referenced(source, child))  # export default helper / new Logger()
        else:  # module.exports = ..., exports.x = ...
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is None or right is None or not source.node_text(left).startswith(("module.exports", "exports.")):
                continue
            module = True
            names.update(_referenced(source, right))
    return frozenset(names) if module else None


def _referenced(source: Source, node: tree_sitter.Node) -> set[str]:
    """The names an exported value refers to outside function bodies: `{ a, b: c, logger: new Logger() }` exports
    a, c and (through its instance) Logger."""
    found: set[str] = set()
    stack = [unwrap_parentheses(node)]
    while stack and len(found) < 10_000:
        current = stack.pop()
        if current.type in ("identifier", "shorthand_property_identifier"):
            found.add(source.node_text(current))
        elif current.type not in FUNCTION_KINDS:
            stack.extend(current.named_children)
    return found


_MEMBERS = (
    "method_definition",
    "method_signature",
    "abstract_method_signature",
    "field_definition",
    "public_field_definition",
)


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    """`#name` and TypeScript's `private` members; in a module, top-level definitions it does not export."""
    kind = node.type
    if kind in _MEMBERS:
        target = node.child_by_field_name("name") or node.child_by_field_name("property")
        if target is not None and target.type == "private_property_identifier":
            return True
        return "private" in modifier_words(source, node, frozenset({"accessibility_modifier"}))
    if scope or kind in ("pair", "assignment_expression"):
        return False  # a member of something visible, or an assignment to an export or a global
    exported = exports(source)
    if exported is None:
        return False
    holder = node.parent
    if kind == "variable_declarator" and holder is not None:
        holder = holder.parent  # lexical_declaration -> export_statement
    if holder is not None and holder.type == "export_statement":
        return False
    return name not in exported


# The definitions the signatures stage compares.

DEFINITION_KINDS = (
    "function_declaration",
    "generator_function_declaration",
    "function_signature",
    "method_definition",
    "method_signature",
    "abstract_method_signature",
    "class",
    "class_declaration",
    "abstract_class_declaration",
    "interface_declaration",
    "internal_module",
    "module",
    "variable_declarator",
    "assignment_expression",
    "pair",
    "field_definition",
    "public_field_definition",
    "arrow_function",
    "function_expression",
    "function",
    "generator_function",
)
"""The nodes the signatures scanner visits."""


def _member_name(source: Source, node: tree_sitter.Node | None) -> str:
    if node is None:
        return ""
    if node.type == "string":
        return name_text(source, node)[1:-1]
    if node.type == "computed_property_name":
        return "[" + " ".join(source.node_text(node)[1:-1].split()) + "]"
    return name_text(source, node)


def _parameters(node: tree_sitter.Node) -> tree_sitter.Node | None:
    return node.child_by_field_name("parameters") or node.child_by_field_name("parameter")


def _assigned(source: Source, name: str, value: tree_sitter.Node | None, kind: str) -> Visit:
    if value is None or not name:
        return NOTHING
    value = unwrap_parentheses(value)
    if value.type in FUNCTION_KINDS:
        return Visit((kind, name, _parameters(value)), scope=name, function=True)
    if value.type in ("object", "class"):
        return Visit(scope=name)
    return NOTHING


def visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind in ("function_declaration", "generator_function_declaration", "function_signature"):
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(
            ("function", name, node.child_by_field_name("parameters")),
            scope=name,
            function=True,
            declaration=kind == "function_signature",
        )
    if kind in ("method_definition", "method_signature", "abstract_method_signature"):
        name = _member_name(source, node.child_by_field_name("name"))
        accessor = next((c.type for c in node.children if c.type in ("get", "set")), "")
        shown = f"{accessor} {name}" if accessor else name
        if name == "constructor" and not accessor:
            # Named after its class, like the constructor function of pre-2015 code (`function Foo(a)`), so
            # rewriting that as a class keeps the signature.
            return Visit(
                ("constructor", "", node.child_by_field_name("parameters")),
                scope=name,
                function=True,
                declaration=node.child_by_field_name("body") is None,
            )
        return Visit(
            ("method", shown, node.child_by_field_name("parameters")),
            scope=name,
            function=True,
            declaration=node.child_by_field_name("body") is None,
        )
    if kind in CLASS_KINDS or kind in ("interface_declaration", "internal_module", "module"):
        name = name_text(source, node.child_by_field_name("name"))
        if kind == "module":
            name = name.strip("'\"")
        if kind in CLASS_KINDS and name and not _declares_constructor(node):
            # `new Foo()` calls the implicit constructor: the same call as `function Foo() {}` made a class
            return Visit(("constructor", name, None), scope=name)
        return Visit(scope=name or None)
    if kind == "variable_declarator":
        target = node.child_by_field_name("name")
        if target is not None and target.type == "identifier":
            return _assigned(source, name_text(source, target), node.child_by_field_name("value"), "function")
        return NOTHING
    if kind == "assignment_expression":
        target = node.child_by_field_name("left")
        if target is not None and target.type in ("identifier", "member_expression"):
            # `Foo.prototype.bar = function` is the method `Foo.bar`, as in `class Foo { bar() {} }`
            name = name_text(source, target).replace(".prototype.", ".")
            return _assigned(source, name, node.child_by_field_name("right"), "function")
        return NOTHING
    if kind == "pair":
        return _assigned(
            source,
            _member_name(source, node.child_by_field_name("key")),
            node.child_by_field_name("value"),
            "method",
        )
    if kind in ("field_definition", "public_field_definition"):
        target = node.child_by_field_name("property") or node.child_by_field_name("name")
        return _assigned(source, _member_name(source, target), node.child_by_field_name("value"), "method")
    if kind in FUNCTION_KINDS:
        if _immediately_invoked(node):
            return NOTHING  # (function () { ... })(): a module pattern, its functions are the file's own
        return Visit(function=True)
    return NOTHING


def _declares_constructor(node: tree_sitter.Node) -> bool:
    body = node.child_by_field_name("body")
    if body is None:
        return True  # nothing to say about a class without a body
    for member in body.named_children:
        if member.type in ("method_definition", "method_signature"):
            name = member.child_by_field_name("name")
            if name is not None and name.text == b"constructor":
                return True
    return bool(node.child_by_field_name("heritage") or any(c.type == "class_heritage" for c in node.children))


def _immediately_invoked(node: tree_sitter.Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    if parent is None or parent.type != "call_expression":
        return False
    callee = parent.child_by_field_name("function")
    return callee is not None and callee.id == node.id


# Syntax: the early errors a grammar cannot see.

_EARLY_ERROR_PATTERN = """
(method_definition name: (_) @accessor parameters: (formal_parameters) @parameters)
(private_property_identifier) @private
"""


def early_errors(source: Source) -> list[tuple[tree_sitter.Node, str]]:
    """What every engine rejects though the grammar parses it: a getter with parameters, a setter without exactly
    one, an undeclared `#private` name."""
    problems: list[tuple[tree_sitter.Node, str]] = []
    for found in matches(source, _EARLY_ERROR_PATTERN):
        if "parameters" in found:
            method = found["accessor"][0].parent
            parameters = found["parameters"][0]
            accessor = next((c.type for c in method.children if c.type in ("get", "set")), None) if method else None
            count = sum(1 for c in parameters.named_children if c.type != "comment")
            if accessor == "get" and count != 0:
                problems.append((parameters, "a getter must not have parameters"))
            elif accessor == "set" and count != 1:
                problems.append((parameters, "a setter must have exactly one parameter"))
        elif "private" in found:
            node = found["private"][0]
            parent = node.parent
            if parent is not None and parent.type in (
                "method_definition",
                "field_definition",
                "public_field_definition",
                "method_signature",
                "abstract_method_signature",
            ):
                continue  # a declaration
            name = source.node_text(node)
            if not _private_declared(source, node, name):
                problems.append((node, f"private name {name} is not declared in an enclosing class"))
    return problems


def _private_declared(source: Source, node: tree_sitter.Node, name: str) -> bool:
    ancestor = node.parent
    for _ in range(300):
        if ancestor is None:
            return False
        if ancestor.type == "class_body":
            for member in ancestor.named_children:
                declared = member.child_by_field_name("name") or member.child_by_field_name("property")
                if (
                    declared is not None
                    and declared.type == "private_property_identifier"
                    and source.node_text(declared) == name
                ):
                    return True
        ancestor = ancestor.parent
    return True  # nested beyond reason: do not guess


# Defects: the query rules, and the static members of the built-in objects.

DEFECT_QUERIES = (
    ASSIGNMENT_IN_PARENTHESES,
    empty_catch("statement_block"),
    DefectQuery("debugger-statement", "(debugger_statement) @hit", "debugger statement left in the code"),
    DefectQuery(
        "loose-equality",
        "(binary_expression) @hit",
        "loose equality (use === or !==): {text}",
        operators=frozenset({"==", "!="}),
    ),
    DefectQuery("duplicate-key", "(object) @hit", "duplicate key in object literal: {text}"),
)
"""TypeScript shares these."""

_MODULE_BINDINGS = (
    "(program (lexical_declaration (variable_declarator name: (identifier) @hit)))",
    "(program (variable_declaration (variable_declarator name: (identifier) @hit)))",
    "(program (function_declaration name: (identifier) @hit))",
)
_READS = ("identifier", "shorthand_property_identifier", "type_identifier")
"""Where a name is read: in an expression, in `{ name }`, in a type (TypeScript's `typeof`, a class as a type)."""


def unused_module_bindings(original: Source, answer: Source) -> Iterator[Finding]:
    """A top-level constant, variable or function the answer adds to a module and neither exports nor reads
    (TypeScript's noUnusedLocals, eslint's no-unused-vars). One the original already had and the answer stops using
    is a helper left behind, dead code for maintainability to weigh, not a new mistake. In a script top-level names
    are globals another script may use, so only a module's (one that imports or exports) are looked at. Names are
    counted as identifiers outside comments and strings, file-wide: a shadowing local counts as a read, which errs
    towards no finding."""
    if exports(answer) is None and not any(child.type == "import_statement" for child in answer.root.children):
        return
    declared = _module_bindings(answer)
    if not declared:
        return
    had = {original.node_text(node) for node in _module_bindings(original)}
    reads = Counter(answer.node_text(node) for node in captures(answer, kinds_pattern(answer.grammar, _READS)))
    for node in declared:
        name = answer.node_text(node)
        if name not in had and not name.startswith("_") and reads[name] <= 1:
            yield finding(answer, "unused-module-binding", name, node, f"'{name}' is declared and never used")


def _module_bindings(source: Source) -> list[tree_sitter.Node]:
    """The names of a file's top-level constants, variables and functions, in file order."""
    found = [node for pattern in _MODULE_BINDINGS for node in captures(source, pattern, name="hit")]
    return sorted(found, key=lambda node: node.start_byte)


STATIC_MEMBERS: dict[str, frozenset[str]] = {
    "String": frozenset({"fromCharCode", "fromCodePoint", "raw", "prototype", "length", "name"}),
    "Math": frozenset(
        {
            "E",
            "LN10",
            "LN2",
            "LOG10E",
            "LOG2E",
            "PI",
            "SQRT1_2",
            "SQRT2",
            "abs",
            "acos",
            "acosh",
            "asin",
            "asinh",
            "atan",
            "atan2",
            "atanh",
            "cbrt",
            "ceil",
            "clz32",
            "cos",
            "cosh",
            "exp",
            "expm1",
            "floor",
            "fround",
            "hypot",
            "imul",
            "log",
            "log10",
            "log1p",
            "log2",
            "max",
            "min",
            "pow",
            "random",
            "round",
            "sign",
            "sin",
            "sinh",
            "sqrt",
            "tan",
            "tanh",
            "trunc",
            "f16round",
            "sumPrecise",
        }
    ),
    "Number": frozenset(
        {
            "EPSILON",
            "MAX_SAFE_INTEGER",
            "MAX_VALUE",
            "MIN_SAFE_INTEGER",
            "MIN_VALUE",
            "NaN",
            "NEGATIVE_INFINITY",
            "POSITIVE_INFINITY",
            "isFinite",
            "isInteger",
            "isNaN",
            "isSafeInteger",
            "parseFloat",
            "parseInt",
            "prototype",
        }
    ),
    "Array": frozenset({"from", "fromAsync", "isArray", "of", "prototype"}),
    "JSON": frozenset({"parse", "stringify", "rawJSON", "isRawJSON"}),
    "Object": frozenset(
        {
            "assign",
            "create",
            "defineProperties",
            "defineProperty",
            "entries",
            "freeze",
            "fromEntries",
            "getOwnPropertyDescriptor",
            "getOwnPropertyDescriptors",
            "getOwnPropertyNames",
            "getOwnPropertySymbols",
            "getPrototypeOf",
            "groupBy",
            "hasOwn",
            "is",
            "isExtensible",
            "isFrozen",
            "isSealed",
            "keys",
            "preventExtensions",
            "prototype",
            "seal",
            "setPrototypeOf",
            "values",
        }
    ),
    "Promise": frozenset(
        {"all", "allSettled", "any", "race", "reject", "resolve", "withResolvers", "try", "prototype"}
    ),
}
"""Every static member of the built-in objects a file may name (`Math.nope` is a defect); TypeScript shares it."""


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
    operations=words("binary_expression"),
    parentheses=words("parenthesized_expression"),
    functions=words(
        "arrow_function function function_declaration function_expression",
        "generator_function_declaration method_definition",
    ),
    chained_parents=words("else_clause if_statement"),
    same_level=words("catch_clause"),
    not_parameters=words("( ) , comment"),
    number_literals=words("number"),
    tables=words("object"),
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
        "import import_attribute import_clause import_specifier import_statement",
        "named_imports namespace_import using using_declaration",
    ),
    member_fields=words("attribute key label member property"),
    member_contexts=frozenset({("jsx_attribute", None)}),
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
            ("for_in_statement", "left"),
            ("formal_parameters", None),
            ("function", "name"),
            ("function_declaration", "name"),
            ("function_expression", "name"),
            ("generator_function_declaration", "name"),
            ("import_clause", None),
            ("import_specifier", "alias"),
            ("import_specifier", "name"),
            ("labeled_statement", None),
            ("labeled_statement", "label"),
            ("namespace_import", None),
            ("object_assignment_pattern", "left"),
            ("object_pattern", None),
            ("pair_pattern", "value"),
            ("rest_pattern", None),
            ("using_declaration", None),
            ("variable_declarator", "name"),
        }
    ),
    receiver_fields=words("object"),
)
"""The node kinds of the grammar that the stages give a part (comments, calls, functions, control flow)."""

_REQUIRE = (
    "(call_expression function: (identifier) @require arguments: (arguments . (string (string_fragment) @module)))"
)
IMPORTS = query_imports(f"""
    (import_statement (import_clause (identifier) @name) source: (string (string_fragment) @module)) @import
    (import_statement (import_clause (namespace_import (identifier) @name)) source: (string (string_fragment) @module))
        @import
    (import_statement (import_clause (named_imports (import_specifier alias: (identifier) @name)))
        source: (string (string_fragment) @module)) @import
    (import_statement (import_clause (named_imports (import_specifier !alias name: (identifier) @name)))
        source: (string (string_fragment) @module)) @import
    (import_statement . "import" . source: (string (string_fragment) @module)) @import
    (variable_declarator name: (identifier) @name value: {_REQUIRE} (#eq? @require "require")) @import
    (variable_declarator
        name: (object_pattern [(shorthand_property_identifier_pattern) @name (pair_pattern value: (identifier) @name)])
        value: {_REQUIRE} (#eq? @require "require")) @import
    (expression_statement {_REQUIRE} (#eq? @require "require")) @import
    """)
"""The names ES imports and `require()` bindings bring in, and the modules imported for their effect alone
(`import "./setup.js"`, a bare `require("dotenv")`). TypeScript's grammar has the same nodes."""

CONSTANT_QUERIES = (
    '(program (lexical_declaration "const" (variable_declarator name: (identifier) @name value: (_) @value)'
    " @definition))",
    "(program (export_statement declaration:"
    ' (lexical_declaration "const" (variable_declarator name: (identifier) @name value: (_) @value) @definition)))',
)
"""The top-level `const` bindings (a function or class bound so is the signatures' and types' business, a `require` an
import: the integrity stage leaves those out). Whether other files can name one is `hidden`'s answer: in a module, only
an exported one."""

SPEC = LanguageSpec(
    integer_power=True,  # `2 ** n` (ES2016): maintainability counts `1 << n` for it as bit arithmetic
    node_kinds=NODE_KINDS,
    name="javascript",
    extensions=(".js", ".mjs", ".cjs", ".jsx"),
    aliases=("js", "node"),
    fence_names=("javascript", "js", "jsx", "node", "mjs"),
    grammars={"javascript": Grammar("tree_sitter_javascript")},
    optional_types=True,
    return_fields=("return_type",),
    return_type=assigned_function_return,
    early_errors=early_errors,
    hidden=hidden,
    definition_kinds=DEFINITION_KINDS,
    visit=visit,
    ignored_in_parameters=frozenset({"decorator"}),
    arguments_object=True,
    known_names=words(KNOWN_NAMES),
    type_queries=("(class_declaration name: (_) @name)", "(class name: (_) @name)"),
    functions_stand_for_types=True,
    imports=IMPORTS,
    constant_queries=CONSTANT_QUERIES,
    defect_queries=DEFECT_QUERIES,
    block_query="(statement_block) @hit",
    assignment_query="(assignment_expression) @hit",
    switch_query="(switch_body) @hit",
    static_members=STATIC_MEMBERS,
    member_query="(member_expression) @hit",
    compared_rules=(unused_module_bindings,),
    assignment_declares=True,
)
