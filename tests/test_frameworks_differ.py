"""Where frameworks differ: each point of the README's section (and of `triptych
show`, under its concept: comparisons/show/traps.py), demonstrated."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import load_backend

import reference
from comparisons import full_float32_precision

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
jnp = jax.numpy


@pytest.fixture(autouse=True)
def frameworks():
    for name in ("torch", "jax"):
        load_backend(name)  # fails, not skips, where TRIPTYCH_REQUIRE_BACKENDS names it


def torch_derivative_at_zero(f):
    z = torch.zeros(1, requires_grad=True)
    f(z).sum().backward()
    return z.grad.item()


def test_relu_derivative_at_zero_is_0_in_relu_but_half_in_maximum():
    assert torch_derivative_at_zero(torch.relu) == 0.0
    assert (
        torch_derivative_at_zero(lambda z: torch.maximum(z, torch.zeros_like(z))) == 0.5
    )
    assert jax.grad(lambda z: jax.nn.relu(z))(0.0) == 0.0
    assert jax.grad(lambda z: jnp.maximum(z, 0.0))(0.0) == 0.5


def test_jax_computes_in_float32_unless_x64_is_on():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "float64 ... truncated"
        assert jnp.asarray(np.ones(2), dtype=jnp.float64).dtype == jnp.float32
    with jax.enable_x64(True):
        assert jnp.asarray(np.ones(2), dtype=jnp.float64).dtype == jnp.float64
    import impl_jax

    assert impl_jax.tanh(np.ones(2)).dtype == jnp.float64  # float64 in, float64 out
    assert jax.config.jax_enable_x64 is False  # and the global flag is untouched


def test_clamp_min_0_is_relu_with_derivative_1_at_zero():
    z = torch.zeros(3, requires_grad=True)
    torch.clamp(z, min=0).sum().backward()
    assert z.grad.tolist() == [1.0, 1.0, 1.0]  # passes the gradient through at 0
    assert torch.equal(torch.clamp(z, min=0), torch.relu(z))  # the same values
    assert torch_derivative_at_zero(torch.relu) == 0.0


def test_nn_linear_stores_its_weight_as_out_by_in():
    import impl_torch

    spec = reference.NetworkSpec((3, 4, 2), dtype="float64")
    params = impl_torch.from_numpy(reference.init_params(spec, 0), spec)
    W, b = params[0]  # ours: (n_in, n_out), applied as x @ W + b
    linear = torch.nn.Linear(3, 4, dtype=torch.float64)
    assert W.shape == (3, 4) and linear.weight.shape == (4, 3)  # (out, in)
    with torch.no_grad():
        linear.weight.copy_(W.T)  # transposed on the way in
        linear.bias.copy_(b)
    x = torch.randn(
        5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0)
    )
    torch.testing.assert_close(linear(x), x @ W + b)


def test_default_float_dtypes_are_float64_in_numpy_and_float32_elsewhere():
    assert np.zeros(3).dtype == np.float64
    assert torch.zeros(3).dtype == torch.float32 and jnp.zeros(3).dtype == jnp.float32
    a = np.zeros(3)
    assert torch.tensor(a).dtype == torch.float64  # keeps NumPy's
    assert torch.tensor([0.0]).dtype == torch.float32  # a Python float: the default
    assert jnp.asarray(a).dtype == jnp.float32  # quietly, with x64 off


def test_integer_labels_are_int64_in_torch_and_int32_in_jax():
    import impl_jax
    import impl_torch

    spec = reference.NetworkSpec((2, 3, 3), "tanh", "softmax", "cross_entropy")
    labels = np.array([0, 2, 1])
    assert impl_torch.asarray(labels, spec).dtype == torch.int64
    assert impl_jax.asarray(labels, spec).dtype == jnp.int32
    logits = torch.zeros(3, 3)
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):
        torch.nn.functional.cross_entropy(
            logits, torch.tensor(labels, dtype=torch.int32)
        )
    from_jax = torch.tensor(np.asarray(impl_jax.asarray(labels, spec)))
    loss = torch.nn.functional.cross_entropy(logits, from_jax.long())  # .long() fixes
    assert loss.item() == pytest.approx(np.log(3))


def test_jax_arrays_are_immutable_where_numpy_and_torch_update_in_place():
    W = jnp.zeros((2, 2))
    with pytest.raises(TypeError, match="immutable"):
        W[0, 0] = 1.0
    updated = W.at[0, 0].set(1.0)
    assert float(updated[0, 0]) == 1.0 and float(W[0, 0]) == 0.0  # a new array
    a, t = np.zeros((2, 2)), torch.zeros(2, 2)
    alias_a, alias_t = a, t
    a -= 1.0  # in place: every name for the array sees it
    t.sub_(1.0)
    assert alias_a[0, 0] == -1.0 and alias_t[0, 0].item() == -1.0


def test_randomness_is_a_global_seed_in_numpy_and_torch_and_a_key_in_jax():
    np.random.seed(0)
    first, second = np.random.rand(), np.random.rand()
    np.random.seed(0)
    assert first != second and np.random.rand() == first  # one global stream
    torch.manual_seed(0)
    t_first, t_second = torch.rand(1).item(), torch.rand(1).item()
    torch.manual_seed(0)
    assert t_first != t_second and torch.rand(1).item() == t_first
    key = jax.random.key(0)
    same = jax.random.normal(key), jax.random.normal(key)
    assert float(same[0]) == float(same[1])  # no state: the same key, the same draw
    new, _ = jax.random.split(key)
    assert float(jax.random.normal(new)) != float(same[0])


def test_mse_is_the_mean_without_a_half_and_the_half_doubles_the_gradient():
    import impl_numpy

    y_hat, y = np.array([[1.0, 2.0], [3.0, 5.0]]), np.zeros((2, 2))
    ours = impl_numpy.mse(y_hat, y)
    t = torch.nn.functional.mse_loss(torch.tensor(y_hat), torch.tensor(y))
    t_sum = torch.nn.functional.mse_loss(
        torch.tensor(y_hat), torch.tensor(y), reduction="sum"
    )
    assert ours == t.item() == 39 / 4
    assert t_sum.item() == 39.0  # reduction="sum": N*C = 4 times larger
    half_sum_grad = y_hat - y  # d/dy_hat of (1/2) sum (y_hat - y)^2, the textbook form
    np.testing.assert_allclose(
        impl_numpy.mse_grad(y_hat, y) * y_hat.size / 2, half_sum_grad
    )


def test_log_of_softmax_breaks_at_1e4_where_log_sum_exp_does_not():
    z = np.array([[1e4, -1e4, 0.0]])
    label = 1  # the -1e4 logit: softmax gives it exactly 0 in floating point
    with np.errstate(divide="ignore", under="ignore"):
        naive_numpy = -np.log(reference.oracle.softmax(z))[0, label]
    naive_torch = -torch.log(torch.softmax(torch.tensor(z), -1))[0, label].item()
    naive_jax = -jnp.log(jax.nn.softmax(jnp.asarray(z)))[0, label]
    assert naive_numpy == naive_torch == float(naive_jax) == np.inf
    stable = torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor([label]))
    assert (
        stable.item()
        == reference.oracle.softmax_cross_entropy(z, np.array([label]))
        == 2e4
    )


def test_the_harness_pins_full_float32_matmul_precision():
    """...and restores the user's settings after."""
    matmul, conv = torch.backends.cuda.matmul, torch.backends.cudnn.conv
    saved = matmul.fp32_precision, conv.fp32_precision
    matmul.fp32_precision = conv.fp32_precision = "tf32"  # what a user may have set
    try:
        with full_float32_precision():
            assert (matmul.fp32_precision, conv.fp32_precision) == ("ieee", "ieee")
            assert jax.config.jax_default_matmul_precision == "highest"
        assert (matmul.fp32_precision, conv.fp32_precision) == ("tf32", "tf32")
        assert jax.config.jax_default_matmul_precision is None
    finally:
        matmul.fp32_precision, conv.fp32_precision = saved


def test_a_hand_built_label_out_of_range_is_nan_in_jax_and_an_error_elsewhere():
    """Past asarray (labels + 3, built by hand), the hot path reads no values:
    NumPy and torch index out of bounds and raise, JAX's gather gives NaN."""
    spec = reference.NetworkSpec((4, 5, 3), dtype="float32")
    init = reference.init_params(spec, 0)
    x, labels = np.ones((2, 4)), np.array([0, 2])
    for name in ("numpy", "torch", "jax"):
        b = load_backend(name)
        params, xb = b.from_numpy(init, spec), b.asarray(x, spec)
        out_of_range = b.asarray(labels, spec) + 3  # 3 and 5, for 3 classes
        if name == "jax":
            assert np.isnan(float(b.loss(params, xb, out_of_range, spec)))
        else:
            with pytest.raises(IndexError):
                b.loss(params, xb, out_of_range, spec)
        with pytest.raises(ValueError, match="labels from 3 to 5"):  # where data enters
            b.train(params, xb, out_of_range, spec, 0.1, 1)
