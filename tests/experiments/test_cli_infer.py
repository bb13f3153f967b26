"""``pricelab infer``: a scraped panel in, a table, JSON and files out; bad input one line, exit 2, nothing written."""

import json
import tomllib

import polars as pl
import pytest

from experiments.cli import main
from experiments.commands import infer as command
from tests.market.observed import synthetic


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "marketplace.csv"
    synthetic.scrape(synthetic.repricers(days=7), synthetic.NAMES, seed=2, roles=synthetic.ROLES).write_csv(path)
    return path


def test_prints_each_sellers_rule_cadence_lag_and_who_follows_whom(panel, capsys):
    assert main(["infer", str(panel), "--resamples", "20"]) == 0
    out = capsys.readouterr().out
    assert "4 sellers" in out and "shopbot       undercut" in out and "follower      match_platform" in out
    assert "platform      resetting" in out and "hour=2 hold_hours=8" in out
    assert "follower follows platform" in out and "follower      match_platform" in out and "reprices only 08:20" in out
    assert "Chen, Mislove and Wilson 2016" in out


def test_json_and_files_carry_ids_codebook_and_a_fragment(panel, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["infer", str(panel), "--json", "--out", str(out), "--resamples", "0"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {s["seller"]: s["strategy"] for s in result["sellers"]} == {
        "steady": "fixed", "shopbot": "undercut", "follower": "match_platform", "platform": "resetting"}
    assert result["grid"]["minutes_per_tick"] == 10 and "qlearning" in result["not_tried"]
    assert sorted(p.name for p in out.iterdir()) == [".pricelab-results", "fits.parquet", "follows.parquet",
                                                     "fragment.toml", "infer.json"]
    fits = pl.read_parquet(out / "fits.parquet")
    assert fits["scenario"].unique().to_list() == ["marketplace.csv"] and fits["seed"].dtype == pl.Int64
    assert fits["seed"].is_null().all() and fits["run_id"].str.len_chars().unique().to_list() == [16]
    for name in ("fits.parquet", "follows.parquet"):
        described = json.loads(pl.read_parquet_metadata(out / name)["pricelab.codebook"])
        assert list(described) == pl.read_parquet(out / name).columns
    sellers = tomllib.loads((out / "fragment.toml").read_text())["sellers"]
    assert {s["name"] for s in sellers} == {"steady", "shopbot", "follower", "platform"}


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "panel.csv"
    path.write_text(text)
    return str(path)


GOOD = "time,seller,price\n" + "".join(f"{t},{s},{p}\n" for t in range(20) for s, p in (("a", 10 + t % 3), ("b", 11)))
BAD = {
    "one seller": ("time,seller,price\n" + "".join(f"{t},a,10\n" for t in range(20)), "only 1 seller ('a')"),
    "text prices": (GOOD.replace("\n3,a,10\n", "\n3,a,ten\n"), "price = 'ten' (row 7): must be a number > 0"),
    "time neither numbers nor date-times": (GOOD.replace("\n2,", "\nsoon,", 1),
                                            "time = 'soon' (row 5): must be a number or a date-time"),
    "boolean time": ("time,seller,price\ntrue,a,1\nfalse,b,2\n", "time = True (row 1): must be a number or a date"),
    "duplicates": (GOOD + "19,b,12\n", "1 rows repeat a (time, seller) pair"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_panels_are_one_line_exit_2_and_write_nothing(case, tmp_path, capsys):
    text, expected = BAD[case]
    path, out = _write(tmp_path, text), tmp_path / "out"
    assert main(["infer", path, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and err.startswith("pricelab: error: ")
    assert not out.exists()


def test_a_panel_beyond_the_row_budget_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(command, "MAX_ROWS", 30)
    assert main(["infer", _write(tmp_path, GOOD)]) == 2
    err = capsys.readouterr().err
    assert "40 rows; pricelab infer reads at most 30" in err and err.count("\n") == 1


BAD_OPTIONS = {
    "neither": (["--json"], "give a PANEL file, or --calibrate"),
    "both": (["PANEL", "--calibrate"], "not both"),
    "panels with a panel": (["PANEL", "--panels", "20"], "--panels: not with PANEL"),
    "tick with --calibrate": (["--calibrate", "--tick", "5"], "--tick: not with --calibrate"),
    "zero tick": (["PANEL", "--tick", "0"], "--tick 0: must be a number > 0"),
    "tick not dividing a day": (["PANEL", "--tick", "7"], "--tick 7: must be > 0 and divide a day"),
    "tolerance": (["PANEL", "--tolerance", "2"], "--tolerance 2: must be in (0, 1)"),
    "too few panels": (["--calibrate", "--panels", "3"], "--panels 3: must be >= 10"),
    "unknown duplicates": (["PANEL", "--duplicates", "first"], "invalid choice: 'first'"),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_bad_options_are_one_line_exit_2(case, tmp_path, capsys):
    argv, expected = BAD_OPTIONS[case]
    panel = _write(tmp_path, GOOD)
    out = tmp_path / "out"
    assert main(["infer", *(a.replace("PANEL", panel) for a in argv), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err
    assert not out.exists()


@pytest.mark.slow
def test_calibrates_on_held_out_engine_panels(tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["infer", "--calibrate", "--panels", "10", "--workers", "1", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["panels"] == 10 and result["sellers"] == pl.read_parquet(out / "sellers.parquet").height
    assert sorted(p.name for p in out.iterdir()) == [".pricelab-results", "accuracy.json", "report.md",
                                                     "sellers.parquet"]
    confusion = result["rule"]["confusion"]
    assert sum(sum(row.values()) for row in confusion.values()) == result["sellers"]
    report = (out / "report.md").read_text()
    assert "Confusion matrix" in report and "Chen, Mislove and Wilson" in report
    frame = pl.read_parquet(out / "sellers.parquet")
    assert {"scenario", "seed", "run_id"} <= set(frame.columns) and frame["seed"].dtype == pl.Int64
