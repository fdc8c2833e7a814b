"""The concept map of `triptych show`: from each topic of the seed to the code that
implements it in every backend.

For each concept -- the network, each activation with its derivative, each loss
with its gradient, the gradients, gradient descent -- the functions of
`reference/oracle.py` whose docstrings are its formula, a sentence or two on what
differs between the frameworks, the functions that implement it in each `impl_*`
package (grouped in rows that sit side by side), and the quantities of the
consistency check that test it. `comparisons.sidebyside` renders it.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass

# backend -> (package, framework, how it gets its gradients)
BACKENDS = {
    "numpy": ("impl_numpy", "NumPy", "backprop by hand"),
    "torch": ("impl_torch", "PyTorch", "autograd"),
    "jax": ("impl_jax", "JAX", "jax.grad + jit"),
}


# ------------------------------------------------------------- the concept map


@dataclass(frozen=True)
class Row:
    """Functions that sit side by side: per backend, names in one impl module."""

    module: str  # activations, losses, network or descent
    names: dict[str, tuple[str, ...]]


def same(module: str, *names: str) -> Row:
    """The same names in every backend."""
    return Row(module, {backend: names for backend in BACKENDS})


def only(module: str, **names: tuple[str, ...]) -> Row:
    """Names that some backends have and others do not (a helper of one idiom)."""
    return Row(module, {backend: names.get(backend, ()) for backend in BACKENDS})


@dataclass(frozen=True)
class Concept:
    name: str
    title: str
    oracle: tuple[str, ...]  # functions of reference/oracle.py: their docstrings
    differs: str  # what differs between the frameworks, in a sentence or two
    rows: tuple[Row, ...]
    quantities: str  # regex for the `quantity` of the consistency rows that test it
    aliases: tuple[str, ...] = ()
    notation: bool = False  # open the formula with the oracle's notation paragraph

    def functions(self, backend: str) -> list[tuple[str, str]]:
        """(module, name) for every function shown in `backend`'s column."""
        return [(r.module, n) for r in self.rows for n in r.names[backend]]


def _activation(name: str, title: str, differs: str) -> Concept:
    return Concept(
        name,
        title,
        (name, f"{name}_grad"),
        differs,
        (
            same("activations", name),
            same("activations", f"{name}_grad"),
            only("activations", torch=("_vjp",), jax=("_vjp",)),
        ),
        rf"{name}(_grad)?",
    )


CONCEPTS = (
    Concept(
        "network",
        "Layers and the forward pass",
        ("forward", "loss"),
        "The loop is the same in all three: z = a @ W + b, then a = f(z), layer by "
        "layer. NumPy keeps every layer's z and a for its hand-written backward "
        "pass; torch and JAX keep only the last, because autograd's tape (torch) "
        "or the traced program (JAX) remembers what the backward pass needs. JAX's "
        "functions are pure and compiled by `jax.jit`, the spec a static argument.",
        (
            same("network", "forward"),
            same("network", "_forward"),
            same("network", "loss"),
            Row(
                "network",
                {
                    "numpy": ("_output_loss",),
                    "torch": ("_output_loss",),
                    "jax": ("_output_loss", "_loss"),
                },
            ),
        ),
        r"forward|loss",
        aliases=("forward", "layers"),
        notation=True,
    ),
    _activation(
        "sigmoid",
        "Sigmoid and its derivative",
        "NumPy evaluates the sigmoid stably by hand (exp of -|z| only) and writes "
        "f'(z) = f(z) (1 - f(z)) next to it; `torch.sigmoid` and `jax.nn.sigmoid` "
        "are stable built-ins, and their `_grad` is a vector-Jacobian product run "
        "by `torch.autograd.grad` or `jax.vjp`.",
    ),
    _activation(
        "tanh",
        "tanh and its derivative",
        "One library call in each. The derivative 1 - tanh(z)^2 is written out only "
        "in NumPy; torch and JAX take it from the derivative registered with the "
        "op, through `_vjp`.",
    ),
    _activation(
        "relu",
        "ReLU and its derivative",
        "relu'(0) = 0 everywhere: NumPy's mask `z > 0` says so explicitly, and "
        "`torch.relu` and `jax.nn.relu` define their derivative that way, whereas "
        "`maximum(z, 0)` under autograd splits the tie and gives 0.5.",
    ),
    _activation(
        "softmax",
        "Softmax and its Jacobian",
        "NumPy subtracts each row's max itself and applies the Jacobian without "
        "building it: J^T g = s * (g - sum(g * s)). `torch.softmax` and "
        "`jax.nn.softmax` shift internally, and autograd arrives at the same "
        "vector-Jacobian product.",
    ),
    Concept(
        "mse",
        "Mean squared error and its gradient",
        ("mse", "mse_grad"),
        "The mean over all N*C elements, no 1/2, in all three (the convention of "
        "`F.mse_loss`). Only NumPy writes the gradient 2 (y_hat - y) / (N C) by "
        "hand; torch calls `F.mse_loss` and asks autograd, JAX writes the formula "
        "and lets `jax.grad` differentiate it.",
        (
            same("losses", "mse"),
            same("losses", "mse_grad"),
            only("losses", torch=("_grad",)),
        ),
        r"mse(_grad)?",
        aliases=("mean_squared_error",),
    ),
    Concept(
        "cross_entropy",
        "Cross-entropy from the logits (softmax, sigmoid) and its gradient",
        (
            "softmax_cross_entropy",
            "softmax_cross_entropy_grad",
            "sigmoid_cross_entropy",
            "sigmoid_cross_entropy_grad",
        ),
        "All three start from the logits, never log(softmax(z)). NumPy writes "
        "log-sum-exp and the gradient (softmax(z) - y) / N by hand; torch calls "
        "`F.cross_entropy` (which wants int64 labels) and "
        "`F.binary_cross_entropy_with_logits`; JAX composes `jax.nn.log_softmax` "
        "and `log_sigmoid`, and `jax.grad` gives the gradient.",
        (
            same("losses", "softmax_cross_entropy"),
            same("losses", "softmax_cross_entropy_grad"),
            same("losses", "sigmoid_cross_entropy"),
            same("losses", "sigmoid_cross_entropy_grad"),
            only("losses", torch=("_grad",)),
        ),
        r"(softmax|sigmoid)_cross_entropy(_grad)?(\(.*\))?",
        aliases=("softmax_cross_entropy", "sigmoid_cross_entropy", "crossentropy"),
    ),
    Concept(
        "loss_and_grads",
        "Gradients: backprop by hand, autograd, jax.grad",
        ("loss_and_grads",),
        "NumPy runs backpropagation by hand: delta = dL/dz starts at the output and "
        "goes back through W^T and f', layer by layer. torch records the forward "
        "pass from fresh leaf tensors on its tape, and `torch.autograd.grad` runs "
        "the tape backwards. JAX transforms the loss function itself: "
        "`jax.value_and_grad(_loss)` is a new function, compiled by `jax.jit`, "
        "whose gradient has the params' own list-of-(W, b) structure.",
        (
            same("network", "loss_and_grads"),
            only("network", numpy=("_output_delta",), jax=("_loss",)),
            same("network", "_loss_and_grads"),
            only("network", torch=("_pairs",)),
        ),
        r"d[Wb]\[\d+\]",
        aliases=("gradients", "grads", "backprop", "autograd", "grad"),
    ),
    Concept(
        "sgd_step",
        "One step of gradient descent",
        ("sgd_step",),
        "The same update p - lr * g, returning new arrays and leaving its inputs "
        "alone. NumPy and torch write it as a comprehension over the (W, b) pairs; "
        "JAX maps it over the parameter pytree with `jax.tree.map`.",
        (same("descent", "sgd_step"),),
        r"step [Wb]\[\d+\]",
        aliases=("sgd", "step", "gradient_descent", "update"),
    ),
    Concept(
        "train",
        "The training loop (the seed's `while not converge`)",
        ("train",),
        "The same seeded minibatches and stopping rule (`reference.minibatches`, "
        "`converged`). NumPy updates its own copy in place with `-=`; torch does "
        "the same with `sub_` under `torch.no_grad()`; JAX compiles the whole step, "
        "gradient and update, into one `jax.jit` function that donates the old "
        "buffers. `sync` shows who computes asynchronously: JAX always, torch on "
        "CUDA, NumPy never.",
        (
            same("descent", "train"),
            only("descent", jax=("_step",)),
            same("descent", "sync"),
        ),
        r"losses|final [Wb]\[\d+\]",
        aliases=("training", "loop", "fit", "descent"),
    ),
)


def names() -> list[str]:
    """The concepts' names, in the seed's order."""
    return [c.name for c in CONCEPTS]


def resolve(name: str) -> Concept:
    """The concept called `name`, or known by that alias or function name."""
    lookup = _lookup()
    if name in lookup:
        return lookup[name]
    close = difflib.get_close_matches(name, list(lookup), n=4, cutoff=0.5)
    hint = f"; closest: {', '.join(close)}" if close else ""
    raise ValueError(
        f"CONCEPT must be one of {', '.join(names())} (or a function name such as "
        f"relu_grad); got {name!r}{hint}"
    )


@functools.cache
def _lookup() -> dict[str, Concept]:
    """Every name a concept answers to: its own, its aliases, its functions."""
    lookup = {}
    for concept in CONCEPTS:
        for alias in (concept.name, *concept.aliases):
            lookup.setdefault(alias, concept)
    for concept in CONCEPTS:  # public functions last: `loss` is network's
        for backend in BACKENDS:
            for _, function in concept.functions(backend):
                if not function.startswith("_"):
                    lookup.setdefault(function, concept)
    return lookup


def check_backends(backends) -> list[str]:
    """Backend names from a list, a comma-separated string, or None (all three)."""
    if backends is None:
        return list(BACKENDS)
    if isinstance(backends, str):
        backends = [b.strip() for b in backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends:
        raise ValueError(
            f"backends must be some of {', '.join(BACKENDS)}, comma-separated; "
            f"got {','.join(backends) or 'nothing'}"
        )
    return list(dict.fromkeys(backends))  # in the order given, once each
