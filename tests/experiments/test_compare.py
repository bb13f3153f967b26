import json

import numpy as np
import polars as pl
import pytest
from scipy.stats import t as student_t

from experiments import arms as armsfile
from experiments.arms import shorthand
from experiments.cli import main
from experiments.compare import decomposition, differences, run_arms
from experiments.compare_summary import _benchmark_caveats
from experiments.configs import load
from experiments.stats import mean_ci, paired, spawn_seeds
from market import engine, interventions, metrics
from market.scenario import Scenario
from market.state import SURPLUS


def short_amazon():
    return load("amazon_10min").with_values({"horizon": 432})


def two_arms(base, treated):
    return [armsfile.Arm("without", "", base), armsfile.Arm("with", "", treated)]


def market_row(table: pl.DataFrame, metric: str, arm: str = "with") -> dict:
    return table.filter((pl.col("arm") == arm) & (pl.col("level") == "market")
                        & (pl.col("metric") == metric)).row(0, named=True)


def tiny() -> Scenario:
    """Two fixed-price sellers; Poisson arrivals, so that seeds differ."""
    return Scenario.from_dict({
        "name": "tiny", "horizon": 50, "seed": 3,
        "demand": {"mu": 0.25, "shoppers_per_tick": 20.0, "arrivals": "poisson"},
        "sellers": [{"name": "a", "strategy": "fixed", "params": {"price": 1.5}},
                    {"name": "b", "strategy": "fixed", "params": {"price": 1.6}}]})


def test_a_rule_that_never_binds_changes_nothing():
    base = short_amazon()
    idle = base.with_interventions([interventions.parse({"kind": "price_bounds", "ceiling": 1e6})])
    table = differences(run_arms(two_arms(base, idle), 3), "without")
    assert table["difference"].abs().max() == 0.0


def test_change_cap_reduces_price_changes_with_confidence():
    base = short_amazon()
    capped = base.with_interventions([interventions.named("once_a_day")])
    row = market_row(differences(run_arms(two_arms(base, capped), 4), "without"), "price_changes_per_day")
    assert row["ci_high"] < 0


def test_paired_differences_equal_a_hand_computation_on_a_tiny_market():
    base = tiny()
    dearer = base.with_values({"sellers.b.params": {"price": 1.9}})
    arms = [armsfile.Arm("base", "", base), armsfile.Arm("dearer", "", dearer)]
    table = differences(run_arms(arms, 5), "base")
    by_hand = {name: [] for name in ("consumer_surplus", "profit_b")}
    base_values = {name: [] for name in by_hand}
    for seed in spawn_seeds(base.seed, 5):
        for values, scenario in ((base_values, base), (by_hand, dearer)):
            state = engine.run(scenario.replace(seed=seed))
            values["consumer_surplus"].append(state.totals.market[SURPLUS] / state.counted)
            values["profit_b"].append(state.totals.profit[1] / state.counted)
    for metric, level, name in (("consumer_surplus", "market", "market"), ("profit_b", "seller", "b")):
        d = np.array(by_hand[metric]) - np.array(base_values[metric])
        row = table.filter((pl.col("level") == level) & (pl.col("name") == name)
                           & (pl.col("metric") == metric.removesuffix("_b"))).row(0, named=True)
        half = student_t.ppf(0.975, 4) * d.std(ddof=1) / np.sqrt(5)
        assert row["n"] == 5 and d.std() > 0
        assert row["difference"] == pytest.approx(d.mean(), rel=1e-12)
        assert row["se"] == pytest.approx(d.std(ddof=1) / np.sqrt(5), rel=1e-12)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-9)
        assert row["relative_change_pct"] == pytest.approx(100 * d.mean() / np.mean(base_values[metric]), rel=1e-9)


def test_paired_statistics_drop_non_finite_pairs_and_keep_one_seed_a_point():
    stats = paired([1.0, 2.0, np.nan, 4.0], [2.0, 2.5, 3.0, np.inf])
    assert stats["n"] == 2 and stats["difference"] == pytest.approx(0.75)
    one = paired([1.0], [3.0])
    assert one["n"] == 1 and one["ci_low"] == one["ci_high"] == 2.0 and np.isnan(one["se"])


def test_a_change_is_a_percentage_only_of_a_positive_baseline():
    assert paired([2.0, 2.0], [3.0, 3.0])["relative_change_pct"] == pytest.approx(50.0)
    below_nash = paired([-0.2, -0.2], [0.8, 0.8])  # a Delta rising from below the Nash benchmark
    assert below_nash["difference"] == pytest.approx(1.0) and np.isnan(below_nash["relative_change_pct"])
    assert np.isnan(paired([0.0, 0.0], [1.0, 1.0])["relative_change_pct"])


def test_seeds_do_not_depend_on_order_and_ci_brackets_the_mean():
    assert spawn_seeds(7, 5)[:3] == spawn_seeds(7, 3)
    mean, low, high = mean_ci([1.0, 2.0, 3.0, 4.0])
    assert low < mean == 2.5 < high
    assert high - mean == pytest.approx(3.182446 * (1.2909944 / 2), rel=1e-5)


def test_trained_arms_measure_the_play_and_say_whether_they_converged():
    base = load("assad2024").with_values({"horizon": 200, "record_stride": 1})
    one = base.with_values({"sellers.station_b.strategy": "best_response", "sellers.station_b.params": {}})
    runs = run_arms([armsfile.Arm("both", "", base), armsfile.Arm("one", "", one)], 2)
    per_run = runs.unique(["seed", "arm"])
    assert per_run["trained"].all() and per_run["converged"].all()
    assert (per_run["training_ticks"] >= 100_000).all()
    assert set(per_run.filter(pl.col("arm") == "one")["learners"]) == {1}
    # the measured outcomes are those of the frozen play after training, not of the ticks of learning
    state, trained = __import__("market.training", fromlist=["run"]).run(base.replace(seed=per_run["seed"][0]))
    played = metrics.market_summary(state, base.benchmarks, base.ticks_per_day)
    mean_price = runs.filter((pl.col("arm") == "both") & (pl.col("seed") == per_run["seed"][0])
                             & (pl.col("metric") == "mean_price"))["value"][0]
    assert mean_price == played["mean_price"]
    assert state.counted == 200 and state.origin[0] == trained.ticks
    assert mean_price == pytest.approx(np.nanmean(state.records.price[:state.n_records]), rel=1e-12)


def test_cli_json_and_report(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "amazon_10min", "--intervention", "austria_noon", "--seeds", "2", "--horizon", "288",
                 "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["intervention"] == "austria_noon" and set(data["outcomes"]) >= {"mean_price", "delta"}
    assert set(data["arms"]) == {"without", "with"} and data["baseline"] == "without"
    stats = data["arms"]["with"]["vs_baseline"]
    assert set(stats["market"]["delta"]) >= {"difference", "se", "ci_low", "ci_high", "relative_change_pct", "n"}
    assert set(stats["sellers"]) == {s.name for s in load("amazon_10min").sellers}
    assert set(stats["roles"]) == {"platform", "retailer", "brand"}
    assert (out / "compare.md").is_file() and (out / "compare.png").is_file()


def test_arms_file_runs_every_arm_on_the_same_seeds(tmp_path, capsys):
    arms = tmp_path / "arms.toml"
    arms.write_text('[[arms]]\nname = "base"\n\n[[arms]]\nname = "capped"\ninterventions = ["once_a_day"]\n\n'
                    '[[arms]]\nname = "slow"\nset = { "sellers.platform.period" = 6 }\n'
                    'interventions = [{ kind = "min_lag", ticks = 6 }]\n')
    assert main(["compare", "amazon_10min", "--arms", str(arms), "--seeds", "2", "--horizon", "144",
                 "--out", str(tmp_path / "o"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data["arms"]) == ["base", "capped", "slow", "slow~min_lag", "slow~set sellers.platform.period"]
    assert data["seeds"] == 2  # "slow" changes two things: it is decomposed into its parts
    assert data["arms"]["slow"]["rules"] == ["min_lag"]
    runs = pl.read_parquet(tmp_path / "o" / "runs.parquet")
    assert runs.group_by("arm").agg(pl.col("seed").unique().sort())["seed"].to_list()[0] == \
        sorted(spawn_seeds(load("amazon_10min").seed, 2))


@pytest.mark.parametrize("text, message", [
    ("description = 'x'\n", "arms: missing"),
    ("[[arms]]\nname = 'a'\n", "at least 2"),
    ("[[arms]]\nname = 'a'\n[[arms]]\nname = 'a'\n", "'a' appears twice"),
    ("[[arms]]\nname = 'a'\n[[arms]]\nname = 'b'\nset = { 'sellers.nobody.cost' = 1.0 }\n",
     "arms[1] (b): sellers.nobody.cost: no seller named 'nobody'"),
    ("[[arms]]\nname = 'a'\n[[arms]]\nname = 'b'\ninterventions = ['curfew']\n", "intervention 'curfew': unknown"),
    ("[[arms]]\nname = 'a'\n[[arms]]\nname = 'b'\ncolour = 1\n", "arms[1].colour: unknown field"),
])
def test_bad_arms_files_exit_2_nothing_written(text, message, tmp_path, capsys):
    path = tmp_path / "arms.toml"
    path.write_text(text)
    out = tmp_path / "never"
    assert main(["compare", "amazon_10min", "--arms", str(path), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("argv, message", [
    (["--intervention", "curfew"], "intervention 'curfew': unknown"),
    (["--intervention", "once_a_day", "--seeds", "0"], "argument --seeds: 0: must be from 1 to 2**62"),
    (["--intervention", "missing.toml"], "not found"),
    (["--arms", "nowhere.toml"], "not a shipped arms file"),
    (["--arms", "assad2024", "--intervention", "once_a_day"], "not both"),
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


def test_a_package_splits_into_its_parts_and_their_interaction_on_a_tiny_market():
    base = tiny().with_values({"sellers.a.strategy": "undercut", "sellers.a.params": {"step": 0.05},
                               "horizon": 200})
    rules = [interventions.parse({"kind": "price_bounds", "floor": 1.45, "name": "floor"}),
             interventions.parse({"kind": "change_cap", "max_changes": 1, "window": 10, "name": "cap"})]
    arms = armsfile.decompose(armsfile.shorthand(base, rules, {"sellers.b.params": {"price": 1.7}}, "pkg"), base)
    assert [a.name for a in arms] == ["without", "with", "with~floor", "with~cap", "with~set sellers.b.params"]
    assert arms[2].scenario.interventions[0].name == "floor" and len(arms[3].scenario.interventions) == 1
    runs = run_arms(arms, 3)
    parts = decomposition(runs, "without", arms)
    for metric in ("consumer_surplus", "mean_price", "industry_profit"):
        row = {r["component"]: r["difference"] for r in parts.filter(
            (pl.col("level") == "market") & (pl.col("metric") == metric)).iter_rows(named=True)}
        assert row["floor"] + row["cap"] + row["set sellers.b.params"] == pytest.approx(row["sum of parts"])
        assert row["sum of parts"] + row["interaction"] == pytest.approx(row["package"], abs=1e-12)
        assert row["package"] == pytest.approx(market_row(differences(runs, "without"), metric)["difference"])
    assert abs(parts.filter((pl.col("component") == "interaction") & (pl.col("metric") == "mean_price"))
               ["difference"][0]) > 1e-6  # the floor and the cap interact here


def test_zero_width_intervals_are_flagged_on_a_deterministic_market(tmp_path, capsys):
    out = tmp_path / "nessie"
    assert main(["compare", "nessie", "--intervention", "min_lag_1h", "--seeds", "3", "--horizon", "300",
                 "--out", str(out)]) == 0
    report = (out / "compare.md").read_text()
    assert "The seeds vary nothing in this market" in report and "every interval has zero width" in report
    assert (out / "compare.html").read_text().count("data:image/png;base64,") == 2  # self-contained
    assert main(["compare", "amazon_10min", "--intervention", "min_lag_1h", "--seeds", "3", "--horizon", "300",
                 "--out", str(tmp_path / "amazon")]) == 0
    assert "vary Poisson shopper arrivals" in (tmp_path / "amazon" / "compare.md").read_text()


def test_drawn_parameters_are_the_same_in_every_arm_of_a_seed(tmp_path, capsys):
    assert main(["compare", "amazon_10min", "--intervention", "once_a_day", "--seeds", "3", "--horizon", "100",
                 "--vary", "demand.mu=0.2:0.3", "--vary", "sellers.platform.period=1:3", "--out",
                 str(tmp_path / "v")]) == 0
    runs = pl.read_parquet(tmp_path / "v" / "runs.parquet")
    draws = runs.select("seed", "arm", "demand.mu", "sellers.platform.period").unique()
    assert draws.group_by("seed").agg(pl.col("demand.mu").n_unique())["demand.mu"].to_list() == [1, 1, 1]
    assert draws["demand.mu"].n_unique() == 3 and draws["demand.mu"].is_between(0.2, 0.3).all()
    assert draws["sellers.platform.period"].dtype == pl.Int64
    assert "demand.mu ~ uniform on [0.2, 0.3]" in (tmp_path / "v" / "compare.md").read_text()


@pytest.mark.parametrize("argv, message", [
    (["--vary", "demand.nu=0.1:0.2"], "--vary demand.nu=0.1:0.2: demand.nu: unknown field 'nu'"),
    (["--vary", "demand.mu=0.5:0.1"], "LOW = 0.5 > HIGH = 0.1"),
    (["--vary", "demand.mu"], "expected PATH=LOW:HIGH"),
    (["--intervention", "neutral_buybox,curfew"], "intervention 'curfew': unknown"),
])
def test_bad_uncertainty_and_package_input_exit_2_nothing_written(argv, message, tmp_path, capsys):
    out = tmp_path / "never"
    extra = [] if "--intervention" in argv else ["--intervention", "once_a_day"]
    assert main(["compare", "amazon_10min", "--out", str(out), *extra, *argv]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_caveats_say_what_deltas_benchmarks_include_and_the_bounds_where_no_pure_equilibrium_exists():
    dma = load("dma_self_preferencing")
    said = _benchmark_caveats(shorthand(dma, [interventions.named("neutral_buybox")], {}, "neutral_buybox"))
    assert "featured offer's attention, self-preference, the Buy Box rule, fees and owners" in said[0]
    b = dma.benchmarks
    assert any(line.startswith("In arm 'without', no static Nash equilibrium in pure prices exists")
               and f"{b.nash_industry_profit_low:.4g} and {b.nash_industry_profit_high:.4g}" in line for line in said)
    jrw = load("jrw2023_pdp").replace(training=None)
    said = _benchmark_caveats(shorthand(jrw, [interventions.named("pdp")], {}, "pdp"))
    assert len(said) == 2  # the display enters under pdp (both arms have pure equilibria), and the grids' floor:
    assert "start above that arm's static Nash prices: seller_a 1.428 (Nash 1)" in said[1]
    assert "would already show Delta 0.60" in said[1]
    calvano = shorthand(load("calvano2020"), [interventions.named("once_a_day")], {}, "once_a_day")
    assert _benchmark_caveats(calvano) == []
def first_periodic_tick(path: np.ndarray, period: int) -> int:
    """The first tick from which ``path`` repeats itself every ``period`` ticks to its end."""
    repeats = np.all(path[period:] == path[:-period], axis=1)
    return int(np.flatnonzero(~repeats)[-1] + 1)


def test_amazon_once_a_day_is_measured_on_the_settled_market_as_long_runs_measured_by_hand():
    """The shipped default: each arm warmed up until its prices repeat, both measured from the later warm-up. By
    hand: a long run of the engine alone (no [measure]) per seed and arm, its outcomes summed from the records of
    the ticks after the warm-up; the warm-up itself from the first tick of the once-a-day arm's 2-day cycle."""
    base = load("amazon_10min")
    arms = two_arms(base, base.with_interventions([interventions.named("once_a_day")]))
    runs = run_arms(arms, 2)
    window, check = base.warm_up_spans.window, -(-base.warm_up_spans.window // 4)
    long = {arm.name: engine.run(arm.scenario.replace(measure=None, horizon=2 * base.horizon)) for arm in arms}
    start = first_periodic_tick(long["with"].records.price, 288)  # once a day settles into a 2-day cycle ...
    assert first_periodic_tick(long["without"].records.price, 72) < start  # ... later than the market without
    warm_up = -(-(start + window) // check) * check
    assert runs["warm_up_ticks"].unique().to_list() == [warm_up] and runs["settled"].all()
    for seed in runs["seed"].unique():
        for arm in arms:
            state = engine.run(arm.scenario.replace(measure=None, seed=seed, horizon=warm_up + base.horizon))
            r = state.records
            price, quantity = r.price[warm_up:], r.quantity[warm_up:]
            by_hand = {"consumer_surplus": r.market[warm_up:, SURPLUS].mean(),
                       "weighted_price": (price * quantity).sum() / quantity.sum(),
                       "industry_profit": ((price - state.market.true_cost) * quantity).sum(axis=1).mean()}
            ours = runs.filter((pl.col("seed") == seed) & (pl.col("arm") == arm.name) & (pl.col("level") == "market"))
            for metric, value in by_hand.items():
                assert ours.filter(pl.col("metric") == metric)["value"][0] == pytest.approx(value, rel=1e-10)
    table = differences(runs, "without")
    # settled, the rule lowers the price consumers pay and raises their surplus; over the whole runs (the fall from
    # monopoly prices included) it seems to do the opposite
    price, surplus = market_row(table, "weighted_price"), market_row(table, "consumer_surplus")
    assert price["ci_high"] < 0 < price["whole_difference"] and surplus["whole_difference"] < 0 < surplus["ci_low"]


@pytest.mark.slow  # starts two worker processes
def test_the_numbers_are_the_same_for_any_number_of_workers():
    base = load("amazon_10min").with_values({"horizon": 300})
    arms = two_arms(base, base.with_interventions([interventions.named("once_a_day")]))
    serial = run_arms(arms, 3, workers=1)
    assert serial.equals(run_arms(arms, 3, workers=2))


@pytest.mark.slow  # eight runs of a month and their report
def test_the_report_says_what_it_measures_and_the_share_of_draws_of_each_sign(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["compare", "amazon_10min", "--intervention", "once_a_day", "--seeds", "4", "--horizon", "1500",
                 "--vary", "demand.mu=0.1:0.5", "--json", "--out", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    runs = pl.read_parquet(out / "runs.parquet")
    effects = runs.filter((pl.col("metric") == "consumer_surplus") & (pl.col("level") == "market")).pivot(
        "arm", index="seed", values="value").select(pl.col("with") - pl.col("without"))["with"]
    signs = result["arms"]["with"]["signs"]["consumer_surplus"]
    assert signs == {"positive": (effects > 0).mean(), "negative": (effects < 0).mean(), "n": 4}
    assert result["arms"]["with"]["warm_up"]["warmed_runs"] == 4
    report = (out / "compare.md").read_text()
    summary = report.split("## Assumptions")[0]
    assert f"consumer surplus rises in {signs['positive']:.0%} and falls in {signs['negative']:.0%}" in summary
    assert "![each seed's effect against each drawn parameter](uncertainty.png)" in summary
    assert (out / "uncertainty.png").stat().st_size > 10_000
    assert "Measured on the settled market" in summary and "## Measurement: the settled market" in report


@pytest.mark.parametrize("measure, horizon, message", [
    ('warm_up = "40d"', 4320, "measure.warm_up = '40d': 5,760 ticks, longer than the horizon (4,320 ticks)"),
    ('warm_up = 500', 300, "measure.warm_up = 500: 500 ticks, longer than the horizon (300 ticks)"),
    ('warm_up = "soon"', 4320, "measure.warm_up = 'soon': must be a number of ticks or a duration"),
])
def test_a_warm_up_longer_than_the_horizon_or_malformed_exits_2_nothing_written(measure, horizon, message,
                                                                                tmp_path, capsys):
    config = tmp_path / "market.toml"
    text = (load("amazon_10min").replace(measure=None).to_toml()).replace("\n[demand]", f"\n[measure]\n{measure}\n\n"
                                                                                         "[demand]", 1)
    config.write_text(text)
    for command in (["run", str(config)], ["compare", str(config), "--intervention", "once_a_day"]):
        out = tmp_path / command[0]
        assert main([*command, "--horizon", str(horizon), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
        assert not out.exists()
