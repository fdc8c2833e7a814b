"""Losses and their gradients, NumPy: each gradient written by hand, next to its
loss. Formulas and conventions: reference/oracle.py.

`mse` takes the network output y_hat; both cross-entropies take the logits z
(never log(softmax(z)) or log(sigmoid(z))). Each `_grad` returns dL/d(first arg).
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, softmax

Array = np.ndarray


def mse(y_hat: Array, y: Array) -> Array:
    return np.mean((y_hat - y) ** 2)  # mean over all N*C elements, no 1/2


def mse_grad(y_hat: Array, y: Array) -> Array:
    return 2 * (y_hat - y) / y_hat.size  # dL/dy_hat = 2 (y_hat - y) / (N C)


def softmax_cross_entropy(z: Array, y: Array) -> Array:
    m = z.max(axis=-1, keepdims=True)
    log_p = z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))  # (N, C)
    if y.ndim == 1:  # integer labels (N,): pick each row's log-probability
        return -np.mean(log_p[np.arange(len(y)), y])
    return -np.mean((y * log_p).sum(axis=-1))  # target distribution (N, C)


def softmax_cross_entropy_grad(z: Array, y: Array) -> Array:
    p = softmax(z)  # (N, C)
    if y.ndim == 1:
        p[np.arange(len(y)), y] -= 1  # p - one_hot(y)
        return p / len(y)  # dL/dz = (softmax(z) - y) / N
    return (p * y.sum(axis=-1, keepdims=True) - y) / len(y)


def sigmoid_cross_entropy(z: Array, y: Array) -> Array:
    # -[y log s + (1 - y) log(1 - s)] = max(z, 0) - z y + log(1 + e^-|z|)
    return np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))


def sigmoid_cross_entropy_grad(z: Array, y: Array) -> Array:
    return (sigmoid(z) - y) / z.size  # dL/dz = (sigmoid(z) - y) / (N C)
