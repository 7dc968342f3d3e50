"""References and cases of lab 5 (classic activations)."""

from __future__ import annotations

import numpy as np
from common import answer, cases, edge_and_random, rng_for, shape

from nonlinear.checks.lab05 import DEAD_RELU_LRS


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def logsumexp(x):
    top = np.max(x, axis=-1, keepdims=True)
    return (top + np.log(np.sum(np.exp(x - top), axis=-1, keepdims=True)))[..., 0]


def leaky_relu_derivative(x, slope):
    return np.where(x > 0, 1.0, slope)


def dead_fraction(lr: float) -> float:
    """The experiment of exercise 5.5."""
    from nonlinear import data, experiments, nn

    moons = data.moons(n=400, seed=0)
    model = nn.MLP([2, 32, 32, 2], activation="relu", seed=0)
    nn.train(model, moons.X_train, moons.y_train, loss="cross_entropy", optimizer=nn.SGD(model.parameters(), lr=lr),
             epochs=5, batch_size=32, seed=0, progress=False)
    return float(np.mean(experiments.dead_fraction(model, moons.X_train)))


_DEAD: dict[float, float] = {}


def dead_fraction_cached(lr: float) -> float:
    if lr not in _DEAD:
        _DEAD[lr] = dead_fraction(lr)
    return _DEAD[lr]


def _elementwise(rng, hidden):
    x = edge_and_random(rng)
    args = [(x,), (rng.normal(0, 30, size=(6, 5)),)]
    if hidden:
        args.append((np.array([-745.0, -700.0, -100.0, -60.0, -37.0, -30.0, -1e-300, 1e-300, 36.0, 710.0]),))
    return args


def ex5_1(rng, hidden):
    args = _elementwise(rng, hidden)
    # The two cancelling forms, 0.5 (1 + tanh(x/2)) and 1 - 1/(1 + e^x) on x < 0 (with exp(-|x|), so
    # without overflow), give the same values to the hint's tolerance: one hint names both.
    e = lambda x: np.exp(-np.abs(x))  # noqa: E731
    hints = [
        ("that is sigma(-x): check the sign of the exponent", lambda x: sigmoid(-x)),
        ("1 - 1/(1 + e^x) and 0.5 (1 + tanh(x/2)) cancel for very negative x and lose the relative accuracy "
         "of the tail: compute e^x / (1 + e^x) there, with exp of non-positive numbers only",
         lambda x: np.where(x >= 0, 1 / (1 + e(x)), 1 - 1 / (1 + e(x)))),
    ]
    return cases(sigmoid, args, [f"x of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex5_2(rng, hidden):
    args = _elementwise(rng, hidden)
    hints = [
        ("that is ReLU: the smooth part log1p(exp(-|x|)) is missing", lambda x: np.maximum(x, 0)),
        ("the correction is log1p(exp(-|x|)), with a minus", lambda x: np.maximum(x, 0) + np.log1p(np.exp(np.abs(x)))),
        ("log(1 + u) loses u when u is tiny (1 + 4e-18 == 1): use np.log1p(u)",
         lambda x: np.maximum(x, 0) + np.log(1 + np.exp(-np.abs(x)))),
    ]
    return cases(softplus, args, [f"x of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex5_3(rng, hidden):
    if hidden:
        args = [(np.concatenate([rng.normal(0, 300, size=(6, 5)), np.full((1, 5), -900.0)]),),
                (np.array([[0.0, 0.0, 0.0]]),), (np.array([[1e-3, 745.0], [-745.0, 0.0]]),)]
    else:
        args = [(rng.normal(size=(5, 4)),), (np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [0.0, -1000.0]]),),
                (rng.normal(0, 50, size=(3, 7)),), (np.array([[800.0, 0.0, -5.0]]),)]
    hints = [
        ("after subtracting the maximum m, add it back: logsumexp(x) = m + log(sum(exp(x - m)))",
         lambda x: np.log(np.sum(np.exp(x - x.max(-1, keepdims=True)), axis=-1))),
        ("the maximum alone is only a bound: add log(sum(exp(x - m)))", lambda x: np.max(x, axis=-1)),
        ("return one number per row (shape (N,)), not a column", lambda x: logsumexp(x)[:, None]),
    ]
    return cases(logsumexp, args, [f"x of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex5_4(rng, hidden):
    x = edge_and_random(rng)  # 0 included: the prompt fixes the value there
    slopes = (0.01, 0.3, 0.05) if hidden else (0.01, 0.2, 0.5)
    args = [(x, s) for s in slopes]
    hints = [
        ("the slope for x < 0 is +negative_slope (the sign is flipped)", lambda x, s: np.where(x > 0, 1.0, -s)),
        ("that is ReLU's derivative: negative inputs have slope negative_slope", lambda x, s: (x > 0).astype(float)),
        ("that is leaky ReLU itself, not its derivative", lambda x, s: np.where(x > 0, x, s * x)),
        ("at x = 0 the exercise asks for the value of the negative side, negative_slope (as PyTorch)",
         lambda x, s: np.where(x >= 0, 1.0, s)),
    ]
    return cases(leaky_relu_derivative, args, [f"negative_slope = {s:g}" for _, s in args], () if hidden else hints)


def ex5_5(rng, hidden):
    lrs = [float(lr) for lr in np.round(rng.uniform(0.05, 6.0, size=2), 2)] if hidden else [0.1, 3.0]
    args = [(lr,) for lr in lrs]
    hints = [
        ("you returned the fraction of units still alive", lambda lr: 1 - dead_fraction_cached(lr)),
        ("the model was not trained (or trained with lr = 0)", lambda lr: dead_fraction_cached(0.0)),
    ]
    return cases(dead_fraction_cached, args, [f"lr = {lr:g}" for lr in lrs], () if hidden else hints)


def half_dead_lr() -> float:
    return next(lr for lr in DEAD_RELU_LRS if dead_fraction_cached(lr) >= 0.5)


def ex5_6(rng, hidden):
    expected = half_dead_lr()
    index = DEAD_RELU_LRS.index(expected)
    hints = [(DEAD_RELU_LRS[index - 1], "that is the last rate *below* one half: take the first at or above 0.5")]
    return answer("lab05:ex5_6", expected, hints if index else [])


def data(variant: int | None = None) -> dict:
    builders = {"ex5_1": ex5_1, "ex5_2": ex5_2, "ex5_3": ex5_3, "ex5_4": ex5_4, "ex5_5": ex5_5, "ex5_6": ex5_6}
    return {name: {"public": build(rng_for(None, name, public=True), False), "hidden": build(rng_for(variant, name), True)}
            for name, build in builders.items()}
