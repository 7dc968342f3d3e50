"""Tests for the chapter 4 measurements in nonlinear.experiments."""

import numpy as np
import pytest

from nonlinear import data, experiments, nn


@pytest.fixture(scope="module")
def xor():
    return data.xor(n=64, seed=0)


def test_gradient_ratio_by_depth_matches_gradient_norms(xor):
    ratios = experiments.gradient_ratio_by_depth("tanh", [1, 3], xor.X_train, xor.y_train, width=8, seed=1)
    model = nn.MLP([2, 8, 8, 8, 2], activation="tanh", init="xavier", seed=1)
    norms = experiments.gradient_norms(model, xor.X_train, xor.y_train)
    assert set(ratios) == {1, 3}
    assert ratios[3] == pytest.approx(norms[0] / norms[-1], rel=1e-12)


def test_sigmoid_gradient_ratio_shrinks_with_depth(xor):
    ratios = experiments.gradient_ratio_by_depth("sigmoid", [1, 6], xor.X_train, xor.y_train, width=16)
    assert ratios[6] < ratios[1] / 10


def test_second_differences_of_a_parabola_are_constant():
    t = np.linspace(-1, 1, 11)
    d = experiments.second_differences(t**2)
    np.testing.assert_allclose(d, 2 * (t[1] - t[0]) ** 2, rtol=1e-12)
    with pytest.raises(ValueError):
        experiments.second_differences([1.0, 2.0])


def test_loss_along_line_cross_entropy_is_convex_and_mse_sigmoid_is_not():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(float)
    ts = np.linspace(-20, 20, 201)
    w0, d = np.zeros(2), np.array([1.0, -0.5])
    bce = experiments.loss_along_line("sigmoid", X, y, w0, d, ts, "bce_with_logits")
    assert experiments.second_differences(bce).min() > -1e-12
    relu = experiments.loss_along_line("relu", X, y, w0, d, ts, "mse")
    assert experiments.second_differences(relu).min() < -1e-6
    # the value at t = 0 is the mean squared error of f(0)
    mse = experiments.loss_along_line("sigmoid", X, y, w0, d, [0.0], "mse")
    assert mse[0] == pytest.approx(np.mean((0.5 - y) ** 2))
    with pytest.raises(ValueError):
        experiments.loss_along_line("sigmoid", X, y, w0, d, ts, "hinge")


def test_largest_stable_lr_is_monotone_search(xor):
    def make():
        return nn.MLP([2, 8, 2], activation="tanh", seed=0)

    best = experiments.largest_stable_lr(make, xor.X_train, xor.y_train, [0.01, 0.1], epochs=3)
    assert best == 0.1
    # an absurd rate makes a ReLU net overflow or grow its loss: the search stops before it
    huge = experiments.largest_stable_lr(
        lambda: nn.MLP([2, 8, 8, 2], activation="relu", seed=0), xor.X_train * 100, xor.y_train, [0.01, 1e6], epochs=3
    )
    assert huge in (None, 0.01)


def test_is_stable():
    h = nn.History(loss=[1.0, 0.5])
    assert experiments.is_stable(h)
    assert not experiments.is_stable(nn.History(loss=[1.0, 2.0]))
    assert not experiments.is_stable(nn.History(loss=[1.0], diverged=True))


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("backward", [False, True])
def test_layer_time_share_and_time_per_element(backend, backward):
    share = experiments.layer_time_share("relu", batch=8, width=16, backend=backend, backward=backward, repeats=2)
    assert share["matmul"] > 0 and share["activation"] > 0
    assert share["share"] == pytest.approx(share["activation"] / (share["matmul"] + share["activation"]))
    assert experiments.time_per_element("sigmoid", n=1024, backend=backend, backward=backward, repeats=2) > 0


def test_timing_rejects_unknown_backend():
    with pytest.raises(ValueError):
        experiments.layer_time_share("relu", backend="jax")
    with pytest.raises(ValueError):
        experiments.time_per_element("relu", backend="jax")


def test_best_time_is_the_minimum():
    calls = []
    assert experiments.best_time(lambda: calls.append(1), repeats=3) >= 0
    assert len(calls) == 4  # one warm-up and three timed


def test_exact_zero_fraction_counts_zeros():
    model = nn.MLP([2, 4, 2], activation="relu", seed=0)
    assert experiments.exact_zero_fraction(model, np.zeros((3, 2))) == 1.0
    assert experiments.exact_zero_fraction(model, np.ones((3, 2))) == 0.0
