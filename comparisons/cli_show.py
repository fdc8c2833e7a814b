"""`triptych show`: one concept from its formula to its code in NumPy, PyTorch and
JAX, side by side in the terminal; `--list` lists the concepts; `--html PATH`
writes every concept to one self-contained page. The views themselves are made
by comparisons.sidebyside; this module parses the arguments and prints.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from . import sidebyside

DEFAULT_REPORT = "report"


def add_parser(commands) -> None:
    """Register the `show` subcommand on the argparse subparsers `commands`."""
    p = commands.add_parser(
        "show",
        help="one concept side by side in NumPy, PyTorch and JAX",
        description="Show a concept of the network -- its formula from "
        "reference/oracle.py, what differs between the frameworks, and the code "
        "that implements it in each backend, read from the source files now -- in "
        "aligned columns (one after another on a narrow terminal). "
        f"Concepts: {', '.join(sidebyside.names())}; a function name such as "
        "relu_grad works too.",
    )
    p.add_argument("concept", nargs="?", metavar="CONCEPT", help="e.g. relu, train")
    p.add_argument("--list", action="store_true", help="list the concepts")
    p.add_argument(
        "--backends",
        default=None,
        help="comma-separated, some of numpy,torch,jax (default: all three)",
    )
    p.add_argument(
        "--html",
        default=None,
        metavar="PATH",
        help="write one self-contained page with every concept (or just CONCEPT)",
    )
    p.add_argument(
        "--report",
        default=None,
        metavar="DIR",
        help=f"a report directory with {sidebyside.REPORT_CSV}, whose results are "
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
    p.set_defaults(run=run)


def run(args) -> int:
    backends = sidebyside.check_backends(args.backends)
    width = args.width or shutil.get_terminal_size().columns
    if width < 40:
        raise ValueError(f"--width must be at least 40 columns; got {width}")
    if args.list:
        print(sidebyside.listing(backends, min(width, sidebyside.PROSE)), end="")
        return 0
    if args.concept is None and args.html is None:
        raise ValueError(
            "show needs a CONCEPT, --list or --html PATH; concepts: "
            + ", ".join(sidebyside.names())
        )
    concept = sidebyside.resolve(args.concept) if args.concept else None
    results, report_csv = _report(args.report)
    if args.html is not None:
        return _write_html(args.html, concept, backends, results, report_csv)
    print(
        sidebyside.text(
            concept, backends, width, _color(args.color), results, report_csv or ""
        ),
        end="",
    )
    return 0


def _report(directory):
    """(the consistency rows, the CSV's path), or (None, None) without a report.
    An explicit --report must exist; the default is used only where it does."""
    if directory is None:
        if not (Path(DEFAULT_REPORT) / sidebyside.REPORT_CSV).is_file():
            return None, None
        directory = DEFAULT_REPORT
    return sidebyside.load_report(directory), Path(directory) / sidebyside.REPORT_CSV


def _write_html(path, concept, backends, results, report_csv) -> int:
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"--html: the directory of {path} does not exist")
    link = ""
    if report_csv is not None:  # relative, so page and report can move together
        link = Path(os.path.relpath(report_csv.resolve(), path.parent.resolve()))
        link = link.as_posix()
    page = sidebyside.html_page([concept] if concept else None, backends, results, link)
    path.write_text(page, encoding="utf-8")
    shown = concept.name if concept else f"{len(sidebyside.CONCEPTS)} concepts"
    print(f"Wrote {path} ({shown}, {', '.join(backends)})")
    return 0


def _color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
