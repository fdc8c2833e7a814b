"""impl_numpy: the network in NumPy, every gradient derived by hand (backprop)."""

from .activations import (
    identity,
    identity_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_grad,
    tanh,
    tanh_grad,
)
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

NAME = "numpy"

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
    "identity",
    "identity_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "softmax",
    "softmax_grad",
    "mse",
    "mse_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_grad",
    "sigmoid_cross_entropy",
    "sigmoid_cross_entropy_grad",
]
