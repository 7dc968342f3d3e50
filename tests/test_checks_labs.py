"""The lab checks of nonlinear.checks: right answers pass, wrong ones fail with a useful message, nothing raises."""

from __future__ import annotations

import numpy as np
import pytest

from nonlinear import activations, checks

LAB_CHECKS = sorted(
    name
    for name in dir(checks)
    if name.startswith("check_")
    and name
    not in {"check_function", "check_activation", "check_derivative", "check_outputs", "check_value", "check_vjp"}
)

# Checks of a computed value (not of a function): a function given to them is refused as such.
VALUE_CHECKS = {
    "check_best_linear_accuracy",
    "check_sigmoid_vanishing_depth_value",
    "check_half_dead_lr",
    "check_output_choices",
    "check_init_choices",
}


def _raises(*args, **kwargs):
    raise NotImplementedError("Exercise: not done")


def _broken(*args, **kwargs):
    return {}["missing"]


@pytest.mark.parametrize("name", LAB_CHECKS)
@pytest.mark.parametrize(
    "answer, expected",
    [
        (_raises, "not answered yet"),
        (_broken, "KeyError"),
        (lambda *a, **k: None, ""),
        (lambda *a, **k: "text", ""),
        (..., ""),
        (None, ""),
    ],
)
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


def test_swish_derivative_check_hints_at_the_missing_beta():
    s = activations.stable_sigmoid
    message = checks.check_swish_derivative(lambda x, b: s(b * x) * (1 + x * (1 - s(b * x))), show=False).message
    assert "beta = 0.5" in message and "factor beta" in message


def test_gelu_tanh_check_recognises_the_exact_gelu():
    message = checks.check_gelu_tanh(activations.get("gelu"), show=False).message
    assert "exact GELU" in message


def test_swiglu_check_wants_a_connected_graph():
    from nonlinear import autograd

    silu = activations.get("silu")
    right = checks.check_swiglu(lambda x, W1, W3, W2: (silu(x @ W1) * (x @ W3)) @ W2, show=False)
    assert right.passed, right.message
    detached = checks.check_swiglu(
        lambda x, W1, W3, W2: autograd.Tensor((silu(x.data @ W1.data) * (x.data @ W3.data)) @ W2.data), show=False
    )
    assert not detached.passed and "no gradient reached x" in detached.message
    numpy_out = checks.check_swiglu(
        lambda x, W1, W3, W2: (silu(x.data @ W1.data) * (x.data @ W3.data)) @ W2.data, show=False
    )
    assert not numpy_out.passed and "autograd.Tensor" in numpy_out.message
    glu = checks.check_swiglu(lambda x, W1, W3, W2: (activations.get("sigmoid")(x @ W1) * (x @ W3)) @ W2, show=False)
    assert not glu.passed and "GLU" in glu.message


def test_swiglu_hidden_size_check_matches_llama():
    assert checks._ref_swiglu_hidden_size(4096, 256) == 11008
    message = checks.check_swiglu_hidden_size(lambda d, m: int(8 * d / 3), show=False).message
    assert "round up" in message


def test_bce_check_rejects_the_naive_formula_as_overflowing():
    def naive(z, y):
        p = 1 / (1 + np.exp(-z))
        return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))

    result = checks.check_bce_with_logits(naive, show=False)
    assert not result.passed and "numpy warned" in result.message


def test_cross_entropy_check_hints_at_the_missing_max():
    def no_max(z, y):
        m = z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.sum(np.exp(z - m), axis=1)) - z[np.arange(len(y)), y]))

    assert "add it back" in checks.check_cross_entropy(no_max, show=False).message


def test_output_choices_check_explains_each_wrong_task():
    answer = {
        "spam": ("softmax", "cross_entropy"),
        "digit": ("softmax", "cross_entropy"),
        "price": ("none", "mse"),
        "tags": ("softmax", "cross_entropy"),
    }
    message = checks.check_output_choices(answer, show=False).message
    assert "2 of 4" in message and "spam" in message and "several can apply" in message
    assert "missing tasks" in checks.check_output_choices({"spam": ("sigmoid", "bce_with_logits")}, show=False).message
    assert "pair of strings" in checks.check_output_choices({**answer, "spam": "sigmoid"}, show=False).message


def test_init_choices_check_reports_the_signal_at_layer_30():
    message = checks.check_init_choices({"relu": "xavier", "leaky_relu": "he", "selu": "he"}, show=False).message
    assert "relu" in message and "layer 30" in message and "selu" in message
    assert checks.check_init_choices({"relu": "he", "leaky_relu": "HE", "selu": "lecun"}, show=False).passed


def test_layer_statistics_check_agrees_with_the_experiment_and_hints_at_the_variance():
    from nonlinear import experiments

    def via_experiments(activation, init, depth, width=256, n=512, seed=0):
        s = experiments.forward_statistics(activation, depth=depth, width=width, n=n, init=init, seed=seed)
        return s["mean"], s["std"]

    assert checks.check_layer_statistics(via_experiments, show=False).passed

    def variance(*args):
        means, stds = via_experiments(*args)
        return means, stds**2

    assert "standard deviation" in checks.check_layer_statistics(variance, show=False).message


def test_accuracy_summary_check_hints_at_the_population_std():
    import statistics

    from nonlinear import task_comparison

    def population(activation, seeds=(0, 1, 2)):
        accuracies = [task_comparison.train_one(activation, "digits", s).test_accuracy for s in seeds]
        return statistics.fmean(accuracies), statistics.pstdev(accuracies)

    assert "ddof=1" in checks.check_accuracy_summary(population, show=False).message
