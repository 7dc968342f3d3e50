"""Chapter 6, gated linear units: plain and gated feed-forward blocks at equal parameter count on MNIST-1D.

Registered with :func:`nonlinear.study.experiment` and imported by
:mod:`nonlinear.study.ch6`, so ``make results`` runs it. The model and the
variants are in :mod:`nonlinear.gated`.

Two regimes: ``small`` repeats 4000 training examples for 15 epochs (a
network can over-fit them); ``large`` passes over 20 000 examples 3 times,
closer to language-model pre-training, where the data are hardly repeated
and the training loss tracks the held-out loss.
"""

from __future__ import annotations

from nonlinear import data, gated
from nonlinear.study.store import experiment, grid

REGIMES = {"small": {"num_samples": 5000, "epochs": 15}, "large": {"num_samples": 25000, "epochs": 3}}


@experiment(
    "ch6-glu-variants",
    configs=grid(regime=list(REGIMES), variant=list(gated.VARIANTS)),
    seeds=range(10),
    deps=("nonlinear/gated.py",),
    description="one residual FFN block (d=32; plain hidden 96, gated 64: 6144 weights each), Adam 3e-3, batches "
    "of 128 on MNIST-1D: 4000 examples for 15 epochs (small) or 20000 for 3 epochs (large); "
    "held-out cross-entropy and accuracy",
)
def glu_variants(config, seed):
    regime = REGIMES[config["regime"]]
    dataset = data.mnist1d(num_samples=regime["num_samples"])
    history = gated.train_variant(config["variant"], dataset, seed=seed, epochs=regime["epochs"])
    return {
        "test_loss": history.test_loss[-1],
        "test_accuracy": history.test_accuracy[-1],
        "train_loss": history.loss[-1],
        "best_test_loss": min(history.test_loss),
        "test_loss_curve": history.test_loss,
        "train_loss_curve": history.loss,
    }
