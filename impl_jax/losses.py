"""Losses and their gradients, JAX: jax.numpy and jax.nn, gradients from `jax.grad`.
Formulas and conventions: reference/oracle.py.

`mse` takes the network output y_hat; both cross-entropies take the logits z
(never log(softmax(z)) or log(sigmoid(z))). Each `_grad` returns dL/d(first arg).
Each is compiled whole by `jax.jit` and keeps float64 by `in_input_dtype`, as the
activations are (activations.py says why).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._x64 import in_input_dtype

Array = jax.Array


@in_input_dtype
@jax.jit
def mse(y_hat: Array, y: Array) -> Array:
    return jnp.mean((y_hat - y) ** 2)  # mean over all N*C elements, no 1/2


@in_input_dtype
@jax.jit
def mse_grad(y_hat: Array, y: Array) -> Array:
    return jax.grad(mse)(y_hat, y)


@in_input_dtype
@jax.jit
def softmax_cross_entropy(z: Array, y: Array) -> Array:
    log_p = jax.nn.log_softmax(z, axis=-1)  # z - logsumexp(z), (N, C)
    if y.ndim == 1:  # integer labels (N,): pick each row's log-probability
        return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=-1))
    return -jnp.mean(jnp.sum(y * log_p, axis=-1))  # target distribution (N, C)


@in_input_dtype
@jax.jit
def softmax_cross_entropy_grad(z: Array, y: Array) -> Array:
    return jax.grad(softmax_cross_entropy)(z, y)


@in_input_dtype
@jax.jit
def sigmoid_cross_entropy(z: Array, y: Array) -> Array:
    # -[y log s + (1 - y) log(1 - s)], with log s = log_sigmoid(z) and
    # log(1 - s) = log_sigmoid(-z), each computed stably from z
    return -jnp.mean(y * jax.nn.log_sigmoid(z) + (1 - y) * jax.nn.log_sigmoid(-z))


@in_input_dtype
@jax.jit
def sigmoid_cross_entropy_grad(z: Array, y: Array) -> Array:
    return jax.grad(sigmoid_cross_entropy)(z, y)
