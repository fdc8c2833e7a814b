#!/usr/bin/env python3
"""Set up and run triptych from a fresh clone, on a machine with nothing but Python.

    python3 dev.py main [ARGS]        the main job: `triptych report` -- consistency,
                                      trajectories and timings into report/
    python3 dev.py test [PYTEST ARGS] the test suite, every backend required: over
                                      every CPU, then the timing tests alone
    python3 dev.py triptych ARGS      any triptych command, in the project's .venv

Each first makes `.venv` if it is missing and installs requirements.txt (exact
pins) and the project (editable) into it -- again only when requirements.txt or
pyproject.toml changed since. pip reads its usual settings, so PIP_INDEX_URL /
PIP_EXTRA_INDEX_URL choose where the wheels come from (see requirements.txt for
torch's CPU-only build).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / "triptych-installed.sha256"


def ensure_environment() -> None:
    """Create .venv and install into it, unless that is already done and current."""
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print(f"dev.py: creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256(
        b"".join(
            (ROOT / f).read_bytes() for f in ("requirements.txt", "pyproject.toml")
        )
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("dev.py: installing requirements.txt and triptych into .venv", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "-q", "-r", str(ROOT / "requirements.txt")], check=True)
    subprocess.run([*pip, "-q", "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(digest)


def run_tests(python: str, args: list[str]) -> int:
    """pytest, every backend required. Without arguments in two passes: the tests
    spread over every CPU (pytest-xdist), then the ones marked `timing` alone,
    since they compare timings and nothing may run beside them. With arguments,
    one pass, as asked."""
    # Here all three frameworks are installed, so a missing one is a failure,
    # not a skip (tests/conftest.py reads this).
    env = {**os.environ, "TRIPTYCH_REQUIRE_BACKENDS": "numpy,torch,jax"}
    pytest = [python, "-m", "pytest"]
    if args:
        return subprocess.run([*pytest, *args], cwd=ROOT, env=env).returncode
    # worksteal: a process that runs out of tests takes some queued for the other.
    # One BLAS/OpenMP thread per test process, since there is a process per CPU
    # already: more threads than cores wait on each other (the suite took 336 s
    # with them, 293 s without, on 2 cores). The benchmark workers the tests
    # start set their own thread counts.
    one_thread = {
        n: "1" for n in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    }
    spread = [*pytest, "-n", "auto", "--dist", "worksteal", "-m", "not timing"]
    spread = subprocess.run(spread, cwd=ROOT, env={**env, **one_thread})
    alone = subprocess.run([*pytest, "-m", "timing"], cwd=ROOT, env=env)
    return spread.returncode or alone.returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("main", "test", "triptych"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_environment()
    command, rest = argv[0], argv[1:]
    python = str(BIN / "python")
    if command == "test":
        return run_tests(python, rest)
    if command == "main":
        rest = ["report", *rest]
    return subprocess.run([python, "-m", "comparisons.cli", *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
