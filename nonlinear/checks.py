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
from collections.abc import Callable
from dataclasses import dataclass

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
    values = [
        0.0,
        -0.0,
        1e-12,
        -1e-12,
        0.5,
        -0.5,
        1.0,
        -1.0,
        2.5,
        -2.5,
        6.0,
        -3.0,
        3.0,
        20.0,
        -20.0,
        50.0,
        -50.0,
        700.0,
        -700.0,
        1000.0,
        -1000.0,
    ]
    return np.array(values, dtype=dtype)


def sample_inputs(seed: int = 0, n: int = 200, dtype=np.float64) -> np.ndarray:
    """Edge cases followed by ``n`` random inputs (normal, scale 4) from ``seed``."""
    rng = np.random.default_rng(seed)
    return np.concatenate([edge_inputs(dtype), rng.normal(0, 4, size=n).astype(dtype)])


def _call_student(fn: Callable, x: np.ndarray):
    """Run the student's elementwise function on x; return (float64 output, problem), problem None when clean."""
    out, problem = _run_student(fn, x)
    if problem is not None:
        return None, problem
    if np.iscomplexobj(out):  # np.asarray(..., float64) would silently drop the imaginary part
        return None, "your function returned complex numbers, expected real ones (did a sqrt or log see x < 0?)"
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"your function returned {type(out).__name__}, expected a numpy array of numbers"
    return out, None


def compare(
    actual: np.ndarray, expected: np.ndarray, x: np.ndarray, rtol: float, atol: float, what: str = "value"
) -> str | None:
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
    return (
        f"{int(bad.sum())} of {bad.size} inputs are wrong; worst at x = {x.flat[i]:g}: "
        f"your {what} {actual.flat[i]:.6g}, expected {expected.flat[i]:.6g} "
        f"(tolerance rtol={rtol:g}, atol={atol:g})"
    )


def check_function(
    fn: Callable,
    reference: Callable,
    name: str,
    inputs: np.ndarray | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-10,
    hints: list[tuple[Callable, str]] = (),
    what: str = "value",
    show: bool = True,
) -> CheckResult:
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


def inputs_away_from_kinks(reference: activations.Activation) -> np.ndarray:
    """:func:`sample_inputs` without the points where the derivative is only a convention."""
    x = sample_inputs()
    kinks = np.asarray(reference.kinks, dtype=np.float64)
    if kinks.size:
        x = x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-9]
    return x


def check_derivative(fn: Callable, name: str, show: bool = True, hints=(), **params) -> CheckResult:
    """Check a student's elementwise derivative against the package's, away from kinks."""
    reference = activations.get(name, **params)
    x = inputs_away_from_kinks(reference)
    return check_function(
        fn, reference.derivative, f"{name} derivative", inputs=x, what="derivative", hints=list(hints), show=show
    )


# ---------------------------------------------------------------------------
# General checks the labs build on (notebooks/masters/README.md lists the labs).
# ---------------------------------------------------------------------------


def _run_student(fn: Callable, *args):
    """Call the student's ``fn(*args)``; return (raw output, problem), problem None when it ran cleanly.

    Exceptions, RuntimeWarnings (overflow), stubs and empty answers become a problem message, never a traceback.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        except RuntimeWarning as w:
            return None, (
                f"numpy warned '{w}' while evaluating your function: an exp, log or division "
                "overflowed or met a bad value. Rewrite it so every exp sees a non-positive argument."
            )
        except NotImplementedError:
            return None, "not answered yet (the function still raises NotImplementedError)"
        except Exception as e:  # the student's bug, reported rather than raised
            frame = traceback.extract_tb(e.__traceback__)[-1]
            return None, f"your function raised {type(e).__name__}: {e} (line {frame.lineno}: `{frame.line}`)"
    if out is None or out is Ellipsis:
        return None, "your function returned nothing (None or ...): finish it and return the answer"
    return out, None


def _as_parts(out, parts: tuple[str, ...] | None):
    """The output as a list of float64 arrays, one per named part; or a message saying why not."""
    if parts is None:
        values = [out]
    else:
        if not isinstance(out, (tuple, list)) or len(out) != len(parts):
            return None, f"expected a tuple of {len(parts)} arrays ({', '.join(parts)}), got {type(out).__name__}"
        values = list(out)
    arrays = []
    for value in values:
        if value is None or value is Ellipsis:
            return None, "part of your answer is still None or ... : finish it"
        try:
            arrays.append(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            return None, f"your function returned {type(value).__name__}, expected a number or a numpy array"
    return arrays, None


def check_outputs(
    fn: Callable,
    reference: Callable,
    cases: list[tuple],
    name: str,
    rtol: float = 1e-7,
    atol: float = 1e-10,
    parts: tuple[str, ...] | None = None,
    hints: list[tuple[Callable, str]] = (),
    show: bool = True,
) -> CheckResult:
    """Compare ``fn(*case)`` with ``reference(*case)`` for every argument tuple in ``cases``.

    For functions of several arguments or several outputs (``parts`` names the
    items of a returned tuple: ``("grad_x", "grad_W", "grad_b")``). ``hints`` pairs
    a known wrong function with advice, as in :func:`check_function`.
    """
    if not callable(fn):
        return _show(CheckResult(False, f"expected a function, got {type(fn).__name__}", name), show)
    for number, case in enumerate(cases, start=1):
        out, problem = _run_student(fn, *case)
        actual = None
        if problem is None:
            actual, problem = _as_parts(out, parts)
        if problem is None:
            expected, _ = _as_parts(reference(*case), parts)
            for label, a, e in zip(parts or ("value",), actual, expected, strict=True):
                where = (
                    np.asarray(case[0], dtype=np.float64)
                    if isinstance(case[0], np.ndarray) and np.shape(case[0]) == e.shape
                    else np.arange(e.size, dtype=np.float64).reshape(e.shape)
                )
                problem = compare(a, e, where, rtol, atol, label)
                if problem is not None:
                    if where is not case[0]:
                        problem = problem.replace("at x = ", "at flat index ")
                    problem = (f"{label}: " if parts else "") + problem
                    break
        if problem is not None:
            if actual is not None:
                for wrong, advice in hints:
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        try:
                            guess, _ = _as_parts(wrong(*case), parts)
                        except Exception:  # a hint that does not apply here
                            continue
                    if guess is not None and all(
                        g.shape == a.shape and np.allclose(a, g, rtol=1e-6, atol=1e-9, equal_nan=True)
                        for g, a in zip(guess, actual, strict=True)
                    ):
                        problem += f". Hint: {advice}"
                        break
            if not problem.startswith("not answered"):
                problem = f"test case {number} of {len(cases)}: {problem}"
            return _show(CheckResult(False, problem, name), show)
    return _show(CheckResult(True, f"matches the reference on all {len(cases)} test cases", name), show)


def check_value(
    answer,
    expected,
    name: str,
    rtol: float = 1e-6,
    atol: float = 0.0,
    hints: list[tuple[object, str]] = (),
    show: bool = True,
) -> CheckResult:
    """Compare a computed number or array with the expected one; ``hints`` pairs a wrong value with advice."""
    if callable(answer):
        return _show(CheckResult(False, "expected a value, got a function: call it and store the result", name), show)
    if answer is None or answer is Ellipsis:
        return _show(CheckResult(False, "not answered yet (the value is still None or ...)", name), show)
    arrays, problem = _as_parts(answer, None)
    if problem is None:
        actual, target = arrays[0], np.asarray(expected, dtype=np.float64)
        if actual.shape != target.shape:
            problem = f"shape {actual.shape}, expected {target.shape}"
        elif not np.all(np.isfinite(actual)):
            problem = f"your answer {answer!r} is not finite"
        elif not np.allclose(actual, target, rtol=rtol, atol=atol):
            shown = f"{actual.item():.6g}" if actual.size == 1 else "your array"
            problem = f"{shown} is not the expected value (tolerance rtol={rtol:g}, atol={atol:g})"
            for wrong, advice in hints:
                wrong = np.asarray(wrong, dtype=np.float64)
                if wrong.shape == actual.shape and np.allclose(actual, wrong, rtol=1e-6, atol=1e-12):
                    problem += f". Hint: {advice}"
                    break
            else:
                if actual.size == 1:
                    side = "too large" if actual.item() > target.item() else "too small"
                    problem += f"; it is {side}"
    if problem is None:
        return _show(CheckResult(True, "correct", name), show)
    return _show(CheckResult(False, problem, name), show)


def check_vjp(fn: Callable, name: str, show: bool = True, hints=(), **params) -> CheckResult:
    """Check a student's ``vjp(x, grad_out)`` against ``activations.get(name, **params).vjp``."""
    reference = activations.get(name, **params)
    rng = np.random.default_rng(1)
    x = sample_inputs(seed=1)
    grad_out = rng.normal(size=x.shape)
    x2 = rng.normal(0, 3, size=(4, 5))
    cases = [(x, grad_out), (x2, rng.normal(size=x2.shape)), (x.astype(np.float32), grad_out.astype(np.float32))]
    derivative = reference.derivative if reference.elementwise else None
    common = list(hints)
    if derivative is not None:
        common += [
            (lambda x, g: derivative(x), "you returned f'(x) alone: multiply it by grad_out (the chain rule)"),
            (lambda x, g: -reference.vjp(x, g), "the sign is flipped"),
            (lambda x, g: g * reference(x), "you multiplied grad_out by f(x), not by f'(x)"),
        ]
    result = check_outputs(fn, lambda x, g: reference.vjp(x, g), cases[:2], f"{name} vjp", hints=common, show=False)
    if result.passed:
        out, problem = _run_student(fn, *cases[2])
        if problem is None:
            actual, problem = _as_parts(out, None)
            if problem is None:
                problem = compare(actual[0], reference.vjp(x, grad_out), x, 1e-4, 1e-6, "vjp in float32")
        if problem is not None:
            result = CheckResult(False, "float64 is right, but float32 input fails: " + problem, f"{name} vjp")
    return _show(result, show)


# ---------------------------------------------------------------------------
# Lab 2: why nonlinearity.
# ---------------------------------------------------------------------------

_SEEDED = np.random.default_rng


def _matrices(seed: int, sizes: list[int]) -> list[np.ndarray]:
    rng = _SEEDED(seed)
    return [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]


def _ref_collapse(weights):
    product = weights[0]
    for w in weights[1:]:
        product = product @ w
    return product


def check_collapse(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 2: ``collapse(weights)`` multiplies a stack of linear layers (x @ W1 @ W2 ...) into one matrix."""
    cases = [
        (_matrices(0, [3, 3, 3]),),
        (_matrices(1, [4, 5, 2, 3]),),
        (_matrices(2, [2, 6]),),
        (_matrices(3, [3, 3, 3, 3, 3]),),
    ]
    hints = [
        (lambda ws: _ref_collapse(ws[::-1]), "the order is reversed: x @ W1 @ W2 applies W1 first"),
        (lambda ws: sum(ws), "layers compose by matrix multiplication, not addition"),
        (lambda ws: np.prod(np.stack(ws), axis=0), "use the matrix product @, not the elementwise *"),
    ]
    return check_outputs(fn, _ref_collapse, cases, "collapse", hints=hints, show=show)


def _ref_collapse_affine(weights, biases):
    weight, bias = weights[0], biases[0]
    for w, b in zip(weights[1:], biases[1:], strict=True):
        weight, bias = weight @ w, bias @ w + b
    return weight, bias


def check_collapse_affine(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 2: ``collapse_affine(weights, biases)`` turns a stack of affine layers into one (W, b)."""
    cases = []
    for seed, sizes in [(0, [3, 3, 3]), (1, [4, 5, 2, 3]), (2, [2, 6]), (3, [3, 4, 4, 4, 2])]:
        weights = _matrices(seed, sizes)
        biases = [_SEEDED(seed + 100 + i).normal(size=w.shape[1]) for i, w in enumerate(weights)]
        cases.append((weights, biases))
    hints = [
        (
            lambda ws, bs: (_ref_collapse(ws), bs[-1]),
            "the earlier biases also pass through the later layers: b <- b @ W_next + b_next",
        ),
        (
            lambda ws, bs: (_ref_collapse(ws), _sum_if_same(bs)),
            "biases do not simply add up: each one is multiplied by every weight matrix after it",
        ),
    ]
    return check_outputs(
        fn, _ref_collapse_affine, cases, "collapse_affine", parts=("weight", "bias"), hints=hints, show=show
    )


def _sum_if_same(arrays):
    return sum(arrays) if len({a.shape for a in arrays}) == 1 else arrays[-1] * np.nan


def _ref_superposition_gap(f, x1, x2, a, b):
    return float(np.max(np.abs(f(a * x1 + b * x2) - (a * f(x1) + b * f(x2)))))


def check_superposition_gap(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 2: ``superposition_gap(f, x1, x2, a, b)`` = max |f(a x1 + b x2) - (a f(x1) + b f(x2))|."""
    rng = _SEEDED(5)
    x1, x2 = rng.normal(size=50), rng.normal(size=50)
    matrix = rng.normal(size=(50, 50))
    cases = [
        (activations.get("relu"), x1, x2, 2.0, -3.0),
        (np.tanh, x1, x2, 0.5, 0.25),
        (lambda v: matrix @ v, x1, x2, 1.5, -2.0),
        (activations.get("sigmoid"), x1, x2, -1.0, 3.0),
        (lambda v: -np.abs(v), x1, x2, 1.0, 1.0),
    ]
    hints = [
        (
            lambda f, x1, x2, a, b: float(np.max(f(a * x1 + b * x2) - (a * f(x1) + b * f(x2)))),
            "take the absolute value before the maximum: a gap of -5 is as big as +5",
        ),
        (
            lambda f, x1, x2, a, b: float(np.max(np.abs(f(x1 + x2) - (f(x1) + f(x2))))),
            "use the coefficients a and b: superposition is f(a x1 + b x2) = a f(x1) + b f(x2)",
        ),
    ]
    return check_outputs(
        fn, _ref_superposition_gap, cases, "superposition_gap", rtol=1e-9, atol=1e-12, hints=hints, show=show
    )


XOR_POINTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_LABELS = np.array([0, 1, 1, 0])


def xor_scores(network, X=XOR_POINTS) -> np.ndarray:
    """Scores of a 2-2-1 ReLU network ``(W1, b1, W2, b2)`` on the rows of X: relu(X W1 + b1) W2 + b2."""
    W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in network)
    return (np.maximum(X @ W1 + b1, 0) @ W2.reshape(W1.shape[1], -1) + b2).reshape(len(X))


def check_xor_network(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 2: ``xor_network()`` returns (W1 (2x2), b1 (2,), W2 (2,), b2 scalar) whose score is > 0 exactly for XOR = 1."""
    name = "xor_network"
    out, problem = _run_student(fn)
    if problem is None:
        if not isinstance(out, (tuple, list)) or len(out) != 4:
            problem = f"expected a tuple (W1, b1, W2, b2), got {type(out).__name__}"
        else:
            try:
                W1, b1, W2, b2 = (np.asarray(p, dtype=np.float64) for p in out)
            except (TypeError, ValueError):
                problem = "W1, b1, W2, b2 must be numbers or numpy arrays"
            else:
                shapes = {
                    "W1": (W1.shape, (2, 2)),
                    "b1": (b1.shape, (2,)),
                    "W2": (W2.shape, (2,)),
                    "b2": (b2.shape, ()),
                }
                wrong = [
                    f"{k} has shape {s}, expected {e}"
                    for k, (s, e) in shapes.items()
                    if s != e and not (k == "W2" and s == (2, 1)) and not (k == "b2" and s == (1,))
                ]
                if wrong:
                    problem = "; ".join(wrong)
                else:
                    scores = xor_scores((W1, b1, W2, b2))
                    if not np.all(np.isfinite(scores)):
                        problem = "the scores are not finite"
                    else:
                        predicted = (scores > 0).astype(int)
                        bad = np.flatnonzero(predicted != XOR_LABELS)
                        if bad.size:
                            i = bad[0]
                            problem = (
                                f"{bad.size} of 4 points are misclassified; e.g. x = {XOR_POINTS[i].tolist()} "
                                f"has score {scores[i]:.4g} but XOR = {XOR_LABELS[i]} (score must be "
                                f"{'> 0' if XOR_LABELS[i] else '<= 0'})"
                            )
                            if np.allclose(scores, scores[0]):
                                problem += ". Hint: all four scores are equal: are the hidden units ever active?"
                            elif bad.size == 4:
                                problem += ". Hint: every point is wrong: flip the sign of W2 and b2"
    if problem is None:
        return _show(CheckResult(True, f"scores {np.round(scores, 3).tolist()} separate XOR", name), show)
    return _show(CheckResult(False, problem, name), show)


def check_best_linear_accuracy(answer, show: bool = True) -> CheckResult:
    """Lab 2: the best accuracy any linear classifier (score w.x + b > 0) reaches on the four XOR points."""
    return check_value(
        answer,
        0.75,
        "best_linear_accuracy",
        hints=[
            (0.5, "0.5 is chance level; a line can do better: put three of the four points on the correct side"),
            (1.0, "no line separates XOR: try to find one and see which point is always on the wrong side"),
            (0.25, "accuracy is the fraction of points classified correctly, not wrongly"),
        ],
        show=show,
    )


# ---------------------------------------------------------------------------
# Lab 3: backpropagation.
# ---------------------------------------------------------------------------


def check_sigmoid_vjp(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 3: ``sigmoid_vjp(x, grad_out)`` = grad_out * sigma(x) (1 - sigma(x))."""
    s = activations.stable_sigmoid
    hints = [
        (lambda x, g: g * s(x) * (1 + s(x)), "sigma'(x) = sigma(x) (1 - sigma(x)): a minus, not a plus"),
        (lambda x, g: g * s(x), "the derivative of sigma is not sigma: differentiate 1/(1 + e^-x)"),
    ]
    return check_vjp(fn, "sigmoid", show=show, hints=hints)


def _ref_linear_backward(x, W, grad_out):
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)


def check_linear_backward(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 3: ``linear_backward(x, W, grad_out)`` -> (grad_x, grad_W, grad_b) for y = x @ W + b."""
    cases = []
    for seed, (n, a, b) in enumerate([(5, 3, 4), (1, 2, 2), (8, 6, 3), (4, 4, 4)]):
        rng = _SEEDED(seed + 30)
        cases.append((rng.normal(size=(n, a)), rng.normal(size=(a, b)), rng.normal(size=(n, b))))
    hints = [
        (
            lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)),
            "grad_b sums over the batch (every example adds its gradient), it does not average",
        ),
        (
            lambda x, W, g: (g @ W.T, x.T @ g / len(x), g.sum(axis=0)),
            "grad_W sums over the batch; the loss already carries any 1/N",
        ),
        (
            lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0)),
            "grad_x = grad_out @ W.T (transpose W): shapes (N, out) @ (out, in)",
        ),
    ]
    return check_outputs(
        fn, _ref_linear_backward, cases, "linear_backward", parts=("grad_x", "grad_W", "grad_b"), hints=hints, show=show
    )


def check_mse_backward(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 3: ``mse_backward(prediction, target)`` = d/dprediction of mean((prediction - target)**2)."""
    cases = []
    for seed, shape in enumerate([(6, 1), (5, 3), (1, 1), (10,)]):
        rng = _SEEDED(seed + 40)
        cases.append((rng.normal(size=shape), rng.normal(size=shape)))
    hints = [
        (lambda p, t: (p - t) / p.size, "the derivative of u**2 is 2u: a factor 2 is missing"),
        (lambda p, t: 2 * (t - p) / p.size, "the sign is flipped: differentiate with respect to the prediction"),
        (lambda p, t: 2 * (p - t), "the loss is a mean: divide by the number of entries"),
    ]
    return check_outputs(fn, lambda p, t: 2 * (p - t) / p.size, cases, "mse_backward", hints=hints, show=show)


def check_sgd_step(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 3: ``sgd_step(param, grad, lr)`` returns param - lr * grad (a new array)."""
    rng = _SEEDED(50)
    cases = [
        (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.1),
        (rng.normal(size=4), rng.normal(size=4), 0.5),
        (np.zeros(3), np.ones(3), 2.0),
    ]
    hints = [
        (lambda p, g, lr: p + lr * g, "step against the gradient: param - lr * grad"),
        (lambda p, g, lr: p - g, "scale the gradient by the learning rate"),
    ]
    return check_outputs(fn, lambda p, g, lr: p - lr * g, cases, "sgd_step", hints=hints, show=show)


def _cubic(x):
    return float(np.sum(x**3) + np.sum(np.sin(3 * x)))


def _ref_central_difference(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=np.float64)
    for i in range(x.size):
        step = np.zeros_like(x, dtype=np.float64)
        step.flat[i] = eps
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def check_central_difference(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 3: ``central_difference(f, x, eps)`` estimates the gradient of a scalar f to O(eps^2)."""
    rng = _SEEDED(60)
    cases = [
        (_cubic, rng.normal(size=5), 1e-4),
        (_cubic, rng.normal(size=(2, 3)), 1e-4),
        (lambda v: float(np.sum(v[:-1] * v[1:])), rng.normal(size=6), 1e-4),
    ]

    def forward(f, x, eps):
        grad = np.zeros_like(x, dtype=np.float64)
        for i in range(x.size):
            step = np.zeros_like(x, dtype=np.float64)
            step.flat[i] = eps
            grad.flat[i] = (f(x + step) - f(x)) / eps
        return grad

    hints = [
        (forward, "that is the one-sided difference (f(x+h) - f(x))/h, accurate only to O(h): use f(x+h) - f(x-h)"),
        (lambda f, x, eps: 2 * _ref_central_difference(f, x, eps), "f(x+h) - f(x-h) spans 2h: divide by 2*eps"),
    ]
    exact = [lambda f, x, eps: 3 * x**2 + 3 * np.cos(3 * x)] * 2 + [
        lambda f, x, eps: np.concatenate([[x[1]], x[:-2] + x[2:], [x[-2]]])
    ]
    for case, truth in zip(cases, exact, strict=True):
        result = check_outputs(fn, truth, [case], "central_difference", rtol=1e-6, atol=1e-8, hints=hints, show=False)
        if not result.passed:
            return _show(result, show)
    return _show(
        CheckResult(
            True, "agrees with the exact gradients to 1e-6 (central differences, eps = 1e-4)", "central_difference"
        ),
        show,
    )


def _ref_two_layer_gradients(x, y, W1, b1, W2, b2):
    z = x @ W1 + b1
    h = np.tanh(z)
    prediction = h @ W2 + b2
    grad_prediction = 2 * (prediction - y) / prediction.size
    grad_h, grad_W2, grad_b2 = _ref_linear_backward(h, W2, grad_prediction)
    grad_z = grad_h * (1 - h**2)
    _, grad_W1, grad_b1 = _ref_linear_backward(x, W1, grad_z)
    return grad_W1, grad_b1, grad_W2, grad_b2


def two_layer_cases():
    """Inputs (x, y, W1, b1, W2, b2) for the two-layer network of lab 3."""
    cases = []
    for seed, (n, d, hidden, out) in enumerate([(8, 3, 5, 1), (4, 2, 3, 2), (16, 4, 6, 1)]):
        rng = _SEEDED(seed + 70)
        cases.append(
            (
                rng.normal(size=(n, d)),
                rng.normal(size=(n, out)),
                rng.normal(size=(d, hidden)),
                rng.normal(size=hidden),
                rng.normal(size=(hidden, out)),
                rng.normal(size=out),
            )
        )
    return cases


def check_two_layer_gradients(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 3: gradients of mean((tanh(x W1 + b1) W2 + b2 - y)^2) with respect to W1, b1, W2, b2."""

    def no_tanh_factor(x, y, W1, b1, W2, b2):
        h = np.tanh(x @ W1 + b1)
        g = 2 * (h @ W2 + b2 - y) / y.size
        gh = g @ W2.T
        return x.T @ gh, gh.sum(axis=0), h.T @ g, g.sum(axis=0)

    def derivative_of_output(x, y, W1, b1, W2, b2):
        h = np.tanh(x @ W1 + b1)
        g = 2 * (h @ W2 + b2 - y) / y.size
        gz = (g @ W2.T) * (1 - np.tanh(h) ** 2)
        return x.T @ gz, gz.sum(axis=0), h.T @ g, g.sum(axis=0)

    hints = [
        (no_tanh_factor, "the chain rule through tanh is missing: multiply by tanh'(z) = 1 - tanh(z)**2"),
        (derivative_of_output, "tanh'(z) = 1 - h**2 with h = tanh(z); you applied tanh a second time"),
    ]
    return check_outputs(
        fn,
        _ref_two_layer_gradients,
        two_layer_cases(),
        "two_layer_gradients",
        parts=("grad_W1", "grad_b1", "grad_W2", "grad_b2"),
        hints=hints,
        show=show,
    )


# ---------------------------------------------------------------------------
# Lab 4: what makes a good activation.
# ---------------------------------------------------------------------------


def check_elu_derivative(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 4: ``elu_derivative(x, alpha)`` for several alpha, at 0, ±1000, random inputs, float64 and float32."""

    def hints(alpha):
        return [
            (
                lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))),
                "the negative branch is alpha * exp(x): the factor alpha is missing",
            ),
            (
                lambda x: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
                "that is ELU itself; differentiate it: d/dx alpha (e^x - 1) = alpha e^x, and d/dx x = 1",
            ),
            (
                lambda x: np.where(x > 0, 1.0, -alpha * np.exp(np.minimum(x, 0))),
                "the slope of ELU is positive everywhere: check the sign of the negative branch",
            ),
        ]

    return _check_derivative_over_parameter(fn, "elu", "alpha", (1.0, 0.5, 2.0), hints, show)


def check_tanh_vjp_from_output(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 4: ``tanh_vjp_from_output(y, grad_out)`` = grad_out * (1 - y**2), y = tanh(x) the saved output."""
    rng = _SEEDED(80)
    y = np.tanh(sample_inputs(seed=80))
    cases = [(y, rng.normal(size=y.shape)), (np.tanh(rng.normal(size=(3, 4))), rng.normal(size=(3, 4)))]
    hints = [
        (lambda y, g: g * (1 - y) ** 2, "1 - y**2 squares y, not (1 - y)"),
        (lambda y, g: g * y * (1 - y), "y (1 - y) is the sigmoid's rule; for tanh it is 1 - y**2"),
        (lambda y, g: g * (1 - np.tanh(y) ** 2), "y is already tanh(x): do not apply tanh again"),
    ]
    return check_outputs(fn, lambda y, g: g * (1 - y**2), cases, "tanh_vjp_from_output", hints=hints, show=show)


def _ref_vanishing_depth(threshold):
    depth = 1
    while 0.25**depth >= threshold:
        depth += 1
    return depth


def check_vanishing_depth(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 4: ``vanishing_depth(threshold)``: smallest depth d with 0.25**d < threshold (sigmoid's bound)."""
    cases = [(1e-6,), (1e-2,), (0.25,), (0.3,), (1e-12,), (0.0625,)]
    hints = [
        (
            lambda t: int(np.floor(np.log(t) / np.log(0.25))),
            "off by one: you need 0.25**d strictly below the threshold",
        ),
        (lambda t: int(np.ceil(np.log(t) / np.log(0.5))), "the largest slope of the sigmoid is 1/4, not 1/2"),
        (
            lambda t: int(np.ceil(np.log(t) / np.log(0.25))),
            "off by one at the boundary: 0.25**d must be < threshold, not <=",
        ),
    ]
    return check_outputs(fn, _ref_vanishing_depth, cases, "vanishing_depth", rtol=0, atol=0, hints=hints, show=show)


def _ref_largest_stable_lr(X):
    return len(X) / float(np.linalg.eigvalsh(X.T @ X).max())


def check_largest_stable_lr(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 4: ``largest_stable_lr(X)``: the learning rate above which GD on mean((X w - y)^2) diverges."""
    rng = _SEEDED(90)
    cases = [
        (rng.normal(size=(50, 3)),),
        (rng.normal(size=(20, 5)) * np.array([1, 2, 3, 4, 5]),),
        (np.eye(4) * 2,),
        (rng.normal(size=(100, 2)) + 3,),
    ]
    hints = [
        (
            lambda X: 2 * len(X) / float(np.linalg.eigvalsh(X.T @ X).max()),
            "the Hessian of mean((Xw - y)^2) is 2 X^T X / N: a factor 2 is missing",
        ),
        (lambda X: len(X) / float(np.trace(X.T @ X)), "use the largest eigenvalue of X^T X, not its trace"),
        (
            lambda X: len(X) / float(np.linalg.eigvalsh(X.T @ X).min()),
            "the largest eigenvalue sets the limit, not the smallest",
        ),
    ]
    return check_outputs(fn, _ref_largest_stable_lr, cases, "largest_stable_lr", rtol=1e-8, hints=hints, show=show)


# ---------------------------------------------------------------------------
# Lab 5: the classic activations.
# ---------------------------------------------------------------------------


def check_stable_sigmoid(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 5: a sigmoid exact and silent for every finite input (no overflow at ±1000)."""
    hints = [(lambda x: 1 - activations.stable_sigmoid(x), "that is sigma(-x): check the sign of the exponent")]
    return check_function(fn, activations.get("sigmoid"), "stable sigmoid", hints=hints, show=show)


def check_stable_softplus(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 5: softplus log(1 + e^x) exact and silent for every finite input."""
    hints = [
        (lambda x: np.maximum(x, 0), "that is ReLU: the smooth part log1p(exp(-|x|)) is missing"),
        (lambda x: np.maximum(x, 0) + np.log1p(np.exp(np.abs(x))), "the correction is log1p(exp(-|x|)), with a minus"),
    ]
    return check_function(fn, activations.stable_softplus, "stable softplus", hints=hints, show=show)


def _ref_logsumexp(x):
    top = np.max(x, axis=-1, keepdims=True)
    return (top + np.log(np.sum(np.exp(x - top), axis=-1, keepdims=True)))[..., 0]


def check_logsumexp(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 5: ``logsumexp(x)`` over the last axis, exact for logits of any size (±1000 included)."""
    rng = _SEEDED(100)
    cases = [
        (rng.normal(size=(5, 4)),),
        (np.array([[1000.0, 1000.0], [-1000.0, -1000.0], [0.0, -1000.0]]),),
        (rng.normal(0, 50, size=(3, 7)),),
        (np.array([[800.0, 0.0, -5.0]]),),
    ]
    hints = [
        (
            lambda x: np.log(np.sum(np.exp(x - x.max(-1, keepdims=True)), axis=-1)),
            "after subtracting the maximum m, add it back: logsumexp(x) = m + log(sum(exp(x - m)))",
        ),
        (lambda x: np.max(x, axis=-1), "the maximum alone is only a bound: add log(sum(exp(x - m)))"),
    ]
    return check_outputs(fn, _ref_logsumexp, cases, "logsumexp", rtol=1e-12, atol=1e-12, hints=hints, show=show)


def check_leaky_relu_derivative(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 5: ``leaky_relu_derivative(x, negative_slope)`` for several slopes."""
    for slope in (0.01, 0.2, 0.5):
        hints = [
            (
                lambda x, s=slope: np.where(x > 0, 1.0, -s),
                "the slope for x < 0 is +negative_slope (the sign is flipped)",
            ),
            (
                lambda x, s=slope: (x > 0).astype(float),
                "that is ReLU's derivative: negative inputs have slope negative_slope",
            ),
            (lambda x, s=slope: np.where(x > 0, x, s * x), "that is leaky ReLU itself, not its derivative"),
        ]
        result = check_derivative(
            lambda x, s=slope: fn(x, s), "leaky_relu", show=False, hints=hints, negative_slope=slope
        )
        if not result.passed:
            message = (
                result.message
                if result.message.startswith("not answered")
                else f"negative_slope = {slope}: {result.message}"
            )
            return _show(CheckResult(False, message, "leaky_relu derivative"), show)
    return _show(
        CheckResult(True, "matches the reference for negative_slope = 0.01, 0.2, 0.5", "leaky_relu derivative"), show
    )


DEAD_RELU_LRS = (0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0)


def reference_dead_fraction(lr: float) -> float:
    """Lab 5's experiment: mean dead fraction of a [2, 32, 32, 2] ReLU MLP after 5 epochs of SGD(lr) on moons."""
    from nonlinear import data, experiments, nn

    moons = data.moons(n=400, seed=0)
    model = nn.MLP([2, 32, 32, 2], activation="relu", seed=0)
    nn.train(
        model,
        moons.X_train,
        moons.y_train,
        loss="cross_entropy",
        optimizer=nn.SGD(model.parameters(), lr=lr),
        epochs=5,
        batch_size=32,
        seed=0,
        progress=False,
    )
    return float(np.mean(experiments.dead_fraction(model, moons.X_train)))


def check_dead_fraction_after_training(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 5: ``dead_fraction_after_training(lr)`` reproduces the described experiment exactly."""
    hints = [
        (lambda lr: 1 - reference_dead_fraction(lr), "you returned the fraction of units still alive"),
        (lambda lr: reference_dead_fraction(0.0), "the model was not trained (or trained with lr = 0)"),
    ]
    return check_outputs(
        fn,
        reference_dead_fraction,
        [(0.1,), (3.0,)],
        "dead_fraction_after_training",
        rtol=1e-9,
        atol=1e-12,
        hints=hints,
        show=show,
    )


def reference_half_dead_lr() -> float:
    """The first learning rate of ``DEAD_RELU_LRS`` at which at least half of the hidden units are dead."""
    return next(lr for lr in DEAD_RELU_LRS if reference_dead_fraction(lr) >= 0.5)


def check_half_dead_lr(answer, show: bool = True) -> CheckResult:
    """Lab 5: the first learning rate of the grid at which at least half of the ReLU units died."""
    expected = reference_half_dead_lr()
    index = DEAD_RELU_LRS.index(expected)
    hints = (
        [(DEAD_RELU_LRS[index - 1], "that is the last rate *below* one half: take the first at or above 0.5")]
        if index
        else []
    )
    return check_value(answer, expected, "half_dead_lr", rtol=1e-12, hints=hints, show=show)


# ---------------------------------------------------------------------------
# Lab 6: modern activations.
# ---------------------------------------------------------------------------


def check_hard_swish(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 6: ``hard_swish(x)`` = x * ReLU6(x + 3) / 6, against ``activations.get("hardswish")``."""
    hints = [
        (lambda x: x * np.clip(x + 3, 0, 6), "the gate ReLU6(x + 3) runs from 0 to 6: divide it by 6"),
        (lambda x: np.clip(x + 3, 0, 6) / 6, "that is the hard sigmoid (the gate) alone: multiply it by x"),
        (lambda x: x * np.clip(x, 0, 6) / 6, "shift before clipping: the gate is ReLU6(x + 3), not ReLU6(x)"),
    ]
    return check_function(fn, activations.get("hardswish"), "hard_swish", hints=hints, show=show)


def check_swish_derivative(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 6: ``swish_derivative(x, beta)`` for several beta, at 0, ±1000, random inputs, float64 and float32."""
    s = activations.stable_sigmoid

    def hints(beta):
        return [
            (
                lambda x: s(beta * x) * (1 + x * (1 - s(beta * x))),
                "that is SiLU's derivative (beta = 1): the chain rule through sigma(beta x) brings a factor beta",
            ),
            (
                lambda x: beta * s(beta * x) * (1 - s(beta * x)),
                "that is the derivative of sigma(beta x) alone: Swish is x * sigma(beta x), use the product rule",
            ),
            (lambda x: s(beta * x), "sigma(beta x) is only the first term of the product rule"),
        ]

    return _check_derivative_over_parameter(fn, "swish", "beta", (1.0, 0.5, 2.0), hints, show)


def _check_derivative_over_parameter(fn: Callable, name: str, parameter: str, values, hints, show: bool) -> CheckResult:
    """Check ``fn(x, value)`` against the derivative of ``name`` for each parameter value; ``hints(value)`` lists wrong answers."""
    inputs = 0
    for value in values:
        result = check_derivative(
            lambda x, v=value: fn(x, v), name, show=False, hints=hints(value), **{parameter: value}
        )
        if not result.passed:
            message = (
                result.message
                if result.message.startswith("not answered")
                else f"{parameter} = {value}: {result.message}"
            )
            return _show(CheckResult(False, message, f"{name} derivative"), show)
        inputs = inputs_away_from_kinks(activations.get(name, **{parameter: value})).size
    shown = ", ".join(f"{v:g}" for v in values)
    return _show(
        CheckResult(
            True,
            f"matches the reference for {parameter} = {shown} on {inputs} inputs each, including ±1000, "
            "in float64 and float32",
            f"{name} derivative",
        ),
        show,
    )


def check_gelu_tanh(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 6: ``gelu_tanh(x)`` = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), PyTorch's approximate='tanh'."""
    k = np.sqrt(2 / np.pi)
    hints = [
        (activations.get("gelu"), "that is the exact GELU x Phi(x); write the tanh approximation"),
        (
            lambda x: x * activations.stable_sigmoid(1.702 * x),
            "that is the sigmoid approximation x sigma(1.702 x); write the tanh one",
        ),
        (lambda x: x * (1 + np.tanh(k * (x + 0.044715 * x**3))), "a factor 1/2 is missing"),
        (
            lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 * np.pi) * (x + 0.044715 * x**3))),
            "the constant is sqrt(2/pi) ≈ 0.798, not sqrt(2 pi)",
        ),
    ]
    return check_function(fn, activations.get("gelu", approximate="tanh"), "gelu_tanh", hints=hints, show=show)


def swiglu_cases() -> list[tuple[np.ndarray, ...]]:
    """Inputs (x, W1, W3, W2, grad_out) for the SwiGLU block of lab 6: tokens x d, d x h, d x h, h x d, tokens x d."""
    cases = []
    for seed, (tokens, d, hidden) in enumerate([(5, 4, 6), (1, 3, 2), (16, 8, 12)]):
        rng = _SEEDED(seed + 600)
        cases.append(
            (
                rng.normal(size=(tokens, d)),
                rng.normal(0, d**-0.5, size=(d, hidden)),
                rng.normal(0, d**-0.5, size=(d, hidden)),
                rng.normal(0, hidden**-0.5, size=(hidden, d)),
                rng.normal(size=(tokens, d)),
            )
        )
    return cases


def reference_swiglu(x, W1, W3, W2, grad_out):
    """SwiGLU (SiLU(x W1) * x W3) W2 and its gradients w.r.t. x, W1, W3, W2 for upstream gradient grad_out (numpy)."""
    a, b = x @ W1, x @ W3
    s = activations.stable_sigmoid(a)
    gate = a * s
    h = gate * b
    grad_h = grad_out @ W2.T
    grad_a = grad_h * b * (s + a * s * (1 - s))
    grad_b = grad_h * gate
    return h @ W2, (grad_a @ W1.T + grad_b @ W3.T, x.T @ grad_a, x.T @ grad_b, h.T @ grad_out)


def check_swiglu(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 6: ``swiglu(x, W1, W3, W2)`` on engine Tensors: output and the gradients of all four inputs."""
    from nonlinear import autograd

    name = "swiglu"
    if not callable(fn):
        return _show(CheckResult(False, f"expected a function, got {type(fn).__name__}", name), show)
    s = activations.stable_sigmoid
    wrong_forwards = [
        (
            lambda x, W1, W3, W2: (x @ W1 * s(x @ W1)) @ W2,
            "the linear branch x @ W3 is missing: SwiGLU multiplies SiLU(x W1) by x W3 elementwise",
        ),
        (
            lambda x, W1, W3, W2: (s(x @ W1) * (x @ W3)) @ W2,
            "that is GLU (a sigmoid gate); SwiGLU gates with SiLU(x W1) = x W1 * sigma(x W1)",
        ),
        (lambda x, W1, W3, W2: ((x @ W3) * s(x @ W3) * (x @ W1)) @ W2, "W1 and W3 are swapped: SiLU goes on x @ W1"),
    ]
    for number, (x, W1, W3, W2, grad_out) in enumerate(swiglu_cases(), start=1):
        tensors = [autograd.Tensor(a, requires_grad=True) for a in (x, W1, W3, W2)]
        out, problem = _run_student(fn, *tensors)
        expected, grads = reference_swiglu(x, W1, W3, W2, grad_out)
        if problem is None and not isinstance(out, autograd.Tensor):
            problem = (
                f"expected an autograd.Tensor, got {type(out).__name__}: build the block from engine operations "
                "(@, *, activations.get('silu')(...)) on the Tensors you are given, so that gradients flow"
            )
        if problem is None:
            actual = np.asarray(out.data, dtype=np.float64)
            problem = compare(
                actual,
                expected,
                np.arange(expected.size, dtype=np.float64).reshape(expected.shape),
                1e-9,
                1e-12,
                "output",
            )
            if problem is not None:
                problem = "output: " + problem.replace("at x = ", "at flat index ")
                for wrong, advice in wrong_forwards:
                    guess = wrong(x, W1, W3, W2)
                    if guess.shape == actual.shape and np.allclose(actual, guess, rtol=1e-6, atol=1e-9):
                        problem += f". Hint: {advice}"
                        break
        if problem is None:
            with warnings.catch_warnings():
                warnings.simplefilter("error", RuntimeWarning)
                try:
                    (out * grad_out).sum().backward()
                except Exception as e:  # the student's graph, reported rather than raised
                    problem = f"backward() through your block raised {type(e).__name__}: {e}"
        if problem is None:
            for label, tensor, grad in zip(("x", "W1", "W3", "W2"), tensors, grads, strict=True):
                if tensor.grad is None:
                    problem = (
                        f"no gradient reached {label}: the output is not connected to it in the graph "
                        "(did you compute with .data or numpy instead of Tensor operations?)"
                    )
                    break
                where = np.arange(grad.size, dtype=np.float64).reshape(grad.shape)
                problem = compare(
                    np.asarray(tensor.grad, dtype=np.float64), grad, where, 1e-9, 1e-12, f"grad of {label}"
                )
                if problem is not None:
                    problem = f"gradient of {label}: " + problem.replace("at x = ", "at flat index ")
                    break
        if problem is not None:
            if not problem.startswith("not answered"):
                problem = f"test case {number} of 3: {problem}"
            return _show(CheckResult(False, problem, name), show)
    return _show(
        CheckResult(
            True, "output and the gradients of x, W1, W3, W2 match the hand-derived ones on 3 test cases", name
        ),
        show,
    )


def _ref_swiglu_hidden_size(d, multiple_of=1):
    hidden = int(2 * (4 * d) / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def check_swiglu_hidden_size(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 6: ``swiglu_hidden_size(d, multiple_of)``: int(2/3 * 4d), rounded up to a multiple of ``multiple_of``."""
    cases = [(48, 1), (768, 1), (100, 1), (100, 8), (96, 256), (4096, 256), (5120, 256)]
    hints = [
        (lambda d, m: 4 * d, "4d is the plain FFN's width; a gated block has three matrices, so it needs 2/3 of it"),
        (lambda d, m: int(2 * d / 3), "2/3 of the plain width 4d, not of d"),
        (lambda d, m: int(2 * (4 * d) / 3), "round up to a multiple of multiple_of"),
        (lambda d, m: m * round(int(8 * d / 3) / m), "round *up* to the next multiple (LLaMA: 11008 for d = 4096)"),
    ]
    return check_outputs(
        fn, _ref_swiglu_hidden_size, cases, "swiglu_hidden_size", rtol=0, atol=0, hints=hints, show=show
    )


def _layer_statistics(activation, init, depth, width=256, n=512, seed=0, variant=""):
    """The experiment of lab 6 (as ``experiments.forward_statistics``), with deliberate mistakes for the hints."""
    from nonlinear import nn

    act = activations.get(activation)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, width))
    means, stds = [], []
    for _ in range(depth):
        z = x @ nn.initial_weights(width, width, init, rng)
        x = z if variant == "linear" else act(z)
        shown = z if variant == "preactivation" else x
        means.append(shown.mean())
        stds.append(shown.var() if variant == "variance" else shown.std())
    return np.array(means), np.array(stds)


def check_layer_statistics(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 6: ``layer_statistics(activation, init, depth, width, n, seed)`` -> (means, stds) of every layer's output."""
    cases = [("selu", "lecun", 10, 64, 128, 0), ("relu", "he", 8, 32, 64, 1), ("tanh", "xavier", 5, 16, 50, 2)]
    hints = [
        (lambda *a: _layer_statistics(*a, variant="linear"), "the activation is missing: x = f(x @ W)"),
        (
            lambda *a: _layer_statistics(*a, variant="variance"),
            "return the standard deviation (x.std()), not the variance",
        ),
        (
            lambda *a: _layer_statistics(*a, variant="preactivation"),
            "those are the statistics of z = x @ W; measure the layer's output f(z)",
        ),
    ]
    return check_outputs(
        fn,
        lambda *a: _layer_statistics(*a),
        cases,
        "layer_statistics",
        rtol=1e-9,
        atol=1e-12,
        parts=("means", "stds"),
        hints=hints,
        show=show,
    )


# ---------------------------------------------------------------------------
# Lab 7: choosing in practice.
# ---------------------------------------------------------------------------


def _ref_bce_with_logits(z, y):
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def check_bce_with_logits(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 7: ``bce_with_logits(z, y)``: mean binary cross-entropy from logits, exact for logits of any size."""
    rng = _SEEDED(700)
    cases = [
        (rng.normal(size=(8, 1)), rng.integers(0, 2, size=(8, 1)).astype(float)),
        (np.array([40.0, -800.0, 1000.0, -1000.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0, 1.0])),
        (rng.normal(0, 30, size=(6, 3)), rng.uniform(size=(6, 3))),
        (np.array([[2.0], [-3.0]]), np.array([[1.0], [0.0]])),
    ]
    sp = activations.stable_softplus
    hints = [
        (lambda z, y: float(np.sum(sp(z) - z * y)), "average over the examples (mean), do not sum"),
        (lambda z, y: float(np.mean(sp(z) + z * y)), "the sign of the z * y term: BCE = softplus(z) - y z"),
        (lambda z, y: float(np.mean(sp(-z) - z * y)), "softplus(z) - y z, not softplus(-z) - y z"),
    ]
    return check_outputs(
        fn, _ref_bce_with_logits, cases, "bce_with_logits", rtol=1e-10, atol=1e-12, hints=hints, show=show
    )


def _ref_cross_entropy(logits, labels):
    return float(np.mean(_ref_logsumexp(logits) - logits[np.arange(len(labels)), labels]))


def check_cross_entropy(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 7: ``cross_entropy(logits, labels)``: mean of -log softmax(logits)[label], exact for huge logits."""
    rng = _SEEDED(710)
    cases = [
        (rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)),
        (np.array([[1000.0, 0.0, -5.0], [0.0, 2.0, 1.0], [-1000.0, -1000.0, 0.0]]), np.array([1, 1, 2])),
        (rng.normal(0, 50, size=(5, 10)), rng.integers(0, 10, size=5)),
        (np.array([[3.0, 1.0]]), np.array([0])),
    ]

    def no_max_back(z, y):
        m = z.max(axis=-1, keepdims=True)
        return float(np.mean(np.log(np.sum(np.exp(z - m), axis=-1)) - z[np.arange(len(y)), y]))

    hints = [
        (lambda z, y: len(y) * _ref_cross_entropy(z, y), "average over the examples (mean), do not sum"),
        (no_max_back, "after shifting by the maximum m, add it back: logsumexp(z) = m + log(sum(exp(z - m)))"),
        (lambda z, y: -_ref_cross_entropy(z, y), "the sign is flipped: the loss is -log softmax, which is >= 0"),
    ]
    return check_outputs(fn, _ref_cross_entropy, cases, "cross_entropy", rtol=1e-10, atol=1e-12, hints=hints, show=show)


OUTPUT_TASKS = {
    "spam": "is an e-mail spam? (one output unit)",
    "digit": "which of the 10 digits is in an image? (10 output units)",
    "price": "the price of a house, standardised to mean 0 and std 1 (one output unit)",
    "tags": "which of 20 tags apply to a photo? several can apply at once (20 output units)",
}
OUTPUT_ACTIVATIONS = ("none", "sigmoid", "softmax", "tanh", "relu")
OUTPUT_LOSSES = ("mse", "bce_with_logits", "cross_entropy")
_OUTPUT_ANSWERS = {
    "spam": ("sigmoid", "bce_with_logits"),
    "digit": ("softmax", "cross_entropy"),
    "price": ("none", "mse"),
    "tags": ("sigmoid", "bce_with_logits"),
}
_OUTPUT_HINTS = {
    ("spam", "softmax"): "softmax over a single output unit is always 1: one yes/no answer needs a sigmoid",
    ("tags", "softmax"): "softmax makes the 20 tags compete (their probabilities sum to 1), but several can apply: "
    "one sigmoid per tag",
    ("digit", "sigmoid"): "exactly one digit is right: softmax turns the 10 scores into one distribution",
    (
        "price",
        "relu",
    ): "a standardised price can be negative and ReLU cannot output it: leave the output linear ('none')",
    ("price", "sigmoid"): "a price is not a probability: leave the output linear ('none')",
    (
        "price",
        "tanh",
    ): "tanh caps the output at ±1, a standardised price can exceed it: leave the output linear ('none')",
    (
        "spam",
        "mse",
    ): "a sigmoid output with MSE learns slowly when the sigmoid saturates: pair it with binary cross-entropy",
    (
        "tags",
        "mse",
    ): "a sigmoid output with MSE learns slowly when the sigmoid saturates: pair it with binary cross-entropy",
    ("digit", "bce_with_logits"): "one class out of 10 is the multi-class case: cross_entropy (log-softmax inside)",
    ("price", "bce_with_logits"): "the target is a real number, not a 0/1 label: mean squared error",
    ("price", "cross_entropy"): "the target is a real number, not a class: mean squared error",
}


def _dict_answer_problem(answer, name: str, shape: str) -> str | None:
    """Why ``answer`` is not yet a dict answer (a function, a stub, another type), or None if it is a dict."""
    if callable(answer):
        return "expected a dict, got a function: call it and store the result"
    if answer is None or answer is Ellipsis:
        return f"not answered yet ({name} is still ... or None)"
    if not isinstance(answer, dict):
        return f"expected a dict {shape}, got {type(answer).__name__}"
    return None


def check_output_choices(answer, show: bool = True) -> CheckResult:
    """Lab 7: ``output_choices``: for each task of ``OUTPUT_TASKS``, an (output activation, loss) pair."""
    name = "output_choices"
    problem = _dict_answer_problem(answer, name, "{task: (activation, loss)}")
    if problem is not None:
        return _show(CheckResult(False, problem, name), show)
    missing = [task for task in OUTPUT_TASKS if task not in answer]
    extra = [task for task in answer if task not in OUTPUT_TASKS]
    if missing or extra:
        message = (
            (f"missing tasks: {missing}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unknown tasks: {extra}" if extra else "")
            + f" (the tasks are {list(OUTPUT_TASKS)})"
        )
        return _show(CheckResult(False, message, name), show)
    problems = []
    for task, (right_activation, right_loss) in _OUTPUT_ANSWERS.items():
        pair = answer[task]
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
            problems.append(f"{task}: expected a pair of strings (activation, loss), got {pair!r}")
            continue
        activation, loss = (p.strip().lower() for p in pair)
        if activation not in OUTPUT_ACTIVATIONS:
            problems.append(f"{task}: unknown activation {activation!r}; choose from {OUTPUT_ACTIVATIONS}")
        elif loss not in OUTPUT_LOSSES:
            problems.append(f"{task}: unknown loss {loss!r}; choose from {OUTPUT_LOSSES}")
        elif activation != right_activation:
            problems.append(
                f"{task}: the output activation {activation!r} is wrong. Hint: "
                + _OUTPUT_HINTS.get((task, activation), f"what kind of answer does '{OUTPUT_TASKS[task]}' need?")
            )
        elif loss != right_loss:
            problems.append(
                f"{task}: the loss {loss!r} does not match the {activation!r} output. Hint: "
                + _OUTPUT_HINTS.get((task, loss), "each output activation has one loss that belongs to it")
            )
    if problems:
        return _show(
            CheckResult(False, f"{len(problems)} of {len(OUTPUT_TASKS)} tasks are wrong: " + "; ".join(problems), name),
            show,
        )
    return _show(CheckResult(True, "every task has the right output activation and loss", name), show)


INIT_ACTIVATIONS = ("relu", "leaky_relu", "selu")
INIT_SCHEMES = ("xavier", "he", "lecun")
_INIT_ANSWERS = {"relu": "he", "leaky_relu": "he", "selu": "lecun"}


def signal_std(activation: str, init: str, depth: int = 30, width: int = 64) -> np.ndarray:
    """Lab 7: the standard deviation of each layer's output of a random ``depth``-layer net (forward_statistics)."""
    from nonlinear import experiments

    return experiments.forward_statistics(activation, depth=depth, width=width, init=init)["std"]


def check_init_choices(answer, show: bool = True) -> CheckResult:
    """Lab 7: ``init_for``: the initialisation ('xavier', 'he', 'lecun') for each activation of ``INIT_ACTIVATIONS``."""
    name = "init_for"
    problem = _dict_answer_problem(answer, name, "{activation: init}")
    if problem is not None:
        return _show(CheckResult(False, problem, name), show)
    if set(answer) != set(INIT_ACTIVATIONS):
        return _show(
            CheckResult(False, f"the keys must be exactly {list(INIT_ACTIVATIONS)}, got {list(answer)}", name), show
        )
    problems = []
    for activation, right in _INIT_ANSWERS.items():
        choice = answer[activation]
        if not isinstance(choice, str) or choice.strip().lower() not in INIT_SCHEMES:
            problems.append(f"{activation}: {choice!r} is not one of {INIT_SCHEMES}")
            continue
        choice = choice.strip().lower()
        if choice != right:
            stds = signal_std(activation, choice)
            if activation == "selu":
                why = (
                    f"with {choice!r} the output std of a 30-layer SELU net ends at {stds[-1]:.3g} instead of about 1: "
                    "SELU's fixed point (mean 0, variance 1) needs weights of variance 1/fan_in"
                )
            else:
                why = (
                    f"with {choice!r} the output std of a 30-layer {activation} net falls to {stds[-1]:.3g} by layer 30: "
                    f"{activation} zeroes (almost) half of its input, so the weights need variance 2/fan_in"
                )
            problems.append(f"{activation}: {why}")
    if problems:
        return _show(
            CheckResult(False, f"{len(problems)} of {len(INIT_ACTIVATIONS)} wrong: " + "; ".join(problems), name), show
        )
    return _show(
        CheckResult(True, "each activation has the initialisation that keeps its signal at scale 1", name), show
    )


_ACCURACY_CACHE: dict[tuple[str, int], float] = {}


def reference_test_accuracy(activation: str, seed: int) -> float:
    """Lab 7: test accuracy of ``task_comparison.train_one(activation, "digits", seed)`` (cached per process)."""
    from nonlinear import task_comparison

    key = (activation, seed)
    if key not in _ACCURACY_CACHE:
        _ACCURACY_CACHE[key] = task_comparison.train_one(activation, "digits", seed).test_accuracy
    return _ACCURACY_CACHE[key]


def _ref_accuracy_summary(activation, seeds, ddof=1):
    accuracies = [reference_test_accuracy(activation, s) for s in seeds]
    return float(np.mean(accuracies)), float(np.std(accuracies, ddof=ddof))


def check_accuracy_summary(fn: Callable, show: bool = True) -> CheckResult:
    """Lab 7: ``accuracy_summary(activation, seeds)`` -> (mean, sample std) of digits test accuracy over seeds."""
    cases = [("relu", (0, 1, 2)), ("tanh", (0, 1))]
    hints = [
        (
            lambda a, s: _ref_accuracy_summary(a, s, ddof=0),
            "use the sample standard deviation (ddof=1, as statistics.stdev): with 3 seeds np.std's default is too small",
        ),
        (lambda a, s: _ref_accuracy_summary(a, s[:1]), "use every seed in `seeds`, not only the first"),
        (
            lambda a, s: tuple(1 - v if i == 0 else v for i, v in enumerate(_ref_accuracy_summary(a, s))),
            "that is the error rate: report the test accuracy",
        ),
    ]
    return check_outputs(
        fn,
        _ref_accuracy_summary,
        cases,
        "accuracy_summary",
        rtol=1e-9,
        atol=1e-12,
        parts=("mean", "std"),
        hints=hints,
        show=show,
    )
