"""Trajectories: how far does each backend's training drift from the exact one,
and when?

`trajectories(...)` trains with every backend and dtype from the same init on the
same minibatches, step by step through the public API (`loss_and_grads`, then
`sgd_step`, as `train` does), and beside each step's loss records the float64
oracle's loss and the relative distance of the backend's parameters from the
oracle's: sqrt(sum ||p - p_oracle||^2) / sqrt(sum ||p_oracle||^2). In float64 it
stays near 1e-15; in float32 it starts at rounding and grows as the two
trajectories part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import reference
from reference import NetworkSpec, oracle, validate

from . import backends as registry
from .precision import full_float32_precision
from .training import default_spec

COLUMNS = ["dataset", "backend", "dtype", "step", "loss", "oracle_loss", "loss_diff",
           "param_dist"]  # fmt: skip


def trajectories(
    dataset: str | reference.Dataset = "digits",
    spec: NetworkSpec | None = None,
    backends=None,
    lr: float = 0.1,
    steps: int = 100,
    batch_size: int | None = 64,
    seed: int = 0,
    dtypes=("float32", "float64"),
    device=None,
) -> pd.DataFrame:
    """One row per (backend, dtype, step): the loss, the oracle's, and the distance."""
    data = reference.data.load(dataset) if isinstance(dataset, str) else dataset
    spec = spec or default_spec(data)
    validate.check_dataset(data.x, data.y, spec)
    validate.check_train_args(lr, steps, batch_size, seed, None, len(data.x))
    batches = reference.minibatches(len(data.x), batch_size, steps, seed)
    backends = [registry.on_device(b, device) for b in registry.resolve(backends)]
    rows = []
    with full_float32_precision(backends):
        for dtype in dtypes:
            typed = spec.replace(dtype=dtype)
            exact = _oracle_path(data, typed, lr, batches, seed)
            for backend in backends:
                path = _backend_path(backend, data, typed, lr, batches, seed)
                for step, ((loss, params), (ref_loss, ref_params)) in enumerate(
                    zip(path, exact)
                ):
                    rows.append(dict(
                        dataset=data.name, backend=backend.NAME, dtype=dtype, step=step,
                        loss=loss, oracle_loss=ref_loss, loss_diff=abs(loss - ref_loss),
                        param_dist=_distance(params, ref_params),
                    ))  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


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
