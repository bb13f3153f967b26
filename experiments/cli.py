"""The ``pricelab`` command line.

Each subcommand is a module in ``experiments/commands/`` with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``main(args) -> int``. This is the one boundary for errors: a
``UsageError``, a scenario or intervention error, an outside seller's (``market.outside``; a pricer
whose code raised, too) or a bad flag (argparse) prints one line, ``pricelab: error: ...``, and
exits with status 2, before any work starts but for a pricer's error; an error writing a
result prints the path and the operating system's reason (exit 1); any other exception prints one
line saying what failed and where the full traceback was written (``pricelab-error.log`` in the
working folder, else the temporary folder), exit 1. ``--debug`` shows the traceback instead, of
any error.
``--max-memory SIZE`` sets the memory budget of ``market.budget`` for the command.

A command module imports what its work needs (numpy, numba, polars, the engine, ...) inside
``main``, so that ``pricelab --help`` and every other command start without loading it.
"""

import argparse
import contextlib
import importlib
import os
import pkgutil
import sys
import tempfile
import traceback
from pathlib import Path

from experiments import commands
from experiments.errors import UsageError
from market.errors import (
    CalibrationError,
    InterventionError,
    OutsideError,
    PanelError,
    PricerError,
    ScenarioError,
    shorten,
)

LOG = "pricelab-error.log"
MAX_LINE = 600  # characters of an error's message: a value echoed in it whole could be megabytes


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag in one line (raising ``UsageError``) instead of a usage block."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command; of ``command``'s alone where that names one (a command's module may import
    much for its flags, ``sweep`` its executors: a command starts without loading the others)."""
    parser = Parser(prog="pricelab", description="A laboratory for algorithmic pricing.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__))
    for name in [command] if command in names else names:
        module = importlib.import_module(f"experiments.commands.{name}")
        one = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__)
        module.add_arguments(one)
        one.add_argument("--max-memory", metavar="SIZE", default=None,
                         help="refuse work that needs more memory than this (e.g. 4GiB; default: 80%% of the "
                              "memory available)")
        one.add_argument("--debug", action="store_true", help="show the traceback of an error")
        one.set_defaults(handler=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser(next((word for word in argv if not word.startswith("-")), None)).parse_args(argv)
        with _memory_budget(args.max_memory):
            return int(args.handler(args) or 0)
    except (UsageError, ScenarioError, InterventionError, OutsideError, PanelError, CalibrationError) as err:
        if "--debug" in argv:
            raise
        hint = " (rerun with --debug to see its traceback)" if isinstance(err, PricerError) else ""
        print(f"pricelab: error: {shorten(' '.join(str(err).split()), MAX_LINE)}{hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pricelab: interrupted", file=sys.stderr)
        return 130
    except OSError as err:
        if "--debug" in argv:
            raise
        where = f" {err.filename!r}" if err.filename else ""
        print(f"pricelab: error: cannot write or read{shorten(where, MAX_LINE)}: {err.strerror or err}",
              file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - the edge: anything else is one line and a log file
        if "--debug" in argv:
            raise
        log = _write_log(argv)
        print(f"pricelab: internal error: {type(err).__name__}: {' '.join(str(err).split())[:300]} "
              f"(the full traceback is in {log}; rerun with --debug to see it)", file=sys.stderr)
        return 1


@contextlib.contextmanager
def _memory_budget(size: str | None):
    """``--max-memory``: the budget of ``market.budget`` for this command only (restored after it)."""
    if size is None:
        yield
        return
    from market import budget

    previous = os.environ.get(budget.LIMIT_ENV)
    os.environ[budget.LIMIT_ENV] = str(budget.parse_size(size))
    try:
        yield
    finally:
        if previous is None:
            del os.environ[budget.LIMIT_ENV]
        else:
            os.environ[budget.LIMIT_ENV] = previous


def _write_log(argv: list[str]) -> str:
    """The traceback of the exception being handled, in ``LOG`` here or in the temporary folder; its path."""
    text = f"pricelab {' '.join(argv)}\n{traceback.format_exc()}"
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        try:
            path = folder / LOG
            with open(path, "a") as handle:
                handle.write(text)
            return str(path)
        except OSError:
            continue
    return "nowhere: no writable folder"


if __name__ == "__main__":
    sys.exit(main())
