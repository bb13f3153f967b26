"""Benchmarks remembered on disk equal the computed ones bit for bit, and an edit of the sources computes them again."""

import json

import numpy as np
import pytest

from market import catalog, jit
from market.benchmarks import store
from market.benchmarks.display_game import _solve, solve_display


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty store, read from disk only (nothing remembered in this process)."""
    monkeypatch.setattr(store, "folder", lambda: tmp_path)
    monkeypatch.setattr(store, "_MEMO", {})
    return tmp_path


def same(a, b) -> bool:
    """Every field equal, arrays bit for bit (NaN equal to NaN) and of the same dtype."""
    for name, value in vars(a).items():
        other = getattr(b, name)
        if isinstance(value, np.ndarray):
            if value.dtype != other.dtype or value.tobytes() != other.tobytes():
                return False
        elif not (value == other or (value != value and other != other)):
            return False
    return True


@pytest.mark.parametrize("name", ["amazon_10min", "dma_self_preferencing"])
def test_a_stored_benchmark_is_the_computed_one_bit_for_bit(folder, name):
    scenario = catalog.load(name)
    game, display = scenario.static_game(), scenario.display()
    computed = _solve(game, display)
    first = solve_display(game, display)
    (written,) = folder.glob("benchmarks-*.json")
    store._MEMO.clear()
    read = solve_display(game, display)
    assert same(first, computed) and same(read, computed) and read is not first
    assert list(folder.glob("benchmarks-*.json")) == [written]


def test_an_edit_of_the_sources_computes_them_again_and_a_damaged_file_is_replaced(folder, monkeypatch):
    scenario = catalog.load("amazon_10min")
    game, display = scenario.static_game(), scenario.display()
    solve_display(game, display)
    (before,) = folder.glob("benchmarks-*.json")
    before.write_text('{"nash_price": [1.0')
    store._MEMO.clear()
    assert same(solve_display(game, display), _solve(game, display))
    assert json.loads(before.read_text())["nash"] == "cycle"

    monkeypatch.setattr(jit, "sources_fingerprint", lambda: "an edited kernel")
    store._MEMO.clear()
    solve_display(game, display)
    assert len(list(folder.glob("benchmarks-*.json"))) == 2


def test_nowhere_to_write_computes_them(monkeypatch):
    monkeypatch.setattr(store, "folder", lambda: None)
    monkeypatch.setattr(store, "_MEMO", {})
    scenario = catalog.load("amazon_10min")
    game, display = scenario.static_game(), scenario.display()
    assert same(solve_display(game, display), _solve(game, display))
