"""Musolff (2022)'s sellers choose their repricers (arms file ``musolff2022_respond``): the settings found lie in
the ranges, are best responses against a list of deviations on the search's own seeds, and do not depend on where
the search starts."""

import numpy as np
import pytest

from experiments import arms as armsfile
from experiments.cli import main
from experiments.configs import load
from experiments.respond import command
from experiments.respond.equilibrium import CONVERGED, equilibrium
from experiments.respond.evaluate import Evaluator
from experiments.respond.space import Responder, Setting
from experiments.sweep.executors import Serial

GRID = 13  # values per setting in the listed deviations: a grid the search's 9-point grids do not contain


@pytest.fixture(scope="module")
def plan():
    return command.plan(None, "musolff2022_respond")


@pytest.fixture(scope="module")
def arms():
    _, found, _ = armsfile.load("musolff2022_respond", load("musolff2022"))
    return {arm.name: arm for arm in found}


@pytest.fixture(scope="module")
def resetting(arms, plan):
    return equilibrium(arms["a_resets_at_night"].scenario, plan)


def deviations(responder: Responder, chosen: Setting) -> list[Setting]:
    """The listed deviations of a responder from ``chosen``: its given setting, and for each of its options (its
    own strategy, the rules of its menu) every setting on a grid of ``GRID`` values over its range, the option's
    other settings held where the search left them (a rule not chosen: where its search starts)."""
    listed = [responder.given]
    for option in responder.options:
        base = chosen if option.strategy == chosen.strategy else option.start
        listed.append(base)
        for knob in option.knobs:
            listed += [base.with_value(knob.name, knob.clip(x)) for x in np.linspace(knob.low, knob.high, GRID)]
    return list(dict.fromkeys(listed))


def test_the_plan_is_the_arms_files_and_the_search_converges_within_the_ranges(plan, resetting):
    assert plan.sellers == ("seller_a", "seller_b")
    assert resetting.status == CONVERGED
    for responder, setting in zip(resetting.responders, resetting.chosen, strict=True):
        knobs = {k.name: k for k in responder.option(setting.strategy).knobs}
        assert set(knobs) == {name for name, _ in setting.values}
        for name, value in setting.values:
            assert knobs[name].low <= value <= knobs[name].high, (responder.name, name, value)
    seller_a = dict(resetting.chosen[0].values)
    assert resetting.chosen[0].strategy == "resetting" and 0.0 <= seller_a["hour"] <= 23.0
    assert seller_a["step"] >= 0.005 and seller_a["floor"] == 1.25


def test_no_listed_deviation_gains_more_than_the_tolerance_on_the_same_seeds(plan, resetting):
    with Serial() as pool:
        evaluate = Evaluator(resetting.scenario, resetting.responders, resetting.seeds, pool)
        at = evaluate([resetting.chosen])[0]
        np.testing.assert_array_equal(at, resetting.profit_chosen)  # the same seeds, the same profits
        for i, responder in enumerate(resetting.responders):
            listed = deviations(responder, resetting.chosen[i])
            profiles = [resetting.chosen[:i] + (s,) + resetting.chosen[i + 1:] for s in listed]
            gains = np.array([v[i] for v in evaluate(profiles)]) - at[i]
            assert len(listed) >= GRID
            assert gains.max() <= plan.threshold(at[i]), (responder.name, listed[int(gains.argmax())], gains.max())
    assert resetting.chosen[0] != resetting.given[0]  # the shipped 02:00 reset is one of the deviations, and loses


def test_from_undercutting_seller_a_adopts_the_same_resetting_repricer(arms, plan, resetting):
    # The undercutting arm starts both sellers undercutting; seller_a's menu offers resetting, and the search
    # ends where it ends from the shipped nightly reset: the equilibrium does not depend on the start.
    undercutting = equilibrium(arms["undercutting"].scenario, plan)
    assert undercutting.given[0].strategy == "undercut" and undercutting.status == CONVERGED
    assert undercutting.chosen == resetting.chosen
    np.testing.assert_array_equal(undercutting.profit_chosen, resetting.profit_chosen)


@pytest.mark.parametrize("argv, message", [
    (["--arms", "musolff2022_resetting", "--respond", "seller_a"], "--respond with --vary (or [uncertainty])"),
    (["--arms", "RESPOND_HOUR_24"], "respond (arm undercutting).seller_a.hour = [0, 24]: outside the range strategy "
                                    "'resetting' declares for it, [0, 23]"),
    (["--arms", "RESPOND_RESET_BELOW_COST"], "respond (arm undercutting).seller_a.reset = [0.5, 'monopoly']: outside "
                                             "the range strategy 'resetting' declares for it"),
])
def test_bad_respond_input_for_musolff_is_one_line_exit_2_nothing_written(argv, message, tmp_path, capsys):
    # The resetting arms file draws demand per seed ([uncertainty]): settings chosen per draw are refused, which is
    # why the choice has its own arms file; ranges outside the registry's are refused before any work.
    shipped = armsfile.resolve("musolff2022_respond").read_text()
    files = {"RESPOND_HOUR_24": shipped.replace("hour = [0, 23]", "hour = [0, 24]"),
             "RESPOND_RESET_BELOW_COST": shipped.replace('reset = ["nash", "monopoly"]', 'reset = [0.5, "monopoly"]')}
    for name, text in files.items():
        assert text != shipped
        (tmp_path / f"{name}.toml").write_text(text)
    argv = [str(tmp_path / f"{a}.toml") if a in files else a for a in argv]
    out = tmp_path / "never"
    assert main(["compare", "musolff2022", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()
