"""Validation of the design-weighted and prediction-powered estimates on a simulated BARE-sized study.

A population of 243,732 attempts (57 models x 4,276 tasks, 9 languages) with a known human verdict on each
(what careful people would say: each model's true pass rate between 5% and 40%, shifted by language) and a
pipeline whose error rates differ by language (sensitivity 0.72-0.96, specificity 0.84-0.98). Each simulated
study draws a plan, takes the people's labels of the drawn attempts and estimates the pass rate of the whole
study and of each model. Over the studies the bench prints |bias| (target under 0.5 percentage points;
per model the mean over the 57 models, with the Monte Carlo error of one model's), coverage of the 95%
intervals (target 93-97%; per model pooled over models), the mean interval width against the estimates'
spread (sd), and how much narrower PPI's interval is than the human-only one.

Two plans, 2,000 attempts each:
  model x language   proportional allocation (the verdict is not a stratum: PPI has something to add)
  model x verdict    the pipeline's overall verdict as a stratum, its passes sampled at twice their share
                     (PPI then equals the stratified estimate: the strata already hold the verdict)

    python bench/estimators.py                  # 500 studies per plan
    python bench/estimators.py --studies 1000
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from bare_tui import survey

MODELS, TASKS, LANGUAGES = 57, 4276, 9
PLAN_SIZE = 2000


@dataclass(frozen=True)
class Study:
    """The simulated population: per attempt its model, language, human verdict and pipeline verdict."""

    model: np.ndarray
    language: np.ndarray
    human: np.ndarray  # bool
    pipeline: np.ndarray  # bool


def population(seed: int) -> Study:
    rng = np.random.default_rng(seed)
    model = np.repeat(np.arange(MODELS), TASKS)
    task_language = rng.integers(0, LANGUAGES, TASKS)
    language = np.tile(task_language, MODELS)
    model_rate = np.linspace(0.05, 0.40, MODELS)[rng.permutation(MODELS)]
    language_shift = np.linspace(-0.04, 0.04, LANGUAGES)
    rate = np.clip(model_rate[model] + language_shift[language], 0.01, 0.99)
    human = rng.random(len(model)) < rate
    sensitivity = np.linspace(0.72, 0.96, LANGUAGES)[rng.permutation(LANGUAGES)]
    specificity = np.linspace(0.84, 0.98, LANGUAGES)[rng.permutation(LANGUAGES)]
    pipeline = np.where(
        human, rng.random(len(model)) < sensitivity[language], rng.random(len(model)) >= specificity[language]
    )
    return Study(model, language, human, pipeline)


def allocate(sizes: np.ndarray, emphasis: np.ndarray, total: int) -> np.ndarray:
    """n_h proportional to N_h x emphasis, at least 2 (where the stratum has 2), summing to about total."""
    share = sizes * emphasis
    n = np.maximum(np.minimum(sizes, 2), np.floor(share / share.sum() * total)).astype(np.int64)
    return np.minimum(n, sizes.astype(np.int64))


def draw(stratum: np.ndarray, take: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of a stratified simple random sample without replacement: the first take[h] of a random order."""
    order = np.lexsort((rng.random(len(stratum)), stratum))
    starts = np.searchsorted(stratum[order], np.arange(len(take)))
    rank = np.arange(len(order)) - starts[stratum[order]]
    return order[rank < take[stratum[order]]]


@dataclass
class Tracker:
    """Errors, coverage and widths of one estimator for one target, over studies."""

    errors: list[float]
    covered: int = 0
    widths: float = 0.0
    studies: int = 0

    def add(self, low: float | None, value: float | None, high: float | None, truth: float) -> None:
        if value is None or low is None or high is None:
            return
        self.studies += 1
        self.errors.append(value - truth)
        self.covered += low <= truth <= high
        self.widths += high - low


def run_plan(study: Study, plan: str, studies: int, seed: int) -> dict[str, dict[str, Tracker]]:
    rng = np.random.default_rng(seed)
    if plan == "model x language":
        stratum = study.model * LANGUAGES + study.language
        count = MODELS * LANGUAGES
        emphasis = np.ones(count)
    else:
        stratum = study.model * 2 + study.pipeline
        count = MODELS * 2
        emphasis = np.tile([1.0, 2.0], MODELS)
    sizes = np.bincount(stratum, minlength=count).astype(np.float64)
    take = allocate(sizes, emphasis, PLAN_SIZE)
    domains_all = np.column_stack([np.ones(len(stratum), dtype=bool)] + [study.model == m for m in range(MODELS)])
    truths = np.concatenate([[study.human.mean()], [study.human[study.model == m].mean() for m in range(MODELS)]])
    pop = survey.Population(
        np.concatenate([[study.pipeline.sum()], np.bincount(study.model, weights=study.pipeline, minlength=MODELS)]),
        np.concatenate([[len(stratum)], np.bincount(study.model, minlength=MODELS)]).astype(np.float64),
    )
    trackers: dict[str, dict[str, Tracker]] = {
        name: {"all": Tracker([]), "model": Tracker([])} for name in ("weighted", "ppi")
    }
    for _ in range(studies):
        pick = draw(stratum, take, rng)
        sample = survey.StratifiedSample(stratum[pick], sizes)
        labels = survey.PlanLabels(
            sample, study.pipeline[pick].astype(np.int64), study.human[pick].astype(np.int64), domains_all[pick]
        )
        weighted = [survey.wilson_effective(e) for e in labels.pass_rate()]
        ppi = [e.interval for e in labels.ppi(pop)]
        for name, intervals in (("weighted", weighted), ("ppi", ppi)):
            for j, interval in enumerate(intervals):
                target = "all" if j == 0 else "model"
                trackers[name][target].add(interval.low, interval.value, interval.high, float(truths[j]))
    return trackers


def report(plan: str, trackers: dict[str, dict[str, Tracker]], studies: int) -> list[str]:
    problems = []
    print(f"\nplan: {plan}, {PLAN_SIZE} labels, {studies} studies")
    print(
        f"  {'estimate':<10}{'target':<8}{'|bias| pp':>10}{'MC se pp':>10}{'coverage':>10}{'width pp':>10}{'sd pp':>8}"
    )
    for name, targets in trackers.items():
        for target, t in targets.items():
            if target == "model":
                # per model: each model's bias over the studies; shown is the mean |bias| over the 57 models and
                # the Monte Carlo error of one model's; a model is off target when its |bias| exceeds 0.5 pp by
                # more than three Monte Carlo errors (57 models' noise alone reaches 2.5 errors)
                errors = np.array(t.errors).reshape(-1, MODELS)
                biases = np.abs(errors.mean(axis=0)) * 100
                noise = errors.std(axis=0, ddof=1) / np.sqrt(len(errors)) * 100
                bias, mc = float(biases.mean()), float(noise.mean())
                off = int((biases > 0.5 + 3 * noise).sum())
                spread = float(errors.std(axis=0, ddof=1).mean()) * 100
                if off:
                    problems.append(f"{plan} {name} model: {off} models with |bias| over 0.5 pp + 3 MC errors")
            else:
                bias = abs(float(np.mean(t.errors))) * 100
                mc = float(np.std(t.errors, ddof=1) / np.sqrt(len(t.errors))) * 100
                spread = float(np.std(t.errors, ddof=1)) * 100
                if bias >= 0.5:
                    problems.append(f"{plan} {name} {target}: |bias| {bias:.3f} pp")
            coverage = t.covered / max(1, t.studies)
            width = t.widths / max(1, t.studies) * 100
            print(f"  {name:<10}{target:<8}{bias:>10.3f}{mc:>10.3f}{coverage:>10.3f}{width:>10.2f}{spread:>8.2f}")
            if not 0.93 <= coverage <= 0.97:
                problems.append(f"{plan} {name} {target}: coverage {coverage:.3f}")
    for target in ("all", "model"):
        ratio = trackers["ppi"][target].widths / max(1e-12, trackers["weighted"][target].widths)
        print(f"  PPI interval / human-only interval ({target}): {ratio:.3f} ({(1 - ratio):.1%} narrower)")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=500)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    started = time.perf_counter()
    study = population(args.seed)
    print(
        f"population: {len(study.model):,} attempts, human pass rate {study.human.mean():.4f}, "
        f"pipeline pass rate {study.pipeline.mean():.4f}"
    )
    problems = []
    for k, plan in enumerate(("model x language", "model x verdict")):
        problems += report(plan, run_plan(study, plan, args.studies, args.seed + k), args.studies)
    print(f"\n{time.perf_counter() - started:.0f} s")
    for problem in problems:
        print(f"OFF TARGET: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
