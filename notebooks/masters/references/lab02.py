"""References and cases of lab 2 (why nonlinearity)."""

from __future__ import annotations

import numpy as np
from common import answer, cases, rng_for, shape

from nonlinear.checks.lab02 import test_function


def collapse(weights):
    product = weights[0]
    for w in weights[1:]:
        product = product @ w
    return product


def collapse_affine(weights, biases):
    weight, bias = weights[0], biases[0]
    for w, b in zip(weights[1:], biases[1:], strict=True):
        weight, bias = weight @ w, bias @ w + b
    return weight, bias


def superposition_gap(f, x1, x2, a, b):
    f = test_function(f)
    return float(np.max(np.abs(f(a * x1 + b * x2) - (a * f(x1) + b * f(x2)))))


def _stack(rng, sizes):
    return [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]


def _sum_if_same(arrays):
    return sum(arrays) if len({a.shape for a in arrays}) == 1 else None


def ex2_1(rng, hidden):
    shapes = [[3, 3, 3], [4, 5, 2, 3], [2, 6], [3, 3, 3, 3, 3]]
    if hidden:
        shapes = [[2, 7, 3], [5, 5, 5, 5], [3, 1, 4], [6, 2], [4, 3, 5, 2, 6]]
    args = [(_stack(rng, s),) for s in shapes]
    hints = [
        ("the order is reversed: x @ W1 @ W2 applies W1 first", lambda ws: collapse(ws[::-1])),
        ("layers compose by matrix multiplication, not addition", lambda ws: sum(ws)),
        ("use the matrix product @, not the elementwise *", lambda ws: np.prod(np.stack(ws), axis=0)),
    ]
    labels = [f"{len(a[0])} layers of shapes {', '.join(shape(w) for w in a[0])}" for a in args]
    return cases(collapse, args, labels, () if hidden else hints)


def ex2_2(rng, hidden):
    shapes = [[3, 3, 3], [4, 5, 2, 3], [2, 6], [3, 4, 4, 4, 2]]
    if hidden:
        shapes = [[3, 3, 3, 3], [2, 5, 4], [4, 1, 3, 2], [5, 2]]
    args = []
    for s in shapes:
        weights = _stack(rng, s)
        args.append((weights, [rng.normal(size=w.shape[1]) for w in weights]))
    hints = [
        ("the earlier biases also pass through the later layers: b <- b @ W_next + b_next",
         lambda ws, bs: (collapse(ws), bs[-1])),
        ("biases do not simply add up: each one is multiplied by every weight matrix after it",
         lambda ws, bs: (collapse(ws), _sum_if_same(bs))),
    ]
    labels = [f"{len(a[0])} affine layers" for a in args]
    return cases(collapse_affine, args, labels, () if hidden else hints)


def ex2_3(rng, hidden):
    x1, x2 = rng.normal(size=20), rng.normal(size=20)
    matrix = ("matrix", rng.normal(size=(20, 20)))
    if hidden:
        h1, h2 = np.array([1.0, -2.0, 0.5, 3.0]), np.array([-1.0, 1.0, 2.0, -4.0])
        args = [("relu", h1, h2, 2.0, -1.0), ("neg_abs", h1, h2, 2.0, -1.0), (("scale", 3.0), h1, h2, 0.3, 0.7),
                ("square", np.array([1.0]), np.array([1.0]), 1.0, 1.0), ("tanh", x1, x2, -1.5, 0.5),
                (matrix, x1, x2, 2.0, 3.0), ("sigmoid", x1.reshape(4, 5), x2.reshape(4, 5), 1.0, -2.0)]
    else:
        args = [("relu", x1, x2, 2.0, -3.0), ("tanh", x1, x2, 0.5, 0.25), (matrix, x1, x2, 1.5, -2.0),
                ("sigmoid", x1, x2, -1.0, 3.0), ("neg_abs", x1, x2, 1.0, 1.0)]
    labels = [f"f = {a[0] if isinstance(a[0], str) else a[0][0]}, a = {a[3]:g}, b = {a[4]:g}" for a in args]
    hints = [
        ("take the absolute value before the maximum: a gap of -5 is as big as +5",
         lambda f, x1, x2, a, b: float(np.max(test_function(f)(a * x1 + b * x2) - (a * test_function(f)(x1) + b * test_function(f)(x2))))),
        ("use the coefficients a and b: superposition is f(a x1 + b x2) = a f(x1) + b f(x2)",
         lambda f, x1, x2, a, b: float(np.max(np.abs(test_function(f)(x1 + x2) - (test_function(f)(x1) + test_function(f)(x2)))))),
    ]
    return cases(superposition_gap, args, labels, () if hidden else hints)


def ex2_4(rng, hidden):
    return answer("lab02:ex2_4", 0.75, [
        (0.5, "0.5 is chance level; a line can do better: put three of the four points on the correct side"),
        (1.0, "no line separates XOR: try to find one and see which point is always on the wrong side"),
        (0.25, "accuracy is the fraction of points classified correctly, not wrongly"),
    ])


def ex2_5(rng, hidden):
    return {}  # a property of the answer (the four XOR corners): no expected values


def data(variant: int | None = None) -> dict:
    out = {}
    for name, build in [("ex2_1", ex2_1), ("ex2_2", ex2_2), ("ex2_3", ex2_3), ("ex2_4", ex2_4), ("ex2_5", ex2_5)]:
        out[name] = {"public": build(rng_for(None, name, public=True), False),
                     "hidden": build(rng_for(variant, name), True)}
    return out
