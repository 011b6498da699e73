"""The shared tree-sitter layer: grammars, cached parsers and queries, parses, positions and error nodes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

import tree_sitter

from bare_tui.model import Outcome, StageResult, normalise_language


class UnknownLanguage(ValueError):
    """A language outside the nine that have a grammar."""


def grammar_name(language: str, path: str = "") -> str:
    """The grammar that reads a file: the language itself, except `tsx` for TypeScript `.tsx` files."""
    from bare_tui.pipeline.languages import LANGUAGES, REGISTRY

    name = normalise_language(language)
    spec = REGISTRY.get(name) if name is not None else None
    if spec is None:
        raise UnknownLanguage(
            f"no tree-sitter grammar for language {language!r}; expected one of {', '.join(LANGUAGES)}"
        )
    return spec.grammar_for(path)


def unsupported(language: str) -> StageResult | None:
    """A `skipped` result for a language outside the nine, so every stage says the same; None when supported."""
    if normalise_language(language) is not None:
        return None
    return StageResult(Outcome.SKIPPED, details={"reason": f"no grammar for language {language!r}"})


@cache
def language_for_grammar(grammar: str) -> tree_sitter.Language:
    """The tree-sitter language of a grammar name as grammar_name() gives it ("tsx" included), cached."""
    from bare_tui.pipeline.languages import REGISTRY  # the language files import this module

    for spec in REGISTRY.values():
        found = spec.grammars.get(grammar)
        if found is not None:
            return tree_sitter.Language(found.load())
    raise UnknownLanguage(f"no tree-sitter grammar named {grammar!r}")


@cache
def query(grammar: str, pattern: str) -> tree_sitter.Query | None:
    """A compiled query, made once per process; None when this grammar's version lacks a node kind it names."""
    try:
        return tree_sitter.Query(language_for_grammar(grammar), pattern)
    except tree_sitter.QueryError:  # a node kind or field this grammar version does not have
        return None


def captures(
    source: Source, pattern: str, node: tree_sitter.Node | None = None, name: str | None = None
) -> list[tree_sitter.Node]:
    """The nodes a query captures (under `name`, or under any name) below `node`, in document order."""
    return query_captures(source.grammar, pattern, node if node is not None else source.root, name)


def query_captures(
    grammar: str, pattern: str, node: tree_sitter.Node, name: str | None = None
) -> list[tree_sitter.Node]:
    """captures() for a node of a tree parsed with this grammar: the query is compiled (and kept) by query()."""
    compiled = query(grammar, pattern) if pattern else None
    if compiled is None:
        return []
    found = tree_sitter.QueryCursor(compiled).captures(node)
    nodes = found.get(name, []) if name is not None else [n for group in found.values() for n in group]
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


def matches(source: Source, pattern: str) -> list[dict[str, list[tree_sitter.Node]]]:
    """Each match of a query in the whole tree, its captures by name (for patterns that capture several nodes)."""
    compiled = query(source.grammar, pattern)
    if compiled is None:
        return []
    return [found for _, found in tree_sitter.QueryCursor(compiled).matches(source.root)]


def kinds_pattern(grammar: str, kinds: Iterable[str], capture: str = "node") -> str:
    """One query pattern matching any of these node kinds that the grammar has (an empty string if none)."""
    language = language_for_grammar(grammar)
    present = [kind for kind in kinds if language.id_for_node_kind(kind, True)]
    return "[" + " ".join(f"({kind})" for kind in present) + f"] @{capture}" if present else ""


def modifier_words(source: Source, node: tree_sitter.Node, kinds: frozenset[str]) -> set[str]:
    """The words of a definition's modifier children (`private static`, `public`)."""
    found: set[str] = set()
    for child in node.children:
        if child.type in kinds:
            found.update(source.node_text(child).split())
    return found


def name_text(source: Source, node: tree_sitter.Node | None) -> str:
    """A node's text with its whitespace collapsed (a name as written, over lines or not); empty for None."""
    return " ".join(source.node_text(node).split()) if node is not None else ""


def unwrap_parentheses(node: tree_sitter.Node) -> tree_sitter.Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


@cache
def _parser_for_grammar(grammar: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(language_for_grammar(grammar))


def get_parser(language: str, path: str = "") -> tree_sitter.Parser:
    """A parser for the language, made once per process and grammar."""
    return _parser_for_grammar(grammar_name(language, path))


def encode(text: str) -> bytes:
    """UTF-8 bytes for tree-sitter; lone surrogates (from undecodable input) become '?' one-for-one."""
    return text.encode("utf-8", errors="replace")


@dataclass(frozen=True, eq=False)
class Source:
    """A parsed text: its bytes, its tree, and conversions from tree-sitter's byte points to 1-based positions."""

    language: str
    grammar: str
    text: str
    data: bytes
    tree: tree_sitter.Tree
    # The last position asked for (byte, row, column): positions asked in document order along one long line
    # cost the bytes between them, not the whole line each time.
    _last: list[int] = field(default_factory=lambda: [-1, -1, 0], repr=False)

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    def node_text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def position(self, node: tree_sitter.Node) -> tuple[int, int]:
        """The node's start as (line, column), both 1-based, the column counted in characters."""
        return self.position_at(node.start_byte, node.start_point.row, node.start_point.column)

    def position_at(self, byte: int, row: int, byte_column: int) -> tuple[int, int]:
        # tree-sitter columns count bytes; people (and editors) count characters.
        last_byte, last_row, last_column = self._last
        if row == last_row and last_byte <= byte:
            column = last_column + len(self.data[last_byte:byte].decode("utf-8", errors="replace"))
        else:
            line_start = max(0, byte - byte_column)
            column = len(self.data[line_start:byte].decode("utf-8", errors="replace")) + 1
        self._last[:] = [byte, row, column]
        return row + 1, column


def parse_source(language: str, text: str, path: str = "") -> Source:
    """Parse a text with the language's grammar (tsx for a `.tsx` path), with its bytes and tree; the last few
    texts' parses are kept (see parse_grammar)."""
    return parse_grammar(grammar_name(language, path), text)


def parse_grammar(grammar: str, text: str) -> Source:
    """Parse a text with a grammar named as grammar_name() gives it. Each stage parses the same original and
    attempt, and a worker meets one task's original again for every model's attempt, so the last few parses are
    kept: eight texts up to _LARGE characters, and the last larger one (their trees are large)."""
    return _parse_large(grammar, text) if len(text) > _LARGE else _parse(grammar, text)


_LARGE = 2_000_000
"""Characters of a text whose tree is big enough to keep only one of (the size cap is half of this)."""


def _read(grammar: str, text: str) -> Source:
    from bare_tui.pipeline.languages import spec_for_grammar

    spec = spec_for_grammar(grammar)
    data = encode(text)
    if spec.final_newline and not data.endswith(b"\n"):
        data += b"\n"
    tree = _parser_for_grammar(grammar).parse(data)
    return Source(language=spec.name, grammar=grammar, text=text, data=data, tree=tree)


_parse = lru_cache(maxsize=8)(_read)
_parse_large = lru_cache(maxsize=1)(_read)


def iter_problems(root: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """The outermost ERROR nodes and every MISSING node under `root`, in document order, without recursion.

    Subtrees that hold no error are skipped, so a clean tree costs one look at the root. ERROR nodes are
    descended into for the MISSING tokens inside them; an ERROR nested in another is part of its parent's report.
    """
    stack: list[tuple[tree_sitter.Node, bool]] = [(root, False)]
    while stack:
        node, inside_error = stack.pop()
        if node.is_missing or (node.is_error and not inside_error):
            yield node
        if node.has_error and node.child_count:
            inside = inside_error or node.is_error
            stack.extend((child, inside) for child in reversed(node.children))


def describe_problem(source: Source, node: tree_sitter.Node) -> str:
    """A message for an error node: "missing '}'" for a MISSING token, else the text that does not parse."""
    if node.is_missing:
        return f"missing {_quote(node.type)}"
    if node.end_byte <= node.start_byte:
        return "syntax error at end of input" if node.start_byte >= len(source.data) else "syntax error"
    head = source.data[node.start_byte : min(node.end_byte, node.start_byte + 400)].decode("utf-8", errors="replace")
    return f"syntax error: cannot parse {_quote(snippet(head))}"


def snippet(text: str, limit: int = 40) -> str:
    """One line of at most `limit` characters standing for a text in a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_snippet(source: Source, node: tree_sitter.Node, limit: int = 40) -> str:
    """snippet() of a node's text, reading only as much of a long node as the snippet needs: a message about each
    of many nested nodes (`a == b == c ...`) then costs time linear in the text, not quadratic."""
    start, end = node.start_byte, node.end_byte
    enough = start + 4 * limit + 256
    if end > enough:
        head = " ".join(source.data[start:enough].decode("utf-8", errors="replace").split())
        # The last word of the head may be cut (a multibyte character too): the rest is the whole text's start.
        if len(head) > limit + 4:
            return head[: limit - 1] + "…"
    return snippet(source.node_text(node), limit)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "\\'") + "'"
