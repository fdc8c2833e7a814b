"""The tolerance policy itself, pinned with fixed numbers: given these errors and
magnitudes, these pass and these fail. Loosening any part of the rule (a larger
RTOL_FLOAT64 or C_FLOAT32, K counted linearly, the pair tolerance widened) fails
a test here, whatever the backends do."""

from __future__ import annotations

import numpy as np
import pytest

from comparisons.rows import compare_all
from reference.tolerance import compare, group_scale, tolerance

EPS32 = float(np.finfo(np.float32).eps)


def off_by(error: float, ref=(2.0, -1.0, 0.5)):
    """ref, and a copy whose first entry is off by `error`."""
    ref = np.array(ref)
    return ref + np.array([error, 0.0, 0.0]), ref


@pytest.mark.parametrize("error, passes", [(1.9e-10, True), (2.1e-10, False)])
def test_float64_allows_1e_10_of_the_largest_magnitude(error, passes):
    x, ref = off_by(error)  # max|ref| = 2: the bound is 2e-10
    assert compare(x, ref, "float64").passed == passes


def test_float64_tolerance_is_1e_10_relative():
    assert tolerance("float64", 1.0) == pytest.approx(1e-10, rel=1e-12)
    assert tolerance("float64", 3.0) == pytest.approx(3e-10, rel=1e-12)


@pytest.mark.parametrize("units, passes", [(120, True), (136, False)])
def test_float32_allows_16_eps_times_sqrt_K_times_the_magnitude(units, passes):
    """K = 16, max|ref| = 2: the bound is 16 * eps32 * 4 * 2 = 128 eps32."""
    x, ref = off_by(units * EPS32)
    assert compare(x, ref, "float32", K=16).passed == passes


def test_float32_tolerance_grows_with_the_square_root_of_K():
    base = tolerance("float32", 1.0, K=1)
    assert base == pytest.approx(16 * EPS32, rel=1e-6)
    assert tolerance("float32", 1.0, K=100) == pytest.approx(10 * base, rel=1e-6)


def test_a_zero_reference_leaves_only_a_tiny_floor():
    assert tolerance("float32", 0.0) == pytest.approx(1e-6 * EPS32)
    assert not compare([1e-12], [0.0], "float32").passed
    assert compare([0.0], [0.0], "float32").passed


def test_errors_are_relative_to_the_scale_given_not_the_array_alone():
    """A bias gradient that cancels to 1e-3 is judged against its whole gradient."""
    db, ref_db = off_by(1e-8, ref=(1e-3, 0.0, 0.0))
    whole = group_scale([ref_db, np.array([[4.0, -2.0]])])  # the dW beside it
    assert whole == 4.0
    assert not compare(db, ref_db, "float32").passed  # 1e-8 of 1e-3: too much
    assert compare(db, ref_db, "float32", scale=whole).passed  # of 4: fine


def test_a_nan_where_the_oracle_has_a_number_fails_whatever_its_size():
    result = compare([np.nan, 1.0], [0.0, 1.0], "float64")
    assert not result.passed and result.note == "NaN/inf positions differ"
    assert compare([np.inf, 1.0], [np.inf, 1.0], "float64").passed
    assert not compare([-np.inf, 1.0], [np.inf, 1.0], "float64").passed


def test_against_another_backend_the_tolerance_is_doubled():
    """Each side 0.9 tol from the oracle, in opposite directions: 1.8 tol apart,
    within the doubled tolerance of a pair; 1.5 tol fails against the oracle, and
    2.4 tol from b fails against b."""
    ref = np.array([1.0, -1.0])
    tol = tolerance("float64", 1.0)
    values = {
        "a": ref + [0.9 * tol, 0],
        "b": ref - [0.9 * tol, 0],
        "c": ref + 1.5 * tol,
    }
    rows = compare_all(dict(level="unit", dtype="float64"), "q", values, ref, K=1)
    passed = {(r["backend"], r["against"]): r["passed"] for r in rows}
    assert passed[("a", "oracle")] and passed[("b", "oracle")]
    assert passed[("a", "b")] and passed[("b", "a")]
    assert not passed[("c", "oracle")] and not passed[("c", "b")]
    assert rows[1]["tol"] == pytest.approx(2 * tol)  # a against b
