"""`comparisons.check` on networks of your own: the specs are used at every level,
in their own dtypes, with unit rows for the units they use; and mistakes in its
arguments get clear errors."""

from __future__ import annotations

import functools
import threading
import time
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import load_backend

import comparisons
import reference
from comparisons.api import API
from comparisons.api import UNITS as UNIT_API
from comparisons.consistency import default_specs
from comparisons.unit_level import UNITS
from reference import NetworkSpec

RELU_BCE = NetworkSpec((6, 5, 4), "relu", "sigmoid", "cross_entropy", "float32")
TANH_MSE = NetworkSpec("3-4-2", "tanh", "identity", "mse", "float64")
SOFTMAX = NetworkSpec("5,6,3", "sigmoid", "softmax", "cross_entropy", "float32")


def numpy_check(specs, **options):
    return comparisons.check(specs, ["numpy"], **options)


def test_a_single_spec_is_checked_at_every_level_in_its_own_dtype():
    results = numpy_check(RELU_BCE)
    assert set(results.level) == {"unit", "network", "trajectory"}
    assert set(results.dtype) == {"float32"}
    networks = results[results.level != "unit"]
    assert set(networks.sizes) == {"6-5-4"}
    assert set(zip(networks.activation, networks.output, networks.loss)) == {
        ("relu", "sigmoid", "cross_entropy")
    }
    assert results.passed.all()


def test_specs_keep_their_own_dtypes_unless_dtypes_are_given():
    own = numpy_check([RELU_BCE, TANH_MSE], levels=["network"])
    assert set(zip(own.sizes, own.dtype)) == {
        ("6-5-4", "float32"),
        ("3-4-2", "float64"),
    }
    both = numpy_check([RELU_BCE, TANH_MSE], levels=["network"], dtypes="float64")
    assert set(both.dtype) == {"float64"}


def test_a_dtype_given_as_a_string_is_one_dtype():
    results = comparisons.check(TANH_MSE, ["numpy"], "float32", ["unit"])
    assert set(results.dtype) == {"float32"}


def test_the_trajectory_level_trains_each_spec_on_data_of_its_kind():
    """Labels for softmax cross-entropy, probabilities for sigmoid cross-entropy,
    real numbers for MSE: every backend trains on each without an error."""
    results = comparisons.check(
        [RELU_BCE, TANH_MSE, SOFTMAX], levels=["trajectory"], dtypes="float64"
    )
    assert set(results.dataset) == {"synthetic"}
    assert set(results.sizes) == {"6-5-4", "3-4-2", "5-6-3"}
    assert (results.note == "").all() and results.passed.all()


def test_unit_rows_come_only_for_the_units_the_specs_use():
    results = numpy_check(TANH_MSE, levels=["unit"])
    assert set(results.quantity) == {
        "tanh",
        "tanh_grad",
        "identity",
        "identity_grad",
        "mse",
        "mse_grad",
    }


def test_every_unit_or_some_can_be_asked_for():
    every = numpy_check(TANH_MSE, levels=["unit"], units="all")
    assert {q.split("(")[0].removesuffix("_grad") for q in every.quantity} == set(UNITS)
    relu = numpy_check(TANH_MSE, levels=["unit"], units="relu")
    assert set(relu.quantity) == {"relu", "relu_grad"}


def test_without_specs_the_default_trajectories_run_on_the_synthetic_set_and_digits():
    results = comparisons.check(None, ["numpy"], "float64", ["trajectory"])
    assert set(results.dataset) == {"synthetic_classification", "digits"}
    # in one shape, so that a compiled training step serves both sets
    assert set(results.sizes) == {"64-32-10"}
    combos = set(zip(results.activation, results.output, results.loss))
    assert combos == set(reference.combinations())


def test_the_two_default_trajectory_sets_share_each_compiled_training_step():
    jax_backend = load_backend("jax")  # fails, not skips, where JAX is required
    from impl_jax import descent

    spec = NetworkSpec((2, 3, 2), "tanh", "sigmoid", "mse", "float32")
    plan = comparisons.consistency._dataset_trajectories([spec])
    assert [what.split(" on ")[1] for what, _ in plan] == [
        "synthetic_classification float32",
        "digits float32",
    ]
    descent._step.clear_cache()
    programs = []
    for _, run in plan:
        rows = run([jax_backend], 0, None)
        assert rows and all(row["passed"] for row in rows)
        programs.append(descent._step._cache_size())
    assert programs == [1, 1]  # the digits' 30 steps ran the synthetic set's program


def test_without_specs_the_network_level_runs_the_default_nets_in_both_dtypes():
    results = comparisons.check(None, ["numpy"], levels=["network"])
    specs = {(s, d) for s in {"5-7-3", "6-8-5-4"} for d in ("float32", "float64")}
    assert set(zip(results.sizes, results.dtype)) == specs
    per_spec = [2 + 4 * (len(s.sizes) - 1) for s in default_specs()]  # forward, loss,
    assert len(results) == 2 * sum(per_spec)  # dW, db, step W, step b per layer


@pytest.mark.parametrize(
    "options, error, message",
    [
        (
            dict(specs="5,7,3"),
            TypeError,
            "specs must be a NetworkSpec or a list of them, got str '5,7,3'",
        ),
        (
            dict(specs=[TANH_MSE, (5, 7, 3)]),
            TypeError,
            r"specs\[1\] must be a "
            r"NetworkSpec, got tuple \(5, 7, 3\)",
        ),
        (dict(specs=[]), ValueError, "specs must hold at least one NetworkSpec"),
        (
            dict(specs=7),
            TypeError,
            "specs must be a NetworkSpec or a list of them, got int 7",
        ),
        (
            dict(dtypes=["float16"]),
            ValueError,
            "dtypes must be some of float32, float64; got .'float16',.",
        ),
        (
            dict(levels="graph"),
            ValueError,
            "levels must be some of unit, network, trajectory; got .'graph',.",
        ),
        (
            dict(units="tanhh"),
            ValueError,
            "units must be some of identity, .*; got .'tanhh',.",
        ),
        (dict(seed=-1), ValueError, "seed must be at least 0, got -1"),
        (dict(seed="0"), TypeError, "seed must be an int, got str '0'"),
        (dict(batch_size=0), ValueError, "batch_size must be at least 1, got 0"),
    ],
    ids=[
        "specs str",
        "specs item",
        "specs empty",
        "specs int",
        "dtype",
        "level",
        "unit",
        "seed negative",
        "seed str",
        "batch size",
    ],
)
def test_mistakes_in_the_arguments_get_clear_errors(options, error, message):
    with pytest.raises(error, match=message):
        comparisons.check(**{"backends": ["numpy"], **options})


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: comparisons.trajectories(["digits"]),
            TypeError,
            r"dataset must be a name \(digits, .*\) or a reference.Dataset, got list",
        ),
        (
            lambda: comparisons.trajectories(spec="64,32,10"),
            TypeError,
            "spec must be a NetworkSpec, got str",
        ),
        (
            lambda: comparisons.trajectories(dtypes="float16"),
            ValueError,
            "dtypes must be some of float32, float64",
        ),
        (
            lambda: comparisons.train(spec=(64, 32, 10)),
            TypeError,
            "spec must be a NetworkSpec, got tuple",
        ),
        (
            lambda: comparisons.train("mnist"),
            ValueError,
            "dataset must be one of digits, .*; got 'mnist'",
        ),
    ],
    ids=["dataset list", "spec str", "dtype", "train spec", "train dataset"],
)
def test_mistakes_in_trajectories_and_train_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_trajectories_take_one_dtype_as_a_string():
    frame = comparisons.trajectories(
        "synthetic_classification", backends=["numpy"], steps=3, dtypes="float32"
    )
    assert set(frame.dtype) == {"float32"} and len(frame) == 3


# ------------------------------------------------------------------ threads


def test_tasks_on_several_threads_give_the_rows_of_one_thread(monkeypatch):
    specs = [RELU_BCE, TANH_MSE, SOFTMAX]
    monkeypatch.setattr(comparisons.consistency, "THREADS", 1)
    alone = comparisons.check(specs)  # every installed backend: the built-ins
    monkeypatch.setattr(comparisons.consistency, "THREADS", 3)
    together = comparisons.check(specs)
    assert len(alone) > 0 and alone.passed.all()
    pd.testing.assert_frame_equal(alone, together)


def test_each_thread_runs_in_full_float32_precision(monkeypatch):
    load_backend("jax")  # fails, not skips, where JAX is required
    import jax

    seen = []

    def recording(backends, spec, seed, batch_size):
        seen.append((threading.get_ident(), jax.config.jax_default_matmul_precision))
        return []

    monkeypatch.setattr(comparisons.consistency.levels, "network_level", recording)
    monkeypatch.setattr(comparisons.consistency, "THREADS", 2)
    comparisons.check([RELU_BCE, TANH_MSE, SOFTMAX] * 2, ["numpy"], levels=["network"])
    assert len(seen) == 3  # each spec once: repeats are dropped
    assert {precision for _, precision in seen} == {"highest"}
    assert threading.get_ident() not in {thread for thread, _ in seen}


def test_a_backend_of_your_own_is_called_from_the_calling_thread_alone(monkeypatch):
    import impl_numpy

    threads = set()

    def noting(name):
        @functools.wraps(getattr(impl_numpy, name))  # its signature, for the API check
        def call(*args, **kwargs):
            threads.add(threading.get_ident())
            return getattr(impl_numpy, name)(*args, **kwargs)

        return call

    own = SimpleNamespace(**{name: noting(name) for name in API + UNIT_API})
    own.NAME = "own"
    monkeypatch.setattr(comparisons.consistency, "THREADS", 4)
    results = comparisons.check([RELU_BCE, TANH_MSE], [impl_numpy, own])
    assert results.passed.all() and "own" in set(results.backend)
    assert threads == {threading.get_ident()}


def test_an_error_in_one_task_stops_the_tasks_not_yet_started(monkeypatch):
    specs = [TANH_MSE.replace(sizes=(3, width, 2)) for width in range(2, 12)]
    started = []

    def failing_first(backends, spec, seed, batch_size):
        started.append(spec)
        if spec == specs[0]:  # the first task, the one the caller waits on first
            raise KeyboardInterrupt  # as Ctrl-C would, or any error
        time.sleep(0.2)
        return []

    monkeypatch.setattr(comparisons.consistency.levels, "network_level", failing_first)
    monkeypatch.setattr(comparisons.consistency, "THREADS", 2)
    with pytest.raises(KeyboardInterrupt):
        comparisons.check(specs, ["numpy"], levels=["network"])
    assert 1 <= len(started) < len(specs)
