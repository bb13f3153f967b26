"""Collusion screens on a price panel: scores that read prices (and costs, where known), never the engine's state.

A panel is read and gridded by :mod:`market.observed` (a run's time series or observed prices);
``measures`` and ``comovement`` are the screens, listed in ``catalog``; ``apply`` scores a panel and flags
it against a calibration. The calibration itself, on simulated competitive and collusive markets, is
``experiments.screens``.
"""
