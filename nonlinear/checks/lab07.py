"""Lab 7 (choosing in practice): losses from logits, output layers, initialisation, mean ± std over seeds."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nonlinear.checks.core import (
    NOT_ANSWERED,
    CheckResult,
    check_cases,
    digest,
    fail,
    missing_data,
    passed,
    public_data,
)

LAB = "lab07_choosing"


def check_bce_with_logits(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 7.1: ``bce_with_logits(z, y)``: mean over all entries of softplus(z) - y z (rtol 1e-10), silent."""
    return check_cases(
        fn, data, "bce_with_logits", lab=LAB, exercise="ex7_1", rtol=1e-10, atol=1e-12, arg_names=("z", "y"), show=show
    )


def check_cross_entropy(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 7.2: ``cross_entropy(logits, labels)``: mean of logsumexp(row) - row[label] (rtol 1e-10), silent."""
    return check_cases(
        fn,
        data,
        "cross_entropy",
        lab=LAB,
        exercise="ex7_2",
        rtol=1e-10,
        atol=1e-12,
        arg_names=("logits", "labels"),
        show=show,
    )


OUTPUT_TASKS = {
    "spam": "is an e-mail spam? (one output unit)",
    "digit": "which of the 10 digits is in an image? (10 output units)",
    "price": "the price of a house, standardised to mean 0 and std 1 (one output unit)",
    "tags": "which of 20 tags apply to a photo? several can apply at once (20 output units)",
}
OUTPUT_ACTIVATIONS = ("none", "sigmoid", "softmax", "tanh", "relu")
OUTPUT_LOSSES = ("mse", "bce_with_logits", "cross_entropy")


def _dict_problem(answer, name: str, shape: str) -> str | None:
    """Why ``answer`` is not yet a dict answer (a function, a stub, another type), or None if it is a dict."""
    if callable(answer):
        return "expected a dict, got a function: call it and store the result"
    if answer is None or answer is Ellipsis:
        return f"{NOT_ANSWERED} ({name} is still ... or None)"
    if not isinstance(answer, dict):
        return f"expected a dict {shape}, got {type(answer).__name__}"
    return None


def _keys(answer: dict) -> dict:
    """The answer with its keys stripped and lower-cased (names are accepted in any capitalisation)."""
    return {str(k).strip().lower(): v for k, v in answer.items()}


def check_output_choices(answer, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 7.3: for each task of ``OUTPUT_TASKS``, an (output activation, loss) pair (any capitalisation)."""
    name = "output_choices"
    data = data if data is not None else public_data(LAB, "ex7_3")
    if data is None:
        return fail(name, missing_data(LAB), show)
    problem = _dict_problem(answer, name, "{task: (activation, loss)}")
    if problem is not None:
        return fail(name, problem, show)
    answer = _keys(answer)
    missing = [task for task in OUTPUT_TASKS if task not in answer]
    extra = [task for task in answer if task not in OUTPUT_TASKS]
    if missing or extra:
        message = "; ".join(
            ([f"missing tasks: {missing}"] if missing else []) + ([f"unknown tasks: {extra}"] if extra else [])
        )
        return fail(name, f"{message} (the tasks are {list(OUTPUT_TASKS)})", show)
    salt, hints = data["salt"], dict(data.get("hints", []))
    problems = []
    for task in OUTPUT_TASKS:
        pair = answer[task]
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
            problems.append(f"{task}: expected a pair of strings (activation, loss), got {pair!r}")
            continue
        activation, loss = (p.strip().lower() for p in pair)
        if activation not in OUTPUT_ACTIVATIONS:
            problems.append(f"{task}: unknown activation {activation!r}; choose from {OUTPUT_ACTIVATIONS}")
        elif loss not in OUTPUT_LOSSES:
            problems.append(f"{task}: unknown loss {loss!r}; choose from {OUTPUT_LOSSES}")
        elif digest(salt, f"{task}:{activation}") != data["activation"][task]:
            key = digest(salt, f"{task}:{activation}")
            problems.append(
                f"{task}: the output activation {activation!r} is wrong. Hint: "
                + hints.get(key, f"what kind of answer does '{OUTPUT_TASKS[task]}' need?")
            )
        elif digest(salt, f"{task}:{activation}:{loss}") != data["loss"][task]:
            key = digest(salt, f"{task}:{loss}")
            problems.append(
                f"{task}: the loss {loss!r} does not match the {activation!r} output. Hint: "
                + hints.get(key, "each output activation has one loss that belongs to it")
            )
    if problems:
        return fail(name, f"{len(problems)} of {len(OUTPUT_TASKS)} tasks are wrong: " + "; ".join(problems), show)
    return passed(name, "every task has the right output activation and loss", show)


INIT_ACTIVATIONS = ("relu", "leaky_relu", "selu")
INIT_SCHEMES = ("xavier", "he", "lecun")
# The rule exercise 7.4 states: every layer's output std of a random 30-layer, width-64 network in [0.5, 2].
INIT_DEPTH, INIT_WIDTH, INIT_BAND = 30, 64, (0.5, 2.0)


def signal_std(activation: str, init: str, depth: int = INIT_DEPTH, width: int = INIT_WIDTH) -> np.ndarray:
    """The standard deviation of each layer's output of a random ``depth``-layer net (forward_statistics)."""
    from nonlinear import experiments

    return experiments.forward_statistics(activation, depth=depth, width=width, init=init)["std"]


def check_init_choices(answer, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 7.4: ``init_for`` maps each activation of ``INIT_ACTIVATIONS`` to a scheme of ``INIT_SCHEMES``
    (any capitalisation) that keeps every layer's output std of the 30-layer network within ``INIT_BAND``.

    A property measured on the answer itself, so ``data`` is not needed (accepted for a uniform signature).
    """
    name = "init_for"
    problem = _dict_problem(answer, name, "{activation: init}")
    if problem is not None:
        return fail(name, problem, show)
    answer = _keys(answer)
    if set(answer) != set(INIT_ACTIVATIONS):
        return fail(name, f"the keys must be exactly {list(INIT_ACTIVATIONS)}, got {list(answer)}", show)
    low, high = INIT_BAND
    problems = []
    for activation in INIT_ACTIVATIONS:
        choice = answer[activation]
        if not isinstance(choice, str) or choice.strip().lower() not in INIT_SCHEMES:
            problems.append(f"{activation}: {choice!r} is not one of {INIT_SCHEMES}")
            continue
        stds = signal_std(activation, choice.strip().lower())
        if not (low <= stds.min() and stds.max() <= high):
            worst = int(np.argmax(np.maximum(low - stds, stds - high)))
            problems.append(
                f"{activation} with {choice.strip().lower()!r}: the output std of layer {worst + 1} is "
                f"{stds[worst]:.3g}, outside [{low:g}, {high:g}] (it runs from {stds.min():.3g} to {stds.max():.3g} "
                f"over the {INIT_DEPTH} layers). Hint: which weight variance keeps the variance of "
                f"{activation}'s output equal to that of its input?"
            )
    if problems:
        return fail(name, f"{len(problems)} of {len(INIT_ACTIVATIONS)} wrong: " + "; ".join(problems), show)
    return passed(
        name, f"every layer's output std stays within [{low:g}, {high:g}] for each activation and your choice", show
    )


def check_accuracy_summary(fn: Callable, show: bool = True, data: dict | None = None) -> CheckResult:
    """Exercise 7.5: ``accuracy_summary(activation, seeds)`` -> (mean, sample std) of the test accuracy (rtol 1e-9)."""
    return check_cases(
        fn,
        data,
        "accuracy_summary",
        lab=LAB,
        exercise="ex7_5",
        rtol=1e-9,
        atol=1e-12,
        parts=("mean", "std"),
        arg_names=("activation", "seeds"),
        allowed=("nonlinear.task_comparison.train_one",),
        show=show,
    )
