"""Python: CPython's own parser for syntax, tree-sitter-python for the rest, pyflakes for defects."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import NOTHING, SKIP, Grammar, LanguageSpec, Visit
from bare_tui.pipeline.languages.tree import Source, name_text


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    """`_helper` and `_Private` are private by convention (PEP 8); dunders are the class's protocol."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


# The definitions the signatures stage compares.

_DEFINITION_KINDS = (
    "function_definition",
    "class_definition",
    "lambda",
    "ERROR",  # a def whose colon is missing: tree-sitter keeps its name and parameters in an ERROR
)
"""The nodes the signatures scanner visits."""


def _visit(source: Source, node: tree_sitter.Node) -> Visit:
    kind = node.type
    if kind == "function_definition":
        name = name_text(source, node.child_by_field_name("name"))
        return Visit(("function", name, node.child_by_field_name("parameters")), scope=name, function=True)
    if kind == "class_definition":
        return Visit(scope=name_text(source, node.child_by_field_name("name")))
    if kind == "lambda":
        return SKIP
    if kind == "ERROR":
        return _broken_def(source, node)
    return NOTHING


def _broken_def(source: Source, node: tree_sitter.Node) -> Visit:
    """`def name(params)` inside an ERROR node (say, the colon is missing): still a function of the file."""
    children = node.children
    for index, child in enumerate(children[:-2]):
        if (
            child.type == "def"
            and children[index + 1].type == "identifier"
            and children[index + 2].type == "parameters"
        ):
            name = name_text(source, children[index + 1])
            return Visit(("function", name, children[index + 2]), at=child)
    if len(children) >= 2 and children[0].type == "identifier" and children[1].type == "parameters":
        # tree-sitter may leave the `def` keyword out of the ERROR node it keeps the rest in
        before = source.data[max(0, node.start_byte - 8) : node.start_byte].decode("utf-8", "replace")
        if before.rstrip().endswith("def"):
            return Visit(("function", name_text(source, children[0]), children[1]), at=children[0])
    return NOTHING


SPEC = LanguageSpec(
    name="python",
    extensions=(".py",),
    aliases=("py", "python3"),
    fence_names=("python", "py", "python3"),
    grammars={"python": Grammar("tree_sitter_python")},
    named_arguments=True,
    optional_types=True,
    # annotations are hints: no caller breaks when one changes, so none are compared
    return_fields=(),
    hidden=hidden,
    definition_kinds=_DEFINITION_KINDS,
    visit=_visit,
    type_queries=("(class_definition name: (_) @name)",),
)
