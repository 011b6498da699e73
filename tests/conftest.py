"""Shared fixtures: small sessions built through the public store API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bare_tui.model import Attempt, Task
from bare_tui.store import Store

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "sessions" / "demo"


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def session(tmp_path: Path) -> Path:
    """A session with two Python tasks and three attempts, no verdicts or judgements."""
    path = tmp_path / "s.db"
    with Store.open(path, create=True) as store:
        store.add_tasks(
            [
                Task("t-1", "python", "src/a.py", "def f(x):\n    return x\n"),
                Task("t-2", "go", "pkg/b.go", "package b\n\nfunc G(a int) int { return a }\n"),
            ]
        )
        store.add_attempts(
            [
                Attempt("a-1", "t-1", "m1", "def f(x):\n    return x + 0\n"),
                Attempt("a-2", "t-1", "m2", "def f(x, y):\n    return x\n"),
                Attempt("a-3", "t-2", "m1", "package b\n\nfunc G(a int) int {\n\treturn a\n}\n"),
            ]
        )
    return path
