"""What each timed callable is: our implementation, and the yardsticks beside it.

Variants, per framework (`VARIANTS`; an outside backend gets `triptych` and NumPy's
`matmuls`):

- `triptych`: our backend's public API (`forward`, `loss_and_grads`, `train`);
- `idiomatic`: the code a user would write instead -- torch: `nn.Sequential` +
  `torch.optim.SGD` + `F.cross_entropy`; JAX: the same pure MLP with `optax.sgd`
  under `jit` (NumPy has no such library idiom);
- `compiled` and `idiomatic_compiled` (torch, train step): our step and the
  idiomatic step, each under `torch.compile` -- the fair partner of JAX's jit;
- `nojit` (JAX, train step): our JAX backend under `jax.disable_jit()`, op by op,
  the eager partner of NumPy and torch;
- `matmuls`: the op's matrix products alone (`work.products`), in the framework.

Every builder returns a callable `run()` whose result the worker syncs. A
`train_step` callable runs `steps` steps per call (so that `train`'s entry checks
are amortised as in a user's loop); the worker divides by `steps`. The frameworks
are imported inside the builders: this module runs only in the worker.
"""

from __future__ import annotations

import numpy as np

from .work import products

VARIANTS = {
    "numpy": ("triptych", "matmuls"),
    "torch": ("triptych", "compiled", "idiomatic", "idiomatic_compiled", "matmuls"),
    "jax": ("triptych", "nojit", "idiomatic", "matmuls"),
}
OUTSIDE = ("triptych", "matmuls")  # any other backend
TRAIN_STEP_ONLY = ("compiled", "idiomatic_compiled", "nojit")  # one op shows them


def variants(backend: str) -> tuple[str, ...]:
    """The variants timed for a backend, by its NAME."""
    return VARIANTS.get(backend, OUTSIDE)


def build(backend, variant: str, op: str, spec, params, x, y, lr, steps, device=None):
    """The callable for (variant, op) on NumPy inputs `params`, `x`, `y`; the
    yardsticks place their arrays on `device` as the backend does (None: CPU)."""
    if variant == "matmuls":
        shapes = products(spec.sizes, len(x), op)
        return _matmuls(backend.NAME, spec, shapes, steps, device)
    if variant.startswith("idiomatic"):
        if backend.NAME == "jax":
            return _jax_idiomatic(op, spec, params, x, y, lr, steps, device)
        return _torch_idiomatic(op, spec, params, x, y, lr, steps, device, variant)
    if variant == "compiled":
        return _torch_compiled(backend, spec, params, x, y, lr, steps)
    run = _ours(backend, op, spec, params, x, y, lr, steps)
    if variant == "nojit":
        import jax

        def run_nojit():
            with jax.disable_jit():
                return run()

        return run_nojit
    return run


def _ours(backend, op, spec, params, x, y, lr, steps):
    p, xb, yb = (backend.from_numpy(params, spec), *_data(backend, spec, x, y))
    if op == "forward":
        return lambda: backend.forward(p, xb, spec)
    if op == "loss_and_grads":
        return lambda: backend.loss_and_grads(p, xb, yb, spec)
    return lambda: backend.train(p, xb, yb, spec, lr, steps)[0]


def _data(backend, spec, x, y):
    return backend.asarray(x, spec), backend.asarray(y, spec)


def _matmuls(framework: str, spec, shapes, steps: int, device):
    """The products of one step, `steps` times over, in the backend's framework
    (NumPy's for an outside backend). Only the last product is kept alive, as in a
    real step, where each result is consumed and freed."""
    rng = np.random.default_rng(0)
    pairs = [
        (rng.normal(size=a).astype(spec.dtype), rng.normal(size=b).astype(spec.dtype))
        for a, b in shapes
    ]
    if framework == "jax":
        return _jax_matmuls(spec, pairs, steps, device)
    if framework == "torch":
        import torch

        put = torch.device(device or "cpu")
        pairs = [
            (torch.from_numpy(a).to(put), torch.from_numpy(b).to(put)) for a, b in pairs
        ]

    def run():
        for _ in range(steps):
            for a, b in pairs:
                out = a @ b
        return out

    return run


def _jax_matmuls(spec, pairs, steps: int, device):
    import jax

    x64 = spec.dtype == "float64"
    with jax.enable_x64(x64):
        pairs = jax.device_put(pairs, jax_device(device))
        all_products = jax.jit(lambda ps: [a @ b for a, b in ps])
        all_products(pairs)  # compile here, not in the timed calls

    def run():
        with jax.enable_x64(x64):
            for _ in range(steps):
                out = all_products(pairs)
            return out

    return run


# --------------------------------------------------------------------- torch


def _torch_compile(step):
    """`torch.compile(step)`, the whole step where dynamo can: with
    `trace_autograd_ops` on (set for this worker process only), it traces
    `torch.autograd.grad` and `backward()` instead of breaking the graph there.
    Both compiled variants get the same setting, whatever order they run in.

    Dynamo's caches are reset first, so that each case compiles afresh: every
    case's `step` shares one code object, and dynamo, finding new closure values
    and shapes, recompiled it case after case up to its `recompile_limit` (8),
    then ran it eagerly -- two of ten grid points per process were timed uncompiled
    under the name `compiled`. (The compiled kernels stay in inductor's cache on
    disk.)"""
    import torch
    import torch._dynamo

    torch._dynamo.reset()
    torch._dynamo.config.trace_autograd_ops = True
    return torch.compile(step)


def _torch_compiled(backend, spec, params, x, y, lr, steps):
    """Our step -- `loss_and_grads`, then the update `train` applies -- under
    `torch.compile`: one graph, no breaks."""
    import torch

    p, (xb, yb) = backend.from_numpy(params, spec), _data(backend, spec, x, y)

    @_torch_compile
    def step(p, xb, yb):
        value, grads = backend.loss_and_grads(p, xb, yb, spec)
        with torch.no_grad():
            for (W, b), (gW, gb) in zip(p, grads):
                W.sub_(gW, alpha=lr)
                b.sub_(gb, alpha=lr)
        return value

    def run():
        for _ in range(steps):
            value = step(p, xb, yb)
        return value

    return run


def _torch_idiomatic(op, spec, params, x, y, lr, steps, device, variant):
    """nn.Sequential + torch.optim.SGD + F.cross_entropy: the loop a torch user
    writes; the whole step under `torch.compile` for `idiomatic_compiled`."""
    import torch
    import torch.nn.functional as F

    put, dtype = torch.device(device or "cpu"), getattr(torch, spec.dtype)
    model = _sequential(spec, params).to(dtype=dtype, device=put)
    xb, yb = torch.tensor(x, dtype=dtype, device=put), torch.tensor(y, device=put)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def forward():
        with torch.no_grad():
            return torch.softmax(model(xb), dim=-1)

    def loss_and_grads():
        optimizer.zero_grad()
        value = F.cross_entropy(model(xb), yb)
        value.backward()
        return value

    def step():
        value = loss_and_grads()
        optimizer.step()
        return value

    if op == "forward":
        return forward
    if op == "loss_and_grads":
        return loss_and_grads
    if variant == "idiomatic_compiled":  # breaks remain: zero_grad, backward
        step = _torch_compile(step)

    def train_steps():
        for _ in range(steps):
            value = step()
        return value

    return train_steps


def _sequential(spec, params):
    """Linear, activation, ..., Linear, from our parameters. nn.Linear keeps its
    weight as (out, in) and computes x @ W^T: ours is stored transposed."""
    import torch

    layers = []
    for i, (W, b) in enumerate(params):
        linear = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(params) - 1:
            layers.append(_torch_module(spec.activation)())
    return torch.nn.Sequential(*layers)


def _torch_module(name: str):
    """torch.nn's module for an activation, found by name: nn.ReLU for relu."""
    import torch

    found = [n for n in dir(torch.nn) if n.lower() == name]
    if not found:
        raise ValueError(f"the idiomatic torch baseline needs torch.nn.{name}: none")
    return getattr(torch.nn, found[0])


# ----------------------------------------------------------------------- JAX


def _jax_idiomatic(op, spec, params, x, y, lr, steps, device):
    """A pure MLP, optax.softmax_cross_entropy_with_integer_labels and optax.sgd,
    the step under jax.jit: what the JAX docs teach."""
    import jax
    import jax.numpy as jnp
    import optax

    activation = getattr(jax.nn, spec.activation)
    x64 = spec.dtype == "float64"

    def logits(p, xb):
        for W, b in p[:-1]:
            xb = activation(xb @ W + b)
        W, b = p[-1]
        return xb @ W + b

    def loss(p, xb, yb):
        return optax.softmax_cross_entropy_with_integer_labels(logits(p, xb), yb).mean()

    optimizer = optax.sgd(lr)

    @jax.jit
    def step(p, state, xb, yb):
        value, grads = jax.value_and_grad(loss)(p, xb, yb)
        updates, state = optimizer.update(grads, state)
        return optax.apply_updates(p, updates), state, value

    with jax.enable_x64(x64):
        put = jax_device(device)
        p = [
            (jnp.asarray(W, spec.dtype), jnp.asarray(b, spec.dtype)) for W, b in params
        ]
        p, xb, yb = jax.device_put((p, jnp.asarray(x, spec.dtype), jnp.asarray(y)), put)
        state = optimizer.init(p)
    forward = jax.jit(lambda p, xb: jax.nn.softmax(logits(p, xb)))
    loss_and_grads = jax.jit(jax.value_and_grad(loss))

    def run():
        nonlocal p, state
        with jax.enable_x64(x64):
            if op == "forward":
                return forward(p, xb)
            if op == "loss_and_grads":
                return loss_and_grads(p, xb, yb)
            for _ in range(steps):
                p, state, value = step(p, state, xb, yb)
            return p

    return run


def jax_device(device):
    """None (JAX's default), a jax.Device, or a platform name such as "gpu"."""
    import jax

    return jax.devices(device)[0] if isinstance(device, str) else device
