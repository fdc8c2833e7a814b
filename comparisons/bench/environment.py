"""The environment of a run in words: what the benchmark recorded (the machine,
the threads, the versions, the BLAS, the device, the roofs), as facts that a
report lists and that `compare` sets against another run's."""

from __future__ import annotations

import math


def facts(environment: dict | None) -> dict[str, str]:
    """{what: value} as text, in a fixed order; missing facts are left out."""
    if not environment:
        return {"environment": "unknown (no environment file beside the CSV)"}
    workers = environment.get("workers", {})
    worker = next((w for w in workers.values() if "cpu" in w), {})
    found = {
        "CPU": worker.get("cpu"),
        "cores": worker.get("cores"),
        "threads per process": environment.get("harness", {}).get("threads_requested"),
        "device": worker.get("device"),
        "python": worker.get("python"),
        "platform": worker.get("platform"),
    }
    found.update({f"{k} version": v for k, v in worker.get("versions", {}).items()})
    found["BLAS"] = blas(worker) or None
    for name, w in workers.items():
        found[f"{name}: threads in force"] = w.get("threads_in_force")
    machine = environment.get("machine", {})
    if machine and not machine.get("measured_by"):
        found["roofs"] = "not measured: the fastest row stands in for the peak"
    for dtype, gflops in machine.get("peak_gflops", {}).items():
        found[f"peak GEMM {dtype}"] = f"{gflops:.0f} GFLOP/s"
    if math.isfinite(machine.get("memory_gbs", math.nan)):
        found["memory bandwidth"] = f"{machine['memory_gbs']:.1f} GB/s"
    return {k: str(v) for k, v in found.items() if v is not None}


def blas(worker: dict) -> str:
    """'OpenBLAS 0.3.31 (SkylakeX)': the BLAS libraries a worker found loaded."""
    return ", ".join(
        f"{b.get('internal_api')} {b.get('version')} ({b.get('architecture')})"
        for b in worker.get("blas", [])
        if b.get("internal_api")
    )
