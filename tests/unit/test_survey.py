"""Design-weighted and prediction-powered estimates against reference implementations (samplics, ppi_py) on
the same data, and the intervals that must never claim certainty from a few dozen items."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bare_tui import agreement, survey

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # samplics announces on import that it is archived
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam
from ppi_py import ppi_mean_ci as reference_ppi_mean_ci


def stratified_data(seed: int = 0) -> tuple[survey.StratifiedSample, np.ndarray, dict[int, float]]:
    rng = np.random.default_rng(seed)
    population = np.array([500.0, 300.0, 1200.0, 80.0])
    drawn = np.array([12, 8, 20, 5])
    strata = np.repeat(np.arange(4), drawn)
    y = (rng.random(len(strata)) < np.array([0.2, 0.5, 0.1, 0.7])[strata]).astype(float)
    fpc = {h: 1 - drawn[h] / population[h] for h in range(4)}
    return survey.StratifiedSample(strata, population), y, fpc


def samplics(
    param: PopParam, y: np.ndarray, sample: survey.StratifiedSample, fpc: dict[int, float], **more: object
) -> TaylorEstimator:
    estimator = TaylorEstimator(param)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.estimate(y=y, samp_weight=sample.weights, stratum=sample.strata, fpc=fpc, **more)
    return estimator


def test_stratified_mean_matches_samplics() -> None:
    sample, y, fpc = stratified_data()
    mine = survey.ratio(y, np.ones_like(y), sample)[0]
    theirs = samplics(PopParam.mean, y, sample, fpc)
    assert mine.value == pytest.approx(theirs.point_est, abs=1e-6)
    assert mine.se == pytest.approx(theirs.stderror, abs=1e-6)


def test_domain_means_cutting_across_strata_match_samplics() -> None:
    sample, y, fpc = stratified_data(1)
    domain = np.random.default_rng(2).integers(0, 3, sample.n)
    members = (domain[:, None] == np.arange(3)).astype(float)
    mine = survey.ratio(members * y[:, None], members, sample)
    theirs = samplics(PopParam.mean, y, sample, fpc, domain=domain)
    for d in range(3):
        assert mine[d].value == pytest.approx(theirs.point_est[d], abs=1e-6)
        assert mine[d].se == pytest.approx(theirs.stderror[d], abs=1e-6)


def test_ratio_estimate_matches_samplics() -> None:
    sample, y, fpc = stratified_data(3)
    x = (np.random.default_rng(4).random(sample.n) < 0.6).astype(float)
    mine = survey.ratio(y, x, sample)[0]
    theirs = samplics(PopParam.ratio, y, sample, fpc, x=x)
    assert mine.value == pytest.approx(theirs.point_est, abs=1e-6)
    assert mine.se == pytest.approx(theirs.stderror, abs=1e-6)


def test_unsmoothed_plan_labels_give_the_textbook_stratified_estimates() -> None:
    sample, y, fpc = stratified_data(5)
    decision = np.where(np.random.default_rng(6).random(sample.n) < 0.8, y, 1 - y).astype(int)
    labels = survey.PlanLabels(sample, decision, y.astype(int), prior=0)
    rate = labels.pass_rate()[0]
    theirs = samplics(PopParam.mean, y, sample, fpc)
    assert rate.value == pytest.approx(theirs.point_est, abs=1e-6)
    assert rate.se == pytest.approx(theirs.stderror, abs=1e-6)
    # PPI with a fixed lambda is the pipeline's known pass rate plus the stratified mean of y - lambda f
    pipeline_passes, size = 700.0, float(sample.population.sum())
    ppi = labels.ppi(survey.Population(np.array([pipeline_passes]), np.array([size])), lam=0.7)[0]
    residual = samplics(PopParam.mean, y - 0.7 * decision, sample, fpc)
    assert ppi.interval.value == pytest.approx(0.7 * pipeline_passes / size + residual.point_est, abs=1e-6)
    assert ppi.se == pytest.approx(residual.stderror, abs=1e-6)


@pytest.mark.parametrize("lam", [None, 1.0, 0.0, 0.4])
def test_ppi_mean_matches_ppi_py(lam: float | None) -> None:
    rng = np.random.default_rng(8)
    labels = (rng.random(200) < 0.3).astype(float)
    predictions = np.where(rng.random(200) < 0.85, labels, 1 - labels)
    unlabelled = (rng.random(5000) < 0.33).astype(float)
    low, high = reference_ppi_mean_ci(labels, predictions, unlabelled, alpha=0.05, lam=lam)
    mine = survey.ppi_mean_ci(labels, predictions, unlabelled, lam=lam)
    assert mine.interval.low == pytest.approx(float(low[0]), abs=1e-6)
    assert mine.interval.high == pytest.approx(float(high[0]), abs=1e-6)


def test_power_tuning_is_clipped_and_narrows() -> None:
    rng = np.random.default_rng(9)
    human = (rng.random(400) < 0.25).astype(int)
    pipeline = np.where(rng.random(400) < 0.9, human, 1 - human)
    sample = survey.StratifiedSample.simple(400, 50_000)
    labels = survey.PlanLabels(sample, pipeline, human)
    known = survey.Population(np.array([0.27 * 50_000]), np.array([50_000.0]))
    tuned = labels.ppi(known)[0]
    assert 0.0 <= tuned.lam <= 1.0
    for lam in (0.0, 0.5, 1.0):
        fixed = labels.ppi(known, lam=lam)[0]
        assert tuned.se <= fixed.se + 1e-12
    human_only = survey.wilson_effective(labels.pass_rate()[0])
    assert tuned.interval.high - tuned.interval.low < human_only.high - human_only.low


def test_perfect_agreement_on_38_items_is_not_certainty() -> None:
    """The issue's case: 38 labelled attempts, 2 human fails, the pipeline agreeing on every one."""
    human = np.array([1] * 36 + [0] * 2)
    reviewers = np.column_stack([human, human])
    result = agreement.paired_bootstrap(human, human, reviewers, replicates=2000, seed=0)
    for interval in (result.cohen_kappa, result.gwet_ac1, result.mcc, result.krippendorff_alpha):
        assert interval.value == pytest.approx(1.0)
        assert interval.low is not None and interval.high is not None
        assert interval.low < 0.9  # two fails in 38 leave kappa far from certain
        assert interval.low <= interval.value <= interval.high


def test_skewed_sample_does_not_pin_a_bound_at_zero() -> None:
    rng = np.random.default_rng(10)
    human = (rng.random(60) < 0.07).astype(int)
    pipeline = np.where(rng.random(60) < 0.9, human, 1 - human)
    result = agreement.paired_bootstrap(pipeline, human, np.column_stack([human, pipeline]), replicates=1000)
    assert result.cohen_kappa.low is not None and result.cohen_kappa.low != 0.0
    assert result.cohen_kappa.high - result.cohen_kappa.low > 0.05


def test_weighted_intervals_never_collapse() -> None:
    # a plan whose labels show no disagreement at all: every interval still has width
    sample = survey.StratifiedSample(np.repeat([0, 1], 20), np.array([4000.0, 1000.0]))
    decision = np.repeat([0, 1], 20)
    labels = survey.PlanLabels(sample, decision, decision.copy())
    ratios = labels.confusion_ratios()
    for name in ("sensitivity", "specificity", "ppv", "npv", "percent_agreement"):
        interval = survey.wilson_effective(ratios[name][0])
        assert interval.value == 1.0 and interval.low is not None and interval.low < 0.99
    table = labels.confusion()[0]
    kappa, _, _ = agreement.table_intervals(table.proportions(), table.effective, replicates=500)
    assert kappa.value == pytest.approx(1.0) and kappa.low is not None and kappa.low < 0.95
    ppi = labels.ppi(survey.Population(np.array([1000.0]), np.array([5000.0])))[0]
    assert ppi.interval.high - ppi.interval.low > 0.01


def test_labels_needed_shrinks_with_a_wider_target_and_refuses_zero() -> None:
    estimate = survey.Estimate(0.3, 0.0004, 500)
    assert survey.labels_needed(0.02, estimate, 100_000) > survey.labels_needed(0.05, estimate, 100_000)
    assert survey.labels_needed(0.5, estimate, 100_000) == 0
    # before any label: the worst case p = 1/2, 385 for +-5 points in a large population
    assert survey.labels_needed(0.05, None, 10**9) == 385
    with pytest.raises(ValueError):
        survey.labels_needed(0.0, estimate, 100)


def test_a_small_weighted_proportion_keeps_its_value_without_an_interval() -> None:
    interval = survey.wilson_effective(survey.Estimate(0.5, 0.01, survey.MIN_UNITS - 1))
    assert interval.value == 0.5 and interval.low is None


# ---------------------------------------------------------------- reviewers among themselves under a plan


def test_rescaled_bootstrap_gives_the_textbook_variance_of_a_stratified_total() -> None:
    """Rao & Wu's n_h - 1 draws, rescaled: the resampled totals' variance is sum N_h^2 s_h^2 / n_h (no finite
    population correction), strata of one pooled; drawing n_h would give (n_h - 1) / n_h of it, half for two."""
    strata = np.repeat([0, 1, 2, 3], [2, 3, 1, 1])
    sample = survey.StratifiedSample(strata, np.array([10.0, 30.0, 5.0, 8.0]))
    y = np.array([0.3, 1.7, -0.4, 0.9, 2.2, 1.1, -0.6])
    weights = survey.rescaled_bootstrap_weights(sample, 40_000, np.random.default_rng(1))
    totals = weights @ y
    expected = sum(sample.population[h] ** 2 / 2 * np.var(y[strata == h], ddof=1) for h in (0,))
    expected += sample.population[1] ** 2 / 3 * np.var(y[strata == 1], ddof=1)
    pooled = (sample.weights * y)[strata >= 2]  # the two singletons resampled as one group
    expected += 2 * np.var(pooled, ddof=1)
    assert totals.mean() == pytest.approx(sample.weights @ y, rel=0.02)
    assert totals.var() == pytest.approx(expected, rel=0.04)


def plan_reviewers(seed: int = 2) -> tuple[np.ndarray, survey.StratifiedSample, np.ndarray]:
    """Two strata of very different weight whose reviewers agree differently, some second labels missing."""
    rng = np.random.default_rng(seed)
    strata = np.repeat([0, 1], [30, 30])
    truth = rng.integers(0, 2, 60)
    error = np.where(strata == 0, 0.05, 0.3)
    second = np.where(rng.random(60) < error, 1 - truth, truth)
    second[rng.random(60) < 0.2] = agreement.MISSING
    counts = agreement.category_counts(np.column_stack([truth, second]), 2)
    domains = np.column_stack([np.ones(60, dtype=bool), rng.random(60) < 0.5])
    return counts, survey.StratifiedSample(strata, np.array([3000.0, 300.0])), domains


def test_weighted_alpha_is_the_weighted_point_with_a_seeded_interval() -> None:
    counts, sample, domains = plan_reviewers()
    intervals = survey.weighted_alpha(counts, sample, domains, replicates=400, seed=5)
    for j, interval in enumerate(intervals):
        member = domains[:, j]
        expected = agreement.krippendorff_alpha_from_counts(counts[member], sample.weights[member])
        assert interval.value == pytest.approx(expected, abs=1e-12)
        assert interval.low is not None and interval.high is not None
        assert interval.low < interval.value < interval.high <= 1.0
    # the heavy stratum agrees more: weighing it pulls alpha above the labelled items' own
    assert intervals[0].value is not None
    assert intervals[0].value > (agreement.krippendorff_alpha_from_counts(counts) or 0) + 0.1
    assert survey.weighted_alpha(counts, sample, domains, replicates=400, seed=5) == intervals
    assert survey.weighted_alpha(counts, sample, domains, replicates=400, seed=6) != intervals
    assert survey.weighted_alpha(counts, sample, domains, replicates=0) == [
        agreement.Interval(i.value) for i in intervals
    ]


def test_weighted_alpha_of_a_handful_in_perfect_agreement_is_not_certainty() -> None:
    labels = np.array([[0, 0], [1, 1], [0, 0], [0, 0], [1, 1], [0, -1]])
    sample = survey.StratifiedSample(np.array([0, 0, 0, 1, 1, 1]), np.array([500.0, 40.0]))
    (interval,) = survey.weighted_alpha(agreement.category_counts(labels, 2), sample, replicates=500)
    assert interval.value == pytest.approx(1.0)
    assert interval.low is not None and interval.low < 0.8 and interval.high == pytest.approx(1.0)


def test_weighted_alpha_without_pairs_is_undefined() -> None:
    labels = np.array([[0, -1], [-1, 1], [1, -1]])
    sample = survey.StratifiedSample(np.array([0, 0, 1]), np.array([10.0, 10.0]))
    (interval,) = survey.weighted_alpha(agreement.category_counts(labels, 2), sample, replicates=100)
    assert interval == agreement.Interval(None)
    empty = survey.StratifiedSample(np.zeros(0, dtype=np.int64), np.array([10.0]))
    assert survey.weighted_alpha(np.zeros((0, 2)), empty, replicates=100) == [agreement.Interval(None)]
