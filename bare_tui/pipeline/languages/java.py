"""Java: tree-sitter-java; `private` members are hidden, everything else (package-private too) is visible."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import LanguageSpec, words
from bare_tui.pipeline.languages.tree import Source, modifier_words


def _grammar() -> object:
    import tree_sitter_java

    return tree_sitter_java.language()


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    return "private" in modifier_words(source, node, frozenset({"modifiers"}))


SPEC = LanguageSpec(
    name="java",
    extensions=(".java",),
    aliases=(),
    fence_names=("java",),
    grammars={"java": _grammar},
    grammar_packages=("tree-sitter-java",),
    pygments_lexer="java",
    lizard_extensions={"java": ".java"},
    return_fields=("type",),
    hidden=hidden,
    known_names=words("""
    this super String Object Integer Long Short Byte Double Float Boolean Character Number Math System
    StringBuilder StringBuffer Thread Runnable Exception RuntimeException IllegalArgumentException
    IllegalStateException NullPointerException UnsupportedOperationException IndexOutOfBoundsException
    ArithmeticException ClassCastException Error Throwable Iterable Comparable CharSequence Class Void Enum
    Record Override Deprecated SuppressWarnings FunctionalInterface SafeVarargs AutoCloseable Cloneable
    InterruptedException CloneNotSupportedException length
"""),
    type_queries=(
        "(class_declaration name: (_) @name)",
        "(interface_declaration name: (_) @name)",
        "(enum_declaration name: (_) @name)",
        "(record_declaration name: (_) @name)",
        "(annotation_type_declaration name: (_) @name)",
    ),
)
