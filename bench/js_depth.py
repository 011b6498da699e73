"""Seconds the defects stage takes on JavaScript and TypeScript answers made of one deeply nested expression.

    python bench/js_depth.py [--terms 8000,32000] [--repeat 3] [--shapes plus,equality,member]

A hostile answer (`return a+a+a+...+a;` with thousands of terms) must cost the defects stage time linear in its
length: a rule that is quadratic in expression depth turns such an answer into a time-limit error under load.
Shapes: `plus` (a+a+...), `equality` (a==a==..., every level a finding), `member` (a.b.b.b..., every `b` a new
word for the undefined-name rule to locate). Prints the median seconds per language, shape and term count.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bare_tui.pipeline.defects import check_defects

ORIGINAL = "function f(a) {\n  return a;\n}\n"

SHAPES = {
    "plus": lambda n: "a+" * n + "a",
    "equality": lambda n: "a==" * n + "a",
    "member": lambda n: "a" + ".b" * n,
}


def seconds(language: str, expression: str, repeat: int) -> tuple[float, str]:
    times = []
    outcome = ""
    for run in range(repeat):
        # a text of its own each run: the stage caches its findings by text
        refactored = f"function f(a) {{\n  return {expression};\n}}\n// run {run}\n"
        started = time.perf_counter()
        outcome = check_defects(language, ORIGINAL, refactored).outcome.value
        times.append(time.perf_counter() - started)
    return statistics.median(times), outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terms", default="8000,32000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shapes", default="plus")
    args = parser.parse_args()
    for shape in args.shapes.split(","):
        for terms in (int(t) for t in args.terms.split(",")):
            for language in ("javascript", "typescript"):
                median, outcome = seconds(language, SHAPES[shape](terms), args.repeat)
                print(
                    f"{shape:9} {terms:>7} terms  {language:11} {median:7.2f} s  ({outcome}, median of {args.repeat})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
