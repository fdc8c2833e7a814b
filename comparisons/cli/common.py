"""What the commands share: default values read off the functions they call, the
backend flags, the network flags, the argument types, the progress bar."""

from __future__ import annotations

import argparse
import inspect
import sys
import time

import reference
from reference import validate

from .. import backends as registry


def default(function, name: str):
    """The default of `function`'s parameter `name`: the command's default is the
    function's own, never typed twice."""
    return inspect.signature(function).parameters[name].default


def add_backend_flags(p) -> None:
    """--device, --backends and --backend, as every command that runs backends
    takes them."""
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
    p.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="MODULE:ATTR",
        help="add an outside backend: any object with the backend API "
        "(repeatable), e.g. mypackage.mybackend:backend",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="compile every JAX program afresh, without the persistent "
        "compilation cache (also: TRIPTYCH_NO_CACHE=1)",
    )


def backends(args) -> list[str] | None:
    """--backends and --backend together; None (every installed one) if neither.
    Says on stderr which built-in backend is missing its framework, if any."""
    chosen = validate.split_names(args.backends) if args.backends else []
    extra = list(args.backend)
    if not chosen:
        for reason in registry.missing().values():
            print(f"note: {reason}", file=sys.stderr)
    if not chosen and extra:  # --backend alone: the built-ins that are here, plus it
        chosen = registry.installed()
    return chosen + extra or None


def add_network_flags(p, **meanings: str) -> None:
    """--sizes, --activation, --output and --loss, as train and check take them;
    `meanings`: what each means when left out, for its help."""
    p.add_argument(
        "--sizes",
        type=sizes,
        default=None,
        help=f"layer sizes, 64,32,10 or 64-32-10 ({meanings['sizes']})",
    )
    for flag, choices, what in (
        ("activation", reference.ACTIVATIONS, "hidden activation"),
        ("output", reference.OUTPUTS, "output activation"),
        ("loss", reference.LOSSES, "loss"),
    ):
        text = f"{what} ({meanings[flag]})"
        p.add_argument(f"--{flag}", choices=choices, default=None, help=text)


def add_csv_flag(p, text: str = "write every row here") -> None:
    p.add_argument("--csv", type=out_path, default=None, metavar="PATH", help=text)


# --------------------------------------------------------- argument types


def sizes(text: str) -> tuple[int, ...]:
    """One network's sizes through reference.parse_sizes, the one parser for them."""
    try:
        return reference.parse_sizes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def size_list(text: str) -> list[tuple[int, ...]]:
    """One network, 256,256,10 or 256-256-10, or several the old way:
    256-256-10,1024-1024-10."""
    items = text.split(",") if "-" in text and "," in text else [text]
    return [sizes(item) for item in items]


def batch_size(text: str) -> int | None:
    if text == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an int or 'full', got {text!r}"
        ) from None


def out_path(text: str) -> str:
    """An output path: not empty (an empty one would be quietly ignored)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a path, got {text!r}")
    return text


def int_list(text: str) -> list[int]:
    try:
        return [int(n) for n in text.split(",")]  # an empty item is refused
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected ints like 16,64,256, got {text!r}"
        ) from None


def names(text: str) -> list[str]:
    return validate.split_names(text)


def number(value: float) -> str:
    """A float as the tables print it."""
    return f"{value:.6g}"


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
            line = f"\r{self.label} [{bar:<{self.width}}] {share:4.0%} {what[:40]:<40}"
            print(line, end=end, file=sys.stderr, flush=True)
        elif int(share * 4) > self.last_quarter:  # a log file: a line per quarter
            self.last_quarter = int(share * 4)
            print(f"{self.label}: {share:.0%} {what}", file=sys.stderr, flush=True)
