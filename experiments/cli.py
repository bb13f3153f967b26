"""The ``pricelab`` command line.

Each subcommand is a module in ``experiments/commands/`` with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``main(args) -> int``. A ``UsageError``, a scenario error or an outside seller's
(``market.outside``) prints one line, ``pricelab: error: ...``, and exits with status 2 before any work starts.

A command module imports what its work needs (numpy, numba, polars, the engine, ...) inside
``main``, so that ``pricelab --help`` and every other command start without loading it.
"""

import argparse
import importlib
import pkgutil
import sys

from experiments import commands
from experiments.errors import UsageError
from market.errors import InterventionError, OutsideError, ScenarioError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pricelab", description="A laboratory for algorithmic pricing.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"experiments.commands.{info.name}")
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(handler=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (UsageError, ScenarioError, InterventionError, OutsideError) as err:
        print(f"pricelab: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pricelab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
