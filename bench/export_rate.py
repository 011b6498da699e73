"""Bench: `bare-tui export` on a session, each --what and format: rows/s, MB/s and peak memory, beside floors.

    nice -n 19 python bench/export_rate.py SESSION [--repeat 3] [--what attempts,verdicts,judgements]
                                           [--csv attempts,verdicts] [--checkout DIR] [--no-floors] [--alone]

Each export runs as the user runs it (`bare-tui export SESSION --what W --format F -o FILE`, a process of its
own, so its peak resident set is its own). Two rates are printed: by the wall time from the process's start
to its exit (what a user waits for, Python's start-up included; the start-up alone is printed first), and by
its CPU time (user + system: what the work costs whatever else the shared machine runs). An export to a file is
read and written by two reader processes at once (Store.export_to); wait4 counts their CPU and peak in the
command's. --alone also times each JSON Lines export read by the command's own process alone, as on one core
(the same build, store.EXPORT_READERS = 0): the two rates side by side say what the second core gives. The
floors, each a process of its own timed the same way, say what the hardware and SQLite allow for the same rows
(read by one process): the `sqlite3`
shell writing the same columns to a file; Python reading them from a cursor as UTF-8 bytes and nothing else;
Python reading them and writing them as they come to a file beside the session by gathering writes (the least
an export that copies its stored bytes can cost: no line built, no start-up of bare-tui); and writing the
export's size to /dev/null and to a file beside the session. The long texts are stored in their JSON form
(schema 8), so no floor escapes them. --checkout runs another checkout's package (e.g. main's) for a
before/after, on a session of that checkout's schema. Target (issue 11): 100k rows/s, constant memory.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bare_scale import MB  # noqa: E402

from bare_tui.store import _EXPORT_COLUMNS, _export_query  # noqa: E402

# The columns each export reads, by the store's own query (its joins, order and plan; a query of the same
# columns written apart chose a plan that sorted 1.8 GB of attempts first): what a floor reads.
FLOOR_SQL = {
    what: _export_query(what, ", ".join(f"{sql} AS {name}" for name, (sql, _) in columns.items()), None)[0]
    for what, columns in _EXPORT_COLUMNS.items()
}

# Python's floors, one process each (argv: mode, session, SQL, rows or bytes): "read" the rows as UTF-8 bytes
# and nothing else; "copy" them to a file (argv[4]) as they come, by gathering writes; "write" N bytes to a path
# in 1 MB writes. Each prints the rows or bytes it handled.
PYTHON_FLOOR = """
import itertools, os, sqlite3, sys
mode, session, sql = sys.argv[1:4]
if mode == "write":
    size, chunk = int(sys.argv[5]), bytes(1 << 20)
    with open(sys.argv[4], "wb", buffering=0) as out:
        for start in range(0, size, len(chunk)):
            out.write(chunk[: size - start])
    print(size)
    raise SystemExit
conn = sqlite3.connect(f"file:{session}?mode=ro", uri=True)
conn.text_factory = bytes
cursor = conn.execute(sql)
rows = 0
if mode == "copy":
    fd = os.open(sys.argv[4], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    flat = itertools.chain.from_iterable
    while batch := cursor.fetchmany(256):
        parts = [value for value in flat(batch) if value is not None]
        for start in range(0, len(parts), 1024):
            os.writev(fd, parts[start : start + 1024])
        rows += len(batch)
    os.close(fd)
else:
    while batch := cursor.fetchmany(256):
        rows += len(batch)
print(rows)
"""


# `bare-tui` with the export read by its own process alone (no reader processes), for --alone.
ALONE = (
    "import sys, bare_tui.store as store\n"
    "store.EXPORT_READERS = 0\n"
    "from bare_tui.cli import main\n"
    "raise SystemExit(main(sys.argv[1:]))\n"
)


def command(checkout: Path | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    # An installed package runs from its bytecode cache (as bench/bare_scale.py's commands do): with
    # PYTHONDONTWRITEBYTECODE set, every start would compile bare-tui's modules again and count it in the rate.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
        return [sys.executable, "-P", "-m", "bare_tui.cli"], env  # -P: not the current folder's package
    script = Path(sys.executable).with_name("bare-tui")
    return ([str(script)] if script.exists() else [sys.executable, "-m", "bare_tui.cli"]), env


def timed(argv: list[str], folder: Path, name: str, env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run one command: (wall seconds, CPU seconds of it and its children, peak resident MB, stderr)."""
    with open(folder / f"{name}.err", "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: Popen must not wait again
    stderr = (folder / f"{name}.err").read_text("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed (exit {proc.returncode}): {stderr[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stderr


def figures(rows: int, size: int, runs: list[tuple[float, float, float]]) -> str:
    """Rows/s and MB/s by the median wall time from process start, and by the median CPU time (what the work
    costs whatever else the machine runs), with the peak resident set."""
    wall = statistics.median(run[0] for run in runs)
    cpu = statistics.median(run[1] for run in runs)
    return (
        f"{rows / wall:9,.0f} rows/s {size / MB / wall:6,.1f} MB/s from start; {rows / cpu:9,.0f} rows/s "
        f"{size / MB / cpu:6,.1f} MB/s CPU  ({rows:,} rows, {size / MB:,.0f} MB; median of {len(runs)}: "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU; peak {max(run[2] for run in runs):,.0f} MB)"
    )


def floors(args: argparse.Namespace, folder: Path, env: dict[str, str], what: str, rows: int, size: int) -> None:
    """The floors for one kind's export of `rows` rows and `size` bytes (see the module's doc)."""
    floor = folder / f"floor-{what}"
    if shutil.which("sqlite3"):
        script = f'sqlite3 "file:{args.session}?mode=ro" "$0" > "{floor}"'
        runs = [
            timed(["sh", "-c", script, FLOOR_SQL[what]], folder, f"floor-sqlite-{what}-{i}", env)[:3]
            for i in range(args.repeat)
        ]
        print(f"  floor, sqlite3 shell, same columns to a file: {figures(rows, floor.stat().st_size, runs)}")
        floor.unlink()
    for mode, label in (
        ("read", "Python cursor, UTF-8 bytes, no output"),
        ("copy", "Python cursor's bytes to a file   "),
    ):
        argv = [sys.executable, "-c", PYTHON_FLOOR, mode, str(args.session), FLOOR_SQL[what], str(floor)]
        runs = [timed(argv, folder, f"floor-{mode}-{what}-{i}", env)[:3] for i in range(args.repeat)]
        print(f"  floor, {label}:  {figures(rows, size, runs)}", flush=True)
        floor.unlink(missing_ok=True)
    for target, label in ((Path(os.devnull), "/dev/null"), (floor, "a file beside the session")):
        argv = [sys.executable, "-c", PYTHON_FLOOR, "write", "", "", str(target), str(size)]
        runs = [timed(argv, folder, f"floor-write-{what}-{i}", env)[:3] for i in range(args.repeat)]
        print(f"  floor, writing its bytes to {label:26}: {figures(rows, size, runs)}", flush=True)
        floor.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--what", default="attempts,verdicts,judgements")
    parser.add_argument("--csv", default="attempts,verdicts", help="the kinds also timed as CSV (comma-separated)")
    parser.add_argument("--checkout", type=Path, default=None, help="run this checkout's bare_tui package instead")
    parser.add_argument("--no-floors", action="store_true")
    parser.add_argument("--alone", action="store_true", help="also time each JSON Lines export read by one process")
    args = parser.parse_args()
    argv, env = command(args.checkout)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; package: {args.checkout or 'installed'}")
    with tempfile.TemporaryDirectory(dir=args.session.parent, prefix="export-rate-") as tmp:
        folder = Path(tmp)
        start = [timed([*argv, "export", "--help"], folder, f"start-{i}", env)[:2] for i in range(args.repeat)]
        print(
            f"start-up (`bare-tui export --help`: the command's modules loaded; in every figure from start): median "
            f"{statistics.median(s[0] for s in start):.2f} s wall, "
            f"{statistics.median(s[1] for s in start):.2f} s CPU"
        )
        wanted = [w for w in args.what.split(",") if w]
        kinds = [(what, "jsonl") for what in wanted] + [(w, "csv") for w in args.csv.split(",") if w in wanted]
        for what, fmt in kinds:
            out = folder / f"{what}.{fmt}"
            runs = []
            rows = size = 0
            for i in range(args.repeat):
                command_line = [*argv, "export", str(args.session), "--what", what, "--format", fmt, "-o", str(out)]
                wall, cpu, peak, err = timed(command_line, folder, f"{what}-{fmt}-{i}", env)
                runs.append((wall, cpu, peak))
                found = re.search(r"exported (\d+)", err)
                rows = int(found.group(1)) if found else 0
                size = out.stat().st_size
                out.unlink()
            print(f"export --what {what:10} --format {fmt:5}: {figures(rows, size, runs)}", flush=True)
            if args.alone and fmt == "jsonl":
                alone = [sys.executable, "-c", ALONE, "export", str(args.session), "--what", what, "-o", str(out)]
                runs = [timed(alone, folder, f"{what}-alone-{i}", env)[:3] for i in range(args.repeat)]
                out.unlink()
                print(f"  the same, read by one process alone:    {figures(rows, size, runs)}", flush=True)
            if not args.no_floors and fmt == "jsonl":
                floors(args, folder, env, what, rows, size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
