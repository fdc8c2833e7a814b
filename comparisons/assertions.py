"""`assert_agree`: the consistency check as one assertion, for a backend author's
own test suite (and, through comparisons/pytest_plugin.py, the `triptych`
fixture).

    import comparisons
    comparisons.assert_agree("mypackage.mybackend:backend")

It runs `comparisons.check` on that backend alone against the float64 oracle and
raises an AssertionError whose message is the table of the worst failures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import backends as registry
from .blame import blamed
from .consistency import check

TABLE_ROWS = 20


def assert_agree(
    backend,
    specs=None,
    levels=None,
    dtypes=None,
    *,
    units=None,
    seed: int = 0,
    device=None,
) -> pd.DataFrame:
    """Check `backend` (a name, `module:attribute`, or an object with the backend
    API) against the float64 oracle; AssertionError with the worst failures if
    any comparison fails, else the rows of the check.

    `specs`, `levels`, `dtypes`, `units`, `seed` and `device` are those of
    `comparisons.check` (default: every level, every combination on two nets,
    float32 and float64).
    """
    __tracebackhide__ = True  # pytest: show the failure, not this frame
    resolved = registry.resolve([backend])
    results = check(specs, resolved, dtypes, levels, seed, device=device, units=units)
    failed = results[blamed(results)]
    if len(failed):
        raise AssertionError(
            f"backend {resolved[0].NAME!r} disagrees with the float64 oracle in "
            f"{len(failed)} of {len(results)} comparisons; the worst "
            f"{min(len(failed), TABLE_ROWS)}:\n{failure_table(failed)}"
        )
    return results


def failure_table(rows: pd.DataFrame, limit: int = TABLE_ROWS) -> str:
    """The failed `rows`, worst first (error as a share of its tolerance), as a
    plain-text table: level, quantity, inputs, spec, dtype, backend, against,
    error, tol, error/tol, note (inputs, spec and note only where some row has
    one)."""
    share = _share(rows)
    worst = rows.assign(share=share).sort_values("share", ascending=False).head(limit)
    table = pd.DataFrame(
        {
            "level": worst.level,
            "quantity": worst.quantity,
            "inputs": worst.inputs,
            "spec": [_spec(row) for _, row in worst.iterrows()],
            "dtype": worst.dtype,
            "backend": worst.backend,
            "against": worst.against,
            "error": worst.max_abs_err.map("{:.3g}".format),
            "tol": worst.tol.map("{:.3g}".format),
            "error/tol": worst.share.map("{:.3g}".format),
            "note": worst.note.str.slice(0, 60),
        }
    )
    empty = [c for c in ("inputs", "spec", "note") if not table[c].astype(bool).any()]
    return table.drop(columns=empty).to_string(index=False)


def _share(rows: pd.DataFrame) -> np.ndarray:
    """max_abs_err / tol per row: above 1 fails; inf where tol is 0 (a raise)."""
    err, tol = rows.max_abs_err.to_numpy(), rows.tol.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tol > 0, err / tol, np.inf)


def _spec(row) -> str:
    """'5-7-3 tanh/softmax/mse' (with ' on digits' at the trajectory level), or
    '' at the unit level."""
    combo = "/".join(row[k] for k in ("activation", "output", "loss") if row[k])
    on = f"on {row['dataset']}" if row["dataset"] else ""
    return " ".join(part for part in (row["sizes"], combo, on) if part)
