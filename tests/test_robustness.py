"""What a user from outside runs into: a backend that raises or will not import,
numbers that make no sense, paths that cannot be written, a worker that failed,
text that a page or a Markdown viewer would run. Each gets a clear word, before
any work where it can be known then; none gets a traceback, a NaN or a lost
result."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from broken import wrapped
from helpers import fake_frame

from comparisons import bench, cache, cli, compare, files, training
from comparisons.report import render
from comparisons.show import pictures


def raising(name: str = "raiser"):
    """NumPy whose forward and relu raise."""

    def forward(params, x, spec):
        raise RuntimeError("boom from forward")

    def relu(z):
        raise RuntimeError("boom from relu")

    return wrapped(name, forward=forward, relu=relu)


# ------------------------------------------------------------ a backend fails


def test_train_keeps_the_other_rows_when_a_backend_raises():
    table = training.train("synthetic_classification", None, ["numpy", raising()])
    table = table.set_index("backend")
    assert table.loc["raiser", "note"] == "raised RuntimeError: boom from forward"
    assert pd.isna(table.loc["raiser", "final_loss"])
    assert table.loc["numpy", "final_loss"] > 0 and table.loc["numpy", "note"] == ""


def test_cli_train_names_the_failure_and_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(
        "comparisons.cli.train.backends", lambda args: ["numpy", raising()]
    )
    code = cli.main(["train", "--dataset", "synthetic_classification", "--steps", "3"])
    out = capsys.readouterr().out
    assert code == 1 and "raiser failed: raised RuntimeError: boom" in out
    assert "nan" not in out.lower()  # missing values are shown as "-"
    assert "none (no two curves)" in out  # one working backend: nothing between


def test_pictures_are_drawn_without_a_backend_that_raises():
    import impl_numpy

    drawn, said = pictures.for_concept("relu", [impl_numpy, raising()])
    assert drawn and "raiser could not draw the" in said


def test_a_function_that_raises_fails_its_own_rows_only():
    from comparisons import check
    from reference import NetworkSpec

    def loss_and_grads(params, x, y, spec):
        raise RuntimeError("boom from loss_and_grads")

    broken = wrapped("lg-raiser", loss_and_grads=loss_and_grads)
    spec = NetworkSpec((5, 7, 3), "tanh", "softmax", "cross_entropy", "float64")
    rows = check(spec, backends=["numpy", broken], levels="network")
    mine = rows[(rows.backend == "lg-raiser") & (rows.against == "oracle")]
    mine = mine.set_index("quantity")
    assert mine.loc[["forward", "loss"], "passed"].all()  # they did not raise
    after = mine[mine.index.str.startswith(("d", "step "))]
    assert len(after) == 8 and not after.passed.any()  # 4 gradients, 4 step arrays
    assert after.note.str.contains("boom from loss_and_grads").all()


def test_a_backend_module_that_fails_to_import_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "syntax_oops.py").write_text("def oops(:\n")
    (tmp_path / "exits.py").write_text("import sys\nsys.exit(3)\n")
    (tmp_path / "whole_module.py").write_text("from impl_numpy import *  # noqa\n")
    for module, said in (("syntax_oops", "SyntaxError"), ("exits", "SystemExit: 3")):
        with pytest.raises(ValueError, match=f"importing {module} raised {said}"):
            registry_load(module)
    assert registry_load("whole_module").forward is not None  # a module, bare
    with pytest.raises(ValueError, match="backend must be one of numpy"):
        registry_load("no_such_module_here")


def test_a_backend_with_an_empty_name_is_refused():
    from comparisons import backends as registry

    with pytest.raises(TypeError, match="NAME must name it .*got ' '"):
        registry.resolve([wrapped(" ")])


def registry_load(name):
    from comparisons import backends as registry

    sys.modules.pop(name, None)
    return registry.load(name)


def test_verdicts_leave_out_a_callable_whose_worker_failed_and_name_it():
    frame = fake_frame(
        {
            ("a", "triptych"): [1.0, 1.01, 0.99],
            ("b", "triptych"): [2.0, 2.02, 1.98],
            ("hung", "triptych"): [3.0],  # its other processes were killed
        }
    )
    table = bench.verdicts(frame)
    assert set(table.a_backend) == {"a", "b"}
    assert table.attrs["left_out"] == [
        "hung triptych train_step 8-8-3 batch 16 float32: 1 process timed, "
        "verdicts need 2"
    ]
    lone = fake_frame({("a", "triptych"): [1.0], ("b", "triptych"): [2.0, 2.1, 2.2]})
    with pytest.raises(ValueError, match="at least 2 processes .* got 1 for a"):
        bench.verdicts(lone)  # nothing left to compare


# --------------------------------------------------------- numbers and names


@pytest.mark.parametrize(
    "argv, said",
    [
        (["bench", "--min-effect", "-1"], "min_effect must be a finite number >= 0"),
        (["bench", "--min-effect", "nan"], "min_effect must be a finite number >= 0"),
        (["bench", "--timeout", "inf"], "timeout must be a number of seconds > 0"),
        (["bench", "--timeout", "nan"], "timeout must be a number of seconds > 0"),
        (["bench", "--variants", "fastest"], "variants must be some of triptych"),
        (
            ["bench", "--backends", "numpy", "--variants", "nojit"],
            "variants must name one that applies to the backends",
        ),
        (["report", "--backends", "nosuch"], "backend must be one of numpy"),
        (["train", "--steps", str(10**20)], "steps must be at most 1,000,000"),
        (["train", "--steps", "0"], "steps must be at least 1, got 0"),
        (["bench", "--batches", "1,,2"], "expected ints like 16,64,256"),
        (["check", "--csv", ""], "expected a path, got ''"),
        (["show", "relu", "--width", "0"], "--width must be at least 40"),
    ],
)
def test_bad_numbers_and_names_are_refused_before_any_work(
    argv, said, tmp_path, capsys
):
    if argv[0] == "report":
        argv = [*argv, "--out", str(tmp_path / "r")]
    started = time.monotonic()
    assert exit_code(argv) == 2
    assert time.monotonic() - started < 10  # refused, not run
    assert said in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def exit_code(argv) -> int:
    try:
        return cli.main(argv)
    except SystemExit as stop:  # argparse refuses a value's form with status 2
        return stop.code


def test_compare_refuses_a_factor_or_effect_that_is_not_a_number(tmp_path, capsys):
    run = fake_frame({("a", "triptych"): [1.0, 1.1, 1.2]})
    run.attrs["environment"] = {}
    bench.write_csv(run, tmp_path / "a.csv")
    paths = [str(tmp_path / "a.csv")] * 2
    assert cli.main(["compare", *paths, "--fail-slower", "nan"]) == 2
    assert "--fail-slower must be a finite factor" in capsys.readouterr().err
    with pytest.raises(ValueError, match="min_effect must be a finite number"):
        compare.compare(*paths, min_effect=-1)


# ------------------------------------------------------------ paths and files


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_folder_that_exists_but_takes_no_file_is_refused_up_front():
    with pytest.raises(ValueError, match="--csv: cannot write into /proc"):
        files.output_path("/proc/x.csv", "--csv")  # even as root


def test_files_written_whole_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        files.write_text(tmp_path / "a.txt", "x")
        with files.staged_folder(tmp_path / "folder") as staging:
            (staging / "b.txt").write_text("y")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "folder").stat().st_mode) == 0o755


def test_a_cache_folder_blocked_by_a_file_turns_the_cache_off(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv(cache.FOLDER, str(tmp_path / "a-file"))
    monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR", raising=False)
    monkeypatch.delenv(cache.OFF, raising=False)
    assert cache.enable() is None
    assert "the JAX compilation cache is off: cannot make" in capsys.readouterr().err


# ------------------------------------------------------- text from outside


def test_the_markdown_report_shows_outside_text_never_runs_it():
    name = "<img src=x onerror=alert(1)>|a\nb"
    table = pd.DataFrame({"backend": [name], "max_abs_err": [float("nan")]})
    text = render._markdown([(name, "table", table), ("t", "list", [name])])
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "\\|a b" in text  # a table cell stays one cell on one line
    assert "nan" not in text and "—" in text


def test_a_bench_whose_every_case_failed_says_so_without_a_nan(capsys):
    argv = ["bench", "--backends", "numpy", "--sizes", "8,8,3", "--batches", "4,8"]
    argv += ["--ops", "train_step", "--repeats", "1", "--timeout", "0.001"]
    assert cli.main(argv) == 1  # nothing was timed
    captured = capsys.readouterr()
    assert "No case was timed." in captured.err
    assert "passed its time limit of 0.001 s" in captured.out
    assert "nan" not in captured.out.lower()


def test_where_overhead_ends_skips_batches_without_a_timing():
    from comparisons.bench import words

    frame = pd.DataFrame(
        {
            "op": "train_step",
            "variant": "triptych",
            "backend": "numpy",
            "sizes": "8-8-3",
            "dtype": "float32",
            "batch": [1.0, 16.0, 256.0, 4096.0],  # float, as beside a failed row
            "median_s": [float("nan"), 1.1e-5, 1.2e-5, 2e-3],  # batch 1 failed
            "of_roofline": [float("nan"), 0.01, 0.02, float("nan")],
        }
    )
    (line,) = words.bounds(frame)
    assert "nan" not in line.lower() and "up to batch 256 (overhead-bound)" in line
    assert "up to batch 4096 it stays more than" in line


# ------------------------------------------- the Python API, probed from outside


def _one_spec():
    from reference import NetworkSpec

    return NetworkSpec((5, 7, 3), "tanh", "softmax", "cross_entropy", "float32")


def test_trajectories_give_a_raising_backend_failed_rows_and_keep_the_others():
    from comparisons import trajectories

    def train_raises(params, x, y, spec):
        raise RuntimeError("boom in loss_and_grads")

    broken = wrapped("raiser", loss_and_grads=train_raises)
    rows = trajectories(
        "synthetic_classification", None, ["numpy", broken], steps=3, dtypes="float32"
    )
    mine = rows[rows.backend == "raiser"]
    assert len(mine) == 3 and not mine.passed.any()
    assert (mine.note == "raised RuntimeError: boom in loss_and_grads").all()
    assert rows[rows.backend == "numpy"].passed.all()


def test_sgd_step_refuses_grads_of_another_dtype(backend):
    import reference

    spec = _one_spec()
    params = backend.from_numpy(reference.init_params(spec, 0), spec)
    grads = backend.from_numpy(
        reference.init_params(spec.replace(dtype="float64"), 0),
        spec.replace(dtype="float64"),
    )
    with pytest.raises(TypeError, match=r"grads\[0\] dW has dtype .*float64.* but"):
        backend.sgd_step(params, grads, 0.1)


def test_broken_results_are_named_in_the_rows():
    from comparisons import check

    def extra_layer(params, x, y, spec):
        value, grads = __import__("impl_numpy").loss_and_grads(params, x, y, spec)
        return value, grads + [grads[-1]]

    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no message")

    def forward(params, x, spec):
        raise Unprintable()

    def loss(params, x, y, spec):
        raise SystemExit(3)

    extra = wrapped("extra", loss_and_grads=extra_layer)
    odd = wrapped("odd", forward=forward, loss=loss)
    none = wrapped("none", forward=lambda params, x, spec: None)
    rows = check(_one_spec(), backends=["numpy", extra, odd, none], levels="network")
    notes = rows[rows.against == "oracle"].set_index(["backend", "quantity"]).note
    assert (
        notes["extra", "dW[0]"]
        == "raised ValueError: returned 3 layers, the spec has 2"
    )
    assert (
        "raised Unprintable: (its message could not be read)" == notes["odd", "forward"]
    )
    assert notes["odd", "loss"] == "raised SystemExit: 3"
    assert notes["none", "forward"] == "raised ValueError: returned None"


def test_a_backend_named_oracle_is_refused():
    from comparisons import backends as registry

    with pytest.raises(TypeError, match="NAME 'oracle' is the float64 reference's"):
        registry.resolve([wrapped("oracle")])


def test_train_refuses_a_loss_curve_of_the_wrong_length():
    import impl_numpy

    def short(params, x, y, spec, lr, steps, batch_size=None, seed=0, tol=None):
        params, losses = impl_numpy.train(
            params, x, y, spec, lr, steps, batch_size, seed
        )
        return params, losses[:-1]

    table = training.train(
        "synthetic_classification",
        None,
        ["numpy", wrapped("short", train=short)],
        steps=3,
    )
    note = table.set_index("backend").note["short"]
    assert note == "raised ValueError: train returned losses of shape (2,), not (3,)"


def test_verdicts_refuse_a_frame_that_is_not_a_bench_result():
    frame = fake_frame(
        {("a", "triptych"): [1.0, 1.1, 1.2], ("b", "triptych"): [2, 2, 2]}
    )
    with pytest.raises(ValueError, match="must be a bench result .*missing op"):
        bench.verdicts(frame.drop(columns=["op"]))
    with pytest.raises(TypeError, match="frame must be a DataFrame from bench"):
        bench.summary(None)
    with pytest.raises(ValueError, match="median_s must be seconds > 0.*got 0.0"):
        bench.verdicts(frame.assign(median_s=0.0))
    with pytest.raises(ValueError, match="blocks_s must be seconds > 0"):
        bench.verdicts(frame.assign(blocks_s="0 0 0 0 0"))


def test_check_and_jax_refuse_sizes_and_devices_that_cannot_work():
    from comparisons import check

    with pytest.raises(ValueError, match="batch_size must be at most 1,000,000"):
        check(_one_spec(), backends="numpy", batch_size=10**9)
    import impl_jax

    with pytest.raises(TypeError, match="device must be None, a jax.Device or a"):
        impl_jax.asarray(np.zeros((2, 5), np.float32), _one_spec(), device=3)
