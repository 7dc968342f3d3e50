"""Heavy experiments of chapter 5, registered with :func:`nonlinear.study.experiment` (run by ``make results``).

- ``ch5-rectifiers``: ReLU, ELU and leaky ReLU with slopes 0.01 and 0.02 on MNIST-1D, 2, 8 and 20 hidden
  layers of 64, SGD with momentum and Adam, He initialisation, 10 epochs, 10 paired seeds: accuracy, the
  training-loss curve, each hidden layer's mean activation, and the accuracy under Gaussian input noise.
- ``ch5-overfit``: an over-fitting setting (500 MNIST-1D training examples, 50 epochs of Adam or SGD with
  momentum) with ReLU,
  tanh, leaky ReLU with RReLU's mean slope 11/48, RReLU, noisy ReLU (σ = 0.5) and PReLU, 2 and 8 hidden layers.
- ``ch5-dying``: dead ReLU and leaky-ReLU units after 10 epochs of plain SGD on the digits at learning rates
  0.01 … 1, and for ReLU what 5 more epochs at learning rate 0.01 or 0.1 revive.
- ``ch5-relu6``: ReLU against ReLU6 under plain SGD at learning rates 0.1, 0.3 and 1 on the digits, with the
  gradient norm of every step.
- ``ch5-quantise``: ReLU and ReLU6 networks trained in float, their hidden activations then rounded to
  2 … 8 bits with ReLU6's range [0, 6], ReLU clipped to [0, 6], and ReLU calibrated to its largest activation.
"""

from __future__ import annotations

import copy

import numpy as np

from nonlinear import data, experiments, nn
from nonlinear.study.store import experiment, grid

SEEDS = range(10)
CHANCE = 0.1  # ten classes in MNIST-1D and the digits

# --- ch5-rectifiers -------------------------------------------------------------------------------------

RECTIFIERS = {
    "relu": ("relu", {}),
    "elu": ("elu", {}),
    "leaky 0.01": ("leaky_relu", {"negative_slope": 0.01}),
    "leaky 0.02": ("leaky_relu", {"negative_slope": 0.02}),
}
RECTIFIER_EPOCHS = 10
INPUT_NOISE = 0.5  # std of the Gaussian noise added to the (unit-variance) test signals


def fit(dataset, activation, params, sizes, optimiser, seed, epochs, init, lr=None, batch_size=64):
    """Train ``nn.MLP(sizes, activation, **params)`` in float32 (weights and batch order from ``seed``)."""
    model = nn.MLP(sizes, activation=activation, init=init, seed=seed, dtype=np.float32, **params)
    history = nn.train(
        model,
        dataset.X_train.astype(np.float32),
        dataset.y_train,
        optimizer=experiments.make_optimiser(optimiser, model.parameters(), lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        X_test=dataset.X_test.astype(np.float32),
        y_test=dataset.y_test,
        progress=False,
    )
    return model, history


def accuracy(model, X, y) -> float:
    """Test accuracy in evaluation mode; chance for a model whose outputs are not finite."""
    model.eval()
    out = model(np.asarray(X, dtype=model.dtype)).data
    model.train()
    if not np.all(np.isfinite(out)):
        return CHANCE
    return float(np.mean(np.argmax(out, axis=1) == y))


def layer_means(model, X) -> list[float]:
    """Mean output of each hidden layer on X (evaluation mode)."""
    model.eval()
    means = [float(np.mean(a)) for a in model.hidden_activations(np.asarray(X, dtype=model.dtype))]
    model.train()
    return means


@experiment(
    "ch5-rectifiers",
    configs=grid(arm=list(RECTIFIERS), depth=[2, 8, 20], optimiser=["sgd-momentum", "adam"]),
    seeds=SEEDS,
    description="MNIST-1D, width 64, He init, 10 epochs, batch 64: loss and accuracy per epoch, layer means, "
    "accuracy under input noise",
)
def rectifiers(config, seed):
    d = data.mnist1d()
    name, params = RECTIFIERS[config["arm"]]
    sizes = [d.n_features] + [64] * config["depth"] + [d.n_classes]
    model, history = fit(d, name, params, sizes, config["optimiser"], seed, RECTIFIER_EPOCHS, "he")
    clean = accuracy(model, d.X_test, d.y_test)
    noise = np.random.default_rng([seed, 5]).normal(0.0, INPUT_NOISE, size=d.X_test.shape)
    noisy = accuracy(model, d.X_test + noise, d.y_test)
    means = layer_means(model, d.X_test) if not history.diverged else [float("nan")] * config["depth"]
    loss = [v if np.isfinite(v) else float(np.log(d.n_classes)) for v in history.loss]
    loss += [float(np.log(d.n_classes))] * (RECTIFIER_EPOCHS - len(loss))
    return {
        "loss": loss,
        "mean_loss": float(np.mean(loss)),
        "final_accuracy": clean,
        "noisy_accuracy": noisy,
        "retained": (noisy - CHANCE) / (clean - CHANCE) if clean > CHANCE else 0.0,
        "layer_means": means,
        "mean_abs_layer_mean": float(np.mean(np.abs(means))),
        "diverged": bool(history.diverged),
    }


# --- ch5-overfit ----------------------------------------------------------------------------------------

OVERFIT_ARMS = {
    "relu": ("relu", {}, "he"),
    "tanh": ("tanh", {}, "xavier"),
    "leaky 11/48": ("leaky_relu", {"negative_slope": 11 / 48}, "he"),
    "rrelu": ("rrelu", {}, "he"),
    "noisy relu": ("noisy_relu", {"sigma": 0.5}, "he"),
    "prelu": ("prelu", {}, "he"),
}
OVERFIT_TRAIN = 500
OVERFIT_EPOCHS = 50


@experiment(
    "ch5-overfit",
    configs=grid(arm=list(OVERFIT_ARMS), depth=[2, 8], optimiser=["adam", "sgd-momentum"]),
    seeds=SEEDS,
    description="MNIST-1D with 500 training examples, width 64, Adam or SGD with momentum, 50 epochs, batch 64: "
    "training and test accuracy, loss per epoch",
)
def overfit(config, seed):
    full = data.mnist1d()
    d = data.Dataset(
        "mnist1d-500", full.X_train[:OVERFIT_TRAIN], full.y_train[:OVERFIT_TRAIN], full.X_test, full.y_test
    )
    name, params, init = OVERFIT_ARMS[config["arm"]]
    sizes = [d.n_features] + [64] * config["depth"] + [d.n_classes]
    model, history = fit(d, name, params, sizes, config["optimiser"], seed, OVERFIT_EPOCHS, init)
    train_acc, test_acc = accuracy(model, d.X_train, d.y_train), accuracy(model, d.X_test, d.y_test)
    loss = [v if np.isfinite(v) else float(np.log(d.n_classes)) for v in history.loss]
    loss += [float(np.log(d.n_classes))] * (OVERFIT_EPOCHS - len(loss))
    return {
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
        "gap": train_acc - test_acc,
        "loss": loss,
        "mean_loss": float(np.mean(loss)),
        "diverged": bool(history.diverged),
    }


# --- ch5-dying ------------------------------------------------------------------------------------------

DYING_LRS = [0.01, 0.1, 0.3, 0.6, 1.0]
REVIVAL_LRS = [0.01, 0.1]


def digits():
    return data.standardise(data.digits(seed=0))


def dying_setting_run(activation: str, lr: float, seed: int):
    """One run of the dying setting: digits, 64-64-64-10, He init, plain SGD, batch 32, 10 epochs.

    Returns ``(digits, run, diverged)``; a run diverged when its loss or any weight stopped being finite.
    """
    d = digits()
    run = experiments.train_seeds(
        d, [64, 64, 64, 10], activation, seeds=[seed], epochs=10, lr=lr, optimizer="sgd", batch_size=32
    )[0]
    diverged = bool(run.history.diverged) or not all(np.all(np.isfinite(p.data)) for p in run.model.parameters())
    return d, run, diverged


@experiment(
    "ch5-dying",
    configs=grid(activation=["relu", "leaky_relu"], lr=DYING_LRS),
    seeds=SEEDS,
    description="digits, 64-64-64-10, He init, plain SGD, batch 32, 10 epochs; ReLU then 5 epochs at lr 0.01 or 0.1",
)
def dying(config, seed):
    d, run, diverged = dying_setting_run(config["activation"], config["lr"], seed)
    result = {
        "diverged": diverged,
        "test_accuracy": CHANCE if diverged else accuracy(run.model, d.X_test, d.y_test),
        "dead": [float("nan")] * 2 if diverged else experiments.dead_fraction(run.model, d.X_train),
        "peaks": [[float("nan")]] * 2
        if diverged
        else [p.tolist() for p in experiments.max_preactivation(run.model, d.X_train)],
    }
    if config["activation"] == "relu" and not diverged:
        before = [p <= 0 for p in experiments.max_preactivation(run.model, d.X_train)]
        for lr in REVIVAL_LRS:  # continue a copy of the trained network for 5 epochs at a gentle and a usual rate
            model = copy.deepcopy(run.model)
            optimizer = nn.SGD(model.parameters(), lr=lr)
            nn.train(
                model, d.X_train, d.y_train, optimizer=optimizer, epochs=5, batch_size=32, seed=seed, progress=False
            )
            after = [p <= 0 for p in experiments.max_preactivation(model, d.X_train)]
            result[f"revived at {lr}"] = [int(np.sum(b & ~a)) for b, a in zip(before, after)]
            result[f"newly dead at {lr}"] = [int(np.sum(~b & a)) for b, a in zip(before, after)]
    return result


# --- ch5-relu6 -------------------------------------------------------------------------------------------


class GradientNormSGD(nn.SGD):
    r"""Plain SGD that records, before every step, the global gradient norm :math:`\sqrt{\sum_\theta \lVert \partial L / \partial \theta \rVert^2}`."""

    def __init__(self, params, lr: float):
        super().__init__(params, lr=lr)
        self.norms: list[float] = []

    def step(self) -> None:
        self.norms.append(float(np.sqrt(sum(np.sum(p.grad**2) for p in self.params if p.grad is not None))))
        super().step()


@experiment(
    "ch5-relu6",
    configs=grid(activation=["relu", "relu6"], lr=[0.1, 0.3, 1.0]),
    seeds=SEEDS,
    description="digits, 64-64-64-64-10, He init, plain SGD, batch 64, 6 epochs; the gradient norm of every step",
)
def relu6_blowup(config, seed):
    d = digits()
    # experiments.train_seeds for one seed, with an optimiser that records every step's gradient norm
    model = nn.MLP([64, 64, 64, 64, 10], activation=config["activation"], seed=seed)
    sgd = GradientNormSGD(model.parameters(), lr=config["lr"])
    history = nn.train(
        model,
        d.X_train,
        d.y_train,
        optimizer=sgd,
        epochs=6,
        batch_size=64,
        seed=seed,
        X_test=d.X_test,
        y_test=d.y_test,
        progress=False,
    )
    diverged = bool(history.diverged) or not all(np.all(np.isfinite(p.data)) for p in model.parameters())
    return {
        "diverged": diverged,
        "test_accuracy": CHANCE if diverged else accuracy(model, d.X_test, d.y_test),
        "max_activation": float("nan") if diverged else max(experiments.activation_max(model, d.X_train)),
        "gradient_norms": sgd.norms,  # one per step taken (a diverged run stops at the non-finite loss)
    }


# --- ch5-quantise ----------------------------------------------------------------------------------------

BITS = [2, 3, 4, 6, 8]


@experiment(
    "ch5-quantise",
    configs=grid(activation=["relu", "relu6"]),
    seeds=SEEDS,
    description="digits, 64-64-64-10, He init, Adam 0.01, 10 epochs; hidden activations rounded to 2-8 bits",
)
def quantise(config, seed):
    d = digits()
    run = experiments.train_seeds(d, [64, 64, 64, 10], config["activation"], seeds=[seed], epochs=10, lr=0.01)[0]
    result = {"float_accuracy": accuracy(run.model, d.X_test, d.y_test), "bits": BITS}
    ranges = {"range 6": 6.0}
    if config["activation"] == "relu":
        ranges["range max"] = experiments.activation_max(run.model, d.X_train)
        result["largest_activation"] = max(ranges["range max"])
    for label, high in ranges.items():
        result[label] = [experiments.quantised_accuracy(run.model, d.X_test, d.y_test, b, high=high) for b in BITS]
    return result


from nonlinear.study import tanh_inputs  # noqa: E402,F401  (normalisation for tanh: registered in their own module)
