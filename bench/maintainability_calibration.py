"""How the maintainability stage's calibrated settings were chosen: its kappa with the blind labels over a grid.

DESIGN.md says the stage's score threshold (settings' `minimum_score`, the band within which a load is flat) is
calibrated on the labelled real answers; `minimum_shrink` (how much a file whose load is flat must shrink) is chosen
with it, and `minimum_tokens` (how many code tokens must go, with no decision, level or parameter gone, for a change
to be more than a spelling) after them, each count's kappa printed per batch. The procedure: run the stage on every labelled attempt of the group (the maintainability stage alone, with
the session's thresholds measured from the same originals as `verify` measures them), for each pair of settings on
the grid, and take the pair of the highest Cohen's kappa with the human labels on the tuning group; the table shows
its neighbours, so that a knife edge (a best setting whose neighbours fall away) is visible. A difference under 0.01
is one label or two of 300, not evidence: of the settings within 0.01 of the highest kappa, the narrowest band is
taken (the load's own fall decides as often as the labels allow), with the shrink of its highest kappa. Each batch's
kappa at the defaults is printed too: a setting that helps one batch and hurts the others is noise.

    python bench/maintainability_calibration.py [bench/.cache/real/sustainable.jsonl] [--only tuning|all|batch-N]

`--only` takes the groups of bench/real_agreement.py; the default, `tuning`, leaves the held-out batch unseen.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from bare_tui.agreement import cohen_kappa, contingency_table
from bare_tui.pipeline.maintainability import check_maintainability, compute_thresholds
from bare_tui.pipeline.settings import DEFAULT_SETTINGS, PipelineSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_agreement import CORPUS, LABELS, _batches, _groups, _notes  # noqa: E402  (the script's own folder)

MINIMUM_SCORES = (0.0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1)
MINIMUM_SHRINKS = (0.05, 0.075, 0.10, 0.125, 0.15, 0.20)
MINIMUM_TOKENS = (0, 3, 5, 8, 10, 12, 15, 20)


def _kappa(pairs: list[tuple[int, int]]) -> float | None:
    if not pairs:
        return None
    humans, pipeline = zip(*pairs, strict=True)
    return cohen_kappa(contingency_table(np.array(humans), np.array(pipeline), 2))


def _choose(
    found_at: dict[tuple[float, float], dict[str, tuple[int, int]]], attempts: set[str]
) -> tuple[tuple[float, float], float, float] | None:
    """The setting the procedure takes on these attempts: of those within 0.01 of the highest kappa, the narrowest
    band, with the shrink of its highest kappa; that setting, its kappa and the highest."""
    grid = {}
    for setting, found in found_at.items():
        kappa = _kappa([pair for attempt_id, pair in found.items() if attempt_id in attempts])
        if kappa is not None:
            grid[setting] = kappa
    if not grid:
        return None
    highest = max(grid.values())
    band = min(score for (score, _), kappa in grid.items() if kappa >= highest - 0.01)
    kappa, shrink = max((kappa, -s) for (score, s), kappa in grid.items() if score == band)
    return (band, -shrink), kappa, highest


def main(argv: list[str] | None = None) -> int:
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    batches = _batches(labels)
    fresh = batches[-1] if batches else None
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS, help="the converted corpus (JSON Lines)")
    parser.add_argument("--only", choices=list(_notes(batches)), default="tuning")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus} is missing: see bench/real/convert_sustainable.py for how to make it", file=sys.stderr)
        return 1
    chosen = [
        label
        for label in labels
        if label["stage"] == "maintainability"
        and args.only in _groups(label["tags"], fresh)
        and label["label"] != "unsure"
    ]
    human = {label["attempt_id"]: label["label"] == "pass" for label in chosen}
    batch_of = {
        label["attempt_id"]: next((tag for tag in label["tags"] if tag.startswith("batch-")), "batches 1-2")
        for label in chosen
    }
    tasks: dict[str, dict] = {}
    attempts: dict[str, dict] = {}
    with args.corpus.open(encoding="utf-8") as source:
        for line in source:
            data = json.loads(line)
            if "attempt_id" in data:
                if data["attempt_id"] in human:
                    attempts[data["attempt_id"]] = data
            elif "task_id" in data:
                tasks[data["task_id"]] = data
    needed = sorted({attempt["task_id"] for attempt in attempts.values()})
    originals: dict[str, list[str]] = defaultdict(list)
    for task_id in needed:
        originals[tasks[task_id]["language"]].append(tasks[task_id]["original"])

    measured = compute_thresholds(originals, DEFAULT_SETTINGS)  # the two settings do not enter the thresholds

    def outcomes(settings: PipelineSettings) -> dict[str, tuple[int, int]]:
        thresholds = replace(measured, settings=settings)
        found = {}
        for attempt_id, attempt in sorted(attempts.items()):
            task = tasks[attempt["task_id"]]
            result = check_maintainability(
                task["language"], task["original"], attempt.get("refactored"), task["path"], thresholds
            )
            if result.outcome.value in ("pass", "fail"):
                found[attempt_id] = (int(human[attempt_id]), int(result.outcome.value == "pass"))
        return found

    print(f"{len(attempts)} labelled attempts ({args.only}); kappa of maintainability with the human labels")
    print("minimum_score \\ minimum_shrink " + "".join(f"{shrink:>8g}" for shrink in MINIMUM_SHRINKS))
    found_at: dict[tuple[float, float], dict[str, tuple[int, int]]] = {}
    for score in MINIMUM_SCORES:
        row = []
        for shrink in MINIMUM_SHRINKS:
            found = found_at[(score, shrink)] = outcomes(
                DEFAULT_SETTINGS.with_changes(minimum_score=score, minimum_shrink=shrink)
            )
            kappa = _kappa(list(found.values()))
            row.append(f"{kappa:8.3f}" if kappa is not None else "       -")
        print(f"{score:<31g}" + "".join(row))
    chosen_setting = _choose(found_at, set(attempts))
    if chosen_setting is not None:
        (band, shrink), kappa, highest = chosen_setting
        print(
            f"highest kappa {highest:.3f}; the narrowest band within 0.01 of it: minimum_score {band:g}, "
            f"minimum_shrink {shrink:g} (kappa {kappa:.3f})"
        )
    defaults = (DEFAULT_SETTINGS.minimum_score, DEFAULT_SETTINGS.minimum_shrink)
    print(f"the defaults (minimum_score {defaults[0]:g}, minimum_shrink {defaults[1]:g}), per batch:")
    found = found_at.get(defaults) or outcomes(DEFAULT_SETTINGS)
    for batch in sorted(set(batch_of.values())):
        pairs = [pair for attempt_id, pair in found.items() if batch_of[attempt_id] == batch]
        kappa = _kappa(pairs)
        print(f"  {batch:12} n={len(pairs):4}  kappa {kappa:.3f}" if kappa is not None else f"  {batch:12} -")
    # Leave one batch out: the settings the same rule chooses on the other batches, judged on the one left out. A
    # setting that holds only on the labels it was chosen on shows here as a batch whose kappa falls.
    print("leave one batch out: the setting chosen on the other batches, and its kappa on the batch left out")
    for batch in sorted(set(batch_of.values())):
        others = {attempt_id for attempt_id in attempts if batch_of[attempt_id] != batch}
        left_out = set(attempts) - others
        picked = _choose(found_at, others)
        if picked is None:
            continue
        (band, shrink), _, _ = picked
        pairs = [pair for attempt_id, pair in found_at[(band, shrink)].items() if attempt_id in left_out]
        at_defaults = [pair for attempt_id, pair in found.items() if attempt_id in left_out]
        kappa, default_kappa = _kappa(pairs), _kappa(at_defaults)
        if kappa is not None and default_kappa is not None:
            print(
                f"  {batch:12} minimum_score {band:<7g} minimum_shrink {shrink:<6g} kappa {kappa:.3f} "
                f"(the defaults {default_kappa:.3f})"
            )
    # settings' minimum_tokens, with the other two at their defaults: each count's kappa per batch, and the count
    # the other batches would choose (the highest kappa, the smallest count on a tie) judged on the one left out
    batches = sorted(set(batch_of.values()))
    at_count = {count: outcomes(DEFAULT_SETTINGS.with_changes(minimum_tokens=count)) for count in MINIMUM_TOKENS}

    def kappa_of(found: dict[str, tuple[int, int]], chosen: set[str]) -> float | None:
        return _kappa([pair for attempt_id, pair in found.items() if attempt_id in chosen])

    members = {batch: {a for a in attempts if batch_of[a] == batch} for batch in batches}
    print(f"minimum_tokens (the default {DEFAULT_SETTINGS.minimum_tokens}), kappa per batch and over all:")
    print("  count " + "".join(f"{batch:>13}" for batch in batches) + f"{'all':>13}")
    for count, found in at_count.items():
        cells = [kappa_of(found, members[batch]) for batch in batches] + [kappa_of(found, set(attempts))]
        print(f"  {count:<5} " + "".join(f"{k:13.3f}" if k is not None else f"{'-':>13}" for k in cells))
    print("leave one batch out: the count chosen on the other batches, and its kappa on the batch left out")
    for batch in batches:
        others = set(attempts) - members[batch]
        scored = [(kappa_of(found, others), -count) for count, found in at_count.items()]
        best = -max((k, c) for k, c in scored if k is not None)[1]
        held, default = (
            kappa_of(at_count[best], members[batch]),
            kappa_of(at_count[DEFAULT_SETTINGS.minimum_tokens], members[batch]),
        )
        if held is not None and default is not None:
            print(f"  {batch:12} minimum_tokens {best:<3} kappa {held:.3f} (the default {default:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
