"""Best responses: myopic, and anticipating faster rivals' replies.

The seller solves its static pricing problem against the rival prices it observes, under the demand it
faces: fees, its firm's stakes (``Seller.owner``), and, on a platform whose display moves demand, the
featured offer (``market.benchmarks.display``): it weighs winning the featured offer at the threshold (or
undercutting it by a small step) against its smooth optimum without it, under the Buy Box rule in force.
Best-response dynamics thus converge to the static Nash equilibrium the benchmarks report, or cycle where
none exists in pure prices.

Response kernels share one signature, ``kernel(i, seen, period, market, rule, featured, responses)``: seller
``i``, the prices it sees, every seller's repricing period, the engine's market constants, the rules in force
(``market.interventions.SLOTS``), the offer featured in the last tick and the best responses' work arrays
(:mod:`market.state`).
"""

from market.benchmarks.display import leader_price, market_best_response
from market.interventions import BUYBOX, SELF_PREFERENCE
from market.jit import inner_kernel
from market.strategies.registry import StrategySpec, register


@inner_kernel
def best_response_price(i, seen, period, market, rule, featured, responses):
    """Seller i's static best response to the prices ``seen``."""
    return market_best_response(i, seen, market, int(rule[BUYBOX]), rule[SELF_PREFERENCE], featured, responses)


@inner_kernel
def anticipating_price(i, seen, period, market, rule, featured, responses):
    """Seller i's price as a leader whose faster rivals (shorter ``period``) best-respond to it."""
    follower = responses.follower
    for j in range(period.shape[0]):
        follower[j] = 1.0 if period[j] < period[i] else 0.0
    return leader_price(i, seen, follower, market, int(rule[BUYBOX]), rule[SELF_PREFERENCE], responses,
                        responses.work)


BEST_RESPONSE = register(StrategySpec(
    name="best_response",
    doc="Myopic best response to the rival prices observed (lagged by the seller's lag), on the demand it faces: "
        "fees, its firm's stakes and the platform's featured offer.",
    source="Cournot (1838) adjustment; best-response dynamics in Bertrand-logit markets, Anderson et al. (1992); "
           "across the featured offer's threshold, Edgeworth (1925) and Maskin and Tirole (1988).",
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
