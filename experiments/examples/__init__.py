"""Worked examples: outside algorithms in the market (pricers in Python, a tabular Q-learner, a deep-RL seller)."""
