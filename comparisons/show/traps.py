"""Where frameworks differ: the traps a learner hits when moving code between NumPy,
PyTorch and JAX. Each is demonstrated by a test in tests/test_frameworks_differ.py,
described in the README's "Where frameworks differ", and shown by `triptych show`
under the concept it belongs to (`TRAPS[concept]`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trap:
    title: str  # as the README's bullet starts, in bold
    text: str  # what happens, in a sentence or three; `code` in backticks
    test: str  # the test in tests/test_frameworks_differ.py that shows it


TRAPS = {
    "network": (
        Trap(
            "nn.Linear stores its weight as (out, in)",
            "We apply `x @ W + b` with W of shape (n_in, n_out), as JAX's examples "
            "do; `torch.nn.Linear(n_in, n_out).weight` is (n_out, n_in) and computes "
            "`x @ W.T + b`. Our W goes into an `nn.Linear` transposed: "
            "`linear.weight.copy_(W.T)`.",
            "test_nn_linear_stores_its_weight_as_out_by_in",
        ),
        Trap(
            "Default float dtypes",
            "NumPy makes float64 (`np.zeros(3)`), torch and JAX make float32 "
            "(`torch.zeros(3)`, `jnp.zeros(3)`). `torch.tensor(a)` of a NumPy array "
            "keeps its float64, while `jnp.asarray(a)` quietly gives float32. Our "
            "backends take the dtype from the spec and never guess.",
            "test_default_float_dtypes_are_float64_in_numpy_and_float32_elsewhere",
        ),
        Trap(
            "JAX computes in float32 by default",
            "Without `jax_enable_x64`, `jnp.asarray(x, dtype=jnp.float64)` gives "
            "float32 (with a warning). `impl_jax` turns x64 on for each float64 call "
            "only (`jax.enable_x64`), so the global flag is never touched.",
            "test_jax_computes_in_float32_unless_x64_is_on",
        ),
        Trap(
            "TF32 on GPUs",
            "On NVIDIA GPUs from Ampere on, float32 matmuls may run in TF32 (about "
            '1e-3 relative): torch where `fp32_precision = "tf32"`, JAX by default. '
            "The harness pins full precision while it compares and restores yours.",
            "test_the_harness_pins_full_float32_matmul_precision",
        ),
    ),
    "relu": (
        Trap(
            "relu'(0) is 0 in relu, 0.5 in maximum",
            "`torch.relu` and `jax.nn.relu` give 0 at exactly 0, as we do "
            "everywhere; `torch.maximum(z, torch.zeros_like(z))` and "
            "`jnp.maximum(z, 0.0)` give 0.5 (autograd splits the tie).",
            "test_relu_derivative_at_zero_is_0_in_relu_but_half_in_maximum",
        ),
        Trap(
            "torch.clamp(z, min=0) has relu'(0) = 1",
            "The same values as `torch.relu`, but its backward passes the gradient "
            "through where z = 0 exactly: the gradient of `clamp(zeros, min=0)` is "
            "all ones. It matters only where z is exactly 0: zero inputs with zero "
            "biases, or units that died.",
            "test_clamp_min_0_is_relu_with_derivative_1_at_zero",
        ),
    ),
    "mse": (
        Trap(
            "MSE: mean, no 1/2",
            "We follow `F.mse_loss`: the mean over all N*C elements. Textbooks often "
            "use `1/2 sum`, whose gradient is `y_hat - y`; ours is "
            "`2 (y_hat - y) / (N C)`.",
            "test_mse_is_the_mean_without_a_half_and_the_half_doubles_the_gradient",
        ),
    ),
    "cross_entropy": (
        Trap(
            "log(softmax(z)) versus log-sum-exp",
            "At logits (1e4, -1e4, 0) softmax gives the -1e4 class exactly 0, so "
            "`-log(softmax(z))` is inf in NumPy, torch and JAX alike; from the "
            "logits (`log_softmax`, `F.cross_entropy`) it is exactly 2e4.",
            "test_log_of_softmax_breaks_at_1e4_where_log_sum_exp_does_not",
        ),
        Trap(
            "Integer labels: int64 in torch, int32 in JAX",
            "`asarray` makes class labels int64 in torch, which `F.cross_entropy` "
            "requires (int32 labels raise `expected target dtype to be Long`), and "
            "int32 in JAX, whose integers are 32-bit unless x64 is on. Labels moved "
            "from JAX to torch need `.long()`.",
            "test_integer_labels_are_int64_in_torch_and_int32_in_jax",
        ),
    ),
    "sgd_step": (
        Trap(
            "JAX arrays are immutable",
            "`W[0, 0] = 1` raises a TypeError in JAX; `W.at[0, 0].set(1)` returns a "
            "new array and leaves W as it was. NumPy and torch update in place "
            "(`W -= lr * g`, `W.sub_(g, alpha=lr)`), so our `train` updates a copy.",
            "test_jax_arrays_are_immutable_where_numpy_and_torch_update_in_place",
        ),
    ),
    "train": (
        Trap(
            "Randomness: global seeds versus keys",
            "`np.random.seed(0)` and `torch.manual_seed(0)` set one global "
            "generator that every draw advances; JAX has none: "
            "`jax.random.normal(key)` repeats for the same key, and new numbers need "
            "`jax.random.split(key)`. Our initial parameters and minibatch order come "
            "from reference/ (a NumPy Generator made from `seed=`), the same for all.",
            "test_randomness_is_a_global_seed_in_numpy_and_torch_and_a_key_in_jax",
        ),
    ),
}


def all_traps() -> list[tuple[str, Trap]]:
    """(concept name, trap) for every trap, in the concepts' order here."""
    return [(concept, trap) for concept, traps in TRAPS.items() for trap in traps]
