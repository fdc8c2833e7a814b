"""Gradient descent, NumPy: the tutorial's `while not converge` loop.
The update rule and the loop's conventions: reference/oracle.py, reference/loop.py.
"""

from __future__ import annotations

import numpy as np

from reference import NetworkSpec, converged, minibatches, validate

from .network import Array, Params, _loss_and_grads


def sgd_step(params: Params, grads: Params, lr: float) -> Params:
    """New parameters p - lr * dL/dp; params and grads are left as they were."""
    validate.check_lr(lr)
    validate.check_grads(params, grads, Array)
    return [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]


def train(
    params: Params,
    x: Array,
    y: Array,
    spec: NetworkSpec,
    lr: float,
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float | None = None,
) -> tuple[Params, np.ndarray]:
    """`steps` steps of gradient descent; returns (params, each step's batch loss)."""
    validate.check_call(params, x, y, spec, Array)
    validate.check_train_args(lr, steps, batch_size, seed, tol, len(x))
    validate.check_values(x, y, spec)  # once, as the data enters the loop
    params = [(W.copy(), b.copy()) for W, b in params]  # ours to update in place
    losses = []
    for idx in minibatches(len(x), batch_size, steps, seed):
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        value, grads = _loss_and_grads(params, xb, yb, spec)
        losses.append(value)
        for (W, b), (gW, gb) in zip(params, grads):
            W -= lr * gW  # in place: no new arrays per step
            b -= lr * gb
        if converged(losses, tol):
            break
    return params, np.array([float(v) for v in losses])


def sync(tree):
    """Nothing to wait for: NumPy computes eagerly. Returns `tree`."""
    return tree
