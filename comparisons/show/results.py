"""A report's consistency results, per concept: which of the report's
comparisons test it, and how they came out (the rows of consistency.csv whose
`quantity` matches the concept's regex).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .model import Concept

REPORT_CSV = "consistency.csv"
SUMMARY_COLUMNS = ["backend", "cases", "passed", "worst_max_rel_err", "worst_case"]


def load_report(directory) -> pd.DataFrame:
    """The rows of `directory`/consistency.csv (as written by the report)."""
    path = Path(directory) / REPORT_CSV
    if not path.is_file():
        raise ValueError(
            f"report must be a directory with {REPORT_CSV}; got {directory}"
        )
    results = pd.read_csv(path, keep_default_na=False)
    missing = {"quantity", "backend", "passed", "max_rel_err"} - set(results.columns)
    if missing:
        raise ValueError(f"{path} must have columns {', '.join(sorted(missing))}")
    return results


def consistency_rows(concept: Concept, results: pd.DataFrame) -> pd.DataFrame:
    """The rows of a consistency table whose quantity tests the concept."""
    return results[results.quantity.astype(str).str.fullmatch(concept.quantities)]


def consistency_summary(concept: Concept, results: pd.DataFrame) -> pd.DataFrame:
    """Per backend, the consistency rows of the concept's quantities: cases,
    passed, the worst max_rel_err and the case where it was."""
    summary = []
    rows = consistency_rows(concept, results)
    for backend, group in rows.groupby("backend", sort=False):
        errors = pd.to_numeric(group.max_rel_err, errors="coerce")
        passed = group.passed.astype(str).str.lower().isin(["true", "1"])
        worst = errors.idxmax() if errors.notna().any() else group.index[0]
        summary.append(
            dict(
                backend=backend,
                cases=len(group),
                passed=int(passed.sum()),
                worst_max_rel_err=errors.max(),
                worst_case=_case(group.loc[worst]),
            )
        )
    return pd.DataFrame(summary, columns=SUMMARY_COLUMNS)


def _case(row) -> str:
    """'dW[2] 6-8-5-4 float32 vs oracle', from whichever of those columns exist."""
    parts = [str(row.get(k, "")) for k in ("quantity", "sizes", "dtype")]
    against = f"vs {row['against']}" if row.get("against", "") != "" else ""
    return " ".join(p for p in [*parts, against] if p and p != "nan")


def quantities(concept: Concept, results: pd.DataFrame, most: int = 6) -> str:
    """The concept's quantities found in the results: 'relu, relu_grad'."""
    found = list(dict.fromkeys(consistency_rows(concept, results).quantity))
    shown = ", ".join(str(q) for q in found[:most])
    return shown + (f" and {len(found) - most} more" if len(found) > most else "")


def consistency_line(concept: Concept, results: pd.DataFrame, report: str) -> str:
    """One sentence: how the concept's comparisons came out, per backend."""
    table = consistency_summary(concept, results)
    where = f" ({report})" if report else ""
    if table.empty:
        return f"Consistency{where}: no rows for {concept.name}'s quantities."
    counts = ", ".join(f"{r.backend} {r.passed}/{r.cases}" for r in table.itertuples())
    worst = table.loc[table.worst_max_rel_err.idxmax()]
    return (
        f"Consistency{where} of {quantities(concept, results)}: passed {counts}; "
        f"worst max_rel_err {worst.worst_max_rel_err:.3g} ({worst.backend}, "
        f"{worst.worst_case})."
    )
