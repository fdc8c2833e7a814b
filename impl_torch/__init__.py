"""impl_torch: the network in PyTorch, gradients from torch.autograd."""

from . import activations
from .descent import sgd_step, sync, train
from .losses import (
    mse,
    mse_grad,
    sigmoid_cross_entropy,
    sigmoid_cross_entropy_grad,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)
from .network import asarray, forward, from_numpy, loss, loss_and_grads, to_numpy

NAME = "torch"

# Every activation of activations.ACTIVATIONS and its gradient, under their names
# (relu, relu_grad) in the table's order: one added there needs no edit here.
_ACTIVATIONS = {
    name: function
    for unit, functions in activations.ACTIVATIONS.items()
    for name, function in zip((unit, f"{unit}_grad"), functions)
}
globals().update(_ACTIVATIONS)

__all__ = [
    "NAME",
    "from_numpy",
    "asarray",
    "to_numpy",
    "forward",
    "loss",
    "loss_and_grads",
    "sgd_step",
    "train",
    "sync",
    *_ACTIVATIONS,
    "mse",
    "mse_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "sigmoid_cross_entropy",
    "sigmoid_cross_entropy_grad",
]
