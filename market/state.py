"""The engine's state: numpy arrays in a few named groups, built from a scenario.

Arrays are indexed ``[seller]``, ``[segment, seller]`` or ``[tick, seller]``. Each group holds
one kind of thing, and each kernel of :mod:`market.engine` receives only the groups it uses:

* ``market``: the market's constants, from the scenario (demand, channels, fees, costs);
* ``sellers``: how and when each seller reprices, its price, and the prices seen so far;
* ``rules``: the interventions in force (the slots of :data:`market.interventions.SLOTS`) and
  what enforcing them counts;
* ``brands``: wholesale terms, minimum advertised prices and delisting (None: no brand sets any);
* ``learners``: the learning sellers' tables and grids (None: no seller learns);
* ``responses``: the best responses' work arrays (None: no seller best-responds);
* ``last``: the latest tick's outcome; ``totals``: sums over the ticks since ``origin``;
  ``records``: the outcome every ``records.stride`` ticks from ``origin``;
* ``scratch``: work arrays rewritten within a tick;
* ``inventory``: stock and unsold goods (:mod:`market.inventory`; None: unlimited stock);
* ``outside``: the sellers priced by Python objects, what they are asked and what they answer
  (:mod:`market.outside`; None: every seller has an engine strategy).

A group that is None costs nothing: the kernels are compiled without the code that uses it.
``clock[0]`` is the next tick to run, ``origin[0]`` the tick from which the books count (0, or
the end of training). A book restart (:func:`restart_books`) empties ``totals``, ``records``
and the inventory's books (``INVENTORY_BOOKS``); nothing else.
"""

import weakref
from typing import NamedTuple

import numpy as np

from market import budget
from market import interventions as rules
from market.errors import ScenarioError, check_type
from market.inventory import RECEIVED, Inventory, build_inventory
from market.profile import parse as parse_profile
from market.profile import tick_factors
from market.scenario import Scenario
from market.strategies import MEMORY_SLOTS, get, learning
from market.strategies.registry import LEARNER, OUTSIDE, RESPONSE

NEVER = np.iinfo(np.int64).min
MAX_TABLE_ENTRIES = 2**27  # 1 GiB of learners' tables per market
SHOPPERS, SURPLUS, FEE_INCOME, DISPERSION = range(4)  # slots of last.market, totals.market and records.market
INVENTORY_BOOKS = ("total_units", "total_paid", "total_received", "selloff_prices")


class Market(NamedTuple):
    """The market's constants, from the scenario. A brand's wholesale terms change ``cost``; a brand that
    delists changes ``on_platform``, ``third_party``, ``dual_channel``, ``via_platform``, ``visibility``
    and ``platform_share``. ``alpha``, ``kappa`` and the stakes are the terms by which best responses price: each
    seller's firm's (``market.benchmarks.ownership``; its own where it has no co-owned sibling)."""

    quality: np.ndarray           # float64[n]: a_i
    cost: np.ndarray              # float64[n]: marginal cost paid now (own cost + the brand's wholesale price)
    own_cost: np.ndarray          # float64[n]: the seller's own cost per unit
    true_cost: np.ndarray         # float64[n]: the industry's cost of a unit (own + the brand's production cost)
    on_platform: np.ndarray       # bool[n]: listed on the platform (alone or beside its web shop)
    third_party: np.ndarray       # bool[n]: listed on the platform and not the platform itself
    dual_channel: np.ndarray      # bool[n]: sells through the platform to some segments, its web shop to others
    via_platform: np.ndarray      # bool[segments, n]: the seller's sales to the segment go through the platform
    platform_share: np.ndarray    # float64[n]: share of its units sold through the platform (per tick if dual)
    visibility: np.ndarray        # float64[segments, n]
    alpha: np.ndarray             # float64[segments, n]: share of price kept after the referral fee, by i's firm
    kappa: np.ndarray             # float64[segments, n]: marginal cost plus fulfilment fee, less siblings' stakes
    stake_share: np.ndarray       # float64[segments, n, n]: what i's firm earns per unit of j's revenue
    stake_unit: np.ndarray        # float64[segments, n, n]: what i's firm earns per unit j sells
    segment_weight: np.ndarray    # float64[segments]: W_k
    platform_index: int           # -1 if the platform is not a seller
    mu: float
    outside_quality: float
    shoppers: float               # expected shoppers per tick
    poisson_arrivals: bool
    fulfilment_fee: float
    featured_attention: float
    seed: int
    ticks_per_day: int
    has_dual_channel: bool        # any dual_channel seller at the start (else the channel split is skipped)
    xi_sd: float                  # sd of the daily demand shock added to each quality (0: none)
    sampled_choices: bool         # each shopper draws a choice (multinomial units), else expected demand
    tick_minutes: int             # minutes a tick lasts; tick t starts t * tick_minutes minutes after day 0, 00:00
    arrival_factor: np.ndarray    # float64[cycle]: tick t's shoppers are shoppers x arrival_factor[t % cycle]


class Sellers(NamedTuple):
    """How and when each seller reprices, its price, and the prices of the latest ticks."""

    strategy: np.ndarray          # int64[n]: the registry's id (market.strategies)
    family: np.ndarray            # int64[n]: RULE, RESPONSE or LEARNER, the dispatch that prices it
    param: np.ndarray             # float64[n, MAX_PARAMS]
    memory: np.ndarray            # float64[n, MEMORY_SLOTS]
    rival_conditioned: np.ndarray  # bool[n]: the strategy uses rivals' prices
    period: np.ndarray            # int64[n]: ticks between repricings
    lag: np.ndarray               # int64[n]: age of the prices it sees, in ticks
    next_reprice: np.ndarray      # int64[n]
    forced_price: np.ndarray      # float64[n]: a price imposed from outside (a deviation) ...
    forced_until: np.ndarray      # int64[n]: ... in the ticks before this one
    price: np.ndarray             # float64[n]
    history: np.ndarray           # float64[history + 1, n]: row t % rows = prices of tick t
    active: np.ndarray            # int64[n, 2]: minutes of the day [from, until) its repricer runs (wraps past 24:00)


class Rules(NamedTuple):
    """The interventions in force, read every tick (so they can be switched between ticks), and their counters."""

    value: np.ndarray             # float64[N_RULES]: value[slot], slots and meanings in market.interventions.SLOTS
    floor: np.ndarray             # float64[n]: legal price floor
    ceiling: np.ndarray           # float64[n]: legal price ceiling
    audit_reference: np.ndarray   # float64[n]: static Nash prices, the audit's yardstick
    change_log: np.ndarray        # int64[n, MAX_CHANGE_CAP]: ticks of the latest price changes (a ring)
    change_count: np.ndarray      # int64[n]: changes so far, the ring's position
    audit_price: np.ndarray       # float64[n]: sum of prices since the last audit
    audit_profit: np.ndarray      # float64[n]: sum of profits since the last audit


class Brands(NamedTuple):
    """Brands' terms (market.scenario.Wholesale): suppliers, wholesale prices under review, MAP, delisting."""

    supplier: np.ndarray          # int64[n]: the brand a shop buys from, -1 if none
    wholesale: np.ndarray         # float64[n]: a brand's wholesale price now
    step: np.ndarray              # float64[n]: how far a review moves it
    period: np.ndarray            # int64[n]: ticks between reviews; 0 for sellers that set no terms
    map_price: np.ndarray         # float64[n]: a brand's minimum advertised price (0: none)
    delist_margin: np.ndarray     # float64[n]: -inf: never delists
    direction: np.ndarray         # float64[n]: +1 or -1, the direction of the next move
    profit: np.ndarray            # float64[n]: the brand's wholesale profit this period
    previous: np.ndarray          # float64[n]: ... and last period


class Learners(NamedTuple):
    """Learning sellers' tables and grids, slices of flat pools (market.strategies.learning)."""

    frozen: np.ndarray            # bool[1]: learners play their greedy policy, neither exploring nor updating
    owner: np.ndarray             # int64[n]: whose table, memory and price a seller uses (a shared vendor)
    table_offset: np.ndarray      # int64[n]
    table_rows: np.ndarray        # int64[n]
    table_cols: np.ndarray        # int64[n]
    grid_offset: np.ndarray       # int64[n]
    grid_size: np.ndarray         # int64[n]
    table_pool: np.ndarray        # float64[entries]
    grid_pool: np.ndarray         # float64[points]
    profit_since: np.ndarray      # float64[n]: profit since the seller last repriced (a vendor's: its clients')
    ticks_since: np.ndarray       # int64[n]


class Last(NamedTuple):
    """The latest tick's outcome."""

    quantity: np.ndarray          # float64[n]: units sold
    revenue: np.ndarray           # float64[n]
    fee: np.ndarray               # float64[n]: fees paid to the platform
    profit: np.ndarray            # float64[n]: after fees; the platform's includes fees received
    featured: np.ndarray          # int64[1]: the featured offer, -1 if none
    market: np.ndarray            # float64[3]: SHOPPERS, SURPLUS (consumer surplus), FEE_INCOME


class Totals(NamedTuple):
    """Sums over the ticks since ``origin``."""

    price: np.ndarray
    quantity: np.ndarray
    revenue: np.ndarray
    fee: np.ndarray
    profit: np.ndarray
    fine: np.ndarray              # float64[n]: audit fines paid
    featured: np.ndarray          # int64[n]: ticks featured
    changes: np.ndarray           # int64[n]: price changes
    market: np.ndarray            # float64[4]: SHOPPERS, SURPLUS, FEE_INCOME, DISPERSION (std of prices)


class Records(NamedTuple):
    """The outcome of every ``stride``-th tick from ``origin`` (row r: tick ``origin + r * stride``)."""

    price: np.ndarray             # float64[rows, n]
    quantity: np.ndarray
    profit: np.ndarray
    fee: np.ndarray
    featured: np.ndarray          # int64[rows]
    market: np.ndarray            # float64[rows, 3]: SHOPPERS, SURPLUS, FEE_INCOME
    stride: int


class Scratch(NamedTuple):
    """Work arrays, rewritten within a tick (the lowest prices of history rows are a cache of ``history``)."""

    chosen: np.ndarray            # float64[n]: prices chosen for this tick, before the rules apply
    observed: np.ndarray          # float64[n]: the prices a learner sees
    weight: np.ndarray            # float64[segments, n]: this tick's w_ki, visibility x attention (market.demand)
    share: np.ndarray             # float64[n]
    log_denominator: np.ndarray   # float64[segments]: market_demand's, per segment
    row_tick: np.ndarray          # int64[rows]: the tick whose lowest prices row_low and row_argmin hold
    row_low: np.ndarray           # float64[rows, 2]: lowest and second-lowest price of the history row
    row_argmin: np.ndarray        # int64[rows]
    quality: np.ndarray           # float64[n]: today's qualities a_i + xi_id (with demand shocks) ...
    quality_day: np.ndarray       # int64[1]: ... for this day (NEVER before the first)
    choices: np.ndarray           # float64[n]: shoppers who chose each offer this tick (sampled choices)
    fault: np.ndarray             # int64[2]: seller and tick of a price that is no price (market.engine); -1: none


class Responses(NamedTuple):
    """Work arrays of the best responses (market.strategies.responsive)."""

    segment: np.ndarray           # float64[3, segments]
    work: np.ndarray              # float64[3, n]: a leader's
    follower: np.ndarray          # float64[n]: 1 for the sellers a leader expects to best-respond to it
    trial: np.ndarray             # float64[n]: prices with one seller's candidate (market.benchmarks.display)
    weight: np.ndarray            # float64[segments, n]: the offers' weights under a candidate's display
    demand: np.ndarray            # float64[2, n]: demand and scratch for a candidate's profit


class Outside(NamedTuple):
    """Sellers priced from outside the engine (:mod:`market.outside`): when they are asked, what they answer."""

    seller: np.ndarray            # int64[k]: the outside sellers
    slot: np.ndarray              # int64[n]: a seller's position in ``seller``; -1 for the others
    asked: np.ndarray             # bool[k]: asked for a price at the tick ``clock[0]`` (when the kernel asks)
    seen: np.ndarray              # int64[k]: the tick of the rival prices it sees when asked
    answer: np.ndarray            # float64[k]: the prices given for tick ``answered[0]``
    answered: np.ndarray          # int64[1]: the tick the answers are for (NEVER before the first)
    profit_since: np.ndarray      # float64[k]: profit since the seller last repriced
    ticks_since: np.ndarray       # int64[k]


class State(NamedTuple):
    """Everything the engine reads and writes, by group (see the module docstring)."""

    market: Market
    sellers: Sellers
    rules: Rules
    brands: Brands | None
    learners: Learners | None
    responses: Responses | None
    last: Last
    totals: Totals
    records: Records
    scratch: Scratch
    inventory: Inventory | None
    outside: Outside | None
    clock: np.ndarray             # int64[1]: the next tick to run
    origin: np.ndarray            # int64[1]: the tick from which totals and records count

    @property
    def n_sellers(self) -> int:
        return self.sellers.price.shape[0]

    @property
    def t(self) -> int:
        """Ticks run so far."""
        return int(self.clock[0])

    @property
    def counted(self) -> int:
        """Ticks in the totals and records: those run since ``origin``."""
        return int(self.clock[0] - self.origin[0])

    @property
    def n_records(self) -> int:
        """Rows of ``records`` filled so far (row r is tick ``origin + r * records.stride``)."""
        return min(-(-self.counted // self.records.stride), self.records.price.shape[0])


def optional_groups(scenario: Scenario) -> dict[str, bool]:
    """Which of the groups that may be None a market of ``scenario`` has: they decide the kernels it compiles."""
    families = {get(s.strategy).family_code for s in scenario.sellers}
    return {"brands": any(s.supplier or s.delist_margin is not None for s in scenario.sellers),
            "learners": LEARNER in families, "responses": RESPONSE in families,
            "inventory": scenario.inventory is not None, "outside": OUTSIDE in families}


def build_state(scenario: Scenario, horizon: int | None = None, record_stride: int | None = None) -> State:
    """Arrays for ``scenario`` at tick 0, with room to record ``horizon`` ticks (default: the scenario's).

    Raises ``market.interventions.InterventionError`` for an intervention that contradicts the scenario.
    """
    check_type(scenario, Scenario, "scenario", "a Scenario (market.catalog.load gives one from a name or file)")
    for name, value in (("horizon", horizon), ("record_stride", record_stride)):
        check_type(value, (int, np.integer, type(None)), name, "an integer number of ticks")
    horizon = scenario.horizon if horizon is None else horizon
    stride = scenario.record_stride if record_stride is None else record_stride
    if horizon < 0 or stride < 1:
        raise ValueError(f"horizon = {horizon}, record_stride = {stride}: need horizon >= 0, stride >= 1")
    check_memory(scenario, horizon, stride)
    uses_benchmarks = any(_uses_benchmarks(s) for s in scenario.sellers) or bool(scenario.interventions)
    references = [scenario.references(i) if uses_benchmarks else {"cost": s.cost}
                  for i, s in enumerate(scenario.sellers)]
    game = scenario.static_game()
    n = scenario.n_sellers
    records = -(-horizon // stride)
    sellers = _sellers(scenario, references)
    return _named(State(
        market=_market(scenario, game), sellers=sellers, rules=_rules(scenario, references),
        brands=_brands(scenario), learners=_learners(scenario, game, sellers.param),
        responses=_responses(scenario, game.segment_weight.shape[0]),
        last=Last(quantity=np.zeros(n), revenue=np.zeros(n), fee=np.zeros(n), profit=np.zeros(n),
                  featured=np.full(1, -1, dtype=np.int64), market=np.zeros(3)),
        totals=Totals(price=np.zeros(n), quantity=np.zeros(n), revenue=np.zeros(n), fee=np.zeros(n),
                      profit=np.zeros(n), fine=np.zeros(n), featured=np.zeros(n, dtype=np.int64),
                      changes=np.zeros(n, dtype=np.int64), market=np.zeros(4)),
        records=Records(price=np.full((records, n), np.nan), quantity=np.full((records, n), np.nan),
                        profit=np.full((records, n), np.nan), fee=np.full((records, n), np.nan),
                        featured=np.full(records, -1, dtype=np.int64), market=np.full((records, 3), np.nan),
                        stride=stride),
        scratch=_scratch(n, game.segment_weight.shape[0], sellers.history.shape[0]),
        inventory=build_inventory(scenario, records) if optional_groups(scenario)["inventory"] else None,
        outside=outside_group(sellers.family),
        clock=np.zeros(1, dtype=np.int64), origin=np.zeros(1, dtype=np.int64)), [x.name for x in scenario.sellers])


_NAMES: dict[int, tuple[str, ...]] = {}


def _named(state: State, names) -> State:
    """Remember the names of ``state``'s sellers (for errors) while its arrays live; return ``state``."""
    key = id(state.sellers.price)
    _NAMES[key] = tuple(names)
    weakref.finalize(state.sellers.price, _NAMES.pop, key, None)
    return state


def seller_names(state: State) -> tuple[str, ...]:
    """The names of ``state``'s sellers, from the scenario it was built from (``seller 0``, ... for a state made
    otherwise)."""
    return _NAMES.get(id(state.sellers.price)) or tuple(f"seller {i}" for i in range(state.n_sellers))


def check_memory(scenario: Scenario, horizon: int, stride: int, extra_per_row: int = 0) -> None:
    """``budget.BudgetError`` before allocating when the records or the market's arrays would not fit: records
    take ``8 (4n + 4)`` bytes a row (``+ 8n`` with stock; ``+ extra_per_row`` for what a caller builds from
    them), the history ``24 n`` a kept tick, the static game's stakes ``32 n^2``."""
    n = scenario.n_sellers
    per_row = 8 * (4 * n + 4 + (n if scenario.inventory is not None else 0)) + extra_per_row
    rows = -(-horizon // stride)
    market = 24 * n * (scenario.history + 1) + 32 * n * n
    budget.require(market, f"the market's arrays ({n:,} sellers)", "use fewer sellers or a shorter history")
    spare = max(budget.limit() - market, per_row)
    least = -(-horizon * per_row // spare)
    budget.require(market + rows * per_row, f"records of {horizon:,} ticks every {stride:,}",
                   f"raise record_stride to at least {least:,} or lower horizon")


def _market(scenario: Scenario, game) -> Market:
    sellers = scenario.sellers
    on_platform = np.array([s.on_platform for s in sellers])
    via_platform = scenario.sale_via_platform()
    dual_channel = via_platform.any(axis=0) & ~via_platform.all(axis=0)
    platform = [i for i, s in enumerate(sellers) if s.role == "platform"]
    objective = game.objective
    return Market(
        quality=game.quality.copy(), cost=scenario.unit_cost(), own_cost=np.array([s.cost for s in sellers]),
        true_cost=game.cost.copy(), on_platform=on_platform,
        third_party=on_platform & np.array([s.role != "platform" for s in sellers]), dual_channel=dual_channel,
        via_platform=via_platform, platform_share=via_platform.all(axis=0).astype(np.float64),
        visibility=game.visibility, alpha=objective[0], kappa=objective[1], stake_share=objective[2],
        stake_unit=objective[3], segment_weight=game.segment_weight, platform_index=platform[0] if platform else -1,
        mu=scenario.demand.mu, outside_quality=scenario.demand.outside_quality,
        shoppers=scenario.demand.shoppers_per_tick, poisson_arrivals=scenario.demand.arrivals == "poisson",
        fulfilment_fee=scenario.platform.fulfilment_fee, featured_attention=scenario.platform.featured_attention,
        seed=scenario.seed, ticks_per_day=scenario.ticks_per_day, has_dual_channel=bool(dual_channel.any()),
        xi_sd=scenario.demand.xi_sd, sampled_choices=scenario.demand.choices == "sampled",
        tick_minutes=scenario.tick_minutes, arrival_factor=tick_factors(
            None if scenario.demand.profile is None else parse_profile(scenario.demand.profile), scenario.tick_minutes))


def _sellers(scenario: Scenario, references: list[dict]) -> Sellers:
    sellers = scenario.sellers
    specs = [get(s.strategy) for s in sellers]
    initial = np.array([s.initial_price if not isinstance(s.initial_price, str) else references[i][s.initial_price]
                        for i, s in enumerate(sellers)])
    n = len(sellers)
    return Sellers(
        strategy=np.array([spec.id for spec in specs], dtype=np.int64),
        family=np.array([spec.family_code for spec in specs], dtype=np.int64),
        param=np.vstack([spec.resolve(s.params, ref) for s, spec, ref in zip(sellers, specs, references, strict=True)]),
        memory=np.zeros((n, MEMORY_SLOTS)), rival_conditioned=np.array([spec.uses_rival_prices for spec in specs]),
        period=np.array([s.period for s in sellers], dtype=np.int64),
        lag=np.array([s.lag for s in sellers], dtype=np.int64),
        next_reprice=np.array([s.phase for s in sellers], dtype=np.int64),
        forced_price=np.zeros(n), forced_until=np.zeros(n, dtype=np.int64), price=initial.copy(),
        history=np.tile(initial, (scenario.history + 1, 1)),
        active=np.array([[0, 1440] if s.active_hours is None else [round(60 * h) for h in s.active_hours]
                         for s in sellers], dtype=np.int64))


def _rules(scenario: Scenario, references: list[dict]) -> Rules:
    compiled = compile_interventions(scenario, references)
    n = scenario.n_sellers
    return Rules(value=compiled.rule, floor=compiled.floor, ceiling=compiled.ceiling,
                 audit_reference=np.array([r.get("nash", np.inf) for r in references]),
                 change_log=np.full((n, rules.MAX_CHANGE_CAP), NEVER, dtype=np.int64),
                 change_count=np.zeros(n, dtype=np.int64), audit_price=np.zeros(n), audit_profit=np.zeros(n))


def compile_interventions(scenario: Scenario, references: list[dict]) -> rules.RuleArrays:
    """The rule vector and price bounds of the scenario's interventions (``market.interventions.compile_rules``)."""
    return rules.compile_rules(scenario.interventions, scenario.tick_minutes, references,
                               scenario.platform.self_preference, scenario.platform.referral_fee)


def _brands(scenario: Scenario) -> Brands | None:
    """Suppliers, wholesale terms and delisting thresholds; None if no seller has a supplier or delists."""
    sellers = scenario.sellers
    if not optional_groups(scenario)["brands"]:
        return None
    terms = [s.wholesale for s in sellers]
    return Brands(
        supplier=np.array([scenario.seller_index(s.supplier) if s.supplier else -1 for s in sellers], dtype=np.int64),
        wholesale=np.array([w.price if w else 0.0 for w in terms]),
        step=np.array([w.step if w else 0.0 for w in terms]),
        period=np.array([w.period if w else 0 for w in terms], dtype=np.int64),
        map_price=np.array([w.map_price if w else 0.0 for w in terms]),
        delist_margin=np.array([-np.inf if s.delist_margin is None else s.delist_margin for s in sellers]),
        direction=np.ones(len(sellers)), profit=np.zeros(len(sellers)), previous=np.full(len(sellers), -np.inf))


def _learners(scenario: Scenario, game, param: np.ndarray) -> Learners | None:
    """Tables and grids of the learning sellers, packed into flat pools; sellers sharing a vendor share one.
    None if no seller's strategy is of the learner family."""
    if not optional_groups(scenario)["learners"]:
        return None
    specs = [get(s.strategy) for s in scenario.sellers]
    n = scenario.n_sellers
    owner = np.arange(n, dtype=np.int64)
    for i, seller in enumerate(scenario.sellers):
        if seller.vendor is not None:
            owner[i] = next(j for j, s in enumerate(scenario.sellers) if s.vendor == seller.vendor)
    own_table = [spec.family_code == LEARNER and owner[i] == i for i, spec in enumerate(specs)]
    shape = np.array([learning.table_shape(spec, param[i], n) if own_table[i] else (0, 0)
                      for i, spec in enumerate(specs)], dtype=np.int64)
    entries = int(np.prod(shape, axis=1).sum())
    if entries > MAX_TABLE_ENTRIES:
        raise ScenarioError(f"sellers: learners' tables need {entries:,} entries ({entries * 8 / 2**30:.1f} GiB); "
                            f"at most {MAX_TABLE_ENTRIES:,} fit: use fewer learning sellers or a smaller grid m")
    b = scenario.plain_benchmarks
    grids = [learning.seller_grid(spec, param[i], b.nash_price, b.monopoly_price) if own_table[i] else np.zeros(0)
             for i, spec in enumerate(specs)]
    tables = [learning.initial_table(spec, param[i], i, game, grids[i]).ravel() for i, spec in enumerate(specs)
              if own_table[i] and grids[i].size]
    sizes = np.array([g.size for g in grids], dtype=np.int64)
    table_offset = np.concatenate([[0], np.cumsum(np.prod(shape, axis=1))[:-1]]).astype(np.int64)
    grid_offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return Learners(frozen=np.zeros(1, dtype=np.bool_), owner=owner, table_offset=table_offset[owner],
                    table_rows=shape[owner, 0], table_cols=shape[owner, 1], grid_offset=grid_offset[owner],
                    grid_size=sizes[owner], table_pool=np.concatenate([np.zeros(0), *tables]),
                    grid_pool=np.concatenate([np.zeros(0), *grids]), profit_since=np.zeros(n),
                    ticks_since=np.zeros(n, dtype=np.int64))


def _responses(scenario: Scenario, segments: int) -> Responses | None:
    if not optional_groups(scenario)["responses"]:
        return None
    n = scenario.n_sellers
    return Responses(segment=np.zeros((3, segments)), work=np.zeros((3, n)), follower=np.zeros(n), trial=np.zeros(n),
                     weight=np.zeros((segments, n)), demand=np.zeros((2, n)))


def outside_group(family: np.ndarray) -> Outside | None:
    """The group of the sellers whose strategy is of the outside family; None if there is none."""
    seller = np.flatnonzero(family == OUTSIDE).astype(np.int64)
    if not seller.size:
        return None
    k = seller.size
    slot = np.full(family.shape[0], -1, dtype=np.int64)
    slot[seller] = np.arange(k)
    return Outside(seller=seller, slot=slot, asked=np.zeros(k, dtype=np.bool_), seen=np.zeros(k, dtype=np.int64),
                   answer=np.full(k, np.nan), answered=np.full(1, NEVER, dtype=np.int64),
                   profit_since=np.zeros(k),
                   ticks_since=np.zeros(k, dtype=np.int64))


def _scratch(n: int, segments: int, rows: int) -> Scratch:
    return Scratch(chosen=np.zeros(n), observed=np.zeros(n), weight=np.zeros((segments, n)), share=np.zeros(n),
                   log_denominator=np.zeros(segments), row_tick=np.full(rows, NEVER, dtype=np.int64),
                   row_low=np.zeros((rows, 2)), row_argmin=np.zeros(rows, dtype=np.int64), quality=np.zeros(n),
                   quality_day=np.full(1, NEVER, dtype=np.int64), choices=np.zeros(n),
                   fault=np.full(2, -1, dtype=np.int64))


def _uses_benchmarks(seller) -> bool:
    """Whether a seller's initial price or strategy parameters refer to the Nash or monopoly price."""
    spec = get(seller.strategy)
    values = [seller.params.get(p.name, p.default) for p in spec.params] + [seller.initial_price]
    return any(v in ("nash", "monopoly") for v in values)


def copy_state(state: State) -> State:
    """A deep copy: the same market at the same tick (training, learning and books included), to run apart.

    Read-only arrays stay read-only: numba types them apart, and a copy of another type would
    compile the whole engine again for it.
    """
    def copy(value):
        if isinstance(value, np.ndarray):
            duplicate = value.copy()
            duplicate.flags.writeable = value.flags.writeable
            return duplicate
        if isinstance(value, tuple):
            return type(value)(*map(copy, value))
        return value
    return _named(copy(state), seller_names(state))


def restart_books(state: State) -> None:
    """Start the books afresh from the current tick (after training): empty ``totals``, ``records`` and the
    inventory's ``INVENTORY_BOOKS`` and stock records. Prices, stock, rules and learning stay.

    The stock on hand counts as received at the restart, so received = sold + ... + stock still holds.
    """
    state.origin[0] = state.clock[0]
    for array in state.totals:
        array[:] = 0
    r = state.records
    for array in (r.price, r.quantity, r.profit, r.fee, r.market):
        array[:] = np.nan
    r.featured[:] = -1
    v = state.inventory
    if v is not None:
        for name in INVENTORY_BOOKS:
            getattr(v, name)[:] = 0.0
        v.record_stock[:] = np.nan
        v.total_units[:, RECEIVED] = v.stock
