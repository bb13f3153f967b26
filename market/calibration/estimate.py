r"""The price coefficient of the plain logit, estimated by pyblp (or given), in the engine's units.

The plain logit (Berry 1994): with the outside option's mean utility normalised to 0,

.. math::  \ln s_{jt} - \ln s_{0t} = \alpha p_{jt} + x_{jt}\beta + \eta_j + \xi_{jt},

:math:`\eta_j` product fixed effects (absorbed), :math:`\xi_{jt}` the unobserved quality, prices instrumented.
It is estimated with pyblp (Conlon and Gortmaker 2020): ``pyblp.Problem(Formulation("0 + prices",
absorb="C(product_ids)"), ...).solve(method="1s")``, one-step GMM with weights :math:`(Z'Z)^{-1}`, i.e. two-stage
least squares, the same estimator an IO economist runs, with its standard errors (heteroskedasticity-robust by
default, or clustered by market). The engine's demand :math:`s_j \propto \exp((a_j - p_j)/\mu)` is the same
model with :math:`\mu = -1/\alpha`, so

.. math::  \hat\mu = -1/\hat\alpha, \qquad \mathrm{se}(\hat\mu) = \mathrm{se}(\hat\alpha)/\hat\alpha^2

(the delta method), and the 95% interval for :math:`\mu` maps the ends of :math:`\alpha`'s,
:math:`\hat\alpha \pm 1.96\,\mathrm{se}`, through :math:`-1/\alpha` (unbounded above when that interval reaches 0).
"""

import re
from dataclasses import dataclass

import numpy as np

from market.calibration.panel import ProductPanel
from market.errors import CalibrationError

ABSORB = {"product": "C(product_ids)", "product,market": "C(product_ids) + C(market_ids)", "none": None}
SE_TYPES = ("robust", "clustered", "unadjusted")
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """The price coefficient ``alpha`` (utility per currency unit, < 0), its standard error (NaN if unknown) and
    where it comes from; ``mu`` and its interval in the engine's units."""

    alpha: float
    alpha_se: float
    source: str
    observations: int = 0

    @property
    def mu(self) -> float:
        return -1.0 / self.alpha

    @property
    def mu_se(self) -> float:
        return self.alpha_se / self.alpha**2

    @property
    def mu_interval(self) -> tuple[float, float]:
        """95% interval for mu: the ends of alpha's Wald interval through -1/alpha (inf where it reaches 0; NaN
        without a standard error)."""
        if np.isnan(self.alpha_se):
            return np.nan, np.nan
        low, high = self.alpha - Z95 * self.alpha_se, self.alpha + Z95 * self.alpha_se
        return -1.0 / low, (-1.0 / high if high < 0 else np.inf)

    def describe(self) -> str:
        """One line: alpha (se), mu (se) [95% interval], and the source."""
        low, high = self.mu_interval
        se = "" if np.isnan(self.alpha_se) else f" (se {self.alpha_se:.4g})"
        mu_se = "" if np.isnan(self.alpha_se) else f" (se {self.mu_se:.4g}; 95% CI [{low:.4g}, {high:.4g}])"
        return f"alpha = {self.alpha:.6g}{se}, mu = -1/alpha = {self.mu:.6g}{mu_se}; {self.source}"


def given(alpha: float, alpha_se: float | None = None) -> Estimate:
    """A price coefficient from the user's own estimate (``--price-coef``, ``--price-coef-se``)."""
    if not (np.isfinite(alpha) and alpha < 0):
        raise CalibrationError(f"--price-coef = {alpha!r}: must be a finite number < 0 (the price coefficient "
                               f"alpha of utility; mu = -1/alpha)")
    if alpha_se is not None and not (np.isfinite(alpha_se) and alpha_se >= 0):
        raise CalibrationError(f"--price-coef-se = {alpha_se!r}: must be a finite number >= 0")
    return Estimate(alpha=float(alpha), alpha_se=np.nan if alpha_se is None else float(alpha_se),
                    source="price coefficient given by the user (--price-coef)")


def estimate_logit(panel: ProductPanel, absorb: str = "product", se_type: str = "robust") -> Estimate:
    """The plain logit's price coefficient by IV with fixed effects, with pyblp (module docstring).

    ``absorb``: ``product`` (default), ``product,market`` or ``none`` (then an intercept); ``se_type``: pyblp's
    ``robust``, ``clustered`` (by market) or ``unadjusted``. Raises ``CalibrationError`` without instruments, or
    when pyblp is missing or fails.
    """
    if absorb not in ABSORB:
        raise CalibrationError(f"--absorb = {absorb!r}: must be one of {', '.join(ABSORB)}")
    if se_type not in SE_TYPES:
        raise CalibrationError(f"--se = {se_type!r}: must be one of {', '.join(SE_TYPES)}")
    if not panel.instrument_names:
        raise CalibrationError(f"panel {panel.source!r}: no instruments for the price (columns demand_instruments0, "
                               f"... or instrument*, or --instruments COLUMN,...; --instruments price treats prices "
                               f"as exogenous); or give --price-coef")
    try:
        import pyblp
    except ImportError:
        raise CalibrationError("estimating the price coefficient needs pyblp: pip install -e '.[calibrate]' (or give "
                               "--price-coef from your own estimate)") from None
    data = {"market_ids": panel.market.astype(str), "product_ids": panel.product.astype(str),
            "firm_ids": panel.firm.astype(str), "shares": panel.share, "prices": panel.price,
            "demand_instruments": panel.instruments, "clustering_ids": panel.market.astype(str)}
    regressors = ["prices"]
    for k in range(panel.characteristics.shape[1]):
        data[f"characteristic{k}"] = panel.characteristics[:, k]
        regressors.append(f"characteristic{k}")
    intercept = "1" if ABSORB[absorb] is None else "0"
    formulation = pyblp.Formulation(f"{intercept} + {' + '.join(regressors)}", absorb=ABSORB[absorb])
    pyblp.options.verbose = False
    try:
        results = pyblp.Problem(formulation, data).solve(method="1s", se_type=se_type)
    except (ValueError, np.linalg.LinAlgError) as err:
        raise CalibrationError(f"panel {panel.source!r}: pyblp cannot estimate the logit: "
                               f"{' '.join(str(err).split())[:300]}") from None
    labels = list(results.beta_labels)
    alpha, alpha_se = float(results.beta[labels.index("prices"), 0]), float(results.beta_se[labels.index("prices"), 0])
    if not (np.isfinite(alpha) and alpha < 0):
        raise CalibrationError(f"panel {panel.source!r}: the estimated price coefficient is {alpha:.6g} (se "
                               f"{alpha_se:.3g}): demand must fall with price (alpha < 0) for the engine's logit; "
                               f"check the instruments, or give --price-coef")
    instruments = "prices treated as exogenous" if panel.instrument_names == ("price",) else \
        f"{len(panel.instrument_names)} instruments ({column_ranges(panel.instrument_names)})"
    extras = f", characteristics {', '.join(panel.characteristic_names)}" if panel.characteristic_names else ""
    source = (f"pyblp {pyblp.__version__} plain logit on {panel.source}: {results.problem.N:,} product-markets, "
              f"fixed effects {absorb}, {instruments}{extras}; one-step GMM (2SLS), {se_type} standard errors")
    return Estimate(alpha=alpha, alpha_se=alpha_se, source=source, observations=int(results.problem.N))


def column_ranges(names: tuple[str, ...]) -> str:
    """Column names, runs of numbered ones shortened: ``demand_instruments0-19, sugar``."""
    parts: list[list] = []
    for name in names:
        match = re.fullmatch(r"(.*?)(\d+)", name)
        stem, number = (match[1], int(match[2])) if match else (name, None)
        if parts and number is not None and parts[-1][0] == stem and parts[-1][2] == number - 1:
            parts[-1][2] = number
        else:
            parts.append([stem, number, number])
    return ", ".join(stem if first is None else f"{stem}{first}" + (f"-{last}" if last != first else "")
                     for stem, first, last in parts)
