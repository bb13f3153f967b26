"""Observed prices: the one reader of price panels, their grids, and inference of the repricers behind them.

``read`` turns a CSV or Parquet panel (``time, seller, price`` and optional columns) into checked,
sorted :class:`~market.observed.read.Observations`; ``grid`` puts them on a regular grid (prices
carried forward, for the screens; or one cell per tick with gaps left open, for inference).
``cadence`` finds when a seller can reprice (and its active hours), ``candidates`` fits each
registered rule inference tries, ``replay`` replays them one step ahead through the engine's
dispatch, ``infer`` chooses and measures its support, ``follow`` says who follows whom, ``resets``
finds daily resets no rule explains, and ``fragment`` writes the result as ``[[sellers]]`` tables;
``tracking`` is the tracking-correlation baseline in the manner of Chen, Mislove and Wilson (2016).
Nothing here reads the engine's state: a panel is all they see.
"""
