"""Coverage of every interval bare-tui reports, by simulation: at nominal 95% each must cover the true value in
93% or more of simulated studies at n 30, 100 and 400 and prevalence (the human pass rate) 0.05, 0.2 and 0.5.

    python bench/coverage.py                   # 1,000 studies per cell, 400 resamples per interval
    python bench/coverage.py --studies 2000    # tighter Monte Carlo error (about 0.5 pp at 95%)

Each study draws a sample, computes the interval with the product's own functions and checks it against the
truth. A figure left undefined by a study (kappa when one side is constant) counts in `defined`, not in the
coverage; a zero-width interval is counted in `zero` and as a miss unless it sits on the truth. The bootstrap
intervals use 400 resamples here (2,000 in the product) to keep the run to a few minutes; the Monte Carlo
error of a 2.5% tail with 400 resamples widens or narrows intervals at random, not in one direction.

Methods:
  wilson           a proportion, unweighted (pass rates, agreement, sensitivity ... without a plan)
  kappa/ac1/mcc    pipeline against people (sensitivity 0.90, specificity 0.85); the interval spans a Bayesian
                   bootstrap with Jeffreys' half observation per cell and the plain one (paired_bootstrap)
  kappa~ ...       the same for a near-perfect pipeline (0.98, 0.98), where samples agree perfectly
  alpha            two reviewers among themselves (each wrong 10% of the time), the same resampling
  lang-reiczigel   the corrected pass rate (Rogan-Gladen) from a validation sample and the whole population
  ppi              the prediction-powered pass rate of a finite population, simple random sample
  w-*              under a stratified plan (3 models x pipeline verdict, equal allocation, so pipeline passes
                   are oversampled): the Horvitz-Thompson pass rate, ratio estimators, the weighted table's
                   kappa/AC1/MCC, a cell count, and stratified PPI for all and for a language (a domain that
                   cuts across the strata)
  w-alpha          (family plan-alpha) Krippendorff's alpha among two reviewers under a stratified plan (the same strata and
                   allocation; reviewers err 4% of the time where the pipeline failed, 16% where it passed, so
                   the oversampled strata agree less; the second label missing on a quarter of the items, the
                   first on 5%), design-weighted, with the stratified (Rao-Wu) bootstrap interval; the truth is
                   the alpha of the whole population labelled by both. w-alpha-domain: the same for a language.
  w-alpha~ ...     the same for near-perfect reviewers (0.5% and 2% wrong), where samples agree perfectly
  w-alpha-strata   the same under a plan of 30 strata (15 models of random sizes x verdict), n allocated in
                   proportion to the square root of each stratum's size, at least one each: at n 30 every
                   stratum holds one attempt and the weights differ a hundredfold
  u-alpha          (reference, not counted) what `stats --plan` reported before: the plan's labelled items'
                   unweighted alpha with the paired bootstrap, against w-alpha's truth
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from bare_tui import agreement, survey
from bare_tui.agreement import Interval

SIZES = (30, 100, 400)
PREVALENCES = (0.05, 0.2, 0.5)
TARGET = 0.93
POPULATION = 5000
SENSITIVITY, SPECIFICITY = 0.90, 0.85  # the pipeline's error rates against people
REVIEWER_ERROR = 0.10
FAMILIES = ("simple", "corrected", "ppi", "plan", "plan-alpha")
REFERENCE = frozenset({"u-alpha"})
"""Methods printed for comparison only (what the product no longer reports): not counted as failures."""
ALPHA_ERRORS = (0.04, 0.16)  # a reviewer's error rate where the pipeline failed, where it passed
NEAR_PERFECT = (0.005, 0.02)
MANY_MODELS = 15  # the second plan's models: 30 strata
SECOND_MISSING, FIRST_MISSING = 0.25, 0.05


@dataclass
class Tally:
    """Per method and cell: studies with the figure defined, those whose interval held the truth, zero widths."""

    studies: int = 0
    defined: int = 0
    covered: int = 0
    zero: int = 0

    def add(self, interval: Interval, truth: float) -> None:
        self.studies += 1
        if interval.value is None or interval.low is None or interval.high is None:
            return
        self.defined += 1
        if interval.high - interval.low <= 1e-12:
            self.zero += 1
        if interval.low - 1e-12 <= truth <= interval.high + 1e-12:
            self.covered += 1

    @property
    def coverage(self) -> float | None:
        return self.covered / self.defined if self.defined else None


@dataclass
class Results:
    cells: dict[str, dict[tuple[int, float], Tally]] = field(default_factory=lambda: defaultdict(dict))

    def tally(self, method: str, n: int, prevalence: float) -> Tally:
        return self.cells[method].setdefault((n, prevalence), Tally())


def kappa_family_truth(prevalence: float, sensitivity: float, specificity: float) -> dict[str, float]:
    cells = np.array(
        [
            (1 - prevalence) * specificity,
            (1 - prevalence) * (1 - specificity),
            prevalence * (1 - sensitivity),
            prevalence * sensitivity,
        ]
    )
    kappa, ac1, mcc = (float(x[0]) for x in agreement._binary_agreement(cells[None, :]))
    rater_pass = prevalence * (1 - REVIEWER_ERROR) + (1 - prevalence) * REVIEWER_ERROR
    observed_disagreement = 2 * REVIEWER_ERROR * (1 - REVIEWER_ERROR)
    alpha = 1 - observed_disagreement / (2 * rater_pass * (1 - rater_pass))
    return {"kappa": kappa, "ac1": ac1, "mcc": mcc, "alpha": alpha}


def simple_studies(results: Results, n: int, p: float, studies: int, replicates: int, rng: np.random.Generator) -> None:
    """Unweighted methods: each study an independent sample of n attempts from an infinite study."""
    for scenario, (sens, spec) in (("", (SENSITIVITY, SPECIFICITY)), ("~", (0.98, 0.98))):
        truth = kappa_family_truth(p, sens, spec)
        for study in range(studies):
            human = (rng.random(n) < p).astype(np.int64)
            pipeline = np.where(human == 1, rng.random(n) < sens, rng.random(n) >= spec).astype(np.int64)
            if not scenario:
                results.tally("wilson", n, p).add(agreement.wilson(int(human.sum()), n), p)
            reviewers = np.column_stack([np.where(rng.random(n) < REVIEWER_ERROR, 1 - human, human) for _ in range(2)])
            boot = agreement.paired_bootstrap(pipeline, human, reviewers, replicates=replicates, seed=study)
            for name, interval in (
                ("kappa", boot.cohen_kappa),
                ("ac1", boot.gwet_ac1),
                ("mcc", boot.mcc),
                ("alpha", boot.krippendorff_alpha),
            ):
                results.tally(f"{name}{scenario}", n, p).add(interval, truth[name])


def corrected_studies(results: Results, n: int, p: float, studies: int, rng: np.random.Generator) -> None:
    """Lang-Reiczigel: the pipeline's apparent pass rate over a population of POPULATION attempts, its error
    rates from n labelled attempts drawn at random from it; the truth is the population's human pass rate."""
    for _ in range(studies):
        human, pipeline = _population(p, rng)
        pick = rng.choice(POPULATION, n, replace=False)
        h, f = human[pick], pipeline[pick]
        interval = agreement.lang_reiczigel(
            int(pipeline.sum()), POPULATION, int((h & f).sum()), int(h.sum()), int((~h & ~f).sum()), int((~h).sum())
        )
        results.tally("lang-reiczigel", n, p).add(interval, float(human.mean()))


def _population(p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    human = rng.random(POPULATION) < p
    pipeline = np.where(human, rng.random(POPULATION) < SENSITIVITY, rng.random(POPULATION) >= SPECIFICITY)
    return human, pipeline


def ppi_studies(results: Results, n: int, p: float, studies: int, rng: np.random.Generator) -> None:
    """PPI under simple random sampling from a finite population: the truth is the population's human pass rate."""
    human, pipeline = _population(p, rng)
    truth = float(human.mean())
    population = survey.Population(np.array([float(pipeline.sum())]), np.array([float(POPULATION)]))
    sample = survey.StratifiedSample.simple(n, POPULATION)
    for _ in range(studies):
        pick = rng.choice(POPULATION, n, replace=False)
        labels = survey.PlanLabels(sample, pipeline[pick].astype(np.int64), human[pick].astype(np.int64))
        estimate = labels.ppi(population)[0]
        results.tally("ppi", n, p).add(estimate.interval, truth)


def _three_models(rng: np.random.Generator, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Each attempt's model of three (half, 30%, 20% of the attempts) and the models' pass rates (0.6p, p, 1.6p
    scaled to p overall)."""
    model = rng.choice(3, POPULATION, p=[0.5, 0.3, 0.2])
    rates = np.array([0.6, 1.0, 1.6])
    return model, np.minimum(0.95, rates * p / float(rates @ np.array([0.5, 0.3, 0.2])))


def _labelled_population(
    rng: np.random.Generator, model: np.ndarray, rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each attempt's human label at its model's pass rate, the pipeline's verdict at SENSITIVITY and
    SPECIFICITY, a language of two at random (a domain across the strata), and its stratum (model x verdict)."""
    human = rng.random(POPULATION) < rates[model]
    pipeline = np.where(human, rng.random(POPULATION) < SENSITIVITY, rng.random(POPULATION) >= SPECIFICITY)
    language = rng.random(POPULATION) < 0.5
    return human, pipeline, language, model * 2 + pipeline


def plan_studies(results: Results, n: int, p: float, studies: int, replicates: int, rng: np.random.Generator) -> None:
    """A stratified plan: 3 models (half, 30%, 20% of the attempts) x the pipeline's verdict, n / 6 from each
    stratum whatever its size; the models' pass rates differ (0.6p, p, 1.6p scaled to p overall), and each
    attempt has one of two languages at random (a domain that cuts across the strata)."""
    model, rates = _three_models(rng, p)
    human, pipeline, language, stratum = _labelled_population(rng, model, rates)
    members = [np.flatnonzero(stratum == h) for h in range(6)]
    sizes = np.array([len(m) for m in members], dtype=np.float64)
    take = np.minimum(sizes.astype(np.int64), max(2, n // 6))

    h_all, f_all = human.astype(np.int64), pipeline.astype(np.int64)
    truth_cells = np.array(
        [np.mean(~human & ~pipeline), np.mean(~human & pipeline), np.mean(human & ~pipeline), np.mean(human & pipeline)]
    )
    kappa_t, ac1_t, mcc_t = (float(x[0]) for x in agreement._binary_agreement(truth_cells[None, :]))
    truths = {
        "w-pass-rate": float(human.mean()),
        "w-sensitivity": float((human & pipeline).sum() / human.sum()),
        "w-specificity": float((~human & ~pipeline).sum() / (~human).sum()),
        "w-ppv": float((human & pipeline).sum() / pipeline.sum()),
        "w-npv": float((~human & ~pipeline).sum() / (~pipeline).sum()),
        "w-agreement": float((human == pipeline).mean()),
        "w-kappa": kappa_t,
        "w-ac1": ac1_t,
        "w-mcc": mcc_t,
        "w-fn-count": float((human & ~pipeline).sum()),
        "w-ppi": float(human.mean()),
        "w-ppi-language": float(human[language].mean()),
    }
    population = survey.Population(
        np.array([float(pipeline.sum()), float(pipeline[language].sum())]),
        np.array([float(POPULATION), float(language.sum())]),
    )
    for study in range(studies):
        pick = np.concatenate([rng.choice(m, t, replace=False) for m, t in zip(members, take)])
        sample = survey.StratifiedSample(np.repeat(np.arange(6), take), sizes)
        h, f = h_all[pick], f_all[pick]
        domains = np.column_stack([np.ones(len(pick), dtype=bool), language[pick]])
        labels = survey.PlanLabels(sample, f, h, domains)
        estimates: dict[str, Interval] = {}
        estimates["w-pass-rate"] = survey.wilson_effective(labels.pass_rate()[0])
        ratios = labels.confusion_ratios()
        for name in ("sensitivity", "specificity", "ppv", "npv"):
            estimates[f"w-{name}"] = survey.wilson_effective(ratios[name][0])
        estimates["w-agreement"] = survey.wilson_effective(ratios["percent_agreement"][0])
        table = labels.confusion()[0]
        kappa, ac1, mcc = agreement.table_intervals(
            table.proportions(), table.effective, replicates=replicates, seed=study
        )
        estimates["w-kappa"], estimates["w-ac1"], estimates["w-mcc"] = kappa, ac1, mcc
        estimates["w-fn-count"] = table.count(2)
        ppi_all, ppi_language = labels.ppi(population)
        estimates["w-ppi"], estimates["w-ppi-language"] = ppi_all.interval, ppi_language.interval
        for name, interval in estimates.items():
            results.tally(name, n, p).add(interval, truths[name])


def plan_alpha_studies(
    results: Results, n: int, p: float, studies: int, replicates: int, rng: np.random.Generator
) -> None:
    """Reviewers among themselves under two stratified plans (model x the pipeline's verdict): plan_studies'
    six strata with n / 6 from each, and MANY_MODELS x 2 strata of random sizes with n allocated in
    proportion to the square root of each stratum's size and at least one from each, so that at n 30 every
    stratum holds one unit (the resampling pools those) and the weights differ a hundredfold. Each attempt of
    the population has two reviewers' labels, each wrong at ALPHA_ERRORS' rate for its pipeline verdict
    (NEAR_PERFECT's for the `~` methods, where samples often agree perfectly); a sampled attempt loses its
    second label with probability SECOND_MISSING and its first with FIRST_MISSING. The truth is the plain
    alpha of the whole population's labels."""
    for design in ("", "-strata"):
        if design:
            model = rng.choice(MANY_MODELS, POPULATION, p=rng.dirichlet(np.ones(MANY_MODELS)))
            rates = np.clip(p * rng.lognormal(0, 0.6, MANY_MODELS), 0.01, 0.95)
        else:
            model, rates = _three_models(rng, p)
        human, pipeline, language, stratum = _labelled_population(rng, model, rates)
        members = [np.flatnonzero(stratum == h) for h in range(int(model.max() + 1) * 2)]
        sizes = np.array([len(m) for m in members], dtype=np.float64)
        if design:
            share = np.sqrt(sizes) / np.sqrt(sizes).sum()
            take = np.minimum(sizes, np.maximum(sizes > 0, np.floor(n * share))).astype(np.int64)
        else:
            take = np.minimum(sizes.astype(np.int64), max(2, n // 6))
        strata = np.repeat(np.arange(len(sizes)), take)
        for scenario, errors in (("", ALPHA_ERRORS), ("~", NEAR_PERFECT)):
            error = np.where(pipeline, errors[1], errors[0])
            reviewers = np.column_stack(
                [np.where(rng.random(POPULATION) < error, ~human, human).astype(np.int64) for _ in range(2)]
            )
            whole = agreement.krippendorff_alpha(reviewers, k=2)
            part = agreement.krippendorff_alpha(reviewers[language], k=2)
            assert whole is not None and part is not None
            for study in range(studies):
                pick = np.concatenate([rng.choice(m, t, replace=False) for m, t in zip(members, take)])
                labels = reviewers[pick].copy()
                labels[rng.random(len(pick)) < SECOND_MISSING, 1] = agreement.MISSING
                labels[rng.random(len(pick)) < FIRST_MISSING, 0] = agreement.MISSING
                counts = agreement.category_counts(labels, 2)
                labelled = counts.sum(axis=1) > 0  # as stats --plan: the sampled attempts with a reviewer's label
                sample = survey.StratifiedSample(strata[labelled], sizes)
                domains = np.column_stack([np.ones(int(labelled.sum()), dtype=bool), language[pick][labelled]])
                everything, domain = survey.weighted_alpha(
                    counts[labelled], sample, domains, replicates=replicates, seed=study
                )
                results.tally(f"w-alpha{design}{scenario}", n, p).add(everything, whole)
                results.tally(f"w-alpha{design}-domain{scenario}", n, p).add(domain, part)
                if not scenario and not design:
                    nothing = np.full(len(pick), agreement.MISSING)
                    before = agreement.paired_bootstrap(nothing, nothing, labels, replicates=replicates, seed=study)
                    results.tally("u-alpha", n, p).add(before.krippendorff_alpha, whole)


def run(studies: int, replicates: int, seed: int, families: tuple[str, ...] = FAMILIES) -> Results:
    results = Results()
    rng = np.random.default_rng(seed)
    for n in SIZES:
        for p in PREVALENCES:
            started = time.perf_counter()
            if "simple" in families:
                simple_studies(results, n, p, studies, replicates, rng)
            if "corrected" in families:
                corrected_studies(results, n, p, studies, rng)
            if "ppi" in families:
                ppi_studies(results, n, p, studies, rng)
            if "plan" in families:
                plan_studies(results, n, p, studies, replicates, rng)
            if "plan-alpha" in families:
                plan_alpha_studies(results, n, p, studies, replicates, rng)
            print(f"  n={n} prevalence={p}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return results


def print_table(results: Results) -> int:
    """One line per method: coverage in each cell (n, prevalence); '*' marks a cell under the target.
    Returns the number of cells under the target."""
    cells = [(n, p) for n in SIZES for p in PREVALENCES]
    width = max([16, *(len(method) + 2 for method in results.cells)])
    header = "method".ljust(width) + "".join(f"{f'n{n} p{p}':>12}" for n, p in cells) + "   min  defined  zero"
    print(header)
    print("-" * len(header))
    failures = 0
    for method, tallies in results.cells.items():
        line = method.ljust(width)
        covers = []
        for cell in cells:
            tally = tallies.get(cell)
            coverage = tally.coverage if tally else None
            if coverage is None:
                line += f"{'–':>12}"
                continue
            covers.append(coverage)
            mark = "*" if coverage < TARGET else " "
            failures += coverage < TARGET and method not in REFERENCE
            line += f"{coverage:>11.3f}{mark}"
        defined = sum(t.defined for t in tallies.values()) / max(1, sum(t.studies for t in tallies.values()))
        zero = sum(t.zero for t in tallies.values())
        line += f"  {min(covers) if covers else float('nan'):.3f}  {defined:7.1%}  {zero:4d}"
        print(line)
    print(
        f"\n{failures} cells under {TARGET:.0%} (nominal 95%); '*' marks them. 'defined': share of studies "
        f"where the figure exists; 'zero': zero-width intervals. Not counted (reference only): {', '.join(sorted(REFERENCE))}."
    )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=1000, help="simulated studies per cell (default 1000)")
    parser.add_argument("--replicates", type=int, default=400, help="resamples per bootstrap interval (default 400)")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--only", default=",".join(FAMILIES), help=f"families to run: {', '.join(FAMILIES)}")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.studies, args.replicates, args.seed, tuple(args.only.split(",")))
    print(
        f"{args.studies} studies per cell, {args.replicates} resamples per bootstrap interval, "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    failures = print_table(results)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
