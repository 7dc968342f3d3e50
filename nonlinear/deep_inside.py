r"""Signals inside deep networks: the variance calculation behind initialisation, and per-layer snapshots.

Two halves, used by the chapter-4 pages "Initialisation, derived" and "A deep
network from the inside":

* the *prediction*: for weights :math:`W_{ij} \sim \mathcal N(0, g^2/n_{in})`
  in square layers, the second moment :math:`q_l = \mathbb E[z_l^2]` of the
  pre-activations obeys :math:`q_{l+1} = g^2\,\mathbb E_{z\sim\mathcal N(0,q_l)}[f(z)^2]`
  and the gradient with respect to a layer's output shrinks or grows by
  :math:`g^2\,\mathbb E[f'(z)^2]` per layer (Gaussian expectations by
  numerical quadrature);
* the *measurement*: the same quantities in an actual random network
  (:func:`propagate`), and per-layer activations, gradients and dead units of
  an :class:`nonlinear.nn.MLP` (:func:`snapshot`).

>>> gain = variance_preserving_gain("relu")
>>> round(gain**2, 6)
2.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nonlinear import activations, nn
from nonlinear._arrays import as_float_array
from nonlinear.autograd import Tensor


def _activation(a) -> activations.Activation:
    return a if isinstance(a, activations.Activation) else activations.get(a)


# Midpoint rule on [-12, 12] standard deviations with 0 on a cell boundary: the kinks of ReLU-like
# functions (and the jumps of their derivatives) sit at z = 0, where no node lies, so the error stays O(h^2).
_STEP = 0.002
_NODES = (np.arange(-6000, 6000) + 0.5) * _STEP
_WEIGHTS = np.exp(-0.5 * _NODES**2) / np.sqrt(2 * np.pi) * _STEP


def gaussian_mean(fn, q: float = 1.0) -> float:
    r""":math:`\mathbb E[\mathrm{fn}(z)]` for :math:`z \sim \mathcal N(0, q)` (midpoint rule, 12 000 nodes, none at 0)."""
    if not q >= 0:
        raise ValueError(f"the variance q must be >= 0, got {q}")
    return float(np.sum(_WEIGHTS * fn(np.sqrt(q) * _NODES)))


def variance_preserving_gain(activation) -> float:
    r"""The gain :math:`g = 1/\sqrt{\mathbb E_{z\sim\mathcal N(0,1)}[f(z)^2]}` that keeps :math:`q_l = 1` from layer to layer.

    ReLU: :math:`\mathbb E[\max(z,0)^2] = 1/2`, so :math:`g = \sqrt2` (He);
    leaky ReLU with slope a: :math:`g^2 = 2/(1+a^2)`; SELU: 1 (LeCun);
    the identity: 1 (Xavier/LeCun for a linear unit).
    """
    f = _activation(activation)
    return 1.0 / np.sqrt(gaussian_mean(lambda z: f(z) ** 2))


@dataclass(frozen=True)
class Propagation:
    """Per layer l = 1..depth: RMS of the pre-activations z_l and of the gradient dL/da_l."""

    forward_rms: np.ndarray
    gradient_rms: np.ndarray


def predicted_propagation(activation, gain: float, depth: int, input_second_moment: float = 1.0) -> Propagation:
    r"""The infinite-width prediction for a ``depth``-layer network with weights of variance :math:`g^2/n`.

    Forward: :math:`q_1 = g^2 q_0`, :math:`q_{l+1} = g^2\,\mathbb E_{\mathcal N(0,q_l)}[f(z)^2]`.
    Backward, for the gradient with respect to each layer's output
    :math:`a_l = f(z_l)`, starting from RMS 1 at the top:
    :math:`\mathbb E[(\partial L/\partial a_{l-1})^2] = g^2\,\mathbb E_{\mathcal N(0,q_l)}[f'(z)^2]\;\mathbb E[(\partial L/\partial a_l)^2]`.
    """
    f = _activation(activation)
    q = [gain**2 * input_second_moment]
    for _ in range(depth - 1):
        q.append(gain**2 * gaussian_mean(lambda z: f(z) ** 2, q[-1]))
    factors = [gain**2 * gaussian_mean(lambda z: f.derivative(z) ** 2, ql) for ql in q]
    grad_sq = np.ones(depth)
    for layer in range(depth - 2, -1, -1):  # dL/da_layer from dL/da_{layer+1} through layer+1's f' and W
        grad_sq[layer] = grad_sq[layer + 1] * factors[layer + 1]
    return Propagation(np.sqrt(np.array(q)), np.sqrt(grad_sq))


def propagate(activation, gain: float, depth: int = 50, width: int = 256, n: int = 128, seed: int = 0) -> Propagation:
    r"""Measure what :func:`predicted_propagation` predicts, in one random network (numpy, no autograd).

    Inputs are ``n`` standard-normal vectors of size ``width``; every layer is
    :math:`z_l = a_{l-1} W_l`, :math:`W \sim \mathcal N(0, g^2/\mathrm{width})`, no bias.
    The gradient arriving at the top layer's output is standard normal (a random
    linear read-out); it is passed down with :math:`\partial L/\partial a_{l-1} = (\partial L/\partial a_l \odot f'(z_l))\,W_l^\top`.
    """
    f = _activation(activation)
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, width))
    weights, zs = [], []
    for _ in range(depth):
        w = nn.initial_weights(width, width, gain / np.sqrt(width), rng)
        z = a @ w
        weights.append(w)
        zs.append(z)
        a = f(z)
    grad = rng.normal(size=(n, width))
    grad_rms = np.empty(depth)
    for layer in range(depth - 1, -1, -1):
        grad_rms[layer] = np.sqrt(np.mean(grad**2))
        grad = (grad * f.derivative(zs[layer])) @ weights[layer].T
    return Propagation(np.array([np.sqrt(np.mean(z**2)) for z in zs]), grad_rms)


def log_ratio_error(measured, predicted) -> np.ndarray:
    """Per layer |log10(measured / predicted)|: 0 is a perfect match, 1 is a factor of ten off."""
    return np.abs(np.log10(np.asarray(measured, dtype=float) / np.asarray(predicted, dtype=float)))


# ---------------------------------------------------------------------------
# Inside a trained MLP
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Per hidden layer of an MLP on a batch: outputs, weight gradients, output gradients, dead and saturated units.

    ``activations[l]`` is the (N, units) output a_l of hidden layer l+1;
    ``weight_gradients[l]`` the entries of dL/dW of the Linear layer feeding it;
    ``output_gradients[l]`` the (N, units) array N·dL/da_l (the per-example
    gradient, since the loss is a mean over the batch); ``dead[l]`` the
    fraction of units with f'(z) = 0 on every example; ``saturated[l]`` the
    fraction with |f'(z)| < 0.01 on every example.
    """

    activations: list[np.ndarray]
    weight_gradients: list[np.ndarray]
    output_gradients: list[np.ndarray]
    dead: np.ndarray
    saturated: np.ndarray


def snapshot(model: nn.MLP, X, y, loss="cross_entropy") -> Snapshot:
    """Forward and backward once through ``model`` (evaluation mode) and keep what each hidden layer saw."""
    from nonlinear import experiments

    X = as_float_array(X, name="X")
    was_training = model.training
    model.eval()
    model.zero_grad()
    x, outputs, probes = Tensor(X), [], []
    for layer in model.layers:
        x = layer(x)
        if isinstance(layer, (nn.Act, nn.PReLU)):
            probe = Tensor(np.zeros_like(x.data), requires_grad=True)  # x + 0: its gradient is dL/da
            outputs.append(x.data.copy())
            probes.append(probe)
            x = x + probe
    nn.get_loss(loss)(x, y).backward()
    hidden_linears = model.linears()[: len(outputs)]
    weight_grads = [layer.weight.grad.ravel().copy() for layer in hidden_linears]
    output_grads = [p.grad * len(X) for p in probes]
    derivatives = experiments._derivatives(model, X)
    model.zero_grad()
    model.train(was_training)
    return Snapshot(
        outputs,
        weight_grads,
        output_grads,
        np.array([np.mean(np.all(d == 0, axis=0)) for d in derivatives]),
        np.array([np.mean(np.all(np.abs(d) < 0.01, axis=0)) for d in derivatives]),
    )


def quantiles(arrays, qs=(0.1, 0.5, 0.9), absolute: bool = False) -> np.ndarray:
    """Quantiles ``qs`` of each array in ``arrays`` (optionally of the absolute values): shape (len(arrays), len(qs))."""
    return np.array([np.quantile(np.abs(a) if absolute else a, qs) for a in arrays])


@dataclass(frozen=True)
class Inside:
    """One deep MLP seen at initialisation and after training: two :class:`Snapshot`\\ s and the training history."""

    activation: str
    init: str
    before: Snapshot
    after: Snapshot
    history: nn.History


def train_and_look(
    activation,
    dataset,
    hidden: list[int],
    epochs: int = 15,
    lr: float = 2e-3,
    batch_size: int = 128,
    seed: int = 0,
    probe: int = 500,
) -> Inside:
    """Train ``nn.MLP([features, *hidden, classes], activation, init="auto")`` with Adam; snapshot it before and after.

    Both snapshots use the same probe batch, the first ``probe`` test examples,
    so the two pictures differ only by what training changed.
    """
    X_probe, y_probe = dataset.X_test[:probe], dataset.y_test[:probe]
    model = nn.MLP([dataset.n_features, *hidden, dataset.n_classes], activation=activation, seed=seed)
    before = snapshot(model, X_probe, y_probe)
    history = nn.train(
        model,
        dataset.X_train,
        dataset.y_train,
        optimizer=nn.Adam(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        X_test=dataset.X_test,
        y_test=dataset.y_test,
        progress=False,
    )
    name = activation if isinstance(activation, str) else activation.name
    return Inside(name, model.init, before, snapshot(model, X_probe, y_probe), history)
