"""Fixtures: every test that takes `backend` runs once per backend.

A backend whose framework is not installed is skipped with the reason -- unless
it is named in TRIPTYCH_REQUIRE_BACKENDS (set by `python3 dev.py test`, where all
three are installed), in which case its absence is a failure, not a skip.

The run gets a JAX compilation cache of its own, in a temporary folder removed at
the end: no test depends on what ran before, and the processes the tests start
(CLI runs, benchmark workers, pytest-xdist's workers, the notebook's kernel)
share it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/helpers.py

from comparisons import backends as registry  # noqa: E402
from comparisons import cache  # noqa: E402

OWNER = "TRIPTYCH_TEST_CACHE_OWNER"  # the process that made the cache removes it
if OWNER not in os.environ:  # pytest itself, not one of its xdist workers
    os.environ[OWNER] = str(os.getpid())
    os.environ[cache.FOLDER] = tempfile.mkdtemp(prefix="triptych-test-cache-")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = str(cache.folder() / "jax")
    os.environ.pop(cache.OFF, None)
cache.enable()


# Each pytest-xdist worker on a CPU of its own, and so every process it starts:
# the benchmark workers pin themselves to the first CPUs they may use, and XLA
# and OpenMP size their thread pools by the CPUs allowed. Unpinned, the two
# workers' subprocesses crowded onto the same CPU and their threads spun against
# each other: the spread pass took 197 s and 374 CPU-s, pinned 150 s and 283.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ...; None without -n
if WORKER and hasattr(os, "sched_setaffinity"):
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, [cpus[int(WORKER.removeprefix("gw")) % len(cpus)]])


def pytest_unconfigure(config):
    if os.environ.get(OWNER) == str(os.getpid()):
        shutil.rmtree(os.environ[cache.FOLDER], ignore_errors=True)


REQUIRED = {
    name for name in os.environ.get("TRIPTYCH_REQUIRE_BACKENDS", "").split(",") if name
}


def load_backend(name: str):
    try:
        return registry.load(name)
    except registry.BackendUnavailable as error:
        if name in REQUIRED:
            pytest.fail(f"{error} (required by TRIPTYCH_REQUIRE_BACKENDS)")
        pytest.skip(str(error))


@pytest.fixture(params=registry.names())
def backend(request):
    return load_backend(request.param)


@pytest.fixture(params=["float32", "float64"])
def dtype(request):
    return request.param


@pytest.fixture(scope="session")
def timed():
    """The timing tests' one benchmark (helpers.timed_runs), shared by every test
    that asks, and taken a second time only where a test fails the first
    (helpers.TwoTries)."""
    from helpers import TwoTries, timed_runs

    return TwoTries(timed_runs)
