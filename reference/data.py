"""Data sets and minibatch order, the same for every framework.

- Synthetic sets made from a seed: `synthetic_classification` (Gaussian blobs) and
  `synthetic_regression` (a smooth function plus noise).
- Real sets that ship inside scikit-learn, so nothing is downloaded at run time:
  `digits` (8x8 handwritten digits, 1797 x 64, 10 classes) and `diabetes`
  (442 x 10, one regression target), read from its files with NumPy.

Features are standardised to zero mean and unit variance (a constant feature is
left at zero), regression targets too, so that one learning rate suits them all.
Everything is float64 NumPy; labels are int64. The minibatch order lives in
`reference.loop`.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    x: np.ndarray  # (N, n_features) float64
    y: np.ndarray  # (N,) int64 labels, or (N, n_targets) float64
    task: str  # "classification" | "regression"

    @property
    def n_features(self) -> int:
        return self.x.shape[1]

    @property
    def n_outputs(self) -> int:
        """Classes for classification, targets for regression."""
        if self.task == "classification":
            return int(self.y.max()) + 1
        return self.y.shape[1]


def standardize(a: np.ndarray) -> np.ndarray:
    """(a - mean) / std per column; a constant column becomes 0, not NaN."""
    std = a.std(axis=0)
    return (a - a.mean(axis=0)) / np.where(std > 0, std, 1.0)


def synthetic_classification(
    n: int = 512, n_features: int = 8, n_classes: int = 4, seed: int = 0
) -> Dataset:
    """Gaussian blobs: one centre per class, unit noise around it."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 2.0, size=(n_classes, n_features))
    y = rng.integers(0, n_classes, size=n)  # (n,)
    x = centres[y] + rng.normal(size=(n, n_features))  # (n, n_features)
    return Dataset(
        "synthetic_classification", standardize(x), y.astype(np.int64), "classification"
    )


def synthetic_regression(
    n: int = 512, n_features: int = 8, n_targets: int = 2, seed: int = 0
) -> Dataset:
    """y = sin(x @ A) + 0.1 noise: smooth, nonlinear, learnable by a small net."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_features))
    A = rng.normal(0.0, 1.0 / np.sqrt(n_features), size=(n_features, n_targets))
    y = np.sin(x @ A) + 0.1 * rng.normal(size=(n, n_targets))  # (n, n_targets)
    return Dataset("synthetic_regression", standardize(x), standardize(y), "regression")


def digits() -> Dataset:
    """scikit-learn's 8x8 digits, bundled with the package (no download)."""
    table = _bundled("digits.csv.gz", ",")  # (1797, 65): 64 pixels, then the digit
    x = standardize(table[:, :-1])
    return Dataset("digits", x, table[:, -1].astype(np.int64), "classification")


def diabetes() -> Dataset:
    """scikit-learn's diabetes regression set, bundled with the package."""
    x = standardize(_bundled("diabetes_data_raw.csv.gz"))  # (442, 10)
    y = standardize(_bundled("diabetes_target.csv.gz")[:, None])  # (442, 1)
    return Dataset("diabetes", x, y, "regression")


@functools.cache
def _bundled(file: str, delimiter: str | None = None) -> np.ndarray:
    """One of the data files inside the scikit-learn package, read with NumPy as
    its own loaders read it (float64; `delimiter` None: any whitespace), once per
    process.

    The package is found, not imported: importing its loaders (scipy with them)
    took 1.0 to 1.3 s of every command that reads a set, reading the file 24 ms;
    `check` reads the digits 30 times. The array is read-only: the sets above are
    new arrays computed from it."""
    package = importlib.util.find_spec("sklearn")
    if package is None or package.origin is None:
        raise ModuleNotFoundError(
            f"{file} ships inside scikit-learn, which is not installed: "
            "pip install scikit-learn"
        )
    with gzip.open(Path(package.origin).parent / "datasets" / "data" / file) as f:
        table = np.loadtxt(f, delimiter=delimiter)
    table.setflags(write=False)
    return table


def random_batch(spec, n: int = 16, seed: int = 1, labels: bool = True):
    """x (n, n_in) ~ N(0, 1) and a y that fits the spec's loss, both float64
    (labels int64): for checking a network, not for learning anything.

    Softmax cross-entropy: integer labels (or, with labels=False, a target
    distribution); sigmoid cross-entropy: probabilities in [0, 1]; MSE: N(0, 1).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, spec.n_in))
    if spec.uses_labels:
        y = rng.integers(0, spec.n_out, size=n)
        return x, (y if labels else np.eye(spec.n_out)[y])
    if spec.loss == "cross_entropy":
        return x, rng.uniform(size=(n, spec.n_out))
    return x, rng.normal(size=(n, spec.n_out))


DATASETS = {
    "digits": digits,
    "diabetes": diabetes,
    "synthetic_classification": synthetic_classification,
    "synthetic_regression": synthetic_regression,
}


def load(name: str, **options) -> Dataset:
    """A data set by name, one of `DATASETS`, made with `options` (a synthetic
    set's n_features, say)."""
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {name!r}")
    return DATASETS[name](**options)
