"""``pricelab export``: a run as a product panel (calibrate's long panel, pyblp's product_data); and the round trip
simulate -> export -> calibrate, whose 95% interval for mu covers the truth at its stated rate."""

import json

import numpy as np
import polars as pl
import pytest
from numpy.random import SeedSequence

from experiments.cli import main
from market.calibration.logit import qualities

MU = 0.25
DAILY_REPRICERS = f"""name = "roundtrip"
horizon = 8640
seed = 1
[demand]
mu = {MU}
shoppers_per_tick = 20.0
arrivals = "poisson"
xi_sd = 0.05
choices = "sampled"
[[sellers]]
name = "a"
quality = 2.0
strategy = "edgeworth"
params = {{ step = 0.05, floor = 1.2, reset = 2.0 }}
period = 144
initial_price = 1.9
[[sellers]]
name = "b"
quality = 2.1
strategy = "edgeworth"
params = {{ step = 0.07, floor = 1.25, reset = 2.1 }}
period = 144
initial_price = 1.6
[[sellers]]
name = "c"
quality = 1.9
strategy = "undercut"
params = {{ step = 0.03, floor = 1.15, ceiling = 2.0 }}
period = 144
initial_price = 1.7
"""


def _run(tmp_path, text: str, name: str = "run", *flags) -> str:
    config = tmp_path / f"{name}.toml"
    config.write_text(text)
    out = tmp_path / name
    assert main(["run", str(config), "--out", str(out), *flags]) == 0
    return str(out)


def test_export_long_and_pyblp(tmp_path, capsys):
    """Sixty days of three daily repricers with demand shocks and expected choices: one row per day and seller;
    shares are units over shoppers; with the day's prices constant, the logit inversion at the true mu gives the
    exported qualities (the engine's a_j + xi_jd) to 1e-10; pyblp's names carry the same numbers."""
    run = _run(tmp_path, DAILY_REPRICERS.replace('choices = "sampled"', 'choices = "expected"')
               .replace('name = "a"', 'name = "a"\nowner = "ab"').replace('name = "b"', 'name = "b"\nowner = "ab"'))
    assert main(["export", run]) == 0
    assert "180 rows (60 markets x 3 products)" in capsys.readouterr().out
    long = pl.read_parquet(f"{run}/products_long.parquet")
    assert long.columns == ["scenario", "seed", "run_id", "market", "product", "firm", "mean_price", "market_share",
                            "units", "market_size", "marginal_cost", "quality"]
    assert long.schema["seed"] == pl.Int64 and long["scenario"].unique().to_list() == ["roundtrip"]
    np.testing.assert_allclose(long["market_share"], long["units"] / long["market_size"])
    for day in long.partition_by("market"):
        implied = qualities(day["mean_price"].to_numpy(), day["market_share"].to_numpy(), MU)
        np.testing.assert_allclose(implied, day["quality"].to_numpy(), rtol=0, atol=1e-10)
    assert long["quality"].std() > 0.03  # the shocks moved the qualities
    assert long["firm"].to_list()[:3] == ["ab", "ab", "c"]  # a and b's owner
    assert main(["export", run, "--format", "pyblp", "--output", str(tmp_path / "blp.csv")]) == 0
    blp = pl.read_csv(tmp_path / "blp.csv")
    assert blp.columns == ["scenario", "seed", "run_id", "market_ids", "product_ids", "firm_ids", "shares", "prices",
                           "costs", "qualities"]
    np.testing.assert_allclose(blp["shares"], long["market_share"], rtol=1e-12)


@pytest.mark.parametrize(("flags", "message"), [
    (["--format", "stata"], "--format 'stata': must be one of long, pyblp"),
    (["--output", "x.xlsx"], "must end in .parquet or .csv"),
    (["--period", "7m"], "--period: 7 minutes is not a whole number of the run's ticks of 10 minutes"),
])
def test_bad_exports_are_one_line(tmp_path, capsys, flags, message):
    run = _run(tmp_path, DAILY_REPRICERS.replace("horizon = 8640", "horizon = 288"))
    capsys.readouterr()
    assert main(["export", run, *flags]) == 2
    assert message in capsys.readouterr().err
    assert main(["export", str(tmp_path)]) == 2
    assert "no timeseries.parquet; export reads a `pricelab run` folder" in capsys.readouterr().err


@pytest.mark.slow
def test_round_trip_interval_for_mu_covers_the_truth_in_17_to_20_of_20_seeds(tmp_path, capsys):
    """Done when: simulate with demand shocks (xi_sd 0.05, daily) and sampled choices (Poisson arrivals, 20
    shoppers a tick) for 60 days at 20 seeds, export, calibrate (prices are set by daily repricers before the day's
    shock, so exogenous: --instruments price), and pyblp's 95% interval for mu covers 0.25 in 17 to 20 of 20; the
    estimates average within 1% of it."""
    seeds = [int(s.generate_state(1)[0]) for s in SeedSequence(25).spawn(20)]
    covered, estimates = 0, []
    for k, seed in enumerate(seeds):
        run = _run(tmp_path, DAILY_REPRICERS, f"seed{k}", "--seed", str(seed))
        assert main(["export", run]) == 0
        capsys.readouterr()
        assert main(["calibrate", f"{run}/products_long.parquet", "--instruments", "price", "--single-product-firms",
                     "--markets", "0", "--out", f"{run}/calibrated", "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        low, high = result["mu_ci"]
        covered += low <= MU <= high
        estimates.append(result["mu"])
    assert 17 <= covered <= 20, (covered, estimates)
    assert abs(np.mean(estimates) / MU - 1) < 0.01
