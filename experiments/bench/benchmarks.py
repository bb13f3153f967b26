"""Benchmarks' speed: the display-aware best response (calls per second) and the display-aware benchmarks of a
platform market (seconds, its best-response cycle included), against the display-blind ones."""

from experiments.bench import best_of, measurement
from experiments.configs import resolve
from market.benchmarks import solve
from market.benchmarks.display import display_best_response, work_arrays
from market.benchmarks.display_game import _solve
from market.scenario import Scenario


def best_responses_per_second():
    """One seller's best response in dma_self_preferencing (the platform against three rivals), display-aware and
    display-blind, best of 5 runs of 10,000 calls."""
    scenario = Scenario.from_toml(resolve("dma_self_preferencing"))
    game, display = scenario.static_game(), scenario.display()
    market, work = display.market(game), work_arrays(*game.visibility.shape)
    price = scenario.plain_benchmarks.nash_price.copy()
    calls = 10_000

    def aware():
        for _ in range(calls):
            display_best_response(0, price, market, display.buybox, display.self_preference, -1, work)

    def blind():
        for _ in range(calls):
            game.best_response(0, price)

    aware()
    blind()
    yield measurement("benchmarks.best_response_per_second.display", calls / best_of(aware), "calls/s")
    yield measurement("benchmarks.best_response_per_second.blind", calls / best_of(blind), "calls/s")


def display_benchmarks_seconds():
    """dma_self_preferencing's benchmarks under the display (no pure equilibrium: its best-response cycle is
    played), computed each time (not read from ``market.benchmarks.store``), and without the display."""
    scenario = Scenario.from_toml(resolve("dma_self_preferencing"))
    game, display = scenario.static_game(), scenario.display()

    def aware():
        _solve(game, display)

    aware()
    yield measurement("benchmarks.solve_seconds.dma_self_preferencing.display", best_of(aware, 3), "s")
    yield measurement("benchmarks.solve_seconds.dma_self_preferencing.blind", best_of(lambda: solve(game), 3), "s")


BENCHMARKS = [best_responses_per_second, display_benchmarks_seconds]
