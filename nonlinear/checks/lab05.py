"""Lab 5 (classic activations): overflow-free sigmoid, softplus, LogSumExp; leaky ReLU's derivative; dying ReLUs."""

from __future__ import annotations

from collections.abc import Callable

from nonlinear.checks.core import CheckResult, check_answer, check_cases

LAB = "lab05_classic_activations"

# The grid of learning rates of exercises 5.5 and 5.6.
DEAD_RELU_LRS = (0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0)


def check_stable_sigmoid(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 5.1: σ to relative 1e-9 at every input (the negative tail too), silent, float32 stays float32."""
    return check_cases(
        fn,
        data,
        "stable_sigmoid",
        lab=LAB,
        exercise="ex5_1",
        rtol=1e-9,
        atol=1e-300,
        elementwise=True,
        float32="dtype",
        arg_names=("x",),
        show=show,
    )


def check_stable_softplus(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 5.2: log(1 + e^x) to relative 1e-9 at every input (the negative tail too), silent."""
    return check_cases(
        fn,
        data,
        "stable_softplus",
        lab=LAB,
        exercise="ex5_2",
        rtol=1e-9,
        atol=1e-300,
        elementwise=True,
        float32="values",
        arg_names=("x",),
        show=show,
    )


def check_logsumexp(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 5.3: ``logsumexp(x)`` over the last axis of a 2-d array, one number per row (rtol 1e-12)."""
    return check_cases(
        fn, data, "logsumexp", lab=LAB, exercise="ex5_3", rtol=1e-12, atol=1e-12, arg_names=("x",), show=show
    )


def check_leaky_relu_derivative(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 5.4: ``leaky_relu_derivative(x, negative_slope)``: 1 for x > 0, negative_slope at 0 and below."""
    return check_cases(
        fn,
        data,
        "leaky_relu_derivative",
        lab=LAB,
        exercise="ex5_4",
        rtol=1e-12,
        atol=0,
        elementwise=True,
        float32="values",
        arg_names=("x", "negative_slope"),
        show=show,
    )


def check_dead_fraction_after_training(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 5.5: ``dead_fraction_after_training(lr)`` reproduces the described experiment (rtol 1e-9)."""
    return check_cases(
        fn,
        data,
        "dead_fraction_after_training",
        lab=LAB,
        exercise="ex5_5",
        rtol=1e-9,
        atol=1e-12,
        arg_names=("lr",),
        allowed=("nonlinear.data", "nonlinear.nn", "nonlinear.experiments.dead_fraction"),
        show=show,
    )


def check_half_dead_lr(answer, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 5.6: the first learning rate of the grid at which at least half of the ReLU units are dead."""
    return check_answer(answer, data, "half_dead_lr", lab=LAB, exercise="ex5_6", show=show)
