"""Activations compared on tasks: one small MLP, trained with each hidden activation, several seeds.

Chapter 7 ("Choosing in practice") runs the whole grid; chapter 6 runs slices of
it (Swish against ReLU, the sources' leaky ReLU6 against ReLU6 and Leaky ReLU),
and the labs reuse it. Everything runs on the course's own numpy engine
(:mod:`nonlinear.nn`), which is fast enough for these sizes: a run on the digits
task takes about a tenth of a second.

Two tasks are defined in :data:`TASKS`:

* ``digits``: scikit-learn's 8x8 handwritten digits (real data), standardised,
  MLP 64-32-10, Adam, mini-batches;
* ``spirals``: three interleaved spiral arms (generated), MLP 2-32-32-3, Adam,
  full batch.

Every number is seeded and identical on every run, except ``seconds_per_epoch``,
which is a wall-clock measurement of the machine that ran it.

>>> from nonlinear import task_comparison
>>> rows = task_comparison.run(["relu"], tasks=["spirals"], seeds=[0], epochs=5)
>>> rows[0].activation, rows[0].task, len(rows[0].loss)
('relu', 'spirals', 5)
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nonlinear import activations, data, nn


@dataclass(frozen=True)
class Task:
    """A dataset and the training recipe the benchmark uses on it.

    ``hidden`` lists the hidden layer widths; ``batch_size=None`` is full-batch
    training; ``target_loss`` is the training loss that counts as "converged"
    for :attr:`Run.epochs_to_target`.
    """

    name: str
    load: Callable[[], data.Dataset]
    hidden: tuple[int, ...]
    epochs: int
    lr: float
    batch_size: int | None
    target_loss: float
    description: str = ""


TASKS: dict[str, Task] = {
    "digits": Task(
        "digits",
        lambda: data.standardise(data.digits(seed=0)),
        (32,),
        epochs=15,
        lr=1e-2,
        batch_size=128,
        target_loss=0.05,
        description="8x8 handwritten digits (1348 train / 449 test), MLP 64-32-10, Adam lr 0.01, batch 128",
    ),
    "spirals": Task(
        "spirals",
        lambda: data.spirals(n=600, classes=3, noise=0.2, turns=1.0, seed=0),
        (32, 32),
        epochs=120,
        lr=2e-2,
        batch_size=None,
        target_loss=0.2,
        description="3 spiral arms (450 train / 150 test), MLP 2-32-32-3, Adam lr 0.02, full batch",
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
    if name != "prelu":
        activations.get(name, **params)  # validate early, with the registry's error message
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
    test_accuracy: float  # after the last epoch
    final_loss: float  # training loss of the last epoch
    epochs_to_target: int | None  # first epoch with training loss <= the task's target; None if never
    seconds_per_epoch: float  # median wall time of an epoch (machine-dependent, not reproducible)
    diverged: bool
    loss: tuple[float, ...]  # training loss per epoch


_DATA_CACHE: dict[str, data.Dataset] = {}


def dataset(task: str) -> data.Dataset:
    """The task's dataset (loaded once per process)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    if task not in _DATA_CACHE:
        _DATA_CACHE[task] = TASKS[task].load()
    return _DATA_CACHE[task]


def train_one(
    activation,
    task: str = "digits",
    seed: int = 0,
    epochs: int | None = None,
    batchnorm: str | None = None,
    init: str = "auto",
    hidden: tuple[int, ...] | None = None,
) -> Run:
    """Train the task's MLP once with one hidden activation and return its :class:`Run`.

    ``activation`` is anything :func:`config` accepts. ``epochs`` and ``hidden``
    override the task's recipe; ``batchnorm`` and ``init`` are passed to
    :class:`nonlinear.nn.MLP`. The seed fixes the weights and the batch order.
    """
    cfg = config(activation)
    d = dataset(task)
    recipe = TASKS[task]
    sizes = [d.n_features, *(hidden or recipe.hidden), d.n_classes]
    model = nn.MLP(sizes, activation=cfg.name, init=init, seed=seed, batchnorm=batchnorm, **cfg.params)
    history = nn.train(
        model,
        d.X_train,
        d.y_train,
        loss="cross_entropy",
        optimizer=nn.Adam(model.parameters(), lr=recipe.lr),
        epochs=epochs or recipe.epochs,
        batch_size=recipe.batch_size,
        seed=seed,
        X_test=d.X_test,
        y_test=d.y_test,
        progress=False,
    )
    if history.diverged or not history.loss:
        return Run(cfg.label, task, seed, float("nan"), float("nan"), None, float("nan"), True, tuple(history.loss))
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
    )


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
    """
    by_seed = {}
    for r in runs:
        if r.task == task and r.activation in (a, b):
            by_seed.setdefault(r.seed, {})[r.activation] = r
    pairs = [(v[a], v[b]) for v in by_seed.values() if a in v and b in v]
    if not pairs:
        raise ValueError(f"no seed has runs of both {a!r} and {b!r} on {task!r}")
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
