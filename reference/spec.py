"""NetworkSpec: what network to build, fixed once and checked on construction.

A spec is everything every implementation needs to agree on besides the numbers:
the layer sizes, the hidden and output activations, the loss and the dtype. It is
frozen (and so hashable), which lets JAX take it as a static argument under `jit`.
"""

from __future__ import annotations

import itertools
import numbers  # numbers.Integral admits NumPy integers, not 8.0
from dataclasses import dataclass

from . import oracle

# Hidden layers: every activation of the oracle's table but identity (the layers
# would collapse into one linear map) and softmax (a vector function, for the
# output), so that an activation added there is one a spec can name.
ACTIVATIONS = tuple(a for a in oracle.ACTIVATIONS if a not in ("identity", "softmax"))
OUTPUTS = ("identity", "sigmoid", "softmax")  # output layer: each pairs with a loss
LOSSES = ("mse", "cross_entropy")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class NetworkSpec:
    """A fully connected network: `sizes = (n_in, n_hidden, ..., n_out)`.

    Every layer computes `z = a_prev @ W + b`; hidden layers apply `activation`,
    the last layer applies `output`, and `loss` compares that with the targets.
    Cross-entropy pairs with `softmax` (categorical) or `sigmoid` (binary,
    element-wise) and is always computed from the logits `z`; see
    `reference.oracle` for every formula.
    """

    sizes: tuple[int, ...] = (4, 8, 3)  # or a string: "4,8,3" or "4-8-3"
    activation: str = "tanh"
    output: str = "softmax"
    loss: str = "cross_entropy"
    dtype: str = "float64"

    def __post_init__(self):
        sizes = _check_sizes(self.sizes)
        object.__setattr__(self, "sizes", sizes)  # a list becomes a tuple: hashable
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("output", self.output, OUTPUTS)
        _check_choice("loss", self.loss, LOSSES)
        _check_choice("dtype", self.dtype, DTYPES)
        if self.loss == "cross_entropy" and self.output == "identity":
            raise ValueError(
                "loss 'cross_entropy' needs output 'softmax' (categorical) or "
                "'sigmoid' (binary), got output 'identity'; use loss 'mse' for an "
                "identity output"
            )
        if self.output == "softmax" and sizes[-1] < 2:
            raise ValueError(
                f"output 'softmax' needs at least 2 outputs, got sizes {sizes} "
                f"with {sizes[-1]} output"
            )

    @property
    def n_in(self) -> int:
        return self.sizes[0]

    @property
    def n_out(self) -> int:
        return self.sizes[-1]

    @property
    def n_layers(self) -> int:
        """Number of weight layers (one less than the number of sizes)."""
        return len(self.sizes) - 1

    @property
    def uses_labels(self) -> bool:
        """True where `y` may be integer class labels (softmax cross-entropy)."""
        return self.loss == "cross_entropy" and self.output == "softmax"

    def replace(self, **changes) -> NetworkSpec:
        """A copy with some fields changed (validated again)."""
        fields = dict(
            sizes=self.sizes,
            activation=self.activation,
            output=self.output,
            loss=self.loss,
            dtype=self.dtype,
        )
        return NetworkSpec(**{**fields, **changes})

    def __str__(self) -> str:
        sizes = "-".join(map(str, self.sizes))
        return f"{sizes} {self.activation}/{self.output}/{self.loss} {self.dtype}"


def combinations() -> list[tuple[str, str, str]]:
    """The 15 valid (activation, output, loss) triples, in a fixed order."""
    pairs = [
        (output, loss)
        for output, loss in itertools.product(OUTPUTS, LOSSES)
        if not (loss == "cross_entropy" and output == "identity")
    ]
    return [(act, out, loss) for act in ACTIVATIONS for out, loss in pairs]


def parse_sizes(text: str) -> tuple[int, ...]:
    """Layer sizes from text: "64,32,10", or "64-32-10" (the form `str(spec)`
    prints). The one parser for sizes everywhere: NetworkSpec, the command line.
    Whether the sizes make a network is NetworkSpec's to check."""
    if not isinstance(text, str):
        raise TypeError(f"sizes text must be a str like '64,32,10', got {text!r}")
    parts = text.split("," if "," in text else "-")
    try:
        return tuple(int(part) for part in parts)
    except ValueError:
        raise ValueError(
            f"sizes must be ints separated by commas or dashes, like 64,32,10 or "
            f"64-32-10; got {text!r}"
        ) from None


def _check_sizes(sizes) -> tuple[int, ...]:
    if isinstance(sizes, str):
        sizes = parse_sizes(sizes)
    if isinstance(sizes, bytes) or not hasattr(sizes, "__len__"):
        raise TypeError(
            f"sizes must be a sequence of ints like (4, 8, 3) or a string like "
            f"'4,8,3', got {sizes!r}"
        )
    sizes = tuple(sizes)
    if len(sizes) < 3:
        raise ValueError(
            "sizes must list at least 3 layers (n_in, n_hidden, n_out), "
            f"got {len(sizes)}: {sizes}"
        )
    for i, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"sizes[{i}] must be an int, got {type(n).__name__} {n!r}")
        if n < 1:
            raise ValueError(f"sizes[{i}] must be at least 1, got {n}")
    return tuple(int(n) for n in sizes)


def _check_choice(name: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
