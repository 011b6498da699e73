"""Benchmark the diff model and the diff widget at BARE file sizes, against issue 4's targets.

Run: python bench/diff.py [--runs N]

Prints medians of N runs for
  - the diff model (build_diff) on 300-, 2,000- and 10,000-line files with about 10% of lines changed;
  - show() to DiffView.Ready, and to the first page painted, in a headless 120x40 app (a "next attempt");
  - one scroll step on a 10,000-line diff: painting a new page cold (a jump: tokens lexed on demand); a page
    down and a `]` after a moment's reading (the next page and the next change's page lexed and painted
    ahead while the whole-file pass runs); cold after the whole-file pass has finished; warm (rows cached);
  - peak RSS of the process.
Targets (issue 4, item 9): next attempt <= 50 ms median on 2,000 lines and <= 150 ms on 10,000;
a scroll step <= 16 ms; RSS <= 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import sysconfig
import time
from pathlib import Path

from textual.app import App, ComposeResult  # noqa: E402

from bare_tui.diff import build_diff  # noqa: E402
from bare_tui.highlight import forget_kept_tokens  # noqa: E402
from bare_tui.tui.widgets.diff_view import DiffView  # noqa: E402

SIZES = (300, 2_000, 10_000)
SCREEN = (120, 40)


def real_python_lines(count: int) -> list[str]:
    """Lines of real code: the standard library's own modules, concatenated until there are enough."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    lines: list[str] = []
    for name in ("argparse.py", "typing.py", "subprocess.py", "inspect.py", "difflib.py", "tarfile.py"):
        lines.extend((stdlib / name).read_text(encoding="utf-8").split("\n"))
        if len(lines) >= count:
            break
    if len(lines) < count:
        raise SystemExit(f"not enough standard library source for {count} lines")
    return lines[:count]


def refactor(lines: list[str], seed: int) -> list[str]:
    """About one line in ten changed, removed or followed by a new one, spread over the whole file."""
    rng = random.Random(seed)
    out: list[str] = []
    for line in lines:
        roll = rng.random()
        if roll < 0.05:
            out.append(line.replace("self", "this") + "  # refactored")
        elif roll < 0.07:
            continue
        elif roll < 0.10:
            out.extend([line, line[: len(line) - len(line.lstrip())] + "checked = True"])
        else:
            out.append(line)
    return out


def pair(size: int, seed: int = 1) -> tuple[str, str]:
    original = real_python_lines(size)
    return "\n".join(original) + "\n", "\n".join(refactor(original, seed)) + "\n"


def load_note() -> str:
    one_minute = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    busy = "  -- the machine is busy: wall figures are inflated, read the cpu ones" if one_minute > cores else ""
    return f"load average {one_minute:.1f} on {cores} cores{busy}"


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.1f} ms"


def bench_model(runs: int) -> None:
    print("diff model (build_diff), ~10% of lines changed")
    for size in SIZES:
        original, refactored = pair(size)
        samples, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            model = build_diff(original, refactored)
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(
            f"  {size:>6,} lines: {median_ms(samples)} wall, {median_ms(cpu)} cpu"
            f"   ({len(model.blocks)} changes, strategy {model.strategy})"
        )


class BenchApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.ready = asyncio.Event()

    def compose(self) -> ComposeResult:
        yield DiffView(id="diff")

    def on_diff_view_ready(self, _: DiffView.Ready) -> None:
        self.ready.set()


async def bench_widget(runs: int) -> None:
    app = BenchApp()
    async with app.run_test(size=SCREEN) as pilot:
        view = app.query_one(DiffView)
        view.focus()
        height = view.scrollable_content_region.height
        print(f"next attempt in a headless {SCREEN[0]}x{SCREEN[1]} app (show() to Ready / to first page painted)")
        print(
            "  (cpu: the event loop's CPU time over the same span plus the diff worker's, which lexes the first page:"
        )
        print("   what an idle machine's wall time would be; the whole-file lexing starts after the first paint)")
        for size, same_task in [(size, False) for size in SIZES] + [(2_000, True)]:
            # A new refactoring each time, as a reviewer moving on sees; of a new task (nothing lexed yet), or of
            # the same task (its original's tokens kept from the attempt before).
            to_ready: list[float] = []
            to_painted: list[float] = []
            cpu: list[float] = []
            for run in range(runs):
                original, _ = pair(size)
                refactored = "\n".join(refactor(original.split("\n"), seed=100 + run))
                await app.workers.wait_for_complete()  # the reviewer read the last one: its lexing is done
                await pilot.pause()
                if not same_task:
                    forget_kept_tokens()
                app.ready.clear()
                start, start_cpu = time.perf_counter(), time.thread_time()
                view.show(original, refactored, "python", "bench.py")
                await app.ready.wait()
                to_ready.append(time.perf_counter() - start)
                for y in range(height):
                    view.render_line(y)
                to_painted.append(time.perf_counter() - start)
                cpu.append(time.thread_time() - start_cpu + view.last_compute_cpu)
            task = "same task" if same_task else "new task "
            print(
                f"  {size:>6,} lines, {task}: {median_ms(to_ready)} / {median_ms(to_painted)} wall,"
                f" {median_ms(cpu)} cpu"
            )

        print("scroll step on a 10,000-line diff: one new page of rows painted")
        forget_kept_tokens()
        original, refactored = pair(10_000, seed=3)
        app.ready.clear()
        view.show(original, refactored, "python", "bench.py")
        await app.ready.wait()
        # Before the background lexing finishes, a page far down lexes its chunks on demand.
        await pilot.pause()
        cold_unlexed, cold_unlexed_cpu = [], []
        for page in range(1, runs + 1):
            view.scroll_to(y=page * 600, animate=False, immediate=True)
            start, start_cpu = time.perf_counter(), time.thread_time()
            for y in range(height):
                view.render_line(y)
            cold_unlexed.append(time.perf_counter() - start)
            cold_unlexed_cpu.append(time.thread_time() - start_cpu)
        # Paging down as a reviewer does, reading each page for a moment: the page after the one in view is
        # lexed and painted ahead in that moment, while the whole-file pass is still running beside it.
        app.ready.clear()
        forget_kept_tokens()
        view.show(*pair(10_000, seed=4), "python", "bench.py")
        await app.ready.wait()
        paged, paged_cpu, before_pass = [], [], 0
        for _ in range(runs):
            await asyncio.sleep(0.1)
            before_pass += not all(highlighter.complete for highlighter in view._highlighters.values())
            view.scroll_to(y=view.scroll_y + height, animate=False, immediate=True)
            start, start_cpu = time.perf_counter(), time.thread_time()
            for y in range(height):
                view.render_line(y)
            paged.append(time.perf_counter() - start)
            paged_cpu.append(time.thread_time() - start_cpu)
        jumped, jumped_cpu, jumped_before_pass = [], [], 0
        for _ in range(runs):  # `]`: the page of the next change is looked ahead too
            await asyncio.sleep(0.1)
            jumped_before_pass += not all(highlighter.complete for highlighter in view._highlighters.values())
            before = view.scroll_y
            if not view.next_change():
                break
            while view.scroll_y == before:
                await asyncio.sleep(0)
            start, start_cpu = time.perf_counter(), time.thread_time()
            for y in range(height):
                view.render_line(y)
            jumped.append(time.perf_counter() - start)
            jumped_cpu.append(time.thread_time() - start_cpu)
        await app.workers.wait_for_complete()
        await pilot.pause()
        cold, cold_cpu, warm = [], [], []
        for page in range(1, runs + 1):
            view.scroll_to(y=page * 600 + 300, animate=False, immediate=True)
            start, start_cpu = time.perf_counter(), time.thread_time()
            for y in range(height):
                view.render_line(y)
            cold.append(time.perf_counter() - start)
            cold_cpu.append(time.thread_time() - start_cpu)
            start = time.perf_counter()
            for y in range(height):
                view.render_line(y)
            warm.append(time.perf_counter() - start)
        single = []
        for _ in range(runs):  # one line down: one new row, the rest from the row cache
            view.scroll_to(y=view.scroll_y + 1, animate=False, immediate=True)
            start = time.perf_counter()
            for y in range(height):
                view.render_line(y)
            single.append(time.perf_counter() - start)
        print(
            f"  cold, lexed on demand:   {median_ms(cold_unlexed)} wall, {median_ms(cold_unlexed_cpu)} cpu (event loop thread)"
        )
        print(
            f"  page down, looked ahead: {median_ms(paged)} wall, {median_ms(paged_cpu)} cpu"
            f" ({before_pass} of {runs} pages before the whole-file pass ended)"
        )
        print(
            f"  next change, looked ahead: {median_ms(jumped)} wall, {median_ms(jumped_cpu)} cpu"
            f" ({jumped_before_pass} of {len(jumped)} before the whole-file pass ended)"
        )
        print(f"  cold, after lexing:      {median_ms(cold)} wall, {median_ms(cold_cpu)} cpu")
        print(f"  warm (cached rows):      {median_ms(warm)}")
        print(f"  one line down:           {median_ms(single)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure (the median is printed)")
    args = parser.parse_args(argv)
    print(load_note())
    bench_model(args.runs)
    asyncio.run(bench_widget(args.runs))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    print("targets: next attempt <= 50 ms (2,000 lines), <= 150 ms (10,000 lines); scroll step <= 16 ms; RSS <= 200 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
