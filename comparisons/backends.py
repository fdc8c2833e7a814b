"""The backend registry: which implementations there are, loaded lazily by name.

A backend is any module or object with the backend API (DESIGN.md): the three
built in are the packages impl_numpy, impl_torch and impl_jax. Nothing here
imports a framework until a backend is asked for by name, so a missing framework
is reported (with how to install it), not a crash, and `import comparisons`
stays light.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect

import pandas as pd

# name -> (module, the framework it needs, how to install that framework)
BUILTIN = {
    "numpy": ("impl_numpy", "numpy", "pip install numpy"),
    "torch": (
        "impl_torch",
        "torch",
        "pip install torch==2.13.0  (see requirements.txt)",
    ),
    "jax": ("impl_jax", "jax", "pip install jax==0.10.2"),
}

# The backend API, in order: every backend exposes these names.
API = (
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
)
# The unit level: each activation and loss, and its gradient, under these names.
UNITS = (
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
)


class BackendUnavailable(ImportError):
    """A known backend whose framework is not installed here."""


def names() -> list[str]:
    """The names of the built-in backends, installed or not."""
    return list(BUILTIN)


def load(name: str):
    """The backend module for `name`, imported now; BackendUnavailable if its
    framework is missing, ValueError for a name that is no backend."""
    if name not in BUILTIN:
        raise ValueError(f"backend must be one of {', '.join(BUILTIN)}; got {name!r}")
    module, framework, install = BUILTIN[name]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or error.name.split(".")[0] != framework:
            raise  # a bug in the backend itself, not a missing framework
        raise BackendUnavailable(
            f"backend {name!r} needs {framework}, which is not installed: {install}"
        ) from error


def available() -> pd.DataFrame:
    """One row per built-in backend: can it be loaded here, which framework
    version, and if not, why not."""
    rows = []
    for name, (module, framework, _) in BUILTIN.items():
        try:
            load(name)
            rows.append(
                dict(
                    backend=name,
                    module=module,
                    available=True,
                    version=importlib.metadata.version(framework),
                    reason="",
                )
            )
        except BackendUnavailable as error:
            rows.append(
                dict(
                    backend=name,
                    module=module,
                    available=False,
                    version="",
                    reason=str(error),
                )
            )
    return pd.DataFrame(rows)


def resolve(backends=None) -> list:
    """Backend objects from names, objects, or None (every available backend)."""
    if backends is None:
        table = available()
        return [load(name) for name in table.loc[table.available, "backend"]]
    if isinstance(backends, str):
        backends = [b.strip() for b in backends.split(",") if b.strip()]
    resolved = []
    for backend in backends:
        resolved.append(load(backend) if isinstance(backend, str) else backend)
        missing = missing_api(resolved[-1])
        if missing:
            raise TypeError(f"backend {backend!r} lacks {', '.join(missing)}")
    return resolved


def missing_api(backend) -> list[str]:
    """The API names that `backend` lacks (empty when it has them all)."""
    return [name for name in API if not hasattr(backend, name)]


def signature(backend, name: str) -> str:
    """The call signature of one API function, as text (for conformance checks)."""
    return str(inspect.signature(getattr(backend, name)))
