"""Measure the project's speed: one JSON object per line, {"name": ..., "value": ..., "unit": ...}.

Benchmarks are the functions listed in ``BENCHMARKS`` by the modules of ``experiments/bench/``;
each yields measurements. Figures are measured on this machine, never asserted by tests.
"""

import importlib
import pkgutil

from experiments import bench, jsonout

NAME = "bench"
HELP = "measure speed (seller-ticks per second, step latency, ...)"


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--only", default=None, help="run the benchmarks whose name contains this text")


def all_benchmarks():
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        yield from importlib.import_module(f"experiments.bench.{info.name}").BENCHMARKS


def main(args) -> int:
    for benchmark in all_benchmarks():
        if args.only and args.only not in benchmark.__name__:
            continue
        for measurement in benchmark():
            if args.json:
                print(jsonout.dumps(measurement), flush=True)
            else:
                print(f"{measurement['name']:<48} {measurement['value']:>14.6g} {measurement['unit']}", flush=True)
    return 0
