"""Run a scenario on the fast path, print a summary, and write Parquet results.

A scenario with a ``[measure]`` table is warmed up first (after training), and the results cover the settled
market (``market.settling``); the summary says how long the warm-up ran and whether prices had settled.

Writes DIR/timeseries.parquet (one row per recorded tick and seller), DIR/market_timeseries.parquet
(one row per recorded tick), DIR/sellers.parquet (one row per seller), DIR/summary.parquet
(one row for the market) and DIR/scenario.toml (the scenario as run; the ``--agent`` items in a comment
at its top, to run it again).

``--agent SELLER=MODULE:NAME`` prices a seller by a Python object (``experiments.agents``,
``market.outside``). A bad price from it stops the run with exit status 2, before anything is written.
"""

import time
from pathlib import Path

from experiments import flags
from experiments.errors import UsageError

NAME = "run"
HELP = "run a scenario and write its results"


def add_arguments(parser) -> None:
    parser.add_argument("config", nargs="?", default="amazon_10min", help="scenario TOML file or shipped name")
    parser.add_argument("--out", default=None, help="results folder (default: results/<scenario name>)")
    parser.add_argument("--seed", type=flags.seed, default=None, help="override the scenario's seed")
    parser.add_argument("--horizon", type=flags.count, default=None, help="override the horizon, in ticks")
    parser.add_argument("--train", type=flags.count, default=None, metavar="MAX_TICKS",
                        help="first train the learners until their greedy policies are stable (the scenario's "
                             "[training] table, else 100,000 ticks), at most MAX_TICKS; then run the horizon with "
                             "them frozen: results cover that play. A scenario with [training] is trained without it")
    parser.add_argument("--agent", action="append", metavar="SELLER=MODULE:NAME",
                        help="price SELLER by a Python object: NAME in MODULE (a module or a .py file) is a pricer, "
                             "or makes one when called (market.outside); repeat for more sellers")


def main(args) -> int:
    from experiments import agents, tables
    from experiments.atomic import staged_folder
    from market import catalog, outside, results, state, training

    scenario = catalog.load(args.config)
    changes = {k: v for k, v in (("seed", args.seed), ("horizon", args.horizon)) if v is not None}
    if changes:
        scenario = scenario.with_values(changes)
    scenario, pricers = outside.bind(scenario, agents.parse(args.agent))
    benchmarks = scenario.benchmarks
    if args.train is not None:
        try:
            training.check_plan(scenario, args.train)
        except ValueError as err:
            raise UsageError(f"--train = {args.train}: {err}") from None
    state.check_memory(scenario, scenario.horizon, scenario.record_stride,
                       extra_per_row=results.BYTES_PER_RECORD * scenario.n_sellers)
    out = Path(args.out or f"results/{scenario.name}")
    with staged_folder(out) as folder:
        elapsed, sellers, summary = _run(scenario, args.train, pricers, folder, args.agent or [])
    tables.print_run(scenario, benchmarks, sellers, summary, elapsed)
    print(f"results in {out}/")
    return 0


CHUNK_S = 0.5  # seconds of ticks per kernel call when a run is long: progress and Ctrl-C between calls


def advance_showing_progress(state, n_ticks: int, pricers, name: str) -> None:
    """``engine.advance(state, n_ticks)`` in calls of about ``CHUNK_S`` seconds (the same numbers: chunking cannot
    change a result), with progress and the time left (``experiments.sweep.progress``); Ctrl-C stops between
    calls, and the command leaves the old results (``experiments.atomic``)."""
    from experiments.sweep.progress import progress_display
    from market import engine

    chunk = min(n_ticks, 1_000)
    with progress_display(f"{name}: ticks", n_ticks, unit="ticks") as progress:
        while progress.count < n_ticks:
            step = min(chunk, n_ticks - progress.count)
            started = time.perf_counter()
            engine.advance(state, step, pricers)
            progress.add(step)
            seconds = time.perf_counter() - started
            chunk = max(1, min(int(step * CHUNK_S / seconds) if seconds > 0 else step * 10, 10 * step))


def _run(scenario, max_ticks: int | None, pricers, folder: Path, agents: list[str]):
    """Train where asked, run the horizon (``pricers``: the sellers priced from outside, given on the command line
    as ``agents``), write the results into ``folder``; (seconds, sellers, summary)."""
    from experiments.atomic import write_parquet, write_text
    from market import engine, results, settling, training

    state, trained, warm_up = training.ready(scenario, max_ticks=max_ticks, pricers=pricers)
    engine.advance(state, 0, pricers)  # compile, or load the kernel from numba's cache, before timing
    if trained is not None:
        print(f"trained: {'converged' if trained.converged else 'NOT converged'} after {trained.ticks:,} ticks; "
              f"the learners now play frozen")
    if warm_up is not None:
        print(f"{settling.describe(warm_up, scenario.ticks_per_day)}; the results cover the ticks after it")
    started = time.perf_counter()
    advance_showing_progress(state, scenario.horizon, pricers, scenario.name)
    elapsed = time.perf_counter() - started
    summary = results.summary(state, scenario, trained, warm_up)
    sellers = results.sellers(state, scenario)
    write_parquet(results.timeseries(state, scenario), folder / "timeseries.parquet")
    write_parquet(results.market_series(state, scenario), folder / "market_timeseries.parquet")
    write_parquet(sellers, folder / "sellers.parquet")
    write_parquet(summary, folder / "summary.parquet")
    header = "".join(f"# priced from outside: --agent {item}\n" for item in agents)
    write_text(header + scenario.to_toml(), folder / "scenario.toml")
    return elapsed, sellers, summary
