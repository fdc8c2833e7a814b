"""`comparisons.assert_agree` and the pytest plugin: a backend's author asserts
agreement with the float64 oracle in their own suite, in three lines."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import broken
import pytest

import comparisons
from examples import autodiff_backend as example_backend
from reference import NetworkSpec

ROOT = Path(__file__).resolve().parent.parent
SPEC = NetworkSpec("4,4,4,3", "relu", "identity", "mse", "float32")
DTYPES = ["float32", "float64"]


def test_an_agreeing_backend_passes_and_gets_the_rows_back():
    results = comparisons.assert_agree(example_backend, SPEC)
    assert set(results.backend) == {"autodiff"} and set(results.against) == {"oracle"}
    assert set(results.level) == {"unit", "network", "trajectory"}
    assert results.passed.all()


def test_a_broken_backend_raises_with_the_worst_failures_first():
    with pytest.raises(AssertionError) as raised:
        comparisons.assert_agree(broken.grads_scaled(), SPEC, ["network"])
    lines = str(raised.value).splitlines()
    assert lines[0] == (
        "backend 'scaled-grads' disagrees with the float64 oracle in 12 of 14 "
        "comparisons; the worst 12:"
    )
    assert lines[1].split() == [
        "level",
        "quantity",
        "spec",
        "dtype",
        "backend",
        "against",
        "error",
        "tol",
        "error/tol",
    ]
    shares = [float(line.split()[-1]) for line in lines[2:]]
    assert len(shares) == 12 and shares == sorted(shares, reverse=True)
    assert all(share > 1 for share in shares)
    assert "4-4-4-3 relu/identity/mse float32" in lines[2]


def test_the_table_names_the_inputs_at_the_unit_level_and_stops_at_20_rows():
    with pytest.raises(AssertionError) as raised:
        comparisons.assert_agree(broken.mse_halved(), SPEC, dtypes=DTYPES)
    message = str(raised.value)
    assert "in 38 of 78 " in message  # mse, mse_grad: 6 unit; loss, dW, db, step: 13
    assert "the worst 20:" in message
    assert " inputs " in message.splitlines()[1]
    assert len(message.splitlines()) == 2 + 20


def test_a_backend_that_raises_shows_the_error_in_the_table():
    def loss(params, x, y, spec):
        raise RuntimeError("boom")

    with pytest.raises(AssertionError, match="raised RuntimeError: boom"):
        comparisons.assert_agree(broken.wrapped("raises", loss=loss), SPEC, "network")


def test_a_backend_may_be_given_by_name_and_some_units_asked_for():
    results = comparisons.assert_agree("numpy", SPEC, "unit", units="relu")
    assert set(results.quantity) == {"relu", "relu_grad"}


def test_bad_arguments_are_refused_as_check_refuses_them():
    with pytest.raises(TypeError, match="specs must be a NetworkSpec or a list"):
        comparisons.assert_agree("numpy", "4,4,4,3")
    with pytest.raises(TypeError, match="does not fit the backend API: missing"):
        comparisons.assert_agree(object())


# The plugin, as a backend's author uses it: their package, their test file.
MY_BACKEND = (
    "from examples import autodiff_backend as backend  # any object with the API\n"
)
BROKEN_BACKEND = "from broken import grads_scaled\nbroken = grads_scaled()\n"
MY_TEST = """
import sys


def test_pytest_starts_without_torch_or_jax():
    assert "torch" not in sys.modules and "jax" not in sys.modules


def test_my_backend_agrees(triptych):
    triptych.assert_agree("mypackage.mybackend:backend", dtypes="float32")
"""
BROKEN_TEST = """
def test_a_broken_backend_fails(triptych):
    broken = "mypackage.mybackend:broken"
    triptych.assert_agree(broken, levels=["network"], dtypes="float32")
"""


def entry_point() -> str:
    """The pytest11 entry point as pyproject.toml declares it."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["entry-points"]["pytest11"]["triptych"]


@pytest.fixture
def author(tmp_path):
    """A backend author's folder, and the environment their pytest runs in: the
    project importable, and its entry point registered as an install records it
    (a *.dist-info folder with entry_points.txt)."""
    package = tmp_path / "mypackage"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mybackend.py").write_text(MY_BACKEND + BROKEN_BACKEND)
    info = tmp_path / "site" / "triptych_plugin_check-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: triptych-plugin-check\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(f"[pytest11]\ntriptych = {entry_point()}\n")
    path = [str(tmp_path), str(ROOT), str(ROOT / "tests"), str(tmp_path / "site")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    return tmp_path, env


def run_pytest(folder, env) -> subprocess.CompletedProcess:
    (folder / "test_mine.py").write_text(textwrap.dedent(MY_TEST + BROKEN_TEST))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "test_mine.py"], cwd=folder, env=env, capture_output=True, text=True
    )


def test_the_plugin_gives_a_three_line_test_the_whole_check(author):
    """Its own pytest, in a fresh process: no torch or JAX at start-up, the
    honest backend passes every level (in float32 here, to be quick; both
    dtypes in scripts/check_plugin_in_fresh_venv.sh), the broken one fails with
    the table."""
    done = run_pytest(*author)
    assert "1 failed, 2 passed" in done.stdout, done.stdout + done.stderr
    failure = done.stdout.split("test_a_broken_backend_fails", 1)[1]
    assert "backend 'scaled-grads' disagrees with the float64 oracle" in failure
    assert "error/tol" in failure
