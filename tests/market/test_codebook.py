"""Every column of every Parquet file the project writes is in the codebook, and the file says so itself."""

import json
from pathlib import Path

import polars as pl
import pytest

from dashboard.export import lab_table, to_bytes
from dashboard.lab import Lab
from experiments.cli import main
from market import codebook, engine

ROOT = Path(__file__).resolve().parents[2]

SPEC = """
name = "codebook"
base = "amazon_10min"
seeds = 2
[set]
horizon = 20
[grid]
"sellers.platform.period" = [1, 2]
[keep]
sellers = ["profit"]
roles = ["margin"]
timeseries_stride = 10
"""


def written_files(tmp_path: Path, monkeypatch) -> list[Path]:
    """Run every command that writes Parquet, on tiny markets; return the files."""
    assert main(["run", "amazon_10min", "--horizon", "20", "--out", str(tmp_path / "run")]) == 0
    assert main(["compare", "amazon_10min", "--intervention", "once_a_day", "--seeds", "2", "--horizon", "20",
                 "--out", str(tmp_path / "compare")]) == 0
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    advance = engine.advance

    def fail_once(state, n_ticks, pricers=None):  # one failing run, so that failures/ is written too
        if state.sellers.period[0] == 2 and state.clock[0] == 0 and n_ticks > 0:
            raise RuntimeError("boom")
        return advance(state, n_ticks, pricers)

    monkeypatch.setattr(engine, "advance", fail_once)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "sweep")]) == 1
    monkeypatch.setattr(engine, "advance", advance)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "sweep2")]) == 0
    assert main(["report", str(tmp_path / "sweep2"), "--baseline", "sellers.platform.period=1"]) == 0
    assert main(["results", str(tmp_path / "sweep2"), "--format", "parquet", "--output",
                 str(tmp_path / "all.parquet")]) == 0
    for paper, extra in (("calvano2020", ["--beta", "5e-4"]), ("klein2021", ["--periods", "20000"])):
        assert main(["replicate", paper, "--sessions", "2", "--workers", "1", "--out", str(tmp_path / paper),
                     *extra]) == 0
    (tmp_path / "export.parquet").write_bytes(to_bytes(lab_table(Lab()), "parquet"))
    return sorted(tmp_path.rglob("*.parquet"))


@pytest.mark.slow  # a few seconds (training a market)
def test_every_written_column_is_described_in_the_file_and_in_the_codebook(tmp_path, monkeypatch, capsys):
    files = written_files(tmp_path, monkeypatch)
    kinds = {f.relative_to(tmp_path).parts[0] for f in files}
    assert kinds >= {"run", "compare", "sweep", "sweep2", "all.parquet", "calvano2020", "klein2021",
                     "export.parquet"}
    assert any(f.parent.name == "failures" for f in files) and any(f.name == "effects.parquet" for f in files)
    for path in files:
        columns = pl.read_parquet_schema(path)
        assert list(columns)[:3] == ["scenario", "seed", "run_id"], path
        assert [columns[c] for c in ("scenario", "seed", "run_id")] == [pl.String, pl.Int64, pl.String], path
        entries = json.loads(pl.read_parquet_metadata(path)["pricelab.codebook"])
        assert list(entries) == list(columns), path
        for column, entry in entries.items():
            assert entry == {"description": codebook.describe(column).description,
                             "unit": codebook.describe(column).unit}
            assert len(entry["description"]) > 10 and entry["unit"], (path, column)


@pytest.mark.slow  # a few seconds (a run, a comparison and a replication)
def test_sampled_values_say_what_the_codebook_says(tmp_path):
    """The codebook's wording checked against the values of a run, a comparison and a replication."""
    from market import catalog, results
    from market.scenario import Scenario

    assert main(["run", "amazon_10min", "--horizon", "300", "--out", str(tmp_path / "run")]) == 0
    scenario = Scenario.from_toml(tmp_path / "run" / "scenario.toml")
    read = {name: pl.read_parquet(tmp_path / "run" / f"{name}.parquet")
            for name in ("timeseries", "market_timeseries", "sellers", "summary")}
    for frame in read.values():  # "the same run has the same id in every file"
        assert frame["run_id"].unique().to_list() == [results.run_id(scenario)]
        assert frame["seed"].unique().to_list() == [scenario.seed] == [catalog.load("amazon_10min").seed]
    series, sellers, summary = read["timeseries"], read["sellers"], read["summary"]
    assert ((series["day"] - series["tick"] / scenario.ticks_per_day).abs() < 1e-12).all()  # "tick / ticks per day"
    per_tick = series.group_by("tick").agg(pl.col("featured").sum()).sort("tick")
    assert per_tick["featured"].max() <= 1  # one featured offer at most per tick
    holders = series.filter("featured").select("tick", "seller").join(read["market_timeseries"], on="tick")
    assert (holders["seller"] == holders["featured_seller"]).all()  # "the seller holding the featured offer"
    assert abs(sellers["share"].sum() - 1.0) < 1e-12  # "share of units sold"
    assert abs(summary["mean_price"][0] - sellers["mean_price"].mean()) < 1e-12  # "the unweighted mean over sellers"

    assert main(["replicate", "calvano2020", "--sessions", "2", "--workers", "1", "--beta", "5e-4", "--seed", "7",
                 "--out", str(tmp_path / "calvano")]) == 0
    sessions = pl.read_parquet(tmp_path / "calvano" / "sessions.parquet")
    assert sessions["master_seed"].to_list() == [7, 7] and sessions["beta"].to_list() == [5e-4, 5e-4]
    assert sessions["alpha"][0] == 0.15 and sessions["discount"][0] == 0.95  # Calvano et al.'s baseline
    assert sessions["run_id"].n_unique() == 2 and sessions["scenario"].to_list() == ["calvano2020"] * 2
    cycle = sessions.select("price_0", "price_1").to_numpy()
    grid_low, grid_high = 1.4, 2.0  # the limit cycle's mean lies on Calvano's grid (Nash 1.47, monopoly 1.93)
    assert ((cycle > grid_low) & (cycle < grid_high)).all(), cycle
    assert "limit cycle" in codebook.describe("price_0").description


def test_pandas_reads_the_results_as_readme_says(tmp_path):
    """README: results are tidy Parquet that ``pandas.read_parquet`` reads (pyarrow is installed with pricelab)."""
    import pandas as pd

    assert main(["run", "amazon_10min", "--horizon", "20", "--out", str(tmp_path)]) == 0
    frame = pd.read_parquet(tmp_path / "timeseries.parquet")
    assert list(frame.columns[:3]) == ["scenario", "seed", "run_id"] and str(frame["seed"].dtype) == "int64"
    assert len(frame) == 20 * pl.read_parquet(tmp_path / "sellers.parquet").height


def test_named_columns_and_unknown_ones():
    assert codebook.describe("seller.shop_a.profit").description.startswith("seller shop_a: the seller's profit")
    assert codebook.describe("role.brand.margin").unit == "currency per unit"
    assert codebook.describe("sellers.platform.period").unit == "as the scenario field"
    assert codebook.describe("price_1").description.startswith("seller 1 (from 0): ")
    with pytest.raises(KeyError, match="'colour' is not in the codebook"):
        codebook.describe("colour")
    with pytest.raises(KeyError):
        codebook.describe("seller.shop_a.colour")


def test_codebook_file_is_generated_from_the_module():
    assert (ROOT / "CODEBOOK.md").read_text() == codebook.render()
