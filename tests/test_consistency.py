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
import impl_numpy
import reference
from comparisons import runs
from comparisons.consistency import COLUMNS, blamed
from reference import NetworkSpec, oracle
from reference.tolerance import group_scale, reduction_length, tolerance

# Square first layers: a transposed gradient keeps its shape, so only its values
# can give it away. One MSE net and one cross-entropy net.
SQUARE = NetworkSpec((4, 4, 4, 3), "relu", "identity", "mse")
SQUARE_CE = NetworkSpec((5, 5, 3), "tanh", "softmax", "cross_entropy")


def run(backend, specs=(SQUARE,), levels=("unit", "network"), dtypes=("float64",)):
    return comparisons.check(
        list(specs), ["numpy", backend], list(dtypes), list(levels), units="all"
    )


def failures(results, name):
    bad = results[
        (results.backend == name) & (results.against == "oracle") & ~results.passed
    ]
    return set(zip(bad.level, bad.quantity))


def oracle_rows(results, backend, quantity):
    return results[
        (results.backend == backend)
        & (results.quantity == quantity)
        & (results.against == "oracle")
    ]


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
    spec = NetworkSpec((3, 4, 2), "tanh", "softmax", "cross_entropy", "float32")
    results = comparisons.check(spec)
    assert set(results.level) == {"unit", "network", "trajectory"}
    assert set(results.dtype) == {"float32"}  # the spec's own dtype, only
    assert set(results.dataset) == {"", "synthetic"}  # data of the spec's shape
    assert set(results.sizes) == {"", "3-4-2"}  # the spec's net at every level
    assert results.passed.all(), results[~results.passed]
    assert (results.max_rel_err > 0).any()  # float32 differs from the oracle, a little


# What each level compares, pinned: dropping a quantity must fail a test.
THREE_LAYERS = NetworkSpec((4, 5, 6, 3))


def quantities(level, **options):
    results = comparisons.check(THREE_LAYERS, ["numpy"], levels=[level], **options)
    return list(results.quantity), list(results.inputs)


def test_the_network_level_compares_output_loss_every_gradient_and_a_step():
    assert quantities("network")[0] == [
        "forward",
        "loss",
        "dW[0]",
        "db[0]",
        "dW[1]",
        "db[1]",
        "dW[2]",
        "db[2]",
        "step W[0]",
        "step b[0]",
        "step W[1]",
        "step b[1]",
        "step W[2]",
        "step b[2]",
    ]


def test_the_trajectory_level_compares_the_losses_and_every_final_parameter():
    assert quantities("trajectory")[0] == [
        "losses",
        "final W[0]",
        "final b[0]",
        "final W[1]",
        "final b[1]",
        "final W[2]",
        "final b[2]",
    ]


def test_the_unit_level_compares_every_function_and_gradient_on_three_cases():
    names, inputs = quantities("unit", units="all")
    # identity, identity_grad, ..., softmax_cross_entropy, its _grad, both again on
    # a target distribution, ..., sigmoid_cross_entropy_grad
    variants = {"softmax_cross_entropy": ("", "(distribution)")}
    per_case = [
        f"{unit}{grad}{variant}"
        for unit in oracle.UNITS
        for variant in variants.get(unit, ("",))
        for grad in ("", "_grad")
    ]
    assert names == per_case * 3
    n = len(per_case)
    cases = ["ordinary"] * n + ["extreme"] * n + ["zeros"] * n
    assert inputs == cases


def last(spec, name):
    """The quantity of the last layer, e.g. 'db[2]' on a net of three layers."""
    return f"{name}[{spec.n_layers - 1}]"


# broken backend -> what it must fail, on a given spec (units: every one)
CAUGHT = {
    broken.grads_scaled: lambda s: {("network", "dW[0]"), ("network", last(s, "db"))},
    broken.first_grad_transposed: lambda s: {("network", "dW[0]")},
    broken.last_grad_zeroed: lambda s: {("network", last(s, "dW"))},
    broken.relu_half_at_zero: lambda s: {("unit", "relu_grad")},
    broken.mse_halved: lambda s: (
        {("unit", "mse"), ("unit", "mse_grad")}
        | ({("network", "loss"), ("network", "dW[0]")} if s.loss == "mse" else set())
    ),
    broken.softmax_unstabilised: lambda s: {("unit", "softmax")},
    broken.step_applied_twice: lambda s: {("network", "step W[0]")},
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("spec", [SQUARE, SQUARE_CE], ids=["mse", "cross_entropy"])
@pytest.mark.parametrize("make", list(CAUGHT), ids=lambda make: make.__name__)
def test_each_broken_backend_is_caught_and_named(make, spec, dtype):
    backend = make()
    results = run(backend, specs=[spec], dtypes=[dtype])
    caught = failures(results, backend.NAME)
    assert CAUGHT[make](spec) <= caught, caught
    assert not failures(results, "numpy")  # the honest backend still passes
    table = comparisons.summary(results).set_index(["backend", "level"])
    assert (table.loc["numpy"].passed == table.loc["numpy"].cases).all()  # no blame


def test_the_transposed_gradient_fails_on_values_not_only_on_shape():
    results = run(broken.first_grad_transposed(), levels=["network"])
    row = results[
        (results.backend == "transposed-grad")
        & (results.quantity == "dW[0]")
        & (results.against == "oracle")
    ].iloc[0]
    assert row.note == "" and row.max_rel_err > 1e-2  # a real value mismatch


def test_an_unstabilised_softmax_fails_on_the_extreme_inputs_as_nan_positions():
    results = run(broken.softmax_unstabilised(), levels=["unit"])
    rows = oracle_rows(results, "softmax-no-max", "softmax").set_index("inputs")
    assert list(rows.index[~rows.passed]) == ["extreme"]  # e^1e4 overflows
    assert rows.loc["extreme", "note"] == "NaN/inf positions differ"


def test_relu_half_at_zero_fails_on_the_zeros_and_nowhere_else():
    results = run(broken.relu_half_at_zero(), levels=["unit"])
    rows = oracle_rows(results, "relu-half-at-0", "relu_grad").set_index("inputs")
    assert list(rows.index[~rows.passed]) == ["zeros"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_wrong_minibatch_order_is_caught_in_the_trajectory(dtype):
    spec = NetworkSpec((4, 8, 3), "tanh", "softmax", "cross_entropy")
    results = run(
        broken.wrong_batch_order(), [spec], levels=["trajectory"], dtypes=[dtype]
    )
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


def test_summary_counts_a_pair_against_the_backend_the_oracle_finds_off():
    results = run(broken.grads_scaled(), levels=["network"])
    pair = results[(results.backend == "numpy") & (results.against == "scaled-grads")]
    assert not pair.passed.all()  # numpy does disagree with the broken one...
    table = comparisons.summary(results).set_index("backend")
    assert table.loc["numpy", "passed"] == table.loc["numpy", "cases"]  # ...blameless
    assert "vs scaled-grads" not in table.loc["numpy", "worst_case"]
    broken_row = table.loc["scaled-grads"]
    assert broken_row.passed < broken_row.cases and broken_row.worst_share_of_tol > 1


def test_summary_counts_a_pair_against_both_where_both_are_off():
    negated = broken.wrapped(
        "negated-grads",
        loss_and_grads=broken._map_grads(lambda g: [(-gW, -gb) for gW, gb in g]),
    )
    results = comparisons.check(
        SQUARE, [broken.grads_scaled(), negated], levels=["network"], dtypes="float64"
    )
    counted = results[blamed(results) & (results.quantity == "dW[0]")]
    assert set(zip(counted.backend, counted.against)) == {
        ("scaled-grads", "oracle"),
        ("negated-grads", "oracle"),
        ("scaled-grads", "negated-grads"),
        ("negated-grads", "scaled-grads"),
    }
    table = comparisons.summary(results)
    assert (table.passed < table.cases).all()


def test_blame_follows_the_oracle_row_by_row():
    """A hand-made frame: on case one only A is off, on case two both are."""

    def row(quantity, backend, against, passed):
        return dict(
            level="network",
            quantity=quantity,
            backend=backend,
            against=against,
            passed=passed,
        )

    frame = pd.DataFrame(
        [
            row("one", "A", "oracle", False),
            row("one", "B", "oracle", True),
            row("one", "A", "B", False),
            row("one", "B", "A", False),
            row("two", "A", "oracle", False),
            row("two", "B", "oracle", False),
            row("two", "A", "B", False),
            row("two", "B", "A", False),
        ]
    ).reindex(columns=COLUMNS, fill_value="")
    assert blamed(frame).tolist() == [
        True,
        False,
        True,
        False,  # case one: A's, all of it
        True,
        True,
        True,
        True,  # case two: both off, both blamed
    ]


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
        "loss_tol",
        "dist_tol",
        "passed",
        "note",
    ]
    assert len(frame) == 3 * 2 * 20
    assert frame.passed.all() and (frame.note == "").all()  # no divergence
    assert (frame.loss_diff <= frame.loss_tol).all()
    assert (frame.param_dist <= frame.dist_tol).all()
    f64 = frame[frame.dtype == "float64"]
    f32 = frame[frame.dtype == "float32"]
    assert f64.param_dist.max() < 1e-13 and f64.loss_diff.max() < 1e-13
    assert 0 < f32.param_dist.iloc[-1] < 1e-4  # float32 drifts, a little
    first = frame[frame.step == 0]
    assert np.allclose(first.loss, first.oracle_loss, rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_trajectories_fail_a_backend_whose_gradients_are_off(dtype):
    frame = comparisons.trajectories(
        "synthetic_classification",
        None,
        ["numpy", broken.grads_scaled()],
        steps=10,
        batch_size=32,
        dtypes=dtype,
    )
    passed = frame.groupby("backend").passed.all()
    assert passed["numpy"] and not passed["scaled-grads"]
    first = frame[frame.step == 0].set_index("backend")
    assert first.passed.all()  # step 0: same start, no update yet


def test_trajectories_fail_parameters_that_drift_where_the_loss_cannot_tell():
    """Softmax ignores a shift of every logit alike: a step that also adds 1e-3
    to the last bias leaves each loss as it was, but not the parameters."""

    def sgd_step(params, grads, lr):
        stepped = impl_numpy.sgd_step(params, grads, lr)
        return [*stepped[:-1], (stepped[-1][0], stepped[-1][1] + 1e-3)]

    shifted = broken.wrapped("shifted", sgd_step=sgd_step)
    frame = comparisons.trajectories(
        "synthetic_classification", None, [shifted], steps=5, dtypes="float64"
    )
    assert (frame.loss_diff <= frame.loss_tol).all()
    assert list(frame.passed) == [True, False, False, False, False]


def test_trajectory_tolerances_follow_the_policy_with_every_step_counted():
    frame = comparisons.trajectories(
        "synthetic_classification", None, ["numpy"], steps=4, batch_size=32
    )
    for row in frame.itertuples():
        K = reduction_length((8, 32, 4), 32, row.step + 1)  # default_spec's net
        assert row.dist_tol == tolerance(row.dtype, 1.0, K)
        assert row.loss_tol == tolerance(row.dtype, abs(row.oracle_loss), K)


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


# Found by the property test above: the gradient (max 0.0024) is what is left of
# terms of size 1.5, and its float32 rounding is relative to those terms.
CANCELLING = NetworkSpec((4, 1, 2, 3, 2), "sigmoid", "softmax", "mse", "float32")


def test_a_gradient_far_below_its_terms_is_judged_against_the_terms():
    seed, n = 307, 10
    results = comparisons.check(
        [CANCELLING], levels=["network"], seed=seed, batch_size=n
    )
    assert results.passed.all(), results[~results.passed].to_string()
    # ... where the gradient's own scale would have failed honest NumPy
    params = reference.init_params(CANCELLING, seed)
    x, y = reference.data.random_batch(CANCELLING, n, seed + 1)
    f64 = CANCELLING.replace(dtype="float64")
    args = runs.rounded(params, x, y, "float32") + (f64,)
    grads = oracle.loss_and_grads(*args)[1]
    terms = group_scale(a for pair in oracle.gradient_bound(*args) for a in pair)
    own = group_scale(a for pair in grads for a in pair)
    assert own < terms / 100
    ours = impl_numpy.loss_and_grads(
        *runs.native(impl_numpy, params, x, y, CANCELLING), CANCELLING
    )[1]
    err = max(np.max(np.abs(g - r)) for p, q in zip(ours, grads) for g, r in zip(p, q))
    K = reduction_length(CANCELLING.sizes, n)
    assert tolerance("float32", own, K) < err <= tolerance("float32", terms, K)


def test_results_round_trip_through_csv(tmp_path):
    results = run("torch", levels=["unit"])
    results.to_csv(tmp_path / "c.csv", index=False)
    again = pd.read_csv(tmp_path / "c.csv", keep_default_na=False)
    assert list(again.columns) == COLUMNS and len(again) == len(results)
