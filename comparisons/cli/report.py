"""`triptych report`: the main job -- do the backends agree, and which is faster
here? -- in one folder: a page, its Markdown, the CSVs and the pictures."""

from __future__ import annotations

import sys
import time

from ..bench import words
from ..report import gather
from .common import (
    ProgressBar,
    add_backend_flags,
    backends,
    default,
    names,
    out_path,
)


def add_parser(commands) -> None:
    p = commands.add_parser(
        "report",
        help="the main job: consistency, trajectories and timings in one report",
        description="Run the consistency check (every level), the training "
        "trajectories on the digits and the diabetes sets, each concept's pictures "
        "and the benchmark, then write one self-contained HTML page with plots, the "
        "same in Markdown, and the CSVs and environment behind them -- whole, or "
        "not at all: an interrupted report leaves the previous one as it was.",
    )
    out = default(gather.report, "out")
    p.add_argument(
        "--out", type=out_path, default=out, help=f"folder to write (default: {out}/)"
    )
    p.add_argument(
        "--quick", action="store_true", help="a small run of each part: a first look"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds other files (kept)",
    )
    p.add_argument(
        "--skip",
        type=names,
        default=(),
        help=f"stages to leave out, some of {','.join(gather.STAGES)} "
        "(e.g. --skip benchmark: the agreement and the pictures in a fraction "
        "of the time); the page names them as not run",
    )
    add_backend_flags(p)
    p.set_defaults(run=run)


def run(args) -> int:
    chosen, started = backends(args), time.perf_counter()
    frames = gather.report(
        args.out,
        args.quick,
        args.force,
        chosen,
        ProgressBar("report"),
        args.device,
        args.skip,
    )
    seconds = time.perf_counter() - started
    failed = 0
    if "consistency" in frames:
        results = frames["consistency"]
        failed = int((~results.passed).sum())
        verdict = "the backends agree." if failed == 0 else "see the report."
        print(f"{len(results)} comparisons, {failed} failed: {verdict}")
    if "verdicts" in frames:
        versus = frames["verdicts"]
        print("Train step, with 95% intervals between processes:")
        print(
            "\n".join(
                f"  {line}" for line in words.by_grid_point(versus, words.ours(versus))
            )
        )
        for warning in words.warnings(frames["timings"]):
            print(f"\n{warning}")
    for stage, error in frames["errors"].items():
        print(f"\nINCOMPLETE: the {stage} stage failed: {error}", file=sys.stderr)
    print(
        f"\nReport written to {args.out}/index.html (and README.md, CSVs, PNGs) "
        f"in {seconds:.0f} s."
    )
    return 1 if failed or frames["errors"] else 0
