"""`bare-tui` with no command: build the bundled demo session once, then open it for review."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..importer import import_into
from ..model import FIELDS
from ..plans import PlanSpec, draw_plan, save_drawn
from ..safe_rich_text import safe_rich_text
from ..store import SessionError, Store

# The demo study ships inside the package (bare_tui/demo_study is a link to the checkout's sessions/demo, and
# a wheel carries its .jsonl files), so an editable and a plain `pip install .` both have it.
DEMO_SOURCE = (Path(__file__).resolve().parent.parent / "demo_study").resolve()


def demo_session_path(source: Path = DEMO_SOURCE) -> Path:
    """Where the built demo session lives: beside the study in a checkout (sessions/demo.db, git-ignored),
    else in the user's data folder, since an installed package's own folder is no place to write."""
    if source.name == "demo" and source.parent.name == "sessions":
        return source.parent / "demo.db"
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "bare-tui" / "demo.db"


DEMO_SESSION = demo_session_path()
DEMO_PLAN = PlanSpec(
    name="demo",
    size=24,
    strata=("model", "overall"),
    allocation="proportional",
    overlap=0.5,
    reviewers=("ana", "ben"),
    seed=2026,
)
"""The demo's review plan: drawn once the pipeline has run, so its strata cover pipeline passes and fails of
every model. The demo reviewers' labels were written before it, so most of its items, not all, are labelled."""


def build_demo(session: Path = DEMO_SESSION, source: Path = DEMO_SOURCE, console: Console | None = None) -> Path:
    """Import the demo study and run the pipeline on it, into a new file that replaces `session` only when
    complete, so an interrupted first run leaves nothing half-built behind."""
    if not source.is_dir():
        raise SessionError(f"{source}: the demo study is missing from this installation")
    console = console or Console(stderr=True)
    session.parent.mkdir(parents=True, exist_ok=True)
    partial = session.with_name(session.name + ".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    console.print(f"first run: building the demo session {session.name} once; later runs open at once")
    with console.status(f"importing the demo study from {source} …"), Store.open(partial, create=True) as store:
        report = import_into(store, source)
    if not report.complete:
        raise SessionError(f"{source}: the demo study did not import cleanly: {report.errors[0]}")
    from ..pipeline.runner import verify_session  # the stages' analysers load only when the demo is built

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        measuring = progress.add_task("measuring the originals", total=None)
        verifying = progress.add_task("running the five stages", total=None)

        def advance(task: TaskID) -> Callable[[int, int], None]:
            return lambda done, total: progress.update(task, completed=done, total=total)

        verify_session(
            partial,
            jobs=min(2, os.cpu_count() or 1),
            progress_callback=advance(verifying),
            measure_callback=advance(measuring),
        )
    with Store.open(partial) as store:
        save_drawn(store, draw_plan(store, DEMO_PLAN))
    os.replace(partial, session)
    console.print(f"built {session}")
    return session


def summary_tables(store: Store) -> list[Table]:
    """Attempts by language, by model, and each stage's outcomes: what a session holds at a glance."""
    summaries = store.attempt_summaries()
    by_language = Counter(s.language for s in summaries)
    by_model = Counter(s.model for s in summaries)
    outcomes: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    for (_, stage), verdict in store.current_verdicts().items():
        outcomes[stage][verdict.outcome.value] += 1
    tables = []
    for title, counts in (("language", by_language), ("model", by_model)):
        table = Table(title=f"attempts by {title}")
        table.add_column(title)
        table.add_column("attempts", justify="right")
        for key, n in sorted(counts.items()):
            table.add_row(safe_rich_text(key), str(n))  # a model's name is data, never markup
        tables.append(table)
    table = Table(title="automated verdicts by stage")
    table.add_column("stage")
    for outcome in ("pass", "fail", "error", "skipped"):
        table.add_column(outcome, justify="right")
    for stage in FIELDS:
        table.add_row(stage, *(str(outcomes[stage][o]) for o in ("pass", "fail", "error", "skipped")))
    tables.append(table)
    return tables


def run(args: argparse.Namespace) -> int:
    console = Console()
    if not DEMO_SESSION.exists():
        build_demo(console=console)
    if sys.stdout.isatty():
        from . import review as review_command

        return review_command.run(review_command.default_args(DEMO_SESSION))
    with Store.open(DEMO_SESSION, readonly=True) as store:
        for table in summary_tables(store):
            console.print(table)
    return 0
