"""Verdicts: is one timed callable faster than another, or is the difference noise?

The unit of evidence is the *process*: processes of the same backend differ by 10%
and more on a shared machine (where each lands, what else runs), far more than
the blocks inside one process. So each callable gets one value per process, and
two callables are compared on those per-process values:

- the value of a process is its fastest block: on a shared machine noise only
  ever adds time (another process, the host stealing the CPU), so the fastest of
  a few blocks is the most stable estimate of what the code costs -- measured
  here, the fastest blocks of 8 processes of one NumPy step agreed within 5%
  where their medians spread by 46%. (Where a CSV has no blocks, its per-process
  median stands in, and `compare` says so.)
- `ratio` is a's time over b's, the ratio of the geometric means of the
  per-process values;
- its 95% interval and `p_value` come from Welch's t-test on their logarithms
  (`scipy.stats.ttest_ind(equal_var=False)`), which counts the variation between
  processes on both sides and, with only a few processes, widens the interval as
  the t-distribution says. (A Mann-Whitney test, asv's choice, cannot reach
  p < 0.05 with three processes a side: its smallest two-sided p is then 0.1.)
- the verdict, from a's side, is "faster" or "slower" only where the interval
  excludes 1 *and* the ratio is beyond `min_effect` (asv's `--factor`); else "tie".

Processes that disagree wildly are never dropped: `unstable` names them, and their
intervals widen honestly.

A claim about many comparisons at once ("ours is never slower than the idiomatic
code", over every op and grid point) is read with `holm`: each 95% verdict alone
is wrong one time in twenty where two callables truly tie, so 60 of them call a
tie a difference a few times a run; Holm's adjustment keeps the chance of any
such false call in the whole family at 5%.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from .work import OPS

LEVEL = 0.95
MIN_EFFECT = 0.05
MIN_PROCESSES = 2  # for any interval at all; 3 or more for a useful one
MIN_BLOCKS = 3
UNSTABLE_SPREAD = 0.3  # processes whose values differ by more than 30%
KEYS = ["sizes", "batch", "dtype", "op"]
COLUMNS = [
    *KEYS,
    "a_backend",
    "a_variant",
    "b_backend",
    "b_variant",
    "ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
    "a_s",
    "b_s",
    "a_processes",
    "b_processes",
]


def verdicts(
    frame: pd.DataFrame, op: str | None = "train_step", min_effect: float = MIN_EFFECT
) -> pd.DataFrame:
    """One row per grid point and ordered pair (a, b) of timed callables (backend,
    variant) of `op` (None: every op): a's time / b's, its 95% interval, p and the
    verdict from a's side (see the module doc). A callable with fewer than
    MIN_PROCESSES timed processes (its worker failed, say) is left out and named in
    `.attrs["left_out"]`; a ValueError where that leaves no pair to compare, or
    where a process has fewer than MIN_BLOCKS blocks."""
    min_effect = check_min_effect(min_effect)
    values = process_values(rows_of(frame, op))
    rows = []
    for key, group in values.groupby(KEYS, sort=False):
        by_callable = dict(
            list(group.groupby(["backend", "variant"], sort=False).value)
        )
        for (a, a_values), (b, b_values) in itertools.permutations(
            by_callable.items(), 2
        ):
            ratio, low, high, p = ratio_interval(
                a_values.to_numpy(), b_values.to_numpy()
            )
            rows.append(
                [
                    *key,
                    *a,
                    *b,
                    ratio,
                    low,
                    high,
                    p,
                    decide(ratio, low, high, min_effect),
                    gmean(a_values),
                    gmean(b_values),
                    len(a_values),
                    len(b_values),
                ]
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.attrs["left_out"] = values.attrs["left_out"]
    return table


def process_values(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per callable and process: `value`, its fastest block (the row's
    `median_s` where the raw blocks are missing). Checked to be enough: the
    callables with too few processes are left out, named in `.attrs["left_out"]`."""
    frame = frame[frame.median_s.notna()]
    value = frame.median_s
    if "blocks_s" in frame:
        blocks = frame.blocks_s.fillna("").astype(str).map(_parse_blocks)
        _check_enough_blocks(frame, blocks)
        fastest = blocks.map(lambda b: min(b) if b else math.nan)
        value = fastest.where(blocks.map(len) > 0, value)
    values = frame.assign(value=value)[
        [*KEYS, "backend", "variant", "process", "value"]
    ]
    return _enough_processes(values)


def ratio_interval(a: np.ndarray, b: np.ndarray, level: float = LEVEL):
    """(ratio, low, high, p) of a's time over b's from their per-process values."""
    log_a, log_b = np.log(a), np.log(b)
    diff = log_a.mean() - log_b.mean()
    if np.var(log_a) == 0 and np.var(log_b) == 0:  # no spread at all: exact
        return math.exp(diff), math.exp(diff), math.exp(diff), float(diff == 0)
    from scipy import stats  # here: importing it takes 0.9 s, which check never needs

    test = stats.ttest_ind(log_a, log_b, equal_var=False)
    interval = test.confidence_interval(level)
    low, high = math.exp(interval.low), math.exp(interval.high)
    return math.exp(diff), low, high, float(test.pvalue)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment of a family's p-values: a comparison is a
    difference family-wise where its adjusted p is below 1 - LEVEL, and then the
    chance that any true tie in the family is called a difference is at most
    1 - LEVEL (Holm 1979; statsmodels' `multipletests(method="holm")`, which is
    not installed here). The i-th smallest p of m, counting from 0, is scaled by
    m - i, and no adjusted p is below a smaller p's."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    scaled = np.minimum(1.0, (len(p) - np.arange(len(p))) * p[order])
    adjusted = np.empty_like(p)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def check_min_effect(value) -> float:
    """`min_effect` as a float: a finite share of at least 0 (0.05 is 5%)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value < math.inf  # False for NaN too
    ):
        raise ValueError(
            f"min_effect must be a finite number >= 0 (0.05: 5%), got {value!r}"
        )
    return float(value)


def decide(
    ratio: float, low: float, high: float, min_effect: float = MIN_EFFECT
) -> str:
    """'faster', 'slower' or 'tie', from a's side (ratio = a's time / b's)."""
    if high < 1 and ratio < 1 / (1 + min_effect):
        return "faster"
    if low > 1 and ratio > 1 + min_effect:
        return "slower"
    return "tie"


def unstable(frame: pd.DataFrame, spread: float = UNSTABLE_SPREAD) -> pd.DataFrame:
    """The callables whose processes disagree by more than `spread` ((max - min) /
    min of their per-process values, as the verdicts read them), with the
    machine's load meanwhile."""
    rows = frame[frame.median_s.notna()]
    rows = rows.assign(value=rows["min_s"] if "min_s" in rows else rows.median_s)
    out = []
    for key, group in rows.groupby([*KEYS, "backend", "variant"], sort=False):
        low, high = group.value.min(), group.value.max()
        if len(group) > 1 and (high - low) / low > spread:
            load = group.get("load_before", pd.Series(dtype=float)).max()
            out.append(
                dict(
                    zip([*KEYS, "backend", "variant"], key),
                    low_s=low,
                    high_s=high,
                    processes=len(group),
                    max_load=load,
                )
            )
    return pd.DataFrame(out)


# ------------------------------------------------------------------ helpers


NEEDED = [*KEYS, "backend", "variant", "process", "median_s"]


def rows_of(frame: pd.DataFrame, op: str | None) -> pd.DataFrame:
    """The rows of `op` (None: all) in a frame from `bench`, checked to be one:
    its columns there, and every time a positive number of seconds."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"frame must be a DataFrame from bench, got {type(frame).__name__}"
        )
    missing = [c for c in NEEDED if c not in frame.columns]
    if missing:
        raise ValueError(
            f"frame must be a bench result with columns {', '.join(NEEDED)}; "
            f"missing {', '.join(missing)}"
        )
    times = pd.to_numeric(frame.median_s, errors="coerce")
    bad = frame.median_s[frame.median_s.notna() & ~(times > 0)]
    if len(bad):
        raise ValueError(
            f"frame's median_s must be seconds > 0 (or missing, for a case that "
            f"failed), got {bad.iloc[0]}"
        )
    if op is None:
        return frame
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)} or None, got {op!r}")
    return frame[frame.op == op]


def _parse_blocks(text: str) -> list[float]:
    blocks = [float(t) for t in text.split()]
    if any(not b > 0 for b in blocks):  # a log of 0 or less is no time
        raise ValueError(f"frame's blocks_s must be seconds > 0, got {text!r:.60}")
    return blocks


def _check_enough_blocks(frame: pd.DataFrame, blocks: pd.Series) -> None:
    few = blocks.map(len).between(1, MIN_BLOCKS - 1)
    if few.any():
        row = frame[few].iloc[0]
        raise ValueError(
            f"verdicts need at least {MIN_BLOCKS} blocks per process for an "
            f"interval, got {len(blocks[few].iloc[0])} for {_callable(row)}"
        )


def _enough_processes(values: pd.DataFrame) -> pd.DataFrame:
    """`values` without the callables of fewer than MIN_PROCESSES processes, which
    `.attrs["left_out"]` names; a ValueError where that leaves no pair to compare."""
    callable_ = [*KEYS, "backend", "variant"]
    counts = values.groupby(callable_, sort=False).process.nunique()
    if counts.empty:
        raise ValueError("verdicts need timed rows, got none")
    enough, few = counts[counts >= MIN_PROCESSES], counts[counts < MIN_PROCESSES]
    pairs = max(enough.groupby(level=list(range(len(KEYS)))).size(), default=0) > 1
    if len(few) and not pairs:
        where = dict(zip(callable_, counts.idxmin()))
        raise ValueError(
            f"verdicts need at least {MIN_PROCESSES} processes per timed callable "
            f"(3 or more for a useful interval), got {counts.min()} for "
            f"{_callable(where)}; run bench with repeats={MIN_PROCESSES + 1}"
        )
    kept = values.set_index(callable_).index.isin(enough.index)
    values = values[kept]
    values.attrs = {
        **values.attrs,
        "left_out": [
            f"{_callable(dict(zip(callable_, key)))}: {n} process timed, verdicts "
            f"need {MIN_PROCESSES}"
            for key, n in few.items()
        ],
    }
    return values


def _callable(row) -> str:
    return (
        f"{row['backend']} {row['variant']} {row['op']} {row['sizes']} "
        f"batch {row['batch']} {row['dtype']}"
    )


def gmean(values) -> float:
    return float(np.exp(np.mean(np.log(values))))
