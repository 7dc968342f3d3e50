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
from collections.abc import Callable
from dataclasses import dataclass

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
        act = (
            layer._eval_version if isinstance(layer, nn.Act) else activations.get("prelu", weight=layer.weight.data[0])
        )
        out.append(act.derivative(z))
    return out


def dead_fraction(model: nn.MLP, X) -> list[float]:
    """Per hidden layer: the fraction of units whose derivative is 0 on every example of X.

    Such a unit passes no gradient back for this data, so its incoming weights
    never change again ("dead"; for ReLU: its pre-activation is <= 0 everywhere).
    """
    return [float(np.mean(np.all(d == 0, axis=0))) for d in _derivatives(model, X)]


def max_preactivation(model: nn.MLP, X) -> list[np.ndarray]:
    """Per hidden layer: each unit's largest pre-activation, max over the examples of X of z.

    A ReLU unit is dead on X exactly when this is <= 0 (``dead_fraction``
    counts those units); how far below 0 it lies is how far training would
    have to move it to revive it.
    """
    was_training = model.training
    model.eval()
    zs = model.hidden_preactivations(as_float_array(X, name="X"))
    model.train(was_training)
    return [z.max(axis=0) for z in zs]


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
    saturated: float  # fraction of (example, unit) pairs with |f'(z)| < 0.01 (the gradient barely passes)


def activation_stats(model: nn.MLP, X) -> list[LayerStats]:
    """Mean and standard deviation of each hidden layer's output (over examples and units), and its saturated
    fraction: the share of (example, unit) pairs where f' is below 0.01, not a share of units."""
    was_training = model.training
    model.eval()
    outputs = model.hidden_activations(as_float_array(X, name="X"))
    model.train(was_training)
    derivatives = _derivatives(model, X)
    return [
        LayerStats(i + 1, float(a.mean()), float(a.std()), float(np.mean(np.abs(d) < 0.01)))
        for i, (a, d) in enumerate(zip(outputs, derivatives))
    ]


def forward_statistics(
    activation, depth: int, width: int = 256, n: int = 512, init="xavier", seed: int = 0, bias: float = 0.0
) -> dict[str, np.ndarray]:
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


def best_time(fn: Callable[[], object], repeats: int = 15, warm_up: bool = True) -> float:
    """Fastest wall time of ``fn()`` in seconds over ``repeats`` runs (after one warm-up call unless told not to).

    On a shared machine other processes only ever add time, so the minimum is the
    estimate least disturbed by them (a median is not). Every benchmark in the package times through here.
    """
    if warm_up:
        fn()
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def time_activation(
    name: str,
    n: int = 1_000_000,
    backend: str = "numpy",
    backward: bool = False,
    repeats: int = 15,
    dtype=np.float32,
    seed: int = 0,
    **params,
) -> float:
    """Seconds for one forward (or forward + backward) pass of an activation over n elements (:func:`best_time`)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 3, size=n).astype(dtype)
    act = activations.get(name, **params)
    g = np.ones_like(act(x))  # the upstream gradient has the output's shape (glu halves it, logsumexp drops it)
    if backend == "numpy":
        return best_time((lambda: (act(x), act.vjp(x, g))) if backward else (lambda: act(x)), repeats)
    if backend == "torch":
        import torch

        from nonlinear.reference import torch_function

        fn = torch_function(name, **params)
        if fn is None:
            raise ValueError(f"{name} has no PyTorch counterpart to time")
        xt, gt = torch.from_numpy(x), torch.from_numpy(g)
        if not backward:
            return best_time(lambda: fn(xt), repeats)
        leaf = xt.clone().requires_grad_(True)
        return best_time(lambda: fn(leaf).backward(gt), repeats)
    raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")


def time_per_element(
    name: str, n: int = 2**18, backend: str = "numpy", backward: bool = False, repeats: int = 15, seed: int = 0
) -> float:
    """Nanoseconds per element of an activation on n float32 numbers (forward, or forward + backward)."""
    return time_activation(name, n=n, backend=backend, backward=backward, repeats=repeats, seed=seed) / n * 1e9


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
# Chapter 4: properties of a good activation
# ---------------------------------------------------------------------------


def gradient_ratio_by_depth(
    activation, depths, X, y, init="xavier", width: int = 64, seed: int = 0, loss="cross_entropy"
) -> dict[int, float]:
    """For each depth d (number of hidden layers): ||dL/dW_first|| / ||dL/dW_last|| of a fresh MLP.

    The MLP is [features, width x d, classes] with ``init``; the ratio compares the
    first Linear layer's gradient with the output layer's, at initialisation. A
    ratio below 0.01 means the first layer's gradient is 100x smaller (chapter 4).
    """
    X = as_float_array(X, name="X")
    n_classes = int(np.max(y)) + 1
    ratios = {}
    for d in depths:
        model = nn.MLP([X.shape[1]] + [width] * int(d) + [n_classes], activation=activation, init=init, seed=seed)
        norms = gradient_norms(model, X, y, loss)
        ratios[int(d)] = norms[0] / norms[-1]
    return ratios


def loss_along_line(activation, X, y, w0, direction, ts, loss: str = "mse") -> np.ndarray:
    r"""Loss of a one-layer network :math:`\hat y = f(X w)` at :math:`w = w_0 + t\,d` for every t in ``ts``.

    ``loss`` is "mse" (mean squared error on f's output) or "bce_with_logits"
    (cross-entropy with f's input Xw as the logit, f unused). Used with
    :func:`second_differences` to test convexity along a line (chapter 4).
    """
    act = activation if isinstance(activation, activations.Activation) else activations.get(activation)
    X, y = as_float_array(X, name="X"), np.asarray(y, dtype=np.float64)
    w0, direction = np.asarray(w0, dtype=np.float64), np.asarray(direction, dtype=np.float64)
    out = []
    for t in np.asarray(ts, dtype=np.float64):
        z = X @ (w0 + t * direction)
        if loss == "mse":
            out.append(np.mean((act(z) - y) ** 2))
        elif loss == "bce_with_logits":
            out.append(np.mean(activations.stable_softplus(z) - y * z))
        else:
            raise ValueError(f"loss must be 'mse' or 'bce_with_logits', got {loss!r}")
    return np.array(out)


def second_differences(values) -> np.ndarray:
    r"""Second differences :math:`v_{i-1} - 2 v_i + v_{i+1}` of values on an evenly spaced grid.

    A function is convex along the line only if all of them are >= 0 (up to rounding).
    """
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.size < 3:
        raise ValueError("second_differences needs a 1-d sequence of at least 3 values")
    return v[:-2] - 2 * v[1:-1] + v[2:]


def is_stable(history: nn.History, growth: float = 1.0) -> bool:
    """A run is stable when it did not diverge and its last loss is below ``growth`` x its first loss."""
    return (not history.diverged) and bool(history.loss) and history.loss[-1] < growth * history.loss[0]


def largest_stable_lr(
    make_model: Callable[[], nn.Module],
    X,
    y,
    lrs,
    loss="cross_entropy",
    epochs: int = 5,
    batch_size: int | None = None,
    seed: int = 0,
) -> float | None:
    """The largest learning rate in ``lrs`` at which plain SGD trains stably (see :func:`is_stable`).

    Every rate in ``lrs`` is tried with a fresh model from ``make_model()``; the
    answer is the largest rate such that it and every smaller rate tried were
    stable, or None if even the smallest was not (chapter 4).
    """
    best = None
    for lr in sorted(lrs):
        model = make_model()
        history = nn.train(
            model,
            X,
            y,
            loss=loss,
            optimizer=nn.SGD(model.parameters(), lr=lr),
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            progress=False,
        )
        if not is_stable(history):
            break
        best = lr
    return best


def layer_time_share(
    name: str,
    batch: int = 256,
    width: int = 512,
    backend: str = "torch",
    backward: bool = False,
    repeats: int = 15,
    seed: int = 0,
) -> dict[str, float]:
    """Fastest seconds of a layer's matmul (+ bias) and of its activation, and the activation's share.

    Times ``x @ W + b`` on a (batch, width) float32 input with a (width, width)
    weight, then the activation on the (batch, width) result; with
    ``backward=True`` each part also runs its backward pass (torch autograd, or
    the package's vjp and the two matmuls of the linear layer's gradient in numpy).
    Times are minima over ``repeats`` (:func:`best_time`).
    Returns {"matmul": s, "activation": s, "share": activation / (matmul + activation)}.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, width)).astype(np.float32)
    w = (rng.normal(size=(width, width)) / np.sqrt(width)).astype(np.float32)
    b = np.zeros(width, dtype=np.float32)
    z = x @ w + b
    g = np.ones_like(z)
    if backend == "numpy":
        act = activations.get(name)
        if backward:
            t_mm = best_time(lambda: (x @ w + b, g @ w.T, x.T @ g, g.sum(0)), repeats)
            t_act = best_time(lambda: (act(z), act.vjp(z, g)), repeats)
        else:
            t_mm = best_time(lambda: x @ w + b, repeats)
            t_act = best_time(lambda: act(z), repeats)
    elif backend == "torch":
        import torch

        from nonlinear.reference import torch_function

        fn = torch_function(name)
        if fn is None:
            raise ValueError(f"{name} has no PyTorch counterpart to time")
        xt, wt, bt, zt, gt = (torch.from_numpy(a) for a in (x, w, b, z, g))
        if backward:
            xr, wr, zr = (t.clone().requires_grad_(True) for t in (xt, wt, zt))

            def matmul():
                (xr @ wr + bt).backward(gt)

            def act_pass():
                fn(zr).backward(gt)

            t_mm, t_act = best_time(matmul, repeats), best_time(act_pass, repeats)
        else:
            t_mm = best_time(lambda: torch.addmm(bt, xt, wt), repeats)
            t_act = best_time(lambda: fn(zt), repeats)
    else:
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    return {"matmul": t_mm, "activation": t_act, "share": t_act / (t_mm + t_act)}


def exact_zero_fraction(model: nn.MLP, X) -> float:
    """Fraction of all hidden pre-activations z of ``model`` on X that are exactly 0.0 (where ReLU has its kink)."""
    zs = model.hidden_preactivations(as_float_array(X, name="X"))
    return float(sum(int(np.count_nonzero(z == 0)) for z in zs) / sum(z.size for z in zs))


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


def train_seeds(
    dataset,
    sizes: list[int],
    activation="relu",
    seeds=(0, 1, 2),
    epochs: int = 20,
    lr: float = 0.01,
    optimizer: str = "adam",
    batch_size: int | None = 64,
    **activation_params,
) -> list[Run]:
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
        history = nn.train(
            model,
            dataset.X_train,
            dataset.y_train,
            optimizer=opt,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            X_test=dataset.X_test,
            y_test=dataset.y_test,
            progress=False,
        )
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


def constant_network_probability(
    width: int,
    depth: int,
    trials: int = 1000,
    in_features: int = 1,
    n_points: int = 64,
    bias_std: float | None = None,
    seed: int = 0,
) -> float:
    """Monte Carlo estimate of P(a random ReLU net is born dead) (Lu, Shin, Su & Karniadakis 2019).

    ``trials`` networks with ``depth`` hidden ReLU layers of ``width`` units get
    He-normal weights and normal biases (standard deviation ``bias_std``, the
    weights' by default). A network counts as born dead when some hidden layer
    outputs exactly zero for every one of ``n_points`` inputs drawn uniformly
    from [-1, 1]^in_features: every later layer, and the output, is then a
    constant. A fast numpy loop, vectorised over trials (no autograd).
    """
    for key, value in (
        ("width", width),
        ("depth", depth),
        ("trials", trials),
        ("n_points", n_points),
        ("in_features", in_features),
    ):
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


def same_sign_fraction(
    model: nn.MLP,
    X,
    y,
    layer: int = 1,
    batch_size: int | None = None,
    loss="cross_entropy",
    max_batches: int = 20,
    seed: int = 0,
) -> float:
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
        index = order[begin : begin + size]
        model.zero_grad()
        nn.get_loss(loss)(model(X[index]), y[index]).backward()
        grad = target.grad
        one_sign = np.all(grad >= 0, axis=0) | np.all(grad <= 0, axis=0)
        fractions.append(float(np.mean(one_sign)))
    model.zero_grad()
    return float(np.mean(fractions))


def two_weight_descent(
    inputs,
    true_weights=(1.0, -1.0),
    start=(0.0, 0.0),
    lr: float = 0.1,
    steps: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
) -> dict[str, np.ndarray]:
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
    Units: ``current`` is the drive :math:`I` (input current times membrane resistance, a voltage), in the
    units of ``threshold``; times in seconds, the rate in spikes per second.
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
    return {
        "forward": float(np.max(np.abs(act(x) - yt.detach().numpy()))),
        "derivative": float(np.max(np.abs(act.derivative(x) - grad.numpy()))),
    }


# ---------------------------------------------------------------------------
# Chapter 5 (classic activations): naive formulas, calibration, gated recurrent cells
# ---------------------------------------------------------------------------


def naive_sigmoid(x) -> np.ndarray:
    r"""The textbook :math:`1/(1+e^{-x})` written literally, *without* the stable trick.

    Kept only so that chapter 5 can show what goes wrong: ``exp(-x)`` overflows
    for x below about -709 in float64 (-88 in float32). Errors are not silenced:
    the caller sees numpy's RuntimeWarning. Use ``activations.get("sigmoid")``.
    """
    x = as_float_array(x)
    return 1.0 / (1.0 + np.exp(-x))


def naive_softmax(x, dim: int = -1) -> np.ndarray:
    r""":math:`e^{x_i}/\sum_j e^{x_j}` written literally, without subtracting the maximum.

    Kept only for chapter 5's comparison: logits above about 709 (float64)
    overflow to inf and the result becomes NaN. Use ``activations.get("softmax")``.
    """
    x = as_float_array(x)
    e = np.exp(x)
    return e / e.sum(axis=dim, keepdims=True)


def calibration(probabilities, labels, bins: int = 10) -> dict[str, np.ndarray | float]:
    """Reliability of predicted probabilities for a binary label, in equal-width bins of confidence.

    Returns per non-empty bin the mean predicted probability (``confidence``), the
    observed frequency of label 1 (``frequency``) and the number of examples
    (``count``), plus the expected calibration error ``ece`` = sum over bins of
    count/N * |frequency - confidence| (Guo et al. 2017 use the same estimate).
    """
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    y = np.asarray(labels, dtype=np.float64).ravel()
    if p.shape != y.shape or p.size == 0:
        raise ValueError(f"probabilities and labels must be non-empty and of equal size, got {p.size} and {y.size}")
    if np.any((p < 0) | (p > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    which = np.minimum((p * bins).astype(int), bins - 1)
    confidence, frequency, count = [], [], []
    for b in range(bins):
        inside = which == b
        if inside.any():
            confidence.append(p[inside].mean())
            frequency.append(y[inside].mean())
            count.append(int(inside.sum()))
    confidence, frequency, count = np.array(confidence), np.array(frequency), np.array(count)
    ece = float(np.sum(count / p.size * np.abs(frequency - confidence)))
    return {"confidence": confidence, "frequency": frequency, "count": count, "ece": ece}


def adding_problem(n: int, length: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem of Hochreiter & Schmidhuber (1997): sum the two marked numbers of a sequence.

    X has shape (n, length, 2): channel 0 holds numbers drawn from U(0, 1),
    channel 1 marks one position in each half of the sequence. y (n,) is the sum
    of the two marked numbers. Always predicting the mean gives an MSE equal to
    var(y), about 1/6: that is the baseline a model must beat.
    """
    if length < 2:
        raise ValueError(f"length must be at least 2, got {length}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, length))
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, rng.integers(0, length // 2, size=n)] = 1.0
    markers[rows, rng.integers(length // 2, length, size=n)] = 1.0
    return np.stack([values, markers], axis=-1), (values * markers).sum(axis=1)


def lstm_forward(x, weight_ih, weight_hh, bias, gate="sigmoid"):
    r"""Run an LSTM over x (batch, time, features) with numpy and the package's activations.

    Weights use PyTorch's layout (``torch.nn.LSTM``: rows are the input, forget,
    cell and output blocks; ``bias`` = bias_ih + bias_hh). The three gates use
    ``gate`` (sigmoid in the standard cell), the candidate and the output use tanh:
    :math:`c_t = f_t \odot c_{t-1} + i_t \odot \tanh(g_t)`, :math:`h_t = o_t \odot \tanh(c_t)`.
    Returns (h of every step (batch, time, hidden), the final c).
    """
    gate_fn = activations.get(gate) if isinstance(gate, str) else gate
    tanh = activations.get("tanh")
    x = as_float_array(x, name="x")
    hidden = weight_hh.shape[1]
    h = np.zeros((x.shape[0], hidden))
    c = np.zeros((x.shape[0], hidden))
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ weight_ih.T + h @ weight_hh.T + bias
        i, f, g, o = np.split(z, 4, axis=1)
        c = gate_fn(f) * c + gate_fn(i) * tanh(g)
        h = gate_fn(o) * tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), c


def train_gated_rnn(
    gate: str = "sigmoid",
    length: int = 20,
    hidden: int = 16,
    steps: int = 300,
    batch: int = 64,
    lr: float = 1e-2,
    clip: float | None = 1.0,
    seed: int = 0,
    test_lengths=(20, 100),
) -> dict:
    """Train an LSTM cell whose three gates use ``gate`` (or "identity") on the adding problem, with torch.

    The package has no recurrent layers, so this experiment is written in torch
    (float64, one thread, seeded): the same cell, initialisation, data, Adam
    optimiser and gradient clipping for every ``gate``; only the gate function
    changes (``reference.torch_function(gate)``). Returns the training loss per
    step (``loss``), whether it became NaN (``diverged``), and the test MSE
    divided by the baseline var(y) for each test length (``test_ratio``; < 1
    means better than always predicting the mean; trained on ``length`` only).
    """
    import torch

    from nonlinear.reference import torch_function

    gate_fn = (lambda t: t) if gate == "identity" else torch_function(gate)
    if gate_fn is None:
        raise ValueError(f"no torch function for gate {gate!r}")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        cell = torch.nn.Linear(2 + hidden, 4 * hidden, dtype=torch.float64)
        readout = torch.nn.Linear(hidden, 1, dtype=torch.float64)
        params = list(cell.parameters()) + list(readout.parameters())
        optimiser = torch.optim.Adam(params, lr=lr)

        def forward(X):
            X = torch.from_numpy(X)
            h = torch.zeros(X.shape[0], hidden, dtype=torch.float64)
            c = torch.zeros_like(h)
            for t in range(X.shape[1]):
                i, f, g, o = cell(torch.cat([X[:, t], h], dim=1)).chunk(4, dim=1)
                c = gate_fn(f) * c + gate_fn(i) * torch.tanh(g)
                h = gate_fn(o) * torch.tanh(c)
            return readout(h).squeeze(1)

        X, y = adding_problem(steps * batch, length, seed)
        losses, diverged = [], False
        for s in range(steps):
            part = slice(s * batch, (s + 1) * batch)
            loss = ((forward(X[part]) - torch.from_numpy(y[part])) ** 2).mean()
            if not torch.isfinite(loss):
                diverged = True
                break
            optimiser.zero_grad()
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(params, clip)
            optimiser.step()
            losses.append(loss.item())
        ratios = {}
        with torch.no_grad():
            for n_steps in test_lengths:
                Xt, yt = adding_problem(1000, n_steps, seed + 100_000 + n_steps)
                mse = ((forward(Xt) - torch.from_numpy(yt)) ** 2).mean().item()
                ratios[n_steps] = mse / float(np.var(yt)) if not diverged else float("nan")
    finally:
        torch.set_num_threads(threads)
    return {"gate": gate, "seed": seed, "loss": np.array(losses), "diverged": diverged, "test_ratio": ratios}


# ---------------------------------------------------------------------------
# Chapter 4 and the results store: per-layer gradient profiles, unit activity,
# layer-step timing, and one training run of a (data set, depth, optimiser) setting
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientProfile:
    """Per hidden layer l = 1..L (input side first) of an MLP on one batch, by hand-written backpropagation.

    ``forward_std``: std of h_l = f(z_l); ``grad_h``: ‖∂L/∂h_l‖ (Frobenius, over the batch);
    ``relative_grad_w``: ‖∂L/∂W_l‖ / ‖W_l‖ for the weights that produce z_l; ``output_relative_grad_w``:
    the same for the output layer.
    """

    forward_std: np.ndarray
    grad_h: np.ndarray
    relative_grad_w: np.ndarray
    output_relative_grad_w: float


def gradient_profile(model: nn.MLP, X, y) -> GradientProfile:
    r"""Backpropagate softmax cross-entropy by hand through an MLP without batch norm.

    :math:`\delta_{out} = (\mathrm{softmax}(o) - Y)/N`, :math:`\partial L/\partial h_l = \delta_{l+1} W_{l+1}^\top`,
    :math:`\delta_l = \partial L/\partial h_l \odot f'(z_l)`, :math:`\partial L/\partial W_l = h_{l-1}^\top \delta_l`.
    """
    acts = [layer.activation for layer in model.layers if isinstance(layer, nn.Act)]
    linears = model.linears()
    if len(acts) != len(linears) - 1 or len(model.layers) != 2 * len(linears) - 1:
        raise ValueError("gradient_profile needs a plain MLP: Linear, activation, ..., Linear (no batch norm)")
    h = [as_float_array(X, name="X")]
    zs = []
    for linear, act in zip(linears[:-1], acts):
        z = h[-1] @ linear.weight.data + linear.bias.data
        zs.append(z)
        h.append(np.asarray(act(z)))
    out = h[-1] @ linears[-1].weight.data + linears[-1].bias.data
    p = np.exp(out - out.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = np.asarray(y)
    p[np.arange(len(y)), y] -= 1.0
    delta = p / len(y)
    w_out = linears[-1].weight.data
    output_rel = float(np.linalg.norm(h[-1].T @ delta) / np.linalg.norm(w_out))
    grad_h, rel = [], []
    for i in range(len(acts) - 1, -1, -1):
        g_h = delta @ linears[i + 1].weight.data.T
        grad_h.append(float(np.linalg.norm(g_h)))
        delta = g_h * np.asarray(acts[i].derivative(zs[i]))
        rel.append(float(np.linalg.norm(h[i].T @ delta) / np.linalg.norm(linears[i].weight.data)))
    return GradientProfile(
        np.array([float(np.std(a)) for a in h[1:]]), np.array(grad_h[::-1]), np.array(rel[::-1]), output_rel
    )


def unit_activity(model: nn.MLP, X) -> dict[str, list[float]]:
    """Per hidden layer: mean fraction of non-zero outputs, and the fractions of units never / always non-zero on X."""
    result: dict[str, list[float]] = {"active": [], "never": [], "always": []}
    for a in model.hidden_activations(X):
        on = np.asarray(a) != 0
        result["active"].append(float(on.mean()))
        result["never"].append(float(np.mean(~on.any(axis=0))))
        result["always"].append(float(np.mean(on.all(axis=0))))
    return result


def layer_step_times(
    names, width: int, batch: int = 256, repeats: int = 10, number: int = 5, seed: int = 0, backend: str = "torch"
) -> dict[tuple[str, str], np.ndarray]:
    """Seconds per call of a whole dense layer step ``f(x W + b)``, forward and forward + backward, float32.

    ``repeats`` rounds; in each round every activation in ``names`` is timed
    (the fastest of ``number`` calls: other programs only ever add time), in a
    rotated order, so that each round gives paired times. Returns {(name, "forward" | "forward+backward"): array of repeats}.
    ``backend`` is "torch" (torch.nn.functional, one thread set by the caller) or "numpy" (this package).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, width)).astype(np.float32)
    w = (rng.normal(size=(width, width)) / np.sqrt(width)).astype(np.float32)
    b = np.zeros(width, dtype=np.float32)
    names = list(names)
    steps = {}
    if backend == "torch":
        import torch

        from nonlinear.reference import torch_function

        tx, tw, tb = (torch.tensor(a) for a in (x, w, b))
        tw.requires_grad_(True)
        for name in names:
            f = torch_function(name)
            steps[name, "forward"] = lambda f=f: f(tx @ tw + tb)

            def both(f=f):
                tw.grad = None
                f(tx @ tw + tb).sum().backward()

            steps[name, "forward+backward"] = both
    elif backend == "numpy":
        from nonlinear.autograd import Tensor

        for name in names:
            act = activations.get(name)
            steps[name, "forward"] = lambda act=act: act(x @ w + b)

            def both(act=act):
                tw = Tensor(w, requires_grad=True)
                act(Tensor(x) @ tw + Tensor(b)).sum().backward()

            steps[name, "forward+backward"] = both
    else:
        raise ValueError(f"backend must be 'torch' or 'numpy', got {backend!r}")
    times = {key: [] for key in steps}
    keys = list(steps)
    for step in steps.values():  # warm up
        step()
    for r in range(repeats):
        for key in keys[r % len(keys) :] + keys[: r % len(keys)]:
            times[key].append(best_time(steps[key], number, warm_up=False))  # warmed up above
    return {key: np.array(v) for key, v in times.items()}


OPTIMISERS = ("sgd-momentum", "adam", "sgd")
LEARNING_RATES = {"sgd-momentum": 0.01, "adam": 1e-3, "sgd": 0.1}


def make_optimiser(name: str, parameters, lr: float | None = None):
    """ "sgd-momentum" (momentum 0.9), "adam" or "sgd" (plain), with the default rates of :data:`LEARNING_RATES`."""
    if name not in LEARNING_RATES:
        raise ValueError(f"optimiser must be one of {', '.join(LEARNING_RATES)}, got {name!r}")
    lr = LEARNING_RATES[name] if lr is None else lr
    if name == "adam":
        return nn.Adam(parameters, lr=lr)
    return nn.SGD(parameters, lr=lr, momentum=0.9 if name == "sgd-momentum" else 0.0)


def training_run(
    dataset,
    activation,
    depth: int,
    optimiser: str,
    seed: int,
    width: int = 64,
    epochs: int = 10,
    lr: float | None = None,
    init: str = "auto",
    batch_size: int = 64,
    dtype=np.float32,
) -> dict[str, float | list[float]]:
    """Train one MLP (``depth`` hidden layers of ``width``) and return its metrics for the results store.

    ``activation`` is a name or an :class:`nn.Module` factory ``(layer_index) -> Module`` for
    activations the registry lacks; a factory needs an explicit ``init`` (it has no recommended one). The seed fixes the weights and the batch order, so arms that
    share a seed are paired. A run that diverges scores chance accuracy for the epochs it missed.
    Metrics: ``loss`` and ``test_accuracy`` per epoch, ``final_accuracy``, ``mean_loss`` (the area
    under the training-loss curve divided by the epochs: lower means faster), ``diverged``.
    """
    sizes = [dataset.n_features] + [width] * depth + [dataset.n_classes]
    if callable(activation) and not isinstance(activation, (str, activations.Activation)):
        if init == "auto":
            raise ValueError("training_run with an activation factory needs init='xavier', 'he', 'lecun' or a std")
        model = nn.MLP(sizes, activation="sigmoid", init=init, seed=seed, dtype=dtype)  # its layers are replaced
        index = iter(range(depth))
        model.layers = [activation(next(index)) if isinstance(layer, nn.Act) else layer for layer in model.layers]
    else:
        model = nn.MLP(sizes, activation=activation, init=init, seed=seed, dtype=dtype)
    history = nn.train(
        model,
        dataset.X_train.astype(dtype),
        dataset.y_train,
        optimizer=make_optimiser(optimiser, model.parameters(), lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        X_test=dataset.X_test.astype(dtype),
        y_test=dataset.y_test,
        progress=False,
    )
    chance = 1.0 / dataset.n_classes
    first = history.loss[0] if history.loss and np.isfinite(history.loss[0]) else float(np.log(dataset.n_classes))
    loss = [v if np.isfinite(v) else max(first, float(np.log(dataset.n_classes))) for v in history.loss]
    accuracy = [a if np.isfinite(a) else chance for a in history.test_accuracy]
    if history.diverged:  # fill the epochs it did not train with the loss at chance and chance accuracy
        loss += [max(first, float(np.log(dataset.n_classes)))] * (epochs - len(loss))
        accuracy += [chance] * (epochs - len(accuracy))
    return {
        "loss": loss,
        "test_accuracy": accuracy,
        "final_accuracy": accuracy[-1],
        "mean_loss": float(np.mean(loss)),
        "diverged": bool(history.diverged),
    }


class Shifted(nn.Module):
    """f(x) − c as a layer: ``Shifted("sigmoid", 0.5)`` is σ(x) − ½, centred like tanh with sigmoid's slope."""

    def __init__(self, activation: str, shift: float):
        self.activation, self.shift = activations.get(activation), float(shift)

    def forward(self, x):
        return self.activation(x) - self.shift

    def __repr__(self) -> str:
        return f"Shifted({self.activation.name!r}, {self.shift})"
