"""The concept map of `triptych show`: each topic of the tutorial on deep-learning
fundamentals (the network; sigmoid, tanh, ReLU, softmax; MSE and cross-entropy;
gradients and automatic differentiation; gradient descent) with its formula's
functions in reference/oracle.py, what differs between the frameworks, its traps
(traps.py), its pictures (pictures.py), the consistency quantities that test it,
and its functions in rows, one `Row` per job (model.py); tests/test_show.py checks
every name, and a renamed function is named in the error (`source.snippet`)."""

from __future__ import annotations

import difflib
import functools

import reference
from reference import oracle

from .model import ENGINE, Concept, Row, only, same

# One text per activation: (title, what differs). An activation added to
# reference/ gets its concept from this text (tests/test_show.py asks for one).
ACTIVATION_TEXT = {
    "sigmoid": (
        "Sigmoid and its derivative",
        "NumPy evaluates the sigmoid stably by hand (exp of -|z| only) and writes "
        "f'(z) = f(z) (1 - f(z)) next to it; `torch.sigmoid` and `jax.nn.sigmoid` "
        "are stable built-ins, and their `_grad` is a vector-Jacobian product run "
        "by `torch.autograd.grad` or `jax.vjp`. Far from 0 it saturates: f' -> 0.",
    ),
    "tanh": (
        "tanh and its derivative",
        "One library call in each. The derivative 1 - tanh(z)^2 is written out only "
        "in NumPy; torch and JAX take it from the derivative registered with the "
        "op, through `_vjp`. Like the sigmoid it saturates, at -1 and 1.",
    ),
    "relu": (
        "ReLU and its derivative",
        "relu'(0) = 0 everywhere: NumPy's mask `a > 0` (a = relu(z) > 0 exactly "
        "where z > 0) says so explicitly, and `torch.relu` and `jax.nn.relu` define "
        "their derivative that way. Other "
        "spellings of the same function differ exactly at the kink (see below).",
    ),
    "softmax": (
        "Softmax and its Jacobian",
        "NumPy subtracts each row's max itself and applies the Jacobian without "
        "building it: J^T g = s * (g - sum(g * s)). `torch.softmax` and "
        "`jax.nn.softmax` shift internally, and autograd arrives at the same "
        "vector-Jacobian product.",
    ),
}

MORE_PICTURES = {"softmax": ("softmax_shift",)}  # beyond its curve and derivative


def activation_names() -> list[str]:
    """The activations of reference/ with a curve to draw: hidden, then output
    (the identity output has no concept: f(z) = z)."""
    names = dict.fromkeys([*reference.ACTIVATIONS, *reference.OUTPUTS])
    return [name for name in names if name != "identity"]


def _activation(name: str) -> Concept:
    title, differs = ACTIVATION_TEXT.get(name, (f"{name} and its derivative", ""))
    job = "f' from the kept output a = f(z), as backprop uses it"
    from_output = only("activations", job, numpy=(f"_{name}_grad_from",))
    return Concept(
        name,
        title,
        (name, f"{name}_grad"),
        differs,
        (
            same("activations", name),
            same("activations", f"{name}_grad"),
            *((from_output,) if name in reference.ACTIVATIONS else ()),  # hidden f
            only(
                "activations",
                "a vector-Jacobian product by autograd",
                torch=("_vjp",),
                jax=("_vjp",),
            ),
        ),
        rf"{name}(_grad)?",
        pictures=("activation", *MORE_PICTURES.get(name, ())),
    )


NETWORK = Concept(
    "network",
    "Layers and the forward pass",
    ("forward", "loss"),
    "The loop is the same in all three: z = a @ W + b, then a = f(z), layer by "
    "layer. NumPy keeps every layer's z and a for its hand-written backward pass; "
    "torch and JAX keep only the last, because autograd's tape (torch) or the "
    "traced program (JAX) remembers what the backward pass needs. JAX's functions "
    "are pure and compiled by `jax.jit`, the spec a static argument.",
    (
        same("network", "forward"),
        same("network", "_forward", job="every layer, z = a @ W + b, a = f(z)"),
        same("network", "loss"),
        same("network", "_output_loss", job="the loss from the last layer"),
        only("network", "the loss of params, for jax.value_and_grad", jax=("_loss",)),
        only("network", "the programs", jax=("_predict", "_logits", "_loss_of_logits")),
        only("network", "dispatch, then check as it runs", jax=("_run_then_check",)),
    ),
    r"forward|loss",
    aliases=("forward", "layers"),
    notation=True,
    pictures=("network",),
)

MSE = Concept(
    "mse",
    "Mean squared error and its gradient",
    ("mse", "mse_grad"),
    "The mean over all N*C elements, no 1/2, in all three (the convention of "
    "`F.mse_loss`). Only NumPy writes the gradient 2 (y_hat - y) / (N C) by hand; "
    "torch calls `F.mse_loss` and asks autograd, JAX writes the formula and lets "
    "`jax.grad` differentiate it.",
    (
        same("losses", "mse"),
        same("losses", "mse_grad"),
        only("losses", "the gradient of a loss by autograd", torch=("_grad",)),
    ),
    r"mse(_grad)?",
    aliases=("mean_squared_error",),
    pictures=("mse",),
)

# The oracle's losses on the logits, and the outputs they pair with: softmax, sigmoid
CROSS_ENTROPIES = [n for n in oracle.LOSSES if n.endswith("_cross_entropy")]
ON_LOGITS = [n.removesuffix("_cross_entropy") for n in CROSS_ENTROPIES]
CE_FUNCTIONS = tuple(f"{n}{g}" for n in CROSS_ENTROPIES for g in ("", "_grad"))

CROSS_ENTROPY = Concept(
    "cross_entropy",
    "Cross-entropy from the logits (softmax, sigmoid) and its gradient",
    CE_FUNCTIONS,
    "All three start from the logits, never log(softmax(z)). NumPy writes "
    "log-sum-exp and the gradient (softmax(z) - y) / N by hand; torch calls "
    "`F.cross_entropy` and `F.binary_cross_entropy_with_logits`; JAX composes "
    "`jax.nn.log_softmax` and `log_sigmoid`, and `jax.grad` gives the gradient.",
    (
        *(same("losses", name) for name in CE_FUNCTIONS),
        only("losses", "the gradient of a loss by autograd", torch=("_grad",)),
    ),
    rf"({'|'.join(ON_LOGITS)})_cross_entropy(_grad)?(\(.*\))?",
    aliases=(*CROSS_ENTROPIES, "crossentropy"),
    pictures=("cross_entropy",),
)

GRADIENTS = Concept(
    "loss_and_grads",
    "Gradients: backprop by hand, autograd, jax.grad",
    ("loss_and_grads",),
    "NumPy runs backpropagation by hand: delta = dL/dz starts at the output and "
    "goes back through W^T and f', layer by layer. torch records the forward pass "
    "from fresh leaf tensors on its tape, and `torch.autograd.grad` runs the tape "
    "backwards. JAX transforms the loss function itself: "
    "`jax.value_and_grad(_loss)` is a new function, compiled by `jax.jit`, whose "
    "gradient has the params' own list-of-(W, b) structure.",
    (
        same("network", "loss_and_grads"),
        same("network", "_loss_and_grads", job="the loss and every gradient"),
        only(
            "network",
            "dL/dz at the output, by hand (autograd finds it in torch and JAX)",
            numpy=("_output_delta",),
        ),
        only("network", "what jax.value_and_grad transforms", jax=("_loss",)),
        only("network", "flat leaves back into (W, b) pairs", torch=("_pairs",)),
    ),
    r"d[Wb]\[\d+\]",
    aliases=("gradients", "grads", "backprop", "grad"),
    pictures=("gradients",),
)

AUTODIFF = Concept(
    "autodiff",
    "Automatic differentiation: four ways to get the gradients",
    ("loss_and_grads",),
    "NumPy's backprop is the chain rule written out by hand, layer by layer. The "
    "tiny engine of examples/autodiff_backend.py does it for any expression: each "
    "`Tensor` records its parents and a vector-Jacobian product, and `backward` "
    "runs them in reverse topological order. torch does the same in C++: every "
    "tensor made from a leaf that `requires_grad` joins the tape, and "
    "`torch.autograd.grad` runs it back. JAX records nothing at run time: "
    "`jax.grad` traces the loss function once and transforms it into a new "
    "function that computes the gradient.",
    (
        Row(
            "network",
            {
                "numpy": ("_loss_and_grads",),
                ENGINE: ("_loss_and_grads",),
                "torch": ("_loss_and_grads",),
                "jax": ("_loss", "_loss_and_grads"),
            },
            "the loss and every gradient of the network",
        ),
        Row(
            "activations",
            {ENGINE: ("Tensor.backward", "topological_order")},
            "the backward pass over the tape (torch: C++; JAX: a transformed function)",
        ),
        Row(
            "activations",
            {
                "numpy": ("tanh", "tanh_grad", "_tanh_grad_from"),
                ENGINE: ("Tensor.__init__", "Tensor.tanh"),
                "torch": ("tanh", "_vjp"),
                "jax": ("tanh", "_vjp"),
            },
            "one operation: its value, and its gradient as a vector-Jacobian product",
        ),
    ),
    r"d[Wb]\[\d+\]",
    aliases=("automatic_differentiation", "autograd", "tape", "engine"),
    pictures=("tape", "gradients"),
    engine=True,
)

SGD_STEP = Concept(
    "sgd_step",
    "One step of gradient descent",
    ("sgd_step",),
    "The same update p - lr * g, returning new arrays and leaving its inputs "
    "alone. NumPy and torch write it as a comprehension over the (W, b) pairs; JAX "
    "maps it over the parameter pytree with `jax.tree.map`. Too small a learning "
    "rate crawls, too large a one overshoots and diverges.",
    (same("descent", "sgd_step"),),
    r"step [Wb]\[\d+\]",
    aliases=("sgd", "step", "gradient_descent", "update", "learning_rate"),
    pictures=("learning_rates",),
)

TRAIN = Concept(
    "train",
    "The training loop: step until converged",
    ("train",),
    "The same seeded minibatches and stopping rule (`reference.minibatches`, "
    "`converged`). NumPy updates its own copy in place with `-=`; torch does the "
    "same with `sub_` under `torch.no_grad()`; JAX compiles the whole step, "
    "gradient and update, into one `jax.jit` function that donates the old "
    "buffers. `sync` shows who computes asynchronously: JAX always, torch on CUDA, "
    "NumPy never.",
    (
        same("descent", "train"),
        only("descent", "one compiled step: gradient and update", jax=("_step",)),
        same("descent", "sync"),
    ),
    r"losses|final [Wb]\[\d+\]",
    aliases=("training", "loop", "fit", "descent"),
    pictures=("descent_path",),
)

CONCEPTS = (
    NETWORK,
    *(_activation(name) for name in activation_names()),
    MSE,
    CROSS_ENTROPY,
    GRADIENTS,
    AUTODIFF,
    SGD_STEP,
    TRAIN,
)


def names() -> list[str]:
    """The concepts' names, in the tutorial's order."""
    return [c.name for c in CONCEPTS]


def resolve(name) -> Concept:
    """The concept called `name`, or known by that alias or function name."""
    if isinstance(name, Concept):
        return name
    lookup = _lookup()
    if name in lookup:
        return lookup[name]
    close = difflib.get_close_matches(str(name), list(lookup), n=4, cutoff=0.5)
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
        for row in concept.rows:
            for function in (n for names in row.names.values() for n in names):
                if not function.startswith("_") and "." not in function:
                    lookup.setdefault(function, concept)
    return lookup
