"""Lab 2 (why nonlinearity): collapse linear and affine stacks, the superposition gap, XOR."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nonlinear import activations
from nonlinear.checks.core import (
    CheckResult,
    check_answer,
    check_cases,
    fail,
    forbidden_call,
    passed,
    run_student,
)

LAB = "lab02_why_nonlinearity"


def check_collapse(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 2.1: ``collapse(weights)`` equals the product W1 @ W2 @ ... @ Wk (rtol 1e-9)."""
    return check_cases(fn, data, "collapse", lab=LAB, exercise="ex2_1", arg_names=("weights",), show=show)


def check_collapse_affine(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 2.2: ``collapse_affine(weights, biases)`` -> (W, b) of the whole affine stack (rtol 1e-9)."""
    return check_cases(
        fn,
        data,
        "collapse_affine",
        lab=LAB,
        exercise="ex2_2",
        parts=("weight", "bias"),
        arg_names=("weights", "biases"),
        show=show,
    )


def test_function(spec):
    """The function ``f`` a superposition case names: 'relu', 'tanh', 'sigmoid', 'neg_abs', 'square',
    ('scale', c) for v -> c v, or ('matrix', M) for v -> M @ v."""
    if isinstance(spec, (tuple, list)):
        kind, value = spec
        value = np.asarray(value, dtype=np.float64)
        return (lambda v: value @ v) if kind == "matrix" else (lambda v: value * v)
    return {
        "relu": activations.get("relu"),
        "tanh": np.tanh,
        "sigmoid": activations.get("sigmoid"),
        "neg_abs": lambda v: -np.abs(v),
        "square": np.square,
    }[spec]


def check_superposition_gap(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 2.3: ``superposition_gap(f, x1, x2, a, b)`` = max |f(a x1 + b x2) - (a f(x1) + b f(x2))|."""
    from nonlinear.checks.core import missing_data, public_data

    data = data if data is not None else public_data(LAB, "ex2_3")
    if data is None:
        return fail("superposition_gap", missing_data(LAB), show)
    data = dict(data, cases=[(test_function(c[0]), *c[1:]) for c in data["cases"]])
    return check_cases(
        fn,
        data,
        "superposition_gap",
        lab=LAB,
        exercise="ex2_3",
        rtol=1e-9,
        atol=1e-12,
        arg_names=("f", "x1", "x2", "a", "b"),
        show=show,
    )


def check_best_linear_accuracy(answer, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 2.4: the best accuracy any linear classifier reaches on the four XOR points."""
    return check_answer(answer, data, "best_linear_accuracy", lab=LAB, exercise="ex2_4", show=show)


XOR_POINTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])


def xor_scores(network, X=XOR_POINTS) -> np.ndarray:
    """Scores of a 2-2-1 ReLU network ``(W1, b1, W2, b2)`` on the rows of X: relu(X W1 + b1) W2 + b2."""
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in network)
    return (np.maximum(X @ W1 + b1, 0) @ W2.reshape(W1.shape[1], -1) + b2).reshape(len(X))


def _xor_problem(out) -> tuple[str | None, np.ndarray | None]:
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        return f"expected a tuple (W1, b1, W2, b2), got {type(out).__name__}", None
    try:
        W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in out)
    except (TypeError, ValueError):
        return "W1, b1, W2, b2 must be numbers or numpy arrays", None
    shapes = {"W1": (W1.shape, (2, 2)), "b1": (b1.shape, (2,)), "W2": (W2.shape, (2,)), "b2": (b2.shape, ())}
    wrong = [
        f"{k} has shape {s}, expected {e}"
        for k, (s, e) in shapes.items()
        if s != e and not (k == "W2" and s == (2, 1)) and not (k == "b2" and s == (1,))
    ]
    if wrong:
        return "; ".join(wrong), None
    scores = xor_scores((W1, b1, W2, b2))
    if not np.all(np.isfinite(scores)):
        return "the scores are not finite", None
    bad = np.flatnonzero((scores > 0).astype(int) != XOR_LABELS)
    if not bad.size:
        return None, scores
    i = bad[0]
    problem = (
        f"{bad.size} of 4 points are misclassified; e.g. x = {XOR_POINTS[i].tolist()} has score {scores[i]:.4g} "
        f"but XOR = {XOR_LABELS[i]} (score must be {'> 0' if XOR_LABELS[i] else '<= 0'})"
    )
    if np.allclose(scores, scores[0]):
        problem += ". Hint: all four scores are equal: are the hidden units ever active?"
    elif bad.size == 4:
        problem += ". Hint: every point is wrong: flip the sign of W2 and b2"
    return problem, None


def check_xor_network(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 2.5: ``xor_network()`` -> (W1 (2x2), b1 (2,), W2 (2,), b2) scoring > 0 exactly where XOR = 1.

    A property of the answer, so ``data`` is not needed (accepted for a uniform signature).
    """
    name = "xor_network"
    if not callable(fn):
        return fail(name, f"expected a function, got {type(fn).__name__}", show)
    refused = forbidden_call(fn, name, (), show)
    if refused is not None:
        return refused
    out, problem = run_student(fn)
    scores = None
    if problem is None:
        problem, scores = _xor_problem(out)
    if problem is None:
        return passed(name, f"scores {np.round(scores, 3).tolist()} separate XOR", show)
    return fail(name, problem, show)
