"""Every bad input gets a clear error naming the argument, the expected and the
given -- the same in every backend -- and a refused call changes nothing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from helpers import make_batch, native

import reference
from reference import NetworkSpec

SPEC = NetworkSpec((4, 5, 3), "tanh", "softmax", "cross_entropy", "float64")
MSE = NetworkSpec((4, 5, 3), "tanh", "sigmoid", "mse", "float64")
S32 = SPEC.replace(dtype="float32")
BCE = NetworkSpec((4, 5, 3), "tanh", "sigmoid", "cross_entropy", "float64")
B32 = BCE.replace(dtype="float32")


@pytest.fixture
def ok(backend):
    """A valid call's arguments, native to `backend`, and their NumPy originals."""
    init = reference.init_params(SPEC, 0)
    x, y = make_batch(SPEC, n=6)
    params, xb, yb = native(backend, init, x, y, SPEC)
    return SimpleNamespace(b=backend, init=init, x=x, y=y, params=params, xb=xb, yb=yb)


def shapes_off(init, layer, which, shape):
    bad = [list(pair) for pair in init]
    bad[layer][which] = np.zeros(shape)
    return [tuple(pair) for pair in bad]


# JAX's public calls run before they check (impl_jax.network._run_then_check):
# given float64 parameters under a float32 spec, JAX warns that it truncates them,
# then our error refuses the call
JAX_WARNS_FIRST = pytest.mark.filterwarnings(
    "ignore:Explicitly requested dtype float64:UserWarning"
)

# (id, call, error, message): each call gets the `ok` namespace
CASES = [
    # parameters
    (
        "params not a list",
        lambda o: o.b.from_numpy("W", SPEC),
        TypeError,
        "params must be a list of .W, b. pairs, got str",
    ),
    (
        "params one layer short",
        lambda o: o.b.from_numpy(o.init[:1], SPEC),
        ValueError,
        r"params has 1 layers but spec.sizes \(4, 5, 3\) needs 2",
    ),
    (
        "params W shape",
        lambda o: o.b.from_numpy(shapes_off(o.init, 0, 0, (5, 4)), SPEC),
        ValueError,
        r"params\[0\] W has shape \(5, 4\) but spec.sizes \(4, 5, 3\) needs \(4, 5\)",
    ),
    (
        "params b shape",
        lambda o: o.b.from_numpy(shapes_off(o.init, 1, 1, (2,)), SPEC),
        ValueError,
        r"params\[1\] b has shape \(2,\) but .* needs \(3,\)",
    ),
    (
        "params NaN",
        lambda o: o.b.from_numpy(
            shapes_off(o.init, 1, 1, (3,))
            and [o.init[0], (o.init[1][0] * np.nan, o.init[1][1])],
            SPEC,
        ),
        ValueError,
        r"params\[1\] W must be finite, got nan",
    ),
    (
        "params of integers",
        lambda o: o.b.from_numpy(
            [(W.astype(int), b.astype(int)) for W, b in o.init], SPEC
        ),
        TypeError,
        r"params\[0\] W must be floating point, got int64",
    ),
    (
        "params for another spec",
        lambda o: o.b.forward(o.params, o.xb, SPEC.replace(sizes=(4, 6, 3))),
        ValueError,
        r"params\[0\] W has shape \(4, 5\) but spec.sizes \(4, 6, 3\) needs \(4, 6\)",
    ),
    (
        "params in another dtype",
        lambda o: o.b.forward(o.params, o.xb, SPEC.replace(dtype="float32")),
        TypeError,
        r"params\[0\] W has dtype float64 but spec.dtype is float32",
    ),
    (
        "spec not a NetworkSpec",
        lambda o: o.b.forward(o.params, o.xb, "spec"),
        TypeError,
        "spec must be a NetworkSpec, got str",
    ),
    (
        "spec a dict (unhashable)",
        lambda o: o.b.loss_and_grads(o.params, o.xb, o.yb, {"sizes": (4, 5, 3)}),
        TypeError,
        "spec must be a NetworkSpec, got dict",
    ),
    # x
    (
        "x 1-D",
        lambda o: o.b.forward(o.params, o.b.asarray(o.x[0], SPEC), SPEC),
        ValueError,
        r"x must be 2-D \(N, 4\), got 1-D",
    ),
    (
        "x width",
        lambda o: o.b.forward(o.params, o.b.asarray(o.x[:, :2], SPEC), SPEC),
        ValueError,
        r"x has 2 columns but the network has 4 inputs",
    ),
    (
        "x empty batch",
        lambda o: o.b.forward(o.params, o.b.asarray(o.x[:0], SPEC), SPEC),
        ValueError,
        "x is an empty batch: expected at least 1 row, got 0",
    ),
    (
        "x dtype",
        lambda o: o.b.forward(
            o.params, o.b.asarray(o.x, MSE.replace(dtype="float32")), SPEC
        ),
        TypeError,
        "x has dtype float32 but spec.dtype is float64",
    ),
    (
        "x not an array",
        lambda o: o.b.forward(o.params, o.x.tolist(), SPEC),
        TypeError,
        r"x must be a \w+\.\w+, got list of length 6; convert it once with "
        r"asarray\(x, spec\)",
    ),
    (
        "x NaN",
        lambda o: o.b.asarray(np.where(o.x > 1, np.nan, o.x), SPEC),
        ValueError,
        r"a must be finite, got nan at index",
    ),
    (
        "x inf",
        lambda o: o.b.asarray(np.where(o.x > 1, np.inf, o.x), SPEC),
        ValueError,
        r"a must be finite, got inf",
    ),
    (
        "x bool",
        lambda o: o.b.asarray(o.x > 0, SPEC),
        TypeError,
        r"a must be an array of numbers \(data, targets or integer labels\), "
        "got dtype bool",
    ),
    # y
    (
        "y rows",
        lambda o: o.b.loss(o.params, o.xb, o.b.asarray(o.y[:4], SPEC), SPEC),
        ValueError,
        "y has 4 rows but x has 6",
    ),
    (
        "y labels float",
        lambda o: o.b.loss(o.params, o.xb, o.b.asarray(o.y * 1.0, SPEC), SPEC),
        TypeError,
        r"y of shape \(6,\) holds class labels and must be an integer array, "
        r"got float64",
    ),
    (
        "y labels out of range",
        lambda o: o.b.asarray(o.y + 3, SPEC),
        ValueError,
        r"labels from 3 to \d but the network has 3 outputs: "
        r"expected labels in \[0, 2\]",
    ),
    (
        "y labels negative",
        lambda o: o.b.asarray(o.y - 3, SPEC),
        ValueError,
        r"labels from -3 to .* expected labels in \[0, 2\]",
    ),
    (
        "y targets of the wrong dtype",
        lambda o: o.b.loss(
            o.b.from_numpy(o.init, MSE),
            o.xb,
            o.b.asarray(np.ones((6, 3)), MSE.replace(dtype="float32")),
            MSE,
        ),
        TypeError,
        r"y of shape \(6, 3\) holds targets and must have dtype float64 "
        r"\(spec.dtype\), got float32",
    ),
    (
        "targets above 1 for sigmoid cross-entropy, in asarray",
        lambda o: o.b.asarray(np.full((6, 3), 2.0), BCE),
        ValueError,
        r"a of shape \(6, 3\), read as targets \(x has 4 columns\), must hold "
        r"probabilities in \[0, 1\] for cross_entropy, got values from 2.0 to 2.0",
    ),
    (
        "targets below 0 for sigmoid cross-entropy, in asarray",
        lambda o: o.b.asarray(np.full((6, 3), -0.5), BCE),
        ValueError,
        r"must hold probabilities in \[0, 1\] for cross_entropy, got values from -0.5",
    ),
    (
        "a distribution not summing to 1, in asarray",
        lambda o: o.b.asarray(np.full((6, 3), 0.5), SPEC),
        ValueError,
        r"a of shape \(6, 3\), read as targets .* rows must each sum to 1 \(a target "
        r"distribution\) for softmax cross_entropy, got row 0 summing to 1.5",
    ),
    (
        "y columns",
        lambda o: o.b.loss(o.params, o.xb, o.b.asarray(np.ones((6, 2)), SPEC), SPEC),
        ValueError,
        "y has 2 columns but the network has 3 outputs",
    ),
    (
        "y labels for mse",
        lambda o: o.b.loss(o.b.from_numpy(o.init, MSE), o.xb, o.yb, MSE),
        ValueError,
        r"y must be 2-D \(N, 3\) for sigmoid output with mse loss, got shape \(6,\)",
    ),
    (
        "y 3-D",
        lambda o: o.b.loss(o.params, o.xb, o.b.asarray(np.ones((6, 3, 1)), SPEC), SPEC),
        ValueError,
        r"y must be \(N,\) labels or \(N, 3\) targets, got shape \(6, 3, 1\)",
    ),
    # the training loop
    (
        "lr zero",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.0, 5),
        ValueError,
        "lr must be a finite number > 0, got 0.0",
    ),
    (
        "lr negative",
        lambda o: o.b.sgd_step(o.params, o.params, -0.1),
        ValueError,
        "lr must be a finite number > 0, got -0.1",
    ),
    (
        "lr NaN",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, float("nan"), 5),
        ValueError,
        "lr must be a finite number > 0, got nan",
    ),
    (
        "lr inf",
        lambda o: o.b.sgd_step(o.params, o.params, float("inf")),
        ValueError,
        "lr must be a finite number > 0, got inf",
    ),
    (
        "lr text",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, "0.1", 5),
        TypeError,
        "lr must be a real number, got str '0.1'",
    ),
    (
        "steps negative",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, -1),
        ValueError,
        "steps must be at least 0, got -1",
    ),
    (
        "steps float",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 2.5),
        TypeError,
        "steps must be an int, got float 2.5",
    ),
    (
        "batch size zero",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, 0),
        ValueError,
        "batch_size must be at least 1, got 0",
    ),
    (
        "batch size above N",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, 7),
        ValueError,
        r"batch_size must be at most the number of examples \(6\), got 7",
    ),
    (
        "seed negative",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, seed=-1),
        ValueError,
        "seed must be at least 0, got -1",
    ),
    (
        "seed text",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, seed="0"),
        TypeError,
        "seed must be an int, got str '0'",
    ),
    (
        "seed float",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, seed=1.5),
        TypeError,
        "seed must be an int, got float 1.5",
    ),
    (
        "tol text",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, tol="0.1"),
        TypeError,
        "tol must be a real number or None, got '0.1'",
    ),
    (
        "tol NaN",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, tol=float("nan")),
        ValueError,
        "tol must be a finite number >= 0 or None, got nan",
    ),
    (
        "tol negative",
        lambda o: o.b.train(o.params, o.xb, o.yb, SPEC, 0.1, 5, tol=-1.0),
        ValueError,
        "tol must be a finite number >= 0 or None, got -1.0",
    ),
    # float32 here: in JAX, arithmetic on a float64 array outside x64 mode would
    # silently give float32 (see impl_jax/activations.py)
    (
        "NaN in native x",
        lambda o: o.b.train(
            o.b.from_numpy(o.init, S32),
            o.b.asarray(o.x, S32) * float("nan"),
            o.b.asarray(o.y, S32),
            S32,
            0.1,
            5,
        ),
        ValueError,
        r"x must be finite, got nan",
    ),
    (
        "labels out of range in native y",
        lambda o: o.b.train(o.params, o.xb, o.yb + 3, SPEC, 0.1, 5),
        ValueError,
        r"y holds labels from 3 to .* expected labels in \[0, 2\]",
    ),
    (
        "targets above 1 for cross-entropy in native y",
        lambda o: o.b.train(
            o.b.from_numpy(o.init, B32),
            o.b.asarray(o.x, B32),
            o.b.asarray(np.ones((6, 3)), B32) * 2,  # built by hand: past asarray
            B32,
            0.1,
            5,
        ),
        ValueError,
        r"y must hold probabilities in \[0, 1\] for cross_entropy, got values from 2.0",
    ),
    (
        "grads shaped unlike params",
        lambda o: o.b.sgd_step(o.params, o.params[:1], 0.1),
        ValueError,
        r"grads has 1 layers but params has 2: expected one \(dW, db\) pair per layer",
    ),
    (
        "params of lists",
        lambda o: o.b.forward(
            [(W.tolist(), b.tolist()) for W, b in o.init], o.xb, SPEC
        ),
        TypeError,
        r"params\[0\] W must be an array, got list of length 4",
    ),
    (
        "params a pair short",
        lambda o: o.b.sgd_step([(o.params[0][0],), o.params[1]], o.params, 0.1),
        TypeError,
        r"params\[0\] must be a \(W, b\) pair, got tuple of length 1",
    ),
    (
        "unknown device",
        lambda o: o.b.asarray(o.x, SPEC, device="banana"),
        ValueError,
        r"device must be None.*got 'banana'",
    ),
    (
        "unknown device for params",
        lambda o: o.b.from_numpy(o.init, SPEC, device="banana"),
        ValueError,
        r"device must be None.*got 'banana'",
    ),
    (
        "to_numpy of a string",
        lambda o: o.b.to_numpy("hello"),
        TypeError,
        r"tree must be a \w+\.\w+ or a list of \(W, b\) pairs of them, got str 'hello'",
    ),
]


@pytest.mark.parametrize(
    "call, error, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
@JAX_WARNS_FIRST
def test_bad_input_gets_a_clear_error(ok, call, error, message):
    with pytest.raises(error, match=message) as raised:
        call(ok)
    # ours alone: no framework error shown under it (JAX's public calls run
    # before they check; a refusal by JAX is then explained by the checks)
    shown = raised.value.__cause__ or (
        None if raised.value.__suppress_context__ else raised.value.__context__
    )
    assert shown is None, repr(shown)


@pytest.mark.parametrize("call", [c[1] for c in CASES], ids=[c[0] for c in CASES])
@JAX_WARNS_FIRST
def test_a_refused_call_changes_nothing_the_caller_holds(ok, call):
    before = ok.b.to_numpy(ok.params), ok.b.to_numpy(ok.xb), ok.b.to_numpy(ok.yb)
    with pytest.raises((ValueError, TypeError)):
        call(ok)
    after = ok.b.to_numpy(ok.params), ok.b.to_numpy(ok.xb), ok.b.to_numpy(ok.yb)
    for a, b in zip(before[0], after[0]):
        assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert np.array_equal(before[1], after[1]) and np.array_equal(before[2], after[2])
    assert np.array_equal(ok.init[0][0], reference.init_params(SPEC, 0)[0][0])


# n_in == n_out: asarray cannot tell targets from data, so `train` checks them
SQUARE_BCE = NetworkSpec((3, 5, 3), "tanh", "sigmoid", "cross_entropy", "float64")
SQUARE_CE = SQUARE_BCE.replace(output="softmax")


@pytest.mark.parametrize(
    "spec, y, message",
    [
        (SQUARE_BCE, np.full((6, 3), 2.0), r"y must hold probabilities in \[0, 1\]"),
        (SQUARE_CE, np.full((6, 3), 0.5), "y rows must each sum to 1 .* got row 0 "),
    ],
    ids=["targets above 1", "distribution summing to 1.5"],
)
def test_targets_shaped_like_data_pass_asarray_and_are_refused_by_train(
    backend, spec, y, message
):
    x = np.zeros((6, 3))
    xb, yb = backend.asarray(x, spec), backend.asarray(y, spec)  # both look alike
    params = backend.from_numpy(reference.init_params(spec, 0), spec)
    with pytest.raises(ValueError, match=message):
        backend.train(params, xb, yb, spec, 0.1, 5)


def test_numpy_parameters_are_native_to_numpy_and_refused_elsewhere(ok):
    if ok.b.NAME == "numpy":  # NumPy's own arrays are its native parameters
        value, _ = ok.b.loss_and_grads(ok.init, ok.xb, ok.yb, SPEC)
        assert value == ok.b.loss(ok.params, ok.xb, ok.yb, SPEC)
        return
    for call in (
        lambda: ok.b.loss_and_grads(ok.init, ok.xb, ok.yb, SPEC),
        lambda: ok.b.train(ok.init, ok.xb, ok.yb, SPEC, 0.1, 2),
        lambda: ok.b.sgd_step(ok.init, ok.init, 0.1),
    ):
        with pytest.raises(
            TypeError,
            match=r"params\[0\] W must be a \w+\.\w+, got "
            r"numpy.ndarray of shape \(4, 5\); convert parameters once "
            r"with from_numpy\(params, spec\)",
        ):
            call()


def test_a_missing_gpu_is_a_clear_error_not_a_framework_traceback(ok):
    import importlib.util

    if importlib.util.find_spec("torch") and __import__("torch").cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    with pytest.raises(ValueError, match="device.*'cuda'"):
        ok.b.asarray(ok.x, SPEC, device="cuda")


def test_integer_data_and_targets_become_floats_and_only_labels_stay_integers(ok):
    counts = np.arange(12).reshape(6, 2)  # integer data, e.g. pixel values
    as_x = ok.b.to_numpy(ok.b.asarray(counts, SPEC))
    as_targets = ok.b.to_numpy(ok.b.asarray(counts, MSE))
    labels = ok.b.to_numpy(ok.b.asarray(np.array([0, 2, 1]), SPEC))
    assert as_x.dtype == as_targets.dtype == np.float64
    assert labels.dtype.kind == "i"
