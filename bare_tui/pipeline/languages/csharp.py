"""C#: tree-sitter-c-sharp; a member without an access modifier is private (interface members are public)."""

from __future__ import annotations

import tree_sitter

from bare_tui.pipeline.languages.spec import LanguageSpec, words
from bare_tui.pipeline.languages.tree import Source, modifier_words

_OPEN = frozenset({"public", "protected", "internal"})
_ALWAYS_VISIBLE = frozenset(
    {"namespace_declaration", "operator_declaration", "conversion_operator_declaration", "destructor_declaration"}
)
_TOP_LEVEL = frozenset({"compilation_unit", "namespace_declaration", "file_scoped_namespace_declaration"})


def _grammar() -> object:
    import tree_sitter_c_sharp

    return tree_sitter_c_sharp.language()


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


SPEC = LanguageSpec(
    name="csharp",
    extensions=(".cs",),
    aliases=("c#", "cs", "c_sharp"),
    fence_names=("csharp", "cs", "c#"),
    grammars={"csharp": _grammar},
    grammar_packages=("tree-sitter-c-sharp",),
    pygments_lexer="csharp",
    lizard_extensions={"csharp": ".cs"},
    named_arguments=True,
    return_fields=("returns", "type"),
    hidden=hidden,
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
    type_queries=(
        "(class_declaration name: (_) @name)",
        "(struct_declaration name: (_) @name)",
        "(interface_declaration name: (_) @name)",
        "(enum_declaration name: (_) @name)",
        "(record_declaration name: (_) @name)",
        "(delegate_declaration name: (_) @name)",
    ),
)
