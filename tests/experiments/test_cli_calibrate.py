"""``pricelab calibrate``: scenarios with their provenance from pyblp's Nevo data; bad input is one line naming the
market and the product, exit status 2, nothing written."""

import json

import polars as pl
import pytest

from experiments.cli import main
from market.scenario import Scenario
from tests.market.calibration.nevo import small_panel


def test_nevo_scenarios_carry_the_estimate_its_se_and_source(tmp_path, capsys):
    out = tmp_path / "nevo"
    assert main(["calibrate", "pyblp:nevo", "--single-product-firms", "--markets", "C01Q1,C03Q1", "--out", str(out),
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["alpha"] == pytest.approx(-30.0978, abs=1e-4) and result["mu"] == pytest.approx(1 / 30.0978, 1e-5)
    assert [m["market"] for m in result["markets"]] == ["C01Q1", "C03Q1"]
    assert all(m["largest_nash_gap"] < 1e-8 for m in result["markets"])
    text = (out / "nevo_C01Q1.toml").read_text()
    assert text.startswith("# Calibrated by `pricelab calibrate` from the product panel pyblp:nevo, market C01Q1")
    assert "alpha = -30.0978 (se 1.019), mu = -1/alpha = 0.0332251 (se 0.001125" in text
    assert "pyblp 1.3" in text and "fixed effects product, 20 instruments (demand_instruments0-19)" in text
    assert "a_0 = 0" in text
    scenario = Scenario.from_toml(out / "nevo_C01Q1.toml")
    assert scenario.n_sellers == 24 and scenario.demand.mu == pytest.approx(0.0332251, rel=1e-6)
    table = pl.read_parquet(out / "calibration.parquet")
    assert table.height == 48 and table.schema["seed"] == pl.Int64
    assert {"scenario", "seed", "run_id", "market", "product", "quality", "marginal_cost"} <= set(table.columns)
    assert set(table["cost_source"]) == {"first_order"}
    assert "| C03Q1 | `nevo_C03Q1` | 24 | 24 |" in (out / "calibration.md").read_text()


def test_a_price_coefficient_of_ones_own(tmp_path, capsys):
    panel = tmp_path / "p.csv"
    small_panel().drop("instrument1").write_csv(panel)
    assert main(["calibrate", str(panel), "--price-coef", "-4", "--price-coef-se", "0.5", "--single-product-firms",
                 "--out", str(tmp_path / "out")]) == 0
    assert "price coefficient given by the user (--price-coef)" in capsys.readouterr().out
    assert "alpha = -4 (se 0.5), mu = -1/alpha = 0.25" in (tmp_path / "out" / "p_m1.toml").read_text()


BAD_PANELS = [
    ({"drop": "share"}, [], "no column 'share' (or 'shares'), nor 'quantity' with 'market_size'"),
    ({"share": [0.2, 0.15, 0.25, 0.5, 0.3, 0.22]}, [], "market m2: inside shares sum to 1.02"),
    ({"price": [1.5, 1.7, -1.6, 1.55, 1.65, 1.62]}, [], "market m1, product c: price = -1.6: must be a number > 0"),
    ({"market": ["m1"] * 3 + ["m2"] * 2 + ["m3"]}, [], "market m3, product c: the only product of its market"),
    ({}, ["--owner", "b=g"], "market m1, product b: firm = f but --owner b=g: the panel's firm column and --owner "
                             "disagree"),
    ({}, ["--price-coef", "-0.5", "--single-product-firms"], "negative implied marginal cost (market m1, product a"),
    ({}, ["--markets", "m9"], "--markets 'm9': no market 'm9' in the panel"),
    ({}, ["--period", "a week"], "--period: must be a duration such as 30m, 12h, 1d, 13w, not 'a week'"),
    ({}, ["--referral-fee", "0.1"], "fees apply to offers on the platform"),
    ({}, ["--observed", "x.csv"], "--observed: only with --repricers"),
]


@pytest.mark.parametrize(("change", "flags", "message"), BAD_PANELS)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, change, flags, message):
    frame = small_panel()
    frame = frame.drop(change.pop("drop")) if "drop" in change else frame
    frame.with_columns(**{k: pl.Series(v) for k, v in change.items()}).write_csv(tmp_path / "p.csv")
    out = tmp_path / "out"
    assert main(["calibrate", str(tmp_path / "p.csv"), "--out", str(out), *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("pricelab: error: ")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_repricers_and_the_twin_check(tmp_path, capsys):
    """--repricers merges the fragment into the written scenario; --observed runs the twin and writes its table."""
    from market.calibration.twin import merge, read_fragment
    from tests.market.calibration.test_twin import FRAGMENT, _fit, _observed_csv

    (tmp_path / "repricers.toml").write_text(FRAGMENT)
    twin = merge(_fit(), read_fragment(tmp_path / "repricers.toml"))
    observed = _observed_csv(tmp_path, twin.scenario)
    small_panel().write_csv(tmp_path / "p.csv")
    out = tmp_path / "out"
    flags = ["--price-coef", "-4", "--single-product-firms", "--channel", "platform", "--markets", "m1", "--days", "7"]
    assert main(["calibrate", str(tmp_path / "p.csv"), "--out", str(out), "--repricers",
                 str(tmp_path / "repricers.toml"), "--observed", str(observed), *flags]) == 0
    printed = capsys.readouterr().out
    assert "twin of market m1" in printed
    scenario = Scenario.from_toml(out / "p_m1.toml")
    assert scenario.sellers[0].strategy == "edgeworth" and scenario.sellers[1].period == 6
    table = pl.read_parquet(out / "twin.parquet")
    assert set(table["metric"]) == {"mean_price", "price_changes_per_day", "featured_share", "cycle_hours"}
    assert (table["observed"] - table["twin"]).abs().max() < 1e-12
    assert "## The twin of market m1" in (out / "calibration.md").read_text()
    (tmp_path / "bad.toml").write_text("[[sellers]]\nname = 'zz'\n")
    assert main(["calibrate", str(tmp_path / "p.csv"), "--out", str(tmp_path / "out2"), "--repricers",
                 str(tmp_path / "bad.toml"), *flags]) == 2
    assert "no such seller in market m1" in capsys.readouterr().err and not (tmp_path / "out2").exists()
