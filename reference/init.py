"""Shared initial parameters: every framework starts from the same numbers.

`init_params(spec, seed)` draws float64 NumPy arrays from one seeded generator;
each backend's `from_numpy` turns them into its own arrays in `spec.dtype`.

The scheme (a sound default, written down once):

- hidden layers with sigmoid or tanh: Glorot (Xavier) normal,
  `W ~ N(0, 2 / (fan_in + fan_out))`, which keeps the variance of activations and
  of gradients about constant through layers whose activation is ~linear at 0;
- hidden layers with ReLU: He normal, `W ~ N(0, 2 / fan_in)`, since ReLU zeroes
  half of its inputs and so halves the variance;
- the output layer (identity, sigmoid or softmax): Glorot normal;
- biases: zero.
"""

from __future__ import annotations

import numpy as np

from .spec import NetworkSpec

Params = list[tuple[np.ndarray, np.ndarray]]  # [(W (n_in, n_out), b (n_out,)), ...]


def init_params(spec: NetworkSpec, seed: int = 0) -> Params:
    """Float64 parameters for `spec`, the same for a given seed on every machine."""
    if not isinstance(spec, NetworkSpec):
        raise TypeError(f"spec must be a NetworkSpec, got {type(spec).__name__}")
    rng = np.random.default_rng(seed)
    params = []
    for i, (fan_in, fan_out) in enumerate(zip(spec.sizes[:-1], spec.sizes[1:])):
        is_hidden = i < spec.n_layers - 1
        if is_hidden and spec.activation == "relu":
            std = np.sqrt(2.0 / fan_in)  # He
        else:
            std = np.sqrt(2.0 / (fan_in + fan_out))  # Glorot
        W = rng.normal(0.0, std, size=(fan_in, fan_out))  # (fan_in, fan_out)
        b = np.zeros(fan_out)  # (fan_out,)
        params.append((W, b))
    return params


def cast_params(params: Params, dtype: str) -> Params:
    """Round parameters to `dtype` and back to float64.

    The oracle compares a float32 run against float64 arithmetic on the *same*
    float32 starting numbers, so that only the arithmetic differs, not the inputs.
    """
    return [(cast_array(W, dtype), cast_array(b, dtype)) for W, b in params]


def cast_array(a, dtype: str) -> np.ndarray:
    """A float array rounded to `dtype` and back to float64 (as `cast_params`);
    integer labels are returned as they are."""
    a = np.asarray(a)
    return a.astype(dtype).astype(np.float64) if a.dtype.kind == "f" else a
