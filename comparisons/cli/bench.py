"""`triptych bench`: how fast is each backend, with what confidence, and how far
from what the machine can do?"""

from __future__ import annotations

import sys
import time

from reference import parse_sizes

from .. import files
from ..bench import confidence, words, work, yardsticks
from ..bench.run import QUICK_GRID, REPEATS, bench, write_csv
from .common import (
    ProgressBar,
    add_backend_flags,
    add_csv_flag,
    backends,
    default,
    int_list,
    names,
    number,
    size_list,
)

SWEEP = [1, 16, 256, 4096]  # the batches of --sizes without --batches


def add_parser(commands) -> None:
    p = commands.add_parser(
        "bench",
        help="time the backends fairly: verdicts with 95%% intervals, the roofline",
        description="Time forward, loss_and_grads and the train step of every "
        "backend, each in fresh processes (3 per backend, interleaved) with the same "
        "threads, beside yardsticks from the same run: the same matrix products "
        "alone, the code a user would write instead (nn.Sequential + optim.SGD; JAX "
        "with optax), torch.compile, and JAX without jit. Prints every comparison as "
        "a ratio with its 95% interval between processes and a verdict (faster, "
        "slower or tie), each row's share of the machine's roofline, where overhead "
        "ends, and whether the timing targets were met.",
    )
    _add_what_flags(p)
    add_backend_flags(p)
    _add_how_flags(p)
    p.set_defaults(run=run)


def _add_what_flags(p) -> None:
    """What is timed: the networks, batches, ops, dtypes and variants."""
    p.add_argument(
        "--sizes",
        type=size_list,
        nargs="+",
        default=None,
        help="networks, e.g. 256,256,10 1024,1024,10 (or 256-256-10)",
    )
    p.add_argument(
        "--batches",
        type=int_list,
        default=None,
        help=f"e.g. 1,16,256,4096 (default with --sizes: {SWEEP})",
    )
    every = dict.fromkeys(v for vs in yardsticks.VARIANTS.values() for v in vs)
    for flag, meaning in (
        ("ops", f"some of {','.join(work.OPS)} (default: all)"),
        ("dtypes", "float32, float64 or both (default: float32)"),
        ("variants", f"some of {','.join(every)} (default: all each backend has)"),
    ):
        p.add_argument(f"--{flag}", type=names, default=None, help=meaning)


def _add_how_flags(p) -> None:
    """How it is timed: threads, processes, the verdicts' threshold, the limit."""
    p.add_argument(
        "--threads", type=int, default=None, help="per process (default: all CPUs)"
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=None,
        help=f"processes per backend (default {REPEATS})",
    )
    _add_min_effect(p)
    timeout = default(bench, "timeout")
    p.add_argument(
        "--timeout",
        type=float,
        default=timeout,
        metavar="SECONDS",
        help=f"time limit of each worker process (default {timeout:g}); "
        "one that passes it is killed and its cases reported",
    )
    p.add_argument(
        "--quick", action="store_true", help="a small grid, two processes each"
    )
    add_csv_flag(
        p,
        "write every row here (with each block's time), and the environment beside it",
    )


def _add_min_effect(p) -> None:
    effect = confidence.MIN_EFFECT
    p.add_argument(
        "--min-effect",
        type=float,
        default=effect,
        help=f"the smallest difference called faster or slower ({effect})",
    )


def run(args) -> int:
    confidence.check_min_effect(args.min_effect)  # before minutes of work, not after
    csv = files.output_path(args.csv, "--csv") if args.csv else None
    grid = QUICK_GRID if args.quick else None
    if args.sizes or args.batches:
        sizes = [s for group in args.sizes for s in group] if args.sizes else None
        grid = [
            (s, b) for s in sizes or [(256, 256, 10)] for b in args.batches or SWEEP
        ]
    repeats = 2 if args.quick and args.repeats is None else args.repeats
    chosen, started = backends(args), time.perf_counter()
    frame = bench(
        grid,
        chosen,
        args.ops,
        args.dtypes,
        args.threads,
        repeats,
        progress=ProgressBar("bench"),
        variants=args.variants,
        device=args.device,
        timeout=args.timeout,
    )
    seconds = time.perf_counter() - started
    print(machine_line(frame.attrs["environment"]))
    print_results(frame, args.min_effect)
    print(f"\n{len(frame)} measurements in {seconds:.0f} s.")
    if csv:
        print(f"Wrote {csv} and {write_csv(frame, csv)}")
    if frame.median_s.isna().all():  # cases that failed are warned of above
        print("No case was timed.", file=sys.stderr)
        return 1
    return 0


def machine_line(env: dict) -> str:
    worker = next((w for w in env["workers"].values() if w.get("cpu")), {})
    machine = env["machine"]
    peaks = ", ".join(
        f"{d} {g:.0f} GFLOP/s"
        for d, g in machine["peak_gflops"].items()
        if g == g  # not NaN
    )
    memory = machine["memory_gbs"]
    memory = (
        f"{memory:.1f} GB/s"
        if memory is not None and memory == memory
        else "not measured"
    )
    versions = ", ".join(f"{k} {v}" for k, v in worker.get("versions", {}).items())
    return (
        f"Machine: {worker.get('cpu') or 'not known (no worker reported it)'}, "
        f"{env['harness']['threads_requested']} threads per process; roofs: "
        f"{peaks or 'not measured'}, memory {memory}; {versions}"
    )


def print_results(frame, min_effect: float) -> None:
    from ..bench import summary, targets

    table = summary(frame)
    if len(table):
        print(
            "\nOur implementations, median over processes (ratios below 1 are faster):"
        )
        print(
            _readable(table).to_string(
                index=False, float_format=lambda v: f"{v:.3g}", na_rep="-"
            )
        )
    for op in dict.fromkeys(frame.op):
        _print_op(frame, op, min_effect)
    lines = words.bounds(frame)
    if lines:
        print("\nWhere overhead ends (train step):")
        print("\n".join(f"  {line}" for line in lines))
    goals = targets(frame)
    if len(goals):
        print("\nTargets:")
        print(goals.to_string(index=False, float_format=number, na_rep="-"))
    for warning in words.warnings(frame):
        print(f"\n{warning}")


def _readable(table):
    """The summary sorted and cut to what a reader compares, times in humane units."""
    columns = [
        "op",
        "sizes",
        "batch",
        "backend",
        "median_s",
        "spread",
        "of_roofline",
        "vs_idiomatic",
        "vs_idiomatic_verdict",
        "vs_matmuls",
    ]
    order = table.assign(width=table.sizes.map(lambda s: parse_sizes(s)[1]))
    order = order.sort_values(["op", "width", "batch", "backend"], kind="stable")
    return words.humane(
        order[columns].rename(columns={"vs_idiomatic_verdict": "verdict"})
    )


def _print_op(frame, op: str, min_effect: float) -> None:
    try:
        table = confidence.verdicts(frame, op, min_effect)
    except ValueError as error:
        print(f"\n{op}: no verdicts: {error}")
        return
    print(f"\n{op}, backend against backend (95% intervals between processes):")
    for line in words.by_grid_point(table, words.ours(table)):
        print(f"  {line}")
    for callable_ in table.attrs["left_out"]:
        print(f"  left out, too few processes: {callable_}")
    if op != "train_step":
        return
    compile_s = frame.groupby(["backend", "variant"]).compile_s.median()
    for title, group in (("eager", words.EAGER), ("compiled", words.COMPILED)):
        lines = words.by_grid_point(table, group)
        cost = ", ".join(
            f"{words.name(c)} {words.seconds(compile_s[c])}"
            for c in group
            if c in compile_s.index
        )
        if lines:
            print(f"\n  {title} against {title} (compile cost per first call: {cost}):")
            print("\n".join(f"    {line}" for line in lines))
