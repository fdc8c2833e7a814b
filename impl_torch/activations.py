"""Activations and their gradients, PyTorch: the gradient comes from autograd.
Formulas and conventions: reference/oracle.py.

Each `f_grad(z, g)` returns dL/dz given g = dL/da for a = f(z): a
vector-Jacobian product, which is what `torch.autograd.grad(a, z, g)` computes.
"""

from __future__ import annotations

import torch

Array = torch.Tensor


def identity(z: Array) -> Array:
    return z


def identity_grad(z: Array, g: Array) -> Array:
    return _vjp(identity, z, g)


def sigmoid(z: Array) -> Array:
    return torch.sigmoid(z)


def sigmoid_grad(z: Array, g: Array) -> Array:
    return _vjp(sigmoid, z, g)


def tanh(z: Array) -> Array:
    return torch.tanh(z)


def tanh_grad(z: Array, g: Array) -> Array:
    return _vjp(tanh, z, g)


def relu(z: Array) -> Array:
    # its backward gives relu'(0) = 0; torch.clamp(z, min=0) would give 1
    return torch.relu(z)


def relu_grad(z: Array, g: Array) -> Array:
    return _vjp(relu, z, g)


def softmax(z: Array) -> Array:
    return torch.softmax(z, dim=-1)  # subtracts the max internally


def softmax_grad(z: Array, g: Array) -> Array:
    return _vjp(softmax, z, g)


def _vjp(f, z: Array, g: Array) -> Array:
    """dL/dz = J_f(z)^T g, by recording f(z) on autograd's tape and running it back."""
    z = z.detach().requires_grad_()  # a fresh leaf: the caller's tensor is untouched
    (dz,) = torch.autograd.grad(f(z), z, grad_outputs=g)
    return dz


# name -> (f, f_grad), for the network to look up by spec.activation / spec.output
ACTIVATIONS = {
    "identity": (identity, identity_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "softmax": (softmax, softmax_grad),
}
