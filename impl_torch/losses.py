"""Losses and their gradients, PyTorch: torch.nn.functional's losses, gradients from
autograd. Formulas and conventions: reference/oracle.py.

`mse` takes the network output y_hat; both cross-entropies take the logits z
(never log(softmax(z)) or log(sigmoid(z))). Each `_grad` returns dL/d(first arg).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

Array = torch.Tensor


def mse(y_hat: Array, y: Array) -> Array:
    return F.mse_loss(y_hat, y)  # reduction="mean": over all N*C elements, no 1/2


def mse_grad(y_hat: Array, y: Array) -> Array:
    return _grad(mse, y_hat, y)


def softmax_cross_entropy(z: Array, y: Array) -> Array:
    if y.is_floating_point():  # target distribution (N, C)
        return F.cross_entropy(z, y)
    return F.cross_entropy(z, y.long())  # integer labels (N,); torch wants int64


def softmax_cross_entropy_grad(z: Array, y: Array) -> Array:
    return _grad(softmax_cross_entropy, z, y)


def sigmoid_cross_entropy(z: Array, y: Array) -> Array:
    return F.binary_cross_entropy_with_logits(z, y)  # mean over all N*C elements


def sigmoid_cross_entropy_grad(z: Array, y: Array) -> Array:
    return _grad(sigmoid_cross_entropy, z, y)


def _grad(loss, first: Array, y: Array) -> Array:
    """dL/d(first) by autograd, for the scalar L = loss(first, y)."""
    first = first.detach().requires_grad_()  # a fresh leaf: the caller's is untouched
    (d_first,) = torch.autograd.grad(loss(first, y), first)
    return d_first
