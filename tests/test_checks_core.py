"""Exercise checkers: right answers pass, plausible wrong answers fail with a useful message, nothing raises."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nonlinear import checks


def stable_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def test_correct_answers_pass():
    assert checks.check_activation(lambda x: np.maximum(x, 0), "relu", show=False)
    assert checks.check_activation(stable_sigmoid, "sigmoid", show=False)
    assert checks.check_activation(lambda x: np.where(x > 0, x, 0.2 * x), "leaky_relu", negative_slope=0.2, show=False)
    result = checks.check_derivative(lambda x: stable_sigmoid(x) * (1 - stable_sigmoid(x)), "sigmoid", show=False)
    assert result.passed and "including 0 and ±1000" in result.message
    # at the kink any convention is accepted: the check skips x = 0
    assert checks.check_derivative(lambda x: (x >= 0).astype(float), "relu", show=False)


def test_wrong_sigmoid_derivative_fails_and_says_where():
    wrong = lambda x: stable_sigmoid(x) * (1 + stable_sigmoid(x))  # noqa: E731
    result = checks.check_derivative(wrong, "sigmoid", show=False)
    assert not result.passed
    assert "inputs are wrong; worst at x =" in result.message
    assert "your derivative" in result.message and "expected" in result.message and "tolerance" in result.message


def test_hint_names_the_common_mistake():
    wrong = lambda x: stable_sigmoid(x) * (1 + stable_sigmoid(x))  # noqa: E731
    hint = (wrong, "sigma' = sigma (1 - sigma): check the sign")
    result = checks.check_derivative(wrong, "sigmoid", hints=[hint], show=False)
    assert not result.passed and result.message.endswith("Hint: sigma' = sigma (1 - sigma): check the sign")


def test_unstable_sigmoid_that_overflows_fails():
    result = checks.check_activation(lambda x: 1 / (1 + np.exp(-x)), "sigmoid", show=False)
    assert not result.passed
    assert "overflow" in result.message and "non-positive argument" in result.message


def test_relu_with_the_wrong_sign_fails():
    result = checks.check_activation(lambda x: np.maximum(-x, 0), "relu", show=False)
    assert not result.passed and "inputs are wrong" in result.message


@pytest.mark.parametrize(
    ("answer", "expected_message"),
    [
        (lambda x: None, "returned nothing"),
        (lambda x: ..., "returned nothing"),
        (lambda x: 1 / 0, "your function raised ZeroDivisionError: division by zero"),
        (lambda x: x.undefined, "your function raised AttributeError"),
        (lambda x: "relu", "expected a numpy array of numbers"),
        (lambda x: {"a": 1}, "expected a numpy array of numbers"),
        (lambda x: x[:3], "shape (3,), expected"),
        (lambda x: np.full_like(x, np.nan), "NaN at x ="),
        (lambda x: np.maximum(x, 0) + 1j, "returned complex numbers"),
        (lambda x: np.maximum(x, 0).astype(complex), "returned complex numbers"),
    ],
)
def test_broken_answers_fail_with_a_message(answer, expected_message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a check never raises, even where warnings are errors (strict builds)
        result = checks.check_activation(answer, "relu", show=False)
    assert not result.passed
    assert expected_message in result.message, result.message


def test_stub_that_is_not_answered_yet():
    def stub(x):
        raise NotImplementedError("Need to implement for Task 5.1")

    result = checks.check_activation(stub, "relu", show=False)
    assert not result.passed and "not answered yet" in result.message


def test_not_a_function():
    result = checks.check_activation(np.array([1.0]), "relu", show=False)
    assert not result.passed and "expected a function, got ndarray" in result.message


def test_float32_failure_is_reported_separately():
    def only_float64(x):
        return np.maximum(x, 0) if x.dtype == np.float64 else np.zeros_like(x)

    result = checks.check_activation(only_float64, "relu", show=False)
    assert not result.passed and result.message.startswith("float64 is right, but float32 input fails")


def test_raising_a_base_exception_subclass_is_still_reported():
    class StudentError(Exception):
        pass

    def answer(x):
        raise StudentError("oops")

    assert "StudentError: oops" in checks.check_activation(answer, "tanh", show=False).message


def test_result_display_forms():
    ok = checks.CheckResult(True, "fine", "relu forward")
    bad = checks.CheckResult(False, "wrong", "relu forward")
    assert bool(ok) and not bool(bad)
    assert str(ok) == "PASS relu forward: fine" and str(bad) == "FAIL relu forward: wrong"
    assert ok._repr_markdown_().startswith("✅") and bad._repr_markdown_().startswith("❌")


def test_show_displays_the_result(capsys):
    checks.check_activation(lambda x: np.maximum(x, 0), "relu", show=True)
    assert "relu forward" in capsys.readouterr().out


def test_inputs_cover_edges_and_are_seeded():
    x = checks.sample_inputs(seed=1)
    for value in (0.0, 1000.0, -1000.0, 700.0, -700.0, 1e-12):
        assert value in x
    np.testing.assert_array_equal(x, checks.sample_inputs(seed=1))
    assert not np.array_equal(x, checks.sample_inputs(seed=2))
    assert checks.edge_inputs(np.float32).dtype == np.float32


def test_compare_names_the_worst_input():
    x = np.array([0.0, 1.0, 2.0])
    message = checks.compare(np.array([0.0, 1.0, 5.0]), np.array([0.0, 1.0, 2.0]), x, rtol=1e-7, atol=0)
    assert message == "1 of 3 inputs are wrong; worst at x = 2: your value 5, expected 2 (tolerance rtol=1e-07, atol=0)"
    assert checks.compare(x, x, x, rtol=0, atol=0) is None
