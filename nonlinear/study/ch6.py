"""Heavy experiments of chapter 6, registered with :func:`nonlinear.study.experiment` (run by ``make results``).

- ``ch6-relu-relatives``: ReLU, SiLU (Swish with β = 1), ReLU6, Leaky ReLU, the sources' leaky ReLU6 and
  hard-swish (SiLU's piecewise-linear twin: it tests whether smoothness is what helps SiLU) on MNIST-1D
  with 2 and 8 hidden layers of 64, ReLU and SiLU also with 20, SGD with momentum and Adam, 10 paired
  seeds (the same seed gives the same batch order and the same initial draws). Depth 20 costs as much as
  2 and 8 together, so only the Swish claim, which is about training deep networks, gets it.
"""

from __future__ import annotations

from nonlinear import task_comparison
from nonlinear.study.store import experiment, grid

SEEDS = range(10)
DEPTHS = (2, 8, 20)
RELATIVES = ("relu", "silu", "relu6", "leaky_relu", "leaky_relu6", "hardswish")


def mnist1d_run(config, seed):
    """One MNIST-1D run of :func:`nonlinear.task_comparison.train_one` as the store keeps it."""
    run = task_comparison.train_one(
        config["activation"],
        "mnist1d",
        seed,
        depth=config["depth"],
        optimiser=config["optimiser"],
        batchnorm=config.get("batchnorm"),
    )
    return task_comparison.metrics(run)


@experiment(
    "ch6-relu-relatives",
    configs=grid(activation=list(RELATIVES), depth=[2, 8], optimiser=list(task_comparison.OPTIMISERS))
    + grid(activation=["relu", "silu"], depth=[20], optimiser=list(task_comparison.OPTIMISERS)),
    seeds=SEEDS,
    deps=("nonlinear/task_comparison.py",),
    description="MNIST-1D, hidden layers of 64, init by activation (He for the ReLU family), 10 epochs, batch 64: "
    "final test accuracy and the training loss per epoch",
)
def relu_relatives(config, seed):
    return mnist1d_run(config, seed)


from nonlinear.study import gated_ffn  # noqa: E402,F401  (GLU variants: registered in their own module)
