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
        entries = json.loads(pl.read_parquet_metadata(path)["pricelab.codebook"])
        assert list(entries) == list(columns), path
        for column, entry in entries.items():
            assert entry == {"description": codebook.describe(column).description,
                             "unit": codebook.describe(column).unit}
            assert len(entry["description"]) > 10 and entry["unit"], (path, column)


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
