"""The clock through the command line: musolff2022's nightly resets in its time series; bad clock input is one line."""

import polars as pl
import pytest

from experiments.cli import main
from experiments.configs import load
from market.scenario import dump_toml


def test_musolff_runs_with_a_reset_every_night_at_two(tmp_path):
    out = tmp_path / "run"
    assert main(["run", "musolff2022", "--horizon", str(3 * 144), "--out", str(out)]) == 0
    ts = pl.read_parquet(out / "timeseries.parquet").filter(pl.col("seller") == "seller_a")
    monopoly = load("musolff2022").references(0)["monopoly"]  # the reset price: the strategy's reference
    hour = ts["tick"] * 10 % 1440 / 60
    at_reset = ts.filter(pl.col("price") == monopoly)
    assert sorted(set((at_reset["tick"] * 10 % 1440 / 60).to_list())) == [2.0 + k / 6 for k in range(6)]
    assert at_reset.height == 3 * 6  # 02:00 to 02:50 on each of the three nights, and never else
    before = ts.filter((hour == 1 + 5 / 6) & (pl.col("tick") > 144))["price"]
    assert (before < monopoly - 0.3).all()  # by 01:50 the day's undercutting has brought prices far down


def bad(tmp_path, **changes) -> str:
    """The musolff2022 scenario with fields changed, written to a file."""
    scenario = load("musolff2022")
    data = scenario.model_dump(mode="python", exclude_none=True)
    for path, value in changes.items():
        section, _, field = path.partition("__")
        if section == "seller_a":
            data["sellers"][0]["params"][field] = value
        else:
            data[section][field] = value
    path = tmp_path / "bad.toml"
    path.write_text(dump_toml(data))
    return str(path)


@pytest.mark.parametrize(("changes", "message"), [
    ({"demand__profile": [1.0] * 23}, "demand.profile = [1.0, "),
    ({"demand__profile": [1.0] * 23 + [-2.0]}, "hourly[23] = -2.0: a weight must be a finite number >= 0"),
    ({"demand__profile": [0.0] * 24}, "hourly: every weight is 0; at least one must be > 0"),
    ({"demand__profile": [1.0] * 23 + [float("nan")]}, "hourly[23] = nan: a weight must be a finite number >= 0"),
    ({"demand__profile": {"hourly": [1.0] * 24, "daily": [1.0] * 8}}, "daily: 8 weights given; needs 7"),
    ({"seller_a__hour": 24}, "sellers[0].params.hour = 24: must be in [0, 23]"),
    ({"seller_a__hour": -3}, "sellers[0].params.hour = -3: must be in [0, 23]"),
    ({"seller_a__hour": 23.5}, "sellers[0].params.hour = 23.5: must be in [0, 23]"),
])
def test_bad_clock_input_is_one_line_with_exit_status_2_and_nothing_written(changes, message, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", bad(tmp_path, **changes), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pricelab: error: ") and message in err and "\n" not in err
    assert not out.exists()
