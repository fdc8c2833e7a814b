"""Input checks shared by every backend, so that bad input gets the same clear error.

Two kinds:

- structural checks (`check_*` below except `check_values`) read only shapes,
  ranks, dtype names and the spec: cheap, run in every public function, and
  written against the array protocol every framework has (`.shape`, `.ndim`,
  `.dtype`), so this module imports no framework;
- value checks (`check_values`, `check_finite`, `check_labels`,
  `check_targets`) read the numbers (NaN/inf, label range, targets in [0, 1],
  distributions summing to 1), so they run once where data enters -- `asarray`,
  `from_numpy`, `train`, the harness, the CLI -- and never inside the per-step
  hot path.

Every error names the argument, what was expected and what was given.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .spec import NetworkSpec


def dtype_name(a) -> str:
    """'float32', 'int64', ... for a NumPy, JAX or torch array alike."""
    return str(a.dtype).removeprefix("torch.")


def dtype_kind(a) -> str:
    """'float', 'int', 'bool' or 'other' from the dtype's name."""
    name = dtype_name(a)
    if name.startswith(("float", "bfloat")):
        return "float"
    if name.startswith(("int", "uint")):
        return "int"
    return "bool" if name == "bool" else "other"


def check_spec(spec) -> None:
    if not isinstance(spec, NetworkSpec):
        raise TypeError(f"spec must be a NetworkSpec, got {type(spec).__name__}")


def native_name(native: type) -> str:
    """'numpy.ndarray', 'torch.Tensor', 'jax.Array': the name a user would type."""
    name = native.__name__.rsplit(".", 1)[
        -1
    ]  # jax.Array calls itself jaxlib._jax.Array
    return f"{native.__module__.split('.')[0]}.{name}"


def check_native(name: str, a, native) -> None:
    """`a` is one of the backend's arrays (`native`: its type, or a tuple of types)."""
    if not isinstance(a, native):
        first = native[0] if isinstance(native, tuple) else native
        raise TypeError(
            f"{name} must be a {native_name(first)} or a list of (W, b) pairs of "
            f"them, got {_what(a)}"
        )


def check_pairs(name: str, pairs, native: type | None = None) -> None:
    """A list of (W, b) pairs of arrays -- of the backend's own type if `native`."""
    if not isinstance(pairs, (list, tuple)):
        raise TypeError(f"{name} must be a list of (W, b) pairs, got {_what(pairs)}")
    for i, layer in enumerate(pairs):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            raise TypeError(f"{name}[{i}] must be a (W, b) pair, got {_what(layer)}")
        for part, p in zip(("W", "b"), layer):
            if not hasattr(p, "shape") or not hasattr(p, "dtype"):
                raise TypeError(f"{name}[{i}] {part} must be an array, got {_what(p)}")
            if native is not None and not isinstance(p, native):
                raise TypeError(
                    f"{name}[{i}] {part} must be a {native_name(native)}, got "
                    f"{_what(p)}; convert parameters once with from_numpy(params, spec)"
                )


def check_params(params, spec: NetworkSpec, native: type | None = None) -> None:
    """A list of (W, b) per layer, W (n_in, n_out) and b (n_out,), floating point.

    With `native` (a backend's array type) they must be of that type and in
    spec.dtype exactly; without, any float dtype will do (reference parameters).
    """
    check_spec(spec)
    check_pairs("params", params, native)
    if len(params) != spec.n_layers:
        raise ValueError(
            f"params has {len(params)} layers but spec.sizes {spec.sizes} "
            f"needs {spec.n_layers}"
        )
    for i, layer in enumerate(params):
        expected = ((spec.sizes[i], spec.sizes[i + 1]), (spec.sizes[i + 1],))
        for name, p, shape in zip(("W", "b"), layer, expected):
            where = f"params[{i}] {name}"
            if tuple(p.shape) != shape:
                raise ValueError(
                    f"{where} has shape {tuple(p.shape)} but spec.sizes "
                    f"{spec.sizes} needs {shape}"
                )
            if dtype_kind(p) != "float":
                raise TypeError(f"{where} must be floating point, got {dtype_name(p)}")
            if native is not None and dtype_name(p) != spec.dtype:
                raise TypeError(
                    f"{where} has dtype {dtype_name(p)} but spec.dtype is "
                    f"{spec.dtype}; convert them with from_numpy(params, spec)"
                )


def check_x(x, spec: NetworkSpec) -> None:
    """x is (N, n_in) floating point with N >= 1."""
    _check_array("x", x)
    if x.ndim != 2:
        raise ValueError(
            f"x must be 2-D (N, {spec.n_in}), got {x.ndim}-D, shape {tuple(x.shape)}"
        )
    if x.shape[1] != spec.n_in:
        raise ValueError(
            f"x has {x.shape[1]} columns but the network has {spec.n_in} inputs "
            f"(spec.sizes[0])"
        )
    if x.shape[0] == 0:
        raise ValueError("x is an empty batch: expected at least 1 row, got 0")
    if dtype_name(x) != spec.dtype:
        raise TypeError(
            f"x has dtype {dtype_name(x)} but spec.dtype is {spec.dtype}; "
            f"convert it with asarray(x, spec)"
        )


def check_y(y, n_rows: int, spec: NetworkSpec) -> None:
    """y matches the loss: (N, n_out) floats, or (N,) integer labels for softmax CE."""
    _check_array("y", y)
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(
            f"y must be (N,) labels or (N, {spec.n_out}) targets, "
            f"got shape {tuple(y.shape)}"
        )
    if y.shape[0] != n_rows:
        raise ValueError(f"y has {y.shape[0]} rows but x has {n_rows}")
    kind = dtype_kind(y)
    if y.ndim == 1:
        if not spec.uses_labels:
            raise ValueError(
                f"y must be 2-D (N, {spec.n_out}) for {spec.output} output with "
                f"{spec.loss} loss, got shape {tuple(y.shape)}; "
                f"integer labels (N,) go with softmax and cross_entropy"
            )
        if kind != "int":
            raise TypeError(
                f"y of shape {tuple(y.shape)} holds class labels and must be an "
                f"integer array, got {dtype_name(y)}"
            )
        return
    if y.shape[1] != spec.n_out:
        raise ValueError(
            f"y has {y.shape[1]} columns but the network has {spec.n_out} outputs "
            f"(spec.sizes[-1])"
        )
    if dtype_name(y) != spec.dtype:
        raise TypeError(
            f"y of shape {tuple(y.shape)} holds targets and must have dtype "
            f"{spec.dtype} (spec.dtype), got {dtype_name(y)}; convert it with "
            f"asarray(y, spec)"
        )


def check_call(params, x, y, spec: NetworkSpec, native: type) -> None:
    """The structural checks of a forward/loss/gradient call (y may be None);
    `native` is the backend's array type.

    They depend only on the spec and on each array's type, shape and dtype, so a
    call whose signature passed once passes again at the cost of reading that
    signature (a few microseconds instead of tens: for a small jitted step, the
    checks would otherwise cost as much as the work).
    """
    signature = _signature(params, x, y, spec, native)
    try:
        if signature in _PASSED:  # hashed here once (None: too malformed to say)
            return
    except TypeError:  # a spec that is not a NetworkSpec may not hash
        signature = None
    _check_call(params, x, y, spec, native)
    if signature is not None:
        if len(_PASSED) >= _PASSED_MAX:
            _PASSED.clear()
        _PASSED.add(signature)


_PASSED: set = set()  # signatures of calls that passed every structural check
_PASSED_MAX = 4096


def _signature(params, x, y, spec, native):
    """(spec, native, (type, shape, dtype) of every array, layer by layer), or None
    where the arguments are too malformed to say -- then the full checks say why.
    Flat list comprehensions, no helper per array: this runs on every call (1.9 us
    for a two-layer net, where generators took 2.7 us)."""
    try:
        layers = tuple(
            [
                (type(W), tuple(W.shape), W.dtype, type(b), tuple(b.shape), b.dtype)
                for W, b in params
            ]
        )
        signature = (spec, native, layers, type(x), tuple(x.shape), x.dtype)
        if y is not None:
            signature += (type(y), tuple(y.shape), y.dtype)
        return signature
    except (TypeError, AttributeError, ValueError):  # ValueError: not (W, b) pairs
        return None


def _check_call(params, x, y, spec: NetworkSpec, native: type) -> None:
    check_params(params, spec, native)
    for name, a in (("x", x), ("y", y)):
        if a is not None and not isinstance(a, native):
            raise TypeError(
                f"{name} must be a {native_name(native)}, got {_what(a)}; convert it "
                f"once with asarray({name}, spec)"
            )
    check_x(x, spec)
    if y is not None:
        check_y(y, x.shape[0], spec)


def check_incoming_params(params, spec: NetworkSpec) -> None:
    """Reference parameters about to become a backend's (`from_numpy`): right
    shapes for the spec, floating point, finite. Any float dtype is accepted."""
    check_params(params, spec)
    for i, (W, b) in enumerate(params):
        check_finite(f"params[{i}] W", W)
        check_finite(f"params[{i}] b", b)


def is_labels(a, spec: NetworkSpec) -> bool:
    """Integer class labels: a 1-D integer array, for softmax cross-entropy."""
    return spec.uses_labels and a.ndim == 1 and dtype_kind(a) == "int"


def is_targets(a, spec: NetworkSpec) -> bool:
    """Targets, as far as one array can tell: 2-D with the network's n_out columns
    where n_out differs from n_in. Where n_in == n_out, data and targets look
    alike, so `asarray` cannot tell them apart: `train` and the harness, which
    get x and y separately, check the targets there."""
    return a.ndim == 2 and a.shape[1] == spec.n_out != spec.n_in


def check_incoming(a, spec: NetworkSpec) -> np.ndarray:
    """A NumPy array about to become a backend's array (`asarray`): numbers, finite;
    in range where it holds labels (`is_labels`); fit for the loss where it holds
    targets (`is_targets`, `check_targets`). Returned as NumPy."""
    check_spec(spec)
    a = np.asarray(a)
    if dtype_kind(a) not in ("float", "int"):
        raise TypeError(
            f"a must be an array of numbers (data, targets or integer labels), "
            f"got dtype {a.dtype}"
        )
    if is_labels(a, spec):
        check_labels("a", a, spec)
        return a
    check_finite("a", a)
    if is_targets(a, spec):
        shape, n_in = tuple(a.shape), spec.n_in
        check_targets(
            f"a of shape {shape}, read as targets (x has {n_in} columns),", a, spec
        )
    return a


def check_grads(params, grads, native: type) -> None:
    """params and grads are (W, b) lists of the backend's arrays, alike in shape
    (for `sgd_step`)."""
    check_pairs("params", params, native)
    check_pairs("grads", grads, native)
    if len(grads) != len(params):
        raise ValueError(
            f"grads has {len(grads)} layers but params has {len(params)}: expected "
            f"one (dW, db) pair per layer"
        )
    for i, (layer, grad) in enumerate(zip(params, grads)):
        for name, p, g in zip(("W", "b"), layer, grad):
            if tuple(g.shape) != tuple(p.shape):
                raise ValueError(
                    f"grads[{i}] d{name} has shape {tuple(g.shape)} "
                    f"but params[{i}] {name} has shape {tuple(p.shape)}"
                )
            if g.dtype != p.dtype:  # the update would change the params' dtype
                raise TypeError(
                    f"grads[{i}] d{name} has dtype {g.dtype} but params[{i}] {name} "
                    f"has dtype {p.dtype}"
                )


def check_lr(lr) -> None:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"lr must be a real number, got {type(lr).__name__} {lr!r}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a finite number > 0, got {lr}")


# the most steps one call may ask for: the loops keep every step's loss, and the
# batches' index arrays are made up front (about 600 bytes a step at batch 64);
# a million steps of the tutorial's nets is hours of training
MAX_STEPS = 1_000_000


def check_train_args(lr, steps, batch_size, seed, tol, n_rows: int) -> None:
    """The loop arguments of `train`."""
    check_lr(lr)
    check_int("steps", steps, minimum=0, maximum=MAX_STEPS)
    check_int("seed", seed, minimum=0)
    if batch_size is not None:
        check_int("batch_size", batch_size, minimum=1)
        if batch_size > n_rows:
            raise ValueError(
                f"batch_size must be at most the number of examples ({n_rows}), "
                f"got {batch_size}"
            )
    if tol is not None:
        if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
            raise TypeError(f"tol must be a real number or None, got {tol!r}")
        if not math.isfinite(tol) or tol < 0:
            raise ValueError(f"tol must be a finite number >= 0 or None, got {tol}")


def check_finite(name: str, a) -> None:
    """No NaN or inf in the NumPy array `a`."""
    a = np.asarray(a)
    if dtype_kind(a) == "float" and not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(
            f"{name} must be finite, got {a[tuple(bad)]} at index "
            f"{tuple(int(i) for i in bad)} "
            f"({int((~np.isfinite(a)).sum())} non-finite entries)"
        )


def check_labels(name: str, labels, spec: NetworkSpec) -> None:
    """Integer labels lie in [0, n_out)."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= spec.n_out):
        raise ValueError(
            f"{name} holds labels from {labels.min()} to {labels.max()} but the "
            f"network has {spec.n_out} outputs: expected labels in "
            f"[0, {spec.n_out - 1}]"
        )


def check_targets(name: str, y, spec: NetworkSpec) -> None:
    """Targets (N, n_out) fit for the loss: probabilities in [0, 1] for
    cross-entropy, and for softmax cross-entropy rows that sum to 1 (a target
    distribution). MSE takes any finite targets."""
    y = np.asarray(y, dtype=np.float64)
    if spec.loss != "cross_entropy" or y.size == 0:
        return
    if y.min() < 0 or y.max() > 1:
        raise ValueError(
            f"{name} must hold probabilities in [0, 1] for cross_entropy, got values "
            f"from {y.min()} to {y.max()}"
        )
    sums = y.sum(axis=1)  # (N,)
    if spec.uses_labels and not np.allclose(sums, 1.0, rtol=0, atol=1e-6):
        worst = int(np.argmax(np.abs(sums - 1.0)))
        raise ValueError(
            f"{name} rows must each sum to 1 (a target distribution) for softmax "
            f"cross_entropy, got row {worst} summing to {sums[worst]}"
        )


def check_values(x, y, spec: NetworkSpec) -> None:
    """The value checks for one data set, on NumPy arrays, once where data enters."""
    check_finite("x", x)
    if y is None:
        return
    check_finite("y", y)
    y = np.asarray(y)
    if y.ndim == 1:
        check_labels("y", y, spec)
    else:
        check_targets("y", y, spec)


def check_dataset(x, y, spec: NetworkSpec) -> None:
    """Every check, structural and on values, for NumPy data of any float precision,
    where the harness or the CLI takes a data set in."""
    x, y = np.asarray(x), np.asarray(y)
    check_x(_in_spec_dtype(x, spec), spec)
    check_y(_in_spec_dtype(y, spec), len(x), spec)
    check_values(x, y, spec)


def _in_spec_dtype(a: np.ndarray, spec: NetworkSpec) -> np.ndarray:
    return a.astype(spec.dtype) if dtype_kind(a) == "float" else a


def _what(value) -> str:
    """A short description of a value for an error message: its type, and its
    length or shape -- never its whole contents."""
    kind = f"{type(value).__module__.split('.')[0]}.{type(value).__name__}"
    kind = kind.removeprefix("builtins.")
    if hasattr(value, "shape"):
        return f"{kind} of shape {tuple(value.shape)}"
    if isinstance(value, (list, tuple)):
        return f"{kind} of length {len(value)}"
    return f"{kind} {value!r:.40}"


def split_names(value) -> list[str]:
    """'numpy, jax' -> ['numpy', 'jax']: names given as one comma-separated string
    (a flag's value) or as a list or tuple of them."""
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    return list(value)


def check_choices(name: str, chosen, allowed, default=None) -> tuple:
    """Some of `allowed`, as a tuple: one name, several, or a comma-separated
    string of them; None gives `default` (or all of `allowed`). Anything else is a
    ValueError naming the choices."""
    if chosen is None:
        return tuple(default or allowed)
    chosen = tuple(split_names(chosen))
    unknown = [c for c in chosen if c not in allowed]
    if unknown or not chosen:
        raise ValueError(f"{name} must be some of {', '.join(allowed)}; got {chosen}")
    return chosen


def _check_array(name: str, a) -> None:
    if not hasattr(a, "shape") or not hasattr(a, "dtype"):
        raise TypeError(f"{name} must be an array, got {type(a).__name__}")


def check_int(name: str, value, minimum: int, maximum: int | None = None) -> None:
    """An int (not a bool, not 2.0) of at least `minimum` (and at most `maximum`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}, got {value:,}")
