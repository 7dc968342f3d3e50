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


# ---------------------------------------------------------------------------
# Chapters 2 and 3: linear collapse, ReLU kinks, finite differences, same-sign gradients
# ---------------------------------------------------------------------------


def effective_linear_map(layers) -> tuple[np.ndarray, np.ndarray]:
    r"""Collapse a stack of ``nn.Linear`` layers (nothing in between) into one map :math:`xW + b`.

    With :math:`z_{k} = z_{k-1}W_k + b_k`, the stack equals
    :math:`W = W_1W_2\cdots W_L` and :math:`b = (\dots(b_1W_2 + b_2)W_3 \dots) + b_L`
    (chapter 2). ``layers`` is a list of Linear layers or a Sequential of them.
    """
    layers = list(layers.layers) if isinstance(layers, nn.Sequential) else list(layers)
    if not layers or not all(isinstance(layer, nn.Linear) for layer in layers):
        raise ValueError("effective_linear_map needs a non-empty stack of nn.Linear layers and nothing else")
    weight = np.eye(layers[0].weight.shape[0])
    bias = np.zeros(layers[0].weight.shape[0])
    for layer in layers:
        weight = weight @ layer.weight.data
        bias = bias @ layer.weight.data + (layer.bias.data if layer.bias is not None else 0.0)
    return weight, bias


def relu_kinks(model: nn.MLP) -> np.ndarray:
    r"""Sorted inputs where the hidden units of a 1-input, one-hidden-layer ReLU-like net switch on or off.

    Hidden unit :math:`j` computes :math:`f(w_j x + b_j)`; its kink sits at
    :math:`x = -b_j / w_j` (units with :math:`w_j = 0` have none). Between two
    neighbouring kinks the whole network is a straight line (chapter 2).
    """
    first = model.linears()[0]
    if first.weight.shape[0] != 1 or len(model.linears()) != 2:
        raise ValueError("relu_kinks needs an MLP of sizes [1, hidden, outputs]")
    w = first.weight.data[0]
    b = first.bias.data if first.bias is not None else np.zeros_like(w)
    keep = w != 0
    return np.sort(-b[keep] / w[keep])


def finite_difference_gradient(loss_fn: Callable[[], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    r"""Central differences :math:`(L(\theta+\epsilon) - L(\theta-\epsilon)) / 2\epsilon` for every entry of ``array``.

    ``loss_fn()`` recomputes the loss from the current contents of ``array``,
    which is changed in place one entry at a time and restored. Error O(eps²)
    plus round-off of order 1e-16 / eps: about 1e-10 relative in float64 (chapter 3).
    """
    if array.dtype != np.float64:
        raise ValueError(f"finite differences need float64 to be meaningful, got {array.dtype}")
    grad = np.zeros_like(array)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        plus = float(loss_fn())
        flat[i] = saved - eps
        minus = float(loss_fn())
        flat[i] = saved
        out[i] = (plus - minus) / (2 * eps)
    return grad


def same_sign_fraction(model: nn.MLP, X, y, layer: int = 1, batch_size: int | None = None,
                       loss="cross_entropy", max_batches: int = 20, seed: int = 0) -> float:
    r"""Fraction of units whose incoming-weight gradient has entries of a single sign.

    For Linear layer ``layer`` (0 = first), :math:`\partial L/\partial W = X^\top G`
    (inputs times upstream gradients). For each output unit (a column of the
    package's ``weight``, a row of PyTorch's) the entries all share one sign
    when every nonzero entry is positive or every one is negative. Measured on
    up to ``max_batches`` shuffled minibatches of ``batch_size`` (None: the
    whole of X at once), averaged over units and batches (chapter 3).
    """
    X = as_float_array(X, name="X")
    y = np.asarray(y)
    target = model.linears()[layer].weight
    order = np.random.default_rng(seed).permutation(len(X))
    size = len(X) if batch_size is None else int(batch_size)
    fractions = []
    for begin in range(0, min(len(X), size * max_batches), size):
        index = order[begin:begin + size]
        model.zero_grad()
        nn.get_loss(loss)(model(X[index]), y[index]).backward()
        grad = target.grad
        one_sign = np.all(grad >= 0, axis=0) | np.all(grad <= 0, axis=0)
        fractions.append(float(np.mean(one_sign)))
    model.zero_grad()
    return float(np.mean(fractions))


def two_weight_descent(inputs, true_weights=(1.0, -1.0), start=(0.0, 0.0), lr: float = 0.1,
                       steps: int = 100, batch_size: int | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    r"""Gradient descent on a two-weight linear neuron :math:`\hat y = w_1x_1 + w_2x_2` with squared error.

    Targets are :math:`y = x \cdot w^*` with ``true_weights``. Returns the path of
    the weights (steps + 1, 2), the full-data loss after each step, and the
    sign of each update's two components (``same_sign``: True where both
    weights moved in the same direction). Uses the autograd engine, so it is the
    gradient chapter 3 derives. Inputs with a nonzero mean (e.g. sigmoid
    outputs) versus zero-centred ones is the comparison it was written for.
    """
    from nonlinear.autograd import Tensor

    X = as_float_array(inputs, name="inputs")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"inputs must have shape (N, 2), got {X.shape}")
    y = X @ np.asarray(true_weights, dtype=np.float64)
    rng = np.random.default_rng(seed)
    w = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    path, losses, same = [w.data.copy()], [], []
    size = len(X) if batch_size is None else int(batch_size)
    for _ in range(steps):
        index = rng.choice(len(X), size=size, replace=False) if size < len(X) else np.arange(len(X))
        residual = Tensor(X[index]) @ w.reshape(2, 1) - y[index, None]
        loss = (residual * residual).mean()
        w.grad = None
        loss.backward()
        update = -lr * w.grad
        same.append(bool(update[0] * update[1] > 0))
        w.data = w.data + update
        path.append(w.data.copy())
        losses.append(float(np.mean((X @ w.data - y) ** 2)))
    return {"path": np.array(path), "loss": np.array(losses), "same_sign": np.array(same)}


def lif_rate(current, threshold: float = 1.0, tau: float = 0.02, refractory: float = 0.002) -> np.ndarray:
    r"""Firing rate (spikes per second) of a leaky integrate-and-fire neuron driven by a constant current.

    Membrane :math:`\tau\,dv/dt = -v + I`, a spike and reset to 0 when v reaches
    ``threshold``, then ``refractory`` seconds of silence. The rate is
    :math:`1 / (t_{ref} + \tau\ln\frac{I}{I-\theta})` above threshold and 0 below:
    zero, then a steep rise, then saturation at :math:`1/t_{ref}` (chapter 1).
    Units: ``current`` in multiples of the threshold voltage, times in seconds.
    """
    current = np.asarray(current, dtype=np.float64)
    rate = np.zeros_like(current)
    above = current > threshold
    rate[above] = 1.0 / (refractory + tau * np.log(current[above] / (current[above] - threshold)))
    return rate


# ---------------------------------------------------------------------------
# Chapter 6: the package against torch, one line per activation
# ---------------------------------------------------------------------------


def torch_agreement(name: str, x=None, **params) -> dict[str, float]:
    """Largest absolute differences between the package and torch (float64): f, and f' via autograd.

    ``x`` defaults to 2001 points on [-8, 8] plus the kinks of the activation.
    Returns ``forward`` and ``derivative``. Chapter 6 uses it to check each derived f'.
    """
    import torch

    from nonlinear.reference import torch_function

    act = activations.get(name, **params)
    fn = torch_function(name, **params)
    if fn is None:
        raise ValueError(f"{name} has no PyTorch counterpart to compare with")
    if x is None:
        x = np.concatenate([np.linspace(-8, 8, 2001), np.asarray(act.kinks, dtype=np.float64)])
    x = np.asarray(x, dtype=np.float64)
    xt = torch.tensor(x, requires_grad=True)
    yt = fn(xt)
    (grad,) = torch.autograd.grad(yt.sum(), xt)
    return {"forward": float(np.max(np.abs(act(x) - yt.detach().numpy()))),
            "derivative": float(np.max(np.abs(act.derivative(x) - grad.numpy())))}
