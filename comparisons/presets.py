"""Every default grid, data set and quick setting, in one place: what `check`,
`bench` and `report` run when they are not told otherwise.

Constants, one function that derives the quick networks from `reference`, and
one that counts the CPUs the default threads are sized by; nothing is imported at
the top but the standard library.
"""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system has one):
    the default threads of a benchmark worker, and of check's tasks (at most 4)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# ------------------------------------------------------------------ check
# every valid (activation, output, loss) on the tutorial's three layers and on a
# deeper net, in float32 and float64
CHECK_SIZES = ((5, 7, 3), (6, 8, 5, 4))
NETWORK_BATCH = 12  # the rows of the network level's random batch
TRAJECTORY_STEPS = 30
# Both trajectory sets in one shape, the digits' (64 features, 10 classes: a
# 64-32-10 net in batches of 64), so that JAX compiles each training step once
# for both: the sets differ in their data and learning rate, which is what the
# second set is for. The synthetic set in its own shape (8-16-4, batches of 32)
# added 30 programs to every cold check, 5.4 s of XLA's time on one thread. The
# network level is where the shapes vary.
TRAJECTORY_NET = {"hidden": 32, "batch": 64}
TRAJECTORY_SETS = {  # data set -> (what it is made with, lr)
    "synthetic_classification": ({"n_features": 64, "n_classes": 10}, 0.5),
    "digits": ({}, 0.1),
}
# for specs of your own: random data of the right kind for the loss, ROWS rows
# in batches of BATCH, at LR
OWN_TRAJECTORY = {"rows": 64, "batch": 16, "lr": 0.1}

# ------------------------------------------------------------------ bench
BENCH_GRID = [  # the batch swept from 1 to 4096 on two widths
    (sizes, batch)
    for sizes in ((256, 256, 10), (1024, 1024, 10))
    for batch in (1, 16, 256, 1024, 4096)
]
BENCH_QUICK_GRID = [((64, 64, 10), 64), ((256, 256, 10), 256)]
BENCH_REPEATS = 3  # processes per backend: the fewest that give a useful interval
BENCH_SWEEP = [1, 16, 256, 4096]  # `triptych bench --sizes ...` without --batches

# ----------------------------------------------------------------- report
REPORT_TRAJECTORIES = {  # data set -> (spec fields, lr, steps, batch size)
    "digits": (("tanh", "softmax", "cross_entropy"), 0.1, 150, 64),
    "diabetes": (("tanh", "identity", "mse"), 0.05, 150, 32),
}
# a smaller sweep than bench's, the train step only: enough to see where
# overhead ends, within the report's time (each point costs ~14 s of it)
REPORT_GRID = [((256, 256, 10), b) for b in (1, 16, 256, 4096)] + [
    ((1024, 1024, 10), b) for b in (1, 1024)
]
# two processes per backend (bench's default: 3), and torch.compile on our step
# only (the idiomatic step compiled is bench's: on a first run its compiling
# took 30 of the report's 172 s), to keep the whole report within its time
REPORT_BENCH = {
    "repeats": 2,
    "budget_s": 0.2,
    "ops": ["train_step"],
    "variants": ("triptych", "matmuls", "idiomatic", "compiled", "nojit"),
}

# `report --quick`: a first look at every part
QUICK_SIZES = (5, 7, 3)


def quick_combinations() -> list[tuple[str, str, str]]:
    """Each hidden activation once, each with the (output, loss) pair that brings
    in the most units not yet used, so that every output activation and every
    loss function is checked too: the fewest networks that touch every unit."""
    from reference import ACTIVATIONS, NetworkSpec, combinations

    from .unit_level import units_of

    def units(combination) -> set[str]:
        return set(units_of(NetworkSpec(QUICK_SIZES, *combination)))

    pairs = list(dict.fromkeys((out, loss) for _, out, loss in combinations()))
    chosen, used = [], set()
    for activation in ACTIVATIONS:
        candidates = [(activation, *pair) for pair in pairs]
        best = max(candidates, key=lambda c: len(units(c) - used))
        chosen.append(best)
        used |= units(best)
    return chosen


QUICK_TRAJECTORY_STEPS = 20
QUICK_PICTURES = ["relu", "network"]  # two concepts' pictures
QUICK_GRID = [((64, 64, 10), 16), ((64, 64, 10), 256)]
QUICK_BENCH = {  # no op-by-op JAX, no torch.compile, no second timer, no roofs
    "min_block_s": 0.005,
    "blocks": 3,
    "budget_s": 0.2,
    "timer_check": False,
    "roofline": False,
    "variants": ("triptych", "idiomatic", "matmuls"),
}
