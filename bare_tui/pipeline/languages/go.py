"""Go: tree-sitter-go; a package exports exactly its capitalised names."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import LanguageSpec, words
from bare_tui.pipeline.languages.tree import Source


def _grammar() -> object:
    import tree_sitter_go

    return tree_sitter_go.language()


def hidden(source: Source, node: tree_sitter.Node, name: str, scope: tuple[str, ...]) -> bool:
    return not name.rsplit(".", 1)[-1][:1].isupper()


SPEC = LanguageSpec(
    name="go",
    extensions=(".go",),
    aliases=("golang",),
    fence_names=("go", "golang"),
    grammars={"go": _grammar},
    grammar_packages=("tree-sitter-go",),
    pygments_lexer="go",
    lizard_extensions={"go": ".go"},
    return_fields=("result",),
    hidden=hidden,
    known_names=words("""
    append cap clear close complex copy delete imag len make max min new panic print println real recover
    nil true false iota bool byte rune string error int int8 int16 int32 int64 uint uint8 uint16 uint32
    uint64 uintptr float32 float64 complex64 complex128 any comparable _
"""),
    type_queries=("(type_spec name: (_) @name)", "(type_alias name: (_) @name)"),
)
