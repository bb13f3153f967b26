"""``pricelab screen``: on a run's timeseries.parquet, on a CSV of irregular observations, against a calibration;
bad input is one line, exit 2, nothing written."""

import json
import math
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from experiments.cli import main
from market.screens import catalog

AMAZON = "experiments/configs/amazon_10min.toml"


def _scraped(path, n_rows: int = 300, seed: int = 0) -> None:
    """Three sellers' prices observed at irregular times (every 1 to 20 minutes), as a CSV."""
    rng = np.random.default_rng(seed)
    minutes = np.cumsum(rng.integers(1, 21, n_rows))
    start = datetime(2024, 5, 1, 8, 0)
    pl.DataFrame({"time": [start + timedelta(minutes=int(m)) for m in minutes],
                  "seller": rng.choice(["amazon", "shop_x", "shop_y"], n_rows),
                  "price": np.round(20.0 + np.cumsum(rng.normal(0.0, 0.05, n_rows)), 2)}).write_csv(path)


def test_screens_a_runs_own_timeseries_with_its_costs_and_nash_prices(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", AMAZON, "--out", str(out), "--horizon", "600"]) == 0
    capsys.readouterr()
    assert main(["screen", str(out / "timeseries.parquet"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["grid"]["points"] == 600 and report["sellers"][0] == "platform"
    assert set(report["scores"]) == set(catalog.NAMES)
    assert all(math.isfinite(v) for v in report["scores"].values())  # cost and nash_price from sellers.parquet


def test_screens_a_csv_of_irregular_observations_on_the_stated_grid(tmp_path, capsys):
    _scraped(tmp_path / "scraped.csv")
    assert main(["screen", str(tmp_path / "scraped.csv"), "--step", "10", "--calibration", "none"]) == 0
    printed = capsys.readouterr().out
    assert "3 sellers (amazon, shop_x, shop_y)" in printed and "every 10 minutes from 2024-05-01" in printed
    assert "parallelism" in printed and "markup_over_nash" in printed and "nan" in printed
    assert "calibration:" not in printed


def test_the_shipped_calibration_is_used_by_default_with_inert_screens_and_coverage_warnings(tmp_path, capsys):
    _scraped(tmp_path / "scraped.csv")
    shuffled = pl.read_csv(tmp_path / "scraped.csv").sample(fraction=1.0, shuffle=True, seed=1)
    shuffled.write_csv(tmp_path / "shuffled.csv")
    assert main(["screen", str(tmp_path / "shuffled.csv"), "--step", "10"]) == 0
    printed = capsys.readouterr().out
    assert "note: rows were not in time order: sorted by time" in printed
    assert "calibration: 600 simulated markets" in printed and "inert" in printed
    assert "warning: outside the calibration: mean price" in printed  # prices near 20, the markets' near 1
    assert main(["screen", str(tmp_path / "shuffled.csv"), "--step", "10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    flags = report["calibration"]["flags"]
    assert flags["lead_follow"]["status"] == "inert" and flags["lerner"]["status"] == "n/a"
    assert report["calibration"]["outside_coverage"]


@pytest.mark.slow
def test_calibrates_then_flags_a_panel_against_the_calibration(tmp_path, capsys):
    cal = tmp_path / "cal"
    assert main(["screen", "--calibrate", "--markets", "44", "--workers", "1", "--out", str(cal), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["markets"] == 44 and set(result["screens"]) == set(catalog.NAMES)
    assert {p.name for p in cal.iterdir()} == {".pricelab-results", "calibration.json", "report.md", "roc.png",
                                               "scores.parquet"}
    assert pl.read_parquet(cal / "scores.parquet").height == 44
    described = json.loads(pl.read_parquet_metadata(cal / "scores.parquet")["pricelab.codebook"])
    assert list(described) == pl.read_parquet(cal / "scores.parquet").columns  # every column, in the codebook
    assert "| markup_over_nash |" in (cal / "report.md").read_text()
    _scraped(tmp_path / "scraped.csv")
    assert main(["screen", str(tmp_path / "scraped.csv"), "--calibration", str(cal), "--json"]) == 0
    flags = json.loads(capsys.readouterr().out)["calibration"]["flags"]
    assert flags["lerner"]["flagged"] is None and flags["combined"]["flagged"] is None  # no cost column
    assert flags["combined_prices_only"]["flagged"] in (True, False)
    assert main(["screen", str(tmp_path / "scraped.csv"), "--calibration", str(cal)]) == 0
    assert "not evidence of collusion" in capsys.readouterr().out


def _csv(tmp_path, rows: list[str]) -> str:
    path = tmp_path / "panel.csv"
    path.write_text("\n".join(rows) + "\n")
    return str(path)


GOOD = ["time,seller,price"] + [f"{t},{s},{p}" for t in range(10) for s, p in (("a", 1.0 + t / 10), ("b", 2.0))]
BAD_PANELS = {
    "missing column": ([r.rsplit(",", 1)[0] for r in GOOD], "no column 'price'"),
    "single seller": ([r for r in GOOD if ",b," not in r], "only 1 seller ('a')"),
    "non-numeric price": (GOOD[:3] + ["1,a,cheap"] + GOOD[4:], "price = 'cheap' (row 3): must be a number > 0"),
    "negative price": (GOOD[:3] + ["1,a,-1.1"] + GOOD[4:], "price = -1.1 (row 3): must be a number > 0"),
    "duplicate": (GOOD[:4] + GOOD[3:4] + GOOD[4:], "(1, 'a') at rows 3 and 4: give one price per seller and time"),
}


@pytest.mark.parametrize("case", sorted(BAD_PANELS))
def test_a_bad_panel_is_one_line_and_exit_2(case, tmp_path, capsys):
    rows, expected = BAD_PANELS[case]
    path = _csv(tmp_path, rows)
    before = sorted(tmp_path.iterdir())
    assert main(["screen", path, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and expected in captured.err
    assert captured.err.startswith("pricelab: error: ")
    assert sorted(tmp_path.iterdir()) == before


BAD_OPTIONS = {
    "neither": (["--json"], "give a PANEL file, or --calibrate"),
    "both": (["PANEL", "--calibrate", "--out", "OUT"], "give a PANEL file, or --calibrate (not both)"),
    "markets with a panel": (["PANEL", "--markets", "100"], "--markets: not with PANEL"),
    "calibration with --calibrate": (["--calibrate", "--calibration", "x", "--out", "OUT"],
                                     "--calibration: not with --calibrate"),
    "too few markets": (["--calibrate", "--markets", "30", "--out", "OUT"], "--markets 30: must be >= 44"),
    "no workers": (["--calibrate", "--workers", "0", "--out", "OUT"], "argument --workers: 0: must be from 1"),
    "zero step": (["PANEL", "--step", "0"], "--step 0: must be a number > 0"),
    "missing calibration": (["PANEL", "--calibration", "OUT"], "no calibration.json there"),
    "missing panel": (["OUT/prices.csv"], "no such file"),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_bad_options_are_one_line_exit_2_and_write_nothing(case, tmp_path, capsys):
    panel, out = _csv(tmp_path, GOOD), tmp_path / "out"
    argv, expected = BAD_OPTIONS[case]
    assert main(["screen", *(a.replace("PANEL", panel).replace("OUT", str(out)) for a in argv)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err
    assert not out.exists()


def test_with_costs_the_markup_screens_count_each_owner_once(tmp_path, capsys):
    """Three sellers of one owner at a margin of 0.5 and a rival at 0.2: per seller the Lerner index would be
    0.425, per firm it is (0.5 + 0.2) / 2 = 0.35; the owner column of the panel decides."""
    rows = [(t, name, price, 1.0, owner, 1.5) for t in range(48)
            for name, price, owner in (("a", 2.0, "big"), ("b", 2.0, "big"), ("c", 2.0, "big"), ("d", 1.25, None))]
    frame = pl.DataFrame(rows, schema=["time", "seller", "price", "cost", "owner", "nash_price"], orient="row")
    scores = {}
    for label, panel in (("owned", frame), ("separate", frame.drop("owner"))):
        panel.write_csv(tmp_path / f"{label}.csv")
        assert main(["screen", str(tmp_path / f"{label}.csv"), "--calibration", "none", "--json"]) == 0
        scores[label] = json.loads(capsys.readouterr().out)["scores"]
    assert scores["owned"]["lerner"] == pytest.approx(0.35) and scores["separate"]["lerner"] == pytest.approx(0.425)
    markup = {"owned": (2.0 / 1.5 - 1 + 1.25 / 1.5 - 1) / 2, "separate": (3 * (2.0 / 1.5 - 1) + 1.25 / 1.5 - 1) / 4}
    assert scores["owned"]["markup_over_nash"] == pytest.approx(markup["owned"])
    assert scores["separate"]["markup_over_nash"] == pytest.approx(markup["separate"])
