import json
import subprocess
import sys

import polars as pl
import pytest

from experiments.cli import main

AMAZON = "experiments/configs/amazon_10min.toml"


def test_run_writes_results_and_prints_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", AMAZON, "--out", str(out), "--horizon", "288"]) == 0
    printed = capsys.readouterr().out
    assert "Delta" in printed and "platform" in printed
    ts = pl.read_parquet(out / "timeseries.parquet")
    assert ts.height == 288 * 5 and set(ts["seller"].unique()) == {"platform", "shop_hourly", "shop_6h",
                                                                      "shop_daily", "brand"}
    summary = pl.read_parquet(out / "summary.parquet")
    assert summary.height == 1 and summary["ticks"][0] == 288
    sellers = pl.read_parquet(out / "sellers.parquet")
    assert sellers["share"].sum() == pytest.approx(1.0)
    assert not list(out.glob("*.tmp"))


def test_run_measures_after_the_warm_up_and_says_so(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", AMAZON, "--out", str(out), "--horizon", "1500"]) == 0
    printed = capsys.readouterr().out
    assert "warmed up 1,008 ticks (7 days): settled in a cycle of 72 ticks (0.5 days)" in printed
    assert "measured after a warm-up of 1,008 ticks" in printed
    summary = pl.read_parquet(out / "summary.parquet").row(0, named=True)
    assert (summary["ticks"], summary["warm_up_ticks"], summary["settled"], summary["settled_by"],
            summary["cycle_ticks"]) == (1500, 1008, True, "cycle", 72)
    assert pl.read_parquet(out / "timeseries.parquet")["tick"].min() == 1008


def test_benchmarks_json_matches_calvano(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text("""
name = "calvano"
[demand]
mu = 0.25
[[sellers]]
name = "a"
[[sellers]]
name = "b"
""")
    assert main(["benchmarks", str(config), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["nash_price"] == pytest.approx([1.47293, 1.47293], abs=1e-5)
    assert data["monopoly_profit"] == pytest.approx([0.33749, 0.33749], abs=1e-5)


BAD_CONFIGS = {
    "unknown strategy": ('strategy = "cost_plus"', 'strategy = "magic"', "sellers[4].strategy = 'magic'"),
    "negative cost": ("cost = 0.95", "cost = -0.95", "sellers[2].cost = -0.95"),
    "mu zero": ("mu = 0.25", "mu = 0.0", "demand.mu = 0.0"),
    "period zero": ("period = 36", "period = 0", "sellers[2].period = 0"),
    "lag beyond history": ("lag = 36", "lag = 5000", "sellers[3].lag = 5000: must be < history"),
    "nan": ("shoppers_per_tick = 100.0", "shoppers_per_tick = nan", "demand.shoppers_per_tick = nan"),
    "unknown key": ("seed = 2019", "seed = 2019\nsede = 3", "sede: unknown field"),
    "training max ticks zero": ("[demand]", "[training]\nmax_ticks = 0\n\n[demand]",
                                "training.max_ticks = 0: Input should be greater than or equal to 1"),
    "training typo": ("[demand]", "[training]\nstable_tick = 5\n\n[demand]",
                      "training.stable_tick: unknown field"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_one_line_exit_2_and_writes_nothing(case, tmp_path, capsys):
    old, new, expected = BAD_CONFIGS[case]
    text = open(AMAZON).read()
    assert old in text
    config = tmp_path / "bad.toml"
    config.write_text(text.replace(old, new, 1))
    out = tmp_path / "out"
    assert main(["run", str(config), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pricelab: error: ") and expected in err and err.count("\n") == 1
    assert not out.exists()


def test_missing_file_and_out_is_a_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err
    afile = tmp_path / "file"
    afile.write_text("x")
    assert main(["run", AMAZON, "--out", str(afile)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_console_command_exits_2_without_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "experiments.cli", "run", str(tmp_path / "none.toml")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_bench_json_lines(capsys):
    assert main(["bench", "--json", "--only", "model_step"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert records and all(set(r) == {"name", "value", "unit"} and r["value"] > 0 for r in records)


def test_bench_two_dashboard_sessions_measures_each_sessions_frames(capsys, monkeypatch):
    from experiments.bench import dashboard
    monkeypatch.setattr(dashboard, "FRAMES", 2)
    assert main(["bench", "--json", "--only", "two_sessions"]) == 0
    records = {r["name"]: r for r in map(json.loads, capsys.readouterr().out.strip().splitlines())}
    for name in ("amazon_10min", "amazon_10min.once_a_day"):
        frame = records[f"dashboard.two_sessions_frame_of_each.{name}"]
        fps = records[f"dashboard.two_sessions_fps_each.{name}"]
        assert frame["unit"] == "ms" and fps["unit"] == "frames/s"
        assert fps["value"] == pytest.approx(min(1e3 / frame["value"], 20.0))


def test_run_trains_first_and_reports_the_frozen_play(tmp_path, capsys):
    out = tmp_path / "trained"
    assert main(["run", "calvano2020", "--train", "10000000", "--horizon", "5000", "--out", str(out)]) == 0
    assert "trained: converged after" in capsys.readouterr().out
    summary = pl.read_parquet(out / "summary.parquet")
    assert summary["ticks"][0] == 5000
    ts = pl.read_parquet(out / "timeseries.parquet")
    assert ts["tick"].min() > 1_000_000  # recorded from the end of training
    assert ts.group_by("seller").agg(pl.col("price").n_unique())["price"].max() == 1  # frozen: a steady state


def test_a_training_table_trains_first_and_the_results_say_so(tmp_path, capsys):
    out = tmp_path / "assad"
    assert main(["run", "assad2024", "--horizon", "300", "--out", str(out)]) == 0
    assert "trained: converged after" in capsys.readouterr().out
    summary = pl.read_parquet(out / "summary.parquet").row(0, named=True)
    assert summary["trained"] and summary["converged"] and summary["learners"] == 2
    assert summary["ticks"] == 300 and summary["training_ticks"] >= 100_000
    ts = pl.read_parquet(out / "timeseries.parquet")
    assert ts["tick"].min() == summary["training_ticks"]  # the books start where training ended
    assert main(["run", AMAZON, "--horizon", "300", "--out", str(tmp_path / "plain")]) == 0
    untrained = pl.read_parquet(tmp_path / "plain" / "summary.parquet")
    assert untrained["trained"][0] is False and untrained["converged"][0] is None


def test_run_train_needs_a_learner(tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["run", AMAZON, "--train", "1000", "--out", str(out)]) == 2
    assert "--train = 1000" in capsys.readouterr().err
    assert not out.exists()
