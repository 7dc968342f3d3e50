"""The activations at the edges, against torch: NaN, ±inf, the largest floats, size-0 axes, dtypes, parameters.

Torch's behaviour is the specification (shared/DESIGN.md: "at the edges do what torch does"):
NaN in gives NaN out, ±inf and overflows give torch's values, size-0 axes give empty results,
all silently (every call here runs with warnings turned into errors). Deliberate differences,
each checked below rather than skipped:

- hardswish at |x| >= ~3e307 (float64) / ~6e37 (float32): torch computes x * (x + 3) / 6 and
  overflows to ±inf; the package divides the gate by 6 first and returns the finite x.
- celu's gradient when 1/alpha is not a float32 number (alpha = -0.3, 0.17): torch's backward
  (derivatives.yaml) rounds 1/alpha to float32, an error of about |x/alpha| * 3e-8 relative; the
  package uses the exact 1/alpha, and is compared with torch's kernel written with the exact constant.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from helpers import assert_close, helper_test_op
from test_activations import elementwise_grid, tolerance

from nonlinear import activations, autograd, nn, reference

NAMES = activations.names()

# Non-default parameters of every parametrised activation with a torch counterpart: negative values
# wherever torch accepts them (celu's alpha < 0 flips the exponential branch: x / alpha -> +inf).
PARAMETRISED = [
    ("leaky_relu", {"negative_slope": -0.5}),
    ("leaky_relu", {"negative_slope": 0.3}),
    ("leaky_relu", {"negative_slope": -6.25}),
    ("elu", {"alpha": -1.0}),
    ("elu", {"alpha": 0.3}),
    ("celu", {"alpha": -1.0}),
    ("celu", {"alpha": -0.3}),
    ("celu", {"alpha": 0.17}),
    ("celu", {"alpha": 2.0}),
    ("softplus", {"beta": 0.5, "threshold": 3.0}),
    ("softplus", {"beta": 37.5}),
    ("softplus", {"beta": 1.0, "threshold": -2.0}),
    ("hardtanh", {"min_val": -3.0, "max_val": -0.5}),
    ("prelu", {"weight": -0.5}),
    ("prelu", {"weight": 2.0}),
    ("rrelu", {"lower": 0.0, "upper": 0.9}),
    ("gelu", {"approximate": "tanh"}),
]


def torch_fn(name, params):
    """torch's function; for celu with a 1/alpha that float32 rounds, torch's formula with the exact 1/alpha."""
    alpha = params.get("alpha", 1.0)
    if name != "celu" or float(np.float32(1 / alpha)) == 1 / alpha:
        return reference.torch_function(name, **params)

    class Celu(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return torch.nn.functional.celu(t, alpha)  # the forward is exact in torch

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved_tensors
            return grad * torch.where(t <= 0, torch.exp(t / alpha), torch.ones_like(t))  # torch's kernel

    return Celu.apply


DEFAULTS = [(n, {}) for n in NAMES if reference.torch_function(n) is not None]
CASES = DEFAULTS + PARAMETRISED


def ids(cases):
    return [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}" for n, p in cases]


ELEMENTWISE_PARAMETRISED = [(n, p) for n, p in PARAMETRISED if activations.get(n, **p).elementwise]


@pytest.mark.parametrize(("name", "params"), ELEMENTWISE_PARAMETRISED, ids=ids(ELEMENTWISE_PARAMETRISED))
def test_non_default_and_negative_parameters_match_torch_float64(name, params):
    a = activations.get(name, **params)
    helper_test_op(name, elementwise_grid(a), params, torch_fn=torch_fn(name, params), **tolerance(name, params))


@pytest.mark.parametrize(("name", "params"), ELEMENTWISE_PARAMETRISED, ids=ids(ELEMENTWISE_PARAMETRISED))
def test_non_default_and_negative_parameters_match_torch_float32(name, params):
    x = (np.linspace(-12, 12, 481) + 0.0123).astype(np.float32)
    # float32: torch's vectorised kernels and numpy's libm differ by a few float32 ulps
    helper_test_op(
        name, x, params, rtol=4e-6, atol=1e-6, grad_rtol=4e-6, grad_atol=4e-6, torch_fn=torch_fn(name, params)
    )


def test_celu_with_negative_alpha_is_torchs_formula():
    a = activations.get("celu", alpha=-1.0)
    x = np.array([-1.0, 1.0])
    t = torch.tensor(x, requires_grad=True)
    y = torch.nn.functional.celu(t, -1.0)
    y.sum().backward()
    assert_close(a(x), y.detach().numpy(), x, rtol=1e-15)  # [-1.718..., 1.0]
    assert_close(a.derivative(x), t.grad.numpy(), x, rtol=1e-15)  # [e, 1]
    assert a.output_range == (-np.inf, np.inf) and a.saturation == (None, None) and a.monotonic


# ---------------------------------------------------------------------------
# NaN, ±inf and the largest floats: torch's values, silently
# ---------------------------------------------------------------------------


def edge_values(dtype) -> np.ndarray:
    big = float(np.finfo(dtype).max)
    tiny = float(np.finfo(dtype).smallest_subnormal)
    values = [np.nan, np.inf, -np.inf, big, -big, big / 10, -big / 10, 1e30, -1e30, 88.0, -88.0, 710.0, -710.0]
    values += [0.0, -0.0, tiny, -tiny, 1.0, -1.0, 3.0, -3.0, 6.0, 20.0, -20.0]
    with np.errstate(over="ignore"):
        return np.array(values, dtype=dtype)


# Where torch's own formula overflows for a finite input and the package returns the finite, exact value.
def torch_overflows(name, x, expected):
    if name == "hardswish":
        return np.isinf(expected) & np.isfinite(x)
    return np.zeros(x.shape, dtype=bool)


def torch_values(name, params, x):
    """(f(x), f'(x)) from torch, on the whole array and element by element.

    torch's vectorised loop and its scalar loop (the tail of an array) do not always agree at
    NaN and ±inf: elu'(NaN) is NaN in the first and 1 in the second, hardtanh'(NaN) 0 and 1,
    float32 gelu(inf) NaN and inf. Both are torch's answer; the package must give one of them.
    """
    fn = torch_fn(name, params)

    def run(values):
        t = torch.tensor(values, requires_grad=True)
        y = fn(t)
        y.backward(torch.ones_like(y))
        return y.detach().numpy(), t.grad.numpy()

    whole = run(x)
    single = [run(x[i : i + 1]) for i in range(x.size)] if x.ndim == 1 else None
    if single is None:
        return whole, whole
    return whole, (np.concatenate([s[0] for s in single]), np.concatenate([s[1] for s in single]))


def close(actual, expected, rtol, atol):
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return (a == e) | (np.isnan(a) & np.isnan(e)) | (np.abs(a - e) <= atol + rtol * np.abs(e))


def assert_torch_value(actual, vectorised, scalar, x, what, rtol, atol, nan_at_nan=False):
    """Every entry equals torch's (vectorised or scalar loop) to rtol/atol; NaN exactly where torch has NaN.

    ``nan_at_nan``: a NaN is also accepted at a NaN input (for derivatives, where torch's own
    value there is an accident of its loops: 1, the slope, 0 or NaN).
    """
    assert actual.dtype == x.dtype, f"{what}: dtype {actual.dtype} for {x.dtype} input"
    ok = close(actual, vectorised, rtol, atol) | close(actual, scalar, rtol, atol)
    if nan_at_nan:
        ok |= np.isnan(x) & np.isnan(actual)
    assert ok.all(), (
        f"{what}: at x = {x[~ok]} the package gives {actual[~ok]}, "
        f"torch {vectorised[~ok]} (vectorised loop) or {scalar[~ok]} (scalar loop)"
    )


# Edge tolerances: rtol as the float64 tests (float32: a few ulps); atol far below any normal
# number, for the exact subnormal tails the package keeps where torch flushes to 0 (silu(-710),
# gelu(-20) through erfc rather than 1 + erf).
EDGE_TOL = {np.float64: (1e-12, 1e-290), np.float32: (4e-6, 1e-6)}


def edge_tolerance(name, params, dtype):
    """(rtol, forward atol, gradient atol): EDGE_TOL, loosened where test_activations explains why."""
    rtol, atol = EDGE_TOL[dtype]
    known = tolerance(name, params)
    return rtol, max(atol, known["atol"]), max(atol, known["grad_atol"])


# softsign at ±inf: torch differentiates x / (1 + |x|) as a composite (inf / inf = NaN); the
# package's 1 / (1 + |x|)^2 gives the limit, 0.
# gelu(approximate="tanh") for |x| > 100: torch's x^3 overflows (NaN for huge x); the package
# clips x to ±100 in the formula, where tanh is already ±1, and gives the limits 1 and 0.
# Each entry: (where, the limit the package gives there); torch gives the limit or NaN.
LIMITS_WHERE_TORCH_HAS_NAN = {
    ("softsign", None): (np.isinf, lambda x: np.zeros_like(x)),
    ("gelu", "tanh"): (lambda x: np.abs(x) > 100, lambda x: (x > 0).astype(x.dtype)),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("name", "params"),
    [c for c in CASES if activations.get(c[0], **c[1]).elementwise],
    ids=ids([c for c in CASES if activations.get(c[0], **c[1]).elementwise]),
)
def test_elementwise_edges_match_torch_silently(name, params, dtype):
    a = activations.get(name, **params)
    x = edge_values(dtype)
    (y_vec, g_vec), (y_one, g_one) = torch_values(name, params, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, d, v = a(x), a.derivative(x), a.vjp(x, np.ones_like(x))
        t = autograd.Tensor(x, requires_grad=True)
        a(t).backward(np.ones_like(x))
    rtol, atol, grad_atol = edge_tolerance(name, params, dtype)
    skip = torch_overflows(name, x, y_vec) | torch_overflows(name, x, y_one)
    assert np.array_equal(y[skip], x[skip]), f"{name}: where torch's formula overflows the package returns x"
    keep = ~skip
    assert_torch_value(y[keep], y_vec[keep], y_one[keep], x[keep], f"{name}{params} forward", rtol, atol)
    limits = LIMITS_WHERE_TORCH_HAS_NAN.get((name, params.get("approximate")))
    if limits is not None:
        at, value = limits[0](x), limits[1](x)
        assert np.array_equal(d[at], value[at]), f"{name}: f'({x[at]}) = {d[at]}, expected the limits {value[at]}"
        assert np.all(np.isnan(g_vec[at]) | (g_vec[at] == value[at])), f"{name}: torch gives {g_vec[at]}"
        keep &= ~at
    for what, got in (("derivative", d), ("vjp", v), ("engine gradient", t.grad)):
        assert_torch_value(
            got[keep], g_vec[keep], g_one[keep], x[keep], f"{name}{params} {what}", rtol, grad_atol, nan_at_nan=True
        )


# The package's gradient of logsumexp is softmax(x), the exact gradient, computed by shifting
# by the max. torch's backward computes exp(x - logsumexp(x)) instead, which differs where
# logsumexp rounds or overflows: for [1.8e308, 1.8e308, ...] torch gives [1, 1, ...] (the
# answer is [0.5, 0.5, ...]); for a row holding +inf torch gives 0 at the finite entries where
# softmax (torch's too) gives NaN. The test compares the gradient with torch.softmax.
LOGSUMEXP_GRADIENT = "softmax"
VECTOR_TORCH = ["softmax", "log_softmax", "logsumexp", "glu"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", VECTOR_TORCH)
def test_vector_edges_match_torch_silently(name, dtype):
    big = float(np.finfo(dtype).max)
    rows = [
        [big, -big, 0.0, 1.0],
        [big, big, -big, -big],
        [np.inf, 0.0, 1.0, 2.0],
        [-np.inf, 0.0, 1.0, 2.0],
        [-np.inf, -np.inf, -np.inf, -np.inf],
        [np.inf, np.inf, 0.0, 0.0],
        [np.nan, 0.0, 1.0, 2.0],
        [1e30, -1e30, 5.0, 5.0],
    ]
    x = np.array(rows, dtype=dtype)
    a = activations.get(name)
    (expected, expected_grad), _ = torch_values(name, {}, x)
    if name == "logsumexp":  # see LOGSUMEXP_GRADIENT
        expected_grad = torch.softmax(torch.tensor(x), dim=-1).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = a(x)
        v = a.vjp(x, np.ones_like(y))
    rtol, atol, grad_atol = edge_tolerance(name, {}, dtype)
    assert_torch_value(y, expected, expected, x, f"{name} forward", rtol, atol)
    assert_torch_value(v, expected_grad, expected_grad, x, f"{name} vjp", rtol, grad_atol)


@pytest.mark.parametrize("name", NAMES)
def test_no_runtime_warning_anywhere_on_a_wide_grid(name):
    """Every activation, its derivative and vjp, float32 and float64, from -inf to inf: no warning at all."""
    for dtype in (np.float64, np.float32):
        big = float(np.finfo(dtype).max)
        with np.errstate(over="ignore"):
            magnitudes = np.array([0.0, 1e-300, 1e-30, 1e-3, 0.5, 1, 3, 6, 20, 50, 88, 100, 700, 710, 1e3, 1e30, 1e300])
            x = np.concatenate([magnitudes, -magnitudes, [big, -big, np.inf, -np.inf, np.nan]]).astype(dtype)
        x = np.concatenate([x, np.zeros(-x.size % 4, dtype)])  # glu and maxout split the last axis
        for params in ({}, {"training": True, "seed": 0}) if activations.get(name).stochastic else ({},):
            a = activations.get(name, **params)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                y = a(x)
                a.vjp(x, np.ones_like(y))
                if a.elementwise:
                    a.derivative(x)
                y = a(autograd.Tensor(x.reshape(2, -1), requires_grad=True))
                y.backward(np.ones(y.shape, dtype))


# ---------------------------------------------------------------------------
# Size-0 axes, dtypes, parameter types
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 0), (0, 4), (0, 0)])
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "glu"])
def test_size_zero_axes_give_torchs_empty_results(name, dim, shape):
    if name == "glu" and shape[dim] % 2:
        pytest.skip("glu needs an even size along dim (torch and the package both refuse 3)")
    x = np.zeros(shape)
    params = {"dim": dim}
    a = activations.get(name, **params)
    t = torch.tensor(x, requires_grad=True)
    expected = reference.torch_function(name, **params)(t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = a(x)
        v = a.vjp(x, np.ones_like(y))
    assert y.shape == tuple(expected.shape), f"{name}(dim={dim}) on {shape}: {y.shape}, torch {tuple(expected.shape)}"
    assert np.array_equal(y, expected.detach().numpy()), f"{name}: {y}, torch {expected}"  # logsumexp: -inf
    assert v.shape == shape


def test_logsumexp_of_nothing_is_minus_infinity():
    assert activations.get("logsumexp")(np.zeros((3, 0))).tolist() == [-np.inf] * 3
    assert torch.logsumexp(torch.zeros(3, 0), dim=-1).tolist() == [-np.inf] * 3


@pytest.mark.parametrize("name", NAMES)
def test_float16_is_refused_with_a_type_error(name):
    """The package computes in float32 or float64; float16 is refused, never silently widened."""
    a = activations.get(name)
    x = np.zeros(4, dtype=np.float16)
    with pytest.raises(TypeError, match="dtype float16; the package computes in float32 or float64 only"):
        a(x)
    with pytest.raises(TypeError, match="float16"):
        a.vjp(np.zeros(4), np.ones(4 if a.elementwise else a(np.zeros(4)).shape, dtype=np.float16))
    with pytest.raises(TypeError, match="float16"):
        autograd.Tensor(x)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("rrelu", {"training": "yes"}),
        ("rrelu", {"training": 1}),
        ("noisy_relu", {"training": "no"}),
        ("logsumexp", {"keepdim": "no"}),
        ("logsumexp", {"keepdim": 0}),
    ],
)
def test_bool_parameters_given_anything_else_raise_type_error(name, params):
    key = next(iter(params))
    with pytest.raises(TypeError, match=f"{key} must be True or False, got {params[key]!r}"):
        activations.get(name, **params)


def test_bool_parameters_accept_numpy_bools():
    assert activations.get("logsumexp", keepdim=np.True_)(np.zeros((2, 3))).shape == (2, 1)


# ---------------------------------------------------------------------------
# NaN reaching training: the loss says so
# ---------------------------------------------------------------------------


def test_train_stops_and_says_where_when_the_loss_stops_being_finite():
    """NaN and inf flow through the activations (as in torch) into the loss, which train watches."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(32, 3)) * 100, rng.normal(size=(32, 1)) * 1e3
    model = nn.MLP([3, 16, 1], activation="sigmoid", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = nn.train(
            model, X, y, loss="mse", optimizer=nn.SGD(model.parameters(), lr=1e6), epochs=50, progress=False
        )
    assert history.diverged and len(history.loss) < 50
    assert history.divergence.startswith("the loss became ") and f"epoch {len(history.loss) + 1}" in history.divergence


def test_nan_in_the_training_data_is_refused_up_front():
    X = np.zeros((4, 2))
    X[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN \(first at index \(1, 0\)\)"):
        nn.train(nn.MLP([2, 3, 2]), X, np.zeros(4, dtype=int), epochs=1, progress=False)


# The sigmoid family computes 1/(1+e^{-x}) as torch does; where e^{-x} overflows (x < -88.7 in float32,
# -709.8 in float64) numpy's overflow flag marks the pass and those entries alone are redone as
# e^x/(1+e^x). Torch returns 0 there; the package keeps the exact tiny value. Checked on arrays that mix
# both kinds of entry, against the same formula in extended precision (np.longdouble), silently.
FAR_LEFT = {
    np.float32: [-1000.0, -103.0, -100.0, -89.0, -88.0, -10.0, -1.0, 0.0, 1.0, 30.0, 1e4, np.inf, -np.inf],
    np.float64: [-1e4, -745.0, -720.0, -710.0, -709.0, -100.0, -1.0, 0.0, 1.0, 40.0, 1e300, np.inf, -np.inf],
}


def _sigmoid_reference(z: np.ndarray) -> np.ndarray:
    z = z.astype(np.longdouble)
    with np.errstate(over="ignore"):
        return np.where(z < 0, np.exp(z) / (1 + np.exp(z)), 1 / (1 + np.exp(-z)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("sigmoid", {}, lambda x: _sigmoid_reference(x)),
        ("silu", {}, lambda x: x.astype(np.longdouble) * _sigmoid_reference(x)),
        ("swish", {"beta": 1.5}, lambda x: x.astype(np.longdouble) * _sigmoid_reference(1.5 * x.astype(np.longdouble))),
    ],
)
def test_the_sigmoid_family_is_exact_where_e_to_the_minus_x_overflows(name, params, expected, dtype):
    x = np.array(FAR_LEFT[dtype], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = activations.get(name, **params)(x)
    assert got.dtype == dtype
    # the reference's own inf/inf (in np.where's other branch) and −inf·0 (NaN, as torch gives), silently
    with np.errstate(invalid="ignore"):
        want = expected(x)
    finite = np.isfinite(want)
    assert np.array_equal(np.isnan(got), np.isnan(want)) and np.array_equal(
        got[~finite], want[~finite].astype(dtype), equal_nan=True
    )
    tiny = np.finfo(dtype).smallest_subnormal
    # within 4 ulps of the rounded exact value; where the value is subnormal, within 2 subnormal steps
    spacing = np.maximum(np.spacing(np.abs(want[finite]).astype(dtype)), tiny)
    error = np.abs(got[finite].astype(np.longdouble) - want[finite])
    assert np.all(error <= 4 * spacing), list(zip(x[finite], got[finite], want[finite].astype(dtype)))
    assert got[x == FAR_LEFT[dtype][3]][0] > 0 or name != "sigmoid"  # torch gives 0 here; the exact value is not


def test_glu_gates_with_the_same_exact_sigmoid():
    b = np.array([-1e4, -745.0, -720.0, -1.0, 0.0, 30.0])
    x = np.concatenate([np.full_like(b, 3.0), b])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = activations.get("glu")(x)
    np.testing.assert_array_equal(got, 3.0 * activations.get("sigmoid")(b))
    assert got[2] > 0  # 3 sigma(-720) = 6.1e-313, subnormal but not 0
