"""Best responses: myopic, and anticipating faster rivals' replies.

The seller solves its static first-order condition against the rival prices it observes,
under the benchmark demand of :mod:`market.benchmarks` (fees included, featured-offer
attention left out), so that best-response dynamics converge to the static Nash
equilibrium the benchmarks report.
"""

from market.strategies.registry import StrategySpec, register

BEST_RESPONSE = register(StrategySpec(
    name="best_response",
    id=2,
    doc="Myopic best response to the rival prices observed (lagged by the seller's lag).",
    source="Cournot (1838) adjustment; best-response dynamics in Bertrand-logit markets, Anderson et al. (1992).",
    uses_rival_prices=True,
))

ANTICIPATING = register(StrategySpec(
    name="anticipating",
    id=13,
    doc="Best response that anticipates the replies of rivals who reprice more often (a Stackelberg leader).",
    source="Brown and MacKay (2023), 'Competition in Pricing Algorithms', AEJ: Microeconomics 15(2).",
    uses_rival_prices=True,
))
