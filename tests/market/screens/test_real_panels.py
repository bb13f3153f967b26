"""With the shipped calibration, screens hold on panels made outside the lab: a competitive panel whose prices
follow a common cost shock with noise is not flagged; a rigid high-priced panel with rare synchronized rises is,
by at least one screen that can fire; every held-out false-positive rate stays at or below 5% with 95%
confidence; and the verdicts name inert screens and what lies outside the calibration."""

import numpy as np
import polars as pl
import pytest

from market.observed.grid import panel_from_frame
from market.screens import apply, catalog
from tests.market.observed import synthetic


@pytest.fixture(scope="module")
def shipped():
    return apply.load_calibration(apply.SHIPPED_CALIBRATION)


def _screen(prices: np.ndarray, shipped: dict) -> dict:
    t, n = prices.shape
    frame = pl.DataFrame({"time": np.repeat(np.arange(t), n), "seller": [f"s{i}" for i in range(n)] * t,
                          "price": prices.ravel()})
    return apply.screen(panel_from_frame(frame, where="panel.csv"), shipped)["calibration"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_competitive_panel_with_common_cost_shocks_and_noise_is_not_flagged(seed, shipped):
    verdict = _screen(synthetic.competitive(seed), shipped)
    flagged = [name for name, f in verdict["flags"].items() if f["flagged"]]
    assert flagged == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_rigid_high_priced_panel_with_rare_synchronized_rises_is_flagged_by_a_screen_that_can_fire(seed, shipped):
    verdict = _screen(synthetic.rigid(seed), shipped)
    flagged = [name for name, f in verdict["flags"].items() if f["flagged"]]
    assert flagged and all(not verdict["flags"][name]["inert"] for name in flagged)


def test_every_held_out_false_positive_rate_is_at_most_five_percent_with_95_percent_confidence(shipped):
    for name, entry in {**shipped["screens"], **shipped["combined"]}.items():
        assert entry["false_positive"]["ci"][1] <= shipped["fpr_bound"] == 0.05, name


def test_inert_screens_are_said_so_and_never_flag(shipped):
    scores = {name: 0.0 for name in catalog.NAMES}
    flags = apply.flags(scores, shipped)
    for f in flags.values():
        assert f["status"] in apply.STATUS
        if f["inert"]:
            assert f["status"] == "inert" and f["flagged"] is False
    assert all(catalog.BY_NAME[n].inert(shipped["screens"][n]["threshold"]) == shipped["screens"][n]["inert"]
               for n in catalog.NAMES)


def test_a_panel_outside_the_calibration_gets_warnings(shipped):
    rng = np.random.default_rng(0)
    jittery = 100.0 + rng.normal(0.0, 1.0, (500, 12))  # 12 sellers at a price of 100, moving at every step
    warnings = _screen(jittery, shipped)["outside_coverage"]
    assert any("12 sellers" in w for w in warnings) and any("mean price" in w for w in warnings)
