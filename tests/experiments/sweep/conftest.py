"""Small sweeps on the seed market: short horizons so every test runs in about a second.

Specs are written next to a copy of the seed market taken when the test starts (``market.toml``),
so that runs compared within a test share their base scenario even if the shipped one changes.
"""

import polars as pl
import pytest

from experiments import configs

SPEC = """
name = "small"
base = "market.toml"
master_seed = 7
seeds = {seeds}

[set]
horizon = {horizon}

[grid]
"sellers.platform.period" = [1, 6]
demand.mu = [0.2, 0.3]

[keep]
metrics = ["delta", "mean_price", "consumer_surplus"]
timeseries_stride = {stride}
"""


@pytest.fixture
def write_spec(tmp_path):
    """``write_spec(seeds=2, horizon=288, stride=144, text=None)`` -> path of a spec file in tmp_path."""

    (tmp_path / "market.toml").write_text(configs.load("amazon_10min").to_toml())

    def write(seeds: int = 2, horizon: int = 288, stride: int = 144, text: str | None = None, name: str = "spec"):
        path = tmp_path / f"{name}.toml"
        path.write_text(text if text is not None else SPEC.format(seeds=seeds, horizon=horizon, stride=stride))
        return path

    return write


@pytest.fixture
def read_folder():
    """``read_folder(folder, kind="runs")``: every complete Parquet file there, sorted by run then tick."""

    def read(folder, kind: str = "runs") -> pl.DataFrame:
        frame = pl.read_parquet(folder / kind / "*.parquet", hive_partitioning=False)
        return frame.sort([c for c in ("run_index", "run_id", "tick", "seller") if c in frame.columns])

    return read
