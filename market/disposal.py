r"""The destroy-or-donate decision: what a seller does, at a review, with stock it does not expect to sell.

At the end of every ``review_days`` seller :math:`i` forecasts its sales from the regular
sales since its last review, :math:`\hat r_i` units per tick, and keeps
:math:`K_i = \max(\hat r_i T_i, R_i)` units (``cover_days`` :math:`T_i`, reorder point
:math:`R_i`). The excess :math:`E_i = \min(S_i, S_i + O_i - K_i)^+` (stock :math:`S_i`, on
order :math:`O_i`) goes, oldest units first, to the cheapest fate per unit:

* return: shipping :math:`h_i` (domestic or overseas);
* donate: VAT on the goods' value, :math:`\tau (1 - \rho) c_i`, plus handling :math:`g`
  (:math:`\rho` the VAT relief in force);
* destroy: the fee :math:`e`, unless a destruction ban covers the seller;
* sell off: a cost of :math:`-(\ell c_i - \sigma_i (r \ell c_i + f))` per unit (the liquidation
  price :math:`\ell c_i` net of referral fee :math:`r` and fulfilment :math:`f` on the share
  :math:`\sigma_i` it sells through the platform: 1 on the platform only, 0 in a web shop), for
  at most the units the seller expects to sell at that price over ``selloff_days``, from
  logit demand at today's prices with its offer fully shown. It posts the liquidation price
  until those units are sold or the window ends; the rest of :math:`E_i` goes to the
  cheapest other fate at once.

Ties go to the first in the order return, donate, destroy. Reviews during a sell-off only
restart the sales count. Every unit that leaves unsold is written off at cost :math:`c_i`.
"""


from market import cohorts
from market.demand import market_demand
from market.interventions import BAN_ALL, BAN_LARGE_FIRMS, DESTRUCTION_BAN, REFERRAL_FEE, VAT_RELIEF
from market.inventory import (
    DESTROYED,
    DESTRUCTION_FEE,
    DONATED,
    DONATION_FEE,
    DONATION_VAT,
    PLATFORM,
    RETURN_SHIPPING,
    RETURNED,
    SERVICES,
    STATE,
    WRITE_OFF,
    season,
)
from market.jit import inner_kernel


@inner_kernel
def cheapest_fate(v, rule, cost, i):
    """The cheapest of return, donate and (if the ban in force allows) destroy for seller ``i``;
    returns ``(fate, cost per unit)``."""
    fate = RETURNED
    per_unit = v.return_cost[i]
    donate = v.vat_rate * (1.0 - rule[VAT_RELIEF]) * cost[i] + v.donation_fee
    if donate < per_unit:
        fate = DONATED
        per_unit = donate
    ban = int(rule[DESTRUCTION_BAN])
    allowed = not (ban == BAN_ALL or (ban == BAN_LARGE_FIRMS and v.large[i]))
    if allowed and v.destruction_fee < per_unit:
        fate = DESTROYED
        per_unit = v.destruction_fee
    return fate, per_unit


@inner_kernel
def _selloff_capacity(v, market, price, scratch, i, selloff_price, t):
    """Units seller ``i`` expects to sell at ``selloff_price`` over the sell-off window (logit demand, today's
    rivals)."""
    for j in range(price.shape[0]):
        v.scratch_price[j] = price[j]
        for k in range(scratch.weight.shape[0]):
            v.scratch_weight[k, j] = scratch.weight[k, j]
    v.scratch_price[i] = selloff_price
    for k in range(scratch.weight.shape[0]):
        v.scratch_weight[k, i] = market.visibility[k, i]
    market_demand(v.scratch_price, market.quality, v.scratch_weight, market.segment_weight, market.mu,
                  market.outside_quality, v.scratch_quantity, scratch.share, scratch.log_denominator)
    return v.scratch_quantity[i] * market.shoppers * season(v, t) * v.selloff_ticks


@inner_kernel
def _dispose(v, rule, cost, i, fate, units):
    """Remove ``units`` oldest units of seller ``i`` to ``fate``; book its payments and the write-off."""
    removed = cohorts.take(v.cohort_units, v.cohort_head, v.cohort_count, i, units)
    v.stock[i] = cohorts.total(v.cohort_units, v.cohort_head, v.cohort_count, i)
    v.last_units[i, fate] += removed
    v.last_paid[i, WRITE_OFF] += cost[i] * removed
    if fate == RETURNED:
        v.last_paid[i, RETURN_SHIPPING] += v.return_cost[i] * removed
        v.last_received[SERVICES] += v.return_cost[i] * removed
    elif fate == DONATED:
        vat = v.vat_rate * (1.0 - rule[VAT_RELIEF]) * cost[i] * removed
        v.last_paid[i, DONATION_VAT] += vat
        v.last_received[STATE] += vat
        v.last_paid[i, DONATION_FEE] += v.donation_fee * removed
        v.last_received[SERVICES] += v.donation_fee * removed
    else:
        v.last_paid[i, DESTRUCTION_FEE] += v.destruction_fee * removed
        v.last_received[PLATFORM if v.charged[i] else SERVICES] += v.destruction_fee * removed


@inner_kernel
def review(v, market, rule, price, scratch, i, t):
    """Seller ``i``'s review at the end of tick ``t``: forecast, then sell off and dispose of the excess."""
    rate = v.review_sales[i] / v.review[i]
    v.review_sales[i] = 0.0
    if v.selling_off[i]:
        return
    excess = min(v.stock[i], v.stock[i] + v.on_order[i] - max(rate * v.cover[i], v.reorder[i]))
    if excess <= 0.0:
        return
    fate, per_unit = cheapest_fate(v, rule, market.cost, i)
    selloff_price = v.selloff_price * market.cost[i]
    net = selloff_price
    if market.third_party[i]:  # fees on the share it sells through the platform (all of it, unless in both channels)
        net -= market.platform_share[i] * (rule[REFERRAL_FEE] * selloff_price + market.fulfilment_fee)
    if -net < per_unit:
        planned = min(excess, _selloff_capacity(v, market, price, scratch, i, selloff_price, t))
        if planned > 0.0:
            v.selling_off[i] = True
            v.selloff_left[i] = planned
            v.selloff_until[i] = t + 1 + v.selloff_ticks
            v.regular_price[i] = price[i]
            excess -= planned
    if excess > 0.0:
        _dispose(v, rule, market.cost, i, fate, excess)
