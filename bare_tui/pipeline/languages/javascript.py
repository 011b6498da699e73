"""JavaScript: tree-sitter-javascript; what a module exports (ES `export`, CommonJS `module.exports`) is visible."""

from __future__ import annotations

from functools import lru_cache

import tree_sitter

from bare_tui.pipeline.languages.spec import LanguageSpec, words
from bare_tui.pipeline.languages.tree import Source, captures, modifier_words, unwrap_parentheses

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


def _grammar() -> object:
    import tree_sitter_javascript

    return tree_sitter_javascript.language()


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


SPEC = LanguageSpec(
    name="javascript",
    extensions=(".js", ".mjs", ".cjs", ".jsx"),
    aliases=("js", "node"),
    fence_names=("javascript", "js", "jsx", "node", "mjs"),
    grammars={"javascript": _grammar},
    grammar_packages=("tree-sitter-javascript",),
    pygments_lexer="javascript",
    lizard_extensions={"javascript": ".js"},
    optional_types=True,
    return_fields=("return_type",),
    hidden=hidden,
    known_names=words(KNOWN_NAMES),
    type_queries=("(class_declaration name: (_) @name)", "(class name: (_) @name)"),
)
