"""Learning sellers: Q-learning sessions (Calvano et al. 2020; Klein 2021), outcomes and many sessions."""
