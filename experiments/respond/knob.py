r"""One setting a responder chooses: its range, whether it is a whole number, and the grids searched on it.

A real setting :math:`x \in [a, b]` is searched first on the coarse grid of ``points`` equally spaced
values, then on finer grids of ``points`` values between the best value's neighbours, until the step is
at most ``resolution`` :math:`(b - a)`. A whole-number setting (a period, a count of repricings) is
searched on geometrically spaced values, :math:`a - 1 + (b - a + 1)^{k/(K-1)}` rounded, :math:`k = 0..K-1`
(1, 2, 3, 6, 12, 22, 42, 77, 144 ticks for a period from a tick to a day), because what matters is its
order of magnitude; finer grids then fill in the whole numbers between the best value's neighbours.
"""

from dataclasses import dataclass

import numpy as np

PERIOD = "period"


@dataclass(frozen=True)
class Knob:
    """A setting named ``name`` (a strategy parameter, or ``period``) chosen in ``[low, high]``."""

    name: str
    low: float
    high: float
    integer: bool = False

    def clip(self, value: float) -> float | int:
        """``value`` moved into the range (rounded to a whole number for a whole-number setting)."""
        clipped = min(max(value, self.low), self.high)
        return int(round(clipped)) if self.integer else float(clipped)

    def coarse(self, points: int) -> list[float | int]:
        """The first grid: ``points`` values over the whole range (module docstring)."""
        if self.integer:
            span = self.high - self.low + 1
            return self._whole(self.low - 1 + np.geomspace(1, span, points))
        return [float(x) for x in np.unique(np.linspace(self.low, self.high, points))]

    def between(self, left: float, right: float, points: int) -> list[float | int]:
        """A finer grid of ``points`` values from ``left`` to ``right`` (every whole number when fewer)."""
        if self.integer:
            if right - left + 1 <= points:
                return list(range(int(left), int(right) + 1))
            return self._whole(np.linspace(left, right, points))
        return [float(x) for x in np.unique(np.linspace(left, right, points))]

    def fine_enough(self, left: float, best: float, right: float, resolution: float) -> bool:
        """Whether the search around ``best`` (its evaluated neighbours ``left`` and ``right``, ``best`` itself at
        an end of the range) is done: no untried whole number lies between them, or (a real setting) both are
        within ``resolution`` of the range of it."""
        if self.integer:
            return best - left <= 1 and right - best <= 1
        return max(best - left, right - best) <= resolution * (self.high - self.low)

    def _whole(self, values: np.ndarray) -> list[int]:
        return sorted({int(v) for v in np.clip(np.rint(values), self.low, self.high)})
