"""Calibration: a market's scenario from data, and the twin checked against the market it copies.

``panel`` reads and checks a product panel (market, product, firm, price, share or quantity); ``estimate`` gets
the logit's price coefficient from pyblp (or the user); ``logit`` inverts shares into qualities and backs costs out
of the first-order conditions; ``scenarios`` builds one scenario per market and checks it against the data;
``twin`` merges repricers inferred from observed prices and compares the simulated market with the observed one.
"""
