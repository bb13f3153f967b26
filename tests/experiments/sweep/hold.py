"""``python -m tests.experiments.sweep.hold ARGS``: ``pricelab ARGS`` in which every run from index
``$PRICELAB_HOLD_FROM`` on never ends (its worker waits until it is killed).

A sweep started so stops after exactly its first runs, whatever the machine's speed: a test kills it at a point
it knows. Workers are spawned: they import this module again (as ``__mp_main__``) to find ``simulate`` below."""

import os
import sys
import threading

from experiments.sweep import runs


def simulate(run, *args, **options):
    if run.index >= int(os.environ["PRICELAB_HOLD_FROM"]):
        threading.Event().wait()
    return simulate.original(run, *args, **options)


simulate.original = getattr(runs.simulate, "original", runs.simulate)
runs.simulate = simulate

if __name__ == "__main__":
    from experiments.cli import main

    sys.exit(main(sys.argv[1:]))
