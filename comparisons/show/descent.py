"""Gradient descent on a two-parameter slice of a real loss: a network on the
diabetes data set (MSE), every parameter held at its initial value but two
output weights, whose loss there is an elongated valley (curvatures about 1.9
and 0.09, measured). Every backend descends from the same start through its
public API -- `loss_and_grads`, then `sgd_step` with the other parameters'
gradients zeroed -- and its path is drawn on the oracle's contours.
"""

from __future__ import annotations

import numpy as np

import reference
from reference import NetworkSpec, oracle

from .. import runs
from .pictures import DTYPE, MARKERS, color, figure, names, native

SPEC = NetworkSpec((10, 8, 1), "tanh", "identity", "mse", DTYPE)
LAYER, ENTRIES = 1, ((2, 0), (7, 0))  # the two weights: W[1][2, 0] and W[1][7, 0]
START = (-1.5, 1.5)  # the start: these added to their initial values
RATES = (("too small", 0.1), ("right", 0.9), ("diverges", 1.15))  # 2 / 1.9 = 1.05
STEPS = 30
GRID = 40  # contour points per axis


def descent_path(concept, backends):
    """Each backend's path at the right learning rate, on the contours, and its
    loss per step beside them."""
    params, x, y = problem()
    lr = dict(RATES)["right"]
    paths = [path(b, params, x, y, lr) for b in backends]
    exact = oracle_path(params, x, y, lr)
    fig = figure(10, 4.4)
    grid = fig.add_gridspec(1, 2, width_ratios=(1.4, 1))
    ax = fig.add_subplot(grid[0])
    _contours(ax, _surface(params, x, y, _window([exact])))
    ax.plot(
        *exact[:, :2].T, "-", color="#444444", linewidth=3, alpha=0.4, label="oracle"
    )
    losses = fig.add_subplot(grid[1])
    losses.semilogy(
        exact[:, 2], color="#444444", linewidth=3, alpha=0.4, label="oracle"
    )
    for k, (b, points) in enumerate(zip(backends, paths)):
        marker = MARKERS[k % len(MARKERS)]
        style = dict(color=color(b, k), fillstyle="none", markersize=4, label=b.NAME)
        ax.plot(*points[:, :2].T, marker + "-", linewidth=0.8, **style)
        losses.semilogy(points[:, 2], marker + "-", linewidth=0.8, **style)
    ax.set_title(f"the same start, lr = {lr}: each backend's path", fontsize=10)
    losses.set_title("the loss at each step", fontsize=10)
    losses.set_xlabel("step")
    losses.legend(fontsize=8)
    return fig, (
        f"Gradient descent on two weights of a {SPEC.sizes} network on the diabetes "
        f"data (MSE; the other parameters held), from the same start at lr = {lr}: "
        f"the paths of {names(backends)} in {DTYPE} lie on the float64 oracle's."
    )


def learning_rates(concept, backends):
    """One panel per learning rate: too small, right, and one that diverges."""
    params, x, y = problem()
    fig = figure(10, 3.6)
    window = _window([oracle_path(params, x, y, dict(RATES)["right"])])
    surface = _surface(params, x, y, window)
    for k, (verdict, lr) in enumerate(RATES):
        ax = fig.add_subplot(1, len(RATES), k + 1)
        _contours(ax, surface)
        for j, b in enumerate(backends):
            points = path(b, params, x, y, lr)
            marker = MARKERS[j % len(MARKERS)]
            ax.plot(
                *points[:, :2].T,
                marker + "-",
                color=color(b, j),
                markersize=3,
                linewidth=0.8,
                fillstyle="none",
                label=b.NAME,
            )
        ax.set_xlim(window[0])
        ax.set_ylim(window[1])
        ax.set_title(f"lr = {lr}: {verdict}", fontsize=10)
    ax.legend(fontsize=7)
    return fig, (
        f"{STEPS} steps of sgd_step from the same start at three learning rates, "
        f"computed by {names(backends)}: too small crawls along the valley, right "
        "goes down the valley, and above 2 / (largest curvature) each step "
        "overshoots more than the last."
    )


def problem():
    """The float64 parameters (holding DTYPE values) at the start, x and y."""
    data = reference.data.load("diabetes")
    params = [[W.copy(), b.copy()] for W, b in reference.init_params(SPEC, seed=0)]
    for entry, offset in zip(ENTRIES, START):
        params[LAYER][0][entry] += offset
    return runs.rounded([tuple(p) for p in params], data.x, data.y, DTYPE)


def path(backend, params, x, y, lr: float) -> np.ndarray:
    """(steps, 3): the two weights and the loss before each of `backend`'s
    steps, for STEPS or until the loss is 1e4 times its start (diverged)."""
    p = backend.from_numpy(params, SPEC)
    xb, yb = native(backend, x, SPEC), native(backend, y, SPEC)
    points = []
    for _ in range(STEPS):
        loss, grads = backend.loss_and_grads(p, xb, yb, SPEC)
        loss = float(backend.to_numpy(loss))
        points.append([*_weights(backend.to_numpy(p)), loss])
        if not np.isfinite(loss) or loss > 1e4 * points[0][2]:
            break
        masked = backend.from_numpy(_only_ours(backend.to_numpy(grads)), SPEC)
        p = backend.sgd_step(p, masked, lr)
    return np.array(points)


def oracle_path(params, x, y, lr: float) -> np.ndarray:
    """The same descent in float64 by the oracle."""
    exact, points = SPEC.replace(dtype="float64"), []
    for _ in range(STEPS):
        loss, grads = oracle.loss_and_grads(params, x, y, exact)
        points.append([*_weights(params), loss])
        params = oracle.sgd_step(params, _only_ours(grads), lr)
    return np.array(points)


def _weights(params) -> list[float]:
    return [float(params[LAYER][0][entry]) for entry in ENTRIES]


def _only_ours(grads):
    """The gradient with every entry but the two weights' set to 0."""
    kept = [(np.zeros_like(gW), np.zeros_like(gb)) for gW, gb in grads]
    for entry in ENTRIES:
        kept[LAYER][0][entry] = grads[LAYER][0][entry]
    return kept


def _window(paths) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box around the paths, with a margin of a quarter of its size."""
    points = np.concatenate([p[:, :2] for p in paths])
    low, high = points.min(axis=0), points.max(axis=0)
    margin = (high - low).max() / 4
    return (low[0] - margin, high[0] + margin), (low[1] - margin, high[1] + margin)


def _surface(params, x, y, window):
    """(u, v, loss): the oracle's loss over the window, the two weights varied."""
    exact = SPEC.replace(dtype="float64")
    u, v = (np.linspace(*window[0], GRID), np.linspace(*window[1], GRID))
    W = params[LAYER][0].copy()
    loss = np.empty((GRID, GRID))
    for i, b in enumerate(v):
        for j, a in enumerate(u):
            W[ENTRIES[0]], W[ENTRIES[1]] = a, b
            trial = [*params[:LAYER], (W, params[LAYER][1]), *params[LAYER + 1 :]]
            loss[i, j] = oracle.loss(trial, x, y, exact)
    return u, v, loss


def _contours(ax, surface) -> None:
    u, v, loss = surface
    levels = np.unique(np.quantile(loss, np.linspace(0, 1, 14) ** 2))
    ax.contour(u, v, loss, levels=levels, colors="#999999", linewidths=0.7)
    ax.set_xlabel(f"W[{LAYER}]{list(ENTRIES[0])}", fontsize=8)
    ax.set_ylabel(f"W[{LAYER}]{list(ENTRIES[1])}", fontsize=8)


KINDS = {"descent_path": descent_path, "learning_rates": learning_rates}
