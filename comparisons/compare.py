"""Two or more saved benchmark runs side by side: other machines, other versions,
other devices, before and after a change.

`compare(a, b, ...)` reads each run (a CSV written by `triptych bench --csv`, or a
report folder, each with its environment file beside it), says first what differs
between their environments, then compares every timed callable found in both:
the time in A, the time in B, the ratio B / A with its 95% interval and a verdict
from B's side ("faster", "slower" or "tie"), by the same rule as
`comparisons.verdicts` -- the interval counts the variation between the processes
of *both* runs. Runs after the second are each compared with the first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reference import parse_sizes

from .bench import confidence, run
from .bench.environment import facts
from .callable_module import make_callable

ROW_KEYS = ["backend", "variant", "op", "sizes", "batch", "dtype"]
NEEDED = [*ROW_KEYS, "process", "median_s"]
COLUMNS = [
    "run",
    *ROW_KEYS,
    "a_s",
    "b_s",
    "ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
    "a_processes",
    "b_processes",
]


class RunError(ValueError):
    """A run that cannot be compared: the message names the file and what is wrong."""


def compare(*runs, min_effect: float = confidence.MIN_EFFECT) -> pd.DataFrame:
    """One row per timed callable and grid point present in the first run and in a
    later one (see the module doc). `runs`: paths or frames from `bench`.

    `.attrs`: `environment_differences` (what, A, B, run), `unmatched` (the rows
    found in only one of two runs, with `only_in`), `notes` (e.g. a run without
    its raw block times, compared on its per-process medians instead).
    """
    if len(runs) < 2:
        raise ValueError(f"compare needs at least 2 runs, got {len(runs)}")
    min_effect = confidence.check_min_effect(min_effect)
    loaded = [load(r) for r in runs]
    first, rows, differences, unmatched = loaded[0], [], [], []
    for other in loaded[1:]:
        rows += _compare_two(first, other, min_effect)
        differences.append(environment_differences(first, other))
        unmatched.append(_unmatched(first, other))
    out = pd.DataFrame(rows, columns=COLUMNS)
    out.attrs["environment_differences"] = pd.concat(differences, ignore_index=True)
    out.attrs["unmatched"] = pd.concat(unmatched, ignore_index=True)
    out.attrs["notes"] = [note for run_ in loaded for note in run_.attrs["notes"]]
    out.attrs["runs"] = [run_.attrs["label"] for run_ in loaded]
    return out


def load(source) -> pd.DataFrame:
    """A run from a bench CSV, a report folder (its timings.csv) or a frame, with
    `attrs` label, environment and notes. RunError where it is not a bench result."""
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.attrs = {**source.attrs, "label": source.attrs.get("label", "frame")}
    else:
        frame = _read(Path(source))
    missing = [c for c in NEEDED if c not in frame.columns]
    if missing:
        raise RunError(
            f"{frame.attrs['label']}: not a triptych bench result: it lacks the "
            f"column(s) {', '.join(missing)} (expected a CSV from `triptych bench "
            f"--csv` or a report folder)"
        )
    frame.attrs["notes"] = []
    if "blocks_s" not in frame.columns or frame.blocks_s.isna().all():
        frame.attrs["notes"].append(
            f"{frame.attrs['label']}: no raw block times (an older CSV): compared on "
            f"its per-process medians instead"
        )
    frame["sizes"] = frame.sizes.astype(str)
    return frame


def _read(path: Path) -> pd.DataFrame:
    if path.is_dir():
        path = path / "timings.csv"
    if not path.is_file():
        from .report import MARKER  # only here: the report imports the harness

        why = "expected a bench CSV or a report folder"
        if (path.parent / MARKER).is_file():
            why = "a report without timings: its benchmark stage failed or was skipped"
        raise RunError(f"{path}: no such file ({why})")
    try:
        frame = run.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise RunError(
            f"{path}: not a CSV a bench wrote ({type(e).__name__})"
        ) from None
    if "environment" not in frame.attrs:
        report_env = path.parent / "environment.json"
        if report_env.is_file():
            frame.attrs["environment"] = json.loads(report_env.read_text())
    frame.attrs["label"] = _label(path)
    return frame


def _label(path: Path) -> str:
    """A short name for a run: its file, or its folder for a report's timings.csv."""
    return path.parent.name if path.name == "timings.csv" else path.name


def _compare_two(a: pd.DataFrame, b: pd.DataFrame, min_effect: float) -> list[list]:
    values_a = dict(list(_values(a).groupby(ROW_KEYS, sort=False).value))
    rows = []
    for key, group_b in _values(b).groupby(ROW_KEYS, sort=False).value:
        if key not in values_a:
            continue
        va, vb = values_a[key].to_numpy(), group_b.to_numpy()
        ratio, low, high, p = confidence.ratio_interval(vb, va)
        verdict = confidence.decide(ratio, low, high, min_effect)
        rows.append(
            [
                b.attrs["label"],
                *key,
                confidence.gmean(va),
                confidence.gmean(vb),
                ratio,
                low,
                high,
                p,
                verdict,
                len(va),
                len(vb),
            ]
        )
    if not rows:
        raise RunError(
            f"{a.attrs['label']} and {b.attrs['label']} have no timed callable in "
            f"common (backend, variant, op, network, batch and dtype must all match)"
        )
    backends = {name: i for i, name in enumerate(dict.fromkeys(b.backend))}
    return sorted(rows, key=lambda row: _row_order(backends, *row[1:7]))


def _row_order(backends, backend, variant, op, sizes, batch, dtype) -> tuple:
    """Backends as the run listed them, our variant first, then op, network (by
    its sizes as numbers) and batch: not the random order the cases ran in."""
    widths = parse_sizes(str(sizes))
    return backends[backend], variant != "triptych", variant, op, widths, batch, dtype


def _values(frame: pd.DataFrame):
    try:
        values = confidence.process_values(frame)
    except ValueError as error:
        raise RunError(f"{frame.attrs['label']}: {error}") from None
    for callable_ in values.attrs["left_out"]:  # said once per run, never silent
        note = f"{frame.attrs['label']}: left out, too few processes: {callable_}"
        if note not in frame.attrs["notes"]:
            frame.attrs["notes"].append(note)
    return values


def _unmatched(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    keys_a = set(map(tuple, a[ROW_KEYS].drop_duplicates().itertuples(index=False)))
    keys_b = set(map(tuple, b[ROW_KEYS].drop_duplicates().itertuples(index=False)))
    rows = [(*k, a.attrs["label"]) for k in sorted(keys_a - keys_b, key=str)]
    rows += [(*k, b.attrs["label"]) for k in sorted(keys_b - keys_a, key=str)]
    return pd.DataFrame(rows, columns=[*ROW_KEYS, "only_in"])


# ------------------------------------------------------------ the environments


def environment_differences(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """What differs between two runs' machines and software: CPU, cores, threads,
    versions, BLAS, device, the roofs. One row per difference (what, A, B, run)."""
    facts_a, facts_b = (
        facts(a.attrs.get("environment")),
        facts(b.attrs.get("environment")),
    )
    rows = [
        (what, facts_a.get(what, "—"), facts_b.get(what, "—"), b.attrs["label"])
        for what in dict.fromkeys([*facts_a, *facts_b])
        if facts_a.get(what, "—") != facts_b.get(what, "—")
    ]
    return pd.DataFrame(rows, columns=["what", "a", "b", "run"])


def regressions(table: pd.DataFrame, factor: float) -> pd.DataFrame:
    """The rows significantly slower in a later run by more than `factor`."""
    return table[(table.verdict == "slower") & (table.ratio > factor)]


# ------------------------------------------------------------------ rendering


def markdown(table: pd.DataFrame) -> str:
    """The comparison for a pull request: differences, rows, rows in one run only."""
    from .bench.words import humane

    parts = ["## Environments", ""]
    diff = table.attrs["environment_differences"]
    parts.append(diff.to_markdown(index=False) if len(diff) else "No differences.")
    parts += ["", f"## Times, B / A ({' vs '.join(table.attrs['runs'])})", ""]
    parts.append(humane(table).to_markdown(index=False, floatfmt=".3g"))
    unmatched = table.attrs["unmatched"]
    if len(unmatched):
        parts += [
            "",
            "## Found in one run only",
            "",
            unmatched.to_markdown(index=False),
        ]
    parts += [f"\n_{note}_" for note in table.attrs["notes"]]
    return "\n".join(parts) + "\n"


def html_page(table: pd.DataFrame) -> str:
    """One self-contained page: the differences, the forest plot, the rows."""
    import base64
    import html
    import io

    from . import page
    from .report import plots

    png = io.BytesIO()
    plots.forest(table, png)
    image = base64.b64encode(png.getvalue()).decode()
    diff = table.attrs["environment_differences"]
    sections = [
        "<h2>Environments</h2>",
        diff.to_html(index=False, border=0) if len(diff) else "<p>No differences.</p>",
        "<h2>Ratios B / A with 95% intervals</h2>",
        f"<img alt='forest plot' src='data:image/png;base64,{image}'>",
        "<h2>Every row</h2>",
        table.to_html(index=False, border=0, float_format=lambda v: f"{v:.3g}"),
    ]
    unmatched = table.attrs["unmatched"]
    if len(unmatched):
        sections += ["<h2>Found in one run only</h2>", unmatched.to_html(index=False)]
    sections += [f"<p><i>{html.escape(n)}</i></p>" for n in table.attrs["notes"]]
    title = f"triptych compare: {' vs '.join(table.attrs['runs'])}"
    body = f"<h1>{html.escape(title)}</h1>\n" + "\n".join(sections)
    return page.document(title, body, narrow=True)


make_callable(__name__, "compare")  # comparisons.compare(...) calls compare()
