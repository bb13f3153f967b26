"""Train learning sellers to convergence on the fast path, then let them play (Calvano et al. 2020's protocol).

A learner's *greedy policy* is the price of highest value in each state of its table: every row
of a Q-learner's table (Calvano's ``qlearning``, Klein's ``klein_qlearning``), the value row of a
bandit's (``epsilon_greedy``, ``ucb``). Training stops when no learner's greedy policy has changed
for ``stable_ticks`` ticks (Calvano et al. 2020, section III.C: 100,000 periods), or after
``max_ticks``. The policies are compared every ``check_every`` ticks, so a change that is undone
within one check goes unseen; the stop comes at most ``check_every`` ticks after convergence.

After training the model freezes the learners (greedy play, no exploring, no updating: the
protocol of Calvano et al.'s impulse responses) and restarts its books, so what is measured
and drawn next is the play of the trained algorithms. A scenario with a ``[measure]`` table then
runs its warm-up (``market.settling``) before the books restart again: :func:`ready` is the one
path by which every door reaches the market it measures.
"""

import collections
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from market import engine, settling, strategies
from market.outside import Pricers
from market.scenario import Scenario, TrainingPlan
from market.settling import WarmUp
from market.state import State
from market.strategies.learning import KLEIN_QLEARNING, QLEARNING

MAX_TICKS = TrainingPlan().max_ticks
STABLE_TICKS = TrainingPlan().stable_ticks
CHECK_EVERY = TrainingPlan().check_every
COLUMNS = ("learners", "trained", "converged", "training_ticks")  # what a result row says of training
NOTHING_TO_TRAIN = "no seller learns a table (qlearning, klein_qlearning, epsilon_greedy, ucb): nothing to train"
_Q_IDS = (QLEARNING.id, KLEIN_QLEARNING.id)


@dataclass(frozen=True)
class Training:
    """How training went: ticks run, whether the policies converged, and the tick it ended."""

    ticks: int
    converged: bool
    end_tick: int


def columns(trained: Training | None, state: State) -> dict[str, object]:
    """What a result row says of training: ``learners`` (sellers with a table of their own), ``trained``,
    ``converged`` (None when nothing was trained) and ``training_ticks`` (0 when nothing was trained)."""
    return {"learners": len(table_learners(state)), "trained": trained is not None,
            "converged": None if trained is None else trained.converged,
            "training_ticks": 0 if trained is None else trained.ticks}


def table_learners(state: State) -> list[int]:
    """Sellers with a table of their own (a vendor's clients share their vendor's)."""
    learners = state.learners
    if learners is None:
        return []
    return [i for i in range(state.n_sellers)
            if learners.owner[i] == i and learners.table_rows[i] * learners.table_cols[i] > 0]


def greedy_policy(state: State) -> np.ndarray:
    """Every table learner's greedy action in every state of its table, concatenated."""
    parts = []
    learners = state.learners
    for i in table_learners(state):
        rows, cols, offset = int(learners.table_rows[i]), int(learners.table_cols[i]), int(learners.table_offset[i])
        table = learners.table_pool[offset:offset + rows * cols].reshape(rows, cols)
        parts.append(np.argmax(table if state.sellers.strategy[i] in _Q_IDS else table[:1], axis=1))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def check_plan(scenario: Scenario, max_ticks: int) -> None:
    """Raise ``ValueError`` for ``max_ticks`` below 1 or a scenario where no seller learns a table."""
    if max_ticks < 1:
        raise ValueError(f"max_ticks = {max_ticks}: must be >= 1")
    if not any(strategies.get(s.strategy).learns for s in scenario.sellers):
        raise ValueError(NOTHING_TO_TRAIN)


def check(state: State, max_ticks: int, stable_ticks: int = STABLE_TICKS, check_every: int = CHECK_EVERY) -> None:
    """Raise ``ValueError`` for a count below 1 or a market where no seller learns a table."""
    for name, value in (("max_ticks", max_ticks), ("stable_ticks", stable_ticks), ("check_every", check_every)):
        if value < 1:
            raise ValueError(f"{name} = {value}: must be >= 1")
    if not table_learners(state):
        raise ValueError(NOTHING_TO_TRAIN)


def steps(state: State, max_ticks: int, stable_ticks: int = STABLE_TICKS, check_every: int = CHECK_EVERY,
          pricers: Pricers | None = None) -> Iterator[Training]:
    """Train as :func:`train` does, one check at a time: after every ``check_every`` ticks (or fewer, at
    ``max_ticks``), how training stands so far (``converged`` on the last one if the policies converged).
    Raises ``ValueError`` as :func:`check` before any tick runs."""
    check(state, max_ticks, stable_ticks, check_every)
    return _steps(state, max_ticks, stable_ticks, check_every, pricers)


def _steps(state: State, max_ticks: int, stable_ticks: int, check_every: int,
           pricers: Pricers | None) -> Iterator[Training]:
    start = state.t
    policy = greedy_policy(state)
    stable = 0
    while state.t - start < max_ticks:
        chunk = min(check_every, max_ticks - (state.t - start))
        engine.advance(state, chunk, pricers)
        latest = greedy_policy(state)
        stable = stable + chunk if np.array_equal(latest, policy) else 0
        policy = latest
        yield Training(state.t - start, stable >= stable_ticks, state.t)
        if stable >= stable_ticks:
            return


def train(state: State, max_ticks: int, stable_ticks: int = STABLE_TICKS, check_every: int = CHECK_EVERY,
          pricers: Pricers | None = None) -> Training:
    """Advance ``state`` until the greedy policies have been stable for ``stable_ticks`` ticks, or ``max_ticks``
    (``pricers``: those of the sellers priced from outside, ``market.outside``)."""
    return collections.deque(steps(state, max_ticks, stable_ticks, check_every, pricers), maxlen=1)[0]


def freeze(state: State) -> None:
    """Freeze the learners (greedy play, no exploring, no updating) and restart the books."""
    state.learners.frozen[0] = True
    engine.restart_books(state)


def train_then_freeze(state: State, max_ticks: int, stable_ticks: int = STABLE_TICKS,
                      check_every: int = CHECK_EVERY, pricers: Pricers | None = None) -> Training:
    """:func:`train`; then freeze the learners and restart the books, so what follows measures their play."""
    result = train(state, max_ticks, stable_ticks, check_every, pricers)
    freeze(state)
    return result


class Prepared(NamedTuple):
    """A market ready to be measured (or measured): its state, how training went (None: not trained) and how the
    warm-up went (``market.settling.WarmUp``; None: the scenario has no ``[measure]`` table)."""

    state: State
    trained: Training | None
    warm_up: WarmUp | None


def ready(scenario: Scenario, horizon: int | None = None, record_stride: int | None = None,
          max_ticks: int | None = None, pricers: Pricers | None = None, train: bool = True,
          warm_up: bool = True) -> Prepared:
    """The scenario's market ready to be measured: built; trained then frozen where it asks for it; warmed up
    where it asks for it. Every door measures from here (``prepare``, ``measured``, ``run``,
    ``experiments.compare``, the sweeps, ``market.model.PricingModel``).

    Training runs when the scenario has a ``[training]`` table (``max_ticks`` overrides its own), or when
    ``max_ticks`` is given, and only if some seller learns a table. Then the warm-up of a ``[measure]`` table
    runs and the books restart (``market.settling``): what is measured next is the settled market. Without
    either the state is at tick 0. ``horizon`` and ``record_stride`` size the records
    (``engine.build_state``); ``pricers`` price the sellers priced from outside (``market.outside``);
    ``train`` and ``warm_up`` False skip the one or the other (to watch the learning, or the start-up itself).
    """
    state = engine.build_state(scenario, horizon, record_stride)
    plan = scenario.training or (TrainingPlan(max_ticks=max_ticks) if max_ticks is not None else None)
    trained = None
    if train and plan is not None and table_learners(state):
        ticks = plan.max_ticks if max_ticks is None else max_ticks
        trained = train_then_freeze(state, ticks, plan.stable_ticks, plan.check_every, pricers)
    return Prepared(state, trained, settling.warm_up(state, scenario, pricers) if warm_up else None)


def prepare(scenario: Scenario, horizon: int | None = None, record_stride: int | None = None,
            max_ticks: int | None = None, pricers: Pricers | None = None) -> tuple[State, Training | None]:
    """:func:`ready`'s state and training (the warm-up ran too; :func:`ready` also says how it went)."""
    state, trained, _ = ready(scenario, horizon, record_stride, max_ticks, pricers)
    return state, trained


def measured(scenario: Scenario, record_stride: int | None = None) -> Prepared:
    """:func:`ready`, then the scenario's horizon: the measured play (all of it, for a market without learners
    or warm-up)."""
    prepared = ready(scenario, record_stride=record_stride)
    engine.advance(prepared.state, scenario.horizon)
    return prepared


def run(scenario: Scenario, record_stride: int | None = None) -> tuple[State, Training | None]:
    """:func:`measured`'s state and training."""
    state, trained, _ = measured(scenario, record_stride)
    return state, trained
