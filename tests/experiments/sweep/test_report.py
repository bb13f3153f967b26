import numpy as np
import polars as pl
import pytest
from scipy import stats

from experiments.cli import main
from experiments.sweep.report import confidence


@pytest.fixture
def swept(write_spec, tmp_path):
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec(seeds=3)), "--out", str(out)]) == 0
    return out


def test_confidence_interval_is_student_t_across_seeds():
    frame = pl.DataFrame({"x": [1, 1, 1, 2, 2, 2, 3], "m": [1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 7.0]})
    ci = confidence(frame, ["x"], ["m"])
    assert ci["x"].to_list() == [1, 2, 3] and ci["n"].to_list() == [3, 3, 1]
    assert ci["m"].to_list() == pytest.approx([7 / 3, 5.0, 7.0])
    expected = stats.t.ppf(0.975, 2) * np.std([1.0, 2.0, 4.0], ddof=1) / np.sqrt(3)
    assert ci["m_ci"][0] == pytest.approx(expected) and ci["m_ci"][1] == 0.0
    assert ci["m_ci"][2] is None or np.isnan(ci["m_ci"][2])


def test_report_writes_markdown_and_figures(swept, capsys):
    assert main(["report", str(swept)]) == 0
    report = swept / "report"
    assert sorted(p.name for p in report.iterdir()) == [
        "heatmap_sellers_platform_period_x_demand_mu.png", "metrics_vs_demand_mu.png",
        "metrics_vs_sellers_platform_period.png", "report.md"]
    for png in report.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    text = (report / "report.md").read_text()
    assert "Runs: 12 finished, 0 failed, 12 in all." in text
    assert "![heatmap_sellers_platform_period_x_demand_mu.png](heatmap_sellers_platform_period_x_demand_mu.png)" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "±" in line]
    runs = pl.read_parquet(swept / "runs" / "*.parquet")
    first = runs.filter((pl.col("sellers.platform.period") == 1) & (pl.col("demand.mu") == 0.2))["delta"]
    assert len(rows) == 4 and rows[0].startswith(f"| 1 | 0.2 | 3 | {first.mean():.4g} ± ")


def test_results_exports_every_run_once_in_run_order(swept, tmp_path, capsys):
    runs = pl.read_parquet(swept / "runs" / "*.parquet").sort("run_index")
    assert main(["results", str(swept), "--format", "parquet", "--output", str(tmp_path / "all.parquet")]) == 0
    assert pl.read_parquet(tmp_path / "all.parquet").equals(runs)
    assert main(["results", str(swept), "--format", "csv", "--output", str(tmp_path / "all.csv")]) == 0
    assert pl.read_csv(tmp_path / "all.csv")["run_id"].to_list() == runs["run_id"].to_list()
    capsys.readouterr()
    assert main(["results", str(swept)]) == 0
    assert "shape: (12, 19)" in capsys.readouterr().out  # 3 ids, run columns, 2 paths, ticks, 4 training,
    # 4 warm-up, 3 metrics


@pytest.mark.parametrize(("argv", "expected"), [
    (["results", "{out}", "--format", "xlsx"], "--format 'xlsx': unknown; allowed: table, csv, parquet"),
    (["results", "{out}", "--format", "parquet"], "--format parquet: needs --output FILE"),
    (["status", "{tmp}"], "not a sweep folder"),
    (["report", "{tmp}"], "not a sweep folder"),
])
def test_bad_folder_or_format_is_one_line_exit_2(argv, expected, swept, tmp_path, capsys):
    argv = [a.format(out=swept, tmp=tmp_path / "empty") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err


def test_three_axes_average_over_many_other_lines_and_skip_heatmaps(write_spec, tmp_path):
    text = ('base = "market.toml"\nseeds = 2\n[set]\nhorizon = 144\n[grid]\n"sellers.platform.period" = [1, 6]\n'
            '"sellers.shop_daily.period" = [72, 144, 288]\n"demand.mu" = [0.2, 0.25, 0.3]\n'
            '[keep]\nmetrics = ["delta"]\n')
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec(text=text)), "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    names = sorted(p.name for p in (out / "report").iterdir())
    assert names == ["metrics_vs_demand_mu.png", "metrics_vs_sellers_platform_period.png",
                     "metrics_vs_sellers_shop_daily_period.png", "report.md"]
    assert sum(line.startswith("| ") for line in (out / "report" / "report.md").read_text().splitlines()) == 1 + 18


def test_report_gives_paired_effects_against_a_baseline_value(swept, capsys):
    assert main(["report", str(swept), "--baseline", "sellers.platform.period=1"]) == 0
    effects = pl.read_parquet(swept / "report" / "effects.parquet")
    runs = pl.read_parquet(swept / "runs" / "*.parquet")
    assert set(effects["sellers.platform.period"]) == {6} and set(effects["demand.mu"]) == {0.2, 0.3}
    for row in effects.filter(pl.col("metric") == "mean_price").iter_rows(named=True):
        point = runs.filter(pl.col("demand.mu") == row["demand.mu"]).sort("replicate")
        d = (point.filter(pl.col("sellers.platform.period") == 6)["mean_price"].to_numpy()
             - point.filter(pl.col("sellers.platform.period") == 1)["mean_price"].to_numpy())
        half = stats.t.ppf(0.975, 2) * d.std(ddof=1) / np.sqrt(3)
        assert row["n"] == 3 and row["difference"] == pytest.approx(d.mean(), rel=1e-12)
        assert row["ci_high"] == pytest.approx(d.mean() + half, rel=1e-9)
    assert "## Effects against sellers.platform.period = 1" in (swept / "report" / "report.md").read_text()


@pytest.mark.parametrize(("value", "message"), [
    ("sellers.platform.period=3", "not a swept value; values: 1, 6"),
    ("horizon=288", "not a swept path; swept: sellers.platform.period, demand.mu"),
])
def test_report_refuses_a_baseline_that_is_not_swept(swept, value, message, capsys):
    assert main(["report", str(swept), "--baseline", value]) == 2
    assert message in capsys.readouterr().err


def test_the_effect_chart_draws_the_paired_differences_and_finds_sign_changes(swept):
    from experiments.sweep.effects import paired_effects
    from experiments.sweep.report import effect_lines, sign_changes

    runs = pl.read_parquet(swept / "runs" / "*.parquet")
    paths = ["sellers.platform.period", "demand.mu"]
    effects = paired_effects(runs, paths, "sellers.platform.period", 1, ["consumer_surplus"])
    (line,) = effect_lines(effects, paths, "sellers.platform.period", "consumer_surplus")
    assert line["x"] == [0.2, 0.3]
    for x, y in zip(line["x"], line["difference"], strict=True):
        point = runs.filter(pl.col("demand.mu") == x).sort("replicate")
        d = (point.filter(pl.col("sellers.platform.period") == 6)["consumer_surplus"].to_numpy()
             - point.filter(pl.col("sellers.platform.period") == 1)["consumer_surplus"].to_numpy())
        assert y == pytest.approx(d.mean(), rel=1e-12)
    assert sign_changes([0.1, 0.2, 0.5, 1.0], [-5.7, -1.0, 0.28, 0.3]) == [0.35]
    assert sign_changes(["a", "b"], [1.0, -1.0]) == [0.5] and sign_changes([1, 2], [1.0, 2.0]) == []


CATEGORIES = """
name = "rules"
base = "amazon_10min"
seeds = 2
[set]
horizon = 144
[grid]
interventions = [[], ["once_a_day"], [{ kind = "min_lag", ticks = 6, name = "min_lag_a" }],
                 [{ kind = "min_lag", ticks = 12, name = "min_lag_b" }]]
"""

ONE_AXIS = """
name = "periods"
base = "amazon_10min"
seeds = 2
[set]
horizon = 144
[grid]
"sellers.platform.period" = [1, 6, 36]
"""


def test_a_sweep_over_rules_draws_labelled_categories(write_spec, tmp_path):
    """Rules whose JSON starts alike stay apart (one x each), labelled by their names."""
    from experiments.sweep.report import _positions

    out = tmp_path / "rules"
    assert main(["sweep", str(write_spec(text=CATEGORIES, name="rules")), "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    values = pl.read_parquet(out / "runs" / "*.parquet")["interventions"].unique().sort().to_list()
    x, labels, numeric = _positions(values, "interventions")
    assert not numeric and sorted(x) == [0, 1, 2, 3]
    assert sorted(labels) == ["min_lag_a", "min_lag_b", "none", "once_a_day"]
    assert (out / "report" / "metrics_vs_interventions.png").stat().st_size > 10_000


def test_a_one_axis_sweep_draws_effects_at_the_swept_values_in_hours(write_spec, tmp_path):
    from experiments.sweep.report import _positions, clock, effect_lines

    out = tmp_path / "periods"
    assert main(["sweep", str(write_spec(text=ONE_AXIS, name="periods")), "--out", str(out)]) == 0
    assert main(["report", str(out), "--baseline", "sellers.platform.period=1"]) == 0
    effects = pl.read_parquet(out / "report" / "effects.parquet")
    (line,) = effect_lines(effects, ["sellers.platform.period"], "sellers.platform.period", "delta")
    assert line["x"] == [6, 36], "each swept value at its own x, not all at 0"
    x, labels, numeric = _positions([1, 6, 36], "sellers.platform.period", minutes=10)
    assert numeric and list(x) == [1, 6, 36] and labels == ["10 min", "1 h", "6 h"]
    assert [clock(m) for m in (5, 90, 1440, 10080, 2000)] == ["5 min", "1.5 h", "1 d", "7 d", "1.4 d"]
    assert (out / "report" / "effects_vs_sellers_platform_period.png").stat().st_size > 10_000
