"""``pricelab compare --respond``: the report, its files and the bad input refused before any work."""

import json

import polars as pl
import pytest

from experiments.cli import main
from market import codebook

ARMS = """
description = "nessie's platform re-tunes its prober's window under a minimum reaction lag"

[[arms]]
name = "without"

[[arms]]
name = "lag"
interventions = ["min_lag_1h"]
"""
RESPOND = """
[respond]
sellers = ["platform"]

[respond.platform]
window = [1, 12]
"""


@pytest.fixture
def one_process(monkeypatch):
    """The search's worker processes: one (this process), as compare gets no --workers here."""
    monkeypatch.setattr("os.cpu_count", lambda: 1)


def test_an_arms_file_respond_table_reports_the_choice_and_both_effects(tmp_path, capsys, one_process):
    arms = tmp_path / "arms.toml"
    arms.write_text(ARMS + RESPOND)
    out = tmp_path / "out"
    assert main(["compare", "nessie", "--arms", str(arms), "--seeds", "2", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["respond"]
    lag = result["arms"]["lag"]
    assert lag["status"] == "converged" and lag["sellers"]["platform"]["given"]["window"] == 3
    assert lag["sellers"]["platform"]["chosen"]["window"] == 4 and lag["sellers"]["platform"]["gain"]["difference"] > 1
    assert result["arms"]["without"]["sellers"]["platform"]["chosen"]["window"] == 3
    surplus = result["effects"]["lag"]["consumer_surplus"]
    assert surplus["fixed"]["relative_change_pct"] > 30 and abs(surplus["responding"]["relative_change_pct"]) < 1
    text = (out / "compare.md").read_text()
    assert "## With firms re-tuning their repricers" in text and "| lag | platform | window 3 -> 4 |" in text
    assert "Answer with firms responding (lag vs without)" in text
    assert (out / "responding" / "compare.md").is_file() and "firms re-tuning" in (out / "compare.html").read_text()
    settings = pl.read_parquet(out / "respond.parquet")
    assert settings.schema["seed"] == pl.Int64 and settings["run_id"].str.len_chars().unique().to_list() == [16]
    assert settings.filter((pl.col("arm") == "lag") & (pl.col("setting") == "window"))["chosen_value"].to_list() == [4]
    effects = pl.read_parquet(out / "respond_effects.parquet")
    assert {"scenario", "seed", "run_id", "fixed_difference", "responding_ci_high"} <= set(effects.columns)
    for path in (out / "respond.parquet", out / "respond_effects.parquet"):
        entries = json.loads(pl.read_parquet_metadata(path)["pricelab.codebook"])
        assert entries == {c: {"description": codebook.describe(c).description, "unit": codebook.describe(c).unit}
                           for c in pl.read_parquet_schema(path)}


@pytest.mark.slow  # the platform's seven settings in two arms, about a thousand simulations
def test_nessies_platform_re_tunes_under_min_lag_and_the_effect_shrinks(tmp_path, capsys, one_process):
    out = tmp_path / "out"
    assert main(["compare", "nessie", "--intervention", "min_lag_1h", "--respond", "platform", "--seeds", "2",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "firms re-tuning their repricers:" in printed and "with: platform" in printed
    effects = pl.read_parquet(out / "respond_effects.parquet").filter(pl.col("metric") == "consumer_surplus")
    assert effects["fixed_relative_change_pct"][0] > 30
    assert abs(effects["responding_relative_change_pct"][0]) < 5


@pytest.mark.parametrize("argv, message", [
    (["nessie", "--intervention", "min_lag_1h", "--respond", "nobody"],
     "respond (arm without): no seller named 'nobody' in nessie"),
    (["calvano2020", "--intervention", "min_lag_1h", "--respond", "firm1"],
     "seller 'firm1''s strategy 'qlearning' has no tunable settings"),
    (["nessie", "--intervention", "min_lag_1h", "--respond", "platform", "--vary", "demand.mu=0.2:0.3"],
     "--respond with --vary"),
    (["nessie", "--intervention", "min_lag_1h", "--respond", "platform,,shop_a"], "seller names separated by commas"),
])
def test_bad_respond_input_is_one_line_exit_2_nothing_written(argv, message, tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["compare", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.parametrize("table, extra, message", [
    ("[respond.platform]\nwindow = [0, 12]\n", [], "respond (arm without).platform.window = [0, 12]: outside the "
                                                    "range strategy 'price_leadership' declares for it, [1, 48]"),
    ("[respond.platform]\nfloor = [0.5, 'monopoly']\n", [], "outside the range strategy 'price_leadership' declares"),
    ("[respond]\nsellers = ['platform']\n", ["--respond", "platform"], "give the responders in one place"),
])
def test_bad_respond_tables_exit_2_nothing_written(table, extra, message, tmp_path, capsys):
    arms = tmp_path / "arms.toml"
    arms.write_text(ARMS + table)
    out = tmp_path / "never"
    assert main(["compare", "nessie", "--arms", str(arms), "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
