"""A complete outside backend whose gradients come from its own tiny reverse-mode
automatic differentiation engine: the section on automatic differentiation of the
tutorial on deep-learning fundamentals that triptych follows (docs/design.md),
made runnable in about a hundred lines.

The engine is micrograd (karpathy/micrograd) on NumPy arrays instead of scalars:

- every `Tensor` holds a `value` and remembers its `parents`, the tensors it was
  computed from, with a `vjp` that sends its gradient back to them (a
  vector-Jacobian product: dL/dparent from dL/dself);
- building an expression from Tensors records the graph, the "tape";
- `backward()` visits the tape in reverse topological order, so that each node
  has its whole gradient before it passes it on to its parents.

The rest of the module is the backend API on top of the engine, with
impl_numpy's names and signatures, so it runs everywhere the built-in backends
do. From the repository root:

    triptych check --backend examples.autodiff_backend
    triptych show relu --backend examples.autodiff_backend
    triptych show autodiff      # this engine beside backprop, torch and JAX

In Python, `comparisons.check(backends=["numpy", autodiff_backend])` compares it
with the oracle and the NumPy backend. Math and conventions: reference/oracle.py.
Input checks: reference/validate.py, as in impl_numpy.
"""

from __future__ import annotations

import numpy as np

from reference import NetworkSpec, converged, minibatches, validate

# the backend API, in its order (comparisons.backends.API, then UNITS)
__all__ = """NAME from_numpy asarray to_numpy forward loss loss_and_grads sgd_step
train sync identity identity_grad sigmoid sigmoid_grad tanh tanh_grad relu
relu_grad softmax softmax_grad mse mse_grad softmax_cross_entropy
softmax_cross_entropy_grad sigmoid_cross_entropy sigmoid_cross_entropy_grad""".split()

NAME = "autodiff"
Array = np.ndarray  # native arrays are plain NumPy arrays
Params = list[tuple[Array, Array]]

# ---------------------------------------------------------------------- engine
# Dtypes: every op computes in its inputs' dtype. The only constants are Python
# ints (0, 1), which NumPy 2 never lets widen a float32 array.


class Tensor:
    """A node of the graph: `value`, and after `backward()` its `grad` dL/dvalue."""

    def __init__(self, value, parents=(), vjp=None):
        self.value = np.asarray(value)
        self.parents = parents  # the Tensors this one was computed from
        self.vjp = vjp  # dL/dself -> (dL/dparent for each parent)
        self.grad = None

    def backward(self, seed=None) -> None:
        """Fill in `grad` on every node this one depends on, seeded with
        dL/dself = `seed` (1 for a scalar loss)."""
        order = topological_order(self)
        for node in order:
            node.grad = np.zeros_like(node.value)
        self.grad = np.ones_like(self.value) if seed is None else seed
        for node in reversed(order):  # each node is done before its parents
            if node.vjp is None:
                continue  # a leaf: parameters, inputs, constants
            for parent, g in zip(node.parents, node.vjp(node.grad)):
                parent.grad = parent.grad + _unbroadcast(g, parent.value.shape)

    # Each op: its forward value, then its backward as a vector-Jacobian product.
    def __add__(self, other: Tensor) -> Tensor:
        return Tensor(self.value + other.value, (self, other), lambda g: (g, g))

    def __sub__(self, other: Tensor) -> Tensor:
        return Tensor(self.value - other.value, (self, other), lambda g: (g, -g))

    def __neg__(self) -> Tensor:
        return Tensor(-self.value, (self,), lambda g: (-g,))

    def __mul__(self, other: Tensor) -> Tensor:
        a, b = self.value, other.value
        return Tensor(a * b, (self, other), lambda g: (g * b, g * a))

    def __truediv__(self, other: Tensor) -> Tensor:
        a, b = self.value, other.value
        out = a / b  # d(a/b)/db = -a/b^2 = -out/b
        return Tensor(out, (self, other), lambda g: (g / b, -g * out / b))

    def __matmul__(self, other: Tensor) -> Tensor:
        a, b = self.value, other.value  # (N, n_in) @ (n_in, n_out)
        return Tensor(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g))

    def sum(self) -> Tensor:
        """Over the last axis, kept: (N, C) -> (N, 1)."""
        shape = self.value.shape
        out = self.value.sum(axis=-1, keepdims=True)
        return Tensor(out, (self,), lambda g: (np.broadcast_to(g, shape),))

    def mean(self) -> Tensor:
        """Over every element: -> a scalar (0-d)."""
        shape, n = self.value.shape, self.value.size
        out = self.value.mean()
        return Tensor(out, (self,), lambda g: (np.broadcast_to(g / n, shape),))

    def exp(self) -> Tensor:
        e = np.exp(self.value)
        return Tensor(e, (self,), lambda g: (g * e,))  # (e^z)' = e^z

    def log(self) -> Tensor:
        return Tensor(np.log(self.value), (self,), lambda g: (g / self.value,))

    def tanh(self) -> Tensor:
        t = np.tanh(self.value)
        return Tensor(t, (self,), lambda g: (g * (1 - t**2),))  # tanh' = 1 - tanh^2

    def sigmoid(self) -> Tensor:
        s = _sigmoid(self.value)
        return Tensor(s, (self,), lambda g: (g * s * (1 - s),))  # s' = s (1 - s)

    def relu(self) -> Tensor:
        z = self.value  # relu'(z) = 1 where z > 0, else 0: relu'(0) = 0
        return Tensor(np.maximum(z, 0), (self,), lambda g: (g * (z > 0),))

    def softplus(self) -> Tensor:
        """log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), whose derivative is sigmoid(z).

        One op with its own backward: composed of relu, abs, exp and log1p, the
        kinks of max(z, 0) and |z| would give a derivative at z = 0 of 0 + 0, not
        sigmoid(0) = 1/2."""
        z = self.value
        out = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))  # exp of <= 0 only
        return Tensor(out, (self,), lambda g: (g * _sigmoid(z),))


def _sigmoid(z: Array) -> Array:
    e = np.exp(-np.abs(z))  # exp of -|z| <= 0 never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _unbroadcast(g: Array, shape: tuple) -> Array:
    """Sum g back to `shape` over the axes broadcasting added or stretched: b (n,)
    was added to every row of z (N, n), so dL/db is dL/dz summed over the rows."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def topological_order(root: Tensor) -> list[Tensor]:
    """Every node `root` depends on, each after all of its parents."""
    order, seen = [], set()

    def visit(node: Tensor) -> None:
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


# ------------------------------------------------- activations and losses, on Tensors


def _shifted(z: Tensor) -> Tensor:
    """z - max(z) per row, so exp never overflows. The max enters as a constant:
    softmax is the same for z and z - c, so no gradient would flow through it."""
    return z - Tensor(z.value.max(axis=-1, keepdims=True))  # (N, C)


def _softmax(z: Tensor) -> Tensor:
    e = _shifted(z).exp()  # (N, C), each row's largest is e^0 = 1
    return e / e.sum()  # the sum is in [1, C]: no 0/0


def _log_softmax(z: Tensor) -> Tensor:
    shifted = _shifted(z)
    return shifted - shifted.exp().sum().log()  # z - logsumexp(z), (N, C)


def _mse(y_hat: Tensor, y: Array) -> Tensor:
    diff = y_hat - Tensor(y)  # (N, C)
    return (diff * diff).mean()  # mean over all N*C elements, no 1/2


def _softmax_cross_entropy(z: Tensor, y: Array) -> Tensor:
    if y.ndim == 1:  # integer labels (N,) -> one-hot rows, in z's dtype
        y = np.eye(z.value.shape[-1], dtype=z.value.dtype)[y]
    return -(Tensor(y) * _log_softmax(z)).sum().mean()  # mean_n -sum_i y log p


def _sigmoid_cross_entropy(z: Tensor, y: Array) -> Tensor:
    # -[y log s(z) + (1 - y) log(1 - s(z))] = softplus(z) - z y
    return (z.softplus() - z * Tensor(y)).mean()


ACTIVATIONS = {  # name -> f on Tensors, looked up by spec.activation / spec.output
    "identity": lambda z: z,
    "sigmoid": Tensor.sigmoid,
    "tanh": Tensor.tanh,
    "relu": Tensor.relu,
    "softmax": _softmax,
}


def _vjp(f, z: Array, g: Array | None = None) -> Array:
    """dL/dz given g = dL/df(z): build f's graph on z, seed it with g, run backward."""
    z = Tensor(z)
    f(z).backward(g)
    return z.grad


# ------------------------------------------------------ the unit level, on arrays
# Each `f_grad(z, g)` is dL/dz given g = dL/da for a = f(z); each loss's `_grad`
# is dL/d(first argument). All of them by the engine's backward.


def identity(z: Array) -> Array:
    return ACTIVATIONS["identity"](Tensor(z)).value


def identity_grad(z: Array, g: Array) -> Array:
    return _vjp(ACTIVATIONS["identity"], z, g)


def sigmoid(z: Array) -> Array:
    return Tensor(z).sigmoid().value


def sigmoid_grad(z: Array, g: Array) -> Array:
    return _vjp(Tensor.sigmoid, z, g)


def tanh(z: Array) -> Array:
    return Tensor(z).tanh().value


def tanh_grad(z: Array, g: Array) -> Array:
    return _vjp(Tensor.tanh, z, g)


def relu(z: Array) -> Array:
    return Tensor(z).relu().value


def relu_grad(z: Array, g: Array) -> Array:
    return _vjp(Tensor.relu, z, g)


def softmax(z: Array) -> Array:
    return _softmax(Tensor(z)).value


def softmax_grad(z: Array, g: Array) -> Array:
    return _vjp(_softmax, z, g)


def mse(y_hat: Array, y: Array) -> Array:
    return _mse(Tensor(y_hat), y).value[()]  # a NumPy scalar, as np.mean gives


def mse_grad(y_hat: Array, y: Array) -> Array:
    return _vjp(lambda t: _mse(t, y), y_hat)


def softmax_cross_entropy(z: Array, y: Array) -> Array:
    return _softmax_cross_entropy(Tensor(z), y).value[()]


def softmax_cross_entropy_grad(z: Array, y: Array) -> Array:
    return _vjp(lambda t: _softmax_cross_entropy(t, y), z)


def sigmoid_cross_entropy(z: Array, y: Array) -> Array:
    return _sigmoid_cross_entropy(Tensor(z), y).value[()]


def sigmoid_cross_entropy_grad(z: Array, y: Array) -> Array:
    return _vjp(lambda t: _sigmoid_cross_entropy(t, y), z)


# --------------------------------------------------------------------- network


def from_numpy(params, spec: NetworkSpec, device=None) -> Params:
    """Reference parameters -> NumPy arrays in spec.dtype (always a copy)."""
    validate.check_incoming_params(params, spec)
    _check_device(device)
    return [
        (np.array(W, dtype=spec.dtype), np.array(b, dtype=spec.dtype))
        for W, b in params
    ]


def asarray(a, spec: NetworkSpec, device=None) -> Array:
    """One NumPy array -> a NumPy array in spec.dtype; class labels become int64."""
    a = validate.check_incoming(a, spec)
    _check_device(device)
    return np.array(a, dtype=np.int64 if validate.is_labels(a, spec) else spec.dtype)


def to_numpy(tree):
    """An array, or a list of (W, b), -> the same structure of NumPy arrays (copies)."""
    if isinstance(tree, (list, tuple)):
        return [tuple(to_numpy(p) for p in layer) for layer in tree]
    validate.check_native("tree", tree, (Array, np.generic))  # losses: np.generic
    return np.array(tree)


def forward(params: Params, x: Array, spec: NetworkSpec) -> Array:
    """The network output y_hat (N, n_out), after the output activation."""
    validate.check_call(params, x, None, spec, Array)
    z = _logits([(Tensor(W), Tensor(b)) for W, b in params], x, spec)
    return ACTIVATIONS[spec.output](z).value


def loss(params: Params, x: Array, y: Array, spec: NetworkSpec) -> Array:
    """The scalar loss on the batch (x, y)."""
    validate.check_call(params, x, y, spec, Array)
    nodes = [(Tensor(W), Tensor(b)) for W, b in params]
    return _loss(nodes, x, y, spec).value[()]


def loss_and_grads(params: Params, x: Array, y: Array, spec: NetworkSpec):
    """(loss, grads), grads a list of (dL/dW, dL/db) shaped like params."""
    validate.check_call(params, x, y, spec, Array)
    return _loss_and_grads(params, x, y, spec)


def _logits(nodes: list, x: Array, spec: NetworkSpec) -> Tensor:
    """The graph from x to the last layer's z (N, n_out), before the output
    activation, on the parameter nodes [(W, b), ...]."""
    a = Tensor(x)  # (N, n_in); backward computes dL/dx too, unused: one matmul
    for i, (W, b) in enumerate(nodes):
        z = a @ W + b  # (N, sizes[i + 1]); b (n,) broadcasts over the rows
        if i < len(nodes) - 1:
            a = ACTIVATIONS[spec.activation](z)
    return z


def _loss(nodes: list, x: Array, y: Array, spec: NetworkSpec) -> Tensor:
    """The loss node: MSE on y_hat, cross-entropy on the logits z."""
    z = _logits(nodes, x, spec)
    if spec.loss == "mse":
        return _mse(ACTIVATIONS[spec.output](z), y)
    if spec.output == "softmax":
        return _softmax_cross_entropy(z, y)
    return _sigmoid_cross_entropy(z, y)


def _loss_and_grads(params: Params, x: Array, y: Array, spec: NetworkSpec):
    """Build the graph, run backward once, read each parameter's grad."""
    nodes = [(Tensor(W), Tensor(b)) for W, b in params]
    root = _loss(nodes, x, y, spec)
    root.backward()
    return root.value[()], [(W.grad, b.grad) for W, b in nodes]


def _check_device(device) -> None:
    if device not in (None, "cpu"):
        raise ValueError(f"device must be None or 'cpu' for NumPy, got {device!r}")


# ------------------------------------------------------------ gradient descent


def sgd_step(params: Params, grads: Params, lr: float) -> Params:
    """New parameters p - lr * dL/dp; params and grads are left as they were."""
    validate.check_lr(lr)
    validate.check_grads(params, grads, Array)
    return [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]


def train(
    params: Params,
    x: Array,
    y: Array,
    spec: NetworkSpec,
    lr: float,
    steps: int,
    batch_size: int | None = None,
    seed: int = 0,
    tol: float | None = None,
) -> tuple[Params, np.ndarray]:
    """`steps` steps of gradient descent; returns (params, each step's batch loss)."""
    validate.check_call(params, x, y, spec, Array)
    validate.check_train_args(lr, steps, batch_size, seed, tol, len(x))
    validate.check_values(x, y, spec)  # once, as the data enters the loop
    params = [(W.copy(), b.copy()) for W, b in params]  # ours to update in place
    losses = []
    for idx in minibatches(len(x), batch_size, steps, seed):
        xb, yb = (x, y) if idx is None else (x[idx], y[idx])
        value, grads = _loss_and_grads(params, xb, yb, spec)
        losses.append(value)
        for (W, b), (gW, gb) in zip(params, grads):
            W -= lr * gW  # in place: the graph is rebuilt from params each step
            b -= lr * gb
        if converged(losses, tol):
            break
    return params, np.array([float(v) for v in losses])


def sync(tree):
    """Nothing to wait for: NumPy computes eagerly. Returns `tree`."""
    return tree
