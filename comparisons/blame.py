"""Whose failure is it? The float64 oracle decides.

When backend A disagrees with backend B, at least one of them is wrong, and the
comparisons of each with the oracle on the same case say which: the failure
counts against whichever of A and B is off from the oracle there, and against
both only where both are off (or, should neither be, where it cannot be told).
So an honest backend beside a broken one keeps a clean record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .rows import CASE


def blamed(results: pd.DataFrame) -> pd.Series:
    """True where a failed row counts against its `backend` (see module doc):
    every failure against the oracle, and a failure against another backend
    unless the other is off from the oracle on that case and this one is not."""
    oracle_rows = results[results.against == "oracle"]
    # (backend, case) -> passed against the oracle
    on_case = dict(
        zip(zip(oracle_rows.backend, _cases(oracle_rows)), oracle_rows.passed)
    )
    flags = []
    for backend, against, passed, case in zip(
        results.backend, results.against, results.passed, _cases(results)
    ):
        innocent = (
            against != "oracle"
            and on_case.get((backend, case), False)
            and not on_case.get((against, case), False)
        )
        flags.append(not passed and not innocent)
    return pd.Series(flags, index=results.index, dtype=bool)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per backend and level: cases, passed, and the case closest to its tolerance
    (`worst_share_of_tol` = max_abs_err / tol; above 1 fails).

    A failure against another backend counts against this one only where the
    oracle finds this one off (`blamed`); where it clears this one, the row
    counts as passed and is left out of the worst case.
    """
    err, tol = results.max_abs_err.to_numpy(), results.tol.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(tol > 0, err / tol, np.where(err > 0, np.inf, 0.0))
    frame = results.assign(share=share, blamed=blamed(results))
    rows = []
    for (backend, level), group in frame.groupby(["backend", "level"], sort=False):
        counted = group[group.passed | group.blamed]
        worst = counted.loc[counted.share.idxmax()] if len(counted) else None
        rows.append(
            dict(
                backend=backend,
                level=level,
                cases=len(group),
                passed=int(len(group) - group.blamed.sum()),
                worst_rel_err=np.nan if worst is None else worst["max_rel_err"],
                worst_share_of_tol=np.nan if worst is None else worst["share"],
                worst_case="" if worst is None else describe(worst),
            )
        )
    return pd.DataFrame(rows)


def describe(row) -> str:
    """A row's case in words:
    'relu_grad ordinary inputs float32 vs oracle',
    'dW[0] 5-7-3 tanh/softmax/mse float32 vs oracle'."""
    spec = "/".join(row[k] for k in ("activation", "output", "loss") if row[k])
    inputs = f"{row['inputs']} inputs" if row["inputs"] else ""
    parts = [row["quantity"], inputs, row["sizes"], spec, row["dataset"], row["dtype"]]
    text = " ".join(str(p) for p in parts if p) + f" vs {row['against']}"
    return f"{text} ({row['note']})" if row["note"] else text


def _cases(frame: pd.DataFrame) -> list[tuple]:
    """Each row's case: what was compared, whoever with whom."""
    return list(zip(*(frame[c] for c in CASE)))
