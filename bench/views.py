"""The analyst's views at scale: reading `attempt_stages` and `disputes`, and exporting attempt-stages as JSON
Lines, for a generated session (default 40,000 attempts x six fields, 5% labelled by two reviewers).
Prints medians of three runs, in seconds and rows per second. Usage: python bench/views.py [ATTEMPTS]"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bare_tui.exporter import export  # noqa: E402
from bare_tui.model import FIELDS, Attempt, Judgement, Label, Outcome, Task, Verdict  # noqa: E402
from bare_tui.store import Store  # noqa: E402


def build(path: Path, attempts: int) -> None:
    with Store.open(path, create=True) as store:
        store.add_tasks([Task(f"t-{t}", "python", f"pkg/m{t}.py", "x = 1\n") for t in range(500)])
        store.add_attempts([Attempt(f"a-{a}", f"t-{a % 500}", f"model-{a % 57}", "x = 2\n") for a in range(attempts)])
        outcomes = (Outcome.PASS, Outcome.FAIL, Outcome.PASS, Outcome.ERROR)
        store.save_verdicts(
            Verdict(f"a-{a}", stage, outcomes[(a + i) % 4], None, (), "0.3.0+bench", "bare-tui")
            for a in range(attempts)
            for i, stage in enumerate(FIELDS)
        )
        labels = (Label.PASS, Label.FAIL, Label.PASS)
        store.save_judgements(
            [
                Judgement(
                    f"j-{a}-{r}-{stage}",
                    f"a-{a}",
                    reviewer,
                    stage,
                    labels[(a + r + i) % 3],
                    saved_at="2026-11-21T10:00:00Z",
                )
                for a in range(0, attempts, 20)
                for r, reviewer in enumerate(("ana", "ben"))
                for i, stage in enumerate(FIELDS)
            ]
        )


def median_seconds(action, runs: int = 3) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times, count = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        count = action()
        times.append(time.perf_counter() - began)
    return statistics.median(times), count


def main() -> None:
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        build(path, attempts)
        with Store.open(path, readonly=True) as store:
            for name, action in (
                ("attempt_stages view, every row", lambda: sum(1 for _ in store.view_rows("attempt_stages"))),
                ("disputes view, every row", lambda: sum(1 for _ in store.view_rows("disputes"))),
                (
                    "export --what attempt-stages (jsonl)",
                    lambda: export(store, "attempt-stages", "jsonl", io.StringIO()),
                ),
                ("export --what verdicts (jsonl)", lambda: export(store, "verdicts", "jsonl", io.StringIO())),
            ):
                seconds, rows = median_seconds(action)
                print(f"{name:40} {rows:>9,} rows  {seconds:7.2f} s  {rows / seconds:>11,.0f} rows/s")


if __name__ == "__main__":
    main()
