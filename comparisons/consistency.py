"""Consistency: do the backends compute the same thing -- and if not, where, and by
how much?

`check(...)` runs three levels and returns one tidy row per (level, quantity,
dtype, spec, dataset, backend, against):

- unit: each activation and each loss, value and gradient, on inputs that
  saturate, reach +-1e4 and sit exactly on ReLU's kink;
- network: forward output, loss, every gradient and one gradient-descent step,
  for every spec and dtype;
- trajectory: `train` for TRAJECTORY_STEPS steps from the same init on the same
  minibatches, on a synthetic set and on the digits: the loss curve and the final
  parameters.

Each backend is held against the float64 oracle, run on the same dtype-rounded
inputs (so only the arithmetic differs), and against every other backend. The
tolerance policy is reference/tolerance.py; against another backend the
tolerance is doubled, since both sides carry rounding error. A backend that
raises is recorded as a failed row with the error, not a crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

import reference
from reference import NetworkSpec, oracle, validate
from reference.tolerance import (
    Comparison,
    compare,
    group_scale,
    magnitude,
    reduction_length,
    tolerance,
)

from . import backends as registry
from . import precision
from .precision import full_float32_precision

LEVELS = ("unit", "network", "trajectory")
DTYPES = ("float32", "float64")
COLUMNS = [
    "level", "quantity", "dtype", "sizes", "activation", "output", "loss", "dataset",
    "backend", "against", "max_abs_err", "max_rel_err", "tol", "passed", "note",
]  # fmt: skip
NETWORK_BATCH = 12
TRAJECTORY_STEPS = 30
TRAJECTORY_SETS = {  # data set -> (hidden width, lr, batch size)
    "synthetic_classification": (16, 0.5, 32),
    "digits": (32, 0.1, 64),
}

Progress = Callable[[int, int, str], None]  # (done, total, what) -> None


def default_specs() -> list[NetworkSpec]:
    """Every valid combination, on the seed's three layers and on a deeper net."""
    return [
        NetworkSpec(sizes, *combo)
        for sizes in ((5, 7, 3), (6, 8, 5, 4))
        for combo in reference.combinations()
    ]


def check(
    specs=None,
    backends=None,
    dtypes=None,
    levels=None,
    seed: int = 0,
    progress: Progress | None = None,
    batch_size: int = NETWORK_BATCH,
    device=None,
) -> pd.DataFrame:
    """Compare every backend with the oracle and with each other (see module doc).

    `specs`: NetworkSpecs (their dtype is replaced by each of `dtypes`); the
    trajectory level uses their (activation, output, loss) on its own data sets.
    `backends`: names or objects with the backend API (default: all installed).
    `batch_size`: the rows of the network level's random batch.
    `device`: where torch, JAX and outside backends place their arrays (once).
    """
    specs = default_specs() if specs is None else list(specs)
    dtypes = validate.check_choices("dtypes", dtypes, DTYPES)
    levels = validate.check_choices("levels", levels, LEVELS)
    backends = [registry.on_device(b, device) for b in registry.resolve(backends)]
    combos = list(dict.fromkeys((s.activation, s.output, s.loss) for s in specs))
    tasks = [("unit", dtype, None) for dtype in dtypes if "unit" in levels]
    tasks += [("network", s.replace(dtype=d), None) for d in dtypes for s in specs]
    tasks = [t for t in tasks if t[0] in levels]
    if "trajectory" in levels:
        tasks += [
            ("trajectory", combo, (name, dtype))
            for name in TRAJECTORY_SETS
            for dtype in dtypes
            for combo in combos
        ]
    rows = []
    datasets = {}
    with full_float32_precision(backends):
        for done, (level, what, extra) in enumerate(tasks):
            if progress:
                progress(done, len(tasks), f"{level} {_describe(what, extra)}")
            if level == "unit":
                rows += _unit_level(backends, what)
            elif level == "network":
                rows += _network_level(backends, what, seed, batch_size)
            else:
                name, dtype = extra
                data = datasets.setdefault(name, reference.data.load(name))
                rows += _trajectory_level(backends, what, data, dtype, seed)
        if progress:
            progress(len(tasks), len(tasks), "done")
        pinned = precision.settings()  # what was in force while comparing
    results = pd.DataFrame(rows, columns=COLUMNS)
    results.attrs["matmul_precision"] = pinned
    return results


# ------------------------------------------------------------------------- unit

# Rows mix the extremes with ordinary values; 0.0 sits on ReLU's kink.
UNIT_Z = np.array(
    [
        [-1e4, -30.0, -1.0, 0.0, 1.0, 30.0, 1e4],
        [0.5, -0.25, 2.0, 0.0, -3.0, 0.125, 1.0],
        [1e4, 1e4, -1e4, 0.0, 0.0, 1e-3, -1e-3],
    ]
)
UNIT_G = np.random.default_rng(0).normal(size=UNIT_Z.shape)  # upstream dL/da
UNIT_TARGETS = np.random.default_rng(1).uniform(size=UNIT_Z.shape)
UNIT_LOSSES = {  # quantity -> (function, first argument, y)
    "mse": ("mse", UNIT_Z / 1e4, UNIT_TARGETS),  # mse takes y_hat: keep it O(1)
    "softmax_cross_entropy": ("softmax_cross_entropy", UNIT_Z, np.array([6, 0, 2])),
    "softmax_cross_entropy(distribution)": (
        "softmax_cross_entropy",
        UNIT_Z,
        UNIT_TARGETS / UNIT_TARGETS.sum(axis=1, keepdims=True),
    ),
    "sigmoid_cross_entropy": ("sigmoid_cross_entropy", UNIT_Z, UNIT_TARGETS),
}


def _unit_level(backends, dtype: str) -> list[dict]:
    spec = NetworkSpec((2, 2, UNIT_Z.shape[1]), dtype=dtype)  # asarray needs one
    context = dict(level="unit", dtype=dtype)
    z, g = reference.cast_array(UNIT_Z, dtype), reference.cast_array(UNIT_G, dtype)
    rows = []
    for name in ("identity", "sigmoid", "tanh", "relu", "softmax"):
        f, f_grad = oracle.ACTIVATIONS[name]
        values = _each(backends, lambda b, n=name: getattr(b, n)(b.asarray(z, spec)))
        rows += _rows(context, name, values, f(z), dtype, z.shape[1])
        grads = _each(
            backends,
            lambda b, n=name: getattr(b, f"{n}_grad")(
                b.asarray(z, spec), b.asarray(g, spec)
            ),
        )
        rows += _rows(context, f"{name}_grad", grads, f_grad(z, g), dtype, z.shape[1])
    for quantity, (name, first, y) in UNIT_LOSSES.items():
        first, y = reference.cast_array(first, dtype), reference.cast_array(y, dtype)
        for suffix in ("", "_grad"):
            values = _each(
                backends,
                lambda b, f=name + suffix, a=first, t=y: getattr(b, f)(
                    b.asarray(a, spec), b.asarray(t, spec)
                ),
            )
            expected = getattr(oracle, name + suffix)(first, y)
            label = quantity.replace(name, name + suffix)
            rows += _rows(context, label, values, expected, dtype, first.size)
    return rows


# ---------------------------------------------------------------------- network


def _network_level(backends, spec: NetworkSpec, seed: int, n: int) -> list[dict]:
    params = reference.init_params(spec, seed)
    x, y = reference.data.random_batch(spec, n, seed + 1)
    ref_params, ref_x, ref_y = _oracle_inputs(params, x, y, spec.dtype)
    ref_spec = spec.replace(dtype="float64")
    ref_loss, ref_grads = oracle.loss_and_grads(ref_params, ref_x, ref_y, ref_spec)
    expected = {
        "forward": oracle.forward(ref_params, ref_x, ref_spec),
        "loss": ref_loss,
        **_named("d", ref_grads),
        **_named("step ", oracle.sgd_step(ref_params, ref_grads, 0.5)),
    }

    def run(b):
        p, xb, yb = b.from_numpy(params, spec), b.asarray(x, spec), b.asarray(y, spec)
        value, grads = b.loss_and_grads(p, xb, yb, spec)
        return {
            "forward": b.forward(p, xb, spec),
            "loss": b.loss(p, xb, yb, spec),
            **_named("d", b.to_numpy(grads)),
            **_named("step ", b.to_numpy(b.sgd_step(p, grads, 0.5))),
        }

    K = reduction_length(spec.sizes, n)
    return _rows_per_quantity(
        _spec_context("network", spec), backends, run, expected, K
    )


# ------------------------------------------------------------------- trajectory


def _trajectory_level(backends, combo, data, dtype: str, seed: int) -> list[dict]:
    hidden, lr, batch = TRAJECTORY_SETS[data.name]
    spec = NetworkSpec((data.n_features, hidden, data.n_outputs), *combo, dtype=dtype)
    x, y = data.x, data.y if spec.uses_labels else np.eye(data.n_outputs)[data.y]
    params = reference.init_params(spec, seed)
    ref_params, ref_x, ref_y = _oracle_inputs(params, x, y, dtype)
    final, losses = oracle.train(
        ref_params, ref_x, ref_y, spec.replace(dtype="float64"),
        lr, TRAJECTORY_STEPS, batch, seed,
    )  # fmt: skip
    expected = {"losses": losses, **_named("final ", final)}

    def run(b):
        p, xb, yb = b.from_numpy(params, spec), b.asarray(x, spec), b.asarray(y, spec)
        trained, curve = b.train(p, xb, yb, spec, lr, TRAJECTORY_STEPS, batch, seed)
        return {"losses": curve, **_named("final ", b.to_numpy(trained))}

    K = reduction_length(spec.sizes, batch, TRAJECTORY_STEPS)
    context = {**_spec_context("trajectory", spec), "dataset": data.name}
    return _rows_per_quantity(context, backends, run, expected, K)


# --------------------------------------------------------------------- helpers


def _rows_per_quantity(context, backends, run, expected: dict, K: int) -> list[dict]:
    """Run every backend once, then compare quantity by quantity."""
    outputs = _each(backends, run)
    groups = {}  # 'd', 'step ', 'final ' -> the arrays of that gradient or step
    for quantity, ref in expected.items():
        groups.setdefault(_group(quantity), []).append(ref)
    rows = []
    for quantity, ref in expected.items():
        values = {
            name: out if isinstance(out, Exception) else out[quantity]
            for name, out in outputs.items()
        }
        scale = group_scale(groups[_group(quantity)])
        rows += _rows(context, quantity, values, ref, context["dtype"], K, scale)
    return rows


def _group(quantity: str) -> str:
    """'dW[1]' -> 'd', 'step b[0]' -> 'step ', 'loss' -> 'loss'."""
    return re.sub(r"[Wb]\[\d+\]$", "", quantity)


def _rows(
    context: dict, quantity: str, values: dict, expected, dtype, K, scale=None
) -> list[dict]:
    """Each backend against the oracle, then against every other backend.
    `scale`: the magnitude errors are relative to (default: max|expected|)."""
    scale = magnitude(expected) if scale is None else scale
    pair_tol = 2 * tolerance(dtype, scale, K)
    arrays = {name: _as_numpy(value) for name, value in values.items()}
    rows = []
    for name, value in arrays.items():
        result = _compare(value, expected, dtype, K, None, scale)
        rows.append(_row(context, quantity, name, "oracle", result))
        for other, other_value in arrays.items():
            if other != name:
                result = _compare(value, other_value, dtype, K, pair_tol, scale)
                rows.append(_row(context, quantity, name, other, result))
    return rows


def _compare(value, ref, dtype, K, tol, scale) -> Comparison:
    for side in (value, ref):
        if isinstance(side, Exception):
            error = f"raised {type(side).__name__}: {side}"
            return Comparison(np.inf, np.inf, tol or 0.0, False, error)
    return compare(value, ref, dtype, K, tol, scale)


def _row(context: dict, quantity: str, backend: str, against: str, result) -> dict:
    return {
        "level": context["level"], "quantity": quantity, "dtype": context["dtype"],
        "sizes": context.get("sizes", ""), "activation": context.get("activation", ""),
        "output": context.get("output", ""), "loss": context.get("loss", ""),
        "dataset": context.get("dataset", ""), "backend": backend, "against": against,
        "max_abs_err": result.max_abs_err, "max_rel_err": result.max_rel_err,
        "tol": result.tol, "passed": bool(result.passed), "note": result.note,
    }  # fmt: skip


def _each(backends, run) -> dict:
    """{backend name: run(backend)}, an exception standing in for a failed run."""
    results = {}
    for backend in backends:
        try:
            results[backend.NAME] = run(backend)
        except Exception as error:  # a broken backend is a finding, not a crash
            results[backend.NAME] = error
    return results


def _as_numpy(value):
    if isinstance(value, Exception):
        return value
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        return error


def _named(prefix: str, params) -> dict:
    """[(W0, b0), ...] -> {'<prefix>W[0]': W0, '<prefix>b[0]': b0, ...}."""
    out = {}
    for i, (W, b) in enumerate(params):
        out[f"{prefix}W[{i}]"], out[f"{prefix}b[{i}]"] = W, b
    return out


def _spec_context(level: str, spec: NetworkSpec) -> dict:
    return dict(
        level=level, dtype=spec.dtype, sizes="-".join(map(str, spec.sizes)),
        activation=spec.activation, output=spec.output, loss=spec.loss,
    )  # fmt: skip


def _oracle_inputs(params, x, y, dtype: str):
    """The inputs rounded to dtype and back to float64: the oracle sees exactly the
    numbers a `dtype` backend sees."""
    cast = reference.cast_array
    return reference.cast_params(params, dtype), cast(x, dtype), cast(y, dtype)


def _describe(what, extra) -> str:
    if isinstance(what, NetworkSpec):
        return str(what)
    if extra:
        return f"{'/'.join(what)} on {extra[0]} {extra[1]}"
    return str(what)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per backend and level: cases, passed, and the case closest to its tolerance
    (`worst_share_of_tol` = max_abs_err / tol; above 1 fails)."""
    err, tol = results.max_abs_err.to_numpy(), results.tol.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(tol > 0, err / tol, np.where(err > 0, np.inf, 0.0))
    frame = results.assign(share=share)
    rows = []
    for (backend, level), group in frame.groupby(["backend", "level"], sort=False):
        worst = group.loc[group.share.idxmax()]
        rows.append(dict(
            backend=backend, level=level, cases=len(group),
            passed=int(group.passed.sum()),
            worst_rel_err=worst["max_rel_err"], worst_share_of_tol=worst["share"],
            worst_case=_case(worst),
        ))  # fmt: skip
    return pd.DataFrame(rows)


def _case(row) -> str:
    """A row's case in words: 'dW[0] 5-7-3 tanh/softmax/mse float32 vs oracle'."""
    spec = "/".join(row[k] for k in ("activation", "output", "loss") if row[k])
    parts = [row["quantity"], row["sizes"], spec, row["dataset"], row["dtype"]]
    text = " ".join(str(p) for p in parts if p) + f" vs {row['against']}"
    return f"{text} ({row['note']})" if row["note"] else text
