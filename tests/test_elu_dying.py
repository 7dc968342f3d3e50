"""The ch5-elu-dying experiment (nonlinear/study/elu_dying.py): its registration and each unit's largest derivative."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nonlinear import nn, study
from nonlinear.study import ch5, elu_dying


def test_registered_beside_ch5_dying_with_its_rates_and_ten_seeds():
    exp = study.experiments()["ch5-elu-dying"]
    assert exp.seeds == tuple(range(10))
    assert {(c["activation"], c["lr"]) for c in exp.configs} == {
        (a, lr) for a in ("relu", "elu") for lr in ch5.DYING_LRS
    }
    assert "nonlinear/study/ch5.py" in exp.code_files()  # it reuses ch5's data and helpers: its fingerprint says so


@pytest.mark.parametrize("activation", ["elu", "relu"])
def test_largest_derivative_matches_torch(activation):
    """max over examples of f'(z), per hidden unit, against torch's autograd on the same pre-activations."""
    X = np.random.default_rng(0).normal(size=(40, 5))
    model = nn.MLP([5, 7, 6, 3], activation=activation, seed=1)
    ours = elu_dying.largest_derivative(model, X, activation)
    f = torch.nn.functional.elu if activation == "elu" else torch.relu
    for z, got in zip(model.hidden_preactivations(X), ours, strict=True):
        zt = torch.tensor(z, requires_grad=True)
        f(zt).sum().backward()
        np.testing.assert_allclose(got, zt.grad.numpy().max(axis=0), rtol=1e-12, atol=0)


def test_a_unit_pushed_far_negative_falls_below_the_threshold():
    """A large negative bias leaves an ELU unit a derivative of about e^(bias) everywhere, a ReLU unit exactly 0."""
    X = np.random.default_rng(0).normal(size=(40, 5))
    for activation, expected in [("elu", lambda d: 0 < d < 1e-3), ("relu", lambda d: d == 0)]:
        model = nn.MLP([5, 7, 6, 3], activation=activation, seed=1)
        before = elu_dying.largest_derivative(model, X, activation)
        model.linears()[0].bias.data[2] = -40.0
        after = elu_dying.largest_derivative(model, X, activation)
        assert expected(after[0][2]), (activation, after[0][2])
        assert before[0][2] > 1e-3 and np.array_equal(np.delete(after[0], 2), np.delete(before[0], 2))
