"""The red-team cases of issue 27, one test each, named by class: ``internal_error`` (a traceback behind "internal
error"), ``hang`` (work that never ends or ends after minutes), ``oom`` (killed for memory, or an allocation
that cannot fit), ``nonsense`` (a value that is no answer, accepted). Each must now be a one-line refusal (exit
2, before any work) or a correct result, quickly."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from experiments.cli import main

PRICERS = '''
class Big:
    def price(self, observation):
        return 10**400


class BadReset:
    def price(self, observation):
        return 1.5

    def reset(self):
        raise RuntimeError("reset broke")
'''


def refused(argv: list[str], capsys, *words: str) -> str:
    """``argv`` exits 2 with one line on stderr holding ``words``; nothing written in the working folder."""
    before = sorted(Path.cwd().iterdir())
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("pricelab: error: ") and err.count("\n") == 1 and len(err) < 800, err[:2000]
    assert all(word in err for word in words), err
    assert sorted(Path.cwd().iterdir()) == before
    return err


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pr.py").write_text(PRICERS)
    return tmp_path


SHORT = ["--seeds", "2", "--horizon", "12"]
CASES = {
    "internal_error-deep_set_value": (["compare", "amazon_10min", "--set", "demand.mu=" + "[" * 3000 + "]" * 3000,
                                       *SHORT], "nested more than 100 levels deep"),
    "internal_error-vary_the_seed": (["compare", "amazon_10min", "--intervention", "once_a_day", "--vary", "seed=1:5",
                                      *SHORT], "--vary seed: the seeds are the comparison's own"),
    "internal_error-pricer_returns_10_400": (["run", "amazon_10min", "--horizon", "12", "--agent",
                                              "shop_hourly=pr.py:Big"], "price = 1000", "finite number > 0"),
    "internal_error-pricer_reset_raises": (["run", "amazon_10min", "--horizon", "12", "--agent",
                                            "shop_hourly=pr.py:BadReset"], "reset() raised RuntimeError: reset broke"),
    "internal_error-replicate_costs_1e308": (["replicate", "calvano2020", "--costs", "1e308,1e308", "--sessions", "1"],
                                             "--costs = '1e308,1e308'", "[0, 1e+06]"),
    "internal_error-one_intervention_twice": (["compare", "amazon_10min", "--intervention", "once_a_day,once_a_day",
                                               *SHORT], "'once_a_day' is given twice"),
    "oom-klein_k_100000": (["replicate", "klein2021", "--k", "100000", "--sessions", "1", "--max-memory", "8GiB"],
                           "--k = 100000", "need"),
    "oom-calvano_a_million_firms": (["replicate", "calvano2020", "--n-firms", "1000000", "--sessions", "1"],
                                    "10^1,176,091 states"),
    "hang-grid_sessions_1e12": (["replicate", "calvano2020", "--grid", "--grid-sessions", "1000000000000"],
                                "--grid-sessions 1,000,000,000,000", "over the budget"),
    "nonsense-ceiling_0": (["compare", "amazon_10min", "--set", "sellers.platform.params.ceiling=0", *SHORT],
                           "ceiling = 0: a price must be > 0"),
    "nonsense-intervention_comma": (["compare", "amazon_10min", "--intervention", ",", *SHORT], "names none"),
    "nonsense-a_200000_character_value": (["compare", "amazon_10min", "--intervention", "x" * 200_000, *SHORT],
                                          "characters"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_line_cases(case, here, capsys):
    argv, *words = CASES[case]
    refused(argv, capsys, *words)


def test_internal_error_out_is_the_working_folder(here, capsys):
    (here / "thesis.tex").write_text("mine")
    refused(["run", "amazon_10min", "--horizon", "12", "--out", "."], capsys, "pricelab did not write")


def test_oom_benchmarks_of_thousands_of_sellers(here, capsys):
    sellers = "".join(f'[[sellers]]\nname = "s{i}"\nstrategy = "fixed"\nparams = {{ price = 1.5 }}\n'
                      for i in range(3000))
    (here / "many.toml").write_text(f'name = "many"\n{sellers}')
    refused(["run", "many.toml", "--max-memory", "1GiB"], capsys, "the benchmarks of 3,000 sellers need")


def test_oom_workers_beyond_cores_and_memory(here, capsys, monkeypatch):
    from market import budget

    monkeypatch.setenv(budget.LIMIT_ENV, str(2 * budget.WORKER_BYTES))
    assert budget.workers(60) <= 2
    assert "--workers 60: using" in capsys.readouterr().err


def test_oom_screen_of_20000_sellers(here, capsys):
    n, times = 20_000, 50
    pl.DataFrame({"time": np.repeat(np.arange(times), n), "seller": np.tile([f"s{i}" for i in range(n)], times),
                  "price": np.full(n * times, 1.5)}).write_parquet(here / "big.parquet")
    refused(["screen", "big.parquet", "--max-memory", "4GiB"], capsys, "pairwise measures of 20,000 sellers")


@pytest.mark.parametrize("text", ["PRICE:" + " " * 1_600, "PRICE: " + "." * 1_000_000])
def test_hang_llm_reply_parsed_in_linear_time(text):
    from market.errors import OutsideError
    from market.llm import parse_price

    with pytest.raises(OutsideError, match="holds no price"):
        parse_price(text)


@pytest.mark.parametrize("text", ["PRICE: 1e308", "PRICE: \u0661\u066b\u0667", "PRICE: 1.7-1.9"])
def test_nonsense_llm_prices(text):
    from market.errors import OutsideError
    from market.llm import parse_price

    with pytest.raises(OutsideError, match="holds no price"):
        parse_price(text)


def test_nonsense_vector_seeds_that_wrap():
    from market.errors import OutsideError
    from market.vector import VectorMarketEnv

    env = VectorMarketEnv("calvano2020", ["firm1"], num_envs=2, n_ticks=5)
    with pytest.raises(OutsideError, match=r"seed = 9223372036854775807: must be an integer in \[0, 2\*\*63 - 2\]"):
        env.reset(seed=2**63 - 1)


@pytest.mark.parametrize("n_ticks", [math.nan, 6.5, 10**19])
def test_nonsense_tick_counts(n_ticks):
    from market.env import MarketEnv
    from market.errors import OutsideError
    from market.model import PricingModel

    with pytest.raises(OutsideError, match=r"n_ticks = .*: must be an integer"):
        MarketEnv("calvano2020", ["firm1"], n_ticks=n_ticks)
    with pytest.raises(ValueError, match=r"n_ticks = .*: must be an integer in \[0, 2\*\*62\]"):
        PricingModel("calvano2020", train=False).advance(n_ticks)


def test_nonsense_misspelled_paper_metric(here, capsys):
    (here / "arms.toml").write_text('[[arms]]\nname = "a"\n[[arms]]\nname = "b"\ninterventions = ["once_a_day"]\n'
                                    '[[arms.paper]]\nmetric = "mean_pirce"\nvalue = 5.0\nsource = "a paper"\n')
    refused(["compare", "amazon_10min", "--arms", "arms.toml", *SHORT], capsys, "metric = 'mean_pirce': not an outcome")


def test_nonsense_json_with_nan_is_strict_json(here, capsys):
    """A panel whose prices never change gives screens with no value (NaN): --json prints null, strict JSON."""
    rows = [(t, s, 1.5) for t in range(200) for s in ("a", "b")]
    pl.DataFrame(rows, schema=["time", "seller", "price"], orient="row").write_csv(here / "flat.csv")
    assert main(["screen", "flat.csv", "--json"]) == 0
    text = capsys.readouterr().out
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in --json output"))


def test_nonsense_python_api_types_are_one_line():
    from market import engine
    from market.model import PricingModel

    model = PricingModel("calvano2020", train=False)
    for call, words in ((lambda: PricingModel(3), "scenario = 3: must be"),
                        (lambda: model.force_price(0, "a", 1), "price = 'a': must be a number"),
                        (lambda: engine.build_state(3), "scenario = 3: must be a Scenario"),
                        (lambda: model.config.with_values(3), "updates = 3: must be a dict")):
        with pytest.raises(TypeError, match=words) as caught:
            call()
        assert "\n" not in str(caught.value)


@pytest.mark.slow  # a subprocess
def test_oom_a_job_in_a_small_address_space_is_refused_not_killed(here):
    """Under ``ulimit -v`` (3 GiB) the budget follows the address space: refused in one line before work (it was a
    MemoryError after the run, allocating the results)."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30)); "
            "from experiments.cli import main; sys.exit(main(['run', 'amazon_10min', '--horizon', '8000000', "
            "'--out', 'o']))")  # records of 7.4 GiB: within the machine's memory, beyond the address space
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          cwd=here, env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("pricelab: error: records of 8,000,000 ticks") and "budget" in done.stderr
