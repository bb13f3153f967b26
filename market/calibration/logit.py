r"""The engine's logit from observed prices and shares: qualities by inversion, costs from first-order conditions.

**Qualities.** The engine's shares are :math:`s_j = e^{(a_j - p_j)/\mu} / (\sum_k e^{(a_k - p_k)/\mu} +
e^{a_0/\mu})`. Normalising the outside option's quality to :math:`a_0 = 0` (the scenario's
``outside_quality``), each market's observed shares are matched exactly by

.. math::  a_j = a_0 + p_j + \mu (\ln s_j - \ln s_0),

Berry's (1994) inversion in currency units: :math:`a_j` holds everything about product :math:`j` in that market
but its price (fixed effect, characteristics and the unobserved :math:`\xi_{jt}`, times :math:`\mu`).

**Costs.** A firm :math:`f` sets the prices of its products :math:`J_f` to maximise
:math:`\sum_{j \in J_f} ((1-r) p_j - c_j - \phi)\, s_j` (:math:`r` the referral fee, :math:`\phi` the fulfilment
fee per unit, both 0 off the platform). With logit demand the first-order conditions give every product of the
firm the same margin after fees,

.. math::  (1-r) p_j - c_j - \phi = \frac{(1-r)\,\mu}{1 - S_f}, \qquad S_f = \sum_{k \in J_f} s_k,

so :math:`c_j = (1-r)\,(p_j - \mu/(1 - S_f)) - \phi`; a single-product firm's markup is the familiar
:math:`\mu/(1 - s_j)`. Observed costs are kept where the panel has them.

**Products left out.** A scenario may keep some products :math:`K` of a market; the others, at their observed
prices, join the outside option, whose quality becomes

.. math::  a_0' = \mu \ln\Big(1 + \sum_{j \notin K} e^{(a_j - p_j)/\mu}\Big) = \mu \ln(s_0' / s_0),
           \qquad s_0' = 1 - \sum_{k \in K} s_k,

so the kept products' shares at the observed prices are still the data's. This is exact while the others hold their
prices; a kept product whose firm also sells products left out loses its stake in them, so its Nash price falls
below the observed one unless it is priced as a single-product firm.
"""

import numpy as np


def qualities(price: np.ndarray, share: np.ndarray, mu: float, outside_quality: float = 0.0) -> np.ndarray:
    r"""One market's qualities, :math:`a_j = a_0 + p_j + \mu (\ln s_j - \ln s_0)`, :math:`s_0 = 1 - \sum_j s_j`."""
    outside = 1.0 - share.sum()
    return outside_quality + price + mu * (np.log(share) - np.log(outside))


def firm_shares(share: np.ndarray, firm: np.ndarray) -> np.ndarray:
    r"""Each product's firm's inside share in the market, :math:`S_{f(j)}`."""
    _, inverse = np.unique(firm.astype(str), return_inverse=True)
    return np.bincount(inverse, weights=share)[inverse]


def first_order_costs(price: np.ndarray, share: np.ndarray, firm: np.ndarray, mu: float, referral_fee: float = 0.0,
                      fulfilment_fee: float = 0.0) -> np.ndarray:
    r"""One market's marginal costs that make the observed prices a Bertrand-Nash equilibrium under the ownership
    ``firm``: :math:`c_j = (1-r)(p_j - \mu/(1 - S_{f(j)})) - \phi` (module docstring)."""
    return (1.0 - referral_fee) * (price - mu / (1.0 - firm_shares(share, firm))) - fulfilment_fee


def folded_outside_quality(share: np.ndarray, keep: np.ndarray, mu: float) -> float:
    r"""The outside option's quality once the products not in ``keep`` join it, :math:`\mu \ln(s_0'/s_0)`, with the
    market's outside option at :math:`a_0 = 0` (module docstring)."""
    outside = 1.0 - share.sum()
    return float(mu * np.log((1.0 - share[keep].sum()) / outside))
