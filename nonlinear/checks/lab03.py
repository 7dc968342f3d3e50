"""Lab 3 (backpropagation): vjps, the linear layer, MSE, SGD, central differences, a two-layer network."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nonlinear.checks.core import CheckResult, check_cases, fail, missing_data, public_data

LAB = "lab03_backpropagation"


def check_sigmoid_vjp(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 3.1: ``sigmoid_vjp(x, grad_out)`` = grad_out σ(x)(1 - σ(x)), 1-d and 2-d, float64 and float32."""
    return check_cases(
        fn,
        data,
        "sigmoid_vjp",
        lab=LAB,
        exercise="ex3_1",
        rtol=1e-9,
        atol=1e-15,
        elementwise=True,
        float32="values",
        arg_names=("x", "grad_out"),
        allowed=("nonlinear.activations.stable_sigmoid",),
        show=show,
    )


def check_linear_backward(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 3.2: ``linear_backward(x, W, grad_out)`` -> (grad_x, grad_W, grad_b) for y = x @ W + b."""
    return check_cases(
        fn,
        data,
        "linear_backward",
        lab=LAB,
        exercise="ex3_2",
        parts=("grad_x", "grad_W", "grad_b"),
        arg_names=("x", "W", "grad_out"),
        show=show,
    )


def check_mse_backward(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 3.3: ``mse_backward(prediction, target)`` = 2 (prediction - target) / size."""
    return check_cases(
        fn, data, "mse_backward", lab=LAB, exercise="ex3_3", arg_names=("prediction", "target"), show=show
    )


def check_sgd_step(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 3.4: ``sgd_step(param, grad, lr)`` returns param - lr grad as a new array (param unchanged)."""
    return check_cases(fn, data, "sgd_step", lab=LAB, exercise="ex3_4", arg_names=("param", "grad", "lr"), show=show)


def test_function(name: str):
    """The scalar functions of exercise 3.5's cases, by name."""
    return {
        "cubic": lambda x: float(np.sum(x**3) + np.sum(np.sin(3 * x))),
        "chain": lambda v: float(np.sum(v.ravel()[:-1] * v.ravel()[1:])),
        "exp_sum": lambda x: float(np.sum(np.exp(x / 4))),
    }[name]


def check_central_difference(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 3.5: ``central_difference(f, x, eps)`` agrees with the exact gradient to rtol 1e-6, atol 1e-8."""
    data = data if data is not None else public_data(LAB, "ex3_5")
    if data is None:
        return fail("central_difference", missing_data(LAB), show)
    data = dict(data, cases=[(test_function(c[0]), *c[1:]) for c in data["cases"]])
    return check_cases(
        fn,
        data,
        "central_difference",
        lab=LAB,
        exercise="ex3_5",
        rtol=1e-6,
        atol=1e-8,
        arg_names=("f", "x", "eps"),
        show=show,
    )


def check_two_layer_gradients(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 3.6: the gradients of mean((tanh(x W1 + b1) W2 + b2 - y)^2) w.r.t. W1, b1, W2, b2 (rtol 1e-8)."""
    return check_cases(
        fn,
        data,
        "two_layer_gradients",
        lab=LAB,
        exercise="ex3_6",
        rtol=1e-8,
        atol=1e-10,
        parts=("grad_W1", "grad_b1", "grad_W2", "grad_b2"),
        arg_names=("x", "y", "W1", "b1", "W2", "b2"),
        show=show,
    )
