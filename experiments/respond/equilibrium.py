r"""The equilibrium in delegated strategies: iterated best response until no seller gains from re-tuning.

Starting from the settings as given, the responders take turns (in the order named; each sees the
others' latest settings, Gauss-Seidel): responder :math:`i` computes its best response
:math:`x_i^* = \arg\max_{x_i} \pi_i(x_i, x_{-i})` (:mod:`experiments.respond.search`) and adopts it when
its gain exceeds the stated tolerance,

.. math:: \pi_i(x_i^*, x_{-i}) - \pi_i(x) > \max(\tau, \rho\, |\pi_i(x)|),

:math:`\tau` the absolute tolerance (profit per tick) and :math:`\rho` the relative one. A round in which
no responder moves ends the search: the settings are an equilibrium up to the tolerance and the grids
searched (*converged*); each responder's remaining gain is reported. A profile seen before means the best
responses cycle (*cycle*: the cycle's profiles are reported, and the settings where it closed are
measured); ``max_rounds`` rounds without either end it as *not converged*.

Every profit is measured on the same search seeds (common random numbers; by default the comparison's
first seed where the seeds vary nothing, else its first four), through the measured path of every door
(``experiments.compare.measure``). A best response depends only on the profile it starts from, so it is
computed once per profile, and each profile is simulated once (:class:`~experiments.respond.evaluate.Evaluator`).
"""

import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from experiments.compare_summary import seeds_vary
from experiments.respond.evaluate import Evaluator, Profile
from experiments.respond.plan import RANDOM_SEEDS, Plan, as_plan
from experiments.respond.search import best_response
from experiments.respond.space import Responder, Setting, apply, responders
from experiments.stats import spawn_seeds
from experiments.sweep.executors import Processes, Serial
from market.scenario import Scenario

CONVERGED, CYCLE, NOT_CONVERGED = "converged", "cycle", "not converged"


@dataclass(frozen=True)
class Equilibrium:
    """The settings found in ``scenario`` (``chosen``, one per responder, and the scenario with them), the
    responders' profits per tick at the given and at the chosen settings on the search ``seeds``, each one's
    remaining gain from a best response there, how the search ended (``status``, ``rounds``, the ``cycle``'s
    profiles), the simulations it needed and its wall time in seconds."""

    scenario: Scenario
    responders: tuple[Responder, ...]
    chosen: tuple[Setting, ...]
    profit_given: np.ndarray
    profit_chosen: np.ndarray
    remaining_gain: np.ndarray
    status: str
    rounds: int
    cycle: tuple[Profile, ...]
    simulations: int
    seeds: tuple[int, ...]
    plan: Plan
    wall_s: float

    @property
    def converged(self) -> bool:
        return self.status == CONVERGED

    @property
    def given(self) -> tuple[Setting, ...]:
        return tuple(r.given for r in self.responders)


def search_seeds(scenario: Scenario, plan: Plan) -> tuple[int, ...]:
    """The seeds every candidate is measured on: the first ``plan.seeds`` run seeds of a comparison of
    ``scenario`` (``experiments.stats.spawn_seeds``); by default 1 where the seeds vary nothing, else
    ``RANDOM_SEEDS``."""
    n = plan.seeds or (RANDOM_SEEDS if seeds_vary([scenario], []) else 1)
    return tuple(spawn_seeds(scenario.seed, n))


def equilibrium(scenario: Scenario, plan: Plan | dict | str, workers: int = 1, seeds: tuple[int, ...] | None = None,
                executor=None, where: str = "respond") -> Equilibrium:
    """The responders' settings in ``scenario`` by iterated best response (module docstring).

    ``plan``: a :class:`~experiments.respond.plan.Plan`, a ``[respond]`` table as a dict, or seller names
    (``"platform"``), e.g. ``equilibrium(configs.load("nessie"), {"platform": {"window": [1, 12]}})``.
    ``workers`` spawned processes run the simulations (1: this process), or ``executor`` (an executor of
    ``experiments.sweep.executors`` already started); the result is the same for any. ``wall_s`` includes
    starting the workers. ``seeds`` overrides
    :func:`search_seeds`. ``UsageError`` (naming ``where``) for a plan the scenario cannot take.
    """
    plan = as_plan(plan)
    found = responders(plan, scenario, where)
    seeds = tuple(seeds) if seeds is not None else search_seeds(scenario, plan)
    started = time.perf_counter()
    pool = nullcontext(executor) if executor is not None else Processes(workers) if workers > 1 else Serial()
    with pool as running:
        evaluate = Evaluator(scenario, found, seeds, running)
        given = tuple(r.given for r in found)

        def respond(i: int, profile: Profile) -> tuple[Setting, float]:
            def values(settings: list[Setting]) -> list[float]:
                return [v[i] for v in evaluate([profile[:i] + (s,) + profile[i + 1:] for s in settings])]
            return best_response(found[i], profile[i], values, plan.points, plan.resolution)

        profile, status, rounds, cycle, gains = iterate(given, respond, lambda p: evaluate([p])[0], plan.threshold,
                                                        plan.max_rounds)
    chosen_scenario = scenario if profile == given else apply(scenario, found, profile)
    return Equilibrium(chosen_scenario, found, profile, evaluate([given])[0], evaluate([profile])[0], gains,
                       status, rounds, cycle, evaluate.simulations, seeds, plan, time.perf_counter() - started)


def iterate(start: Profile, respond: Callable[[int, Profile], tuple[Setting, float]],
            value: Callable[[Profile], np.ndarray], threshold: Callable[[float], float],
            max_rounds: int) -> tuple[Profile, str, int, tuple[Profile, ...], np.ndarray]:
    """Iterated best response from ``start`` (module docstring): ``respond(i, profile)`` is responder ``i``'s best
    setting and its value, ``value(profile)`` every responder's profit, ``threshold(profit)`` the gain to
    exceed. Returns the final profile, the status, the rounds run, the cycle (empty unless one was found) and
    each responder's last gain from its best response (0 where it had none)."""
    profile, history, memo = start, [start], {}
    gains = np.zeros(len(start))
    for rounds in range(1, max_rounds + 1):
        moved = False
        for i in range(len(start)):
            if (i, profile) not in memo:
                memo[(i, profile)] = respond(i, profile)
            setting, best = memo[(i, profile)]
            now = float(value(profile)[i])
            gains[i] = max(best - now, 0.0)
            if setting != profile[i] and best - now > threshold(now):
                profile, moved = profile[:i] + (setting,) + profile[i + 1:], True
                if profile in history:
                    return profile, CYCLE, rounds, tuple(history[history.index(profile):]), gains
                history.append(profile)
        if not moved:
            return profile, CONVERGED, rounds, (), gains
    return profile, NOT_CONVERGED, max_rounds, (), gains
