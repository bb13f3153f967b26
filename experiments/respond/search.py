r"""One seller's best response: the settings that maximise its profit, the others' settings fixed.

For each option (its current strategy, then each rule of its menu) the search runs over the option's
knobs one at a time (coordinate search), from the seller's current values (a rule of the menu: from its
defaults). On each knob it evaluates the coarse grid with the other knobs held, then finer grids between
the best value's neighbours (:mod:`experiments.respond.knob`), and moves the knob to the best value
found. Sweeps over all knobs repeat until one moves none (at most ``SWEEPS``). The best option wins.

Ties (values within ``TIE`` relative of the best, as in a flat region where several settings give the
same play) go to the value closest to the current one, then the smallest, so that a seller does not move
without a gain and the result does not depend on the order of evaluation. The search is local after the
coarse grid: the best response found is the best on the grids searched, which the report states with the
grid size and the resolution.
"""

from collections.abc import Callable

from experiments.respond.knob import Knob
from experiments.respond.space import Option, Responder, Setting

SWEEPS = 4
TIE = 1e-12

Values = Callable[[list[Setting]], list[float]]


def best_response(responder: Responder, current: Setting, values: Values, points: int,
                  resolution: float) -> tuple[Setting, float]:
    """The best setting found for ``responder`` and its value, ``values(settings)`` giving the responder's profit
    per tick for each of its candidate settings (the others' fixed)."""
    best = None
    for option in responder.options:
        start = _clipped(option, current) if option.strategy == current.strategy else option.start
        found = coordinate_search(option, start, values, points, resolution)
        if best is None or found[1] > best[1] + TIE * (1.0 + abs(best[1])):
            best = found
    return best


def coordinate_search(option: Option, start: Setting, values: Values, points: int,
                      resolution: float) -> tuple[Setting, float]:
    """Line searches over each knob of ``option`` in turn, from ``start``, until a sweep moves none."""
    point, value = start, values([start])[0]
    for _ in range(SWEEPS):
        moved = False
        for knob in option.knobs:
            x, v = line_search(knob, point, value, values, points, resolution)
            if x != point.get(knob.name):
                point, value, moved = point.with_value(knob.name, x), v, True
        if not moved:
            break
    return point, value


def line_search(knob: Knob, point: Setting, value: float, values: Values, points: int,
                resolution: float) -> tuple[float | int, float]:
    """The best value of ``knob`` from ``point`` (whose value is ``value``): the coarse grid, then finer grids
    between the best value's neighbours until they are ``resolution`` of the range apart."""
    current = point.get(knob.name)
    seen = {current: value}

    def look(xs: list) -> int:
        new = [x for x in xs if x not in seen]
        if new:
            seen.update(zip(new, values([point.with_value(knob.name, x) for x in new]), strict=True))
        return len(new)

    look(knob.coarse(points))
    while True:
        best = pick(seen, current)
        xs = sorted(seen)
        k = xs.index(best)
        left, right = xs[max(k - 1, 0)], xs[min(k + 1, len(xs) - 1)]
        if knob.fine_enough(left, best, right, resolution) or not look(knob.between(left, right, points)):
            return best, seen[best]


def pick(seen: dict, current: float) -> float:
    """The best of ``seen`` ({value of the knob: profit}); ties (within ``TIE``) to the closest to ``current``,
    then the smallest."""
    top = max(seen.values())
    ties = [x for x, v in seen.items() if v >= top - TIE * (1.0 + abs(top))]
    return min(ties, key=lambda x: (abs(x - current), x))


def _clipped(option: Option, current: Setting) -> Setting:
    """``current`` with each value moved into its knob's range (the search's start; the status quo itself stays
    available to the seller whatever the ranges)."""
    return Setting(current.strategy, tuple((k.name, k.clip(current.get(k.name))) for k in option.knobs))
