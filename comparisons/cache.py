"""JAX's persistent compilation cache, in a triptych folder under the user's cache
directory: a rerun loads the programs compiled before instead of compiling them
again (a cold `triptych check` compiles a few hundred).

Turned on through JAX's own environment variables, before JAX is imported: this
module imports nothing heavy, and every process started from here (the benchmark's
workers, a notebook's kernel) finds the same cache. A JAX_COMPILATION_CACHE_DIR
of the user's own is kept. `--no-cache`, or TRIPTYCH_NO_CACHE=1, turns it off;
torch has nothing of the kind to turn on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OFF = "TRIPTYCH_NO_CACHE"
FOLDER = "TRIPTYCH_CACHE_DIR"  # overrides the folder, as the tests do


def folder() -> Path:
    """$TRIPTYCH_CACHE_DIR, else $XDG_CACHE_HOME/triptych, else ~/.cache/triptych."""
    if os.environ.get(FOLDER):
        return Path(os.environ[FOLDER])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "triptych"


def enable(on: bool = True) -> Path | None:
    """Turn the cache on for this process and those it starts; returns its folder,
    or None where it is off (`on` False, or TRIPTYCH_NO_CACHE set)."""
    if not on or os.environ.get(OFF, "") not in ("", "0"):
        return None
    jax_folder = Path(os.environ.get("JAX_COMPILATION_CACHE_DIR") or folder() / "jax")
    try:
        jax_folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file in the way, no permission: run without it
        print(
            f"note: the JAX compilation cache is off: cannot make {jax_folder} "
            f"({error.strerror})",
            file=sys.stderr,
        )
        return None
    settings = {
        "JAX_COMPILATION_CACHE_DIR": str(jax_folder),
        # our programs compile in a tenth of a second: keep every one of them
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }
    for name, value in settings.items():
        os.environ.setdefault(name, value)
    if sys.modules.get("jax") is not None:  # imported already: tell it directly
        config = sys.modules["jax"].config
        for name in settings:
            config.update(name.lower(), _typed(os.environ[name]))
    return Path(os.environ["JAX_COMPILATION_CACHE_DIR"])


def _typed(value: str):
    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return value
