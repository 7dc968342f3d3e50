"""Lab 4 (a good activation): ELU's derivative, tanh's vjp from its output, vanishing depth, stable learning rate."""

from __future__ import annotations

from collections.abc import Callable

from nonlinear.checks.core import CheckResult, check_cases

LAB = "lab04_good_activation"


def check_elu_derivative(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 4.1: ``elu_derivative(x, alpha)`` for several alpha, ±1000 included, 1-d, 2-d and float32."""
    return check_cases(
        fn,
        data,
        "elu_derivative",
        lab=LAB,
        exercise="ex4_1",
        rtol=1e-9,
        atol=1e-12,
        elementwise=True,
        float32="values",
        arg_names=("x", "alpha"),
        show=show,
    )


def check_tanh_vjp_from_output(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 4.2: ``tanh_vjp_from_output(y, grad_out)`` = grad_out (1 - y^2)."""
    return check_cases(
        fn,
        data,
        "tanh_vjp_from_output",
        lab=LAB,
        exercise="ex4_2",
        rtol=1e-9,
        atol=1e-12,
        elementwise=True,
        float32="values",
        arg_names=("y", "grad_out"),
        show=show,
    )


def check_vanishing_depth(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 4.3: ``vanishing_depth(threshold)``, the smallest d >= 1 with 0.25**d < threshold (exact)."""
    return check_cases(
        fn, data, "vanishing_depth", lab=LAB, exercise="ex4_3", rtol=0, atol=0, arg_names=("threshold",), show=show
    )


def check_largest_stable_lr(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 4.4: ``largest_stable_lr(X)`` = 2 / λ_max of the Hessian of mean((X w - y)^2) (rtol 1e-8)."""
    return check_cases(
        fn, data, "largest_stable_lr", lab=LAB, exercise="ex4_4", rtol=1e-8, atol=0, arg_names=("X",), show=show
    )
