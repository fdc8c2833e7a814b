"""Backends against the oracle, on the same rounded inputs and the same batches:
the one path that `train`, `trajectories` and the consistency check share.

A `dtype` backend computes on numbers rounded to `dtype`; the float64 oracle is
given exactly those numbers (`rounded`), so that only the arithmetic differs.
Every run walks `reference.minibatches`, so every step sees the same examples.

Training can diverge (too large a learning rate): `diverged_at` names the step,
after which differences between runs mean nothing and are not compared.
"""

from __future__ import annotations

import math

import numpy as np

import reference
from reference import oracle

DIVERGED_FACTOR = 10.0  # a loss this many times its first value has diverged


def rounded(params, x, y, dtype: str):
    """The inputs rounded to `dtype` and back to float64: the oracle sees exactly
    the numbers a `dtype` backend sees."""
    cast = reference.cast_array
    return reference.cast_params(params, dtype), cast(x, dtype), cast(y, dtype)


def native(backend, params, x, y, spec):
    """Reference parameters and NumPy data as the backend's own arrays."""
    return (
        backend.from_numpy(params, spec),
        backend.asarray(x, spec),
        backend.asarray(y, spec),
    )


def oracle_train(params, x, y, spec, lr, steps, batch_size=None, seed=0):
    """The oracle's `train` in float64 from the `spec.dtype`-rounded start:
    (final parameters, each step's loss)."""
    exact = spec.replace(dtype="float64")
    return oracle.train(
        *rounded(params, x, y, spec.dtype), exact, lr, steps, batch_size, seed
    )


def backend_train(backend, params, x, y, spec, lr, steps, batch_size=None, seed=0):
    """The backend's own `train` from the same start: (final parameters as NumPy,
    each step's loss)."""
    p, xb, yb = native(backend, params, x, y, spec)
    trained, losses = backend.train(p, xb, yb, spec, lr, steps, batch_size, seed)
    return backend.to_numpy(trained), losses


def oracle_path(params, x, y, spec, lr, batches) -> list[tuple[float, list]]:
    """[(loss, parameters)] before each step's update, in float64 from the
    rounded start: the exact trajectory."""
    params, x, y = rounded(params, x, y, spec.dtype)
    exact, path = spec.replace(dtype="float64"), []
    for idx in batches:
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        loss, grads = oracle.loss_and_grads(params, xb, yb, exact)
        path.append((float(loss), params))
        params = oracle.sgd_step(params, grads, lr)
    return path


def backend_path(backend, params, x, y, spec, lr, batches) -> list[tuple[float, list]]:
    """The same through the backend's public API, step by step: `loss_and_grads`
    then `sgd_step`, as its `train` does; parameters as NumPy."""
    params, x, y = native(backend, params, x, y, spec)
    path = []
    for idx in batches:
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        loss, grads = backend.loss_and_grads(params, xb, yb, spec)
        path.append((float(loss), backend.to_numpy(params)))
        params = backend.sgd_step(params, grads, lr)
    return path


def diverged_at(losses) -> int | None:
    """The first step whose loss is NaN or inf, or more than DIVERGED_FACTOR times
    the first step's loss; None where training did not diverge."""
    losses = np.asarray(losses, dtype=np.float64)
    if len(losses) == 0:
        return None
    limit = DIVERGED_FACTOR * abs(losses[0]) if math.isfinite(losses[0]) else 0.0
    bad = ~np.isfinite(losses) | (np.abs(losses) > limit)
    return int(np.argmax(bad)) if bad.any() else None


def comparable(*curves) -> int:
    """How many leading steps of these loss curves can be compared: all of the
    shortest, or those before the first divergence among them."""
    ends = [len(c) if diverged_at(c) is None else diverged_at(c) for c in curves]
    return min(ends)


def divergence_note(losses, oracle_losses, dtype: str) -> str:
    """Where a run or its oracle diverged, in words: 'diverged at step 12', and
    'in float32 only' where the float64 oracle from the same start did not;
    '' where neither did."""
    step, oracle_step = diverged_at(losses), diverged_at(oracle_losses)
    if step is None and oracle_step is None:
        return ""
    if step is None:
        return f"the float64 oracle diverged at step {oracle_step}; {dtype} did not"
    if oracle_step is None and dtype != "float64":
        return (
            f"diverged at step {step} in {dtype} only: the float64 oracle, from the "
            f"same rounded start, did not"
        )
    return f"diverged at step {step}"


def distance(params, ref_params) -> float:
    """sqrt(sum ||p - p_ref||^2) / sqrt(sum ||p_ref||^2) over every W and b."""
    pairs = [
        (p, r) for layer, ref in zip(params, ref_params) for p, r in zip(layer, ref)
    ]
    num = sum(np.sum((p - r) ** 2) for p, r in pairs)
    den = sum(np.sum(r**2) for _, r in pairs)
    return float(np.sqrt(num / den))
