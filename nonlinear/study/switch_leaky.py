"""Chapter 7, "switch to Leaky ReLU when learning stops": stalled ReLU networks continued with ReLU and with Leaky ReLU.

Registered with :func:`nonlinear.study.experiment` and listed in
:data:`nonlinear.study.store.CHAPTER_MODULES`, so ``make results`` runs it; a
module of its own, so that adding it changed no other experiment's fingerprint.

``ch7-switch-leaky`` trains a ReLU network, asks whether it has stalled
(:func:`stalled`), and then continues it from the same weights twice, with the
same optimiser settings and the same batch order: arm A keeps ReLU, arm B has
every hidden ReLU replaced by Leaky ReLU with slope 0.01 (:func:`with_activation`).
Two settings, both from the dying-ReLU page:

- ``narrow``: 10 hidden layers of 3 units, 1-D input, fitting sin(πx) on 64
  points of [-1, 1] (MSE, full-batch Adam, lr 0.01), 300 epochs, then 300 more;
  narrow deep ReLU networks are often constant from birth or die while training.
- ``digits``: the 8×8 digits, 2 hidden layers of 64, plain SGD with lr 1 and
  batches of 32, 12 epochs, then 10 more at the same rate (the rate at which
  ``ch5-dying`` kills many units).
"""

from __future__ import annotations

import copy

import numpy as np

from nonlinear import data, nn
from nonlinear.study.store import experiment

SLOPE = 0.01  # Leaky ReLU's usual default (PyTorch)
STALL_FALL = 0.01  # stalled: the training loss fell by less than 1% over the last quarter of the first phase ...
STALL_LEVEL = 0.5  # ... and is still at least half the loss of the best constant prediction
SETTINGS = {
    "narrow": {
        "sizes": [1] + [3] * 10 + [1],
        "loss": "mse",
        "optimiser": "adam",
        "lr": 0.01,
        "batch_size": None,
        "epochs": 300,
        "more_epochs": 300,
    },
    "digits": {
        "sizes": [64, 64, 64, 10],
        "loss": "cross_entropy",
        "optimiser": "sgd",
        "lr": 1.0,
        "batch_size": 32,
        "epochs": 12,
        "more_epochs": 10,
    },
}
SEEDS = range(40)


def narrow_task() -> data.Dataset:
    """64 equally spaced points of [-1, 1] and the target sin(πx) (training set = test set)."""
    x = np.linspace(-1.0, 1.0, 64)[:, None]
    y = np.sin(np.pi * x)
    return data.Dataset("sin(πx) on [-1, 1]", x, y, x, y)


def task(setting: str) -> data.Dataset:
    return narrow_task() if setting == "narrow" else data.standardise(data.digits(seed=0))


def constant_loss(y: np.ndarray, loss: str) -> float:
    """Training loss of the best constant prediction: the variance (MSE), or the entropy of the class frequencies."""
    if loss == "mse":
        return float(np.mean((y - y.mean(axis=0)) ** 2))
    p = np.bincount(y) / len(y)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def stalled(losses, reference: float, fall: float = STALL_FALL, level: float = STALL_LEVEL) -> bool:
    """True when the per-epoch training loss is finite, fell by less than ``fall`` (relative) over the last
    quarter of the epochs, and ends at or above ``level`` × ``reference`` (the constant prediction's loss)."""
    losses = np.asarray(losses, dtype=float)
    if len(losses) < 4 or not np.all(np.isfinite(losses)):
        return False
    start = losses[len(losses) - 1 - len(losses) // 4]
    return bool(losses[-1] > (1 - fall) * start and losses[-1] >= level * reference)


def with_activation(model: nn.MLP, activation: str, **params) -> nn.MLP:
    """A deep copy of ``model`` with every hidden activation layer replaced; the weights are copied unchanged."""
    twin = copy.deepcopy(model)
    twin.layers = [nn.Act(activation, **params) if isinstance(layer, nn.Act) else layer for layer in twin.layers]
    return twin


def dead_units(model: nn.MLP, X) -> np.ndarray:
    """Per hidden unit (all layers, concatenated): True when its pre-activation is <= 0 on every example of X."""
    return np.concatenate([(z <= 0).all(axis=0) for z in model.hidden_preactivations(X)])


def _train(model, d, setting, epochs, seed):
    s = SETTINGS[setting]
    opt = nn.Adam(model.parameters(), lr=s["lr"]) if s["optimiser"] == "adam" else nn.SGD(model.parameters(), s["lr"])
    return nn.train(
        model,
        d.X_train,
        d.y_train,
        loss=s["loss"],
        optimizer=opt,
        epochs=epochs,
        batch_size=s["batch_size"],
        seed=seed,
        progress=False,
    )


def _finite(model) -> bool:
    return all(np.all(np.isfinite(p.data)) for p in model.parameters())


@experiment(
    "ch7-switch-leaky",
    configs=[{"setting": name} for name in SETTINGS],
    seeds=SEEDS,
    description="ReLU trained until a stated stall test, then continued from the same weights and batch order "
    "with ReLU and with Leaky ReLU (slope 0.01): narrow (10×3 units, sin(πx), Adam 0.01, 300 + 300 epochs) "
    "and digits (64-64, plain SGD lr 1, batch 32, 12 + 10 epochs)",
)
def switch_leaky(config, seed):
    setting = config["setting"]
    s, d = SETTINGS[setting], task(setting)
    model = nn.MLP(s["sizes"], activation="relu", seed=seed)
    history = _train(model, d, setting, s["epochs"], seed)
    reference = constant_loss(d.y_train, s["loss"])
    out = {"loss_curve": history.loss, "constant_loss": reference, "diverged": history.diverged}
    out["stalled"] = stalled(history.loss, reference) and not history.diverged and _finite(model)
    if not out["stalled"]:
        return out
    out["loss_at_switch"] = nn.evaluate(model, d.X_train, d.y_train, s["loss"])[0]
    out["output_constant"] = bool(np.ptp(model.eval()(d.X_train).data, axis=0).max() == 0)
    model.train()
    dead = dead_units(model, d.X_train)
    out["dead_at_switch"] = int(dead.sum())
    out["units"] = int(dead.size)
    arms = {"relu": copy.deepcopy(model), "leaky_relu": with_activation(model, "leaky_relu", negative_slope=SLOPE)}
    for name, arm in arms.items():
        more = _train(arm, d, setting, s["more_epochs"], seed + 1000)  # the same new batch order for both arms
        broken = more.diverged or not _finite(arm)
        after = float("nan") if broken else nn.evaluate(arm, d.X_train, d.y_train, s["loss"])[0]
        out[f"{name}_diverged"] = bool(broken)
        out[f"{name}_loss_after"] = after
        # a continuation that diverged learned nothing: its relative fall counts as 0
        out[f"{name}_fall"] = 0.0 if broken else 1.0 - after / out["loss_at_switch"]
        if not broken:
            out[f"{name}_revived"] = int((dead & ~dead_units(arm, d.X_train)).sum())  # dead at the switch, z > 0 now
            out[f"{name}_output_constant"] = bool(np.ptp(arm.eval()(d.X_train).data, axis=0).max() == 0)
            arm.train()
    return out
