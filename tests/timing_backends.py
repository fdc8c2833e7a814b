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


def slowed_train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
    """impl_numpy.train, then a busy wait so that the whole call takes `factor`
    times as long (a wait that uses the CPU, like real work would)."""
    start = time.perf_counter()
    result = impl_numpy.train(params, x, y, spec, lr, steps, batch_size, seed, tol)
    factor = float(os.environ.get(SLOWDOWN, "1.3"))
    until = start + factor * (time.perf_counter() - start)
    while time.perf_counter() < until:
        pass
    return result


twin_a = renamed("twin_a")
twin_b = renamed("twin_b")
slowed = renamed("slowed", train=slowed_train)


def hanging_train(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
    """A train step that never comes back (until the worker is killed)."""
    while True:
        time.sleep(1)


hanging = renamed("hanging", train=hanging_train)
