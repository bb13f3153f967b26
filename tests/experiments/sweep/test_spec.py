import json

import pytest

from experiments import configs
from experiments.cli import main
from experiments.errors import UsageError
from experiments.sweep import spec
from experiments.sweep.runs import expand
from market.metrics import MARKET_METRICS
from tests.experiments.sweep.conftest import SPEC

GOOD = SPEC.format(seeds=2, horizon=288, stride=144)


def test_quoted_and_bare_dotted_keys_mean_the_same(write_spec):
    quoted = spec.load(write_spec(text=GOOD))
    bare = spec.load(write_spec(text=GOOD.replace('"sellers.platform.period"', "sellers.platform.period"),
                                name="bare"))
    assert quoted.paths == bare.paths == ["sellers.platform.period", "demand.mu"]
    assert quoted.hash == bare.hash
    assert quoted.base.horizon == 288 and quoted.timeseries_stride == 144


def test_defaults_keep_every_metric_and_one_seed(write_spec):
    loaded = spec.load(write_spec(text='base = "amazon_10min"\n[grid]\n"demand.mu" = [0.2]\n'))
    assert loaded.metrics == MARKET_METRICS and loaded.n_seeds == 1 and loaded.timeseries_stride is None


def test_inline_base_equals_the_file_it_was_copied_from(tmp_path, write_spec):
    relative = spec.load(write_spec())
    scenario = (tmp_path / "market.toml").read_text()
    for table in ("[demand]", "[platform]", "[measure]", "[[sellers]]"):
        scenario = scenario.replace(table, table.replace("[", "[base.", 1).replace("[base.[", "[[base."))
    inline = GOOD.replace('base = "market.toml"\n', "") + "\n[base]\n" + scenario
    assert spec.load(write_spec(text=inline, name="inline")).hash == relative.hash


def test_base_may_name_a_shipped_scenario(write_spec):
    loaded = spec.load(write_spec(text=GOOD.replace('"market.toml"', '"amazon_10min"')))
    assert loaded.base.name == "amazon_10min" and loaded.base.horizon == 288


def test_zip_is_one_axis_and_all_sellers_path(write_spec):
    text = GOOD + '\n[zip]\n"sellers.shop_hourly.period" = [12, 36]\n"sellers.shop_hourly.lag" = [0, 6]\n'
    text = text.replace('demand.mu = [0.2, 0.3]', '"sellers.*.lag" = [0, 1]').replace("sellers.shop_hourly.lag", "x")
    text = text.replace('"x"', '"demand.mu"').replace("[0, 6]", "[0.2, 0.3]")
    loaded = spec.load(write_spec(text=text))
    assert len(loaded.axes) == 3 and list(loaded.axes[2]) == ["sellers.shop_hourly.period", "demand.mu"]
    runs = expand(loaded)
    assert len(runs) == 2 * 2 * 2 * 2
    lags = {s["name"]: s["lag"] for s in runs[-1].scenario["sellers"]}
    assert set(lags.values()) == {1}


def test_shipped_example_spec_expands():
    loaded = spec.load("amazon_periods_sweep")
    assert len(expand(loaded)) == 4 * 3 * 4
    assert "amazon_periods_sweep" not in configs.scenario_names()


@pytest.mark.skipif(not (configs.CONFIG_DIR / "calvano2020.toml").is_file(),
                    reason="experiments/configs/calvano2020.toml (the Q-learning scenario) has not landed yet")
def test_qlearning_grid_spec_expands():
    loaded = spec.load("qlearning_grid_sweep")
    runs = expand(loaded)
    assert len(runs) == 4 * 3 * 2 and loaded.paths == ["sellers.*.params.alpha", "sellers.*.params.beta"]
    assert [{s["params"]["alpha"] for s in run.scenario["sellers"]} for run in runs[::6]] == [
        {0.05}, {0.1}, {0.15}, {0.2}]
    assert {s["params"]["beta"] for s in runs[-1].scenario["sellers"]} == {1e-5}


BAD = {
    "unknown field in grid": (('"sellers.platform.period"', '"sellers.platform.perod"'), "perod"),
    "unknown seller in grid": (('"sellers.platform.period"', '"sellers.amazon.period"'), "sellers.amazon.period"),
    "empty grid list": (("demand.mu = [0.2, 0.3]", "demand.mu = []"), "grid.demand.mu = []"),
    "empty grid table": (('"sellers.platform.period" = [1, 6]\ndemand.mu = [0.2, 0.3]', ""), "grid: empty"),
    "no grid": (("[grid]", "[zap]"), "zap: unknown field"),
    "wrong type": (("[1, 6]", '[1, "six"]'), "sellers.platform.period = 'six', demand.mu = 0.2): sellers[0].period"),
    "out of range": (("[1, 6]", "[1, 0]"), "sellers.platform.period = 0, demand.mu = 0.2): sellers[0].period = 0"),
    "not a list": (("[1, 6]", "6"), "grid.sellers.platform.period = 6: must be a list"),
    "repeated value": (("[1, 6]", "[6, 6]"), "values repeat"),
    "seeds zero": (("seeds = 2", "seeds = 0"), "seeds = 0"),
    "seeds negative": (("seeds = 2", "seeds = -3"), "seeds = -3"),
    "seeds empty": (("seeds = 2", "seeds = []"), "seeds = []"),
    "seeds repeat": (("seeds = 2", "seeds = [1, 1]"), "seeds = [1, 1]"),
    "unknown key": (("seeds = 2", "seeds = 2\nsede = 3"), "sede: unknown field"),
    "unknown keep key": (("timeseries_stride", "stride"), "keep.stride: unknown field"),
    "unknown metric": (('"delta"', '"delt"'), "keep.metrics: 'delt'"),
    "seed in grid": (("demand.mu = [0.2, 0.3]", "seed = [1, 2]"), "grid.seed"),
    "base not found": (('"market.toml"', '"no_such_market"'), "no_such_market"),
    "base missing": (('base = "market.toml"\n', ""), "base: missing"),
    "base invalid": (('base = "market.toml"', '[base]\nhorizon = 10'), "base: sellers: missing"),
    "bad set": (("horizon = 288", "horizon = -1"), "horizon = -1"),
    "zip lengths": (("[keep]", '[zip]\n"sellers.shop_daily.period" = [144, 288]\n"demand.shoppers_per_tick" = [1.0]'
                     "\n[keep]"), "zip: lists must have equal lengths"),
    "invalid grid point": (("[1, 6]", "[1, 6]\n\"sellers.platform.phase\" = [0, 3]"),
                           "grid point (sellers.platform.period = 1, sellers.platform.phase = 3, demand.mu = 0.2): "
                           "sellers[0].phase = 3: must be < period (1)"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_spec_is_one_line_exit_2_and_writes_nothing(case, write_spec, tmp_path, capsys):
    (old, new), expected = BAD[case]
    assert old in GOOD
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec(text=GOOD.replace(old, new))), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pricelab: error: ") and expected in err, err
    assert not out.exists()


def bad_run(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pricelab: error: "), err
    return err


def test_output_path_that_is_a_file(write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("not a folder")
    assert "is a file" in bad_run(["sweep", str(write_spec()), "--out", str(out)], capsys)
    assert out.read_text() == "not a folder"


def test_folder_from_a_different_spec_is_refused(write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(write_spec(seeds=1)), "--out", str(out)]) == 0
    before = sorted(p.name for p in (out / "runs").iterdir())
    manifest = (out / "manifest.json").read_text()
    err = bad_run(["sweep", str(write_spec(seeds=2)), "--out", str(out)], capsys)
    assert "different spec" in err and json.loads(manifest)["spec_hash"] in err
    assert sorted(p.name for p in (out / "runs").iterdir()) == before
    assert (out / "manifest.json").read_text() == manifest


def test_folder_of_other_things_is_refused(write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert "not a sweep folder" in bad_run(["sweep", str(write_spec()), "--out", str(out)], capsys)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.slow  # waits out the connection timeout, 5 s
def test_unreachable_scheduler_fails_fast(write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    err = bad_run(["sweep", str(write_spec()), "--out", str(out), "--executor", "dask",
                   "--scheduler", "tcp://127.0.0.1:9"], capsys)
    assert "--scheduler 'tcp://127.0.0.1:9': cannot connect" in err
    assert not out.exists()


@pytest.mark.parametrize(("options", "expected"), [
    (["--executor", "threads"], "--executor 'threads': unknown; allowed: serial, processes, dask"),
    (["--workers", "0"], "argument --workers: 0: must be from 1"),
    (["--scheduler", "tcp://127.0.0.1:9"], "only with --executor dask"),
    (["--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], "--workers 2: not with --scheduler"),
])
def test_bad_executor_options(options, expected, write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    assert expected in bad_run(["sweep", str(write_spec()), "--out", str(out), *options], capsys)
    assert not out.exists()


def test_spec_errors_are_usage_errors(write_spec):
    with pytest.raises(UsageError, match=r"^seeds = 0: must be a count > 0"):
        spec.load(write_spec(seeds=0))
