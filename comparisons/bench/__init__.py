"""Timing: fair timings as DataFrames, each comparison with its confidence, each row
with its distance from what the machine can do.

The parts, one idea each:

- `clock`       how one callable is timed in a process; its memory; a busy machine
- `work`        the matrix products of each op, its FLOPs and its fewest bytes
- `yardsticks`  what is timed: ours, the products alone, the idiomatic code,
                torch.compile, JAX without jit
- `peaks`       the machine's roofs, measured by a worker with its framework
- `worker`      one process per backend and repeat (no pandas, no harness)
- `run`         `bench()`: the workers, interleaved, into one DataFrame
- `processes`   starting, following and stopping a worker process
- `confidence`  ratios with 95% intervals between processes: faster, slower, tie
- `tables`      the summary per grid point, and the timing targets
- `roofline`    each row against the roofs; where overhead ends
- `words`       the results in sentences, for the terminal and the report

`comparisons.bench(...)` is `run.bench(...)`: this package is callable. Nothing
here is imported until used, so the worker can import `clock` and `yardsticks`
without pandas.
"""

from __future__ import annotations

import importlib

from ..callable_module import make_callable

_EXPORTS = {
    "bench": "run",
    "read_csv": "run",
    "write_csv": "run",
    "summary": "tables",
    "targets": "tables",
    "verdicts": "confidence",
    "unstable": "confidence",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    try:  # one of the parts above, as `bench.run`, imported when first asked for
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as missing:
        if missing.name != f"{__name__}.{name}":  # the part exists; its import failed
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


make_callable(__name__, "bench")  # comparisons.bench(...) is run.bench(...)
