"""Mesa agents: thin, read-only views of one seller's entries in the engine's arrays.

The agents hold no market logic: the engine's kernel sets every price. They exist so that
Mesa tools (DataCollector, SolaraViz, ``model.agents`` queries) can see the sellers.
"""

import mesa


class Seller(mesa.Agent):
    """Seller ``index`` of the model's engine state."""

    role = "seller"

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def name(self) -> str:
        return self.model.config.sellers[self.index].name

    @property
    def strategy(self) -> str:
        return self.model.config.sellers[self.index].strategy

    @property
    def price(self) -> float:
        return float(self.model.state.sellers.price[self.index])

    @property
    def cost(self) -> float:
        return float(self.model.state.market.cost[self.index])

    @property
    def quantity(self) -> float:
        """Units sold in the latest tick."""
        return float(self.model.state.last.quantity[self.index])

    @property
    def profit(self) -> float:
        """Profit in the latest tick (after fees paid; the platform's includes fees received)."""
        return float(self.model.state.last.profit[self.index])

    @property
    def fee(self) -> float:
        """Fees paid to the platform in the latest tick."""
        return float(self.model.state.last.fee[self.index])

    @property
    def featured(self) -> bool:
        return int(self.model.state.last.featured[0]) == self.index


class Platform(Seller):
    """The marketplace operator, which also sells first-party."""

    role = "platform"


class Retailer(Seller):
    """A rival shop, selling in its own web shop or as a third party on the platform."""

    role = "retailer"


class Brand(Seller):
    """A manufacturer selling direct or on the platform."""

    role = "brand"


AGENT_CLASSES = {"platform": Platform, "retailer": Retailer, "brand": Brand}
