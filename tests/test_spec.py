"""NetworkSpec, the valid combinations, and the shared initial parameters."""

from __future__ import annotations

import numpy as np
import pytest

import reference
from reference import NetworkSpec


def test_each_activation_makes_five_valid_combinations_each_building_a_spec():
    # five (output, loss) pairs: three outputs by two losses, less cross-entropy
    # on the identity output; fifteen with sigmoid, tanh and relu
    combos = reference.combinations()
    assert len(combos) == 5 * len(reference.ACTIVATIONS) == len(set(combos))
    for activation, output, loss in combos:
        NetworkSpec((3, 4, 2), activation, output, loss)


def test_cross_entropy_with_identity_output_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="cross_entropy.*softmax.*sigmoid.*identity"):
        NetworkSpec((3, 4, 2), "tanh", "identity", "cross_entropy")


@pytest.mark.parametrize(
    "field, value, error, message",
    [
        ("activation", "tanhh", ValueError, "activation must be one of.*'tanhh'"),
        ("activation", "softmax", ValueError, "activation must be one of"),
        ("output", "tanh", ValueError, "output must be one of.*'tanh'"),
        ("loss", "hinge", ValueError, "loss must be one of.*'hinge'"),
        ("dtype", "float16", ValueError, "dtype must be one of.*'float16'"),
        ("sizes", (4, 3), ValueError, "at least 3 layers.*got 2"),
        ("sizes", (4, 0, 3), ValueError, r"sizes\[1\] must be at least 1, got 0"),
        ("sizes", (4, 8.0, 3), TypeError, r"sizes\[1\] must be an int, got float"),
        ("sizes", (4, True, 3), TypeError, r"sizes\[1\] must be an int, got bool"),
        ("sizes", "4,x,3", ValueError, "like 64,32,10 or 64-32-10; got '4,x,3'"),
        ("sizes", "4,8", ValueError, "at least 3 layers.*got 2"),
        ("sizes", "4,-8,3", ValueError, r"sizes\[1\] must be at least 1, got -8"),
        ("sizes", 5, TypeError, "sizes must be a sequence of ints.*got 5"),
        ("sizes", b"4,8,3", TypeError, "or a string like '4,8,3'"),
    ],
)
def test_bad_spec_fields_are_refused_naming_field_expected_and_given(
    field, value, error, message
):
    with pytest.raises(error, match=message):
        NetworkSpec(**{field: value})


@pytest.mark.parametrize("text", ["4,8,3", "4-8-3", " 4, 8 ,3 "])
def test_sizes_may_be_given_as_text_with_commas_or_dashes(text):
    assert NetworkSpec(text).sizes == (4, 8, 3)
    assert reference.parse_sizes(text) == (4, 8, 3)


def test_a_spec_printed_gives_its_sizes_back():
    spec = NetworkSpec((64, 32, 10))
    assert NetworkSpec(str(spec).split()[0]) == spec  # "64-32-10 tanh/..."


def test_parse_sizes_takes_only_text():
    with pytest.raises(TypeError, match=r"sizes text must be a str.*got \(4, 8, 3\)"):
        reference.parse_sizes((4, 8, 3))


def test_softmax_needs_at_least_two_outputs():
    with pytest.raises(ValueError, match="at least 2 outputs"):
        NetworkSpec((3, 4, 1), "tanh", "softmax", "mse")


def test_sizes_accept_lists_and_numpy_ints_and_become_a_hashable_tuple():
    spec = NetworkSpec([np.int64(3), 4, 2])
    assert spec.sizes == (3, 4, 2) and isinstance(spec.sizes, tuple)
    assert hash(spec) == hash(NetworkSpec((3, 4, 2)))


def test_deeper_networks_are_allowed():
    spec = NetworkSpec((3, 5, 5, 5, 2))
    assert spec.n_layers == 4 and spec.n_in == 3 and spec.n_out == 2


def test_init_params_has_the_spec_shapes_float64_and_zero_biases():
    spec = NetworkSpec((6, 5, 4, 3))
    params = reference.init_params(spec, seed=0)
    assert [(W.shape, b.shape) for W, b in params] == [
        ((6, 5), (5,)),
        ((5, 4), (4,)),
        ((4, 3), (3,)),
    ]
    assert all(W.dtype == np.float64 and not b.any() for W, b in params)


def test_init_params_is_the_same_for_the_same_seed_and_differs_across_seeds():
    spec = NetworkSpec((6, 5, 3))
    a, b, c = (reference.init_params(spec, s) for s in (0, 0, 1))
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(a, b))
    assert not np.array_equal(a[0][0], c[0][0])


@pytest.mark.parametrize(
    "activation, factor",
    [(a, 2.0 if a == "relu" else 1.0) for a in reference.ACTIVATIONS],
)
def test_init_scheme_is_he_for_relu_and_glorot_otherwise(activation, factor):
    # hidden layer (400 -> 600): He std sqrt(2/400), Glorot std sqrt(2/1000)
    spec = NetworkSpec((400, 600, 10), activation, "identity", "mse")
    W = reference.init_params(spec, seed=0)[0][0]
    expected = np.sqrt(2 / 400) if factor == 2.0 else np.sqrt(2 / 1000)
    assert W.std() == pytest.approx(expected, rel=0.01)
