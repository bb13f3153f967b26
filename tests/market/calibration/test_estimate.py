"""The price coefficient on pyblp's Nevo data: calibrate's estimate against pyblp called directly and against
two-stage least squares written out in numpy; the engine's mu and its interval."""

import numpy as np
import polars as pl
import pyblp
import pytest

from market.calibration.estimate import Estimate, estimate_logit, given
from market.calibration.panel import product_panel_from_frame, read_product_panel
from market.errors import CalibrationError
from tests.market.calibration.nevo import nevo_frame, small_panel


def _within(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """x minus its mean within each group (the product fixed effects absorbed)."""
    _, inverse = np.unique(group, return_inverse=True)
    x = x.reshape(len(group), -1)
    means = np.stack([np.bincount(inverse, weights=x[:, k]) for k in range(x.shape[1])], axis=1)
    return x - (means / np.bincount(inverse)[:, None])[inverse]


def _two_stage_least_squares(frame, instruments):
    """alpha and its heteroskedasticity-robust (HC0) standard error: ln s_j - ln s_0 on the price, product fixed
    effects absorbed, the price instrumented."""
    outside = 1.0 - frame.select(pl.col("shares").sum().over("market_ids"))["shares"].to_numpy()
    y = np.log(frame["shares"].to_numpy()) - np.log(outside)
    product = frame["product_ids"].to_numpy()
    y, x = _within(y, product)[:, 0], _within(frame["prices"].to_numpy(), product)
    z = _within(frame.select(instruments).to_numpy(), product)
    projection = z @ np.linalg.solve(z.T @ z, z.T @ x)
    alpha = np.linalg.solve(projection.T @ x, projection.T @ y)[0]
    residual = y - x[:, 0] * alpha
    bread = np.linalg.inv(projection.T @ projection)
    meat = (projection * residual[:, None] ** 2).T @ projection
    return alpha, float(np.sqrt((bread @ meat @ bread)[0, 0]))


def _pyblp_data(frame: pl.DataFrame) -> dict:
    """The Nevo columns pyblp's plain logit reads, as numpy arrays (pyblp takes any mapping of arrays)."""
    data = {name: frame[name].to_numpy() for name in ("market_ids", "product_ids", "shares", "prices")}
    data["demand_instruments"] = frame.select(f"demand_instruments{k}" for k in range(20)).to_numpy()
    data["clustering_ids"] = data["market_ids"]
    return data


def test_nevo_mu_equals_pyblps_plain_logit_with_the_same_fixed_effects_and_instruments():
    """Done when: mu within 1% of -1/alpha of pyblp's plain logit (product fixed effects, the 20 demand
    instruments); it is pyblp's own estimate, so it agrees to 1e-10, and 2SLS in numpy agrees to 1e-8."""
    frame = nevo_frame()
    estimate = estimate_logit(read_product_panel("pyblp:nevo"))
    pyblp.options.verbose = False
    direct = pyblp.Problem(pyblp.Formulation("0 + prices", absorb="C(product_ids)"),
                           _pyblp_data(frame)).solve(method="1s")
    alpha = float(direct.beta[0, 0])
    assert abs(estimate.mu - (-1 / alpha)) <= 0.01 * abs(1 / alpha)
    assert estimate.alpha == pytest.approx(alpha, rel=1e-10)
    assert estimate.alpha_se == pytest.approx(float(direct.beta_se[0, 0]), rel=1e-10)
    instruments = [f"demand_instruments{k}" for k in range(20)]
    alpha_2sls, se_hc0 = _two_stage_least_squares(frame, instruments)
    assert estimate.alpha == pytest.approx(alpha_2sls, rel=1e-8)
    assert estimate.alpha_se == pytest.approx(se_hc0, rel=1e-6)
    assert estimate.alpha == pytest.approx(-30.10, abs=0.01) and estimate.observations == 2256
    assert "pyblp 1.3" in estimate.source or f"pyblp {pyblp.__version__}" in estimate.source


def test_exogenous_prices_give_ordinary_least_squares_within_products():
    frame = nevo_frame()
    estimate = estimate_logit(read_product_panel("pyblp:nevo", instruments=["price"]))
    alpha_ols, _ = _two_stage_least_squares(frame, ["prices"])
    assert estimate.alpha == pytest.approx(alpha_ols, rel=1e-8)
    assert "prices treated as exogenous" in estimate.source


def test_market_fixed_effects_and_clustered_errors_are_pyblps():
    frame = nevo_frame()
    estimate = estimate_logit(read_product_panel("pyblp:nevo"), absorb="product,market", se_type="clustered")
    direct = pyblp.Problem(pyblp.Formulation("0 + prices", absorb="C(product_ids) + C(market_ids)"),
                           _pyblp_data(frame)).solve(method="1s", se_type="clustered")
    assert estimate.alpha == pytest.approx(float(direct.beta[0, 0]), rel=1e-10)
    assert estimate.alpha_se == pytest.approx(float(direct.beta_se[0, 0]), rel=1e-10)


def test_mu_its_standard_error_and_interval():
    e = Estimate(alpha=-20.0, alpha_se=2.0, source="-")
    assert e.mu == 0.05 and e.mu_se == pytest.approx(2.0 / 400)
    low, high = e.mu_interval
    assert low == pytest.approx(1 / (20 + 1.959963984540054 * 2)) and high == pytest.approx(1 / (20 - 3.919927969))
    assert Estimate(alpha=-1.0, alpha_se=1.0, source="-").mu_interval[1] == np.inf


@pytest.mark.parametrize(("alpha", "se", "message"), [(0.5, None, "--price-coef = 0.5: must be a finite number < 0"),
                                                      (-2.0, -1.0, "--price-coef-se = -1.0: must be")])
def test_a_given_coefficient_is_checked(alpha, se, message):
    with pytest.raises(CalibrationError, match=message):
        given(alpha, se)
    assert given(-2.0, 0.1).mu == 0.5


def test_without_instruments_the_estimate_is_refused():
    panel = product_panel_from_frame(small_panel().drop("instrument1"), "p")
    with pytest.raises(CalibrationError, match="no instruments for the price"):
        estimate_logit(panel)
    with pytest.raises(CalibrationError, match="--absorb = 'time': must be one of"):
        estimate_logit(panel, absorb="time")


def test_an_estimate_without_its_standard_error_has_no_interval():
    e = given(-4.0)
    assert e.mu == 0.25 and np.isnan(e.mu_se) and all(np.isnan(e.mu_interval))
    assert e.describe() == "alpha = -4, mu = -1/alpha = 0.25; price coefficient given by the user (--price-coef)"
