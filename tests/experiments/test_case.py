"""The worked case's inputs: the made price panel is what its script makes, and the fragment merges into the twin."""

from pathlib import Path

import polars as pl

from experiments.case.make_prices import made_prices
from market.calibration.twin import read_fragment

CASE = Path("experiments/case")


def test_the_committed_prices_are_made_by_the_script(tmp_path):
    made = tmp_path / "prices.csv"
    made_prices().write_csv(made, datetime_format="%Y-%m-%d %H:%M")
    assert made.read_text() == (CASE / "prices.csv").read_text()
    frame = pl.read_csv(made)
    assert set(frame["seller"]) == {"F1B06", "F2B05", "F3B06"} and frame["buy_box"].dtype == pl.Boolean


def test_the_fragment_names_the_case_sellers():
    assert [t["name"] for t in read_fragment(CASE / "repricers.toml")] == ["F2B05", "F3B06"]
