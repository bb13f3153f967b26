"""Best responses: myopic, and anticipating faster rivals' replies.

The seller solves its static first-order condition against the rival prices it observes,
under the benchmark demand of :mod:`market.benchmarks` (fees included, featured-offer
attention left out), so that best-response dynamics converge to the static Nash
equilibrium the benchmarks report.

Response kernels share one signature, ``kernel(i, seen, period, market, responses)``: seller
``i``, the prices it sees, every seller's repricing period, the engine's market constants and
the best responses' work arrays (:mod:`market.state`).
"""

from market.benchmarks import best_response, leader_price
from market.jit import inner_kernel
from market.strategies.registry import StrategySpec, register


@inner_kernel
def best_response_price(i, seen, period, market, responses):
    """Seller i's static best response to the prices ``seen``."""
    work = responses.segment
    return best_response(i, seen, market.quality, market.alpha, market.kappa, market.stake_share, market.stake_unit,
                         market.visibility, market.segment_weight, market.mu, market.outside_quality, work[0],
                         work[1], work[2])


@inner_kernel
def anticipating_price(i, seen, period, market, responses):
    """Seller i's price as a leader whose faster rivals (shorter ``period``) best-respond to it."""
    follower = responses.follower
    for j in range(period.shape[0]):
        follower[j] = 1.0 if period[j] < period[i] else 0.0
    work = responses.segment
    return leader_price(i, seen, follower, market.quality, market.alpha, market.kappa, market.stake_share,
                        market.stake_unit, market.visibility, market.segment_weight, market.mu,
                        market.outside_quality, responses.work, work[0], work[1], work[2])


BEST_RESPONSE = register(StrategySpec(
    name="best_response",
    doc="Myopic best response to the rival prices observed (lagged by the seller's lag).",
    source="Cournot (1838) adjustment; best-response dynamics in Bertrand-logit markets, Anderson et al. (1992).",
    kernel=best_response_price,
    family="response",
    uses_rival_prices=True,
))

ANTICIPATING = register(StrategySpec(
    name="anticipating",
    doc="Best response that anticipates the replies of rivals who reprice more often (a Stackelberg leader).",
    source="Brown and MacKay (2023), 'Competition in Pricing Algorithms', AEJ: Microeconomics 15(2).",
    kernel=anticipating_price,
    family="response",
    uses_rival_prices=True,
))
