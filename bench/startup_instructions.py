"""The review screen's first paint counted in instructions, beside an empty Textual app's: a figure the machine's
load does not move (CPU and wall times swing by 20-30% here when other programs run), for comparing two versions.

    python bench/startup_instructions.py SESSION [--reviewer NAME]

Runs under valgrind's callgrind (Debian's `valgrind` package), once each: bench/startup_floor.py --pushed (the floor)
and bench/scale_screens.py review SESSION --open-only (the real `bare-tui review`), each process ending at the end of
its first compositor refresh of a screen of its own. Prints one JSON line: the main thread's instructions up to that
paint (interpreter start and imports included), for each, and bare-tui's share (the review's less the floor's).
About 40 s a run under valgrind; bytecode is written as an installed bare-tui has it (PYTHONDONTWRITEBYTECODE unset),
and string hashing is fixed (PYTHONHASHSEED=0 unless set) so that two versions' counts compare.
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parent


def end_at_first_paint(script: str, argv: list[str]) -> None:
    """Run a bench script as __main__, ending the process (os._exit, nothing flushed but stdout) once a screen other
    than Textual's default one has been painted: hooked when textual.screen is imported, before the script's own."""

    def hook(module: ModuleType) -> None:
        refresh = module.Screen._compositor_refresh

        def refreshed(screen: Any) -> None:
            refresh(screen)
            if screen.id != "_default":
                sys.stdout.flush()
                os._exit(0)

        module.Screen._compositor_refresh = refreshed

    sys.path.insert(0, str(BENCH))
    from scale_screens import when_imported  # the same hook the screens' bench uses (stdlib imports only)

    when_imported("textual.screen", hook)
    sys.argv = [script, *argv]
    runpy.run_path(script, run_name="__main__")


def main_thread_instructions(argv: list[str]) -> int:
    """Instructions of the main thread of `python THIS --child ARGV...` under callgrind."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # One string hash for every run: with a random one, the same program's count moved by ~5% (the floor: 907M to
    # 958M) as dicts and sets were laid out differently; with PYTHONHASHSEED=0 its repeats agreed within 0.01%.
    env.setdefault("PYTHONHASHSEED", "0")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out}"]
        subprocess.run(
            [*command, sys.executable, __file__, "--child", *argv],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        main = Path(f"{out}-01")  # thread 1: the main thread (the others: the labels' read, workers)
        for line in main.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no summary in callgrind's output for {argv}")


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        end_at_first_paint(sys.argv[2], sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session", type=Path)
    parser.add_argument("--reviewer", default="ana")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    floor = main_thread_instructions([str(BENCH / "startup_floor.py"), "--pushed"])
    review = main_thread_instructions(
        [str(BENCH / "scale_screens.py"), "review", str(args.session), "--reviewer", args.reviewer]
        + ["--attempts", "0", "--open-only"]  # --attempts counts the queue's rows: the opening does not use it
    )
    figures = {
        "floor_instructions": floor,
        "review_instructions": review,
        "bare_tui_share": review - floor,
        "bare_tui_share_of_review": round((review - floor) / review, 3),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
