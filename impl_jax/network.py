"""The network, JAX: pure functions of the parameters; `jax.value_and_grad`
transforms the loss into its gradient and `jax.jit` compiles both.

Parameters are a list of (W, b) per layer, W (n_in, n_out), applied as x @ W + b.
The math, and the chain rule that `jax.grad` applies: reference/oracle.py.
The spec is a frozen dataclass, so `jit` takes it as a static argument.
"""

from __future__ import annotations

import functools

import jax
import numpy as np

from reference import NetworkSpec, validate

from ._x64 import x64_for
from .activations import ACTIVATIONS
from .losses import mse, sigmoid_cross_entropy, softmax_cross_entropy

Array = jax.Array
Params = list[tuple[Array, Array]]


def from_numpy(params, spec: NetworkSpec, device=None) -> Params:
    """Reference parameters -> JAX arrays in spec.dtype on `device` (always a copy)."""
    validate.check_incoming_params(params, spec)
    with x64_for(spec.dtype):
        return [
            (_put(W, spec.dtype, device), _put(b, spec.dtype, device))
            for W, b in params
        ]


def asarray(a, spec: NetworkSpec, device=None) -> Array:
    """One NumPy array -> a JAX array in spec.dtype; class labels become int32."""
    a = validate.check_incoming(a, spec)
    dtype = np.int32 if validate.is_labels(a, spec) else spec.dtype
    with x64_for(spec.dtype):
        return _put(a, dtype, device)


def to_numpy(tree):
    """An array, or a list of (W, b), -> the same structure of NumPy arrays (copies)."""
    if isinstance(tree, (list, tuple)):
        return [tuple(to_numpy(p) for p in layer) for layer in tree]
    validate.check_native("tree", tree, Array)
    return np.array(tree)


def forward(params: Params, x: Array, spec: NetworkSpec) -> Array:
    """The network output y_hat (N, n_out), after the output activation."""

    def run():
        with x64_for(spec.dtype):
            return _predict(params, x, spec.activation, spec.output)

    return _run_then_check(run, params, x, None, spec)


def loss(params: Params, x: Array, y: Array, spec: NetworkSpec) -> Array:
    """The scalar loss on the batch (x, y)."""

    def run():
        with x64_for(spec.dtype):
            z = _logits(params, x, spec.activation)  # the layers, to the last z
            return _loss_of_logits(z, y, spec.output, spec.loss)  # then the loss

    return _run_then_check(run, params, x, y, spec)


def loss_and_grads(params: Params, x: Array, y: Array, spec: NetworkSpec):
    """(loss, grads), grads a list of (dL/dW, dL/db) shaped like params."""

    def run():
        with x64_for(spec.dtype):
            return _loss_and_grads(params, x, y, spec)

    return _run_then_check(run, params, x, y, spec)


def _run_then_check(run, params, x, y, spec):
    """run()'s result, once the call's structural checks have passed.

    NumPy and torch check first, then compute. JAX only dispatches: run() returns
    while the compiled program computes on another thread, so the checks run here
    at no cost, beside it. Run first, they would leave that thread idle long enough
    to fall asleep, and waking it costs more than the checks: at 256-256-10, batch
    1, a 20 us call took 27 us with 4 us of busy-waiting before the dispatch, and
    39 us or more with the checks there. Where run() fails (JAX refused the
    input), the checks say why in our words; where they pass, JAX's own error
    stands. The result of a call that fails the checks is never returned."""
    error = None
    try:
        result = run()
    except Exception as raised:  # kept, not handled here: the checks come first
        error = raised
    validate.check_call(params, x, y, spec, Array)  # outside `except`: no chaining
    if error is not None:
        raise error
    return result


def _forward(params: Params, x: Array, activation: str, output: str):
    """The last layer's z and a; a pure function, compiled into the programs below.
    It takes the two names it uses rather than the spec: see the programs."""
    a = x
    for i, (W, b) in enumerate(params):
        z = a @ W + b  # (N, sizes[i + 1])
        f = ACTIVATIONS[output if i == len(params) - 1 else activation][0]
        a = f(z)
    return z, a


def _output_loss(z: Array, y_hat: Array, y: Array, output: str, loss: str) -> Array:
    """The loss from the last layer: MSE on y_hat, cross-entropy on the logits z."""
    if loss == "mse":
        return mse(y_hat, y)
    if output == "softmax":
        return softmax_cross_entropy(z, y)
    return sigmoid_cross_entropy(z, y)


def _loss(params: Params, x: Array, y: Array, spec: NetworkSpec) -> Array:
    """The loss as a function of the parameters: what `jax.value_and_grad`
    differentiates, compiled together with its gradient below and in `train`."""
    z, y_hat = _forward(params, x, spec.activation, spec.output)
    return _output_loss(z, y_hat, y, spec.output, spec.loss)


# The compiled programs of forward and loss. Each is keyed by the names it
# computes from, not the whole spec (the shapes and dtypes key it too), so specs
# that differ only elsewhere share it: a check of every spec traces and compiles
# 112 fewer programs, and a warm check took 13 s against 15. forward's program
# returns y_hat alone: z beside it cost 4 us a call at 256-256-10, batch 1 (22
# against 18 us). loss runs two: the layers to z, then the output activation and
# the loss. (A whole program per spec for loss added 46 programs to a cold check.)
@functools.partial(jax.jit, static_argnames=("activation", "output"))
def _predict(params: Params, x: Array, activation: str, output: str) -> Array:
    z, y_hat = _forward(params, x, activation, output)
    return y_hat


@functools.partial(jax.jit, static_argnames="activation")
def _logits(params: Params, x: Array, activation: str) -> Array:
    z, y_hat = _forward(params, x, activation, "identity")  # y_hat is z: no extra op
    return z


@functools.partial(jax.jit, static_argnames=("output", "loss"))
def _loss_of_logits(z: Array, y: Array, output: str, loss: str) -> Array:
    return _output_loss(z, ACTIVATIONS[output][0](z), y, output, loss)


# value_and_grad differentiates with respect to the first argument, params,
# and returns the gradient with the same structure: a list of (dL/dW, dL/db).
_loss_and_grads = jax.jit(jax.value_and_grad(_loss), static_argnames="spec")


def _put(a, dtype, device) -> Array:
    """A fresh copy of `a` in `dtype`, placed on `device` (default: JAX's default)."""
    return jax.device_put(np.array(a, dtype=dtype), _device(device))


def _device(device):
    """`device` as a jax.Device: None means JAX's default; a string names a platform."""
    if device is None or isinstance(device, jax.Device):
        return device
    if not isinstance(device, str):
        raise TypeError(
            f"device must be None, a jax.Device or a platform name, got "
            f"{type(device).__name__} {device!r:.60}"
        )
    try:
        return jax.devices(device)[0]
    except RuntimeError:
        platforms = sorted({d.platform for d in jax.devices()})
        raise ValueError(
            f"device must be None, a jax.Device or a platform available here "
            f"({', '.join(platforms)}), got {device!r}"
        ) from None
