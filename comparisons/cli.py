"""The `triptych` command line: the only module of the harness that prints.

Every command is a thin layer over a function of `comparisons` that returns a
DataFrame. `triptych --help` imports neither torch nor jax.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

import reference
from reference import validate

from . import backends as registry
from . import files
from .assertions import failure_table
from .consistency import blamed, check, default_specs, summary
from .training import default_spec, train


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _stop_on_sigterm()
    try:
        return args.run(args)
    except (ValueError, TypeError, registry.BackendUnavailable) as error:
        print(f"triptych {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"triptych {args.command}: interrupted", file=sys.stderr)
        return 130


def _stop_on_sigterm() -> None:
    """SIGTERM ends the command as Ctrl-C does, through every `finally`: worker
    processes are stopped and half-written files removed (Python's default would
    end the process on the spot)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triptych",
        description="One neural network in NumPy, PyTorch and JAX, side by side.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "train",
        help="train one network with every backend from the same start",
        description="Train one spec with every available backend from the same "
        "initial parameters on the same minibatches; print per backend the first "
        "and final loss, the accuracy (classification), and the largest loss "
        "difference along the way against the other backends and the float64 oracle.",
    )
    p.add_argument("--dataset", default="digits", choices=list(reference.data.DATASETS))
    _add_network_flags(
        p,
        sizes="default: n_features,32,n_outputs",
        activation="default: tanh",
        output="default: softmax to classify, identity to regress",
        loss="default: cross_entropy to classify, mse to regress",
    )
    p.add_argument("--dtype", choices=reference.DTYPES, default="float32")
    p.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    p.add_argument(
        "--steps", type=int, default=300, help="gradient steps (default: 300)"
    )
    p.add_argument(
        "--batch-size",
        type=_batch_size,
        default=64,
        help="minibatch size, or 'full' for the whole set (default: 64)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="init and batch order (default: 0)"
    )
    _add_backend_flags(p)
    p.add_argument(
        "--csv", default=None, metavar="PATH", help="also write the table here"
    )
    p.set_defaults(run=_run_train)

    p = commands.add_parser(
        "check",
        help="prove the backends agree with the float64 oracle and each other",
        description="Compare every backend with the float64 oracle and with every "
        "other backend at three levels -- unit (activations and losses), network "
        "(forward, loss, gradients, one step, for every spec) and trajectory (30 "
        "steps of training) -- and print a summary per backend and level. Without "
        "network flags: every combination on two small nets. With them: the "
        "networks they give, a flag left out spanning every valid value (--sizes "
        "64,32,10 alone checks all 15 combinations on that net), at every level. "
        "Exits 1 when any comparison fails.",
    )
    _add_backend_flags(p)
    _add_network_flags(
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
        "--dtypes", type=_names, default=None, help="several: float32,float64"
    )
    p.add_argument(
        "--levels",
        type=_names,
        default=None,
        help="some of unit,network,trajectory (default: all)",
    )
    p.add_argument("--seed", type=int, default=0, help="init and data (default: 0)")
    p.add_argument("--csv", default=None, metavar="PATH", help="write every row here")
    p.set_defaults(run=_run_check)

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
    p.add_argument(
        "--sizes",
        type=_size_list,
        nargs="+",
        default=None,
        help="networks, e.g. 256,256,10 1024,1024,10 (or 256-256-10)",
    )
    p.add_argument(
        "--batches", type=_int_list, default=None, help="e.g. 1,16,256,4096"
    )
    _add_backend_flags(p)
    p.add_argument(
        "--ops",
        type=_names,
        default=None,
        help="some of forward,loss_and_grads,train_step (default: all)",
    )
    p.add_argument("--dtypes", type=_names, default=None, help="default: float32")
    p.add_argument(
        "--variants",
        type=_names,
        default=None,
        help="some of triptych,matmuls,idiomatic,compiled,idiomatic_compiled,nojit "
        "(default: all each backend has)",
    )
    p.add_argument(
        "--threads", type=int, default=None, help="per process (default: all CPUs)"
    )
    p.add_argument(
        "--repeats", type=int, default=None, help="processes per backend (default 3)"
    )
    p.add_argument(
        "--min-effect",
        type=float,
        default=0.05,
        help="the smallest difference called faster or slower (default 0.05)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="time limit of each worker process (default 900); one that passes "
        "it is killed and its cases reported",
    )
    p.add_argument(
        "--quick", action="store_true", help="a small grid, two processes each"
    )
    p.add_argument(
        "--csv",
        default=None,
        metavar="PATH",
        help="write every row here (with each block's time), and the environment "
        "beside it",
    )
    p.set_defaults(run=_run_bench)

    p = commands.add_parser(
        "report",
        help="the main job: consistency, trajectories and timings in one report",
        description="Run the consistency check (every level), the training "
        "trajectories on the digits and the diabetes sets, and the benchmark, then "
        "write one self-contained HTML page with plots, the same in Markdown, and "
        "the CSVs and environment behind them.",
    )
    p.add_argument("--out", default="report", help="folder to write (default: report/)")
    p.add_argument(
        "--quick",
        action="store_true",
        help="a small run of each part (under a minute): a first look",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds other files",
    )
    _add_backend_flags(p)
    p.set_defaults(run=_run_report)

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
    p.add_argument("runs", nargs="+", metavar="RUN", help="bench CSVs or report folders")
    p.add_argument(
        "--min-effect",
        type=float,
        default=0.05,
        help="the smallest difference called faster or slower (default 0.05)",
    )
    p.add_argument(
        "--fail-slower",
        type=float,
        default=None,
        metavar="F",
        help="exit 1 if any row is significantly slower by more than the factor F "
        "(e.g. 1.1), to guard CI",
    )
    p.add_argument("--markdown", action="store_true", help="print Markdown instead")
    p.add_argument("--html", default=None, metavar="PATH", help="also write a page")
    p.set_defaults(run=_run_compare)

    from . import cli_show  # `triptych show`: its parser and runner live there

    cli_show.add_parser(commands)
    return parser


def _run_train(args) -> int:
    data = reference.data.load(args.dataset)
    spec = default_spec(
        data,
        dtype=args.dtype,
        sizes=args.sizes,
        activation=args.activation,
        output=args.output,
        loss=args.loss,
    )
    validate.check_train_args(
        args.lr, args.steps, args.batch_size, args.seed, None, len(data.x)
    )
    _report_missing_backends(args.backends)
    batch = "full batch" if args.batch_size is None else f"batches of {args.batch_size}"
    print(
        f"Training {spec} on {data.name} ({len(data.x)} examples), "
        f"lr {args.lr}, {args.steps} steps, {batch}, seed {args.seed}"
    )
    table = train(
        data,
        spec,
        _backends(args),
        args.lr,
        args.steps,
        args.batch_size,
        args.seed,
        args.device,
    )
    print(table.to_string(index=False, float_format=_float))
    worst = table.max_diff_vs_backends.max()
    print(
        f"\nLargest loss difference between backends along the way: {worst:.3g}; "
        f"against the float64 oracle: {table.max_diff_vs_oracle.max():.3g}. "
        f"accuracy is on the whole data set; seconds include JIT compilation."
    )
    if args.csv:
        table.to_csv(args.csv, index=False)
        print(f"Wrote {args.csv}")
    return 0


def _run_check(args) -> int:
    _report_missing_backends(args.backends)
    specs = _specs_from_flags(args)
    dtypes = [args.dtype] if args.dtype else args.dtypes
    if specs is not None:
        dtypes = dtypes or list(reference.DTYPES)  # a flag not given spans them all
        print(f"Checking {_networks(specs)}, each in {' and '.join(dtypes)}")
    started = time.perf_counter()
    results = check(
        specs,
        _backends(args),
        dtypes,
        args.levels,
        args.seed,
        progress=ProgressBar("check"),
        device=args.device,
    )
    seconds = time.perf_counter() - started
    print(summary(results).to_string(index=False, float_format=_float))
    failed = results[~results.passed]
    print(
        f"\n{len(results)} comparisons, {len(failed)} failed, in {seconds:.0f} s. "
        f"worst_share_of_tol: the case closest to its tolerance (1 = at it); a "
        f"failure between two backends counts against the one the oracle finds off."
    )
    counted = results[blamed(results)]
    if len(counted):
        shown = min(len(counted), 20)
        print(f"\nFailures, worst first ({shown} of {len(counted)}):")
        print(failure_table(counted, 20))
    if args.csv:
        results.to_csv(args.csv, index=False)
        print(f"Wrote {args.csv}")
    return 1 if len(failed) else 0


def _specs_from_flags(args) -> list[reference.NetworkSpec] | None:
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
    which = "every valid activation/output/loss" if len(combos) == 15 else None
    count = f"{len(specs)} network{'s' if len(specs) > 1 else ''}"
    return f"{count} ({which or ', '.join(combos)} on {sizes})"


def _run_report(args) -> int:
    from .report import report

    _report_missing_backends(args.backends)
    backends = _backends(args)
    started = time.perf_counter()
    frames = report(
        args.out, args.quick, args.force, backends, ProgressBar("report"), args.device
    )
    seconds = time.perf_counter() - started
    from .bench import words

    failed = 0
    if "consistency" in frames:
        results = frames["consistency"]
        failed = int((~results.passed).sum())
        print(
            f"{len(results)} comparisons, {failed} failed: "
            + ("the backends agree." if failed == 0 else "see the report.")
        )
    if "verdicts" in frames:
        versus = frames["verdicts"]
        print("Train step, with 95% intervals between processes:")
        lines = words.by_grid_point(versus, words.ours(versus))
        print("\n".join(f"  {line}" for line in lines))
        for warning in words.warnings(frames["timings"]):
            print(f"\n{warning}")
    for stage, error in frames["errors"].items():
        print(f"\nINCOMPLETE: the {stage} stage failed: {error}", file=sys.stderr)
    print(
        f"\nReport written to {args.out}/index.html (and README.md, CSVs, PNGs) "
        f"in {seconds:.0f} s."
    )
    return 1 if failed or frames["errors"] else 0


def _run_bench(args) -> int:
    from . import bench

    _report_missing_backends(args.backends)
    csv = files.output_path(args.csv, "--csv") if args.csv else None
    grid = bench.run.QUICK_GRID if args.quick else None
    if args.sizes or args.batches:
        sizes = [s for group in args.sizes for s in group] if args.sizes else None
        batches = args.batches or [1, 16, 256, 4096]
        grid = [(s, b) for s in sizes or [(256, 256, 10)] for b in batches]
    repeats = 2 if args.quick and args.repeats is None else args.repeats
    started = time.perf_counter()
    frame = bench(
        grid,
        _backends(args),
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
    print(_machine_line(frame.attrs["environment"]))
    _print_bench(frame, args.min_effect)
    print(f"\n{len(frame)} measurements in {seconds:.0f} s.")
    if csv:
        env_path = bench.write_csv(frame, csv)
        print(f"Wrote {csv} and {env_path}")
    return 0


def _machine_line(env: dict) -> str:
    worker = next(iter(env["workers"].values()))
    machine = env["machine"]
    peaks = ", ".join(f"{d} {g:.0f} GFLOP/s" for d, g in machine["peak_gflops"].items())
    versions = ", ".join(f"{k} {v}" for k, v in worker["versions"].items())
    return (
        f"Machine: {worker['cpu']}, {env['harness']['threads_requested']} threads per "
        f"process; roofs: {peaks}, memory {machine['memory_gbs']:.1f} GB/s; {versions}"
    )


def _print_bench(frame, min_effect: float) -> None:
    from .bench import summary, targets, verdicts, words

    table = summary(frame)
    if len(table):
        print("\nOur implementations, median over processes (ratios below 1 are faster):")
        print(words.humane(table).to_string(index=False, float_format=_float))
    for op in dict.fromkeys(frame.op):
        try:
            table = verdicts(frame, op, min_effect)
        except ValueError as error:
            print(f"\n{op}: no verdicts: {error}")
            continue
        print(f"\n{op}, backend against backend (95% intervals between processes):")
        for line in words.by_grid_point(table, words.ours(table)):
            print(f"  {line}")
        if op == "train_step":
            _print_eager_and_compiled(frame, table)
    lines = words.bounds(frame)
    if lines:
        print("\nWhere overhead ends (train step):")
        print("\n".join(f"  {line}" for line in lines))
    goals = targets(frame)
    if len(goals):
        print("\nTargets:")
        print(goals.to_string(index=False, float_format=_float))
    for warning in words.warnings(frame):
        print(f"\n{warning}")


def _print_eager_and_compiled(frame, table) -> None:
    from .bench import words

    compile_s = frame.groupby(["backend", "variant"]).compile_s.median()
    for title, group in (("eager", words.EAGER), ("compiled", words.COMPILED)):
        lines = words.by_grid_point(table, group)
        if not lines:
            continue
        cost = ", ".join(
            f"{words.name(c)} {compile_s[c]:.2g} s"
            for c in group
            if c in compile_s.index
        )
        print(f"\n  {title} against {title} (compile cost per first call: {cost}):")
        print("\n".join(f"    {line}" for line in lines))


def _run_compare(args) -> int:
    from . import compare
    from .bench import words

    if len(args.runs) < 2:
        raise ValueError(f"compare needs at least 2 runs, got {len(args.runs)}")
    if args.fail_slower is not None and args.fail_slower < 1:
        raise ValueError(f"--fail-slower must be a factor of at least 1, got {args.fail_slower}")
    if args.html:
        files.output_path(args.html, "--html")
    table = compare.compare(*args.runs, min_effect=args.min_effect)
    if args.markdown:
        print(compare.markdown(table), end="")
    else:
        _print_compare(table)
    if args.html:
        files.write_text(args.html, compare.html_page(table))
        print(f"Wrote {args.html}")
    if args.fail_slower is None:
        return 0
    slower = compare.regressions(table, args.fail_slower)
    if len(slower):
        print(f"\n{len(slower)} row(s) significantly slower by more than "
              f"{args.fail_slower}x:\n" + words.humane(slower).to_string(index=False))  # fmt: skip
        return 1
    return 0


def _print_compare(table) -> None:
    from .bench import words

    diff = table.attrs["environment_differences"]
    print("What differs between the environments:")
    print(diff.to_string(index=False) if len(diff) else "  nothing recorded differs")
    print(f"\nTime in A and B, B / A with its 95% interval ({' vs '.join(table.attrs['runs'])}):")
    print(words.humane(table).to_string(index=False, float_format=_float))
    unmatched = table.attrs["unmatched"]
    if len(unmatched):
        print("\nFound in one run only:")
        print(unmatched.to_string(index=False))
    for note in table.attrs["notes"]:
        print(f"\nnote: {note}")


class ProgressBar:
    """`progress(done, total, what)` for the harness: a bar on stderr that shows
    itself only once a run has taken more than a couple of seconds."""

    def __init__(self, label: str, after_s: float = 2.0, width: int = 30):
        self.label, self.after_s, self.width = label, after_s, width
        self.started = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.last_quarter = -1

    def __call__(self, done: int, total: int, what: str) -> None:
        if time.perf_counter() - self.started < self.after_s and done < total:
            return
        share = done / max(total, 1)
        if self.tty:
            bar = "#" * int(share * self.width)
            end = "\n" if done >= total else ""
            print(
                f"\r{self.label} [{bar:<{self.width}}] {share:4.0%} {what[:40]:<40}",
                end=end,
                file=sys.stderr,
                flush=True,
            )
        elif int(share * 4) > self.last_quarter:  # a log file: a line per quarter
            self.last_quarter = int(share * 4)
            print(f"{self.label}: {share:.0%} {what}", file=sys.stderr, flush=True)


def _add_backend_flags(p) -> None:
    p.add_argument(
        "--device",
        default=None,
        help="where torch, JAX and outside backends run: cpu, cuda, cuda:1, "
        "or a JAX platform such as gpu (default: the CPU; NumPy always)",
    )
    p.add_argument(
        "--backends",
        default=None,
        help="comma-separated names or module:attribute paths "
        "(default: every installed backend)",
    )
    p.add_argument("--backend", action="append", default=[], metavar="MODULE:ATTR",
                   help="add an outside backend: any object with the backend API "
                        "(repeatable), e.g. mypackage.mybackend:backend")  # fmt: skip


def _backends(args) -> list[str] | None:
    """--backends and --backend together; None (every installed one) if neither."""
    chosen = _names(args.backends) if args.backends else []
    extra = list(args.backend)
    if not chosen and extra:  # --backend alone: the built-ins that are here, plus it
        table = registry.available()
        chosen = list(table.loc[table.available, "backend"])
    return chosen + extra or None


def _report_missing_backends(requested) -> None:
    """Say which built-in backends are skipped because their framework is missing."""
    if requested is not None:
        return
    table = registry.available()
    for reason in table.loc[~table.available, "reason"]:
        print(f"note: {reason}", file=sys.stderr)


def _add_network_flags(p, **defaults: str) -> None:
    """--sizes, --activation, --output and --loss, as train and check take them;
    `defaults`: what each means when left out, for its help."""
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help=f"layer sizes, 64,32,10 or 64-32-10 ({defaults['sizes']})",
    )
    for flag, choices, what in (
        ("activation", reference.ACTIVATIONS, "hidden activation"),
        ("output", reference.OUTPUTS, "output activation"),
        ("loss", reference.LOSSES, "loss"),
    ):
        help = f"{what} ({defaults[flag]})"
        p.add_argument(f"--{flag}", choices=choices, default=None, help=help)


def _sizes(text: str) -> tuple[int, ...]:
    """--sizes through reference.parse_sizes, the one parser for sizes."""
    try:
        return reference.parse_sizes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _batch_size(text: str) -> int | None:
    if text == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an int or 'full', got {text!r}"
        ) from None


def _size_list(text: str) -> list[tuple[int, ...]]:
    """One network, 256,256,10 or 256-256-10, or several the old way:
    256-256-10,1024-1024-10."""
    items = text.split(",") if "-" in text and "," in text else [text]
    return [_sizes(item) for item in items]


def _int_list(text: str) -> list[int]:
    try:
        return [int(n) for n in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected ints like 16,64,256, got {text!r}"
        ) from None


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _float(value: float) -> str:
    return f"{value:.6g}"


if __name__ == "__main__":
    sys.exit(main())
