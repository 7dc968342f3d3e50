"""Tests for the chapter 5 (first half) measurements in nonlinear.experiments."""

import warnings

import numpy as np
import pytest

from nonlinear import activations, experiments


def test_naive_sigmoid_matches_stable_where_it_does_not_overflow():
    x = np.linspace(-30, 30, 601)
    assert np.max(np.abs(experiments.naive_sigmoid(x) - activations.get("sigmoid")(x))) < 1e-15


def test_naive_softmax_overflows_on_large_logits_and_stable_one_does_not():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.all(np.isnan(experiments.naive_softmax(np.array([1000.0, 1001.0]))))
    assert np.allclose(activations.get("softmax")(np.array([1000.0, 1001.0])).sum(), 1.0)


def test_calibration_of_true_probabilities_is_small_and_of_constant_bad_guess_is_large():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=50_000)
    y = rng.uniform(size=p.size) < p
    assert experiments.calibration(p, y)["ece"] < 0.01
    assert experiments.calibration(np.full(p.size, 0.95), y)["ece"] == pytest.approx(0.45, abs=0.01)
    with pytest.raises(ValueError):
        experiments.calibration([1.5], [1])


def test_adding_problem_targets_are_the_sum_of_the_two_marked_values():
    X, y = experiments.adding_problem(50, 10, seed=3)
    assert X.shape == (50, 10, 2) and np.all(X[:, :, 1].sum(axis=1) == 2)
    assert np.allclose(y, (X[:, :, 0] * X[:, :, 1]).sum(axis=1))
    assert np.array_equal(experiments.adding_problem(50, 10, seed=3)[0], X)


def test_lstm_forward_matches_torch_lstm():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, batch_first=True, dtype=torch.float64)
    x = np.random.default_rng(0).normal(size=(2, 5, 3))
    with torch.no_grad():
        expected, (_, c_expected) = lstm(torch.from_numpy(x))
    h, c = experiments.lstm_forward(
        x,
        lstm.weight_ih_l0.detach().numpy(),
        lstm.weight_hh_l0.detach().numpy(),
        (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().numpy(),
    )
    assert np.max(np.abs(h - expected.numpy())) < 1e-12
    assert np.max(np.abs(c - c_expected[0].numpy())) < 1e-12


def test_train_gated_rnn_is_deterministic_and_learns_with_sigmoid_gates():
    pytest.importorskip("torch")
    a = experiments.train_gated_rnn("sigmoid", length=6, hidden=8, steps=40, seed=0, test_lengths=(6,))
    b = experiments.train_gated_rnn("sigmoid", length=6, hidden=8, steps=40, seed=0, test_lengths=(6,))
    assert np.array_equal(a["loss"], b["loss"]) and a["test_ratio"] == b["test_ratio"]
    assert not a["diverged"] and len(a["loss"]) == 40
    with pytest.raises(ValueError):
        experiments.train_gated_rnn("maxout", steps=1)
