"""`triptych compare`: saved bench runs side by side, with verdicts; a CI guard."""

from __future__ import annotations

import math

from .. import compare, files
from ..bench import confidence, words
from .bench import _add_min_effect
from .common import number, out_path


def add_parser(commands) -> None:
    p = commands.add_parser(
        "compare",
        help="two or more saved bench runs side by side, with verdicts",
        description="Compare runs saved by `triptych bench --csv` (or report "
        "folders), each with its environment file beside it: first what differs "
        "between the environments, then every timed callable found in both runs, "
        "with the time in A and in B, the ratio B/A with its 95% interval (from the "
        "processes of both runs) and a verdict from B's side. With more than two "
        "runs, each is compared with the first.",
    )
    p.add_argument(
        "runs", nargs="+", metavar="RUN", help="bench CSVs or report folders"
    )
    _add_min_effect(p)
    p.add_argument(
        "--fail-slower",
        type=float,
        default=None,
        metavar="F",
        help="exit 1 if any row is significantly slower by more than the "
        "factor F (e.g. 1.1), to guard CI",
    )
    p.add_argument("--markdown", action="store_true", help="print Markdown instead")
    p.add_argument(
        "--html", type=out_path, default=None, metavar="PATH", help="also write a page"
    )
    p.set_defaults(run=run)


def run(args) -> int:
    if len(args.runs) < 2:
        raise ValueError(f"compare needs at least 2 runs, got {len(args.runs)}")
    confidence.check_min_effect(args.min_effect)  # before the runs are read
    if args.fail_slower is not None and not 1 <= args.fail_slower < math.inf:
        raise ValueError(
            "--fail-slower must be a finite factor of at least 1, got "
            f"{args.fail_slower}"
        )
    page = files.output_path(args.html, "--html") if args.html else None
    table = compare.compare(*args.runs, min_effect=args.min_effect)
    if args.markdown:
        print(compare.markdown(table), end="")
    else:
        _print(table)
    if page:
        files.write_text(page, compare.html_page(table))
        print(f"Wrote {page}")
    if args.fail_slower is None:
        return 0
    slower = compare.regressions(table, args.fail_slower)
    if len(slower):
        print(
            f"\n{len(slower)} row(s) significantly slower by more than "
            f"{args.fail_slower}x:\n" + words.humane(slower).to_string(index=False)
        )
        return 1
    return 0


def _print(table) -> None:
    diff = table.attrs["environment_differences"]
    print("What differs between the environments:")
    print(diff.to_string(index=False) if len(diff) else "  nothing recorded differs")
    runs = " vs ".join(table.attrs["runs"])
    print(f"\nTime in A and B, B / A with its 95% interval ({runs}):")
    print(words.humane(table).to_string(index=False, float_format=number))
    unmatched = table.attrs["unmatched"]
    if len(unmatched):
        print("\nFound in one run only:")
        print(unmatched.to_string(index=False))
    for note in table.attrs["notes"]:
        print(f"\nnote: {note}")
