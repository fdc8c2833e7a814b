"""Shared test helpers: batches that fit a spec, the oracle on the same inputs,
bench frames made up from given times, and slow fixtures made once per run."""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from pathlib import Path

import pandas as pd

import reference
from comparisons import runs
from reference import NetworkSpec

try:
    import fcntl  # POSIX file locks, to share a fixture between xdist's workers
except ImportError:  # Windows: each worker makes its own
    fcntl = None


def once_per_run(tmp_path_factory, name: str, make):
    """`make(folder)` once for the whole test run, its result shared by every
    pytest-xdist worker: the first worker to ask makes it while the others wait
    on a lock, then they read the result back (pickled). A module-scoped fixture
    is made once per worker instead: the quick report twice, side by side, at
    about 100 s each on two cores. Without xdist (or file locks), just
    make(folder)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None or fcntl is None:
        return make(tmp_path_factory.mktemp(name))
    run = tmp_path_factory.getbasetemp().parent  # the run's folder, above each worker's
    saved = run / f"{name}.pickle"
    with open(run / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not saved.exists():  # the first to ask; a failed make leaves no pickle
            result = make(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=run)))
            saved.write_bytes(pickle.dumps(result))
            return result
    return pickle.loads(saved.read_bytes())


def make_batch(spec: NetworkSpec, n: int = 16, seed: int = 1, labels: bool = True):
    """x and a y that fit the spec (see reference.data.random_batch)."""
    return reference.data.random_batch(spec, n, seed, labels)


# the inputs as the float64 oracle sees them (rounded to the dtype), and as a
# backend's own arrays: the harness's one path for both, comparisons.runs
on_oracle_inputs = runs.rounded
native = runs.native


def assert_agrees(actual, expected, dtype: str, K: int = 1, what: str = ""):
    """`actual` is within the tolerance policy of the oracle's `expected`."""
    from reference.tolerance import compare

    result = compare(actual, expected, dtype, K)
    assert result.passed, f"{what}: {result}"


def assert_params_agree(actual, expected, dtype: str, K: int = 1, what: str = ""):
    """Every W and b of `actual` (NumPy) agrees with `expected` under the policy,
    errors relative to the magnitude of the whole parameter list."""
    from reference.tolerance import compare, group_scale

    assert len(actual) == len(expected)
    scale = group_scale([p for layer in expected for p in layer])
    for i, (layer, ref_layer) in enumerate(zip(actual, expected)):
        for name, a, r in zip(("W", "b"), layer, ref_layer):
            where = f"{what} layer {i} {name}"
            assert a.shape == r.shape, f"{where}: {a.shape} != {r.shape}"
            result = compare(a, r, dtype, K, scale=scale)
            assert result.passed, f"{where}: {result}"


def fake_frame(times: dict, blocks: int = 5, **fields) -> pd.DataFrame:
    """A bench frame from {(backend, variant): [seconds per process]}: every block
    of a process takes that time; `fields` override the grid point's columns."""
    rows = []
    point = {
        **dict(op="train_step", sizes="8-8-3", batch=16, dtype="float32"),
        **fields,
    }
    for (backend, variant), per_process in times.items():
        for process, t in enumerate(per_process):
            rows.append(
                dict(
                    backend=backend,
                    variant=variant,
                    **point,
                    process=process,
                    median_s=t,
                    blocks_s=" ".join([f"{t:.6g}"] * blocks),
                )
            )
    return pd.DataFrame(rows)


# tests/timing_backends.py's three "runs" of (NumPy, a slowed NumPy), timed in
# one benchmark: the timing tests' one measurement (see `timed_runs`)
RUNS = ("before", "again", "after")  # the planted slowdown: 1.0, 1.0, then 1.3
TIMED = [f"{run}_{b}" for run in RUNS for b in ("twin", "slowed")]


def timed_runs(repeats: int = 8) -> pd.DataFrame:
    """The train step of every backend in TIMED, `repeats` processes each,
    interleaved, on one thread: one small grid point, nothing else timed.

    One benchmark serves every timing test: the A/A pair (NumPy under two names,
    `before_twin` and `again_twin`), the planted 1.3x (`after_slowed` against
    `after_twin`) and `compare`'s three runs, saved apart. Eight processes a side:
    with the workers' allocator fixed (comparisons/bench/worker.py), processes of
    one name agree within a few per cent, and eight tell 1.3x from that. 0.35 s
    of blocks a process (about a dozen calls of the step): on a quiet machine the
    A/A ratio and the 1.3x came out as with 0.6 s (A/A within 1%, intervals a
    few per cent wide), and the benchmark took 30 s against 41 s."""
    from comparisons import bench

    return bench(
        grid=[((128, 128, 10), 256)],
        ops=["train_step"],
        backends=[f"timing_backends:{name}" for name in TIMED],
        threads=1,
        repeats=repeats,
        variants=("triptych",),
        timer_check=False,
        roofline=False,
        budget_s=0.35,
    )


class TwoTries:
    """A timing measurement that a test may take once more, on fresh processes.

    A 95% interval calls identical code different in one run out of twenty by
    design, and a run on a busy shared machine (load above 2 on 2 cores in CI) can
    be too noisy to show a planted 1.3x; the second run is independent, so a
    correct harness fails an A/A test in both about one time in 400. A harness
    that is wrong the same way every run (a ratio upside down, the slowdown put
    on the wrong backend) fails both; the intervals' width is pinned without
    timing, on made-up frames, in tests/test_bench.py."""

    def __init__(self, measure):
        self.measure = measure  # () -> a fresh measurement
        self.results = []  # at most two, shared by every test that asks

    def check(self, check):
        """`check(measurement)` on the first run; where it fails, on a second."""
        failures = []
        for attempt in range(2):
            if len(self.results) <= attempt:
                self.results.append(self.measure())
            try:
                result = check(self.results[attempt])
            except AssertionError as failure:
                failures.append(f"run {attempt + 1}: {failure}")
                continue
            if failures:  # said in pytest's warnings summary, never silent
                warnings.warn(f"passed on a second run; {failures[0]}", stacklevel=2)
            return result
        raise AssertionError("failed in two independent runs:\n" + "\n".join(failures))
