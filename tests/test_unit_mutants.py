"""Float32-only bugs at the unit level: every activation, loss and derivative off
by a relative 1e-4 on ordinary inputs is caught in float32, on the ordinary
inputs -- where one array mixing +-1e4 with O(1) values let such errors pass."""

from __future__ import annotations

import functools

import broken
import numpy as np
import pytest

import comparisons
import impl_numpy
from comparisons import backends as registry
from comparisons.unit_level import ACTIVATIONS, UNITS

OFF = 1 + 1e-4  # a relative error of 1e-4
ORDINARY = 5.0  # |z| up to this is ordinary


def off_on_ordinary(name: str):
    """impl_numpy's `name`, off by OFF wherever its input z is ordinary."""
    f = getattr(impl_numpy, name)

    @functools.wraps(f)  # f's signature, as the backend API asks
    def mutated(z, *rest):
        value = f(z, *rest)
        if np.ndim(value) == 0:  # a loss: off when the whole batch is ordinary
            return value * OFF if np.abs(z).max() <= ORDINARY else value
        return np.where(np.abs(z) <= ORDINARY, value * OFF, value).astype(value.dtype)

    return mutated


def failed_cases(backend) -> set:
    results = comparisons.check(
        None, ["numpy", backend], "float32", ["unit"], units="all"
    )
    bad = results[
        (results.backend == backend.NAME)
        & (results.against == "oracle")
        & ~results.passed
    ]
    return set(zip(bad.quantity, bad.inputs))


FUNCTIONS = [f"{unit}{suffix}" for unit in UNITS for suffix in ("", "_grad")]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_relative_error_of_1e_4_on_ordinary_inputs_fails_in_float32(name):
    mutant = broken.wrapped(f"{name}-off", **{name: off_on_ordinary(name)})
    assert (name, "ordinary") in failed_cases(mutant)


def test_there_is_a_mutant_for_each_activation_and_loss_and_each_gradient():
    assert FUNCTIONS == list(registry.UNITS) and set(ACTIVATIONS) < set(UNITS)


def test_a_relu_0_02_off_on_ordinary_inputs_fails_in_float32():
    """The bug that passed when the unit inputs mixed 1e4 with O(1) values."""

    def relu(z):
        return np.where(np.abs(z) < ORDINARY, impl_numpy.relu(z) + 0.02, z.clip(0))

    assert ("relu", "ordinary") in failed_cases(broken.wrapped("relu+0.02", relu=relu))
