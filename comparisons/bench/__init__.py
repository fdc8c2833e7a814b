"""Timing: fair timings as DataFrames, each comparison with its confidence, each row
with its distance from what the machine can do.

The parts, one idea each:

- `clock`       how one callable is timed in a process; its memory; a busy machine
- `work`        the matrix products of each op, its FLOPs and its fewest bytes
- `yardsticks`  what is timed: ours, the products alone, the idiomatic code,
                torch.compile, JAX without jit
- `peaks`       the machine's roofs, measured by a worker with its framework
- `worker`      one process per backend and repeat (no pandas, no harness)
- `run`         `bench()`: runs the workers, interleaved, into one DataFrame
- `confidence`  ratios with 95% intervals between processes: faster, slower, tie
- `roofline`    each row against the roofs; where overhead ends
- `words`       the results in sentences, for the terminal and the report

`comparisons.bench(...)` is `run.bench(...)`: this package is callable. Nothing
here is imported until used, so the worker can import `clock` and `yardsticks`
without pandas.
"""

from __future__ import annotations

import importlib
import sys
import types

_EXPORTS = {
    "bench": "run",
    "read_csv": "run",
    "write_csv": "run",
    "summary": "confidence",
    "targets": "confidence",
    "verdicts": "confidence",
    "unstable": "confidence",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallablePackage(types.ModuleType):
    """`comparisons.bench` is both this package and the function `bench()`: the
    name users call stays one name. (A module's class may be replaced by a
    ModuleType subclass; Python supports this since 3.5.)"""

    def __call__(self, *args, **kwargs):
        return self.bench(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
