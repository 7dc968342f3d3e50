"""The helpers of the ch7-switch-leaky experiment: the stall test, the activation swap that keeps the weights
(checked against PyTorch in float64), the constant prediction's loss and the dead-unit count."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nonlinear import nn
from nonlinear.study import switch_leaky


def test_stalled_needs_a_flat_finite_curve_far_from_a_fit():
    flat = [1.0, 0.7] + [0.6] * 8
    assert switch_leaky.stalled(flat, reference=1.0)
    assert not switch_leaky.stalled(flat, reference=1.3)  # flat, but below half the constant prediction's loss
    assert not switch_leaky.stalled([1.0, 0.9, 0.8, 0.7, 0.65, 0.6, 0.59, 0.58], reference=1.0)  # still falling
    assert switch_leaky.stalled([1.0, 0.9, 0.8, 0.7, 0.65, 0.6, 0.61, 0.62], reference=1.0)  # rising counts as stalled
    assert not switch_leaky.stalled([1.0, np.nan, 0.6, 0.6, 0.6], reference=1.0)
    assert not switch_leaky.stalled([0.6, 0.6, 0.6], reference=1.0)  # too short to have a last quarter


def test_with_activation_copies_the_weights_and_swaps_only_the_activation():
    model = nn.MLP([3, 5, 4, 2], activation="relu", seed=3)
    twin = switch_leaky.with_activation(model, "leaky_relu", negative_slope=0.01)
    for p, q in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
        assert p is not q and p.data is not q.data
    assert [type(layer) for layer in twin.layers] == [type(layer) for layer in model.layers]
    assert all(layer.activation.name == "relu" for layer in model.layers if isinstance(layer, nn.Act))
    x = np.random.default_rng(0).normal(size=(7, 3))
    linears = twin.linears()
    h = torch.from_numpy(x)
    for i, layer in enumerate(linears):
        h = h @ torch.from_numpy(layer.weight.data) + torch.from_numpy(layer.bias.data)
        if i < len(linears) - 1:
            h = torch.nn.functional.leaky_relu(h, 0.01)
    np.testing.assert_allclose(twin(x).data, h.numpy(), rtol=1e-12, atol=1e-12)


def test_constant_loss_is_the_best_constant_predictions_loss():
    y = np.array([[0.0], [1.0], [2.0], [5.0]])
    assert switch_leaky.constant_loss(y, "mse") == pytest.approx(float(np.var(y)))
    labels = np.array([0, 0, 1, 2, 2, 2])
    frequencies = np.bincount(labels) / len(labels)
    logits = torch.log(torch.from_numpy(frequencies)).repeat(len(labels), 1)
    expected = torch.nn.functional.cross_entropy(logits, torch.from_numpy(labels)).item()
    assert switch_leaky.constant_loss(labels, "cross_entropy") == pytest.approx(expected, rel=1e-12)


def test_dead_units_are_those_never_positive():
    model = nn.MLP([2, 4, 1], activation="relu", seed=0)
    model.linears()[0].bias.data[:] = [-100.0, 0.0, 0.0, -100.0]  # units 0 and 3 can never fire on |x| <= 1
    x = np.random.default_rng(1).uniform(-1, 1, size=(50, 2))
    dead = switch_leaky.dead_units(model, x)
    assert dead[0] and dead[3]
    z = x @ model.linears()[0].weight.data
    np.testing.assert_array_equal(dead[1:3], (z[:, 1:3] <= 0).all(axis=0))
