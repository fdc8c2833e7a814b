"""The float64 oracle: the formulas in plain NumPy, for obviousness not speed.

This module is where the math is written down, once. Every implementation
(`impl_numpy`, `impl_torch`, `impl_jax`) computes the same functions and is
measured against these; their docstrings point here instead of repeating it.

Notation: a layer computes the pre-activation `z = a_prev @ W + b`
and the activation `a = f(z)`; `x` is the input `a_0`, `y_hat` the network output,
`y` the target, `N` the batch size, `C` the number of outputs.

Conventions, fixed once for all implementations:

- MSE is the mean over all N*C elements, with no 1/2 (as `F.mse_loss`).
- Cross-entropy is computed from the logits `z`, never as `log(softmax(z))` or
  `log(sigmoid(z))`, so that logits of +-1e4 give finite, exact results:
  - softmax: the mean over the batch of `-sum_i y_i log softmax(z)_i`, through
    log-sum-exp; `y` is integer labels (N,) or a target distribution (N, C);
  - sigmoid: binary and element-wise, the mean over all N*C elements (as
    `F.binary_cross_entropy_with_logits`); `y` holds 0/1 or probabilities (N, C).
- relu'(0) = 0 (as `torch.relu` and `jax.nn.relu`; `maximum(z, 0)` under
  autograd would give 0.5).
- Gradient descent: `p <- p - lr * dL/dp`, step after step until converged.

The activations' gradients here multiply by the full Jacobian (for softmax, the
dense `diag(s) - s s^T`), where `impl_numpy`'s backprop uses the element-wise
simplifications. The losses' gradients are the same closed forms in both --
`2 (y_hat - y) / (N C)`, `(softmax(z) - y) / N`, `(sigmoid(z) - y) / (N C)` -- so
there the two share a derivation, and an error in it would be shared too; central
finite differences (`finite_difference_grads`), which share nothing with either,
check both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .loop import converged, minibatches

if TYPE_CHECKING:  # for the annotations only: spec.py takes its names from here
    from .spec import NetworkSpec

# ---------------------------------------------------------------- activations
# Each `f_grad(z, g)` returns dL/dz given g = dL/da for a = f(z): the
# vector-Jacobian product, which is what backprop needs. For element-wise f it is
# g * f'(z); for softmax it is J^T g with the dense Jacobian J.


def identity(z):
    """f(z) = z."""
    return np.asarray(z, dtype=np.float64)


def identity_grad(z, g):
    """f'(z) = 1."""
    return np.asarray(g, dtype=np.float64)


def sigmoid(z):
    """f(z) = 1 / (1 + e^-z), evaluated without overflow for any z.

    For z >= 0 as 1 / (1 + e^-z); for z < 0 as e^z / (1 + e^z), so exp is only ever
    taken of -|z| <= 0.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z, g):
    """f'(z) = f(z) (1 - f(z))."""
    s = sigmoid(z)
    return np.asarray(g, dtype=np.float64) * s * (1.0 - s)


def tanh(z):
    """f(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z, g):
    """f'(z) = 1 - f(z)^2."""
    return np.asarray(g, dtype=np.float64) * (1.0 - np.tanh(z) ** 2)


def relu(z):
    """f(z) = max(0, z)."""
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, 0.0)


def relu_grad(z, g):
    """f'(z) = 1 where z > 0, else 0 -- including at z = 0 exactly."""
    return np.where(np.asarray(z) > 0, np.asarray(g, dtype=np.float64), 0.0)


def softmax(z):
    """f(z)_i = e^{z_i} / sum_k e^{z_k}, along the last axis.

    Computed as e^{z_i - m} / sum_k e^{z_k - m} with m = max_k z_k, which is the
    same number but never overflows.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_grad(z, g):
    """J^T g with the Jacobian J_ij = ds_i/dz_j = s_i (delta_ij - s_j), per row."""
    s = softmax(z)  # (N, C)
    jacobian = np.einsum("ni,ij->nij", s, np.eye(s.shape[-1])) - np.einsum(
        "ni,nj->nij", s, s
    )  # (N, C, C), symmetric
    return np.einsum("nij,ni->nj", jacobian, np.asarray(g, dtype=np.float64))


# name -> (f, f_grad): every activation, the one place its name is written down.
# NetworkSpec's hidden activations (spec.py) and the unit level (UNITS) derive
# from this table; a new activation goes at its end.
ACTIVATIONS = {
    "identity": (identity, identity_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "softmax": (softmax, softmax_grad),
}

# --------------------------------------------------------------------- losses


def one_hot(labels, n_classes: int) -> np.ndarray:
    """Integer labels (N,) -> float64 one-hot rows (N, n_classes)."""
    return np.eye(n_classes)[np.asarray(labels)]


def mse(y_hat, y):
    """L = (1 / (N C)) sum_{n,i} (y_hat_ni - y_ni)^2: the mean, no 1/2."""
    diff = np.asarray(y_hat, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return np.mean(diff**2)


def mse_grad(y_hat, y):
    """dL/dy_hat = 2 (y_hat - y) / (N C)."""
    diff = np.asarray(y_hat, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return 2.0 * diff / diff.size


def log_softmax(z):
    """log softmax(z)_i = z_i - logsumexp(z), with
    logsumexp(z) = m + log sum_k e^{z_k - m}, m = max_k z_k."""
    z = np.asarray(z, dtype=np.float64)
    m = z.max(axis=-1, keepdims=True)
    return z - (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def softmax_cross_entropy(z, y):
    """L = (1/N) sum_n -sum_i y_ni log softmax(z_n)_i, from the logits z (N, C).

    `y` is integer labels (N,) (read as one-hot rows) or a distribution (N, C).
    """
    z = np.asarray(z, dtype=np.float64)
    y = _targets(y, z.shape[-1])
    return np.mean(-np.sum(y * log_softmax(z), axis=-1))


def softmax_cross_entropy_grad(z, y):
    """dL/dz = (softmax(z) * sum_i y_i - y) / N, which is (softmax(z) - y) / N for
    one-hot rows or any distribution that sums to 1."""
    z = np.asarray(z, dtype=np.float64)
    y = _targets(y, z.shape[-1])
    return (softmax(z) * y.sum(axis=-1, keepdims=True) - y) / z.shape[0]


def sigmoid_cross_entropy(z, y):
    """L = mean over all N*C elements of -[y log s(z) + (1 - y) log(1 - s(z))].

    From the logits this is max(z, 0) - z y + log(1 + e^-|z|), which never takes
    the log of 0 nor the exp of a large number.
    """
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))))


def sigmoid_cross_entropy_grad(z, y):
    """dL/dz = (sigmoid(z) - y) / (N C)."""
    z = np.asarray(z, dtype=np.float64)
    return (sigmoid(z) - np.asarray(y, dtype=np.float64)) / z.size


def _targets(y, n_classes: int) -> np.ndarray:
    y = np.asarray(y)
    return one_hot(y, n_classes) if y.ndim == 1 else y.astype(np.float64)


# name -> (L, dL/d(first argument)): every loss function. mse takes the output
# y_hat; the cross-entropies take the logits z of the output softmax or sigmoid.
LOSSES = {
    "mse": (mse, mse_grad),
    "softmax_cross_entropy": (softmax_cross_entropy, softmax_cross_entropy_grad),
    "sigmoid_cross_entropy": (sigmoid_cross_entropy, sigmoid_cross_entropy_grad),
}

# The unit level, in order: every activation, then every loss, each with its
# `_grad`. Every list of unit names in comparisons/ and tests/ derives from here.
UNITS = (*ACTIVATIONS, *LOSSES)


# -------------------------------------------------------------------- network


def forward_layers(params, x, spec: NetworkSpec):
    """All pre-activations `zs` and activations `activations` (a_0 = x)."""
    activations = [np.asarray(x, dtype=np.float64)]
    zs = []
    for i, (W, b) in enumerate(params):
        z = activations[-1] @ np.asarray(W, np.float64) + np.asarray(b, np.float64)
        f = spec.output if i == len(params) - 1 else spec.activation
        zs.append(z)  # (N, sizes[i + 1])
        activations.append(ACTIVATIONS[f][0](z))
    return zs, activations


def forward(params, x, spec: NetworkSpec) -> np.ndarray:
    """The network output y_hat (N, n_out), after the output activation."""
    return forward_layers(params, x, spec)[1][-1]


def loss(params, x, y, spec: NetworkSpec) -> float:
    """The scalar loss of `spec.loss` on the batch (x, y)."""
    zs, activations = forward_layers(params, x, spec)
    return _loss_and_delta(zs[-1], activations[-1], y, spec)[0]


def loss_and_grads(params, x, y, spec: NetworkSpec):
    """(loss, [(dL/dW, dL/db), ...]) by the chain rule, layer by layer backwards.

    With delta_l = dL/dz_l (N, sizes[l]):
        dL/dW_l = a_{l-1}^T delta_l,  dL/db_l = sum_n delta_l,
        delta_{l-1} = f'(z_{l-1}) applied to delta_l W_l^T  (a vector-Jacobian product).
    """
    zs, activations = forward_layers(params, x, spec)
    value, delta = _loss_and_delta(zs[-1], activations[-1], y, spec)
    grads = [None] * len(params)
    for i in reversed(range(len(params))):
        W = np.asarray(params[i][0], np.float64)
        grads[i] = (activations[i].T @ delta, delta.sum(axis=0))
        if i > 0:
            delta = ACTIVATIONS[spec.activation][1](zs[i - 1], delta @ W.T)
    return value, grads


def _loss_and_delta(z, y_hat, y, spec: NetworkSpec):
    """The loss and delta = dL/dz for the output layer."""
    if spec.loss == "mse":
        output_grad = ACTIVATIONS[spec.output][1]
        return mse(y_hat, y), output_grad(z, mse_grad(y_hat, y))
    if spec.output == "softmax":
        return softmax_cross_entropy(z, y), softmax_cross_entropy_grad(z, y)
    return sigmoid_cross_entropy(z, y), sigmoid_cross_entropy_grad(z, y)


def gradient_bound(params, x, y, spec: NetworkSpec):
    """[(B_W, B_b), ...]: `loss_and_grads`'s backward pass on absolute values.

    Every difference in it becomes a sum and every factor its size: the loss's
    `y_hat - y` becomes `|y_hat| + |y|`, softmax's `s (g - s.g)` becomes
    `s (|g| + s.|g|)`, and `a^T delta`, `delta W^T`, the batch sum take |a|, |W|,
    |delta|. Entry by entry it is the sum of the sizes of the terms the gradient
    adds up, so it is what the gradient's rounding error is relative to: where the
    terms cancel (a flat loss, a saturated softmax), the gradient itself can be
    far smaller than its own rounding. reference/tolerance.py judges a gradient
    against it.
    """
    zs, activations = forward_layers(params, x, spec)
    delta = _delta_bound(zs[-1], activations[-1], y, spec)  # >= |dL/dz|, (N, C)
    bounds = [None] * len(params)
    for i in reversed(range(len(params))):
        W = np.abs(np.asarray(params[i][0], np.float64))
        bounds[i] = (np.abs(activations[i]).T @ delta, delta.sum(axis=0))
        if i > 0:
            delta = _vjp_bound(spec.activation, zs[i - 1], delta @ W.T)
    return bounds


def _delta_bound(z, y_hat, y, spec: NetworkSpec):
    """The terms of the output layer's delta = dL/dz by size (`_loss_and_delta`)."""
    if spec.loss == "mse":
        y = np.asarray(y, dtype=np.float64)
        return _vjp_bound(spec.output, z, 2.0 * (np.abs(y_hat) + np.abs(y)) / y.size)
    if spec.output == "softmax":
        y = _targets(y, z.shape[-1])
        s = softmax(z)
        return (s * np.abs(y.sum(axis=-1, keepdims=True)) + np.abs(y)) / z.shape[0]
    return (sigmoid(z) + np.abs(np.asarray(y, dtype=np.float64))) / z.size


def _vjp_bound(name: str, z, g):
    """The terms of the activation's vector-Jacobian product, by size: for softmax
    `s (|g| + s.|g|)`, for an element-wise f `|f'(z)| |g|`."""
    g = np.abs(g)
    if name == "softmax":
        s = softmax(z)
        return s * (g + np.sum(s * g, axis=-1, keepdims=True))
    return np.abs(ACTIVATIONS[name][1](z, g))


def finite_difference_grads(
    params, x, y, spec: NetworkSpec, eps: float = 1e-6, loss_fn=None
):
    """dL/dp_k ~ (L(p + eps e_k) - L(p - eps e_k)) / (2 eps), every entry in turn.

    Truncation error is O(eps^2) and rounding error O(u / eps): about 1e-10
    relative at eps = 1e-6 in float64. Keep test points away from ReLU's kink,
    where the derivative does not exist. `loss_fn(params, x, y, spec)` is the
    oracle's `loss` unless another is given (a NumPy backend's own, to check it).
    """
    loss_fn = loss_fn or loss
    params = [(np.array(W, np.float64), np.array(b, np.float64)) for W, b in params]
    grads = []
    for W, b in params:
        layer = []
        for p in (W, b):
            g = np.zeros_like(p)
            for k in np.ndindex(p.shape):
                kept = p[k]
                p[k] = kept + eps
                up = loss_fn(params, x, y, spec)
                p[k] = kept - eps
                down = loss_fn(params, x, y, spec)
                p[k] = kept
                g[k] = (up - down) / (2 * eps)
            layer.append(g)
        grads.append(tuple(layer))
    return grads


# ------------------------------------------------------------ gradient descent


def sgd_step(params, grads, lr: float):
    """p <- p - lr * dL/dp, for every W and b."""
    return [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]


def train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
    """The tutorial's `while not converge` loop: compute the gradient and step.

    Returns (params, losses), `losses[t]` the loss of step t's batch before its
    update. Batches come from `reference.minibatches`, as in every backend.
    """
    params = [(np.array(W, np.float64), np.array(b, np.float64)) for W, b in params]
    x, y = np.asarray(x), np.asarray(y)
    batches = minibatches(len(x), batch_size, steps, seed)
    losses = []
    for idx in batches:
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        value, grads = loss_and_grads(params, xb, yb, spec)
        losses.append(value)
        params = sgd_step(params, grads, lr)
        if converged(losses, tol):
            break
    return params, np.array(losses)
