"""Run a scenario on the fast path, print a summary, and write Parquet results.

Writes DIR/timeseries.parquet (one row per recorded tick and seller), DIR/market_timeseries.parquet
(one row per recorded tick), DIR/sellers.parquet (one row per seller), DIR/summary.parquet
(one row for the market) and DIR/scenario.toml (the scenario as run).
"""

import time

from experiments import configs, tables
from experiments.atomic import prepare_output_dir, write_parquet, write_text
from market import engine, results

NAME = "run"
HELP = "run a scenario and write its results"


def add_arguments(parser) -> None:
    parser.add_argument("config", nargs="?", default="amazon_10min", help="scenario TOML file or shipped name")
    parser.add_argument("--out", default=None, help="results folder (default: results/<scenario name>)")
    parser.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    parser.add_argument("--horizon", type=int, default=None, help="override the horizon, in ticks")


def main(args) -> int:
    scenario = configs.load(args.config)
    changes = {k: v for k, v in (("seed", args.seed), ("horizon", args.horizon)) if v is not None}
    if changes:
        scenario = scenario.with_values(changes)
    out = prepare_output_dir(args.out or f"results/{scenario.name}")
    benchmarks = scenario.benchmarks
    state = engine.build_state(scenario)
    engine.advance(state, 0)  # compile, or load the kernel from numba's cache, before timing
    started = time.perf_counter()
    engine.advance(state, scenario.horizon)
    elapsed = time.perf_counter() - started
    summary = results.summary(state, scenario)
    sellers = results.sellers(state, scenario)
    write_parquet(results.timeseries(state, scenario), out / "timeseries.parquet")
    write_parquet(results.market_series(state, scenario), out / "market_timeseries.parquet")
    write_parquet(sellers, out / "sellers.parquet")
    write_parquet(summary, out / "summary.parquet")
    write_text(scenario.to_toml(), out / "scenario.toml")
    tables.print_run(scenario, benchmarks, sellers, summary, elapsed)
    print(f"results in {out}/")
    return 0
