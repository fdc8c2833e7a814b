"""`bench()`: every backend timed in fresh worker processes, into one DataFrame.

Fair by construction:

- every backend runs in its own fresh process (`worker.py`), the thread count and
  CPU affinity set before its framework is imported and read back after;
- `repeats` processes per backend (3 by default), interleaved across backends
  (numpy, torch, jax, numpy, torch, jax, ...), so that a slow minute of the
  machine falls on all of them; within a process the cases run in a seeded
  random order, recorded in `order`; every worker runs with the same
  settings of glibc's allocator (see worker.ALLOCATOR: left to itself, it made the
  same NumPy step up to 50% slower in some processes than in others);
- each callable: one first call timed alone (compilation lands there), a warm-up,
  then blocks of calls, with the framework's `sync` after every call; every
  block's time is kept (`blocks_s`), so `verdicts` can be recomputed from a CSV;
- per row the counted FLOPs and bytes (`work`), the roofline time (`roofline`),
  the memory peak, and how busy the machine was around the process.
"""

from __future__ import annotations

import json
import os
import sys
import time

import pandas as pd

from .. import files
from ..presets import BENCH_GRID, BENCH_QUICK_GRID, BENCH_REPEATS
from . import plan, processes, roofline, work

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


def bench(
    grid=None,
    backends=None,
    ops=None,
    dtypes=None,
    threads: int | None = None,
    repeats: int | None = None,
    progress=None,
    activation: str = "tanh",
    min_block_s: float = 0.002,
    blocks: int = 50,
    variants=None,
    timer_check: bool = True,
    budget_s: float = 0.2,
    device=None,
    seed: int = 0,
    timeout: float = 900.0,
    roofline: bool = True,
) -> pd.DataFrame:
    """Time every (backend, variant, op, grid point, dtype); one row per process.

    `grid`: [(sizes, batch), ...] (default DEFAULT_GRID); `backends`: names
    (default: every installed one); `threads`: per process (default: every CPU this
    process may use); `repeats`: processes per backend (default 3); `variants`:
    which of each backend's yardsticks.VARIANTS to time (default: all); `seed`: the
    order of the cases in each process; `timer_check`: also time one callable with
    torch.utils.benchmark, to check the harness against it; `timeout`: seconds a
    worker process may take before it is killed and its cases reported as such;
    `roofline`: measure the machine's roofs (else the best row stands in for them).
    The environment, with the machine's roofs, is in `frame.attrs["environment"]`.
    """
    worker = plan.worker_settings(activation, min_block_s, blocks, budget_s, device)
    jobs = plan.jobs(
        grid or DEFAULT_GRID,
        backends,
        ops,
        dtypes,
        threads,
        REPEATS if repeats is None else repeats,
        variants,
        seed,
        timeout,
        worker,
        timer_check=timer_check,
        roofline=roofline,
    )
    return _frame(_run_all(jobs, progress), jobs[0]["threads"], device)


def _run_all(jobs: list[dict], progress) -> tuple[list[dict], dict]:
    rows, workers = [], {}
    for index, job in enumerate(jobs):
        result = processes.run_worker(
            job, processes.job_progress(progress, index, len(jobs))
        )
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
    shapes = [tuple(s) for s in frame.sizes]  # as the workers sent them: lists
    frame["sizes"] = ["-".join(map(str, s)) for s in shapes]
    frame["device"] = device or "cpu"
    frame["note"] = frame.note.fillna("")
    frame["blocks_s"] = frame.blocks_s.map(_blocks_text)
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


def _harness_environment(threads: int) -> dict:
    return {
        "threads_requested": threads,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
