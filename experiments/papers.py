"""What the replicated papers report, with sources: the figures ``pricelab replicate`` puts beside its own.

A figure applies to the design it was published for (the paper's baseline, or a variant such as three
sellers); ``figures(paper, design)`` returns those that apply to the design being run, so a report never
sets the baseline's number beside a variant's result. ``hand`` says how the figure was read: from the
paper or the authors' replication package (first-hand), or from another's reading of it (second-hand);
``se`` its standard error where one can be derived.
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
    """A published figure for the statistic ``statistic`` of ``pricelab replicate``'s headline.

    ``hand`` says how it was read (first-hand: in the paper's text or tables, or in the output the authors'
    package prints; second-hand: someone else's reading, e.g. off a plot). ``se`` is the figure's own standard
    error where the source allows one to be derived (``se_how`` says how), for a test of our estimate against
    it that counts the paper's sampling error too; None where it does not (the test then treats the figure as
    exact, which overstates |z|).
    """

    statistic: str
    label: str
    value: float
    source: str
    hand: str = "first-hand"
    design: dict = field(default_factory=dict)   # how the design differs from the paper's baseline
    note: str = ""
    se: float | None = None
    se_how: str = ""


SESSIONS = 1000  # the sessions behind every figure of Calvano et al.'s Table 1 and package


def _share_se(share: float, n: int = SESSIONS) -> float:
    """Binomial standard error of a share of ``n`` independent sessions."""
    return (share * (1.0 - share) / n) ** 0.5


TABLE_1 = "first-hand: the paper's Table 1 (p. 3277)"
PACKAGE_A10 = ("first-hand: the benchmark row of table_A10.txt that the package's R script table_A10.R prints "
               "(column {column})")
FIGURES = {
    "calvano2020": (
        Figure("delta_mean", "average profit gain Delta", 0.849, f"{CALVANO}, Table 1 ('All')", hand=TABLE_1,
               se=0.112 / SESSIONS**0.5, se_how="the table's standard deviation 0.112 over 1,000 sessions"),
        Figure("delta_sd", "standard deviation of Delta across sessions", 0.112, f"{CALVANO}, Table 1", hand=TABLE_1),
        Figure("converged_share", "share of sessions converged", 1.0,
               f"{CALVANO_PACKAGE}: 1,000 of 1,000 (the paper: 'nearly all sessions converged', p. 3276)",
               hand="the package's output as run by the project's audit (built with gfortran), not re-run here",
               se=0.0, se_how="1,000 of 1,000: no sampling spread"),
        Figure("periods_mean", "periods to convergence (the last change plus the 100,000-period check)", 1_851_250,
               f"{CALVANO_PACKAGE}: average time to convergence 70.05 episodes of 25,000 periods, plus 100,000",
               hand="the package's output as run by the project's audit (built with gfortran), not re-run here",
               note="derived from the package's episodes"),
        Figure("price_mean", "mean price on the limit cycle", 1.7913,
               f"{CALVANO_PACKAGE}: cycle-average prices of the 1,000 sessions",
               hand="the package's output as run by the project's audit (built with gfortran), not re-run here",
               note="averaged by us"),
        Figure("cycle_share_1", "share of sessions with a limit cycle of length 1", 0.643, f"{CALVANO}, Table 1",
               hand=TABLE_1, se=_share_se(0.643), se_how="binomial, 1,000 sessions"),
        Figure("cycle_share_2", "share with a limit cycle of length 2", 0.238, f"{CALVANO}, Table 1", hand=TABLE_1,
               se=_share_se(0.238), se_how="binomial, 1,000 sessions"),
        Figure("cycle_share_3plus", "share with a limit cycle of length 3 or more", 0.119, f"{CALVANO}, Table 1",
               hand=TABLE_1, se=_share_se(0.119), se_how="binomial, 1,000 sessions"),
        Figure("one_shot_proof_share", "share of sessions in equilibrium on path (no one-period deviation on the "
               "cycle pays, then own learned strategy)", 0.505, f"{CALVANO}, Table 1 'Frequency of Nash "
               "equilibria'; the test of EquilibriumCheck.f90 in their package", hand=TABLE_1,
               se=_share_se(0.505), se_how="binomial, 1,000 sessions"),
        Figure("ic_share", "incentive compatibility: share of deviations to the static best response, by every seller "
               "from every cycle state, whose true discounted value is strictly below the learned action's", 0.936,
               f"{CALVANO_PACKAGE}, table_A10 and table_A14 'IC' (baseline row); the paper: 'in more than 95 percent "
               "of the cases', Table 3 panel B, p. 3284", hand=PACKAGE_A10.format(column="IC"),
               note="pooled over session x deviating seller x cycle state, as the package's R scripts compute it"),
        Figure("unprofitable_deviation_share", "the same, measured our old way: seller 1 deviates from the first "
               "cycle state only, and a tie counts as unprofitable", 0.936,
               f"{CALVANO_PACKAGE}, table_A10 'IC'", hand=PACKAGE_A10.format(column="IC"),
               note="a different measure from the package's: set beside it to show what the measure changes"),
        Figure("price_response_mean", "the non-deviator's relative price change in the period after the deviation "
               "(IR)", -0.127, f"{CALVANO_PACKAGE}, table_A10 'IR' (baseline row); the paper's Table 2 panel A by "
               "pre-shock price (-0.04 to -0.21)", hand=PACKAGE_A10.format(column="IR"),
               note="pooled over session x deviating seller x cycle state"),
        Figure("punishment_length_mean", "periods until play is back on the pre-deviation cycle (the package's "
               "ShockLength)", 5.705, f"{CALVANO_PACKAGE}, table_A10 'Punishment Length' (baseline row); the "
               "paper: 'the punishment ends after 5-7 periods', p. 3284",
               hand=PACKAGE_A10.format(column="Punishment Length"),
               note="pooled over session x deviating seller x cycle state"),
        Figure("delta_mean", "average profit gain Delta, three sellers", 0.643, f"{CALVANO}, section V.A ('64 "
               "percent'); {CALVANO_PACKAGE}, table_A4 (alpha 0.15, beta 4e-6)",
               hand="first-hand: table_A4.txt of the package's R scripts, and the paper's text",
               design={"n": 3, "costs": (1.0,) * 3, "qualities": (2.0,) * 3}),
        Figure("one_shot_proof_share", "share in equilibrium on path, three sellers", 0.184,
               f"{CALVANO_PACKAGE}, table_A4 'EqOnPath'", hand="first-hand: table_A4.txt of the package's R scripts",
               design={"n": 3, "costs": (1.0,) * 3, "qualities": (2.0,) * 3}, se=_share_se(0.184),
               se_how="binomial, 1,000 sessions"),
        Figure("ic_share", "incentive compatibility (package's measure), three sellers", 0.882,
               f"{CALVANO_PACKAGE}, table_A4 'IC'", hand="first-hand: table_A4.txt of the package's R scripts",
               design={"n": 3, "costs": (1.0,) * 3, "qualities": (2.0,) * 3}),
        Figure("price_response_mean", "non-deviators' price change after a deviation (IR), three sellers", -0.078,
               f"{CALVANO_PACKAGE}, table_A4 'IR'", hand="first-hand: table_A4.txt of the package's R scripts",
               design={"n": 3, "costs": (1.0,) * 3, "qualities": (2.0,) * 3}),
        Figure("punishment_length_mean", "punishment length, three sellers", 11.686,
               f"{CALVANO_PACKAGE}, table_A4 'Punishment Length'",
               hand="first-hand: table_A4.txt of the package's R scripts",
               design={"n": 3, "costs": (1.0,) * 3, "qualities": (2.0,) * 3}),
        Figure("delta_mean", "average profit gain Delta, four sellers", 0.56, f"{CALVANO}, section V.A",
               hand="first-hand: the paper's text ('a substantial 56 percent'), rounded to a percent",
               design={"n": 4, "costs": (1.0,) * 4, "qualities": (2.0,) * 4}),
        Figure("delta_mean", "average profit gain Delta, costs 1 and 0.5", 0.759, f"{CALVANO}, Table 4",
               hand="first-hand: the paper's Table 4 (c2 = 0.500)", design={"costs": (1.0, 0.5)}),
    ),
    "klein2021": (
        Figure("profit_mean", "mean profit per seller on the limit cycle (Klein's profitability), k = 6",
               0.109, f"{KLEIN}, Figure 1, p. 548", hand="second-hand: read off the figure by an earlier reader "
               "(about 0.108-0.110); the paper's text was not available here to check"),
        Figure("profit_mean", "mean profit per seller (Klein's profitability), k = 12", 0.101,
               f"{KLEIN}, Figure 4, p. 550", hand="second-hand: read off the figure by an earlier reader; not "
               "checked against the paper here", design={"k": 12}),
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
