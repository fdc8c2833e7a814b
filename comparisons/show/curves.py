"""Pictures of the unit functions, each computed by every backend over the float64
oracle: an activation and its derivative on [-6, 6], a loss as a function of one
prediction or logit with its gradient, softmax before and after a shift, and the
gradients of a whole network. Below each curve, each backend's error in eps.
"""

from __future__ import annotations

import numpy as np

import reference
from reference import NetworkSpec, oracle

from .pictures import (
    DTYPE,
    EPS,
    MARKERS,
    ORACLE,
    color,
    eps_error,
    figure,
    names,
    native,
)

Z = np.arange(-240, 241) / 40  # [-6, 6] in steps of 1/40, with 0 exactly: the kink
POINTS = np.arange(-48, 49) / 8  # a loss is one call per point: fewer of them
EVERY = 24  # a backend's marker on every 24th point; the oracle is the line
# asarray needs a spec: 3 classes, and n_in == n_out, so that asarray takes any
# (N, 3) array as it is (data), not as targets to check against the loss
UNIT = NetworkSpec((3, 2, 3), dtype=DTYPE)


def activation(concept, backends):
    """f(z) and f'(z) = f_grad(z, 1); softmax as its first output, over one logit
    with the others at 0 and 1."""
    name, z = concept.name, reference.cast_array(Z, DTYPE)
    if name == "softmax":  # a vector function: logits (z, 0, 1) per row
        z = np.stack([z, np.zeros_like(z), np.ones_like(z)], axis=1)
    g = np.ones_like(z)  # element-wise f: f'(z) = f_grad(z, 1)
    if z.ndim == 2:  # softmax: g = e_0, so that J^T g, first entry, is d s_0 / d z_0
        g[:, 1:] = 0
    f, f_grad = oracle.ACTIVATIONS[name]
    first = (lambda a: a[:, 0]) if z.ndim == 2 else (lambda a: a)
    series = [
        (f"{name}(z)", first(f(z)), _each(backends, name, z, None, first)),
        (
            f"{name}'(z)",
            first(f_grad(z, g)),
            _each(backends, f"{name}_grad", z, g, first),
        ),
    ]
    fig = figure(7.2, 4.6)
    top, bottom = _panels(fig, fig.add_gridspec(1, 1)[0])
    _draw(top, bottom, Z, series, backends)
    _annotate(top, Z, series[1][1])
    top.set_title(f"{name} and its derivative, {DTYPE}, over the float64 oracle")
    bottom.set_xlabel("z")
    return fig, (
        f"{name}(z) and its derivative on [-6, 6], computed by {names(backends)} in "
        f"{DTYPE} (markers) over the float64 oracle (grey line); below, each "
        f"backend's error in eps of {DTYPE}."
    )


def _each(backends, function, z, g, first) -> dict:
    """{NAME: first(function(z[, g]))} as NumPy, on each backend's own arrays
    (keyed by NAME: an outside backend may be an unhashable namespace)."""
    out = {}
    for b in backends:
        args = [native(b, z, UNIT)] + ([] if g is None else [native(b, g, UNIT)])
        out[b.NAME] = first(b.to_numpy(getattr(b, function)(*args)))
    return out


def _annotate(ax, z, derivative) -> None:
    """Say what the derivative does: a kink at 0, saturation at both ends."""
    middle = len(z) // 2
    around = (derivative[middle - 1] + derivative[middle + 1]) / 2
    if abs(derivative[middle] - around) > 0.25:
        text = f"f'(0) = {derivative[middle]:g}: the kink"
        ax.annotate(text, (0, derivative[middle]), (0.6, 0.35), arrowprops={})
    if max(abs(derivative[0]), abs(derivative[-1])) < 0.02:
        ax.annotate("saturates: f' -> 0", (-5, derivative[0]), (-5.8, 0.55))


def softmax_shift(concept, backends):
    """softmax(z) and softmax(z + 100): the same; naively, exp(102) overflows."""
    z = reference.cast_array(np.array([[2.0, 1.0, 0.1]]), DTYPE)
    exact = oracle.softmax(z)[0]
    fig = figure(7.2, 3.4)
    ax = fig.add_subplot()
    ax.bar(np.arange(3), exact, color="#dddddd", label="oracle softmax(z)")
    for k, b in enumerate(backends):
        for shift, marker in ((0, MARKERS[k % len(MARKERS)]), (100, "x")):
            value = b.to_numpy(b.softmax(native(b, z + shift, UNIT)))[0]
            at = np.arange(3) + 0.1 * (k - len(backends) / 2)
            label = f"{b.NAME}: softmax(z + {shift})"
            ax.plot(at, value, marker, color=color(b, k), fillstyle="none", label=label)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z + 100) / np.exp(z + 100).sum()
    ax.set_xticks(range(3), [f"z = {v:g}" for v in z[0]])
    ax.set_title(f"softmax(z + 100) = softmax(z); naively in {DTYPE}: {naive[0, 0]}")
    ax.legend(fontsize=7, ncols=2)
    return fig, (
        "softmax of three logits and of the same logits plus 100, computed by "
        f"{names(backends)}: the same, since every backend subtracts the max first; "
        f"exp(102) overflows {DTYPE}, so the formula as written gives nan."
    )


def mse(concept, backends):
    """MSE of a batch of 2 x 2 as one prediction moves, the others on target."""
    y = reference.cast_array(np.array([[0.5, -1.0], [2.0, 0.0]]), DTYPE)

    def batch(v):  # the prediction y_hat[0, 0] = v
        y_hat = y.copy()
        y_hat[0, 0] = v
        return y_hat

    series = _loss_series("mse", batch, y, backends, "L(y_hat)", "dL/dy_hat[0, 0]")
    fig = figure(7.2, 4.6)
    top, bottom = _panels(fig, fig.add_gridspec(1, 1)[0])
    _draw(top, bottom, POINTS, series, backends)
    top.set_title(f"MSE of a 2 x 2 batch as y_hat[0, 0] moves; y[0, 0] = 0.5, {DTYPE}")
    bottom.set_xlabel("y_hat[0, 0]")
    return fig, (
        "MSE as one prediction moves (the others on their targets) and its gradient "
        f"2 (y_hat - y) / (N C), computed by {names(backends)} over the oracle; "
        f"below, each backend's error in eps of {DTYPE}."
    )


def cross_entropy(concept, backends):
    """Softmax cross-entropy over the true class's logit; sigmoid cross-entropy
    over one logit with target 1."""
    # n_in == n_out: asarray takes the logits as they are, not as targets
    spec = NetworkSpec((3, 2, 3), "tanh", "softmax", "cross_entropy", DTYPE)
    labels, zeros = np.array([0]), reference.cast_array(np.zeros((1, 3)), DTYPE)
    others = reference.cast_array(np.array([[0.0, 0.0, 1.0]]), DTYPE)

    def logits(v):  # the true class's logit z_0 = v; the others 0 and 1
        z = others.copy()
        z[0, 0] = v
        return z

    def one(v):  # one logit, target 1
        return zeros[:, :1] + v

    fig = figure(10, 4.6)
    grid = fig.add_gridspec(1, 2)
    softmax_series = _loss_series(
        "softmax_cross_entropy", logits, labels, backends, "L(z)", "dL/dz_0", spec
    )
    sigmoid_series = _loss_series(
        "sigmoid_cross_entropy", one, np.ones((1, 1), DTYPE), backends, "L(z)", "dL/dz"
    )
    for slot, series, title in (
        (grid[0], softmax_series, "softmax cross-entropy, label 0, logits (z, 0, 1)"),
        (grid[1], sigmoid_series, "sigmoid cross-entropy, target 1"),
    ):
        top, bottom = _panels(fig, slot)
        _draw(top, bottom, POINTS, series, backends)
        top.set_title(title, fontsize=10)
        bottom.set_xlabel("z_0" if series is softmax_series else "z")
    return fig, (
        "Cross-entropy from the logits as one logit moves, and its gradient "
        f"(softmax(z) - y) / N or (sigmoid(z) - y) / (N C), computed by "
        f"{names(backends)} over the oracle; below, each error in eps of {DTYPE}."
    )


def _loss_series(name, batch, y, backends, value_label, grad_label, spec=UNIT):
    """[(label, oracle, {NAME: values})] for the loss and its gradient's first
    element, one call per point: a loss is a mean over the whole batch."""
    first = [batch(v) for v in reference.cast_array(POINTS, DTYPE)]
    loss, grad = getattr(oracle, name), getattr(oracle, f"{name}_grad")
    exact = [np.array([loss(a, y) for a in first]), [grad(a, y)[0, 0] for a in first]]
    values, grads = {}, {}
    for b in backends:
        target = native(b, y, spec)
        points = [native(b, a, spec) for a in first]
        values[b.NAME] = [
            float(b.to_numpy(getattr(b, name)(a, target))) for a in points
        ]
        grads[b.NAME] = [
            b.to_numpy(getattr(b, f"{name}_grad")(a, target))[0, 0] for a in points
        ]
    return [(value_label, exact[0], values), (grad_label, np.array(exact[1]), grads)]


def _panels(fig, slot):
    """Two axes in `slot`: the curves above, the errors in eps below."""
    inner = slot.subgridspec(2, 1, height_ratios=(3, 1.3), hspace=0.05)
    top = fig.add_subplot(inner[0])
    bottom = fig.add_subplot(inner[1], sharex=top)
    top.tick_params(labelbottom=False)
    return top, bottom


def _draw(top, bottom, x, series, backends) -> None:
    """Each series' oracle as a grey line and each backend's values as markers
    above; below, each backend's error against the oracle in eps."""
    styles = ("-", "--", ":")
    for s, (label, exact, by_backend) in enumerate(series):
        top.plot(x, exact, linestyle=styles[s % 3], **ORACLE, label=f"{label} oracle")
        for k, b in enumerate(backends):
            values = np.asarray(by_backend[b.NAME], dtype=np.float64)
            marker = MARKERS[k % len(MARKERS)]
            top.plot(
                x[k::EVERY],
                values[k::EVERY],
                marker,
                color=color(b, k),
                fillstyle="none",
                markersize=5,
                label=f"{label} {b.NAME}",
            )
            bottom.plot(
                x,
                eps_error(values, exact),
                styles[s % 3],
                color=color(b, k),
                linewidth=1,
            )
    top.legend(fontsize=7, ncols=2)
    top.grid(alpha=0.3)
    bottom.set_ylabel("error / eps", fontsize=8)
    bottom.set_ylim(bottom=0, top=max(1.0, bottom.get_ylim()[1]))
    bottom.grid(alpha=0.3)


def gradients(concept, backends):
    """Every gradient of a network on the digits, each backend against the oracle:
    the largest error of each array, in eps, relative to the whole gradient."""
    spec, x, y = digits_batch()
    params = reference.init_params(spec, seed=0)
    exact = oracle.loss_and_grads(
        reference.cast_params(params, DTYPE), x, y, spec.replace(dtype="float64")
    )[1]
    arrays = [f"d{p}[{i}]" for i in range(len(exact)) for p in ("W", "b")]
    scale = max(float(np.abs(a).max()) for layer in exact for a in layer)
    fig = figure(7.2, 3.4)
    ax = fig.add_subplot()
    width = 0.8 / len(backends)
    for k, b in enumerate(backends):
        native_params = b.from_numpy(params, spec)
        _, grads = b.loss_and_grads(
            native_params, native(b, x, spec), native(b, y, spec), spec
        )
        errors = [
            float(np.abs(got - want).max()) / (EPS * scale)
            for got_layer, want_layer in zip(b.to_numpy(grads), exact)
            for got, want in zip(got_layer, want_layer)
        ]
        at = np.arange(len(arrays)) + width * (k - (len(backends) - 1) / 2)
        ax.bar(at, errors, width, color=color(b, k), label=b.NAME)
    ax.set_xticks(range(len(arrays)), arrays)
    ax.set_ylabel("max error / eps", fontsize=8)
    ax.set_title(f"loss_and_grads, {spec}, 64 digits: error vs the float64 oracle")
    ax.legend(fontsize=8)
    return fig, (
        f"The largest error of each gradient array of a {spec.sizes} network on 64 "
        f"digits, computed by {names(backends)} in {DTYPE}, in eps "
        "relative to the largest gradient entry: a few eps, whichever way the "
        "gradient was found."
    )


def digits_batch(n: int = 64):
    """The first n digits, rounded to DTYPE, and a network for them."""
    data = reference.data.load("digits")
    spec = NetworkSpec((data.n_features, 32, data.n_outputs), "tanh", dtype=DTYPE)
    return spec, reference.cast_array(data.x[:n], DTYPE), data.y[:n]


KINDS = {
    "activation": activation,
    "softmax_shift": softmax_shift,
    "mse": mse,
    "cross_entropy": cross_entropy,
    "gradients": gradients,
}
