"""Firms that re-tune their repricers: the equilibrium in delegated strategies, per arm of a comparison.

A rule changes which settings a firm would choose for its repricer. Musolff (2022, "Algorithmic Pricing
Facilitates Tacit Collusion: Evidence from E-Commerce") finds that a model in which sellers choose their
repricers' settings ("equilibrium in delegated strategies") fits Amazon data better than Edgeworth cycles,
and that its counterfactuals differ. Here each responding seller chooses its repricer's settings (its
strategy's tunable parameters within declared ranges, its repricing period, optionally a rule from a
menu) to maximise its own measured profit per tick given the others' settings, by iterated best response
on the fast engine with common random numbers, until no seller gains more than a stated tolerance.

Modules, one concept each:

* :mod:`~experiments.respond.plan`: what the user asks (``compare --respond``, ``[respond]`` tables);
* :mod:`~experiments.respond.knob`: one tunable setting, its range and its search grids;
* :mod:`~experiments.respond.space`: what each responder may choose in a scenario (checked against the
  strategy registry), and a profile of choices applied to the scenario;
* :mod:`~experiments.respond.evaluate`: the profits of profiles, measured in parallel on common seeds;
* :mod:`~experiments.respond.search`: one seller's best response (coarse grid, then local refinement);
* :mod:`~experiments.respond.equilibrium`: iterated best response, convergence and cycles
  (:func:`equilibrium`, the Python entry point);
* :mod:`~experiments.respond.comparison` and :mod:`~experiments.respond.report`: the arms at their equilibria,
  the rule's effect with settings fixed and with firms responding side by side, and what is reported;
* :mod:`~experiments.respond.command`: ``compare --respond`` (or an arms file's ``[respond]``);
* :mod:`~experiments.respond.retune`: a sweep run with a ``[respond]`` table.

In Python::

    from experiments.configs import load
    from experiments.respond.equilibrium import equilibrium

    found = equilibrium(load("nessie"), {"platform": {"window": [1, 12]}}, workers=2)
    found.chosen, found.status, found.profit_chosen - found.profit_given, found.simulations
"""
