"""The machine's roofs, measured by a worker with its own framework and threads:
the peak rate of floating-point work (a large GEMM) and the memory bandwidth (a
STREAM-style kernel on arrays several times the last-level cache).

The harness takes the best over the frameworks (`roofline.machine`). Imported only
in the worker, after the thread count is pinned; each framework is imported inside
its own function.
"""

from __future__ import annotations

import time

import numpy as np

from .yardsticks import jax_device

GEMM_N = 2048  # 2 * 2048^3 = 17 GFLOP: ~0.1 s on two cores, far past any overhead
REPEATS = 3  # best of, after one warm-up call
ARRAY_BYTES_PER_LLC = 4  # each STREAM array is 4x the last-level cache


def measure(framework: str, dtypes, device=None) -> dict:
    """{'gemm_gflops': {dtype: best GFLOP/s}, 'memory_gbs': best GB/s, ...}."""
    gemm = {dtype: _gemm_gflops(framework, dtype, device) for dtype in dtypes}
    n = max(last_level_cache_bytes() * ARRAY_BYTES_PER_LLC // 8, 1 << 22)
    seconds = _stream_seconds(framework, n, device)
    return {
        "framework": framework,
        "gemm_gflops": gemm,
        "gemm_n": GEMM_N,
        "memory_gbs": 3 * 8 * n / seconds / 1e9,  # two arrays read, one written
        "stream_array_bytes": 8 * n,
    }


def last_level_cache_bytes() -> int:
    """The largest CPU cache, from Linux's sysfs (32 MiB where unknown)."""
    from pathlib import Path

    sizes = []
    for path in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        text = path.read_text().strip()
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1], 1)
        sizes.append(int(text.rstrip("KMG")) * scale)
    return max(sizes, default=32 << 20)


def _best(run, sync) -> float:
    """The fastest of REPEATS calls, after one warm-up call."""
    sync(run())
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        sync(run())
        times.append(time.perf_counter() - start)
    return min(times)


def _gemm_gflops(framework: str, dtype: str, device) -> float:
    rng = np.random.default_rng(0)
    a, b = (rng.normal(size=(GEMM_N, GEMM_N)).astype(dtype) for _ in range(2))
    run, sync = _kernel(framework, "gemm", (a, b), device)
    return 2 * GEMM_N**3 / _best(run, sync) / 1e9


def _stream_seconds(framework: str, n: int, device) -> float:
    arrays = (np.ones(n), np.full(n, 2.0))
    run, sync = _kernel(framework, "stream", arrays, device)
    return _best(run, sync)


def _kernel(framework: str, kind: str, arrays, device):
    """(run, sync) for a GEMM a @ b or the STREAM triad b + 3 c, in the framework:
    torch and JAX fuse the triad into one pass; NumPy runs STREAM's Add, b + c,
    which moves the same three arrays in one pass without a temporary."""
    if framework == "torch":
        import torch

        put = torch.device(device or "cpu")
        a, b = (torch.from_numpy(x).to(put) for x in arrays)
        out = torch.empty(_result_shape(kind, a, b), dtype=a.dtype, device=put)
        if kind == "gemm":
            return (lambda: torch.mm(a, b, out=out)), _torch_sync
        return (lambda: torch.add(a, b, alpha=3.0, out=out)), _torch_sync
    if framework == "jax":
        import jax

        x64 = arrays[0].dtype == np.float64
        with jax.enable_x64(x64):
            a, b = jax.device_put(arrays, jax_device(device))
        kernel = jax.jit((lambda a, b: a @ b) if kind == "gemm" else _triad)

        def run():
            with jax.enable_x64(x64):  # else JAX would compute in float32
                return kernel(a, b)

        return run, jax.block_until_ready
    a, b = arrays
    out = np.empty(_result_shape(kind, a, b), dtype=a.dtype)
    if kind == "gemm":
        return (lambda: np.matmul(a, b, out=out)), lambda r: r
    return (lambda: np.add(a, b, out=out)), lambda r: r


def _result_shape(kind: str, a, b) -> tuple:
    return (a.shape[0], b.shape[1]) if kind == "gemm" else a.shape


def _triad(a, b):
    return a + 3.0 * b


def _torch_sync(result):
    import torch

    if result.is_cuda:
        torch.cuda.synchronize()
    return result
