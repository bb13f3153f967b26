"""pricelab replicate: bad input names the flag (exit 2) before work; short runs write JSON and a report."""

import json

import numpy as np
import polars as pl
import pytest

from experiments import papers
from experiments.cli import main


@pytest.mark.parametrize(("argv", "message"), [
    (["calvano2020", "--alpha", "0"], "--alpha = 0.0: must be in (0, 1]"),
    (["calvano2020", "--alpha", "1.5"], "--alpha = 1.5"),
    (["calvano2020", "--beta", "-1"], "--beta = -1.0"),
    (["calvano2020", "--delta", "1"], "--delta = 1.0: must be in [0, 1)"),
    (["calvano2020", "--m", "1"], "--m = 1"),
    (["calvano2020", "--n-firms", "8"], "--n-firms = 8"),
    (["calvano2020", "--costs", "1,a"], "--costs = '1,a'"),
    (["calvano2020", "--costs", "1,1", "--n-firms", "3"], "--costs gives 2, --n-firms gives 3: must agree"),
    (["calvano2020", "--qualities", "2,2,2", "--costs", "1,1"], "--costs gives 2, --qualities gives 3"),
    (["calvano2020", "--costs", "1,-1"], "--costs = '1,-1': every value must be a number in [0, 1e+06]"),
    (["calvano2020", "--sessions", "0"], "argument --sessions: 0: must be from 1"),
    (["calvano2020", "--workers", "0"], "argument --workers: 0: must be from 1"),
    (["klein2021", "--beta", "1e-5"], "--beta: applies to calvano2020 only"),
    (["klein2021", "--k", "0"], "argument --k: 0: must be from 1"),
    (["klein2021", "--alpha", "2"], "--alpha = 2.0"),
])
def test_bad_input_is_one_line_naming_the_flag(argv, message, capsys, tmp_path):
    assert main(["replicate", *argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pricelab: error: ") and message in err and "\n" not in err
    assert not (tmp_path / "r").exists()


def test_calvano_short_run_prints_json_and_writes_report(capsys, tmp_path):
    out = tmp_path / "calvano"
    argv = ["replicate", "calvano2020", "--sessions", "4", "--beta", "2e-4", "--workers", "1", "--json",
            "--out", str(out)]
    assert main(argv) == 0
    numbers = json.loads(capsys.readouterr().out)
    assert numbers["sessions"] == 4 and numbers["converged_share"] == 1.0
    assert 0.0 < numbers["delta_mean"] < 1.0 and numbers["delta_sd"] >= 0.0 and numbers["periods_mean"] > 1e5
    assert set(numbers) >= {"nash_share", "unprofitable_deviation_share", "cycle_lengths", "price_mean", "ic_share",
                            "price_response_mean", "punishment_length_mean"}
    tests = {row["statistic"]: row for row in numbers["inference"]}
    assert tests["delta_mean"]["estimate"] == numbers["delta_mean"] and tests["delta_mean"]["paper"] is None
    assert tests["delta_mean"]["ci_low"] < numbers["delta_mean"] < tests["delta_mean"]["ci_high"]
    report = (out / "report.md").read_text()
    assert "## The paper and us" in report and "differs from the paper's baseline in {'beta': 0.0002}" in report
    assert "The paper reports no figure for this design." in report  # never the baseline's figures beside it
    sessions = pl.read_parquet(out / "sessions.parquet")
    assert sessions["session"].to_list() == [0, 1, 2, 3] and sessions["converged"].all()
    assert sessions["delta"].mean() == pytest.approx(numbers["delta_mean"], rel=1e-12)
    assert {"price_0", "price_1", "delta_0", "is_nash", "one_shot_proof", "ic_share", "deviation_rows"} <= set(
        sessions.columns)
    pooled = (sessions["ic_share"] * sessions["deviation_rows"]).sum() / sessions["deviation_rows"].sum()
    assert numbers["ic_share"] == pytest.approx(pooled, rel=1e-12)
    for name in ("delta_histogram.png", "cycle_lengths.png", "impulse_response.png"):
        assert (out / name).stat().st_size > 1000 and name in report


def test_klein_short_run_and_unequal_costs(capsys, tmp_path):
    assert main(["replicate", "klein2021", "--sessions", "3", "--periods", "30000", "--theta", "4.6e-4",
                 "--workers", "1", "--json", "--out", str(tmp_path / "k")]) == 0
    numbers = json.loads(capsys.readouterr().out)
    assert numbers["paper"] == "klein2021" and 0.0 <= numbers["constant_share"] <= 1.0
    assert main(["replicate", "calvano2020", "--sessions", "2", "--costs", "1,1.1", "--qualities", "2,2.1",
                 "--beta", "5e-4",
                 "--workers", "1", "--json", "--out", str(tmp_path / "c")]) == 0
    assert json.loads(capsys.readouterr().out)["sessions"] == 2


def test_shipped_scenarios_give_calvanos_benchmarks(capsys):
    assert main(["benchmarks", "calvano2020", "--json"]) == 0
    b = json.loads(capsys.readouterr().out)
    assert b["nash_price"][0] == pytest.approx(1.47293, abs=1e-5)
    assert b["monopoly_price"][1] == pytest.approx(1.92498, abs=1e-5)
    assert main(["benchmarks", "klein2021", "--json"]) == 0


@pytest.mark.slow
def test_alpha_beta_grid_heatmap(tmp_path):
    """One session per cell of the 5 x 5 grid (about 10 s on one core): Delta per cell, and the heatmap."""
    from experiments import replicate
    from market.learning.qlearning import QLearningSetup

    setup = QLearningSetup.calvano()
    grid = replicate.run_grid(setup, 1, 1, 3)
    assert grid.shape == (5, 5) and np.all((grid > 0.0) & (grid < 1.0))
    results, wall = replicate.run("calvano2020", QLearningSetup.calvano(beta=2e-4), 2, 1, 1, progress=False)
    numbers = replicate.headline("calvano2020", results, wall)
    replicate.write_report(tmp_path, "calvano2020", setup, numbers, results, grid, dict(papers.CALVANO_BASELINE))
    assert (tmp_path / "alpha_beta_heatmap.png").stat().st_size > 1000


def test_published_figures_apply_to_their_own_design_only():
    baseline = dict(papers.CALVANO_BASELINE)
    assert {f.value for f in papers.figures("calvano2020", baseline) if f.statistic == "delta_mean"} == {0.849}
    three = {**baseline, "n": 3, "costs": (1.0,) * 3, "qualities": (2.0,) * 3}
    assert [f.value for f in papers.figures("calvano2020", three) if f.statistic == "delta_mean"] == [0.643]
    assert [f.value for f in papers.figures("calvano2020", {**baseline, "costs": (1.0, 0.5)})] == [0.759]
    assert papers.figures("calvano2020", {**baseline, "alpha": 0.1}) == []
    assert [f.value for f in papers.figures("klein2021", {**papers.KLEIN_BASELINE, "k": 12})] == [0.101]


def test_the_baseline_report_tests_every_published_figure(tmp_path):
    """On the paper's design every published statistic gets the paper's figure, our estimate with its standard
    error and interval, and z and p; a figure with a derivable standard error counts it in z."""
    from experiments import replicate
    from market.learning.qlearning import QLearningSetup

    results, wall = replicate.run("calvano2020", QLearningSetup.calvano(beta=2e-4), 3, 1, 7, progress=False)
    numbers = replicate.headline("calvano2020", results, wall)  # tested against the baseline's figures
    rows = {(r["statistic"], r["label"]): r for r in numbers["inference"]}
    published = papers.figures("calvano2020", dict(papers.CALVANO_BASELINE))
    assert {(f.statistic, f.label) for f in published} <= set(rows)
    assert {f.statistic for f in published} >= {"ic_share", "unprofitable_deviation_share", "price_response_mean",
                                                 "punishment_length_mean", "delta_mean", "cycle_share_1"}
    for f in published:
        r = rows[(f.statistic, f.label)]
        scale = np.hypot(r["se"], f.se or 0.0)
        if scale > 0:
            assert r["z"] == pytest.approx((r["estimate"] - f.value) / scale)
            assert 0.0 <= r["p"] <= 1.0
    replicate.write_report(tmp_path, "calvano2020", QLearningSetup.calvano(), numbers, results, None,
                           dict(papers.CALVANO_BASELINE))
    report = (tmp_path / "report.md").read_text()
    assert "| `ic_share`:" in report and "first-hand" in report and "| z | p |" in report
