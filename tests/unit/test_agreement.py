"""The agreement statistics reproduce published worked examples and agree with independent implementations."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score, matthews_corrcoef, roc_auc_score, roc_curve
from statsmodels.stats.inter_rater import fleiss_kappa as reference_fleiss_kappa

from bare_tui.agreement import (
    Confusion,
    category_counts,
    cohen_kappa,
    cohen_kappa_ase,
    cohen_kappa_interval,
    contingency_table,
    encode_labels,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    krippendorff_alpha_from_counts,
    lang_reiczigel,
    mcc,
    pabak,
    paired_bootstrap,
    percent_agreement,
    posterior_interval,
    posterior_intervals,
    roc_auc,
    rogan_gladen,
    scott_pi,
    threshold_curve,
    wilson,
)

# Published values with their sources (each entry names its publication): the suite carries its own copy.
EXAMPLES = json.loads((Path(__file__).resolve().parent / "data" / "stats-examples.json").read_text(encoding="utf-8"))

# Gwet's irrCAC package README (github.com/kgwet/irrCAC), data from Gwet (2014) "Handbook of Inter-Rater
# Reliability", 4th ed.: two abstractors classifying 100 pregnancies as Ectopic, AIU or NIU.
GWET_ABSTRACTORS = np.array([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
# the same README: distrib.6raters, 15 patients x 5 diagnoses, six psychiatrists each
GWET_SIX_RATERS = np.array(
    [
        [0, 0, 0, 6, 0],
        [0, 3, 0, 0, 3],
        [0, 1, 4, 0, 1],
        [0, 0, 0, 0, 6],
        [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0],
        [0, 0, 4, 0, 2],
        [2, 0, 3, 1, 0],
        [2, 0, 0, 4, 0],
        [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0],
        [1, 1, 0, 4, 0],
        [0, 3, 3, 0, 0],
        [1, 0, 0, 5, 0],
        [0, 2, 0, 3, 1],
    ]
)


def table_to_codes(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(table)
    counts = table[rows, cols].astype(int)
    return np.repeat(rows, counts), np.repeat(cols, counts)


# ---------------------------------------------------------------- published examples


def test_krippendorff_2011_alpha_with_missing_values() -> None:
    data = EXAMPLES["krippendorff_2011_reliability_data"]
    units = list(zip(*data["observers_by_units"]))  # our rows are units, the paper's rows observers
    codes, _ = encode_labels(units)
    assert krippendorff_alpha(codes) == pytest.approx(data["expected"]["krippendorff_alpha_nominal"], abs=5e-5)


def test_fleiss_1971_kappa() -> None:
    data = EXAMPLES["fleiss_1971_diagnoses"]
    codes, categories = encode_labels(data["units_by_raters"])
    counts = category_counts(codes, len(categories))
    assert fleiss_kappa(counts) == pytest.approx(data["expected"]["fleiss_kappa"], abs=5e-5)


def test_wikipedia_cohen_kappa() -> None:
    data = EXAMPLES["cohen_2x2_wikipedia"]
    cells = data["cells"]
    table = np.array([[cells["yes_yes"], cells["yes_no"]], [cells["no_yes"], cells["no_no"]]])
    assert percent_agreement(table) == pytest.approx(data["expected"]["percent_agreement"], abs=5e-5)
    assert cohen_kappa(table) == pytest.approx(data["expected"]["cohen_kappa"], abs=5e-5)


def test_sas_kappa_asymptotic_standard_error_and_interval() -> None:
    data = EXAMPLES["cohen_kappa_ase_sas"]
    table = np.array(data["table"])
    expected = data["expected"]
    assert cohen_kappa(table) == pytest.approx(expected["cohen_kappa"], abs=5e-5)
    assert cohen_kappa_ase(table) == pytest.approx(expected["ase"], abs=5e-5)  # 0.1380 to four decimals
    interval = cohen_kappa_interval(table)
    assert interval.low == pytest.approx(expected["ci_low"], abs=5e-5)
    assert interval.high == pytest.approx(expected["ci_high"], abs=5e-5)


def test_gwet_handbook_two_rater_coefficients() -> None:
    assert gwet_ac1(GWET_ABSTRACTORS) == pytest.approx(0.8493305, abs=5e-7)
    assert cohen_kappa(GWET_ABSTRACTORS) == pytest.approx(0.7964094, abs=5e-7)
    assert scott_pi(GWET_ABSTRACTORS) == pytest.approx(0.7962397, abs=5e-7)
    assert pabak(GWET_ABSTRACTORS) == pytest.approx(0.835, abs=5e-7)  # Brennan-Prediger for three categories
    a, b = table_to_codes(GWET_ABSTRACTORS)
    assert krippendorff_alpha(np.column_stack([a, b])) == pytest.approx(0.7972585, abs=5e-7)


def test_gwet_handbook_six_raters() -> None:
    assert fleiss_kappa(GWET_SIX_RATERS) == pytest.approx(0.4139265, abs=5e-7)
    assert krippendorff_alpha_from_counts(GWET_SIX_RATERS) == pytest.approx(0.4204384, abs=5e-7)


def test_newcombe_1998_wilson_interval() -> None:
    # Newcombe (1998) Statistics in Medicine 17:857-872, Table II example 81/263, method 3 (score, no correction)
    interval = wilson(81, 263)
    assert interval.value == pytest.approx(81 / 263)
    assert interval.low == pytest.approx(0.2553, abs=5e-5)
    assert interval.high == pytest.approx(0.3662, abs=5e-5)


def test_wilson_interval_at_the_edges_stays_inside_zero_one() -> None:
    none_of = wilson(0, 20)
    all_of = wilson(20, 20)
    assert none_of.value == 0 and none_of.low == 0 and 0 < none_of.high < 0.2
    assert all_of.value == 1 and all_of.high == 1 and 0.8 < all_of.low < 1
    assert wilson(0, 0).value is None


def test_rogan_gladen_published_examples() -> None:
    # epiR's epi.prev documentation: 23 of 150 cows positive, Se 0.96, Sp 0.89 -> 5.1 cases per 100
    assert rogan_gladen(23 / 150, 0.96, 0.89) * 100 == pytest.approx(5.1, abs=0.05)
    # quadernodiepidemiologia.it: apparent 0.34 with Se 18/20 and Sp 64/80 -> true prevalence 0.20
    assert rogan_gladen(0.34, 18 / 20, 64 / 80) == pytest.approx(0.20, abs=5e-5)


def test_rogan_gladen_is_undefined_for_a_test_no_better_than_chance() -> None:
    assert rogan_gladen(0.4, 0.5, 0.5) is None
    assert lang_reiczigel(40, 100, 10, 20, 10, 20).value is None


def test_lang_reiczigel_interval_keeps_its_coverage() -> None:
    # the paper's claim: near-nominal coverage from about 30 observations; check it by simulation
    rng = np.random.default_rng(20140101)
    prevalence, sensitivity, specificity = 0.3, 0.85, 0.9
    tested, diseased, healthy = 200, 60, 60
    trials = 2000
    covered = 0
    positives = rng.binomial(tested, prevalence * sensitivity + (1 - prevalence) * (1 - specificity), trials)
    hits = rng.binomial(diseased, sensitivity, trials)
    rejections = rng.binomial(healthy, specificity, trials)
    for pos, tp, tn in zip(positives, hits, rejections):
        interval = lang_reiczigel(int(pos), tested, int(tp), diseased, int(tn), healthy)
        if interval.low is not None and interval.low <= prevalence <= interval.high:
            covered += 1
    assert 0.93 <= covered / trials <= 0.975


def test_lang_reiczigel_is_wider_than_the_naive_interval() -> None:
    # uncertainty in Se and Sp can only widen the interval around the corrected prevalence
    interval = lang_reiczigel(34, 100, 18, 20, 64, 80)
    assert interval.value == pytest.approx(0.2)
    naive = wilson(34, 100)
    assert interval.high - interval.low > naive.high - naive.low


# ---------------------------------------------------------------- independent implementations

label_pairs = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=2, max_size=60)


@settings(max_examples=60, deadline=None)
@given(label_pairs)
def test_kappa_matches_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    ours = cohen_kappa(contingency_table(a, b, 3))
    if len(set(a) | set(b)) < 2:
        assert ours is None  # one category only: kappa is 0/0
        return
    with np.errstate(all="ignore"):
        theirs = cohen_kappa_score(a, b)
    if np.isnan(theirs):
        assert ours is None
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


binary_pairs = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(binary_pairs)
def test_mcc_matches_scikit_learn_when_defined(pairs: list[tuple[int, int]]) -> None:
    truth = np.array([p[0] for p in pairs])
    predicted = np.array([p[1] for p in pairs])
    confusion = Confusion.from_labels(predicted, truth)
    assert confusion.n == len(pairs)
    ours = confusion.mcc()
    if ours is None:
        # scikit-learn reports 0 where a margin is empty; we say the figure is undefined
        assert 0 in (
            confusion.tp + confusion.fp,
            confusion.tp + confusion.fn,
            confusion.tn + confusion.fp,
            confusion.tn + confusion.fn,
        )
    else:
        assert ours == pytest.approx(matthews_corrcoef(truth, predicted), abs=1e-9)
        assert ours == mcc(confusion.tp, confusion.fp, confusion.fn, confusion.tn)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(-3, 3)), min_size=2, max_size=60))
def test_auc_matches_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    truth = np.array([p[0] for p in pairs])
    scores = np.array([p[1] for p in pairs], dtype=float)
    ours = roc_auc(scores, truth)
    if len(set(truth)) < 2:
        assert ours is None
    else:
        assert ours == pytest.approx(roc_auc_score(truth, scores), abs=1e-12)


reliability = st.lists(
    st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=3, max_size=3), min_size=2, max_size=30
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reliability)
def test_alpha_matches_the_krippendorff_package(units: list[list[int | None]]) -> None:
    codes, categories = encode_labels(units)
    ours = krippendorff_alpha(codes)
    pairable = sum(1 for row in units if sum(v is not None for v in row) >= 2)
    values = {v for row in units if sum(x is not None for x in row) >= 2 for v in row if v is not None}
    if pairable == 0 or len(values) < 2:
        assert ours is None
        return
    matrix = np.array([[np.nan if v is None else v for v in row] for row in units], dtype=float).T
    assert ours == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-9)


weighted_units = st.lists(
    st.tuples(st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=3, max_size=3), st.integers(0, 4)),
    min_size=1,
    max_size=25,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_units)
def test_weighted_alpha_is_the_alpha_of_units_repeated(units: list[tuple[list[int | None], int]]) -> None:
    """A plan weighs each unit N_h / n_h: with whole-number weights that must be the krippendorff package's
    alpha of each unit repeated its weight's times, missing labels and units with one label or none included."""
    rows = [row for row, _ in units]
    weights = np.array([w for _, w in units], dtype=float)
    codes, categories = encode_labels(rows)
    counts = category_counts(codes, max(1, len(categories)))
    ours = krippendorff_alpha_from_counts(counts, weights)
    repeated = np.repeat(codes, weights.astype(int), axis=0)
    pairable = repeated[(repeated >= 0).sum(axis=1) >= 2]
    if len(np.unique(pairable[pairable >= 0])) < 2:
        assert ours is None  # no pairable values, or a single category among them
        return
    matrix = np.where(repeated >= 0, repeated, np.nan).astype(float).T  # raters x units, as the package takes
    assert ours == pytest.approx(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-9)
    assert krippendorff_alpha_from_counts(counts, np.ones(len(units))) == krippendorff_alpha_from_counts(counts)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 2), min_size=3, max_size=3), st.integers(0, 4)), max_size=25))
def test_weighted_fleiss_is_the_fleiss_kappa_of_units_repeated(units: list[tuple[list[int], int]]) -> None:
    counts = np.array([np.bincount(row, minlength=3) for row, _ in units], dtype=float).reshape(-1, 3)
    weights = np.array([w for _, w in units], dtype=float)
    ours = fleiss_kappa(counts, weights)
    repeated = np.repeat(counts, weights.astype(int), axis=0)
    shares = repeated.sum(axis=0)
    if not len(repeated) or (shares > 0).sum() < 2:
        assert ours is None  # nothing left, or every rating in one category: chance agreement is 1
        return
    assert ours == pytest.approx(reference_fleiss_kappa(repeated, method="fleiss"), abs=1e-9)
    assert fleiss_kappa(counts, np.ones(len(units))) == fleiss_kappa(counts)
    with pytest.raises(ValueError):
        fleiss_kappa(counts, np.ones(len(units) + 1))


# ---------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(label_pairs, st.permutations([0, 1, 2]))
def test_kappa_and_alpha_do_not_depend_on_label_names(pairs: list[tuple[int, int]], rename: list[int]) -> None:
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    mapping = np.array(rename)
    before_kappa = cohen_kappa(contingency_table(a, b, 3))
    after_kappa = cohen_kappa(contingency_table(mapping[a], mapping[b], 3))
    before_alpha = krippendorff_alpha(np.column_stack([a, b]), k=3)
    after_alpha = krippendorff_alpha(np.column_stack([mapping[a], mapping[b]]), k=3)
    assert (before_kappa is None) == (after_kappa is None)
    assert (before_alpha is None) == (after_alpha is None)
    if before_kappa is not None:
        assert after_kappa == pytest.approx(before_kappa, abs=1e-12)
    if before_alpha is not None:
        assert after_alpha == pytest.approx(before_alpha, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=2, max_size=60).filter(lambda xs: len(set(xs)) > 1))
def test_perfect_agreement_gives_one(labels: list[int]) -> None:
    a = np.array(labels)
    table = contingency_table(a, a, 3)
    assert cohen_kappa(table) == pytest.approx(1.0)
    assert gwet_ac1(table) == pytest.approx(1.0)
    assert pabak(table) == pytest.approx(1.0)
    assert scott_pi(table) == pytest.approx(1.0)
    assert krippendorff_alpha(np.column_stack([a, a, a])) == pytest.approx(1.0)
    assert fleiss_kappa(category_counts(np.column_stack([a, a]), 3)) == pytest.approx(1.0)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_same_seed_gives_the_same_bootstrap(seed: int) -> None:
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 2, 80)
    decision = np.where(rng.random(80) < 0.8, truth, 1 - truth)
    reviewers = np.column_stack([truth, np.where(rng.random(80) < 0.9, truth, 1 - truth)])
    first = paired_bootstrap(decision, truth, reviewers, replicates=200, seed=seed)
    second = paired_bootstrap(decision, truth, reviewers, replicates=200, seed=seed)
    assert first == second
    other = paired_bootstrap(decision, truth, reviewers, replicates=200, seed=seed + 1)
    assert other.cohen_kappa.value == first.cohen_kappa.value
    assert (other.cohen_kappa.low, other.cohen_kappa.high) != (first.cohen_kappa.low, first.cohen_kappa.high)


# ---------------------------------------------------------------- undefined figures are None, never NaN


def test_constant_labels_leave_chance_corrected_figures_undefined() -> None:
    table = contingency_table(np.ones(10, int), np.ones(10, int), 2)
    assert percent_agreement(table) == 1.0
    assert cohen_kappa(table) is None
    assert scott_pi(table) is None
    assert cohen_kappa_ase(table) is None
    assert krippendorff_alpha(np.ones((10, 2), int)) is None
    assert gwet_ac1(table) == 1.0  # AC1's chance agreement is 0 here: it stays defined


def test_empty_input_gives_none_everywhere() -> None:
    empty = contingency_table(np.array([], int), np.array([], int), 2)
    assert percent_agreement(empty) is None
    assert cohen_kappa(empty) is None
    assert gwet_ac1(empty) is None
    assert pabak(empty) is None
    assert Confusion(0, 0, 0, 0).sensitivity().value is None
    assert Confusion(0, 0, 0, 0).mcc() is None
    assert krippendorff_alpha(np.empty((0, 2), int)) is None
    assert fleiss_kappa(np.empty((0, 2))) is None
    assert roc_auc(np.array([]), np.array([])) is None
    assert threshold_curve(np.array([]), np.array([])).best_threshold is None
    result = paired_bootstrap(np.array([], int), np.array([], int), np.empty((0, 2), int), replicates=50)
    assert result.cohen_kappa.value is None and result.krippendorff_alpha.low is None


def test_one_reviewer_or_no_overlap_leaves_alpha_undefined() -> None:
    one_reviewer = np.array([[0], [1], [1], [0]])
    assert krippendorff_alpha(one_reviewer) is None
    no_overlap = np.array([[0, -1], [-1, 1], [1, -1], [-1, 0]])
    assert krippendorff_alpha(no_overlap) is None
    assert fleiss_kappa(category_counts(no_overlap, 2)) is None  # one rater per unit
    unequal = category_counts(np.array([[0, 1, -1], [0, 0, 1]]), 2)
    assert fleiss_kappa(unequal) is None  # Fleiss needs the same number of raters on every unit


# ---------------------------------------------------------------- bootstrap and threshold behaviour


def test_pattern_bootstrap_matches_resampling_indices() -> None:
    rng = np.random.default_rng(11)
    n = 150
    truth = (rng.random(n) < 0.6).astype(int)
    decision = np.where(rng.random(n) < 0.85, truth, 1 - truth)
    second = np.where(rng.random(n) < 0.9, truth, 1 - truth)
    second[rng.random(n) < 0.2] = -1  # some items have one reviewer only
    reviewers = np.column_stack([truth, second])
    fast = paired_bootstrap(decision, truth, reviewers, replicates=4000, seed=3)

    naive_kappa, naive_alpha = [], []
    for _ in range(1500):
        pick = rng.integers(0, n, n)
        naive_kappa.append(cohen_kappa(contingency_table(truth[pick], decision[pick], 2)))
        naive_alpha.append(krippendorff_alpha(reviewers[pick], k=2))
    low, high = np.percentile(naive_kappa, [2.5, 97.5])
    assert fast.cohen_kappa.low == pytest.approx(low, abs=0.03)
    assert fast.cohen_kappa.high == pytest.approx(high, abs=0.03)
    low, high = np.percentile(naive_alpha, [2.5, 97.5])
    assert fast.krippendorff_alpha.low == pytest.approx(low, abs=0.03)
    assert fast.krippendorff_alpha.high == pytest.approx(high, abs=0.03)
    assert fast.cohen_kappa.low < fast.cohen_kappa.value < fast.cohen_kappa.high
    assert fast.gwet_ac1.low < fast.gwet_ac1.value < fast.gwet_ac1.high


def test_youden_best_threshold_is_the_brute_force_best() -> None:
    rng = np.random.default_rng(5)
    truth = (rng.random(300) < 0.4).astype(int)
    scores = np.round(rng.normal(truth * 1.2, 1.0), 1)
    curve = threshold_curve(scores, truth)

    def youden(t: float) -> float:
        predicted = scores >= t
        sens = (predicted & (truth == 1)).sum() / (truth == 1).sum()
        spec = (~predicted & (truth == 0)).sum() / (truth == 0).sum()
        return sens + spec - 1

    best = max(np.unique(scores), key=youden)
    assert curve.best_threshold == pytest.approx(best)
    assert curve.best_youden == pytest.approx(youden(best))
    assert curve.auc == pytest.approx(roc_auc_score(truth, scores))
    assert curve.sensitivity[0] == 1.0 and curve.specificity[0] == 0.0  # everything passes at the lowest score


# scores with many ties (seven values), each item with a positive weight of very different sizes
weighted_items = st.lists(
    st.tuples(st.integers(0, 1), st.integers(-3, 3), st.floats(0.01, 100.0)), min_size=2, max_size=60
)


@settings(max_examples=80, deadline=None)
@given(weighted_items)
def test_weighted_auc_and_youden_cut_off_match_scikit_learn(items: list[tuple[int, int, float]]) -> None:
    truth = np.array([i[0] for i in items])
    scores = np.array([i[1] for i in items], dtype=float)
    weights = np.array([i[2] for i in items])
    curve = threshold_curve(scores, truth, weights)
    if len(set(truth)) < 2:
        assert roc_auc(scores, truth, weights) is None and curve.best_threshold is None
        return
    expected = roc_auc_score(truth, scores, sample_weight=weights)
    assert roc_auc(scores, truth, weights) == pytest.approx(expected, abs=1e-12)
    assert curve.auc == pytest.approx(expected, abs=1e-12)
    # scikit-learn's curve at every distinct score (its first point, at +inf, passes nothing)
    fpr, tpr, cuts = roc_curve(truth, scores, sample_weight=weights, drop_intermediate=False)
    youden = dict(zip(cuts[1:].tolist(), (tpr - fpr)[1:].tolist()))
    highest = max(youden.values())
    assert curve.best_youden == pytest.approx(highest, abs=1e-9)
    assert youden[curve.best_threshold] == pytest.approx(highest, abs=1e-9)
    # ties go to the lowest threshold: every lower one is worse by more than rounding
    assert all(j < highest - 1e-13 for cut, j in youden.items() if cut < curve.best_threshold)
    assert (curve.positives, curve.negatives) == (int(truth.sum()), int(len(truth) - truth.sum()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(-3, 3), st.integers(0, 4)), min_size=2, max_size=40))
def test_whole_number_weights_are_repeated_items(items: list[tuple[int, int, int]]) -> None:
    truth = np.array([i[0] for i in items])
    scores = np.array([i[1] for i in items], dtype=float)
    times = np.array([i[2] for i in items])
    weighted = threshold_curve(scores, truth, times.astype(float))
    repeated = threshold_curve(np.repeat(scores, times), np.repeat(truth, times))
    # the same figures to the last bit; only the item counts differ (an item of weight 0 is left out)
    assert replace(weighted, positives=0, negatives=0) == replace(repeated, positives=0, negatives=0)
    assert roc_auc(scores, truth, times.astype(float)) == repeated.auc


def test_without_weights_the_curve_is_the_unit_weighted_one() -> None:
    rng = np.random.default_rng(8)
    truth = rng.integers(-1, 2, 400)
    scores = np.round(rng.normal(truth, 1.0), 1)
    scores[::17] = np.nan
    assert threshold_curve(scores, truth) == threshold_curve(scores, truth, np.ones(400))
    assert roc_auc(scores, truth) == roc_auc(scores, truth, np.ones(400))


def test_a_separating_score_has_an_auc_of_exactly_one_or_zero_with_any_weights() -> None:
    weights = np.random.default_rng(3).uniform(0.1, 10.0, 50)
    truth = np.repeat([0, 1], 25)
    scores = np.arange(50.0)
    assert roc_auc(scores, truth, weights) == 1.0 and roc_auc(-scores, truth, weights) == 0.0


def test_an_exact_youden_tie_goes_to_the_lowest_threshold() -> None:
    # at 1 and at 3 the index is 4/6 + 1/2 - 1 = 1/6 + 2/2 - 1 = 1/6 exactly; in floating point the first sum
    # rounds below the second, and a plain argmax took 3
    scores = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 3.0, 1.0])
    truth = np.array([0, 1, 1, 0, 1, 1, 1, 1])
    curve = threshold_curve(scores, truth)
    assert curve.best_threshold == 1.0 and curve.best_youden == pytest.approx(1 / 6)


@pytest.mark.parametrize("weights", [np.array([1.0, -1.0, 1.0]), np.array([1.0, np.nan, 1.0]), np.ones(2)])
def test_weights_must_be_aligned_finite_and_not_negative(weights: np.ndarray) -> None:
    with pytest.raises(ValueError):
        threshold_curve(np.array([0.0, 1.0, 2.0]), np.array([0, 1, 1]), weights)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 60),
    st.lists(st.sampled_from(("finite", "some nan", "mostly nan", "no point")), min_size=1, max_size=8),
)
def test_intervals_of_many_statistics_at_once_are_each_statistics_own(
    seed: int, replicates: int, kinds: list[str]
) -> None:
    """The resampling computes all its statistics' intervals in one call: the figures must be exactly those of
    one statistic at a time, whatever share of replicates a statistic leaves undefined."""
    rng = np.random.default_rng(seed)
    samples = rng.uniform(-1, 1.2, size=(len(kinds), replicates))
    for row, kind in enumerate(kinds):
        if kind == "some nan":
            samples[row, : replicates // 3] = np.nan
        elif kind == "mostly nan":
            samples[row, : replicates - replicates // 3] = np.nan
    points = [None if kind == "no point" else float(rng.uniform(-1, 1)) for kind in kinds]
    expected = [posterior_interval(samples[row], points[row]) for row in range(len(kinds))]
    assert posterior_intervals(samples, points) == expected
