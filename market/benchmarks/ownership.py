r"""Owners: sellers of one firm price to maximise the firm's joint profit.

A firm :math:`F` owns several sellers (a multi-product firm: a platform and its private label,
a brand and its own shop, the products of one manufacturer). Each of its sellers :math:`i`
chooses its price to maximise :math:`\sum_{m \in F} \pi_m`, so in the first-order condition of
:mod:`market.benchmarks.solver` its own margin and its stakes in others' sales become the firm's:

.. math::  \alpha^F_{ki} = \alpha_{ki} + \sum_{m \in F \setminus i} \beta_{kmi}, \qquad
           \kappa^F_{ki} = \kappa_{ki} - \sum_{m \in F \setminus i} \gamma_{kmi},

.. math::  \beta^F_{kil} = \sum_{m \in F} \beta_{kml} + [l \in F]\, \alpha_{kl}, \qquad
           \gamma^F_{kil} = \sum_{m \in F} \gamma_{kml} - [l \in F]\, \kappa_{kl} \qquad (l \ne i)

(a sibling's sale earns the firm that sibling's margin and the siblings' stakes in it; another
firm's sale earns the stakes of every seller of :math:`F` in it, e.g. the fees a platform collects).
With one segment, no fees and no stakes, a Nash equilibrium of firms then has the multi-product
markup of logit demand, common to the firm's sellers (Anderson, de Palma and Thisse 1992, ch. 7):

.. math::  p_i - c_i = \frac{\mu}{1 - \sum_{j \in F} s_j}, \qquad i \in F.
"""

import numpy as np


def firm_ids(owner) -> np.ndarray:
    """int64[n]: each seller's firm, numbered in order of first appearance (``owner`` is a sequence of labels)."""
    labels: dict = {}
    return np.array([labels.setdefault(label, len(labels)) for label in owner], dtype=np.int64)


def firm_terms(firm: np.ndarray, alpha: np.ndarray, kappa: np.ndarray, stake_share: np.ndarray,
               stake_unit: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""The margins and stakes by which each seller prices on behalf of its firm (the module docstring).

    Parameters
    ----------
    firm : ndarray(int, ndim=1)
        Each seller's firm (sellers with one id are co-owned).
    alpha, kappa : ndarray(float, ndim=2)
        Shape (segments, sellers): what a seller keeps of its price and pays per unit, by segment.
    stake_share, stake_unit : ndarray(float, ndim=3)
        Shape (segments, sellers, sellers): what seller i earns per unit of j's revenue and per unit j sells.

    Returns
    -------
    tuple of ndarray
        ``(alpha, kappa, stake_share, stake_unit)`` of the firms; the inputs themselves where every firm has one seller.
    """
    n = firm.shape[0]
    if np.unique(firm).shape[0] == n:
        return alpha, kappa, stake_share, stake_unit
    alpha_f, kappa_f = alpha.copy(), kappa.copy()
    share_f, unit_f = np.empty_like(stake_share), np.empty_like(stake_unit)
    for i in range(n):
        siblings = firm == firm[i]
        others = siblings.copy()
        others[i] = False
        alpha_f[:, i] += stake_share[:, others, i].sum(axis=1)
        kappa_f[:, i] -= stake_unit[:, others, i].sum(axis=1)
        share_f[:, i] = stake_share[:, siblings].sum(axis=1) + np.where(siblings, alpha, 0.0)
        unit_f[:, i] = stake_unit[:, siblings].sum(axis=1) - np.where(siblings, kappa, 0.0)
        share_f[:, i, i] = 0.0
        unit_f[:, i, i] = 0.0
    return alpha_f, kappa_f, share_f, unit_f
