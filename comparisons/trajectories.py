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

Where training diverges (`comparisons.runs.diverged_at`: a loss that is NaN, inf
or ten times its first), the steps from there on are not compared: their
`loss_diff`, `param_dist` and `passed` are missing (NaN, <NA>), and `note` says
"diverged at step k" -- "in float32 only" where the float64 oracle did not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import reference
from reference import NetworkSpec, validate
from reference.tolerance import reduction_length, tolerance

from . import backends as registry
from . import runs
from .callable_module import make_callable
from .precision import full_float32_precision
from .rows import raised
from .training import default_spec, load_dataset

COLUMNS = [
    "dataset",
    "backend",
    "dtype",
    "step",
    "loss",
    "oracle_loss",
    "loss_diff",
    "param_dist",
    "loss_tol",
    "dist_tol",
    "passed",
    "note",
]
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
    n_rows = batch_size or len(data.x)  # rows in each step's batch
    rows = []
    with full_float32_precision(backends):
        for dtype in dtypes:
            typed = spec.replace(dtype=dtype)
            init = reference.init_params(typed, seed)
            exact = runs.oracle_path(init, data.x, data.y, typed, lr, batches)
            for backend in backends:
                try:
                    path = runs.backend_path(
                        backend, init, data.x, data.y, typed, lr, batches
                    )
                except Exception as error:  # a failed row per step, as in check
                    rows += _failed(data.name, backend.NAME, typed, exact, error)
                    continue
                rows += _rows(data.name, backend.NAME, typed, path, exact, n_rows)
    return pd.DataFrame(rows, columns=COLUMNS).astype({"passed": "boolean"})


def _rows(dataset, backend, spec, path, exact, n_rows: int) -> list[dict]:
    """One row per step of `path` against the oracle's `exact` (see module doc)."""
    losses, oracle_losses = [loss for loss, _ in path], [loss for loss, _ in exact]
    note, until = runs.divergence_note(losses, oracle_losses, spec.dtype), None
    if note:
        until = runs.comparable(losses, oracle_losses)
    rows = []
    for step, ((loss, params), (ref_loss, ref_params)) in enumerate(zip(path, exact)):
        K = reduction_length(spec.sizes, n_rows, step + 1)
        row = dict(
            dataset=dataset,
            backend=backend,
            dtype=spec.dtype,
            step=step,
            loss=loss,
            oracle_loss=ref_loss,
            loss_diff=abs(loss - ref_loss),
            param_dist=runs.distance(params, ref_params),
            loss_tol=tolerance(spec.dtype, abs(ref_loss), K),
            dist_tol=tolerance(spec.dtype, 1.0, K),
            note="",
        )
        row["passed"] = row["loss_diff"] <= row["loss_tol"] and (
            row["param_dist"] <= row["dist_tol"]
        )
        if until is not None and step >= until:  # past a divergence: no comparison
            row.update(loss_diff=np.nan, param_dist=np.nan, passed=pd.NA, note=note)
        rows.append(row)
    return rows


def _failed(dataset, backend, spec, exact, error: Exception) -> list[dict]:
    """The rows of a backend that raised: the oracle's losses, no numbers of its
    own, the error in `note`, and `passed` False at every step."""
    note = raised(error).splitlines()[0]
    return [
        dict.fromkeys(COLUMNS, np.nan)
        | dict(dataset=dataset, backend=backend, dtype=spec.dtype, step=step)
        | dict(oracle_loss=ref_loss, note=note, passed=False)
        for step, (ref_loss, _) in enumerate(exact)
    ]


make_callable(__name__, "trajectories")  # comparisons.trajectories(...)
