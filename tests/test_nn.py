"""Layers, MLPs, losses, optimisers and the training loop against the same network in PyTorch (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close

from nonlinear import activations, nn, reference
from nonlinear.autograd import Tensor

TORCH_ELEMENTWISE = [
    n for n in activations.names() if activations.get(n).elementwise and reference.torch_function(n) is not None
]
LOSSES = ["cross_entropy", "bce_with_logits", "mse"]
N, IN, HIDDEN = 16, 5, (7, 6)
GRAD_RTOL, GRAD_ATOL = 1e-10, 1e-12  # float64 through three layers: far tighter in practice


def problem(loss: str, seed: int = 0):
    """Inputs, targets for ``loss`` and the output width."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0, 2, size=(N, IN))
    if loss == "cross_entropy":
        return X, rng.integers(0, 3, size=N), 3
    if loss == "bce_with_logits":
        return X, rng.integers(0, 2, size=(N, 1)).astype(np.float64), 1
    return X, rng.normal(size=(N, 2)), 2


def torch_loss(loss: str, output, y):
    if loss == "cross_entropy":
        return F.cross_entropy(output, torch.as_tensor(y))
    if loss == "bce_with_logits":
        return F.binary_cross_entropy_with_logits(output, torch.as_tensor(y))
    return F.mse_loss(output, torch.as_tensor(y))


def engine_grads(model) -> list[np.ndarray]:
    return [p.grad for p in model.parameters()]


def torch_grads(model, torch_model) -> list[np.ndarray]:
    """Torch gradients in the engine's parameter order and layout (Linear weights transposed)."""
    grads = []
    modules = [m for m in torch_model if isinstance(m, (torch.nn.Linear, torch.nn.PReLU))]
    for m in modules:
        if isinstance(m, torch.nn.Linear):
            grads.append(m.weight.grad.numpy().T)
            grads.append(m.bias.grad.numpy())
        else:
            grads.append(m.weight.grad.numpy())
    return grads


def compare_with_torch(model, loss: str, X, y, label: str):
    torch_model = reference.torch_mlp(model)
    value = nn.get_loss(loss)(model(X), y)
    value.backward()
    torch_value = torch_loss(loss, torch_model(torch.as_tensor(X)), y)
    torch_value.backward()
    assert_close(value.data, torch_value.detach().numpy(), X, rtol=1e-12, what=f"{label} loss")
    params = engine_grads(model)
    expected = torch_grads(model, torch_model)
    assert len(params) == len(expected)
    for k, (g, e) in enumerate(zip(params, expected, strict=True)):
        assert_close(g, e, X, rtol=GRAD_RTOL, atol=GRAD_ATOL, what=f"{label} gradient of parameter {k}")


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", TORCH_ELEMENTWISE + ["prelu"])
def test_mlp_loss_and_gradients_equal_torch(activation, loss):
    X, y, out = problem(loss)
    model = nn.MLP([IN, *HIDDEN, out], activation=activation, seed=1)
    model.eval()  # rrelu: the evaluation-mode slope, which is what torch's rrelu(training=False) uses
    compare_with_torch(model, loss, X, y, f"MLP({activation}) with {loss}")


def test_prelu_layer_with_per_feature_slopes_matches_torch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 4))
    layer = nn.PReLU(4, init=0.1)
    layer.weight.data = np.array([0.1, -0.2, 0.3, 0.0])
    out = layer(Tensor(X, requires_grad=True))
    g = rng.normal(size=out.shape)
    out.backward(g)
    tw = torch.tensor(layer.weight.data, requires_grad=True)
    F.prelu(torch.tensor(X), tw).backward(torch.tensor(g))
    assert_close(layer.weight.grad, tw.grad.numpy(), X, rtol=1e-13, what="PReLU slope gradient")


# ---------------------------------------------------------------------------
# Training curves: the engine's optimisers against torch.optim from the same weights
# ---------------------------------------------------------------------------


def torch_curve(model, X, y, loss, make_optimizer, steps):
    torch_model = reference.torch_mlp(model)
    optimizer = make_optimizer(torch_model.parameters())
    Xt = torch.as_tensor(X)
    curve = []
    for _ in range(steps):
        optimizer.zero_grad()
        value = torch_loss(loss, torch_model(Xt), y)
        value.backward()
        optimizer.step()
        curve.append(value.item())
    return np.array(curve)


@pytest.mark.parametrize(
    ("engine_optimizer", "torch_optimizer"),
    [
        (lambda p: nn.SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
        (
            lambda p: nn.SGD(p, lr=0.05, momentum=0.5, weight_decay=1e-3),
            lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=1e-3),
        ),
        (lambda p: nn.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
        (
            lambda p: nn.Adam(p, lr=0.02, betas=(0.8, 0.99), weight_decay=1e-3),
            lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), weight_decay=1e-3),
        ),
    ],
    ids=["sgd-momentum", "sgd-weight-decay", "adam", "adam-betas-weight-decay"],
)
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_training_curve_equals_torch(activation, engine_optimizer, torch_optimizer):
    X, y, out = problem("cross_entropy", seed=3)
    model = nn.MLP([IN, 8, out], activation=activation, seed=2)
    expected = torch_curve(model, X, y, "cross_entropy", torch_optimizer, steps=30)
    history = nn.train(
        model, X, y, loss="cross_entropy", optimizer=engine_optimizer(model.parameters()), epochs=30, progress=False
    )
    curve = np.array(history.loss)
    assert len(curve) == 30 and not history.diverged
    assert curve[-1] < curve[0], "the loss should go down in 30 steps"
    worst = int(np.argmax(np.abs(curve - expected)))
    assert np.abs(curve - expected).max() < 1e-9, (
        f"step {worst}: engine loss {curve[worst]!r}, torch {expected[worst]!r}"
    )


# ---------------------------------------------------------------------------
# Batch normalisation
# ---------------------------------------------------------------------------


def test_batchnorm_train_and_eval_match_torch():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm1d(3, momentum=0.2)
    bn.gamma.data = rng.normal(size=3)
    bn.beta.data = rng.normal(size=3)
    tbn = torch.nn.BatchNorm1d(3, momentum=0.2, dtype=torch.float64)
    with torch.no_grad():
        tbn.weight.copy_(torch.as_tensor(bn.gamma.data))
        tbn.bias.copy_(torch.as_tensor(bn.beta.data))
    for step in range(3):  # three training batches: outputs, gradients and running statistics
        X = rng.normal(2.0, 3.0, size=(10, 3))
        bn.gamma.grad = bn.beta.grad = None
        x = Tensor(X, requires_grad=True)
        out = bn(x)
        g = rng.normal(size=out.shape)
        out.backward(g)
        xt = torch.tensor(X, requires_grad=True)
        tbn.zero_grad()
        tout = tbn(xt)
        tout.backward(torch.tensor(g))
        assert_close(out.data, tout.detach().numpy(), X, rtol=1e-12, atol=1e-14, what=f"batchnorm train output {step}")
        assert_close(x.grad, xt.grad.numpy(), X, rtol=1e-10, atol=1e-13, what=f"batchnorm input gradient {step}")
        assert_close(bn.gamma.grad, tbn.weight.grad.numpy(), X, rtol=1e-12, atol=1e-14, what="gamma gradient")
        assert_close(bn.beta.grad, tbn.bias.grad.numpy(), X, rtol=1e-12, what="beta gradient")
        assert_close(bn.running_mean, tbn.running_mean.numpy(), X, rtol=1e-13, what="running mean")
        assert_close(bn.running_var, tbn.running_var.numpy(), X, rtol=1e-13, what="running variance")
    bn.eval()
    tbn.eval()
    X = rng.normal(size=(5, 3))
    x = Tensor(X, requires_grad=True)
    out = bn(x)
    out.backward(np.ones(out.shape))
    xt = torch.tensor(X, requires_grad=True)
    tout = tbn(xt)
    tout.backward(torch.ones_like(tout))
    assert_close(out.data, tout.detach().numpy(), X, rtol=1e-12, atol=1e-14, what="batchnorm eval output")
    assert_close(x.grad, xt.grad.numpy(), X, rtol=1e-12, what="batchnorm eval input gradient")


@pytest.mark.parametrize("placement", ["before", "after"])
def test_mlp_with_batchnorm_orders_layers(placement):
    model = nn.MLP([4, 6, 2], activation="relu", batchnorm=placement, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    expected = (
        ["Linear", "BatchNorm1d", "Act", "Linear"]
        if placement == "before"
        else ["Linear", "Act", "BatchNorm1d", "Linear"]
    )
    assert kinds == expected
    assert model(np.zeros((3, 4))).shape == (3, 2)


# ---------------------------------------------------------------------------
# MLP construction, initialisation, training loop
# ---------------------------------------------------------------------------


def test_init_std_formulas():
    assert nn.init_std("xavier", 10, 30) == pytest.approx(np.sqrt(2 / 40), rel=1e-15)
    assert nn.init_std("he", 10, 30) == pytest.approx(np.sqrt(2 / 10), rel=1e-15)
    assert nn.init_std("lecun", 10, 30) == pytest.approx(np.sqrt(1 / 10), rel=1e-15)
    w = nn.initial_weights(400, 300, "he", np.random.default_rng(0))
    assert w.shape == (400, 300) and w.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    u = nn.initial_weights(400, 300, "he", np.random.default_rng(0), uniform=True)
    assert u.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02) and np.abs(u).max() <= np.sqrt(6 / 400)
    for std in (0.05, np.float32(0.05), np.float64(0.05)):  # a number is the std itself, whatever its type
        w = nn.initial_weights(400, 300, std, np.random.default_rng(0))
        assert w.std() == pytest.approx(0.05, rel=0.02)
    with pytest.raises(ValueError, match="unknown initialisation"):
        nn.initial_weights(4, 3, np.bool_(True), np.random.default_rng(0))


def test_mlp_auto_init_follows_the_activation():
    assert nn.MLP([4, 8, 2], activation="relu").init == "he"
    assert nn.MLP([4, 8, 2], activation="selu").init == "lecun"
    assert nn.MLP([4, 8, 2], activation="tanh").init == "xavier"
    assert nn.MLP([4, 8, 2], activation="tanh", init="he").init == "he"
    # "auto" leaves the output layer (which feeds no activation) Xavier; any other init covers every layer
    relu = nn.MLP([400, 300, 200], activation="relu", init="auto").linears()
    assert relu[0].weight.data.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert relu[1].weight.data.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    assert nn.MLP([400, 300, 200], init="he").linears()[1].weight.data.std() == pytest.approx(
        np.sqrt(2 / 300), rel=0.02
    )


def test_mlp_prelu_starts_every_slope_at_the_weight_given():
    assert [
        m.weight.data.tolist() for m in nn.MLP([4, 8, 8, 2], activation="prelu").layers if isinstance(m, nn.PReLU)
    ] == [
        [0.25],
        [0.25],
    ]
    model = nn.MLP([4, 8, 8, 2], activation="prelu", weight=0.1)
    assert [m.weight.data.tolist() for m in model.layers if isinstance(m, nn.PReLU)] == [[0.1], [0.1]]
    with pytest.raises(ValueError, match="prelu has no parameter negative_slope"):
        nn.MLP([4, 8, 2], activation="prelu", negative_slope=0.1)
    with pytest.raises(ValueError, match="give weight as a float"):
        nn.MLP([4, 8, 2], activation="prelu", weight=[0.1, 0.2])


def test_mlp_is_deterministic_for_a_seed():
    a = nn.MLP([4, 8, 3], seed=5)
    b = nn.MLP([4, 8, 3], seed=5)
    c = nn.MLP([4, 8, 3], seed=6)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    assert not np.array_equal(a.parameters()[0].data, c.parameters()[0].data)


def test_hidden_preactivations_and_activations():
    model = nn.MLP([3, 5, 4, 2], activation="relu", seed=0)
    X = np.random.default_rng(0).normal(size=(6, 3))
    zs, hs = model.hidden_preactivations(X), model.hidden_activations(X)
    assert [z.shape for z in zs] == [(6, 5), (6, 4)]
    for z, h in zip(zs, hs, strict=True):
        np.testing.assert_array_equal(h, np.maximum(z, 0))
    assert len(model.forward_with_activations(X)) == len(model.layers)


def test_train_returns_history_and_is_deterministic():
    X, y, out = problem("cross_entropy", seed=4)
    runs = []
    for _ in range(2):
        model = nn.MLP([IN, 8, out], activation="tanh", seed=0)
        runs.append(nn.train(model, X, y, epochs=5, batch_size=4, seed=3, X_test=X[:6], y_test=y[:6], progress=False))
    first, second = runs
    assert isinstance(first, nn.History)
    assert len(first.loss) == len(first.train_accuracy) == len(first.test_loss) == len(first.test_accuracy) == 5
    assert len(first.seconds) == 5 and all(0 <= a <= 1 for a in first.train_accuracy)
    assert first.loss == second.loss and first.test_accuracy == second.test_accuracy
    assert first.epochs_to(first.loss[-1]) <= 5 and first.epochs_to(-1.0) is None
    other = nn.train(
        nn.MLP([IN, 8, out], activation="tanh", seed=0), X, y, epochs=5, batch_size=4, seed=4, progress=False
    )
    assert other.loss != first.loss, "a different shuffling seed should give a different curve"


def test_train_with_stochastic_activation_is_deterministic():
    X, y, out = problem("cross_entropy", seed=4)
    curves = [
        nn.train(nn.MLP([IN, 8, out], activation="rrelu", seed=0), X, y, epochs=3, progress=False).loss
        for _ in range(2)
    ]
    assert curves[0] == curves[1]


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_train_detects_divergence_without_raising(activation):
    X, y, out = problem("mse", seed=0)
    model = nn.MLP([IN, 16, out], activation=activation, seed=0)
    history = nn.train(
        model, X * 100, y * 1e3, loss="mse", optimizer=nn.SGD(model.parameters(), lr=1e6), epochs=50, progress=False
    )
    assert history.diverged
    assert len(history.loss) < 50
    assert all(np.isfinite(history.loss))


def test_evaluate_keeps_the_training_mode():
    X, y, out = problem("cross_entropy")
    model = nn.MLP([IN, 8, out], seed=0)
    loss, acc = nn.evaluate(model, X, y)
    assert model.training and np.isfinite(loss) and 0 <= acc <= 1
    model.eval()
    nn.evaluate(model, X, y)
    assert not model.training


def test_accuracy_rules():
    assert nn.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]), "cross_entropy") == 0.5
    assert nn.accuracy(np.array([[2.0], [-1.0]]), np.array([[1.0], [1.0]]), "bce_with_logits") == 0.5
    assert np.isnan(nn.accuracy(np.zeros((2, 1)), np.zeros((2, 1)), "mse"))


def test_losses_are_exact_for_extreme_logits():
    """bce_with_logits and cross_entropy never take log(0): huge logits give exact, finite losses."""
    logits = Tensor(np.array([[1e3], [-1e3]]), requires_grad=True)
    value = nn.bce_with_logits(logits, np.array([[0.0], [1.0]]))
    assert value.item() == pytest.approx(1e3, rel=1e-15)
    value.backward()
    np.testing.assert_allclose(logits.grad, [[0.5], [-0.5]], rtol=1e-15)
    ce = nn.cross_entropy(Tensor(np.array([[1e3, -1e3, 0.0]])), np.array([1]))
    assert ce.item() == pytest.approx(2e3, rel=1e-15)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_linear_with_wrong_input_width():
    with pytest.raises(ValueError, match=r"Linear expects input of shape \(N, 3\), got \(2, 4\)"):
        nn.Linear(3, 2)(np.zeros((2, 4)))


def test_cross_entropy_needs_integer_labels():
    logits = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"integer class labels of shape \(3,\), got float64"):
        nn.cross_entropy(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"class labels must lie in 0\.\.3"):
        nn.cross_entropy(logits, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"logits of shape \(N, classes\)"):
        nn.cross_entropy(Tensor(np.zeros(3)), np.array([0, 1, 2]))


def test_regression_and_binary_losses_check_targets():
    with pytest.raises(ValueError, match=r"mse_loss: target shape \(3,\) must equal prediction shape \(3, 1\)"):
        nn.mse_loss(Tensor(np.zeros((3, 1))), np.zeros(3))
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\]"):
        nn.bce_with_logits(Tensor(np.zeros((2, 1))), np.array([[0.0], [2.0]]))
    with pytest.raises(ValueError, match="unknown loss 'hinge'; use one of mse, bce_with_logits, cross_entropy"):
        nn.get_loss("hinge")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sizes": [4]}, "at least two positive integers"),
        ({"sizes": [4, 0, 2]}, "at least two positive integers"),
        ({"sizes": [4, 2], "batchnorm": "middle"}, "batchnorm must be None, 'before' or 'after'"),
        ({"sizes": [4, 4, 2], "activation": "softmax"}, "needs an elementwise hidden activation"),
        ({"sizes": [4, 4, 2], "activation": "reluu"}, "unknown activation 'reluu'"),
        ({"sizes": [4, 4, 2], "init": "glorot"}, "unknown initialisation 'glorot'"),
    ],
)
def test_mlp_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.MLP(**kwargs)


def test_optimisers_and_train_reject_bad_arguments():
    params = nn.MLP([2, 2]).parameters()
    with pytest.raises(ValueError, match="lr must be > 0, got 0"):
        nn.SGD(params, lr=0)
    with pytest.raises(ValueError, match="lr must be > 0, got -1"):
        nn.Adam(params, lr=-1)
    with pytest.raises(ValueError, match=r"X must be \(N, features\) and y must have N entries"):
        nn.train(nn.MLP([2, 2]), np.zeros((4, 2)), np.zeros(3, dtype=int), progress=False)
    with pytest.raises(TypeError, match="X must hold real numbers"):
        nn.train(nn.MLP([2, 2]), np.array([["a", "b"]]), np.zeros(1, dtype=int), progress=False)
