r"""How the scale and offset of a network's inputs act on tanh and sigmoid units (the title question of source 001).

A first-layer unit computes :math:`z = \sum_i x_i w_i`. With weights of
variance :math:`g^2/n` its pre-activation has second moment
:math:`g^2\,\overline{\mathbb E[x_i^2]} = g^2(\overline{\mu_i^2} + \overline{\sigma_i^2})`:
an offset :math:`\mu` of the inputs and their spread :math:`\sigma` both
enlarge it, and a large :math:`|z|` puts a tanh or sigmoid unit where its
derivative is nearly 0 (saturation).

>>> from nonlinear import data, input_scaling
>>> d = input_scaling.prepare(data.digits(), "standardised")
>>> abs(float(d.X_train.mean())) < 1e-12
True
"""

from __future__ import annotations

import numpy as np

from nonlinear import data, experiments, nn
from nonlinear._arrays import as_float_array

# name -> (how it is built from the digits' raw pixel counts 0..16); every one is computed from the training set only
PREPARATIONS = {
    "standardised": "each feature to mean 0, standard deviation 1",
    "[0, 1]": "pixel counts divided by 16 (all inputs positive)",
    "raw 0–16": "the pixel counts as they are",
    "shifted +4": "standardised, then 4 added to every feature",
    "scaled ×4": "standardised, then every feature multiplied by 4",
}


def prepare(dataset: data.Dataset, how: str) -> data.Dataset:
    """The digits (as returned by :func:`nonlinear.data.digits`, scaled to [0, 1]) under one of :data:`PREPARATIONS`."""
    if how not in PREPARATIONS:
        raise ValueError(f"unknown preparation {how!r}; choose from {', '.join(PREPARATIONS)}")
    if how == "[0, 1]":
        return dataset
    if how == "raw 0–16":
        return _map(dataset, lambda X: 16.0 * X, "raw pixel counts")
    standard = data.standardise(dataset)
    if how == "shifted +4":
        return _map(standard, lambda X: X + 4.0, "standardised + 4")
    if how == "scaled ×4":
        return _map(standard, lambda X: 4.0 * X, "standardised × 4")
    return standard


def _map(dataset: data.Dataset, fn, note: str) -> data.Dataset:
    return data.Dataset(
        dataset.name,
        fn(dataset.X_train),
        dataset.y_train,
        fn(dataset.X_test),
        dataset.y_test,
        dataset.feature_names,
        f"{dataset.description} ({note})",
    )


def saturated_share(model: nn.MLP, X, fraction: float = 0.1) -> list[float]:
    r"""Per hidden layer: the share of (example, unit) pairs where :math:`f'(z) < \text{fraction}\cdot f'(0)`.

    Relative to the slope at 0 so that tanh (:math:`f'(0) = 1`) and sigmoid
    (:math:`f'(0) = 1/4`) are judged on their own scale: with ``fraction=0.1``
    a tanh unit is saturated for :math:`|z| > 1.82`, a sigmoid unit for :math:`|z| > 3.64`.
    """
    derivatives = experiments._derivatives(model, as_float_array(X, name="X"))
    out = []
    for layer, d in zip(experiments._hidden_activation_layers(model), derivatives):
        slope0 = float(np.abs(layer.activation.derivative(np.zeros(1)))[0])
        out.append(float(np.mean(np.abs(d) < fraction * slope0)))
    return out


def run(
    activation: str,
    prepared: data.Dataset,
    seed: int = 0,
    hidden=(32,),
    epochs: int = 8,
    lr: float = 0.02,
    momentum: float = 0.9,
    batch_size: int = 64,
    batchnorm: str | None = None,
) -> dict:
    """Measure one MLP (``init="auto"``: Xavier for tanh and sigmoid) on prepared inputs, then train it with SGD.

    Returns the first hidden layer's saturated share and the norm of the first
    layer's weight gradient at initialisation (on the first 256 training
    examples), the training loss per epoch and the final test accuracy.
    """
    model = nn.MLP(
        [prepared.n_features, *hidden, prepared.n_classes], activation=activation, seed=seed, batchnorm=batchnorm
    )
    probe_X, probe_y = prepared.X_train[:256], prepared.y_train[:256]
    saturated = saturated_share(model, probe_X)[0] if batchnorm is None else float("nan")
    grad = experiments.gradient_norms(model, probe_X, probe_y)[0]
    history = nn.train(
        model,
        prepared.X_train,
        prepared.y_train,
        optimizer=nn.SGD(model.parameters(), lr=lr, momentum=momentum),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        X_test=prepared.X_test,
        y_test=prepared.y_test,
        progress=False,
    )
    return {
        "saturated": saturated,
        "first_layer_gradient": grad,
        "loss": history.loss,
        "final_loss": history.loss[-1] if not history.diverged else float("nan"),
        "test_accuracy": history.test_accuracy[-1] if not history.diverged else float("nan"),
        "diverged": history.diverged,
    }


def mean_relative_slope(model: nn.MLP, X) -> list[float]:
    r"""Per hidden layer: the average of :math:`|f'(z)| / f'(0)` over examples and units (1 = every unit at its steepest)."""
    derivatives = experiments._derivatives(model, as_float_array(X, name="X"))
    return [
        float(np.mean(np.abs(d)) / np.abs(layer.activation.derivative(np.zeros(1)))[0])
        for layer, d in zip(experiments._hidden_activation_layers(model), derivatives)
    ]


def layer_input_stats(model: nn.MLP, X, fraction: float = 0.1) -> dict[str, list[float]]:
    r"""Per hidden layer, the inputs z of its activation on X as the network sees them in training.

    ``mean`` and ``std`` pool all examples and units; ``saturated`` is the share
    with :math:`f'(z) < \text{fraction}\cdot f'(0)`. Batch normalisation uses the
    batch's own statistics, as during training; its running averages are left
    untouched.
    """
    norms = [layer for layer in model.layers if isinstance(layer, nn.BatchNorm1d)]
    saved = [(bn.running_mean.copy(), bn.running_var.copy()) for bn in norms]
    was_training = model.training
    model.train()
    zs = model.hidden_preactivations(as_float_array(X, name="X"))
    model.train(was_training)
    for bn, (mean, var) in zip(norms, saved):
        bn.running_mean, bn.running_var = mean, var
    acts = [layer.activation for layer in experiments._hidden_activation_layers(model)]
    slope0 = [float(np.abs(a.derivative(np.zeros(1)))[0]) for a in acts]
    return {
        "mean": [float(z.mean()) for z in zs],
        "std": [float(z.std()) for z in zs],
        "saturated": [float(np.mean(np.abs(a.derivative(z)) < fraction * s)) for a, z, s in zip(acts, zs, slope0)],
    }


def train_with_checkpoints(
    activation: str,
    prepared: data.Dataset,
    seed: int = 0,
    hidden=(32, 32, 32),
    epochs: int = 8,
    lr: float = 0.02,
    momentum: float = 0.9,
    batch_size: int = 64,
    batchnorm: str | None = None,
    probe: int = 256,
) -> dict:
    """Train with SGD one epoch at a time; :func:`layer_input_stats` on a fixed probe batch before and after each epoch.

    Returns ``stats`` (one dict per checkpoint, epochs + 1 of them), the
    training ``loss`` per epoch and the final ``test_accuracy``.
    """
    model = nn.MLP(
        [prepared.n_features, *hidden, prepared.n_classes], activation=activation, seed=seed, batchnorm=batchnorm
    )
    X_probe = prepared.X_train[:probe]
    optimizer = nn.SGD(model.parameters(), lr=lr, momentum=momentum)
    stats, losses, accuracy = [layer_input_stats(model, X_probe)], [], float("nan")
    for epoch in range(epochs):
        history = nn.train(
            model,
            prepared.X_train,
            prepared.y_train,
            optimizer=optimizer,
            epochs=1,
            batch_size=batch_size,
            seed=seed * 1000 + epoch,
            X_test=prepared.X_test,
            y_test=prepared.y_test,
            progress=False,
        )
        if history.diverged:
            break
        losses.append(history.loss[0])
        accuracy = history.test_accuracy[0]
        stats.append(layer_input_stats(model, X_probe))
    return {"stats": stats, "loss": losses, "test_accuracy": accuracy, "diverged": len(losses) < epochs}


def initial_slope(activation: str, prepared: data.Dataset, seed: int = 0, hidden=(32,), probe: int = 256) -> float:
    """:func:`mean_relative_slope` of the first hidden layer of a fresh ``run``-style MLP on the first ``probe`` examples."""
    model = nn.MLP([prepared.n_features, *hidden, prepared.n_classes], activation=activation, seed=seed)
    return mean_relative_slope(model, prepared.X_train[:probe])[0]
