"""The consistency harness: it passes honest backends, and -- the proof that it can
fail -- it catches and names every deliberately broken one."""

from __future__ import annotations

import broken
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import comparisons
import reference
from comparisons.consistency import COLUMNS
from reference import NetworkSpec

SQUARE = NetworkSpec(
    (4, 4, 4, 3), "relu", "identity", "mse"
)  # a transpose keeps shapes


def run(backend, specs=(SQUARE,), levels=("unit", "network"), dtypes=("float64",)):
    return comparisons.check(
        list(specs), ["numpy", backend], list(dtypes), list(levels)
    )


def failures(results, name):
    bad = results[
        (results.backend == name) & (results.against == "oracle") & ~results.passed
    ]
    return set(zip(bad.level, bad.quantity))


def test_the_default_frame_has_the_promised_columns_and_passes():
    results = comparisons.check(
        levels=["unit", "network"], dtypes=["float64"], specs=[NetworkSpec((3, 4, 2))]
    )
    assert list(results.columns) == COLUMNS
    assert results.passed.all()
    assert set(results.backend) == {"numpy", "torch", "jax"}
    assert set(results.against) == {"oracle", "numpy", "torch", "jax"}
    assert results.max_rel_err.max() < 1e-13  # float64 agreement is ~1e-16


def test_check_compares_float32_at_every_level_with_each_backend():
    spec = NetworkSpec((3, 4, 2), "tanh", "softmax", "cross_entropy")
    results = comparisons.check([spec], dtypes=["float32"])
    assert set(results.level) == {"unit", "network", "trajectory"}
    assert set(results.dataset) == {"", "synthetic_classification", "digits"}
    assert results.passed.all(), results[~results.passed]
    assert (results.max_rel_err > 0).any()  # float32 differs from the oracle, a little


@pytest.mark.parametrize(
    "make, expected",
    [
        (broken.grads_scaled, {("network", "dW[0]"), ("network", "db[2]")}),
        (broken.first_grad_transposed, {("network", "dW[0]")}),
        (broken.last_grad_zeroed, {("network", "dW[2]")}),
        (broken.relu_half_at_zero, {("unit", "relu_grad")}),
        (
            broken.mse_halved,
            {
                ("unit", "mse"),
                ("unit", "mse_grad"),
                ("network", "loss"),
                ("network", "dW[0]"),
            },
        ),
        (broken.softmax_unstabilised, {("unit", "softmax")}),
        (broken.step_applied_twice, {("network", "step W[0]")}),
    ],
    ids=lambda v: v.__name__ if callable(v) else "",
)
def test_each_broken_backend_is_caught_and_named(make, expected):
    backend = make()
    results = run(backend)
    caught = failures(results, backend.NAME)
    assert expected <= caught, caught
    assert not failures(results, "numpy")  # the honest backend still passes


def test_the_transposed_gradient_fails_on_values_not_only_on_shape():
    results = run(broken.first_grad_transposed(), levels=["network"])
    row = results[
        (results.backend == "transposed-grad")
        & (results.quantity == "dW[0]")
        & (results.against == "oracle")
    ].iloc[0]
    assert row.note == "" and row.max_rel_err > 1e-2  # a real value mismatch


def test_an_unstabilised_softmax_is_reported_as_nan_positions():
    results = run(broken.softmax_unstabilised(), levels=["unit"])
    row = results[
        (results.backend == "softmax-no-max")
        & (results.quantity == "softmax")
        & (results.against == "oracle")
    ].iloc[0]
    assert row.note == "NaN/inf positions differ" and not row.passed


def test_the_wrong_minibatch_order_is_caught_in_the_trajectory():
    spec = NetworkSpec((4, 8, 3), "tanh", "softmax", "cross_entropy")
    results = run(broken.wrong_batch_order(), specs=[spec], levels=["trajectory"])
    assert ("trajectory", "losses") in failures(results, "wrong-batches")


def test_broken_gradients_fail_by_orders_of_magnitude_in_float64():
    results = run(broken.grads_scaled(), levels=["network"])
    rows = results[
        (results.backend == "scaled-grads")
        & (results.against == "oracle")
        & results.quantity.str.startswith("d")
    ]
    assert (rows.max_abs_err > 1e4 * rows.tol).all()


def test_a_backend_that_raises_is_a_failed_row_not_a_crash():
    def loss(params, x, y, spec):
        raise RuntimeError("boom")

    results = run(broken.wrapped("raises", loss=loss), levels=["network"])
    row = results[
        (results.backend == "raises")
        & (results.quantity == "loss")
        & (results.against == "oracle")
    ].iloc[0]
    assert not row.passed and "raised RuntimeError: boom" in row.note


def test_summary_has_one_row_per_backend_and_level_with_the_worst_case():
    results = run(broken.mse_halved())
    table = comparisons.summary(results)
    assert list(table.columns) == [
        "backend",
        "level",
        "cases",
        "passed",
        "worst_rel_err",
        "worst_share_of_tol",
        "worst_case",
    ]
    row = table[(table.backend == "mse-halved") & (table.level == "network")].iloc[0]
    assert row.passed < row.cases and row.worst_share_of_tol > 1


def test_unknown_levels_and_dtypes_are_refused():
    with pytest.raises(
        ValueError, match="levels must be some of unit, network, trajectory"
    ):
        comparisons.check(levels=["graph"])
    with pytest.raises(ValueError, match="dtypes must be some of float32, float64"):
        comparisons.check(dtypes=["float16"])


def test_trajectories_record_loss_and_distance_from_the_oracle_per_step():
    frame = comparisons.trajectories(
        "synthetic_classification", steps=20, batch_size=32
    )
    assert list(frame.columns) == [
        "dataset",
        "backend",
        "dtype",
        "step",
        "loss",
        "oracle_loss",
        "loss_diff",
        "param_dist",
    ]
    assert len(frame) == 3 * 2 * 20
    f64 = frame[frame.dtype == "float64"]
    f32 = frame[frame.dtype == "float32"]
    assert f64.param_dist.max() < 1e-13 and f64.loss_diff.max() < 1e-13
    assert 0 < f32.param_dist.iloc[-1] < 1e-4  # float32 drifts, a little
    first = frame[frame.step == 0]
    assert np.allclose(first.loss, first.oracle_loss, rtol=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hidden=st.lists(st.integers(1, 9), min_size=1, max_size=3),
    n_in=st.integers(1, 6),
    n_out=st.integers(2, 5),
    batch=st.integers(1, 10),
    combo=st.sampled_from(reference.combinations()),
    dtype=st.sampled_from(["float32", "float64"]),
    seed=st.integers(0, 1000),
)
def test_property_all_backends_agree_on_random_networks(
    hidden, n_in, n_out, batch, combo, dtype, seed
):
    spec = NetworkSpec((n_in, *hidden, n_out), *combo)
    results = comparisons.check(
        [spec], dtypes=[dtype], levels=["network"], seed=seed, batch_size=batch
    )
    assert results.passed.all(), results[~results.passed].to_string()


def test_results_round_trip_through_csv(tmp_path):
    results = run("torch", levels=["unit"])
    results.to_csv(tmp_path / "c.csv", index=False)
    again = pd.read_csv(tmp_path / "c.csv", keep_default_na=False)
    assert list(again.columns) == COLUMNS and len(again) == len(results)
