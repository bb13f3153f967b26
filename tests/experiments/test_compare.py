import json

import polars as pl
import pytest

from experiments.cli import main
from experiments.compare import paired_differences, run_pairs
from experiments.configs import load
from experiments.stats import mean_ci, spawn_seeds
from market import interventions


def short_amazon():
    return load("amazon_10min").with_values({"horizon": 432})


def test_a_rule_that_never_binds_changes_nothing():
    base = short_amazon()
    idle = base.with_interventions([interventions.parse({"kind": "price_bounds", "ceiling": 1e6})])
    table = paired_differences(run_pairs(base, idle, 3))
    assert table["difference"].abs().max() == 0.0


def test_change_cap_reduces_price_changes_with_confidence():
    base = short_amazon()
    capped = base.with_interventions([interventions.named("once_a_day")])
    table = paired_differences(run_pairs(base, capped, 4)).filter(pl.col("outcome") == "price_changes_per_day")
    assert table["ci_high"][0] < 0


def test_seeds_do_not_depend_on_order_and_ci_brackets_the_mean():
    assert spawn_seeds(7, 5)[:3] == spawn_seeds(7, 3)
    mean, low, high = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert low < mean == 2.5 < high
    assert high - mean == pytest.approx(3.182446 * (1.2909944 / 2), rel=1e-5)


def test_cli_json_and_report(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "amazon_10min", "--intervention", "austria_noon", "--seeds", "2", "--horizon", "288",
                 "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intervention"] == "austria_noon" and set(data["outcomes"]) >= {"mean_price", "delta"}
    assert (out / "compare.md").is_file() and (out / "compare.png").is_file()


@pytest.mark.parametrize("argv, message", [
    (["--intervention", "curfew"], "intervention 'curfew': unknown"),
    (["--intervention", "once_a_day", "--seeds", "0"], "--seeds 0: must be >= 1"),
    (["--intervention", "missing.toml"], "not found"),
])
def test_bad_input_exit_2_nothing_written(argv, message, tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["compare", "amazon_10min", "--out", str(out), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_destruction_ban_saves_every_destroyed_unit_and_shifts_the_cost(tmp_path, capsys):
    assert main(["compare", "unsold_goods", "--intervention", "destruction_ban,donation_vat_relief", "--seeds", "2",
                 "--out", str(tmp_path / "u"), "--json"]) == 0
    outcomes = json.loads(capsys.readouterr().out)["outcomes"]
    destroyed, donated = outcomes["units_destroyed"], outcomes["units_donated"]
    assert destroyed["without"] > 0 and destroyed["with"] == 0.0
    assert donated["difference"] == pytest.approx(-destroyed["difference"], rel=1e-9)
    assert outcomes["disposal_costs"]["with"] == 0.0 and outcomes["platform_unsold_income"]["difference"] < 0
