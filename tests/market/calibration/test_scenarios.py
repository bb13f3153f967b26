"""One scenario per market, checked against the data: on pyblp's Nevo data the engine's Nash prices are the
observed ones; costs are pyblp's; negative implied costs are refused, naming the market and the product."""

import numpy as np
import pyblp
import pytest

from market.calibration.estimate import estimate_logit, given
from market.calibration.logit import first_order_costs
from market.calibration.panel import product_panel_from_frame, read_product_panel
from market.calibration.scenarios import Settings, calibrate, provenance, seller_names
from market.demand import logit_demand
from market.errors import CalibrationError
from market.scenario import Scenario
from tests.market.calibration.nevo import nevo_frame, small_panel


def _observed(scenario: Scenario) -> np.ndarray:
    return np.array([s.initial_price for s in scenario.sellers])


@pytest.fixture(scope="module")
def nevo_single():
    panel = read_product_panel("pyblp:nevo", single_product_firms=True)
    estimate = estimate_logit(panel)
    return panel, estimate, calibrate(panel, estimate, panel.markets, Settings(prefix="nevo"))


def test_nevo_with_one_firm_per_product_nash_equals_the_observed_prices_in_every_market(nevo_single, tmp_path):
    """Done when: Nash prices of the calibrated scenarios (the engine's solver, on the scenarios as written to
    TOML and read back) equal the observed prices to 1e-8 in all 94 markets; Delta of the observed prices is 0."""
    panel, estimate, fits = nevo_single
    assert len(fits) == 94
    for fit in fits:
        path = tmp_path / f"{fit.scenario.name}.toml"
        path.write_text(provenance(fit, panel, estimate, Settings()) + fit.scenario.to_toml())
        scenario = Scenario.from_toml(path)
        assert np.max(np.abs(scenario.benchmarks.nash_price - _observed(scenario))) < 1e-8, fit.market
        assert abs(fit.observed_delta) < 1e-8
        assert scenario.demand.mu == estimate.mu and scenario.demand.outside_quality == 0.0


def test_nevo_with_the_datas_firms_as_owners_nash_equals_the_observed_prices(tmp_path):
    """Done when, with the data's firms: each product names its firm as ``owner``, the engine's Nash prices (co-owned
    products maximising their firm's joint profit) equal the observed prices to 1e-8, and Delta of the observed prices
    is 0, in the 93 markets whose implied costs are not negative; in C49Q1, Kellogg's F1B04 is priced below the
    firm's logit markup (its cost would be -0.00066, as pyblp's compute_costs has it) and the market is refused,
    named."""
    panel = read_product_panel("pyblp:nevo")
    estimate = estimate_logit(panel)
    with pytest.raises(CalibrationError, match=r"negative implied marginal cost \(market C49Q1, product F1B04: "
                                               r"-0\.0006557\)"):
        calibrate(panel, estimate, panel.markets, Settings(prefix="nevo"))
    markets = [m for m in panel.markets if m != "C49Q1"]
    fits = calibrate(panel, estimate, markets, Settings(prefix="nevo"))
    assert len(fits) == 93
    for fit in fits:
        path = tmp_path / f"{fit.scenario.name}.toml"
        path.write_text(provenance(fit, panel, estimate, Settings()) + fit.scenario.to_toml())
        scenario = Scenario.from_toml(path)
        firms = panel.firm[fit.rows].tolist()
        assert [s.owner or firms[k] for k, s in enumerate(scenario.sellers)] == firms  # a lone product: owner None
        assert len({s.owner or s.name for s in scenario.sellers}) == 5
        assert np.max(np.abs(scenario.benchmarks.nash_price - _observed(scenario))) < 1e-8, fit.market
        assert abs(fit.observed_delta) < 1e-8


def test_nevo_costs_are_pyblps_under_either_ownership(nevo_single):
    """Costs from the first-order conditions equal pyblp's ``compute_costs`` at the same estimate, with one firm
    per product and with the data's firms (the closed form c_j = p_j - mu / (1 - S_f) against pyblp's matrix
    inversion of the ownership-weighted demand Jacobian)."""
    panel, estimate, fits = nevo_single
    frame = nevo_frame()
    data = {name: frame[name].to_numpy() for name in ("market_ids", "product_ids", "firm_ids", "shares", "prices")}
    data["demand_instruments"] = frame.select(f"demand_instruments{k}" for k in range(20)).to_numpy()
    pyblp.options.verbose = False
    results = pyblp.Problem(pyblp.Formulation("0 + prices", absorb="C(product_ids)"), data).solve(method="1s")
    ours = np.concatenate([f.cost for f in fits])
    rows = np.concatenate([f.rows for f in fits])
    singles = results.compute_costs(firm_ids=np.arange(frame.height)).ravel()
    np.testing.assert_allclose(ours, singles[rows], rtol=1e-10)
    firms = read_product_panel("pyblp:nevo")
    expected = results.compute_costs().ravel()
    for market in firms.markets:
        rows = firms.rows_of(market)
        cost = first_order_costs(firms.price[rows], firms.share[rows], firms.firm[rows], estimate.mu)
        np.testing.assert_allclose(cost, expected[rows], rtol=1e-10)


def test_platform_fees_are_in_the_costs_and_the_benchmarks():
    """Listed on the platform with a referral and a fulfilment fee, costs are backed out after fees, and the
    engine's Nash prices (which charge those fees) are still the observed ones."""
    panel = product_panel_from_frame(small_panel(), single_product_firms=True)
    settings = Settings(channel="platform", referral_fee=0.15, fulfilment_fee=0.05)
    for fit in calibrate(panel, given(-4.0), panel.markets, settings):
        assert np.max(np.abs(fit.nash_price - _observed(fit.scenario))) < 1e-10
        assert all(s.listed_on == "platform" for s in fit.scenario.sellers)
        assert fit.scenario.platform.referral_fee == 0.15


def test_observed_costs_are_kept_and_delta_measures_the_observed_prices():
    panel = product_panel_from_frame(small_panel(cost=[1.0, 1.1, None, 1.0, 1.1, 1.0]), single_product_firms=True)
    fit = calibrate(panel, given(-4.0), ["m1"], Settings())[0]
    assert fit.cost_observed.tolist() == [True, True, False]
    assert fit.cost[:2].tolist() == [1.0, 1.1]
    assert fit.largest_gap[0] > 0.01 and np.isfinite(fit.observed_delta)


def test_shoppers_per_tick_from_the_market_size_and_the_period():
    frame = small_panel(quantity=[2880.0, 2160.0, 3600.0] * 2, market_size=[14_400.0] * 6).drop("share")
    panel = product_panel_from_frame(frame, single_product_firms=True)
    fit = calibrate(panel, given(-4.0), ["m1"], Settings(tick_minutes=10, period_minutes=1440.0))[0]
    assert fit.scenario.demand.shoppers_per_tick == 100.0
    assert calibrate(panel, given(-4.0), ["m1"], Settings(period_minutes=7 * 1440.0))[0] \
        .scenario.demand.shoppers_per_tick == pytest.approx(100.0 / 7)


def test_negative_implied_costs_are_refused_naming_the_market_and_product():
    panel = product_panel_from_frame(small_panel(), single_product_firms=True)
    with pytest.raises(CalibrationError, match=r"panel 'panel': negative implied marginal cost \(market m1, product "
                                               r"a: -1; market m1, product b: -0\.6529; .* and 1 more\)"):
        calibrate(panel, given(-0.5), panel.markets, Settings())


def test_seller_names_from_products():
    assert seller_names(["Corn Flakes 12oz", "F1B04"], "-") == ["Corn_Flakes_12oz", "F1B04"]
    with pytest.raises(CalibrationError, match="products 'a b' and 'a_b' both become seller 'a_b'"):
        seller_names(["a b", "a_b"], "panel 'p'")


def test_products_left_out_join_the_outside_option(nevo_single):
    """Keeping three of a Nevo market's 24 products: their shares at the observed prices are still the data's (the
    engine's demand), Nash prices are still the observed ones (one firm per product), and the outside option's
    quality is mu ln(s_0' / s_0)."""
    panel, estimate, _ = nevo_single
    kept = ("F1B06", "F2B05", "F3B06")
    fit = calibrate(panel, estimate, ["C01Q1"], Settings(products=kept))[0]
    s = fit.scenario
    assert [x.name for x in s.sellers] == sorted(kept)
    rows = panel.rows_of("C01Q1")
    share = dict(zip(panel.product[rows].tolist(), panel.share[rows].tolist(), strict=True))
    demand, _ = logit_demand(_observed(s), np.array([x.quality for x in s.sellers]), s.demand.mu,
                             s.demand.outside_quality)
    np.testing.assert_allclose(demand, [share[p] for p in sorted(kept)], rtol=1e-12)
    outside = 1 - sum(share.values())
    assert s.demand.outside_quality == pytest.approx(estimate.mu * np.log((1 - sum(share[p] for p in kept)) / outside))
    assert np.max(np.abs(s.benchmarks.nash_price - _observed(s))) < 1e-12
    with pytest.raises(CalibrationError, match="--products: market C01Q1 has no product 'F9B99'"):
        calibrate(panel, estimate, ["C01Q1"], Settings(products=("F1B06", "F9B99")))
