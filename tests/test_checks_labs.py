"""The lab checks of nonlinear.checks: right answers pass, wrong ones fail with a useful message, nothing raises."""

from __future__ import annotations

import numpy as np
import pytest

from nonlinear import activations, checks

LAB_CHECKS = sorted(name for name in dir(checks) if name.startswith("check_") and name not in {
    "check_function", "check_activation", "check_derivative", "check_outputs", "check_value", "check_vjp"})

# Checks of a computed value (not of a function): a function given to them is refused as such.
VALUE_CHECKS = {"check_best_linear_accuracy", "check_sigmoid_vanishing_depth_value", "check_half_dead_lr"}


def _raises(*args, **kwargs):
    raise NotImplementedError("Exercise: not done")


def _broken(*args, **kwargs):
    return {}["missing"]


@pytest.mark.parametrize("name", LAB_CHECKS)
@pytest.mark.parametrize("answer, expected", [
    (_raises, "not answered yet"),
    (_broken, "KeyError"),
    (lambda *a, **k: None, ""),
    (lambda *a, **k: "text", ""),
    (..., ""),
    (None, ""),
])
def test_a_lab_check_never_raises_and_fails_unfinished_or_broken_answers(name, answer, expected):
    result = getattr(checks, name)(answer, show=False)
    assert isinstance(result, checks.CheckResult)
    assert not result.passed
    if name in VALUE_CHECKS and callable(answer):
        expected = "got a function"
    assert expected in result.message
    assert "Traceback" not in result.message


def test_check_outputs_names_the_part_and_the_case():
    result = checks.check_linear_backward(lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)), show=False)
    assert not result.passed
    assert "grad_b" in result.message and "test case" in result.message
    assert "sums over the batch" in result.message


def test_check_outputs_wants_a_tuple_when_there_are_parts():
    result = checks.check_linear_backward(lambda x, W, g: g @ W.T, show=False)
    assert not result.passed and "tuple of 3" in result.message


def test_check_vjp_hints_at_a_forgotten_grad_out():
    s = activations.stable_sigmoid
    result = checks.check_sigmoid_vjp(lambda x, g: s(x) * (1 - s(x)), show=False)
    assert not result.passed and "grad_out" in result.message


def test_check_vjp_rejects_an_overflowing_formula():
    result = checks.check_sigmoid_vjp(lambda x, g: g * np.exp(-x) / (1 + np.exp(-x)) ** 2, show=False)
    assert not result.passed and "overflow" in result.message


def test_check_vjp_reports_float32_trouble():
    s = activations.stable_sigmoid

    def float64_only(x, g):
        if x.dtype == np.float32:
            return np.zeros_like(x)
        return g * s(x) * (1 - s(x))

    result = checks.check_sigmoid_vjp(float64_only, show=False)
    assert not result.passed and "float32" in result.message


def test_check_value_says_too_large_or_too_small_and_hints():
    assert "too large" in checks.check_value(2.0, 1.0, "v", show=False).message
    assert "too small" in checks.check_value(0.5, 1.0, "v", show=False).message
    assert "chance" in checks.check_best_linear_accuracy(0.5, show=False).message
    assert checks.check_best_linear_accuracy(0.75, show=False).passed


def test_check_value_refuses_a_function():
    assert "function" in checks.check_value(lambda: 1, 1.0, "v", show=False).message


def test_xor_check_explains_a_sign_flip():
    W1, b1 = np.ones((2, 2)), np.array([0.0, -1.0])
    right = (W1, b1, np.array([1.0, -2.0]), -0.5)
    flipped = (W1, b1, np.array([-1.0, 2.0]), 0.5)
    assert checks.check_xor_network(lambda: right, show=False).passed
    message = checks.check_xor_network(lambda: flipped, show=False).message
    assert "flip the sign" in message


def test_two_layer_check_hints_at_the_missing_tanh_factor():
    def no_factor(x, y, W1, b1, W2, b2):
        h = np.tanh(x @ W1 + b1)
        g = 2 * (h @ W2 + b2 - y) / y.size
        gh = g @ W2.T
        return x.T @ gh, gh.sum(axis=0), h.T @ g, g.sum(axis=0)

    message = checks.check_two_layer_gradients(no_factor, show=False).message
    assert "tanh'" in message
