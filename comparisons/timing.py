"""Timing: fair, reproducible timings as a DataFrame, read against the physical limit.

Fair by construction (DESIGN.md, "timing"):

- every backend runs in its own fresh process (`comparisons.timing_worker`), the
  thread count and CPU affinity set before its framework is imported and read
  back after; processes are repeated (interleaved across backends) so the spread
  between them shows;
- each callable: one first call timed alone (JIT compilation lands there), a
  warm-up, then blocks of calls auto-ranged to at least `min_block_s`, with the
  framework's `sync` after every call; median, IQR and min over the blocks;
- analytic FLOPs per row and achieved GFLOP/s, and two yardsticks from the same
  run (comparisons/yardsticks.py): the GEMM floor, and the idiomatic code a user
  would write instead;
- the peak resident memory of each measurement, and the environment (versions,
  BLAS, threads, CPU, device) returned alongside in `frame.attrs["environment"]`.
"""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import pandas as pd

from reference import NetworkSpec, validate

from . import backends as registry
from . import timing_worker
from .yardsticks import OPS, VARIANTS

DEFAULT_GRID = [((256, 256, 10), batch) for batch in (16, 64, 256, 1024)] + [
    ((1024, 1024, 10), 1024)
]
QUICK_GRID = [((64, 64, 10), 64), ((256, 256, 10), 256)]
COLUMNS = [
    "backend", "variant", "op", "sizes", "batch", "dtype", "threads", "device",
    "process", "median_s", "iqr_s", "min_s", "n_runs", "first_call_s", "steps",
    "flops", "gflops", "peak_mem_bytes",
]  # fmt: skip
# A train_step call runs STEPS_PER_CALL steps (more, up to 50, on small nets, to do
# WORK_PER_CALL FLOPs), so that `train`'s entry -- its checks, the copy of the
# parameters -- is amortised as in a user's long run.
STEPS_PER_CALL = 10
WORK_PER_CALL = 1e9


def measure(
    run: Callable[[], object],
    sync: Callable[[object], object],
    min_block_s: float = 0.02,
    blocks: int = 7,
    warmup: int = 2,
    budget_s: float = 1.5,
) -> dict:
    """Time `run()`, calling `sync` on its result after every call.

    The first call is timed alone (`first_call_s`: compilation, allocation);
    `warmup` more calls are not timed; then `blocks` blocks of n calls, n the
    smallest power of 10 that makes a block last `min_block_s` -- but fewer
    blocks (never under 3) where `blocks` of them would outlast `budget_s`.
    """
    start = time.perf_counter()
    sync(run())
    first = time.perf_counter() - start
    for _ in range(warmup):
        sync(run())

    def block(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            sync(run())
        return (time.perf_counter() - start) / n

    n, seconds = 1, block(1)
    while seconds * n < min_block_s and n < 10**6:
        n *= 10
        seconds = block(n)
    blocks = max(3, min(blocks, int(budget_s / (seconds * n))))
    per_call = sorted(block(n) for _ in range(blocks))
    q1, _, q3 = statistics.quantiles(per_call, n=4) if blocks > 1 else per_call * 3
    return dict(
        median_s=statistics.median(per_call), iqr_s=q3 - q1, min_s=per_call[0],
        n_runs=n * blocks, first_call_s=first, peak_mem_bytes=peak_rss_bytes(),
    )  # fmt: skip


def flops(sizes, batch: int, op: str) -> int:
    """Analytic floating-point operations of `op` (matrix products and the update;
    element-wise activations and losses are left out, as is usual):

    forward 2 B sum(in*out); backward twice that but for the first layer's input
    gradient, which no one needs; the update 2 per parameter (multiply, subtract).
    """
    layers = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(2 * batch * i * o for i, o in layers)
    if op == "forward":
        return forward
    backward = forward + sum(2 * batch * i * o for i, o in layers[1:])
    if op == "loss_and_grads":
        return forward + backward
    return forward + backward + 2 * sum(i * o + o for i, o in layers)


def bench(
    grid=None,
    backends=None,
    ops=None,
    dtypes=None,
    threads: int | None = None,
    repeats: int | None = None,
    progress=None,
    activation: str = "tanh",
    min_block_s: float = 0.02,
    blocks: int = 7,
    variants=None,
    timer_check: bool = True,
    budget_s: float = 1.5,
    device=None,
) -> pd.DataFrame:
    """Time every (backend, variant, op, grid point, dtype); one row per process.

    `grid`: [(sizes, batch), ...] (default DEFAULT_GRID); `backends`: names
    (default: every installed one); `threads`: per process (default: all CPUs this
    process may use); `repeats`: processes per backend (default 2); `variants`:
    which of each backend's VARIANTS to time (default: all); `timer_check`: also
    time one callable with torch.utils.benchmark, to check the harness against it.
    The environment is in `frame.attrs["environment"]`.
    """
    grid = [(tuple(s), int(b)) for s, b in (grid or DEFAULT_GRID)]
    names = _backend_names(backends)
    ops = validate.check_choices("ops", ops, OPS)
    dtypes = validate.check_choices(
        "dtypes", dtypes, ("float32", "float64"), default=("float32",)
    )
    threads = _usable_cpus() if threads is None else threads
    repeats = repeats or 2
    for sizes, batch in grid:
        NetworkSpec(sizes, activation, "softmax", "cross_entropy")  # validates sizes
        if batch < 1:
            raise ValueError(f"grid batch sizes must be at least 1, got {batch}")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be an int of at least 1, got {threads!r}")
    jobs = [
        dict(backend=name, process=rep, threads=threads, activation=activation, lr=0.01,
             min_block_s=min_block_s, blocks=blocks, warmup=2, budget_s=budget_s,
             device=device, sys_path=sys.path,
             timer_check=timer_check and name == "torch" and rep == 0,
             cases=_cases(name, grid, ops, dtypes, variants))
        for rep in range(repeats)
        for name in names
    ]  # fmt: skip
    rows, environment = [], {"harness": _harness_environment(threads), "workers": {}}
    for index, job in enumerate(jobs):
        result = _run_worker(job, _job_progress(progress, index, len(jobs)))
        rows += [{**row, "backend": result["name"], "process": job["process"]}
                 for row in result["rows"]]  # fmt: skip
        environment["workers"].setdefault(result["name"], result["environment"])
    if progress:
        progress(len(jobs), len(jobs), "done")
    frame = pd.DataFrame(rows)
    frame["sizes"] = frame.sizes.map(lambda s: "-".join(map(str, s)))
    frame["device"] = device or "cpu"
    frame["flops"] = [
        flops(tuple(map(int, s.split("-"))), b, op)
        for s, b, op in zip(frame.sizes, frame.batch, frame.op)
    ]
    frame["gflops"] = frame.flops / frame.median_s / 1e9
    frame = frame[COLUMNS]
    frame.attrs["environment"] = environment
    return frame


def summary(frame: pd.DataFrame, op: str = "train_step") -> pd.DataFrame:
    """Per grid point and backend: our `op` time (median over processes), as a
    ratio to its idiomatic baseline and to its GEMM floor (below 1 is faster)."""
    medians = (
        frame[frame.op == op]
        .groupby(["sizes", "batch", "dtype", "backend", "variant"], sort=False)
        .agg(median_s=("median_s", "median"), spread=("median_s", _spread),
             gflops=("gflops", "median"))
        .reset_index()
    )  # fmt: skip
    rows = []
    for key, group in medians.groupby(
        ["sizes", "batch", "dtype", "backend"], sort=False
    ):
        by = group.set_index("variant")
        if "triptych" not in by.index:
            continue
        ours = by.loc["triptych"]
        rows.append(dict(
            sizes=key[0], batch=key[1], dtype=key[2], backend=key[3], op=op,
            median_s=ours.median_s, process_spread=ours.spread, gflops=ours.gflops,
            vs_idiomatic=_ratio(by, "idiomatic", ours.median_s),
            vs_gemm_floor=_ratio(by, "gemm", ours.median_s),
            nojit_vs_jit=_ratio(by, "nojit", ours.median_s, invert=True),
        ))  # fmt: skip
    return pd.DataFrame(rows)


def targets(frame: pd.DataFrame) -> pd.DataFrame:
    """The timing targets, each with the measured value and whether it was met:
    every backend's train step at most 1.0x its idiomatic baseline at every grid
    point; at most 1.25x the GEMM floor at batch 1024 and width 1024; and the
    harness's median within 10% of torch.utils.benchmark on the same callable."""
    rows = []
    table = summary(frame)
    for row in table.itertuples():
        where = f"{row.backend} {row.sizes} batch {row.batch} {row.dtype}"
        if not math.isnan(row.vs_idiomatic):
            rows.append(
                dict(
                    target="train step / idiomatic",
                    case=where,
                    value=row.vs_idiomatic,
                    limit=1.0,
                )
            )
        if row.batch == 1024 and row.sizes.split("-")[1] == "1024":
            rows.append(
                dict(
                    target="train step / GEMM floor",
                    case=where,
                    value=row.vs_gemm_floor,
                    limit=1.25,
                )
            )
    check = frame.attrs.get("environment", {}).get("workers", {}).get("torch", {})
    if "timer_check" in check:
        ratio = check["timer_check"]["ratio"]
        rows.append(
            dict(
                target="harness median / torch Timer",
                case=check["timer_check"]["callable"],
                value=ratio,
                limit=1.10,
            )
        )
    out = pd.DataFrame(rows, columns=["target", "case", "value", "limit"])
    timer = out.target == "harness median / torch Timer"
    out["met"] = (out.value <= out.limit) & (~timer | (out.value >= 1 / 1.10))
    return out  # fmt: skip


def write_csv(frame: pd.DataFrame, path) -> str:
    """The frame as CSV at `path`, its environment beside it as JSON; returns the
    environment file's path."""
    frame.to_csv(path, index=False)
    env_path = f"{os.path.splitext(str(path))[0]}.environment.json"
    with open(env_path, "w") as f:
        json.dump(frame.attrs.get("environment", {}), f, indent=2, default=str)
    return env_path


# --------------------------------------------------------------------- memory


def peak_rss_reset() -> bool:
    """Reset this process's peak resident set ("5" to clear_refs, Linux >= 4.0),
    so the next `peak_rss_bytes` is the peak of what ran since."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int:
    """The peak resident set since the last reset (VmHWM), else since the start."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# -------------------------------------------------------------------- helpers


def _cases(backend: str, grid, ops, dtypes, variants=None) -> list[dict]:
    cases = []
    for sizes, batch in grid:
        work = math.ceil(WORK_PER_CALL / flops(sizes, batch, "train_step"))
        steps = max(STEPS_PER_CALL, min(50, work))
        for dtype in dtypes:
            for op in ops:
                for variant in VARIANTS.get(backend, ("triptych", "gemm")):
                    if variants is not None and variant not in variants:
                        continue
                    if variant == "nojit" and op != "train_step":
                        continue  # op-by-op dispatch: one op shows it, and it is slow
                    cases.append(dict(
                        variant=variant, op=op, sizes=sizes, batch=batch, dtype=dtype,
                        steps=steps if op == "train_step" else 1,
                    ))  # fmt: skip
    return cases


def _run_worker(job: dict, progress) -> dict:
    """Run one worker process to the end; its progress lines feed `progress`."""
    with tempfile.TemporaryDirectory() as tmp:
        job_path, out_path = (
            os.path.join(tmp, "job.json"),
            os.path.join(tmp, "out.json"),
        )
        with open(job_path, "w") as f:
            json.dump(job, f)
        worker = subprocess.Popen(
            [sys.executable, timing_worker.__file__, job_path, out_path],
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        other = []
        for line in worker.stderr:
            if line.startswith("triptych-progress: "):
                done, total, what = line.split(" ", 3)[1:]
                if progress:
                    progress(int(done), int(total), what.strip())
            else:
                other.append(line)
        if worker.wait() != 0:
            tail = "".join(other[-20:])
            raise RuntimeError(
                f"the {job['backend']} benchmark process failed:\n{tail}"
            )
        with open(out_path) as f:
            return json.load(f)


def _job_progress(progress, index: int, jobs: int):
    if progress is None:
        return None
    return lambda done, total, what: progress(index * total + done, jobs * total, what)


def _backend_names(backends) -> list[str]:
    if backends is None:
        table = registry.available()
        return list(table.loc[table.available, "backend"])
    names = (
        [b.strip() for b in backends.split(",")]
        if isinstance(backends, str)
        else list(backends)
    )
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                f"bench runs each backend in its own process, so backends must be "
                f"names, got {type(name).__name__}"
            )
        registry.resolve([name])  # a clear error now: missing, unknown, not fitting
    return names


def _usable_cpus() -> int:
    return (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count()
    )


def _harness_environment(threads: int) -> dict:
    return {
        "threads_requested": threads,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _spread(values) -> float:
    """(max - min) / min over the processes: how much they disagree."""
    return (max(values) - min(values)) / min(values) if len(values) > 1 else 0.0


def _ratio(by, variant: str, ours: float, invert: bool = False) -> float:
    if variant not in by.index:
        return float("nan")
    theirs = by.loc[variant].median_s
    return theirs / ours if invert else ours / theirs
