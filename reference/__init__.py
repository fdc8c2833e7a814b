"""reference: the framework-neutral truth every implementation is measured against.

- `NetworkSpec`, `combinations()`, `parse_sizes`: what network, validated on
  construction;
- `init_params(spec, seed)`: the shared float64 starting parameters;
- `oracle`: the formulas in plain float64 NumPy (the math is documented there),
  with central finite differences, and the one home of the units' names: its
  tables `oracle.ACTIVATIONS` and `oracle.LOSSES`, and `oracle.UNITS`, from which
  `ACTIVATIONS` (the hidden ones) and every list of names in comparisons/ derive;
- `data`: synthetic and bundled real data sets;
- `loop`: the minibatch order and stopping rule every training loop shares;
- `validate`: the input checks every backend shares;
- `tolerance`: when a result counts as equal to the oracle's.

Imports no framework but NumPy.
"""

from . import data, oracle, tolerance, validate
from .data import Dataset
from .init import Params, cast_array, cast_params, init_params
from .loop import converged, minibatches
from .spec import (
    ACTIVATIONS,
    DTYPES,
    LOSSES,
    OUTPUTS,
    NetworkSpec,
    combinations,
    parse_sizes,
)

__all__ = [
    "ACTIVATIONS",
    "DTYPES",
    "LOSSES",
    "OUTPUTS",
    "Dataset",
    "NetworkSpec",
    "Params",
    "cast_array",
    "cast_params",
    "combinations",
    "converged",
    "data",
    "init_params",
    "minibatches",
    "oracle",
    "parse_sizes",
    "tolerance",
    "validate",
]
