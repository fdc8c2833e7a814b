"""`bench()`: every backend timed in fresh worker processes, into one DataFrame.

Fair by construction:

- every backend runs in its own fresh process (`worker.py`), the thread count and
  CPU affinity set before its framework is imported and read back after;
- `repeats` processes per backend (3 by default), interleaved across backends
  (numpy, torch, jax, numpy, torch, jax, ...), so that a slow minute of the
  machine falls on all of them; within a process the cases run in a seeded
  random order, recorded in `order`;
- each callable: one first call timed alone (compilation lands there), a warm-up,
  then blocks of calls, with the framework's `sync` after every call; every
  block's time is kept (`blocks_s`), so `verdicts` can be recomputed from a CSV;
- per row the counted FLOPs and bytes (`work`), the roofline time (`roofline`),
  the memory peak, and how busy the machine was around the process.
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time

import pandas as pd

from reference import NetworkSpec, validate

from .. import backends as registry
from .. import files
from ..presets import BENCH_GRID, BENCH_QUICK_GRID, BENCH_REPEATS
from . import processes, roofline, work, yardsticks

DEFAULT_GRID, QUICK_GRID, REPEATS = BENCH_GRID, BENCH_QUICK_GRID, BENCH_REPEATS
COLUMNS = [
    "backend",
    "variant",
    "op",
    "sizes",
    "batch",
    "dtype",
    "threads",
    "device",
    "process",
    "order",
    "median_s",
    "iqr_s",
    "min_s",
    "n_runs",
    "blocks_s",
    "first_call_s",
    "compile_s",
    "steps",
    "flops",
    "bytes",
    "gflops",
    "roofline_s",
    "of_roofline",
    "mem_peak_bytes",
    "mem_added_bytes",
    "mem_scope",
    "load_before",
    "load_after",
    "steal_s",
    "note",
]
# A train_step call runs enough steps to do WORK_PER_CALL FLOPs (1 to 50), so that
# `train`'s entry -- its checks, the copy of the parameters -- is amortised as in
# a user's long run, while a large step is not repeated for nothing.
WORK_PER_CALL = 1e9
MAX_STEPS_PER_CALL = 50


def bench(
    grid=None,
    backends=None,
    ops=None,
    dtypes=None,
    threads: int | None = None,
    repeats: int | None = None,
    progress=None,
    activation: str = "tanh",
    min_block_s: float = 0.01,
    blocks: int = 5,
    variants=None,
    timer_check: bool = True,
    budget_s: float = 0.5,
    device=None,
    seed: int = 0,
    timeout: float = 900.0,
) -> pd.DataFrame:
    """Time every (backend, variant, op, grid point, dtype); one row per process.

    `grid`: [(sizes, batch), ...] (default DEFAULT_GRID); `backends`: names
    (default: every installed one); `threads`: per process (default: every CPU this
    process may use); `repeats`: processes per backend (default 3); `variants`:
    which of each backend's yardsticks.VARIANTS to time (default: all); `seed`: the
    order of the cases in each process; `timer_check`: also time one callable with
    torch.utils.benchmark, to check the harness against it; `timeout`: seconds a
    worker process may take before it is killed and its cases reported as such.
    The environment, with the machine's roofs, is in `frame.attrs["environment"]`.
    """
    grid = _check_grid(grid or DEFAULT_GRID, activation)
    names = _backend_names(backends)
    ops = validate.check_choices("ops", ops, work.OPS)
    dtypes = validate.check_choices(
        "dtypes", dtypes, ("float32", "float64"), ("float32",)
    )
    threads = _check_count("threads", _usable_cpus() if threads is None else threads)
    repeats = _check_count("repeats", REPEATS if repeats is None else repeats)
    settings = dict(
        threads=threads,
        activation=activation,
        lr=0.01,
        min_block_s=min_block_s,
        blocks=blocks,
        warmup=2,
        budget_s=budget_s,
        device=device,
        sys_path=sys.path,
        dtypes=dtypes,
        timeout_s=_check_seconds(timeout),
    )
    jobs = []
    for process in range(repeats):  # interleaved: numpy, torch, jax, numpy, ...
        for name in names:
            cases = _cases(name, grid, ops, dtypes, variants)
            random.Random(f"{seed}-{process}-{name}").shuffle(cases)
            jobs.append(
                dict(
                    settings,
                    backend=name,
                    process=process,
                    cases=cases,
                    roofline=process == 0,
                    timer_check=timer_check
                    and process == 0
                    and name == "torch"
                    and _timer_case(cases),
                )
            )
    return _frame(_run_all(jobs, progress), threads, device)


def _run_all(jobs: list[dict], progress) -> tuple[list[dict], dict]:
    rows, workers = [], {}
    for index, job in enumerate(jobs):
        result = processes.run_worker(job, processes.job_progress(progress, index, len(jobs)))
        for order, row in enumerate(result["rows"]):
            rows.append(
                {
                    **row,
                    "backend": result["name"],
                    "process": job["process"],
                    "order": order,
                }
            )
        environment, known = result["environment"], workers.get(result["name"])
        if known is None or ("failed" in known and "failed" not in environment):
            workers[result["name"]] = environment  # the first whole one
        if "peaks" in environment:
            workers[result["name"]]["peaks"] = environment["peaks"]
    if progress:
        progress(len(jobs), len(jobs), "done")
    return rows, workers


def _frame(results, threads: int, device) -> pd.DataFrame:
    rows, workers = results
    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    frame["sizes"] = frame.sizes.map(lambda s: "-".join(map(str, s)))
    frame["device"] = device or "cpu"
    frame["note"] = frame.note.fillna("")
    frame["blocks_s"] = frame.blocks_s.map(_blocks_text)
    shapes = [tuple(map(int, s.split("-"))) for s in frame.sizes]
    frame["flops"] = [
        work.flops(s, b, op) for s, b, op in zip(shapes, frame.batch, frame.op)
    ]
    frame["bytes"] = [
        work.min_bytes(s, b, op, 4 if d == "float32" else 8)
        for s, b, op, d in zip(shapes, frame.batch, frame.op, frame.dtype)
    ]
    frame["gflops"] = frame.flops / frame.median_s / 1e9
    # the excess of the first call over a warm call of the same `steps` steps
    frame["compile_s"] = (frame.first_call_s - frame.steps * frame.median_s).clip(
        lower=0
    )
    environment = {"harness": _harness_environment(threads), "workers": workers}
    environment["machine"] = roofline.machine(workers, frame)
    frame = roofline.add_columns(frame, environment["machine"])
    frame.attrs["environment"] = environment
    return frame


def _blocks_text(blocks) -> str:
    """Every block's time per step, space-separated: kept in the CSV as text."""
    if not isinstance(blocks, list):
        return ""
    return " ".join(f"{t:.6g}" for t in blocks)


def write_csv(frame: pd.DataFrame, path) -> str:
    """The frame as CSV at `path`, its environment beside it as JSON, each written
    whole or not at all; returns the environment file's path."""
    env_path = f"{os.path.splitext(str(path))[0]}.environment.json"
    environment = json.dumps(frame.attrs.get("environment", {}), indent=2, default=str)
    files.write_csv(frame, path)
    files.write_text(env_path, environment)
    return env_path


def read_csv(path) -> pd.DataFrame:
    """A CSV written by `write_csv`, with its environment in `attrs` when the file
    is beside it: the frame `verdicts` and `compare` read."""
    frame = pd.read_csv(path)
    if "note" in frame:  # an all-empty column reads back as NaN floats
        frame["note"] = frame.note.astype(object).fillna("").astype(str)
    env_path = f"{os.path.splitext(str(path))[0]}.environment.json"
    if os.path.isfile(env_path):
        with open(env_path) as f:
            frame.attrs["environment"] = json.load(f)
    return frame


# -------------------------------------------------------------------- helpers


def _cases(backend: str, grid, ops, dtypes, variants=None) -> list[dict]:
    cases = []
    for sizes, batch in grid:
        steps = _steps_per_call(sizes, batch)
        for dtype in dtypes:
            for op in ops:
                for variant in yardsticks.variants(backend):
                    if variants is not None and variant not in variants:
                        continue
                    if variant in yardsticks.TRAIN_STEP_ONLY and op != "train_step":
                        continue
                    cases.append(
                        dict(
                            variant=variant,
                            op=op,
                            sizes=sizes,
                            batch=batch,
                            dtype=dtype,
                            steps=steps if op == "train_step" else 1,
                        )
                    )
    return cases


def _steps_per_call(sizes, batch: int) -> int:
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


def _check_seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"timeout must be a number of seconds > 0, got {value!r}")
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


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def _harness_environment(threads: int) -> dict:
    return {
        "threads_requested": threads,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
