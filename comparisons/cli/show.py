"""`triptych show`: one concept from its formula to its code in NumPy, PyTorch and
JAX (and any other backend), side by side in the terminal; `--list` lists the
concepts; `--html PATH` writes every concept, with its pictures, to one
self-contained page. The views are made by comparisons.show; this module parses
the arguments and prints.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .. import files, show
from ..show.text import PROSE
from .common import out_path

DEFAULT_REPORT = "report"
PICTURES = "pictures"  # the report's folder of PNGs, beside its consistency.csv


def add_parser(commands) -> None:
    """Register the `show` subcommand on the argparse subparsers `commands`."""
    p = commands.add_parser(
        "show",
        help="one concept side by side in NumPy, PyTorch and JAX",
        description="Show a concept of the network -- its formula from "
        "reference/oracle.py, what differs between the frameworks, and the code "
        "that implements it in each backend, read from the source files now -- in "
        "aligned columns (one after another on a narrow terminal); with --html, "
        "with pictures computed by each backend. "
        f"Concepts: {', '.join(show.names())}; a function name such as relu_grad "
        "works too.",
    )
    _add_arguments(p)
    p.set_defaults(run=run)


def _add_arguments(p) -> None:
    p.add_argument("concept", nargs="?", metavar="CONCEPT", help="e.g. relu, train")
    p.add_argument("--list", action="store_true", help="list the concepts")
    p.add_argument(
        "--backends",
        default=None,
        help="comma-separated, some of numpy,torch,jax (default: all three)",
    )
    p.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="MODULE[:ATTR]",
        help="add a column for an outside backend, its source read from its own "
        "file (repeatable): module:attribute, a module, or an entry-point name",
    )
    p.add_argument(
        "--html",
        type=out_path,
        default=None,
        metavar="PATH",
        help="write one self-contained page with every concept (or just CONCEPT) "
        "and its pictures, computed by each backend",
    )
    p.add_argument(
        "--report",
        default=None,
        metavar="DIR",
        help=f"a report directory with {show.REPORT_CSV}, whose results are "
        f"summarised per concept (default: {DEFAULT_REPORT}/ if it has one)",
    )
    p.add_argument(
        "--width",
        type=int,
        default=None,
        help="columns of text (default: the terminal's width)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="highlight the code (default: auto, on a terminal without NO_COLOR)",
    )


def run(args) -> int:
    backends = show.check_backends(args.backends)
    width = shutil.get_terminal_size().columns if args.width is None else args.width
    if width < 40:
        raise ValueError(f"--width must be at least 40 columns; got {width}")
    if args.list:
        print(show.listing(backends, min(width, PROSE)), end="")
        return 0
    if args.concept is None and args.html is None:
        raise ValueError(
            "show needs a CONCEPT, --list or --html PATH; concepts: "
            + ", ".join(show.names())
        )
    concept = show.resolve(args.concept) if args.concept else None
    outside = show.outside_backends(args.backend)  # checked as `check` checks them
    results, report = _report(args.report)
    if args.html is not None:
        return _write_html(args.html, concept, backends, results, report, outside)
    color = _color(args.color)
    where = _pictures(concept, report)
    csv = report / show.REPORT_CSV if report else ""
    print(
        show.text(concept, backends, width, color, results, csv, outside, where),
        end="",
    )
    return 0


def _report(directory):
    """(the consistency rows, the report's folder), or (None, None) without one.
    An explicit --report must exist; the default is used only where it does."""
    if directory is None:
        if not (Path(DEFAULT_REPORT) / show.REPORT_CSV).is_file():
            return None, None
        directory = DEFAULT_REPORT
    return show.load_report(directory), Path(directory)


def _pictures(concept, report) -> str:
    """Where the concept's pictures are: the report's PNGs, or how to draw them."""
    found = sorted((report / PICTURES).glob(f"{concept.name}-*.png")) if report else []
    if found:
        return "Pictures: " + ", ".join(str(p) for p in found)
    return (
        f"Pictures, computed by each backend: `triptych show {concept.name} --html "
        f"{concept.name}.html`, or `triptych report` (into report/{PICTURES}/)."
    )


def _write_html(path, concept, backends, results, report, outside) -> int:
    path = files.output_path(path, "--html")
    link = ""
    if report is not None:  # relative, so page and report can move together
        csv = (report / show.REPORT_CSV).resolve()
        link = Path(os.path.relpath(csv, path.parent.resolve())).as_posix()
    chosen = [concept] if concept else None
    page = show.html_page(chosen, backends, results, link, extra=outside)
    files.write_text(path, page)
    shown = concept.name if concept else f"{len(show.CONCEPTS)} concepts"
    columns = ", ".join([*backends, *(b.NAME for b in outside)])
    print(f"Wrote {path} ({shown}, {columns})")
    return 0


def _color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
