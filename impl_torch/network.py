"""The network, PyTorch: the forward pass written out, the gradients from autograd,
which records the forward pass on its tape and runs it backwards.

Parameters are a list of (W, b) per layer, W (n_in, n_out), applied as x @ W + b.
The math, and the chain rule that autograd applies: reference/oracle.py.
"""

from __future__ import annotations

import torch

from reference import NetworkSpec, validate

from .activations import ACTIVATIONS
from .losses import mse, sigmoid_cross_entropy, softmax_cross_entropy

Array = torch.Tensor
Params = list[tuple[Array, Array]]

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def from_numpy(params, spec: NetworkSpec, device=None) -> Params:
    """Reference parameters -> tensors in spec.dtype on `device` (always a copy).

    Each W (in, out) is held in the memory order nn.Linear holds its weight: a
    transposed view of an (out, in) tensor. The values and the shape are the same;
    the products are not: for a narrow layer such as 1024 -> 10 at batch 1024,
    the weight gradient a.T @ g took 2.7 ms with W row-major and 0.6 ms in this
    order, and the whole train step 10-27% longer than the idiomatic one at
    batches of 256 and more (README: "Decisions where the design was silent").
    """
    validate.check_incoming_params(params, spec)
    dtype, device = DTYPES[spec.dtype], _device(device)
    return [
        (
            torch.tensor(W, dtype=dtype, device=device).T.contiguous().T,
            torch.tensor(b, dtype=dtype, device=device),
        )
        for W, b in params
    ]


def asarray(a, spec: NetworkSpec, device=None) -> Array:
    """One NumPy array -> a tensor in spec.dtype; class labels become int64."""
    a = validate.check_incoming(a, spec)
    dtype = torch.int64 if validate.is_labels(a, spec) else DTYPES[spec.dtype]
    return torch.tensor(a, dtype=dtype, device=_device(device))


def to_numpy(tree):
    """A tensor, or a list of (W, b), -> the same structure of NumPy arrays (copies)."""
    if isinstance(tree, (list, tuple)):
        return [tuple(to_numpy(p) for p in layer) for layer in tree]
    validate.check_native("tree", tree, Array)
    return tree.detach().cpu().numpy().copy()


def forward(params: Params, x: Array, spec: NetworkSpec) -> Array:
    """The network output y_hat (N, n_out), after the output activation."""
    validate.check_call(params, x, None, spec, Array)
    z, y_hat = _forward(params, x, spec)
    return y_hat


def loss(params: Params, x: Array, y: Array, spec: NetworkSpec) -> Array:
    """The scalar loss on the batch (x, y)."""
    validate.check_call(params, x, y, spec, Array)
    z, y_hat = _forward(params, x, spec)
    return _output_loss(z, y_hat, y, spec)


def loss_and_grads(params: Params, x: Array, y: Array, spec: NetworkSpec):
    """(loss, grads), grads a list of (dL/dW, dL/db) shaped like params."""
    validate.check_call(params, x, y, spec, Array)
    return _loss_and_grads(params, x, y, spec)


def _forward(params: Params, x: Array, spec: NetworkSpec):
    """The last layer's z and a; autograd keeps what the backward pass needs."""
    a = x
    for i, (W, b) in enumerate(params):
        # b + a @ W in one fused call, as nn.Linear makes it (a @ W + b: two)
        z = torch.addmm(b, a, W)  # (N, sizes[i + 1])
        f = ACTIVATIONS[spec.output if i == len(params) - 1 else spec.activation][0]
        a = f(z)
    return z, a


def _output_loss(z: Array, y_hat: Array, y: Array, spec: NetworkSpec) -> Array:
    """The loss from the last layer: MSE on y_hat, cross-entropy on the logits z."""
    if spec.loss == "mse":
        return mse(y_hat, y)
    if spec.output == "softmax":
        return softmax_cross_entropy(z, y)
    return sigmoid_cross_entropy(z, y)


def _loss_and_grads(params: Params, x: Array, y: Array, spec: NetworkSpec):
    """Autograd: record the forward pass from fresh leaves, then run the tape back."""
    # fresh leaves W0, b0, W1, b1, ...: the tape starts from them
    leaves = [p.detach().requires_grad_() for layer in params for p in layer]
    z, y_hat = _forward(_pairs(leaves), x, spec)
    value = _output_loss(z, y_hat, y, spec)
    grads = torch.autograd.grad(value, leaves)  # dL/dW0, dL/db0, ...
    return value.detach(), _pairs(grads)


def _pairs(flat) -> Params:
    """[W0, b0, W1, b1, ...] -> [(W0, b0), (W1, b1), ...]."""
    return list(zip(flat[0::2], flat[1::2]))


def _device(device) -> torch.device:
    """`device` as a torch.device: None means the CPU; CUDA only where there is one."""
    try:
        resolved = torch.device(device or "cpu")
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device must be None, 'cpu', 'cuda' or 'cuda:N', got {device!r}"
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device {device!r} is not available: torch sees no CUDA GPU here"
        )
    return resolved
