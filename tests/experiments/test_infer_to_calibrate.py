"""From observed prices to a twin: ``pricelab infer`` reads an engine run's repricers (a nightly resetter, an
undercutter that runs from 07:00 to 22:00, a fixed price), and ``pricelab calibrate --repricers`` puts what it wrote
into the calibrated market unchanged. The two repricers move on a lattice the pair sets (each reacts to the other),
so their periods are not asked of inference here (``tests/market/observed``)."""

import tomllib

import polars as pl

from experiments.cli import main
from market import results, training
from market.calibration.twin import merge, read_fragment
from market.scenario import Scenario
from tests.market.calibration.nevo import small_panel
from tests.market.calibration.test_twin import _fit

TRUTH = """
[[sellers]]
name = "a"
strategy = "resetting"
params = { step = 0.02, floor = 1.3, reset = 1.8, hour = 3, hold_hours = 6 }
period = 3
phase = 1
lag = 0

[[sellers]]
name = "b"
strategy = "undercut"
params = { step = 0.03, floor = 1.35, ceiling = 1.85 }
period = 6
phase = 4
lag = 1
active_hours = [7, 22]
"""
FLAGS = ["--price-coef", "-4", "--single-product-firms", "--channel", "platform", "--markets", "m1", "--days", "7"]


def test_the_calibrated_twins_repricers_are_the_inferred_ones(tmp_path, capsys):
    (tmp_path / "truth.toml").write_text(TRUTH)
    truth = merge(_fit(), read_fragment(tmp_path / "truth.toml")).scenario
    state, _ = training.run(truth)
    results.timeseries(state, truth).select("tick", "seller", "price").write_csv(tmp_path / "run.csv")
    inferred = tmp_path / "inferred"
    assert main(["infer", str(tmp_path / "run.csv"), "--resamples", "0", "--out", str(inferred)]) == 0
    tables = {t["name"]: t for t in tomllib.loads((inferred / "fragment.toml").read_text())["sellers"]}
    assert {name: t["strategy"] for name, t in tables.items()} == {s.name: s.strategy for s in truth.sellers}
    assert (tables["a"]["params"]["hour"], tables["a"]["params"]["hold_hours"]) == (3.0, 6.0)
    assert 7.0 <= tables["b"]["active_hours"][0] < 8.0 and "active_hours" not in tables["a"]
    small_panel().write_csv(tmp_path / "p.csv")
    out = tmp_path / "twin"
    assert main(["calibrate", str(tmp_path / "p.csv"), "--out", str(out), "--repricers",
                 str(inferred / "fragment.toml"), *FLAGS]) == 0
    capsys.readouterr()
    twin = {s.name: s for s in Scenario.from_toml(out / "p_m1.toml").sellers}
    for name, table in tables.items():
        seller = twin[name]
        assert seller.strategy == table["strategy"] and seller.params == table["params"]
        assert (seller.period, seller.phase, seller.lag) == (table["period"], table["phase"], table["lag"])
        assert seller.active_hours == table.get("active_hours")
    assert pl.read_parquet(out / "calibration.parquet").height > 0
