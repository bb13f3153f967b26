"""The equilibrium search of ``compare --respond`` on 2 worker processes: wall time and simulations needed.

* ``respond.<scenario>.<rule>.seconds``: both arms' searches (without and with the rule), as ``compare
  --respond`` runs them (one pool of 2 spawned workers, its start-up included; the engine's numba cache warm);
* ``respond.<scenario>.<rule>.simulations``: the simulations both searches ran, and ``...converged_arms``
  how many of the two converged;
* ``respond.load_average``: the machine's 1-minute load average when the searches ended (other work on the
  machine slows them).

``nessie`` with its platform responding to ``min_lag_1h``; ``amazon_10min`` with its platform responding to
``once_a_day``: the dominant seller, with the fastest repricer, is the one the daily cap binds most (it
changes its price every tick), and its repricer's settings (undercut step, floor, ceiling) are its own choice.
"""

import os
import time

from experiments.arms import shorthand
from experiments.bench import measurement
from experiments.configs import load
from experiments.respond.comparison import search
from experiments.respond.plan import from_flag
from market import engine, interventions

WORKERS = 2
CASES = (("nessie", "min_lag_1h", "platform"), ("amazon_10min", "once_a_day", "platform"))


def equilibrium_search():
    for name, rule, sellers in CASES:
        base = load(name)
        engine.run(base)  # compile / load from cache, as the workers will
        arms = shorthand(base, interventions.load(rule), {}, rule)
        started = time.perf_counter()
        found = search(arms, from_flag(sellers), WORKERS)
        wall = time.perf_counter() - started
        yield measurement(f"respond.{name}.{rule}.seconds", wall, "s")
        yield measurement(f"respond.{name}.{rule}.simulations", sum(f.simulations for f in found.values()),
                          "simulations")
        yield measurement(f"respond.{name}.{rule}.converged_arms", sum(f.converged for f in found.values()), "arms")
    yield measurement("respond.load_average", os.getloadavg()[0], "processes")


BENCHMARKS = [equilibrium_search]
