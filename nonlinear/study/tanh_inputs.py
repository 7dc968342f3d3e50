"""Chapter 5, data normalisation for tanh and sigmoid (source 001): prepared inputs, and batch normalisation's layer inputs.

Registered with :func:`nonlinear.study.experiment` and imported by
:mod:`nonlinear.study.ch5`, so ``make results`` runs them. The measurements
are in :mod:`nonlinear.input_scaling`.
"""

from __future__ import annotations

from nonlinear import data, input_scaling
from nonlinear.study.store import experiment, grid


@experiment(
    "ch5-tanh-inputs",
    configs=grid(activation=["tanh", "sigmoid"], preparation=list(input_scaling.PREPARATIONS)),
    seeds=range(10),
    deps=("nonlinear/input_scaling.py",),
    description="one hidden layer of 32, Xavier, SGD (lr 0.02, momentum 0.9, batches of 64), 8 epochs on the "
    "digits under five input preparations: first-layer saturation and slope at initialisation, loss curve",
)
def tanh_inputs(config, seed):
    prepared = input_scaling.prepare(data.digits(), config["preparation"])
    result = input_scaling.run(config["activation"], prepared, seed=seed)
    model_slope = input_scaling.initial_slope(config["activation"], prepared, seed=seed)
    return {**result, "mean_slope": model_slope}


@experiment(
    "ch5-bn-layer-inputs",
    configs=grid(batchnorm=["none", "before"]),
    seeds=range(10),
    deps=("nonlinear/input_scaling.py",),
    description="tanh, three hidden layers of 32, inputs standardised then shifted by +4, SGD 8 epochs on the "
    "digits, with and without batch normalisation before each tanh: statistics of every layer's input per epoch",
)
def bn_layer_inputs(config, seed):
    prepared = input_scaling.prepare(data.digits(), "shifted +4")
    batchnorm = None if config["batchnorm"] == "none" else config["batchnorm"]
    result = input_scaling.train_with_checkpoints("tanh", prepared, seed=seed, batchnorm=batchnorm)
    stats = result.pop("stats")
    return {**result, **{key: [s[key] for s in stats] for key in ("mean", "std", "saturated")}}
