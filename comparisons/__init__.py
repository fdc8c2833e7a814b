"""comparisons: the harness that holds the three implementations against each
other and against the float64 oracle, and times them. Every capability returns a
pandas DataFrame; only `comparisons.cli` prints.

Each name below is imported when first used, so that `import comparisons` stays
light: it imports neither torch nor jax (backends are loaded by name), and not
even pandas, which a benchmark worker process must not pay for.
"""

from __future__ import annotations

import importlib

# public name -> the module that defines it
_EXPORTS = {
    "check": "consistency",
    "summary": "consistency",
    "train": "training",
    "default_spec": "training",
    "full_float32_precision": "precision",
    "verdicts": "bench.confidence",
    "assert_agree": "assertions",
}
# public name -> a module or package, which is also callable as its own function:
# bench(...), compare(a, b), show("relu"), trajectories(...) (callable_module.py)
_MODULES = {
    "backends": "backends",
    "bench": "bench",
    "compare": "compare",
    "show": "show",
    "timing": "bench",
    "trajectories": "trajectories",
}

__all__ = sorted([*_EXPORTS, *_MODULES])


def __getattr__(name: str):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{_MODULES[name]}")
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
