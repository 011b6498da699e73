"""The session's rubric: a section per field, and for an extra stage once the session has its verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bare_tui.model import Attempt, Outcome, Task, Verdict
from bare_tui.rubric import load_rubric, set_rubric
from bare_tui.store import SessionError, Store

RUBRIC = """Judge what a caller of the file would see.

## syntax

It parses.

## tests

The task's own tests pass on the answer; a skipped test is not a pass.
"""


@pytest.fixture
def session(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    with Store.open(path, create=True) as store:
        store.add_tasks([Task("t-1", "python", "a.py", "x = 1\n")])
        store.add_attempts([Attempt("a-1", "t-1", "m", "x = 2\n")])
    return path


def test_a_section_for_an_extra_stage_is_refused_until_the_session_has_its_verdicts(
    session: Path, tmp_path: Path
) -> None:
    (tmp_path / "rubric.md").write_text(RUBRIC, encoding="utf-8")
    with Store.open(session) as store:
        with pytest.raises(SessionError, match=r"rubric.md:7: '## tests' names no field"):
            set_rubric(store, tmp_path / "rubric.md")  # a misspelt or unknown heading would hide its section
        assert load_rubric(store) is None
        store.save_verdicts([Verdict("a-1", "tests", Outcome.FAIL, None, (), "ci", "ci")])
        set_rubric(store, tmp_path / "rubric.md")
        rubric = load_rubric(store)
    assert rubric is not None and rubric.sections["tests"].startswith("The task's own tests pass")
    shown = rubric.for_field("tests")
    assert shown.startswith("## tests\n\nThe task's own tests pass")  # its own section first
    assert shown.index("## every field") < shown.index("## syntax")  # then the general part, then the others
    assert rubric.for_field("syntax").endswith("a skipped test is not a pass.")  # the extra stage's is in reach
