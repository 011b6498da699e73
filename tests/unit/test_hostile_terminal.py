"""No data reaches a real terminal raw: each place that prints untrusted text runs under a pseudo-terminal and
the bytes the terminal received are searched for the escape sequences planted in the data.

The data carries OSC 52 (writes the clipboard), OSC 0 (sets the window title), a C1 CSI (U+009B) and Rich
markup that closes a tag never opened. The terminal must receive none of them as controls, and must show
the planted text as visible stand-ins (␛ for ESC), so the test also proves the data was printed at all."""

from __future__ import annotations

import fcntl
import json
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from bare_tui.importer import import_into
from bare_tui.store import Store

OSC_CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
OSC_TITLE = "\x1b]0;owned\x07"
C1_CSI = "\u009b31m"
HOSTILE = OSC_CLIPBOARD + OSC_TITLE + C1_CSI
ATTEMPT_ID = "a-" + HOSTILE
MODEL = "gpt[/bold]" + HOSTILE
TASK_ID = "t-" + HOSTILE

FORBIDDEN = {
    "OSC 52": b"\x1b]52;",
    "OSC 0 title": b"\x1b]0;owned",
    "C1 CSI": "\u009b".encode(),
    "the planted ESC-BEL": b"aGVsbG8=\x07",
}  # a bare BEL is no proof: Textual ends its own OSC 22 (pointer shape) with one
SHOWN = "\u241b]52;c;aGVsbG8=".encode()  # ESC as its Control Picture, then the rest as typed


def run_in_terminal(argv: list[str], cwd: Path, steps: list[tuple[bytes, str]] = (), timeout: float = 60) -> bytes:
    """Run the command on a 120x36 pseudo-terminal; at each step wait for the bytes, then type the keys.
    Returns every byte the terminal received."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "36",
        "NO_COLOR": "",
        "BARE_REVIEWER": "ana",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bare_tui.cli", *argv],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    received = bytearray()
    pending = list(steps)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                received += chunk
            if pending and pending[0][0] in received:
                _, keys = pending.pop(0)
                time.sleep(0.3)  # let the screen settle before typing, as a person would
                os.write(master, keys.encode())
            if process.poll() is not None and not ready:
                break
        else:
            pytest.fail(f"{argv[0]} did not finish; waiting for {pending[:1]}; got {bytes(received[-400:])!r}")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)
    assert not pending, f"never saw {pending[0][0]!r}"
    return bytes(received)


def assert_clean(received: bytes, shown: bytes = SHOWN) -> None:
    for name, sequence in FORBIDDEN.items():
        at = received.find(sequence)
        assert at < 0, f"{name} reached the terminal: {received[max(at - 80, 0) : at + 40]!r}"
    assert shown in received, "the planted text was never shown"


@pytest.fixture
def hostile_session(tmp_path: Path) -> Path:
    """An attempt, model and task whose names carry terminal controls, a disputed failure for the audit list,
    and an original that cannot be measured (so verify lists it by its task id)."""
    rows = [
        {"task_id": TASK_ID, "language": "python", "path": "a.py", "original": "def f(x):\n    return x\n"},
        {
            "attempt_id": ATTEMPT_ID,
            "task_id": TASK_ID,
            "model": MODEL,
            "refactored": "def f(x):\n    return +x\n",
            "verdicts": {"syntax": {"outcome": "fail"}},
        },
        {"judgement_id": "j-1", "attempt_id": ATTEMPT_ID, "reviewer": "ben", "stage": "syntax", "label": "pass"},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with Store.open(tmp_path / "s.db", create=True) as store:
        assert import_into(store, source).complete
    return tmp_path / "s.db"


def test_import_errors_that_echo_bad_values(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"task_id": "t", "language": HOSTILE, "path": "a.py", "original": "x"})
        + "\n"
        + json.dumps({"attempt_id": ATTEMPT_ID, "task_id": HOSTILE, "model": "m", "refactored": "x"})
        + "\n"
    )
    assert_clean(run_in_terminal(["import", "s.db", str(source)], tmp_path))


def test_csv_and_json_exports_to_a_terminal(hostile_session: Path) -> None:
    for what in ("attempts", "verdicts", "judgements"):
        received = run_in_terminal(["export", "s.db", "--what", what, "--format", "csv"], hostile_session.parent)
        assert_clean(received)
        received = run_in_terminal(["export", "s.db", "--what", what], hostile_session.parent)
        for name, sequence in FORBIDDEN.items():
            assert sequence not in received, name
        assert b"\\u009b" in received  # JSON keeps the data, as an escape the terminal does not act on


def test_stats_csv_and_json_to_a_terminal(hostile_session: Path) -> None:
    for fmt in ("csv", "table", "markdown"):
        received = run_in_terminal(
            ["stats", "s.db", "--by", "model", "--bootstrap", "0", "--format", fmt], hostile_session.parent
        )
        assert_clean(received, "\u241b".encode() if fmt == "markdown" else SHOWN)  # markdown writes ] as &#93;
    received = run_in_terminal(
        ["stats", "s.db", "--by", "model", "--bootstrap", "0", "--format", "json"], hostile_session.parent
    )
    assert all(sequence not in received for sequence in FORBIDDEN.values())


def test_verify_pass_rate_table_and_unmeasured_originals(hostile_session: Path) -> None:
    """A model named `gpt[/bold]` made verify end in a MarkupError; the model and task ids are shown as typed."""
    for _ in range(2):  # the second run prints the table of the verdicts the first one saved
        received = run_in_terminal(["verify", "s.db", "--jobs", "1"], hostile_session.parent, timeout=120)
        assert b"MarkupError" not in received and b"Traceback" not in received
        assert_clean(received)
        assert b"gpt[/bold]" in received


def test_review_saved_and_undone_toasts(hostile_session: Path) -> None:
    received = run_in_terminal(
        ["review", "s.db", "--reviewer", "ana", "--assisted"],
        hostile_session.parent,
        # the undo puts the labels back in the form, unsaved: ctrl+q asks once, the second one quits
        steps=[(b"syntax", "aaaaaa\r"), (b"judgements of", "\x7f"), (b"undone", "\x11\x11")],
    )
    assert b"saved 6 judgements of" in received and b"undone: 6 judgements of" in received
    assert_clean(received)


def test_audit_saved_toast(hostile_session: Path) -> None:
    received = run_in_terminal(
        ["audit", "s.db", "--auditor", "eve"],
        hostile_session.parent,
        steps=[(b"syntax", "a"), (b"pipeline-false-fail", "\r"), (b"note", "\r"), (b"saved: ", "\x11")],
    )
    assert_clean(received)


def test_the_session_summary_reads_model_names_as_text(hostile_session: Path) -> None:
    """`bare-tui` without a terminal prints the session's summary tables; a model name is no markup there."""
    import io

    from rich.console import Console

    from bare_tui.commands.demo import summary_tables

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    with Store.open(hostile_session, readonly=True) as store:
        for table in summary_tables(store):
            console.print(table)
    assert_clean(out.getvalue().encode())
    assert "gpt[/bold]" in out.getvalue()
