r"""Thresholds at which at most 2% of competitive markets are flagged, and detection rates and ROC AUC on held-out ones.

**Splits.** Within each family, market ``r`` is *held out* when ``r`` is odd; the others are
*calibration* markets, of which those with ``r % 6 == 0`` *fit* the combined screens' weights and
the rest *tune* their thresholds. Every figure reported is measured on held-out markets only.

**Threshold.** With a screen's scores oriented so that high is suspicious and :math:`s_{(1)} \le
\dots \le s_{(m)}` those of the :math:`m` competitive calibration markets, the threshold is
:math:`\tau = s_{(k)}` and a market is flagged when its score exceeds :math:`\tau`. The population
false-positive rate of :math:`s_{(k)}` is :math:`1 - F(s_{(k)})`, and :math:`F(s_{(k)}) \sim
\mathrm{Beta}(k, m - k + 1)` whatever the scores' distribution, so
:math:`P(\mathrm{FPR} > \alpha) = P(\mathrm{Bin}(m, 1 - \alpha) \ge k)`: :math:`k` is the smallest rank
with :math:`P(\mathrm{Bin}(m, 1 - \alpha) \le k - 1) \ge 1 - \delta`, or :math:`k = m` (the largest score, with
the confidence :func:`confidence` gives) when no rank is certified. :math:`\alpha = 0.02, \delta = 0.05`: the
rate is at most 2% with 95% confidence (:math:`k = m` for :math:`m \le 148`), so that the *held-out* rate,
measured on as many markets, stays at or below 5% with 95% confidence (its exact interval's upper end,
``FPR_BOUND``); a design rate of 5% would put about 5% of held-out markets over the threshold and the
interval's upper end above 5%. This is Wilks' (1941,
Annals of Mathematical Statistics 12(1)) distribution-free tolerance limit, the training-conditional
form of split conformal prediction (Vovk 2012, Proceedings of the Asian Conference on Machine
Learning, PMLR 25); ties only make it more cautious, as a tie is not flagged.

**Intervals.** Rates get exact (Clopper and Pearson 1934, Biometrika 26(4)) 95% intervals; the
area under the ROC curve, the Mann-Whitney probability that a collusive market outscores a
competitive one (ties count one half), gets DeLong, DeLong and Clarke-Pearson's (1988, Biometrics
44(3)) standard error, :math:`\hat A \pm 1.96\,\mathrm{se}` clipped to [0, 1] (a point when the two
sets are separated).

**Combined screen.** A logistic regression of "collusive" on the scores, standardised, with a
ridge penalty :math:`\frac{\lambda}{2} \lVert w \rVert^2` (:math:`\lambda = 1`, intercept free) so that
separable data still give finite weights, fitted by Newton's method on the *fit* markets; its
threshold comes from the *tune* markets' competitive scores by the rule above.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import beta as beta_dist
from scipy.stats import binom

ALPHA = 0.02
DELTA = 0.05
FPR_BOUND = 0.05
LEVEL = 0.95
RIDGE = 1.0


def role(index: int) -> str:
    """``"held_out"``, ``"fit"`` or ``"tune"`` for market ``index`` of its family."""
    return "held_out" if index % 2 else ("fit" if index % 6 == 0 else "tune")


def rank(m: int, alpha: float = ALPHA, delta: float = DELTA) -> int:
    """The rank ``k`` of the threshold among ``m`` calibration scores (see the module's docstring)."""
    ranks = np.arange(1, m + 1)
    certified = ranks[binom.sf(ranks - 1, m, 1.0 - alpha) <= delta]
    return int(certified[0]) if certified.size else m


def confidence(m: int, k: int, alpha: float = ALPHA) -> float:
    r"""For the threshold of rank ``k``,
    :math:`P(\mathrm{FPR} \le \alpha) = P(\mathrm{Bin}(m, 1 - \alpha) \le k - 1)`."""
    return float(binom.cdf(k - 1, m, 1.0 - alpha))


def threshold(competitive: np.ndarray, alpha: float = ALPHA, delta: float = DELTA) -> float:
    """The threshold on oriented scores of competitive calibration markets (flag: score > it); inf if there are none."""
    scores = np.sort(np.asarray(competitive, dtype=np.float64))
    return float(scores[rank(scores.size, alpha, delta) - 1]) if scores.size else math.inf


@dataclass(frozen=True)
class Rate:
    """``flagged`` of ``n`` markets, the rate and its exact 95% interval."""

    flagged: int
    n: int

    @property
    def rate(self) -> float:
        return self.flagged / self.n if self.n else math.nan

    @property
    def ci(self) -> tuple[float, float]:
        """Clopper-Pearson: the Beta quantiles :math:`B_{a/2}(k, n-k+1)` and :math:`B_{1-a/2}(k+1, n-k)`."""
        k, n, tail = self.flagged, self.n, (1.0 - LEVEL) / 2
        if n == 0:
            return math.nan, math.nan
        low = 0.0 if k == 0 else float(beta_dist.ppf(tail, k, n - k + 1))
        high = 1.0 if k == n else float(beta_dist.ppf(1.0 - tail, k + 1, n - k))
        return low, high

    def as_dict(self) -> dict:
        return {"rate": self.rate, "ci": list(self.ci), "flagged": self.flagged, "n": self.n}

    @property
    def within_bound(self) -> bool:
        """Whether the interval's upper end is at most ``FPR_BOUND``."""
        return bool(self.ci[1] <= FPR_BOUND)


def flag_rate(scores: np.ndarray, tau: float) -> Rate:
    scores = np.asarray(scores)
    return Rate(int(np.sum(scores > tau)), int(scores.size))


def auc(competitive: np.ndarray, collusive: np.ndarray) -> tuple[float, tuple[float, float]]:
    r"""Area under the ROC curve with DeLong's 95% interval.

    Placements :math:`V_{1j} = \frac1m \sum_i \psi(x_i, y_j)`, :math:`V_{0i} = \frac1n \sum_j \psi(x_i, y_j)`
    with :math:`\psi(x, y) = 1[y > x] + \frac12 1[y = x]`, competitive :math:`x_1..x_m`, collusive
    :math:`y_1..y_n`; :math:`\hat A = \bar V_1` and :math:`\mathrm{se}^2 = s^2(V_1)/n + s^2(V_0)/m`.
    """
    x, y = np.asarray(competitive, dtype=np.float64), np.asarray(collusive, dtype=np.float64)
    if x.size < 2 or y.size < 2:
        return math.nan, (math.nan, math.nan)
    psi = (y[None, :] > x[:, None]) + 0.5 * (y[None, :] == x[:, None])
    value = float(psi.mean())
    se = math.sqrt(psi.mean(axis=0).var(ddof=1) / y.size + psi.mean(axis=1).var(ddof=1) / x.size)
    return value, (max(0.0, value - 1.96 * se), min(1.0, value + 1.96 * se))


def roc_curve(competitive: np.ndarray, collusive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False-positive and true-positive rates for every threshold (flag: score > threshold), from (0, 0) to (1, 1)."""
    cuts = np.concatenate([[np.inf], np.unique(np.concatenate([competitive, collusive]))[::-1], [-np.inf]])
    fpr = np.array([np.mean(competitive > c) for c in cuts])
    tpr = np.array([np.mean(collusive > c) for c in cuts])
    return fpr, tpr


@dataclass(frozen=True)
class Logistic:
    """A fitted combined screen, in the screens' own units: ``score(X) = intercept + X @ coefficient``."""

    coefficient: np.ndarray
    intercept: float

    def score(self, x: np.ndarray) -> np.ndarray:
        return self.intercept + np.asarray(x, dtype=np.float64) @ self.coefficient

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, ridge: float = RIDGE, steps: int = 100) -> "Logistic":
        r"""Newton's method on :math:`\sum_i \log(1 + e^{-(2y_i - 1) f_i}) + \frac{\lambda}{2}\lVert w \rVert^2`,
        :math:`f_i = w_0 + \sum_j w_j z_{ij}` on scores :math:`z` standardised over the fit set (a constant
        column weighs 0); the weights are returned in the scores' own units."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        mean, sd = x.mean(axis=0), x.std(axis=0)
        scale = np.divide(1.0, sd, out=np.zeros_like(sd), where=sd > 0.0)
        design = np.column_stack([np.ones(x.shape[0]), (x - mean) * scale])
        penalty = ridge * np.diag([0.0] + [1.0] * x.shape[1])
        w = np.zeros(design.shape[1])
        for _ in range(steps):
            p = 1.0 / (1.0 + np.exp(-design @ w))
            gradient = design.T @ (p - y) + penalty @ w
            hessian = design.T @ (design * (p * (1.0 - p))[:, None]) + penalty
            update = np.linalg.solve(hessian, gradient)
            w -= update
            if np.max(np.abs(update)) < 1e-10:
                break
        coefficient = w[1:] * scale
        return cls(coefficient=coefficient, intercept=float(w[0] - mean @ coefficient))
