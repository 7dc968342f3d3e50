"""References and cases of lab 4 (a good activation)."""

from __future__ import annotations

import numpy as np
from common import cases, edge_and_random, rng_for, shape


def elu_derivative(x, alpha):
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def tanh_vjp_from_output(y, g):
    return g * (1 - y**2)


def vanishing_depth(threshold):
    depth = 1
    while 0.25**depth >= threshold:
        depth += 1
    return depth


def largest_stable_lr(X):
    return len(X) / float(np.linalg.eigvalsh(X.T @ X).max())


def _away_from_zero(x):
    return x[np.abs(x) > 1e-9]  # the prompt leaves the value at the kink x = 0 open


def ex4_1(rng, hidden):
    x = _away_from_zero(edge_and_random(rng))
    x = x[: x.size - x.size % 2]
    alphas = (1.0, 0.5, 2.0, 0.1) if hidden else (1.0, 0.5, 2.0)
    args = [(x, alpha) for alpha in alphas]
    hints = [
        ("the negative branch is alpha * exp(x): the factor alpha is missing",
         lambda x, a: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))),
        ("that is ELU itself; differentiate it: d/dx alpha (e^x - 1) = alpha e^x, and d/dx x = 1",
         lambda x, a: np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))),
        ("the slope of ELU is positive everywhere: check the sign of the negative branch",
         lambda x, a: np.where(x > 0, 1.0, -a * np.exp(np.minimum(x, 0)))),
    ]
    return cases(elu_derivative, args, [f"alpha = {a:g}" for _, a in args], () if hidden else hints)


def ex4_2(rng, hidden):
    y = np.tanh(edge_and_random(rng))
    y2 = np.tanh(rng.normal(size=(3, 4)))
    args = [(y, rng.normal(size=y.shape)), (y2, rng.normal(size=y2.shape))]
    if hidden:
        y3 = np.array([-1.0, 1.0, 0.0, 0.999, -0.5, 0.25])
        args.append((y3, np.arange(6.0) - 2))
    hints = [
        ("1 - y**2 squares y, not (1 - y)", lambda y, g: g * (1 - y) ** 2),
        ("y (1 - y) is the sigmoid's rule; for tanh it is 1 - y**2", lambda y, g: g * y * (1 - y)),
        ("y is already tanh(x): do not apply tanh again", lambda y, g: g * (1 - np.tanh(y) ** 2)),
        ("you returned 1 - y**2 alone: multiply it by grad_out (the chain rule)", lambda y, g: 1 - y**2),
    ]
    return cases(tanh_vjp_from_output, args, [f"y of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex4_3(rng, hidden):
    if hidden:  # boundaries 0.25**k, their neighbours, and thresholds drawn for the variant
        k = int(rng.integers(2, 15))
        thresholds = [0.25**k, 0.25**k * (1 + 1e-9), 1.0, 0.9, *(10 ** rng.uniform(-12, -0.1, size=3)).tolist()]
    else:
        thresholds = [1e-6, 1e-2, 0.25, 0.3, 1e-12, 0.0625]
    args = [(t,) for t in thresholds]
    hints = [
        ("off by one: you need 0.25**d strictly below the threshold",
         lambda t: int(np.floor(np.log(t) / np.log(0.25)))),
        ("the largest slope of the sigmoid is 1/4, not 1/2", lambda t: int(np.ceil(np.log(t) / np.log(0.5)))),
        ("off by one at the boundary: 0.25**d must be < threshold, not <=",
         lambda t: int(np.ceil(np.log(t) / np.log(0.25)))),
    ]
    return cases(vanishing_depth, args, [f"threshold = {t:g}" for t in thresholds], () if hidden else hints)


def ex4_4(rng, hidden):
    if hidden:
        args = [(rng.normal(size=(30, 4)) * np.array([3, 1, 1, 0.5]),), (rng.normal(size=(200, 1)) - 1,),
                (np.diag([1.0, 3.0, 2.0]),)]
    else:
        args = [(rng.normal(size=(50, 3)),), (rng.normal(size=(20, 5)) * np.array([1, 2, 3, 4, 5]),),
                (np.eye(4) * 2,), (rng.normal(size=(100, 2)) + 3,)]
    hints = [
        ("the Hessian of mean((Xw - y)^2) is 2 X^T X / N: a factor 2 is missing",
         lambda X: 2 * len(X) / float(np.linalg.eigvalsh(X.T @ X).max())),
        ("use the largest eigenvalue of X^T X, not its trace", lambda X: len(X) / float(np.trace(X.T @ X))),
        ("the largest eigenvalue sets the limit, not the smallest",
         lambda X: len(X) / float(np.linalg.eigvalsh(X.T @ X).min())),
    ]
    return cases(largest_stable_lr, args, [f"X of shape {shape(a[0])}" for a in args], () if hidden else hints)


def data(variant: int | None = None) -> dict:
    builders = {"ex4_1": ex4_1, "ex4_2": ex4_2, "ex4_3": ex4_3, "ex4_4": ex4_4}
    return {name: {"public": build(rng_for(None, name, public=True), False), "hidden": build(rng_for(variant, name), True)}
            for name, build in builders.items()}
