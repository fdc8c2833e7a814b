"""The one path of backends against the oracle (comparisons.runs), and divergence:
a training whose loss blows up is named, and its differences are not compared."""

from __future__ import annotations

import math

import numpy as np
import pytest

import comparisons
from comparisons import cli, runs


@pytest.mark.parametrize(
    "losses, step",
    [
        ([2.3, 1.9, 1.2], None),
        ([2.3, 5.0, 22.9], None),  # rising, but within 10x of the first
        ([2.3, 5.0, 23.1], 2),  # more than 10x the first
        ([2.3, float("nan"), 1.0], 1),
        ([float("inf")], 0),
        ([], None),
    ],
)
def test_a_run_diverges_at_the_first_nan_inf_or_tenfold_loss(losses, step):
    assert runs.diverged_at(losses) == step


def test_curves_are_compared_only_before_the_first_divergence():
    assert runs.comparable([1.0, 1.1, 1.2], [1.0, 1.0]) == 2
    assert runs.comparable([1.0, 20.0, 30.0], [1.0, 1.1, 1.2]) == 1


def test_a_divergence_in_float32_only_is_said_to_be_so():
    exact, blown = [2.0, 1.5, 1.0], [2.0, 1.5, float("nan")]
    assert runs.divergence_note(blown, exact, "float32") == (
        "diverged at step 2 in float32 only: the float64 oracle, from the same "
        "rounded start, did not"
    )
    assert runs.divergence_note(blown, blown, "float32") == "diverged at step 2"
    assert runs.divergence_note(exact, exact, "float32") == ""


def test_train_names_the_divergence_and_compares_nothing_after_it():
    table = comparisons.train("synthetic_classification", lr=1000.0, steps=20)
    assert table.diverged_at.notna().all()
    assert table.note.str.startswith("diverged at step").all()
    diverged = int(table.diverged_at.min())
    if diverged == 0:  # nothing left to compare
        assert table.max_diff_vs_oracle.isna().all()


def test_cli_train_with_a_huge_learning_rate_says_diverged(capsys):
    argv = ["train", "--dataset", "synthetic_classification", "--steps", "20"]
    assert cli.main([*argv, "--lr", "1000", "--backends", "numpy"]) == 0
    out = capsys.readouterr().out
    assert "diverged at step" in out


def test_trajectories_leave_steps_after_a_divergence_uncompared():
    frame = comparisons.trajectories(
        "synthetic_classification",
        backends=["numpy"],
        lr=1000.0,
        steps=15,
        dtypes="float32",
    )
    past = frame[frame.note != ""]
    assert len(past) and past.note.str.contains("diverged at step").all()
    assert past.loss_diff.isna().all() and past.passed.isna().all()
    before = frame[frame.note == ""]
    assert before.passed.notna().all()
    assert math.isfinite(before.loss_diff.max())


def test_the_rounded_inputs_are_what_a_float32_backend_sees():
    params = [(np.array([[0.1]]), np.array([0.2]))]
    x, y = np.array([[1 / 3]]), np.array([7])
    rounded_params, rounded_x, rounded_y = runs.rounded(params, x, y, "float32")
    W, _ = rounded_params[0]
    assert W.dtype == np.float64 and W[0, 0] == np.float32(0.1)
    assert rounded_x[0, 0] == np.float32(1 / 3)
    assert rounded_y.dtype.kind == "i"  # labels are left as they are
