"""A market with every group of the engine's state (learners of every kind, best responses, brands that
delist, stock, an audit, a seller priced from outside): for the tests that must leave no kernel out."""

from market.scenario import Scenario

GRID = {"m": 3}
SELLERS = [
    {"name": "platform", "role": "platform", "strategy": "undercut", "params": {"step": 0.01}},
    {"name": "q", "channel": "both", "strategy": "qlearning", "params": GRID},
    {"name": "klein", "strategy": "klein_qlearning", "params": GRID, "period": 2},
    {"name": "bandit", "strategy": "epsilon_greedy", "params": GRID},
    {"name": "ucb", "strategy": "ucb", "params": GRID},
    {"name": "leader", "strategy": "price_leadership"},
    {"name": "reply", "strategy": "best_response", "period": 3},
    {"name": "stackelberg", "strategy": "anticipating", "period": 6},
    {"name": "brand", "role": "brand", "channel": "both", "strategy": "cost_plus", "cost": 0.6,
     "wholesale": {"price": 1.0, "period": 10}, "delist_margin": 0.1},
    {"name": "shop", "strategy": "grim_trigger", "supplier": "brand"},
    {"name": "python"},
]
OUTSIDE = "python"  # the seller to price from outside


def scenario() -> Scenario:
    return Scenario.from_dict({
        "horizon": 50, "demand": {"arrivals": "poisson", "shoppers_per_tick": 30.0, "platform_only_share": 0.3},
        "sellers": SELLERS, "interventions": [{"kind": "audit", "period": 7}],
        "inventory": {"sellers": {"platform": {"initial_stock": 40.0, "batch": 20.0, "reorder_point": 10.0,
                                               "lead_time_ticks": 5, "review_days": 0.05}}}})


class Fixed:
    """A pricer that always asks 1.6."""

    def price(self, observation):
        return 1.6
