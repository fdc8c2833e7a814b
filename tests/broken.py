"""Deliberately broken backends, each a real backend with one thing wrong: the
harness must catch and name every one of them."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import impl_numpy
from comparisons import backends as registry


def wrapped(name: str, base=impl_numpy, **replaced) -> SimpleNamespace:
    """An object with the backend API that delegates to `base`, but for `replaced`."""
    api = {attr: getattr(base, attr) for attr in registry.API + registry.UNITS}
    return SimpleNamespace(**{**api, **replaced, "NAME": name})


def _map_grads(f):
    """loss_and_grads whose gradients pass through f(grads) -> grads."""

    def loss_and_grads(params, x, y, spec):
        value, grads = impl_numpy.loss_and_grads(params, x, y, spec)
        return value, f(grads)

    return loss_and_grads


def grads_scaled():
    return wrapped(
        "scaled-grads",
        loss_and_grads=_map_grads(
            lambda grads: [(gW * (1 + 1e-3), gb * (1 + 1e-3)) for gW, gb in grads]
        ),
    )


def first_grad_transposed():
    return wrapped(
        "transposed-grad",
        loss_and_grads=_map_grads(
            lambda grads: [(grads[0][0].T.copy(), grads[0][1]), *grads[1:]]
        ),
    )


def last_grad_zeroed():
    return wrapped(
        "zeroed-grad",
        loss_and_grads=_map_grads(
            lambda grads: [*grads[:-1], (np.zeros_like(grads[-1][0]), grads[-1][1])]
        ),
    )


def relu_half_at_zero():
    def relu_grad(z, g):
        return g * np.where(z > 0, 1.0, np.where(z == 0, 0.5, 0.0))  # maximum(z, 0)'s

    return wrapped("relu-half-at-0", relu_grad=relu_grad)


def mse_halved():
    def loss(params, x, y, spec):
        value = impl_numpy.loss(params, x, y, spec)
        return value / 2 if spec.loss == "mse" else value

    def loss_and_grads(params, x, y, spec):
        value, grads = impl_numpy.loss_and_grads(params, x, y, spec)
        if spec.loss != "mse":
            return value, grads
        return value / 2, [(gW / 2, gb / 2) for gW, gb in grads]

    return wrapped(
        "mse-halved",
        mse=lambda y_hat, y: impl_numpy.mse(y_hat, y) / 2,
        mse_grad=lambda y_hat, y: impl_numpy.mse_grad(y_hat, y) / 2,
        loss=loss,
        loss_and_grads=loss_and_grads,
    )


def softmax_unstabilised():
    def softmax(z):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z)  # no max subtracted: overflows to inf at 1e4
            return e / e.sum(axis=-1, keepdims=True)

    return wrapped("softmax-no-max", softmax=softmax)


def step_applied_twice():
    def sgd_step(params, grads, lr):
        return impl_numpy.sgd_step(impl_numpy.sgd_step(params, grads, lr), grads, lr)

    return wrapped("double-step", sgd_step=sgd_step)


def wrong_batch_order():
    def train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
        return impl_numpy.train(
            params, x, y, spec, lr, steps, batch_size, seed + 1, tol
        )

    return wrapped("wrong-batches", train=train)
