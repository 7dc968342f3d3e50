r"""Layers, MLPs, initialisers, losses, optimisers and a training loop on top of ``autograd``.

Conventions: a batch is a 2-d array (examples x features); ``Linear`` computes
:math:`z = x W + b` with ``weight`` of shape (in_features, out_features), the
transpose of PyTorch's storage (``to_torch_state`` in :mod:`nonlinear.reference`
converts). Everything is seeded: the same ``seed`` gives the same numbers.

>>> from nonlinear import nn
>>> model = nn.MLP([2, 8, 1], activation="tanh", seed=0)
>>> model(np.zeros((3, 2))).shape
(3, 1)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from nonlinear import activations
from nonlinear._arrays import as_float_array
from nonlinear.autograd import Tensor, as_tensor, no_grad

# ---------------------------------------------------------------------------
# Initialisation: the variance of the weights is matched to the activation.
# ---------------------------------------------------------------------------


def _float_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    r"""Standard deviation of a normal initialiser.

    xavier (Glorot & Bengio 2010): :math:`\sqrt{2/(n_{in}+n_{out})}`;
    he (He et al. 2015): :math:`\sqrt{2/n_{in}}`; lecun (LeCun et al. 1998):
    :math:`\sqrt{1/n_{in}}`.
    """
    if scheme == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if scheme == "he":
        return math.sqrt(2.0 / fan_in)
    if scheme == "lecun":
        return math.sqrt(1.0 / fan_in)
    raise ValueError(f"unknown initialisation {scheme!r}; use 'xavier', 'he' or 'lecun' (or a float std)")


def initial_weights(fan_in: int, fan_out: int, scheme, rng: np.random.Generator, uniform: bool = False) -> np.ndarray:
    """Weights of shape (fan_in, fan_out): normal with ``init_std`` (or the std ``scheme`` if it is a number),
    or uniform with the same variance."""
    std = (
        float(scheme)
        if isinstance(scheme, (int, float, np.integer, np.floating)) and not isinstance(scheme, (bool, np.bool_))
        else init_std(scheme, fan_in, fan_out)
    )
    if uniform:
        bound = std * math.sqrt(3.0)
        return rng.uniform(-bound, bound, size=(fan_in, fan_out))
    return rng.normal(0.0, std, size=(fan_in, fan_out))


# ---------------------------------------------------------------------------
# Modules
# ---------------------------------------------------------------------------


class Module:
    """Something with parameters that maps a Tensor to a Tensor."""

    training = True

    def parameters(self) -> list[Tensor]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Module:
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def children(self) -> list[Module]:
        return []

    def __call__(self, x):
        return self.forward(as_tensor(x) if not isinstance(x, Tensor) else x)


class Linear(Module):
    """Affine map :math:`z = xW + b`. Shape: input (N, in_features), output (N, out_features)."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        init="he",
        bias: bool = True,
        rng: np.random.Generator | None = None,
        uniform: bool = False,
        dtype=np.float64,
    ):
        rng = rng if rng is not None else np.random.default_rng(0)
        dtype = _float_dtype(dtype)
        weights = initial_weights(in_features, out_features, init, rng, uniform).astype(dtype)  # float64 draws, rounded
        self.weight = Tensor(weights, requires_grad=True, label="W")
        self.bias = Tensor(np.zeros(out_features, dtype=dtype), requires_grad=True, label="b") if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 2 or x.shape[1] != self.weight.shape[0]:
            raise ValueError(f"Linear expects input of shape (N, {self.weight.shape[0]}), got {x.shape}")
        # z = x W + b as one node (like torch's addmm): the bias is added in place to the
        # product, so the graph keeps one (N, out) array per layer, not two.
        params = (self.weight,) if self.bias is None else (self.weight, self.bias)
        xd, w = x.data, self.weight.data
        z = xd @ w
        if self.bias is not None:
            z += self.bias.data

        def backward(g):
            grad_x = g @ w.T if x.requires_grad else None  # the data's gradient is never needed
            return (grad_x, xd.T @ g) + ((g.sum(axis=0),) if self.bias is not None else ())

        return Tensor.from_op(z, (x, *params), backward, "linear")

    def parameters(self) -> list[Tensor]:
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def __repr__(self) -> str:
        return f"Linear({self.weight.shape[0]}, {self.weight.shape[1]})"


class Act(Module):
    """An activation as a layer. Stochastic ones (rrelu, noisy_relu) draw noise in ``train()`` mode only."""

    def __init__(self, activation, seed: int = 0, **params):
        act = activation if isinstance(activation, activations.Activation) else activations.get(activation, **params)
        if act.stochastic:
            if act.params["seed"] is None:
                act = act.with_params(seed=seed)
            self._train_version = act.with_params(training=True)
            self._eval_version = act.with_params(training=False)
        else:
            self._train_version = self._eval_version = act
        self.activation = act

    def forward(self, x: Tensor) -> Tensor:
        return (self._train_version if self.training else self._eval_version)(x)

    def __repr__(self) -> str:
        return repr(self.activation)


class PReLU(Module):
    """PReLU with a learned slope (one, or one per feature), initialised to 0.25 as in PyTorch."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=np.float64):
        self.weight = Tensor(np.full(num_parameters, init, dtype=_float_dtype(dtype)), requires_grad=True, label="a")

    def forward(self, x: Tensor) -> Tensor:
        weight = self.weight.data if self.weight.data.size > 1 else self.weight.data[0]
        act = activations.get("prelu", weight=weight)
        saved = x.data
        return Tensor.from_op(
            act(saved),
            (x, self.weight),
            lambda g: (act.vjp(saved, g), activations.prelu_weight_grad(saved, g, self.weight.data)),
            "prelu",
        )

    def parameters(self) -> list[Tensor]:
        return [self.weight]


class BatchNorm1d(Module):
    r"""Batch normalisation (Ioffe & Szegedy 2015): :math:`\gamma (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon} + \beta`.

    Training uses the batch statistics (biased variance) and updates running
    averages; evaluation uses the running averages, as in PyTorch.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, dtype=np.float64):
        dtype = _float_dtype(dtype)
        self.gamma = Tensor(np.ones(num_features, dtype=dtype), requires_grad=True, label="gamma")
        self.beta = Tensor(np.zeros(num_features, dtype=dtype), requires_grad=True, label="beta")
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.eps, self.momentum = eps, momentum

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            mean = x.mean(dim=0, keepdim=True)
            centred = x - mean
            var = (centred * centred).mean(dim=0, keepdim=True)
            n = x.shape[0]
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean.data[0]
            unbiased = var.data[0] * n / max(n - 1, 1)
            self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased
            normalised = centred / (var + self.eps).sqrt()
        else:
            normalised = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return normalised * self.gamma + self.beta

    def parameters(self) -> list[Tensor]:
        return [self.gamma, self.beta]


class Sequential(Module):
    def __init__(self, *layers: Module):
        self.layers = list(layers)

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def forward_with_activations(self, x) -> list[Tensor]:
        """The output of every layer, in order (for per-layer statistics)."""
        x = as_tensor(x)
        outputs = []
        for layer in self.layers:
            x = layer(x)
            outputs.append(x)
        return outputs

    def parameters(self) -> list[Tensor]:
        return [p for layer in self.layers for p in layer.parameters()]

    def children(self) -> list[Module]:
        return self.layers

    def __repr__(self) -> str:
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}(\n  {inner}\n)"


class MLP(Sequential):
    """A multilayer perceptron: Linear -> [BatchNorm] -> activation, ..., Linear (the output is linear).

    ``sizes`` = [inputs, hidden..., outputs]. ``init="auto"`` uses the activation's
    ``recommended_init`` (He for ReLU-like, LeCun for SELU, Xavier otherwise) for the hidden
    layers and Xavier for the output layer (it feeds no activation); any other ``init`` is used
    for every layer. ``batchnorm`` is None, "before" (Linear -> BN -> act) or "after"
    (Linear -> act -> BN). ``activation`` may be a name, an ``Activation``, or ``"prelu"`` (a
    learned slope per layer, starting at ``weight``, 0.25 unless given, as ``torch.nn.PReLU``).
    ``dtype`` (float64 or float32) is the dtype of every parameter; feed inputs of the same dtype.
    """

    def __init__(
        self,
        sizes: list[int],
        activation="relu",
        init="auto",
        seed: int = 0,
        batchnorm: str | None = None,
        uniform: bool = False,
        dtype=np.float64,
        **activation_params,
    ):
        dtype = _float_dtype(dtype)
        if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
            raise ValueError(f"sizes must be a list of at least two positive integers, got {sizes!r}")
        if batchnorm not in (None, "before", "after"):
            raise ValueError(f"batchnorm must be None, 'before' or 'after', got {batchnorm!r}")
        if activation != "prelu":
            probe = (
                activation
                if isinstance(activation, activations.Activation)
                else activations.get(activation, **activation_params)
            )
            if not probe.elementwise:
                raise ValueError(f"MLP needs an elementwise hidden activation; {probe.name} changes the shape")
            scheme = probe.recommended_init if init == "auto" else init
        else:
            activations.get("prelu", **activation_params)  # the registry's message for a wrong parameter
            if np.ndim(activation_params.get("weight", 0.25)) != 0:
                raise ValueError(
                    "MLP(activation='prelu') starts every layer's slope at one number; give weight as a float"
                )
            scheme = "he" if init == "auto" else init
        rng = np.random.default_rng(seed)
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = i == len(sizes) - 2
            layers.append(
                Linear(
                    n_in,
                    n_out,
                    init="xavier" if last and init == "auto" else scheme,
                    rng=rng,
                    uniform=uniform,
                    dtype=dtype,
                )
            )
            if last:
                break
            act = (
                PReLU(init=float(activation_params.get("weight", 0.25)), dtype=dtype)
                if activation == "prelu"
                else Act(activation, seed=seed * 1000 + i, **activation_params)
            )
            if batchnorm == "before":
                layers += [BatchNorm1d(n_out, dtype=dtype), act]
            elif batchnorm == "after":
                layers += [act, BatchNorm1d(n_out, dtype=dtype)]
            else:
                layers.append(act)
        super().__init__(*layers)
        self.sizes = list(sizes)
        self.init = scheme
        self.dtype = dtype

    def linears(self) -> list[Linear]:
        return [layer for layer in self.layers if isinstance(layer, Linear)]

    def hidden_preactivations(self, x) -> list[np.ndarray]:
        """The input z of every hidden activation, for a batch x (no graph is kept)."""
        out, x = [], as_tensor(x)
        with no_grad():
            for layer, nxt in zip(self.layers, self.layers[1:] + [None]):
                x = layer(x)
                if isinstance(nxt, (Act, PReLU)):
                    out.append(x.data)
        return out

    def hidden_activations(self, x) -> list[np.ndarray]:
        """The output a = f(z) of every hidden activation layer, for a batch x (no graph is kept)."""
        out, x = [], as_tensor(x)
        with no_grad():
            for layer in self.layers:
                x = layer(x)
                if isinstance(layer, (Act, PReLU)):
                    out.append(x.data)
        return out


# ---------------------------------------------------------------------------
# Losses (mean over the batch, as PyTorch's default reduction)
# ---------------------------------------------------------------------------


def _check_targets(prediction: Tensor, target: np.ndarray, what: str) -> None:
    if target.shape != prediction.shape:
        raise ValueError(f"{what}: target shape {target.shape} must equal prediction shape {prediction.shape}")


def mse_loss(prediction: Tensor, target) -> Tensor:
    r"""Mean squared error :math:`\frac1N\sum (\hat y - y)^2`."""
    target = as_float_array(target, name="target").astype(prediction.dtype, copy=False)
    _check_targets(prediction, target, "mse_loss")
    diff = prediction - target
    return (diff * diff).mean()


def bce_with_logits(logits: Tensor, target) -> Tensor:
    r"""Binary cross-entropy on logits :math:`z`: :math:`\mathrm{softplus}(z) - y z`, averaged.

    Equal to :math:`-[y\log\sigma(z) + (1-y)\log(1-\sigma(z))]` but never takes log(0).
    """
    target = as_float_array(target, name="target").astype(logits.dtype, copy=False)
    _check_targets(logits, target, "bce_with_logits")
    if np.any((target < 0) | (target > 1)):
        raise ValueError("bce_with_logits targets must lie in [0, 1]")
    return (activations.get("softplus", threshold=INF_THRESHOLD)(logits) - logits * target).mean()


INF_THRESHOLD = 1e300  # softplus without PyTorch's linear cut-off: exact everywhere


def cross_entropy(logits: Tensor, target) -> Tensor:
    r"""Cross-entropy for class indices: :math:`-\frac1N\sum_n \log\mathrm{softmax}(z_n)_{y_n}` via log-softmax."""
    target = np.asarray(target)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (N, classes), got {logits.shape}")
    if target.shape != (logits.shape[0],) or target.dtype.kind not in "iu":
        raise ValueError(
            f"cross_entropy expects integer class labels of shape ({logits.shape[0]},), got {target.dtype} {target.shape}"
        )
    if target.min() < 0 or target.max() >= logits.shape[1]:
        raise ValueError(f"class labels must lie in 0..{logits.shape[1] - 1}")
    onehot = np.eye(logits.shape[1], dtype=logits.dtype)[target]
    return -(activations.get("log_softmax")(logits) * onehot).sum() * (1.0 / logits.shape[0])


LOSSES: dict[str, Callable[[Tensor, np.ndarray], Tensor]] = {
    "mse": mse_loss,
    "bce_with_logits": bce_with_logits,
    "cross_entropy": cross_entropy,
}


def get_loss(loss) -> Callable[[Tensor, np.ndarray], Tensor]:
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; use one of {', '.join(LOSSES)} or a function")
    return LOSSES[loss]


# ---------------------------------------------------------------------------
# Optimisers (update rules as in torch.optim, so curves can be compared)
# ---------------------------------------------------------------------------


class SGD:
    r"""Stochastic gradient descent with momentum: :math:`v \leftarrow \mu v + g,\; w \leftarrow w - \eta v`."""

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        self.params = list(params)
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.velocity = [None] * len(self.params)

    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            if self.momentum:
                self.velocity[i] = g if self.velocity[i] is None else self.momentum * self.velocity[i] + g
                g = self.velocity[i]
            p.data = p.data - self.lr * g

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None


class Adam:
    r"""Adam (Kingma & Ba 2015): bias-corrected running means of :math:`g` and :math:`g^2`."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        self.params = list(params)
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            m_hat = self.m[i] / (1 - b1**self.t)
            v_hat = self.v[i] / (1 - b2**self.t)
            p.data = p.data - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


@dataclass
class History:
    """What ``train`` measured, one entry per epoch (``test_*`` only with test data)."""

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    diverged: bool = False
    divergence: str = ""  # where and how the loss stopped being finite, when it did

    def epochs_to(self, target_loss: float) -> int | None:
        """First epoch (1-based) whose training loss is <= target_loss, or None."""
        for epoch, value in enumerate(self.loss, start=1):
            if value <= target_loss:
                return epoch
        return None


def accuracy(output: np.ndarray, target: np.ndarray, loss_name: str) -> float:
    """Fraction correct: argmax for cross-entropy, sign of the logit for BCE; NaN for regression."""
    if loss_name == "cross_entropy":
        return float(np.mean(np.argmax(output, axis=1) == target))
    if loss_name == "bce_with_logits":
        return float(np.mean((output > 0) == (target > 0.5)))
    return float("nan")


def evaluate(model: Module, X, y, loss="cross_entropy") -> tuple[float, float]:
    """(loss, accuracy) of the model on (X, y) in evaluation mode, without a graph."""
    was_training = model.training
    model.eval()
    with no_grad():
        output = model(as_float_array(X, name="X"))
        value = get_loss(loss)(output, y).item()
    model.train(was_training)
    return value, accuracy(output.data, np.asarray(y), loss if isinstance(loss, str) else "")


def train(
    model: Module,
    X,
    y,
    loss="cross_entropy",
    optimizer=None,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    X_test=None,
    y_test=None,
    progress: bool = True,
    desc: str = "training",
) -> History:
    """Train ``model`` on (X, y) and return its :class:`History`.

    ``optimizer`` defaults to Adam(lr=0.01). ``batch_size=None`` is full-batch
    gradient descent; otherwise the examples are shuffled every epoch with
    ``seed``. Training stops early, with ``history.diverged = True``, when the
    loss becomes NaN or infinite (NaN flows through every operation, as in torch);
    ``history.divergence`` then says where. ``progress`` shows a tqdm bar.
    """
    X = as_float_array(X, name="X")
    y = np.asarray(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"X must be (N, features) and y must have N entries; got X {X.shape}, y {y.shape}")
    loss_fn = get_loss(loss)
    loss_name = loss if isinstance(loss, str) else ""
    optimizer = optimizer if optimizer is not None else Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(seed)
    history = History()
    n = len(X)
    size = n if batch_size is None else int(batch_size)
    model.train()
    bar = tqdm(range(epochs), desc=desc, disable=not progress, leave=False)
    for _ in bar:
        start = time.perf_counter()
        order = np.arange(n) if batch_size is None else rng.permutation(n)
        total, outputs = 0.0, []
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below, not warned about
            for batch, begin in enumerate(range(0, n, size), start=1):
                index = order[begin : begin + size]
                output = model(X[index])
                value = loss_fn(output, y[index])
                if not np.isfinite(value.data).all():
                    history.diverged = True
                    history.divergence = (
                        f"the loss became {value.item()} at epoch {len(history.loss) + 1}, batch {batch}: "
                        "training stopped (try a smaller learning rate)"
                    )
                    break
                optimizer.zero_grad()
                value.backward(retain_graph=False)
                optimizer.step()
                total += value.item() * len(index)
                outputs.append((index, output.data))
        if history.diverged:
            break
        history.loss.append(total / n)
        predictions = np.empty((n,) + outputs[0][1].shape[1:])
        for index, out in outputs:
            predictions[index] = out
        history.train_accuracy.append(accuracy(predictions, y, loss_name))
        if X_test is not None:
            test_loss, test_acc = evaluate(model, X_test, y_test, loss)
            model.train()
            history.test_loss.append(test_loss)
            history.test_accuracy.append(test_acc)
        history.seconds.append(time.perf_counter() - start)
        bar.set_postfix(loss=f"{history.loss[-1]:.4f}")
    return history
