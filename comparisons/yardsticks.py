"""What each timed callable is: our implementation, and the yardsticks beside it.

Variants, per framework (`VARIANTS`):

- `triptych`: our backend's public API (`forward`, `loss_and_grads`, `train`);
- `idiomatic`: the code a user would write instead -- torch: `nn.Sequential` +
  `torch.optim.SGD` + `F.cross_entropy`; JAX: the same pure MLP with `optax.sgd`
  under `jit` (NumPy has no such library idiom: none);
- `nojit` (JAX only): our JAX backend with `jax.disable_jit()`, so the cost of
  dispatching op by op shows beside the compiled step;
- `gemm`: the same matrix products alone -- the physical floor for the op.

Every builder returns a callable `run()` whose result the worker syncs. A
`train_step` callable runs `steps` steps per call (so `train`'s entry checks are
amortised as a user's loop would); the worker divides by `steps`. The frameworks
are imported inside the builders: this module is only used in the worker.
"""

from __future__ import annotations

import numpy as np

from reference import NetworkSpec

VARIANTS = {
    "numpy": ("triptych", "gemm"),
    "torch": ("triptych", "idiomatic", "gemm"),
    "jax": ("triptych", "nojit", "idiomatic", "gemm"),
}
OPS = ("forward", "loss_and_grads", "train_step")


def build(
    backend,
    variant: str,
    op: str,
    spec,
    params,
    x,
    y,
    lr: float,
    steps: int,
    device=None,
):
    """The callable for (variant, op) on NumPy inputs `params`, `x`, `y`; the
    yardsticks place their arrays on `device` as the backend does (None: CPU)."""
    if variant == "gemm":
        return _gemm(backend.NAME, op, spec, x.shape[0], steps, device)
    if variant == "idiomatic":
        make = _torch_idiomatic if backend.NAME == "torch" else _jax_idiomatic
        return make(op, spec, params, x, y, lr, steps, device)
    run = _ours(backend, op, spec, params, x, y, lr, steps)
    if variant == "nojit":
        import jax

        def run_nojit():
            with jax.disable_jit():
                return run()

        return run_nojit
    return run


def _ours(backend, op, spec, params, x, y, lr, steps):
    p, xb, yb = (
        backend.from_numpy(params, spec),
        backend.asarray(x, spec),
        backend.asarray(y, spec),
    )
    if op == "forward":
        return lambda: backend.forward(p, xb, spec)
    if op == "loss_and_grads":
        return lambda: backend.loss_and_grads(p, xb, yb, spec)
    return lambda: backend.train(p, xb, yb, spec, lr, steps)[0]


def gemm_shapes(
    sizes, batch: int, op: str
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The matrix products of `op`, as ((rows, inner), (inner, cols)) pairs:
    forward x @ W per layer; backward a^T @ delta per layer and delta @ W^T for
    every layer but the first."""
    layers = list(zip(sizes[:-1], sizes[1:]))
    shapes = [((batch, n_in), (n_in, n_out)) for n_in, n_out in layers]
    if op != "forward":
        shapes += [((n_in, batch), (batch, n_out)) for n_in, n_out in layers]
        shapes += [((batch, n_out), (n_out, n_in)) for n_in, n_out in layers[1:]]
    return shapes


def _gemm(framework: str, op: str, spec: NetworkSpec, batch: int, steps: int, device):
    """The products of one step, `steps` times over (like the train_step callables),
    in the backend's framework (NumPy's for an outside backend)."""
    rng = np.random.default_rng(0)
    pairs = [
        (rng.normal(size=a).astype(spec.dtype), rng.normal(size=b).astype(spec.dtype))
        for a, b in gemm_shapes(spec.sizes, batch, op)
    ]
    if framework not in ("torch", "jax"):
        return lambda: [a @ b for _ in range(steps) for a, b in pairs]
    if framework == "torch":
        import torch

        put = torch.device(device or "cpu")
        pairs = [
            (torch.from_numpy(a).to(put), torch.from_numpy(b).to(put)) for a, b in pairs
        ]
        return lambda: [a @ b for _ in range(steps) for a, b in pairs]
    import jax

    with jax.enable_x64(spec.dtype == "float64"):
        put = jax.devices(device)[0] if isinstance(device, str) else device
        pairs = [(jax.device_put(a, put), jax.device_put(b, put)) for a, b in pairs]
        products = jax.jit(lambda ps: [a @ b for a, b in ps])
        products(pairs)  # compile here, not in the timed calls

    def run():
        with jax.enable_x64(spec.dtype == "float64"):
            return [products(pairs) for _ in range(steps)]

    return run


def _torch_idiomatic(op, spec, params, x, y, lr, steps, device):
    """nn.Sequential + torch.optim.SGD + F.cross_entropy: the tutorial loop."""
    import torch
    import torch.nn.functional as F

    activation = {
        "sigmoid": torch.nn.Sigmoid,
        "tanh": torch.nn.Tanh,
        "relu": torch.nn.ReLU,
    }
    layers = []
    for i, (W, b) in enumerate(params):
        linear = torch.nn.Linear(*W.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T))  # nn.Linear keeps W as (out, in)
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        if i < len(params) - 1:
            layers.append(activation[spec.activation]())
    dtype = {"float32": torch.float32, "float64": torch.float64}[spec.dtype]
    put = torch.device(device or "cpu")
    model = torch.nn.Sequential(*layers).to(dtype=dtype, device=put)
    xb, yb = torch.tensor(x, dtype=dtype, device=put), torch.tensor(y, device=put)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def loss():
        return F.cross_entropy(model(xb), yb)

    if op == "forward":

        def forward():
            with torch.no_grad():
                return torch.softmax(model(xb), dim=-1)

        return forward
    if op == "loss_and_grads":

        def loss_and_grads():
            optimizer.zero_grad()
            value = loss()
            value.backward()
            return value

        return loss_and_grads

    def train_steps():
        for _ in range(steps):
            optimizer.zero_grad()
            value = loss()
            value.backward()
            optimizer.step()
        return value

    return train_steps


def _jax_idiomatic(op, spec, params, x, y, lr, steps, device):
    """A pure MLP, optax.softmax_cross_entropy_with_integer_labels and optax.sgd,
    the step under jax.jit: what the JAX docs teach."""
    import jax
    import jax.numpy as jnp
    import optax

    activation = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu}[
        spec.activation
    ]
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
        p = [
            (jnp.asarray(W, spec.dtype), jnp.asarray(b, spec.dtype)) for W, b in params
        ]
        xb, yb = jnp.asarray(x, spec.dtype), jnp.asarray(y)
        put = jax.devices(device)[0] if isinstance(device, str) else device
        p, xb, yb = jax.device_put((p, xb, yb), put)
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
