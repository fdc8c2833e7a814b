"""JAX's x64 flag, set per call: the one piece of plumbing only JAX needs.

JAX computes in float32 unless its x64 flag is on (float64 input would be
silently rounded). `x64_for(dtype)` turns the flag on for float64 work, for one
call only; every public function of impl_jax runs under it (the activations and
losses through `in_input_dtype`), so the caller never touches JAX's global config.
"""

from __future__ import annotations

import contextlib
import functools

import jax
import jax.numpy as jnp


def x64_for(dtype):
    """A context in which JAX keeps `dtype`: x64 on for float64, as is otherwise."""
    # a name or a NumPy dtype: both compare equal to the name, and in a tenth of
    # the time of jnp.dtype(dtype), which every public call paid (1.5 us)
    if dtype == "float64":
        return jax.enable_x64(True)  # thread-local and scoped: the global flag stays
    return _AS_IS


# one context that does nothing, shared: a new nullcontext per call made JAX's
# public forward 1 us slower (19.1 against 18.0 us at 256-256-10, batch 1)
_AS_IS = contextlib.nullcontext()


def in_input_dtype(f):
    """Run f(z, ...) with x64 on where z is float64 (see the module docstring)."""

    @functools.wraps(f)
    def keeping_dtype(z, *args):
        with x64_for(getattr(z, "dtype", jnp.float32)):
            return f(z, *args)

    return keeping_dtype
