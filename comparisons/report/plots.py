"""The report's plots, from the harness's DataFrames; each function writes one PNG.

matplotlib is imported here, with the file-only Agg backend, and only when a
report is made: `import comparisons` stays light.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLORS = {"numpy": "#1f77b4", "torch": "#d62728", "jax": "#2ca02c", "oracle": "#000000"}
STYLES = {
    "triptych": "-",
    "compiled": (0, (5, 1)),
    "idiomatic": "--",
    "idiomatic_compiled": (0, (3, 1, 1, 1)),
    "matmuls": ":",
    "nojit": "-.",
}
MARKERS = {"numpy": "o", "torch": "s", "jax": "^"}


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
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7, 6), sharex=True, height_ratios=(3, 2)
    )
    first = rows[rows.backend == rows.backend.iloc[0]]
    top.plot(
        first.step,
        first.oracle_loss,
        color=COLORS["oracle"],
        lw=3,
        alpha=0.25,
        label="float64 oracle",
    )
    for backend, group in rows.groupby("backend", sort=False):
        color = COLORS.get(backend)
        top.plot(group.step, group.loss, color=color, lw=1, label=backend)
        bottom.semilogy(
            group.step,
            group.param_dist.clip(lower=1e-18),
            color=color,
            label=f"{backend}: parameter distance",
        )
        bottom.semilogy(
            group.step,
            group.loss_diff.clip(lower=1e-18),
            color=color,
            ls=":",
            label=f"{backend}: |loss - oracle loss|",
        )
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
    """Time per step against batch size (log-log), one panel per network timed at
    several batches: each backend's variants (ours solid, the yardsticks dashed
    and dotted) and the roofline, the least time the machine allows, in black."""
    plt = _pyplot()
    rows = frame[frame.op == "train_step"]
    networks = [
        s for s, n in rows.groupby("sizes", sort=False).batch.nunique().items() if n > 1
    ] or list(dict.fromkeys(rows.sizes))
    fig, axes = plt.subplots(
        1, len(networks), figsize=(6 * len(networks), 4.6), squeeze=False
    )
    for ax, sizes in zip(axes[0], networks):
        mine = rows[rows.sizes == sizes]
        medians = mine.groupby(["backend", "variant", "batch"], sort=False).median_s
        for (backend, variant), series in medians.median().groupby(level=[0, 1]):
            series = series.droplevel([0, 1]).sort_index()
            ax.loglog(
                series.index,
                series.values,
                marker="o",
                ms=3,
                color=COLORS.get(backend),
                ls=STYLES.get(variant, "-"),
                alpha=1.0 if variant == "triptych" else 0.55,
                label=f"{backend} {variant}",
            )
        roof = mine.groupby("batch").roofline_s.first().sort_index()
        ax.loglog(
            roof.index,
            roof.values,
            color="black",
            lw=2.5,
            label="roofline (least time possible)",
        )
        ax.set_title(f"train step, {sizes}")
        ax.set_xlabel("batch size")
        ax.set_ylabel("seconds per step (median over processes)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def roofline(frame: pd.DataFrame, machine: dict, path) -> None:
    """Attained GFLOP/s against arithmetic intensity (FLOPs per byte moved), under
    the roofs: the peak GEMM rate and the memory bandwidth. One marker per backend
    and grid point (our train step), its size growing with the batch; a hollow
    marker's working set fits in the last-level cache, so it may rise above the
    memory roof."""
    plt = _pyplot()
    rows = frame[(frame.op == "train_step") & (frame.variant == "triptych")]
    points = rows.groupby(["backend", "sizes", "batch", "dtype"], sort=False).agg(
        flops=("flops", "first"),
        bytes=("bytes", "first"),
        median_s=("median_s", "median"),
    )
    fig, ax = plt.subplots(figsize=(7.5, 5))
    intensity = points.flops / points.bytes
    x = np.logspace(np.log10(intensity.min() / 3), np.log10(intensity.max() * 3), 200)
    for dtype, peak in machine["peak_gflops"].items():
        roof = np.minimum(peak, machine["memory_gbs"] * x)
        ax.loglog(x, roof, color="black", lw=2, label=f"roof, {dtype}")
    for (backend, _, batch, _), p in points.iterrows():
        cached = p.bytes <= machine["llc_bytes"]
        ax.loglog(
            p.flops / p.bytes,
            p.flops / p.median_s / 1e9,
            MARKERS.get(backend, "D"),
            ms=3 + 2 * np.log2(batch) ** 0.7,
            color=COLORS.get(backend, "#7f7f7f"),
            mfc="none" if cached else None,
            alpha=0.8,
        )
    for backend, marker in MARKERS.items():
        if backend in set(points.index.get_level_values(0)):
            ax.plot([], [], marker, color=COLORS[backend], label=backend)
    ax.set_xlabel("arithmetic intensity (FLOPs per byte of parameters and batch)")
    ax.set_ylabel("attained GFLOP/s")
    ax.set_title(
        "train step against the machine's roofline (larger marker: larger batch)"
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
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


def forest(table: pd.DataFrame, path) -> None:
    """Each ratio B / A of a comparison as a point with its 95% interval, grouped
    by backend, on a log scale with a line at 1 (left of it: B is faster)."""
    plt = _pyplot()
    rows = table.sort_values(["backend", "variant", "op", "sizes", "batch"])
    labels = [
        f"{r.variant} {r.op} {r.sizes} b{r.batch}"
        + (f" ({r.run})" if table.run.nunique() > 1 else "")
        for r in rows.itertuples()
    ]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.28 * len(rows)))
    y = np.arange(len(rows))[::-1]
    for backend in dict.fromkeys(rows.backend):
        mine = (rows.backend == backend).to_numpy()
        ratio, low, high = rows.ratio[mine], rows.ci_low[mine], rows.ci_high[mine]
        ax.errorbar(
            ratio,
            y[mine],
            xerr=[ratio - low, high - ratio],
            fmt="o",
            ms=4,
            capsize=3,
            color=COLORS.get(backend, "#7f7f7f"),
            label=backend,
        )
    ax.axvline(1.0, color="black", lw=1)
    ax.set_xscale("log")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("time in B / time in A (95% interval); below 1: B is faster")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
