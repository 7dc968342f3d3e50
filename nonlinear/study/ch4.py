"""Heavy experiments of chapter 4, registered with :func:`nonlinear.study.experiment` (run by ``make results``).

- ``ch4-centring``: sigmoid, the centred sigmoid σ(x) − ½ and tanh on MNIST-1D, 2, 8 and 20 hidden
  layers, SGD with momentum and Adam, 10 paired seeds (the same initial weights and batch order per seed).
- ``ch4-stability``: for tanh, sigmoid and ReLU under one initialisation rule at a time (Xavier, He),
  the test accuracy after 5 epochs of plain SGD at learning rates from 0.04 to 10.24 in steps of √2.
"""

from __future__ import annotations

from nonlinear import data, experiments
from nonlinear.study.store import experiment, grid

SEEDS = range(10)

CENTRING_ARMS = ("sigmoid", "centred sigmoid", "tanh")
CENTRING_EPOCHS = 10


def centring_activation(arm: str):
    """The activation of an arm: a registry name, or a layer factory for the centred sigmoid."""
    if arm == "centred sigmoid":
        return lambda index: experiments.Shifted("sigmoid", 0.5)
    return arm


@experiment(
    "ch4-centring",
    configs=grid(arm=list(CENTRING_ARMS), depth=[2, 8, 20], optimiser=["sgd-momentum", "adam"]),
    seeds=SEEDS,
    description="MNIST-1D, width 64, Xavier, 10 epochs, batch 64: loss and test accuracy per epoch",
)
def centring(config, seed):
    return experiments.training_run(
        data.mnist1d(),
        centring_activation(config["arm"]),
        config["depth"],
        config["optimiser"],
        seed,
        epochs=CENTRING_EPOCHS,
        init="xavier",
    )


STABILITY_LRS = [round(0.04 * 2 ** (k / 2), 6) for k in range(17)]  # 0.04 … 10.24
STABILITY_EPOCHS = 5
STABILITY_TARGET = 0.25  # test accuracy to reach within the epochs (chance is 0.10)


@experiment(
    "ch4-stability",
    configs=grid(activation=["tanh", "sigmoid", "relu"], init=["xavier", "he"]),
    seeds=SEEDS,
    description="MNIST-1D, 3 hidden layers of 64, plain SGD, batch 64, 5 epochs, one run per learning rate",
)
def stability(config, seed):
    accuracy = [
        experiments.training_run(
            data.mnist1d(),
            config["activation"],
            3,
            "sgd",
            seed,
            epochs=STABILITY_EPOCHS,
            lr=lr,
            init=config["init"],
        )["final_accuracy"]
        for lr in STABILITY_LRS
    ]
    reached = [lr for lr, a in zip(STABILITY_LRS, accuracy) if a >= STABILITY_TARGET]
    return {"lrs": STABILITY_LRS, "accuracy": accuracy, "largest_lr": max(reached) if reached else 0.0}
