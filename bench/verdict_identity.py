"""Every verdict of the pipeline on fixed inputs, recorded or compared: proof that a refactoring of the stages (moving
per-language rules into the language files) changed no verdict.

    python bench/verdict_identity.py --record bench/.cache/verdicts-before.jsonl
    python bench/verdict_identity.py --compare bench/.cache/verdicts-before.jsonl

The inputs: the bundled demo session (imported and verified as `bare-tui verify` does), and every case of the
stage tests' corpus (tests/unit/pipeline/corpus.py: the originals in tests/unit/pipeline/data and the standard
library, a commented copy and each seeded mutation), run through every stage with the corpus originals'
thresholds. A verdict is its stage, outcome, score, evidence and details; --compare prints the counts compared
and every difference, and exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bare_tui.model import OWN_SOURCE, StageResult  # noqa: E402
from bare_tui.pipeline.maintainability import compute_thresholds  # noqa: E402
from bare_tui.pipeline.work import Job, analyse  # noqa: E402
from tests.unit.pipeline import corpus  # noqa: E402


def _row(key: str, stage: str, result: StageResult) -> dict[str, Any]:
    return {
        "key": key,
        "stage": stage,
        "outcome": result.outcome.value,
        "score": result.score,
        "evidence": [[e.side, e.line, e.column, e.message] for e in result.evidence],
        "details": result.details,
    }


def corpus_rows() -> list[dict[str, Any]]:
    cases = corpus.all_cases()
    originals: dict[str, list[str]] = {}
    for item in corpus.corpus():
        originals.setdefault(item.language, []).append(item.text)
    thresholds = compute_thresholds(originals)
    rows = []
    for index, case in enumerate(cases):
        key = f"corpus:{index}:{case.label}"
        job = Job(key, case.item.language, case.item.path, case.item.text, case.text)
        rows.extend(_row(key, stage, result) for stage, result in analyse(job, thresholds))
    return rows


def demo_rows() -> list[dict[str, Any]]:
    from bare_tui.importer import import_into
    from bare_tui.pipeline.runner import verify_session
    from bare_tui.store import Store

    demo = REPO / "sessions" / "demo"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        with Store.open(path, create=True) as store:
            import_into(store, demo)
        verify_session(path, jobs=1)
        with Store.open(path) as store:
            verdicts = store.verdicts(source=OWN_SOURCE)
    rows = []
    for v in sorted(verdicts, key=lambda v: (v.attempt_id, v.stage)):
        rows.append(
            {
                "key": f"demo:{v.attempt_id}",
                "stage": v.stage,
                "outcome": v.outcome.value,
                "score": v.score,
                "evidence": [[e.side, e.line, e.column, e.message] for e in v.evidence],
                "details": v.details,
            }
        )
    return rows


def record() -> list[dict[str, Any]]:
    return json.loads(json.dumps(demo_rows() + corpus_rows(), sort_keys=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--record", type=Path, help="write every verdict to this file (JSON lines)")
    group.add_argument("--compare", type=Path, help="compare every verdict with those recorded in this file")
    args = parser.parse_args()
    rows = record()
    if args.record:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        with args.record.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, sort_keys=True) + "\n")
        print(f"recorded {len(rows)} verdicts to {args.record}")
        return 0
    before = [json.loads(line) for line in args.compare.read_text(encoding="utf-8").splitlines()]
    old = {(r["key"], r["stage"]): r for r in before}
    new = {(r["key"], r["stage"]): r for r in rows}
    differences = [key for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]
    by_stage = Counter(stage for _, stage in new)
    by_outcome = Counter((r["stage"], r["outcome"]) for r in rows)
    print(f"compared {len(old)} recorded verdicts with {len(new)} now; per stage: {dict(sorted(by_stage.items()))}")
    print("outcomes now: " + ", ".join(f"{s}/{o}={n}" for (s, o), n in sorted(by_outcome.items())))
    for key in differences[:50]:
        print(f"DIFFERENT {key}:\n  before {old.get(key)}\n  after  {new.get(key)}")
    print(f"{len(differences)} different")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
