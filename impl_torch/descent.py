"""Gradient descent, PyTorch: the tutorial's `while not converge` loop.
The update rule and the loop's conventions: reference/oracle.py, reference/loop.py.
"""

from __future__ import annotations

import numpy as np
import torch

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
    # once, as data enters; on the CPU the arrays checked are views, not copies
    validate.check_values(x.detach().cpu().numpy(), y.detach().cpu().numpy(), spec)
    params = [(W.detach().clone(), b.detach().clone()) for W, b in params]  # ours
    losses = []
    for idx in minibatches(len(x), batch_size, steps, seed):
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        value, grads = _loss_and_grads(params, xb, yb, spec)
        losses.append(value)
        with torch.no_grad():
            for (W, b), (gW, gb) in zip(params, grads):
                W.sub_(gW, alpha=lr)  # in place: no new tensors per step
                b.sub_(gb, alpha=lr)
        if converged(losses, tol):
            break
    return params, np.array([float(v) for v in losses])


def sync(tree):
    """Wait until the values in `tree` are computed (CUDA runs asynchronously)."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
    return tree
