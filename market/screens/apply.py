"""Screen an observed panel: its scores, who leads whom, where its level breaks, and, against a stored
calibration (the one shipped in ``experiments/reports/screens`` unless another is named), which screens
flag it, which cannot flag anything at its false-positive rate ("inert"), and where the panel lies
outside what the calibration's simulated markets covered."""

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from market.errors import PanelError
from market.observed.grid import Panel
from market.screens import catalog, comovement, measures
from market.tomlfile import read_json

CALIBRATION_FILE = "calibration.json"
CALIBRATION_STEP_MINUTES = 10
SHIPPED_CALIBRATION = Path(__file__).resolve().parents[2] / "experiments" / "reports" / "screens"
STATUS = ("YES", "no", "inert", "n/a")
COVERAGE_MARGIN = 0.02

CAVEAT = ("Thresholds and rates are measured on simulated markets, not on real ones: "
          "a flag says that a panel looks unlike these simulated competitive markets, a reason to look closer, "
          "not evidence of collusion.")


def load_calibration(directory: str | Path) -> dict:
    """The calibration in ``directory`` (made by ``pricelab screen --calibrate --out DIR``); ``PanelError`` if none."""
    path = Path(directory) / CALIBRATION_FILE
    if not path.is_file():
        raise PanelError(f"--calibration {str(directory)!r}: no {CALIBRATION_FILE} there; make one with "
                         f"`pricelab screen --calibrate --out {directory}`")
    result = read_json(path, "calibration", PanelError)
    missing = [key for key in ("screens", "combined", "markets") if key not in result]
    unknown = sorted(set(result.get("screens", {})) - set(catalog.NAMES))
    if missing or unknown:
        raise PanelError(f"--calibration {str(directory)!r}: {CALIBRATION_FILE} is not a calibration of these screens "
                         f"(missing {missing or 'nothing'}, unknown screens {unknown or 'none'})")
    return result


def _moment(panel: Panel, value: float) -> str | float:
    """A grid time as the panel gives it: a date-time for date-time panels, else the number."""
    if panel.unit != "minutes":
        return float(value)
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(minutes=float(value))).strftime("%Y-%m-%d %H:%M")


def details(panel: Panel) -> dict:
    """Who follows whom, after how long; where the price level breaks."""
    lead = comovement.leadership(panel)
    score, k = measures.break_point(panel)
    return {"lead_follow": None if lead is None else {
                "leader": panel.seller[lead.leader], "follower": panel.seller[lead.follower], "lag_steps": lead.lag,
                "lag": lead.lag * panel.step, "correlation": lead.correlation},
            "structural_break": {"score": score, "first_time_after": _moment(panel, panel.time[k]) if score else None}}


def _status(flagged: bool | None, inert: bool) -> str:
    """``YES`` (flags), ``no``, ``inert`` (its threshold leaves nothing to flag) or ``n/a`` (not computed)."""
    if flagged is None:
        return "n/a"
    return "inert" if inert else "YES" if flagged else "no"


def flags(scores: dict[str, float], result: dict) -> dict:
    """Per screen and combined screen: its threshold, whether it flags the panel (None: not computed; never when
    inert), its ``status``, and the calibration's held-out false-positive rate and AUC against all collusion
    types."""
    out = {}
    for name, entry in result["screens"].items():
        score, threshold = scores[name], entry["threshold"]
        inert = catalog.BY_NAME[name].inert(threshold)
        flagged = None if math.isnan(score) else not inert and (
            score > threshold if entry["suspicious"] == "high" else score < threshold)
        out[name] = {"score": score, "suspicious": entry["suspicious"], "threshold": threshold, "flagged": flagged,
                     "inert": inert, "status": _status(flagged, inert),
                     "false_positive_rate": entry["false_positive"]["rate"], "auc": entry["auc"]["all"]["auc"]}
    for name, entry in result["combined"].items():
        values = np.array([scores[s] for s in entry["screens"]])
        coefficient = np.array([entry["coefficient"][s] for s in entry["screens"]])
        score = float("nan") if np.isnan(values).any() else float(entry["intercept"] + values @ coefficient)
        threshold = entry["threshold"]
        inert = threshold is None
        flagged = None if math.isnan(score) else not inert and score > threshold
        out[name] = {"score": score, "suspicious": "high", "threshold": threshold, "flagged": flagged, "inert": inert,
                     "status": _status(flagged, inert), "false_positive_rate": entry["false_positive"]["rate"],
                     "auc": entry["auc"]["all"]["auc"]}
    return out


def coverage_warnings(panel: Panel, scores: dict[str, float], result: dict) -> list[str]:
    """Where the panel lies outside what the calibration's simulated markets covered (none for an older calibration
    that did not record its coverage): the number of sellers, the price level (beyond half the lowest or twice the
    highest), and each score beyond every simulated market's by more than ``COVERAGE_MARGIN`` of their range. A
    flag, or its absence, says little there."""
    covered = result.get("coverage")
    if covered is None:
        return []
    warnings = []
    low, high = covered["n_sellers"]
    if not low <= panel.n_sellers <= high:
        warnings.append(f"{panel.n_sellers} sellers: the simulated markets had {low} to {high}")
    level = float(panel.price.mean())
    low, high = covered["mean_price"]
    if not low / 2 <= level <= 2 * high:
        warnings.append(f"mean price {level:.4g}: the simulated markets' lay between {low:.3g} and {high:.3g}; "
                        f"variance is in squared currency units and compares only roughly (cv does not depend on "
                        f"the price level)")
    for name, (low, high) in covered["screens"].items():
        score = scores.get(name, math.nan)
        margin = COVERAGE_MARGIN * (high - low) + 1e-9 * max(1.0, abs(low), abs(high))
        if math.isfinite(score) and not low - margin <= score <= high + margin:
            warnings.append(f"{name} = {score:.4g} lies beyond every simulated market's ({low:.4g} to {high:.4g})")
    return warnings


def screen(panel: Panel, result: dict | None) -> dict:
    """Everything ``pricelab screen PANEL`` reports, as one dict (JSON-ready)."""
    scores = catalog.score(panel)
    report = {"sellers": list(panel.seller), "grid": {"points": panel.n_times, "step": panel.step, "unit": panel.unit,
                                                      "start": _moment(panel, panel.time[0])},
              "scores": scores, "details": details(panel)}
    if result is not None:
        report["calibration"] = {"markets": result["markets"], "flags": flags(scores, result), "caveat": CAVEAT,
                                 "grid_note": grid_note(panel),
                                 "outside_coverage": coverage_warnings(panel, scores, result)}
    return report


def grid_note(panel: Panel) -> str:
    """How the panel's grid compares with the calibration's (every 10-minute tick, two weeks)."""
    if panel.unit == "minutes" and panel.step != CALIBRATION_STEP_MINUTES:
        return (f"this panel's grid step ({panel.step:g} minutes) differs from the calibration's (10 minutes): "
                f"change frequencies and lags are per step, so they compare only roughly")
    if panel.unit == "ticks" and panel.step != 1.0:
        return (f"this run's grid step ({panel.step:g} ticks) differs from the calibration's (one 10-minute tick): "
                f"change frequencies and lags are per step, so they compare only roughly")
    if panel.unit == "time units":
        return "the calibration's grid is one 10-minute tick; read this panel's time unit as such a tick"
    return "the panel's grid step matches the calibration's (one tick of 10 minutes)"
