"""nonlinear.deep_inside: the variance calculation behind initialisation, and per-layer snapshots of an MLP."""

import numpy as np
import pytest
import torch

from nonlinear import activations, data, deep_inside, experiments, nn
from nonlinear.reference import torch_mlp


def test_gaussian_mean_matches_known_moments():
    for q in [0.01, 1.0, 7.0]:
        assert deep_inside.gaussian_mean(lambda z: z**2, q) == pytest.approx(q, rel=1e-10)
        assert deep_inside.gaussian_mean(lambda z: z**4, q) == pytest.approx(3 * q**2, rel=1e-10)
    # a function with a jump at 0: the probability of z > 0
    assert deep_inside.gaussian_mean(lambda z: (z > 0).astype(float), 2.0) == pytest.approx(0.5, abs=1e-12)


def test_gaussian_mean_refuses_a_negative_variance():
    with pytest.raises(ValueError, match="variance"):
        deep_inside.gaussian_mean(np.square, -1.0)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 0.5])
def test_gain_of_rectifiers_is_the_closed_form(slope):
    act = activations.get("leaky_relu", negative_slope=slope) if slope else activations.get("relu")
    assert deep_inside.variance_preserving_gain(act) == pytest.approx(np.sqrt(2 / (1 + slope**2)), rel=1e-9)
    assert deep_inside.variance_preserving_gain(act) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", slope), rel=1e-9
    )


def test_selu_gain_is_lecun():
    assert deep_inside.variance_preserving_gain("selu") == pytest.approx(1.0, abs=1e-6)


def test_prediction_for_relu_he_is_flat_and_xavier_halves():
    he = deep_inside.predicted_propagation("relu", np.sqrt(2), depth=10)
    np.testing.assert_allclose(he.forward_rms, np.sqrt(2), rtol=1e-9)
    np.testing.assert_allclose(he.gradient_rms, 1.0, rtol=1e-9)
    xavier = deep_inside.predicted_propagation("relu", 1.0, depth=10)
    np.testing.assert_allclose(xavier.forward_rms[1:] / xavier.forward_rms[:-1], np.sqrt(0.5), rtol=1e-9)
    np.testing.assert_allclose(xavier.gradient_rms[:-1] / xavier.gradient_rms[1:], np.sqrt(0.5), rtol=1e-9)


@pytest.mark.parametrize("name, gain", [("tanh", 1.0), ("relu", 1.0), ("sigmoid", 1.0), ("selu", 1.0)])
def test_measurement_follows_prediction(name, gain):
    depth = 20
    predicted = deep_inside.predicted_propagation(name, gain, depth)
    runs = [deep_inside.propagate(name, gain, depth=depth, width=256, n=64, seed=s) for s in range(2)]
    for key in ("forward_rms", "gradient_rms"):
        measured = np.exp(np.mean([np.log(getattr(r, key)) for r in runs], axis=0))
        assert deep_inside.log_ratio_error(measured, getattr(predicted, key)).max() < np.log10(1.5), key


def test_propagate_backward_matches_torch_autograd():
    depth, width, n, seed = 4, 8, 5, 3
    act = activations.get("tanh")
    result = deep_inside.propagate(act, 1.3, depth=depth, width=width, n=n, seed=seed)
    rng = np.random.default_rng(seed)  # replay the same draws in torch
    x = torch.tensor(rng.normal(size=(n, width)), requires_grad=True)
    ws = [torch.tensor(nn.initial_weights(width, width, 1.3 / np.sqrt(width), rng)) for _ in range(depth)]
    upstream = torch.tensor(rng.normal(size=(n, width)))
    outs, a = [], x
    for w in ws:
        a = torch.tanh(a @ w)
        a.retain_grad()
        outs.append(a)
    (a * upstream).sum().backward()
    expected = [float(o.grad.pow(2).mean().sqrt()) for o in outs]
    np.testing.assert_allclose(result.gradient_rms, expected, rtol=1e-12)


def test_snapshot_against_torch_and_experiments():
    d = data.standardise(data.digits())
    X, y = d.X_train[:50], d.y_train[:50]
    model = nn.MLP([64, 16, 16, 10], activation="relu", seed=1)
    snap = deep_inside.snapshot(model, X, y)
    assert len(snap.activations) == len(snap.weight_gradients) == len(snap.output_gradients) == 2
    np.testing.assert_allclose(snap.dead, experiments.dead_fraction(model, X))
    norms = experiments.gradient_norms(model, X, y)
    np.testing.assert_allclose([np.linalg.norm(g) for g in snap.weight_gradients], norms[:2], rtol=1e-12)
    net = torch_mlp(model)
    h, hidden = torch.tensor(X), []
    for layer in net:
        h = layer(h)
        if not isinstance(layer, torch.nn.Linear):
            h.retain_grad()
            hidden.append(h)
    torch.nn.functional.cross_entropy(h, torch.tensor(y)).backward()
    for mine, ref, out in zip(snap.output_gradients, hidden, snap.activations):
        np.testing.assert_allclose(mine, ref.grad.numpy() * len(X), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(out, ref.detach().numpy(), rtol=1e-12)
    # the model's own gradients are left cleared, and its mode restored
    assert all(p.grad is None for p in model.parameters()) and model.training


def test_snapshot_saturated_counts_units_flat_on_every_example():
    model = nn.MLP([2, 4, 2], activation="sigmoid", init=50.0, seed=0)  # huge weights: every unit saturates
    X = np.array([[1.0, 1.0], [2.0, -1.0], [-1.0, 3.0]])
    snap = deep_inside.snapshot(model, X, np.array([0, 1, 0]))
    assert snap.saturated[0] > 0 and snap.dead[0] == 0.0  # sigmoid's derivative is never exactly 0


def test_quantiles_shape():
    q = deep_inside.quantiles([np.arange(11.0), -np.arange(11.0)], qs=(0.1, 0.9), absolute=True)
    np.testing.assert_allclose(q, [[1.0, 9.0], [1.0, 9.0]])


def test_train_and_look_snapshots_before_and_after():
    d = data.standardise(data.digits())
    inside = deep_inside.train_and_look("relu", d, [8, 8], epochs=2, probe=50)
    assert inside.init == "he" and len(inside.history.loss) == 2
    assert len(inside.before.activations) == len(inside.after.activations) == 2
    assert not np.allclose(inside.before.weight_gradients[0], inside.after.weight_gradients[0])
