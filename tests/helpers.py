"""Shared test helpers: batches that fit a spec, and the oracle on the same inputs."""

from __future__ import annotations

import numpy as np

import reference
from reference import NetworkSpec


def make_batch(spec: NetworkSpec, n: int = 16, seed: int = 1, labels: bool = True):
    """x (n, n_in) float64 and a y that fits the spec's loss.

    Softmax cross-entropy: integer labels (or, with labels=False, a target
    distribution); sigmoid cross-entropy: probabilities in [0, 1]; MSE: real targets.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, spec.n_in))
    if spec.uses_labels:
        y = rng.integers(0, spec.n_out, size=n)
        return x, (y if labels else reference.oracle.one_hot(y, spec.n_out))
    if spec.loss == "cross_entropy":
        return x, rng.uniform(size=(n, spec.n_out))
    return x, rng.normal(size=(n, spec.n_out))


def on_oracle_inputs(params, x, y, dtype: str):
    """The inputs rounded to `dtype` and back to float64, so the float64 oracle
    sees exactly the numbers a `dtype` backend sees."""
    rounded = reference.cast_params(params, dtype)

    def cast(a):
        return a.astype(dtype).astype(np.float64) if a.dtype.kind == "f" else a

    return rounded, cast(x), cast(y)


def native(backend, params, x, y, spec: NetworkSpec):
    """Reference params and NumPy data -> the backend's own arrays."""
    return (
        backend.from_numpy(params, spec),
        backend.asarray(x, spec),
        backend.asarray(y, spec),
    )


def assert_agrees(actual, expected, dtype: str, K: int = 1, what: str = ""):
    """`actual` is within the tolerance policy of the oracle's `expected`."""
    from reference.tolerance import compare

    result = compare(actual, expected, dtype, K)
    assert result.passed, f"{what}: {result}"


def assert_params_agree(actual, expected, dtype: str, K: int = 1, what: str = ""):
    """Every W and b of `actual` (NumPy) agrees with `expected` under the policy."""
    assert len(actual) == len(expected)
    for i, (layer, ref_layer) in enumerate(zip(actual, expected)):
        for name, a, r in zip(("W", "b"), layer, ref_layer):
            assert a.shape == r.shape, (
                f"{what} layer {i} {name}: {a.shape} != {r.shape}"
            )
            assert_agrees(a, r, dtype, K, f"{what} layer {i} {name}")
