"""A Dask worker preload for the tests: the run at index ``$PRICELAB_POISON_RUN`` kills its worker (SIGKILL).

It stands for a run that exceeds a memory limit or crashes the interpreter. Tasks name
``experiments.sweep.runs.simulate`` by reference, so the worker looks up the wrapper below.
"""

import os
import signal

from experiments.sweep import runs


def simulate(run, **options):
    if run.index == int(os.environ["PRICELAB_POISON_RUN"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return simulate.original(run, **options)


simulate.original = getattr(runs.simulate, "original", runs.simulate)  # the worker may load this file twice
runs.simulate = simulate
