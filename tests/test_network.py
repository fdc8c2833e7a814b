"""Every backend against the float64 oracle at the network level: forward, loss,
gradients and one gradient-descent step, for all 15 (activation, output, loss)
combinations, in float32 and float64, under the tolerance policy."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    assert_agrees,
    assert_params_agree,
    make_batch,
    native,
    on_oracle_inputs,
)

import reference
from reference import NetworkSpec, oracle
from reference.tolerance import RTOL_FINITE_DIFFERENCES, compare, reduction_length

COMBINATIONS = reference.combinations()
SIZES = [(5, 7, 3), (6, 8, 5, 4)]  # the tutorial's three layers, and a deeper net
N = 12


def case(backend, combo, dtype, sizes=(5, 7, 3), labels=True):
    """The backend's result and the oracle's on the same (rounded) inputs."""
    spec = NetworkSpec(sizes, *combo, dtype=dtype)
    params = reference.init_params(spec, seed=2)
    x, y = make_batch(spec, N, seed=3, labels=labels)
    ref_params, ref_x, ref_y = on_oracle_inputs(params, x, y, dtype)
    oracle_spec = spec.replace(dtype="float64")
    return (
        spec,
        native(backend, params, x, y, spec),
        (ref_params, ref_x, ref_y, oracle_spec),
    )


@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_forward_matches_the_oracle(backend, combo, dtype, sizes):
    spec, (p, x, _), (rp, rx, _, rspec) = case(backend, combo, dtype, sizes)
    y_hat = backend.forward(p, x, spec)
    assert backend.to_numpy(y_hat).dtype == np.dtype(dtype)
    assert_agrees(
        backend.to_numpy(y_hat), oracle.forward(rp, rx, rspec), dtype, max(sizes)
    )


@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_loss_matches_the_oracle(backend, combo, dtype, sizes):
    spec, (p, x, y), (rp, rx, ry, rspec) = case(backend, combo, dtype, sizes)
    value = backend.to_numpy(backend.loss(p, x, y, spec))
    assert value.shape == () and value.dtype == np.dtype(dtype)
    K = reduction_length(sizes, N)
    assert_agrees(value, oracle.loss(rp, rx, ry, rspec), dtype, K)


@pytest.mark.parametrize("sizes", SIZES, ids=str)
@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_loss_and_grads_match_the_oracle(backend, combo, dtype, sizes):
    spec, (p, x, y), (rp, rx, ry, rspec) = case(backend, combo, dtype, sizes)
    value, grads = backend.loss_and_grads(p, x, y, spec)
    ref_value, ref_grads = oracle.loss_and_grads(rp, rx, ry, rspec)
    K = reduction_length(sizes, N)
    assert_agrees(backend.to_numpy(value), ref_value, dtype, K, "loss")
    grads = backend.to_numpy(grads)
    assert all(g.dtype == np.dtype(dtype) for layer in grads for g in layer)
    assert_params_agree(grads, ref_grads, dtype, K, "grad")


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_one_sgd_step_matches_the_oracle(backend, combo, dtype):
    spec, (p, x, y), (rp, rx, ry, rspec) = case(backend, combo, dtype)
    _, grads = backend.loss_and_grads(p, x, y, spec)
    stepped = backend.to_numpy(backend.sgd_step(p, grads, 0.5))
    expected = oracle.sgd_step(rp, oracle.loss_and_grads(rp, rx, ry, rspec)[1], 0.5)
    assert_params_agree(
        stepped, expected, dtype, reduction_length(spec.sizes, N), "step"
    )


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_numpy_backprop_matches_finite_differences(combo):
    import impl_numpy as backend

    spec = NetworkSpec((4, 6, 5, 3), *combo, dtype="float64")
    params = reference.init_params(spec, seed=5)
    x, y = make_batch(spec, 8, seed=6)
    zs, _ = oracle.forward_layers(params, x, spec)
    assert min(np.abs(z).min() for z in zs[:-1]) > 1e-3  # clear of ReLU's kink
    _, grads = backend.loss_and_grads(*native(backend, params, x, y, spec), spec)
    numeric = oracle.finite_difference_grads(params, x, y, spec)
    for layer, numeric_layer in zip(grads, numeric):
        for g, n in zip(layer, numeric_layer):
            tol = RTOL_FINITE_DIFFERENCES * np.abs(n).max()
            assert compare(g, n, "float64", tol=tol).passed


def test_integer_labels_and_one_hot_targets_give_the_same_loss_and_grads(
    backend, dtype
):
    combo = ("tanh", "softmax", "cross_entropy")
    spec, (p, x, labels), _ = case(backend, combo, dtype)
    _, (_, _, one_hot), _ = case(backend, combo, dtype, labels=False)
    value_l, grads_l = backend.loss_and_grads(p, x, labels, spec)
    value_h, grads_h = backend.loss_and_grads(p, x, one_hot, spec)
    K = reduction_length(spec.sizes, N)
    assert_agrees(backend.to_numpy(value_l), backend.to_numpy(value_h), dtype, K)
    assert_params_agree(backend.to_numpy(grads_l), backend.to_numpy(grads_h), dtype, K)


def test_relu_derivative_is_zero_where_the_pre_activation_is_exactly_zero(
    backend, dtype
):
    """x = 0 and zero biases put every hidden z at exactly 0: with relu'(0) = 0 no
    gradient reaches the first layer's bias; with 0.5 it would be nonzero."""
    spec = NetworkSpec((3, 4, 2), "relu", "identity", "mse", dtype)
    params = reference.init_params(spec, seed=0)
    x, y = np.zeros((5, 3)), np.ones((5, 2))
    _, grads = backend.loss_and_grads(*native(backend, params, x, y, spec), spec)
    db0 = backend.to_numpy(grads)[0][1]
    assert np.array_equal(db0, np.zeros(4))
    _, ref_grads = oracle.loss_and_grads(params, x, y, spec.replace(dtype="float64"))
    assert np.array_equal(ref_grads[0][1], np.zeros(4))


@pytest.mark.parametrize(
    "output, loss",
    [  # every output that saturates (all but identity), with every loss
        (output, loss)
        for output in reference.OUTPUTS
        if output != "identity"
        for loss in reference.LOSSES
    ],
)
def test_logits_of_plus_minus_1e4_give_finite_right_loss_and_grads(
    backend, dtype, output, loss
):
    """A last layer that produces logits of +-1e4 (huge weights): no NaN, no inf,
    and the oracle's numbers."""
    spec = NetworkSpec((2, 2, 3), "relu", output, loss, dtype)
    W0, b0 = np.eye(2), np.zeros(2)
    W1, b1 = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]]), np.zeros(3)
    params = [(W0, b0), (W1, b1)]
    x = np.array([[1.0, 0.0], [0.0, 1.0]])  # logits rows (1e4, -1e4, 0), (-1e4, 1e4, 0)
    y = (
        np.array([1, 2])
        if spec.uses_labels
        else np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]])
    )
    # NumPy: no overflow, no inf - inf, not even a warning (exp may underflow to 0)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grads = backend.loss_and_grads(
            *native(backend, params, x, y, spec), spec
        )
    value, grads = backend.to_numpy(value), backend.to_numpy(grads)
    assert np.isfinite(value) and all(
        np.isfinite(g).all() for layer in grads for g in layer
    )
    ref_value, ref_grads = oracle.loss_and_grads(
        params, x, y, spec.replace(dtype="float64")
    )
    assert_agrees(value, ref_value, dtype, 6)
    assert_params_agree(grads, ref_grads, dtype, 6)
