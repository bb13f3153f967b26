"""Learning made visible: training a chunk at a time, with the market's Delta and each seller's mean price per chunk.

"Watch them learn from scratch", then "Train first", trains the learners exactly as every door
does (``market.training.steps``: the same checks, the same stop), but ``CHUNK_TICKS`` ticks a
frame, so the page can draw how far they have got. Each chunk leaves a ``Point``: the training
tick it ended at, Calvano's profit gain of the chunk,

.. math:: \\Delta = \\frac{\\bar\\pi - \\pi^N}{\\pi^M - \\pi^N},\\qquad
          \\bar\\pi = \\frac{1}{T}\\sum_{t \\in \\text{chunk}} \\sum_i (p_{it} - c_i)\\, q_{it},

with the benchmarks scaled to the shoppers who came (as ``market.metrics.market_summary``), and
each seller's mean price over the chunk, both from the differences of the engine's running totals
across the chunk (nothing is recorded per tick).
"""

from typing import NamedTuple

import numpy as np

from market import training
from market.metrics import profit_gain
from market.model import PricingModel
from market.scenario import TrainingPlan
from market.state import SHOPPERS, State

CHUNK_TICKS = 100_000


class Point(NamedTuple):
    """One chunk of training: the training tick it ended at, its Delta and each seller's mean price."""

    tick: int
    delta: float
    price: np.ndarray


class Curve:
    """The training of one model, run ``advance`` by ``advance``; ``points`` one per chunk, ``result`` at the end."""

    def __init__(self, model: PricingModel, max_ticks: int):
        plan = model.config.training or TrainingPlan()
        self.model = model
        self.start, self.max_ticks = model.tick, max_ticks
        self.points: list[Point] = []
        self.result: training.Training | None = None
        self._steps = training.steps(model.state, max_ticks, plan.stable_ticks, plan.check_every, model.pricers)

    def advance(self, n_ticks: int = CHUNK_TICKS) -> bool:
        """Train at least ``n_ticks`` more (whole checks) or to the end; add the chunk's point. Returns whether
        training has ended (then the learners are frozen and the books restart, as ``PricingModel.train``)."""
        state = self.model.state
        before, first = _totals(state), state.t
        status = None
        for status in self._steps:
            if status.converged or state.t - first >= n_ticks:
                break
        if state.t > first:
            self.points.append(_point(self.model, before, _totals(state), state.t - first, state.t - self.start))
        if status is None or status.converged or status.ticks >= self.max_ticks:
            self.result = status or training.Training(state.t - self.start, False, state.t)
            training.freeze(state)
            return True
        return False


def _totals(state: State) -> tuple[np.ndarray, ...]:
    totals = state.totals
    return (totals.revenue.copy(), totals.quantity.copy(), totals.price.copy(), float(totals.market[SHOPPERS]))


def _point(model: PricingModel, before: tuple, after: tuple, ticks: int, at: int) -> Point:
    """The chunk's Delta and mean prices from the running totals before and after it."""
    revenue, quantity, price, shoppers = (a - b for a, b in zip(after, before, strict=True))
    state, b = model.state, model.benchmarks
    industry = float(np.sum(revenue - state.market.true_cost * quantity)) / ticks
    footfall = shoppers / ticks / state.market.shoppers
    delta = profit_gain(industry, footfall * b.nash_industry_profit, footfall * b.monopoly_industry_profit)
    return Point(at, float(delta), price / ticks)
