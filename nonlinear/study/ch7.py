"""Heavy experiments of chapter 7, registered with :func:`nonlinear.study.experiment` (run by ``make results``).

- ``ch7-saturating``: tanh and sigmoid (Xavier) in the setting of ``ch6-relu-relatives`` (MNIST-1D, 2, 8 and
  20 hidden layers, SGD with momentum and Adam, 10 seeds), to pair with its ReLU runs.
- ``ch7-bn-order``: ReLU with batch normalisation before or after the activation, 2 and 8 hidden layers.
- ``ch7-defaults``: Leaky ReLU's slope and ELU's α around the framework defaults, 2 hidden layers.
- ``ch7-benchmark``: every elementwise activation on digits (the recipe of the labs) and on MNIST-1D
  (2 hidden layers, Adam), 10 seeds.
"""

from __future__ import annotations

from nonlinear import task_comparison
from nonlinear.study.ch6 import DEPTHS, SEEDS, mnist1d_run
from nonlinear.study.store import experiment, grid

OPTIMISERS = list(task_comparison.OPTIMISERS)
DEPS = ("nonlinear/task_comparison.py", "nonlinear/study/ch6.py")


@experiment(
    "ch7-saturating",
    configs=grid(activation=["tanh", "sigmoid"], depth=list(DEPTHS), optimiser=OPTIMISERS),
    seeds=SEEDS,
    deps=DEPS,
    description="as ch6-relu-relatives (MNIST-1D, width 64, 10 epochs), Xavier initialisation",
)
def saturating(config, seed):
    return mnist1d_run(config, seed)


@experiment(
    "ch7-bn-order",
    configs=grid(activation=["relu"], batchnorm=["before", "after"], depth=[2, 8], optimiser=OPTIMISERS),
    seeds=SEEDS,
    deps=DEPS,
    description="MNIST-1D, ReLU, He, batch normalisation before (Linear → BN → ReLU) or after the activation",
)
def bn_order(config, seed):
    return mnist1d_run(config, seed)


LEAKY_SLOPES = (0.001, 0.01, 0.02, 0.1, 0.3)  # PyTorch's default is 0.01
ELU_ALPHAS = (0.5, 1.0, 2.0)  # PyTorch's default is 1
DEFAULTS = {"leaky_relu": "leaky_relu(negative_slope=0.01)", "elu": "elu(alpha=1)"}
DEFAULTS_CONFIGS = [("leaky_relu", {"negative_slope": s}) for s in LEAKY_SLOPES] + [
    ("elu", {"alpha": a}) for a in ELU_ALPHAS
]


@experiment(
    "ch7-defaults",
    configs=grid(
        activation=[task_comparison.config(c).label for c in DEFAULTS_CONFIGS], depth=[2], optimiser=OPTIMISERS
    ),
    seeds=SEEDS,
    deps=DEPS,
    description="MNIST-1D, 2 hidden layers of 64, Leaky ReLU slopes and ELU α, He initialisation",
)
def defaults(config, seed):
    spec = next(c for c in DEFAULTS_CONFIGS if task_comparison.config(c).label == config["activation"])
    return mnist1d_run({**config, "activation": spec}, seed)


@experiment(
    "ch7-benchmark",
    configs=grid(activation=list(task_comparison.DEFAULT_ACTIVATIONS), task=["digits", "mnist1d"]),
    seeds=SEEDS,
    deps=DEPS,
    description="every elementwise activation: digits (MLP 64-32-10, Adam, 15 epochs) and MNIST-1D "
    "(2 hidden layers of 64, Adam, 10 epochs)",
)
def benchmark(config, seed):
    return task_comparison.metrics(task_comparison.train_one(config["activation"], config["task"], seed))
