"""Tests for the measurements chapters 2 and 3 added to nonlinear.experiments."""

import numpy as np
import pytest
import torch

from nonlinear import activations, data, experiments, nn


def test_effective_linear_map_reproduces_a_ten_layer_linear_stack():
    rng = np.random.default_rng(0)
    stack = nn.Sequential(*[nn.Linear(5, 5, init="xavier", rng=rng) for _ in range(10)])
    for layer in stack.layers:
        layer.bias.data = rng.normal(size=5)
    X = rng.normal(size=(7, 5))
    weight, bias = experiments.effective_linear_map(stack)
    np.testing.assert_allclose(stack(X).data, X @ weight + bias, rtol=0, atol=1e-12)


def test_effective_linear_map_refuses_a_stack_with_an_activation():
    model = nn.MLP([2, 3, 1], activation="relu")
    with pytest.raises(ValueError, match="nn.Linear"):
        experiments.effective_linear_map(model)


def test_relu_kinks_are_where_the_hidden_preactivations_cross_zero():
    model = nn.MLP([1, 6, 1], activation="relu", seed=3)
    model.linears()[0].bias.data = np.linspace(-1, 1, 6)
    kinks = experiments.relu_kinks(model)
    z = model.hidden_preactivations(kinks[:, None])[0]
    # each kink zeroes (at least) one hidden unit's pre-activation
    assert np.all(np.min(np.abs(z), axis=1) < 1e-12)
    assert np.all(np.diff(kinks) >= 0)


def test_finite_differences_match_the_engine_and_torch():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    tanh = activations.get("tanh")

    def loss():
        return float(np.sum(tanh(x @ w) ** 2))

    numeric = experiments.finite_difference_gradient(loss, w)
    wt = torch.tensor(w, requires_grad=True)
    (torch.tanh(torch.tensor(x) @ wt) ** 2).sum().backward()
    np.testing.assert_allclose(numeric, wt.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_finite_differences_refuse_float32():
    with pytest.raises(ValueError, match="float64"):
        experiments.finite_difference_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_nonnegative_inputs_give_one_signed_gradients_at_batch_size_one(activation):
    d = data.xor(seed=0)
    model = nn.MLP([2, 8, 8, 2], activation=activation, seed=0)
    assert experiments.same_sign_fraction(model, d.X_train, d.y_train, layer=1, batch_size=1) == 1.0


def test_zero_centred_inputs_mostly_break_the_single_sign():
    d = data.xor(seed=0)
    model = nn.MLP([2, 16, 16, 2], activation="tanh", seed=0)
    assert experiments.same_sign_fraction(model, d.X_train, d.y_train, layer=1, batch_size=1) < 0.5


def test_two_weight_descent_converges_and_reports_update_signs():
    rng = np.random.default_rng(0)
    X = activations.get("tanh")(rng.normal(size=(100, 2)))
    out = experiments.two_weight_descent(X, lr=0.5, steps=200)
    assert out["path"].shape == (201, 2)
    np.testing.assert_allclose(out["path"][-1], [1.0, -1.0], atol=1e-6)
    positive = experiments.two_weight_descent(np.abs(X), lr=0.1, steps=20, batch_size=1)
    assert positive["same_sign"].all()  # every single-example update moves both weights together


def test_lif_rate_is_zero_below_threshold_and_saturates_at_one_over_refractory():
    rate = experiments.lif_rate(np.array([0.0, 0.99, 1.5, 1e6]), refractory=0.002)
    assert rate[0] == 0 and rate[1] == 0 and 0 < rate[2] < 500
    assert rate[3] == pytest.approx(500, rel=1e-3)
    assert np.all(np.diff(experiments.lif_rate(np.linspace(1.01, 50, 100))) > 0)
