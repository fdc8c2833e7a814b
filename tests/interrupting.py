"""`triptych ARGS...` that sends itself a signal at an exact moment of writing
the report -- a real signal, delivered where no outside timing could aim:

    python tests/interrupting.py MOMENT SIGNUM ARGS...

MOMENT is `writing` (while the files go into the staged folder) or `swapping`
(as the staged folder is renamed into place, with the signals held).
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comparisons import cli  # noqa: E402
from comparisons.report import render  # noqa: E402


def signal_once_before(owner, name: str, signum: int) -> None:
    """Replace owner.name by a function that first sends this process `signum`
    (on the first call only), then does what the original did."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapped(*args, **kwargs):
        setattr(owner, name, original)
        os.kill(os.getpid(), signum)
        return original(*args, **kwargs)

    setattr(owner, name, wrapped)


def main(moment: str, signum: int, args: list[str]) -> int:
    if moment == "writing":  # the plots: half the files written, half not
        signal_once_before(render, "_plots", signum)
    elif moment == "swapping":  # the first rename after every file is written
        write = render.write

        def write_then_arm(*a, **k):
            write(*a, **k)
            signal_once_before(os, "rename", signum)

        render.write = write_then_arm
    else:
        raise SystemExit(f"moment must be writing or swapping, got {moment!r}")
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:]))
