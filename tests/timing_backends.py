"""Test doubles for the timing tests: outside backends -- NumPy under other names,
and NumPy whose `train` is made slower by a known factor, so that the verdicts
have a truth to find (run in the benchmark's worker processes as
`timing_backends:twin_a` etc.) -- and bench frames made up from given times.
"""

from __future__ import annotations

import os
import time
from types import SimpleNamespace

import pandas as pd

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


def fake_frame(times: dict, blocks: int = 5, **fields) -> pd.DataFrame:
    """A bench frame from {(backend, variant): [seconds per process]}: every block
    of a process takes that time; `fields` override the grid point's columns."""
    rows = []
    point = {
        **dict(op="train_step", sizes="8-8-3", batch=16, dtype="float32"),
        **fields,
    }
    for (backend, variant), per_process in times.items():
        for process, t in enumerate(per_process):
            rows.append(
                dict(
                    backend=backend,
                    variant=variant,
                    **point,
                    process=process,
                    median_s=t,
                    blocks_s=" ".join([f"{t:.6g}"] * blocks),
                )
            )
    return pd.DataFrame(rows)
