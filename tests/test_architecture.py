"""The architecture stays visible: a headless core that never imports Textual, and SQL in one module."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "bare_tui"
# The TUI layer, and the commands that start it, may import Textual; nothing else may.
TUI_MODULES = {"commands/review.py", "commands/audit.py", "commands/demo.py"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_headless_core_never_imports_textual() -> None:
    offenders = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("tui/") or relative in TUI_MODULES:
            continue
        if any(name == "textual" or name.startswith("textual.") for name in _imports(path)):
            offenders.append(relative)
    assert offenders == []


def test_only_the_store_speaks_sql() -> None:
    offenders = []
    for path in _modules():
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "store.py":
            continue
        if {"sqlite3", "sqlite_utils"} & _imports(path):
            offenders.append(relative)
    assert offenders == []
