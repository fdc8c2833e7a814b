"""Trajectories: how far does each backend's training drift from the exact one,
and when?

`trajectories(...)` trains with every backend and dtype from the same init on the
same minibatches, step by step through the public API (`loss_and_grads`, then
`sgd_step`, as `train` does), and beside each step's loss records the float64
oracle's loss and the relative distance of the backend's parameters from the
oracle's: sqrt(sum ||p - p_oracle||^2) / sqrt(sum ||p_oracle||^2). In float64 it
stays near 1e-15; in float32 it starts at rounding and grows as the two
trajectories part.

Each row is judged by the tolerance policy (reference/tolerance.py), with the
rounding of every step so far counted in: at step t (t updates made) K_t is
`reduction_length(sizes, batch, t + 1)`, and

- `loss_tol = tolerance(dtype, |oracle_loss|, K_t)` bounds `loss_diff`;
- `dist_tol = tolerance(dtype, 1, K_t)` bounds `param_dist`, which is already
  relative to the size of the oracle's parameters;
- `passed` is both within.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import reference
from reference import NetworkSpec, oracle, validate
from reference.tolerance import reduction_length, tolerance

from . import backends as registry
from .precision import full_float32_precision
from .training import default_spec, load_dataset

COLUMNS = ["dataset", "backend", "dtype", "step", "loss", "oracle_loss", "loss_diff",
           "param_dist", "loss_tol", "dist_tol", "passed"]  # fmt: skip
DTYPES = ("float32", "float64")


def trajectories(
    dataset: str | reference.Dataset = "digits",
    spec: NetworkSpec | None = None,
    backends=None,
    lr: float = 0.1,
    steps: int = 100,
    batch_size: int | None = 64,
    seed: int = 0,
    dtypes=DTYPES,
    device=None,
) -> pd.DataFrame:
    """One row per (backend, dtype, step): the loss, the oracle's, the distance,
    and their tolerances (see module doc). `dtypes`: one or several ("float32"
    is one); `spec`'s own dtype is replaced by each."""
    data = load_dataset(dataset)
    spec = default_spec(data) if spec is None else spec
    validate.check_spec(spec)
    validate.check_dataset(data.x, data.y, spec)
    validate.check_train_args(lr, steps, batch_size, seed, None, len(data.x))
    dtypes = validate.check_choices("dtypes", dtypes, DTYPES)
    batches = reference.minibatches(len(data.x), batch_size, steps, seed)
    backends = [registry.on_device(b, device) for b in registry.resolve(backends)]
    rows = []
    with full_float32_precision(backends):
        for dtype in dtypes:
            typed = spec.replace(dtype=dtype)
            exact = _oracle_path(data, typed, lr, batches, seed)
            for backend in backends:
                path = _backend_path(backend, data, typed, lr, batches, seed)
                n_rows = batch_size or len(data.x)  # rows in each step's batch
                rows += _rows(data.name, backend.NAME, typed, path, exact, n_rows)
    return pd.DataFrame(rows, columns=COLUMNS)


def _rows(dataset, backend, spec, path, exact, n_rows: int) -> list[dict]:
    """One row per step of `path` against the oracle's `exact` (see module doc)."""
    rows = []
    for step, ((loss, params), (ref_loss, ref_params)) in enumerate(zip(path, exact)):
        K = reduction_length(spec.sizes, n_rows, step + 1)
        loss_diff, dist = abs(loss - ref_loss), _distance(params, ref_params)
        loss_tol = tolerance(spec.dtype, abs(ref_loss), K)
        dist_tol = tolerance(spec.dtype, 1.0, K)
        rows.append(dict(
            dataset=dataset, backend=backend, dtype=spec.dtype, step=step,
            loss=loss, oracle_loss=ref_loss, loss_diff=loss_diff, param_dist=dist,
            loss_tol=loss_tol, dist_tol=dist_tol,
            passed=bool(loss_diff <= loss_tol and dist <= dist_tol),
        ))  # fmt: skip
    return rows


def _backend_path(backend, data, spec, lr, batches, seed):
    """[(loss, params as NumPy)] at each step, before that step's update."""
    params = backend.from_numpy(reference.init_params(spec, seed), spec)
    x, y = backend.asarray(data.x, spec), backend.asarray(data.y, spec)
    path = []
    for idx in batches:
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        loss, grads = backend.loss_and_grads(params, xb, yb, spec)
        path.append((float(loss), backend.to_numpy(params)))
        params = backend.sgd_step(params, grads, lr)
    return path


def _oracle_path(data, spec, lr, batches, seed):
    """The same in float64, from the same dtype-rounded start and data."""
    params = reference.cast_params(reference.init_params(spec, seed), spec.dtype)
    x, y = (
        reference.cast_array(data.x, spec.dtype),
        reference.cast_array(data.y, spec.dtype),
    )
    exact = spec.replace(dtype="float64")
    path = []
    for idx in batches:
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        loss, grads = oracle.loss_and_grads(params, xb, yb, exact)
        path.append((float(loss), params))
        params = oracle.sgd_step(params, grads, lr)
    return path


def _distance(params, ref_params) -> float:
    num = sum(np.sum((p - r) ** 2) for layer, ref in zip(params, ref_params)
              for p, r in zip(layer, ref))  # fmt: skip
    den = sum(np.sum(r**2) for ref in ref_params for r in ref)
    return float(np.sqrt(num / den))
