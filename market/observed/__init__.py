"""Observed prices: the one reader of price panels, their grids, and inference of the repricers behind them.

``read`` turns a CSV or Parquet panel (``time, seller, price`` and optional columns) into checked,
sorted :class:`~market.observed.read.Observations`; ``grid`` puts them on a regular grid (prices
carried forward, for the screens; or one cell per tick with gaps left open, for inference);
``cadence``, ``replay``, ``infer``, ``follow`` and ``fragment`` tell which registered rule each seller
runs, how often and how late; ``tracking`` is the tracking-correlation baseline of Chen, Mislove and
Wilson (2016). Nothing here reads the engine's state: a panel is all they see.
"""
