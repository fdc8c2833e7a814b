"""The backend registry, `triptych train`, and JAX's float64 without global state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
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
    ]
    assert (table.final_loss < table.first_loss).all()
    assert table.accuracy.between(0, 1).all()
    assert (table.max_diff_vs_backends < 1e-4).all()  # float32, 20 steps
    assert capsys.readouterr().out == ""  # only the CLI prints


def test_train_on_a_regression_set_has_no_accuracy():
    table = comparisons.train("diabetes", steps=5, backends=["numpy"])
    assert (
        np.isnan(table.accuracy[0]) and table.loss_name[0]
        if "loss_name" in table
        else True
    )


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
    for name in ("numpy", "torch", "jax"):
        assert f"  {name}  unit     54      54" in out
    assert "162 comparisons, 0 failed" in out
    assert csv.read_text().startswith("level,quantity,dtype")


def test_cli_check_exits_1_and_lists_failures_when_a_comparison_fails(
    capsys, monkeypatch
):
    import broken

    monkeypatch.setattr(registry, "resolve", lambda names: [broken.mse_halved()])
    assert cli.main(["check", "--levels", "unit", "--dtypes", "float64"]) == 1
    out = capsys.readouterr().out
    assert "Failures (first 20):" in out and "mse-halved" in out


def test_cli_check_refuses_an_unknown_level(capsys):
    assert cli.main(["check", "--levels", "graph"]) == 2
    assert "levels must be some of unit, network, trajectory" in capsys.readouterr().err
