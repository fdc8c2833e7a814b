"""The `triptych` command line: the only part of the harness that prints.

Every command is a thin layer over a function of `comparisons` that returns a
DataFrame: one module per command, its `add_parser` beside its `run`, and
`common` for what they share (the backend and network flags, the progress bar).
`triptych --help` imports neither torch nor JAX.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys

from .. import backends as registry
from .. import cache
from ..interrupts import stop_on_sigterm

COMMANDS = ("train", "check", "bench", "compare", "report", "show")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    stop_on_sigterm()  # SIGTERM stops a command as Ctrl-C does
    cache.enable(not getattr(args, "no_cache", False))  # before JAX is imported
    try:
        return args.run(args)
    except (ValueError, TypeError, registry.BackendUnavailable) as error:
        print(f"triptych {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"triptych {args.command}: interrupted", file=sys.stderr)
        return 130


def command() -> int:
    """The `triptych` command (and `python -m comparisons.cli`): main(), then an
    exit that does not sweep torch's and JAX's objects for reference cycles.

    Python's exit runs the cycle collector over every object still alive, and
    torch alone leaves enough of them to make that 0.5 s of every command (0.64
    s against 0.13 s for a process that imported torch, JAX and pandas). Frozen,
    they are left out of those sweeps; the process frees its memory as it ends
    anyway. Only here, where the process ends next: main() called from a test or
    a notebook leaves the collector as it was."""
    code = main()
    gc.freeze()
    return code


def parser() -> argparse.ArgumentParser:
    """`triptych` and every command's parser, each from its own module."""
    top = argparse.ArgumentParser(
        prog="triptych",
        description="One neural network in NumPy, PyTorch and JAX, side by side.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(commands)
    return top
