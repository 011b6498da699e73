"""Python: CPython's own parser for syntax, tree-sitter-python for the rest, pyflakes for defects."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import LanguageSpec
from bare_tui.pipeline.languages.tree import Source


def _grammar() -> object:
    import tree_sitter_python

    return tree_sitter_python.language()


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    """`_helper` and `_Private` are private by convention (PEP 8); dunders are the class's protocol."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


SPEC = LanguageSpec(
    name="python",
    extensions=(".py",),
    aliases=("py", "python3"),
    fence_names=("python", "py", "python3"),
    grammars={"python": _grammar},
    grammar_packages=("tree-sitter-python",),
    pygments_lexer="python",
    lizard_extensions={"python": ".py"},
    named_arguments=True,
    optional_types=True,
    # annotations are hints: no caller breaks when one changes, so none are compared
    return_fields=(),
    hidden=hidden,
    type_queries=("(class_definition name: (_) @name)",),
)
