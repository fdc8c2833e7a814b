"""One benchmark process: `python worker.py JOB.json OUT.json`.

Run as a fresh process per backend and repeat, so that every backend starts from
the same state, and so that the thread variables are set *before* NumPy, torch or
JAX is imported (BLAS and XLA size their pools once, at import). So this file
imports nothing heavy at the top, and neither pandas nor the rest of the harness
ever: only the clock, the yardsticks, the backend registry and `reference`.

Progress goes to stderr as lines `triptych-progress: DONE TOTAL WHAT` (after one
line `triptych-name: NAME`, the backend's NAME); each row goes to OUT.json.rows as
one JSON line the moment its case is done, and this process's environment to
OUT.json at the end. A case that fails (a torch.compile
without a C++ compiler, say) becomes a row with its reason in `note`.
"""

from __future__ import annotations

import gc
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
# glibc's allocator, set alike in every worker by processes.py as it starts one
# (glibc reads these once, at start; a variable you set yourself wins). Left to
# itself, glibc serves an array of 128 KiB or more from fresh pages mapped for it
# and unmapped when it is freed -- page faults on every step -- until a freed one
# raises its threshold; whether a process ends up there depended on everything it
# had allocated before: the same NumPy step took 530 us or 680 to 800 us per
# process, fixed by the backend's name, the checkout's folder and a few KiB of
# heap more or less (an A/A pair differed by 1.17x in every one of six
# processes). With a fixed threshold of 32 MiB (glibc's largest) and the heap
# never trimmed, a step's temporaries reuse the heap's memory: 530 us in every
# process, whatever came before.
ALLOCATOR = {
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "MALLOC_TRIM_THRESHOLD_": str(2**32),
}
FRAMEWORKS = ("numpy", "torch", "jax")
# what a worker must not import (it would cost time and memory in every process);
# the worker records whether it did
WATCHED = ("pandas", "comparisons.consistency", "comparisons.bench.run")


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
    from comparisons.bench.clock import peak_reset_works

    job["peak_reset_works"] = peak_reset_works()  # else each peak is the process's
    backend = _load(job)  # the framework is imported here
    print(f"triptych-name: {backend.NAME}", file=sys.stderr, flush=True)
    environment = _environment(job)
    if job["roofline"]:
        from comparisons.bench import peaks

        framework = backend.NAME if backend.NAME in FRAMEWORKS else "numpy"
        environment["peaks"] = peaks.measure(framework, job["dtypes"], job["device"])
    with open(out_path + ".rows", "a") as rows:  # a line per case, as it finishes
        _run_cases(backend, job, environment["threads_in_force"], rows)
    if job.get("timer_check"):
        environment["timer_check"] = _timer_check(backend, job)
    environment["imported"] = {m: m in sys.modules for m in WATCHED}
    with open(out_path, "w") as f:
        json.dump({"name": backend.NAME, "environment": environment}, f)
    return 0


def _load(job):
    from comparisons import backends as registry

    backend = registry.load(job["backend"])
    return registry.on_device(backend, job["device"])


def _run_cases(backend, job: dict, threads: int, out) -> None:
    """Time every case in the job's order; each row goes to `out` as one JSON line
    the moment it is done, so a worker killed later loses none of them."""
    from comparisons.bench.clock import machine_state

    total = len(job["cases"])
    for done, case in enumerate(job["cases"]):
        _progress(done, total, f"{job['backend']} {case['variant']} {case['op']}")
        before = machine_state()
        row = {**case, "backend": backend.NAME, "threads": threads}
        row.update(_time_case(backend, case, job))
        after = machine_state()  # how busy the machine was around this case
        row.update(load_before=before["load"], load_after=after["load"])
        row["steal_s"] = after["steal_s"] - before["steal_s"]
        out.write(json.dumps(row) + "\n")
        out.flush()
    _progress(total, total, f"{job['backend']} done")


def _time_case(backend, case: dict, job: dict) -> dict:
    """The case's timing per step, or its failure as a note; its memory peak."""
    from comparisons.bench import clock, compiles

    scope = "case" if clock.peak_reset() and job["peak_reset_works"] else "process"
    resident = clock.resident_bytes()
    try:
        run = _build(backend, case, job)
        run, seen = compiles.watched(run, case)  # after the build: it resets dynamo
        timing = clock.measure(
            run,
            backend.sync,
            job["min_block_s"],
            job["blocks"],
            job["warmup"],
            job["budget_s"],
        )
    except Exception as error:  # a failed case is a finding, not a crash
        failed = "torch.compile failed: " if "compiled" in case["variant"] else ""
        return {"note": failed + _first_line(error), "mem_scope": scope}
    per_step = case["steps"] if case["op"] == "train_step" else 1
    peak = clock.peak_bytes()
    return {
        "median_s": timing["median_s"] / per_step,
        "iqr_s": timing["iqr_s"] / per_step,
        "min_s": timing["min_s"] / per_step,
        "blocks_s": [t / per_step for t in timing["blocks_s"]],
        "n_runs": timing["n_runs"],
        "first_call_s": timing["first_call_s"],  # the whole first call: `steps` steps
        "mem_peak_bytes": peak,
        "mem_added_bytes": max(peak - resident, 0),
        "mem_scope": scope,
        "note": compiles.note(seen, case),
    }


def _build(backend, case: dict, job: dict):
    import numpy as np

    from comparisons.bench.yardsticks import build
    from reference import NetworkSpec, init_params

    spec = NetworkSpec(
        tuple(case["sizes"]),
        job["activation"],
        "softmax",
        "cross_entropy",
        case["dtype"],
    )
    rng = np.random.default_rng(1)
    x = rng.normal(size=(case["batch"], spec.n_in))
    y = rng.integers(0, spec.n_out, size=case["batch"])
    return build(
        backend,
        case["variant"],
        case["op"],
        spec,
        init_params(spec, seed=0),
        x,
        y,
        job["lr"],
        case["steps"],
        job["device"],
    )


def _timer_check(backend, job) -> dict:
    """Our median for one callable of the grid beside torch.utils.benchmark's."""
    import torch
    from torch.utils.benchmark import Timer

    from comparisons.bench import clock

    case = job["timer_check"]
    run = _build(backend, case, job)
    ours = clock.measure(run, backend.sync, job["min_block_s"], job["blocks"])
    # Timer runs single-threaded unless told otherwise: give it the threads in force
    timer = Timer("run()", globals={"run": run}, num_threads=torch.get_num_threads())
    theirs = timer.blocked_autorange(min_run_time=1.0)
    sizes = "-".join(map(str, case["sizes"]))
    return {
        "callable": f"{job['backend']} {case['op']}, {sizes}, batch {case['batch']}, "
        f"{case['dtype']}",
        "harness_median_s": ours["median_s"],
        "torch_timer_median_s": theirs.median,
        "ratio": ours["median_s"] / theirs.median,
    }


def _threads_in_force(framework: str, threads: int) -> int:
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


def _environment(job: dict) -> dict:
    import importlib.metadata

    env = {
        "threads_in_force": _threads_in_force(job["backend"], job["threads"]),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        "thread_env": {name: os.environ.get(name) for name in THREAD_VARIABLES},
        "allocator_env": {name: os.environ.get(name) for name in ALLOCATOR},
        "versions": {},
        "device": job["device"] or "cpu",
        "blas": _blas(),
    }
    for package in ("numpy", "torch", "jax", "jaxlib", "optax"):
        try:
            env["versions"][package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            pass
    if job["backend"] == "torch":
        import torch

        env["torch_parallel_info"] = torch.__config__.parallel_info()
        env["torch_interop_threads"] = torch.get_num_interop_threads()
    if job["backend"] == "jax":
        import jax

        env["jax_devices"] = [str(d) for d in jax.devices()]
    return env


def _blas() -> list[dict]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "version", "architecture", "num_threads", "filepath")
    return [{k: p.get(k) for k in keys} for p in threadpool_info()]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


def _progress(done: int, total: int, what: str) -> None:
    print(f"triptych-progress: {done} {total} {what}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    # As a script, this file's folder heads sys.path; drop it so that its siblings
    # (clock.py, work.py, ...) cannot shadow top-level modules.
    sys.path.pop(0)
    code = main(*sys.argv[1:3])
    # The caller waits for this process to end before it starts the next: leave
    # torch's and JAX's objects out of the exit's cycle sweeps (0.5 s of every
    # worker; see comparisons.cli.command).
    gc.freeze()
    sys.exit(code)
