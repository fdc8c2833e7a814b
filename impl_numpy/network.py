"""The network, NumPy: forward pass, and gradients by backpropagation derived by hand.

Parameters are a list of (W, b) per layer, W (n_in, n_out), applied as x @ W + b.
The math, and the chain rule written out: reference/oracle.py.
"""

from __future__ import annotations

import numpy as np

from reference import NetworkSpec, validate

from .activations import ACTIVATIONS, GRAD_FROM_OUTPUT
from .losses import (
    mse,
    mse_grad,
    sigmoid_cross_entropy,
    sigmoid_cross_entropy_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)

Array = np.ndarray
Params = list[tuple[Array, Array]]


def from_numpy(params, spec: NetworkSpec, device=None) -> Params:
    """Reference parameters -> NumPy arrays in spec.dtype (always a copy)."""
    validate.check_incoming_params(params, spec)
    _check_device(device)
    return [
        (np.array(W, dtype=spec.dtype), np.array(b, dtype=spec.dtype))
        for W, b in params
    ]


def asarray(a, spec: NetworkSpec, device=None) -> Array:
    """One NumPy array -> a NumPy array in spec.dtype; class labels become int64."""
    a = validate.check_incoming(a, spec)
    _check_device(device)
    return np.array(a, dtype=np.int64 if validate.is_labels(a, spec) else spec.dtype)


def to_numpy(tree):
    """An array, or a list of (W, b), -> the same structure of NumPy arrays (copies)."""
    if isinstance(tree, (list, tuple)):
        return [tuple(to_numpy(p) for p in layer) for layer in tree]
    validate.check_native("tree", tree, (Array, np.generic))  # np.mean gives np.generic
    return np.array(tree)


def forward(params: Params, x: Array, spec: NetworkSpec) -> Array:
    """The network output y_hat (N, n_out), after the output activation."""
    validate.check_call(params, x, None, spec, Array)
    zs, activations = _forward(params, x, spec)
    return activations[-1]


def loss(params: Params, x: Array, y: Array, spec: NetworkSpec) -> Array:
    """The scalar loss on the batch (x, y)."""
    validate.check_call(params, x, y, spec, Array)
    zs, activations = _forward(params, x, spec)
    return _output_loss(zs[-1], activations[-1], y, spec)


def loss_and_grads(params: Params, x: Array, y: Array, spec: NetworkSpec):
    """(loss, grads), grads a list of (dL/dW, dL/db) shaped like params."""
    validate.check_call(params, x, y, spec, Array)
    return _loss_and_grads(params, x, y, spec)


def _forward(params: Params, x: Array, spec: NetworkSpec):
    """Every layer's z and a, kept for the backward pass (a_0 = x)."""
    zs, activations = [], [x]
    for i, (W, b) in enumerate(params):
        z = activations[-1] @ W + b  # (N, sizes[i + 1])
        f = ACTIVATIONS[spec.output if i == len(params) - 1 else spec.activation][0]
        zs.append(z)
        activations.append(f(z))
    return zs, activations


def _output_loss(z: Array, y_hat: Array, y: Array, spec: NetworkSpec) -> Array:
    """The loss from the last layer: MSE on y_hat, cross-entropy on the logits z."""
    if spec.loss == "mse":
        return mse(y_hat, y)
    if spec.output == "softmax":
        return softmax_cross_entropy(z, y)
    return sigmoid_cross_entropy(z, y)


def _output_delta(z: Array, y_hat: Array, y: Array, spec: NetworkSpec) -> Array:
    """delta = dL/dz for the last layer (N, n_out)."""
    if spec.loss == "mse":
        return ACTIVATIONS[spec.output][1](z, mse_grad(y_hat, y))
    if spec.output == "softmax":
        return softmax_cross_entropy_grad(z, y)
    return sigmoid_cross_entropy_grad(z, y)


def _loss_and_grads(params: Params, x: Array, y: Array, spec: NetworkSpec):
    """Backpropagation: delta = dL/dz flows from the last layer to the first."""
    zs, activations = _forward(params, x, spec)
    value = _output_loss(zs[-1], activations[-1], y, spec)
    delta = _output_delta(zs[-1], activations[-1], y, spec)  # (N, n_out)
    grads = []
    for i in reversed(range(len(params))):
        W, _ = params[i]
        grads.append((activations[i].T @ delta, delta.sum(axis=0)))  # dL/dW, dL/db
        if i > 0:  # dL/dz of the layer below: back through W, then through f,
            # from f's output activations[i] = f(zs[i - 1]), kept by the forward pass
            f_grad = GRAD_FROM_OUTPUT[spec.activation]
            delta = f_grad(activations[i], delta @ W.T)
    return value, grads[::-1]


def _check_device(device) -> None:
    if device not in (None, "cpu"):
        raise ValueError(f"device must be None or 'cpu' for NumPy, got {device!r}")
