"""One tidy row per comparison: a backend's result against the oracle's, or
against another backend's, under the tolerance policy (reference/tolerance.py).

Every level of `comparisons.check` runs its backends through `each` and turns
what they return into rows with `compare_all`.
"""

from __future__ import annotations

import numpy as np

from reference.tolerance import Comparison, compare, magnitude, tolerance

# What makes two rows the same case, whoever is compared with whom.
CASE = [
    "level",
    "quantity",
    "inputs",
    "dtype",
    "sizes",
    "activation",
    "output",
    "loss",
    "dataset",
]
COLUMNS = [
    *CASE,
    "backend",
    "against",
    "max_abs_err",
    "max_rel_err",
    "tol",
    "passed",
    "note",
]


def each(backends, run) -> dict:
    """{backend name: run(backend)}, an exception standing in for a failed run."""
    return {backend.NAME: attempt(run, backend) for backend in backends}


def attempt(f, *args):
    """f(*args), or the exception it raised, standing in for its result."""
    try:
        return f(*args)
    except (Exception, SystemExit) as error:  # a broken backend is a finding
        return error


def compare_all(
    context: dict, quantity: str, values: dict, expected, K: int, scale=None
) -> list[dict]:
    """Each backend's value against the oracle's `expected`, then against every
    other backend's, with twice the tolerance (both sides carry rounding).
    `scale`: the magnitude errors are relative to (default: max|expected|)."""
    dtype = context["dtype"]
    scale = magnitude(expected) if scale is None else scale
    pair_tol = 2 * tolerance(dtype, scale, K)
    arrays = {name: _as_numpy(value) for name, value in values.items()}
    rows = []
    for name, value in arrays.items():
        result = _compare(value, expected, dtype, K, None, scale)
        rows.append(row(context, quantity, name, "oracle", result))
        for other, other_value in arrays.items():
            if other != name:
                result = _compare(value, other_value, dtype, K, pair_tol, scale)
                rows.append(row(context, quantity, name, other, result))
    return rows


def row(context: dict, quantity: str, backend: str, against: str, result) -> dict:
    """One row of COLUMNS; `context` holds the level, dtype and what was run."""
    found = {"quantity": quantity, "backend": backend, "against": against}
    numbers = {
        "max_abs_err": result.max_abs_err,
        "max_rel_err": result.max_rel_err,
        "tol": result.tol,
        "passed": bool(result.passed),
        "note": result.note,
    }
    return {c: {**context, **found, **numbers}.get(c, "") for c in COLUMNS}


def _compare(value, ref, dtype, K, tol, scale) -> Comparison:
    for side in (value, ref):
        if isinstance(side, BaseException):
            return Comparison(np.inf, np.inf, tol or 0.0, False, raised(side))
    return compare(value, ref, dtype, K, tol, scale)


def raised(error: BaseException) -> str:
    """'raised ValueError: its message', the note of a failed row; the message
    as written, even where its own str() fails."""
    try:
        message = str(error)
    except Exception:
        message = "(its message could not be read)"
    return f"raised {type(error).__name__}: {message}"


def _as_numpy(value):
    if isinstance(value, BaseException):
        return value
    if value is None:
        return ValueError("returned None")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        return error
