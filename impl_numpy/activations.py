"""Activations and their gradients, NumPy: each derivative written by hand, next to
its function. Formulas and conventions: reference/oracle.py.

Each `f_grad(z, g)` returns dL/dz given g = dL/da for a = f(z), which is what
backpropagation needs: g * f'(z) for element-wise f, J^T g for softmax.
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
    s = sigmoid(z)
    return g * s * (1 - s)  # f'(z) = f(z) (1 - f(z))


def tanh(z: Array) -> Array:
    return np.tanh(z)


def tanh_grad(z: Array, g: Array) -> Array:
    return g * (1 - np.tanh(z) ** 2)  # f'(z) = 1 - f(z)^2


def relu(z: Array) -> Array:
    return np.maximum(z, 0)


def relu_grad(z: Array, g: Array) -> Array:
    return g * (z > 0)  # f'(z) = 1 if z > 0 else 0, and f'(0) = 0


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
