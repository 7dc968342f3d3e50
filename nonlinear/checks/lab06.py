"""Lab 6 (modern activations): hard-swish, Swish's derivative, GELU (tanh), SwiGLU on the engine, sizes, SELU."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from nonlinear.checks.core import (
    NOT_ANSWERED,
    CheckResult,
    _matches,
    check_cases,
    compare,
    fail,
    forbidden_call,
    missing_data,
    passed,
    public_data,
    run_student,
)

LAB = "lab06_modern_activations"

# Exercise 6.4 builds the block from the engine's Tensors and the registry's activations.
SWIGLU_ALLOWED = ("nonlinear.autograd", "nonlinear.activations.get")


def check_hard_swish(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 6.1: ``hard_swish(x)`` = x ReLU6(x + 3) / 6, 1-d, 2-d and float32."""
    return check_cases(
        fn,
        data,
        "hard_swish",
        lab=LAB,
        exercise="ex6_1",
        rtol=1e-9,
        atol=1e-12,
        elementwise=True,
        float32="values",
        arg_names=("x",),
        show=show,
    )


def check_swish_derivative(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 6.2: ``swish_derivative(x, beta)`` for several beta, ±1000 included, 1-d, 2-d and float32."""
    return check_cases(
        fn,
        data,
        "swish_derivative",
        lab=LAB,
        exercise="ex6_2",
        rtol=1e-9,
        atol=1e-12,
        elementwise=True,
        float32="values",
        arg_names=("x", "beta"),
        allowed=("nonlinear.activations.stable_sigmoid",),
        show=show,
    )


def check_gelu_tanh(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 6.3: ``gelu_tanh(x)`` = x/2 (1 + tanh(sqrt(2/π)(x + 0.044715 x³))), rtol 1e-9, atol 1e-12."""
    return check_cases(
        fn,
        data,
        "gelu_tanh",
        lab=LAB,
        exercise="ex6_3",
        rtol=1e-9,
        atol=1e-12,
        elementwise=True,
        float32="values",
        arg_names=("x",),
        allowed=("nonlinear.activations.stable_sigmoid",),
        show=show,
    )


def check_swiglu(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 6.4: ``swiglu(x, W1, W3, W2)`` on engine Tensors: the output and the gradients of all four inputs."""
    from nonlinear import autograd

    name = "swiglu"
    data = data if data is not None else public_data(LAB, "ex6_4")
    if data is None:
        return fail(name, missing_data(LAB), show)
    if not callable(fn):
        return fail(name, f"expected a function, got {type(fn).__name__}", show)
    refused = forbidden_call(fn, name, SWIGLU_ALLOWED, show)
    if refused is not None:
        return refused
    cases = data["cases"]
    for number, (case, expected, label) in enumerate(zip(cases, data["expected"], data["labels"], strict=True), 1):
        x, W1, W3, W2, grad_out = case
        out_expected, *grads = expected
        tensors = [autograd.Tensor(a.copy(), requires_grad=True) for a in (x, W1, W3, W2)]
        out, problem = run_student(fn, *tensors)
        if problem is None and not isinstance(out, autograd.Tensor):
            problem = (
                f"expected an autograd.Tensor, got {type(out).__name__}: build the block from engine operations "
                "(@, *, activations.get('silu')(...)) on the Tensors you are given, so that gradients flow"
            )
        if problem is None:
            actual = np.asarray(out.data, dtype=np.float64)
            problem = compare(actual, out_expected, 1e-9, 1e-12, "output")
            if problem is not None:
                for advice, outputs in data.get("hints", []):
                    if _matches([actual], outputs[number - 1]):
                        problem += f". Hint: {advice}"
                        break
        if problem is None and not out.requires_grad:
            problem = (
                "no gradient reached x: the output is not connected to the inputs in the graph "
                "(did you compute with .data or numpy instead of Tensor operations?)"
            )
        if problem is None:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                try:
                    (out * autograd.Tensor(grad_out)).sum().backward()
                except Exception as e:  # the student's graph, reported rather than raised
                    problem = f"backward() through your block raised {type(e).__name__}: {e}"
        if problem is None:
            for label_, tensor, grad in zip(("x", "W1", "W3", "W2"), tensors, grads, strict=True):
                if tensor.grad is None:
                    problem = (
                        f"no gradient reached {label_}: the output is not connected to it in the graph "
                        "(did you compute with .data or numpy instead of Tensor operations?)"
                    )
                    break
                problem = compare(np.asarray(tensor.grad, dtype=np.float64), grad, 1e-9, 1e-12, f"gradient of {label_}")
                if problem is not None:
                    break
        if problem is not None:
            if not problem.startswith(NOT_ANSWERED):
                problem = f"case {number} of {len(cases)} ({label}): {problem}"
            return fail(name, problem, show)
    return passed(name, f"the output and the gradients of x, W1, W3, W2 match on {len(cases)} cases", show)


def check_swiglu_hidden_size(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 6.5: ``swiglu_hidden_size(d, multiple_of)``: int(2/3 · 4d) rounded up to a multiple (exact)."""
    return check_cases(
        fn,
        data,
        "swiglu_hidden_size",
        lab=LAB,
        exercise="ex6_5",
        rtol=0,
        atol=0,
        arg_names=("d", "multiple_of"),
        show=show,
    )


def check_layer_statistics(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 6.6: ``layer_statistics(activation, init, depth, width, n, seed)`` -> (means, stds), rtol 1e-9."""
    return check_cases(
        fn,
        data,
        "layer_statistics",
        lab=LAB,
        exercise="ex6_6",
        rtol=1e-9,
        atol=1e-12,
        parts=("means", "stds"),
        arg_names=("activation", "init", "depth", "width", "n", "seed"),
        allowed=("nonlinear.activations.get", "nonlinear.nn.initial_weights"),
        show=show,
    )
