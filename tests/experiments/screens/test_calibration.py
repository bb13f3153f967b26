import math

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import mannwhitneyu

from experiments.screens import calibration


def test_roles_split_each_family_into_halves_and_the_calibration_half_into_thirds():
    assert [calibration.role(i) for i in range(12)] == ["fit", "held_out", "tune", "held_out", "tune", "held_out"] * 2


def test_the_threshold_rank_certifies_the_design_rate_with_95_percent_confidence():
    assert calibration.ALPHA == 0.02 and calibration.DELTA == 0.05
    assert calibration.rank(400) == 397
    assert calibration.confidence(400, 397) >= 0.95 > calibration.confidence(400, 396)
    assert calibration.rank(148) == 148 and calibration.confidence(148, 148) < 0.95  # too few: the largest score
    assert calibration.rank(149) == 149 and calibration.confidence(149, 149) >= 0.95
    assert calibration.rank(100, alpha=0.05) == 99 and calibration.confidence(100, 99, alpha=0.05) >= 0.95


def test_the_threshold_exceeds_the_design_rate_in_at_most_five_percent_of_calibrations():
    # uniform competitive scores: a threshold tau flags a share 1 - tau of all competitive markets
    rng = np.random.default_rng(0)
    trials = 20_000
    taus = np.array([calibration.threshold(rng.random(400)) for _ in range(trials)])
    too_many = np.mean(1.0 - taus > calibration.ALPHA)
    assert too_many <= 0.05 and too_many == pytest.approx(1.0 - calibration.confidence(400, 397), abs=0.006)


def test_held_out_false_positive_rates_average_below_five_percent_over_calibrations():
    rng = np.random.default_rng(1)
    rates = []
    for _ in range(2000):
        scores = rng.gamma(2.0, size=200)
        rates.append(calibration.flag_rate(scores[100:], calibration.threshold(scores[:100])).rate)
    assert np.mean(rates) < 0.012  # about 1/(m + 1): at m = 100 no rank below the largest certifies 2%


def test_ties_at_the_top_are_not_flagged_and_no_calibration_means_no_threshold():
    tau = calibration.threshold(np.zeros(100))
    assert tau == 0.0 and calibration.flag_rate(np.zeros(50), tau).flagged == 0
    assert calibration.threshold(np.zeros(0)) == math.inf


def test_clopper_pearson_intervals():
    assert calibration.Rate(0, 10).ci == pytest.approx((0.0, 1.0 - 0.025 ** (1 / 10)))
    assert calibration.Rate(10, 10).ci == pytest.approx((0.025 ** (1 / 10), 1.0))
    low, high = calibration.Rate(5, 100).ci
    assert low == pytest.approx(0.01643, abs=1e-4) and high == pytest.approx(0.11284, abs=1e-4)


def test_auc_is_the_mann_whitney_probability_with_delong_interval():
    rng = np.random.default_rng(2)
    x, y = rng.normal(0.0, 1.0, 60), rng.normal(1.0, 1.0, 40)
    value, (low, high) = calibration.auc(x, y)
    assert value == pytest.approx(mannwhitneyu(y, x).statistic / (x.size * y.size))
    assert low < value < high and high - low < 0.3
    assert calibration.auc(np.zeros(5), np.zeros(5))[0] == 0.5
    assert calibration.auc(np.array([0.0, 1.0]), np.array([0.5, 2.0]))[0] == 0.75
    assert calibration.auc(np.arange(5.0), np.arange(5.0) + 10)[1] == (1.0, 1.0)


def test_roc_curve_runs_from_nothing_flagged_to_everything_flagged():
    fpr, tpr = calibration.roc_curve(np.array([0.0, 1.0, 2.0]), np.array([1.5, 3.0]))
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)


def test_logistic_matches_the_maximum_likelihood_fit_in_the_scores_units():
    rng = np.random.default_rng(3)
    n = 20_000
    x = np.column_stack([rng.normal(5.0, 2.0, n), rng.normal(0.0, 0.1, n), np.ones(n)])
    p = 1.0 / (1.0 + np.exp(-(-1.0 + 0.5 * (x[:, 0] - 5.0) - 10.0 * x[:, 1])))
    y = (rng.random(n) < p).astype(float)
    model = calibration.Logistic.fit(x, y)
    design = np.column_stack([np.ones(n), x[:, :2]])
    mle = minimize(lambda w: np.sum(np.logaddexp(0.0, design @ w) - y * (design @ w)), np.zeros(3), method="BFGS").x
    assert model.intercept == pytest.approx(mle[0], rel=2e-3)
    assert model.coefficient[:2] == pytest.approx(mle[1:], rel=2e-3)  # the ridge is negligible at this n
    assert model.coefficient[2] == 0.0  # a constant column weighs nothing
    assert model.coefficient[:2] == pytest.approx([0.5, -10.0], rel=0.1)  # and the truth is near


def test_logistic_stays_finite_on_separable_data():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = calibration.Logistic.fit(x, np.array([0, 0, 1, 1]))
    assert np.isfinite(model.coefficient).all() and model.coefficient[0] > 0
    assert np.all(np.diff(model.score(x)) > 0)
