"""Gradient descent: `sgd_step` and `train` in every backend against the oracle's
30-step trajectories, and the loop's contract (batches, tol, no mutation)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import load_backend
from helpers import (
    assert_agrees,
    assert_params_agree,
    make_batch,
    native,
    on_oracle_inputs,
)

import reference
from reference import NetworkSpec, oracle
from reference.tolerance import reduction_length

STEPS = 30


@pytest.mark.parametrize("batch_size", [None, 8], ids=["full-batch", "minibatch"])
@pytest.mark.parametrize("combo", reference.combinations(), ids="-".join)
def test_thirty_step_trajectory_matches_the_oracle(backend, dtype, combo, batch_size):
    spec = NetworkSpec((5, 7, 3), *combo, dtype=dtype)
    params = reference.init_params(spec, seed=4)
    x, y = make_batch(spec, n=24, seed=5)
    trained, losses = backend.train(
        *native(backend, params, x, y, spec), spec, 0.5, STEPS, batch_size, seed=7
    )
    rp, rx, ry = on_oracle_inputs(params, x, y, dtype)
    ref_params, ref_losses = oracle.train(
        rp, rx, ry, spec.replace(dtype="float64"), 0.5, STEPS, batch_size, seed=7
    )
    K = reduction_length(spec.sizes, batch_size or 24, STEPS)
    assert isinstance(losses, np.ndarray) and losses.shape == (STEPS,)
    assert_agrees(losses, ref_losses, dtype, K, "losses")
    assert_params_agree(backend.to_numpy(trained), ref_params, dtype, K, "params")


def test_training_lowers_the_loss_on_digits(backend):
    data = reference.data.load("digits")
    spec = NetworkSpec((64, 32, 10), "tanh", "softmax", "cross_entropy", "float32")
    params = reference.init_params(spec, seed=0)
    _, losses = backend.train(
        *native(backend, params, data.x, data.y, spec), spec, 0.1, 60, 64
    )
    assert losses[-10:].mean() < 0.5 * losses[:10].mean()


def test_train_and_sgd_step_leave_their_inputs_as_they_were(backend, dtype):
    spec = NetworkSpec((4, 5, 3), dtype=dtype)
    params, x, y = native(
        backend, reference.init_params(spec, 0), *make_batch(spec), spec
    )
    before = backend.to_numpy(params)
    _, grads = backend.loss_and_grads(params, x, y, spec)
    grads_before = backend.to_numpy(grads)
    backend.sgd_step(params, grads, 0.1)
    backend.train(params, x, y, spec, 0.1, 5)
    backend.train(params, x, y, spec, 0.1, 1)  # JAX: one step runs another program
    for now, then in zip(
        backend.to_numpy(params) + backend.to_numpy(grads), before + grads_before
    ):
        assert all(np.array_equal(a, b) for a, b in zip(now, then))


def test_one_step_at_a_time_is_the_same_as_the_steps_in_one_call(backend, dtype):
    # JAX runs a one-step call without donating the parameters (descent.py)
    spec = NetworkSpec((4, 5, 3), dtype=dtype)
    params, x, y = native(
        backend, reference.init_params(spec, 0), *make_batch(spec), spec
    )
    together, losses = backend.train(params, x, y, spec, 0.1, 3)
    one_by_one = []
    for _ in range(3):
        params, loss = backend.train(params, x, y, spec, 0.1, 1)
        one_by_one.append(loss[0])
    assert np.array_equal(one_by_one, losses)
    for a, b in zip(backend.to_numpy(params), backend.to_numpy(together)):
        assert all(np.array_equal(p, q) for p, q in zip(a, b))


def test_zero_steps_return_the_start_and_no_losses(backend):
    spec = NetworkSpec((4, 5, 3))
    init = reference.init_params(spec, 0)
    params, losses = backend.train(
        *native(backend, init, *make_batch(spec), spec), spec, 0.1, 0
    )
    assert losses.shape == (0,)
    assert all(
        np.array_equal(a, b) for a, b in zip(backend.to_numpy(params)[0], init[0])
    )


def test_tol_stops_once_the_loss_changes_by_less_than_it(backend):
    spec = NetworkSpec((4, 5, 3))
    args = native(backend, reference.init_params(spec, 0), *make_batch(spec), spec)
    _, full = backend.train(*args, spec, 0.1, 200)
    _, early = backend.train(*args, spec, 0.1, 200, tol=2e-3)
    within = np.flatnonzero(np.abs(np.diff(full)) < 2e-3)  # steps i+1 within tol of i
    assert within.size, "the full run never settles: pick a larger tol"
    stop = int(within[0]) + 2  # losses up to and including the settling step
    assert len(early) == stop < 200
    np.testing.assert_array_equal(early, full[:stop])


def test_every_backend_sees_the_same_minibatches(backend):
    """The loss of each step's batch equals the oracle's for the same batch order."""
    spec = NetworkSpec((4, 5, 3))
    params = reference.init_params(spec, 0)
    x, y = make_batch(spec, n=20)
    _, losses = backend.train(
        *native(backend, params, x, y, spec), spec, 0.1, 6, 4, seed=3
    )
    start = [
        oracle.loss(params, x[idx], y[idx], spec)
        for idx in reference.minibatches(20, 4, 6, 3)
    ]
    assert losses[0] == pytest.approx(start[0], rel=1e-12)
    _, other_order = oracle.train(params, x, y, spec, 0.1, 6, 4, seed=4)
    assert not np.allclose(losses, other_order)


def test_jax_train_reads_a_data_sets_values_once_and_new_arrays_afresh(monkeypatch):
    # JAX arrays are immutable, so impl_jax.train checks the values of an (x, y)
    # once; NumPy arrays and torch tensors can change in place and are checked on
    # every call
    impl_jax = load_backend("jax")  # fails, not skips, where JAX is required
    import jax.numpy as jnp

    from impl_jax import descent

    checked = []
    check_values = descent.validate.check_values
    monkeypatch.setattr(
        descent.validate,
        "check_values",
        lambda x, y, spec: checked.append(x.shape) or check_values(x, y, spec),
    )
    spec = NetworkSpec((4, 5, 3), "tanh", "softmax", "cross_entropy", "float32")
    params = impl_jax.from_numpy(reference.init_params(spec, seed=0), spec)
    x, y = make_batch(spec)
    xb, yb = impl_jax.asarray(x, spec), impl_jax.asarray(y, spec)
    for steps in (1, 2, 2):
        impl_jax.train(params, xb, yb, spec, 0.1, steps)
    assert checked == [x.shape]
    x[3, 2] = np.nan  # the same values but one, in a new array: checked again
    bad = jnp.asarray(x)  # impl_jax.asarray would refuse it
    with pytest.raises(
        ValueError, match=r"x must be finite, got nan at index \(3, 2\)"
    ):
        impl_jax.train(params, bad, yb, spec, 0.1, 2)
    assert len(checked) == 2
