"""References and cases of lab 7 (choosing in practice)."""

from __future__ import annotations

import numpy as np
from common import cases, rng_for, shape

from nonlinear import activations
from nonlinear.checks.core import digest
from nonlinear.checks.lab07 import OUTPUT_TASKS

sp = activations.stable_softplus


def bce_with_logits(z, y):
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def logsumexp(x):
    top = np.max(x, axis=-1, keepdims=True)
    return (top + np.log(np.sum(np.exp(x - top), axis=-1, keepdims=True)))[..., 0]


def cross_entropy(logits, labels):
    return float(np.mean(logsumexp(logits) - logits[np.arange(len(labels)), labels]))


_ACCURACY: dict[tuple[str, int], float] = {}


def test_accuracy(activation: str, seed: int) -> float:
    from nonlinear import task_comparison

    if (activation, seed) not in _ACCURACY:
        _ACCURACY[activation, seed] = task_comparison.train_one(activation, "digits", seed).test_accuracy
    return _ACCURACY[activation, seed]


def accuracy_summary(activation, seeds, ddof=1):
    accuracies = [test_accuracy(activation, s) for s in seeds]
    return float(np.mean(accuracies)), float(np.std(accuracies, ddof=ddof))


def ex7_1(rng, hidden):
    if hidden:
        z8 = np.array([-1000.0, -800.0, -30.0, -1.0, 0.0, 2.0, 40.0, 1000.0])
        args = [(z8, np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])), (z8, np.full(8, 0.25)),
                (rng.normal(0, 20, size=(5, 4)), rng.integers(0, 2, size=(5, 4)).astype(float)),
                (np.array([[745.0, -745.0, 0.5]]), np.array([[0.0, 1.0, 0.3]]))]
    else:
        args = [(rng.normal(size=(8, 1)), rng.integers(0, 2, size=(8, 1)).astype(float)),
                (np.array([40.0, -800.0, 1000.0, -1000.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0, 1.0])),
                (rng.normal(0, 30, size=(6, 3)), rng.uniform(size=(6, 3))), (np.array([[2.0], [-3.0]]), np.array([[1.0], [0.0]]))]
    hints = [
        ("average over the examples (mean), do not sum", lambda z, y: float(np.sum(sp(z) - z * y))),
        ("the mean is over every entry: divide by z.size, not len(z)", lambda z, y: float(np.sum(sp(z) - z * y) / len(z))),
        ("the sign of the z * y term: BCE = softplus(z) - y z", lambda z, y: float(np.mean(sp(z) + z * y))),
        ("softplus(z) - y z, not softplus(-z) - y z", lambda z, y: float(np.mean(sp(-z) - z * y))),
    ]
    return cases(bce_with_logits, args, [f"z of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex7_2(rng, hidden):
    if hidden:
        args = [(np.concatenate([rng.normal(0, 200, size=(6, 5)), [[900.0, -900.0, 0.0, 1.0, 2.0]]]),
                 np.array([0, 1, 2, 3, 4, 0, 1])), (np.zeros((2, 3)), np.array([2, 0])),
                (rng.normal(size=(4, 2)), rng.integers(0, 2, size=4))]
    else:
        args = [(rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)),
                (np.array([[1000.0, 0.0, -5.0], [0.0, 2.0, 1.0], [-1000.0, -1000.0, 0.0]]), np.array([1, 1, 2])),
                (rng.normal(0, 50, size=(5, 10)), rng.integers(0, 10, size=5)), (np.array([[3.0, 1.0]]), np.array([0]))]

    def no_max_back(z, y):
        m = z.max(axis=-1, keepdims=True)
        return float(np.mean(np.log(np.sum(np.exp(z - m), axis=-1)) - z[np.arange(len(y)), y]))

    hints = [
        ("average over the examples (mean), do not sum", lambda z, y: len(y) * cross_entropy(z, y)),
        ("after shifting by the maximum m, add it back: logsumexp(z) = m + log(sum(exp(z - m)))", no_max_back),
        ("the sign is flipped: the loss is -log softmax, which is >= 0", lambda z, y: -cross_entropy(z, y)),
    ]
    return cases(cross_entropy, args, [f"logits of shape {shape(a[0])}" for a in args], () if hidden else hints)


OUTPUT_ANSWERS = {
    "spam": ("sigmoid", "bce_with_logits"),
    "digit": ("softmax", "cross_entropy"),
    "price": ("none", "mse"),
    "tags": ("sigmoid", "bce_with_logits"),
}
OUTPUT_HINTS = {
    ("spam", "softmax"): "softmax over a single output unit is always 1: one yes/no answer needs a sigmoid",
    ("tags", "softmax"): "softmax makes the 20 tags compete (their probabilities sum to 1), but several can apply: "
    "one sigmoid per tag",
    ("digit", "sigmoid"): "exactly one digit is right: softmax turns the 10 scores into one distribution",
    ("price", "relu"): "a standardised price can be negative and ReLU cannot output it: leave the output linear ('none')",
    ("price", "sigmoid"): "a price is not a probability: leave the output linear ('none')",
    ("price", "tanh"): "tanh caps the output at ±1, a standardised price can exceed it: leave the output linear ('none')",
    ("spam", "mse"): "a sigmoid output with MSE learns slowly when the sigmoid saturates: pair it with binary cross-entropy",
    ("tags", "mse"): "a sigmoid output with MSE learns slowly when the sigmoid saturates: pair it with binary cross-entropy",
    ("digit", "bce_with_logits"): "one class out of 10 is the multi-class case: cross_entropy (log-softmax inside)",
    ("price", "bce_with_logits"): "the target is a real number, not a 0/1 label: mean squared error",
    ("price", "cross_entropy"): "the target is a real number, not a class: mean squared error",
}


def ex7_3(rng, hidden):
    salt = "lab07:ex7_3"
    return {
        "salt": salt,
        "activation": {t: digest(salt, f"{t}:{a}") for t, (a, _) in OUTPUT_ANSWERS.items()},
        "loss": {t: digest(salt, f"{t}:{a}:{loss}") for t, (a, loss) in OUTPUT_ANSWERS.items()},
        "hints": [[digest(salt, f"{t}:{choice}"), advice] for (t, choice), advice in OUTPUT_HINTS.items()],
    }


def ex7_4(rng, hidden):
    return {}  # a property measured on the answer (the signal through 30 layers): no expected values


def ex7_5(rng, hidden):
    if hidden:
        seeds = [int(s) for s in rng.choice(np.arange(3, 30), size=5, replace=False)]
        args = [("silu", tuple(seeds[:3])), ("relu", tuple(seeds[3:]))]
    else:
        args = [("relu", (0, 1, 2)), ("tanh", (0, 1))]
    hints = [
        ("use the sample standard deviation (ddof=1, as statistics.stdev): with 3 seeds np.std's default is too small",
         lambda a, s: accuracy_summary(a, s, ddof=0)),
        ("use every seed in `seeds`, not only the first", lambda a, s: accuracy_summary(a, s[:1])),
        ("that is the error rate: report the test accuracy",
         lambda a, s: (1 - accuracy_summary(a, s)[0], accuracy_summary(a, s)[1])),
    ]
    labels = [f"{a} over seeds {list(s)}" for a, s in args]
    return cases(accuracy_summary, args, labels, () if hidden else hints)


def data(variant: int | None = None) -> dict:
    builders = {"ex7_1": ex7_1, "ex7_2": ex7_2, "ex7_3": ex7_3, "ex7_4": ex7_4, "ex7_5": ex7_5}
    assert set(OUTPUT_ANSWERS) == set(OUTPUT_TASKS)
    return {name: {"public": build(rng_for(None, name, public=True), False), "hidden": build(rng_for(variant, name), True)}
            for name, build in builders.items()}
