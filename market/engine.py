r"""The market engine: ``advance(state, n_ticks)`` as one numba call over the state's arrays (:mod:`market.state`).

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
   :math:`q_{it} = N_t \sum_k W_k s_{kit}`. With demand shocks the qualities are the day's,
   :math:`a_i + \xi_{id}`; with sampled choices each of the :math:`N_t` shoppers (rounded at random to a
   whole number) draws one: :math:`(q_{1t}, \dots, q_{nt}) \sim \text{Multinomial}(N_t, (\sum_k W_k
   s_{kit})_i)`.
4. **Pay.** A third-party offer pays :math:`(r p_{it} + f)\, q^P_{it}` to the platform on the
   units it sells there, :math:`q^P_{it} = N_t \sum_k W_k s_{kit} [\text{segment } k \text{ buys it on
   the platform}]` (all its units if listed only there); profit is
   :math:`\pi_{it} = (p_{it} - c_i) q_{it} - \text{fee}_{it}`, and the platform adds the fees it receives.
5. **Record** every ``records.stride`` ticks, and add to the running totals.

A price moves only when the move exceeds ``market.changes.CHANGE_TOLERANCE`` of it (relative); smaller moves
are held, so they are neither counted as changes nor use up a change cap.

With stock (a scenario's ``[inventory]``; :mod:`market.stock`): orders arrive and sell-offs
post their prices before rules apply; sold-out offers are neither featured nor seen; sales are
capped by stock, displaced shoppers choose again; after paying, sellers pay storage and
disposal, review unsold stock and reorder.

Randomness is a function of (seed, stream, tick, seller), so one call of ``advance(state,
n)`` equals ``n`` calls of ``advance(state, 1)`` bit for bit, whatever the chunking.

Each phase is a kernel that receives only the groups of the state it uses; a group that is None
(no brands, no learners, no stock) is pruned when numba compiles, so a market compiles only the
code it runs.
"""

from collections.abc import Mapping

import numpy as np
from numba import njit, objmode

from market.benchmarks.display import featured_offer, offer_weights
from market.changes import CHANGE_TOLERANCE
from market.demand import market_demand
from market.errors import OutsideError, PriceError, check_type, shorten
from market.interventions import (
    AUDIT_FINE,
    AUDIT_PERIOD,
    AUDIT_TOLERANCE,
    BAN_RIVAL,
    BUYBOX,
    CHANGE_WINDOW,
    DAILY_TICK,
    INCREASE_TICK,
    MAX_CHANGES,
    MIN_LAG,
    NOTICE,
    REFERRAL_FEE,
    SELF_PREFERENCE,
)
from market.inventory import season
from market.jit import inner_kernel, tick_kernel
from market.outside import Pricers, answer_caller, bind, calling
from market.rng import STREAM_ARRIVALS, STREAM_CHOICES, STREAM_SHOCKS, multinomial, normal, poisson, uniform
from market.scenario import Scenario
from market.state import (
    DISPERSION,
    FEE_INCOME,
    SHOPPERS,
    SURPLUS,
    State,
    build_state,
    compile_interventions,
    copy_state,
    optional_groups,
    restart_books,
    seller_names,
)
from market.stock import close_tick, limit_sales, open_tick
from market.strategies.dispatch import learner_price, learner_state, outside_price, response_price, rule_price
from market.strategies.registry import LEARNER, OUTSIDE, RESPONSE, select

__all__ = ["State", "advance", "advance_to_ask", "build_state", "copy_state", "force_price", "prepare",
           "restart_books", "run", "set_interventions"]


def advance(state: State, n_ticks: int, pricers: Pricers | None = None) -> State:
    """Run ``n_ticks`` ticks in one kernel call; the state's arrays are updated in place.

    A market with sellers priced from outside needs their ``pricers`` (``market.outside.bind``): the
    kernel calls back into Python to ask them when they reprice, and goes on.
    """
    check_ticks(n_ticks)
    check_prices(state)
    if state.outside is None:
        _advance(*state, None, n_ticks)
        check_prices(state)
        return state
    if pricers is None or len(pricers.pricers) != state.outside.seller.shape[0] or None in pricers.pricers:
        raise OutsideError(f"pricers = {pricers!r}: this market has {state.outside.seller.shape[0]} sellers priced "
                           f"from outside; give their pricers (market.outside.bind)")
    with calling(state, pricers) as caller:
        _advance(*state, caller, n_ticks)
    check_prices(state)
    return state


def check_ticks(n_ticks) -> None:
    """``ValueError`` unless ``n_ticks`` is an integer in [0, 2**62] (a float, NaN or 10**19 would do nothing)."""
    if isinstance(n_ticks, bool) or not isinstance(n_ticks, int | np.integer) or not 0 <= n_ticks <= 2**62:
        raise ValueError(f"n_ticks = {shorten(repr(n_ticks))}: must be an integer in [0, 2**62]")


def check_prices(state: State) -> None:
    """``PriceError`` naming the seller, its strategy, the tick and the price when a strategy's kernel chose a
    price that is not finite or is negative (the kernel stops before that tick and leaves the fault in
    ``state.scratch.fault``; the state cannot be advanced further)."""
    raise_fault(seller_names(state), state.sellers.strategy, state.scratch.chosen, state.scratch.fault)


def raise_fault(names, strategy: np.ndarray, chosen: np.ndarray, fault: np.ndarray) -> None:
    """``check_prices`` for one market's arrays (a copy of ``market.vector``'s batch, too)."""
    seller, t = (int(x) for x in fault)
    if seller < 0:
        return
    name = next(s.name for s in select() if s.id == strategy[seller])
    price = float(chosen[seller])
    raise PriceError(f"seller {names[seller]!r} (strategy {name!r}) chose the price {price!r} at tick {t}: a price "
                     f"must be finite and >= 0; check its parameters (e.g. a ceiling, or what it does when it sees "
                     f"no rival)")


def advance_to_ask(state: State, end: int) -> bool:
    """Run up to tick ``end``, or until an outside seller is asked for a price: then return True before that tick,
    with the sellers asked in ``state.outside.asked``. Give their prices (``market.outside.give``), mark the tick
    answered (``state.outside.answered[0] = state.t``) and call again to run it. The environments' loop."""
    check_prices(state)
    if state.t < end:
        _advance(*state, _caller(state), end - state.t)
        check_prices(state)
    return state.t < end


def _caller(state: State) -> np.ndarray | None:
    """No caller for the kernel: it returns to ask the outside sellers (None: there are none)."""
    return None if state.outside is None else np.full(1, -1, dtype=np.int64)


def prepare(scenarios) -> None:
    """Compile (or load from numba's cache) the kernels that markets of ``scenarios`` run, without running a tick:
    once for each set of optional groups (``market.state.optional_groups``), which is what decides the kernels.

    Run before starting workers, it leaves them the kernels in the cache to load instead of compiling them each.
    """
    seen = []
    for scenario in scenarios:
        groups = optional_groups(scenario)
        if groups not in seen:
            seen.append(groups)
            state = build_state(scenario, horizon=0)
            _advance(*state, _caller(state), 0)


def run(scenario: Scenario, agents: Mapping[str, object] | None = None) -> State:
    """Build the state of ``scenario`` and advance it over its horizon; ``agents`` price the sellers they name
    (``market.outside``)."""
    scenario, pricers = bind(scenario, agents)
    return advance(build_state(scenario), scenario.horizon, pricers)


def force_price(state: State, seller: int, price: float, n_ticks: int) -> None:
    """Impose ``price`` on ``seller`` for the next ``n_ticks`` ticks (a deviation); the rules in force still apply.

    Its strategy is skipped meanwhile; rivals see the forced price as any other, so the ticks
    after show how they respond (Calvano et al. 2020, section V: punishment of a deviation).
    """
    check_type(seller, (int, np.integer), "seller", "a seller's index (an integer)")
    check_type(price, (int, float, np.integer, np.floating), "price", "a number")
    check_type(n_ticks, (int, np.integer), "n_ticks", "an integer number of ticks")
    if not 0 <= seller < state.n_sellers:
        raise ValueError(f"seller = {seller}: must be in 0..{state.n_sellers - 1}")
    if not (np.isfinite(price) and price > 0.0):
        raise ValueError(f"price = {price}: must be a finite price > 0")
    if n_ticks < 1:
        raise ValueError(f"n_ticks = {n_ticks}: must be >= 1")
    state.sellers.forced_price[seller] = price
    state.sellers.forced_until[seller] = state.t + n_ticks


def set_interventions(state: State, scenario: Scenario) -> None:
    """Put the interventions of ``scenario`` (the state's market) in force from the next tick."""
    compiled = compile_interventions(scenario, [scenario.references(i) for i in range(scenario.n_sellers)])
    state.rules.value[:] = compiled.rule
    state.rules.floor[:] = compiled.floor
    state.rules.ceiling[:] = compiled.ceiling


@inner_kernel
def _lowest_rival(scratch, history, i, t):
    """Lowest price among seller i's rivals at tick t (cached per history row); +inf if none."""
    r = t % history.shape[0]
    if scratch.row_tick[r] != t:
        low1 = np.inf
        low2 = np.inf
        arg = -1
        row = history[r]
        for j in range(row.shape[0]):
            p = row[j]
            if p < low1:
                low2 = low1
                low1 = p
                arg = j
            elif p < low2:
                low2 = p
        scratch.row_low[r, 0] = low1
        scratch.row_low[r, 1] = low2
        scratch.row_argmin[r] = arg
        scratch.row_tick[r] = t
    return scratch.row_low[r, 1] if scratch.row_argmin[r] == i else scratch.row_low[r, 0]


@njit(cache=True, inline="always")
def _chooses(t, wakes, daily_tick, ticks_per_day, banned, rival_conditioned):
    """Whether a seller with no deviation forced on it chooses a price at tick t: its repricer ``wakes`` (under a
    daily-price rule, everyone's at the rule's tick of the day only) and no ban on rival-conditioned pricing stops
    it."""
    if daily_tick >= 0.0:
        wakes = t % ticks_per_day == int(daily_tick)
    return wakes and not (banned and rival_conditioned)


@njit(cache=True, inline="always")
def _runs(of_day, start, until):
    """Whether a repricer active in the minutes of the day ``[start, until)`` runs at minute ``of_day`` of the day;
    ``start > until`` wraps past midnight."""
    if start <= until:
        return start <= of_day < until
    return of_day >= start or of_day < until


@njit(cache=True, inline="always")
def _seen(t, lag, min_lag, notice):
    """The tick of the prices a seller sees at tick t: its lag, raised to a min-lag rule's, plus a daily notice."""
    return t - 1 - max(lag, min_lag) - notice


@inner_kernel
def _choose_prices(t, market, sellers, rule, featured, learners, responses, outside, scratch):
    """Fill scratch.chosen with each seller's price for tick t (unchanged for sellers not repricing); ``featured``
    is the offer featured in the last tick (-1: none), which best responses see. False, with the seller and tick
    in ``scratch.fault``, at the first price chosen that is not finite or is negative.

    Under a daily-price rule everyone reprices at the rule's tick of the day only, on
    information ``notice`` ticks older; a minimum-lag rule raises every lag; a ban on
    rival-conditioned pricing leaves such sellers at their price. A repricer wakes only within its
    active hours; rule kernels see the tick's ``minute`` (since day 0, 00:00).
    """
    rows = sellers.history.shape[0]
    minute = t * market.tick_minutes
    of_day = minute % 1440
    daily_tick = rule[DAILY_TICK]
    banned = rule[BAN_RIVAL] > 0.0
    min_lag = int(rule[MIN_LAG])
    notice = int(rule[NOTICE])
    for i in range(sellers.price.shape[0]):
        scratch.chosen[i] = sellers.price[i]
        wakes = t == sellers.next_reprice[i]
        if wakes:
            sellers.next_reprice[i] += sellers.period[i]
            wakes = _runs(of_day, sellers.active[i, 0], sellers.active[i, 1])
        if t < sellers.forced_until[i]:
            scratch.chosen[i] = sellers.forced_price[i]
            continue
        if not _chooses(t, wakes, daily_tick, market.ticks_per_day, banned, sellers.rival_conditioned[i]):
            continue
        seen = _seen(t, sellers.lag[i], min_lag, notice)
        family = sellers.family[i]
        if learners is not None and family == LEARNER:
            scratch.chosen[i] = _learner_price(t, i, seen, market.seed, sellers, learners, scratch)
        elif responses is not None and family == RESPONSE:
            scratch.chosen[i] = response_price(sellers.strategy[i], i, sellers.history[seen % rows], sellers.period,
                                               market, rule, featured, responses)
        elif outside is not None and family == OUTSIDE:
            scratch.chosen[i] = outside_price(sellers.strategy[i], i, outside)
        else:
            platform_price = np.inf
            if market.platform_index >= 0 and market.platform_index != i:
                platform_price = sellers.history[seen % rows, market.platform_index]
            scratch.chosen[i] = rule_price(sellers.strategy[i], market.cost[i],
                                           _lowest_rival(scratch, sellers.history, i, seen), platform_price,
                                           minute, sellers.param[i], sellers.memory[i])
        if not 0.0 <= scratch.chosen[i] < np.inf:  # NaN too
            scratch.fault[0] = i
            scratch.fault[1] = t
            return False
    return True


@inner_kernel
def _ask_outside(t, market, sellers, rule, outside):
    """Mark the outside sellers that choose a price at tick t (as ``_choose_prices`` will find); set the tick of the
    prices each sees; return whether any is asked."""
    any_asked = False
    for k in range(outside.seller.shape[0]):
        i = outside.seller[k]
        wakes = t == sellers.next_reprice[i] and _runs(t * market.tick_minutes % 1440,
                                                             sellers.active[i, 0], sellers.active[i, 1])
        outside.asked[k] = t >= sellers.forced_until[i] and _chooses(
            t, wakes, rule[DAILY_TICK], market.ticks_per_day, rule[BAN_RIVAL] > 0.0, sellers.rival_conditioned[i])
        outside.seen[k] = _seen(t, sellers.lag[i], int(rule[MIN_LAG]), int(rule[NOTICE]))
        any_asked |= outside.asked[k]
    return any_asked


@inner_kernel
def _call_python(caller):
    """Have the Python caller registered as ``caller`` answer the outside sellers asked (``market.outside``)."""
    with objmode():
        answer_caller(caller)


@inner_kernel
def _learner_price(t, i, seen, seed, sellers, learners, scratch):
    """Price of learning seller i (a vendor's client takes its vendor's): what it observes, its reward since it
    last repriced, its table and grid."""
    owner = learners.owner[i]
    if owner != i:
        return scratch.chosen[owner]
    grid = learners.grid_pool[learners.grid_offset[i]:learners.grid_offset[i] + learners.grid_size[i]]
    rows, cols = learners.table_rows[i], learners.table_cols[i]
    start = learners.table_offset[i]
    table = learners.table_pool[start:start + rows * cols].reshape((rows, cols))
    rival_min = _lowest_rival(scratch, sellers.history, i, seen)
    for j in range(sellers.price.shape[0]):
        scratch.observed[j] = sellers.history[seen % sellers.history.shape[0], j]
    scratch.observed[i] = sellers.price[i]
    strategy = sellers.strategy[i]
    state = learner_state(strategy, scratch.observed, rival_min, grid)
    reward = learners.profit_since[i] / learners.ticks_since[i] if learners.ticks_since[i] > 0 else 0.0
    learners.profit_since[i] = 0.0
    learners.ticks_since[i] = 0
    return learner_price(strategy, table, grid, sellers.param[i], sellers.memory[i], state, reward, rival_min, seed,
                         t, i, not learners.frozen[0])


@njit(cache=True, inline="always")
def _moves(new, old):
    """Whether ``new`` is a change from ``old``: larger than ``CHANGE_TOLERANCE`` of it (``market.changes``)."""
    return abs(new - old) > CHANGE_TOLERANCE * abs(old)


@inner_kernel
def _enforce(t, ticks_per_day, sellers, rules, brands, chosen, changes):
    """Apply the rules in force to ``chosen``; then move prices, count and log changes, keep history.

    A move within ``CHANGE_TOLERANCE`` of the price (``market.changes``), chosen or left by a rule, is no
    change: the price stays, uncounted, and uses up no change cap.
    """
    rule = rules.value
    rows = sellers.history.shape[0]
    cap = int(rule[MAX_CHANGES])
    slots = rules.change_log.shape[1]
    increase_tick = rule[INCREASE_TICK]
    price = sellers.price
    for i in range(price.shape[0]):
        new = chosen[i] if _moves(chosen[i], price[i]) else price[i]
        if increase_tick >= 0.0 and new > price[i] and t % ticks_per_day != int(increase_tick):
            new = price[i]
        count = rules.change_count[i]
        if cap > 0 and new != price[i] and count >= cap:
            if rules.change_log[i, (count - cap) % slots] > t - int(rule[CHANGE_WINDOW]):
                new = price[i]
        if brands is not None and brands.supplier[i] >= 0:
            new = max(new, brands.map_price[brands.supplier[i]])
        new = min(max(new, rules.floor[i]), rules.ceiling[i])
        if _moves(new, price[i]):
            rules.change_log[i, count % slots] = t
            rules.change_count[i] += 1
            changes[i] += 1
            price[i] = new
        sellers.history[t % rows, i] = price[i]


@inner_kernel
def _feature(t, market, price, rule, last_featured, weight, inventory):
    """Pick the featured offer among those listed on the platform and in stock (-1 if none); set the offers'
    weights (``market.benchmarks.display``: ``featured_offer`` and ``offer_weights``).

    Lowest price wins, the platform's own offer judged at price / (1 + self_preference). Under
    price-directed prominence only the featured offer (and offers tied with it) is shown;
    under the dynamic variant the incumbent keeps prominence unless strictly undercut. These
    weights apply to a seller's sales through the platform; in its own web shop an offer keeps
    full attention (a sold-out offer has none anywhere).
    """
    buybox = int(rule[BUYBOX])
    incumbent = last_featured[0] if t > 0 else -1
    featured = featured_offer(price, market.on_platform, market.platform_index, rule[SELF_PREFERENCE], buybox,
                              incumbent, -1, inventory)
    offer_weights(price, featured, buybox, market, inventory, weight)
    return featured


@njit(cache=True, inline="always")
def _split_channels(market, price, quality, weight, log_denominator, quantity):
    r"""Share of each dual-channel seller's demand sold through the platform, from the segment shares:

    .. math::  \frac{\sum_k W_k s_{ki} [\text{via platform}_{ki}]}{\sum_k W_k s_{ki}},
               \qquad s_{ki} = w_{ki} e^{(a_i - p_i)/\mu - \log D_k}

    with the log-denominators :math:`\log D_k` that ``market_demand`` left in ``log_denominator``
    and the demand per shopper in ``quantity``. Sales capped by stock keep this split.
    """
    for i in range(price.shape[0]):
        if not market.dual_channel[i]:
            continue
        utility = (quality[i] - price[i]) / market.mu
        through = 0.0
        for k in range(market.segment_weight.shape[0]):
            if market.segment_weight[k] > 0.0 and market.via_platform[k, i]:
                through += market.segment_weight[k] * weight[k, i] * np.exp(utility - log_denominator[k])
        market.platform_share[i] = min(through / quantity[i], 1.0) if quantity[i] > 0.0 else 0.0


@inner_kernel
def _sell(t, market, price, scratch, quantity, inventory):
    """The shoppers who arrive at tick ``t`` and their demand per shopper (``quantity``, capped by stock), with
    the share each dual-channel seller sells through the platform. Returns (shoppers, consumer surplus).

    With sampled choices, ``quantity`` is each offer's shoppers over all shoppers, and the surplus stays the
    expected one (the log-sum) of the shoppers who came."""
    shoppers = market.shoppers * market.arrival_factor[t % market.arrival_factor.shape[0]]
    if inventory is not None:
        shoppers *= season(inventory, t)
    if market.poisson_arrivals:
        shoppers = float(poisson(shoppers, market.seed, STREAM_ARRIVALS, t, 0))
    if market.xi_sd > 0.0:
        _shock_qualities(t, market, scratch)
    quality = scratch.quality if market.xi_sd > 0.0 else market.quality
    surplus = shoppers * market_demand(price, quality, scratch.weight, market.segment_weight, market.mu,
                                       market.outside_quality, quantity, scratch.share, scratch.log_denominator)
    if market.has_dual_channel:
        _split_channels(market, price, quality, scratch.weight, scratch.log_denominator, quantity)
    if inventory is not None:
        surplus = limit_sales(inventory, market, quality, price, scratch, quantity, shoppers, surplus)
    if market.sampled_choices:
        shoppers = _sample_choices(t, market.seed, shoppers, quantity, scratch.choices)
    return shoppers, surplus


@njit(cache=True, inline="always")
def _shock_qualities(t, market, scratch):
    r"""``scratch.quality`` = today's qualities :math:`a_i + \sigma_\xi z_{id}`, :math:`z_{id}` the standard normal of
    (seed, shocks, day, i): drawn once a day, whatever the chunking."""
    day = t // market.ticks_per_day
    if scratch.quality_day[0] != day:
        for i in range(market.quality.shape[0]):
            scratch.quality[i] = market.quality[i] + market.xi_sd * normal(market.seed, STREAM_SHOCKS, day, i)
        scratch.quality_day[0] = day


@njit(cache=True, inline="always")
def _sample_choices(t, seed, shoppers, quantity, choices):
    """Each of the shoppers (a fraction rounded up with its probability) draws a choice among the offers of
    probability ``quantity`` (demand per shopper); ``quantity`` becomes the shares drawn. Returns the shoppers."""
    whole = np.floor(shoppers)
    n = quantity.shape[0]
    if uniform(seed, STREAM_CHOICES, t, n, 0) < shoppers - whole:
        whole += 1.0
    multinomial(int(whole), quantity, choices, seed, STREAM_CHOICES, t)
    for i in range(n):
        quantity[i] = choices[i] / whole if whole > 0.0 else 0.0
    return whole


@njit(cache=True, inline="always")
def _pay(market, price, referral_fee, shoppers, last):
    """Units, revenue, fees and profit of each seller this tick, from the demand per shopper in ``last.quantity``;
    the platform adds the fees it receives. Returns the fee income and the standard deviation of prices."""
    n = price.shape[0]
    fee_income = 0.0
    mean = 0.0
    for i in range(n):
        q = shoppers * last.quantity[i]
        last.quantity[i] = q
        last.revenue[i] = price[i] * q
        fee = 0.0
        if market.third_party[i]:
            fee = (referral_fee * price[i] + market.fulfilment_fee) * (market.platform_share[i] * q)
        last.fee[i] = fee
        last.profit[i] = (price[i] - market.cost[i]) * q - fee
        fee_income += fee
        mean += price[i]
    if market.platform_index >= 0:
        last.profit[market.platform_index] += fee_income
    mean /= n
    spread = 0.0
    for i in range(n):
        spread += (price[i] - mean) ** 2
    return fee_income, np.sqrt(spread / n)


@njit(cache=True, inline="always")
def _brand_terms(t, market, brands, price, last, referral_fee):
    r"""Wholesale margins to brands; each brand's periodic review of its wholesale price; delisting.

    A brand earns :math:`(w_b - c_b) q_j` on every unit its shops sell. At the end of each of
    its periods it moves :math:`w_b` by its step, reversing direction when its wholesale profit
    fell, never below :math:`c_b`. A brand listed on the platform leaves it once its margin
    after fees, :math:`((1-r)p - c - f)/p`, is below its threshold (one in both channels keeps
    its web shop).
    """
    n = price.shape[0]
    for j in range(n):
        b = brands.supplier[j]
        if b >= 0:
            margin = (brands.wholesale[b] - market.own_cost[b]) * last.quantity[j]
            last.profit[b] += margin
            brands.profit[b] += margin
    for b in range(n):
        if market.third_party[b] and brands.delist_margin[b] > -np.inf:
            kept = ((1.0 - referral_fee) * price[b] - market.cost[b] - market.fulfilment_fee) / price[b]
            if kept < brands.delist_margin[b]:
                market.on_platform[b] = False
                market.third_party[b] = False
                market.visibility[0, b] = 0.0
                market.dual_channel[b] = False
                market.platform_share[b] = 0.0
                for k in range(market.via_platform.shape[0]):
                    market.via_platform[k, b] = False
        if brands.period[b] == 0 or (t + 1) % brands.period[b] != 0:
            continue
        if brands.profit[b] < brands.previous[b]:
            brands.direction[b] = -brands.direction[b]
        brands.wholesale[b] = max(market.own_cost[b], brands.wholesale[b] + brands.direction[b] * brands.step[b])
        brands.previous[b] = brands.profit[b]
        brands.profit[b] = 0.0
        for j in range(n):
            if brands.supplier[j] == b:
                market.cost[j] = market.own_cost[j] + brands.wholesale[b]


@njit(cache=True, inline="always")
def _audit(t, rules, price, profit, fine):
    """Every audit period, fine sellers whose mean price exceeded (1 + tolerance) x their Nash price."""
    rule = rules.value
    period = int(rule[AUDIT_PERIOD])
    for i in range(price.shape[0]):
        rules.audit_price[i] += price[i]
        rules.audit_profit[i] += profit[i]
    if (t + 1) % period != 0:
        return
    for i in range(price.shape[0]):
        if rules.audit_price[i] / period > (1.0 + rule[AUDIT_TOLERANCE]) * rules.audit_reference[i]:
            charged = rule[AUDIT_FINE] * max(rules.audit_profit[i], 0.0)
            profit[i] -= charged
            fine[i] += charged
        rules.audit_price[i] = 0.0
        rules.audit_profit[i] = 0.0


@njit(cache=True, inline="always")
def _credit_learners(learners, profit):
    """Add this tick's profit to what each learner (or its vendor) has earned since it last repriced."""
    for i in range(profit.shape[0]):
        owner = learners.owner[i]
        learners.profit_since[owner] += profit[i]
        if owner == i:
            learners.ticks_since[i] += 1


@njit(cache=True, inline="always")
def _credit_outside(outside, profit):
    """Add this tick's profit to what each outside seller has earned since it last repriced."""
    for k in range(outside.seller.shape[0]):
        outside.profit_since[k] += profit[outside.seller[k]]
        outside.ticks_since[k] += 1


@njit(cache=True, inline="always")
def _book(since, price, featured, shoppers, surplus, fee_income, dispersion, last, totals, records):
    """The tick's market outcome into ``last``; everything into the totals; every ``records.stride`` ticks
    since the origin, a record row."""
    n = price.shape[0]
    last.featured[0] = featured
    last.market[SHOPPERS] = shoppers
    last.market[SURPLUS] = surplus
    last.market[FEE_INCOME] = fee_income
    for i in range(n):
        totals.price[i] += price[i]
        totals.quantity[i] += last.quantity[i]
        totals.revenue[i] += last.revenue[i]
        totals.fee[i] += last.fee[i]
        totals.profit[i] += last.profit[i]
    if featured >= 0:
        totals.featured[featured] += 1
    totals.market[SHOPPERS] += shoppers
    totals.market[SURPLUS] += surplus
    totals.market[FEE_INCOME] += fee_income
    totals.market[DISPERSION] += dispersion
    if since % records.stride == 0:
        r = since // records.stride
        if r < records.price.shape[0]:
            for i in range(n):
                records.price[r, i] = price[i]
                records.quantity[r, i] = last.quantity[i]
                records.profit[r, i] = last.profit[i]
                records.fee[r, i] = last.fee[i]
            records.featured[r] = featured
            for m in range(3):
                records.market[r, m] = last.market[m]


@tick_kernel
def _advance(market, sellers, rules, brands, learners, responses, last, totals, records, scratch, inventory, outside,
             clock, origin, caller, n_ticks):
    """``n_ticks`` ticks (the module docstring); the groups come apart so that those that are None are pruned.

    At the start of a tick at which outside sellers reprice, the kernel asks them: it calls the Python
    caller registered as ``caller[0]`` (``market.outside.calling``), or, with none (``caller`` None, or
    -1), returns before the tick, to be called again with the answers (``market.outside``).
    ``market.vector`` inlines this function to run many markets in one call.
    """
    price = sellers.price
    for _ in range(n_ticks):
        t = clock[0]
        since = t - origin[0]
        if outside is not None and outside.answered[0] != t and \
                _ask_outside(t, market, sellers, rules.value, outside):
            if caller is None or caller[0] < 0:
                return
            _call_python(caller[0])
        if not _choose_prices(t, market, sellers, rules.value, last.featured[0], learners, responses, outside,
                              scratch):
            return
        if inventory is not None:
            open_tick(t, inventory, market.cost, scratch.chosen)
        _enforce(t, market.ticks_per_day, sellers, rules, brands, scratch.chosen, totals.changes)
        featured = _feature(t, market, price, rules.value, last.featured, scratch.weight, inventory)
        shoppers, surplus = _sell(t, market, price, scratch, last.quantity, inventory)
        referral_fee = rules.value[REFERRAL_FEE]
        fee_income, dispersion = _pay(market, price, referral_fee, shoppers, last)
        if inventory is not None:
            close_tick(t, since, records.stride, inventory, market, rules.value, price, scratch, last)
        if brands is not None:
            _brand_terms(t, market, brands, price, last, referral_fee)
        if rules.value[AUDIT_PERIOD] > 0.0:
            _audit(t, rules, price, last.profit, totals.fine)
        if learners is not None:
            _credit_learners(learners, last.profit)
        if outside is not None:
            _credit_outside(outside, last.profit)
        _book(since, price, featured, shoppers, surplus, fee_income, dispersion, last, totals, records)
        clock[0] += 1
