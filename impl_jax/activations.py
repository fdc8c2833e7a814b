"""Activations and their gradients, JAX: the gradient comes from `jax.vjp`.
Formulas and conventions: reference/oracle.py.

Each `f_grad(z, g)` returns dL/dz given g = dL/da for a = f(z): a
vector-Jacobian product, which is what `jax.vjp(f, z)` returns a function for.

JAX computes in float32 unless its x64 flag is on (float64 input would be
silently rounded). `x64_for(dtype)` turns the flag on for float64 work, for
one call only; every public function here and in the other modules uses it,
so the caller never touches JAX's global config.
"""

from __future__ import annotations

import contextlib
import functools

import jax
import jax.numpy as jnp

Array = jax.Array


def x64_for(dtype):
    """A context in which JAX keeps `dtype`: x64 on for float64, as is otherwise."""
    if jnp.dtype(dtype) == jnp.float64:
        return jax.enable_x64(True)  # thread-local and scoped: the global flag stays
    return contextlib.nullcontext()


def in_input_dtype(f):
    """Run f(z, ...) with x64 on where z is float64 (see the module docstring)."""

    @functools.wraps(f)
    def keeping_dtype(z, *args):
        with x64_for(getattr(z, "dtype", jnp.float32)):
            return f(z, *args)

    return keeping_dtype


@in_input_dtype
def identity(z: Array) -> Array:
    return z


@in_input_dtype
def identity_grad(z: Array, g: Array) -> Array:
    return _vjp(identity, z, g)


@in_input_dtype
def sigmoid(z: Array) -> Array:
    return jax.nn.sigmoid(z)


@in_input_dtype
def sigmoid_grad(z: Array, g: Array) -> Array:
    return _vjp(sigmoid, z, g)


@in_input_dtype
def tanh(z: Array) -> Array:
    return jnp.tanh(z)


@in_input_dtype
def tanh_grad(z: Array, g: Array) -> Array:
    return _vjp(tanh, z, g)


@in_input_dtype
def relu(z: Array) -> Array:
    # a custom derivative gives relu'(0) = 0; jnp.maximum(z, 0) would give 0.5
    return jax.nn.relu(z)


@in_input_dtype
def relu_grad(z: Array, g: Array) -> Array:
    return _vjp(relu, z, g)


@in_input_dtype
def softmax(z: Array) -> Array:
    return jax.nn.softmax(z, axis=-1)  # subtracts the max internally


@in_input_dtype
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
