"""The pytest plugin: a `triptych` fixture, so that a backend's author checks it
against the float64 oracle in three lines of their own suite:

    def test_my_backend_agrees(triptych):
        triptych.assert_agree("mypackage.mybackend:backend")

Installing triptych registers it (the `pytest11` entry point in pyproject.toml).
This module imports nothing but pytest: pandas and the harness load only when a
test asks for the fixture, and torch or JAX only when a backend needs them.
"""

from __future__ import annotations

import pytest


class Triptych:
    """What the fixture gives: the harness's assertions, loaded on first use."""

    def assert_agree(self, backend, specs=None, levels=None, dtypes=None, **options):
        """comparisons.assert_agree: AssertionError with the worst failures."""
        __tracebackhide__ = True  # the failure table is the message
        from .assertions import assert_agree

        return assert_agree(backend, specs, levels, dtypes, **options)

    def check(self, *args, **options):
        """comparisons.check: every comparison as a DataFrame, to assert on."""
        from .consistency import check

        return check(*args, **options)


@pytest.fixture
def triptych() -> Triptych:
    """The triptych harness: `triptych.assert_agree(backend, specs=..., ...)`."""
    return Triptych()
