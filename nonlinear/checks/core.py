"""What every lab's checks share: the result shown to the student, running the student's code safely,
comparing numbers, and reading the expected values a lab ships with.

A check never holds an exercise's answer. It compares the student's function with *expected values*
that ``scripts/make_labs.py`` computed from the references kept with the lab masters (public cases in
``lab_data/<lab>.json`` next to the student notebook; hidden cases inside the autograder's hidden
tests), or it tests a property that needs no reference. One definition of correct per exercise: the
instant check and the hidden test call the same function, on different cases.
"""

from __future__ import annotations

import hashlib
import json
import os
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Marks every font has (no emoji font needed): the words themselves.
PASS_MARK = "PASS"
FAIL_MARK = "NOT YET"


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    message: str
    name: str = "check"

    def __bool__(self) -> bool:
        return self.passed

    def _repr_markdown_(self) -> str:
        mark = f"**{PASS_MARK}**" if self.passed else f"**{FAIL_MARK}**"
        return f"{mark} `{self.name}`: {self.message}"

    def __str__(self) -> str:
        return f"{PASS_MARK if self.passed else FAIL_MARK} {self.name}: {self.message}"


def show_result(result: CheckResult, show: bool) -> CheckResult:
    """Display ``result`` (Markdown in a notebook, text elsewhere) when ``show``; return it."""
    if show:
        try:
            from IPython.display import display

            display(result)
        except ImportError:  # plain Python: print instead
            print(result)
    return result


def fail(name: str, message: str, show: bool) -> CheckResult:
    return show_result(CheckResult(False, message, name), show)


def passed(name: str, message: str, show: bool) -> CheckResult:
    return show_result(CheckResult(True, message, name), show)


NOT_ANSWERED = "not answered yet"


# --- expected values: encoding and loading --------------------------------------------------------


def encode(value):
    """A JSON-ready form of ``value``: arrays keep dtype and shape, tuples stay tuples (floats exact)."""
    if isinstance(value, np.ndarray):
        return {"__array__": value.ravel().tolist(), "dtype": str(value.dtype), "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def decode(value):
    """Inverse of :func:`encode`; a string is parsed as JSON first."""
    if isinstance(value, str):
        value = json.loads(value)
    return _decode(value)


def _decode(value):
    if isinstance(value, dict):
        if "__array__" in value:
            return np.array(value["__array__"], dtype=value["dtype"]).reshape(value["shape"])
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(value) -> str:
    """Compact, stable JSON of ``encode(value)``."""
    return json.dumps(encode(value), separators=(",", ":"), sort_keys=True)


def data_paths(lab: str) -> list[Path]:
    """Where a lab's public expected values are looked for, in order."""
    name = f"{lab}.json"
    folders = [Path(os.environ["NONLINEAR_LAB_DATA"])] if os.environ.get("NONLINEAR_LAB_DATA") else []
    folders += [Path.cwd() / "lab_data", Path.cwd(), Path.cwd() / "notebooks" / "lab_data"]
    return [folder / name for folder in folders]


_LOADED: dict[str, tuple[float, dict]] = {}


def public_data(lab: str, exercise: str) -> dict | None:
    """The public expected values of one exercise, or None when the lab's data file is not found."""
    for path in data_paths(lab):
        if path.is_file():
            stamp = path.stat().st_mtime
            if path.as_posix() not in _LOADED or _LOADED[path.as_posix()][0] != stamp:
                _LOADED[path.as_posix()] = (stamp, decode(path.read_text(encoding="utf-8")))
            return _LOADED[path.as_posix()][1].get(exercise)
    return None


def missing_data(lab: str) -> str:
    return (
        f"the expected values of this lab ({lab}.json) were not found next to the notebook or in ./lab_data/: "
        "open the lab from the course's notebooks/ folder (on Colab, run the lab's first cell)"
    )


def digest(salt: str, value) -> str:
    """A salted SHA-256 of a canonical answer: lets a check recognise a value without storing it."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        text = format(float(value), ".6g")
    else:
        text = str(value).strip().lower()
    return hashlib.sha256(f"{salt}|{text}".encode()).hexdigest()


# --- running the student's code ---------------------------------------------------------------------


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except Exception:  # objects without a plain equality (engine Tensors): not compared
        return True


def run_student(fn: Callable, *args, names: tuple[str, ...] = ()):
    """Call ``fn(*args)`` on copies; return (raw output, problem), problem None when it ran cleanly.

    Exceptions, RuntimeWarnings (overflow), stubs, empty answers and changes to the arguments (the
    exercises ask for new arrays) become a problem message, never a traceback.
    """
    given = [_copy(a) for a in args]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = fn(*given)
        except RuntimeWarning as w:
            return None, (
                f"numpy warned '{w}' while evaluating your function: an exp, log or division "
                "overflowed or met a bad value. Rewrite it so every exp sees a non-positive argument."
            )
        except NotImplementedError:
            return None, f"{NOT_ANSWERED} (the function still raises NotImplementedError)"
        except Exception as e:  # the student's bug, reported rather than raised
            frame = traceback.extract_tb(e.__traceback__)[-1]
            return None, f"your function raised {type(e).__name__}: {e} (line {frame.lineno}: `{frame.line}`)"
    if out is None or out is Ellipsis:
        return None, "your function returned nothing (None or ...): finish it and return the answer"
    for index, (before, after) in enumerate(zip(args, given, strict=True)):
        if not _same(before, after):
            label = names[index] if index < len(names) else f"argument {index + 1}"
            return (
                None,
                f"your function changed its input `{label}` in place: leave the inputs alone and return a new array",
            )
    return out, None


def as_arrays(out, parts: tuple[str, ...] | None):
    """The output as a list of arrays (dtype kept), one per named part; or a message saying why not."""
    if parts is None:
        values = [out]
    else:
        if not isinstance(out, (tuple, list)) or len(out) != len(parts):
            return None, f"expected a tuple of {len(parts)} values ({', '.join(parts)}), got {type(out).__name__}"
        values = list(out)
    arrays = []
    for value in values:
        if value is None or value is Ellipsis:
            return None, "part of your answer is still None or ... : finish it"
        if np.iscomplexobj(value):
            return None, "your function returned complex numbers, expected real ones (did a sqrt or log see x < 0?)"
        try:
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                array = array.astype(np.float64)
        except (TypeError, ValueError):
            return None, f"your function returned {type(value).__name__}, expected a number or a numpy array"
        arrays.append(array)
    return arrays, None


def compare(actual, expected, rtol: float, atol: float, what: str = "value", where=None) -> str | None:
    """None when close; otherwise where the worst entry is, the value found and the one expected.

    ``where`` (an array of the expected's shape) names each entry by its input x; without it, entries
    are named by index.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return f"{what} has shape {actual.shape}, expected shape {expected.shape}"

    def at(i: int) -> str:
        if where is not None:
            return f"at x = {np.asarray(where).flat[i]:g}"
        if expected.ndim == 0:
            return ""
        return f"at index {np.unravel_index(i, expected.shape)}" if expected.ndim > 1 else f"at index {i}"

    if np.isnan(actual).any():
        i = int(np.flatnonzero(np.isnan(actual))[0])
        return f"{what} is NaN {at(i)}; expected {expected.flat[i]:.6g}".replace("  ", " ")
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if not bad.any():
        return None
    error = np.where(bad, np.abs(actual - expected), 0)
    i = int(np.argmax(error))
    if actual.size == 1:
        return f"your {what} {actual.flat[0]:.10g}, expected {expected.flat[0]:.10g} (tolerance rtol={rtol:g}, atol={atol:g})"
    return (
        f"{int(bad.sum())} of {bad.size} entries are wrong; worst {at(i)}: your {what} {actual.flat[i]:.6g}, "
        f"expected {expected.flat[i]:.6g} (tolerance rtol={rtol:g}, atol={atol:g})"
    )


def _matches(arrays, outputs) -> bool:
    if outputs is None:
        return False
    try:
        guesses = [
            np.asarray(o, dtype=np.float64) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])
        ]
    except (TypeError, ValueError):
        return False
    if len(guesses) != len(arrays):
        return False
    return all(
        g.shape == a.shape and np.allclose(np.asarray(a, dtype=np.float64), g, rtol=1e-6, atol=1e-9, equal_nan=True)
        for g, a in zip(guesses, arrays, strict=True)
    )


def _as_tuple(value, parts):
    return list(value) if parts else [value]


def _float32(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return value.astype(np.float32)
    if isinstance(value, (list, tuple)):
        return type(value)(_float32(v) for v in value)
    return value


def check_cases(
    fn: Callable,
    data: dict | None,
    name: str,
    *,
    lab: str,
    exercise: str,
    rtol: float = 1e-9,
    atol: float = 1e-12,
    parts: tuple[str, ...] | None = None,
    arg_names: tuple[str, ...] = (),
    elementwise: bool = False,
    float32: str | None = None,
    allowed: tuple[str, ...] = (),
    show: bool = True,
) -> CheckResult:
    """Compare ``fn(*case)`` with the expected output of every case of ``data``.

    ``data`` holds ``cases`` (argument tuples), ``expected`` (one output each), ``labels`` (what each
    case is, for messages) and optionally ``hints`` (``[advice, outputs of a known wrong answer]``);
    None reads the lab's public data. ``elementwise``: the output must have the first argument's shape,
    and a 2-d copy of each case must give the same values reshaped. ``float32``: each case is also
    run with float32 arrays ("values": the values must agree to float32 accuracy; "dtype": and the
    result must stay float32). ``allowed``: the course package's building blocks this exercise permits;
    any other call into ``nonlinear`` or torch fails the check (:func:`forbidden_call`).
    """
    if data is None:
        data = public_data(lab, exercise)
        if data is None:
            return fail(name, missing_data(lab), show)
    if not callable(fn):
        return fail(name, f"expected a function, got {type(fn).__name__}", show)
    refused = forbidden_call(fn, name, allowed, show)
    if refused is not None:
        return refused
    cases, expected_all = data["cases"], data["expected"]
    labels = data.get("labels") or [""] * len(cases)
    hints = data.get("hints") or []
    for number, (case, expected, label) in enumerate(zip(cases, expected_all, labels, strict=True), start=1):
        out, problem = run_student(fn, *case, names=arg_names)
        actual, hinted = None, False
        if problem is None:
            actual, problem = as_arrays(out, parts)
        if problem is None:
            expected_parts = _as_tuple(expected, parts)
            where = case[0] if elementwise else None
            for part, a, e in zip(parts or ("value",), actual, expected_parts, strict=True):
                e = np.asarray(e, dtype=np.float64)
                problem = compare(
                    a, e, rtol, atol, part if parts else "value", where if np.shape(where) == e.shape else None
                )
                if problem is not None:
                    hinted = True  # the float64 values are wrong: a known wrong answer may explain them
                    break
        if problem is None and elementwise and np.ndim(case[0]) == 1 and np.size(case[0]) % 2 == 0:
            shape = (2, np.size(case[0]) // 2)
            reshaped = tuple(c.reshape(shape) if np.shape(c) == np.shape(case[0]) else c for c in case)
            out2, problem = run_student(fn, *reshaped, names=arg_names)
            if problem is None:
                actual2, problem = as_arrays(out2, None)
                if problem is None:
                    problem = compare(actual2[0], np.asarray(expected).reshape(shape), rtol, atol, "value")
            if problem is not None:
                problem = f"1-d input is right, but the same numbers as a {shape} array fail: {problem}"
        if problem is None and float32:
            out32, problem = run_student(fn, *_float32(tuple(case)), names=arg_names)
            if problem is None:
                actual32, problem = as_arrays(out32, parts)
                if problem is None and float32 == "dtype" and any(a.dtype != np.float32 for a in actual32):
                    problem = f"float32 input gave {actual32[0].dtype} output: keep float32 inputs float32"
                if problem is None:
                    for part, a, e in zip(parts or ("value",), actual32, _as_tuple(expected, parts), strict=True):
                        problem = compare(
                            a,
                            e,
                            1e-4,
                            1e-6,
                            f"{part if parts else 'value'} in float32",
                            case[0] if elementwise and np.shape(case[0]) == np.shape(e) else None,
                        )
                        if problem is not None:
                            break
            if problem is not None and not problem.startswith(NOT_ANSWERED):
                problem = "float64 is right, but float32 input fails: " + problem
        if problem is not None:
            if hinted:
                for advice, outputs in hints:
                    if _matches(actual, outputs[number - 1]):
                        problem += f". Hint: {advice}"
                        break
            if not problem.startswith(NOT_ANSWERED):
                where = f" ({label})" if label else ""
                problem = f"case {number} of {len(cases)}{where}: {problem}"
            return fail(name, problem, show)
    return passed(name, f"matches the expected values on all {len(cases)} cases", show)


def check_answer(answer, data: dict | None, name: str, *, lab: str, exercise: str, show: bool = True) -> CheckResult:
    """Compare a value answer with the digest of the expected one (``data``: ``digest``, ``salt``, ``hints``)."""
    if data is None:
        data = public_data(lab, exercise)
        if data is None:
            return fail(name, missing_data(lab), show)
    if callable(answer):
        return fail(name, "expected a value, got a function: call it and store the result", show)
    if answer is None or answer is Ellipsis:
        return fail(name, f"{NOT_ANSWERED} (the value is still None or ...)", show)
    try:
        value = float(np.asarray(answer, dtype=np.float64))
    except (TypeError, ValueError):
        return fail(name, f"expected a number, got {type(answer).__name__}", show)
    if not np.isfinite(value):
        return fail(name, f"your answer {answer!r} is not finite", show)
    found = digest(data["salt"], value)
    if found == data["digest"]:
        return passed(name, "correct", show)
    problem = f"{value:.6g} is not the expected value"
    for wrong, advice in data.get("hints", []):
        if found == wrong:
            problem += f". Hint: {advice}"
            break
    return fail(name, problem, show)


def hint_outputs(wrong: Callable, cases: list) -> list:
    """The outputs of a known wrong answer on every case (None where it raises): stored as a hint."""
    outputs = []
    for case in cases:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                outputs.append(wrong(*case))
            except Exception:  # a wrong answer that does not apply to this case
                outputs.append(None)
    return outputs


def edge_inputs(dtype=np.float64) -> np.ndarray:
    """0, tiny, moderate and huge values of both signs (the inputs every elementwise check tries)."""
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
        30.0,
        -30.0,
        40.0,
        -40.0,
        50.0,
        -50.0,
        700.0,
        -700.0,
        1000.0,
        -1000.0,
        3.5,
        -6.0,
        0.25,
    ]
    return np.array(values, dtype=dtype)


def sample_inputs(seed: int = 0, n: int = 200, dtype=np.float64) -> np.ndarray:
    """Edge cases followed by ``n`` random inputs (normal, scale 4) from ``seed``."""
    rng = np.random.default_rng(seed)
    return np.concatenate([edge_inputs(dtype), rng.normal(0, 4, size=n).astype(dtype)])


# --- what an answer may call ------------------------------------------------------------------------

# A function exercise asks for the student's own code: the course package (whose functions the
# chapters use, some of which compute an exercise's answer) and torch earn no points. The checks
# themselves hold no answer and stay callable; each exercise names the building blocks it allows.
FORBIDDEN_MODULES = ("nonlinear", "torch")
ALWAYS_ALLOWED = ("nonlinear.checks",)


def _qualified(obj) -> str | None:
    """'package.module.name' of a module, function, class or method; None for plain data."""
    import types

    if isinstance(obj, types.ModuleType):
        return obj.__name__
    if isinstance(obj, types.MethodType):
        return _qualified(obj.__func__)
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if isinstance(module, str) and isinstance(name, str) and (callable(obj) or isinstance(obj, type)):
        return f"{module}.{name}"
    if isinstance(module, str) and module.split(".")[0] == "torch":
        return module
    # an object of a class of the package (an Activation from the registry, a layer, a tensor)
    kind = type(obj)
    if kind.__name__ == "Activation" and isinstance(getattr(obj, "name", None), str):
        return f"{kind.__module__}.get({obj.name!r})"
    if kind.__module__.split(".")[0] in {m.split(".")[0] for m in FORBIDDEN_MODULES}:
        return f"{kind.__module__}.{kind.__qualname__}"
    return None


def _under(name: str, prefixes) -> bool:
    """``name`` is one of ``prefixes``, inside one, or an object made by one (``...get('silu')``)."""
    return any(name == p or name.startswith((p + ".", p + "(")) for p in prefixes)


def _verdict(name: str | None, forbidden, allowed) -> str | None:
    if name is None or not _under(name, forbidden) or _under(name, (*ALWAYS_ALLOWED, *allowed)):
        return None
    return name


def _names_used(code, namespace: dict, closure: dict) -> list[tuple[str | None, object]]:
    """(dotted name or None, object) for every global/closure name and attribute chain ``code`` uses,
    nested code included; names imported inside the function are resolved by importing them."""
    import builtins
    import dis
    import importlib
    import types

    found: list[tuple[str | None, object]] = []
    state: dict = {"base": None, "chain": [], "module": None}
    missing = object()

    def flush():
        base, chain = state["base"], state["chain"]
        if base is not None:
            obj, path = base, []
            for attr in chain:
                try:
                    obj = getattr(obj, attr)
                except Exception:  # not resolvable statically: judge what was resolved
                    break
                path.append(attr)
            # data reached through a module (activations.REGISTRY) is named by its path
            text = f"{base.__name__}.{'.'.join(path)}" if isinstance(base, types.ModuleType) and path else None
            found.append((text, obj))
        state["base"], state["chain"] = None, []

    def flush_import():
        if state["module"] is not None:
            found.append((None, state["module"]))
        state["module"] = None

    for ins in dis.get_instructions(code):
        op = ins.opname
        if op != "IMPORT_FROM" and not (op.startswith("STORE") and state["module"] is not None):
            flush_import()
        if op in ("LOAD_GLOBAL", "LOAD_NAME"):
            flush()
            obj = namespace.get(ins.argval, missing)
            if obj is missing:
                obj = getattr(builtins, ins.argval, missing)
            if obj is not missing:
                state["base"] = obj
        elif op == "LOAD_DEREF" and ins.argval in closure:
            flush()
            state["base"] = closure[ins.argval]
        elif op in ("LOAD_ATTR", "LOAD_METHOD") and state["base"] is not None:
            state["chain"].append(ins.argval)
        elif op == "IMPORT_NAME":
            flush()
            try:
                state["module"] = importlib.import_module(ins.argval)
            except Exception:  # a module that does not import: nothing to resolve
                state["module"] = None
            state["from"] = state["module"]
        elif op == "IMPORT_FROM" and state.get("from") is not None:
            module = state["from"]
            state["module"] = None  # judged by what is taken from it
            value = getattr(module, ins.argval, missing)
            if value is missing and module.__name__.rsplit(".", 1)[-1] == ins.argval:
                value = module  # import package.module as alias
            if value is missing:
                try:
                    value = importlib.import_module(f"{module.__name__}.{ins.argval}")
                except Exception:  # not a submodule either
                    value = missing
            if value is not missing:
                found.append((f"{module.__name__}.{ins.argval}", value))
        else:
            flush()
    flush()
    flush_import()
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found += _names_used(const, namespace, closure)
    return found


def calls_forbidden(fn, forbidden=FORBIDDEN_MODULES, allowed=(), _seen=None) -> str | None:
    """The first thing of ``forbidden`` (module names) that ``fn`` is or calls, or None.

    Looks at the function itself (a package function, an Activation or its bound ``.derivative``, a
    ``functools.partial``), then through its code recursively: global names and attribute chains
    (``activations.get``, an alias ``from nonlinear.activations import stable_sigmoid as s``), imports
    inside it, nested functions and lambdas, closures, default arguments, and the helper functions of
    the student's own notebook that it calls. ``allowed`` lists the building blocks an exercise permits
    (a module, or one function by its dotted name).
    """
    import functools
    import types

    seen = set() if _seen is None else _seen
    if id(fn) in seen:
        return None
    seen.add(id(fn))
    own_name = _qualified(fn)
    hit = _verdict(own_name, forbidden, allowed)
    if hit:
        return hit
    if own_name and _under(own_name, (*ALWAYS_ALLOWED, *allowed)):
        return None  # a permitted building block: what it calls inside is its own business
    if isinstance(fn, types.MethodType):
        return calls_forbidden(fn.__self__, forbidden, allowed, seen) or calls_forbidden(
            fn.__func__, forbidden, allowed, seen
        )
    if isinstance(fn, functools.partial):
        for part in (fn.func, *fn.args, *fn.keywords.values()):
            hit = calls_forbidden(part, forbidden, allowed, seen)
            if hit:
                return hit
        return None
    if isinstance(fn, np.vectorize):
        return calls_forbidden(fn.pyfunc, forbidden, allowed, seen)
    if not isinstance(fn, types.FunctionType):
        call = vars(type(fn)).get("__call__")  # an object with __call__ defined in the notebook
        if isinstance(call, types.FunctionType) and call.__module__ == getattr(type(fn), "__module__", None):
            return calls_forbidden(call, forbidden, allowed, seen)
        return None
    closure = {}
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=False):
        try:
            closure[name] = cell.cell_contents
        except ValueError:  # an empty cell
            pass
    extra = [(None, d) for d in (*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values())]
    for text, obj in [*_names_used(fn.__code__, fn.__globals__, closure), *extra]:
        hit = _verdict(_qualified(obj) or text, forbidden, allowed)
        if hit:
            return hit
        own = isinstance(obj, types.FunctionType) and (
            obj.__globals__ is fn.__globals__ or obj.__module__ in (None, "__main__", fn.__module__)
        )
        if own or isinstance(obj, (functools.partial, np.vectorize, types.MethodType)):
            hit = calls_forbidden(obj, forbidden, allowed, seen)
            if hit:
                return hit
    return None


def forbidden_message(name: str, found: str, allowed=()) -> str:
    """What the check of exercise function ``name`` says when the answer calls the course package or torch."""
    also = f" and the building blocks allowed here ({', '.join(allowed)})" if allowed else ""
    return (
        f"your {name} calls {found}; write it with numpy (scipy.special where the prompt allows){also}: "
        "calling the course package (nonlinear.activations, nonlinear.experiments, ...) or torch for the answer "
        "earns no points"
    )


def forbidden_call(fn, name: str, allowed=(), show: bool = True) -> CheckResult | None:
    """A failed result when ``fn`` calls the course package or torch (beyond ``allowed``); else None.

    Every function exercise's check runs this first, so the instant check and the hidden tests
    enforce the rule alike.
    """
    try:
        found = calls_forbidden(fn, FORBIDDEN_MODULES, allowed)
    except Exception:  # an object the inspection cannot read: judged by its values alone
        found = None
    return fail(name, forbidden_message(name, found, allowed), show) if found else None
