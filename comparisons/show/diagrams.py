"""Pictures that are diagrams: the network of a spec with the shape of every array,
checked against each backend's `forward`; and the tape the tiny engine of
examples/autodiff_backend.py records for a small expression, read from its
`Tensor`s after `backward()`.
"""

from __future__ import annotations

import numpy as np

import reference

from .curves import digits_batch
from .model import ENGINE
from .pictures import Unavailable, figure, names, native

BOX = dict(boxstyle="round,pad=0.4", facecolor="#f6f8fa", edgecolor="#57606a")
DATA = dict(BOX, facecolor="#ddf4ff")
SYMBOLS = {
    "__add__": "+",
    "__sub__": "-",
    "__mul__": "×",
    "__matmul__": "@",
    "__truediv__": "/",
    "__neg__": "neg",
}


def network(concept, backends):
    """x (N, n_in) -> z = a @ W + b -> a = f(z) -> ... -> y_hat (N, n_out) -> L,
    top to bottom, each array's shape on the right."""
    spec, x, y = digits_batch()
    params = reference.init_params(spec, seed=0)
    shapes = {
        b.NAME: b.to_numpy(
            b.forward(b.from_numpy(params, spec), native(b, x, spec), spec)
        ).shape
        for b in backends
    }
    nodes = _layers(spec, len(x))
    fig = figure(7.2, 0.55 * len(nodes) + 0.7)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(nodes) - 0.4)
    for k, (text, shape, style) in enumerate(nodes):
        at = len(nodes) - 1 - k  # the input on top
        ax.text(0.3, at, text, ha="center", va="center", bbox=style, fontsize=10)
        ax.text(
            0.62, at, shape, ha="left", va="center", fontsize=10, family="monospace"
        )
        if k:
            arrow = dict(arrowstyle="->", color="#57606a", shrinkA=9, shrinkB=9)
            ax.annotate("", (0.3, at), (0.3, at + 1), arrowprops=arrow)
    said = "; ".join(
        f"{shape} in {', '.join(n for n in shapes if shapes[n] == shape)}"
        for shape in dict.fromkeys(shapes.values())
    )
    ax.set_title(f"{spec}, N = {len(x)} digits\nforward returns {said}", fontsize=9)
    return fig, (
        f"The layers of a {spec.sizes} network ({spec.activation}, {spec.output}, "
        f"{spec.loss}) with the shape of every array, from (N, n_in) to (N, n_out); "
        f"the output's shape as {names(backends)} return it from `forward`."
    )


def _layers(spec, n: int) -> list[tuple[str, str, dict]]:
    """(what, its shape, box style), top to bottom: x, then per layer z and a
    (y_hat for the last), then the loss."""
    nodes = [("x", f"({n}, {spec.n_in})", DATA)]
    for i, (n_in, n_out) in enumerate(zip(spec.sizes[:-1], spec.sizes[1:]), 1):
        f = spec.output if i == spec.n_layers else spec.activation
        before = "x" if i == 1 else f"a{i - 1}"
        params = f"W{i} ({n_in}, {n_out}), b{i} ({n_out},)"
        nodes.append(
            (f"z{i} = {before} @ W{i} + b{i}", f"({n}, {n_out})  {params}", BOX)
        )
        a = "y_hat" if i == spec.n_layers else f"a{i}"
        nodes.append((f"{a} = {f}(z{i})", f"({n}, {n_out})", DATA))
    on = f"z{spec.n_layers}" if spec.loss == "cross_entropy" else "y_hat"
    nodes.append((f"L = {spec.loss}({on}, y)", "()  a scalar", BOX))
    return nodes


def tape(concept, backends):
    """The engine's graph of mean((tanh(x @ W + b) - y)^2), after backward()."""
    engine = next((b for b in backends if b.NAME == ENGINE), None)
    if engine is None:
        raise Unavailable("The tape needs examples/autodiff_backend.py, not here.")
    root, leaves = _recorded(engine.Tensor)
    named = {id(t): name for name, t in leaves.items()}
    fig = figure(10, 3.6)
    ax = fig.add_subplot()
    ax.set_axis_off()
    order = engine.topological_order(root)  # the order backward() reverses
    places = _places(order)
    arrow = dict(arrowstyle="->", color="#57606a", shrinkA=22, shrinkB=22)
    for node in order:
        for parent in node.parents:
            ax.annotate("", places[id(node)], places[id(parent)], arrowprops=arrow)
        name = named.get(id(node)) or _op(node)
        text = f"{name} {node.value.shape}\ngrad {node.grad.shape}"
        style = DATA if id(node) in named else BOX
        ax.text(
            *places[id(node)], text, ha="center", va="center", bbox=style, fontsize=8
        )
    ax.set_xlim(-0.6, max(p[0] for p in places.values()) + 0.6)
    ax.set_ylim(-0.8, max(p[1] for p in places.values()) + 0.8)
    ax.set_title(
        "forward: left to right, each node keeps its parents; "
        "backward(): right to left, each node's vjp feeds its parents",
        fontsize=9,
    )
    return fig, (
        "The tape the engine records for mean((tanh(x @ W + b) - y)^2): every "
        "Tensor keeps its parents (arrows) and a vector-Jacobian product; "
        "`backward()` runs them in reverse order and leaves on each node a grad of "
        "its own shape."
    )


def _recorded(Tensor):
    """The loss of one tanh layer, built from the engine's Tensors (the tape is
    recorded as it is computed), after backward(); and its leaves, by name."""
    rng = np.random.default_rng(0)
    leaves = {
        "x": Tensor(rng.normal(size=(4, 3))),
        "W": Tensor(rng.normal(size=(3, 2))),
        "b": Tensor(np.zeros(2)),
        "y": Tensor(rng.normal(size=(4, 2))),
    }
    x, W, b, y = leaves.values()
    d = (x @ W + b).tanh() - y  # (4, 2)
    root = (d * d).mean()  # a scalar
    root.backward()
    return root, leaves


def _places(order) -> dict:
    """id -> (x, y): x the node's depth (a leaf just before its first use), the
    ops on one line, the leaves above it, stacked where they share a depth."""
    depth = {}
    for node in order:
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    for node in order:  # a leaf moves up to just before the node that uses it
        for parent in node.parents:
            if not parent.parents:
                depth[id(parent)] = max(depth[id(parent)], depth[id(node)] - 1)
    places, stacked = {}, {}
    for node in order:
        if node.parents:
            places[id(node)] = (depth[id(node)], 0)
        else:
            level = stacked.get(depth[id(node)], 0) + 1
            stacked[depth[id(node)]] = level
            places[id(node)] = (depth[id(node)], level)
    return places


def _op(node) -> str:
    """The op that made `node`, from its vjp's name: Tensor.tanh.<locals>..."""
    parts = getattr(node.vjp, "__qualname__", "").split(".")
    op = parts[-3] if len(parts) >= 3 else "?"
    return SYMBOLS.get(op, op)


KINDS = {"network": network, "tape": tape}
