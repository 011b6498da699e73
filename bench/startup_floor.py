"""The floor under the screens' start-up figures: how long an empty Textual app takes on this machine from process
start to its first paint, measured as bench/scale_screens.py measures the real screens (headless run_test at the
same size, the end of the first compositor refresh). Prints one JSON line (milliseconds from process start).

    python bench/startup_floor.py [--pushed] [--spawned T]

--pushed: the Static sits on a screen pushed in on_mount, as bare-tui's app does with its screens, rather than on
the default screen. --spawned: time.time() just before this process was started (else /proc says when it started,
to the kernel's clock tick).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from scale_screens import SIZE, process_started_ago


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushed", action="store_true", help="paint a pushed screen, not the default one")
    parser.add_argument("--spawned", type=float, default=None, help="time.time() when the parent started us")
    args = parser.parse_args()
    started = time.perf_counter() - process_started_ago(args.spawned)
    import asyncio

    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static

    imported = time.perf_counter()
    painted: list[float] = []
    painted_cpu: list[float] = []
    original = Screen._compositor_refresh

    def hooked(screen: Screen[object]) -> None:
        original(screen)
        if not painted and (not args.pushed or screen.id != "_default"):
            painted.append(time.perf_counter())
            painted_cpu.append(time.process_time())

    Screen._compositor_refresh = hooked  # type: ignore[method-assign]

    class Pushed(Screen[None]):
        def compose(self) -> ComposeResult:
            yield Static("floor")

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            if not args.pushed:
                yield Static("floor")

        def on_mount(self) -> None:
            if args.pushed:
                self.push_screen(Pushed())

    async def drive() -> None:
        app = Floor()
        async with app.run_test(size=SIZE) as pilot:
            while not painted:
                await asyncio.sleep(0.005)
            await pilot.pause()

    asyncio.run(drive())
    print(
        json.dumps(
            {
                "scenario": "floor, pushed screen" if args.pushed else "floor, default screen",
                "imports_ms": (imported - started) * 1000,
                "first_paint_ms": (painted[0] - started) * 1000,
                "first_paint_cpu_ms": painted_cpu[0] * 1000,  # the process's CPU time from its start
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
