"""The clock and the memory: how one callable is timed inside a worker process,
what it held at its peak, and how busy the machine was meanwhile.

Imports nothing but the standard library: the worker imports this before any
framework, and the tests drive `measure` with a fake clock.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable


def measure(
    run: Callable[[], object],
    sync: Callable[[object], object],
    min_block_s: float = 0.002,
    blocks: int = 50,
    warmup: int = 2,
    budget_s: float = 1.5,
    clock: Callable[[], float] = time.perf_counter,
) -> dict:
    """Time `run()`, calling `sync` on its result after every call.

    The first call is timed alone (`first_call_s`: compilation, allocation);
    `warmup` more calls are not timed; then `blocks` blocks of n calls each, n the
    first of 1, 2, 5, 10, 20, 50, ... (timeit's autorange) that makes a block last
    `min_block_s` -- fewer blocks (never under 3) where `blocks` of them would
    outlast `budget_s`. Every block's time per call is kept (`blocks_s`), so that
    statistics can be redone later.

    Many short blocks rather than a few long ones: on a busy machine a short block
    more often runs untouched, so the fastest block (a process's value in the
    verdicts) scatters less between processes (measured: README, "The clock").
    """

    def timed(n: int) -> float:
        start = clock()
        for _ in range(n):
            sync(run())
        return (clock() - start) / n

    first = timed(1)
    for _ in range(warmup):
        sync(run())
    rung, n, seconds = 0, 1, timed(1)
    while seconds * n < min_block_s and n < 10**6:
        rung += 1
        n = (1, 2, 5)[rung % 3] * 10 ** (rung // 3)
        seconds = timed(n)
    count = max(3, min(blocks, int(budget_s / max(seconds * n, 1e-12))))
    per_call = [timed(n) for _ in range(count)]
    q1, _, q3 = statistics.quantiles(per_call, n=4)
    return dict(
        median_s=statistics.median(per_call),
        iqr_s=q3 - q1,
        min_s=min(per_call),
        n_runs=n * count,
        first_call_s=first,
        blocks_s=per_call,
    )


# --------------------------------------------------------------------- memory


def peak_reset() -> bool:
    """Reset this process's peak resident set to what it holds now ("5" to
    /proc/self/clear_refs, Linux 4.0 and later), so that the next `peak_bytes` is
    the peak of what ran since; False where that cannot be asked."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def peak_reset_works() -> bool:
    """Whether `peak_reset` really lowers the peak here: 64 MB are held and freed,
    and after the reset the peak must have come down by most of them."""
    block = bytearray(64 << 20)  # zero-filled: every page touched
    del block
    high = _status_kib("VmHWM")
    return peak_reset() and _status_kib("VmHWM") < high - (32 << 10)


def peak_bytes() -> int:
    """The peak resident set since the last reset (VmHWM), else since the start."""
    kib = _status_kib("VmHWM")
    if kib:
        return kib * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def resident_bytes() -> int:
    """What this process holds in memory now (VmRSS; 0 where unknown)."""
    return _status_kib("VmRSS") * 1024


def _status_kib(field: str) -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# -------------------------------------------------------------- a busy machine


def machine_state() -> dict:
    """The 1-minute load average and the CPU time stolen from this virtual machine
    so far (by its host), to tell afterwards whether a process ran on a busy machine."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {"load": load, "steal_s": _steal_seconds()}


def _steal_seconds() -> float:
    """The `steal` column of /proc/stat's cpu line, in seconds (NaN where unknown)."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")
