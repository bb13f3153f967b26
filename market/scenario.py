"""A validated description of a market, read from and written to TOML.

A scenario is checked once, here, at the edge: every error names the field, the value and
what is allowed (``ScenarioError``), and the engine then trusts the arrays built from it.

Example (``experiments/configs/calvano2020.toml`` has a complete one)::

    name = "duopoly"
    horizon = 1440          # ticks of tick_minutes each
    seed = 1

    [demand]
    mu = 0.25
    outside_quality = 0.0
    shoppers_per_tick = 1.0

    [[sellers]]
    name = "a"
    role = "retailer"
    cost = 1.0
    quality = 2.0
    strategy = "undercut"
    params = { step = 0.01, floor = "nash" }
"""

import json
import math
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from market import budget, strategies
from market import interventions as rules
from market.benchmarks import Benchmarks, StaticGame, solve
from market.demand import SEGMENTS
from market.errors import ScenarioError, check_type, format_validation_error
from market.inventory import InventoryConfig
from market.tomlfile import read_toml

BENCHMARK_BYTES_PER_PAIR = 192  # the solvers' peak memory per pair of sellers (measured: 72 to 170 bytes)

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=False, frozen=True, strict=True)
MONEY = 1e6            # prices, costs, qualities and fees are at most this (in the scenario's currency)
TICKS = 10**12         # counts of ticks are at most this (int64 throughout; memory is checked apart)
NAME = r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$"  # a plain name: no path separators, not . or ..


class Wholesale(BaseModel):
    """A brand's terms for the shops it supplies: a wholesale price it tests, a minimum advertised price.

    Every ``period`` ticks the brand moves its wholesale price by ``step`` in the direction
    that raised its wholesale profit over the last period (reversing when profit fell), never
    below its own cost: terms set, not negotiated. Shops never advertise below ``map_price``.
    """

    model_config = _STRICT

    price: Annotated[float, Field(gt=0.0, le=MONEY)] = 1.0
    step: Annotated[float, Field(ge=0.0, le=MONEY)] = 0.02
    period: Annotated[int, Field(ge=1, le=TICKS)] = 1008
    map_price: Annotated[float, Field(ge=0.0, le=MONEY)] = 0.0


class Seller(BaseModel):
    """One seller: who it is, what it costs, how and how often it reprices."""

    model_config = _STRICT

    name: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")]
    role: Literal["platform", "retailer", "brand"] = "retailer"
    channel: Literal["platform", "web", "both"] | None = Field(
        default=None, description="where the offer is listed: on the platform, in the seller's own web shop, or both "
                                  "at one price; default: platform for the platform, else web")
    cost: Annotated[float, Field(ge=0.0, le=MONEY)] = 1.0
    quality: Annotated[float, Field(ge=-MONEY, le=MONEY)] = 2.0
    strategy: str = "fixed"
    params: dict[str, object] = Field(default_factory=dict)
    period: Annotated[int, Field(ge=1, le=TICKS)] = 1
    phase: Annotated[int, Field(ge=0, le=TICKS)] = 0
    lag: Annotated[int, Field(ge=0, le=TICKS)] = 0
    initial_price: object = Field(default="nash", description="a price > 0, or 'nash' or 'monopoly'")
    vendor: str | None = Field(default=None, description="sellers naming the same vendor share one learning "
                                                         "algorithm, trained on their pooled profit (hub and spoke)")
    supplier: str | None = Field(default=None, description="the brand this shop buys from; its marginal cost is "
                                                           "its own cost plus the brand's wholesale price")
    wholesale: Wholesale | None = Field(default=None, description="a brand's terms for the shops it supplies")
    delist_margin: Annotated[float, Field(ge=-1.0, le=1.0)] | None = Field(
        default=None, description="a brand listed on the platform leaves it when its margin after fees, as a "
                                   "share of price, is below this")

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        strategies.get(value)
        return value

    @field_validator("initial_price")
    @classmethod
    def _price_or_reference(cls, value):
        if value in ("nash", "monopoly"):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float) or not (math.isfinite(value)
                                                                                 and 0 < value <= MONEY):
            raise ValueError(f"must be a price in (0, {MONEY:g}], or 'nash' or 'monopoly'")
        return float(value)

    @model_validator(mode="after")
    def _check(self):
        if self.phase >= self.period:
            raise ValueError(f"phase = {self.phase}: must be < period ({self.period})")
        strategies.get(self.strategy).validate(self.params, "params")
        return self

    @property
    def listed_on(self) -> str:
        if self.channel is not None:
            return self.channel
        return "platform" if self.role == "platform" else "web"

    @property
    def on_platform(self) -> bool:
        """Listed on the platform (alone or beside its own web shop)."""
        return self.listed_on in ("platform", "both")


class Demand(BaseModel):
    """Logit demand: shoppers per tick, how they arrive, and who shops only on the platform."""

    model_config = _STRICT

    mu: Annotated[float, Field(ge=1e-3, le=1e3)] = 0.25
    outside_quality: Annotated[float, Field(ge=-MONEY, le=MONEY)] = 0.0
    shoppers_per_tick: Annotated[float, Field(gt=0.0, le=1e9)] = 1.0
    arrivals: Literal["expected", "poisson"] = "expected"
    platform_only_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0


class Platform(BaseModel):
    """The platform's terms for third-party offers and its featured offer ("Buy Box")."""

    model_config = _STRICT

    referral_fee: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.15
    fulfilment_fee: Annotated[float, Field(ge=0.0, le=MONEY)] = 0.0
    featured_attention: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    self_preference: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        default=0.0, description="the platform's own offer competes for the featured slot at price / (1 + this)")


class TrainingPlan(BaseModel):
    """Train the learners first, then measure their play (Calvano et al. 2020's protocol; ``market.training``).

    The learners run until no greedy policy (the best price in every state of a learner's table)
    has changed for ``stable_ticks`` ticks, compared every ``check_every`` ticks, or until
    ``max_ticks``; then they are frozen (greedy play, no exploring, no updating) and the books
    restart, so the scenario's ``horizon`` measures the trained play. A market without a
    learner with a table is not trained.
    """

    model_config = _STRICT

    max_ticks: Annotated[int, Field(ge=1, le=TICKS)] = Field(
        default=10_000_000, description="ticks of training at most; then converged = false")
    stable_ticks: Annotated[int, Field(ge=1, le=TICKS)] = Field(
        default=100_000, description="converged once no greedy policy changed for this long")
    check_every: Annotated[int, Field(ge=1, le=TICKS)] = Field(
        default=10_000, description="ticks between two comparisons of the greedy policies")


class Scenario(BaseModel):
    """A complete market: timing, demand, the platform's terms and the sellers."""

    model_config = _STRICT

    name: Annotated[str, Field(min_length=1, max_length=200, pattern=NAME)] = "scenario"
    description: str = ""
    currency: Annotated[str, Field(min_length=1, max_length=8, pattern=r"^[^\s\d]+$")] | None = None  # e.g. EUR
    tick_minutes: Annotated[int, Field(ge=1, le=1440)] = 10
    horizon: Annotated[int, Field(ge=1, le=TICKS)] = 1440
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    record_stride: Annotated[int, Field(ge=1, le=TICKS)] = 1
    history: Annotated[int, Field(ge=1, le=100_000)] = 1008
    demand: Demand = Field(default_factory=Demand)
    platform: Platform = Field(default_factory=Platform)
    sellers: Annotated[list[Seller], Field(min_length=1)]
    interventions: list[rules.Intervention] = Field(default_factory=list, description="rules in force: tables, or "
                                                    "names from market.interventions.CATALOG")
    inventory: InventoryConfig | None = Field(default=None, description="stock and unsold goods; None: unlimited")
    training: TrainingPlan | None = Field(default=None, description="train the learners to convergence before the "
                                                                    "horizon; None: measure from tick 0")

    @field_validator("interventions", mode="before")
    @classmethod
    def _catalog_names(cls, items):
        """A name from the catalog stands for its rule (``"once_a_day"``)."""
        if not isinstance(items, list):
            return items
        unknown = [item for item in items if isinstance(item, str) and item not in rules.CATALOG]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a rule of the catalog; known: {', '.join(sorted(rules.CATALOG))}")
        return [{"name": item, **rules.CATALOG[item]} if isinstance(item, str) else item for item in items]

    @model_validator(mode="after")
    def _check(self):
        names = [s.name for s in self.sellers]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"sellers[{i}].name = {name!r}: must be unique")
        if self.inventory is not None:
            self.inventory.check(names)
        n_platforms = sum(s.role == "platform" for s in self.sellers)
        if n_platforms > 1:
            raise ValueError(f"sellers: {n_platforms} sellers have role 'platform': at most one allowed")
        for i, s in enumerate(self.sellers):
            if s.lag >= self.history:
                raise ValueError(f"sellers[{i}].lag = {s.lag}: must be < history ({self.history} ticks kept)")
            if s.role == "platform" and s.listed_on != "platform":
                raise ValueError(f"sellers[{i}].channel = {s.channel!r}: the platform lists on 'platform' only "
                                 f"('web' and 'both' are for retailers and brands)")
        if self.demand.platform_only_share == 1.0 and not any(s.on_platform for s in self.sellers):
            raise ValueError("demand.platform_only_share = 1.0: no seller is listed on the platform")
        for i, s in enumerate(self.sellers):
            if s.supplier is not None:
                brand = next((b for b in self.sellers if b.name == s.supplier), None)
                if brand is None or brand.role != "brand" or brand.wholesale is None:
                    raise ValueError(f"sellers[{i}].supplier = {s.supplier!r}: must name a brand with [wholesale] "
                                     f"terms")
                if s.role == "brand":
                    raise ValueError(f"sellers[{i}].supplier = {s.supplier!r}: a brand makes its own goods")
            if s.wholesale is not None and s.role != "brand":
                raise ValueError(f"sellers[{i}].wholesale: only a brand sets wholesale terms (role {s.role!r})")
            if s.delist_margin is not None and (s.role != "brand" or not s.on_platform):
                raise ValueError(f"sellers[{i}].delist_margin = {s.delist_margin}: only a brand listed on the "
                                 f"platform can delist")
        for i, s in enumerate(self.sellers):
            if s.vendor is None:
                continue
            first = next(f for f in self.sellers if f.vendor == s.vendor)
            if not strategies.get(s.strategy).learns:
                raise ValueError(f"sellers[{i}].vendor = {s.vendor!r}: only learning strategies can be delegated "
                                 f"(strategy {s.strategy!r} does not learn)")
            same = (s.strategy, s.params, s.period, s.phase, s.lag) == (first.strategy, first.params, first.period,
                                                                        first.phase, first.lag)
            if not same:
                raise ValueError(f"sellers[{i}].vendor = {s.vendor!r}: clients of one vendor need the same strategy, "
                                 f"params, period, phase and lag as {first.name!r}")
        for k, item in enumerate(self.interventions):
            try:
                item.check(self.tick_minutes)
            except ValueError as err:
                raise ValueError(f"interventions[{k}] ({item.kind}): {err}") from None
            lag = item.reaction_lag(self.tick_minutes)
            if max(s.lag for s in self.sellers) + lag >= self.history:
                raise ValueError(f"interventions[{k}] ({item.kind}): reaction lag {lag} ticks plus seller lags "
                                 f"must be < history ({self.history} ticks kept)")
        return self

    @property
    def referral_fee(self) -> float:
        """The referral fee in force: the platform's, lowered by any fee cap."""
        caps = [item.max_referral_fee for item in self.interventions if item.kind == "fee_cap"]
        return min([self.platform.referral_fee, *caps])

    def with_interventions(self, extra) -> "Scenario":
        """A validated copy with the interventions ``extra`` added."""
        data = self.model_dump()
        data["interventions"] = data["interventions"] + [item.model_dump() for item in extra]
        return Scenario.from_dict(data)

    # ---- reading and writing -------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict) -> "Scenario":
        """Validate ``data``; raise ``ScenarioError`` with one line per problem."""
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise ScenarioError(format_validation_error(err)) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> "Scenario":
        return cls.from_dict(read_toml(path, "scenario", ScenarioError))

    def to_toml(self) -> str:
        return dump_toml(self.model_dump(mode="python", exclude_none=True))

    def replace(self, **changes) -> "Scenario":
        """A validated copy with top-level fields changed."""
        return Scenario.from_dict({**self.model_dump(), **changes})

    def with_values(self, updates: dict[str, object]) -> "Scenario":
        """A validated copy with fields set by dotted path, e.g. ``{"sellers.platform.period": 6}``.

        Sellers are addressed by name (``sellers.<name>.<field>``); strategy parameters by
        ``sellers.<name>.params.<param>``.
        """
        check_type(updates, dict, "updates", "a dict of {dotted path: value}")
        data = self.model_dump()
        for path, value in updates.items():
            set_dotted(data, path, value)
        return Scenario.from_dict(data)

    # ---- derived quantities ----------------------------------------------------------------

    @property
    def n_sellers(self) -> int:
        return len(self.sellers)

    @property
    def ticks_per_day(self) -> int:
        return 1440 // self.tick_minutes

    def static_game(self) -> StaticGame:
        """The one-shot game behind the benchmarks: segments, visibility, fees and wholesale terms.

        Segments are ``SEGMENTS``: platform-only shoppers see the offers on the platform, the others
        see every offer. ``cost`` is the industry's cost of a unit (a shop's own cost plus its
        brand's production cost); ``kappa`` what the seller pays per unit (own cost, wholesale
        price, and the fulfilment fee on sales through the platform); ``alpha`` what it keeps of
        its price (less the referral fee on sales through the platform).
        """
        n = self.n_sellers
        cost = np.array([s.cost + (self.sellers[self.seller_index(s.supplier)].cost if s.supplier else 0.0)
                         for s in self.sellers])
        on_platform = np.array([s.on_platform for s in self.sellers])
        pays_fees = self.sale_via_platform() & np.array([s.role != "platform" for s in self.sellers])
        referral, fulfilment = self.referral_fee, self.platform.fulfilment_fee
        alpha = np.where(pays_fees, 1.0 - referral, 1.0)
        kappa = self.unit_cost() + np.where(pays_fees, fulfilment, 0.0)
        stake_share = np.zeros((len(SEGMENTS), n, n))
        stake_unit = np.zeros((len(SEGMENTS), n, n))
        for p, s in enumerate(self.sellers):
            if s.role == "platform":
                stake_share[:, p] = np.where(pays_fees, referral, 0.0)
                stake_unit[:, p] = np.where(pays_fees, fulfilment, 0.0)
        for j, s in enumerate(self.sellers):
            if s.supplier is not None:
                b = self.seller_index(s.supplier)
                stake_unit[:, b, j] += self.sellers[b].wholesale.price - self.sellers[b].cost
        share = self.demand.platform_only_share
        return StaticGame(
            cost=cost, quality=np.array([s.quality for s in self.sellers]), mu=self.demand.mu,
            outside_quality=self.demand.outside_quality, alpha=alpha, kappa=kappa, stake_share=stake_share,
            stake_unit=stake_unit, visibility=np.vstack([on_platform.astype(float), np.ones(n)]),
            segment_weight=np.array([share, 1.0 - share]), shoppers=self.demand.shoppers_per_tick)

    def sale_via_platform(self) -> np.ndarray:
        """bool[segment, seller]: whether the seller's sales to the segment go through the platform.

        A seller listed only on the platform sells there to everyone; one listed in both channels
        sells there to platform-only shoppers and in its own web shop to the others (one price).
        """
        listed = [s.listed_on for s in self.sellers]
        return np.array([[c in ("platform", "both") for c in listed], [c == "platform" for c in listed]])

    def seller_index(self, name: str) -> int:
        return next(i for i, s in enumerate(self.sellers) if s.name == name)

    def unit_cost(self) -> np.ndarray:
        """Each seller's marginal cost at the start: its own cost plus its brand's initial wholesale price."""
        return np.array([s.cost + (self.sellers[self.seller_index(s.supplier)].wholesale.price
                                   if s.supplier is not None else 0.0) for s in self.sellers])

    @cached_property
    def benchmarks(self) -> Benchmarks:
        """Static Nash and joint-profit benchmarks (computed, per tick); ``ScenarioError`` if the solvers fail
        (``budget.BudgetError`` first if their ``n^2`` arrays would not fit in memory)."""
        budget.require(BENCHMARK_BYTES_PER_PAIR * self.n_sellers ** 2, f"the benchmarks of {self.n_sellers:,} sellers",
                       "use fewer sellers")
        try:
            benchmarks = solve(self.static_game())
        except (ArithmeticError, FloatingPointError) as err:
            raise ScenarioError(f"benchmarks of {self.name!r}: {err}; the static Nash and joint-profit prices "
                                "cannot be found for these costs, qualities and mu") from None
        prices = np.concatenate([benchmarks.nash_price, benchmarks.monopoly_price])
        if not np.isfinite(prices).all():
            raise ScenarioError(f"benchmarks of {self.name!r}: not finite ({prices.tolist()}); check costs, "
                                "qualities and mu")
        return benchmarks

    def references(self, i: int) -> dict[str, float]:
        """Seller ``i``'s price references for strategy parameters: cost, nash, monopoly."""
        b = self.benchmarks
        return {"cost": float(self.unit_cost()[i]), "nash": float(b.nash_price[i]),
                "monopoly": float(b.monopoly_price[i])}


def set_dotted(data: dict, path: str, value) -> None:
    """Set ``data`` at a dotted path; sellers are addressed by name. ``ScenarioError`` if absent."""
    keys = path.split(".")
    node = data
    for depth, key in enumerate(keys[:-1]):
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            match = [item for item in node if item.get("name") == key]
            if not match:
                known = ", ".join(str(item.get("name")) for item in node)
                raise ScenarioError(f"{path}: no seller named {key!r}; sellers: {known}")
            node = match[0]
        elif isinstance(node, dict) and isinstance(node.get(key), dict | list):
            node = node[key]
        else:
            raise ScenarioError(f"{path}: unknown field {where!r}")
    last = keys[-1]
    if not isinstance(node, dict) or (last not in node and keys[-2:-1] != ["params"]):
        raise ScenarioError(f"{path}: unknown field {last!r}")
    node[last] = value


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _basic_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _basic_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and TOML also escapes DEL (U+007F), which JSON leaves."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(key: str) -> str:
    """A TOML key: bare where it may be, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_\-]+", key) else _basic_string(key)


def dump_toml(data: dict) -> str:
    """TOML for a scenario-shaped dict: scalars first, then tables, then arrays of tables."""
    lines = [f"{_key(k)} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict | list)
             or (isinstance(v, list) and not (v and isinstance(v[0], dict)))]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]"] + [f"{_key(k)} = {_toml_value(v)}" for k, v in value.items()]
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                lines += ["", f"[[{_key(key)}]]"] + [f"{_key(k)} = {_toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"
