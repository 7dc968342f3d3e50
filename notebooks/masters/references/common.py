"""Helpers for the lab references: build the expected values a check compares with.

The references (the answers) live here, with the masters, never in the installed package.
``scripts/make_labs.py`` calls each lab module's ``data(variant)`` and stores the public part with the
student notebook (``notebooks/lab_data/<lab>.json``) and the hidden part inside the hidden tests.
"""

from __future__ import annotations

import numpy as np

from nonlinear.checks.core import digest, hint_outputs

HIDDEN_SEED = 2024  # the hidden cases of the published masters; a variant replaces it


def rng_for(variant: int | None, exercise: str, public: bool = False) -> np.random.Generator:
    """A generator for one exercise's cases: public cases never change; hidden ones follow the variant."""
    number = int("".join(ch for ch in exercise if ch.isdigit()))
    return np.random.default_rng([0 if public else 1, HIDDEN_SEED if variant is None else variant, number])


def cases(reference, args: list[tuple], labels: list[str], hints=()) -> dict:
    """Expected values of ``reference`` on every argument tuple, with labels and the outputs of wrong answers."""
    data = {
        "cases": [tuple(a) for a in args],
        "expected": [reference(*a) for a in args],
        "labels": list(labels),
    }
    if hints:
        data["hints"] = [[advice, hint_outputs(wrong, data["cases"])] for advice, wrong in hints]
    return data


def answer(salt: str, value, hints=()) -> dict:
    """A value answer stored as a salted digest, with the digests of known wrong values and their advice."""
    return {"salt": salt, "digest": digest(salt, value), "hints": [[digest(salt, w), advice] for w, advice in hints]}


def shape(a) -> str:
    return "x".join(str(n) for n in np.shape(a)) or "scalar"


def edge_and_random(rng: np.random.Generator, n: int = 120, scale: float = 4.0) -> np.ndarray:
    """0, tiny, moderate and huge inputs of both signs (the negative tail included), then ``n`` random ones."""
    from nonlinear.checks.core import edge_inputs

    return np.concatenate([edge_inputs(), rng.normal(0, scale, size=n)])
