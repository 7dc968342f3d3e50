"""Chapter 5, ELU and dying units: ch5-dying's setting (digits, plain SGD, rising learning rates) with ELU against ReLU.

Registered with :func:`nonlinear.study.experiment` and listed in
:data:`nonlinear.study.store.CHAPTER_MODULES`, so ``make results`` runs it; a
module of its own, so that adding it changed no other experiment's fingerprint.
It reuses the digits and the helpers of :mod:`nonlinear.study.ch5` (a dependency
of its fingerprint).

ELU's derivative α·eᶻ is never exactly 0, so "dead" needs a threshold: the
experiment stores each hidden unit's largest derivative over the training set,
max over examples of f'(z), and the page counts the units below the threshold
fixed in the claim registry.
"""

from __future__ import annotations

import numpy as np

from nonlinear import activations
from nonlinear.study.ch5 import CHANCE, DYING_LRS, SEEDS, accuracy, dying_setting_run
from nonlinear.study.store import experiment, grid


def largest_derivative(model, X, activation: str) -> list[np.ndarray]:
    """Per hidden layer, each unit's max over the examples of X of f'(z) (evaluation mode)."""
    was_training = model.training
    model.eval()
    zs = model.hidden_preactivations(np.asarray(X, dtype=model.dtype))
    model.train(was_training)
    derivative = activations.get(activation).derivative
    return [derivative(z).max(axis=0) for z in zs]


@experiment(
    "ch5-elu-dying",
    configs=grid(activation=["relu", "elu"], lr=DYING_LRS),
    seeds=SEEDS,
    deps=("nonlinear/study/ch5.py",),
    description="digits, 64-64-64-10, He init, plain SGD, batch 32, 10 epochs (as ch5-dying), ReLU and ELU "
    "(α = 1): each hidden unit's largest derivative over the training set, test accuracy, divergence",
)
def elu_dying(config, seed):
    d, run, diverged = dying_setting_run(config["activation"], config["lr"], seed)
    if diverged:
        return {"diverged": True, "test_accuracy": CHANCE, "largest_derivative": [[float("nan")]] * 2}
    return {
        "diverged": False,
        "test_accuracy": accuracy(run.model, d.X_test, d.y_test),
        "largest_derivative": [
            layer.tolist() for layer in largest_derivative(run.model, d.X_train, config["activation"])
        ],
    }
