"""Exercise checkers: compare a student's answer with the reference and say clearly what is wrong.

A check never raises at the student: an exception inside their code, a wrong
shape or dtype, a NaN or an overflow warning all become a failed
:class:`CheckResult` whose message says where, by how much, and (for the
common mistakes) what to look at. ``bool(result)`` is True only on a pass.

>>> from nonlinear import checks
>>> import numpy as np
>>> checks.check_activation(lambda x: np.maximum(x, 0), "relu", show=False).passed
True
"""

from __future__ import annotations

import traceback
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nonlinear import activations


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    message: str
    name: str = "check"

    def __bool__(self) -> bool:
        return self.passed

    def _repr_markdown_(self) -> str:
        return f"{'✅' if self.passed else '❌'} **{self.name}**: {self.message}"

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'} {self.name}: {self.message}"


def _show(result: CheckResult, show: bool) -> CheckResult:
    if show:
        try:
            from IPython.display import display

            display(result)
        except ImportError:  # plain Python: print instead
            print(result)
    return result


def edge_inputs(dtype=np.float64) -> np.ndarray:
    """The inputs a check always tries: 0, tiny, moderate and huge values of both signs."""
    values = [0.0, -0.0, 1e-12, -1e-12, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 6.0, -3.0, 3.0,
              20.0, -20.0, 50.0, -50.0, 700.0, -700.0, 1000.0, -1000.0]
    return np.array(values, dtype=dtype)


def sample_inputs(seed: int = 0, n: int = 200, dtype=np.float64) -> np.ndarray:
    """Edge cases followed by ``n`` random inputs (normal, scale 4) from ``seed``."""
    rng = np.random.default_rng(seed)
    return np.concatenate([edge_inputs(dtype), rng.normal(0, 4, size=n).astype(dtype)])


def _call_student(fn: Callable, x: np.ndarray):
    """Run the student's function; return (output, problem) with problem None when it ran cleanly."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = fn(x.copy())
        except RuntimeWarning as w:
            return None, (f"numpy warned '{w}' while evaluating your function: an exp or a division "
                          "overflowed. Rewrite it so every exp sees a non-positive argument.")
        except NotImplementedError:
            return None, "not answered yet (the function still raises NotImplementedError)"
        except Exception as e:  # the student's bug, reported rather than raised
            frame = traceback.extract_tb(e.__traceback__)[-1]
            return None, f"your function raised {type(e).__name__}: {e} (line {frame.lineno}: `{frame.line}`)"
    if out is None or out is Ellipsis:
        return None, "your function returned nothing (None or ...): finish it and return an array"
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"your function returned {type(out).__name__}, expected a numpy array of numbers"
    return out, None


def compare(actual: np.ndarray, expected: np.ndarray, x: np.ndarray, rtol: float, atol: float,
            what: str = "value") -> str | None:
    """None when close; otherwise a message naming the worst input, the expected and the actual value."""
    if actual.shape != expected.shape:
        return f"shape {actual.shape}, expected {expected.shape} (the same shape as the input)"
    if np.isnan(actual).any():
        i = int(np.flatnonzero(np.isnan(actual))[0])
        return f"NaN at x = {x.flat[i]:g}; expected {expected.flat[i]:.6g}"
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    error = np.where(bad, np.abs(actual - expected), 0)
    i = int(np.argmax(error))
    return (f"{int(bad.sum())} of {bad.size} inputs are wrong; worst at x = {x.flat[i]:g}: "
            f"your {what} {actual.flat[i]:.6g}, expected {expected.flat[i]:.6g} "
            f"(tolerance rtol={rtol:g}, atol={atol:g})")


def check_function(fn: Callable, reference: Callable, name: str, inputs: np.ndarray | None = None,
                   rtol: float = 1e-7, atol: float = 1e-10, hints: list[tuple[Callable, str]] = (),
                   what: str = "value", show: bool = True) -> CheckResult:
    """Compare ``fn`` with ``reference`` on ``inputs`` (edge cases + random by default), in float64 and float32.

    ``hints`` pairs a known wrong answer with advice: if the student's output
    matches a wrong answer, its advice is added to the message.
    """
    if not callable(fn):
        return _show(CheckResult(False, f"expected a function, got {type(fn).__name__}", name), show)
    x = sample_inputs() if inputs is None else np.asarray(inputs, dtype=np.float64)
    expected = np.asarray(reference(x), dtype=np.float64)
    actual, problem = _call_student(fn, x)
    if problem is None:
        problem = compare(actual, expected, x, rtol, atol, what)
    if problem is not None and actual is not None:
        for wrong, advice in hints:
            with np.errstate(all="ignore"):
                guess = np.asarray(wrong(x), dtype=np.float64)
            if guess.shape == actual.shape and np.allclose(actual, guess, rtol=1e-6, atol=1e-9, equal_nan=True):
                problem += f". Hint: {advice}"
                break
    if problem is None:
        out32, problem32 = _call_student(fn, x.astype(np.float32))
        if problem32 is None:
            problem32 = compare(out32, expected, x, rtol=1e-4, atol=1e-6, what=what + " in float32")
        if problem32 is not None:
            problem = "float64 is right, but float32 input fails: " + problem32
    if problem is None:
        return _show(CheckResult(True, f"matches the reference on {x.size} inputs, including 0 and ±1000", name), show)
    return _show(CheckResult(False, problem, name), show)


def check_activation(fn: Callable, name: str, show: bool = True, **params) -> CheckResult:
    """Check a student's forward function against ``activations.get(name, **params)``."""
    reference = activations.get(name, **params)
    return check_function(fn, reference, f"{name} forward", show=show)


def check_derivative(fn: Callable, name: str, show: bool = True, hints=(), **params) -> CheckResult:
    """Check a student's elementwise derivative against the package's, away from kinks."""
    reference = activations.get(name, **params)
    x = sample_inputs()
    kinks = np.asarray(reference.kinks, dtype=np.float64)
    if kinks.size:
        x = x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-9]
    return check_function(fn, reference.derivative, f"{name} derivative", inputs=x, what="derivative",
                          hints=list(hints), show=show)
