r"""The responders' profits under profiles of settings, each measured once, on common seeds, in parallel.

A profile's value for responder :math:`i` is its firm's profit per tick as every door measures it
(``experiments.compare.measure``: learners trained first, the scenario's measured ticks; the firm is the
seller's ``owner``, so a seller re-tunes for the joint profit of the sellers its owner holds, and a seller
without one for its own), averaged over the search seeds :math:`s_1..s_S`:
:math:`\pi_i(x) = \frac1S \sum_s \pi_i(x; s)`. Every candidate is measured on the same seeds (common random
numbers), so the difference between two candidates is due to the settings alone. Simulations run on an
executor of ``experiments.sweep.executors`` (serial, or spawned processes); results are gathered by position,
so they do not depend on the number of workers or on the order in which they finish.
"""

import numpy as np

from experiments.compare import measure
from experiments.respond.space import Responder, Setting, apply
from market.scenario import Scenario

Profile = tuple[Setting, ...]


def profits(task: tuple[int, int, Scenario, tuple[str, ...]]) -> tuple[int, int, np.ndarray]:
    """One simulation (a worker's task): ``(profile index, seed index, scenario, responders' names)`` ->
    the indices and each responder's firm's profit per tick."""
    j, k, scenario, names = task
    _, outcomes = measure(scenario)
    profit = {name: value for level, name, metric, value in outcomes if level == "seller" and metric == "profit"}
    firm = {s.name: s.firm for s in scenario.sellers}
    return j, k, np.array([sum(profit[s] for s in profit if firm[s] == firm[name]) for name in names])


class Evaluator:
    """Profits of profiles in ``scenario`` for ``found`` responders on ``seeds``, cached: a profile is simulated
    once (``simulations`` counts the runs, a profile times its seeds)."""

    def __init__(self, scenario: Scenario, found: tuple[Responder, ...], seeds: tuple[int, ...], executor):
        self.scenario = scenario
        self.found = found
        self.seeds = seeds
        self.executor = executor
        self.cache: dict[Profile, np.ndarray] = {}
        self.simulations = 0

    def __call__(self, profiles: list[Profile]) -> list[np.ndarray]:
        """Each profile's mean profit per tick over the seeds, one value per responder."""
        todo = [p for p in dict.fromkeys(profiles) if p not in self.cache]
        if todo:
            names = tuple(r.name for r in self.found)
            tasks = [(j, k, apply(self.scenario, self.found, profile).replace(seed=seed), names)
                     for j, profile in enumerate(todo) for k, seed in enumerate(self.seeds)]
            values = np.empty((len(todo), len(self.seeds), len(names)))
            for j, k, profit in self.executor.imap(profits, tasks):
                values[j, k] = profit
            self.cache.update({profile: values[j].mean(axis=0) for j, profile in enumerate(todo)})
            self.simulations += len(tasks)
        return [self.cache[p] for p in profiles]
