"""The twin: repricers merged by name from a fragment, and the simulated market read as the observed one is."""

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from market import training
from market.calibration.estimate import given
from market.calibration.panel import product_panel_from_frame
from market.calibration.scenarios import Settings, calibrate
from market.calibration.twin import check, measure, merge, read_fragment, read_observed
from market.errors import CalibrationError
from tests.market.calibration.nevo import small_panel

FRAGMENT = """
[[sellers]]
name = "a"
strategy = "edgeworth"
params = { step = 0.02, floor = 1.3, reset = 1.8 }
period = 6
phase = 2
lag = 1

[[sellers]]
name = "b"
strategy = "edgeworth"
params = { step = 0.03, floor = 1.3, reset = 1.85 }
period = 6
phase = 5
"""


def _fit(channel: str = "platform"):
    panel = product_panel_from_frame(small_panel(), single_product_firms=True)
    return calibrate(panel, given(-4.0), ["m1"], Settings(channel=channel, days=7))[0]


def _fragment(tmp_path, text: str = FRAGMENT):
    path = tmp_path / "repricers.toml"
    path.write_text(text)
    return read_fragment(path)


def test_merge_sets_each_named_sellers_repricer_and_keeps_the_calibration(tmp_path):
    fit = _fit()
    twin = merge(fit, _fragment(tmp_path)).scenario
    a, b, c = twin.sellers
    assert (a.strategy, a.period, a.phase, a.lag, a.params["reset"]) == ("edgeworth", 6, 2, 1, 1.8)
    assert (b.strategy, b.period, b.phase, b.params["step"]) == ("edgeworth", 6, 5, 0.03)
    assert c.strategy == "fixed" and c.params == fit.scenario.sellers[2].params
    assert [s.quality for s in twin.sellers] == [s.quality for s in fit.scenario.sellers]
    assert [s.cost for s in twin.sellers] == [s.cost for s in fit.scenario.sellers]
    assert twin.demand == fit.scenario.demand


@pytest.mark.parametrize(("text", "message"), [
    ("[[sellers]]\nname = 'z'\nperiod = 6\n", "sellers[0].name = 'z': no such seller in market m1 (sellers: a, b, c)"),
    ("[[sellers]]\nname = 'a'\nperiod = 0\n", "merged into market m1: sellers[0].period = 0"),
    ("[[sellers]]\nname = 'a'\ncadence = 6\n", "sellers[0] (a).cadence: unknown field"),
    ("[[sellers]]\nperiod = 6\n", "sellers[0].name: missing"),
    ("[[sellers]]\nname = 'a'\n[[sellers]]\nname = 'a'\n", "sellers[1].name = 'a': given twice"),
    ("tick_minutes = 5\n[[sellers]]\nname = 'a'\n", "tick_minutes = 5: the calibrated scenarios tick every 10"),
    ("name = 'x'\n", "name: unknown field; a fragment holds [[sellers]] tables"),
])
def test_bad_fragments_are_one_line(tmp_path, text, message):
    with pytest.raises(CalibrationError) as err:
        merge(_fit(), _fragment(tmp_path, text))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_measures_of_a_sawtooth():
    """Prices every hour: the low price falls by steps for 5 hours and is restored in the 6th (cycle 6 hours)."""
    low = np.tile([1.5, 1.4, 1.3, 1.2, 1.1, 1.0], 40)
    price = np.column_stack([low, low + 0.05, np.full(240, 2.0)])
    holder = np.argmin(price, axis=1)
    m = measure(price, holder, 60.0)
    assert m.cycle_hours == 6.0
    np.testing.assert_allclose(m.price_changes_per_day, [24.0 * 239 / 240, 24.0 * 239 / 240, 0.0])
    np.testing.assert_allclose(m.featured_share, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(m.mean_price, [1.25, 1.3, 2.0])
    assert np.isnan(measure(price[:, 2:], np.zeros(240, dtype=int), 60.0).cycle_hours)


def _observed_csv(tmp_path, scenario, every: int = 6):
    """The twin's own prices and featured offer every ``every`` ticks as a scraped CSV with date-times."""
    state, _ = training.run(scenario)
    names = [s.name for s in scenario.sellers]
    start = datetime(2024, 5, 1)
    rows = []
    for t in range(0, scenario.horizon, every):
        for i, name in enumerate(names):
            rows.append((start + timedelta(minutes=10 * t), name, state.records.price[t, i],
                         bool(state.records.featured[t] == i)))
    path = tmp_path / "observed.csv"
    pl.DataFrame(rows, schema=["time", "seller", "price", "buy_box"], orient="row").write_csv(path)
    return path


def test_a_twin_checked_against_its_own_prices_matches_on_every_measure(tmp_path):
    """Observed prices made from the twin itself, scraped hourly with the Buy Box holder: the twin's measures,
    read on the same grid, are the observed ones exactly."""
    twin = merge(_fit(), _fragment(tmp_path))
    path = _observed_csv(tmp_path, twin.scenario)
    observed = read_observed(path)
    assert observed.step == 60.0 and observed.buy_box_observed and observed.days == 7.0
    result = check(twin, observed)
    for who, metric, real, simulated in result.rows():
        assert real == pytest.approx(simulated, rel=1e-12, nan_ok=True), (who, metric)
    assert result.real.price_changes_per_day[:2].min() > 5 and 5 < result.real.cycle_hours < 48
    assert "| a | featured_share |" in "\n".join(result.markdown())


def test_observed_sellers_must_be_the_markets(tmp_path):
    twin = merge(_fit(), _fragment(tmp_path))
    path = _observed_csv(tmp_path, twin.scenario)
    frame = pl.read_csv(path).with_columns(pl.col("seller").replace("c", "d"))
    frame.write_csv(tmp_path / "other.csv")
    with pytest.raises(CalibrationError, match="seller 'd' is not a seller of market m1"):
        check(twin, read_observed(tmp_path / "other.csv"))
