"""The backend API, declared once: the `Backend` protocol and the kinds of unit.

A backend is any module or object that fits `Backend` (a module fits a Protocol
as an object does, `self` left out): the packages impl_numpy, impl_torch and
impl_jax, or one of your own (README, "Add a backend").

The network level is written out in `Backend`, one method per function in the
order every backend exports them. The unit level is not: its names live in
reference/ alone (`oracle.ACTIVATIONS`, `oracle.LOSSES`), so that an activation
added there is part of the API with no edit here. Instead each kind of unit has
one generic signature, applied to every name of its table:

- every activation `f`: `f(z)` (`Activation`) and `f_grad(z, g)` (`ActivationGrad`);
- every loss `f`: `f(first, y)` (`Loss`) and `f_grad(first, y)` (`LossGrad`), with
  `first` named as the oracle names it: `y_hat` for mse, the logits `z` for the
  cross-entropies.

`API` and `UNITS` are the names in order, and `PARAMETERS` the parameters each
function takes, which `comparisons.backends.conformance` checks.
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol

import numpy as np

from reference import NetworkSpec, oracle

Array = Any  # each backend's own: np.ndarray, torch.Tensor, jax.Array
Params = list[tuple[Array, Array]]  # one (W, b) per layer, W (n_in, n_out)


class Backend(Protocol):
    """The network level of every backend; the unit level is in the module
    docstring. The math of each function: reference/oracle.py."""

    NAME: str
    """The backend's name in tables and on the command line: numpy, torch, jax."""

    def from_numpy(self, params, spec: NetworkSpec, device=None) -> Params:
        """Reference parameters -> native arrays in spec.dtype on `device` (a copy)."""

    def asarray(self, a, spec: NetworkSpec, device=None) -> Array:
        """One NumPy array -> a native array in spec.dtype; class labels stay ints."""

    def to_numpy(self, tree):
        """An array, or a list of (W, b), -> the same structure of NumPy arrays."""

    def forward(self, params: Params, x: Array, spec: NetworkSpec) -> Array:
        """The network output y_hat (N, n_out), after the output activation."""

    def loss(self, params: Params, x: Array, y: Array, spec: NetworkSpec) -> Array:
        """The scalar loss on the batch (x, y)."""

    def loss_and_grads(self, params: Params, x: Array, y: Array, spec: NetworkSpec):
        """(loss, grads), grads a list of (dL/dW, dL/db) shaped like params."""

    def sgd_step(self, params: Params, grads: Params, lr: float) -> Params:
        """New parameters p - lr * dL/dp; params and grads are left as they were."""

    def train(
        self,
        params: Params,
        x: Array,
        y: Array,
        spec: NetworkSpec,
        lr: float,
        steps: int,
        batch_size: int | None = None,
        seed: int = 0,
        tol: float | None = None,
    ) -> tuple[Params, np.ndarray]:
        """`steps` steps of gradient descent -> (params, each step's batch loss)."""

    def sync(self, tree):
        """Wait until the values in `tree` are computed; returns `tree`."""


class Activation(Protocol):
    def __call__(self, z: Array) -> Array:
        """a = f(z), (N, C) -> (N, C): element-wise, or along each row (softmax)."""


class ActivationGrad(Protocol):
    def __call__(self, z: Array, g: Array) -> Array:
        """dL/dz given g = dL/da for a = f(z): the vector-Jacobian product."""


class Loss(Protocol):
    def __call__(self, first: Array, y: Array) -> Array:
        """The scalar loss of y_hat (mse) or of the logits z against the targets y."""


class LossGrad(Protocol):
    def __call__(self, first: Array, y: Array) -> Array:
        """dL/d(first), shaped like first."""


def parameters_of(function) -> list[str] | None:
    """['params', 'x', 'batch_size=None', ...]: names and defaults, not annotations."""
    if not callable(function):
        return None
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    return [
        p.name if p.default is p.empty else f"{p.name}={p.default!r}"
        for p in parameters
    ]


def _unit(kind, oracle_function) -> list[str]:
    """The kind's parameters less `self`, its `first` named as the oracle's is."""
    first = next(iter(inspect.signature(oracle_function).parameters))
    return [first if p == "first" else p for p in parameters_of(kind.__call__)[1:]]


_NETWORK = {  # from_numpy -> ['params', 'spec', 'device=None'], ..., in order
    name: parameters_of(function)[1:]
    for name, function in vars(Backend).items()
    if inspect.isfunction(function) and not name.startswith("_")
}
_UNITS = {  # relu -> ['z'], relu_grad -> ['z', 'g'], ..., mse -> ['y_hat', 'y'], ...
    name: _unit(kind, function)
    for table, kinds in (
        (oracle.ACTIVATIONS, (Activation, ActivationGrad)),
        (oracle.LOSSES, (Loss, LossGrad)),
    )
    for unit, functions in table.items()
    for name, kind, function in zip((unit, f"{unit}_grad"), kinds, functions)
}

# The backend API, in order: the attributes (NAME), then the network's functions.
API = (*Backend.__annotations__, *_NETWORK)
# The unit level, in order: each activation, then each loss, each with its `_grad`.
UNITS = tuple(_UNITS)
# name -> the parameters it takes, with their defaults: every function of both.
PARAMETERS = {**_NETWORK, **_UNITS}
