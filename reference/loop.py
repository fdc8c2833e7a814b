"""What every training loop shares: which examples each step sees, and when to stop.

Every backend's `train` (and the oracle's) walks the same `minibatches` and stops
by the same `converged`, so their trajectories can be compared step by step.
"""

from __future__ import annotations

import numpy as np


def minibatches(n: int, batch_size: int | None, steps: int, seed: int = 0) -> list:
    """The index array of each step's batch, or None per step for the full batch.

    Each epoch is a fresh permutation of the N examples (from one generator seeded
    with `seed`), cut into N // batch_size batches of exactly `batch_size`; the
    remainder sits out that epoch. Equal batch shapes mean JAX compiles one step.
    """
    if batch_size is None:
        return [None] * steps
    if batch_size > n:
        raise ValueError(
            f"batch_size must be at most the number of examples ({n}), got {batch_size}"
        )
    rng = np.random.default_rng(seed)
    per_epoch = n // batch_size
    batches = []
    while len(batches) < steps:
        order = rng.permutation(n)
        batches.extend(np.split(order[: per_epoch * batch_size], per_epoch))
    return batches[:steps]


def converged(losses: list, tol: float | None) -> bool:
    """True once the last two losses differ by less than `tol` (never if tol is None).

    Reading a loss forces a framework to finish its work (a device sync), so
    the loops only call this when a `tol` was given.
    """
    return (
        tol is not None
        and len(losses) > 1
        and abs(float(losses[-1]) - float(losses[-2])) < tol
    )
