"""Chapter 5, sigmoid as an input normalisation (source 001): the digits under three preparations, one ReLU MLP.

Source 001 says sigmoid's (0, 1) output can be used to normalise inputs. The
experiment ``ch5-sigmoid-inputs`` trains the same network (two hidden layers of
64 ReLU units, He initialisation, batches of 64, 20 epochs) on the digits
prepared in three ways (:data:`PREPARATIONS`), with the whole training set and
with its first 200 examples, under Adam and SGD with momentum, ten seeds: a seed
fixes the initial weights and the batch order, so the preparations are paired.
``ch5-sigmoid-inputs-long`` repeats the 200-example setting for 200 epochs (a
follow-up outside the claim's rule: is a gap a matter of speed or of lost
information?).

Registered with :func:`nonlinear.study.experiment` and listed in
:data:`nonlinear.study.store.CHAPTER_MODULES`; a module of its own, so adding it
changed no other experiment's fingerprint.
"""

from __future__ import annotations

import numpy as np

from nonlinear import activations, data, experiments
from nonlinear.study.store import experiment, grid

PREPARATIONS = {
    "standardised": "z = (x − mean) / std, with the training set's mean and std per pixel (the usual practice)",
    "sigmoid(raw)": "σ(x) of the raw pixel counts x = 0 … 16: sigmoid used as the normalisation itself",
    "sigmoid(standardised)": "σ(z) of the standardised inputs: squashing after standardising",
}
TRAINING = {"all": None, "200": 200}  # training examples: the whole training split, or its first 200
OPTIMISERS = ("adam", "sgd-momentum")
EPOCHS = 20
LONG_EPOCHS = 200  # the follow-up: the 200-example setting trained ten times longer
SATURATION = 0.01  # an input is saturated when σ(·) lies within this of 0 or 1 (|argument| > 4.6)


def digits(training: str) -> data.Dataset:
    """The digits scaled to [0, 1] (:func:`nonlinear.data.digits`), training split cut to ``TRAINING[training]``."""
    if training not in TRAINING:
        raise ValueError(f"training must be one of {', '.join(TRAINING)}, got {training!r}")
    d = data.digits()
    n = TRAINING[training]
    if n is None:
        return d
    return data.Dataset(d.name, d.X_train[:n], d.y_train[:n], d.X_test, d.y_test, d.feature_names, d.description)


def prepare(dataset: data.Dataset, how: str) -> data.Dataset:
    """``dataset`` (pixels in [0, 1]) under one of :data:`PREPARATIONS`; standardising uses its training split."""
    if how not in PREPARATIONS:
        raise ValueError(f"unknown preparation {how!r}; choose from {', '.join(PREPARATIONS)}")
    sigmoid = activations.get("sigmoid")
    if how == "sigmoid(raw)":
        source, squash = dataset, lambda X: sigmoid(16.0 * X)  # back to the counts 0 … 16, then σ
    else:
        source = data.standardise(dataset)
        squash = sigmoid if how == "sigmoid(standardised)" else (lambda X: X)
    return data.Dataset(
        dataset.name,
        squash(source.X_train),
        dataset.y_train,
        squash(source.X_test),
        dataset.y_test,
        dataset.feature_names,
        f"{dataset.description}, {how}",
    )


def saturated_share(X: np.ndarray) -> float:
    """Share of the values of sigmoid-prepared inputs X within :data:`SATURATION` of 0 or 1."""
    X = np.asarray(X, dtype=float)
    return float(np.mean((X < SATURATION) | (X > 1 - SATURATION)))


@experiment(
    "ch5-sigmoid-inputs",
    configs=grid(preparation=list(PREPARATIONS), training=list(TRAINING), optimiser=list(OPTIMISERS)),
    seeds=range(10),
    description="digits, 64-64-10 ReLU MLP, He init, batch 64, 20 epochs, Adam (lr 1e-3) or SGD with momentum "
    "(lr 0.01), all training examples or the first 200, inputs standardised, σ(raw counts) or σ(standardised)",
)
def sigmoid_inputs(config, seed):
    prepared = prepare(digits(config["training"]), config["preparation"])
    run = experiments.training_run(prepared, "relu", depth=2, optimiser=config["optimiser"], seed=seed, epochs=EPOCHS)
    return {key: run[key] for key in ("final_accuracy", "test_accuracy", "loss", "diverged")}


@experiment(
    "ch5-sigmoid-inputs-long",
    configs=grid(preparation=list(PREPARATIONS), optimiser=list(OPTIMISERS)),
    seeds=range(10),
    description="as ch5-sigmoid-inputs with the first 200 training examples, trained for 200 epochs instead of 20",
)
def sigmoid_inputs_long(config, seed):
    prepared = prepare(digits("200"), config["preparation"])
    run = experiments.training_run(
        prepared, "relu", depth=2, optimiser=config["optimiser"], seed=seed, epochs=LONG_EPOCHS
    )
    return {key: run[key] for key in ("final_accuracy", "loss", "diverged")}
