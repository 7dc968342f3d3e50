"""Activations compared on tasks: one MLP per (activation, task, depth, optimiser, seed).

Chapter 7 ("Choosing in practice") compares every elementwise activation;
chapter 6 compares slices (Swish against ReLU, the sources' leaky ReLU6 against
ReLU6 and Leaky ReLU), and the labs reuse it. Everything runs on the course's
own numpy engine (:mod:`nonlinear.nn`). The heavy grids (10 seeds x depths x
optimisers) are registered in ``nonlinear/study/ch6.py`` and ``ch7.py`` and run
once by ``make results``; a page loads them with ``study.load``.

Two tasks are defined in :data:`TASKS`:

* ``digits``: scikit-learn's 8x8 handwritten digits (real data), standardised,
  MLP 64-32-10, Adam lr 0.01, batch 128, 15 epochs (about a tenth of a second
  per run; the labs use it). Easy: most activations reach about 97 %.
* ``mnist1d``: MNIST-1D (Greydanus 2020, generated locally by
  :func:`nonlinear.data.mnist1d`), 40 inputs, hidden layers of 64 (``depth``
  of them, 2 by default), batch 64, 10 epochs, float32. Hard enough that
  activations differ (test accuracy roughly 0.3-0.6), so comparisons of
  activations rest on it.

``depth`` (number of hidden layers) and ``optimiser`` (``"sgd-momentum"``:
SGD with momentum 0.9; ``"adam"``) are parameters of every run; each task has
a learning rate per optimiser (:attr:`Task.lrs`). Every number is seeded and
identical on every run, except ``seconds_per_epoch``, a wall-clock measurement.

>>> from nonlinear import task_comparison
>>> rows = task_comparison.run(["relu"], tasks=["digits"], seeds=[0], epochs=3)
>>> rows[0].activation, rows[0].task, len(rows[0].loss)
('relu', 'digits', 3)
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nonlinear import activations, data, nn

OPTIMISERS = ("sgd-momentum", "adam")


@dataclass(frozen=True)
class Task:
    """A dataset and the training recipe used on it.

    ``hidden`` lists the default hidden layer widths (``depth`` and ``width``
    override them); ``lrs`` maps each optimiser to its learning rate;
    ``batch_size=None`` is full-batch training; ``target_loss`` is the training
    loss that counts as "converged" for :attr:`Run.epochs_to_target`.
    """

    name: str
    load: Callable[[], data.Dataset]
    hidden: tuple[int, ...]
    epochs: int
    lrs: Mapping[str, float]
    batch_size: int | None
    target_loss: float
    optimiser: str = "adam"
    dtype: Any = np.float64
    description: str = ""

    @property
    def lr(self) -> float:
        """The learning rate of the default optimiser."""
        return self.lrs[self.optimiser]


TASKS: dict[str, Task] = {
    "digits": Task(
        "digits",
        lambda: data.standardise(data.digits(seed=0)),
        (32,),
        epochs=15,
        lrs={"adam": 1e-2, "sgd-momentum": 5e-2},
        batch_size=128,
        target_loss=0.05,
        description="8x8 handwritten digits (1348 train / 449 test), MLP 64-32-10, Adam lr 0.01, batch 128, 15 epochs",
    ),
    "mnist1d": Task(
        "mnist1d",
        data.mnist1d,
        (64, 64),
        epochs=10,
        lrs={"adam": 1e-3, "sgd-momentum": 1e-2},
        batch_size=64,
        target_loss=1.0,
        dtype=np.float32,
        description="MNIST-1D (4000 train / 1000 test, 40 inputs), hidden layers of 64, Adam lr 0.001 "
        "or SGD+momentum 0.9 lr 0.01, batch 64, 10 epochs, float32",
    ),
}

# swish(beta=1) is silu, so it is left out; softmax, glu, maxout ... are not elementwise.
DEFAULT_ACTIVATIONS: tuple[str, ...] = tuple(
    n for n in activations.names() if n != "swish" and activations.get(n).elementwise
)


@dataclass(frozen=True)
class Config:
    """One hidden activation with its parameters, and the label it is reported under."""

    label: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)


def config(spec) -> Config:
    """A :class:`Config` from a name (``"relu"``), a (name, params) pair, or a Config.

    >>> config(("leaky_relu", {"negative_slope": 0.2})).label
    'leaky_relu(negative_slope=0.2)'
    """
    if isinstance(spec, Config):
        return spec
    if isinstance(spec, str):
        return Config(spec, spec, {})
    name, params = spec
    activations.get(name, **params)  # validate early, with the registry's error message (prelu: weight, its start)
    label = name + (
        "(" + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items()) + ")"
        if params
        else ""
    )
    return Config(label, name, dict(params))


@dataclass(frozen=True)
class Run:
    """What one training run measured."""

    activation: str
    task: str
    seed: int
    test_accuracy: float  # after the last epoch (NaN if the run diverged)
    final_loss: float  # training loss of the last epoch
    epochs_to_target: int | None  # first epoch with training loss <= the task's target; None if never
    seconds_per_epoch: float  # median wall time of an epoch (machine-dependent, not reproducible)
    diverged: bool
    loss: tuple[float, ...]  # training loss per epoch
    depth: int = 1  # hidden layers
    optimiser: str = "adam"
    mean_loss: float = float("nan")  # mean training loss over the epochs (area under the curve / epochs)

    def score(self, chance: float = 0.1) -> float:
        """Test accuracy, with a diverged run scored at ``chance`` (a finite number for paired comparisons)."""
        return chance if self.diverged or not np.isfinite(self.test_accuracy) else self.test_accuracy


_DATA_CACHE: dict[str, data.Dataset] = {}


def dataset(task: str) -> data.Dataset:
    """The task's dataset (loaded once per process)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    if task not in _DATA_CACHE:
        _DATA_CACHE[task] = TASKS[task].load()
    return _DATA_CACHE[task]


def make_optimiser(name: str, parameters, lr: float):
    """``"sgd-momentum"`` (SGD with momentum 0.9) or ``"adam"``."""
    if name == "adam":
        return nn.Adam(parameters, lr=lr)
    if name == "sgd-momentum":
        return nn.SGD(parameters, lr=lr, momentum=0.9)
    raise ValueError(f"optimiser must be one of {', '.join(OPTIMISERS)}, got {name!r}")


def train_one(
    activation,
    task: str = "digits",
    seed: int = 0,
    epochs: int | None = None,
    batchnorm: str | None = None,
    init: str = "auto",
    hidden: tuple[int, ...] | None = None,
    depth: int | None = None,
    optimiser: str | None = None,
    width: int | None = None,
) -> Run:
    """Train the task's MLP once with one hidden activation and return its :class:`Run`.

    ``activation`` is anything :func:`config` accepts. ``depth`` hidden layers
    of ``width`` units (default: the task's ``hidden``), or explicit ``hidden``
    widths; ``optimiser`` is ``"sgd-momentum"`` or ``"adam"`` at the task's
    learning rate for it (default: the task's optimiser); ``epochs`` overrides
    the recipe; ``batchnorm`` and ``init`` go to :class:`nonlinear.nn.MLP`. The
    seed fixes the weights and the batch order, so runs that share it are paired.
    """
    cfg = config(activation)
    d = dataset(task)
    recipe = TASKS[task]
    if hidden is not None and (depth is not None or width is not None):
        raise ValueError("give either hidden (the widths) or depth/width, not both")
    if depth is not None and (int(depth) != depth or depth < 1):
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    widths = hidden or (width or recipe.hidden[0],) * (depth or len(recipe.hidden))
    optimiser = optimiser or recipe.optimiser
    if optimiser not in recipe.lrs:
        raise ValueError(f"optimiser must be one of {', '.join(recipe.lrs)}, got {optimiser!r}")
    sizes = [d.n_features, *widths, d.n_classes]
    model = nn.MLP(
        sizes, activation=cfg.name, init=init, seed=seed, batchnorm=batchnorm, dtype=recipe.dtype, **cfg.params
    )
    history = nn.train(
        model,
        d.X_train.astype(recipe.dtype),
        d.y_train,
        loss="cross_entropy",
        optimizer=make_optimiser(optimiser, model.parameters(), recipe.lrs[optimiser]),
        epochs=epochs or recipe.epochs,
        batch_size=recipe.batch_size,
        seed=seed,
        X_test=d.X_test.astype(recipe.dtype),
        y_test=d.y_test,
        progress=False,
    )
    shape = {"depth": len(widths), "optimiser": optimiser}
    if history.diverged or not history.loss:
        nan = float("nan")
        return Run(cfg.label, task, seed, nan, nan, None, nan, True, tuple(history.loss), **shape)
    return Run(
        cfg.label,
        task,
        seed,
        history.test_accuracy[-1],
        history.loss[-1],
        history.epochs_to(recipe.target_loss),
        statistics.median(history.seconds),
        False,
        tuple(history.loss),
        mean_loss=float(np.mean(history.loss)),
        **shape,
    )


def metrics(r: Run) -> dict[str, Any]:
    """A run as the results store keeps it: final test accuracy (chance if diverged), mean and per-epoch loss."""
    chance = 1.0 / dataset(r.task).n_classes
    worst = float(np.log(dataset(r.task).n_classes))
    loss = [v if np.isfinite(v) else worst for v in r.loss]
    epochs = TASKS[r.task].epochs
    loss += [worst] * (epochs - len(loss)) if r.diverged else []
    return {
        "test_accuracy": r.score(chance),
        "mean_loss": float(np.mean(loss)) if loss else worst,
        "final_loss": loss[-1] if loss else worst,
        "loss": loss,
        "diverged": r.diverged,
    }


def run(
    activation_list: Iterable = DEFAULT_ACTIVATIONS,
    tasks: Iterable[str] = tuple(TASKS),
    seeds: Iterable[int] = (0, 1, 2),
    progress: bool = False,
    **options,
) -> list[Run]:
    """The grid: every activation x task x seed, via :func:`train_one` (``options`` go to it).

    ``progress=True`` shows a tqdm bar (on stderr, which the book hides).
    """
    from tqdm import tqdm

    configs = [config(a) for a in activation_list]
    seeds = list(seeds)
    jobs = [(c, t, s) for t in tasks for c in configs for s in seeds]
    return [
        train_one(c, t, s, **options) for c, t, s in tqdm(jobs, desc="benchmark", disable=not progress, leave=False)
    ]


def to_frame(runs: list[Run]):
    """All runs as a pandas DataFrame, one row per run (without the loss curves)."""
    import pandas as pd

    return pd.DataFrame([{k: v for k, v in r.__dict__.items() if k != "loss"} for r in runs])


def summary(runs: list[Run]):
    """Per (task, activation): mean and std of test accuracy, median epochs to target, time per epoch.

    ``epochs_to_target`` is the median over the seeds that reached the target
    (NaN when none did); ``reached`` counts those seeds.
    """
    frame = to_frame(runs)
    frame["reached"] = frame["epochs_to_target"].notna()
    frame["epochs_to_target"] = frame["epochs_to_target"].astype(float)
    grouped = frame.groupby(["task", "activation"], sort=False)
    out = grouped.agg(
        accuracy_mean=("test_accuracy", "mean"),
        accuracy_std=("test_accuracy", "std"),
        final_loss=("final_loss", "mean"),
        epochs_to_target=("epochs_to_target", "median"),
        reached=("reached", "sum"),
        seeds=("seed", "count"),
        ms_per_epoch=("seconds_per_epoch", lambda s: 1000 * float(np.median(s))),
        diverged=("diverged", "sum"),
    )
    return out.reset_index()


def compare(runs: list[Run], a: str, b: str, task: str) -> dict[str, float]:
    """Paired comparison of activation labels ``a`` and ``b`` on one task, seed by seed.

    Returns mean test accuracies, the mean and the standard error of the
    per-seed difference (a - b), how many seeds ``a`` wins, and the median
    epochs to the target loss of each (NaN if a seed never reached it).
    Verdicts use :func:`nonlinear.claims.paired` on ``paired_scores`` instead.
    """
    pairs = _pairs(runs, a, b, task)
    diff = np.array([x.test_accuracy - y.test_accuracy for x, y in pairs])

    def median_epochs(side):
        values = [np.nan if r.epochs_to_target is None else r.epochs_to_target for r in side]
        return float(np.median(values))

    return {
        "accuracy_a": float(np.mean([x.test_accuracy for x, _ in pairs])),
        "accuracy_b": float(np.mean([y.test_accuracy for _, y in pairs])),
        "difference": float(diff.mean()),
        "standard_error": float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan"),
        "wins_a": int(np.sum(diff > 0)),
        "ties": int(np.sum(diff == 0)),
        "seeds": len(pairs),
        "epochs_a": median_epochs([x for x, _ in pairs]),
        "epochs_b": median_epochs([y for _, y in pairs]),
    }


def paired_scores(runs: list[Run], a: str, b: str, task: str) -> tuple[np.ndarray, np.ndarray]:
    """Test accuracies of ``a`` and ``b`` on ``task`` for the seeds both ran, in seed order (diverged = chance)."""
    pairs = _pairs(runs, a, b, task)
    chance = 1.0 / dataset(task).n_classes
    return np.array([x.score(chance) for x, _ in pairs]), np.array([y.score(chance) for _, y in pairs])


def _pairs(runs: list[Run], a: str, b: str, task: str) -> list[tuple[Run, Run]]:
    by_seed: dict[int, dict[str, Run]] = {}
    for r in runs:
        if r.task == task and r.activation in (a, b):
            by_seed.setdefault(r.seed, {})[r.activation] = r
    pairs = [(v[a], v[b]) for _, v in sorted(by_seed.items()) if a in v and b in v]
    if not pairs:
        raise ValueError(f"no seed has runs of both {a!r} and {b!r} on {task!r}")
    return pairs
