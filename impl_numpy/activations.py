"""Activations and their gradients, NumPy: each derivative written by hand, next to
its function. Formulas and conventions: reference/oracle.py.

Each `f_grad(z, g)` returns dL/dz given g = dL/da for a = f(z), which is what
backpropagation needs: g * f'(z) for element-wise f, J^T g for softmax.

A hidden activation's derivative is written in terms of its output a, as the
tutorial writes it (sigmoid' = a (1 - a), tanh' = 1 - a^2), in `_f_grad_from(a,
g)`: backpropagation has the a its forward pass kept, so f(z) is not computed
again (torch's autograd saves tanh's output for the same reason). At
1024-1024-10, batch 1024, that spares np.tanh over a million elements, about
4 ms of a 40 ms step.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray


def identity(z: Array) -> Array:
    return z


def identity_grad(z: Array, g: Array) -> Array:
    return g  # f'(z) = 1


def sigmoid(z: Array) -> Array:
    e = np.exp(-np.abs(z))  # exp of -|z| <= 0 never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z: Array, g: Array) -> Array:
    return _sigmoid_grad_from(sigmoid(z), g)


def _sigmoid_grad_from(a: Array, g: Array) -> Array:
    return g * a * (1 - a)  # f'(z) = f(z) (1 - f(z))


def tanh(z: Array) -> Array:
    return np.tanh(z)


def tanh_grad(z: Array, g: Array) -> Array:
    return _tanh_grad_from(tanh(z), g)


def _tanh_grad_from(a: Array, g: Array) -> Array:
    return g * (1 - a**2)  # f'(z) = 1 - f(z)^2


def relu(z: Array) -> Array:
    return np.maximum(z, 0)


def relu_grad(z: Array, g: Array) -> Array:
    return _relu_grad_from(relu(z), g)


def _relu_grad_from(a: Array, g: Array) -> Array:
    return g * (a > 0)  # f'(z) = 1 if z > 0 else 0, and f'(0) = 0 (a > 0 iff z > 0)


def softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=-1, keepdims=True))  # shift by the max: no overflow
    return e / e.sum(axis=-1, keepdims=True)


def softmax_grad(z: Array, g: Array) -> Array:
    s = softmax(z)
    return s * (g - (g * s).sum(axis=-1, keepdims=True))  # J^T g, J = diag(s) - s s^T


# name -> (f, f_grad), for the network to look up by spec.activation / spec.output
ACTIVATIONS = {
    "identity": (identity, identity_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "softmax": (softmax, softmax_grad),
}

# hidden activation -> its gradient from its output, `_f_grad_from(a, g)`, for
# backpropagation, which kept a = f(z) from the forward pass
GRAD_FROM_OUTPUT = {
    "sigmoid": _sigmoid_grad_from,
    "tanh": _tanh_grad_from,
    "relu": _relu_grad_from,
}
