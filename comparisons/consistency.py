"""Consistency: do the backends compute the same thing -- and if not, where, and by
how much?

`check(...)` runs three levels and returns one tidy row per (level, quantity,
inputs, dtype, spec, dataset, backend, against):

- unit: each activation and each loss, value and gradient, on ordinary inputs,
  on extreme ones (+-30, +-1e4) and on exact zeros, each case judged against its
  own scale (comparisons/unit_level.py);
- network: forward output, loss, every gradient and one gradient-descent step,
  for every spec and dtype;
- trajectory: `train` for TRAJECTORY_STEPS steps from the same init on the same
  minibatches: the loss curve and the final parameters.

Each backend is held against the float64 oracle, run on the same dtype-rounded
inputs (so only the arithmetic differs), and against every other backend. The
tolerance policy is reference/tolerance.py; against another backend the
tolerance is doubled, since both sides carry rounding error. A backend that
raises is recorded as a failed row with the error, not a crash. `summary`
counts each failure against the backend that the oracle finds off.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

import reference
from reference import NetworkSpec, validate

from . import backends as registry
from . import levels, precision
from .blame import blamed, summary
from .precision import full_float32_precision
from .presets import (
    CHECK_SIZES,
    NETWORK_BATCH,
    OWN_TRAJECTORY,
    TRAJECTORY_NET,
    TRAJECTORY_SETS,
    usable_cpus,
)
from .rows import COLUMNS
from .unit_level import UNITS, unit_rows, units_of

LEVELS = ("unit", "network", "trajectory")
MAX_BATCH = 1_000_000  # the network level's random batch: rows, not gigabytes
DTYPES = ("float32", "float64")

Progress = Callable[[int, int, str], None]  # (done, total, what) -> None

__all__ = ["COLUMNS", "LEVELS", "blamed", "check", "default_specs", "summary"]


def default_specs() -> list[NetworkSpec]:
    """Every valid combination, on the classic three layers and on a deeper net."""
    return [
        NetworkSpec(sizes, *combo)
        for sizes in CHECK_SIZES
        for combo in reference.combinations()
    ]


def check(
    specs=None,
    backends=None,
    dtypes=None,
    levels=None,
    seed: int = 0,
    progress: Progress | None = None,
    batch_size: int = NETWORK_BATCH,
    device=None,
    units=None,
) -> pd.DataFrame:
    """Compare every backend with the oracle and with each other (see module doc).

    `specs`: a NetworkSpec or a list of them, used at every level: the network
    level on a random batch, the trajectory level on random data of the right
    kind for each loss, the unit level for the units they use. Each runs in its
    own dtype, or in each of `dtypes` where that is given ("float32" is one).
    Without specs: every combination on two nets, the trajectory level on a
    synthetic set and the digits, every unit, in both dtypes.
    `backends`: names or objects with the backend API (default: all installed).
    `units`: "all", or names of unit_level.UNITS (default: those the specs use).
    `batch_size`: the rows of the network level's random batch.
    `device`: where torch, JAX and outside backends place their arrays (once).
    With the built-in backends alone, the independent tasks of the plan run on a
    few threads at once (see THREADS); the rows are the same either way.
    """
    validate.check_int("seed", seed, 0)
    validate.check_int("batch_size", batch_size, 1, MAX_BATCH)
    plan = _plan(_as_specs(specs), dtypes, levels, units)
    resolved = registry.resolve(backends)
    threads = _threads() if all(map(registry.is_builtin, resolved)) else 1
    backends = [registry.on_device(b, device) for b in resolved]
    with full_float32_precision(backends):
        rows = _run(plan, threads, (backends, seed, batch_size), progress)
        pinned = precision.settings()  # what was in force while comparing
    results = pd.DataFrame(rows, columns=COLUMNS)
    results.attrs["matmul_precision"] = pinned
    return results


# ------------------------------------------------------------------ the run

# The plan's tasks are independent (each makes its own data from `seed`), so
# they may run a few at a time: JAX compiles with the GIL released, and one task's
# compiling overlaps the others' Python work. A cold check took 35 s on two
# threads against 44 s on one (2 cores), every row the same. Only the built-in
# backends are known to be safe to call from several threads at once (pure
# functions, settings per thread); with any other, the tasks run one by one.
THREADS = None  # None: one per CPU this process may use, at most 4


def _threads() -> int:
    # read at each call: a process pinned to 1 CPU gains nothing from a thread more
    return min(4, usable_cpus()) if THREADS is None else THREADS


def _run(plan, threads: int, args: tuple, progress: Progress | None) -> list:
    """Every task's rows, in the plan's order: run(*args) for each (what, run)."""
    with contextlib.ExitStack() as stack:
        if threads == 1:  # on the calling thread
            results = [functools.partial(run, *args) for _, run in plan]
        else:
            pool = ThreadPoolExecutor(threads)
            stack.callback(pool.shutdown, cancel_futures=True)  # also on Ctrl-C
            futures = [pool.submit(_in_thread, run, args) for _, run in plan]
            results = [future.result for future in futures]
        rows = []
        for done, ((what, _), result) in enumerate(zip(plan, results)):
            if progress:
                progress(done, len(plan), what)
            rows += result()
    if progress:
        progress(len(plan), len(plan), "done")
    return rows


def _in_thread(run, args: tuple) -> list:
    """run(*args) on a thread of the pool, in full float32 precision there too."""
    with precision.in_this_thread():
        return run(*args)


# ------------------------------------------------------------------ the plan


def _plan(specs, dtypes, levels, units) -> list[tuple[str, Callable]]:
    """[(what, run(backends, seed, batch_size) -> rows)], in order of level."""
    levels = validate.check_choices("levels", levels, LEVELS)
    typed = _typed_specs(specs, dtypes)
    units = _units(units, specs)
    plan = []
    if "unit" in levels and units:
        for dtype in dict.fromkeys(s.dtype for s in typed):
            plan.append((f"unit {dtype}", _unit_task(dtype, units)))
    if "network" in levels:
        plan += [(f"network {s}", _network_task(s)) for s in typed]
    if "trajectory" in levels and specs is None:
        plan += _dataset_trajectories(typed)
    elif "trajectory" in levels:
        plan += [(f"trajectory {s}", _spec_trajectory_task(s)) for s in typed]
    return plan


def _as_specs(specs) -> list[NetworkSpec] | None:
    """None, or a list of NetworkSpecs from one spec or several."""
    if specs is None or isinstance(specs, NetworkSpec):
        return None if specs is None else [specs]
    if isinstance(specs, str) or not hasattr(specs, "__iter__"):
        raise TypeError(
            f"specs must be a NetworkSpec or a list of them, got "
            f"{type(specs).__name__} {specs!r:.60}"
        )
    specs = list(specs)
    for i, spec in enumerate(specs):
        if not isinstance(spec, NetworkSpec):
            raise TypeError(
                f"specs[{i}] must be a NetworkSpec, got {type(spec).__name__} "
                f"{spec!r:.60}"
            )
    if not specs:
        raise ValueError("specs must hold at least one NetworkSpec, got none")
    return specs


def _typed_specs(specs, dtypes) -> list[NetworkSpec]:
    """Each spec in each dtype asked for; without `dtypes`, given specs keep
    their own and the default specs run in both."""
    if specs is not None and dtypes is None:
        return list(dict.fromkeys(specs))
    dtypes = validate.check_choices("dtypes", dtypes, DTYPES)
    specs = default_specs() if specs is None else specs
    typed = [s.replace(dtype=d) for d in dict.fromkeys(dtypes) for s in specs]
    return list(dict.fromkeys(typed))


def _units(units, specs) -> tuple[str, ...]:
    """The unit functions to compare: all without specs, else those they use."""
    if units == "all" or (units is None and specs is None):
        return UNITS
    if units is None:
        return tuple(u for u in UNITS if any(u in units_of(s) for s in specs))
    return validate.check_choices("units", units, UNITS)


def _unit_task(dtype: str, units) -> Callable:
    return lambda backends, seed, batch_size: unit_rows(backends, dtype, units)


def _network_task(spec: NetworkSpec) -> Callable:
    return lambda backends, seed, batch_size: levels.network_level(
        backends, spec, seed, batch_size
    )


def _dataset_trajectories(typed) -> list[tuple[str, Callable]]:
    """The default trajectory level: each (activation, output, loss) of the specs
    on each of TRAJECTORY_SETS, in TRAJECTORY_NET's width and batch."""
    combos = dict.fromkeys((s.activation, s.output, s.loss) for s in typed)
    dtypes = dict.fromkeys(s.dtype for s in typed)
    plan = []
    for name in TRAJECTORY_SETS:
        for dtype in dtypes:
            for combo in combos:
                what = f"trajectory {'/'.join(combo)} on {name} {dtype}"
                plan.append((what, _dataset_trajectory_task(name, combo, dtype)))
    return plan


def _dataset_trajectory_task(name: str, combo, dtype: str) -> Callable:
    def run(backends, seed, batch_size):
        options, lr = TRAJECTORY_SETS[name]
        data = reference.data.load(name, **options)
        sizes = (data.n_features, TRAJECTORY_NET["hidden"], data.n_outputs)
        spec = NetworkSpec(sizes, *combo, dtype=dtype)
        y = data.y if spec.uses_labels else np.eye(data.n_outputs)[data.y]
        return levels.trajectory_level(
            backends, spec, (data.x, y), name, lr, TRAJECTORY_NET["batch"], seed
        )

    return run


def _spec_trajectory_task(spec: NetworkSpec) -> Callable:
    def run(backends, seed, batch_size):
        data = reference.data.random_batch(spec, OWN_TRAJECTORY["rows"], seed + 2)
        return levels.trajectory_level(
            backends,
            spec,
            data,
            "synthetic",
            OWN_TRAJECTORY["lr"],
            OWN_TRAJECTORY["batch"],
            seed,
        )

    return run
