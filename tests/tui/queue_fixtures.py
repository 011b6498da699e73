"""Sessions for the queue and audit tests: six attempts whose queue states and disputes are known by hand."""

from __future__ import annotations

import bisect
import inspect
from pathlib import Path
from typing import TYPE_CHECKING

from bare_tui.model import FIELDS, STAGES, Attempt, Evidence, Flag, Judgement, Label, Outcome, Task, Verdict
from bare_tui.store import Store

if TYPE_CHECKING:
    from bare_tui.tui.screens.queue import QueueScreen

BISECT = inspect.getsource(bisect)
GO_LIMITER = """package limiter

import "time"

type Limiter struct {
\trate  int
\tlast  time.Time
}

func (l *Limiter) Allow(now time.Time) bool {
\tif now.Sub(l.last) < time.Second/time.Duration(l.rate) {
\t\treturn false
\t}
\tl.last = now
\treturn true
}
"""
# Markup, a Textual action link, ANSI colour, a bidi override and a NUL: all must be shown, none obeyed.
HOSTILE = "[bold]x[/bold] [@click=app.quit]q[/] \x1b[31mred\u202eevil\x00"
HOSTILE_PATH = "evil/[red]x[/red]\x1b[2J.py"
HOSTILE_MODEL = "[b]m[/b]"

EXPECTED_ORDER = ["a-1", "a-2", "a-3", "a-4", "a-5", "a-6"]


def _verdicts(
    attempt_id: str, outcomes: dict[str, Outcome], evidence: dict[str, tuple[Evidence, ...]] | None = None
) -> list[Verdict]:
    rows = [
        Verdict(
            attempt_id,
            stage,
            outcomes.get(stage, Outcome.PASS),
            evidence=(evidence or {}).get(stage, ()),
            pipeline_version="0.1.0+test",
        )
        for stage in STAGES
    ]
    overall = Outcome.PASS if all(v.outcome is Outcome.PASS for v in rows) else Outcome.FAIL
    return rows + [Verdict(attempt_id, "overall", overall, pipeline_version="0.1.0+test")]


def _label(
    jid: str, attempt_id: str, reviewer: str, stage: str, label: Label, note: str = "", confidence: int | None = 2
) -> Judgement:
    return Judgement(
        jid,
        attempt_id,
        reviewer,
        stage,
        label,
        confidence,
        note,
        opened_at="2026-11-21T10:00:00Z",
        saved_at=f"2026-11-21T10:00:{int(jid[2:]):02d}Z",
    )


def build_queue_session(path: Path) -> Path:
    """Six attempts, read from the reviewer `ana`'s side:

    a-1 python/model-a: all pass; ana labelled all six pass (judged, no dispute).
    a-2 python/model-b: signatures fail; ana and ben say pass (a disputed failure; ana partly).
    a-3 go/model-a: syntax fail; nobody labelled.
    a-4 go/model-b: all pass; ana says integrity fail, ben pass; ana also labelled syntax (reviewers disagree).
    a-5 hostile path/model: all pass; ben says maintainability fail, with a hostile note; ben flagged it.
    a-6 python/model-a: all pass; ana flagged it, nobody labelled.
    """
    signature_line = BISECT[: BISECT.index("def insort_left(")].count("\n") + 1
    with Store.open(path, create=True) as store:
        store.add_tasks(
            [
                Task("t-1", "python", "Lib/bisect.py", BISECT),
                Task("t-2", "go", "pkg/limiter/limiter.go", GO_LIMITER),
                Task("t-3", "python", HOSTILE_PATH, "x = 1\n"),
            ]
        )
        store.add_attempts(
            [
                Attempt("a-1", "t-1", "model-a", BISECT.replace('"""Bisection algorithms."""', '"""Bisection."""')),
                Attempt("a-2", "t-1", "model-b", BISECT.replace("def insort_left(", "def insert_left(")),
                Attempt("a-3", "t-2", "model-a", GO_LIMITER.replace("return true\n}", "return true\n")),
                Attempt("a-4", "t-2", "model-b", GO_LIMITER.replace("l.last = now", "l.last = now // moved")),
                Attempt("a-5", "t-3", HOSTILE_MODEL, f"x = 2  # {HOSTILE}\n"),
                Attempt("a-6", "t-1", "model-a", BISECT),
            ]
        )
        store.save_verdicts(
            _verdicts("a-1", {})
            + _verdicts(
                "a-2",
                {"signatures": Outcome.FAIL},
                {
                    "signatures": (
                        Evidence("original", signature_line, 1, "insort_left(a, x, lo, hi, key) is missing"),
                    ),
                },
            )
            + _verdicts(
                "a-3",
                {"syntax": Outcome.FAIL},
                {
                    "syntax": (Evidence("refactored", 16, 1, "missing '}'"),),
                },
            )
            + _verdicts("a-4", {})
            + _verdicts("a-5", {})
            + _verdicts("a-6", {"defects": Outcome.SKIPPED})
        )
        labels = [_label(f"j-{i + 1}", "a-1", "ana", stage, Label.PASS) for i, stage in enumerate(FIELDS)]
        labels += [
            _label("j-10", "a-2", "ana", "signatures", Label.PASS, "the function was renamed, callers updated", 3),
            _label("j-11", "a-2", "ben", "signatures", Label.PASS, "rename is fine"),
            _label("j-12", "a-4", "ana", "integrity", Label.FAIL, "a comment crept into code", 2),
            _label("j-13", "a-4", "ana", "syntax", Label.PASS),
            _label("j-14", "a-4", "ben", "integrity", Label.PASS, "", 1),
            _label("j-15", "a-5", "ben", "maintainability", Label.FAIL, f"note {HOSTILE}", 3),
        ]
        store.save_judgements(labels)
        store.set_flag(Flag("a-5", "ben", True, f"flag {HOSTILE}", "2026-11-21T10:01:00Z"))
        store.set_flag(Flag("a-6", "ana", True, "looks identical to the original", "2026-11-21T10:02:00Z"))
    return path


async def queue_loaded(pilot, app) -> QueueScreen:  # type: ignore[no-untyped-def]
    """The queue screen once its full rows are shown (the first rows may be the outline, labels still being read).
    Textual is imported here, not at the top: the headless unit tests share this module's sessions."""
    from bare_tui.tui.screens.queue import QueueScreen

    for _ in range(500):
        await pilot.pause(0.01)
        screen = app.screen
        if isinstance(screen, QueueScreen) and screen.table.row_count and screen.rows[0].people_known:
            await pilot.pause()
            return screen
    raise AssertionError("the queue never showed its rows")
