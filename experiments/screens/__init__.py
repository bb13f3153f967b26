"""Collusion screens for regulators: scores on a price panel, calibrated on simulated markets.

``panel`` reads and grids a panel; ``measures`` and ``comovement`` are the screens, listed in
``catalog``; ``markets``, ``simulate``, ``calibration``, ``study`` and ``report`` measure their
error rates on simulated competitive and collusive markets; ``apply`` screens an observed panel.
"""
