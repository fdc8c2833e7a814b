"""Pin float32 matrix products to full precision while the harness compares.

On recent NVIDIA GPUs both frameworks may compute float32 matmuls in TF32 (10-bit
mantissa): torch where `torch.backends.cuda.matmul.fp32_precision` is "tf32" (or,
before torch 2.9, `allow_tf32` / `set_float32_matmul_precision("high")`), JAX by
default on GPU.
That is ~1e-3 relative error -- enough to fail a float32 consistency check by
orders of magnitude. On the CPU it changes nothing, but a user's settings are
still pinned and restored, so the harness measures the same thing everywhere.
"""

from __future__ import annotations

import contextlib
import sys


@contextlib.contextmanager
def full_float32_precision(backends=()):
    """Full-precision float32 matmuls in torch and JAX, restored on exit.

    Only frameworks already imported (by a backend in use) are touched: this
    imports nothing.
    """
    with contextlib.ExitStack() as stack:
        if _loaded("torch"):
            stack.enter_context(_torch_full(sys.modules["torch"]))
        stack.enter_context(in_this_thread())
        yield


def in_this_thread():
    """The part of full_float32_precision that holds in the calling thread alone:
    JAX's setting, which is thread-local. A thread started inside
    full_float32_precision enters this too; torch's setting is global and holds
    there already."""
    if _loaded("jax"):
        return sys.modules["jax"].default_matmul_precision("highest")
    return contextlib.nullcontext()


def settings() -> dict:
    """The float32 matmul settings in force now, for the environment record."""
    out = {}
    if _loaded("torch"):
        torch = sys.modules["torch"]
        if _has_fp32_precision_api(torch):
            out["torch_cuda_matmul_fp32_precision"] = (
                torch.backends.cuda.matmul.fp32_precision
            )
            out["torch_cudnn_conv_fp32_precision"] = (
                torch.backends.cudnn.conv.fp32_precision
            )
        else:
            out["torch_float32_matmul_precision"] = torch.get_float32_matmul_precision()
    if _loaded("jax"):
        value = sys.modules["jax"].config.jax_default_matmul_precision
        out["jax_default_matmul_precision"] = value or "default"
    return out


@contextlib.contextmanager
def _torch_full(torch):
    """IEEE float32 in cuBLAS and cuDNN. torch 2.9 and later have one setting per
    backend ("ieee" / "tf32"), and refuse a mix of it with the older flags, so the
    older `set_float32_matmul_precision` is used only where the newer is missing."""
    if not _has_fp32_precision_api(torch):
        saved = torch.get_float32_matmul_precision()
        torch.set_float32_matmul_precision("highest")
        try:
            yield
        finally:
            torch.set_float32_matmul_precision(saved)
        return
    matmul, conv = torch.backends.cuda.matmul, torch.backends.cudnn.conv
    saved = matmul.fp32_precision, conv.fp32_precision
    matmul.fp32_precision = conv.fp32_precision = "ieee"
    try:
        yield
    finally:
        matmul.fp32_precision, conv.fp32_precision = saved


def _loaded(framework: str) -> bool:
    """Imported already (None in sys.modules means: blocked, as if not installed)."""
    return sys.modules.get(framework) is not None


def _has_fp32_precision_api(torch) -> bool:
    return hasattr(torch.backends.cuda.matmul, "fp32_precision")
