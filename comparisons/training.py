"""Train one spec with every backend, from the same init on the same batches.

`train(...)` returns one row per backend: first and final loss, accuracy where
the task is classification, how far its loss curve strays from the other
backends' and from the float64 oracle's, the wall time, and -- where the loss
blew up -- the step at which training diverged (`comparisons.runs.diverged_at`),
after which the curves are not compared.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import reference
from reference import NetworkSpec, validate

from . import backends as registry
from . import runs
from .rows import raised


def load_dataset(dataset) -> reference.Dataset:
    """A data set by name (one of reference.data.DATASETS), or a Dataset as is."""
    if isinstance(dataset, reference.Dataset):
        return dataset
    if not isinstance(dataset, str):
        raise TypeError(
            f"dataset must be a name ({', '.join(reference.data.DATASETS)}) or a "
            f"reference.Dataset, got {type(dataset).__name__} {dataset!r:.60}"
        )
    return reference.data.load(dataset)


def default_spec(
    dataset: reference.Dataset, dtype: str = "float32", **fields
) -> NetworkSpec:
    """The classic three layers sized for `dataset`: n_features -> 32 -> n_outputs,
    tanh; softmax + cross-entropy for classification, identity + MSE for regression."""
    classify = dataset.task == "classification"
    base = dict(
        sizes=(dataset.n_features, 32, dataset.n_outputs),
        activation="tanh",
        output="softmax" if classify else "identity",
        loss="cross_entropy" if classify else "mse",
        dtype=dtype,
    )
    return NetworkSpec(**{**base, **{k: v for k, v in fields.items() if v is not None}})


def train(
    dataset: str | reference.Dataset = "digits",
    spec: NetworkSpec | None = None,
    backends=None,
    lr: float = 0.1,
    steps: int = 300,
    batch_size: int | None = 64,
    seed: int = 0,
    device=None,
) -> pd.DataFrame:
    """Train `spec` on `dataset` with each backend; one summary row per backend
    (COLUMNS). A backend that raises gets a row of no numbers with the error in
    `note`. `device`: where torch, JAX and outside backends place their arrays."""
    data = load_dataset(dataset)
    spec = default_spec(data) if spec is None else spec
    validate.check_spec(spec)
    validate.check_dataset(data.x, data.y, spec)
    validate.check_train_args(lr, steps, batch_size, seed, None, len(data.x))
    init = reference.init_params(spec, seed)
    args = (spec, lr, steps, batch_size, seed)
    # a loss that overflows is a divergence, said in the table, not a warning
    with np.errstate(over="ignore", invalid="ignore"):
        _, exact = runs.oracle_train(init, data.x, data.y, *args)
        curves, rows = {}, []
        for backend in registry.resolve(backends):
            backend = registry.on_device(backend, device)
            try:
                row, curves[backend.NAME] = _train_one(
                    backend, init, data, exact, *args
                )
            except Exception as error:  # a backend that raises is a row, as in check
                row = _failed_row(backend, spec, error)
            rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["max_diff_vs_backends"] = [
        max(
            (_max_diff(curves[name], curves[o]) for o in curves if o != name),
            default=np.nan,  # no other backend's curve to compare with
        )
        if name in curves
        else np.nan  # it raised: no curve
        for name in table.backend
    ]
    table["diverged_at"] = table.diverged_at.astype("Int64")  # a step, or <NA>
    return table


COLUMNS = [
    "backend",
    "dtype",
    "first_loss",
    "final_loss",
    "accuracy",
    "max_diff_vs_oracle",
    "max_diff_vs_backends",
    "seconds",
    "diverged_at",
    "note",
]


def _failed_row(backend, spec: NetworkSpec, error: Exception) -> dict:
    """The row of a backend whose training raised: no numbers, the error in `note`."""
    row = dict.fromkeys(COLUMNS, np.nan)
    note = raised(error).splitlines()[0]
    return {**row, "backend": backend.NAME, "dtype": spec.dtype, "note": note}


def _train_one(backend, init, data, exact, spec, lr, steps, batch_size, seed):
    """One backend's row (but for the differences between curves) and losses;
    `exact`: the oracle's losses from the same start."""
    params, x, y = runs.native(backend, init, data.x, data.y, spec)
    start = time.perf_counter()
    params, losses = backend.train(params, x, y, spec, lr, steps, batch_size, seed)
    backend.sync(params)
    seconds = time.perf_counter() - start
    losses = np.asarray(losses, dtype=np.float64)
    if losses.shape != (steps,):  # no tol: every step runs and has its loss
        raise ValueError(
            f"train returned losses of shape {losses.shape}, not ({steps},)"
        )
    row = dict(
        backend=backend.NAME,
        dtype=spec.dtype,
        first_loss=losses[0] if len(losses) else np.nan,
        final_loss=losses[-1] if len(losses) else np.nan,
        accuracy=_accuracy(backend, params, x, data.y, spec, data.task),
        max_diff_vs_oracle=_max_diff(losses, exact),
        max_diff_vs_backends=np.nan,  # below, once every curve is in
        seconds=seconds,
        diverged_at=runs.diverged_at(losses),
        note=runs.divergence_note(losses, exact, spec.dtype),
    )
    return row, losses


def _accuracy(backend, params, x, y, spec: NetworkSpec, task: str) -> float:
    """Share of the whole data set classified right after training (NaN: regression)."""
    if task != "classification":
        return np.nan
    y_hat = backend.to_numpy(backend.forward(params, x, spec))  # (N, n_classes)
    return float(np.mean(np.argmax(y_hat, axis=1) == y))


def _max_diff(a: np.ndarray, b: np.ndarray) -> float:
    """The largest |a_t - b_t| over the steps both curves have before either
    diverges; NaN where not one step can be compared (a difference after a
    divergence means nothing)."""
    n = runs.comparable(a, b)
    if n == 0 and min(len(a), len(b)) > 0:
        return np.nan
    return float(np.max(np.abs(a[:n] - b[:n]), initial=0.0))
