"""The plan of a benchmark: which cases each worker process runs, in what order,
with what settings -- every argument checked before any process starts.

Processes interleave across backends (numpy, torch, jax, numpy, torch, jax, ...),
so that a slow minute of the machine falls on all of them; within a process the
cases run in a seeded random order, recorded per row as `order`.
"""

from __future__ import annotations

import itertools
import math
import random
import sys

from reference import NetworkSpec, validate

from .. import backends as registry
from ..presets import usable_cpus
from . import work, yardsticks

# A train_step call runs enough steps to do WORK_PER_CALL FLOPs (1 to 50), so that
# `train`'s entry -- its checks, the copy of the parameters -- is amortised as in
# a user's long run, while a large step is not repeated for nothing.
WORK_PER_CALL = 1e9
MAX_STEPS_PER_CALL = 50
NOJIT_STEPS_PER_CALL = 2


def worker_settings(activation, min_block_s, blocks, budget_s, device) -> dict:
    """What every worker process is told, besides its backend and cases."""
    return dict(
        activation=activation,
        lr=0.01,
        min_block_s=min_block_s,
        blocks=blocks,
        warmup=1,  # the calls that size a block warm up too
        budget_s=budget_s,
        device=device,
        sys_path=sys.path,
    )


def jobs(
    grid,
    backends,
    ops,
    dtypes,
    threads,
    repeats,
    variants,
    seed,
    timeout,
    settings: dict,
    timer_check: bool,
    roofline: bool,
) -> list[dict]:
    """One job per worker process: its backend, cases and settings."""
    grid = _check_grid(grid, settings["activation"])
    names = _backend_names(backends)
    ops = validate.check_choices("ops", ops, work.OPS)
    dtypes = validate.check_choices(
        "dtypes", dtypes, ("float32", "float64"), ("float32",)
    )
    settings = dict(
        settings,
        dtypes=dtypes,
        timeout_s=_check_seconds(timeout),
        threads=_check_count("threads", usable_cpus() if threads is None else threads),
    )
    variants = _check_variants(variants, names, grid, ops, dtypes)
    out = []
    for process in range(_check_count("repeats", repeats)):  # interleaved
        for name in names:
            cases = _cases(name, grid, ops, dtypes, variants)
            random.Random(f"{seed}-{process}-{name}").shuffle(cases)
            first = process == 0
            out.append(
                dict(
                    settings,
                    backend=name,
                    process=process,
                    cases=cases,
                    roofline=roofline and first,
                    timer_check=timer_check
                    and first
                    and name == "torch"
                    and _timer_case(cases),
                )
            )
    return out


def _check_variants(variants, names, grid, ops, dtypes):
    """`variants` (None: each backend's all) as a tuple of known variants, of which
    at least one applies to some backend and op asked for."""
    if variants is None:
        return None
    every = (*yardsticks.VARIANTS.values(), yardsticks.OUTSIDE)
    known = dict.fromkeys(v for backend in every for v in backend)
    variants = validate.check_choices("variants", variants, tuple(known))
    if not any(_cases(name, grid, ops, dtypes, variants) for name in names):
        raise ValueError(
            f"variants must name one that applies to the backends and ops asked "
            f"for ({', '.join(names)}; {', '.join(ops)}), got {', '.join(variants)}"
        )
    return variants


def _cases(backend: str, grid, ops, dtypes, variants=None) -> list[dict]:
    chosen = [
        v for v in yardsticks.variants(backend) if variants is None or v in variants
    ]
    cases = []
    for (sizes, batch), dtype, op, variant in itertools.product(
        grid, dtypes, ops, chosen
    ):
        if variant in yardsticks.TRAIN_STEP_ONLY and op != "train_step":
            continue
        steps = _steps_per_call(sizes, batch, variant) if op == "train_step" else 1
        cases.append(
            dict(
                variant=variant,
                op=op,
                sizes=sizes,
                batch=batch,
                dtype=dtype,
                steps=steps,
            )
        )
    return cases


def _steps_per_call(sizes, batch: int, variant: str) -> int:
    """Enough steps per call for WORK_PER_CALL FLOPs (1 to 50); JAX without jit
    takes two: dispatching op by op, each of its steps costs milliseconds anyway."""
    if variant == "nojit":
        return NOJIT_STEPS_PER_CALL
    work_per_step = work.flops(sizes, batch, "train_step")
    return max(1, min(MAX_STEPS_PER_CALL, math.ceil(WORK_PER_CALL / work_per_step)))


def _timer_case(cases: list[dict]) -> dict | None:
    """The timer check's callable: our forward at the first grid point timed."""
    ours = [c for c in cases if c["variant"] == "triptych"]
    return next((c for c in ours if c["op"] == "forward"), ours[0] if ours else None)


def _check_grid(grid, activation: str) -> list[tuple[tuple[int, ...], int]]:
    """[(sizes, batch), ...], each point checked: a clear error, not an unpacking
    one."""
    points = []
    for point in grid:
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise ValueError(
                f"grid points must be (sizes, batch) pairs such as ((256, 256, 10), "
                f"64), got {point!r}"
            )
        sizes, batch = point
        spec = NetworkSpec(sizes, activation, "softmax", "cross_entropy")
        points.append((spec.sizes, _check_count("grid batch size", batch)))
    return points


MAX_TIMEOUT_S = 1e6  # 11 days: beyond it, the watchdog's clock overflows


def _check_seconds(value) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= MAX_TIMEOUT_S  # False for NaN too
    ):
        raise ValueError(
            f"timeout must be a number of seconds > 0 and at most {MAX_TIMEOUT_S:g}, "
            f"got {value!r}"
        )
    return float(value)


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int of at least 1, got {value!r}")
    return value


def _backend_names(backends) -> list[str]:
    if backends is None:
        return registry.installed()
    names = validate.split_names(backends)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                f"bench runs each backend in its own process, so backends must be "
                f"names, got {type(name).__name__}"
            )
        registry.resolve([name])  # a clear error now: missing, unknown, not fitting
    return names
