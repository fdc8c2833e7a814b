"""The unit level: each activation and each loss, value and gradient, in every
backend against the oracle -- on inputs that saturate, reach +-1e4, and sit
exactly on ReLU's kink."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_agrees

import reference
from reference import NetworkSpec, oracle

ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu", "softmax"]
# every row mixes the extremes with ordinary values; 0.0 sits on ReLU's kink
Z = np.array(
    [
        [-1e4, -30.0, -1.0, 0.0, 1.0, 30.0, 1e4],
        [0.5, -0.25, 2.0, 0.0, -3.0, 0.125, 1.0],
        [1e4, 1e4, -1e4, 0.0, 0.0, 1e-3, -1e-3],
    ]
)
G = np.random.default_rng(0).normal(size=Z.shape)  # an upstream gradient dL/da
C = Z.shape[1]


def spec_for(dtype: str) -> NetworkSpec:
    return NetworkSpec((2, 2, C), "tanh", "softmax", "cross_entropy", dtype)


def to_backend(backend, a, dtype):
    return backend.asarray(np.asarray(a), spec_for(dtype))


rounded = reference.cast_array  # to dtype and back: what the backend computes from


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_the_oracle(backend, dtype, name):
    a = getattr(backend, name)(to_backend(backend, Z, dtype))
    a = backend.to_numpy(a)
    assert a.dtype == np.dtype(dtype) and np.isfinite(a).all()
    assert_agrees(a, oracle.ACTIVATIONS[name][0](rounded(Z, dtype)), dtype, C)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradient_matches_the_oracle(backend, dtype, name):
    z, g = to_backend(backend, Z, dtype), to_backend(backend, G, dtype)
    dz = backend.to_numpy(getattr(backend, f"{name}_grad")(z, g))
    assert dz.dtype == np.dtype(dtype) and np.isfinite(dz).all()
    expected = oracle.ACTIVATIONS[name][1](rounded(Z, dtype), rounded(G, dtype))
    assert_agrees(dz, expected, dtype, C)


def test_relu_derivative_at_exactly_zero_is_zero(backend, dtype):
    z = to_backend(backend, np.array([[-1.0, 0.0, 1.0]]), dtype)
    g = to_backend(backend, np.ones((1, 3)), dtype)
    assert backend.to_numpy(backend.relu_grad(z, g)).tolist() == [[0.0, 0.0, 1.0]]


def test_sigmoid_and_softmax_of_plus_minus_1e4_are_exact(backend, dtype):
    z = to_backend(backend, np.array([[1e4, -1e4, 0.0]]), dtype)
    assert backend.to_numpy(backend.sigmoid(z)).tolist() == [[1.0, 0.0, 0.5]]
    assert backend.to_numpy(backend.softmax(z)).tolist() == [[1.0, 0.0, 0.0]]


def test_softmax_rows_sum_to_one(backend, dtype):
    s = backend.to_numpy(backend.softmax(to_backend(backend, Z, dtype)))
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=10 * np.finfo(dtype).eps)


TARGETS = np.random.default_rng(1).uniform(size=Z.shape)  # probabilities
LABELS = np.array([6, 0, 2])  # picks 1e4, 0.5 and -1e4: confident right and wrong
DISTRIBUTION = TARGETS / TARGETS.sum(axis=1, keepdims=True)

LOSS_CASES = {
    "mse": (Z / 1e4, TARGETS),  # mse takes y_hat, so keep it O(1)
    "softmax_cross_entropy": (Z, LABELS),
    "softmax_cross_entropy/distribution": (Z, DISTRIBUTION),
    "sigmoid_cross_entropy": (Z, TARGETS),
}


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_loss_matches_the_oracle_and_is_finite_at_1e4(backend, dtype, case):
    name = case.split("/")[0]
    first, y = LOSS_CASES[case]
    value = getattr(backend, name)(
        to_backend(backend, first, dtype), to_backend(backend, y, dtype)
    )
    value = backend.to_numpy(value)
    assert value.shape == () and np.isfinite(value)
    expected = getattr(oracle, name)(rounded(first, dtype), rounded(y, dtype))
    assert_agrees(value, expected, dtype, Z.size)


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_loss_gradient_matches_the_oracle(backend, dtype, case):
    name = case.split("/")[0]
    first, y = LOSS_CASES[case]
    grad = getattr(backend, f"{name}_grad")(
        to_backend(backend, first, dtype), to_backend(backend, y, dtype)
    )
    grad = backend.to_numpy(grad)
    assert grad.shape == first.shape and np.isfinite(grad).all()
    expected = getattr(oracle, f"{name}_grad")(rounded(first, dtype), rounded(y, dtype))
    assert_agrees(grad, expected, dtype, Z.size)


def test_cross_entropy_of_a_confidently_wrong_logit_is_its_full_margin(backend, dtype):
    """Label 2 has logit -1e4 against a max of 1e4: the loss is 2e4, not inf."""
    z = to_backend(backend, np.array([[1e4, 0.0, -1e4]]), dtype)
    y = to_backend(backend, np.array([2]), dtype)
    assert float(backend.to_numpy(backend.softmax_cross_entropy(z, y))) == 2e4
