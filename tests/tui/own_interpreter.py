"""Start-up tests drive the real command in an interpreter of its own (the test process has imported everything
already, so what a command loads before its first screen can only be seen in a fresh one)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Put before each driver: waits up to 30 s, in the app's own loop, for a condition on the running app.
UNTIL = """
async def until(pilot, ready):
    for _ in range(3000):
        if ready():
            return True
        await pilot.pause(0.01)
    return False
"""


def run_driver(driver: str, *argv: str) -> dict[str, object]:
    """Run `driver` (Python source that prints one JSON object last) with `argv`, and return that object."""
    result = subprocess.run(
        [sys.executable, "-c", UNTIL + driver, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))
