"""One contract for every registered strategy, run through the engine against scripted rivals.

Whatever the strategy, its seller's prices are finite and positive (the dispatch knows every
registered kernel), the same on the same seed, and its classifier matches what it does: a
strategy that is not stochastic gives the same prices on another seed, one that neither learns
nor uses rivals' prices gives the same prices whatever the rivals do, one that does not read the
clock (and draws nothing at random) gives the same prices on a clock started seven hours later,
and a strategy writes no memory slot beyond those its spec declares. A new strategy is checked
here without a line added.

Each strategy also meets the edge cases where a rule can go wrong (a rival's price + 5% is inf when it sees
no rival): alone in its market (no rival seen), against rivals priced at its cost (its floor), and with a
cost above its ceiling. The engine refuses a price that is not finite or is negative (``PriceError``), so
these runs passing means every price was one.
"""

import numpy as np
import pytest

from market import engine, strategies
from market.scenario import Scenario
from market.strategies import registry
from market.strategies.dispatch import rule_price

TICKS = 80
RIVALS = (0, 1)  # the platform and a shop, both scripted; seller 2 plays the strategy under test


def script(shift: float) -> np.ndarray:
    """Rival prices of ticks -1 (their initial prices) to TICKS - 1: a saw from 1.2 to 2.4, below the Nash and above
    the monopoly prices, phase-shifted."""
    t = np.arange(-1, TICKS)[:, None] + np.array([0.0, 0.5])
    return 1.2 + 1.2 * ((t * 0.07 + shift) % 1.0)


def market(name: str, seed: int, initial: np.ndarray, me: dict | None = None, alone: bool = False) -> Scenario:
    rival = {"strategy": "fixed", "params": {"price": 1.7}}
    sellers = [{"name": "platform", "role": "platform", **rival, "initial_price": float(initial[0])},
               {"name": "shop", **rival, "initial_price": float(initial[1])},
               {"name": "me", "strategy": name, **(me or {})}]
    if alone:
        sellers = [{**sellers[2], "role": "platform"}]
    return Scenario.from_dict({"horizon": TICKS, "seed": seed, "history": 16, "sellers": sellers,
                               "demand": {"shoppers_per_tick": 10.0, "platform_only_share": 0.2}})


def play(name: str, seed: int = 1, shift: float = 0.0, start: int = 0):
    """The strategy's prices over the horizon against the scripted rivals, and the state at the end; the clock
    starts at tick ``start`` (``start`` x 10 minutes after day 0, 00:00)."""
    path = script(shift)
    state = engine.build_state(market(name, seed, path[0]))
    state.clock[0] = state.origin[0] = start
    state.sellers.next_reprice[:] += start
    for t in range(TICKS):
        for k, rival in enumerate(RIVALS):
            engine.force_price(state, rival, float(path[t + 1, k]), 1)
        engine.advance(state, 1)
    return state.records.price[:, 2].copy(), state


@pytest.mark.parametrize("name", strategies.names())
def test_every_registered_strategy_keeps_the_contract(name):
    spec = strategies.get(name)
    price, state = play(name)
    assert np.all(np.isfinite(price)) and np.all(price > 0.0), price
    np.testing.assert_array_equal(play(name)[0], price)
    assert np.all(state.sellers.memory[2, spec.memory:] == 0.0), "memory beyond the spec's slots"
    if not spec.stochastic:
        np.testing.assert_array_equal(play(name, seed=2)[0], price)
    if not (spec.learns or spec.uses_rival_prices):
        np.testing.assert_array_equal(play(name, shift=0.5)[0], price)
    if spec.uses_rival_prices and not spec.learns:
        assert not np.array_equal(play(name, shift=0.5)[0], price), "it uses rivals' prices but ignores them"
    later = play(name, start=42)[0]
    if not (spec.uses_clock or spec.stochastic):
        np.testing.assert_array_equal(later, price)
    if spec.uses_clock:
        assert not np.array_equal(later, price), "it reads the clock but ignores it"


def test_a_spec_without_a_kernel_or_after_the_dispatch_is_refused():
    with pytest.raises(ValueError, match="strategy 'nothing' needs a kernel"):
        registry.register(strategies.StrategySpec(name="nothing", doc="", source=""))
    with pytest.raises(ValueError, match="strategy 'late' is registered after the dispatch was built"):
        registry.register(strategies.StrategySpec(name="late", doc="", source="", kernel=rule_price))
    assert "late" not in strategies.names()


def edge_prices(name: str, case: str) -> np.ndarray:
    """The strategy's prices in one of the edge cases of the module docstring."""
    spec = strategies.get(name)
    if case == "no_rival":
        state = engine.build_state(market(name, 1, script(0.0)[0], alone=True))
        engine.advance(state, TICKS)
        return state.records.price[:, 0]
    cost = 1.0 if case == "rival_at_floor" else 3.0
    params = {"ceiling": 2.0} if case == "cost_above_ceiling" and "ceiling" in [p.name for p in spec.params] else {}
    state = engine.build_state(market(name, 1, np.full(2, cost), me={"cost": cost, "params": params}))
    for _ in range(TICKS):
        for rival in RIVALS:
            engine.force_price(state, rival, cost, 1)
        engine.advance(state, 1)
    return state.records.price[:, 2]


@pytest.mark.parametrize("case", ["no_rival", "rival_at_floor", "cost_above_ceiling"])
@pytest.mark.parametrize("name", strategies.names())
def test_every_strategy_prices_at_the_edges(name, case):
    price = edge_prices(name, case)
    assert np.all(np.isfinite(price)) and np.all(price >= 0.0), price
