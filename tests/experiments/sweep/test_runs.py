import numpy as np
import polars as pl
import pytest

from experiments.cli import main
from experiments.sweep import spec
from experiments.sweep.runs import expand, points, run_seeds, simulate
from tests.experiments.sweep.conftest import SPEC


@pytest.fixture
def small(write_spec):
    return spec.load(write_spec(seeds=3))


def test_seeds_come_from_seed_sequence_spawn(small):
    children = np.random.SeedSequence(7).spawn(3)
    assert run_seeds(small) == [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]
    assert len(set(run_seeds(small))) == 3 and all(0 <= s < 2**63 for s in run_seeds(small))


def test_more_seeds_keep_the_first_ones(write_spec, small):
    assert run_seeds(spec.load(write_spec(seeds=5, name="more")))[:3] == run_seeds(small)


def test_explicit_seeds_are_used_as_given(write_spec):
    loaded = spec.load(write_spec(text=SPEC.format(seeds=2, horizon=288, stride=144).replace(
        "seeds = 2", "seeds = [11, 3]")))
    assert [run.seed for run in expand(loaded)[:2]] == [11, 3]


def test_runs_cover_the_product_in_a_fixed_order(small):
    runs = expand(small)
    assert len(runs) == 2 * 2 * 3
    assert [run.index for run in runs] == list(range(12))
    assert [run.values for run in runs[::3]] == [
        {"sellers.platform.period": 1, "demand.mu": 0.2}, {"sellers.platform.period": 1, "demand.mu": 0.3},
        {"sellers.platform.period": 6, "demand.mu": 0.2}, {"sellers.platform.period": 6, "demand.mu": 0.3}]
    assert [run.replicate for run in runs[:4]] == [0, 1, 2, 0]
    assert {run.seed for run in runs[::3]} == {run_seeds(small)[0]}
    platform = runs[-1].scenario["sellers"][0]
    assert platform["name"] == "platform" and platform["period"] == 6 and runs[-1].scenario["demand"]["mu"] == 0.3
    assert runs[-1].scenario["seed"] == runs[-1].seed and runs[-1].scenario["horizon"] == 288


def test_run_ids_depend_on_scenario_and_seed_only(write_spec, small):
    runs = expand(small)
    assert len({run.run_id for run in runs}) == len(runs)
    reordered = SPEC.format(seeds=3, horizon=288, stride=144).replace("[0.2, 0.3]", "[0.3, 0.2]")
    other = {run.run_id: run.seed for run in expand(spec.load(write_spec(text=reordered, name="reordered")))}
    assert other == {run.run_id: run.seed for run in runs}
    longer = expand(spec.load(write_spec(seeds=3, horizon=144, name="longer")))
    assert not {run.run_id for run in longer} & set(other)


def test_dependent_values_are_checked_per_point(write_spec):
    text = SPEC.format(seeds=1, horizon=288, stride=144).replace(
        "[1, 6]", '[6, 12]\n"sellers.platform.phase" = [0, 3]')
    assert len(points(spec.load(write_spec(text=text)))) == 2 * 2 * 2


def test_simulate_returns_the_kept_metrics_and_series(small):
    outcome = simulate(expand(small)[0], small.metrics, small.timeseries_stride)
    assert outcome.error is None
    assert outcome.summary.columns == ["scenario", "ticks", "learners", "trained", "converged", "training_ticks",
                                       "warm_up_ticks", "settled", "settled_by", "cycle_ticks", "delta", "mean_price",
                                       "consumer_surplus"]
    assert outcome.summary.row(0)[2:6] == (0, False, None, 0)  # no learners: nothing trained
    assert outcome.summary.row(0)[6] > 0 and outcome.summary.row(0)[7] is not None  # warmed up ([measure])
    assert outcome.summary["ticks"].to_list() == [288]
    assert outcome.timeseries.columns[:3] == ["scenario", "seed", "run_id"]
    assert outcome.timeseries["run_id"].unique().to_list() == [outcome.run_id]
    warm_up = outcome.summary["warm_up_ticks"][0]
    assert outcome.timeseries["tick"].unique().sort().to_list() == [warm_up, warm_up + 144]


def test_simulate_records_an_error_instead_of_raising(small):
    run = expand(small)[0]
    broken = type(run)(**{**run.__dict__, "scenario": {**run.scenario, "horizon": -5}})
    outcome = simulate(broken, small.metrics, None)
    assert outcome.summary is None and outcome.error.startswith("ScenarioError: horizon = -5")


def test_a_list_of_interventions_can_be_swept(write_spec):
    text = SPEC.format(seeds=1, horizon=288, stride=144).replace(
        "demand.mu = [0.2, 0.3]", 'interventions = [[], [{ kind = "fee_cap", max_referral_fee = 0.05 }]]')
    runs = expand(spec.load(write_spec(text=text)))
    capped = '[{"kind": "fee_cap", "max_referral_fee": 0.05}]'
    assert [run.values["interventions"] for run in runs[:2]] == ["[]", capped]
    assert runs[1].scenario["interventions"][0]["max_referral_fee"] == 0.05
    fee = [simulate(run, ("fee_income",), None).summary["fee_income"][0] for run in runs[:2]]
    assert fee[1] < fee[0]


@pytest.mark.slow  # a few seconds (training a market)
def test_runs_keep_per_seller_and_per_role_metrics_and_say_whether_learners_trained(write_spec, tmp_path):
    text = """
name = "learners"
base = "assad2024"
seeds = 2
[set]
horizon = 500
[grid]
"sellers.station_b.strategy" = ["qlearning", "best_response"]
"sellers.station_b.params" = [{}]
[keep]
metrics = ["mean_margin"]
sellers = ["profit", "margin"]
roles = ["profit"]
"""
    out = tmp_path / "o"
    assert main(["sweep", str(write_spec(text=text)), "--out", str(out)]) == 0
    runs = pl.read_parquet(out / "runs" / "*.parquet").sort("run_index")
    assert {"seller.station_a.profit", "seller.station_b.margin", "role.retailer.profit"} <= set(runs.columns)
    assert runs["trained"].all() and runs["converged"].all()
    assert runs["learners"].to_list() == [2, 2, 1, 1]
    assert (runs["seller.station_a.profit"] + runs["seller.station_b.profit"]
            - runs["role.retailer.profit"]).abs().max() < 1e-12
    assert runs["seller.station_a.margin"].to_list() != runs["seller.station_b.margin"].to_list()


def test_keep_names_unknown_seller_metrics(write_spec, tmp_path, capsys):
    text = SPEC.format(seeds=1, horizon=10, stride=5).replace("[keep]", '[keep]\nsellers = ["profits"]')
    path = write_spec(text=text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 2
    assert "keep.sellers: 'profits' is not a metric; allowed: mean_price, margin" in capsys.readouterr().err
