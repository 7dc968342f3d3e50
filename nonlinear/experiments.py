"""Measurements the chapters reuse: gradient norms per layer, dead and active units, activation
statistics, timing, and summaries over seeds. Each function measures; the chapter decides what
the numbers mean.

>>> from nonlinear import data, experiments, nn
>>> d = data.xor(seed=0)
>>> model = nn.MLP([2, 16, 16, 2], activation="relu", seed=0)
>>> norms = experiments.gradient_norms(model, d.X_train, d.y_train)
>>> len(norms)
3
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nonlinear import activations, nn
from nonlinear._arrays import as_float_array


def gradient_norms(model: nn.MLP, X, y, loss="cross_entropy") -> list[float]:
    """Frobenius norm of dL/dW for every Linear layer, from the input side to the output side."""
    model.zero_grad()
    value = nn.get_loss(loss)(model(as_float_array(X, name="X")), y)
    value.backward()
    norms = [float(np.linalg.norm(layer.weight.grad)) for layer in model.linears()]
    model.zero_grad()
    return norms


def _hidden_activation_layers(model: nn.MLP):
    return [layer for layer in model.layers if isinstance(layer, (nn.Act, nn.PReLU))]


def _derivatives(model: nn.MLP, X) -> list[np.ndarray]:
    """f'(z) of every hidden unit on every example, one (N, units) array per hidden layer."""
    was_training = model.training
    model.eval()
    zs = model.hidden_preactivations(as_float_array(X, name="X"))
    model.train(was_training)
    out = []
    for layer, z in zip(_hidden_activation_layers(model), zs):
        act = layer._eval_version if isinstance(layer, nn.Act) else activations.get("prelu", weight=layer.weight.data[0])
        out.append(act.derivative(z))
    return out


def dead_fraction(model: nn.MLP, X) -> list[float]:
    """Per hidden layer: the fraction of units whose derivative is 0 on every example of X.

    Such a unit passes no gradient back for this data, so its incoming weights
    never change again ("dead"; for ReLU: its pre-activation is <= 0 everywhere).
    """
    return [float(np.mean(np.all(d == 0, axis=0))) for d in _derivatives(model, X)]


def active_fraction(model: nn.MLP, X) -> list[float]:
    """Per hidden layer: the fraction of (example, unit) pairs with a non-zero output."""
    was_training = model.training
    model.eval()
    outputs = model.hidden_activations(as_float_array(X, name="X"))
    model.train(was_training)
    return [float(np.mean(a != 0)) for a in outputs]


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one hidden layer's outputs (and of f' at its inputs) over a batch."""

    layer: int
    mean: float
    std: float
    saturated: float  # fraction of units with |f'(z)| < 0.01 (the gradient barely passes)


def activation_stats(model: nn.MLP, X) -> list[LayerStats]:
    """Mean and standard deviation of each hidden layer's output, and its saturated fraction."""
    was_training = model.training
    model.eval()
    outputs = model.hidden_activations(as_float_array(X, name="X"))
    model.train(was_training)
    derivatives = _derivatives(model, X)
    return [
        LayerStats(i + 1, float(a.mean()), float(a.std()), float(np.mean(np.abs(d) < 0.01)))
        for i, (a, d) in enumerate(zip(outputs, derivatives))
    ]


def forward_statistics(activation, depth: int, width: int = 256, n: int = 512, init="xavier",
                       seed: int = 0, bias: float = 0.0) -> dict[str, np.ndarray]:
    """Push standard-normal data through ``depth`` random layers; per layer mean, std, max |a|.

    A fast numpy loop (no autograd): used to show how signals grow or shrink
    with depth under an initialisation scheme.
    """
    act = activation if isinstance(activation, activations.Activation) else activations.get(activation)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, width))
    means, stds, peaks = [], [], []
    for _ in range(depth):
        w = nn.initial_weights(width, width, init, rng)
        x = act(x @ w + bias)
        means.append(x.mean())
        stds.append(x.std())
        peaks.append(np.abs(x).max())
    return {"mean": np.array(means), "std": np.array(stds), "max_abs": np.array(peaks)}


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def time_call(fn: Callable[[], object], repeats: int = 7, number: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` runs of ``number`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def time_activation(name: str, n: int = 1_000_000, backend: str = "numpy", backward: bool = False,
                    repeats: int = 7, dtype=np.float32, seed: int = 0, **params) -> float:
    """Median seconds for one forward (or forward + backward) pass of an activation over n elements."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 3, size=n).astype(dtype)
    g = np.ones_like(x)
    if backend == "numpy":
        act = activations.get(name, **params)
        return time_call((lambda: act.vjp(x, g)) if backward else (lambda: act(x)), repeats)
    if backend == "torch":
        import torch

        from nonlinear.reference import torch_function

        fn = torch_function(name, **params)
        if fn is None:
            raise ValueError(f"{name} has no PyTorch counterpart to time")
        if not backward:
            xt = torch.from_numpy(x)
            return time_call(lambda: fn(xt), repeats)
        gt = torch.from_numpy(g)

        def forward_backward():
            xt = torch.from_numpy(x).requires_grad_(True)
            fn(xt).backward(gt)

        return time_call(forward_backward, repeats)
    raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")


# ---------------------------------------------------------------------------
# Summaries over seeds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Mean, standard deviation, minimum and maximum of one quantity over seeds."""

    mean: float
    std: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.3g} ± {self.std:.2g} (n={self.n})"


def summarise(values) -> Summary:
    """Summary of a list of numbers (sample standard deviation; 0 for a single value)."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("summarise needs at least one value")
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return Summary(statistics.fmean(values), std, min(values), max(values), len(values))


# ---------------------------------------------------------------------------
# Chapter 5, rectifier variants: training over seeds, low-precision activations,
# networks that are born dead (Lu et al. 2019)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One training run of :func:`train_seeds`: its seed, trained model and history."""

    seed: int
    model: nn.MLP
    history: nn.History

    @property
    def test_accuracy(self) -> float:
        """Final test accuracy (NaN if the run diverged or had no test data)."""
        if self.history.diverged or not self.history.test_accuracy:
            return float("nan")
        return self.history.test_accuracy[-1]


def train_seeds(dataset, sizes: list[int], activation="relu", seeds=(0, 1, 2), epochs: int = 20,
                lr: float = 0.01, optimizer: str = "adam", batch_size: int | None = 64,
                **activation_params) -> list[Run]:
    """Train one ``nn.MLP(sizes, activation)`` per seed on a :class:`~nonlinear.data.Dataset`.

    The seed sets both the initial weights (and the noise of stochastic
    activations) and the order of the mini-batches, so each run is
    reproducible. ``optimizer`` is "adam" or "sgd" (plain SGD, no momentum).
    Chapter 5 uses it to compare rectifiers over several seeds.
    """
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    runs = []
    for seed in seeds:
        model = nn.MLP(sizes, activation=activation, seed=seed, **activation_params)
        opt = nn.Adam(model.parameters(), lr=lr) if optimizer == "adam" else nn.SGD(model.parameters(), lr=lr)
        history = nn.train(model, dataset.X_train, dataset.y_train, optimizer=opt, epochs=epochs,
                           batch_size=batch_size, seed=seed, X_test=dataset.X_test, y_test=dataset.y_test,
                           progress=False)
        runs.append(Run(seed, model, history))
    return runs


def quantise(a: np.ndarray, bits: int, high: float, low: float = 0.0) -> np.ndarray:
    """Uniform fixed-point rounding of ``a`` to 2**bits levels on [low, high]; values outside are clipped."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or bits < 1:
        raise ValueError(f"bits must be a positive integer, got {bits!r}")
    if not high > low:
        raise ValueError(f"need high > low, got low={low}, high={high}")
    step = (high - low) / (2**bits - 1)
    return low + np.round((np.clip(a, low, high) - low) / step) * step


def activation_max(model: nn.MLP, X) -> list[float]:
    """Per hidden layer: the largest activation value on X (evaluation mode)."""
    was_training = model.training
    model.eval()
    outputs = model.hidden_activations(as_float_array(X, name="X"))
    model.train(was_training)
    return [float(a.max()) for a in outputs]


def quantised_accuracy(model: nn.MLP, X, y, bits: int, high=6.0, low: float = 0.0) -> float:
    """Accuracy (argmax) when every hidden activation is rounded to ``bits``-bit fixed point.

    ``high`` is the top of the representable range: a number (the same for
    every layer, e.g. 6 for ReLU6), or a list with one value per hidden layer
    (e.g. :func:`activation_max` on calibration data). Weights stay in float64:
    only the activations lose precision, as in chapter 5's ReLU6 experiment.
    """
    from nonlinear.autograd import Tensor  # local import: only this measurement rebuilds the forward pass

    X = as_float_array(X, name="X")
    layers = _hidden_activation_layers(model)
    highs = list(high) if np.ndim(high) else [float(high)] * len(layers)
    if len(highs) != len(layers):
        raise ValueError(f"high needs one value per hidden layer ({len(layers)}), got {len(highs)}")
    was_training = model.training
    model.eval()
    x = Tensor(X)
    k = 0
    for layer in model.layers:
        x = layer(x)
        if isinstance(layer, (nn.Act, nn.PReLU)):
            x = Tensor(quantise(x.data, bits, highs[k], low))
            k += 1
    model.train(was_training)
    return float(np.mean(np.argmax(x.data, axis=1) == np.asarray(y)))


def constant_network_probability(width: int, depth: int, trials: int = 1000, in_features: int = 1,
                                 n_points: int = 64, bias_std: float | None = None, seed: int = 0) -> float:
    """Monte Carlo estimate of P(a random ReLU net is born dead) (Lu, Shin, Su & Karniadakis 2019).

    ``trials`` networks with ``depth`` hidden ReLU layers of ``width`` units get
    He-normal weights and normal biases (standard deviation ``bias_std``, the
    weights' by default). A network counts as born dead when some hidden layer
    outputs exactly zero for every one of ``n_points`` inputs drawn uniformly
    from [-1, 1]^in_features: every later layer, and the output, is then a
    constant. A fast numpy loop, vectorised over trials (no autograd).
    """
    for key, value in (("width", width), ("depth", depth), ("trials", trials), ("n_points", n_points),
                       ("in_features", in_features)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{key} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(trials, n_points, in_features))
    dead = np.zeros(trials, dtype=bool)
    fan_in = in_features
    for _ in range(depth):
        std = float(np.sqrt(2.0 / fan_in))
        w = rng.normal(0.0, std, size=(trials, fan_in, width))
        b = rng.normal(0.0, std if bias_std is None else bias_std, size=(trials, 1, width))
        x = np.maximum(x @ w + b, 0.0)
        dead |= ~np.any(x > 0, axis=(1, 2))
        fan_in = width
    return float(np.mean(dead))
