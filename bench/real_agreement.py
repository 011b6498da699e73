"""How far bare-tui's pipeline agrees with blind human labels on real model refactorings, stage by stage.

Imports the labelled attempts of the real-output corpus (see bench/real/convert_sustainable.py for how to get it)
with the blind labels of bench/real/labels.jsonl into a fresh session, runs `verify` on them, and prints per field:
n, agreement, Cohen's kappa with its 95% Wald interval, false passes and false fails, then every disagreement with its root cause (from
bench/real/root_causes.json, written after the labels, or "not yet analysed"). Where a second reviewer labelled the
same attempts blind (bench/real/second_labels.jsonl), it prints the two reviewers' agreement per field beside the
pipeline's against each of them: the ceiling the pipeline's figures can be read against.

    sh bench/real/fetch.sh        # the study at the labelled commit, converted into bench/.cache/real/
    python bench/real_agreement.py [bench/.cache/real/sustainable.jsonl] [--jobs 2] [--only tuning|batch-N|all]

The newest batch (the highest `batch-N` tag in labels.jsonl) is the held-out one: labelled and committed before
the stages were changed on the others. `tuning` is every other label, all of them read while changing the stages.
`--only tuning` verifies the tuning attempts alone, so while a stage is being changed the held-out attempts stay
unseen; `--only batch-N` verifies one batch. The report ends with the disagreements counted by root cause, per
stage, for tuning and the held-out batch.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

from bare_tui.agreement import cohen_kappa_interval, contingency_table
from bare_tui.importer import import_into
from bare_tui.model import FIELDS, Verdict
from bare_tui.pipeline.runner import SOURCE, verify_session
from bare_tui.safe_text import visible
from bare_tui.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent / "real"))
from corpus import corpus_lines  # noqa: E402  (bench/real/corpus.py)

HERE = Path(__file__).resolve().parent
LABELS = HERE / "real" / "labels.jsonl"
SECOND = HERE / "real" / "second_labels.jsonl"
"""A second reviewer's blind labels of attempts labels.jsonl also labels: how far two people agree, beside the pipeline."""
ROOT_CAUSES = HERE / "real" / "root_causes.json"
CORPUS = HERE / ".cache" / "real" / "sustainable.jsonl"


BATCH = re.compile(r"batch-(\d+)")
"""A batch tag: bench/real/sample.py draws batch N with --seed N, and its labels carry `batch-N`."""


def _batches(labels: list[dict]) -> list[str]:
    """The batch tags the labels carry, oldest first."""
    tags = {tag for label in labels for tag in label["tags"] if BATCH.fullmatch(tag)}
    return sorted(tags, key=lambda tag: int(tag.split("-")[1]))


def _notes(batches: list[str]) -> dict[str, str]:
    """The groups the figures are printed for, with what each one's figures are worth; the newest batch is the
    held-out one (see _groups)."""
    fresh = batches[-1] if batches else None
    notes = {
        "all": "",
        "tuning": (f" (every label but {fresh}: " if fresh else " (every label: ")
        + "the stages were changed while reading them, so their figures are optimistic)",
    }
    for batch in batches:
        notes[batch] = (
            " (labelled and committed blind before any verdict on them and before the latest stage changes: "
            "the honest estimate)"
            if batch == fresh
            else " (labelled blind, since read while changing the stages: part of tuning)"
        )
    return notes


def _groups(tags: list[str], fresh: str | None) -> set[str]:
    """The report groups of a label: all, its batch if it has one, and tuning unless it is in the fresh held-out
    batch (every earlier label's disagreements have been read while changing the stages, whatever it was tagged
    when it was drawn)."""
    groups = {"all", *(tag for tag in tags if BATCH.fullmatch(tag))}
    if fresh is None or fresh not in tags:
        groups.add("tuning")
    return groups


def _subset(corpus: Path, wanted: set[str], into: Path) -> int:
    """The labelled attempts and their tasks, copied from the converted corpus into one import file."""
    tasks: dict[str, str] = {}
    attempts: list[str] = []
    needed: set[str] = set()
    for line, data in corpus_lines(corpus):
        if "attempt_id" in data:
            if data["attempt_id"] in wanted:
                attempts.append(line)
                needed.add(data["task_id"])
        elif "task_id" in data:
            tasks[data["task_id"]] = line
    into.write_text("".join(tasks[t] for t in sorted(needed)) + "".join(attempts), encoding="utf-8")
    return len(attempts)


def _agreement(
    field: str,
    human: dict[tuple[str, str], str],
    verdicts: dict[tuple[str, str], Verdict],
    causes: dict[str, str],
    disagreements: list[tuple[str, str, str, str, str]] | None,
) -> str:
    """One row of the table: n, agreement, kappa, false passes and fails, and what was left out and why."""
    pairs: list[tuple[int, int]] = []
    excluded: Counter[str] = Counter()
    false_pass = false_fail = 0
    for (attempt_id, stage), label in sorted(human.items()):
        if stage != field:
            continue
        verdict = verdicts.get((attempt_id, field))
        outcome = verdict.outcome.value if verdict is not None else "missing"
        if label == "unsure" or outcome not in ("pass", "fail"):
            excluded[f"{label}/{outcome}"] += 1
            continue
        pairs.append((int(label == "pass"), int(outcome == "pass")))
        if label != outcome:
            false_pass += outcome == "pass"
            false_fail += outcome == "fail"
            if disagreements is not None:
                evidence = verdict.evidence[0].message if verdict is not None and verdict.evidence else ""
                cause = causes.get(f"{attempt_id}/{field}", "not yet analysed")
                disagreements.append((field, attempt_id, f"human {label}, pipeline {outcome}", evidence, cause))
    if not pairs:
        return f"{field:16} {0:>4}"
    shown = ", ".join(f"{k} {v}" for k, v in sorted(excluded.items())) or "-"
    return f"{field:16} {len(pairs):>4} {_kappa_text(pairs)} {false_pass:>11} {false_fail:>11}  {shown}"


def _kappa_text(pairs: list[tuple[int, int]]) -> str:
    """Agreement and Cohen's kappa with its 95% Wald interval, of pass (1) / fail (0) pairs."""
    first, second = zip(*pairs, strict=True)
    table = contingency_table(np.array(first), np.array(second), 2)
    agreement = sum(a == b for a, b in pairs) / len(pairs)
    kappa = cohen_kappa_interval(table)
    text = f"{kappa.value:7.2f}" if kappa.value is not None else "      -"
    if kappa.low is not None and kappa.high is not None:
        text += f" [{kappa.low:5.2f}, {kappa.high:5.2f}]"
    else:
        text += " " * 15
    return f"{agreement:>7.0%} {text}"


def _between_reviewers(
    first: dict[tuple[str, str], str], second: dict[tuple[str, str], str], verdicts: dict[tuple[str, str], Verdict]
) -> None:
    """Where a second reviewer labelled the same attempts blind: the two reviewers' agreement per field (what the
    rubric leaves to judgement: the ceiling a pipeline can be held to), and the pipeline against each of them on
    the same attempts."""
    both = sorted(key for key in second if key in first)
    if not both:
        return
    print(f"\nbetween reviewers: {len({attempt for attempt, _ in both})} attempts labelled blind by two reviewers")
    print(f"{'field':16} {'n':>4} {'reviewers agree, kappa [95%]':>30} {'pipeline vs 1st':>30} {'pipeline vs 2nd':>30}")
    for field in FIELDS:
        rows: list[tuple[int, int, int]] = []
        for key in both:
            verdict = verdicts.get(key)
            if key[1] != field or verdict is None or verdict.outcome.value not in ("pass", "fail"):
                continue
            if {first[key], second[key]} <= {"pass", "fail"}:
                rows.append(
                    (int(first[key] == "pass"), int(second[key] == "pass"), int(verdict.outcome.value == "pass"))
                )
        if not rows:
            continue
        cells = [_kappa_text([(r[a], r[b]) for r in rows]) for a, b in ((0, 1), (2, 0), (2, 1))]
        print(f"{field:16} {len(rows):>4} " + " ".join(f"{cell:>30}" for cell in cells))


def main(argv: list[str] | None = None) -> int:
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    batches = _batches(labels)
    fresh = batches[-1] if batches else None
    notes = _notes(batches)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS, help="the converted corpus (JSON Lines)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--only",
        choices=list(notes),
        help=f"verify and report one group only: tuning is every label but {fresh or 'none'}, the held-out batch "
        "(while a stage is changed, keep the held-out attempts unseen)",
    )
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus} is missing: see bench/real/convert_sustainable.py for how to make it", file=sys.stderr)
        return 1
    if args.only:
        labels = [label for label in labels if args.only in _groups(label["tags"], fresh)]
    causes: dict[str, str] = json.loads(ROOT_CAUSES.read_text(encoding="utf-8")) if ROOT_CAUSES.exists() else {}
    wanted = {label["attempt_id"] for label in labels}
    with tempfile.TemporaryDirectory(prefix="bare-tui-real-") as folder:
        session = Path(folder) / "real.db"
        attempts_file = Path(folder) / "attempts.jsonl"
        found = _subset(args.corpus, wanted, attempts_file)
        with Store.open(session, create=True) as store:
            import_into(store, attempts_file)
            labels_file = Path(folder) / "labels.jsonl"
            labels_file.write_text("".join(json.dumps(label) + "\n" for label in labels), encoding="utf-8")
            report = import_into(store, labels_file)
            if report.errors:
                for error in report.errors[:5]:
                    print(visible(str(error)), file=sys.stderr)
        summary = verify_session(session, jobs=args.jobs)
        with Store.open(session, readonly=True) as store:
            verdicts = {(v.attempt_id, v.stage): v for v in store.verdicts(source=SOURCE)}
            languages = {s.attempt_id: s.language for s in store.attempt_summaries()}
    human = {(label["attempt_id"], label["stage"]): label["label"] for label in labels}
    groups_of = {label["attempt_id"]: _groups(label["tags"], fresh) for label in labels}
    print(
        f"{found} of {len(wanted)} labelled attempts found in {args.corpus.name}; "
        f"verified in {summary.seconds:.1f} s, pipeline {summary.pipeline_version}"
    )
    for analyser, unchecked in summary.unavailable:
        print(f"  {analyser} was unavailable: {unchecked} went unchecked")
    disagreements: list[tuple[str, str, str, str, str]] = []
    for group, note in notes.items():
        chosen = {key: label for key, label in human.items() if group in groups_of[key[0]]}
        if not chosen:
            continue
        print(f"\n{group}: {len({attempt for attempt, _ in chosen})} attempts{note}")
        print(f"{'field':16} {'n':>4} {'agree':>7} {'kappa [95%]':>22} {'false pass':>11} {'false fail':>11}  excluded")
        for field in FIELDS:
            print(_agreement(field, chosen, verdicts, causes, disagreements if group == next(iter(notes)) else None))
    if SECOND.exists():
        wanted_groups = {args.only} if args.only else {"all"}
        second = {
            (label["attempt_id"], label["stage"]): label["label"]
            for line in SECOND.read_text(encoding="utf-8").splitlines()
            if line.strip() and wanted_groups & _groups((label := json.loads(line))["tags"], fresh)
        }
        _between_reviewers(human, second, verdicts)
    _root_cause_counts(disagreements, groups_of, fresh)
    print()
    print(f"{len(disagreements)} disagreements (overall follows from the five):")
    for field, attempt_id, what, evidence, cause in disagreements:
        if field == "overall":
            continue
        print(visible(f"- {field} {attempt_id} [{languages.get(attempt_id, '?')}]: {what}"))
        if evidence:
            print(visible(f"    pipeline: {evidence[:160]}"))
        print(visible(f"    cause: {cause}"))
    return 0


def _root_cause_counts(
    disagreements: list[tuple[str, str, str, str, str]], groups_of: dict[str, set[str]], fresh: str | None
) -> None:
    """Per stage, how many disagreements each root cause (the text before its first colon) accounts for, in the
    tuning and held-out groups: what a static stage cannot reach, and why, in numbers."""
    print(f"\nroot causes of the disagreements (tuning / {fresh or 'no held-out batch'}):")
    by_field: dict[str, Counter[tuple[str, str]]] = {}
    for field, attempt_id, what, _evidence, cause in disagreements:
        if field == "overall":
            continue
        group = "held-out" if fresh is not None and fresh in groups_of[attempt_id] else "tuning"
        direction = "false pass" if what.endswith("pipeline pass") else "false fail"
        by_field.setdefault(field, Counter())[(f"{cause.split(': ')[0]} ({direction})", group)] += 1
    for field, counts in by_field.items():
        print(f"  {field}: {sum(counts.values())}")
        for reason in sorted(
            {reason for reason, _ in counts}, key=lambda r: -sum(counts[(r, g)] for g in ("tuning", "held-out"))
        ):
            print(visible(f"    {counts[(reason, 'tuning')]:3} / {counts[(reason, 'held-out')]:3}  {reason}"))


if __name__ == "__main__":
    sys.exit(main())
