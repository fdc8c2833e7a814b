"""comparisons: the harness that holds the three implementations against each
other and against the float64 oracle. Every capability returns a pandas
DataFrame; only `comparisons.cli` prints.

Imports neither torch nor jax: backends are loaded by name, when first used.
"""

from . import backends
from .assertions import assert_agree
from .consistency import check, summary
from .precision import full_float32_precision
from .timing import bench
from .training import default_spec, train
from .trajectories import trajectories

__all__ = [
    "assert_agree",
    "backends",
    "bench",
    "check",
    "default_spec",
    "full_float32_precision",
    "summary",
    "train",
    "trajectories",
]
