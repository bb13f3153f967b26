"""Two marketplace repricers written in Python, as outside sellers (``market.outside``).

They follow the engine's ``undercut`` and ``match_lowest`` rules (``market.strategies.reactive``)
step by step, so a market where one of them prices a seller gives the engine's own numbers bit
for bit: a check that an outside seller sees what an engine strategy sees, under the same rules.
They are also the smallest pricers to start a new one from::

    from market import catalog, engine
    from experiments.examples.pricers import Undercut

    state = engine.run(catalog.load("amazon_10min"), agents={"platform": Undercut(step=0.01, floor=1.0, ceiling=1.9)})
"""

from market.scenario import Scenario
from market.strategies import get


class Undercut:
    """Charge the lowest rival price seen minus ``step``, within ``[floor, ceiling]``."""

    def __init__(self, step: float = 0.01, floor: float = 0.0, ceiling: float = float("inf")):
        self.step, self.floor, self.ceiling = step, floor, ceiling

    def price(self, observation) -> float:
        return min(max(observation.rival_min - self.step, self.floor), self.ceiling)

    @classmethod
    def like(cls, scenario: Scenario, seller: str) -> "Undercut":
        """The repricer with the parameters of ``seller``'s ``undercut`` strategy in ``scenario``."""
        return cls(**_parameters(scenario, seller))


class MatchLowest:
    """Charge the lowest rival price seen, within ``[floor, ceiling]``."""

    def __init__(self, floor: float = 0.0, ceiling: float = float("inf")):
        self.floor, self.ceiling = floor, ceiling

    def price(self, observation) -> float:
        return min(max(observation.rival_min, self.floor), self.ceiling)

    @classmethod
    def like(cls, scenario: Scenario, seller: str) -> "MatchLowest":
        """The repricer with the parameters of ``seller``'s ``match_lowest`` strategy in ``scenario``."""
        return cls(**_parameters(scenario, seller))


def _parameters(scenario: Scenario, seller: str) -> dict[str, float]:
    """The seller's strategy parameters, references (cost, nash, monopoly) resolved as the engine resolves them."""
    i = scenario.seller_index(seller)
    spec = get(scenario.sellers[i].strategy)
    row = spec.resolve(scenario.sellers[i].params, scenario.references(i))
    return {p.name: float(row[k]) for k, p in enumerate(spec.params)}
