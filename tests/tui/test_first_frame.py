"""The first update `bare-tui review` writes to a terminal is the whole screen, header included: a terminal that
synchronises output (as most do, and as this one answers Textual's query) shows that update at once, so what it
leaves out is missing from the first frame the reviewer sees."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from .own_interpreter import ROOT

BEGIN, END = b"\x1b[?2026h", b"\x1b[?2026l"  # synchronized output: an update is drawn whole when it ends
ASKS_SYNC = b"\x1b[?2026$p"  # Textual's query of the mode; a terminal that has it answers "reset, supported"
SYNC_SUPPORTED = b"\x1b[?2026;2$y"


def first_update(argv: list[str], size: tuple[int, int] = (120, 40), timeout: float = 60.0) -> bytes:
    """The first synchronized update with a cell in it that the command writes, from a pseudo-terminal that
    answers the synchronized-output query as a terminal supporting it does."""
    columns, rows = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = dict(os.environ, TERM="xterm-256color")
    for name in ("COLUMNS", "LINES"):  # they would win over the terminal's own size
        env.pop(name, None)
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env, start_new_session=True)
    os.close(slave)
    output, answered, deadline = b"", False, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([master], [], [], 0.05)[0]:
                continue
            try:
                output += os.read(master, 1 << 16)
            except OSError:
                break
            if not answered and ASKS_SYNC in output:
                os.write(master, SYNC_SUPPORTED)
                answered = True
            start = 0
            while (begin := output.find(BEGIN, start)) >= 0 and (end := output.find(END, begin)) >= 0:
                update = output[begin:end]
                if b"\x1b[38;" in update:  # a cell drawn, not only the cursor moved
                    return update
                start = end
        raise AssertionError(f"no update with a cell in {timeout:.0f} s; the output began {output[:300]!r}")
    finally:
        os.write(master, b"\x11")  # ctrl+q
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)


def test_the_first_update_written_holds_the_header(demo_session: Path) -> None:
    update = first_update([sys.executable, "-m", "bare_tui", "review", str(demo_session), "--reviewer", "ana"])
    assert b"attempt 1 of 4" in update  # the header's title
    assert b"judged" in update  # and its count
