"""``PricingModel``: the Mesa face of the engine, one tick per ``step()``.

The model is built from flat keyword arguments with defaults (what SolaraViz needs) or
from a ``Scenario``; ``step()`` calls the same kernel as the batch path with one tick, so
stepping n times equals one ``advance(state, n)`` bit for bit. A scenario with a
``[training]`` table is trained at construction, and one with a ``[measure]`` table warmed up, as every door
measures it (``market.training.ready``).

Seeds follow Mesa's convention: ``rng`` is an integer seed, a numpy ``Generator`` (a seed is drawn
from it) or None (a fresh seed from the operating system), so ``mesa.batch_run(PricingModel, ...,
rng=[1, 2])`` runs seeds 1 and 2 and ``iterations=k`` runs k different seeds; each model reports
the seed it ran (``model.seed``, and a ``seed`` column of its DataCollector) so any of them can be
run again. Left out, the scenario's own seed is used. ``seed`` is accepted as the same keyword
(Mesa's older name; also the name of a parameter in ``batch_run``'s ``parameters``).
"""

from collections.abc import Mapping
from pathlib import Path

import mesa
import numpy as np

from market import catalog, engine, outside, training
from market.agents import AGENT_CLASSES
from market.errors import check_type
from market.metrics import market_summary
from market.scenario import MeasurePlan, Scenario, TrainingPlan
from market.state import SURPLUS

SCENARIO_SEED = "scenario"  # rng's default: run the scenario's own seed
# The DataCollector's model columns, named for what they cover: ``_so_far`` from the start of the books
# (``measured_from``: tick 0, or the end of training and of the warm-up) to the latest tick; ``_tick`` the latest
# tick alone. Column: the model's attribute.
MODEL_REPORTERS = {"seed": "seed", "tick": "tick", "delta_so_far": "delta", "consumer_surplus_tick": "consumer_surplus",
                   "mean_price_tick": "mean_price", "featured_tick": "featured", "measured_from": "measured_from",
                   "warm_up_ticks": "warm_up_ticks", "settled": "settled"}
DEFAULT_SCENARIO = catalog.resolve("amazon_10min")


class PricingModel(mesa.Model):
    """A market of repricing sellers.

    Parameters
    ----------
    scenario : Scenario, str or Path
        The market, the path of its TOML file, or a shipped scenario's name (``"amazon_10min"``).
    rng : int, numpy Generator or None, optional
        The seed to run (see the module docstring); default: the scenario's. Text that holds an
        integer is read as one (Mesa's dashboard sends text).
    train : bool, optional
        Train the learners first (``market.training.ready``); default: when the scenario has a
        ``[training]`` table. ``model.training`` then says how it went (None: not trained).
    warm_up : bool, optional
        Run the warm-up of the scenario's ``[measure]`` table (with True and no table, ``"auto"``) after
        training, so that the model starts in the settled market (``market.settling``); default: when the
        scenario has one, unless ``train`` is False. ``model.warm_up`` says how it went (None: none ran), and
        the reporters ``measured_from``, ``warm_up_ticks`` and ``settled`` say what ``delta_so_far`` covers.
    mu, shoppers_per_tick, platform_only_share, referral_fee, fulfilment_fee, featured_attention : float, optional
        Override the scenario's demand and platform terms.
    overrides : dict, optional
        Further changes by dotted path, e.g. ``{"sellers.platform.period": 6}``.
    horizon : int, optional
        Ticks to keep records for (default: the scenario's horizon).
    collect : bool
        Whether ``step()`` feeds Mesa's DataCollector (the dashboard reads ``state.records`` instead).
    agents : dict, optional
        Sellers priced by Python objects, by name: ``{"shop_a": pricer}``, a pricer being any object with
        ``price(observation) -> float`` (``market.outside``); the others keep their strategies.

    The validated market is ``model.config`` (Mesa's own ``model.scenario`` is left to Mesa).
    """

    def __init__(self, scenario: Scenario | str | Path = DEFAULT_SCENARIO, rng=SCENARIO_SEED, mu=None,
                 shoppers_per_tick=None, platform_only_share=None, referral_fee=None, fulfilment_fee=None,
                 featured_attention=None, overrides: dict | None = None, horizon: int | None = None,
                 collect: bool = True, train: bool | None = None, agents: Mapping[str, object] | None = None,
                 warm_up: bool | None = None, **legacy):
        if not isinstance(scenario, Scenario):
            scenario = catalog.load(scenario)
        check_type(overrides, (dict, type(None)), "overrides", "a dict of {dotted path: value}")
        check_type(horizon, (int, np.integer, type(None)), "horizon", "an integer number of ticks")
        updates = dict(overrides or {})
        for path, value in (("demand.mu", mu), ("demand.shoppers_per_tick", shoppers_per_tick),
                            ("demand.platform_only_share", platform_only_share),
                            ("platform.referral_fee", referral_fee), ("platform.fulfilment_fee", fulfilment_fee),
                            ("platform.featured_attention", featured_attention),
                            ("seed", run_seed(_one_seed(rng, legacy)))):
            if value is not None:
                updates[path] = value
        self.config, self.pricers = outside.bind(scenario.with_values(updates) if updates else scenario, agents)
        super().__init__(rng=self.config.seed)
        if warm_up and self.config.measure is None:
            self.config = self.config.replace(measure=MeasurePlan().model_dump())
        self.benchmarks = self.config.benchmarks
        trains = bool(train or (train is None and self.config.training is not None))
        plan = self.config.training or TrainingPlan()
        if train:
            training.check_plan(self.config, plan.max_ticks)
        self.state, self.training, self.warm_up = training.ready(
            self.config, horizon, max_ticks=plan.max_ticks if trains else None, pricers=self.pricers, train=trains,
            warm_up=warm_up if warm_up is not None else train is not False)
        self.sellers = [AGENT_CLASSES[s.role](self, i) for i, s in enumerate(self.config.sellers)]
        self.collect = collect
        self.datacollector = mesa.DataCollector(
            model_reporters=MODEL_REPORTERS,
            agent_reporters={"name": "name", "price": "price", "quantity": "quantity", "profit": "profit"},
        )

    @property
    def seed(self) -> int:
        """The seed this model runs: the scenario's, or the one given or drawn (``rng``)."""
        return self.config.seed

    @property
    def tick(self) -> int:
        """Ticks run so far."""
        return self.state.t

    @property
    def summary(self) -> dict[str, float]:
        """Market measures since the books started (``measured_from``): tick 0, or the end of training and of the
        warm-up (see ``market.metrics``)."""
        return market_summary(self.state, self.benchmarks, self.config.ticks_per_day)

    @property
    def measured_from(self) -> int:
        """The tick from which ``summary`` and ``delta`` measure: 0, or the end of training and of the warm-up."""
        return int(self.state.origin[0])

    @property
    def warm_up_ticks(self) -> int:
        """Ticks of warm-up run before the books started (0: none; ``market.settling``)."""
        return 0 if self.warm_up is None else self.warm_up.ticks

    @property
    def settled(self) -> bool | None:
        """Whether prices had settled by the end of the warm-up (None: no warm-up ran)."""
        return None if self.warm_up is None else self.warm_up.settled

    @property
    def delta(self) -> float:
        """Delta (``market.metrics``) from the start of the books to the latest tick."""
        return self.summary["delta"] if self.state.counted else float("nan")

    @property
    def consumer_surplus(self) -> float:
        """Consumer surplus in the latest tick."""
        return float(self.state.last.market[SURPLUS])

    @property
    def mean_price(self) -> float:
        """The sellers' mean price in the latest tick (unweighted)."""
        return float(self.state.sellers.price.mean())

    @property
    def featured(self) -> str | None:
        """Name of the seller holding the featured offer in the latest tick."""
        i = int(self.state.last.featured[0])
        return self.config.sellers[i].name if i >= 0 and self.tick else None

    def step(self) -> None:
        """Advance one tick through the engine's kernel and collect data."""
        engine.advance(self.state, 1, self.pricers)
        if self.collect:
            self.datacollector.collect(self)

    def advance(self, n_ticks: int) -> None:
        """Advance ``n_ticks`` in one kernel call (the fast path; no data collected on the way)."""
        engine.advance(self.state, n_ticks, self.pricers)

    def train(self, max_ticks: int | None = None, stable_ticks: int | None = None,
              check_every: int | None = None) -> training.Training:
        """Fast-forward the learners to convergence (``market.training``), then freeze them and restart the books:
        from here ``summary``, the records and the charts measure the trained algorithms' play. Settings left
        out come from the scenario's ``[training]`` table, else from ``TrainingPlan``'s defaults."""
        for name, value in (("max_ticks", max_ticks), ("stable_ticks", stable_ticks), ("check_every", check_every)):
            check_type(value, (int, np.integer, type(None)), name, "an integer number of ticks")
        plan = self.config.training or TrainingPlan()
        self.training = training.train_then_freeze(
            self.state, plan.max_ticks if max_ticks is None else max_ticks,
            plan.stable_ticks if stable_ticks is None else stable_ticks,
            plan.check_every if check_every is None else check_every, self.pricers)
        return self.training

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
        check_type(price, (int, float, np.integer, np.floating), "price", "a number")
        check_type(n_ticks, (int, np.integer, type(None)), "n_ticks", "an integer number of ticks")
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


def _one_seed(rng, legacy: dict):
    """``rng``, or the ``seed`` keyword given instead. ``seed`` is kept out of the signature so that
    ``mesa.batch_run`` passes its own seeds as ``rng`` (None when it has none) and a ``seed`` among its
    ``parameters`` reaches the model; an ``rng`` and a different ``seed`` together are an error."""
    unknown = set(legacy) - {"seed"}
    if unknown:
        raise TypeError(f"PricingModel() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    if "seed" not in legacy or legacy["seed"] is None:
        return rng
    if rng is None or (isinstance(rng, str) and rng == SCENARIO_SEED) or legacy["seed"] == rng:
        return legacy["seed"]
    raise ValueError(f"rng = {rng!r} and seed = {legacy['seed']!r}: give one of them")


def run_seed(rng) -> int | None:
    """The scenario seed for ``rng`` (module docstring); None keeps the scenario's own."""
    if isinstance(rng, str):
        if rng == SCENARIO_SEED or not rng.strip():
            return None
        try:
            rng = int(rng)
        except ValueError:
            raise ValueError(f"rng = {rng!r}: not an integer seed") from None
    if rng is None:
        rng = np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or not 0 <= rng < 2**63:
        raise ValueError(f"rng = {rng!r}: must be an integer seed in [0, 2**63), a numpy Generator or None")
    return int(rng)
