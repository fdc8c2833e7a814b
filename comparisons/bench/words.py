"""The timing results in sentences, for `triptych bench` and the report: each
comparison with its interval, a fastest backend only where the evidence names one,
where overhead ends, and a warning where the processes disagreed.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from reference import parse_sizes

from . import roofline
from .confidence import KEYS, unstable

EAGER = (("numpy", "triptych"), ("torch", "triptych"), ("jax", "nojit"))
COMPILED = (("jax", "triptych"), ("torch", "compiled"))


def seconds(value: float) -> str:
    """A time in humane units: '163 µs', '1.25 ms', '2.31 s'."""
    if value is None or not math.isfinite(value):
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if abs(value) >= scale or unit == "ns":
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} s"


def humane(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with every `*_s` column in humane units (for printing, not for maths)."""
    out = table.copy()
    for column in [c for c in out.columns if c.endswith("_s")]:
        out[column] = out[column].map(seconds)
    return out


def pair(row) -> str:
    """'jax 1.9x faster than torch (95% CI 1.7–2.1)' or 'numpy vs jax: tie (...)'."""
    a, b = _label(row, "a"), _label(row, "b")
    if row.verdict == "faster":  # say it from the faster side: 1/ratio, interval too
        interval = _ci(1 / row.ci_high, 1 / row.ci_low)
        return f"{a} {factor(1 / row.ratio)}x faster than {b} ({interval})"
    if row.verdict == "slower":
        return (
            f"{b} {factor(row.ratio)}x faster than {a} ({_ci(row.ci_low, row.ci_high)})"
        )
    return (
        f"{a} vs {b}: tie (ratio {factor(row.ratio)}, {_ci(row.ci_low, row.ci_high)})"
    )


def grid_point(table: pd.DataFrame, callables) -> str:
    """Every pair of `callables` [(backend, variant)] at one grid point in words,
    then the fastest -- only one significantly faster than each of the others."""
    present = [c for c in callables if _has(table, c)]
    parts = [pair(_row(table, a, b)) for a, b in itertools.combinations(present, 2)]
    if len(present) > 1:
        parts.append(_front(table, present))
    return "; ".join(parts)


def by_grid_point(table: pd.DataFrame, callables) -> list[str]:
    """'256-256-10 batch 16, float32: ...' per grid point of a verdicts table,
    smaller networks first, then by batch (not in the order the cases ran)."""
    out = []
    groups = [(dict(zip(KEYS, key)), group) for key, group in table.groupby(KEYS)]
    for where, group in sorted(groups, key=lambda pair: _grid_order(pair[0])):
        text = grid_point(group, callables)
        if text:
            out.append(
                f"{where['sizes']} batch {where['batch']}, {where['dtype']}: {text}"
            )
    return out


def _grid_order(where: dict) -> tuple:
    """'1024-1024-10' after '256-256-10': the sizes as numbers, then the batch
    (every key of a grid point, so that no two tie)."""
    sizes = parse_sizes(str(where["sizes"]))
    return sizes, where["batch"], str(where["dtype"]), str(where["op"])


def ours(table: pd.DataFrame) -> list[tuple]:
    """Every backend's own implementation in a verdicts table: (backend, 'triptych')."""
    backends = dict.fromkeys(table.a_backend[table.a_variant == "triptych"])
    return [(b, "triptych") for b in backends]


def bounds(frame: pd.DataFrame) -> list[str]:
    """Per backend and network, in one sentence: where overhead ends and where the
    step comes within COMPUTE_BOUND_FACTOR of the roofline."""
    out = []
    times = f"{roofline.COMPUTE_BOUND_FACTOR:g}x"
    for row in roofline.bounds(frame).itertuples():
        near = (
            f"from batch {row.roofline_from:.0f} on it runs within {times} of the "
            f"roofline (compute-bound)"
            if not math.isnan(row.roofline_from)
            else f"up to batch {row.largest_batch:.0f} it stays more than {times} "
            f"from the roofline"
            + (
                f" (at best {row.best_of_roofline:.0%} of it)"
                if not math.isnan(row.best_of_roofline)
                else ""
            )
        )
        out.append(
            f"{row.backend} ({row.sizes}, {row.dtype}): a step costs about its fixed "
            f"{seconds(row.fixed_s)} up to batch {row.overhead_up_to:.0f} "
            f"(overhead-bound); {near}."
        )
    return out


def warnings(frame: pd.DataFrame) -> list[str]:
    """pyperf-style warnings: processes of one callable that disagree wildly, and
    a machine that was busy while the processes ran. Nothing is dropped."""
    out = []
    table = unstable(frame)
    if len(table):
        cases = "; ".join(
            f"{r.backend} {r.variant} {r.op} {r.sizes} batch {r.batch}: "
            f"{seconds(r.low_s)} to {seconds(r.high_s)} over {r.processes} processes"
            for r in table.itertuples()
        )
        out.append(
            f"WARNING: the processes of {len(table)} timed callable(s) disagree by "
            f"more than 30% -- {cases}. Their intervals are wide for that reason; "
            f"rerun on a quieter machine to narrow them."
        )
    notes = frame.get("note", pd.Series("", index=frame.index))
    failed = frame[frame.median_s.isna() & (notes != "")]
    if len(failed):
        cases = "; ".join(
            f"{r.backend} {r.variant} {r.op} {r.sizes} batch {r.batch}: {r.note}"
            for r in failed.itertuples()
        )
        out.append(f"WARNING: {len(failed)} case(s) have no timing -- {cases}.")
    busy = _busy(frame)
    if busy:
        out.append(busy)
    return out


def _busy(frame: pd.DataFrame) -> str:
    cores = (
        frame.attrs.get("environment", {}).get("harness", {}).get("threads_requested")
    )
    load = frame.get("load_before", pd.Series(dtype=float)).max()
    steal = frame.get("steal_s", pd.Series(dtype=float)).max()
    parts = []
    if cores and load > cores:
        parts.append(f"a load average of up to {load:.1f} on {cores} threads")
    if steal > 0.5:
        parts.append(f"up to {steal:.1f} s of CPU stolen by the host in a process")
    if not parts:
        return ""
    return "WARNING: the machine was busy while timing: " + " and ".join(parts) + "."


def _front(table: pd.DataFrame, present) -> str:
    """The fastest where one is significantly faster than each other; else who
    ties at the front (no one significantly slower than anyone)."""
    leaders = [
        c
        for c in present
        if all(_row(table, c, o).verdict != "slower" for o in present if o != c)
    ]
    if len(leaders) == 1 and all(
        _row(table, leaders[0], o).verdict == "faster"
        for o in present
        if o != leaders[0]
    ):
        return f"fastest: {name(leaders[0])}"
    return (
        f"no single fastest: {' and '.join(name(c) for c in leaders)} tie at the front"
    )


def _row(table: pd.DataFrame, a, b):
    match = table[
        (table.a_backend == a[0])
        & (table.a_variant == a[1])
        & (table.b_backend == b[0])
        & (table.b_variant == b[1])
    ]
    return match.iloc[0]


def _has(table: pd.DataFrame, c) -> bool:
    return bool(((table.a_backend == c[0]) & (table.a_variant == c[1])).any())


def _label(row, side: str) -> str:
    return name((getattr(row, f"{side}_backend"), getattr(row, f"{side}_variant")))


def name(c) -> str:
    backend, variant = c
    return backend if variant == "triptych" else f"{backend} {variant}"


def _ci(low: float, high: float) -> str:
    return f"95% CI {factor(low)}–{factor(high)}"


def factor(value: float) -> str:
    """A ratio to two digits, without exponents: '0.93', '1.9', '43', '210'."""
    return f"{value:.2g}" if abs(value) < 100 else f"{value:.0f}"
