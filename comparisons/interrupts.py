"""Interruptions: Ctrl-C and SIGTERM stop a command cleanly, never half-way
through a step that must not be cut in two.

- `stop_on_sigterm`: SIGTERM raises KeyboardInterrupt, as Ctrl-C does, so every
  `finally` runs: worker processes are stopped, temporary files removed (Python's
  default for SIGTERM ends the process on the spot);
- `signals_held`: SIGINT and SIGTERM wait until a block is done -- starting a
  worker process (so that none is left running unseen) or swapping a finished
  report in (so that no signal lands between two renames).
"""

from __future__ import annotations

import contextlib
import signal
import threading

HELD = (signal.SIGINT, signal.SIGTERM)


def stop_on_sigterm() -> None:
    """From now on, SIGTERM ends this process as Ctrl-C does (main thread only)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def signals_held():
    """SIGINT and SIGTERM wait until the block is done; one that came meanwhile
    is delivered right after (main thread only: elsewhere the block runs as is).

    The signals are caught and noted, not blocked: blocking (pthread_sigmask) is
    per thread, and the kernel hands a signal sent to the process to any thread
    that does not block it -- a BLAS thread, say -- after which Python runs the
    handler in the main thread in the middle of the block. A handler of ours
    runs there too, but only notes it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came = []
    previous = {
        s: signal.signal(s, lambda signum, _: came.append(signum)) for s in HELD
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if came:
            signal.raise_signal(came[0])
