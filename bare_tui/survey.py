"""Design-based estimators for a stratified sample drawn without replacement: what a review plan's labels say
about the whole population of attempts.

Plain numpy, no sessions. A `StratifiedSample` says which stratum each labelled attempt came from and how many
attempts each stratum holds (N_h); n_h is the number of labelled attempts in the stratum, so each weighs
N_h / n_h (the plan's inclusion probability, adjusted for the attempts that were drawn but not yet labelled:
a weighting-class adjustment that assumes they are missing at random within their stratum).

The estimators, each with a 95% interval that covers in `bench/coverage.py`'s simulations:

- totals and ratios of totals (a pass rate, a domain's pass rate, sensitivity, PPV, agreement) with the
  Taylor-linearised stratified variance and its finite population correction (Cochran 1977, ch. 5 and 6);
  intervals by Wilson's score formula at the effective sample size p(1 - p) / v, capped by Kish's
  (sum w)^2 / sum w^2 (the effective-size idea of Korn & Graubard 1998), so that a sample with no
  disagreements never yields a zero-width interval;
- prediction-powered inference (Angelopoulos et al. 2023, Science 382:669) for the pass rate people would
  give the whole population: the pipeline's verdict on every attempt plus the labelled sample's correction,
  with PPI++ power tuning (Angelopoulos, Duchi & Zrnic 2023): lambda minimising the estimated variance,
  clipped to [0, 1]. Under a plan it is the stratified difference estimator, with a normal interval;
- Krippendorff's alpha among reviewers, each unit's coincidences weighed by its design weight, with an
  interval from Rao & Wu's (1988) rescaling bootstrap within strata (`weighted_alpha`);
- `labels_needed`: how many more labelled attempts an interval of a given half-width needs.

Variances under a plan are smoothed (`PlanLabels`), as Agresti & Min (2005) add half an observation per cell
for matched proportions, so that a sample showing no disagreement does not claim none exists: for ratios,
each stratum's sample gets a human pass and a human fail per pipeline verdict it holds, weighing
0.5 n_h / (n_h + 10) each (rare false negatives in large, lightly sampled strata are otherwise never seen);
for PPI, half an observation per (human, pipeline) cell per domain, spread over the domain's strata.

Groups that cut across strata (a model, a language) are domains: their figures use the whole sample with the
domain indicator multiplied in, so a stratum with no attempt of the domain still contributes its zeros.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bare_tui.agreement import (
    CONFIDENCE,
    Interval,
    alpha_from_coincidence_array,
    alpha_of_many,
    coincidence_contributions,
    finite_or_none,
    posterior_intervals,
    z_value,
)

PRIOR_CELL = 0.5
"""Half an observation per cell (Jeffreys), the smoothing of every interval that could otherwise collapse."""

PRIOR_SCALE = 10.0
"""The smoothing weighs prior x n_h / (n_h + PRIOR_SCALE) per cell in a stratum of n_h labels: close to the
full half observation where a stratum's sample is large enough for a missing cell to mean something, less
where a plan spreads its labels over hundreds of strata of a few labels each (a full half per cell there
made intervals twice as wide as they needed to be)."""

MIN_UNITS = 10
"""A design-weighted proportion from fewer labelled units than this, or fewer effective ones by Kish's
count, keeps its value but gets no interval: with a handful of units of very different weights the
linearised variance is itself too noisy to trust (at 5% prevalence, 100 labels and pipeline passes
oversampled, sensitivity from ten human passes, one of them a heavy false negative, covered 92%)."""


@dataclass(frozen=True)
class StratifiedSample:
    """The design of a labelled sample: each labelled unit's stratum (codes 0..H-1) and each stratum's N_h."""

    strata: np.ndarray  # int64 per labelled unit
    population: np.ndarray  # float64 N_h per stratum

    def __post_init__(self) -> None:
        strata = np.asarray(self.strata, dtype=np.int64)
        population = np.asarray(self.population, dtype=np.float64)
        object.__setattr__(self, "strata", strata)
        object.__setattr__(self, "population", population)
        if len(strata) and (strata.min() < 0 or strata.max() >= len(population)):
            raise ValueError("a stratum code is outside the strata given")
        if (self.sizes > population).any():
            raise ValueError("a stratum has more labelled units than its population")

    @classmethod
    def simple(cls, n: int, population: float) -> StratifiedSample:
        """A simple random sample of n from a population (one stratum)."""
        return cls(np.zeros(n, dtype=np.int64), np.array([float(population)]))

    @property
    def n(self) -> int:
        return len(self.strata)

    @property
    def sizes(self) -> np.ndarray:
        """n_h: labelled units per stratum."""
        return np.bincount(self.strata, minlength=len(self.population)).astype(np.float64)

    @property
    def weights(self) -> np.ndarray:
        """Each labelled unit's design weight N_h / n_h."""
        sizes = self.sizes
        return (self.population / np.where(sizes > 0, sizes, 1))[self.strata]


@dataclass(frozen=True)
class Estimate:
    """A design-based point estimate with its estimated variance and the labelled units behind it."""

    value: float | None
    variance: float | None
    n: int
    smoothed: float | None = None  # the estimate with the smoothing units, where the design effect is judged
    kish: float | None = None  # Kish's effective size from the weights of the units behind it, (sum w)^2 / sum w^2

    @property
    def se(self) -> float | None:
        return math.sqrt(self.variance) if self.variance is not None and self.variance >= 0 else None


def _columns(values: np.ndarray, n: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape[0] != n:
        raise ValueError("values must have one row per labelled unit")
    if array.ndim == 2:
        return array
    # (a plan none of whose items is labelled yet has no rows: numpy cannot infer a width from nothing)
    return array.reshape(n, -1) if n else array.reshape(0, 1)


def stratum_sums(values: np.ndarray, sample: StratifiedSample) -> np.ndarray:
    """Per-stratum sums of each column (H x k)."""
    z = _columns(values, sample.n)
    out = np.zeros((len(sample.population), z.shape[1]))
    np.add.at(out, sample.strata, z)
    return out


def stratum_variances(values: np.ndarray, sample: StratifiedSample) -> np.ndarray:
    """Per-stratum sample variances (n_h - 1 divisor) of each column (H x k). A stratum with one labelled unit
    has no variance of its own; it borrows the mean of the other strata's (the collapsed-strata remedy)."""
    z = _columns(values, sample.n)
    sizes = sample.sizes[:, None]
    sums = stratum_sums(z, sample)
    squares = stratum_sums(z * z, sample)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / sizes
        variances = np.maximum(squares - sizes * means * means, 0.0) / (sizes - 1)
    return _borrow_singletons(variances, sample.sizes)


def _borrow_singletons(variances: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    own = sizes >= 2
    singles = sizes == 1
    if singles.any():
        borrowed = variances[own].mean(axis=0) if own.any() else np.zeros(variances.shape[1])
        variances = variances.copy()
        variances[singles] = borrowed
    variances[sizes == 0] = 0.0
    return variances


def _variance_factor(sample: StratifiedSample) -> np.ndarray:
    """N_h^2 (1 - n_h / N_h) / n_h per stratum (0 for strata without labels): a total's variance per unit s^2."""
    sizes = sample.sizes
    population = sample.population
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = population**2 * (1 - sizes / population) / sizes
    return np.where(sizes > 0, factor, 0.0)


def ratio(numerator: np.ndarray, denominator: np.ndarray, sample: StratifiedSample) -> list[Estimate]:
    """R = Y / X per column, with the linearised variance of z = (y - R x) / X, unsmoothed: the textbook
    estimate survey packages compute (the tests hold it to samplics'), and what `PlanLabels` smooths. The
    labelled units behind each column are those where x is not zero (a domain's members)."""
    y = _columns(numerator, sample.n)
    x = _columns(denominator, sample.n)
    weights = sample.weights[:, None]
    y_total = (weights * y).sum(axis=0)
    x_total = (weights * x).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(x_total > 0, y_total / x_total, np.nan)
        z = (y - np.nan_to_num(r) * x) / np.where(x_total > 0, x_total, 1.0)
    variance = _variance_factor(sample) @ stratum_variances(z, sample)
    units = (x != 0).sum(axis=0)
    return [
        Estimate(float(r[j]), float(variance[j]), int(units[j])) if math.isfinite(r[j]) else Estimate(None, None, 0)
        for j in range(y.shape[1])
    ]


def wilson_effective(estimate: Estimate, level: float = CONFIDENCE, minimum: int = MIN_UNITS) -> Interval:
    """A proportion estimated under the design, with Wilson's score interval at the effective sample size
    p(1 - p) / v (p and v with the smoothing units), never more than Kish's (sum w)^2 / sum w^2 of the units
    behind it (Korn & Graubard 1998 use the same effective-size idea). At p = 0 or 1 the smoothed p still
    gives a size; without one the labelled count is used: never a zero-width interval. Fewer than `minimum`
    labelled units: the value without an interval."""
    p, n = estimate.value, estimate.n
    if p is None or n <= 0:
        return Interval(None)
    p = min(1.0, max(0.0, p))
    if min(float(n), estimate.kish if estimate.kish is not None else float(n)) < minimum:
        return Interval(p)
    judged = p if estimate.smoothed is None else estimate.smoothed
    effective = float(n)
    if estimate.variance is not None and estimate.variance > 0 and 0 < judged < 1:
        effective = judged * (1 - judged) / estimate.variance
    if estimate.kish is not None and estimate.kish > 0:
        # never more than the weights allow: one heavy unit among light ones is worth little more than itself
        effective = min(effective, estimate.kish)
    return _wilson(p, effective, level)


POISSON_LOWER_95 = {1: 0.0513, 2: 0.3554, 3: 0.8177}
"""Brown, Cai & DasGupta (2001, Stat Sci 16:101, section 4.1.1): the lower 95% Poisson limits that replace
Wilson's lower bound for 1, 2 or 3 successes, where Wilson's is too high (a rare false negative drawn twice
from a heavy stratum put the truth below it)."""


def _wilson(p: float, n: float, level: float) -> Interval:
    """Wilson's score interval at a (possibly fractional) sample size, with Brown, Cai & DasGupta's modified
    bounds for 1 to 3 effective successes or failures at 95%."""
    z = z_value(level)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    if abs(level - 0.95) < 1e-9:
        successes, failures = round(p * n), round((1 - p) * n)
        if successes in POISSON_LOWER_95:
            low = min(low, POISSON_LOWER_95[successes] / n)
        if failures in POISSON_LOWER_95:
            high = max(high, 1 - POISSON_LOWER_95[failures] / n)
    return Interval(p, min(low, p), max(high, p))


# ---------------------------------------------------------------- a plan's labels, with the smoothing units


@dataclass(frozen=True)
class Population:
    """What the pipeline said about the whole population, per domain: the part of PPI that needs no labels.
    `domain_passes[j]` and `domain_sizes[j]` are the pipeline's passes and the attempts with a pass/fail verdict
    in domain j (a model, a language, or everything)."""

    domain_passes: np.ndarray
    domain_sizes: np.ndarray


@dataclass(frozen=True)
class _Units:
    """The labelled units followed by the smoothing pseudo-units, as parallel arrays."""

    strata: np.ndarray
    mass: np.ndarray  # 1 for a labelled unit, the prior's weight for a pseudo-unit
    decision: np.ndarray  # the pipeline's verdict: 1, 0, -1 none
    reference: np.ndarray  # the human label: 1, 0
    domains: np.ndarray  # units x domains membership (fractional for pseudo-units)
    real: np.ndarray  # bool: a labelled unit


class PlanLabels:
    """A plan's labelled units: stratum, the pipeline's verdict (1, 0, -1 none) and the human label (1, 0) of
    each, and their membership of each domain (units x domains, booleans; None: one domain, everything).

    Every interval here is smoothed the same way: in each stratum, for each pipeline verdict among its labelled
    units, a human pass and a human fail of `prior` weight each are added to the stratum's sample for the
    variance only (the point estimates are the design's own). Without it a stratum whose sample shows no
    disagreement claims none exists: at 5% prevalence with pipeline passes oversampled, the false negatives of
    the large pipeline-fail strata are rarely drawn, and sensitivity's interval covered 77% of the time."""

    def __init__(
        self,
        sample: StratifiedSample,
        decision: np.ndarray,
        reference: np.ndarray,
        domains: np.ndarray | None = None,
        prior: float = PRIOR_CELL,
    ) -> None:
        self.sample = sample
        decision = np.asarray(decision, dtype=np.int64)
        reference = np.asarray(reference, dtype=np.int64)
        member = np.ones((sample.n, 1)) if domains is None else _columns(domains, sample.n).astype(np.float64)
        if len(decision) != sample.n or len(reference) != sample.n:
            raise ValueError("decision and reference need one entry per labelled unit")
        strata_p, decision_p, reference_p, member_p, mass_p, domain_p = [], [], [], [], [], []
        h_count = len(sample.population)
        sizes = sample.sizes
        if prior > 0 and sample.n:
            for verdict in (-1, 0, 1):
                seen = decision == verdict
                counts = np.bincount(sample.strata[seen], minlength=h_count)
                share = np.zeros((h_count, member.shape[1]))
                np.add.at(share, sample.strata[seen], member[seen])
                present = np.flatnonzero(counts)
                share = share[present] / counts[present][:, None]
                for human in (0, 1):
                    mass_p.append(prior * sizes[present] / (sizes[present] + PRIOR_SCALE))
                    domain_p.append(share * sizes[present][:, None])  # the domain's labelled units there
                    strata_p.append(present)
                    decision_p.append(np.full(len(present), verdict))
                    reference_p.append(np.full(len(present), human))
                    member_p.append(share)
        pseudo = sum(len(x) for x in strata_p)
        self.units = _Units(
            strata=np.concatenate([sample.strata, *strata_p]).astype(np.int64),
            mass=np.concatenate([np.ones(sample.n), *mass_p]),
            decision=np.concatenate([decision, *decision_p]).astype(np.int64),
            reference=np.concatenate([reference, *reference_p]).astype(np.int64),
            domains=np.vstack([member, *member_p]) if member_p else member,
            real=np.concatenate([np.ones(sample.n, dtype=bool), np.zeros(pseudo, dtype=bool)]),
        )
        self.domain_count = member.shape[1]
        self._order: np.ndarray | None = None
        self._present = self._starts = np.zeros(0, dtype=np.int64)
        # PPI's residual is small where the pipeline is good, and a half observation of disagreement in every
        # stratum swamped it (intervals 30% wider than the estimates' spread with 500 strata); its smoothing is
        # Agresti & Min's as they wrote it, half an observation per cell for each estimate (each domain), spread
        # over the strata in proportion to the domain's labelled units there; the pseudo-units are members
        domain_units = member.sum(axis=0)
        spread = [d / np.where(domain_units > 0, domain_units, 1.0)[None, :] * prior for d in domain_p]
        self.ppi_mass = np.vstack([np.ones((sample.n, member.shape[1])), *spread]) if spread else np.ones_like(member)
        self.ppi_domains = np.vstack([member, *[np.ones_like(d) for d in domain_p]]) if domain_p else member

    # -- the machinery: point estimates from the labelled units, variances from all units

    def _variances(self, z: np.ndarray, masses: np.ndarray | None = None) -> np.ndarray:
        """The stratified variance of the estimated total of each column of z (units x k, all units), the
        units weighing `masses` (units, or units x k; default: the ratio smoothing's). A stratum whose mass
        leaves no degree of freedom borrows the mean variance of the strata with two labels or more."""
        units, sample = self.units, self.sample
        mass = (units.mass if masses is None else masses).astype(np.float64)
        mass = mass[:, None] if mass.ndim == 1 else mass
        first = self._by_stratum(mass * z)
        second = self._by_stratum(mass * z * z)
        weight = np.broadcast_to(self._by_stratum(mass), first.shape)
        with np.errstate(invalid="ignore", divide="ignore"):
            variances = np.maximum(second - first * first / weight, 0.0) / (weight - 1)
        usable = weight > 1 + 1e-9
        sizes = sample.sizes[:, None]
        own = usable & (sizes >= 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            borrowed = np.where(own, variances, 0.0).sum(axis=0) / own.sum(axis=0)
        variances = np.where(usable, variances, np.nan_to_num(borrowed)[None, :])
        variances = np.where(sizes > 0, np.nan_to_num(variances), 0.0)
        return _variance_factor(sample) @ variances

    def _by_stratum(self, values: np.ndarray) -> np.ndarray:
        """Per-stratum column sums (H x k) of units x k values: one sort, then reduceat (np.add.at, unbuffered,
        is far slower for a BARE-sized plan's many domains)."""
        if self._order is None:
            order = np.argsort(self.units.strata, kind="stable")
            present, starts = np.unique(self.units.strata[order], return_index=True)
            self._order, self._present, self._starts = order, present, starts
        out = np.zeros((len(self.sample.population), values.shape[1]))
        if len(self._order):
            out[self._present] = np.add.reduceat(values[self._order], self._starts, axis=0)
        return out

    def _smoothed_weights(self) -> np.ndarray:
        """N_h / (the stratum's mass, pseudo-units included) per unit: the weights of the smoothed estimates."""
        units, sample = self.units, self.sample
        weight = np.bincount(units.strata, weights=units.mass, minlength=len(sample.population))
        return sample.population[units.strata] / np.where(weight > 0, weight, 1)[units.strata] * units.mass

    def ratio(self, numerator: np.ndarray, denominator: np.ndarray, kish: bool = True) -> list[Estimate]:
        """Per domain, the ratio estimate sum(w y d) / sum(w x d) of indicators given for all units (labelled
        and pseudo), with the linearised variance from all units around the smoothed ratio. `kish`: cap the
        effective size by the weights of the units behind it, for ratios whose denominator is defined by the
        human label (a sensitivity's human passes), where a heavy unit turns up by chance; a pass rate's
        denominator is fixed by the design, where the cap only threw away what stratification gained."""
        units = self.units
        y = np.asarray(numerator, dtype=np.float64)[:, None] * units.domains
        x = np.asarray(denominator, dtype=np.float64)[:, None] * units.domains
        real = units.real
        weights = self.sample.weights[:, None]
        y_total, x_total = (weights * y[real]).sum(axis=0), (weights * x[real]).sum(axis=0)
        smooth = self._smoothed_weights()[:, None]
        y_smooth, x_smooth = (smooth * y).sum(axis=0), (smooth * x).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            r_smooth = np.where(x_smooth > 0, y_smooth / x_smooth, 0.0)
            z = (y - r_smooth * x) / np.where(x_smooth > 0, x_smooth, 1.0)
        variance = self._variances(z)
        counts = (x[real] != 0).sum(axis=0)
        behind = weights * x[real]
        with np.errstate(invalid="ignore", divide="ignore"):
            effective = behind.sum(axis=0) ** 2 / (behind * behind).sum(axis=0)
        out = []
        for j in range(x.shape[1]):
            if x_total[j] <= 0:
                out.append(Estimate(None, None, 0))
            else:
                out.append(
                    Estimate(
                        float(y_total[j] / x_total[j]),
                        float(variance[j]),
                        int(counts[j]),
                        float(r_smooth[j]),
                        float(effective[j]) if kish else None,
                    )
                )
        return out

    # -- the figures

    def pass_rate(self) -> list[Estimate]:
        """The human pass rate per domain (Horvitz-Thompson for the whole population, a ratio for a domain)."""
        units = self.units
        return self.ratio(units.reference == 1, np.ones(len(units.strata)), kish=False)

    def confusion_ratios(self) -> dict[str, list[Estimate]]:
        """Sensitivity, specificity, PPV, NPV and agreement per domain, as ratio estimators."""
        units = self.units
        both = units.decision >= 0
        passed, failed = both & (units.decision == 1), both & (units.decision == 0)
        human_pass, human_fail = both & (units.reference == 1), both & (units.reference == 0)
        pairs = {
            "sensitivity": (passed & human_pass, human_pass),
            "specificity": (failed & human_fail, human_fail),
            "ppv": (passed & human_pass, passed),
            "npv": (failed & human_fail, failed),
            "percent_agreement": ((passed & human_pass) | (failed & human_fail), both),
        }
        return {name: self.ratio(numerator, denominator) for name, (numerator, denominator) in pairs.items()}

    def confusion(self) -> list[WeightedConfusion]:
        """The weighted 2 x 2 table per domain: shares of [tn, fp, fn, tp] among attempts with both labels."""
        units = self.units
        both = units.decision >= 0
        cells = [both & (units.reference == r) & (units.decision == d) for r, d in ((0, 0), (0, 1), (1, 0), (1, 1))]
        tn, fp, fn, tp = (self.ratio(cell, both) for cell in cells)
        weights = self.sample.weights[:, None]
        real = units.real
        out = []
        for j in range(self.domain_count):
            shares = (tn[j], fp[j], fn[j], tp[j])
            pairs = shares[0].n
            population = float((weights[:, 0] * (both[real] * units.domains[real, j])).sum())
            effects = [
                e.variance / (e.smoothed * (1 - e.smoothed) / pairs)
                for e in shares
                if e.variance is not None and e.smoothed is not None and 0 < e.smoothed < 1 and pairs > 0
            ]
            design_effect = max(1.0, float(np.mean(effects))) if effects else 1.0
            out.append(WeightedConfusion(shares, population, pairs, pairs / design_effect))
        return out

    def ppi(self, population: Population, lam: float | None = None, level: float = CONFIDENCE) -> list[PPIEstimate]:
        """The pass rate people would give each domain of the population, prediction-powered: per domain j,
        (lambda F_j + sum over labelled members with a verdict of N_h / n_h (Y - lambda f)) / N_j, where F_j is
        the pipeline's pass count over the N_j attempts of the domain with a verdict (known exactly, so it adds
        no variance). lambda (None: tuned per domain to minimise the estimated variance, clipped to [0, 1]; 0
        when the verdict does not vary within any stratum, as when the strata hold the verdict already)."""
        units = self.units
        decided = (units.decision >= 0)[:, None] * self.ppi_domains
        y = units.reference[:, None] * decided
        f = (units.decision == 1)[:, None] * decided
        real = units.real
        weights = self.sample.weights[:, None]
        # lambda's variance is var(y) - 2 lambda cov(y, f) + lambda^2 var(f), each a stratified total's variance
        var_y = self._variances(y, self.ppi_mass)
        var_f = self._variances(f, self.ppi_mass)
        var_sum = self._variances(y + f, self.ppi_mass)
        cov = (var_sum - var_y - var_f) / 2
        z = z_value(level)
        out = []
        for j in range(self.domain_count):
            size = float(population.domain_sizes[j])
            units_j = int((decided[real, j] > 0).sum())
            if size <= 0 or units_j == 0:
                out.append(PPIEstimate(Interval(None), 0.0, None, units_j))
                continue
            chosen = lam
            if chosen is None:
                chosen = float(np.clip(cov[j] / var_f[j], 0.0, 1.0)) if var_f[j] > 1e-15 else 0.0
            rectifier = float((weights[:, 0] * (y[real, j] - chosen * f[real, j])).sum())
            value = (chosen * float(population.domain_passes[j]) + rectifier) / size
            variance = max(0.0, var_y[j] - 2 * chosen * cov[j] + chosen * chosen * var_f[j]) / (size * size)
            se = math.sqrt(variance)
            low, high = max(0.0, value - z * se), min(1.0, value + z * se)
            out.append(PPIEstimate(Interval(value, min(low, value), max(high, value)), chosen, se, units_j))
        return out


@dataclass(frozen=True)
class WeightedConfusion:
    """The pipeline's pass/fail against the human label as estimated population shares (pass = positive):
    cells [tn, fp, fn, tp] (reference first), the attempts they stand for, the labelled pairs behind them and
    Kish's effective sample size of the table (design effect averaged over the cells, at least 1)."""

    shares: tuple[Estimate, Estimate, Estimate, Estimate]
    population: float
    pairs: int
    effective: float

    def count(self, cell: int, level: float = CONFIDENCE) -> Interval:
        """An estimated population count of one cell with its interval (the share's interval, scaled)."""
        share = wilson_effective(self.shares[cell], level)
        if share.value is None:
            return Interval(None)
        if share.low is None or share.high is None:
            return Interval(share.value * self.population)
        return Interval(share.value * self.population, share.low * self.population, share.high * self.population)

    def proportions(self) -> np.ndarray:
        return np.array([s.value or 0.0 for s in self.shares])


# ---------------------------------------------------------------- reviewers among themselves, under a plan


def rescaled_bootstrap_weights(
    sample: StratifiedSample, replicates: int, rng: np.random.Generator, keep: np.ndarray | None = None
) -> np.ndarray:
    """Each labelled unit's weight in each resample of the stratified sample (replicates x units): Rao & Wu's
    (1988) rescaling bootstrap. Within each stratum n_h - 1 of its n_h units are drawn with replacement, and a
    unit weighs its design weight N_h / n_h times n_h / (n_h - 1) times the times it was drawn, so that the
    bootstrap variance of a stratified total is the textbook one; drawing n_h understates it by (n_h - 1) /
    n_h, by half in a stratum of two, and a plan's many small strata made that the rule, not the exception.
    Strata with one unit are pooled into one resampling group (the collapsed-strata remedy); a lone one keeps
    its weight. No finite population correction: a plan's second labels are a subsample of its sample (the
    overlap share), whose own variance a first-phase correction would wrongly shrink, so leaving it out errs
    on the wide side where a stratum is sampled heavily.

    `keep` (booleans per unit): only these units' columns, and only their groups drawn (alpha needs the
    units with two labels, a tenth of a plan with a 10% overlap)."""
    keep = np.ones(sample.n, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    groups = sample.strata.copy()
    groups[sample.sizes[groups] == 1] = len(sample.population)  # every singleton stratum in one group
    order = np.argsort(groups, kind="stable")
    _, starts, lengths = np.unique(groups[order], return_index=True, return_counts=True)
    wanted = np.add.reduceat(keep[order].astype(np.int64), starts) > 0 if sample.n else np.zeros(0, dtype=bool)
    column = np.cumsum(keep) - 1  # a kept unit's column
    factors = np.ones((replicates, int(keep.sum())))
    # the groups of one size are drawn together: a BARE-sized plan has hundreds of strata of a few units
    for length in np.unique(lengths[(lengths >= 2) & wanted]).tolist():
        first = starts[(lengths == length) & wanted]
        members = order[first[:, None] + np.arange(length)].ravel()  # group by group, as `times` is laid out
        cells = replicates * len(first)
        drawn = rng.integers(0, length, size=(cells, length - 1)) + (np.arange(cells) * length)[:, None]
        times = np.bincount(drawn.ravel(), minlength=cells * length).reshape(replicates, len(first) * length)
        kept = keep[members]
        factors[:, column[members[kept]]] = times[:, kept] * (length / (length - 1))
    return factors * sample.weights[keep]


def weighted_alpha(
    counts: np.ndarray,
    sample: StratifiedSample,
    domains: np.ndarray | None = None,
    *,
    replicates: int = 2000,
    seed: int = 0,
    level: float = CONFIDENCE,
) -> list[Interval]:
    """Krippendorff's alpha among reviewers (nominal) speaking for a plan's population, per domain (columns of
    `domains`, units x domains booleans; None: one domain, everything), with its interval.

    counts: per labelled unit (the sample's units) the count of each category its reviewers gave. Each unit's
    coincidences weigh its design weight N_h / n_h (`agreement.krippendorff_alpha_from_counts` with weights).
    The interval is the equal-tailed one of Rao & Wu's stratified bootstrap (`rescaled_bootstrap_weights`:
    units with one label are resampled too, so how many pairs a resample holds varies as the plan's overlap
    does), widened to hold the estimate. As `agreement.paired_bootstrap` does for the unweighted alpha, it spans
    those resamples and the same resamples with Jeffreys' prior added: a pseudo-unit of each pair of categories
    weighing a Gamma draw of shape a half (a pair of one category) or one (of two) times one effective unit's
    weight, sum w^2 / sum w over the domain's pairable units (Kish's count, as the plan's kappa intervals use it;
    with equal weights, one unit's). Without it a sample of a few units per stratum that happens to show no
    disagreement, or no agreement on the rarer category, resamples to the same (alpha 1, or at most 0).
    `bench/coverage.py` (family plan-alpha) measured the choices: with pseudo-units of fixed mass (not drawn) at
    the mean weight the interval covered the population's alpha in 90% of studies at n 30 and prevalence 0.05
    (87% for a domain); drawn ones at the mean weight passed there but covered 92% where every stratum held one
    unit and the weights spanned 3 to 1,884; at one effective unit's weight 97% there, and 94.6% or more in
    every cell of the bench. A BCa correction of the resamples gained under one point and was left out."""
    counts = _columns(counts, sample.n)
    member = np.ones((sample.n, 1), dtype=bool) if domains is None else _columns(domains, sample.n).astype(bool)
    weights = sample.weights
    pairable = counts.sum(axis=1) >= 2
    k, domain_count = counts.shape[1], member.shape[1]
    inside = member[pairable].astype(np.float64)
    contributions = coincidence_contributions(counts[pairable])  # pairable units x k*k
    per_domain = (inside[:, :, None] * contributions[:, None, :]).reshape(len(inside), domain_count * k * k)
    # every domain's weighted coincidences at once: krippendorff_alpha_from_counts(counts, weights) per domain
    point_coincidences = (weights[pairable] @ per_domain).reshape(domain_count, k, k)
    points = [finite_or_none(a) for a in alpha_from_coincidence_array(point_coincidences)]
    if replicates <= 0 or not pairable.any():
        return [Interval(point) for point in points]
    rng = np.random.default_rng(seed)
    resampled = rescaled_bootstrap_weights(sample, replicates, rng, pairable) @ per_domain
    coincidences = resampled.reshape(replicates, domain_count, k, k)
    # the prior's pseudo-units: each unordered pair of categories, its coincidences, and its Jeffreys mass
    pairs = [(a, b) for a in range(k) for b in range(a, k)]
    pseudo = np.zeros((len(pairs), k, k))
    for p, (a, b) in enumerate(pairs):
        pseudo[p, a, b] += 1
        pseudo[p, b, a] += 1
    mass = np.array([PRIOR_CELL if a == b else 2 * PRIOR_CELL for a, b in pairs])
    prior = np.einsum("rp,pij->rij", rng.gamma(mass, size=(replicates, len(pairs))), pseudo)
    # a pseudo-unit weighs one effective unit by Kish's count: the domain's weight over (sum w)^2 / sum w^2
    pairable_weights = weights[pairable]
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.nan_to_num((pairable_weights**2 @ inside) / (pairable_weights @ inside))
    plain = alpha_of_many(coincidences).T  # domains x replicates
    smoothed = alpha_of_many(coincidences + unit[None, :, None, None] * prior[:, None]).T
    both = posterior_intervals(np.vstack([plain, smoothed]), points * 2, level)
    out = []
    for j, point in enumerate(points):
        lows = [x.low for x in (both[j], both[domain_count + j]) if x.low is not None]
        highs = [x.high for x in (both[j], both[domain_count + j]) if x.high is not None]
        out.append(Interval(point, min(lows), max(highs)) if lows and highs else Interval(point))
    return out


# ---------------------------------------------------------------- prediction-powered inference, i.i.d.


@dataclass(frozen=True)
class PPIEstimate:
    """A prediction-powered mean with its interval, the tuning parameter used and the labelled units."""

    interval: Interval
    lam: float
    se: float | None
    n: int


def ppi_mean_ci(
    labels: np.ndarray,
    predictions: np.ndarray,
    unlabelled_predictions: np.ndarray,
    lam: float | None = None,
    level: float = CONFIDENCE,
) -> PPIEstimate:
    """The PPI / PPI++ mean of Angelopoulos et al. for i.i.d. labelled and unlabelled samples, as ppi_py's
    `ppi_mean_ci` computes it: lambda (None: tuned, clipped to [0, 1]) weighs the predictions; the variance
    adds the unlabelled mean's to the rectifier's."""
    y = np.asarray(labels, dtype=np.float64)
    f = np.asarray(predictions, dtype=np.float64)
    u = np.asarray(unlabelled_predictions, dtype=np.float64)
    n, big_n = len(y), len(u)
    if n < 2 or big_n < 2:
        return PPIEstimate(Interval(None), 1.0 if lam is None else lam, None, n)
    if lam is None:
        centre = u.mean() + (y - f).mean()
        covariance = ((y - centre) - (y - centre).mean()) @ ((f - centre) - (f - centre).mean()) / n
        spread = np.var(np.concatenate([f, u]) - centre, ddof=1)
        lam = float(np.clip(covariance / ((1 + n / big_n) * spread), 0.0, 1.0)) if spread > 0 else 0.0
    value = lam * u.mean() + (y - lam * f).mean()
    se = math.sqrt(np.var(lam * u) / big_n + np.var(y - lam * f) / n)
    half = z_value(level) * se
    return PPIEstimate(Interval(float(value), float(value - half), float(value + half)), lam, se, n)


# ---------------------------------------------------------------- how many more labels


def labels_needed(
    half_width: float, estimate: Estimate | PPIEstimate | None, population: float, level: float = CONFIDENCE
) -> int | None:
    """More labelled units needed for a 95% interval of half-width `half_width` around the estimate, at the
    same design: the variance per labelled unit observed so far (or the worst case, 1/4, before any label),
    n = z^2 S^2 / H^2, corrected for the finite population (n / (1 + n / N)), minus the labels there are."""
    if half_width <= 0:
        raise ValueError("the half-width must be more than 0")
    if population <= 0:
        return None
    z = z_value(level)
    n = estimate.n if estimate is not None else 0
    se = estimate.se if estimate is not None else None
    unit_variance = 0.25
    if n > 0 and se is not None and se > 0:
        fpc = max(1e-12, 1 - n / population)
        unit_variance = se * se * n / fpc
    required = z * z * unit_variance / (half_width * half_width)
    required = required / (1 + required / population)
    return max(0, math.ceil(required - 1e-9) - n)
