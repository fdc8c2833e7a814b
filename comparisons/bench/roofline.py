"""Each row against what the machine can do: the roofline.

A step cannot take less than its FLOPs at the machine's peak rate, nor less than
its bytes at the memory bandwidth: `roofline_s = max(flops / peak, dram_bytes /
bandwidth)`, and `of_roofline = roofline_s / median_s` is the share of that limit
a row reaches (1 = at the limit).

- The peak rate is the best GFLOP/s of a large GEMM over the frameworks, per dtype,
  with the workers' threads (`peaks`); the bandwidth the best STREAM-style pass.
  Where a row happens to beat a measured roof (the machine was busier while the
  roof was measured), the roof is raised to that row, and the raise recorded: a
  roof is an upper bound, so no row may stand above it.
- The bytes are the fewest an op must move (`work.min_bytes`: the parameters and
  the batch in, the result out). A working set that fits in the last-level cache
  need not leave it from one step to the next, so there the memory roof does not
  bind (`dram_bytes` = 0) and only the compute roof applies.
"""

from __future__ import annotations

import math

import pandas as pd

COMPUTE_BOUND_FACTOR = 2.0  # "within 2x of the roofline"
OVERHEAD_FACTOR = 2.0  # "about its fixed per-call time": within 2x of the smallest


def machine(workers: dict, frame: pd.DataFrame) -> dict:
    """The machine's roofs from the workers' measurements: the best per dtype."""
    measured = [w["peaks"] for w in workers.values() if "peaks" in w]
    peak = {}
    for entry in measured:
        for dtype, gflops in entry["gemm_gflops"].items():
            peak[dtype] = max(peak.get(dtype, 0.0), gflops)
    out = {
        "peak_gflops": peak,
        "memory_gbs": max((m["memory_gbs"] for m in measured), default=math.nan),
        "llc_bytes": _llc_bytes(),
        "measured_by": {m["framework"]: m for m in measured},
    }
    return _raised_to_rows(out, frame)


def _raised_to_rows(roofs: dict, frame: pd.DataFrame) -> dict:
    """No row may beat a roof: raise a roof to the best row where one does."""
    raised = {}
    for dtype, rows in frame.groupby("dtype"):
        best = rows.gflops.max()
        if best > roofs["peak_gflops"].get(dtype, 0.0):
            raised[dtype] = (roofs["peak_gflops"].get(dtype), best)
            roofs["peak_gflops"][dtype] = best
    roofs["raised_to_rows"] = raised
    return roofs


def _llc_bytes() -> int:
    from .peaks import last_level_cache_bytes

    return last_level_cache_bytes()


def dram_bytes(frame: pd.DataFrame, llc_bytes: int) -> pd.Series:
    """The bytes that must come from memory: none where the working set fits in
    the last-level cache."""
    return frame.bytes.where(frame.bytes > llc_bytes, 0)


def add_columns(frame: pd.DataFrame, roofs: dict) -> pd.DataFrame:
    """`roofline_s` and `of_roofline` per row."""
    peak = frame.dtype.map(roofs["peak_gflops"]).astype(float) * 1e9
    compute_s = frame.flops / peak
    memory_s = dram_bytes(frame, roofs["llc_bytes"]) / (roofs["memory_gbs"] * 1e9)
    frame["roofline_s"] = pd.concat([compute_s, memory_s], axis=1).max(axis=1)
    frame["of_roofline"] = frame.roofline_s / frame.median_s
    return frame


def bounds(frame: pd.DataFrame, variant: str = "triptych") -> pd.DataFrame:
    """Per backend and network, where its train step stops being overhead-bound and
    starts being compute-bound, from the batch sweep:

    - `overhead_up_to`: the largest batch whose step costs at most OVERHEAD_FACTOR
      times the step at the smallest batch (its fixed per-call time);
    - `roofline_from`: the smallest batch from which on every step reaches
      1 / COMPUTE_BOUND_FACTOR of the roofline (NaN: none does).
    """
    rows = []
    steps = frame[(frame.op == "train_step") & (frame.variant == variant)]
    for (backend, sizes, dtype), group in steps.groupby(["backend", "sizes", "dtype"]):
        curve = group.groupby("batch")[["median_s", "of_roofline"]].median()
        curve = curve[curve.median_s.notna()]  # a batch with no timing says nothing
        if len(curve) < 2:
            continue
        fixed = curve.median_s.iloc[0]
        cheap = curve.index[curve.median_s <= OVERHEAD_FACTOR * fixed]
        near = curve.of_roofline >= 1 / COMPUTE_BOUND_FACTOR
        tail = near[::-1].cummin()[::-1]  # true from a batch on, for all larger
        rows.append(
            dict(
                backend=backend,
                sizes=sizes,
                dtype=dtype,
                smallest_batch=curve.index[0],
                fixed_s=fixed,
                overhead_up_to=cheap.max(),
                largest_batch=curve.index[-1],
                roofline_from=tail.index[tail].min() if tail.any() else math.nan,
                best_of_roofline=curve.of_roofline.max(),
            )
        )
    return pd.DataFrame(rows)
