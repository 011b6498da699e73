"""What a defect rule finds, shared by the defects stage and the language files whose rules are written as code
(Go's unused locals, Java's private fields): a finding, where it is, and the nodes a query captures."""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

from bare_tui.pipeline.languages.tree import Source, query_captures


@dataclass(frozen=True)
class Finding:
    """One analyser finding: a rule, the thing it is about (no positions, so a moved line is the same finding)."""

    rule: str
    symbol: str
    line: int
    column: int
    message: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule, self.symbol)


def finding(source: Source, rule: str, symbol: str, node: tree_sitter.Node, message: str) -> Finding:
    """A finding located at a node."""
    line, column = source.position(node)
    return Finding(rule, symbol, line, column, message)


def captured(grammar: str, query_text: str, root: tree_sitter.Node) -> list[tree_sitter.Node]:
    """The nodes a query captures under the name `hit`, in document order (queries compiled once, in languages)."""
    return query_captures(grammar, query_text, root, name="hit")
