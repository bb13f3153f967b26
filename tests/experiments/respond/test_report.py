"""The report's section, JSON and files say what the search found, and warn when it did not converge."""

import dataclasses

import polars as pl

from experiments.arms import shorthand
from experiments.compare import differences, run_arms
from experiments.configs import load
from experiments.respond import comparison, report
from experiments.respond.equilibrium import CYCLE, NOT_CONVERGED
from experiments.respond.plan import parse
from market import interventions


def responding(n_seeds: int = 2):
    base = load("nessie").with_values({"horizon": 1440})
    arms = shorthand(base, interventions.load("min_lag_1h"), {}, "min_lag_1h")
    found = comparison.search(arms, parse({"platform": {"window": [1, 12]}}), workers=1)
    fixed = run_arms(arms, n_seeds)
    return base, fixed, differences(fixed, "without"), comparison.measure(arms, found, n_seeds)


def test_the_section_the_json_and_the_files_agree_with_the_search():
    base, fixed_runs, fixed, result = responding()
    effects = comparison.side_by_side(fixed, result.table)
    measured = report.gains(fixed_runs, result)
    chosen = result.found["with"].chosen[0].get("window")
    assert "| with | platform | window 3 -> " + str(chosen) in "\n".join(report.section(result, effects, measured))
    data = report.as_json(result, effects, measured)
    assert data["arms"]["with"]["sellers"]["platform"]["chosen"] == {"strategy": "price_leadership", "window": chosen}
    assert data["effects"]["with"]["seller.platform.profit"]["fixed"]["n"] == 2
    settings = report.settings_frame(base, result, measured)
    assert settings.filter(pl.col("setting") == "strategy")["chosen"].to_list() == ["price_leadership"] * 2
    gain = measured[("with", "platform")]["difference"]
    assert settings.filter(pl.col("arm") == "with")["gain"].to_list() == [gain, gain] and gain > 0
    assert report.effects_frame(base, effects)["seed"].dtype == pl.Int64


def test_a_cycle_and_a_search_that_did_not_converge_are_warned_about():
    _, fixed_runs, fixed, result = responding(n_seeds=1)
    without, with_rule = result.found["without"], result.found["with"]
    profile = with_rule.chosen
    cycled = dataclasses.replace(result, found={
        "without": dataclasses.replace(without, status=NOT_CONVERGED, rounds=10),
        "with": dataclasses.replace(with_rule, status=CYCLE, cycle=(profile, without.chosen))})
    text = "\n".join(report.section(cycled, comparison.side_by_side(fixed, result.table),
                                    report.gains(fixed_runs, cycled)))
    assert "**Warning (without):** the search did not converge in 10 rounds" in text
    assert "**Warning (with):** the best responses cycle through price_leadership(window=" in text
    assert "best responses cycle (length 2)" in text
