"""Clock measurements behind the cost claims of chapters 2, 4, 6 and 7, stored by ``make results``.

A time depends on the machine and on what else it runs, so a verdict decided on times measured
while the book builds could change from one build to the next, and differ between the editions,
which run every page separately. These experiments measure once; the pages read the stored rounds
(``study.load``) and say which machine measured them. Each seed is one round: every activation of
the round is timed back to back (the fastest of ``number`` calls: other work only adds time), in an
order rotated by the round, so each round gives paired times. Every run is single-threaded.
"""

from __future__ import annotations

import numpy as np

from nonlinear import experiments
from nonlinear.study.store import Results, experiment, grid

ROUNDS = range(10)
MODES = ("forward", "forward+backward")
BATCH = 256

CH4_NAMES = ["relu", "sigmoid"]
CH6_NAMES = ["relu", "silu", "hardswish", "sigmoid", "hardsigmoid"]
CH7_NAMES = ["relu", "leaky_relu"]


def _layer_step_round(names: list[str], width: int, number: int, backend: str, seed: int) -> dict[str, float]:
    """One round of :func:`experiments.layer_step_times`: ``{"<activation> <mode>": seconds}``."""
    shift = seed % len(names)
    rotated = names[shift:] + names[:shift]
    times = experiments.layer_step_times(rotated, width, batch=BATCH, repeats=1, number=number, backend=backend)
    return {f"{name} {mode}": float(t[0]) for (name, mode), t in times.items()}


def layer_steps(results: Results, names: list[str], **where) -> dict[tuple[str, str], np.ndarray]:
    """The stored rounds as ``{(activation, mode): seconds per round}`` (the form ``layer_step_times`` returns)."""
    return {(name, mode): results.values(f"{name} {mode}", **where) for name in names for mode in MODES}


def measured_on(results: Results) -> str:
    """Which machine and libraries measured ``results``, and when."""
    env = results.info.get("environment", {})
    cpu = env.get("cpu") or env.get("processor") or "an unnamed CPU"
    load = env.get("load_average_at_start")
    busy = f", load average {load:.1f} when the runs started" if load is not None else ""
    return (
        f"{cpu}, torch {env.get('torch', '?')}, numpy {env.get('numpy', '?')}, one thread; "
        f"stored by make results on {results.info.get('created', '?')}{busy}"
    )


@experiment(
    "ch2-large-values",
    configs=[{"rows": 512, "width": 256}],
    seeds=ROUNDS,
    clock=True,
    description="a matrix product on inputs near 1 and on the same inputs times 1e30, timed back to back",
)
def large_values(config, seed):
    rng = np.random.default_rng(0)
    small = rng.normal(size=(config["rows"], config["width"]))
    weights = rng.normal(size=(config["width"], config["width"])) / 16
    inputs = {"small": small, "large": small * 1e30}

    order = ["small", "large"] if seed % 2 == 0 else ["large", "small"]
    times = {name: experiments.best_time(lambda a=inputs[name]: a @ weights, 5) for name in order}
    return {"small_s": times["small"], "large_s": times["large"]}


@experiment(
    "ch4-layer-cost",
    configs=grid(backend=["torch", "numpy"], width=[64, 256, 1024]),
    seeds=ROUNDS,
    clock=True,
    description="a dense layer step with ReLU and with sigmoid, in PyTorch and in this package, float32",
)
def ch4_layer_cost(config, seed):
    return _layer_step_round(CH4_NAMES, config["width"], 5, config["backend"], seed)


@experiment(
    "ch6-layer-cost",
    configs=grid(width=[64, 128, 256]),
    seeds=ROUNDS,
    clock=True,
    description="a dense layer step with ReLU, SiLU, hard-swish, sigmoid and hard-sigmoid in PyTorch, float32",
)
def ch6_layer_cost(config, seed):
    return _layer_step_round(CH6_NAMES, config["width"], 3, "torch", seed)


@experiment(
    "ch7-leaky-cost",
    configs=[{"width": 128}],
    seeds=ROUNDS,
    clock=True,
    description="a dense layer step with ReLU and with leaky ReLU in PyTorch, float32",
)
def ch7_leaky_cost(config, seed):
    return _layer_step_round(CH7_NAMES, config["width"], 3, "torch", seed)
