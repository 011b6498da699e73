"""The review screen's opening as a terminal sees it: `bare-tui review SESSION` started in a pseudo-terminal, and
the moments its output reaches the terminal, beside an empty Textual app started the same way. Nothing is
hooked inside either process (bench/scale_screens.py times a headless run_test from inside, with its own
imports in the figure); this reads only the bytes a terminal would be sent. Opens alternate between the two;
medians over --runs, milliseconds from the process started. Prints a table and one JSON line.

    python bench/first_frame_pty.py SESSION [--reviewer NAME] [--runs 7] [--size 120x40]

The pseudo-terminal answers Textual's query for synchronized output as a terminal that has it does (most do), so
each update comes between a begin and an end mark and is drawn whole when its end arrives. The moments: `driver`,
Textual switching to the alternate screen (Python started, every import done, the app made); `frame`, the end of
the first update that draws a cell (the first frame a terminal shows); `header`, the end of the first update that
holds the review header's count ("... judged", which the empty app writes in its only widget). Each open is quit
with ctrl+q once the header is seen.
Bytecode is written and used as an installed bare-tui has it (PYTHONDONTWRITEBYTECODE unset).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EMPTY_APP = """
from textual.app import App
from textual.widgets import Static
class Empty(App):
    def compose(self):
        yield Static("0/0 judged")
    def on_key(self, event):
        if event.key == "ctrl+q":
            self.exit()
Empty().run()
"""
ALT_SCREEN = b"\x1b[?1049h"
STYLED_CELL = b"\x1b[38;"  # a foreground colour: a cell of a frame, not a mode switch
HEADER = b"judged"
BEGIN, END = b"\x1b[?2026h", b"\x1b[?2026l"  # an update of synchronized output, drawn whole at its end
ASKS_SYNC, SYNC_SUPPORTED = b"\x1b[?2026$p", b"\x1b[?2026;2$y"  # Textual's query, and "reset, supported"
MOMENTS = ("driver", "frame", "header")


def open_once(argv: list[str], size: tuple[int, int], env: dict[str, str]) -> dict[str, float | None]:
    """One process in a fresh pseudo-terminal: seconds from its start to each moment (None: never seen)."""
    columns, rows = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True, env=env)
    os.close(slave)
    seen: dict[str, float | None] = dict.fromkeys(MOMENTS)
    output = b""
    answered = False
    read_to = 0  # the updates before this offset are looked at already
    deadline = started + 30.0
    try:
        while time.perf_counter() < deadline and seen["header"] is None:
            ready, _, _ = select.select([master], [], [], 0.005)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1 << 20)
            except OSError:  # the process ended and closed the terminal
                break
            now = time.perf_counter() - started
            output += chunk
            if not answered and ASKS_SYNC in output:
                os.write(master, SYNC_SUPPORTED)
                answered = True
            if seen["driver"] is None and ALT_SCREEN in output:
                seen["driver"] = now
            while (begin := output.find(BEGIN, read_to)) >= 0 and (end := output.find(END, begin)) >= 0:
                update = output[begin:end]
                if seen["frame"] is None and STYLED_CELL in update:
                    seen["frame"] = now
                if seen["header"] is None and HEADER in update:
                    seen["header"] = now
                read_to = end
        os.write(master, b"\x11")  # ctrl+q
        proc.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
    finally:
        os.close(master)
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session", type=Path)
    parser.add_argument("--reviewer", default="ana")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", default="120x40", help="COLUMNSxROWS of the terminal")
    args = parser.parse_args(argv)
    size = tuple(int(n) for n in args.size.split("x"))
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    launcher = Path(sys.executable).with_name("bare-tui")
    review = [str(launcher), "review", str(args.session), "--reviewer", args.reviewer]
    empty = [sys.executable, "-c", EMPTY_APP]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "bare_tui")], env=env, check=True)
    opens: dict[str, list[dict[str, float | None]]] = {"review": [], "empty": []}
    for _ in range(args.runs):
        opens["review"].append(open_once(review, size, env))  # type: ignore[arg-type]
        opens["empty"].append(open_once(empty, size, env))  # type: ignore[arg-type]
    figures: dict[str, dict[str, float | None]] = {}
    print(f"load {os.getloadavg()[0]:.1f}; medians of {args.runs} opens each, ms from the process started")
    print(f"{'':8}" + "".join(f"{moment:>10}" for moment in MOMENTS))
    for name, runs in opens.items():
        row: dict[str, float | None] = {}
        for moment in MOMENTS:
            values = [run[moment] for run in runs if run[moment] is not None]
            row[moment] = round(statistics.median(values) * 1000, 1) if values else None  # type: ignore[type-var]
        figures[name] = row
        print(f"{name:8}" + "".join(f"{row[m] or float('nan'):>10.0f}" for m in row))
    for moment in ("frame", "header"):
        each = ", ".join(f"{(run[moment] or float('nan')) * 1000:.0f}" for run in opens["review"])
        print(f"review {moment}, each open: {each}")
    print(json.dumps({"size": args.size, "runs": args.runs, "medians_ms": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
