"""Compare the package with PyTorch: one helper, one line per activation (after tinygrad's ``helper_test_op``).

``helper_test_op(name, x, params)`` checks, in float64 unless ``x`` says otherwise:

- shape and dtype of ``a(x)`` against the torch function's output;
- values, to ``rtol``/``atol``;
- ``a.vjp(x, g)`` against ``torch.autograd`` with a random upstream gradient ``g``;
- ``a.derivative(x)`` against the torch gradient of ``sum(f(x))`` (elementwise activations);
- the activation applied to an ``autograd.Tensor``: the engine's gradient equals torch's.

Every failure message names the input, the index, the expected and the actual value.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from nonlinear import activations, autograd, reference

# A few ulps in float64: every comparison in the suite starts here and states why it loosens it.
# ATOL is the smallest normal float64: below it torch flushes e.g. 1/(1 + e^{720}) to 0 while
# numpy keeps the subnormal answer, and neither is wrong by more than that.
RTOL = 1e-12
ATOL = float(np.finfo(np.float64).tiny)


def describe(x: np.ndarray, index: tuple[int, ...]) -> str:
    """'x[i, j] = value' for an index into x, or the whole (small) input when the index is not x's."""
    x = np.asarray(x)
    if x.ndim and len(index) == x.ndim and all(i < n for i, n in zip(index, x.shape, strict=True)):
        return f"input x{list(index)} = {x[index]!r}"
    if x.ndim == 0:
        return f"input x = {x.item()!r}"
    return f"input x = {np.array2string(x, precision=17, threshold=20)}"


def assert_close(actual, expected, x, rtol: float = RTOL, atol: float = ATOL, what: str = "value") -> None:
    """Assert same shape, no NaN, and |actual - expected| <= atol + rtol |expected| everywhere.

    The message names the worst index, the input there, the expected and the actual value.
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    nan = np.isnan(actual) & ~np.isnan(expected)
    if nan.any():
        index = tuple(int(i) for i in np.argwhere(nan)[0])
        raise AssertionError(f"{what}: NaN at index {index} ({describe(x, index)}); expected {expected[index]!r}")
    a64, e64 = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(a64 - e64)
        error = np.where(a64 == e64, 0.0, error)  # equal infinities are equal
        allowed = atol + rtol * np.abs(e64)
        bad = ~(error <= allowed)
    bad &= ~(np.isnan(a64) & np.isnan(e64))
    if bad.any():
        excess = np.where(bad, np.nan_to_num(error / np.maximum(allowed, 1e-300), nan=np.inf, posinf=np.inf), 0)
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} entries differ; worst at index {index} "
            f"({describe(x, index)}): got {actual[index]!r}, expected {expected[index]!r} "
            f"(|error| = {error[index]:.3g}, allowed atol={atol:g} + rtol={rtol:g}*|expected|)"
        )


def torch_forward_backward(torch_fn, x: np.ndarray, grad_out: np.ndarray | None = None, seed: int = 0):
    """(f(x), x.grad, g) from torch, with upstream gradient ``grad_out`` (random normal if None)."""
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt)
    if grad_out is None:
        grad_out = np.random.default_rng(seed).normal(size=tuple(yt.shape)).astype(x.dtype)
    yt.backward(torch.tensor(grad_out))
    return yt.detach().numpy(), xt.grad.numpy(), grad_out


def helper_test_op(
    name: str,
    x,
    params: dict | None = None,
    torch_fn=None,
    rtol: float = RTOL,
    atol: float = ATOL,
    grad_rtol: float | None = None,
    grad_atol: float | None = None,
    seed: int = 0,
    derivative: bool = True,
    tensor: bool = True,
) -> None:
    """Check one activation against its torch counterpart on input ``x``: shape, dtype, values, gradients.

    Runs with warnings as errors, so an overflow or invalid-value RuntimeWarning fails the test.
    """
    params = params or {}
    grad_rtol = rtol if grad_rtol is None else grad_rtol
    grad_atol = atol if grad_atol is None else grad_atol
    atol, grad_atol = max(atol, ATOL), max(grad_atol, ATOL)
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    a = activations.get(name, **params)
    torch_fn = torch_fn if torch_fn is not None else reference.torch_function(name, **params)
    assert torch_fn is not None, f"{name}{params} has no torch counterpart"
    label = f"{name}({', '.join(f'{k}={v!r}' for k, v in params.items())})"

    expected, expected_grad, g = torch_forward_backward(torch_fn, x, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = a(x)
        vjp = a.vjp(x, g)
    assert out.shape == expected.shape, f"{label}: output shape {out.shape}, torch gives {expected.shape}"
    assert out.dtype == x.dtype, f"{label}: output dtype {out.dtype} for {x.dtype} input"
    assert vjp.shape == x.shape and vjp.dtype == x.dtype, f"{label}: vjp has {vjp.shape} {vjp.dtype}"
    assert_close(out, expected, x, rtol, atol, f"{label} forward")
    assert_close(vjp, expected_grad, x, grad_rtol, grad_atol, f"{label} vjp")

    if derivative and a.elementwise:
        _, ones_grad, _ = torch_forward_backward(torch_fn, x, np.ones_like(x))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            d = a.derivative(x)
        assert d.dtype == x.dtype, f"{label}: derivative dtype {d.dtype} for {x.dtype} input"
        assert_close(d, ones_grad, x, grad_rtol, grad_atol, f"{label} derivative")

    if tensor:
        t = autograd.Tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = a(t)
            assert isinstance(y, autograd.Tensor), f"{label} on a Tensor returned {type(y).__name__}"
            y.backward(g)
        assert_close(y.data, expected, x, rtol, atol, f"{label} forward on a Tensor")
        assert_close(t.grad, expected_grad, x, grad_rtol, grad_atol, f"{label} engine gradient")
