"""Replicate a learning paper: many sessions over worker processes, then a Markdown + PNG report.

    pricelab replicate calvano2020 [--sessions N] [--alpha A] [--beta B] [--delta D] [--n-firms K]
                                   [--costs c1,c2,...] [--workers W] [--out DIR] [--json] [--grid]
    pricelab replicate klein2021 [--sessions N] [--k 6|12] [--alpha A] [--delta D] [--theta T] ...

Every bad value is reported, naming the flag, before any session runs (exit status 2).
"""

import argparse
import math
import os
from pathlib import Path

from experiments import flags, jsonout
from experiments.errors import UsageError
from market.errors import shorten

NAME = "replicate"
HELP = "replicate Calvano et al. (2020) or Klein (2021) and write a report"
PAPERS = ("calvano2020", "klein2021")
ONLY = {"calvano2020": ("beta", "n_firms", "costs", "qualities", "m", "xi", "max_periods", "grid"),
        "klein2021": ("k", "theta", "periods")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paper", choices=PAPERS, help="which paper's experiment")
    parser.add_argument("--sessions", type=flags.count, default=1000, help="learning sessions (default 1000)")
    parser.add_argument("--workers", type=flags.count, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--seed", type=flags.seed, default=2020, help="master seed of the session seeds")
    parser.add_argument("--out", default=None, help="report folder (default results/replicate_<paper>)")
    parser.add_argument("--json", action="store_true", help="print the headline numbers as one JSON object")
    parser.add_argument("--alpha", type=flags.finite, default=None, help="learning rate (0.15 Calvano, 0.3 Klein)")
    parser.add_argument("--delta", type=flags.finite, default=None, help="discount factor (default 0.95)")
    calvano = parser.add_argument_group("calvano2020")
    calvano.add_argument("--beta", type=flags.finite, default=None, help="exploration decay, eps = exp(-beta t); 4e-6")
    calvano.add_argument("--n-firms", type=flags.count, default=None, help="number of sellers (default 2)")
    calvano.add_argument("--costs", default=None, help="marginal costs, one per seller: c1,c2,... (default 1)")
    calvano.add_argument("--qualities", default=None, help="qualities a_i, one per seller: a1,a2,... (default 2)")
    calvano.add_argument("--m", type=flags.count, default=None, help="prices on the grid (default 15)")
    calvano.add_argument("--xi", type=flags.finite, default=None, help="grid widening beyond Nash/monopoly (0.1)")
    calvano.add_argument("--max-periods", type=flags.count, default=None, help="cap on periods per session (1e9)")
    calvano.add_argument("--grid", action="store_true", help="also run the alpha x beta heatmap (5 x 5 cells)")
    calvano.add_argument("--grid-sessions", type=flags.count, default=100, help="sessions per heatmap cell (100)")
    klein = parser.add_argument_group("klein2021")
    klein.add_argument("--k", type=flags.count, default=None, help="grid steps: k + 1 prices on [0, 1] (default 6)")
    klein.add_argument("--theta", type=flags.finite, default=None, help="exploration decay, eps = (1-theta)^t")
    klein.add_argument("--periods", type=flags.count, default=None, help="periods per session (default 500000)")


MAXIMUM = 1e6  # costs and qualities, as a scenario's: beyond it the benchmark prices overflow


def _numbers(flag: str, text: str | None, minimum: float = -MAXIMUM) -> list[float] | None:
    """Comma-separated numbers in [``minimum``, ``MAXIMUM``], one per seller; ``UsageError`` naming ``flag``."""
    if text is None:
        return None
    try:
        values = [float(c) for c in text.split(",")]
    except ValueError:
        raise UsageError(f"{flag} = {text!r}: must be numbers separated by commas, e.g. 1,1.2") from None
    if not all(math.isfinite(v) and minimum <= v <= MAXIMUM for v in values):
        raise UsageError(f"{flag} = {shorten(text)!r}: every value must be a number in [{minimum:g}, {MAXIMUM:g}]")
    return values


def defaults(paper: str) -> dict:
    """The paper's baseline (the engine's defaults too, ``market.learning.qlearning``)."""
    from market.learning.qlearning import CALVANO, KLEIN, MAX_PERIODS

    return {**CALVANO, "max_periods": MAX_PERIODS} if paper == "calvano2020" else KLEIN


def build_setup(args):
    """The validated setup for ``args.paper``; ``UsageError`` naming the flag otherwise."""
    from experiments import replicate

    for paper, names in ONLY.items():
        for name in names:
            if paper != args.paper and getattr(args, name) not in (None, False):
                raise UsageError(f"--{name.replace('_', '-')}: applies to {paper} only")
    value = _values(args)
    if args.paper == "calvano2020":
        return replicate.calvano_setup(args.n_firms, _numbers("--costs", args.costs, 0.0),
                                       _numbers("--qualities", args.qualities), **value)
    return replicate.klein_setup(**value)


def _values(args) -> dict:
    """The paper's parameters as given on the command line, its defaults elsewhere."""
    return {name: default if getattr(args, name) is None else getattr(args, name)
            for name, default in defaults(args.paper).items()}


def design(args) -> dict:
    """The experiment's design, in the terms of ``experiments.papers`` (which published figures apply)."""
    value = _values(args)
    if args.paper == "klein2021":
        return {k: value[k] for k in ("k", "alpha", "delta", "theta", "periods")}
    costs, qualities = _numbers("--costs", args.costs, 0.0), _numbers("--qualities", args.qualities)
    n = args.n_firms or len(costs or qualities or [0, 0])
    return {"n": n, "costs": tuple(costs or [1.0] * n), "qualities": tuple(qualities or [2.0] * n),
            **{k: value[k] for k in ("alpha", "beta", "delta", "m", "xi")}}


def main(args) -> int:
    from experiments import replicate
    from experiments.atomic import staged_folder
    from market import budget

    replicate.check_run(args.sessions, args.workers)
    args.workers = budget.workers(args.workers)
    if args.grid and args.grid_sessions < 1:
        raise UsageError(f"--grid-sessions = {args.grid_sessions}: must be >= 1")
    if args.grid:
        cells = len(replicate.GRID_ALPHA) * len(replicate.GRID_BETA)
        budget.count(args.grid_sessions, replicate.SESSION_BYTES * cells, f"the heatmap's {cells} cells' sessions",
                     "--grid-sessions")
    setup = build_setup(args)
    out = Path(args.out or f"results/replicate_{args.paper}")
    with staged_folder(out) as folder:
        results, wall = replicate.run(args.paper, setup, args.sessions, args.workers, args.seed)
        numbers = replicate.headline(args.paper, results, wall, design(args))
        grid = replicate.run_grid(setup, args.grid_sessions, args.workers, args.seed) if args.grid else None
        report = out / replicate.write_report(folder, args.paper, setup, numbers, results, grid, design(args),
                                              args.seed).name
    if args.json:
        print(jsonout.dumps(numbers))
    else:
        for key, value in numbers.items():
            if key != "inference":
                print(f"{key:<30} {value:.6g}" if isinstance(value, float) else f"{key:<30} {value}")
        print(f"\n{'statistic':<30} {'ours':>11} {'se':>9} {'paper':>11} {'paper se':>9} {'z':>7} {'p':>7}")
        for row in numbers["inference"]:
            print(_test_line(row))
        print(f"report in {report}")
    return 0


def _test_line(row: dict) -> str:
    """A statistic, ours with its standard error, and the paper's figure with the z-test where it reports one."""
    def cell(value, width, spec):
        return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"
    return (f"{row['statistic']:<30} {row['estimate']:>11.5g} {row['se']:>9.3g} {cell(row['paper'], 11, '.5g')} "
            f"{cell(row['paper_se'], 9, '.3g')} {cell(row['z'], 7, '.2f')} {cell(row['p'], 7, '.3g')}")
