"""Run every run of an experiment spec and store one Parquet file per run in DIR.

The spec, the output folder and the executor are checked before any run starts. A rerun of
the same spec into the same folder resumes: finished runs are skipped and failed runs are
tried again. Exit status 1 if some runs failed (``pricelab status DIR`` lists them), 3 if the
sweep stopped because no Dask worker was left (rerun the same command to resume).

With ``--executor slurm`` (or ``pbs``, ``sge``) this process runs the Dask scheduler and keeps
``--jobs`` batch jobs of workers running until the sweep ends (``experiments.sweep.batch``).
"""

import sys
from pathlib import Path

from experiments import flags
from experiments.sweep import batch, executors

NAME = "sweep"
HELP = "run an experiment spec (grid x seeds) and store one Parquet file per run"
NO_WORKERS_EXIT = 3


def add_arguments(parser) -> None:
    parser.add_argument("spec", help="experiment spec TOML file, or the name of a shipped spec")
    parser.add_argument("--out", required=True, help="results folder (new, or made by this spec to resume)")
    parser.add_argument("--executor", default="serial",
                        help=f"one of {', '.join((*executors.EXECUTORS, *batch.SYSTEMS))}")
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler (tcp://HOST:PORT)")
    parser.add_argument("--workers", type=flags.count, default=None, help="local worker processes (default: all cores)")
    parser.add_argument("--worker-timeout", type=flags.finite, default=None,
                        help=f"Dask: stop (resumable, exit {NO_WORKERS_EXIT}) after this many seconds without any "
                             f"worker (default {executors.WORKER_TIMEOUT_S:g})")
    parser.add_argument("--worker-deaths", type=flags.count, default=None,
                        help=f"Dask: record a run as failed once it has ended this many workers "
                             f"(default {executors.WORKER_DEATHS})")
    batch.add_arguments(parser)


def main(args) -> int:
    from experiments.sweep import spec
    from experiments.sweep.runs import expand
    from experiments.sweep.store import check_folder, lock

    experiment = spec.load(args.spec)
    runs = expand(experiment)
    out = Path(args.out)
    check_folder(out, experiment)
    executor = executors.make(args.executor, args.workers, args.scheduler, args.worker_timeout, args.worker_deaths,
                              batch.options(args, out), batch.external_cache(args))
    with lock(out):
        return _sweep(experiment, runs, out, executor)


def _sweep(experiment, runs, out: Path, executor) -> int:
    """Run what is left of ``runs`` on ``executor`` with a progress display; the exit status."""
    from experiments.sweep.driver import pending, run_all
    from experiments.sweep.progress import progress_display

    todo = pending(runs, out)
    if not todo:
        print(f"{experiment.name}: all {len(runs)} runs already finished in {out}/")
        return 0
    progress = progress_display(experiment.name, len(todo))  # times from here: executor start included
    with executor, progress:
        try:
            done, failed = run_all(experiment, runs, todo, out, executor, progress.advance)
        except executors.NoWorkers as err:
            print(f"pricelab: {err}; stopped with {len(todo) - progress.count} runs left; rerun the same command "
                  f"to resume", file=sys.stderr)
            return NO_WORKERS_EXIT
    print(f"{experiment.name}: {done} runs done, {failed} failed, {len(runs) - len(todo)} skipped "
          f"(already finished) in {progress.elapsed():.1f} s (first result after {progress.first_s:.1f} s); "
          f"results in {out}/")
    if failed:
        print(f"pricelab: {failed} runs failed; see `pricelab status {out}`", file=sys.stderr)
    return 1 if failed else 0
