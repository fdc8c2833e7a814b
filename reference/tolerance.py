"""The tolerance policy: when is a result close enough to the oracle's?

- float64 against the float64 oracle: `max|x - ref| <= 1e-10 * max|ref|`.
  Honest agreement measures ~1e-16..1e-14, so 1e-10 leaves room for
  summation order while any real bug (a missing 1/N, a 1/2, a sign, a step
  applied twice, gradients off by 1e-3) fails by orders of magnitude.
- float32 against the float64 oracle (run on the same float32-rounded inputs):
  `max|x - ref| <= c * eps32 * sqrt(K) * max|ref| + atol_floor`, with K the
  longest reduction (a dot product, or a sum over the batch) and c a small
  constant that covers a few layers of rounding. Rounding errors of a length-K
  sum grow like sqrt(K) on average (random-walk), not K.
- Central finite differences (float64 only): relative 1e-6, since the difference
  quotient itself is only good to ~1e-10 and the error adds up over entries.

"Relative" is always relative to the magnitude `max|ref|` of the whole quantity,
not entry by entry: an entry that should be 1e-12 cannot be judged on its own.
For a gradient (or the parameters after a step) the whole quantity is every
array of it together -- normwise over the parameter vector -- because one
layer's gradient can be a sum that cancels to far below the rounding of its
terms: a 1-1-2 sigmoid network on one example, found by the property test, has
a first-layer gradient 170 eps32 off relative to itself, and 3 eps32 relative
to the whole gradient. The whole gradient can cancel too: a 4-1-2-3-2 sigmoid
network with softmax and MSE on 10 rows has a gradient of at most 0.0024 made of
terms of size 1.5, and honest float32 lands 22 units off relative to it. So a
gradient is judged against the size of the terms it sums,
`oracle.gradient_bound` (the backward pass on absolute values, never below
|gradient|), which is what its rounding error is relative to; there the same
case is 0.04 units off. Over 300 random networks (1-3 hidden layers of 1-9, and
nets up to 64-128-12) the worst float32 gradient was 0.28 units off.

The other side of "relative to the whole": an O(1) entry beside a 1e4 is judged
against 1e4, where float32's tolerance is ~0.05 absolute. So the unit level
(activations and losses alone, comparisons/unit_level.py) does not mix them: its
inputs come in separate cases -- ordinary values, extremes, exact zeros -- and
each is judged against its own scale. Gradients and parameters keep the
whole-quantity rule, where cancellation makes it the right one.

NaN and inf are compared first, by position (and sign): a NaN where the oracle
has a number fails whatever its size, and the finite entries are compared after.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

EPS = {
    "float32": float(np.finfo(np.float32).eps),
    "float64": float(np.finfo(np.float64).eps),
}
RTOL_FLOAT64 = 1e-10
C_FLOAT32 = 16.0  # measured worst: 2.3 (30 training steps); gradients 0.28
RTOL_FINITE_DIFFERENCES = 1e-6


@dataclass(frozen=True)
class Comparison:
    max_abs_err: float
    max_rel_err: float  # max_abs_err / max|ref|
    tol: float  # on max_abs_err
    passed: bool
    note: str = ""  # why it failed beyond the numbers, e.g. NaN positions


def tolerance(dtype: str, ref_scale: float, K: int = 1) -> float:
    """The largest max|x - ref| accepted for a result in `dtype` (see module doc)."""
    eps = EPS[dtype]
    if dtype == "float64":
        return RTOL_FLOAT64 * ref_scale + 1e6 * np.finfo(np.float64).tiny
    return C_FLOAT32 * eps * math.sqrt(max(K, 1)) * ref_scale + 1e-6 * eps


def compare(
    x, ref, dtype: str, K: int = 1, tol: float | None = None, scale: float | None = None
) -> Comparison:
    """Compare an array `x` with the reference `ref` under the policy above.

    `scale`, where given, is the magnitude the error is measured against instead
    of max|ref| (the whole gradient's, for one of its arrays: see `group_scale`);
    `tol`, where given, replaces the policy's tolerance (finite differences).
    """
    x = np.asarray(x, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if x.shape != ref.shape:
        return Comparison(
            math.inf, math.inf, 0.0, False, f"shape {x.shape} != {ref.shape}"
        )
    finite = np.isfinite(ref)
    same_nonfinite = np.array_equal(np.isnan(x), np.isnan(ref)) and np.array_equal(
        np.where(np.isinf(x), x, 0.0), np.where(np.isinf(ref), ref, 0.0)
    )
    if scale is None:
        scale = magnitude(ref)
    if tol is None:
        tol = tolerance(dtype, scale, K)
    if not same_nonfinite:
        return Comparison(math.inf, math.inf, tol, False, "NaN/inf positions differ")
    err = float(np.max(np.abs(x[finite] - ref[finite]), initial=0.0))
    rel = err / scale if scale > 0 else (0.0 if err == 0 else math.inf)
    return Comparison(err, rel, tol, err <= tol)


def magnitude(a) -> float:
    """max|a| over the finite entries (0 for none)."""
    a = np.asarray(a, dtype=np.float64)
    return float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0))


def group_scale(arrays) -> float:
    """The magnitude of a quantity made of several arrays, such as a gradient
    [(dW0, db0), (dW1, db1), ...]: the largest of theirs."""
    return max(magnitude(a) for a in arrays)


def reduction_length(sizes, n_rows: int, steps: int = 1) -> int:
    """K for a network on a batch: the longest dot product or batch sum in it.

    Over `steps` steps of gradient descent each step adds its own rounding, and
    independent errors add like a random walk, so K grows by the factor `steps`
    (the error bound by sqrt(steps)). Measured: 30 steps stay within 2.3 units
    of eps * sqrt(K) of the oracle, against C_FLOAT32 = 16 allowed.
    """
    return max(max(sizes), n_rows * sizes[-1]) * max(steps, 1)
