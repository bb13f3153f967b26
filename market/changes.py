r"""What counts as a price change: one rule for the engine, the metrics, the screens and the warm-up.

A seller's price changes at tick :math:`t` when :math:`|p_{it} - p_{i,t-1}| > \tau\, |p_{i,t-1}|`, with
:math:`\tau` = ``CHANGE_TOLERANCE`` = :math:`10^{-6}` (relative). A repricer that would move its price by
less holds it: the move is no change, is not counted (``price_changes``, ``price_changes_per_day``) and
uses up no change cap (``market.engine``). The screens read observed panels by the same rule
(``market.screens.measures``) and the warm-up's cycle test compares prices with it (``market.settling``),
so a solver's rounding or the last digit of a float never counts as a change. Deliberate moves are far
larger: a step of one cent on a price of 2 is :math:`5 \times 10^{-3}`.

This module imports nothing, so that every part of the project can read the rule.
"""

CHANGE_TOLERANCE = 1e-6
