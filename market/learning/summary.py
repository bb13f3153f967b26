"""One learning session reduced to the numbers an experiment reports (picklable, small)."""

from dataclasses import dataclass

import numpy as np

from market.learning.outcomes import cycle_outcome, deviations, impulse_response
from market.learning.qlearning import QLearningSetup, run_session


@dataclass(frozen=True)
class SessionSummary:
    """How a session ended and what its greedy strategies do.

    ``price`` and ``profit`` are per-seller means over the limit cycle; ``impulse_price`` and
    ``impulse_profit`` (periods + 1, n) the impulse response, row 0 before the shock;
    ``deviation_gain`` the deviator's discounted gain from the forced deviation (and whether it is
    positive, ``deviation_profitable``);
    ``best_reply_gap`` the largest seller's relative gain from a best reply on the cycle;
    ``one_shot_proof`` whether no seller gains from a one-period deviation on the cycle;
    ``deviation_rows`` the deviations the authors' package checks (every seller from every cycle state,
    ``market.learning.outcomes.deviations``), of which ``ic_share`` are incentive compatible, with the
    non-deviators' mean relative price change after them (``price_response``) and the mean
    ``punishment_length``.
    """

    seed: int
    converged: bool
    periods: int
    delta: float
    delta_by_seller: np.ndarray
    price: np.ndarray
    profit: np.ndarray
    cycle_length: int
    is_nash: bool
    best_reply_gap: float
    one_shot_proof: bool
    impulse_price: np.ndarray
    impulse_profit: np.ndarray
    deviation_gain: float
    deviation_profitable: bool
    deviation_rows: int
    ic_share: float
    price_response: float
    punishment_length: float


def calvano_summary(setup: QLearningSetup, seed: int, deviator: int = 0) -> SessionSummary:
    """Run one simultaneous Q-learning session and measure its limit cycle and impulse response."""
    session = run_session(setup, seed)
    cycle = cycle_outcome(setup.profit, session.greedy, setup.grid, session.state, setup.benchmarks, setup.delta)
    impulse = impulse_response(setup.profit, session.greedy, setup.grid, int(cycle.states[0]), deviator,
                               setup.delta)
    package = deviations(setup.profit, session.greedy, setup.grid, cycle.states, setup.delta)
    return SessionSummary(seed=seed, converged=session.converged, periods=session.periods, delta=cycle.delta,
                          delta_by_seller=cycle.delta_by_seller, price=cycle.price, profit=cycle.profit,
                          cycle_length=cycle.length, is_nash=cycle.is_nash,
                          best_reply_gap=float(cycle.best_reply_gap.max()), one_shot_proof=cycle.one_shot_proof,
                          impulse_price=impulse.price, impulse_profit=impulse.profit, deviation_gain=impulse.gain,
                          deviation_profitable=impulse.profitable, deviation_rows=package.rows,
                          ic_share=float(package.incentive_compatible.mean()),
                          price_response=float(package.price_response.mean()),
                          punishment_length=float(package.punishment_length.mean()))
