"""Where a command writes its `-o FILE`: a regular file whole or not at all, a device or a pipe as it is."""

from __future__ import annotations

import stat
from pathlib import Path


def output_target(path: Path) -> Path:
    """The path to open for writing `path`: beside a regular file (or where nothing is yet), a `.partial` file
    that finish_output renames over it, so that a reader never sees half of it; a device, a pipe or a socket
    (`-o /dev/null`, `-o >(gzip > out.gz)`) itself: a file renamed over one would replace the device (as root,
    /dev/null became a file) or fail (in /dev/fd)."""
    try:
        special = not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        special = False  # not there (or not reachable): a file is made, or opening it says why it cannot be
    return path if special else path.with_name(path.name + ".partial")


def finish_output(target: Path, path: Path) -> None:
    """What was written to output_target(path) becomes `path`."""
    if target != path:
        target.replace(path)
