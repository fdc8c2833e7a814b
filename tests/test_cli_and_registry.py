"""The backend registry, `triptych train`, and JAX's float64 without global state."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import comparisons
import reference
from comparisons import backends as registry
from comparisons import cli

ROOT = Path(__file__).resolve().parent.parent


def test_the_registry_lists_the_three_builtin_backends():
    assert registry.names() == ["numpy", "torch", "jax"]
    table = registry.available()
    assert list(table.columns) == [
        "backend",
        "module",
        "available",
        "version",
        "reason",
    ]


def test_an_unknown_backend_name_is_refused_with_the_choices():
    with pytest.raises(
        ValueError,
        match="must be one of numpy, torch, jax, or module:attribute; got 'mxnet'",
    ):
        registry.load("mxnet")


def test_an_object_lacking_the_api_is_refused_naming_what_it_lacks():
    with pytest.raises(
        TypeError, match="does not fit the backend API: missing .*loss_and_grads"
    ):
        registry.resolve([object()])


def test_a_missing_framework_is_reported_not_a_crash():
    """With torch made unimportable, the registry says so and how to install it."""
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from comparisons import backends\n"
        "table = backends.available().set_index('backend')\n"
        "print(table.loc['torch', 'available'], table.loc['numpy', 'available'])\n"
        "print(table.loc['torch', 'reason'])\n"
        "print([b.NAME for b in backends.resolve()])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "False True"
    assert "needs torch, which is not installed: pip install torch==2.13.0" in out[1]
    assert out[2] == "['numpy', 'jax']"


def test_train_returns_one_row_per_backend_that_agree(capsys):
    table = comparisons.train("synthetic_classification", steps=20, batch_size=32)
    assert list(table.backend) == ["numpy", "torch", "jax"]
    assert list(table.columns) == [
        "backend",
        "dtype",
        "first_loss",
        "final_loss",
        "accuracy",
        "max_diff_vs_oracle",
        "max_diff_vs_backends",
        "seconds",
        "diverged_at",
        "note",
    ]
    assert table.diverged_at.isna().all() and (table.note == "").all()
    assert (table.final_loss < table.first_loss).all()
    assert table.accuracy.between(0, 1).all()
    assert (table.max_diff_vs_backends < 1e-4).all()  # float32, 20 steps
    assert capsys.readouterr().out == ""  # only the CLI prints


def test_train_on_a_regression_set_has_no_accuracy():
    table = comparisons.train("diabetes", steps=5, backends=["numpy"])
    assert np.isnan(table.accuracy[0])
    assert table.final_loss[0] < table.first_loss[0]  # MSE on it, and learning


def test_cli_train_prints_every_backend_and_the_largest_difference(capsys, tmp_path):
    csv = tmp_path / "train.csv"
    code = cli.main(
        [
            "train",
            "--dataset",
            "synthetic_classification",
            "--steps",
            "10",
            "--dtype",
            "float64",
            "--csv",
            str(csv),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for name in ("numpy", "torch", "jax"):
        assert f"  {name} float64" in out
    assert "Largest loss difference between backends along the way" in out
    assert csv.read_text().startswith("backend,dtype,first_loss")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--lr", "-1"], "lr must be a finite number > 0, got -1.0"),
        (["train", "--sizes", "64,10"], "sizes must list at least 3 layers"),
        (
            ["train", "--sizes", "63,32,10"],
            "x has 64 columns but the network has 63 inputs",
        ),
        (
            ["train", "--dataset", "diabetes", "--loss", "cross_entropy"],
            "loss 'cross_entropy' needs output 'softmax'",
        ),
        (["train", "--batch-size", "0"], "batch_size must be at least 1, got 0"),
        (["train", "--seed", "-1"], "seed must be at least 0, got -1"),
        (["train", "--backends", "mxnet"], "backend must be one of"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("triptych train: error: ") and message in err
    assert "Traceback" not in err


def test_jax_float64_works_without_touching_the_global_flag():
    import jax

    import impl_jax

    spec = reference.NetworkSpec((3, 4, 2), dtype="float64")
    params = impl_jax.from_numpy(reference.init_params(spec, 0), spec)
    x = impl_jax.asarray(np.ones((2, 3)), spec)
    assert impl_jax.forward(params, x, spec).dtype == np.float64
    assert jax.config.jax_enable_x64 is False  # still JAX's default afterwards
    assert jax.numpy.ones(1).dtype == np.float32  # the caller's JAX is untouched


def test_cli_check_prints_a_summary_per_backend_and_level_and_exits_0(capsys, tmp_path):
    csv = tmp_path / "check.csv"
    code = cli.main(
        ["check", "--levels", "unit", "--dtypes", "float32", "--csv", str(csv)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "backend level  cases  passed" in out
    # each unit and its _grad, softmax cross-entropy's twice more on a distribution
    quantities = 2 * len(reference.oracle.UNITS) + 2  # 18
    cases = quantities * 3 * 3  # x 3 cases of inputs x 3 (the oracle, 2 others): 162
    for name in ("numpy", "torch", "jax"):
        assert f"  {name}  unit    {cases}     {cases}" in out
    assert f"{3 * cases} comparisons, 0 failed" in out
    assert csv.read_text().startswith("level,quantity,inputs,dtype")


def test_cli_check_exits_1_and_lists_failures_when_a_comparison_fails(
    capsys, monkeypatch
):
    import broken

    monkeypatch.setattr(registry, "resolve", lambda names: [broken.mse_halved()])
    assert cli.main(["check", "--levels", "unit", "--dtypes", "float64"]) == 1
    out = capsys.readouterr().out
    assert "Failures, worst first (6 of 6):" in out  # mse and mse_grad, 3 cases
    assert "unit mse_grad ordinary" in out and "mse-halved" in out


def test_cli_check_refuses_an_unknown_level(capsys):
    assert cli.main(["check", "--levels", "graph"]) == 2
    assert "levels must be some of unit, network, trajectory" in capsys.readouterr().err


def test_cli_check_takes_a_network_by_flags_and_checks_only_it(capsys):
    argv = "check --backends numpy --sizes 6-5-4 --activation relu --output sigmoid"
    argv = [*argv.split(), "--loss", "mse", "--dtype", "float32"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "Checking 1 network (relu/sigmoid/mse on 6-5-4), each in float32" in out
    assert re.search(r"numpy +network +10 +10 ", out)  # forward, loss, 4 grads, 4 steps
    assert re.search(r"numpy +trajectory +5 +5 ", out)  # losses and 4 final arrays


def test_cli_check_spans_every_value_of_a_flag_left_out(capsys, tmp_path):
    csv = tmp_path / "check.csv"
    argv = [*"check --backends numpy --sizes 4,5,3 --levels network".split()]
    argv += ["--csv", str(csv)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    n = len(reference.combinations())  # 15
    every = f"{n} networks (every valid activation/output/loss on 4-5-3)"
    assert f"Checking {every}, each in float32 and float64" in out
    rows = pd.read_csv(csv, keep_default_na=False)
    combos = set(zip(rows.activation, rows.output, rows.loss, rows.dtype))
    assert len(combos) == 2 * n and set(rows.sizes) == {"4-5-3"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--output", "identity", "--loss", "cross_entropy"],
            "loss 'cross_entropy' needs output 'softmax'",
        ),
        (["--sizes", "6,5"], "sizes must list at least 3 layers"),
        (["--sizes", "6,5,1", "--output", "softmax"], "needs at least 2 outputs"),
        (["--seed", "-1", "--levels", "unit"], "seed must be at least 0, got -1"),
    ],
)
def test_cli_check_refuses_bad_flags_in_one_line(capsys, argv, message):
    assert cli.main(["check", "--backends", "numpy", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("triptych check: error: ") and message in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--sizes", "64,x,10"], "like 64,32,10 or 64-32-10; got '64,x,10'"),
        (["--dtype", "float32", "--dtypes", "float64"], "not allowed with argument"),
    ],
)
def test_cli_check_usage_errors_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        cli.main(["check", *argv])
    assert stop.value.code == 2 and message in capsys.readouterr().err


BACKENDS_MODULE = """
import broken
backend = broken.grads_scaled()  # gradients 1e-3 too large
honest = broken.wrapped("honest")  # impl_numpy under another name
"""


def test_cli_check_an_outside_backend_on_a_network_by_flags_exits_1_when_broken(
    capsys, tmp_path, monkeypatch
):
    (tmp_path / "my_broken.py").write_text(BACKENDS_MODULE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    flags = "--sizes 8,16,4 --activation tanh --loss mse --dtype float32"
    argv = ["check", "--backends", "numpy", "--backend", "my_broken:backend"]
    argv += [*flags.split(), "--levels", "network"]
    assert cli.main(argv) == 1
    out = capsys.readouterr().out
    assert "Checking 3 networks (tanh/identity/mse, tanh/sigmoid/mse, " in out
    assert "scaled-grads" in out.split("Failures, worst first")[1]
    assert re.search(r"numpy +network +60 +60 ", out)  # numpy is not blamed
    argv[argv.index("my_broken:backend")] = "my_broken:honest"  # exits 0
    assert cli.main(argv) == 0


def test_cli_train_takes_sizes_with_dashes(capsys):
    argv = "train --dataset synthetic_classification --sizes 8-6-4 --steps 3"
    assert cli.main([*argv.split(), "--backends", "numpy"]) == 0
    out = capsys.readouterr().out
    assert "Training 8-6-4 tanh/softmax/cross_entropy float32" in out


def test_cli_train_runs_without_jax_and_says_so():
    code = (
        "import sys; sys.modules['jax'] = None\n"
        "from comparisons import cli\n"
        "sys.exit(cli.main(['train', '--dataset', 'synthetic_classification', "
        "'--steps', '5']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "note: backend 'jax' needs jax, which is not installed" in done.stderr
    assert "  torch float32" in done.stdout and " jax float32" not in done.stdout
