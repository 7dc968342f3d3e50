"""Does ReLU's sparse activity make the next layer cheaper? Clock measurements behind ``c4-sparsity-cost``.

A ReLU layer's output ``H`` is about half exact zeros; the next layer computes ``H @ W``. Two ways
the zeros could save time: a dense product (BLAS in numpy, PyTorch's CPU kernels) that happens to run
faster on them, timed against the same ``H`` with its zeros replaced by a small non-zero number
(:func:`filled`); or a sparse format (CSR in scipy and in PyTorch) that stores and multiplies only the
non-zeros, timed at ReLU's own sparsity and at 90% and 99% (:func:`at_sparsity`). ``H`` comes from a
real forward pass: standardised digits through a He-initialised layer. Each seed is one round: every
arm is timed back to back (the fastest of ``number`` calls), in an order rotated by the round, so each
round gives paired times. Single-threaded (the store runs every experiment on one thread), float32.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from nonlinear import experiments
from nonlinear.study.store import experiment

ROUNDS = range(10)
ROWS, WIDTH = 256, 512  # a batch of 256 digits, a hidden layer of 512 units, a next layer of 512 units
FILL = 1e-3  # what replaces the zeros in the dense control: small, but a normal float32 (not subnormal)
LEVELS = ("relu", "90%", "99%")  # ReLU's own sparsity, then two sparser layers
HIGHER = {"90%": 0.9, "99%": 0.99}


def relu_layer(rows: int = ROWS, width: int = WIDTH, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(Z, W)``: pre-activations ``Z = X W₁`` of a He-initialised layer on ``rows`` standardised digits,
    and the next layer's He-initialised weights ``W`` (``width × width``), both float32."""
    from nonlinear import data, nn

    digits = data.standardise(data.digits(seed=seed))
    if not 1 <= rows <= len(digits.X_train):
        raise ValueError(f"rows must be between 1 and {len(digits.X_train)} (the digits training set), got {rows}")
    model = nn.MLP([digits.X_train.shape[1], width, width], activation="relu", init="he", seed=seed)
    z = model.hidden_preactivations(digits.X_train[:rows])[0]
    return z.astype(np.float32), model.linears()[1].weight.data.astype(np.float32)


def at_sparsity(z: np.ndarray, fraction: float | None = None) -> np.ndarray:
    """ReLU output ``max(0, z − t)``: ``t = 0`` (ReLU's own sparsity) when ``fraction`` is None, else ``t`` is
    the ``fraction``-quantile of ``z``, so that that fraction of the entries is exactly zero (a negative bias)."""
    z = np.asarray(z)
    if fraction is None:
        t = 0.0
    elif not 0.0 <= fraction < 1.0:
        raise ValueError(f"fraction must be in [0, 1), got {fraction!r}")
    else:
        t = np.quantile(z, fraction)
    return np.maximum(z - z.dtype.type(t), 0).astype(z.dtype)


def filled(h: np.ndarray, value: float = FILL) -> np.ndarray:
    """``h`` with every exact zero replaced by ``value`` (same shape and dtype): the dense control."""
    h = np.asarray(h)
    if not np.isfinite(value) or value == 0:
        raise ValueError(f"value must be a finite non-zero number, got {value!r}")
    out = np.where(h == 0, h.dtype.type(value), h)
    if np.any(out == 0):
        raise ValueError(f"value {value!r} rounds to 0 in {h.dtype}")
    return out


def zero_fraction(h: np.ndarray) -> float:
    """The fraction of entries of ``h`` that are exactly zero."""
    return float(np.mean(np.asarray(h) == 0))


def _arms(config) -> tuple[dict[str, Callable[[], object]], dict[str, float]]:
    """The calls to time (named ``"<library> <format> <level>"``) and the zero fraction of each level."""
    import scipy.sparse
    import torch

    z, w = relu_layer(config["rows"], config["width"])
    layers = {"relu": at_sparsity(z), **{k: at_sparsity(z, f) for k, f in HIGHER.items()}}
    w_t = torch.from_numpy(w)
    arms: dict[str, Callable[[], object]] = {}
    for level, h in layers.items():
        csr, h_t = scipy.sparse.csr_array(h), torch.from_numpy(h)
        with warnings.catch_warnings():  # PyTorch calls its sparse CSR layout a beta feature
            warnings.simplefilter("ignore", UserWarning)
            h_csr = h_t.to_sparse_csr()
        arms[f"numpy dense {level}"] = lambda h=h: h @ w
        arms[f"torch dense {level}"] = lambda h=h_t: h @ w_t
        arms[f"scipy csr {level}"] = lambda a=csr: a @ w
        arms[f"torch csr {level}"] = lambda a=h_csr: a @ w_t
    dense = filled(layers["relu"])
    dense_t = torch.from_numpy(dense)
    arms["numpy dense filled"] = lambda: dense @ w
    arms["torch dense filled"] = lambda: dense_t @ w_t
    return arms, {f"zeros {level}": zero_fraction(h) for level, h in layers.items()}


@experiment(
    "ch4-sparsity-cost",
    configs=[{"rows": ROWS, "width": WIDTH}],
    seeds=ROUNDS,
    clock=True,
    description="the next layer's product H @ W for a ReLU output H, with its zeros and with them filled, "
    "dense in numpy and PyTorch and in CSR at three sparsities, float32",
)
def sparsity_cost(config, seed):
    arms, zeros = _arms(config)
    names = list(arms)
    shift = seed % len(names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        times = {name: experiments.best_time(arms[name], 5) for name in names[shift:] + names[:shift]}
    return {**{f"{name} s": t for name, t in times.items()}, **zeros}
