r"""Stock kernels called by the engine's tick: arrivals, stock-outs, sales, storage fees, reorders.

Within tick :math:`t` (see :mod:`market.engine`):

1. ``open_tick`` (after prices are chosen): orders due arrive as a new cohort; a seller with
   no stock is unavailable; a seller selling off posts its liquidation price
   :math:`\ell c_i`, and after a sell-off its earlier price comes back.
2. The featured offer is chosen among available offers; sold-out offers get attention 0.
3. ``limit_sales`` (after logit demand :math:`q_i = N_t s_i`): a seller cannot sell more than
   it holds, :math:`q_i \le S_i`. The :math:`D = \sum_i (q_i - S_i)^+` displaced shoppers choose
   again among the offers still available (a second logit pass with the sold-out offers at
   attention 0, spread over segments like all shoppers), until no offer is oversold. Their
   surplus is the log-sum of the remaining offers: :math:`CS = (N_t - D)\,CS_1 + D\,CS_2`.
   A seller in both channels sells through the platform the share of its units that its
   uncapped demand would have bought there (``market.engine``'s channel split).
4. ``close_tick`` (after revenues and fees): sales leave stock oldest first (a seller that sold
   out takes its whole stock, so no rounding dust is left); stock in the
   platform's warehouse pays :math:`\min(f + f_L [\text{age} \ge L], \bar f)` per unit per
   month (:math:`\bar f` a cap in force), pro rata per tick; reviews dispose of unsold stock
   (:mod:`market.disposal`); a seller orders a batch :math:`Q_i` whenever stock plus units on
   order fall below its reorder point :math:`R_i`; it arrives ``lead_time_ticks`` later.

Demand falls over the season: :math:`N_t = N e^{-d t}` (``demand_decay_per_day``).
"""


from market import cohorts
from market.demand import market_demand
from market.disposal import review
from market.interventions import STORAGE_FEE_CAP
from market.inventory import PAYEES, PLATFORM, RECEIVED, SOLD, SOLD_OFF, STORAGE
from market.jit import inner_kernel


@inner_kernel
def open_tick(t, v, cost, chosen):
    """Receive orders due at ``t``; mark sold-out sellers; post liquidation or restored prices in ``chosen``."""
    v.last_units[:] = 0.0
    v.last_paid[:] = 0.0
    v.last_received[:] = 0.0
    slots = v.order_units.shape[1]
    for i in range(cost.shape[0]):
        if not v.tracked[i]:
            continue
        while v.order_count[i] > 0 and v.order_tick[i, v.order_head[i]] <= t:
            h = v.order_head[i]
            cohorts.push(v.cohort_units, v.cohort_tick, v.cohort_head, v.cohort_count, i, v.order_units[i, h], t)
            v.last_units[i, RECEIVED] += v.order_units[i, h]
            v.order_head[i] = (h + 1) % slots
            v.order_count[i] -= 1
        v.on_order[i] = cohorts.total(v.order_units, v.order_head, v.order_count, i)
        v.stock[i] = cohorts.total(v.cohort_units, v.cohort_head, v.cohort_count, i)
        v.available[i] = v.stock[i] > 0.0
        if v.selling_off[i]:
            chosen[i] = v.selloff_price * cost[i]
        elif v.restore[i]:
            chosen[i] = v.regular_price[i]
            v.restore[i] = False


@inner_kernel
def limit_sales(v, market, quality, price, scratch, quantity, shoppers, surplus):
    """Cap each tracked seller's demand per shopper ``quantity`` at its stock; re-route displaced shoppers (who
    see the offers' ``quality`` of the day).

    Returns the consumer surplus of the tick (``surplus`` unchanged when no offer sells out).
    """
    if shoppers <= 0.0:
        return surplus
    q = quantity
    per_shopper = surplus / shoppers
    for _ in range(q.shape[0]):
        displaced = 0.0
        for i in range(q.shape[0]):
            if v.tracked[i] and v.available[i] and shoppers * q[i] > v.stock[i]:
                displaced += shoppers * q[i] - v.stock[i]
                q[i] = v.stock[i] / shoppers
                for k in range(scratch.weight.shape[0]):
                    scratch.weight[k, i] = 0.0
                v.available[i] = False
        if displaced == 0.0:
            break
        second = market_demand(price, quality, scratch.weight, market.segment_weight, market.mu,
                               market.outside_quality, v.scratch_quantity, scratch.share, scratch.log_denominator)
        for i in range(q.shape[0]):
            q[i] += displaced / shoppers * v.scratch_quantity[i]
        surplus += displaced * (second - per_shopper)
        per_shopper = second
    return surplus


@inner_kernel
def _charge_storage(v, storage_cap, i, t):
    """Storage for seller ``i``'s cohorts held at the end of tick ``t``, paid to the platform."""
    cap = storage_cap / v.ticks_per_month
    base = min(v.storage_fee, cap)
    aged = min(v.storage_fee + v.long_term_fee, cap)
    slots = v.cohort_units.shape[1]
    fee = 0.0
    for k in range(v.cohort_count[i]):
        slot = (v.cohort_head[i] + k) % slots
        fee += v.cohort_units[i, slot] * (aged if t - v.cohort_tick[i, slot] >= v.long_term_ticks else base)
    v.last_paid[i, STORAGE] += fee
    v.last_received[PLATFORM] += fee


@inner_kernel
def _reorder(v, i, t):
    """Order batches until stock plus units on order reach the reorder point; they arrive ``lead`` ticks later."""
    if v.batch[i] <= 0.0:
        return
    while v.stock[i] + v.on_order[i] < v.reorder[i]:
        cohorts.push(v.order_units, v.order_tick, v.order_head, v.order_count, i, v.batch[i], t + v.lead[i])
        v.on_order[i] += v.batch[i]


@inner_kernel
def _watch_selloffs(v, price):
    """Add this tick's mean price of the sellers not selling off to the sums with or without a sell-off on."""
    total = 0.0
    count = 0
    for i in range(price.shape[0]):
        if not v.selling_off[i]:
            total += price[i]
            count += 1
    if count == 0:
        return
    slot = 0 if count < price.shape[0] else 2
    v.selloff_prices[slot] += total / count
    v.selloff_prices[slot + 1] += 1.0


@inner_kernel
def close_tick(t, since, stride, v, market, rule, price, scratch, last):
    """Take sales from stock, charge storage, review, reorder, end sell-offs; book payments in profits.

    Every seller's profit falls by what it paid (storage, disposal, and the write-off
    :math:`c_i` of each unit that left unsold); the platform's rises by what it received.
    A stock record is kept every ``stride`` ticks ``since`` the origin of the books.
    """
    n = price.shape[0]
    _watch_selloffs(v, price)
    for i in range(n):
        if not v.tracked[i]:
            continue
        wanted = last.quantity[i] if v.available[i] else v.stock[i]
        sold = cohorts.take(v.cohort_units, v.cohort_head, v.cohort_count, i, wanted)
        v.stock[i] = cohorts.total(v.cohort_units, v.cohort_head, v.cohort_count, i)
        off = min(sold, v.selloff_left[i]) if v.selling_off[i] else 0.0
        v.selloff_left[i] -= off
        v.last_units[i, SOLD] += sold - off
        v.last_units[i, SOLD_OFF] += off
        v.review_sales[i] += sold - off
        if v.charged[i]:
            _charge_storage(v, rule[STORAGE_FEE_CAP], i, t)
        if (t + 1) % v.review[i] == 0:
            review(v, market, rule, price, scratch, i, t)
        _reorder(v, i, t)
        if v.selling_off[i] and (v.selloff_left[i] <= 0.0 or t + 1 >= v.selloff_until[i]):
            v.selling_off[i] = False
            v.selloff_left[i] = 0.0
            v.restore[i] = True
    for i in range(n):
        paid = 0.0
        for k in range(v.last_paid.shape[1]):
            paid += v.last_paid[i, k]
            v.total_paid[i, k] += v.last_paid[i, k]
        last.profit[i] -= paid
        for k in range(v.last_units.shape[1]):
            v.total_units[i, k] += v.last_units[i, k]
    if market.platform_index >= 0:
        last.profit[market.platform_index] += v.last_received[PLATFORM]
    for k in range(len(PAYEES)):
        v.total_received[k] += v.last_received[k]
    if since % stride == 0 and since // stride < v.record_stock.shape[0]:
        for i in range(n):
            if v.tracked[i]:
                v.record_stock[since // stride, i] = v.stock[i]
