"""Chapter 6, leaky ReLU6 where its parents' problems occur (``ch6-leaky-relu6-problems``).

Source 000 proposes leaky ReLU6 to fix the known problems of both parents. Each parent has one that the
other's feature is meant to fix:

- ReLU6 loses units: a unit whose pre-activation is below 0 (or above 6) on every example passes no
  gradient. The leak should fix that. Setting: ch5-dying's (digits, plain SGD at rising learning rates),
  ReLU6 against leaky ReLU6, each hidden unit's largest derivative over the training set stored (as in
  ch5-elu-dying; the page counts a unit as dead below the registry's threshold).
- Leaky ReLU is unbounded above, like ReLU, whose gradients explode at a learning rate that is too large.
  The cap should fix that. Setting: ch5-relu6's (digits, plain SGD at learning rates 0.1, 0.3 and 1), leaky
  ReLU against leaky ReLU6, the gradient norm of every step stored.

A module of its own, so that adding it changed no other experiment's fingerprint; it reuses the runs of
:mod:`nonlinear.study.ch5` and :mod:`nonlinear.study.elu_dying` (dependencies of its fingerprint).
"""

from __future__ import annotations

from nonlinear.study.ch5 import DYING_LRS, SEEDS, relu6_blowup
from nonlinear.study.elu_dying import elu_dying
from nonlinear.study.store import experiment, grid

BLOWUP_LRS = [0.1, 0.3, 1.0]


@experiment(
    "ch6-leaky-relu6-problems",
    configs=grid(problem=["dying"], activation=["relu6", "leaky_relu6"], lr=DYING_LRS)
    + grid(problem=["blowup"], activation=["leaky_relu", "leaky_relu6"], lr=BLOWUP_LRS),
    seeds=SEEDS,
    deps=("nonlinear/study/ch5.py", "nonlinear/study/elu_dying.py"),
    description="dying: ch5-dying's setting (digits, 64-64-64-10, plain SGD, batch 32, 10 epochs), ReLU6 and leaky "
    "ReLU6, each unit's largest derivative; blowup: ch5-relu6's setting (digits, 64-64-64-10, plain SGD, batch 64, "
    "6 epochs), leaky ReLU and leaky ReLU6, every step's gradient norm",
)
def leaky_relu6_problems(config, seed):
    run = elu_dying if config["problem"] == "dying" else relu6_blowup
    return run({"activation": config["activation"], "lr": config["lr"]}, seed)
