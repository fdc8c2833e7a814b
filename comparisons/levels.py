"""The network and trajectory levels of the consistency check: what is compared,
quantity by quantity, each backend against the float64 oracle on the same rounded
inputs (`comparisons.runs`) and against every other backend.

- network: the forward output, the loss, every gradient and one step of gradient
  descent, on a random batch for one spec;
- trajectory: `train` for TRAJECTORY_STEPS steps: the loss of each step and the
  final parameters.

The arrays of one gradient (or one set of parameters) are judged against the
scale of that whole quantity; a gradient against the size of the terms it sums
(`oracle.gradient_bound`; see reference/tolerance.py).
"""

from __future__ import annotations

import re

import reference
from reference import NetworkSpec, oracle
from reference.tolerance import group_scale, reduction_length

from . import runs
from .presets import TRAJECTORY_STEPS
from .rows import attempt, compare_all, each

STEP_LR = 0.5  # the learning rate of the network level's one step


def network_level(backends, spec: NetworkSpec, seed: int, n: int) -> list[dict]:
    """Forward, loss, gradients and one step on a random batch of `n` rows."""
    params = reference.init_params(spec, seed)
    x, y = reference.data.random_batch(spec, n, seed + 1)
    ref_params, ref_x, ref_y = runs.rounded(params, x, y, spec.dtype)
    ref_spec = spec.replace(dtype="float64")
    ref_args = (ref_params, ref_x, ref_y, ref_spec)
    ref_loss, ref_grads = oracle.loss_and_grads(*ref_args)
    expected = {
        "forward": oracle.forward(ref_params, ref_x, ref_spec),
        "loss": ref_loss,
        **named("d", ref_grads),
        **named("step ", oracle.sgd_step(ref_params, ref_grads, STEP_LR)),
    }

    def run(b):
        p, xb, yb = runs.native(b, params, x, y, spec)
        got = attempt(b.loss_and_grads, p, xb, yb, spec)

        def grads():
            if isinstance(got, BaseException):
                raise got
            return got[1]

        # each quantity on its own: a function that raises fails its rows only
        return {
            "forward": attempt(b.forward, p, xb, spec),
            "loss": attempt(b.loss, p, xb, yb, spec),
            **each_named("d", expected, lambda: b.to_numpy(grads())),
            **each_named(
                "step ",
                expected,
                lambda: b.to_numpy(b.sgd_step(p, grads(), STEP_LR)),
            ),
        }

    # a gradient's rounding is relative to the terms it sums, which can cancel
    # to far below them: judge it against those terms' size (reference/tolerance.py)
    terms = group_scale(a for pair in oracle.gradient_bound(*ref_args) for a in pair)
    params_scale = group_scale(a for pair in ref_params for a in pair)
    scales = {"d": terms, "step ": max(params_scale, STEP_LR * terms)}
    K = reduction_length(spec.sizes, n)
    context = spec_context("network", spec)
    return _rows_per_quantity(context, backends, run, expected, K, scales)


def trajectory_level(backends, spec, data, name, lr, batch, seed) -> list[dict]:
    """`train` for TRAJECTORY_STEPS steps on `data` = (x, y): the losses and the
    final parameters against the oracle's from the same rounded start."""
    x, y = data
    params = reference.init_params(spec, seed)
    args = (x, y, spec, lr, TRAJECTORY_STEPS, batch, seed)
    final, losses = runs.oracle_train(params, *args)
    expected = {"losses": losses, **named("final ", final)}

    def run(b):
        trained, curve = runs.backend_train(b, params, *args)
        return {"losses": curve, **named("final ", trained)}

    K = reduction_length(spec.sizes, batch, TRAJECTORY_STEPS)
    context = {**spec_context("trajectory", spec), "dataset": name}
    return _rows_per_quantity(context, backends, run, expected, K)


def _rows_per_quantity(
    context, backends, run, expected: dict, K: int, scales: dict | None = None
) -> list[dict]:
    """Run every backend once, then compare quantity by quantity; the arrays of
    one gradient (or one set of parameters) share that whole quantity's scale,
    or the one `scales` gives for its group ('d', 'step ')."""
    outputs = each(backends, run)
    groups = {}  # 'd', 'step ', 'final ' -> the arrays of that gradient or step
    for quantity, ref in expected.items():
        groups.setdefault(_group(quantity), []).append(ref)
    rows = []
    for quantity, ref in expected.items():
        values = {
            name: out if isinstance(out, BaseException) else out[quantity]
            for name, out in outputs.items()
        }
        group = _group(quantity)
        scale = (scales or {}).get(group) or group_scale(groups[group])
        rows += compare_all(context, quantity, values, ref, K, scale)
    return rows


def _group(quantity: str) -> str:
    """'dW[1]' -> 'd', 'step b[0]' -> 'step ', 'loss' -> 'loss'."""
    return re.sub(r"[Wb]\[\d+\]$", "", quantity)


def each_named(prefix: str, expected: dict, make) -> dict:
    """{each quantity of `expected` named with `prefix`: its array in make()'s
    list of (W, b)}; make()'s exception stands for each where it raises, and an
    error for each array it does not return."""
    wanted = [q for q in expected if q.startswith(prefix)]
    made = attempt(lambda: named(prefix, make()))
    if isinstance(made, BaseException):
        return dict.fromkeys(wanted, made)
    if len(made) > len(wanted):  # a layer more than the spec has
        extra = ValueError(
            f"returned {len(made) // 2} layers, the spec has {len(wanted) // 2}"
        )
        return dict.fromkeys(wanted, extra)
    return {q: made.get(q, ValueError(f"returned no {q}")) for q in wanted}


def named(prefix: str, params) -> dict:
    """[(W0, b0), ...] -> {'<prefix>W[0]': W0, '<prefix>b[0]': b0, ...}."""
    out = {}
    for i, (W, b) in enumerate(params):
        out[f"{prefix}W[{i}]"], out[f"{prefix}b[{i}]"] = W, b
    return out


def spec_context(level: str, spec: NetworkSpec) -> dict:
    """The columns of a row that say which network it is about."""
    return dict(
        level=level,
        dtype=spec.dtype,
        sizes="-".join(map(str, spec.sizes)),
        activation=spec.activation,
        output=spec.output,
        loss=spec.loss,
    )
