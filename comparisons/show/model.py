"""The shapes of the concept map (comparisons/show/concepts.py): a `Concept`, its
`Row`s of functions that do the same job, and the columns they fill.
"""

from __future__ import annotations

from dataclasses import dataclass

from .traps import TRAPS, Trap

# the built-in backends' columns: NAME -> (framework, how it gets its gradients)
BUILTIN = {
    "numpy": ("NumPy", "backprop by hand"),
    "torch": ("PyTorch", "autograd"),
    "jax": ("JAX", "jax.grad + jit"),
}
ENGINE = "autodiff"  # examples/autodiff_backend.py: the tiny engine's NAME


@dataclass(frozen=True)
class Row:
    """Functions that do the same job, one cell per column: column -> names."""

    module: str  # activations, losses, network or descent (of the impl packages)
    names: dict[str, tuple[str, ...]]
    job: str = ""  # what they do, where their names alone do not say


def same(module: str, *names: str, job: str = "") -> Row:
    """The same names in every built-in backend."""
    return Row(module, {backend: names for backend in BUILTIN}, job)


def only(module: str, job: str, **names: tuple[str, ...]) -> Row:
    """Names that only some columns have: a helper of one idiom, and its job."""
    return Row(module, names, job)


@dataclass(frozen=True)
class Concept:
    name: str
    title: str  # `code` in backticks
    oracle: tuple[str, ...]  # functions of reference/oracle.py: their docstrings
    differs: str  # what differs between the frameworks; `code` in backticks
    rows: tuple[Row, ...]
    quantities: str  # regex for the `quantity` of the consistency rows that test it
    aliases: tuple[str, ...] = ()
    notation: bool = False  # open the formula with the oracle's notation paragraph
    pictures: tuple[str, ...] = ()  # kinds of comparisons.show.pictures.KINDS
    engine: bool = False  # the tiny engine of examples/ gets a column too

    @property
    def traps(self) -> tuple[Trap, ...]:
        """Where frameworks differ, at this concept (comparisons/show/traps.py)."""
        return TRAPS.get(self.name, ())

    def functions(self, column: str) -> list[tuple[str, str]]:
        """(module, name) for every function shown in `column`."""
        return [(r.module, n) for r in self.rows for n in r.names.get(column, ())]
