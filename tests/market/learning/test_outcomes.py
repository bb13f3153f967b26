"""Limit cycles, Delta, the equilibrium check and the impulse response on constructed strategies."""

import numpy as np
import pytest

from market.benchmarks import StaticGame, solve
from market.learning.outcomes import (
    best_reply_q,
    cycle_outcome,
    deviations,
    impulse_response,
    limit_cycle,
    policy_values,
    successor,
)
from market.learning.qlearning import profit_table

GAME = StaticGame.logit([1.0, 1.0], 2.0, 0.25)
BENCH = solve(GAME)
LOW, HIGH = BENCH.nash_price[0], BENCH.monopoly_price[0]
GRID = np.array([LOW, 0.5 * (LOW + HIGH), HIGH])  # indices 0 (Nash), 1, 2 (monopoly)
PROFIT = profit_table(GAME, GRID)
COOPERATE = 2 * 3 + 2  # state (2, 2): both charged the monopoly price


def grim_trigger_pair() -> np.ndarray:
    """Both charge the monopoly price after (monopoly, monopoly) and the Nash price after anything else."""
    greedy = np.zeros((2, 9), dtype=np.int64)
    greedy[:, COOPERATE] = 2
    return greedy


def test_limit_cycle_and_policy_values_on_a_constructed_map():
    succ = np.array([1, 2, 3, 1, 4, 4, 0], dtype=np.int64)  # 0 -> cycle 1 2 3; 4 and 5 -> cycle 4; 6 -> 0
    assert limit_cycle(succ, 0).tolist() == [1, 2, 3]
    assert limit_cycle(succ, 2).tolist() == [2, 3, 1]
    assert limit_cycle(succ, 5).tolist() == [4]
    reward = np.array([0.5, 1.0, 2.0, 3.0, -1.0, 7.0, 4.0])
    for delta in (0.0, 0.9):
        value = np.empty(7)
        policy_values(reward, succ, delta, value)
        for start in range(7):
            brute, s = 0.0, start
            for t in range(2_000):
                brute += delta**t * reward[s]
                s = succ[s]
            assert value[start] == pytest.approx(brute, rel=1e-12)


def test_best_reply_q_solves_the_bellman_equation_and_one_shot_q_follows_greedy():
    rng = np.random.default_rng(0)
    greedy = rng.integers(0, 3, size=(2, 9))
    star = best_reply_q(PROFIT, greedy, 1, 3, 0.9)
    once = best_reply_q(PROFIT, greedy, 1, 3, 0.9, False)
    for s in range(9):
        for a in range(3):
            nxt = greedy[0, s] * 3 + a
            assert star[s, a] == pytest.approx(PROFIT[nxt, 1] + 0.9 * star[nxt].max(), rel=1e-12)
            assert once[s, a] == pytest.approx(PROFIT[nxt, 1] + 0.9 * once[nxt, greedy[1, nxt]], rel=1e-12)


def test_successor_is_the_profile_of_greedy_actions():
    greedy = grim_trigger_pair()
    succ = successor(greedy, 3)
    assert succ[COOPERATE] == COOPERATE and np.all(np.delete(succ, COOPERATE) == 0)


def test_delta_of_collusion_is_one_and_of_a_two_cycle_its_mean():
    greedy = grim_trigger_pair()
    collusive = cycle_outcome(PROFIT, greedy, GRID, COOPERATE, BENCH, 0.95)
    assert collusive.length == 1 and collusive.delta == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(collusive.price, [HIGH, HIGH])
    punished = cycle_outcome(PROFIT, greedy, GRID, 5, BENCH, 0.95)
    assert punished.states.tolist() == [0] and punished.delta == pytest.approx(0.0, abs=1e-9)
    # alternate between (0, 0) and (2, 2): Delta is the mean of 0 and 1
    alternating = np.zeros((2, 9), dtype=np.int64)
    alternating[:, 0] = 2
    cycle = cycle_outcome(PROFIT, alternating, GRID, 0, BENCH, 0.95)
    assert sorted(cycle.states.tolist()) == [0, COOPERATE] and cycle.delta == pytest.approx(0.5, abs=1e-9)
    np.testing.assert_allclose(cycle.price, [0.5 * (LOW + HIGH)] * 2)


def test_grim_trigger_is_an_equilibrium_when_patient_and_not_when_impatient():
    greedy = grim_trigger_pair()
    patient = cycle_outcome(PROFIT, greedy, GRID, COOPERATE, BENCH, 0.95)
    assert patient.is_nash and patient.one_shot_proof
    impatient = cycle_outcome(PROFIT, greedy, GRID, COOPERATE, BENCH, 0.05)
    assert not impatient.is_nash and not impatient.one_shot_proof and np.all(impatient.best_reply_gap > 0.0)


def test_impulse_response_of_grim_trigger_by_hand():
    greedy = grim_trigger_pair()
    delta = 0.95
    impulse = impulse_response(PROFIT, greedy, GRID, COOPERATE, 0, delta, periods=5)
    deviation = int(np.argmax([PROFIT[a * 3 + 2, 0] for a in range(3)]))
    assert deviation != 2
    expected = [[HIGH, HIGH], [GRID[deviation], HIGH]] + [[LOW, LOW]] * 4
    np.testing.assert_allclose(impulse.price, expected)
    np.testing.assert_allclose(impulse.profit[1], PROFIT[deviation * 3 + 2])
    nash, monopoly = PROFIT[0, 0], PROFIT[COOPERATE, 0]
    gain = PROFIT[deviation * 3 + 2, 0] + delta * nash / (1 - delta) - monopoly / (1 - delta)
    assert impulse.gain == pytest.approx(gain, rel=1e-12)
    assert not impulse.profitable
    assert impulse_response(PROFIT, greedy, GRID, COOPERATE, 0, 0.05).profitable


def test_the_packages_deviation_checks_of_grim_trigger_by_hand():
    """Every seller deviates from the one cycle state: the patient punishment makes both deviations incentive
    compatible, the rival drops from the monopoly to the Nash price, and play never returns to the cycle (the
    package then counts the periods to the first state of the new cycle, (Nash, Nash), reached in period 2)."""
    greedy = grim_trigger_pair()
    patient = deviations(PROFIT, greedy, GRID, np.array([COOPERATE]), 0.95)
    np.testing.assert_array_equal(patient.incentive_compatible, [[True], [True]])
    np.testing.assert_allclose(patient.price_response, (LOW - HIGH) / HIGH)
    np.testing.assert_array_equal(patient.punishment_length, [[2], [2]])
    assert patient.rows == 2
    assert not deviations(PROFIT, greedy, GRID, np.array([COOPERATE]), 0.05).incentive_compatible.any()


def test_a_deviation_that_is_the_learned_action_is_a_tie_and_not_incentive_compatible():
    """Both always charge the Nash price: the static best response is the learned action, so the deviation's
    value equals it. The package counts the tie as not incentive compatible; our older measure (a deviation whose
    gain is not positive is unprofitable) counts it as unprofitable."""
    greedy = np.zeros((2, 9), dtype=np.int64)
    checks = deviations(PROFIT, greedy, GRID, np.array([0]), 0.95)
    assert not checks.incentive_compatible.any()
    np.testing.assert_array_equal(checks.punishment_length, [[1], [1]])  # the deviation state is the cycle's own
    np.testing.assert_array_equal(checks.price_response, 0.0)
    assert not impulse_response(PROFIT, greedy, GRID, 0, 0, 0.95).profitable
