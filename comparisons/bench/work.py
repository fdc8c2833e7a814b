"""The work of each timed op, from one list of shapes: its matrix products, its
floating-point operations and the fewest bytes it must move.

Everything here is counted, not measured, so that a row's time can be read against
what the machine could do at best (`roofline`).
"""

from __future__ import annotations

OPS = ("forward", "loss_and_grads", "train_step")
LABEL_BYTES = 8  # the bench's targets are int64 class labels (N,)


def products(
    sizes, batch: int, op: str
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The matrix products of `op`, as ((rows, inner), (inner, cols)) pairs:
    forward x @ W per layer; backward a^T @ delta per layer (dL/dW) and delta @ W^T
    for every layer but the first (no one needs dL/dx)."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    shapes = [((batch, n_in), (n_in, n_out)) for n_in, n_out in layers]
    if op != "forward":
        shapes += [((n_in, batch), (batch, n_out)) for n_in, n_out in layers]
        shapes += [((batch, n_out), (n_out, n_in)) for n_in, n_out in layers[1:]]
    return shapes


def n_params(sizes) -> int:
    """Every W and b: sum of in * out + out over the layers."""
    return sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))


def flops(sizes, batch: int, op: str) -> int:
    """Floating-point operations of `op`: 2 m k n per product (a multiply and an add
    per term), and for the train step 2 per parameter for the update (multiply by
    lr, subtract). Element-wise activations and losses are left out, as is usual:
    they are O(batch * width), the products O(batch * width^2)."""
    total = sum(2 * m * k * n for (m, k), (_, n) in products(sizes, batch, op))
    if op == "train_step":
        total += 2 * n_params(sizes)
    return total


def min_bytes(sizes, batch: int, op: str, itemsize: int) -> int:
    """The fewest bytes `op` must move: its inputs read once and its results written
    once -- the parameters and the batch in; the output (forward), the gradients
    (loss_and_grads) or the new parameters (train step) out. Activations and
    gradients inside a step are not counted: in principle they can stay in cache."""
    params, x = n_params(sizes) * itemsize, batch * sizes[0] * itemsize
    if op == "forward":
        return params + x + batch * sizes[-1] * itemsize
    return 2 * params + x + batch * LABEL_BYTES  # params in, grads or params out
