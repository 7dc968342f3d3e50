"""The lab checks and the references they are built from.

- every check of every lab refuses an unfinished, broken or mistyped answer with a message and never raises;
- the references kept with the masters (notebooks/masters/references/) agree with PyTorch in float64
  on the public and hidden cases they produce (their expected values are what students are graded on);
- the messages a student reads name the case (the learning rate, the shape) and the rule that failed.

That right and wrong answers get the same verdict from the check, the public test and the hidden
test is tests/test_labs.py's corpus.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from nonlinear import checks

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks" / "masters" / "references"))

import lab03 as ref3  # noqa: E402
import lab04 as ref4  # noqa: E402
import lab05 as ref5  # noqa: E402
import lab06 as ref6  # noqa: E402
import lab07 as ref7  # noqa: E402

LAB_CHECKS = sorted(name for name in dir(checks) if name.startswith("check_"))
# Checks of a value (a number, a dict): a function given to them is refused as such.
VALUE_CHECKS = {"check_best_linear_accuracy", "check_half_dead_lr", "check_output_choices", "check_init_choices"}


def _raises(*args, **kwargs):
    raise NotImplementedError("Exercise: not done")


def _broken(*args, **kwargs):
    return {}["missing"]


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch):
    monkeypatch.chdir(ROOT)  # the public expected values are found under notebooks/lab_data


@pytest.mark.parametrize("name", LAB_CHECKS)
@pytest.mark.parametrize(
    "answer, expected",
    [(_raises, "not answered yet"), (_broken, ""), (None, ""), (..., ""), ("text", ""), (lambda *a: None, "")],
    ids=["stub", "broken", "None", "Ellipsis", "text", "returns-None"],
)
def test_a_lab_check_never_raises_and_fails_unfinished_or_broken_answers(name, answer, expected):
    result = getattr(checks, name)(answer, show=False)
    assert not result.passed, f"{name} accepted {answer!r}"
    if name in VALUE_CHECKS and callable(answer):
        expected = "got a function"
    assert expected in result.message and "Traceback" not in result.message and result.message


def _t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _cases(module, exercise):
    data = module.data(variant=11)[exercise]
    return [
        (c, e)
        for part in ("public", "hidden")
        for c, e in zip(data[part]["cases"], data[part]["expected"], strict=True)
    ]


def test_elementwise_references_agree_with_pytorch():
    for case, expected in _cases(ref5, "ex5_1"):
        assert np.allclose(expected, torch.sigmoid(_t(case[0])).detach().numpy(), rtol=1e-12, atol=1e-300)
    for case, expected in _cases(ref5, "ex5_2"):
        t = _t(case[0])
        assert np.allclose(expected, torch.logaddexp(torch.zeros_like(t), t).detach().numpy(), rtol=1e-12, atol=1e-300)
    for case, expected in _cases(ref6, "ex6_1"):
        assert np.allclose(expected, torch.nn.functional.hardswish(_t(case[0])).detach().numpy(), rtol=1e-12)
    for case, expected in _cases(ref6, "ex6_3"):
        ours = torch.nn.functional.gelu(_t(case[0]), approximate="tanh").detach().numpy()
        assert np.allclose(expected, ours, rtol=1e-12, atol=1e-12)


def _grad(f, x, *extra):
    t = _t(x)
    f(t, *extra).sum().backward()
    return t.grad.numpy()


def test_derivative_references_agree_with_pytorch():
    for (x, alpha), expected in _cases(ref4, "ex4_1"):
        assert np.allclose(expected, _grad(torch.nn.functional.elu, x, alpha), rtol=1e-12, atol=1e-300)
    for (x, slope), expected in _cases(ref5, "ex5_4"):
        assert np.allclose(expected, _grad(torch.nn.functional.leaky_relu, x, slope), rtol=1e-12)
    for (x, beta), expected in _cases(ref6, "ex6_2"):
        assert np.allclose(expected, _grad(lambda t, b=beta: t * torch.sigmoid(b * t), x), rtol=1e-12, atol=1e-300)
    for (x, g), expected in _cases(ref3, "ex3_1"):
        t = _t(x)
        torch.sigmoid(t).backward(torch.tensor(g))
        assert np.allclose(expected, t.grad.numpy(), rtol=1e-12, atol=1e-300)


def test_network_references_agree_with_pytorch():
    for (x, W, g), expected in _cases(ref3, "ex3_2"):
        tx, tW, tb = _t(x), _t(W), _t(np.zeros(W.shape[1]))
        (tx @ tW + tb).backward(torch.tensor(g))
        for ours, theirs in zip(expected, (tx.grad, tW.grad, tb.grad), strict=True):
            assert np.allclose(ours, theirs.numpy(), rtol=1e-12, atol=1e-12)
    for (x, y, W1, b1, W2, b2), expected in _cases(ref3, "ex3_6"):
        params = [_t(p) for p in (W1, b1, W2, b2)]
        prediction = torch.tanh(torch.tensor(x) @ params[0] + params[1]) @ params[2] + params[3]
        ((prediction - torch.tensor(y)) ** 2).mean().backward()
        for ours, p in zip(expected, params, strict=True):
            assert np.allclose(ours, p.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (x, W1, W3, W2, g), expected in _cases(ref6, "ex6_4"):
        ts = [_t(a) for a in (x, W1, W3, W2)]
        out = (torch.nn.functional.silu(ts[0] @ ts[1]) * (ts[0] @ ts[2])) @ ts[3]
        out.backward(torch.tensor(g))
        assert np.allclose(expected[0], out.detach().numpy(), rtol=1e-12, atol=1e-12)
        for ours, t in zip(expected[1:], ts, strict=True):
            assert np.allclose(ours, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_loss_references_agree_with_pytorch():
    for (x,), expected in _cases(ref5, "ex5_3"):
        assert np.allclose(expected, torch.logsumexp(_t(x), dim=-1).detach().numpy(), rtol=1e-13)
    for (z, y), expected in _cases(ref7, "ex7_1"):
        theirs = torch.nn.functional.binary_cross_entropy_with_logits(_t(z), torch.tensor(y)).item()
        assert np.isclose(expected, theirs, rtol=1e-12)
    for (logits, labels), expected in _cases(ref7, "ex7_2"):
        theirs = torch.nn.functional.cross_entropy(_t(logits), torch.tensor(labels)).item()
        assert np.isclose(expected, theirs, rtol=1e-12)


def test_scalar_failures_name_the_case():
    result = checks.check_dead_fraction_after_training(lambda lr: 0.5, show=False)
    assert not result.passed and "(lr = 0.1)" in result.message and "your value 0.5" in result.message
    result = checks.check_vanishing_depth(lambda t: 3, show=False)
    assert not result.passed and "(threshold = 1e-06)" in result.message
    result = checks.check_largest_stable_lr(lambda X: 1.0, show=False)
    assert "(X of shape 50x3)" in result.message


def test_messages_never_claim_the_input_shape_for_other_shapes():
    result = checks.check_logsumexp(lambda x: x, show=False)  # returns (N, K) where (N,) is expected
    assert "has shape (5, 4), expected shape (5,)" in result.message
    assert "same shape as the input" not in result.message


def test_init_check_measures_the_rule_of_the_prompt():
    assert checks.check_init_choices({"relu": "He", "leaky_relu": "he", "selu": "xavier"}, show=False)
    result = checks.check_init_choices({"relu": "xavier", "leaky_relu": "he", "selu": "lecun"}, show=False)
    assert not result.passed and "relu with 'xavier': the output std of layer" in result.message
    assert "outside [0.5, 2]" in result.message


def test_sgd_check_wants_a_new_array():
    def in_place(param, grad, lr):
        param -= lr * grad
        return param

    result = checks.check_sgd_step(in_place, show=False)
    assert not result.passed and "changed its input `param` in place" in result.message


def test_softplus_check_explains_log_for_log1p():
    result = checks.check_stable_softplus(lambda x: np.maximum(x, 0) + np.log(1 + np.exp(-np.abs(x))), show=False)
    assert not result.passed and "use np.log1p(u)" in result.message


def test_swiglu_check_wants_a_connected_graph():
    from nonlinear import activations, autograd

    def detached(x, W1, W3, W2):
        silu = activations.get("silu")
        return autograd.Tensor((silu(x.data @ W1.data) * (x.data @ W3.data)) @ W2.data)

    result = checks.check_swiglu(detached, show=False)
    assert not result.passed and "no gradient reached x" in result.message
