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


# --- per-layer gradient profile, unit activity, layer-step timing, training runs (chapter 4, results store)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_gradient_profile_matches_torch_autograd(name):
    """Hand-written backpropagation against torch.autograd in float64: dL/dh_l, dL/dW_l and the forward std."""
    import torch

    from nonlinear.reference import torch_function

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 5)), rng.integers(0, 3, size=32)
    model = nn.MLP([5, 7, 6, 4, 3], activation=name, seed=2)
    profile = experiments.gradient_profile(model, X, y)
    linears = model.linears()
    weights = [torch.tensor(layer.weight.data, requires_grad=True) for layer in linears]
    h = torch.tensor(X)
    hidden = []
    for i, (w, layer) in enumerate(zip(weights, linears)):
        z = h @ w + torch.tensor(layer.bias.data)
        if i == len(linears) - 1:
            break
        h = torch_function(name)(z)
        h.retain_grad()
        hidden.append(h)
    torch.nn.functional.cross_entropy(z, torch.tensor(y)).backward()
    np.testing.assert_allclose(profile.grad_h, [float(t.grad.norm()) for t in hidden], rtol=1e-10)
    relative = [float(w.grad.norm() / w.detach().norm()) for w in weights]
    np.testing.assert_allclose(profile.relative_grad_w, relative[:-1], rtol=1e-10)
    assert profile.output_relative_grad_w == pytest.approx(relative[-1], rel=1e-10)
    np.testing.assert_allclose(profile.forward_std, [float(t.detach().std(unbiased=False)) for t in hidden], rtol=1e-10)


def test_gradient_profile_refuses_batch_norm(xor):
    model = nn.MLP([2, 4, 2], activation="relu", batchnorm="before")
    with pytest.raises(ValueError, match="plain MLP"):
        experiments.gradient_profile(model, xor.X_train, xor.y_train)


def test_unit_activity_counts_never_and_always_active_units():
    model = nn.MLP([2, 3, 2], activation="relu", seed=0)
    linear = model.linears()[0]
    linear.weight.data[:] = [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    linear.bias.data[:] = [0.0, -1.0, 1.0]  # unit 0 follows x1, unit 1 is never on, unit 2 always
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 0.0], [-3.0, 0.0]])
    activity = experiments.unit_activity(model, X)
    assert activity == {
        "active": [pytest.approx(6 / 12)],
        "never": [pytest.approx(1 / 3)],
        "always": [pytest.approx(1 / 3)],
    }


@pytest.mark.parametrize("backend", ["torch", "numpy"])
def test_layer_step_times_are_paired_positive_times(backend):
    times = experiments.layer_step_times(["relu", "sigmoid"], width=16, batch=8, repeats=3, number=2, backend=backend)
    assert set(times) == {(n, s) for n in ["relu", "sigmoid"] for s in ["forward", "forward+backward"]}
    assert all(t.shape == (3,) and np.all(t > 0) for t in times.values())
    with pytest.raises(ValueError, match="backend"):
        experiments.layer_step_times(["relu"], 4, backend="jax")


def test_shifted_activation_is_the_function_minus_a_constant():
    from nonlinear import activations

    x = np.linspace(-3, 3, 7)
    shifted = experiments.Shifted("sigmoid", 0.5)
    np.testing.assert_allclose(
        np.asarray(shifted(x).data if hasattr(shifted(x), "data") else shifted(x)),
        activations.get("sigmoid")(x) - 0.5,
        rtol=1e-12,
    )
    np.testing.assert_allclose(activations.get("sigmoid")(x) - 0.5, np.tanh(x / 2) / 2, atol=1e-12)


def test_training_run_is_reproducible_and_pairs_arms_by_seed(xor):
    a = experiments.training_run(xor, "tanh", 2, "adam", seed=3, width=8, epochs=3)
    b = experiments.training_run(xor, "tanh", 2, "adam", seed=3, width=8, epochs=3)
    assert a == b and len(a["loss"]) == 3 and a["mean_loss"] == pytest.approx(np.mean(a["loss"]))
    assert a["final_accuracy"] == a["test_accuracy"][-1] and not a["diverged"]
    shifted = experiments.training_run(
        xor, lambda i: experiments.Shifted("sigmoid", 0.5), 2, "sgd-momentum", 3, width=8, epochs=2, init="xavier"
    )
    assert len(shifted["test_accuracy"]) == 2
    with pytest.raises(ValueError, match="activation factory needs init"):
        experiments.training_run(xor, lambda i: experiments.Shifted("sigmoid", 0.5), 2, "sgd", 3, width=8, epochs=1)
    with pytest.raises(ValueError, match="optimiser must be one of"):
        experiments.training_run(xor, "tanh", 1, "rmsprop", 0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverged_run_scores_chance_for_the_epochs_it_missed(xor):
    run = experiments.training_run(xor, "relu", 2, "sgd", seed=0, width=8, epochs=4, lr=1e30)
    assert run["diverged"] and len(run["loss"]) == 4 and run["final_accuracy"] == 0.5
    assert all(np.isfinite(run["loss"])) and run["loss"][-1] == pytest.approx(np.log(2))
