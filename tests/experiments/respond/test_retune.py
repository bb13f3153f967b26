"""A sweep with a [respond] table: every run is measured after its responders re-tune, and says what they chose."""

import polars as pl

from experiments.cli import main

SPEC = """
name = "retune"
base = "nessie"
seeds = 1
[grid]
interventions = [[], ["min_lag_1h"]]
[respond.platform]
window = [1, 12]
[keep]
metrics = ["consumer_surplus"]
"""


def test_each_run_is_measured_at_its_own_equilibrium_and_its_row_says_so(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    runs = pl.read_parquet(tmp_path / "out" / "runs" / "*.parquet").sort("run_index")
    assert runs["respond.platform.window"].to_list() == [3.0, 4.0]
    assert runs["respond.platform.strategy"].to_list() == ["price_leadership"] * 2
    assert runs["respond_status"].to_list() == ["converged"] * 2 and (runs["respond_simulations"] > 0).all()
    surplus = runs["consumer_surplus"].to_list()
    assert abs(surplus[1] / surplus[0] - 1) < 0.01  # without re-tuning, min_lag_1h raises it by about 39%


def test_a_respond_table_the_base_cannot_take_is_refused_before_any_run(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace("window = [1, 12]", "window = [1, 100]"))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    assert "respond.platform.window = [1, 100]: outside the range" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
