"""Draw a stratified, seeded sample of the converted real corpus for blind labelling, and lay it out for reading.

Strata are language x model; each gets `--per-stratum` attempts drawn (seeded) from the answers whose original is
under 4,000 characters and whose answer is under 5,000, skipping every attempt and every task that
bench/real/labels.jsonl already names, so a new batch shares no exercise with the labels the stages were tuned on.
The study keeps some solutions twice under two folder names (`crypto_square_Exercism_johnngugi` and
`crypto-square_exercism-johnngugi`), so two task ids can carry the same original; `--distinct-originals` also skips
a task whose original (whitespace aside) is a labelled task's or one already drawn. It is applied after each
stratum's seeded shuffle, so without it a seed draws what it always drew (seeds 3 and 4, batch-3 and batch-4,
were drawn without it; batch-5 with it).
The ids go to stdout; with `--show FOLDER` each attempt's original and answer are written there, one text file per
attempt, for a reviewer to read before any verdict exists (the pipeline is not run here).

    python bench/real/sample.py bench/.cache/real/sustainable.jsonl --seed 5 --per-stratum 3 --distinct-originals \
        --show bench/.cache/batch
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

from corpus import read_corpus  # bench/real/, the script's own folder

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.jsonl"
MAX_ORIGINAL = 4_000
MAX_ANSWER = 5_000


def _text_key(original: str) -> str:
    """An original with its whitespace collapsed: two task ids with the same key are the same exercise."""
    return " ".join(original.split())


def draw(
    corpus: Path, seed: int, per_stratum: int, labelled: set[str], distinct_originals: bool = False
) -> list[tuple[dict, dict]]:
    """(task, attempt) pairs: per language and model, `per_stratum` attempts of tasks no label names yet (with
    `distinct_originals`, of originals no labelled or drawn task has either)."""
    tasks, attempts = read_corpus(corpus)
    used_tasks = {attempt["task_id"] for attempt in attempts if attempt["attempt_id"] in labelled}
    used_originals = {_text_key(tasks[task_id]["original"]) for task_id in used_tasks}
    strata: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for attempt in attempts:
        task = tasks[attempt["task_id"]]
        if attempt["task_id"] in used_tasks or len(task["original"]) >= MAX_ORIGINAL:
            continue
        if len(attempt["refactored"]) >= MAX_ANSWER:
            continue
        strata[(task["language"], attempt["model"])].append(attempt)
    rng = random.Random(seed)
    chosen: list[tuple[dict, dict]] = []
    taken: set[str] = set()
    for key in sorted(strata):
        pool = sorted(strata[key], key=lambda a: a["attempt_id"])
        rng.shuffle(pool)
        picked = 0
        for attempt in pool:
            if picked == per_stratum:
                break
            if attempt["task_id"] in taken:  # one attempt per exercise, across strata too
                continue
            original = _text_key(tasks[attempt["task_id"]]["original"])
            if distinct_originals and original in used_originals:  # a twin folder of a labelled or drawn task
                continue
            taken.add(attempt["task_id"])
            used_originals.add(original)
            chosen.append((tasks[attempt["task_id"]], attempt))
            picked += 1
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the converted corpus (see convert_sustainable.py)")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--per-stratum", type=int, default=3)
    parser.add_argument(
        "--distinct-originals",
        action="store_true",
        help="also skip tasks whose original is a labelled or already drawn task's (the study's twin folders)",
    )
    parser.add_argument("--show", type=Path, help="a folder to write each attempt's original and answer into")
    args = parser.parse_args(argv)
    labelled = set()
    if LABELS.exists():
        labelled = {json.loads(line)["attempt_id"] for line in LABELS.read_text(encoding="utf-8").splitlines() if line}
    chosen = draw(args.corpus, args.seed, args.per_stratum, labelled, args.distinct_originals)
    if args.show:
        args.show.mkdir(parents=True, exist_ok=True)
    for number, (task, attempt) in enumerate(chosen, 1):
        print(attempt["attempt_id"], task["language"], attempt["model"], sep="\t")
        if args.show:
            text = (
                f"# {number:03} {attempt['attempt_id']} {task['language']} {attempt['model']} {task['path']}\n"
                f"===== ORIGINAL =====\n{task['original']}\n===== ANSWER =====\n{attempt['refactored']}\n"
            )
            (args.show / f"{number:03}-{attempt['attempt_id']}.txt").write_text(text, encoding="utf-8")
    print(f"{len(chosen)} attempts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
