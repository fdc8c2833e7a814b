"""The backend registry: which implementations there are, loaded lazily by name.

A backend is any module or object with the backend API (the `Backend` protocol of
comparisons/api.py, whose names `API` and `UNITS` are also here): the three built
in are the packages impl_numpy, impl_torch and impl_jax. Nothing here
imports a framework until a backend is asked for by name, so a missing framework
is reported (with how to install it), not a crash, and `import comparisons`
stays light.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import sys
from types import SimpleNamespace

import numpy as np

from reference.validate import split_names

from .api import API, PARAMETERS, UNITS, parameters_of

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


class BackendUnavailable(ImportError):
    """A known backend whose framework is not installed here."""


ENTRY_POINT_GROUP = "triptych.backends"


def names() -> list[str]:
    """The built-in backends, installed or not, then those that packages register
    under the entry-point group `triptych.backends`."""
    return list(BUILTIN) + [ep.name for ep in _entry_points() if ep.name not in BUILTIN]


def load(name: str):
    """The backend called `name`, imported now: a built-in name, a name registered
    under `triptych.backends`, or `module:attribute` (or a module that is itself a
    backend). BackendUnavailable where a built-in's framework is missing,
    ValueError for anything else that cannot be found."""
    if name in BUILTIN:
        return _builtin(name)
    for entry in _entry_points():
        if entry.name == name:
            return entry.load()
    if ":" in name or "." in name or _importable(name):
        return _from_path(name)
    raise ValueError(
        f"backend must be one of {', '.join(names())}, or module:attribute; "
        f"got {name!r}"
    )


def _importable(name: str) -> bool:
    """Whether `name` is a top-level module that Python can find (from here too)."""
    _search_here()
    return name.isidentifier() and importlib.util.find_spec(name) is not None


def _search_here() -> None:
    """The current folder on the import path, as `python -m` would put it, so that
    a backend of one's own needs no install."""
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.append(os.getcwd())


def _builtin(name: str):
    module, framework, install = BUILTIN[name]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or error.name.split(".")[0] != framework:
            raise  # a bug in the backend itself, not a missing framework
        raise BackendUnavailable(
            f"backend {name!r} needs {framework}, which is not installed: {install}"
        ) from error


def _from_path(path: str):
    """`package.module:attribute.attribute` (or a module) -> the object, the
    current folder searched too."""
    _search_here()
    module_name, _, attribute = path.partition(":")
    try:
        found = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(
            f"backend {path!r}: cannot import {module_name}: {error}"
        ) from None
    except (Exception, SystemExit) as error:  # its own code failed as it ran
        raise ValueError(
            f"backend {path!r}: importing {module_name} raised "
            f"{type(error).__name__}: {error}"
        ) from None
    for part in filter(None, attribute.split(".")):
        if not hasattr(found, part):
            raise ValueError(
                f"backend {path!r}: {found.__name__} has no attribute {part!r}"
            )
        found = getattr(found, part)
    return found


def _entry_points() -> list:
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def available():
    """One row per known backend (built-in, then registered): can it be loaded
    here, which version, and if not, why not. A pandas DataFrame."""
    import pandas as pd  # here: a benchmark worker loads backends without pandas

    rows = []
    for name in names():
        module = BUILTIN[name][0] if name in BUILTIN else _entry_value(name)
        try:
            load(name)
            rows.append(
                dict(
                    backend=name,
                    module=module,
                    available=True,
                    version=_version(name),
                    reason="",
                )
            )
        except (BackendUnavailable, ImportError, ValueError) as error:
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


def installed() -> list[str]:
    """The names of every backend that can be loaded here."""
    table = available()
    return list(table.loc[table.available, "backend"])


def missing() -> dict[str, str]:
    """{name: why} for every known backend that cannot be loaded here."""
    table = available()
    return dict(zip(table.backend[~table.available], table.reason[~table.available]))


def _entry_value(name: str) -> str:
    return next(e.value for e in _entry_points() if e.name == name)


def _version(name: str) -> str:
    if name not in BUILTIN:
        return ""
    return importlib.metadata.version(BUILTIN[name][1])


def is_builtin(backend) -> bool:
    """Whether `backend` is one of the packages impl_numpy, impl_torch, impl_jax."""
    return getattr(backend, "__name__", None) in {m for m, _, _ in BUILTIN.values()}


def resolve(backends=None) -> list:
    """Backend objects from names, `module:attribute` paths, objects, or None
    (every available backend). Each is checked against the API first
    (`conformance`): a TypeError says precisely what one lacks."""
    if backends is None:
        return [load(name) for name in installed()]
    resolved = []
    backends = split_names(backends)
    for backend in backends:
        found = load(backend) if isinstance(backend, str) else backend
        problems = conformance(found)
        if problems:
            label = backend if isinstance(backend, str) else type(backend).__name__
            raise TypeError(
                f"backend {label!r} does not fit the backend API: "
                + "; ".join(problems)
            )
        if any(other.NAME == found.NAME for other in resolved):
            raise ValueError(
                f"backends must have distinct NAMEs: {found.NAME!r} is given twice"
            )
        resolved.append(found)
    return resolved


def conformance(backend) -> list[str]:
    """What `backend` lacks or gets wrong against the `Backend` protocol
    (comparisons/api.py), in words (empty: fits).

    Every name of API and UNITS must be there; NAME a string; each function must
    take the parameters, with the defaults, that the protocol states.
    """
    problems = []
    missing = [name for name in API + UNITS if not hasattr(backend, name)]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if hasattr(backend, "NAME") and not isinstance(backend.NAME, str):
        problems.append(f"NAME must be a str, got {type(backend.NAME).__name__}")
    elif hasattr(backend, "NAME") and backend.NAME.strip() == "oracle":
        problems.append("NAME 'oracle' is the float64 reference's; choose another")
    elif hasattr(backend, "NAME") and not backend.NAME.strip():
        problems.append(
            f"NAME must name it (a column of every table), got {backend.NAME!r}"
        )
    for name, expected in PARAMETERS.items():
        if not hasattr(backend, name):
            continue
        given = parameters_of(getattr(backend, name))
        if given is None:
            problems.append(f"{name} is not callable")
        elif given != expected:
            problems.append(
                f"{name}({', '.join(given)}) should be {name}({', '.join(expected)})"
            )
    return problems


def on_device(backend, device):
    """`backend`, its arrays placed on `device` (`cpu`, `cuda`, `cuda:1`, a JAX
    platform) unless told otherwise: data and parameters go there once, in
    `from_numpy` and `asarray`, and every step runs there. NumPy has only the CPU,
    so it is left as it is; None leaves every backend as it is."""
    if device is None or backend.NAME == "numpy":
        return backend
    from reference import NetworkSpec

    # one tiny array first: a device that is not there fails here, once, clearly
    backend.asarray(np.zeros(1, dtype=np.int64), NetworkSpec((1, 1, 2)), device)
    placed = SimpleNamespace(**{name: getattr(backend, name) for name in API + UNITS})
    placed.from_numpy = lambda params, spec, device=device: backend.from_numpy(
        params, spec, device
    )
    placed.asarray = lambda a, spec, device=device: backend.asarray(a, spec, device)
    return placed


def missing_api(backend) -> list[str]:
    """The API names that `backend` lacks (empty when it has them all)."""
    return [name for name in API if not hasattr(backend, name)]


def signature(backend, name: str) -> str:
    """The call signature of one API function, as text (for conformance checks)."""
    return str(inspect.signature(getattr(backend, name)))
