"""nonlinear.input_scaling: prepared inputs, saturation relative to f'(0), layer-input statistics under batch norm."""

import numpy as np
import pytest

from nonlinear import data, input_scaling, nn


@pytest.fixture(scope="module")
def digits():
    return data.digits()


def test_preparations(digits):
    std = input_scaling.prepare(digits, "standardised")
    np.testing.assert_allclose(std.X_train.mean(0), 0, atol=1e-12)
    shifted = input_scaling.prepare(digits, "shifted +4")
    np.testing.assert_allclose(shifted.X_train - std.X_train, 4.0)
    np.testing.assert_allclose(shifted.X_test - std.X_test, 4.0)  # the test set uses the training statistics
    np.testing.assert_allclose(input_scaling.prepare(digits, "scaled ×4").X_train, 4 * std.X_train)
    assert input_scaling.prepare(digits, "raw 0–16").X_train.max() == 16.0
    with pytest.raises(ValueError, match="unknown preparation"):
        input_scaling.prepare(digits, "min-max")


@pytest.mark.parametrize(
    "name, edge", [("tanh", np.arctanh(np.sqrt(0.9))), ("sigmoid", np.log((1 + np.sqrt(0.9)) / (1 - np.sqrt(0.9))))]
)
def test_saturated_share_uses_the_slope_at_zero(name, edge):
    # one hidden unit with weight 1: its pre-activation is the input itself
    model = nn.MLP([1, 1, 2], activation=name, init=1.0, seed=0)
    model.linears()[0].weight.data[:] = 1.0
    X = np.array([[edge - 0.01], [edge + 0.01], [-(edge + 0.01)], [0.0]])
    assert input_scaling.saturated_share(model, X) == [0.5]
    assert input_scaling.mean_relative_slope(model, np.zeros((3, 1))) == [pytest.approx(1.0)]


def test_layer_input_stats_with_batchnorm_leaves_running_averages(digits):
    model = nn.MLP([64, 8, 8, 10], activation="tanh", batchnorm="before", seed=0)
    before = [(bn.running_mean.copy(), bn.running_var.copy()) for bn in model.layers if isinstance(bn, nn.BatchNorm1d)]
    stats = input_scaling.layer_input_stats(model, 5 + digits.X_train[:100])
    np.testing.assert_allclose(stats["mean"], 0, atol=1e-10)  # normalised with the batch's own statistics
    np.testing.assert_allclose(stats["std"], 1, atol=1e-3)
    after = [(bn.running_mean, bn.running_var) for bn in model.layers if isinstance(bn, nn.BatchNorm1d)]
    for (m0, v0), (m1, v1) in zip(before, after):
        np.testing.assert_array_equal(m0, m1)
        np.testing.assert_array_equal(v0, v1)


def test_train_with_checkpoints_is_deterministic(digits):
    prepared = input_scaling.prepare(digits, "standardised")
    a = input_scaling.train_with_checkpoints("tanh", prepared, seed=1, hidden=(8,), epochs=2)
    b = input_scaling.train_with_checkpoints("tanh", prepared, seed=1, hidden=(8,), epochs=2)
    assert a["loss"] == b["loss"] and len(a["stats"]) == 3
    assert a["loss"][-1] < a["loss"][0]
