"""The unit level: each activation and each loss, value and gradient, in every
backend against the oracle -- on the harness's three cases of inputs, each judged
against its own scale: ordinary values, extremes that saturate or reach +-1e4,
and exact zeros on ReLU's kink (comparisons/unit_level.py)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_agrees

import reference
from comparisons.unit_level import DISTRIBUTION, INPUTS, LABELS, TARGETS, UPSTREAM
from reference import NetworkSpec, oracle

ACTIVATIONS = list(oracle.ACTIVATIONS)  # identity, sigmoid, tanh, relu, softmax, ...
CASES = list(INPUTS)  # ordinary, extreme, zeros
C = INPUTS["ordinary"].shape[1]


def spec_for(dtype: str) -> NetworkSpec:
    # n_in == n_out: asarray takes z, g and targets alike as they are
    return NetworkSpec((C, 2, C), "tanh", "softmax", "cross_entropy", dtype)


def to_backend(backend, a, dtype):
    return backend.asarray(np.asarray(a), spec_for(dtype))


rounded = reference.cast_array  # to dtype and back: what the backend computes from


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_the_oracle(backend, dtype, name, case):
    z = INPUTS[case]
    a = getattr(backend, name)(to_backend(backend, z, dtype))
    a = backend.to_numpy(a)
    assert a.dtype == np.dtype(dtype) and np.isfinite(a).all()
    assert_agrees(a, oracle.ACTIVATIONS[name][0](rounded(z, dtype)), dtype, C)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradient_matches_the_oracle(backend, dtype, name, case):
    z, g = (
        to_backend(backend, INPUTS[case], dtype),
        to_backend(backend, UPSTREAM, dtype),
    )
    dz = backend.to_numpy(getattr(backend, f"{name}_grad")(z, g))
    assert dz.dtype == np.dtype(dtype) and np.isfinite(dz).all()
    expected = oracle.ACTIVATIONS[name][1](
        rounded(INPUTS[case], dtype), rounded(UPSTREAM, dtype)
    )
    assert_agrees(dz, expected, dtype, C)


def test_relu_derivative_at_exactly_zero_is_zero(backend, dtype):
    z = to_backend(backend, np.array([[-1.0, 0.0, 1.0]]), dtype)
    g = to_backend(backend, np.ones((1, 3)), dtype)
    assert backend.to_numpy(backend.relu_grad(z, g)).tolist() == [[0.0, 0.0, 1.0]]


def test_sigmoid_and_softmax_of_plus_minus_1e4_are_exact(backend, dtype):
    z = to_backend(backend, np.array([[1e4, -1e4, 0.0]]), dtype)
    assert backend.to_numpy(backend.sigmoid(z)).tolist() == [[1.0, 0.0, 0.5]]
    assert backend.to_numpy(backend.softmax(z)).tolist() == [[1.0, 0.0, 0.0]]


@pytest.mark.parametrize("case", CASES)
def test_softmax_rows_sum_to_one(backend, dtype, case):
    s = backend.to_numpy(backend.softmax(to_backend(backend, INPUTS[case], dtype)))
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=10 * np.finfo(dtype).eps)


LOSSES = {  # name -> {variant: y (given the case)}
    "mse": {"": lambda case: TARGETS},
    "softmax_cross_entropy": {
        "labels": lambda case: LABELS[case],
        "distribution": lambda case: DISTRIBUTION,
    },
    "sigmoid_cross_entropy": {"": lambda case: TARGETS},
}


def test_every_loss_of_the_oracle_has_its_targets_here():
    assert list(LOSSES) == list(oracle.LOSSES)


LOSS_CASES = [
    (name, variant, case)
    for name, variants in LOSSES.items()
    for variant in variants
    for case in CASES
]


def loss_args(backend, name, variant, case, dtype):
    z, y = INPUTS[case], LOSSES[name][variant](case)
    native = (to_backend(backend, z, dtype), to_backend(backend, y, dtype))
    return native, (rounded(z, dtype), rounded(y, dtype))


@pytest.mark.parametrize("name, variant, case", LOSS_CASES, ids=str)
def test_loss_matches_the_oracle_and_is_finite(backend, dtype, name, variant, case):
    native, exact = loss_args(backend, name, variant, case, dtype)
    value = backend.to_numpy(getattr(backend, name)(*native))
    assert value.shape == () and np.isfinite(value)
    assert_agrees(value, getattr(oracle, name)(*exact), dtype, INPUTS[case].size)


@pytest.mark.parametrize("name, variant, case", LOSS_CASES, ids=str)
def test_loss_gradient_matches_the_oracle(backend, dtype, name, variant, case):
    native, exact = loss_args(backend, name, variant, case, dtype)
    grad = backend.to_numpy(getattr(backend, f"{name}_grad")(*native))
    assert grad.shape == INPUTS[case].shape and np.isfinite(grad).all()
    expected = getattr(oracle, f"{name}_grad")(*exact)
    assert_agrees(grad, expected, dtype, INPUTS[case].size)


def test_cross_entropy_of_a_confidently_wrong_logit_is_its_full_margin(backend, dtype):
    """Label 2 has logit -1e4 against a max of 1e4: the loss is 2e4, not inf."""
    z = to_backend(backend, np.array([[1e4, 0.0, -1e4]]), dtype)
    y = to_backend(backend, np.array([2]), dtype)
    assert float(backend.to_numpy(backend.softmax_cross_entropy(z, y))) == 2e4
