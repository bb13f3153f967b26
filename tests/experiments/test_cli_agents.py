"""``pricelab run --agent SELLER=MODULE:NAME``: a seller priced by a Python object from the command line; bad input
is one line and exit status 2, with nothing written."""

from pathlib import Path

import polars as pl
import pytest

from experiments.cli import main
from market.errors import PricerError

AMAZON = "experiments/configs/amazon_10min.toml"
PRICERS = """
class Steady:
    def price(self, observation):
        return 1.55


class Broken:
    def __init__(self, value):
        self.value = value

    def price(self, observation):
        return self.value if observation.tick >= 3 else 1.5


class Raises:
    def price(self, observation):
        if observation.tick == 4:
            raise ZeroDivisionError("my bug")
        return 1.5


NAN = Broken(float("nan"))
NEGATIVE = Broken(-1.0)
TEXT = Broken("abc")
"""


@pytest.fixture
def pricers(tmp_path):
    path = tmp_path / "pricers.py"
    path.write_text(PRICERS)
    return path


def test_a_seller_priced_by_a_python_class_from_a_file(tmp_path, pricers, capsys):
    out = tmp_path / "out"
    assert main(["run", AMAZON, "--horizon", "100", "--out", str(out), "--agent", f"platform={pricers}:Steady"]) == 0
    ts = pl.read_parquet(out / "timeseries.parquet").filter(pl.col("seller") == "platform")
    assert ts["price"].to_list() == [1.55] * 100
    written = (out / "scenario.toml").read_text()
    assert 'strategy = "outside"' in written
    assert written.startswith(f"# priced from outside: --agent platform={pricers}:Steady\n")
    again = tmp_path / "again"  # the folder's scenario runs again with the agent its comment names
    assert main(["run", str(out / "scenario.toml"), "--out", str(again), "--agent", f"platform={pricers}:Steady"]) == 0
    assert pl.read_parquet(again / "summary.parquet").equals(pl.read_parquet(out / "summary.parquet"))


def test_a_seller_priced_by_an_importable_module(tmp_path):
    out = tmp_path / "out"
    agent = "shop_daily=experiments.examples.pricers:MatchLowest"
    assert main(["run", AMAZON, "--horizon", "200", "--out", str(out), "--agent", agent]) == 0


@pytest.mark.parametrize("name, shown", [("NAN", "nan"), ("NEGATIVE", "-1.0"), ("TEXT", "'abc'")])
def test_a_bad_price_stops_the_run_with_one_line_and_nothing_written(tmp_path, pricers, capsys, name, shown):
    out = tmp_path / "out"
    assert main(["run", AMAZON, "--horizon", "50", "--out", str(out), "--agent", f"platform={pricers}:{name}"]) == 2
    error = capsys.readouterr().err
    assert error == f"pricelab: error: seller 'platform' at tick 3: price = {shown}: must be a finite number > 0\n"
    assert not out.exists()


def test_a_pricer_that_raises_is_one_line_naming_seller_tick_and_error(tmp_path, pricers, capsys):
    out = tmp_path / "out"
    assert main(["run", AMAZON, "--horizon", "50", "--out", str(out), "--agent", f"platform={pricers}:Raises"]) == 2
    assert capsys.readouterr().err == ("pricelab: error: seller 'platform' at tick 4: its pricer raised "
                                       "ZeroDivisionError: my bug (rerun with --debug to see its traceback)\n")
    assert not out.exists() and not (tmp_path / "pricelab-error.log").exists()
    with pytest.raises(PricerError) as raised:
        main(["run", AMAZON, "--horizon", "50", "--out", str(out), "--agent", f"platform={pricers}:Raises", "--debug"])
    assert isinstance(raised.value.__cause__, ZeroDivisionError)


def test_a_pricer_module_is_found_in_the_working_folder_and_a_broken_one_is_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "mypricers.py").write_text(PRICERS)
    (tmp_path / "broken.py").write_text("def price(:\n")
    scenario = str(Path(AMAZON).resolve())
    monkeypatch.chdir(tmp_path)
    assert main(["run", scenario, "--horizon", "20", "--out", "out", "--agent", "platform=mypricers:Steady"]) == 0
    assert main(["run", scenario, "--horizon", "20", "--out", "out2",
                 "--agent", "platform=broken.py:Steady"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("pricelab: error: --agent 'platform=broken.py:Steady': loading 'broken.py' failed: "
                            "SyntaxError: ") and error.count("\n") == 1 and not (tmp_path / "out2").exists()


@pytest.mark.parametrize("agent, message", [
    ("nobody=experiments.examples.pricers:Undercut", "agents['nobody']: unknown seller; the sellers are platform, "),
    ("platform=no_such_module:Undercut", "--agent 'platform=no_such_module:Undercut': cannot import 'no_such_module'"),
    ("platform=experiments.examples.pricers:Nothing", "has no 'Nothing'"),
    ("platform", "--agent 'platform': must be SELLER=MODULE:NAME"),
    ("platform=experiments.examples.pricers:_parameters", "calling _parameters() without arguments failed"),
    ("platform=market.catalog:scenario_names", "agents['platform'] = list object: has no price(observation) method"),
])
def test_bad_agents_are_one_line_and_exit_2(tmp_path, capsys, agent, message):
    out = tmp_path / "out"
    code = main(["run", AMAZON, "--horizon", "50", "--out", str(out), "--agent", agent])
    error = capsys.readouterr().err
    assert code == 2 and error.startswith("pricelab: error: ") and message in error and error.count("\n") == 1
    assert not out.exists()


def test_a_scenario_naming_an_outside_seller_needs_an_agent(tmp_path, capsys):
    config = tmp_path / "outside.toml"
    text = open(AMAZON).read().replace('strategy = "undercut"\nparams = { step = 0.01, floor = "cost", '
                                       'ceiling = "monopoly" }', 'strategy = "outside"')
    config.write_text(text)
    assert main(["run", str(config), "--horizon", "10", "--out", str(tmp_path / "out")]) == 2
    assert "sellers platform: priced from outside (strategy 'outside'); give their pricers: agents={'platform': " \
           "MyPricer()} in Python, --agent platform=MODULE:NAME on the command line" in capsys.readouterr().err
