"""What the replicated papers report, with sources: the figures ``pricelab replicate`` puts beside its own.

A figure applies to the design it was published for (the paper's baseline, or a variant such as three
sellers); ``figures(paper, design)`` returns those that apply to the design being run, so a report never
sets the baseline's number beside a variant's result. ``hand`` says how the figure was read: from the
paper or the authors' replication package (first-hand), or from another's reading of it (second-hand).
"""

from dataclasses import dataclass, field

CALVANO = "Calvano, Calzolari, Denicolò and Pastorello (2020), AER 110(10)"
CALVANO_PACKAGE = "their replication package (Fortran and R outputs)"
KLEIN = "Klein (2021), RAND 52(3)"

CALVANO_BASELINE = {"n": 2, "costs": (1.0, 1.0), "qualities": (2.0, 2.0), "alpha": 0.15, "beta": 4e-6, "delta": 0.95,
                    "m": 15, "xi": 0.1}
KLEIN_BASELINE = {"k": 6, "alpha": 0.3, "delta": 0.95, "theta": 2.76e-5, "periods": 500_000}


@dataclass(frozen=True)
class Figure:
    """A published figure for the statistic ``statistic`` of ``pricelab replicate``'s headline."""

    statistic: str
    label: str
    value: float
    source: str
    hand: str = "first-hand"
    design: dict = field(default_factory=dict)   # how the design differs from the paper's baseline
    note: str = ""


FIGURES = {
    "calvano2020": (
        Figure("delta_mean", "average profit gain Delta", 0.849, f"{CALVANO}, Table 1 ('All'), p. 3277"),
        Figure("delta_sd", "standard deviation of Delta across sessions", 0.112, f"{CALVANO}, Table 1, p. 3277"),
        Figure("converged_share", "share of sessions converged", 1.0,
               f"{CALVANO_PACKAGE}: 1,000 of 1,000 (the paper: 'nearly all sessions converged', p. 3276)"),
        Figure("periods_mean", "periods to convergence (the last change plus the 100,000-period check)", 1_851_250,
               f"{CALVANO_PACKAGE}: average time to convergence 70.05 episodes of 25,000 periods, plus 100,000",
               note="derived from the package's episodes"),
        Figure("price_mean", "mean price on the limit cycle", 1.7913,
               f"{CALVANO_PACKAGE}: cycle-average prices of the 1,000 sessions", note="averaged by us"),
        Figure("cycle_share_1", "share of sessions with a limit cycle of length 1", 0.643, f"{CALVANO}, Table 1"),
        Figure("cycle_share_2", "share with a limit cycle of length 2", 0.238, f"{CALVANO}, Table 1"),
        Figure("cycle_share_3plus", "share with a limit cycle of length 3 or more", 0.119, f"{CALVANO}, Table 1"),
        Figure("one_shot_proof_share", "share of sessions in equilibrium on path (no one-period deviation on the "
               "cycle pays, then own learned strategy)", 0.505, f"{CALVANO}, Table 1 'Frequency of Nash "
               "equilibria'; the test of EquilibriumCheck.f90 in their package"),
        Figure("unprofitable_deviation_share", "share of sessions where the forced deviation to the static best "
               "response does not pay", 0.936, f"{CALVANO_PACKAGE} (IC); the paper: 'in more than 95 percent of the "
               "cases' over the deviation prices of Table 3, p. 3282",
               note="the package's test compares the deviator's learned Q-values; ours its realized discounted "
                    "profit along the impulse response"),
        Figure("delta_mean", "average profit gain Delta, three sellers", 0.643, f"{CALVANO}, section V.A, p. 3288",
               design={"n": 3, "costs": (1.0,) * 3, "qualities": (2.0,) * 3}),
        Figure("delta_mean", "average profit gain Delta, four sellers", 0.56, f"{CALVANO}, section V.A, p. 3288",
               design={"n": 4, "costs": (1.0,) * 4, "qualities": (2.0,) * 4}),
        Figure("delta_mean", "average profit gain Delta, costs 1 and 0.5", 0.759, f"{CALVANO}, Table 4, p. 3290",
               design={"costs": (1.0, 0.5)}),
    ),
    "klein2021": (
        Figure("profit_mean", "mean profit per seller on the limit cycle (Klein's profitability), k = 6",
               0.109, f"{KLEIN}, Figure 1, p. 548", hand="second-hand (read off the figure: about 0.108-0.110)"),
        Figure("profit_mean", "mean profit per seller (Klein's profitability), k = 12", 0.101,
               f"{KLEIN}, Figure 4, p. 550", hand="second-hand (read off the figure)", design={"k": 12}),
    ),
}


def design_differs(paper: str, design: dict) -> dict:
    """The entries of ``design`` that differ from the paper's baseline."""
    baseline = CALVANO_BASELINE if paper == "calvano2020" else KLEIN_BASELINE
    return {k: v for k, v in design.items() if k in baseline and baseline[k] != v}


def figures(paper: str, design: dict) -> list[Figure]:
    """The published figures for exactly this design: those whose design differs from the baseline as it does."""
    baseline = CALVANO_BASELINE if paper == "calvano2020" else KLEIN_BASELINE
    differs = design_differs(paper, design)
    return [f for f in FIGURES[paper] if design_differs(paper, {**baseline, **f.design}) == differs]
