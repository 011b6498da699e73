"""Bench: `bare-tui export` on a session, each --what and format: rows/s, MB/s and peak memory, beside floors.

    nice -n 19 python bench/export_rate.py SESSION [--repeat 3] [--what attempts,verdicts,judgements]
                                           [--csv verdicts] [--checkout DIR] [--no-floors]

Each export runs as the user runs it (`bare-tui export SESSION --what W --format F -o FILE`, a process of its
own, so its peak resident set is its own; Python's start-up is in the time and is printed apart). The floors
say what the hardware and SQLite allow for the same rows: the `sqlite3` shell writing the same columns to a
file, and Python reading them from a cursor as UTF-8 bytes and writing them unencoded. --checkout runs another
checkout's package (e.g. main's) for a before/after. Target (issue 11): 100k rows/s, constant memory.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bare_scale import MB, run  # noqa: E402

# The columns each export reads, as the store reads them (Store.export_lines): what a floor reads.
FLOOR_SQL = {
    "verdicts": "SELECT v.attempt_id, v.stage, v.outcome, v.score, v.evidence, v.pipeline_version, v.source,"
    " v.created_at, a.model, t.language, v.details FROM verdicts v LEFT JOIN attempts a ON a.attempt_id ="
    " v.attempt_id LEFT JOIN tasks t ON t.task_id = a.task_id ORDER BY v.rowid",
    "attempts": "SELECT a.attempt_id, a.task_id, a.model, t.language, t.path, CASE WHEN a.seq = f.first_seq THEN"
    " t.original END, CASE WHEN a.seq = f.first_seq THEN t.meta END, x.refactored, x.response, x.patch, a.meta,"
    " a.problems FROM attempts a JOIN tasks t ON t.task_id = a.task_id JOIN (SELECT task_id, MIN(seq) AS first_seq"
    " FROM attempts GROUP BY task_id) f ON f.task_id = a.task_id LEFT JOIN attempt_texts x ON x.attempt_id ="
    " a.attempt_id ORDER BY a.seq",
    "judgements": "SELECT judgement_id, attempt_id, reviewer, stage, label, confidence, note, tags, saw_verdicts,"
    " opened_at, saved_at, supersedes, retracted FROM judgements ORDER BY rowid",
}
# Python's floor: the rows as UTF-8 bytes, written as they come (no JSON, no decoding, no encoding).
PYTHON_FLOOR = """
import sqlite3, sys
conn = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
conn.text_factory = bytes
cursor = conn.execute(sys.argv[2])
rows = 0
with open(sys.argv[3], "wb", buffering=1 << 20) as out:
    while batch := cursor.fetchmany(256):
        out.write(b"\\n".join(b"\\t".join(v if type(v) is bytes else str(v).encode() for v in row) for row in batch))
        rows += len(batch)
print(rows)
"""


def command(checkout: Path | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
        return [sys.executable, "-m", "bare_tui.cli"], env
    script = Path(sys.executable).with_name("bare-tui")
    return ([str(script)] if script.exists() else [sys.executable, "-m", "bare_tui.cli"]), env


def timed(argv: list[str], folder: Path, name: str, env: dict[str, str]) -> tuple[float, float, str, str]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        result = run(argv, folder, name)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    if result.failed():
        raise SystemExit(f"{name} failed: {result.failed()}")
    return result.seconds, result.peak_mb, result.stdout, result.stderr


def figures(rows: int, size: int, seconds: list[float], peaks: list[float]) -> str:
    middle = statistics.median(seconds)
    return (
        f"{rows / middle:9,.0f} rows/s {size / MB / middle:7,.1f} MB/s  ({rows:,} rows, {size / MB:,.0f} MB, "
        f"median {middle:.2f} s of {len(seconds)}: {', '.join(f'{s:.2f}' for s in seconds)}; "
        f"peak {max(peaks):,.0f} MB)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--what", default="attempts,verdicts,judgements")
    parser.add_argument("--csv", default="verdicts", help="the kinds also timed as CSV (comma-separated)")
    parser.add_argument("--checkout", type=Path, default=None, help="run this checkout's bare_tui package instead")
    parser.add_argument("--no-floors", action="store_true")
    args = parser.parse_args()
    argv, env = command(args.checkout)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; package: {args.checkout or 'installed'}")
    with tempfile.TemporaryDirectory(dir=args.session.parent, prefix="export-rate-") as tmp:
        folder = Path(tmp)
        start = [timed([*argv, "--help"], folder, f"start-{i}", env)[0] for i in range(args.repeat)]
        print(f"start-up (`bare-tui --help`): median {statistics.median(start):.2f} s")
        wanted = [w for w in args.what.split(",") if w]
        runs = [(what, "jsonl") for what in wanted] + [(w, "csv") for w in args.csv.split(",") if w in wanted]
        for what, fmt in runs:
            out = folder / f"{what}.{fmt}"
            seconds, peaks = [], []
            rows = size = 0
            for i in range(args.repeat):
                took, peak, _, err = timed(
                    [*argv, "export", str(args.session), "--what", what, "--format", fmt, "-o", str(out)],
                    folder,
                    f"{what}-{fmt}-{i}",
                    env,
                )
                seconds.append(took)
                peaks.append(peak)
                found = re.search(r"exported (\d+)", err)
                rows = int(found.group(1)) if found else 0
                size = out.stat().st_size
                if i + 1 < args.repeat:
                    out.unlink()
            print(f"export --what {what:10} --format {fmt:5}: {figures(rows, size, seconds, peaks)}", flush=True)
            keep = out
            if not args.no_floors:
                floors = folder / f"floor-{what}"
                if shutil.which("sqlite3"):
                    seconds, peaks = [], []
                    for i in range(args.repeat):
                        took, peak, _, _ = timed(
                            ["sh", "-c", f'sqlite3 "file:{args.session}?mode=ro" "$0" > "{floors}"', FLOOR_SQL[what]],
                            folder,
                            f"floor-sqlite-{what}-{i}",
                            env,
                        )
                        seconds.append(took)
                        peaks.append(peak)
                    size = floors.stat().st_size
                    print(f"  floor, sqlite3 shell, same columns:     {figures(rows, size, seconds, peaks)}")
                seconds, peaks = [], []
                for i in range(args.repeat):
                    took, peak, _, _ = timed(
                        [sys.executable, "-c", PYTHON_FLOOR, str(args.session), FLOOR_SQL[what], str(floors)],
                        folder,
                        f"floor-python-{what}-{i}",
                        env,
                    )
                    seconds.append(took)
                    peaks.append(peak)
                size = floors.stat().st_size
                print(f"  floor, Python cursor, bytes unencoded:  {figures(rows, size, seconds, peaks)}", flush=True)
                floors.unlink()
            keep.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
