"""Outside backends for the timing tests, run in the benchmark's worker processes
as `timing_backends:before_twin` etc.: NumPy under other names; NumPy whose
`train` is made slower by a known factor, so that the verdicts have a truth to
find; and NumPy whose `train` never returns, for the worker's time limit.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import impl_numpy
from comparisons import backends as registry


def renamed(name: str, **replaced) -> SimpleNamespace:
    """impl_numpy, whole, under another NAME (but for `replaced`)."""
    api = {attr: getattr(impl_numpy, attr) for attr in registry.API + registry.UNITS}
    return SimpleNamespace(**{**api, **replaced, "NAME": name})


def slowed_by(name: str, factor: float) -> SimpleNamespace:
    """impl_numpy whose `train` takes `factor` times as long: the call, then a busy
    wait (one that uses the CPU, like real work would)."""

    def train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
        start = time.perf_counter()
        result = impl_numpy.train(params, x, y, spec, lr, steps, batch_size, seed, tol)
        until = start + factor * (time.perf_counter() - start)
        while time.perf_counter() < until:
            pass
        return result

    return renamed(name, train=train)


# three "runs" of (NumPy, a slowed NumPy), timed in one benchmark with their
# processes interleaved (tests/helpers.py: timed_runs): the planted slowdown is
# 1.0 before and again, 1.3 after. The twins of "before" and "again" are the A/A
# pair; tests/test_compare.py saves the runs apart.
before_twin, before_slowed = renamed("before_twin"), slowed_by("before_slowed", 1.0)
again_twin, again_slowed = renamed("again_twin"), slowed_by("again_slowed", 1.0)
after_twin, after_slowed = renamed("after_twin"), slowed_by("after_slowed", 1.3)


def hanging_train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
    """A train step that never comes back (until the worker is killed)."""
    while True:
        time.sleep(1)


hanging = renamed("hanging", train=hanging_train)
