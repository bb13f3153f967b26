"""``PricingModel``: the Mesa face of the engine, one tick per ``step()``.

The model is built from flat keyword arguments with defaults (what SolaraViz needs) or
from a ``Scenario``; ``step()`` calls the same kernel as the batch path with one tick, so
stepping n times equals one ``advance(state, n)`` bit for bit.
"""

from pathlib import Path

import mesa

from market import catalog, engine, training
from market.agents import AGENT_CLASSES
from market.metrics import market_summary
from market.scenario import Scenario
from market.state import SURPLUS

DEFAULT_SCENARIO = catalog.resolve("amazon_10min")


class PricingModel(mesa.Model):
    """A market of repricing sellers.

    Parameters
    ----------
    scenario : Scenario, str or Path
        The market, or the path of its TOML file.
    seed : int, optional
        Overrides the scenario's seed (Mesa's dashboard passes it as text).
    mu, shoppers_per_tick, platform_only_share, referral_fee, fulfilment_fee, featured_attention : float, optional
        Override the scenario's demand and platform terms.
    overrides : dict, optional
        Further changes by dotted path, e.g. ``{"sellers.platform.period": 6}``.
    horizon : int, optional
        Ticks to keep records for (default: the scenario's horizon).
    collect : bool
        Whether ``step()`` feeds Mesa's DataCollector (the dashboard reads ``state.record_*`` instead).

    The validated market is ``model.config`` (Mesa's own ``model.scenario`` is left to Mesa).
    """

    def __init__(self, scenario: Scenario | str | Path = DEFAULT_SCENARIO, seed=None, mu=None,
                 shoppers_per_tick=None, platform_only_share=None, referral_fee=None, fulfilment_fee=None,
                 featured_attention=None, overrides: dict | None = None, horizon: int | None = None,
                 collect: bool = True):
        if not isinstance(scenario, Scenario):
            scenario = Scenario.from_toml(scenario)
        updates = dict(overrides or {})
        for path, value in (("demand.mu", mu), ("demand.shoppers_per_tick", shoppers_per_tick),
                            ("demand.platform_only_share", platform_only_share),
                            ("platform.referral_fee", referral_fee), ("platform.fulfilment_fee", fulfilment_fee),
                            ("platform.featured_attention", featured_attention),
                            ("seed", None if seed in (None, "") else int(seed))):
            if value is not None:
                updates[path] = value
        self.config = scenario.with_values(updates) if updates else scenario
        super().__init__(rng=self.config.seed)
        self.benchmarks = self.config.benchmarks
        self.state = engine.build_state(self.config, horizon=horizon)
        self.sellers = [AGENT_CLASSES[s.role](self, i) for i, s in enumerate(self.config.sellers)]
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters={"tick": "tick", "delta": "delta", "consumer_surplus": "consumer_surplus",
                             "mean_price": "mean_price", "featured": "featured"},
            agent_reporters={"name": "name", "price": "price", "quantity": "quantity", "profit": "profit"},
        )

    @property
    def tick(self) -> int:
        """Ticks run so far."""
        return self.state.t

    @property
    def summary(self) -> dict[str, float]:
        """Market measures since tick 0 (see ``market.metrics``)."""
        return market_summary(self.state, self.benchmarks, self.config.ticks_per_day)

    @property
    def delta(self) -> float:
        return self.summary["delta"] if self.tick else float("nan")

    @property
    def consumer_surplus(self) -> float:
        """Consumer surplus in the latest tick."""
        return float(self.state.last.market[SURPLUS])

    @property
    def mean_price(self) -> float:
        return float(self.state.sellers.price.mean())

    @property
    def featured(self) -> str | None:
        """Name of the seller holding the featured offer in the latest tick."""
        i = int(self.state.last.featured[0])
        return self.config.sellers[i].name if i >= 0 and self.tick else None

    def step(self) -> None:
        """Advance one tick through the engine's kernel and collect data."""
        engine.advance(self.state, 1)
        if self.collect:
            self.datacollector.collect(self)

    def advance(self, n_ticks: int) -> None:
        """Advance ``n_ticks`` in one kernel call (the fast path; no data collected on the way)."""
        engine.advance(self.state, n_ticks)

    def train(self, max_ticks: int = 10_000_000, stable_ticks: int = training.STABLE_TICKS,
              check_every: int = training.CHECK_EVERY) -> training.Training:
        """Fast-forward the learners to convergence (``market.training``), then freeze them and restart the books:
        from here ``summary``, the records and the charts measure the trained algorithms' play."""
        return training.train_then_freeze(self.state, max_ticks, stable_ticks, check_every)

    def seller_index(self, seller: str | int) -> int:
        """Index of a seller given by name or index."""
        names = [s.name for s in self.config.sellers]
        if isinstance(seller, str):
            if seller not in names:
                raise ValueError(f"seller = {seller!r}: unknown; the sellers are {', '.join(names)}")
            return names.index(seller)
        return int(seller)

    def force_price(self, seller: str | int, price: float, n_ticks: int | None = None) -> int:
        """Make ``seller`` charge ``price`` for ``n_ticks`` ticks from the next one (default: one repricing period),
        then return to its strategy: a deviation, to watch how the others respond. Returns the ticks."""
        i = self.seller_index(seller)
        n_ticks = self.config.sellers[i].period if n_ticks is None else n_ticks
        engine.force_price(self.state, i, price, n_ticks)
        return n_ticks

    def set_interventions(self, items) -> None:
        """Put ``items`` (``market.interventions`` records) in force from the next tick, replacing the
        scenario's own. Validated against the scenario first; on error nothing changes."""
        data = self.config.model_dump()
        data["interventions"] = [item.model_dump() for item in items]
        config = type(self.config).from_dict(data)
        engine.set_interventions(self.state, config)
        self.config = config
