import json
import math
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from market.errors import PanelError
from market.observed.grid import panel_from_frame
from market.screens import apply, catalog, measures
from tests.market.screens.panels import panel_of, random_walk


def _entry(threshold, suspicious):
    figure = {"rate": 0.04, "ci": [0.01, 0.1], "flagged": 4, "n": 100}
    return {"suspicious": suspicious, "threshold": threshold, "false_positive": figure,
            "auc": {"all": {"auc": 0.8, "ci": [0.7, 0.9]}}}


def _calibration() -> dict:
    screens = {name: _entry(None, catalog.BY_NAME[name].suspicious) for name in catalog.NAMES}
    screens["cv"] = _entry(0.01, "low")
    screens["markup_over_nash"] = _entry(0.2, "high")
    combined = {**_entry(0.0, "high"), "screens": ["cv", "markup_over_nash"], "intercept": -1.0,
                "coefficient": {"cv": -10.0, "markup_over_nash": 10.0}}
    return {"markets": 100, "screens": screens, "combined": {"combined": combined}}


def test_flags_follow_each_screens_suspicious_tail_and_missing_columns_give_none():
    scores = {name: 0.0 for name in catalog.NAMES} | {"cv": 0.005, "markup_over_nash": 0.3, "lerner": math.nan}
    flags = apply.flags(scores, _calibration())
    assert flags["cv"]["flagged"] is True  # 0.005 < 0.01, suspicious when low
    assert flags["markup_over_nash"]["flagged"] is True  # 0.3 > 0.2
    assert flags["variance"]["flagged"] is False  # no threshold: never flags
    assert flags["lerner"]["flagged"] is None  # not computed
    assert flags["combined"]["score"] == pytest.approx(-1.0 - 0.05 + 3.0) and flags["combined"]["flagged"] is True
    no_nash = apply.flags(scores | {"markup_over_nash": math.nan}, _calibration())
    assert math.isnan(no_nash["combined"]["score"]) and no_nash["combined"]["flagged"] is None


def test_details_name_the_leader_the_follower_the_lag_and_the_break_time():
    start = datetime(2024, 1, 1)
    leader = np.concatenate([np.full(150, 10.0), np.full(150, 12.0)]) + np.sin(np.arange(300))
    follower = np.concatenate([np.full(2, leader[0]), leader[:-2]])
    frame = pl.DataFrame({"time": [start + timedelta(minutes=10 * int(t)) for t in np.repeat(np.arange(300), 2)],
                          "seller": ["lead", "follow"] * 300, "price": np.column_stack([leader, follower]).ravel()})
    panel = panel_from_frame(frame)
    found = apply.details(panel)
    assert found["lead_follow"] == {"leader": "lead", "follower": "follow", "lag_steps": 2, "lag": 20.0,
                                    "correlation": pytest.approx(1.0)}
    k = measures.break_point(panel)[1]
    assert 150 <= k <= 152  # the leader's jump, and the follower's two ticks later
    assert found["structural_break"]["first_time_after"] == f"{start + timedelta(minutes=10 * k):%Y-%m-%d %H:%M}"


def test_screen_reports_scores_grid_and_against_a_calibration_the_caveat():
    panel = panel_of({"a": random_walk(1), "b": random_walk(2)})
    plain = apply.screen(panel, None)
    assert set(plain["scores"]) == set(catalog.NAMES) and "calibration" not in plain
    assert plain["grid"] == {"points": 400, "step": 1.0, "unit": "time units", "start": 0.0}
    checked = apply.screen(panel, _calibration())["calibration"]
    assert "simulated markets" in checked["caveat"] and "10-minute" in checked["grid_note"]
    json.dumps(checked)


def test_a_missing_foreign_or_damaged_calibration_is_a_panel_error(tmp_path):
    with pytest.raises(PanelError, match="no calibration.json there"):
        apply.load_calibration(tmp_path)
    (tmp_path / "calibration.json").write_text(json.dumps({"screens": {"magic": {}}, "combined": {}, "markets": 1}))
    with pytest.raises(PanelError, match=r"unknown screens \['magic'\]"):
        apply.load_calibration(tmp_path)
    (tmp_path / "calibration.json").write_text("{ not json")
    with pytest.raises(PanelError, match="invalid JSON"):
        apply.load_calibration(tmp_path)
