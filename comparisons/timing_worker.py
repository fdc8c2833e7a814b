"""One benchmark process: `python .../comparisons/timing_worker.py JOB.json OUT.json`.

`comparisons.timing.bench` starts one of these per backend (and per repeat), so
that every framework runs in a fresh process with the same thread settings, set
*before* the framework is imported -- environment variables for the thread
pools, and CPU affinity -- and then read back from the libraries themselves.

It is run as a script, not with `-m`: `-m` would import the `comparisons` package
first, and with it pandas and NumPy, whose BLAS pool would then be sized before
the thread settings are in place. So this file imports nothing heavy at the top.

Progress goes to stderr as lines `triptych-progress: DONE TOTAL WHAT`; the rows
and this process's environment go to OUT.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def pin_threads(threads: int) -> None:
    """Before any framework is imported: every pool to `threads`, and the process
    to the first `threads` CPUs it may run on (XLA sizes its pool by affinity)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])


def main(job_path: str, out_path: str) -> int:
    with open(job_path) as f:
        job = json.load(f)
    pin_threads(job["threads"])
    sys.path[:0] = [p for p in job["sys_path"] if p not in sys.path]  # the caller's

    import numpy as np  # after pin_threads: OpenBLAS sizes its pool now

    from comparisons import backends as registry
    from comparisons.timing import measure, peak_rss_reset
    from comparisons.yardsticks import build
    from reference import NetworkSpec, init_params

    backend = registry.load(job["backend"])  # the framework is imported here
    backend = registry.on_device(backend, job["device"])
    threads = _set_and_read_threads(job["backend"], job["threads"])
    sync = backend.sync
    rows, total = [], len(job["cases"])
    for done, case in enumerate(job["cases"]):
        _progress(done, total, f"{job['backend']} {case['variant']} {case['op']}")
        spec = NetworkSpec(tuple(case["sizes"]), job["activation"], "softmax",
                           "cross_entropy", case["dtype"])  # fmt: skip
        params = init_params(spec, seed=0)
        rng = np.random.default_rng(1)
        x = rng.normal(size=(case["batch"], spec.n_in))
        y = rng.integers(0, spec.n_out, size=case["batch"])
        peak_rss_reset()
        run = build(backend, case["variant"], case["op"], spec, params, x, y,
                    job["lr"], case["steps"], job["device"])  # fmt: skip
        timing = measure(run, sync, job["min_block_s"], job["blocks"], job["warmup"],
                         job["budget_s"])  # fmt: skip
        per_step = case["steps"] if case["op"] == "train_step" else 1
        per_call = {
            key: timing[key] / per_step for key in ("median_s", "iqr_s", "min_s")
        }
        rows.append({**case, **per_call, "threads": threads, "n_runs": timing["n_runs"],
                     "first_call_s": timing["first_call_s"],
                     "peak_mem_bytes": timing["peak_mem_bytes"]})  # fmt: skip
    _progress(total, total, f"{job['backend']} done")
    environment = {"threads_in_force": threads,
                   **_environment(job["backend"], job["device"])}  # fmt: skip
    if job.get("timer_check"):
        environment["timer_check"] = _timer_check(backend, build, measure, job)
    with open(out_path, "w") as f:
        json.dump({"name": backend.NAME, "rows": rows, "environment": environment}, f)
    return 0


def _timer_check(backend, build, measure, job) -> dict:
    """Our median for one callable beside torch.utils.benchmark's on the same one."""
    import numpy as np
    from torch.utils.benchmark import Timer

    from reference import NetworkSpec, init_params

    spec = NetworkSpec((256, 256, 10), job["activation"], "softmax", "cross_entropy",
                       "float32")  # fmt: skip
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(256, 256)), rng.integers(0, 10, size=256)
    run = build(backend, "triptych", "forward", spec, init_params(spec), x, y, 0.01, 1)
    ours = measure(run, backend.sync, job["min_block_s"], job["blocks"], job["warmup"])
    import torch

    # Timer runs single-threaded unless told otherwise: give it the threads in force
    timer = Timer("run()", globals={"run": run}, num_threads=torch.get_num_threads())
    theirs = timer.blocked_autorange(min_run_time=1.0)
    return {
        "callable": "impl_torch.forward, 256-256-10, batch 256, float32",
        "harness_median_s": ours["median_s"],
        "torch_timer_median_s": theirs.median,
        "ratio": ours["median_s"] / theirs.median,
    }


def _set_and_read_threads(framework: str, threads: int) -> int:
    """Set the framework's own intra-op count where it has one, then read back
    the number in force: torch's, else the BLAS pool's, else the affinity."""
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
        return torch.get_num_threads()
    if framework == "numpy":
        from threadpoolctl import threadpool_info

        blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
        if blas:
            return int(blas[0]["num_threads"])
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else threads


def _environment(framework: str, job_device=None) -> dict:
    import importlib.metadata

    env = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        "thread_env": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "versions": {},
        "device": job_device or "cpu",
    }
    for package in ("numpy", "torch", "jax", "jaxlib", "optax"):
        try:
            env["versions"][package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    try:
        from threadpoolctl import threadpool_info

        keys = ("internal_api", "version", "architecture", "num_threads", "filepath")
        env["blas"] = [{k: p.get(k) for k in keys} for p in threadpool_info()]
    except ImportError:
        env["blas"] = []
    if framework == "torch":
        import torch

        env["torch_parallel_info"] = torch.__config__.parallel_info()
        env["torch_interop_threads"] = torch.get_num_interop_threads()
    if framework == "jax":
        import jax

        env["jax_devices"] = [str(d) for d in jax.devices()]
    return env


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _progress(done: int, total: int, what: str) -> None:
    print(f"triptych-progress: {done} {total} {what}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    # As a script, this file's folder heads sys.path; drop it so that its siblings
    # (timing.py, training.py, ...) cannot shadow top-level modules.
    sys.path.pop(0)
    sys.exit(main(*sys.argv[1:3]))
