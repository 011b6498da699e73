"""Where the review screen's first paint goes: the main thread's CPU time from process start to the end of the first
compositor refresh of `bare-tui review` (as bench/scale_screens.py review --open-only runs it), cut into phases,
beside an empty Textual app's (bench/startup_floor.py --pushed). Medians over --runs separate processes, run
alternately. Prints one JSON line of milliseconds.

    python bench/startup_phases.py SESSION [--reviewer NAME] [--runs 7]

The phases (main thread CPU, each process's own clock; ms):
  interpreter    Python's start, site, and the bench script's own imports, until the command is called
  imports        modules imported from then on to the paint (bare_tui's own and the rest, each split by self time)
  read           the session read on the main thread: Store.open, ReviewSession.open, the first attempt's load
  app_css        BareTuiApp.__init__ to the review screen's compose: the app, its stylesheet, the driver, the push
  compose_mount  the review screen's compose to the end of its on_mount: its widgets made, styled and mounted, and
                 the first attempt painted into them
  layout_render  from there to the end of the first compositor refresh: the layout and the first frame drawn
  other          the rest (the command's own code between the phases, argument parsing, the keymap)
Imports and reads that fall inside a later phase are counted as imports and read, not in that phase. The floor's
phases are interpreter, imports, app_css (to its screen's compose) and the rest to the paint.

Each run is hooked from outside (nothing in bare_tui is changed); the hooks themselves cost a little CPU, the same
on both sides of a comparison. Bytecode is written as an installed bare-tui has it (PYTHONDONTWRITEBYTECODE unset).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parent


class ImportClock:
    """A meta path finder that times every module's execution (main thread CPU): inclusive for the imports made at
    the top level (to take out of the phase they fall in), self time by module (to split bare_tui's share)."""

    def __init__(self) -> None:
        self.self_ms: dict[str, float] = {}
        self.outer: list[tuple[float, float]] = []  # (start, end) CPU of each outermost import
        self._stack: list[list[float]] = []  # [start, children] per import being executed

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        import importlib.machinery

        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is None:
                continue
            loader = spec.loader
            if isinstance(loader, importlib.machinery.SourceFileLoader | importlib.machinery.ExtensionFileLoader):
                self._wrap(loader, fullname)
            return spec
        return None

    def _wrap(self, loader: Any, fullname: str) -> None:
        load = loader.exec_module
        clock = self

        def exec_module(module: ModuleType) -> None:
            start = time.thread_time()
            clock._stack.append([start, 0.0])
            try:
                load(module)
            finally:
                end = time.thread_time()
                _, children = clock._stack.pop()
                clock.self_ms[fullname] = clock.self_ms.get(fullname, 0.0) + (end - start - children) * 1000
                if clock._stack:
                    clock._stack[-1][1] += end - start
                else:
                    clock.outer.append((start, end))

        loader.exec_module = exec_module

    def within(self, start: float, end: float) -> float:
        """CPU seconds of the outermost imports that ran between two main-thread CPU times."""
        return sum(b - a for a, b in self.outer if a >= start and b <= end)


class Spans:
    """Main-thread CPU spans of hooked calls (the first call of each, and every call of the reads)."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[float, float]] = {}
        self.reads: list[tuple[float, float]] = []

    def hook(self, owner: Any, name: str, key: str, read: bool = False) -> None:
        original = getattr(owner, name)
        spans = self

        @functools.wraps(original)  # Textual counts a handler's parameters through it
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                end = time.thread_time()
                spans.first.setdefault(key, (start, end))
                if read:
                    spans.reads.append((start, end))

        # a classmethod is looked up bound to its class: kept as a static method, it is called with that class
        setattr(owner, name, staticmethod(timed) if isinstance(owner.__dict__.get(name), classmethod) else timed)

    def reads_within(self, start: float, end: float) -> float:
        return sum(b - a for a, b in self.reads if a >= start and b <= end)


def child(floor: bool, argv: list[str]) -> None:
    """Run the bench script as __main__ with the hooks, print the phases at the first paint and end the process."""
    sys.path.insert(0, str(BENCH))
    from scale_screens import when_imported

    clock = ImportClock()
    sys.meta_path.insert(0, clock)
    spans = Spans()
    marks: dict[str, float] = {}

    def paint_hook(module: ModuleType) -> None:
        refresh = module.Screen._compositor_refresh

        def refreshed(screen: Any) -> None:
            refresh(screen)
            if screen.id == "_default":
                return
            painted = time.thread_time()
            sys.meta_path.remove(clock)
            print(json.dumps(phases(floor, clock, spans, marks, painted)))
            sys.stdout.flush()
            os._exit(0)

        module.Screen._compositor_refresh = refreshed

    def screen_hook(module: ModuleType) -> None:
        compose = module.Screen._compose

        def composing(screen: Any) -> Any:
            if screen.id != "_default":
                marks.setdefault("compose", time.thread_time())
            return compose(screen)

        module.Screen._compose = composing
        paint_hook(module)

    def app_hook(module: ModuleType) -> None:
        init = module.App.__init__

        def app_init(app: Any, *args: Any, **kwargs: Any) -> None:
            marks.setdefault("app", time.thread_time())
            init(app, *args, **kwargs)

        module.App.__init__ = app_init

    def cli_hook(module: ModuleType) -> None:
        main = module.main

        def timed_main(*args: Any, **kwargs: Any) -> Any:
            marks.setdefault("command", time.thread_time())
            return main(*args, **kwargs)

        module.main = timed_main

    def store_hook(module: ModuleType) -> None:
        spans.hook(module.Store, "open", "Store.open", read=True)

    def review_hook(module: ModuleType) -> None:
        spans.hook(module.ReviewSession, "open", "ReviewSession.open", read=True)
        spans.hook(module.ReviewSession, "load", "ReviewSession.load", read=True)
        spans.hook(module.ReviewSession, "first_attempt", "ReviewSession.first_attempt", read=True)

    def review_screen_hook(module: ModuleType) -> None:
        spans.hook(module.ReviewScreen, "on_mount", "ReviewScreen.on_mount")

    when_imported("textual.screen", screen_hook)
    when_imported("textual.app", app_hook)
    if floor:
        marks["command"] = time.thread_time()  # the floor has no command: its imports start with the script
    else:
        when_imported("bare_tui.cli", cli_hook)
        when_imported("bare_tui.store", store_hook)
        when_imported("bare_tui.review", review_hook)
        when_imported("bare_tui.tui.screens.review", review_screen_hook)
    sys.argv = argv
    import runpy

    runpy.run_path(argv[0], run_name="__main__")


def phases(floor: bool, clock: ImportClock, spans: Spans, marks: dict[str, float], painted: float) -> dict[str, float]:
    """Milliseconds of main-thread CPU per phase, from the marks taken in the child."""
    command, app, compose = marks["command"], marks["app"], marks["compose"]
    mounted = spans.first["ReviewScreen.on_mount"][1] if not floor else compose

    def net(start: float, end: float) -> float:
        return (end - start - clock.within(start, end) - spans.reads_within(start, end)) * 1000

    own = sum(ms for name, ms in clock.self_ms.items() if name == "bare_tui" or name.startswith("bare_tui."))
    imports = clock.within(command, painted) * 1000
    figures = {
        "interpreter": command * 1000,
        "imports": imports,
        "imports_bare_tui": own,
        "imports_other": imports - own,
        "read": spans.reads_within(command, painted) * 1000,
        "other": net(command, app),
        "app_css": net(app, compose),
        "compose_mount": net(compose, mounted),
        "layout_render": net(mounted, painted),
        "total": painted * 1000,
    }
    if os.environ.get("STARTUP_PHASES_MODULES"):  # the bare_tui modules' self times, for a closer look
        for name, ms in sorted(clock.self_ms.items(), key=lambda item: -item[1]):
            if name.startswith("bare_tui"):
                figures[f"module {name}"] = ms
    return figures


def run_child(argv: list[str], floor: bool) -> dict[str, float]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, __file__, "--child", "floor" if floor else "review", *argv]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2] == "floor", sys.argv[3:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session", type=Path)
    parser.add_argument("--reviewer", default="ana")
    parser.add_argument("--runs", type=int, default=7, help="processes of each, run alternately")
    args = parser.parse_args()
    review_argv = [str(BENCH / "scale_screens.py"), "review", str(args.session), "--reviewer", args.reviewer]
    review_argv += ["--attempts", "0", "--open-only"]  # --attempts counts the queue's rows: the opening does not use it
    floor_argv = [str(BENCH / "startup_floor.py"), "--pushed"]
    runs: dict[str, list[dict[str, float]]] = {"review": [], "floor": []}
    for _ in range(args.runs):
        runs["review"].append(run_child(review_argv, floor=False))
        runs["floor"].append(run_child(floor_argv, floor=True))
    out: dict[str, Any] = {"runs": args.runs}
    for name, figures in runs.items():
        out[name] = {key: round(statistics.median(f[key] for f in figures), 1) for key in figures[0]}
    out["review"]["total_each"] = [round(f["total"], 1) for f in runs["review"]]
    out["floor"]["total_each"] = [round(f["total"], 1) for f in runs["floor"]]
    out["bare_tui_share"] = round(out["review"]["total"] - out["floor"]["total"], 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
