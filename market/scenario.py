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
from typing import Annotated, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from market import budget, strategies
from market import interventions as rules
from market.benchmarks import Benchmarks, StaticGame, solve
from market.benchmarks.display_game import Display, solve_display
from market.benchmarks.ownership import firm_ids
from market.demand import SEGMENTS
from market.errors import ScenarioError, check_type, format_validation_error
from market.inventory import InventoryConfig
from market.profile import MINUTES_PER_DAY
from market.profile import parse as parse_profile
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
    active_hours: list[float] | None = Field(
        default=None, description="[from, until): the hours of the day its repricer runs, e.g. [8, 20]; a span "
                                  "past midnight wraps ([22, 6]); None: around the clock")
    wholesale: Wholesale | None = Field(default=None, description="a brand's terms for the shops it supplies")
    delist_margin: Annotated[float, Field(ge=-1.0, le=1.0)] | None = Field(
        default=None, description="a brand listed on the platform leaves it when its margin after fees, as a "
                                   "share of price, is below this")
    owner: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-][A-Za-z0-9_.\- ]*$")] | None \
        = Field(default=None, description="the firm that owns this seller; sellers with one owner (a seller left "
                                          "without one is a firm of its own, named as the seller) price to "
                                          "maximise their joint profit")

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

    @field_validator("active_hours")
    @classmethod
    def _hours(cls, value):
        if value is not None and not (len(value) == 2 and 0.0 <= value[0] < 24.0 and 0.0 < value[1] <= 24.0
                                      and value[0] != value[1]):
            raise ValueError("must be [from, until] with 0 <= from < 24, 0 < until <= 24 and from != until "
                             "(hours of the day; from > until wraps past midnight)")
        return value

    @model_validator(mode="after")
    def _check(self):
        if self.phase >= self.period:
            raise ValueError(f"phase = {self.phase}: must be < period ({self.period})")
        strategies.get(self.strategy).validate(self.params, "params")
        return self

    @property
    def firm(self) -> str:
        """The seller's firm: its owner, or the seller itself when it has none."""
        return self.name if self.owner is None else self.owner

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
    r"""Logit demand: shoppers per tick, how they arrive, and who shops only on the platform.

    Data an estimator can be tested on: with ``xi_sd > 0`` each seller's quality on day :math:`d` is
    :math:`a_i + \xi_{id}`, :math:`\xi_{id} \sim N(0, \text{xi\_sd}^2)` independent across sellers and days
    (in currency units, so :math:`\xi_{id}/\mu` in utility units; pyblp's :math:`\xi`); with ``choices =
    "sampled"`` each shopper draws one choice, so units sold are multinomial around the logit shares.
    """

    model_config = _STRICT

    mu: Annotated[float, Field(ge=1e-3, le=1e3)] = 0.25
    outside_quality: Annotated[float, Field(ge=-MONEY, le=MONEY)] = 0.0
    shoppers_per_tick: Annotated[float, Field(gt=0.0, le=1e9)] = 1.0
    arrivals: Literal["expected", "poisson"] = "expected"
    platform_only_share: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    xi_sd: Annotated[float, Field(ge=0.0, le=MONEY)] = Field(
        default=0.0, description="standard deviation of the demand shock added to each seller's quality each day "
                                 "(currency units); 0: no shocks")
    choices: Literal["expected", "sampled"] = Field(
        default="expected", description="expected: units sold = shoppers x logit shares; sampled: each shopper "
                                        "draws a choice (multinomial units)")
    profile: object = Field(default=None, description="shoppers by hour of day (and day of week): a shipped "
                                                      "profile's name, 24 hourly weights, or { hourly, daily } "
                                                      "(market.profile); None: the same every tick")

    @field_validator("profile")
    @classmethod
    def _profile(cls, value):
        if value is not None:
            parse_profile(value)
        return value


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


DURATION = re.compile(r"^(\d+(?:\.\d+)?)(min|h|d)$")  # a span of time: "90min", "12h", "5d"
_MINUTES = {"min": 1, "h": 60, "d": 1440}


def span_ticks(value: int | str, tick_minutes: int) -> int:
    r"""Ticks of a span given in ticks (an int) or as a duration (``"90min"``, ``"12h"``, ``"5d"``): the fewest
    whole ticks that last at least that long, :math:`\lceil M / \text{tick\_minutes} \rceil`."""
    if isinstance(value, int):
        return value
    amount, unit = DURATION.match(value).groups()
    return rules.to_ticks(float(amount) * _MINUTES[unit], tick_minutes)


def _check_span(value, extra: tuple[str, ...] = ()):
    """``value`` if it is a span in ticks (an int >= 0), a duration string (``DURATION``) or one of ``extra``."""
    allowed = "a number of ticks or a duration: a number followed by min, h or d ('90min', '12h', '5d')" + "".join(
        f", or {e!r}" for e in extra)
    if value is None or value in extra:
        return value
    if isinstance(value, bool) or not isinstance(value, int | str) or (isinstance(value, str)
                                                                       and not DURATION.match(value)):
        raise ValueError(f"must be {allowed}")
    if isinstance(value, int) and not 0 <= value <= TICKS:
        raise ValueError(f"must be a number of ticks in [0, {TICKS:g}]")
    return value


class WarmUpSpans(NamedTuple):
    """A ``[measure]`` table's spans in ticks: ``fixed`` (None for ``"auto"``), the check's ``window``, ``cap``."""

    fixed: int | None
    window: int
    cap: int


class MeasurePlan(BaseModel):
    """Measure the settled market (``market.settling``): after training, a warm-up, then the books restart, so the
    ``horizon`` measures the market once the start-up transient (initial prices, often monopoly) is over.

    ``warm_up`` is a number of ticks, a duration (``"12h"``, ``"5d"``; converted with ``tick_minutes``) or
    ``"auto"``: run until prices are stationary (a repeating cycle, or no drift across ``window``; the rule is in
    ``market.settling``), at most ``max_warm_up`` (default: the horizon). A warm-up is at most the horizon. A fixed
    warm-up is checked the same way at its end, and every run reports whether it had settled.
    """

    model_config = _STRICT

    warm_up: int | str = Field(default="auto", description="ticks, a duration ('12h', '5d') or 'auto'")
    window: int | str | None = Field(default=None, description="ticks or duration over which prices must repeat "
                                     "or show no drift; default: a day or twice the slowest repricing period")
    max_warm_up: int | str | None = Field(default=None, description="'auto' stops here if prices have not settled "
                                          "(ticks or duration); default: the horizon")
    tolerance: Annotated[float, Field(gt=0.0, le=0.5)] = Field(
        default=1e-3, description="largest relative drift of a seller's mean price between the window's halves")

    @field_validator("warm_up", mode="before")
    @classmethod
    def _warm_up(cls, value):
        return _check_span(value, ("auto",))

    @field_validator("window", "max_warm_up", mode="before")
    @classmethod
    def _span(cls, value):
        return _check_span(value)


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
    measure: MeasurePlan | None = Field(default=None, description="a warm-up before the horizon (after training), "
                                                                  "to measure the settled market; None: no warm-up")

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
        if self.demand.choices == "sampled" and self.inventory is not None:
            raise ValueError("demand.choices = 'sampled': not available with [inventory] (sales are capped by stock "
                             "from expected demand); use 'expected'")
        if self.demand.profile is not None and MINUTES_PER_DAY % self.tick_minutes:
            raise ValueError(f"demand.profile: needs tick_minutes dividing 1440 (a day of whole ticks); "
                             f"tick_minutes = {self.tick_minutes}")
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
            timing = ("strategy", "params", "period", "phase", "lag", "active_hours")
            if any(getattr(s, key) != getattr(first, key) for key in timing):
                raise ValueError(f"sellers[{i}].vendor = {s.vendor!r}: clients of one vendor need the same "
                                 f"{', '.join(timing)} as {first.name!r}")
        self._check_measure()
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

    def _check_measure(self) -> None:
        """A warm-up (fixed, or auto's cap) of at most the horizon; a check window of at least 2 ticks."""
        spans = self.warm_up_spans
        if spans is None:
            return
        for field, value, ticks in (("warm_up", self.measure.warm_up, spans.fixed),
                                    ("max_warm_up", self.measure.max_warm_up, spans.cap)):
            if ticks is not None and ticks > self.horizon:
                raise ValueError(f"measure.{field} = {value!r}: {ticks:,} ticks, longer than the horizon "
                                 f"({self.horizon:,} ticks); a warm-up may last at most the horizon")
        if spans.window < 2:
            raise ValueError(f"measure.window = {self.measure.window!r}: {spans.window} tick(s); the check needs a "
                             "window of at least 2 ticks")

    @property
    def warm_up_spans(self) -> WarmUpSpans | None:
        """The ``[measure]`` table's spans in ticks; None without one. The default window is the longer of a day
        and two periods of the slowest repricer (a brand's wholesale review included), so that every seller
        reprices at least twice within it; ``max_warm_up`` defaults to the horizon."""
        plan = self.measure
        if plan is None:
            return None
        slowest = max([s.period for s in self.sellers] + [s.wholesale.period for s in self.sellers if s.wholesale])
        window = max(self.ticks_per_day, 2 * slowest) if plan.window is None else span_ticks(plan.window,
                                                                                          self.tick_minutes)
        return WarmUpSpans(fixed=None if plan.warm_up == "auto" else span_ticks(plan.warm_up, self.tick_minutes),
                           window=window,
                           cap=self.horizon if plan.max_warm_up is None else span_ticks(plan.max_warm_up,
                                                                                       self.tick_minutes))

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
        its price (less the referral fee on sales through the platform); ``firm`` the sellers' firms
        (``Seller.owner``), whose joint profit co-owned sellers maximise.
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
            segment_weight=np.array([share, 1.0 - share]), shoppers=self.demand.shoppers_per_tick,
            firm=firm_ids(s.firm for s in self.sellers))

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

    def display(self) -> Display:
        """The platform's display rule in force: who is listed, the featured offer's attention, self-preference
        and the Buy Box rule (the last ``buybox`` intervention's; any sets self-preference to 0)."""
        buybox = rules.compile_rules([item for item in self.interventions if item.kind == "buybox"],
                                     self.tick_minutes, [{}] * self.n_sellers, self.platform.self_preference,
                                     self.referral_fee).rule
        platform = [i for i, s in enumerate(self.sellers) if s.role == "platform"]
        return Display(on_platform=np.array([s.on_platform for s in self.sellers]),
                       via_platform=self.sale_via_platform(), featured_attention=self.platform.featured_attention,
                       platform_index=platform[0] if platform else -1,
                       self_preference=float(buybox[rules.SELF_PREFERENCE]), buybox=int(buybox[rules.BUYBOX]))

    @cached_property
    def benchmarks(self) -> Benchmarks:
        """Static Nash and joint-profit benchmarks (computed, per tick) for the demand sellers face under the
        platform's display rule (``market.benchmarks.display_game``); ``ScenarioError`` if the solvers fail
        (``budget.BudgetError`` first if their ``n^2`` arrays would not fit in memory)."""
        return self._checked(lambda: solve_display(self.static_game(), self.display()))

    @cached_property
    def plain_benchmarks(self) -> Benchmarks:
        """The benchmarks of the stage game without the display: every listed offer with full attention, as if
        ``featured_attention`` were 0 and no Buy Box rule applied. Price references (``nash``, ``monopoly`` in
        strategy parameters, initial prices and price bounds), the audit's yardstick and learners' grids use these."""
        return self._checked(lambda: solve(self.static_game()))

    def _checked(self, benchmarks_of) -> Benchmarks:
        budget.require(BENCHMARK_BYTES_PER_PAIR * self.n_sellers ** 2, f"the benchmarks of {self.n_sellers:,} sellers",
                       "use fewer sellers")
        try:
            benchmarks = benchmarks_of()
        except (ArithmeticError, FloatingPointError) as err:
            raise ScenarioError(f"benchmarks of {self.name!r}: {err}; the static Nash and joint-profit prices "
                                "cannot be found for these costs, qualities and mu") from None
        prices = np.concatenate([benchmarks.nash_price, benchmarks.monopoly_price])
        if not np.isfinite(prices).all():
            raise ScenarioError(f"benchmarks of {self.name!r}: not finite ({prices.tolist()}); check costs, "
                                "qualities and mu")
        return benchmarks

    def references(self, i: int) -> dict[str, float]:
        """Seller ``i``'s price references for strategy parameters: cost, nash, monopoly (``plain_benchmarks``)."""
        b = self.plain_benchmarks
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
