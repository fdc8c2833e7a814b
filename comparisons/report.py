"""The report: one command, one page -- do the backends agree, and which is faster here?

`report(out)` runs the consistency check (every level), the training
trajectories on the digits (softmax + cross-entropy) and on the diabetes set
(MSE), and the benchmark, then writes into `out`:

    index.html          one self-contained page (images embedded): the verdict,
                        the tables, the plots, the environment
    README.md           the same in Markdown, for a code host
    consistency.csv, trajectories.csv, timings.csv, environment.json
    *.png               the plots (comparisons/plots.py)

`quick=True` runs a small version of each (for the tests and a first look).
"""

from __future__ import annotations

import base64
import html
import json
import time
from pathlib import Path

import pandas as pd

import reference
from reference import NetworkSpec

from . import bench, plots
from .bench import words
from .consistency import check, default_specs, summary
from .trajectories import trajectories

MARKER = ".triptych-report"  # marks a folder as ours to overwrite
TRAJECTORY_RUNS = {  # data set -> (spec fields, lr, steps, batch size)
    "digits": (("tanh", "softmax", "cross_entropy"), 0.1, 150, 64),
    "diabetes": (("tanh", "identity", "mse"), 0.05, 150, 32),
}
# A smaller sweep than bench's, the train step only: enough to see where overhead
# ends on two widths, within the report's time
REPORT_GRID = [((256, 256, 10), b) for b in (1, 16, 256, 4096)] + [
    ((1024, 1024, 10), b) for b in (1, 64, 1024)
]
QUICK_GRID = [((64, 64, 10), 16), ((64, 64, 10), 256)]
QUICK_COMBINATIONS = [
    ("tanh", "softmax", "cross_entropy"),
    ("relu", "identity", "mse"),
    ("sigmoid", "sigmoid", "cross_entropy"),
]
FILES = [
    "index.html", "README.md", "consistency.csv", "trajectories.csv", "timings.csv",
    "environment.json", "loss_digits.png", "loss_diabetes.png", "step_times.png",
    "roofline.png", "errors.png",
]  # fmt: skip


def report(
    out="report",
    quick: bool = False,
    force: bool = False,
    backends=None,
    progress=None,
    device=None,
) -> dict:
    """Run everything and write the report into `out`; returns the frames by name
    (consistency, summary, trajectories, timings, targets) and `out`."""
    out = _prepare(Path(out), force)
    stage = _Stages(progress, ["consistency", "trajectories", "benchmark", "writing"])
    started = time.perf_counter()

    stage.start("consistency")
    specs = default_specs()
    if quick:  # three combinations, one size: every activation, output and loss
        specs = [NetworkSpec((5, 7, 3), *c) for c in QUICK_COMBINATIONS]
    consistency = check(specs, backends, progress=stage.within, device=device)

    stage.start("trajectories")
    curves = []
    for dataset, (fields, lr, steps, batch) in TRAJECTORY_RUNS.items():
        data = reference.data.load(dataset)
        spec = NetworkSpec((data.n_features, 32, data.n_outputs), *fields)
        steps = 20 if quick else steps
        curves.append(
            trajectories(data, spec, backends, lr, steps, batch, device=device)
        )
        stage.within(len(curves), len(TRAJECTORY_RUNS), dataset)
    curves = pd.concat(curves, ignore_index=True)

    stage.start("benchmark")
    names = None if backends is None else [b for b in backends if isinstance(b, str)]
    # two processes per backend (bench's default: 3), fewer blocks and the train
    # step only, to keep the whole report within its time on 2 cores
    settings = dict(repeats=2, blocks=5, budget_s=0.3, ops=["train_step"],
                    progress=stage.within, device=device)  # fmt: skip
    if quick:  # two points, no op-by-op JAX, no torch.compile, no second timer
        settings.update(min_block_s=0.005, blocks=3, budget_s=0.2, timer_check=False,
                        variants=("triptych", "idiomatic", "matmuls"))  # fmt: skip
    timings = bench(QUICK_GRID if quick else REPORT_GRID, names, **settings)

    stage.start("writing")
    frames = dict(
        consistency=consistency, summary=summary(consistency), trajectories=curves,
        timings=timings, step_summary=bench.summary(timings),
        targets=bench.targets(timings), verdicts=bench.verdicts(timings),
    )  # fmt: skip
    environment = {
        **timings.attrs["environment"],
        "matmul_precision_while_checking": consistency.attrs["matmul_precision"],
        "report_seconds": round(time.perf_counter() - started, 1), "quick": quick,
        "stage_seconds": stage.took(),
    }  # fmt: skip
    _write(out, frames, environment)
    stage.done()
    return {**frames, "out": str(out)}


# ---------------------------------------------------------------------- writing


def _write(out: Path, frames: dict, environment: dict) -> None:
    frames["consistency"].to_csv(out / "consistency.csv", index=False)
    frames["trajectories"].to_csv(out / "trajectories.csv", index=False)
    frames["timings"].to_csv(out / "timings.csv", index=False)
    (out / "environment.json").write_text(
        json.dumps(environment, indent=2, default=str)
    )
    curves = frames["trajectories"]
    for dataset in TRAJECTORY_RUNS:
        plots.loss_curves(curves, dataset, "float32", out / f"loss_{dataset}.png")
    plots.step_times(frames["timings"], out / "step_times.png")
    plots.roofline(frames["timings"], environment["machine"], out / "roofline.png")
    plots.error_heatmap(frames["consistency"], out / "errors.png")
    sections = _sections(frames, environment)
    (out / "index.html").write_text(_html(sections, out))
    (out / "README.md").write_text(_markdown(sections))
    (out / MARKER).write_text("written by triptych report; safe to overwrite\n")


def _sections(frames: dict, environment: dict) -> list[tuple[str, str, object]]:
    """(title, kind, content) in page order: the verdict first."""
    consistency, table = frames["consistency"], frames["summary"]
    agreement = table.assign(
        verdict=table.passed.eq(table.cases).map({True: "agree", False: "DISAGREE"})
    )
    failed = int((~consistency.passed).sum())
    headline = (
        f"All {len(consistency)} comparisons agree within tolerance."
        if failed == 0
        else f"{failed} of {len(consistency)} comparisons DISAGREE."
    )
    timings, goals, versus = frames["timings"], frames["targets"], frames["verdicts"]
    met = f" Timing targets met: {int(goals.met.sum())} of {len(goals)}." if len(goals) else ""
    return [
        ("Verdict", "text", headline + met),
        ("Warnings", "list", words.warnings(timings)),
        ("Agreement per backend and level", "table",
         agreement[["backend", "level", "verdict", "cases", "passed", "worst_rel_err",
                    "worst_share_of_tol", "worst_case"]]),
        ("Which is faster? Train step, with 95% intervals between processes", "list",
         words.by_grid_point(versus, words.ours(versus))),
        ("Eager against eager (NumPy, torch, JAX without jit)", "list",
         words.by_grid_point(versus, words.EAGER)),
        ("Compiled against compiled (JAX jit, torch.compile)", "list",
         [_compile_costs(timings)] + words.by_grid_point(versus, words.COMPILED)),
        ("Where overhead ends", "list", words.bounds(timings)),
        ("Train step: time, roofline and ratios", "table",
         words.humane(frames["step_summary"])),
        ("Timing targets", "table", goals),
        ("Worst error per quantity", "image", "errors.png"),
        ("Training on the digits (float32)", "image", "loss_digits.png"),
        ("Training on the diabetes set (float32)", "image", "loss_diabetes.png"),
        ("Time per step against batch size, and the roofline", "image", "step_times.png"),
        ("The roofline", "image", "roofline.png"),
        ("Drift from the oracle at the last step", "table",
         _drift(frames["trajectories"])),
        ("Environment", "table", _environment_rows(environment)),
    ]  # fmt: skip


def _compile_costs(timings: pd.DataFrame) -> str:
    """The compile cost of the compiled callables, the median first-call excess."""
    costs = timings.groupby(["backend", "variant"]).compile_s.median()
    parts = [f"{words.name(c)} {words.seconds(costs[c])}"
             for c in words.COMPILED if c in costs.index]  # fmt: skip
    if not parts:
        return "No compiled variants in this run."
    return "Compile cost (first call minus a warm call): " + ", ".join(parts) + "."


def _environment_rows(environment: dict) -> pd.DataFrame:
    worker = next(iter(environment["workers"].values()))
    machine = environment["machine"]
    peaks = ", ".join(f"{d} {g:.0f} GFLOP/s" for d, g in machine["peak_gflops"].items())
    return pd.DataFrame(
        [("CPU", worker["cpu"]), ("cores / threads per process",
          f"{worker['cores']} / {environment['harness']['threads_requested']}"),
         ("roofs (best GEMM; STREAM)", f"{peaks}; {machine['memory_gbs']:.1f} GB/s"),
         ("Python", worker["python"]), ("platform", worker["platform"]),
         *[(name, version) for name, version in worker["versions"].items()],
         ("BLAS (NumPy)", _blas(environment)),
         ("float32 matmul precision while checking",
          _settings(environment["matmul_precision_while_checking"])),
         ("report took", f"{environment['report_seconds']} s")],
        columns=["", "value"],
    )  # fmt: skip


def _drift(curves: pd.DataFrame) -> pd.DataFrame:
    last = curves[curves.step == curves.step.max()]
    return last[["dataset", "backend", "dtype", "step", "loss", "oracle_loss",
                 "loss_diff", "param_dist"]].reset_index(drop=True)  # fmt: skip


def _settings(settings: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in settings.items()) or "no GPU framework"


def _blas(environment: dict) -> str:
    blas = environment["workers"].get("numpy", {}).get("blas", [])
    return ", ".join(f"{b['internal_api']} {b['version']} ({b['architecture']})"
                     for b in blas if b.get("internal_api")) or "unknown"  # fmt: skip


def _html(sections, out: Path) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>triptych report</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;",
        "padding:0 1em;color:#222}table{border-collapse:collapse;font-size:13px}",
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;",
        "font-variant-numeric:tabular-nums}",
        "th{background:#f3f3f3}img{max-width:100%}.verdict{font-size:1.2em}",
        ".bad{color:#b00;font-weight:bold}.good{color:#070}</style></head><body>",
        "<h1>triptych: NumPy, PyTorch and JAX, side by side</h1>",
    ]
    for title, kind, content in sections:
        parts.append(f"<h2>{html.escape(title)}</h2>")
        if kind == "text":
            css = "bad" if "DISAGREE" in content else "good"
            parts.append(f"<p class='verdict {css}'>{html.escape(content)}</p>")
        elif kind == "list":
            items = "".join(f"<li>{html.escape(line)}</li>" for line in content)
            parts.append(f"<ul>{items}</ul>" if content else "<p>None.</p>")
        elif kind == "table":
            parts.append(
                content.to_html(index=False, float_format=_fmt, border=0, na_rep="—")
            )
        else:
            data = base64.b64encode((out / content).read_bytes()).decode()
            parts.append(
                f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def _markdown(sections) -> str:
    lines = ["# triptych report", ""]
    for title, kind, content in sections:
        lines += [f"## {title}", ""]
        if kind == "text":
            lines.append(content)
        elif kind == "list":
            lines += [f"- {line}" for line in content] or ["None."]
        elif kind == "table":
            lines.append(
                content.to_markdown(index=False, floatfmt=".3g", missingval="—")
            )
        else:
            lines.append(f"![{title}]({content})")
        lines.append("")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _prepare(out: Path, force: bool) -> Path:
    """Make `out`, refusing a non-empty folder that is not an earlier report."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"out must be a folder, got the file {out}")
    if (
        out.exists()
        and any(out.iterdir())
        and not (out / MARKER).exists()
        and not force
    ):
        raise ValueError(
            f"out {out} already holds files that are not a triptych report; "
            f"choose another folder or pass force (--force) to write into it"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


class _Stages:
    """Progress by stage: `progress(done, total, 'stage: what')` over the whole run."""

    def __init__(self, progress, names):
        self.progress, self.names, self.index = progress, names, -1
        self.seconds = {}  # stage -> when it started, then how long it took

    def took(self) -> dict:
        starts = list(self.seconds.values()) + [time.perf_counter()]
        return {n: round(b - a, 1) for n, a, b in zip(self.seconds, starts, starts[1:])}

    def start(self, name: str) -> None:
        self.index = self.names.index(name)
        self.seconds[name] = time.perf_counter()
        self.within(0, 1, "")

    def within(self, done: int, total: int, what: str) -> None:
        if self.progress:
            share = (self.index + done / max(total, 1)) / len(self.names)
            self.progress(int(share * 1000), 1000, f"{self.names[self.index]}: {what}")

    def done(self) -> None:
        if self.progress:
            self.progress(1000, 1000, "done")
