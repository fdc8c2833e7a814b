"""The report's plots, from the harness's DataFrames; each function writes one PNG.

matplotlib is imported here, with the file-only Agg backend, and only when a
report is made: `import comparisons` stays light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLORS = {"numpy": "#1f77b4", "torch": "#d62728", "jax": "#2ca02c", "oracle": "#000000"}
STYLES = {"triptych": "-", "idiomatic": "--", "gemm": ":", "nojit": "-."}
ALPHAS = {"triptych": 1.0, "idiomatic": 0.6, "gemm": 0.3, "nojit": 0.15}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed, none opened
    import matplotlib.pyplot as plt

    return plt


def loss_curves(frame: pd.DataFrame, dataset: str, dtype: str, path) -> None:
    """Each backend's loss per step overlaid on the oracle's; below, how far each
    strays from the oracle (loss difference and parameter distance, log scale)."""
    plt = _pyplot()
    rows = frame[(frame.dataset == dataset) & (frame.dtype == dtype)]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True,
                                      height_ratios=(3, 2))  # fmt: skip
    first = rows[rows.backend == rows.backend.iloc[0]]
    top.plot(first.step, first.oracle_loss, color=COLORS["oracle"], lw=3, alpha=0.25,
             label="float64 oracle")  # fmt: skip
    for backend, group in rows.groupby("backend", sort=False):
        color = COLORS.get(backend)
        top.plot(group.step, group.loss, color=color, lw=1, label=backend)
        bottom.semilogy(group.step, group.param_dist.clip(lower=1e-18), color=color,
                        label=f"{backend}: parameter distance")  # fmt: skip
        bottom.semilogy(group.step, group.loss_diff.clip(lower=1e-18), color=color,
                        ls=":", label=f"{backend}: |loss - oracle loss|")  # fmt: skip
    top.set_ylabel("batch loss")
    top.set_title(
        f"{dataset}, {dtype}: training from the same start on the same batches"
    )
    top.legend(fontsize=8)
    bottom.set_xlabel("step")
    bottom.set_ylabel("drift from the oracle")
    bottom.legend(fontsize=7, ncol=2)
    bottom.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def step_times(frame: pd.DataFrame, path) -> None:
    """Time per call against batch size (log-log), one panel per op; our backends
    solid, the idiomatic baselines dashed, the GEMM floors dotted."""
    plt = _pyplot()
    ops = list(dict.fromkeys(frame.op))
    sizes = _main_sizes(frame)
    fig, axes = plt.subplots(1, len(ops), figsize=(5 * len(ops), 4.2), squeeze=False)
    for ax, op in zip(axes[0], ops):
        rows = frame[(frame.op == op) & (frame.sizes == sizes)]
        medians = rows.groupby(
            ["backend", "variant", "batch"], sort=False
        ).median_s.median()
        for (backend, variant), series in medians.groupby(level=[0, 1], sort=False):
            series = series.droplevel([0, 1]).sort_index()
            ax.loglog(series.index, series.values, marker="o", ms=3,
                      color=COLORS.get(backend), ls=STYLES.get(variant, "-"),
                      label=f"{backend} {variant}")  # fmt: skip
        ax.set_title(f"{op}, {sizes}")
        ax.set_xlabel("batch size")
        ax.set_ylabel("seconds per step (median)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def gflops(frame: pd.DataFrame, path) -> None:
    """Achieved GFLOP/s of each backend's variants per grid point: the train step."""
    plt = _pyplot()
    rows = frame[frame.op == "train_step"]
    table = rows.groupby(
        ["sizes", "batch", "backend", "variant"], sort=False
    ).gflops.median()
    table = table.unstack(["backend", "variant"])
    labels = [f"{s}\nbatch {b}" for s, b in table.index]
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(labels)), 4.2))
    width = 0.8 / max(len(table.columns), 1)
    for i, (backend, variant) in enumerate(table.columns):
        ax.bar(np.arange(len(labels)) + i * width, table[(backend, variant)], width,
               color=COLORS.get(backend), alpha=ALPHAS.get(variant, 1.0),
               label=f"{backend} {variant}")  # fmt: skip
    ax.set_xticks(np.arange(len(labels)) + 0.4 - width / 2, labels, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("GFLOP/s (analytic FLOPs / median time)")
    ax.set_title("train step: achieved GFLOP/s")
    ax.legend(fontsize=7, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(True, axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def error_heatmap(frame: pd.DataFrame, path) -> None:
    """log10 of the worst error relative to its tolerance, per backend (rows) and
    quantity (columns), against the oracle: below 0 passes."""
    plt = _pyplot()
    rows = frame[frame.against == "oracle"].copy()
    rows["family"] = rows.quantity.str.replace(r"\[\d+\]", "", regex=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["share"] = np.where(rows.tol > 0, rows.max_abs_err / rows.tol, np.inf)
    table = (
        rows.groupby(["backend", "family"], sort=False).share.max().unstack("family")
    )
    values = np.log10(table.to_numpy(dtype=float).clip(1e-8, 1e8))
    size = (min(16, max(7, 0.5 * table.shape[1] + 2)), 3 + 0.5 * len(table))
    fig, ax = plt.subplots(figsize=size)
    image = ax.imshow(values, cmap="RdYlGn_r", vmin=-4, vmax=2, aspect="auto")
    ax.set_xticks(
        range(table.shape[1]), table.columns, rotation=60, ha="right", fontsize=8
    )
    ax.set_yticks(range(len(table)), table.index)
    for (i, j), value in np.ndenumerate(values):
        label = "exact" if value <= -8 else f"{value:.1f}"
        ax.text(j, i, label, ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, label="log10(error / tol)", shrink=0.8)
    ax.set_title("worst error against the float64 oracle, as a share of its tolerance")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _main_sizes(frame: pd.DataFrame) -> str:
    """The network timed at the most batch sizes: the one to draw against batch."""
    return frame.groupby("sizes").batch.nunique().idxmax()
