"""Outside backends (by module:attribute and by entry point), the conformance
check, devices, and running with a framework missing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import comparisons
from comparisons import backends as registry
from comparisons import cli

ROOT = Path(__file__).resolve().parent.parent

MY_BACKEND = '''
"""An outside backend: impl_numpy under another name, as a user might wrap theirs."""
from types import SimpleNamespace

import impl_numpy
from comparisons.backends import API, UNITS

backend = SimpleNamespace(**{n: getattr(impl_numpy, n) for n in API + UNITS})
backend.NAME = "mine"
'''


@pytest.fixture
def my_module(tmp_path, monkeypatch):
    """A module `my_backend` in the current folder, as a user's own would be."""
    (tmp_path / "my_backend.py").write_text(textwrap.dedent(MY_BACKEND))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_backend:backend"
    sys.modules.pop("my_backend", None)


def test_a_backend_given_as_module_attribute_gets_the_check(my_module, capsys):
    assert (
        cli.main(
            [
                "check",
                "--levels",
                "unit,network",
                "--dtypes",
                "float64",
                "--sizes",
                "5,7,3",
                "--activation",
                "relu",
                "--output",
                "softmax",
                "--loss",
                "cross_entropy",
                "--backend",
                my_module,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "   mine    unit" in out and "   mine network" in out
    assert "  numpy    unit" in out  # --backend adds to the installed ones


def test_a_backend_registered_by_entry_point_is_listed_and_checked(my_module, tmp_path):
    """A real registration: an installed distribution's metadata (a *.dist-info
    folder on sys.path, as pip leaves it) with an entry point in our group."""
    info = tmp_path / "mine_backend-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: mine-backend\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(f"[triptych.backends]\nmine = {my_module}\n")
    assert registry.names() == ["numpy", "torch", "jax", "mine"]
    table = registry.available().set_index("backend")
    assert table.loc["mine", "available"] and table.loc["mine", "module"] == my_module
    results = comparisons.check(backends=None, levels=["unit"], dtypes=["float32"])
    assert set(results.backend) == {"numpy", "torch", "jax", "mine"}
    assert results.passed.all()
    # what bench and report run by default (each in its own process, by name)
    assert registry.installed() == ["numpy", "torch", "jax", "mine"]


def test_an_outside_backend_appears_in_the_report(my_module, tmp_path):
    from comparisons import report

    frames = report.report(tmp_path / "r", quick=True, backends=["numpy", my_module])
    assert set(frames["consistency"].backend) == {"numpy", "mine"}
    assert frames["consistency"].passed.all()
    assert set(frames["timings"].backend) == {"numpy", "mine"}  # timed in its process
    assert "mine" in (tmp_path / "r" / "index.html").read_text()


def test_the_conformance_check_names_what_an_object_lacks():
    from types import SimpleNamespace

    import impl_numpy

    partial = SimpleNamespace(
        NAME="partial", forward=lambda params, x: None, loss=impl_numpy.loss
    )
    problems = registry.conformance(partial)
    assert problems[0].startswith("missing from_numpy, asarray, to_numpy, ")
    assert "forward(params, x) should be forward(params, x, spec)" in problems
    with pytest.raises(
        TypeError, match=r"does not fit the backend API: missing from_numpy"
    ):
        comparisons.check(backends=[partial], levels=["unit"])


def test_a_bad_backend_path_is_a_one_line_error(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--backend", "no_such_module:backend"]) == 2
    assert "cannot import no_such_module" in capsys.readouterr().err
    assert cli.main(["check", "--backend", "impl_numpy:nothing"]) == 2
    assert "impl_numpy has no attribute 'nothing'" in capsys.readouterr().err


def test_an_absent_device_is_refused_before_anything_runs(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU: see test_check_runs_on_cuda")
    assert cli.main(["check", "--device", "cuda", "--backends", "torch"]) == 2
    assert "device 'cuda' is not available" in capsys.readouterr().err
    with pytest.raises(ValueError, match="device must be None.*got 'banana'"):
        comparisons.check(backends=["jax"], device="banana")


def test_numpy_stays_on_the_cpu_whatever_the_device():
    assert registry.on_device(registry.load("numpy"), "cuda") is registry.load("numpy")


@pytest.mark.gpu
def test_check_runs_on_cuda_with_full_float32_precision():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU on this machine")
    results = comparisons.check(
        backends=["numpy", "torch"], levels=["network"], device="cuda"
    )
    assert results.passed.all(), results[~results.passed]
    assert (
        results.attrs["matmul_precision"]["torch_cuda_matmul_fp32_precision"] == "ieee"
    )


def run_without(framework: str, argv: list[str]) -> subprocess.CompletedProcess:
    """`triptych ARGV` in a fresh process where `framework` cannot be imported, as
    if it were not installed: importing it raises ModuleNotFoundError."""
    code = (
        "import sys\n"
        "class NotInstalled:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name.split('.')[0] == {framework!r}:\n"
        "            missing = f'No module named {name!r}'\n"
        "            raise ModuleNotFoundError(missing, name=name)\n"
        "sys.meta_path.insert(0, NotInstalled())\n"
        "from comparisons import cli\n"
        f"sys.exit(cli.main({argv!r}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


@pytest.mark.parametrize("missing, present", [("torch", "jax"), ("jax", "torch")])
def test_check_runs_with_what_is_there_and_says_what_is_missing(missing, present):
    done = run_without(missing, ["check", "--levels", "unit", "--dtypes", "float64"])
    assert done.returncode == 0, done.stderr
    assert (
        f"note: backend {missing!r} needs {missing}, which is not installed: pip "
        f"install {missing}" in done.stderr
    )
    assert (
        f"  {present}  unit" in done.stdout and f"  {missing}  unit" not in done.stdout
    )


def test_train_and_bench_run_without_torch(tmp_path):
    done = run_without(
        "torch", ["train", "--dataset", "synthetic_classification", "--steps", "5"]
    )
    assert done.returncode == 0, done.stderr
    assert "needs torch" in done.stderr and "  jax float32" in done.stdout
    csv = tmp_path / "timings.csv"
    done = run_without(
        "torch",
        [
            "bench",
            "--sizes",
            "8,8,3",
            "--batches",
            "4",
            "--ops",
            "train_step",
            "--variants",
            "triptych",
            "--repeats",
            "1",
            "--csv",
            str(csv),
        ],
    )
    assert done.returncode == 0, done.stderr
    assert "needs torch" in done.stderr
    assert set(pd.read_csv(csv).backend) == {"numpy", "jax"}


def test_show_runs_without_jax():
    done = run_without("jax", ["show", "relu"])
    assert done.returncode == 0, done.stderr
    assert "jax.nn.relu" in done.stdout  # the source is read, not imported
