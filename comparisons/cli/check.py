"""`triptych check`: do the backends agree with the float64 oracle and each other?"""

from __future__ import annotations

import time

import reference

from .. import backends as registry
from .. import files
from ..assertions import failure_table
from ..consistency import blamed, check, default_specs, summary
from .common import (
    ProgressBar,
    add_backend_flags,
    add_csv_flag,
    add_network_flags,
    backends,
    default,
    names,
    number,
)


def add_parser(commands) -> None:
    p = commands.add_parser(
        "check",
        help="prove the backends agree with the float64 oracle and each other",
        description="Compare every backend with the float64 oracle and with every "
        "other backend at three levels -- unit (activations and losses), network "
        "(forward, loss, gradients, one step, for every spec) and trajectory (30 "
        "steps of training) -- and print a summary per backend and level. Without "
        "network flags: every combination on two small nets. With them: the "
        "networks they give, a flag left out spanning every valid value (--sizes "
        f"64,32,10 alone checks all {len(reference.combinations())} combinations on "
        "that net), at every level. "
        "Exits 1 when any comparison fails.",
    )
    add_backend_flags(p)
    add_network_flags(
        p,
        sizes="default: 5,7,3 and 6,8,5,4",
        activation="default: every one",
        output="default: every one",
        loss="default: every one",
    )
    dtypes = p.add_mutually_exclusive_group()
    dtypes.add_argument(
        "--dtype",
        choices=reference.DTYPES,
        default=None,
        help="one dtype (default: both)",
    )
    dtypes.add_argument(
        "--dtypes", type=names, default=None, help="several: float32,float64"
    )
    p.add_argument(
        "--levels",
        type=names,
        default=None,
        help="some of unit,network,trajectory (default: all)",
    )
    seed = default(check, "seed")
    p.add_argument(
        "--seed", type=int, default=seed, help=f"init and data (default: {seed})"
    )
    add_csv_flag(p)
    p.set_defaults(run=run)


def run(args) -> int:
    csv = files.output_path(args.csv, "--csv") if args.csv else None
    specs = specs_from_flags(args)
    dtypes = [args.dtype] if args.dtype else args.dtypes
    chosen = backends(args)
    registry.resolve(chosen)  # a backend that is not one: refused before the header
    if specs is not None:
        dtypes = dtypes or list(reference.DTYPES)  # a flag not given spans them all
        print(f"Checking {_networks(specs)}, each in {' and '.join(dtypes)}")
    started = time.perf_counter()
    results = check(
        specs,
        chosen,
        dtypes,
        args.levels,
        args.seed,
        ProgressBar("check"),
        device=args.device,
    )
    seconds = time.perf_counter() - started
    print(summary(results).to_string(index=False, float_format=number))
    failed = results[~results.passed]
    print(
        f"\n{len(results)} comparisons, {len(failed)} failed, in {seconds:.0f} s. "
        f"worst_share_of_tol: the case closest to its tolerance (1 = at it); a "
        f"failure between two backends counts against the one the oracle finds off."
    )
    counted = results[blamed(results)]
    if len(counted):
        shown = min(len(counted), 20)
        each = (
            ""
            if len(counted) == len(failed)
            else (
                f"; of the {len(failed)} failed rows, a failure between two backends "
                f"is listed once, against the one the oracle finds off"
            )
        )
        print(f"\nFailures, worst first ({shown} of {len(counted)}{each}):")
        print(failure_table(counted, 20))
    if csv:
        files.write_csv(results, csv)
        print(f"Wrote {csv}")
    return 1 if len(failed) else 0


def specs_from_flags(args) -> list[reference.NetworkSpec] | None:
    """The networks --sizes, --activation, --output and --loss give, each flag left
    out spanning every valid value; None (check's own default) if none is given."""
    flags = dict(activation=args.activation, output=args.output, loss=args.loss)
    if args.sizes is None and not any(flags.values()):
        return None
    sizes = [args.sizes] if args.sizes else sorted({s.sizes for s in default_specs()})
    chosen = [
        combo
        for combo in reference.combinations()
        if all(v in (None, c) for v, c in zip(flags.values(), combo))
    ]
    if not chosen:  # e.g. --output identity --loss cross_entropy: the spec says why
        reference.NetworkSpec(sizes[0], **{k: v or "tanh" for k, v in flags.items()})
    return [reference.NetworkSpec(size, *combo) for size in sizes for combo in chosen]


def _networks(specs) -> str:
    """'15 networks (every valid activation/output/loss on 64-32-10)', or
    '1 network (relu/sigmoid/mse on 6-5-4)', and the like."""
    sizes = ", ".join(dict.fromkeys("-".join(map(str, s.sizes)) for s in specs))
    combos = dict.fromkeys(f"{s.activation}/{s.output}/{s.loss}" for s in specs)
    every = len(combos) == len(reference.combinations())
    which = "every valid activation/output/loss" if every else ", ".join(combos)
    count = f"{len(specs)} network{'s' if len(specs) > 1 else ''}"
    return f"{count} ({which} on {sizes})"
