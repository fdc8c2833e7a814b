"""comparisons: the harness that holds the three implementations against each
other and against the float64 oracle. Every capability returns a pandas
DataFrame; only `comparisons.cli` prints.

Imports neither torch nor jax: backends are loaded by name, when first used.
"""

from . import backends
from .training import default_spec, train

__all__ = ["backends", "default_spec", "train"]
