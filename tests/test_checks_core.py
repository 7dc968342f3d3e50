"""nonlinear.checks.core: running a student's code safely, comparing numbers, expected values, messages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nonlinear.checks import core
from nonlinear.checks.core import CheckResult, check_answer, check_cases, compare, decode, dumps, run_student


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def elementwise_data(reference, hints=()):
    x = core.sample_inputs(n=40)
    data = {"cases": [(x,)], "expected": [reference(x)], "labels": ["x of shape 68"]}
    if hints:
        data["hints"] = [[advice, core.hint_outputs(wrong, data["cases"])] for advice, wrong in hints]
    return decode(dumps(data))  # as the lab's data file gives it


def check(fn, data, **options):
    options = {"rtol": 1e-9, "atol": 1e-300, "elementwise": True, "float32": "dtype", "arg_names": ("x",)} | options
    return check_cases(fn, data, "sigmoid", lab="lab_test", exercise="ex0_1", show=False, **options)


def test_encoding_round_trips_exactly():
    value = {
        "a": np.array([[0.1, -1e-300], [np.pi, 1e300]]),
        "b": (np.float32(1.5), np.arange(3, dtype=np.int64), "relu"),
        "c": [np.array(2.0, dtype=np.float32), None, ("matrix", np.eye(2))],
    }
    back = decode(dumps(value))
    assert back["a"].dtype == np.float64 and np.array_equal(back["a"], value["a"])
    assert back["b"][0] == 1.5 and back["b"][1].dtype == np.int64 and back["b"][2] == "relu"
    assert back["c"][0].dtype == np.float32 and back["c"][0].shape == () and back["c"][1] is None
    assert isinstance(back["b"], tuple) and isinstance(back["c"][2], tuple)
    assert json.loads(dumps(value))  # plain JSON


def test_a_right_answer_passes_and_a_wrong_one_says_where_and_by_how_much():
    data = elementwise_data(sigmoid)
    assert check(sigmoid, data).passed
    result = check(lambda x: sigmoid(x) + (x > 2) * 1e-3, data)
    assert not result.passed
    assert "entries are wrong; worst at x =" in result.message and "expected" in result.message
    assert "tolerance rtol=1e-09" in result.message and "case 1 of 1 (x of shape 68)" in result.message


def test_the_negative_tail_counts_relatively():
    """0.5 (1 + tanh(x/2)) is sigmoid in exact arithmetic, but loses the tail: at -30 it is off by 1.7e-4."""
    result = check(lambda x: (0.5 * (1 + np.tanh(x / 2))).astype(x.dtype), elementwise_data(sigmoid))
    assert not result.passed and "x = -" in result.message


def test_float32_in_must_give_float32_out_where_the_rule_says_so():
    as64 = lambda x: sigmoid(x).astype(np.float64)  # noqa: E731
    result = check(as64, elementwise_data(sigmoid))
    assert not result.passed and "keep float32 inputs float32" in result.message
    assert check(as64, elementwise_data(sigmoid), float32="values").passed


def test_the_same_numbers_as_a_2d_array_must_work():
    flat_only = lambda x: sigmoid(x.ravel())  # noqa: E731
    result = check(flat_only, elementwise_data(sigmoid))
    assert not result.passed and "the same numbers as a (2, 34) array fail" in result.message
    assert "same shape as the input" not in result.message


def test_changing_an_input_in_place_fails():
    def in_place(x):
        x *= 1.0
        x[0] = 5.0
        return sigmoid(x)

    result = check(in_place, elementwise_data(sigmoid))
    assert not result.passed and "changed its input `x` in place" in result.message


def test_hints_name_a_known_mistake_only_when_the_values_are_wrong():
    wrong = lambda x: sigmoid(-x)  # noqa: E731
    data = elementwise_data(sigmoid, hints=[("check the sign of the exponent", wrong)])
    result = check(wrong, data)
    assert not result.passed and result.message.endswith("Hint: check the sign of the exponent")


@pytest.mark.parametrize(
    ("answer", "expected_message"),
    [
        (lambda x: None, "returned nothing"),
        (lambda x: ..., "returned nothing"),
        (lambda x: 1 / 0, "your function raised ZeroDivisionError: division by zero"),
        (lambda x: x.undefined, "your function raised AttributeError"),
        (lambda x: 1 / (1 + np.exp(-x)), "numpy warned"),
        (lambda x: np.sqrt(x.astype(complex)), "complex numbers"),
        (lambda x: "text", "expected a number or a numpy array"),
        (lambda x: x[:3], "has shape (3,), expected shape"),
        (42, "expected a function, got int"),
    ],
)
def test_broken_answers_fail_with_a_message_and_never_raise(answer, expected_message):
    result = check(answer, elementwise_data(sigmoid))
    assert not result.passed and expected_message in result.message, result.message
    assert "Traceback" not in result.message


def test_a_stub_is_not_answered_yet():
    def stub(x):
        raise NotImplementedError("Exercise 0.1")

    result = check(stub, elementwise_data(sigmoid))
    assert not result.passed and result.message.startswith("not answered yet")


def test_run_student_reports_a_mutated_list_argument_by_name():
    def sorts(values, k):
        values.sort()
        return values[k]

    out, problem = run_student(sorts, [3, 1, 2], 0, names=("values", "k"))
    assert out is None and "`values`" in problem


def test_compare_for_a_scalar_names_both_values():
    message = compare(np.float64(0.5), np.float64(0.25), 1e-9, 0, "value")
    assert "your value 0.5, expected 0.25" in message
    assert compare(np.ones(3), np.ones((3, 1)), 1e-9, 0) == "value has shape (3,), expected shape (3, 1)"


def test_a_scalar_case_is_named_by_its_label():
    data = {"cases": [(0.1,), (3.0,)], "expected": [0.2, 6.0], "labels": ["lr = 0.1", "lr = 3"]}
    result = check_cases(lambda lr: 2 * lr if lr < 1 else 0.0, data, "double", lab="x", exercise="y", show=False)
    assert not result.passed and result.message.startswith("case 2 of 2 (lr = 3): your value 0")


def test_value_answers_are_recognised_by_a_digest_not_stored_in_clear():
    data = {"salt": "lab:ex", "digest": core.digest("lab:ex", 0.75), "hints": [[core.digest("lab:ex", 0.5), "chance"]]}
    assert "0.75" not in json.dumps(data)
    assert check_answer(3 / 4, data, "acc", lab="x", exercise="y", show=False).passed
    wrong = check_answer(0.5, data, "acc", lab="x", exercise="y", show=False)
    assert not wrong.passed and wrong.message.endswith("Hint: chance")
    assert check_answer(None, data, "acc", lab="x", exercise="y", show=False).message.startswith("not answered yet")
    assert "got a function" in check_answer(len, data, "acc", lab="x", exercise="y", show=False).message


def test_missing_expected_values_say_where_they_were_looked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NONLINEAR_LAB_DATA", raising=False)
    result = check_cases(sigmoid, None, "sigmoid", lab="lab99_none", exercise="ex99_1", show=False)
    assert not result.passed and "lab99_none.json" in result.message and "first cell" in result.message


def test_public_data_is_read_from_lab_data_or_the_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "lab98_x.json").write_text(dumps({"ex98_1": {"k": np.arange(2.0)}}))
    monkeypatch.setenv("NONLINEAR_LAB_DATA", str(tmp_path / "elsewhere"))
    assert np.array_equal(core.public_data("lab98_x", "ex98_1")["k"], [0.0, 1.0])
    monkeypatch.delenv("NONLINEAR_LAB_DATA")
    (tmp_path / "lab_data").mkdir()
    (tmp_path / "lab_data" / "lab98_x.json").write_text(dumps({"ex98_1": {"k": 3}}))
    assert core.public_data("lab98_x", "ex98_1") == {"k": 3}


def test_result_display_uses_marks_every_font_has():
    ok, no = CheckResult(True, "fine", "f"), CheckResult(False, "not answered yet", "f")
    assert ok._repr_markdown_().startswith("**PASS**") and no._repr_markdown_().startswith("**NOT YET**")
    assert str(no) == "NOT YET f: not answered yet" and bool(ok) and not bool(no)
    assert not any(ord(ch) > 0x2000 for ch in ok._repr_markdown_() + no._repr_markdown_())


def test_inputs_cover_edges_and_the_tail_and_are_seeded():
    x = core.sample_inputs(seed=3)
    assert {0.0, 1000.0, -1000.0, -30.0, -40.0} <= set(x.tolist())
    assert np.array_equal(x, core.sample_inputs(seed=3)) and not np.array_equal(x, core.sample_inputs(seed=4))


# --- the rule: an answer is the student's own code -------------------------------------------------

CALLERS = """
import functools
import numpy as np
from nonlinear import activations, experiments
from nonlinear.activations import stable_sigmoid as renamed
sig = activations.get('sigmoid')

def direct(x):
    return activations.stable_sigmoid(x)

def through_get(x):
    return activations.get('hardswish')(x)

def alias(x):
    return renamed(x)

def global_object(x):
    return sig(x)

def imported_inside(x):
    from nonlinear.activations import stable_softplus
    return stable_softplus(x)

def module_alias(x):
    import nonlinear.activations as A
    return A.stable_sigmoid(x)

def uses_torch(x):
    import torch
    return torch.sigmoid(torch.from_numpy(x)).numpy()

def helper(x):
    return activations.stable_sigmoid(x)

def through_helper(x):
    return 2 * helper(x) - helper(x)

def nested(x):
    inner = lambda y: experiments.forward_statistics('relu', 2)
    return inner(x)

def default_argument(x, f=activations.stable_sigmoid):
    return f(x)

def own(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

def own_scipy(x):
    import scipy.special
    return scipy.special.expit(x)

def vjp(x, g):
    return g * activations.stable_sigmoid(x) * activations.stable_sigmoid(-x)

lam = lambda x: activations.get('gelu', approximate='tanh')(x)
partial = functools.partial(activations.stable_softplus)
"""


@pytest.fixture(scope="module")
def callers():
    namespace = {"__name__": "__student__"}
    exec(CALLERS, namespace)
    return namespace


@pytest.mark.parametrize(
    "name, found",
    [
        ("direct", "nonlinear.activations.stable_sigmoid"),
        ("through_get", "nonlinear.activations.get"),
        ("alias", "nonlinear.activations.stable_sigmoid"),
        ("global_object", "nonlinear.activations.get('sigmoid')"),
        ("imported_inside", "nonlinear.activations.stable_softplus"),
        ("module_alias", "nonlinear.activations"),
        ("uses_torch", "torch"),
        ("through_helper", "nonlinear.activations.stable_sigmoid"),
        ("nested", "nonlinear.experiments.forward_statistics"),
        ("default_argument", "nonlinear.activations.stable_sigmoid"),
        ("lam", "nonlinear.activations.get"),
        ("partial", "nonlinear.activations.stable_softplus"),
        ("own", None),
        ("own_scipy", None),
    ],
)
def test_calls_forbidden_finds_the_package_or_torch_however_it_is_reached(callers, name, found):
    assert core.calls_forbidden(callers[name]) == found


def test_calls_forbidden_recognises_package_objects_given_as_the_answer():
    from nonlinear import activations, experiments

    assert core.calls_forbidden(activations.stable_sigmoid) == "nonlinear.activations.stable_sigmoid"
    assert core.calls_forbidden(activations.get("hardswish")) == "nonlinear.activations.get('hardswish')"
    assert core.calls_forbidden(activations.get("elu").derivative) == "nonlinear.activations.Activation.derivative"
    assert core.calls_forbidden(experiments.forward_statistics) == "nonlinear.experiments.forward_statistics"
    assert core.calls_forbidden(np.tanh) is None and core.calls_forbidden(core.public_data) is None


def test_allowed_building_blocks_pass_and_nothing_else(callers):
    sigmoid_only = ("nonlinear.activations.stable_sigmoid",)
    assert core.calls_forbidden(callers["vjp"], allowed=sigmoid_only) is None
    assert core.calls_forbidden(callers["direct"], allowed=sigmoid_only) is None
    assert core.calls_forbidden(callers["through_get"], allowed=sigmoid_only) == "nonlinear.activations.get"
    # objects made by an allowed factory are allowed with it; a permitted function is not looked inside
    assert core.calls_forbidden(callers["global_object"], allowed=("nonlinear.activations.get",)) is None
    assert core.calls_forbidden(callers["nested"], allowed=("nonlinear.experiments",)) is None


def test_a_check_refuses_a_package_call_and_says_what_it_found(callers):
    data = elementwise_data(sigmoid)
    assert check(callers["own"], data, float32=None)
    result = check(callers["direct"], data)
    assert not result
    assert result.message.startswith("your sigmoid calls nonlinear.activations.stable_sigmoid; write it with numpy")
    assert "earns no points" in result.message
    allowed = check(callers["direct"], data, allowed=("nonlinear.activations.stable_sigmoid",))
    assert allowed, allowed.message
