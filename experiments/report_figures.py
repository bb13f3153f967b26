"""PNG figures for the replication reports (matplotlib, Agg backend)."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def draw(out: Path, paper: str, setup, results: list, grid, alphas, betas,
         paper_delta: float | None) -> list[tuple[str, str]]:
    """Draw the report's figures into ``out`` (``paper_delta``: the paper's mean Delta for this design, if any);
    returns (file name, caption) pairs."""
    figures = [_histogram(out, paper, results, paper_delta), _cycle_lengths(out, results)]
    if paper == "calvano2020":
        figures.append(_impulse(out, setup, results))
        if grid is not None:
            figures.append(_heatmap(out, grid, alphas, betas))
    return figures


def _save(fig, out: Path, name: str) -> None:
    fig.tight_layout()
    fig.savefig(out / name, dpi=120)
    plt.close(fig)


def _histogram(out: Path, paper: str, results: list, paper_delta: float | None) -> tuple[str, str]:
    fig, ax = plt.subplots(figsize=(6, 4))
    if paper == "calvano2020":
        values = [r.delta for r in results]
        caption = "Profit gain Delta across sessions (ours)."
        if paper_delta is not None:
            ax.axvline(paper_delta, color="k", linestyle="--", label=f"paper's mean ({paper_delta})")
            caption = "Profit gain Delta across sessions (ours; the dashed line is the paper's mean)."
        ax.set_xlabel("profit gain Delta over the limit cycle")
    else:
        values = [r.profitability for r in results]
        ax.set_xlabel("profitability (mean profit / joint-profit optimum 1/8)")
        caption = "Klein's profitability across sessions (ours)."
    ax.hist(values, bins=30, color="tab:blue", alpha=0.8, label=f"ours (mean {np.mean(values):.3f})")
    ax.set_ylabel("sessions")
    ax.legend()
    _save(fig, out, "delta_histogram.png")
    return "delta_histogram.png", caption


def _cycle_lengths(out: Path, results: list) -> tuple[str, str]:
    lengths, counts = np.unique([r.cycle_length for r in results], return_counts=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar([str(k) for k in lengths], counts / counts.sum(), color="tab:green")
    ax.set_xlabel("length of the limit cycle (periods)")
    ax.set_ylabel("share of sessions")
    _save(fig, out, "cycle_lengths.png")
    return "cycle_lengths.png", "Length of greedy play's limit cycle."


def _impulse(out: Path, setup, results: list) -> tuple[str, str]:
    price = np.mean([r.impulse_price for r in results], axis=0)
    periods = np.arange(price.shape[0])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(periods, price[:, 0], "o-", label="deviating seller")
    ax.plot(periods, price[:, 1:].mean(axis=1), "s-", label="other sellers (mean)")
    ax.axhline(np.mean(setup.benchmarks.nash_price), color="r", linestyle=":", label="static Nash price")
    ax.axhline(np.mean(setup.benchmarks.monopoly_price), color="k", linestyle=":", label="monopoly price")
    ax.set_xlabel("period (0: before the shock; 1: forced deviation)")
    ax.set_ylabel("average price")
    ax.legend()
    _save(fig, out, "impulse_response.png")
    return "impulse_response.png", ("Average impulse response (ours), to set beside the paper's Figure 4: one "
                                    "seller deviates to its static best response for one period.")


def _heatmap(out: Path, grid, alphas, betas) -> tuple[str, str]:
    fig, ax = plt.subplots(figsize=(6, 5))
    image = ax.imshow(grid, origin="lower", cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(betas)), [f"{b:.1e}" for b in betas], rotation=30)
    ax.set_yticks(range(len(alphas)), [f"{a:g}" for a in alphas])
    for a in range(grid.shape[0]):
        for b in range(grid.shape[1]):
            ax.text(b, a, f"{grid[a, b]:.2f}", ha="center", va="center", color="w")
    ax.set_xlabel("beta")
    ax.set_ylabel("alpha")
    fig.colorbar(image, label="mean Delta")
    _save(fig, out, "alpha_beta_heatmap.png")
    return "alpha_beta_heatmap.png", "Mean profit gain Delta over alpha x beta (the paper's Figure 1 experiment)."
