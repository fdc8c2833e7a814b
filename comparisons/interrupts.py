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


def stop_on_sigterm() -> None:
    """From now on, SIGTERM ends this process as Ctrl-C does (main thread only)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def signals_held():
    """SIGINT and SIGTERM wait until the block is done (where the OS allows);
    one that came meanwhile is delivered right after."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
