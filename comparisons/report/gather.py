"""Gathering the report: the consistency check, the training trajectories and the
benchmark, each a stage run in turn, then the files written whole.

A stage that fails is recorded with its error and the others still run: the
report then says at its top that it is incomplete, and why. A stage left out on
purpose (`skip`, `--skip`) is named at the top as not run; the report is whole
without it. Whatever stops the run itself (Ctrl-C, SIGTERM, an error while
writing) leaves the previous report as it was: the files are written into a
temporary folder and swapped in at the end (`comparisons.files.staged_folder`),
and the benchmark's workers are stopped.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd

import reference
from reference import NetworkSpec

from .. import backends as registry
from .. import bench, files
from ..consistency import DTYPES, check, summary
from ..presets import (
    QUICK_BENCH,
    QUICK_GRID,
    QUICK_PICTURES,
    QUICK_SIZES,
    QUICK_TRAJECTORY_STEPS,
    REPORT_BENCH,
    REPORT_GRID,
    REPORT_TRAJECTORIES,
    quick_combinations,
)
from ..trajectories import trajectories
from . import render

MARKER = ".triptych-report"  # marks a folder as ours to overwrite
STAGES = ("consistency", "trajectories", "pictures", "benchmark")


def report(
    out="report",
    quick: bool = False,
    force: bool = False,
    backends=None,
    progress=None,
    device=None,
    skip=(),
) -> dict:
    """Run every stage but those in `skip` and write the report into `out`;
    returns the frames by name (consistency, summary, trajectories, timings,
    step_summary, targets, verdicts), the pictures and notes on those not drawn
    (pictures, pictures_not_drawn), `errors` ({stage: message}, empty when
    complete) and `out`."""
    skip = check_skip(skip)
    registry.resolve(backends)  # each one found and fitting the API, or refused now
    out = check_out(Path(out), force)  # before any work
    runs = zip(STAGES, (_consistency, _trajectories, _pictures, _benchmark))
    runs = {name: run for name, run in runs if name not in skip}
    stages = _Stages(progress, [*runs, "writing"])
    started = time.perf_counter()
    frames, errors = {}, {}
    for name, run in runs.items():
        stages.start(name)
        try:
            frames.update(run(quick, backends, device, stages.within))
        except Exception as error:  # recorded; the other stages still run
            errors[name] = f"{type(error).__name__}: {error}"
    stages.start("writing")
    environment = _environment(frames, errors, quick, started, stages)
    environment["skipped"] = [name for name in STAGES if name in skip]
    with files.staged_folder(out) as staging:
        if out.is_dir() and not (out / MARKER).exists():
            shutil.copytree(out, staging, dirs_exist_ok=True)  # --force: keep theirs
        render.write(staging, frames, environment, errors)
        (staging / MARKER).write_text("written by triptych report; safe to overwrite\n")
    stages.done()
    return {**frames, "errors": errors, "out": str(out)}


def check_skip(skip) -> set[str]:
    """`skip` (None, a stage name or several) as a set of stage names; refuses
    anything else, naming what it got."""
    if skip is None:
        return set()
    if isinstance(skip, str):
        skip = [skip]
    if not isinstance(skip, (list, tuple, set, frozenset)) or not all(
        isinstance(name, str) for name in skip
    ):
        raise TypeError(f"skip must be a stage name or a list of them, got {skip!r}")
    unknown = sorted(set(skip) - set(STAGES))
    if unknown:
        raise ValueError(
            f"skip must name stages among {', '.join(STAGES)}, got {', '.join(unknown)}"
        )
    if set(skip) == set(STAGES):  # an empty report would replace the last one
        raise ValueError(
            f"skip must leave a stage to run, got all of {', '.join(STAGES)}"
        )
    return set(skip)


def check_out(out: Path, force: bool) -> Path:
    """`out` may become the report: not a file, and not a folder of other files
    (unless `force`); checked before any work is done."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"out must be a folder, got the file {out}")
    if (
        out.is_dir()
        and any(out.iterdir())
        and not (out / MARKER).exists()
        and not force
    ):
        raise ValueError(
            f"out {out} already holds files that are not a triptych report; "
            f"choose another folder or pass force (--force) to write into it"
        )
    files.output_path(out / "index.html", "out")  # its folder can be made here
    return out


def _consistency(quick, backends, device, progress) -> dict:
    # check's default (every combination, two nets, the trajectories on the
    # synthetic set and the digits), or three combinations on one size: every
    # activation, output and loss, each in both dtypes
    specs = (
        [NetworkSpec(QUICK_SIZES, *c) for c in quick_combinations()] if quick else None
    )
    results = check(specs, backends, DTYPES, progress=progress, device=device)
    return {"consistency": results, "summary": summary(results)}


def _trajectories(quick, backends, device, progress) -> dict:
    curves = []
    for dataset, (fields, lr, steps, batch) in REPORT_TRAJECTORIES.items():
        data = reference.data.load(dataset)
        spec = NetworkSpec((data.n_features, 32, data.n_outputs), *fields)
        steps = QUICK_TRAJECTORY_STEPS if quick else steps
        curves.append(
            trajectories(data, spec, backends, lr, steps, batch, device=device)
        )
        progress(len(curves), len(REPORT_TRAJECTORIES), dataset)
    return {"trajectories": pd.concat(curves, ignore_index=True)}


def _pictures(quick, backends, device, progress) -> dict:
    """Each concept's pictures, computed by the backends (on the CPU: they are
    small), as `triptych show --html` draws them."""
    from ..show import pictures

    concepts = QUICK_PICTURES if quick else None
    drawn, notes = pictures.draw_with_notes(backends, concepts, progress)
    return {"pictures": drawn, "pictures_not_drawn": notes}


def _benchmark(quick, backends, device, progress) -> dict:
    names = None if backends is None else [b for b in backends if isinstance(b, str)]
    settings = {**REPORT_BENCH, **(QUICK_BENCH if quick else {})}
    grid = QUICK_GRID if quick else REPORT_GRID
    timings = bench(grid, names, progress=progress, device=device, **settings)
    return {
        "timings": timings,
        "step_summary": bench.summary(timings),
        "targets": bench.targets(timings),
        "verdicts": bench.verdicts(timings),
    }


def _environment(frames, errors, quick, started, stages) -> dict:
    environment = (
        dict(frames["timings"].attrs["environment"]) if "timings" in frames else {}
    )
    if "consistency" in frames:
        precision = frames["consistency"].attrs["matmul_precision"]
        environment["matmul_precision_while_checking"] = precision
    environment.update(
        report_seconds=round(time.perf_counter() - started, 1),
        quick=quick,
        stage_seconds=stages.took(),
        errors=errors,
    )
    return environment


class _Stages:
    """Progress by stage: `progress(done, total, 'stage: what')` over the whole run."""

    def __init__(self, progress, names):
        self.progress, self.names, self.index = progress, names, -1
        self.seconds = {}  # stage -> when it started, then how long it took

    def took(self) -> dict:
        """Seconds per finished stage: the one under way (the writing, as
        environment.json is made) has no time yet and is left out."""
        starts = list(self.seconds.values())
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
