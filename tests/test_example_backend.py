"""An outside backend (examples/autodiff_backend.py, gradients from its own tiny
reverse-mode autodiff engine) gets the whole suite: the API, impl_numpy's
signatures, and `comparisons.check` at every level in both dtypes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import assert_agrees, make_batch, native

import comparisons
import impl_numpy
import reference
from comparisons import backends as registry
from examples import autodiff_backend as backend
from examples.autodiff_backend import Tensor
from reference import NetworkSpec
from reference.tolerance import RTOL_FINITE_DIFFERENCES, compare

# Every hidden activation, output and loss at least once; labels and one-hot
# targets; the classic three layers and one deeper net.
SPECS = [
    NetworkSpec((5, 7, 3), "sigmoid", "identity", "mse"),
    NetworkSpec((5, 7, 3), "tanh", "softmax", "cross_entropy"),
    NetworkSpec((5, 7, 3), "relu", "sigmoid", "cross_entropy"),
    NetworkSpec((5, 7, 3), "relu", "softmax", "mse"),
    NetworkSpec((5, 7, 3), "tanh", "sigmoid", "mse"),
    NetworkSpec((6, 8, 5, 4), "relu", "softmax", "cross_entropy"),
]


def assert_all_passed(results):
    bad = results[~results.passed]
    columns = ["level", "quantity", "dtype", "sizes", "activation", "output"]
    columns += ["loss", "backend", "against", "max_rel_err", "note"]
    assert bad.empty, bad[columns].to_string()


def test_it_has_the_whole_api_and_lists_it_in_order():
    assert registry.missing_api(backend) == []
    assert backend.__all__ == list(registry.API) + list(registry.UNITS)
    assert backend.NAME not in registry.names()  # a name of its own


@pytest.mark.parametrize("name", registry.API[1:] + registry.UNITS)
def test_each_function_has_impl_numpys_signature(name):
    assert registry.signature(backend, name) == registry.signature(impl_numpy, name)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_check_passes_at_the_unit_and_network_levels(dtype):
    results = comparisons.check(SPECS, ["numpy", backend], [dtype], ["unit", "network"])
    assert set(results.backend) == {"numpy", "autodiff"}
    assert_all_passed(results)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_check_passes_at_the_trajectory_level(dtype):
    specs = [SPECS[1], SPECS[3]]  # on random data of each spec's shape
    results = comparisons.check(specs, ["numpy", backend], [dtype], ["trajectory"])
    assert set(results.dataset) == {"synthetic"}
    assert_all_passed(results)


def numeric_grads(params, x, y, spec, eps=1e-6):
    """Central differences of this backend's own `loss`, every entry in turn."""
    return reference.oracle.finite_difference_grads(
        params, x, y, spec, eps, loss_fn=backend.loss
    )


@pytest.mark.parametrize("combo", reference.combinations(), ids="-".join)
def test_backward_matches_finite_differences(combo):
    spec = NetworkSpec((3, 4, 3, 2), *combo, dtype="float64")
    params, x, y = native(
        backend, reference.init_params(spec, seed=5), *make_batch(spec, 6, 6), spec
    )
    zs, _ = reference.oracle.forward_layers(params, x, spec)
    assert min(np.abs(z).min() for z in zs[:-1]) > 1e-3  # clear of ReLU's kink
    _, grads = backend.loss_and_grads(params, x, y, spec)
    for layer, numeric_layer in zip(grads, numeric_grads(params, x, y, spec)):
        for g, n in zip(layer, numeric_layer):
            tol = RTOL_FINITE_DIFFERENCES * np.abs(n).max()
            assert compare(g, n, "float64", tol=tol).passed


def test_a_broadcast_bias_gets_its_gradient_summed_over_the_rows():
    x, W, b = Tensor(np.ones((4, 2))), Tensor(np.ones((2, 3))), Tensor(np.zeros(3))
    (x @ W + b).backward(np.arange(12.0).reshape(4, 3))
    np.testing.assert_array_equal(b.grad, [18.0, 22.0, 26.0])  # column sums
    assert W.grad.shape == (2, 3) and x.grad.shape == (4, 2)


def test_a_node_used_twice_gets_both_gradients():
    z = Tensor(np.array([3.0]))
    (z * z).backward()
    assert z.grad.tolist() == [6.0]  # d(z^2)/dz = 2z


def test_float32_stays_float32_in_every_node_and_gradient():
    for spec in SPECS:
        spec = spec.replace(dtype="float32")
        params, x, y = native(
            backend, reference.init_params(spec, 0), *make_batch(spec), spec
        )
        nodes = [(Tensor(W), Tensor(b)) for W, b in params]
        root = backend._loss(nodes, x, y, spec)
        root.backward()
        for node in backend.topological_order(root):
            assert node.value.dtype == node.grad.dtype == np.float32, spec


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logits_of_plus_minus_1e4_give_right_values_and_no_warning(dtype):
    # n_in == n_out: asarray takes the (2, 3) logits as they are, not as targets
    spec = NetworkSpec((3, 2, 3), "tanh", "softmax", "cross_entropy", dtype)
    z = backend.asarray(np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]), spec)
    labels, targets = np.array([2, 1]), np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5]])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        ce = backend.softmax_cross_entropy(z, labels)
        dce = backend.softmax_cross_entropy_grad(z, labels)
        bce = backend.sigmoid_cross_entropy(z, targets.astype(dtype))
        dbce = backend.sigmoid_cross_entropy_grad(z, targets.astype(dtype))
        s = backend.softmax(z)
    assert ce == 1e4  # row 0 is wrong by 2e4, row 1 right: mean 1e4
    assert dce.tolist() == [[0.5, 0.0, -0.5], [0.0, 0.0, 0.0]]
    assert_agrees(bce, (4e4 + 2 * np.log(2)) / 6, dtype, 6)  # 1e4 or log 2 each
    assert np.isfinite(dbce).all() and dbce.dtype == np.dtype(dtype)
    assert s.tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def test_train_leaves_its_inputs_as_they_were_and_returns_float64_losses():
    spec = NetworkSpec((4, 5, 3), dtype="float32")
    params, x, y = native(
        backend, reference.init_params(spec, 0), *make_batch(spec), spec
    )
    before = backend.to_numpy(params)
    trained, losses = backend.train(params, x, y, spec, 0.1, 5, batch_size=4)
    assert losses.dtype == np.float64 and losses.shape == (5,)
    assert trained[0][0].dtype == np.float32
    for now, then in zip(backend.to_numpy(params), before):
        assert all(np.array_equal(a, b) for a, b in zip(now, then))
