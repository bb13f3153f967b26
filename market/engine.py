r"""The market engine: the state as numpy arrays and ``advance(state, n_ticks)`` as one numba call.

Each tick :math:`t`:

1. **Reprice.** Seller :math:`i` wakes when :math:`(t - \text{phase}_i) \bmod \text{period}_i = 0`
   and chooses its new price from what it can see: rivals' prices of tick
   :math:`t - 1 - \text{lag}_i` (so lag 0 is last tick's prices, Calvano et al.'s timing).
   All sellers choose from the past only, so the order of sellers cannot matter.
2. **Feature.** The platform features its lowest-priced listed offer (ties: lowest index);
   other listed offers keep :math:`1 - \text{featured\_attention}` of the attention of the
   shoppers who buy them on the platform (a seller in both channels keeps full attention in its
   own web shop, which sells to the shoppers who compare every channel).
3. **Sell.** :math:`N_t` shoppers arrive (expected :math:`N`, or Poisson with mean :math:`N`
   from the counter-based generator) and buy by logit (:mod:`market.demand`):
   :math:`q_{it} = N_t \sum_k W_k s_{kit}`.
4. **Pay.** A third-party offer pays :math:`(r p_{it} + f)\, q^P_{it}` to the platform on the
   units it sells there, :math:`q^P_{it} = N_t \sum_k W_k s_{kit} [\text{segment } k \text{ buys it on
   the platform}]` (all its units if listed only there); profit is
   :math:`\pi_{it} = (p_{it} - c_i) q_{it} - \text{fee}_{it}`, and the platform adds the fees it receives.
5. **Record** every ``record_stride`` ticks, and add to the running totals.

With stock (a scenario's ``[inventory]``; :mod:`market.stock`): orders arrive and sell-offs
post their prices before rules apply; sold-out offers are neither featured nor seen; sales are
capped by stock, displaced shoppers choose again; after paying, sellers pay storage and
disposal, review unsold stock and reorder. Without it these steps change nothing.

Randomness is a function of (seed, stream, tick, seller), so one call of ``advance(state,
n)`` equals ``n`` calls of ``advance(state, 1)`` bit for bit, whatever the chunking.
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from market import interventions as rules
from market.benchmarks import best_response, leader_price
from market.demand import market_demand
from market.inventory import RECEIVED, Inventory, build_inventory, season
from market.jit import tick_kernel
from market.rng import STREAM_ARRIVALS, poisson
from market.scenario import Scenario, ScenarioError
from market.stock import close_tick, limit_sales, open_tick
from market.strategies import MEMORY_SLOTS, get, learning
from market.strategies.dispatch import rule_price
from market.strategies.responsive import ANTICIPATING, BEST_RESPONSE

_NEVER = np.iinfo(np.int64).min
_BEST_RESPONSE_ID = BEST_RESPONSE.id
_ANTICIPATING_ID = ANTICIPATING.id
_MAX_CHANGES, _CHANGE_WINDOW, _INCREASE_TICK, _DAILY_TICK, _NOTICE, _MIN_LAG, _BAN_RIVAL, _BUYBOX = (
    rules.MAX_CHANGES, rules.CHANGE_WINDOW, rules.INCREASE_TICK, rules.DAILY_TICK, rules.NOTICE, rules.MIN_LAG,
    rules.BAN_RIVAL, rules.BUYBOX)
_SELF_PREFERENCE, _REFERRAL_FEE, _AUDIT_PERIOD, _AUDIT_TOLERANCE, _AUDIT_FINE = (
    rules.SELF_PREFERENCE, rules.REFERRAL_FEE, rules.AUDIT_PERIOD, rules.AUDIT_TOLERANCE, rules.AUDIT_FINE)
_BUYBOX_PDP, _BUYBOX_DYNAMIC_PDP = rules.BUYBOX_PDP, rules.BUYBOX_DYNAMIC_PDP
_QLEARNING_ID = learning.QLEARNING.id
_KLEIN_ID = learning.KLEIN_QLEARNING.id
MAX_TABLE_ENTRIES = 2**27  # 1 GiB of learners' tables per market


class State(NamedTuple):
    """Everything the kernel reads and writes. Arrays are indexed ``[seller]`` or ``[tick, seller]``.

    Constants come from the scenario; ``clock[0]`` is the next tick to run. ``last_*``
    hold the latest tick's outputs, ``total_*`` the sums since tick 0, ``record_*`` the
    series sampled every ``record_stride`` ticks (row ``t // record_stride``).
    """

    # constants
    strategy: np.ndarray          # int64[n]
    param: np.ndarray             # float64[n, MAX_PARAMS]
    cost: np.ndarray              # float64[n]: marginal cost paid now (own cost + the brand's wholesale price)
    own_cost: np.ndarray          # float64[n]: the seller's own cost per unit
    true_cost: np.ndarray         # float64[n]: the industry's cost of a unit (own + the brand's production cost)
    quality: np.ndarray
    period: np.ndarray            # int64[n]
    phase: np.ndarray
    lag: np.ndarray
    on_platform: np.ndarray       # bool[n]: listed on the platform (alone or beside its web shop)
    third_party: np.ndarray       # bool[n]: listed on the platform and not the platform itself
    via_platform: np.ndarray      # bool[segments, n]: the seller's sales to the segment go through the platform
    dual_channel: np.ndarray      # bool[n]: sells through the platform to some segments, its web shop to others
    has_dual_channel: bool        # any dual_channel seller (else the channel split is skipped)
    alpha: np.ndarray             # float64[segments, n]: share of price kept after the referral fee
    kappa: np.ndarray             # float64[segments, n]: marginal cost plus fulfilment fee
    stake_share: np.ndarray       # float64[segments, n, n]: what seller i earns per unit of j's revenue
    stake_unit: np.ndarray        # float64[segments, n, n]: what seller i earns per unit j sells
    visibility: np.ndarray        # float64[segments, n]
    segment_weight: np.ndarray    # float64[segments]
    platform_index: int           # -1 if the platform is not a seller
    mu: float
    outside_quality: float
    shoppers: float
    poisson_arrivals: bool
    fulfilment_fee: float
    featured_attention: float
    seed: int
    record_stride: int
    ticks_per_day: int
    rival_conditioned: np.ndarray  # bool[n]: the strategy uses rivals' prices
    # interventions (read every tick, so they can be switched between ticks; see market.interventions)
    rule: np.ndarray              # float64[N_RULES]; rule[REFERRAL_FEE] is the referral fee in force
    floor: np.ndarray             # float64[n]: legal price floor
    ceiling: np.ndarray           # float64[n]: legal price ceiling
    audit_reference: np.ndarray   # float64[n]: static Nash prices, the audit's yardstick
    # brands: wholesale terms, minimum advertised prices, delisting (market.scenario.Wholesale)
    has_brand_terms: bool         # any supplier or delisting threshold (else brand steps are skipped)
    supplier: np.ndarray          # int64[n]: the brand a shop buys from, -1 if none
    wholesale: np.ndarray         # float64[n]: a brand's wholesale price now
    wholesale_step: np.ndarray
    wholesale_period: np.ndarray  # int64[n]: 0 for sellers that set no terms
    map_price: np.ndarray         # float64[n]: a brand's minimum advertised price (0: none)
    delist_margin: np.ndarray     # float64[n]: -inf: never delists
    wholesale_direction: np.ndarray
    wholesale_profit: np.ndarray  # float64[n]: the brand's wholesale profit this period
    wholesale_last: np.ndarray    # float64[n]: ... and last period
    # learners (market.strategies.learning): each seller's table and grid are slices of flat pools
    learns: np.ndarray            # bool[n]
    table_owner: np.ndarray       # int64[n]: whose table, memory and price a seller uses (a shared vendor)
    table_offset: np.ndarray      # int64[n]
    table_rows: np.ndarray        # int64[n]
    table_cols: np.ndarray        # int64[n]
    grid_offset: np.ndarray       # int64[n]
    grid_size: np.ndarray         # int64[n]
    table_pool: np.ndarray        # float64[entries]
    grid_pool: np.ndarray         # float64[points]
    # dynamic
    clock: np.ndarray             # int64[1]
    origin: np.ndarray            # int64[1]: the tick from which totals and records count (0, or the end of training)
    frozen: np.ndarray            # bool[1]: learners play their greedy policy, neither exploring nor updating
    forced_price: np.ndarray      # float64[n]: a price imposed from outside (a deviation) ...
    forced_until: np.ndarray      # int64[n]: ... in the ticks before this one
    price: np.ndarray
    history: np.ndarray           # float64[history + 1, n], row t % rows = prices of tick t
    memory: np.ndarray            # float64[n, MEMORY_SLOTS]
    row_tick: np.ndarray          # int64[rows]: tick whose lowest prices row_low1/2 hold
    row_low1: np.ndarray
    row_low2: np.ndarray
    row_argmin: np.ndarray
    next_reprice: np.ndarray      # int64[n]: next tick at which each seller reprices
    change_log: np.ndarray        # int64[n, MAX_CHANGE_CAP]: ticks of the latest price changes (ring)
    audit_price: np.ndarray       # float64[n]: sum of prices since the last audit
    audit_profit: np.ndarray      # float64[n]: sum of profits since the last audit
    profit_since: np.ndarray      # float64[n]: profit since the seller last repriced (a vendor's: its clients')
    ticks_since: np.ndarray       # int64[n]
    observed: np.ndarray          # scratch float64[n]: the prices a learner sees
    chosen: np.ndarray            # scratch: new prices
    weight: np.ndarray            # float64[segments, n]: this tick's w_ki, visibility x attention (market.demand)
    platform_share: np.ndarray    # float64[n]: share of this tick's units sold through the platform
    share: np.ndarray             # scratch
    segment_scratch: np.ndarray   # scratch float64[3, segments]
    work: np.ndarray              # scratch float64[3, n]
    last_quantity: np.ndarray
    last_revenue: np.ndarray
    last_fee: np.ndarray
    last_profit: np.ndarray
    last_featured: np.ndarray     # int64[1], -1 if no offer is listed on the platform
    last_market: np.ndarray       # float64[3]: shoppers, consumer surplus, fee income
    total_price: np.ndarray
    total_quantity: np.ndarray
    total_revenue: np.ndarray
    total_fee: np.ndarray
    total_profit: np.ndarray
    total_featured: np.ndarray    # int64[n]: ticks featured
    total_changes: np.ndarray     # int64[n]: price changes
    total_fine: np.ndarray        # float64[n]: audit fines paid
    total_market: np.ndarray      # float64[4]: shoppers, consumer surplus, fee income, price dispersion
    record_price: np.ndarray      # float64[records, n]
    record_quantity: np.ndarray
    record_profit: np.ndarray
    record_fee: np.ndarray
    record_featured: np.ndarray   # int64[records]
    record_market: np.ndarray     # float64[records, 3]: shoppers, consumer surplus, fee income
    inventory: Inventory          # stock and unsold goods (market.inventory); inactive without [inventory]

    @property
    def n_sellers(self) -> int:
        return self.price.shape[0]

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
        """Rows of ``record_*`` filled so far (row r is tick ``origin + r * record_stride``)."""
        return min(-(-self.counted // self.record_stride), self.record_price.shape[0])


MARKET_SHOPPERS, MARKET_SURPLUS, MARKET_FEE_INCOME, MARKET_DISPERSION = 0, 1, 2, 3


def build_state(scenario: Scenario, horizon: int | None = None, record_stride: int | None = None) -> State:
    """Arrays for ``scenario`` at tick 0, with room to record ``horizon`` ticks (default: the scenario's).

    Raises ``market.interventions.InterventionError`` for an intervention that contradicts the scenario.
    """
    horizon = scenario.horizon if horizon is None else horizon
    stride = scenario.record_stride if record_stride is None else record_stride
    if horizon < 0 or stride < 1:
        raise ValueError(f"horizon = {horizon}, record_stride = {stride}: need horizon >= 0, stride >= 1")
    game = scenario.static_game()
    n = scenario.n_sellers
    sellers = scenario.sellers
    uses_benchmarks = any(_uses_benchmarks(s) for s in sellers) or bool(scenario.interventions)
    references = [scenario.references(i) if uses_benchmarks else {"cost": s.cost} for i, s in enumerate(sellers)]
    rule, floor, ceiling = rule_arrays(scenario, references)
    initial = np.array([s.initial_price if not isinstance(s.initial_price, str) else references[i][s.initial_price]
                        for i, s in enumerate(sellers)])
    rows = scenario.history + 1
    records = -(-horizon // stride)
    segments = game.segment_weight.shape[0]
    platform = [i for i, s in enumerate(sellers) if s.role == "platform"]
    on_platform = np.array([s.on_platform for s in sellers])
    via_platform = scenario.sale_via_platform()
    dual_channel = via_platform.any(axis=0) & ~via_platform.all(axis=0)
    param = np.vstack([get(s.strategy).resolve(s.params, references[i]) for i, s in enumerate(sellers)])
    return State(
        strategy=np.array([get(s.strategy).id for s in sellers], dtype=np.int64), param=param,
        cost=scenario.unit_cost(), own_cost=np.array([s.cost for s in sellers]), true_cost=game.cost.copy(),
        quality=game.quality.copy(),
        period=np.array([s.period for s in sellers], dtype=np.int64),
        phase=np.array([s.phase for s in sellers], dtype=np.int64),
        lag=np.array([s.lag for s in sellers], dtype=np.int64),
        on_platform=on_platform, third_party=on_platform & np.array([s.role != "platform" for s in sellers]),
        via_platform=via_platform, dual_channel=dual_channel, has_dual_channel=bool(dual_channel.any()),
        alpha=game.alpha, kappa=game.kappa, stake_share=game.stake_share, stake_unit=game.stake_unit,
        visibility=game.visibility, segment_weight=game.segment_weight,
        platform_index=platform[0] if platform else -1,
        mu=scenario.demand.mu, outside_quality=scenario.demand.outside_quality,
        shoppers=scenario.demand.shoppers_per_tick, poisson_arrivals=scenario.demand.arrivals == "poisson",
        fulfilment_fee=scenario.platform.fulfilment_fee, featured_attention=scenario.platform.featured_attention,
        seed=scenario.seed, record_stride=stride, ticks_per_day=scenario.ticks_per_day,
        rival_conditioned=np.array([get(s.strategy).uses_rival_prices for s in sellers]),
        rule=rule, floor=floor, ceiling=ceiling,
        audit_reference=np.array([r.get("nash", np.inf) for r in references]),
        **_learner_arrays(scenario, game, param), **_brand_arrays(scenario),
        clock=np.zeros(1, dtype=np.int64), origin=np.zeros(1, dtype=np.int64), frozen=np.zeros(1, dtype=np.bool_),
        forced_price=np.zeros(n), forced_until=np.zeros(n, dtype=np.int64), price=initial.copy(),
        history=np.tile(initial, (rows, 1)),
        memory=np.zeros((n, MEMORY_SLOTS)), row_tick=np.full(rows, _NEVER, dtype=np.int64),
        row_low1=np.zeros(rows), row_low2=np.zeros(rows), row_argmin=np.zeros(rows, dtype=np.int64),
        next_reprice=np.array([s.phase for s in sellers], dtype=np.int64),
        change_log=np.full((n, rules.MAX_CHANGE_CAP), _NEVER, dtype=np.int64),
        audit_price=np.zeros(n), audit_profit=np.zeros(n), profit_since=np.zeros(n),
        ticks_since=np.zeros(n, dtype=np.int64), observed=np.zeros(n),
        chosen=np.zeros(n), weight=game.visibility.copy(),
        platform_share=via_platform.all(axis=0).astype(np.float64), share=np.zeros(n),
        segment_scratch=np.zeros((3, segments)), work=np.zeros((3, n)),
        last_quantity=np.zeros(n), last_revenue=np.zeros(n), last_fee=np.zeros(n), last_profit=np.zeros(n),
        last_featured=np.full(1, -1, dtype=np.int64), last_market=np.zeros(3),
        total_price=np.zeros(n), total_quantity=np.zeros(n), total_revenue=np.zeros(n), total_fee=np.zeros(n),
        total_profit=np.zeros(n), total_featured=np.zeros(n, dtype=np.int64),
        total_changes=np.zeros(n, dtype=np.int64), total_fine=np.zeros(n), total_market=np.zeros(4),
        record_price=np.full((records, n), np.nan), record_quantity=np.full((records, n), np.nan),
        record_profit=np.full((records, n), np.nan), record_fee=np.full((records, n), np.nan),
        record_featured=np.full(records, -1, dtype=np.int64), record_market=np.full((records, 3), np.nan),
        inventory=build_inventory(scenario, records),
    )


def rule_arrays(scenario: Scenario, references: list[dict[str, float]]):
    """The kernel's ``rule`` vector and price ``floor`` and ``ceiling`` for the scenario's interventions."""
    return rules.compile_rules(scenario.interventions, scenario.tick_minutes, references,
                               scenario.platform.self_preference, scenario.platform.referral_fee)


def _learner_arrays(scenario: Scenario, game, param: np.ndarray) -> dict:
    """Tables and grids of the learning sellers, packed into flat pools; sellers sharing a vendor share one."""
    n = scenario.n_sellers
    owner = np.arange(n, dtype=np.int64)
    for i, seller in enumerate(scenario.sellers):
        if seller.vendor is not None:
            owner[i] = next(j for j, s in enumerate(scenario.sellers) if s.vendor == seller.vendor)
    b = scenario.benchmarks if any(get(s.strategy).learns for s in scenario.sellers) else None
    shape = np.zeros((n, 2), dtype=np.int64)
    for i, seller in enumerate(scenario.sellers):
        spec = get(seller.strategy)
        if spec.learns and owner[i] == i:
            shape[i] = learning.table_shape(spec, param[i], n)
    entries = int(np.prod(shape, axis=1).sum())
    if entries > MAX_TABLE_ENTRIES:
        raise ScenarioError(f"sellers: learners' tables need {entries:,} entries ({entries * 8 / 2**30:.1f} GiB); "
                            f"at most {MAX_TABLE_ENTRIES:,} fit: use fewer learning sellers or a smaller grid m")
    tables, grids = [], []
    for i, seller in enumerate(scenario.sellers):
        spec = get(seller.strategy)
        if not spec.learns or owner[i] != i:
            grids.append(np.zeros(0))
            continue
        grid = learning.seller_grid(spec, param[i], b.nash_price, b.monopoly_price)
        tables.append(learning.initial_table(spec, param[i], i, game, grid).ravel() if grid.size else np.zeros(0))
        grids.append(grid)
    sizes = np.array([g.size for g in grids], dtype=np.int64)
    table_offset = np.concatenate([[0], np.cumsum(np.prod(shape, axis=1))[:-1]]).astype(np.int64)
    return dict(learns=np.array([get(s.strategy).learns or get(s.strategy).id == learning.PRICE_LEADERSHIP.id
                                 for s in scenario.sellers]),
                table_owner=owner, table_offset=table_offset[owner], table_rows=shape[owner, 0],
                table_cols=shape[owner, 1], grid_offset=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(
                    np.int64)[owner], grid_size=sizes[owner],
                table_pool=np.concatenate([np.zeros(0), *tables]), grid_pool=np.concatenate([np.zeros(0), *grids]))


def _brand_arrays(scenario: Scenario) -> dict:
    """Suppliers, wholesale terms and delisting thresholds as arrays."""
    sellers = scenario.sellers
    terms = [s.wholesale for s in sellers]
    return dict(
        has_brand_terms=any(s.supplier or s.delist_margin is not None for s in sellers),
        supplier=np.array([scenario.seller_index(s.supplier) if s.supplier else -1 for s in sellers], dtype=np.int64),
        wholesale=np.array([w.price if w else 0.0 for w in terms]),
        wholesale_step=np.array([w.step if w else 0.0 for w in terms]),
        wholesale_period=np.array([w.period if w else 0 for w in terms], dtype=np.int64),
        map_price=np.array([w.map_price if w else 0.0 for w in terms]),
        delist_margin=np.array([-np.inf if s.delist_margin is None else s.delist_margin for s in sellers]),
        wholesale_direction=np.ones(len(sellers)), wholesale_profit=np.zeros(len(sellers)),
        wholesale_last=np.full(len(sellers), -np.inf))


def _uses_benchmarks(seller) -> bool:
    """Whether a seller's initial price or strategy parameters refer to the Nash or monopoly price."""
    spec = get(seller.strategy)
    values = [seller.params.get(p.name, p.default) for p in spec.params] + [seller.initial_price]
    return any(v in ("nash", "monopoly") for v in values)


def advance(state: State, n_ticks: int) -> State:
    """Run ``n_ticks`` ticks in one kernel call; the state's arrays are updated in place."""
    if n_ticks < 0:
        raise ValueError(f"n_ticks = {n_ticks}: must be >= 0")
    _advance(state, n_ticks)
    return state


def run(scenario: Scenario) -> State:
    """Build the state of ``scenario`` and advance it over its horizon."""
    return advance(build_state(scenario), scenario.horizon)


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
    return copy(state)


def force_price(state: State, seller: int, price: float, n_ticks: int) -> None:
    """Impose ``price`` on ``seller`` for the next ``n_ticks`` ticks (a deviation); the rules in force still apply.

    Its strategy is skipped meanwhile; rivals see the forced price as any other, so the ticks
    after show how they respond (Calvano et al. 2020, section V: punishment of a deviation).
    """
    if not 0 <= seller < state.n_sellers:
        raise ValueError(f"seller = {seller}: must be in 0..{state.n_sellers - 1}")
    if not (np.isfinite(price) and price > 0.0):
        raise ValueError(f"price = {price}: must be a finite price > 0")
    if n_ticks < 1:
        raise ValueError(f"n_ticks = {n_ticks}: must be >= 1")
    state.forced_price[seller] = price
    state.forced_until[seller] = state.t + n_ticks


def restart_books(state: State) -> None:
    """Start the totals and records afresh from the current tick (after training); prices, stock and learning stay.

    The stock on hand counts as received at the restart, so received = sold + ... + stock still holds.
    """
    state.origin[0] = state.clock[0]
    for books in (state, state.inventory):
        for name in type(books)._fields:
            array = getattr(books, name)
            if not isinstance(array, np.ndarray):
                continue
            if name.startswith("total_"):
                array[:] = 0
            elif name.startswith("record_"):
                array[:] = -1 if array.dtype.kind == "i" else np.nan
    state.inventory.total_units[:, RECEIVED] = state.inventory.stock


@tick_kernel
def _lowest_rival(s, i, t):
    """Lowest price among seller i's rivals at tick t (cached per history row); +inf if none."""
    rows = s.history.shape[0]
    r = t % rows
    if s.row_tick[r] != t:
        low1 = np.inf
        low2 = np.inf
        arg = -1
        row = s.history[r]
        for j in range(row.shape[0]):
            p = row[j]
            if p < low1:
                low2 = low1
                low1 = p
                arg = j
            elif p < low2:
                low2 = p
        s.row_low1[r] = low1
        s.row_low2[r] = low2
        s.row_argmin[r] = arg
        s.row_tick[r] = t
    if s.row_argmin[r] == i:
        return s.row_low2[r]
    return s.row_low1[r]


@njit(cache=True, inline="always")
def _choose_prices(s, t):
    """Fill s.chosen with each seller's price for tick t (unchanged for sellers not repricing).

    Under a daily-price rule everyone reprices at the rule's tick of the day only, on
    information ``notice`` ticks older; a minimum-lag rule raises every lag; a ban on
    rival-conditioned pricing leaves such sellers at their price.
    """
    rows = s.history.shape[0]
    scratch = s.segment_scratch
    daily_tick = s.rule[_DAILY_TICK]
    extra_lag = int(s.rule[_NOTICE])
    for i in range(s.price.shape[0]):
        s.chosen[i] = s.price[i]
        due = t == s.next_reprice[i]
        if due:
            s.next_reprice[i] += s.period[i]
        if t < s.forced_until[i]:
            s.chosen[i] = s.forced_price[i]
            continue
        if daily_tick >= 0.0:
            due = t % s.ticks_per_day == int(daily_tick)
        if not due or (s.rule[_BAN_RIVAL] > 0.0 and s.rival_conditioned[i]):
            continue
        seen = t - 1 - max(s.lag[i], int(s.rule[_MIN_LAG])) - extra_lag
        if s.table_owner[i] != i:
            s.chosen[i] = s.chosen[s.table_owner[i]]
        elif s.learns[i]:
            s.chosen[i] = _learner_price(s, i, t, seen)
        elif s.strategy[i] == _ANTICIPATING_ID:
            for j in range(s.price.shape[0]):
                s.observed[j] = 1.0 if s.period[j] < s.period[i] else 0.0
            s.chosen[i] = leader_price(i, s.history[seen % rows], s.observed, s.quality, s.alpha, s.kappa,
                                       s.stake_share, s.stake_unit, s.visibility, s.segment_weight, s.mu,
                                       s.outside_quality, s.work, scratch[0], scratch[1], scratch[2])
        elif s.strategy[i] == _BEST_RESPONSE_ID:
            s.chosen[i] = best_response(i, s.history[seen % rows], s.quality, s.alpha, s.kappa, s.stake_share,
                                        s.stake_unit, s.visibility, s.segment_weight, s.mu, s.outside_quality,
                                        scratch[0], scratch[1], scratch[2])
        else:
            platform_price = np.inf
            if s.platform_index >= 0 and s.platform_index != i:
                platform_price = s.history[seen % rows, s.platform_index]
            s.chosen[i] = rule_price(s.strategy[i], s.cost[i], _lowest_rival(s, i, seen), platform_price, s.param[i],
                                     s.memory[i])


@tick_kernel
def _learner_price(s, i, t, seen):
    """Price of learning seller i: what it observes, its reward since it last repriced, its table and grid."""
    rows = s.history.shape[0]
    grid = s.grid_pool[s.grid_offset[i]:s.grid_offset[i] + s.grid_size[i]]
    size = s.table_rows[i] * s.table_cols[i]
    table = s.table_pool[s.table_offset[i]:s.table_offset[i] + size].reshape((s.table_rows[i], s.table_cols[i]))
    rival_min = _lowest_rival(s, i, seen)
    state = 0
    if s.strategy[i] == _QLEARNING_ID:
        for j in range(s.price.shape[0]):
            s.observed[j] = s.history[seen % rows, j]
        s.observed[i] = s.price[i]
        state = learning.profile_index(s.observed, grid)
    elif s.strategy[i] == _KLEIN_ID:
        state = learning.nearest_index(grid, rival_min)
    reward = s.profit_since[i] / s.ticks_since[i] if s.ticks_since[i] > 0 else 0.0
    s.profit_since[i] = 0.0
    s.ticks_since[i] = 0
    return learning.learner_price(s.strategy[i], table, grid, s.param[i], s.memory[i], state, reward, rival_min,
                                  s.seed, t, i, not s.frozen[0])


@njit(cache=True, inline="always")
def _enforce(s, t):
    """Apply the rules in force to s.chosen; then move prices, count and log changes, keep history."""
    rows = s.history.shape[0]
    cap = int(s.rule[_MAX_CHANGES])
    slots = s.change_log.shape[1]
    increase_tick = s.rule[_INCREASE_TICK]
    for i in range(s.price.shape[0]):
        new = s.chosen[i]
        if increase_tick >= 0.0 and new > s.price[i] and t % s.ticks_per_day != int(increase_tick):
            new = s.price[i]
        if cap > 0 and new != s.price[i] and s.total_changes[i] >= cap:
            if s.change_log[i, (s.total_changes[i] - cap) % slots] > t - int(s.rule[_CHANGE_WINDOW]):
                new = s.price[i]
        if s.supplier[i] >= 0:
            new = max(new, s.map_price[s.supplier[i]])
        new = min(max(new, s.floor[i]), s.ceiling[i])
        if new != s.price[i]:
            s.change_log[i, s.total_changes[i] % slots] = t
            s.total_changes[i] += 1
        s.price[i] = new
        s.history[t % rows, i] = new


@njit(cache=True, inline="always")
def _feature(s):
    """Pick the featured offer among those listed on the platform (-1 if none); set the offers' weights.

    Lowest price wins, the platform's own offer judged at price / (1 + self_preference). Under
    price-directed prominence only the featured offer (and offers tied with it) is shown;
    under the dynamic variant the incumbent keeps prominence unless strictly undercut. These
    weights apply to a seller's sales through the platform; in its own web shop an offer keeps
    full attention (a sold-out offer has none anywhere).
    """
    rule = int(s.rule[_BUYBOX])
    bias = 1.0 + s.rule[_SELF_PREFERENCE]
    featured = -1
    best = np.inf
    for i in range(s.price.shape[0]):
        if s.on_platform[i] and s.inventory.available[i]:
            judged = s.price[i] / bias if i == s.platform_index else s.price[i]
            if judged < best:
                best = judged
                featured = i
    incumbent = s.last_featured[0]
    if rule == _BUYBOX_DYNAMIC_PDP and featured >= 0 and incumbent >= 0 and s.on_platform[incumbent] \
            and s.inventory.available[incumbent] and s.clock[0] > 0:
        if s.price[featured] >= s.price[incumbent]:
            featured = incumbent
    for i in range(s.price.shape[0]):
        direct = 1.0 if s.inventory.available[i] else 0.0
        listed = direct
        if direct > 0.0 and s.on_platform[i] and i != featured:
            if rule == _BUYBOX_PDP and s.price[i] == s.price[featured]:
                listed = 1.0
            elif rule == _BUYBOX_PDP or rule == _BUYBOX_DYNAMIC_PDP:
                listed = 0.0
            else:
                listed = 1.0 - s.featured_attention
        for k in range(s.weight.shape[0]):
            s.weight[k, i] = s.visibility[k, i] * (listed if s.via_platform[k, i] else direct)
    return featured


@njit(cache=True, inline="always")
def _split_channels(s):
    r"""Share of each dual-channel seller's demand sold through the platform, from the segment shares:

    .. math::  \frac{\sum_k W_k s_{ki} [\text{via platform}_{ki}]}{\sum_k W_k s_{ki}},
               \qquad s_{ki} = w_{ki} e^{(a_i - p_i)/\mu - \log D_k}

    with the log-denominators :math:`\log D_k` that ``market_demand`` left in ``segment_scratch[0]``.
    Sales capped by stock keep this split.
    """
    log_denominator = s.segment_scratch[0]
    for i in range(s.price.shape[0]):
        if not s.dual_channel[i]:
            continue
        utility = (s.quality[i] - s.price[i]) / s.mu
        through = 0.0
        for k in range(s.segment_weight.shape[0]):
            if s.segment_weight[k] > 0.0 and s.via_platform[k, i]:
                through += s.segment_weight[k] * s.weight[k, i] * np.exp(utility - log_denominator[k])
        s.platform_share[i] = min(through / s.last_quantity[i], 1.0) if s.last_quantity[i] > 0.0 else 0.0


@njit(cache=True, inline="always")
def _brand_terms(s, t, referral_fee):
    r"""Wholesale margins to brands; each brand's periodic review of its wholesale price; delisting.

    A brand earns :math:`(w_b - c_b) q_j` on every unit its shops sell. At the end of each of
    its periods it moves :math:`w_b` by its step, reversing direction when its wholesale profit
    fell, never below :math:`c_b`. A brand listed on the platform leaves it once its margin
    after fees, :math:`((1-r)p - c - f)/p`, is below its threshold (one in both channels keeps
    its web shop).
    """
    n = s.price.shape[0]
    for j in range(n):
        b = s.supplier[j]
        if b >= 0:
            margin = (s.wholesale[b] - s.own_cost[b]) * s.last_quantity[j]
            s.last_profit[b] += margin
            s.wholesale_profit[b] += margin
    for b in range(n):
        if s.third_party[b] and s.delist_margin[b] > -np.inf:
            kept = ((1.0 - referral_fee) * s.price[b] - s.cost[b] - s.fulfilment_fee) / s.price[b]
            if kept < s.delist_margin[b]:
                s.on_platform[b] = False
                s.third_party[b] = False
                s.visibility[0, b] = 0.0
                s.dual_channel[b] = False
                s.platform_share[b] = 0.0
                for k in range(s.via_platform.shape[0]):
                    s.via_platform[k, b] = False
        if s.wholesale_period[b] == 0 or (t + 1) % s.wholesale_period[b] != 0:
            continue
        if s.wholesale_profit[b] < s.wholesale_last[b]:
            s.wholesale_direction[b] = -s.wholesale_direction[b]
        s.wholesale[b] = max(s.own_cost[b], s.wholesale[b] + s.wholesale_direction[b] * s.wholesale_step[b])
        s.wholesale_last[b] = s.wholesale_profit[b]
        s.wholesale_profit[b] = 0.0
        for j in range(n):
            if s.supplier[j] == b:
                s.cost[j] = s.own_cost[j] + s.wholesale[b]


@njit(cache=True, inline="always")
def _audit(s, t):
    """Every audit period, fine sellers whose mean price exceeded (1 + tolerance) x their Nash price."""
    period = int(s.rule[_AUDIT_PERIOD])
    for i in range(s.price.shape[0]):
        s.audit_price[i] += s.price[i]
        s.audit_profit[i] += s.last_profit[i]
    if period <= 0 or (t + 1) % period != 0:
        return
    for i in range(s.price.shape[0]):
        if s.audit_price[i] / period > (1.0 + s.rule[_AUDIT_TOLERANCE]) * s.audit_reference[i]:
            fine = s.rule[_AUDIT_FINE] * max(s.audit_profit[i], 0.0)
            s.last_profit[i] -= fine
            s.total_fine[i] += fine
        s.audit_price[i] = 0.0
        s.audit_profit[i] = 0.0


@tick_kernel
def _tick(s, t):
    n = s.price.shape[0]
    _choose_prices(s, t)
    if s.inventory.active:
        open_tick(s, t)
    _enforce(s, t)
    featured = _feature(s)
    shoppers = s.shoppers * season(s.inventory, t) if s.inventory.active else s.shoppers
    if s.poisson_arrivals:
        shoppers = float(poisson(shoppers, s.seed, STREAM_ARRIVALS, t, 0))
    surplus = shoppers * market_demand(s.price, s.quality, s.weight, s.segment_weight, s.mu,
                                       s.outside_quality, s.last_quantity, s.share, s.segment_scratch[0])
    if s.has_dual_channel:
        _split_channels(s)
    if s.inventory.active:
        surplus = limit_sales(s, shoppers, surplus)
    referral_fee = s.rule[_REFERRAL_FEE]
    fee_income = 0.0
    mean = 0.0
    for i in range(n):
        q = shoppers * s.last_quantity[i]
        s.last_quantity[i] = q
        s.last_revenue[i] = s.price[i] * q
        fee = 0.0
        if s.third_party[i]:
            fee = (referral_fee * s.price[i] + s.fulfilment_fee) * (s.platform_share[i] * q)
        s.last_fee[i] = fee
        s.last_profit[i] = (s.price[i] - s.cost[i]) * q - fee
        fee_income += fee
        mean += s.price[i]
    if s.platform_index >= 0:
        s.last_profit[s.platform_index] += fee_income
    mean /= n
    spread = 0.0
    for i in range(n):
        spread += (s.price[i] - mean) ** 2
    if s.inventory.active:
        close_tick(s, t)
    if s.has_brand_terms:
        _brand_terms(s, t, referral_fee)
    if s.rule[_AUDIT_PERIOD] > 0.0:
        _audit(s, t)
    for i in range(n):
        s.profit_since[s.table_owner[i]] += s.last_profit[i]
        if s.table_owner[i] == i:
            s.ticks_since[i] += 1
    s.last_featured[0] = featured
    s.last_market[0] = shoppers
    s.last_market[1] = surplus
    s.last_market[2] = fee_income
    for i in range(n):
        s.total_price[i] += s.price[i]
        s.total_quantity[i] += s.last_quantity[i]
        s.total_revenue[i] += s.last_revenue[i]
        s.total_fee[i] += s.last_fee[i]
        s.total_profit[i] += s.last_profit[i]
    if featured >= 0:
        s.total_featured[featured] += 1
    s.total_market[0] += shoppers
    s.total_market[1] += surplus
    s.total_market[2] += fee_income
    s.total_market[3] += np.sqrt(spread / n)
    since = t - s.origin[0]
    if since % s.record_stride == 0:
        r = since // s.record_stride
        if r < s.record_price.shape[0]:
            for i in range(n):
                s.record_price[r, i] = s.price[i]
                s.record_quantity[r, i] = s.last_quantity[i]
                s.record_profit[r, i] = s.last_profit[i]
                s.record_fee[r, i] = s.last_fee[i]
            s.record_featured[r] = featured
            for m in range(3):
                s.record_market[r, m] = s.last_market[m]


@njit(cache=True)
def _advance(s, n_ticks):
    for _ in range(n_ticks):
        _tick(s, s.clock[0])
        s.clock[0] += 1
