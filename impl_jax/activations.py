"""Activations and their gradients, JAX: the gradient comes from `jax.vjp`.
Formulas and conventions: reference/oracle.py.

Each `f_grad(z, g)` returns dL/dz given g = dL/da for a = f(z): a
vector-Jacobian product, which is what `jax.vjp(f, z)` returns a function for.

Every function runs with JAX's x64 flag set for its input's dtype, by
`in_input_dtype` (_x64.py), so that float64 stays float64, and is compiled whole
by `jax.jit`: one program per shape and dtype. Run op by op, JAX would compile
each operation inside on its own (a cold `triptych check` compiles 248 programs,
against 378 op by op). Inside the network's compiled programs they are inlined.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._x64 import in_input_dtype

Array = jax.Array


@in_input_dtype
@jax.jit
def identity(z: Array) -> Array:
    return z


@in_input_dtype
@jax.jit
def identity_grad(z: Array, g: Array) -> Array:
    return _vjp(identity, z, g)


@in_input_dtype
@jax.jit
def sigmoid(z: Array) -> Array:
    return jax.nn.sigmoid(z)


@in_input_dtype
@jax.jit
def sigmoid_grad(z: Array, g: Array) -> Array:
    return _vjp(sigmoid, z, g)


@in_input_dtype
@jax.jit
def tanh(z: Array) -> Array:
    return jnp.tanh(z)


@in_input_dtype
@jax.jit
def tanh_grad(z: Array, g: Array) -> Array:
    return _vjp(tanh, z, g)


@in_input_dtype
@jax.jit
def relu(z: Array) -> Array:
    # a custom derivative gives relu'(0) = 0; jnp.maximum(z, 0) would give 0.5
    return jax.nn.relu(z)


@in_input_dtype
@jax.jit
def relu_grad(z: Array, g: Array) -> Array:
    return _vjp(relu, z, g)


@in_input_dtype
@jax.jit
def softmax(z: Array) -> Array:
    return jax.nn.softmax(z, axis=-1)  # subtracts the max internally


@in_input_dtype
@jax.jit
def softmax_grad(z: Array, g: Array) -> Array:
    return _vjp(softmax, z, g)


def _vjp(f, z: Array, g: Array) -> Array:
    """dL/dz = J_f(z)^T g: jax.vjp linearises f at z and hands back its transpose."""
    _, f_vjp = jax.vjp(f, jnp.asarray(z))
    (dz,) = f_vjp(jnp.asarray(g, dtype=jnp.asarray(z).dtype))
    return dz


# name -> (f, f_grad), for the network to look up by spec.activation / spec.output
ACTIVATIONS = {
    "identity": (identity, identity_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "softmax": (softmax, softmax_grad),
}
