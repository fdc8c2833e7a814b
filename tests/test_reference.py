"""The oracle against finite differences, the data sets, and the minibatch order."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_batch
from hypothesis import given, settings
from hypothesis import strategies as st

import reference
from reference import NetworkSpec, oracle
from reference.tolerance import RTOL_FINITE_DIFFERENCES, compare

COMBINATIONS = reference.combinations()


def away_from_relu_kinks(spec, params, x, margin=1e-3):
    """Finite differences need every hidden pre-activation clear of ReLU's kink."""
    zs, _ = oracle.forward_layers(params, x, spec)
    return min(np.abs(z).min() for z in zs[:-1]) > margin


@pytest.mark.parametrize("combo", COMBINATIONS, ids="-".join)
def test_oracle_gradients_match_central_finite_differences(combo):
    spec = NetworkSpec((4, 6, 3), *combo)
    params = reference.init_params(spec, seed=3)
    params[0] = (params[0][0], np.full(6, 0.1))  # nonzero biases: their grads count
    x, y = make_batch(spec, n=8, seed=4)
    assert away_from_relu_kinks(spec, params, x)
    _, grads = oracle.loss_and_grads(params, x, y, spec)
    numeric = oracle.finite_difference_grads(params, x, y, spec)
    for analytic_layer, numeric_layer in zip(grads, numeric):
        for g, n in zip(analytic_layer, numeric_layer):
            result = compare(
                g, n, "float64", tol=RTOL_FINITE_DIFFERENCES * np.abs(n).max()
            )
            assert result.passed, result


@pytest.mark.parametrize("name", list(oracle.ACTIVATIONS))
def test_oracle_activation_gradients_match_finite_differences(name):
    f, f_grad = oracle.ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 4)) + 0.05 * np.sign(rng.normal(size=(3, 4)))
    g = rng.normal(size=(3, 4))
    eps = 1e-6
    numeric = np.zeros_like(z)
    for k in np.ndindex(z.shape):  # d(sum g * f(z)) / dz_k
        up, down = z.copy(), z.copy()
        up[k] += eps
        down[k] -= eps
        numeric[k] = ((g * f(up)).sum() - (g * f(down)).sum()) / (2 * eps)
    np.testing.assert_allclose(f_grad(z, g), numeric, rtol=1e-6, atol=1e-9)


def test_oracle_is_finite_and_exact_for_logits_of_plus_minus_1e4():
    z = np.array([[1e4, -1e4, 0.0]])
    assert np.array_equal(oracle.sigmoid(z), [[1.0, 0.0, 0.5]])
    assert np.array_equal(oracle.softmax(z), [[1.0, 0.0, 0.0]])
    assert oracle.softmax_cross_entropy(z, np.array([1])) == 2e4
    assert oracle.sigmoid_cross_entropy(
        z, np.array([[0.0, 1.0, 1.0]])
    ) == pytest.approx((1e4 + 1e4 + np.log(2)) / 3, rel=1e-15)


@pytest.mark.parametrize(
    "name, n, n_features, task",
    [
        ("digits", 1797, 64, "classification"),
        ("diabetes", 442, 10, "regression"),
        ("synthetic_classification", 512, 8, "classification"),
        ("synthetic_regression", 512, 8, "regression"),
    ],
)
def test_datasets_load_standardised_with_no_download(name, n, n_features, task):
    data = reference.data.load(name)
    assert data.x.shape == (n, n_features) and data.task == task
    assert data.x.dtype == np.float64 and np.isfinite(data.x).all()
    varying = data.x.std(axis=0) > 0
    np.testing.assert_allclose(data.x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.x.std(axis=0)[varying], 1, rtol=1e-12)
    if task == "classification":
        assert data.y.shape == (n,) and data.y.dtype == np.int64
    else:
        assert data.y.ndim == 2 and data.y.dtype == np.float64


def test_digits_have_ten_classes_and_diabetes_one_target():
    assert reference.data.load("digits").n_outputs == 10
    assert reference.data.load("diabetes").n_outputs == 1


@pytest.mark.parametrize("name", ["digits", "diabetes"])
def test_a_bundled_set_read_once_gives_each_load_arrays_of_its_own(name):
    first = reference.data.load(name)
    first.x[:] = 0.0  # a caller may change what it was given
    first.y[:] = 0
    again = reference.data.load(name)
    assert np.abs(again.x).max() > 0 and np.abs(again.y).max() > 0
    assert again.x.flags.writeable and again.y.flags.writeable


def test_the_bundled_sets_are_those_scikit_learns_loaders_give():
    from sklearn import datasets

    digits = datasets.load_digits()
    ours = reference.data.load("digits")
    assert np.array_equal(ours.x, reference.data.standardize(digits.data))
    assert np.array_equal(ours.y, digits.target) and ours.y.dtype == np.int64
    diabetes = datasets.load_diabetes(scaled=False)
    ours = reference.data.load("diabetes")
    assert np.array_equal(ours.x, reference.data.standardize(diabetes.data))
    target = reference.data.standardize(diabetes.target[:, None])
    assert np.array_equal(ours.y, target)


def test_synthetic_sets_are_deterministic_in_their_seed():
    a, b = (
        reference.data.synthetic_classification(seed=5),
        reference.data.synthetic_classification(seed=5),
    )
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    c = reference.data.synthetic_classification(seed=6)
    assert not np.array_equal(a.x, c.x)


def test_an_unknown_dataset_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="dataset must be one of digits.*'mnist'"):
        reference.data.load("mnist")


def test_minibatches_cover_each_epoch_once_in_equal_batches():
    batches = reference.minibatches(n=10, batch_size=3, steps=6, seed=0)
    assert len(batches) == 6 and all(len(b) == 3 for b in batches)
    for epoch in (batches[0:3], batches[3:6]):
        seen = np.concatenate(epoch)
        assert len(set(seen)) == 9  # 10 // 3 batches, no repeats; one sits out


# The minibatch order is pinned here on its own: the oracle and every backend
# call reference.minibatches, so a fault in it would be shared and never show as
# a disagreement.


def epochs(n, batch_size, n_epochs, seed=0):
    """reference.minibatches cut back into epochs of n // batch_size batches."""
    per_epoch = n // batch_size
    batches = reference.minibatches(n, batch_size, per_epoch * n_epochs, seed)
    return [
        np.concatenate(batches[e * per_epoch : (e + 1) * per_epoch]).tolist()
        for e in range(n_epochs)
    ]


def test_the_first_epoch_for_seed_0_is_pinned():
    batches = reference.minibatches(n=8, batch_size=2, steps=4, seed=0)
    assert [b.tolist() for b in batches] == [[2, 4], [3, 6], [5, 0], [1, 7]]


def test_where_n_divides_each_example_appears_exactly_once_per_epoch():
    for epoch in epochs(n=12, batch_size=3, n_epochs=5):
        assert sorted(epoch) == list(range(12))


def test_consecutive_epochs_are_different_orders():
    orders = epochs(n=12, batch_size=3, n_epochs=6)
    assert all(a != b for a, b in zip(orders, orders[1:]))


def test_where_n_does_not_divide_the_example_left_out_changes():
    """10 examples in batches of 3: one sits out each epoch, a different one."""
    left_out = [set(range(10)) - set(e) for e in epochs(10, 3, n_epochs=20)]
    assert all(len(out) == 1 for out in left_out)
    assert len(set.union(*left_out)) > 1


def test_minibatch_order_depends_only_on_the_seed():
    a = reference.minibatches(100, 10, 25, seed=1)
    b = reference.minibatches(100, 10, 25, seed=1)
    c = reference.minibatches(100, 10, 25, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_full_batch_is_none_per_step():
    assert reference.minibatches(10, None, 4) == [None] * 4


def test_converged_compares_the_last_two_losses_with_tol():
    assert not reference.converged([1.0, 0.5], None)
    assert not reference.converged([1.0], 10.0)
    assert reference.converged([1.0, 0.9995], 1e-3)
    assert not reference.converged([1.0, 0.99], 1e-3)


@settings(max_examples=40, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 9), min_size=1, max_size=3),
    n_out=st.integers(2, 5),
    batch=st.integers(1, 12),
    combo=st.sampled_from(reference.combinations()),
    seed=st.integers(0, 1000),
)
def test_the_gradient_bound_holds_every_gradient_entry_from_above(
    hidden, n_out, batch, combo, seed
):
    spec = NetworkSpec((3, *hidden, n_out), *combo, dtype="float64")
    params = reference.init_params(spec, seed)
    x, y = make_batch(spec, batch, seed + 1)
    grads = oracle.loss_and_grads(params, x, y, spec)[1]
    for got, bound in zip(grads, oracle.gradient_bound(params, x, y, spec)):
        for g, b in zip(got, bound):
            assert g.shape == b.shape
            assert np.all(np.abs(g) <= b * (1 + 1e-12) + 1e-300)
