"""Benchmark modules for ``pricelab bench``: each lists its functions in ``BENCHMARKS``."""

import time


def best_of(function, repeats: int = 5) -> float:
    """Shortest wall time of ``repeats`` calls of ``function()``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def measurement(name: str, value: float, unit: str) -> dict:
    return {"name": name, "value": float(value), "unit": unit}
