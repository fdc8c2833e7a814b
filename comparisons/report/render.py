"""Rendering the report: the files of `triptych report`, from the gathered frames.

    index.html          one self-contained page (images embedded): the verdict,
                        the tables, the plots, the environment
    README.md           the same in Markdown, for a code host
    consistency.csv, trajectories.csv, timings.csv, environment.json
    *.png               the plots (`plots.py`)

Every section is drawn from the frames it needs; where a stage failed, its
sections are left out and the page says so at its top.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from .. import page, trajectories
from ..bench import words
from ..bench.environment import facts
from . import plots

FILES = [
    "index.html",
    "README.md",
    "consistency.csv",
    "trajectories.csv",
    "timings.csv",
    "environment.json",
    "loss_digits.png",
    "loss_diabetes.png",
    "step_times.png",
    "roofline.png",
    "errors.png",
]
PICTURES = "pictures"  # each concept's pictures, as `triptych show` draws them
CSVS = {
    "consistency": "consistency.csv",
    "trajectories": "trajectories.csv",
    "timings": "timings.csv",
}


def write(folder: Path, frames: dict, environment: dict, errors: dict) -> None:
    """Every file of the report whose frames are there, into `folder`."""
    for name, file in CSVS.items():
        if name in frames:
            frames[name].to_csv(folder / file, index=False)
    text = json.dumps(environment, indent=2, default=str)
    (folder / "environment.json").write_text(text, encoding="utf-8")
    _plots(folder, frames, environment)
    for picture in frames.get("pictures", []):
        (folder / PICTURES).mkdir(exist_ok=True)
        (folder / PICTURES / picture.filename).write_bytes(picture.png)
    sections = _sections(frames, environment, errors)
    (folder / "index.html").write_text(_html(sections, folder), encoding="utf-8")
    (folder / "README.md").write_text(_markdown(sections), encoding="utf-8")


def _plots(folder: Path, frames: dict, environment: dict) -> None:
    if "trajectories" in frames:
        curves = frames["trajectories"]
        for dataset in dict.fromkeys(curves.dataset):
            plots.loss_curves(
                curves, dataset, "float32", folder / f"loss_{dataset}.png"
            )
    if "timings" in frames:
        plots.step_times(frames["timings"], folder / "step_times.png")
        plots.roofline(
            frames["timings"], environment["machine"], folder / "roofline.png"
        )
    if "consistency" in frames:
        plots.error_heatmap(frames["consistency"], folder / "errors.png")


def _sections(frames: dict, environment: dict, errors: dict) -> list[tuple]:
    """(title, kind, content) in page order: the verdict first."""
    skipped = environment.get("skipped", [])
    out = [("Verdict", "text", _verdict(frames, errors, skipped))]
    if "consistency" in frames:
        out += _agreement(frames)
    if "timings" in frames:
        out += _timing(frames)
    if "trajectories" in frames:
        out += [
            ("Training on the digits (float32)", "image", "loss_digits.png"),
            ("Training on the diabetes set (float32)", "image", "loss_diabetes.png"),
            (
                "Drift from the oracle at the last step",
                "table",
                _drift(frames["trajectories"]),
            ),
        ]
    drawn, not_drawn = frames.get("pictures", []), frames.get("pictures_not_drawn", [])
    if drawn or not_drawn:  # a backend that could not draw is named, as show does
        out.append(
            (
                "Pictures of each concept, computed by the backends",
                "list",
                [f"{PICTURES}/{p.filename}: {p.caption}" for p in drawn]
                + [f"not drawn: {note}" for note in not_drawn],
            )
        )
    return out + [("Environment", "table", _environment_rows(environment))]


def _verdict(frames: dict, errors: dict, skipped: list) -> str:
    parts = [
        f"INCOMPLETE: the {stage} stage failed: {error}."
        for stage, error in errors.items()
    ]
    if skipped:
        parts.append(f"Not run, as asked (skip): {', '.join(skipped)}.")
    if "consistency" in frames:
        results = frames["consistency"]
        failed = int((~results.passed).sum())
        parts.append(
            f"All {len(results)} comparisons agree within tolerance."
            if failed == 0
            else f"{failed} of {len(results)} comparisons DISAGREE."
        )
    if "targets" in frames and len(frames["targets"]):
        goals = frames["targets"]
        parts.append(f"Timing targets met: {int(goals.met.sum())} of {len(goals)}.")
    if "trajectories" in frames:
        parts += _divergences(frames["trajectories"])
    return " ".join(parts)


def _divergences(curves: pd.DataFrame) -> list[str]:
    """A sentence per training that diverged, from the trajectories' notes."""
    noted = curves[curves.note != ""].drop_duplicates(["dataset", "backend", "dtype"])
    return [
        f"Training diverged ({r.dataset}, {r.backend}, {r.dtype}): {r.note}; the "
        f"differences from the oracle after that are not compared."
        for r in noted.itertuples()
    ]


def _agreement(frames: dict) -> list[tuple]:
    table = frames["summary"]
    agreement = table.assign(
        verdict=table.passed.eq(table.cases).map({True: "agree", False: "DISAGREE"})
    )
    columns = [
        "backend",
        "level",
        "verdict",
        "cases",
        "passed",
        "worst_rel_err",
        "worst_share_of_tol",
        "worst_case",
    ]
    return [
        ("Agreement per backend and level", "table", agreement[columns]),
        ("Worst error per quantity", "image", "errors.png"),
    ]


def _timing(frames: dict) -> list[tuple]:
    timings, versus = frames["timings"], frames["verdicts"]
    return [
        ("Warnings", "list", words.warnings(timings)),
        (
            "Which is faster? Train step, with 95% intervals between processes",
            "list",
            words.by_grid_point(versus, words.ours(versus)),
        ),
        (
            "Eager against eager (NumPy, torch, JAX without jit)",
            "list",
            words.by_grid_point(versus, words.EAGER),
        ),
        (
            "Compiled against compiled (JAX jit, torch.compile)",
            "list",
            [_compile_costs(timings)] + words.by_grid_point(versus, words.COMPILED),
        ),
        ("Where overhead ends", "list", words.bounds(timings)),
        (
            "Train step: time, roofline and ratios",
            "table",
            words.humane(frames["step_summary"]),
        ),
        ("Timing targets", "table", frames["targets"]),
        (
            "Time per step against batch size, and the roofline",
            "image",
            "step_times.png",
        ),
        ("The roofline", "image", "roofline.png"),
    ]


def _compile_costs(timings: pd.DataFrame) -> str:
    """The compile cost of the compiled callables, the median first-call excess."""
    costs = timings.groupby(["backend", "variant"]).compile_s.median()
    parts = [
        f"{words.name(c)} {words.seconds(costs[c])}"
        for c in words.COMPILED
        if c in costs.index
    ]
    if not parts:
        return "No compiled variants in this run."
    return "Compile cost (first call minus a warm call): " + ", ".join(parts) + "."


def _environment_rows(environment: dict) -> pd.DataFrame:
    """The benchmark's facts (bench.environment), then what the report adds."""
    rows = list(facts(environment).items()) if "workers" in environment else []
    if "matmul_precision_while_checking" in environment:
        pinned = environment["matmul_precision_while_checking"]
        rows.append(("float32 matmul precision while checking", _settings(pinned)))
    rows.append(("report took", f"{environment['report_seconds']} s"))
    return pd.DataFrame(rows, columns=["", "value"])


def _drift(curves: pd.DataFrame) -> pd.DataFrame:
    """The last step of each curve, without the tolerance columns."""
    last = curves[curves.step == curves.step.max()]
    shown = [
        c for c in trajectories.COLUMNS if c not in ("loss_tol", "dist_tol", "passed")
    ]
    return last[shown].reset_index(drop=True)


def _settings(settings: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in settings.items()) or "no GPU framework"


def _html(sections, folder: Path) -> str:
    parts = ["<h1>triptych: NumPy, PyTorch and JAX, side by side</h1>"]
    for title, kind, content in sections:
        parts += [
            f"<h2>{html.escape(title)}</h2>",
            _html_section(title, kind, content, folder),
        ]
    return page.document("triptych report", "\n".join(parts), narrow=True)


def _html_section(title: str, kind: str, content, folder: Path) -> str:
    if kind == "text":
        bad = "DISAGREE" in content or "INCOMPLETE" in content
        return (
            f"<p class='verdict {'bad' if bad else 'good'}'>{html.escape(content)}</p>"
        )
    if kind == "list":
        items = "".join(f"<li>{html.escape(line)}</li>" for line in content)
        return f"<ul>{items}</ul>" if content else "<p>None.</p>"
    if kind == "table":
        return content.to_html(index=False, float_format=_fmt, border=0, na_rep="—")
    data = base64.b64encode((folder / content).read_bytes()).decode()
    return f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>"


def _markdown(sections) -> str:
    lines = ["# triptych report", ""]
    for title, kind, content in sections:
        lines += [f"## {_md(title)}", ""]
        if kind == "text":
            lines.append(_md(content))
        elif kind == "list":
            lines += [f"- {_md(line)}" for line in content] or ["None."]
        elif kind == "table":
            cells = content.astype(object).where(content.notna(), "—").map(_cell)
            lines.append(cells.to_markdown(index=False))
        else:
            lines.append(f"![{_md(title)}]({content})")
        lines.append("")
    return "\n".join(lines)


def _cell(value) -> str:
    """A table cell in Markdown: a float to 3 digits, text escaped, | kept in."""
    if isinstance(value, float):
        return _fmt(value)
    return _md(value).replace("|", "\\|")


def _md(text: str) -> str:
    """Text from anywhere (a backend's NAME, an error) as Markdown shows it, never
    as HTML that a Markdown viewer would pass through; one line."""
    return html.escape(str(text), quote=False).replace("\n", " ")


def _fmt(value: float) -> str:
    return f"{value:.3g}"
