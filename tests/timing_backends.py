"""Outside backends for the timing tests, run in the benchmark's worker processes
as `timing_backends:twin_a` etc.: NumPy under other names; NumPy whose `train` is
made slower by a known factor, so that the verdicts have a truth to find; and
NumPy whose `train` never returns, for the worker's time limit.
"""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import impl_numpy
from comparisons import backends as registry

SLOWDOWN = "TRIPTYCH_TEST_SLOWDOWN"  # read at every call: 1.3 unless set


def renamed(name: str, **replaced) -> SimpleNamespace:
    """impl_numpy, whole, under another NAME (but for `replaced`)."""
    api = {attr: getattr(impl_numpy, attr) for attr in registry.API + registry.UNITS}
    return SimpleNamespace(**{**api, **replaced, "NAME": name})


def slowed_by(name: str, factor: float | None = None) -> SimpleNamespace:
    """impl_numpy whose `train` takes `factor` times as long: the call, then a busy
    wait (one that uses the CPU, like real work would). `factor` None: read from
    the environment variable SLOWDOWN at every call (1.3 where unset)."""

    def train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
        start = time.perf_counter()
        result = impl_numpy.train(params, x, y, spec, lr, steps, batch_size, seed, tol)
        times = factor if factor is not None else float(os.environ.get(SLOWDOWN, "1.3"))
        until = start + times * (time.perf_counter() - start)
        while time.perf_counter() < until:
            pass
        return result

    return renamed(name, train=train)


twin_a = renamed("twin_a")
twin_b = renamed("twin_b")
slowed = slowed_by("slowed")

# three "runs" of (NumPy, a slowed NumPy) for tests/test_compare.py, timed in one
# benchmark with their processes interleaved and then saved apart: the planted
# slowdown is 1.0 before and again, 1.4 after
before_twin, before_slowed = renamed("before_twin"), slowed_by("before_slowed", 1.0)
again_twin, again_slowed = renamed("again_twin"), slowed_by("again_slowed", 1.0)
after_twin, after_slowed = renamed("after_twin"), slowed_by("after_slowed", 1.4)


def hanging_train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
    """A train step that never comes back (until the worker is killed)."""
    while True:
        time.sleep(1)


hanging = renamed("hanging", train=hanging_train)
