"""Datasets that need no download: generated ones, and one real dataset shipped with scikit-learn.

Every function takes a ``seed`` and returns the same numbers for the same
seed. Classification sets return a :class:`Dataset` with a fixed train/test
split; labels are integer class indices.

>>> from nonlinear import data
>>> d = data.xor(n=200, seed=0)
>>> d.X_train.shape, d.n_classes
((150, 2), 2)
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Features and integer labels, already split. ``feature_names`` label the columns."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...] = ()
    description: str = ""

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max()) + 1)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}: {len(self.X_train)} train / {len(self.X_test)} test, "
            f"{self.n_features} features, {self.n_classes} classes)"
        )


def _check_size(n: int, minimum: int = 8, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {n!r}")
    return int(n)


def split(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    seed: int,
    test_fraction: float = 0.25,
    feature_names: tuple[str, ...] = (),
    description: str = "",
) -> Dataset:
    """Shuffle with ``seed`` and hold out ``test_fraction`` of the examples."""
    order = np.random.default_rng(seed + 10_000).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return Dataset(name, X[train], y[train], X[test], y[test], tuple(feature_names), description)


def xor(n: int = 400, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Four Gaussian blobs at the corners of a square; opposite corners share a class."""
    n = _check_size(n)
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2))
    X = (2.0 * corners - 1.0) + noise * rng.normal(size=(n, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(np.int64)
    return split("xor", X, y, seed, feature_names=("x1", "x2"), description="XOR of the signs of x1 and x2")


def moons(n: int = 400, noise: float = 0.15, seed: int = 0) -> Dataset:
    """Two interleaving half circles."""
    n = _check_size(n)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    angle = rng.uniform(0, np.pi, size=n)
    X = np.where(
        y[:, None] == 0,
        np.stack([np.cos(angle), np.sin(angle)], axis=1),
        np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1),
    )
    X = X + noise * rng.normal(size=(n, 2))
    return split("moons", X, y.astype(np.int64), seed, feature_names=("x1", "x2"), description="two half moons")


def circles(n: int = 400, noise: float = 0.08, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A small circle (class 1) inside a large one (class 0)."""
    n = _check_size(n)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    angle = rng.uniform(0, 2 * np.pi, size=n)
    radius = np.where(y == 1, factor, 1.0)
    X = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1) + noise * rng.normal(size=(n, 2))
    return split("circles", X, y.astype(np.int64), seed, feature_names=("x1", "x2"), description="concentric circles")


def spirals(n: int = 600, classes: int = 3, noise: float = 0.2, turns: float = 1.0, seed: int = 0) -> Dataset:
    """``classes`` interleaved spiral arms (the CS231n toy problem)."""
    n = _check_size(n)
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(classes), int(np.ceil(n / classes)))[:n]
    t = rng.uniform(0.05, 1.0, size=n)
    angle = 2 * np.pi * turns * t + 2 * np.pi * y / classes + noise * rng.normal(size=n)
    X = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    return split(
        "spirals", X, y.astype(np.int64), seed, feature_names=("x1", "x2"), description=f"{classes} spiral arms"
    )


def linear(n: int = 400, margin: float = 0.2, seed: int = 0) -> Dataset:
    """Two classes on either side of a random line, with a gap ``margin`` (linearly separable)."""
    n = _check_size(n)
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction)
    X = rng.uniform(-1, 1, size=(4 * n, 2))
    distance = X @ direction
    keep = np.abs(distance) > margin / 2
    X, distance = X[keep][:n], distance[keep][:n]
    y = (distance > 0).astype(np.int64)
    return split("linear", X, y, seed, feature_names=("x1", "x2"), description="linearly separable with a margin")


def digits(seed: int = 0, test_fraction: float = 0.25) -> Dataset:
    """scikit-learn's 8x8 handwritten digits (1797 images, 10 classes), scaled to [0, 1].

    A real dataset shipped inside scikit-learn: nothing is downloaded.
    """
    from sklearn.datasets import load_digits  # imported here: only this dataset needs scikit-learn

    raw = load_digits()
    X = raw.data.astype(np.float64) / 16.0
    return split(
        "digits",
        X,
        raw.target.astype(np.int64),
        seed,
        test_fraction,
        feature_names=tuple(f"pixel_{i}" for i in range(64)),
        description="8x8 handwritten digits (UCI, shipped with scikit-learn)",
    )


def standardise(dataset: Dataset) -> Dataset:
    """Centre and scale features with the training set's mean and standard deviation."""
    mean = dataset.X_train.mean(axis=0)
    std = dataset.X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return Dataset(
        dataset.name,
        (dataset.X_train - mean) / std,
        dataset.y_train,
        (dataset.X_test - mean) / std,
        dataset.y_test,
        dataset.feature_names,
        dataset.description + " (standardised)",
    )


def curve(n: int = 200, seed: int = 0, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A 1-d regression target on [-3, 3]: sin(2x) + 0.3x, sorted by x; returns (X of shape (n, 1), y of shape (n, 1))."""
    n = _check_size(n)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, size=n))
    y = np.sin(2 * x) + 0.3 * x + noise * rng.normal(size=n)
    return x[:, None], y[:, None]


GENERATED = {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals, "linear": linear}


def load(name: str, **kwargs) -> Dataset:
    """Any dataset by name: one of the generated ones, ``digits`` or ``mnist1d``."""
    if name == "digits":
        return digits(**kwargs)
    if name == "mnist1d":
        return mnist1d(**kwargs)
    if name not in GENERATED:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join([*GENERATED, 'digits', 'mnist1d'])}")
    return GENERATED[name](**kwargs)


MNIST1D_SAMPLES = 5000


def _cache_dir() -> Path:
    """Where generated data sets are cached: ``$NONLINEAR_CACHE``, else ``~/.cache/nonlinear``."""
    return Path(os.environ.get("NONLINEAR_CACHE") or Path.home() / ".cache" / "nonlinear")


@functools.lru_cache(maxsize=4)
def _mnist1d_arrays(num_samples: int, seed: int) -> tuple[np.ndarray, ...]:
    path = _cache_dir() / f"mnist1d-{num_samples}-{seed}-v0.0.2.post1.npz"
    if path.exists():
        with np.load(path) as f:
            return f["x"], f["y"], f["x_test"], f["y_test"]
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as error:  # pragma: no cover - the package is pinned in requirements.txt
        raise ImportError("data.mnist1d needs the mnist1d package: pip install mnist1d==0.0.2.post1") from error
    args = get_dataset_args()
    args.num_samples, args.seed = num_samples, seed
    state = np.random.get_state()  # make_dataset seeds numpy's global generator; leave it as it was
    try:
        raw = make_dataset(args)  # built locally; mnist1d's get_dataset would download
    finally:
        np.random.set_state(state)
    arrays = tuple(np.asarray(raw[k]) for k in ("x", "y", "x_test", "y_test"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, **dict(zip(("x", "y", "x_test", "y_test"), arrays)))
    os.replace(tmp, path)
    return arrays


def mnist1d(num_samples: int = MNIST1D_SAMPLES, seed: int = 42) -> Dataset:
    """MNIST-1D (Greydanus 2020): ten digit templates as 40-sample 1-d signals, shifted, scaled, sheared and noised.

    Generated locally with ``mnist1d.data.make_dataset`` (about 10 s the first
    time, then read from a cache; nothing is downloaded); ``seed=42`` and 5000
    examples give the package's reference data set, split 80/20 into train and
    test. The generator already centres the signals and scales them to unit
    standard deviation (one mean and one std over all values), so small
    networks separate activations on it: a two-hidden-layer MLP reaches roughly
    0.3–0.6 test accuracy, far from saturation.
    """
    n = _check_size(num_samples, minimum=100, name="num_samples")
    x, y, x_test, y_test = _mnist1d_arrays(n, int(seed))
    return Dataset(
        "mnist1d",
        x.astype(np.float64),
        y.astype(np.int64),
        x_test.astype(np.float64),
        y_test.astype(np.int64),
        feature_names=tuple(f"t_{i}" for i in range(x.shape[1])),
        description="MNIST-1D: 1-d signals of ten digit templates (Greydanus 2020), generated locally",
    )
