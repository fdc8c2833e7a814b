"""The unit level of `comparisons.check`: each activation and each loss, value and
gradient, on three sets of inputs judged apart.

Errors are measured relative to the magnitude of what is compared
(reference/tolerance.py). One array that mixed 1e4 with O(1) values would judge
the O(1) ones against 1e4: a ReLU 0.02 off on every ordinary input would pass
in float32. So the inputs come in three cases, each against its own scale:

- `ordinary`: |z| <= 5, none at 0 -- where a relative error of 1e-4 must show;
- `extreme`: saturation (+-30) and logits of +-1e4 beside a few O(1) values, so
  that a saturated gradient (e^-30) is judged against an O(1) one;
- `zeros`: exact zeros (ReLU's kink) and values a hair either side.
"""

from __future__ import annotations

import numpy as np

import reference
from reference import NetworkSpec, oracle

from .rows import compare_all, each

# The names, from the oracle's tables: identity, sigmoid, ..., softmax, and any
# activation added there; mse, softmax_cross_entropy, sigmoid_cross_entropy.
ACTIVATIONS = tuple(oracle.ACTIVATIONS)
LOSSES = tuple(oracle.LOSSES)
UNITS = oracle.UNITS  # ACTIVATIONS + LOSSES; each comes with its `_grad`

INPUTS = {  # case -> z (3, 7): a batch of 3 rows over 7 classes or units
    "ordinary": np.array(
        [
            [0.5, -0.25, 2.0, -1.5, -3.0, 0.125, 1.0],
            [-4.5, 3.5, -0.75, 1.25, 4.0, -2.0, 0.3],
            [2.5, -1.0, 0.05, -0.6, 4.9, -3.7, 1.7],
        ]
    ),
    "extreme": np.array(
        [
            [-1e4, -30.0, -1.0, 0.5, 1.0, 30.0, 1e4],
            [1e4, -1e4, 30.0, 2.0, -30.0, -2.0, 1e4],
            [-1e4, -1e4, -1e4, 1e4, 0.25, -0.5, 30.0],
        ]
    ),
    "zeros": np.array(
        [
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 1e-3, -1e-3, 0.0, 1.0, -1.0, 0.0],
            [0.0, 0.0, 1e-6, 0.0, -1e-6, 0.0, 0.0],
        ]
    ),
}
LABELS = {  # case -> labels (3,) for softmax cross-entropy
    "ordinary": np.array([3, 0, 6]),
    "extreme": np.array([6, 0, 2]),  # picks 1e4, 1e4 (shared) and -1e4: 2e4 wrong
    "zeros": np.array([0, 4, 2]),
}
UPSTREAM = np.random.default_rng(0).normal(size=(3, 7))  # g = dL/da for f_grad
TARGETS = np.random.default_rng(1).uniform(size=(3, 7))  # probabilities
DISTRIBUTION = TARGETS / TARGETS.sum(axis=1, keepdims=True)  # rows sum to 1


def units_of(spec: NetworkSpec) -> tuple[str, ...]:
    """The units a network uses: its hidden and output activations and its loss."""
    loss = "mse" if spec.loss == "mse" else f"{spec.output}_cross_entropy"
    return (spec.activation, spec.output, loss)


def unit_rows(backends, dtype: str, units=UNITS) -> list[dict]:
    """Rows for `units` (names of UNITS) in `dtype`, every case of inputs."""
    rows = []
    for case in INPUTS:
        context = dict(level="unit", dtype=dtype, inputs=case)
        for name in (u for u in UNITS if u in units):
            for quantity, args in _calls(name, case).items():
                rows += _compare_unit(backends, context, quantity, args)
    return rows


def _calls(name: str, case: str) -> dict:
    """quantity -> (function name, arguments) for one unit on one case."""
    z = INPUTS[case]
    if name in ACTIVATIONS:
        return {name: (name, (z,)), f"{name}_grad": (f"{name}_grad", (z, UPSTREAM))}
    targets = {
        "mse": {"mse": TARGETS},
        "softmax_cross_entropy": {
            "softmax_cross_entropy": LABELS[case],
            "softmax_cross_entropy(distribution)": DISTRIBUTION,
        },
        "sigmoid_cross_entropy": {"sigmoid_cross_entropy": TARGETS},
    }[name]
    calls = {}
    for quantity, y in targets.items():
        calls[quantity] = (name, (z, y))
        calls[quantity.replace(name, f"{name}_grad")] = (f"{name}_grad", (z, y))
    return calls


def _compare_unit(backends, context: dict, quantity: str, call) -> list[dict]:
    """Every backend's f(*args) against the oracle's on the dtype-rounded args.
    K is the longest sum: a row of 7 for an activation, all 21 for a loss."""
    name, args = call
    dtype = context["dtype"]
    args = [reference.cast_array(a, dtype) for a in args]
    # asarray needs a spec: with n_in == n_out it takes every (3, 7) array as it
    # is (z and g are no targets to check), and labels stay integer
    spec = NetworkSpec((7, 2, 7), dtype=dtype)
    values = each(
        backends,
        lambda b: getattr(b, name)(*(b.asarray(a, spec) for a in args)),
    )
    expected = getattr(oracle, name)(*args)
    K = args[0].shape[1] if name.split("_grad")[0] in ACTIVATIONS else args[0].size
    return compare_all(context, quantity, values, expected, K)
