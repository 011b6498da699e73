"""Import rate: the demo study and a generated 10,000-attempt file (issue 2). Prints attempts per second."""

from __future__ import annotations

import inspect
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bare_tui.importer import import_into  # noqa: E402
from bare_tui.store import Store  # noqa: E402


def generated_study(path: Path, attempts: int = 10_000, tasks: int = 500) -> Path:
    """Real stdlib sources as originals (about 300 lines each), attempts as small edits of them."""
    import argparse
    import csv
    import difflib
    import email.message
    import json as json_module
    import shlex
    import string
    import textwrap

    sources = [
        inspect.getsource(m)
        for m in (email.message, json_module.decoder, argparse, csv, textwrap, difflib, string, shlex)
    ]
    with path.open("w", encoding="utf-8") as out:
        for t in range(tasks):
            lines = sources[t % len(sources)].splitlines(True)
            start = (t * 37) % max(1, len(lines) - 300)
            original = "".join(lines[start : start + 300])
            out.write(json.dumps({"task_id": f"t-{t}", "path": f"pkg/mod_{t}.py", "original": original}) + "\n")
        for a in range(attempts):
            t = a % tasks
            out.write(
                json.dumps(
                    {
                        "attempt_id": f"a-{a}",
                        "task_id": f"t-{t}",
                        "model": f"model-{a % 57}",
                        "refactored": f"# attempt {a}\n" + "x = 1\n" * 300,
                    }
                )
                + "\n"
            )
    return path


def timed_import(source: Path, runs: int = 3) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "s.db"
            started = time.perf_counter()
            with Store.open(db, create=True) as store:
                report = import_into(store, source)
            times.append(time.perf_counter() - started)
            count = report.kinds.get("attempt", 0)
    return statistics.median(times), count


def main() -> None:
    demo = REPO / "sessions" / "demo"
    seconds, count = timed_import(demo)
    print(f"demo study: {count} attempts in {seconds * 1000:.0f} ms median -> {count / seconds:,.0f} attempts/s")
    with tempfile.TemporaryDirectory() as tmp:
        source = generated_study(Path(tmp) / "big.jsonl")
        size = os.path.getsize(source) / 1_048_576
        seconds, count = timed_import(source, runs=3)
        print(
            f"generated: {count} attempts ({size:.0f} MB) in {seconds:.2f} s median -> {count / seconds:,.0f} attempts/s"
        )


if __name__ == "__main__":
    main()
