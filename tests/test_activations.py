"""Every activation against PyTorch in float64: values, vjp, derivative and engine gradient, on wide grids.

Parametrised over the registry: registering an activation with a torch counterpart
(``reference.torch_function``) puts it under these tests. Activations PyTorch lacks
are checked against their defining formulas (built from torch ops) and central
finite differences. Bad input must raise ValueError/TypeError that says what was expected.

At exact kinks the package follows PyTorch's derivative convention everywhere torch has the
function (test_derivative_at_kinks_follows_torch_convention). Deliberate differences:

- leaky_relu6 at x = 6: f' = 0, like relu6 and hardtanh at their corners; the composite
  torch.clamp(leaky_relu(x), max=6) would pass a gradient of 1 there.
- maxout ties: the first maximum of a group gets the whole gradient (torch.amax splits it).
- prelu with several slopes on a 1-d input uses axis 0 as the channel axis (torch refuses).
- gelu for x << 0: the package's erfc form is exact where torch's 1 + erf(x/sqrt 2) cancels
  (a difference of at most a few eps absolute; see LOOSER).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import RTOL, assert_close, helper_test_op, torch_forward_backward

from nonlinear import activations, autograd, reference

NAMES = activations.names()
TORCH_NAMES = [n for n in NAMES if reference.torch_function(n) is not None]
ELEMENTWISE = [n for n in NAMES if activations.get(n).elementwise]
VECTOR = [n for n in NAMES if not activations.get(n).elementwise]

# Parameters other than the defaults, each with a torch counterpart.
NON_DEFAULT = [
    ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {"alpha": 0.5}),
    ("elu", {"alpha": 2.0}),
    ("celu", {"alpha": 0.5}),
    ("softplus", {"beta": 2.0, "threshold": 5.0}),
    ("hardtanh", {"min_val": -2.0, "max_val": 3.0}),
    ("gelu", {"approximate": "tanh"}),
    ("rrelu", {"lower": 0.1, "upper": 0.3}),
    ("prelu", {"weight": -0.5}),
    ("swish", {"beta": 1.0}),
]

# Where a comparison with torch needs more than rtol=1e-12, and why. Each entry:
# (forward atol, gradient atol); rtol stays 1e-12.
LOOSER = {
    # f'(x) = 1 - tanh(x)^2 cancels for |x| > 5 in both libraries; a 1-ulp difference in
    # tanh (numpy's libm vs torch's SLEEF) becomes an absolute difference of ~2 eps there.
    "tanh": (0.0, 2e-15),
    # torch differentiates x/(1+|x|) as a composite (1/(1+|x|) - |x|/(1+|x|)^2), which cancels
    # for large |x|; the package's 1/(1+|x|)^2 is exact. Absolute difference <= 2 eps.
    "softsign": (0.0, 1e-15),
    # torch computes 0.5*x*(1 + erf(x/sqrt 2)), which cancels for x << 0 (error ~|x| eps);
    # the package uses erfc and is exact there (checked against mpmath below).
    "gelu": (3e-15, 3e-15),
    # silu/swish/mish: the derivative has a root near x = -1.28 / -1.19; relative error at a
    # root is meaningless, so allow a few eps absolute.
    "silu": (0.0, 2e-15),
    "swish": (0.0, 2e-15),
    "mish": (4e-15, 1e-14),
    # softmax's vjp s * (g - sum(g s)) cancels when one probability is ~1: its error is
    # eps * |g| absolute (torch evaluates the same formula, summing in another order).
    "softmax": (0.0, 2e-15),
    # log_softmax = (x - max) - log(sum): when the sum is ~1 its rounding (eps, summed in a
    # different order than torch) is an absolute error of ~eps on a small log-probability.
    "log_softmax": (5e-16, 0.0),
}
# gelu(approximate='tanh'): both sides compute 0.5*x*(1 + tanh(u)), which cancels for
# x << 0; a 1-ulp difference in tanh(u) is amplified by |x| (forward) and by
# |x| * (1 + 3c x^2) * k ~ 40 (gradient) around x = -7.
LOOSER_PARAMS = {("gelu", "tanh"): (4e-15, 4e-14)}


def tolerance(name: str, params: dict) -> dict:
    fwd, grad = LOOSER_PARAMS.get((name, params.get("approximate")), LOOSER.get(name, (0.0, 0.0)))
    return {"rtol": RTOL, "atol": fwd, "grad_rtol": RTOL, "grad_atol": grad}


EXTREMES = [
    -1e3,
    1e3,
    -700.0,
    700.0,
    -50.0,
    50.0,
    -1e-300,
    1e-300,
    -1e-9,
    1e-9,
    0.0,
    -0.0,
    -20.0,
    20.0,
    -30.0,
    30.0,
    -100.0,
    100.0,
    -5e-324,
    5e-324,
]


def near(points) -> list[float]:
    """Each point, its two float64 neighbours, and points 1e-9 away."""
    out = []
    for p in points:
        out += [p, np.nextafter(p, -np.inf), np.nextafter(p, np.inf), p - 1e-9, p + 1e-9]
    return out


def elementwise_grid(a: activations.Activation) -> np.ndarray:
    """Extremes, a fine grid over [-12, 12], and the neighbourhood of every kink (exact kinks included)."""
    fine = np.linspace(-12, 12, 961) + 0.0123
    return np.array(EXTREMES + list(fine) + near(list(a.kinks) + [0.0]), dtype=np.float64)


def vector_grid(rows: int = 24, cols: int = 8, seed: int = 0) -> np.ndarray:
    """Logit rows at several scales (up to 1e3), with ties and a row of equal values."""
    rng = np.random.default_rng(seed)
    scales = np.repeat([1e-9, 1.0, 10.0, 50.0, 700.0, 1e3], rows // 6)[:, None]
    x = rng.normal(size=(rows, cols)) * scales
    x[0] = 0.0
    x[1] = 1e3
    x[2, :2] = -1e3
    x[3] = np.resize([1e3, 999.0, -1e3, 0.0, 1e-300, -1e-300, 5.0, 5.0], cols)
    return x


def ids(cases):
    return [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}" for n, p in cases]


DEFAULT_CASES = [(n, {}) for n in TORCH_NAMES if activations.get(n).elementwise]
ELEMENTWISE_CASES = DEFAULT_CASES + NON_DEFAULT


@pytest.mark.parametrize(("name", "params"), ELEMENTWISE_CASES, ids=ids(ELEMENTWISE_CASES))
def test_elementwise_matches_torch_on_wide_grid(name, params):
    a = activations.get(name, **params)
    helper_test_op(name, elementwise_grid(a), params, **tolerance(name, params))


@pytest.mark.parametrize(("name", "params"), ELEMENTWISE_CASES, ids=ids(ELEMENTWISE_CASES))
def test_derivative_at_kinks_follows_torch_convention(name, params):
    """At an exact kink f' is a convention: the package was written to pick PyTorch's."""
    a = activations.get(name, **params)
    kinks = np.array(list(a.kinks) + [0.0])
    _, expected, _ = torch_forward_backward(reference.torch_function(name, **params), kinks, np.ones_like(kinks))
    actual = a.derivative(kinks)
    assert np.array_equal(actual, expected), f"{name}{params} at kinks {kinks}: f' = {actual}, torch gives {expected}"


VECTOR_CASES = [(n, {"dim": d}) for n in ("softmax", "log_softmax", "logsumexp", "glu") for d in (0, -1, 1)]
VECTOR_CASES += [("logsumexp", {"dim": 0, "keepdim": True}), ("logsumexp", {"dim": -1, "keepdim": True})]


def test_every_vector_activation_with_torch_counterpart_is_covered():
    assert {n for n, _ in VECTOR_CASES} == {n for n in VECTOR if n in TORCH_NAMES}


@pytest.mark.parametrize(("name", "params"), VECTOR_CASES, ids=ids(VECTOR_CASES))
def test_vector_activation_matches_torch(name, params):
    helper_test_op(name, vector_grid(), params, **tolerance(name, params))
    helper_test_op(name, vector_grid(cols=2, seed=1), params, **tolerance(name, params))  # glu's smallest even size


def test_prelu_per_channel_weights_match_torch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 4)) * 10
    x[0] = 0.0
    weight = np.array([0.25, -0.1, 0.0, 1.5])
    helper_test_op("prelu", x, {"weight": weight})

    # the gradient with respect to the slopes, used by nn.PReLU
    g = rng.normal(size=x.shape)
    wt = torch.tensor(weight, requires_grad=True)
    F.prelu(torch.tensor(x), wt).backward(torch.tensor(g))
    assert_close(activations.prelu_weight_grad(x, g, weight), wt.grad.numpy(), x, what="prelu weight gradient")


def test_prelu_per_channel_weights_on_1d_input_use_axis_0():
    """Deliberate extension: torch.prelu rejects several slopes for a 1-d input; the package uses axis 0."""
    x = np.array([-2.0, -1.0, 3.0, 0.0])
    weight = np.array([0.5, 0.1, 0.2, 0.7])
    w = torch.tensor(weight)
    helper_test_op("prelu", x, {"weight": weight}, torch_fn=lambda t: torch.where(t > 0, t, w * t))


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out_close_to_float64(name):
    a = activations.get(name)
    x64 = vector_grid(cols=4) / 10 if not a.elementwise else np.linspace(-12, 12, 97).reshape(-1, 1) + 0.0123
    x32 = x64.astype(np.float32)
    y32, y64 = a(x32), a(x32.astype(np.float64))
    assert y32.dtype == np.float32, f"{name}: float32 input gave {y32.dtype}"
    # float32 has 24 bits: values agree to a few float32 ulps of the output's scale
    assert_close(y32, y64, x32, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(y64).max()), what=f"{name} float32")
    g = np.ones_like(y32)
    v32 = a.vjp(x32, g)
    assert v32.dtype == np.float32, f"{name}: vjp of float32 input gave {v32.dtype}"
    assert_close(
        v32, a.vjp(x32.astype(np.float64), g.astype(np.float64)), x32, rtol=1e-5, atol=1e-6, what=f"{name} float32 vjp"
    )
    if a.elementwise:
        assert a.derivative(x32).dtype == np.float32


@pytest.mark.parametrize("name", [n for n in NAMES if activations.get(n).stochastic])
def test_float32_in_float32_out_in_training_mode(name):
    a = activations.get(name, training=True, seed=0)
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    assert a(x).dtype == np.float32
    assert a.derivative(x).dtype == np.float32 and a.vjp(x, np.ones_like(x)).dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_shape_preserved_for_every_shape(name):
    a = activations.get(name)
    for shape in [(4,), (3, 4), (2, 3, 4)]:
        x = np.linspace(-3, 3, int(np.prod(shape))).reshape(shape)
        y = a(x)
        if a.elementwise or name in ("softmax", "log_softmax"):
            assert y.shape == shape
        elif name == "logsumexp":
            assert y.shape == shape[:-1]
        else:  # glu halves the last axis, maxout divides it by k=2
            assert y.shape == shape[:-1] + (2,)
        assert a.vjp(x, np.ones_like(y)).shape == shape


# ---------------------------------------------------------------------------
# No overflow, NaN or RuntimeWarning for finite inputs
# ---------------------------------------------------------------------------

HUGE = np.array([-1e300, 1e300, -1e3, 1e3, -700.0, 700.0, -1e-300, 1e-300, 0.0, -0.0, 1.7e308, -1.7e308])


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_silent_and_finite_up_to_largest_float(name):
    a = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, d, v = a(HUGE), a.derivative(HUGE), a.vjp(HUGE, np.ones_like(HUGE))
    for what, values in (("f", y), ("f'", d), ("vjp", v)):
        bad = ~np.isfinite(values)
        assert not bad.any(), f"{name}: {what} is {values[bad][0]} at x = {HUGE[bad][0]!r}"


@pytest.mark.parametrize("name", VECTOR)
def test_vector_activations_silent_on_huge_logits(name):
    """Logits up to ±1e300 (their differences stay representable)."""
    x = np.array([[-1e300, 1e300, -1e3, 1e3], [1e3, 1e3 - 1, 1e3 - 2, -1e3], [700.0, -700.0, 1e-300, 0.0]])
    a = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = a(x)
        v = a.vjp(x, np.ones_like(y))
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(v)), f"{name}: {y}, vjp {v}"


def test_famous_overflow_cases_have_exact_answers():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert activations.get("sigmoid")(np.array(-1000.0)) == 0.0
        assert activations.get("sigmoid")(np.array(-700.0)) == pytest.approx(np.exp(-700.0), rel=1e-14)
        assert activations.get("softplus", threshold=1e300)(np.array(1000.0)) == 1000.0
        assert activations.get("logsigmoid")(np.array(-1000.0)) == -1000.0
        s = activations.get("softmax")(np.array([1000.0, 999.0, -1000.0]))
        assert_close(s, [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1)), 0.0], None, rtol=1e-15)
        lse = activations.get("logsumexp")(np.array([1000.0, 1000.0]))
        assert lse == pytest.approx(1000.0 + np.log(2.0), rel=1e-16)
        for name in ("gelu", "mish", "silu"):
            a = activations.get(name)
            assert a(np.array(1e300)) == 1e300, name
            assert a(np.array(-1e300)) == 0.0, name


def test_gelu_left_tail_is_exact_against_mpmath():
    """Where torch's 1 + erf(x/sqrt 2) cancels, the package's erfc form is exact to a few ulps."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    xs = np.array([-40.0, -30.0, -20.0, -12.5, -8.0, -5.0, -1.0, 0.5, 3.0])
    exact = np.array([float(x * mpmath.ncdf(x)) for x in xs])
    # rtol 5e-13: rounding x/sqrt(2) (relative error eps) is amplified by erfc's condition
    # number 2 z^2 (z = x/sqrt 2), which is 1600 at x = -40; that is the best float64 can do.
    assert_close(activations.get("gelu")(xs), exact, xs, rtol=5e-13, what="gelu vs mpmath")
    exact_d = np.array([float(mpmath.ncdf(x) + x * mpmath.npdf(x)) for x in xs])
    assert_close(activations.get("gelu").derivative(xs), exact_d, xs, rtol=5e-13, what="gelu' vs mpmath")


# ---------------------------------------------------------------------------
# Activations PyTorch lacks: defining formulas built from torch ops, and finite differences
# ---------------------------------------------------------------------------


def central_difference(f, x: np.ndarray, g: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d/dx_i of sum(g * f(x)) by central differences, one coordinate at a time."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = np.sum(g * (f(x + e) - f(x - e))) / (2 * h)
    return grad


def check_against_formula(name, params, torch_formula, x, seed=0, rtol=1e-12, atol=0.0, grad_atol=0.0):
    """The activation equals its formula built from torch ops (values and torch.autograd gradients)."""
    helper_test_op(name, x, params, torch_fn=torch_formula, rtol=rtol, atol=atol, grad_atol=grad_atol, seed=seed)


@pytest.mark.parametrize("beta", [0.5, 2.0, 10.0, -1.0])
def test_swish_is_x_times_sigmoid_of_beta_x(beta):
    a = activations.get("swish", beta=beta)
    x = elementwise_grid(a)
    # gradient atol: the derivative has a root (see LOOSER["swish"]); scaled with |beta|
    check_against_formula(
        "swish", {"beta": beta}, lambda t: t * torch.sigmoid(beta * t), x, grad_atol=2e-15 * max(1.0, abs(beta))
    )


@pytest.mark.parametrize("slope", [0.2, 0.0, -0.5, -6.25])
def test_leaky_relu6_is_min_of_leaky_relu_and_6(slope):
    """A negative slope reaches the cap on the left too (from x = 6 / slope on), where f' is 0."""
    a = activations.get("leaky_relu6", negative_slope=slope)
    x = elementwise_grid(a)
    formula = lambda t: torch.clamp(F.leaky_relu(t, slope), max=6.0)  # noqa: E731
    away = x[(x != 6.0) & (slope * x != 6.0)]
    check_against_formula("leaky_relu6", {"negative_slope": slope}, formula, away)
    # Deliberate difference at x = 6: torch.clamp passes the gradient at the cap (1); the package
    # follows relu6/hardtanh, which give 0 at the corner, so leaky_relu6 and relu6 agree there.
    assert a.derivative(np.array([6.0])) == activations.get("relu6").derivative(np.array([6.0])) == 0.0
    assert a.derivative(np.array([0.0])) == slope  # like leaky_relu at 0
    if slope < 0:
        assert a.derivative(np.array([6 / slope, 6 / slope + 1e-9])).tolist() == [0.0, slope]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_maxout_is_max_over_groups(k):
    rng = np.random.default_rng(k)
    x = rng.normal(size=(5, 4 * k)) * 10  # continuous draws: no ties
    a = activations.get("maxout", k=k)
    check_against_formula("maxout", {"k": k}, lambda t: t.reshape(5, 4, k).max(dim=-1).values, x)
    g = rng.normal(size=(5, 4))
    assert_close(a.vjp(x, g), central_difference(a, x, g), x, rtol=1e-8, atol=1e-8, what="maxout vjp vs differences")


def test_maxout_ties_send_the_whole_gradient_to_the_first_maximum():
    """Deliberate convention (torch.amax would split the gradient evenly among ties)."""
    a = activations.get("maxout", k=2)
    assert a.vjp(np.array([[3.0, 3.0]]), np.array([[1.0]])).tolist() == [[1.0, 0.0]]


def test_logsumexp_keepdim_against_torch_and_finite_differences():
    x = vector_grid()[4:10] / 100
    for dim in (0, -1):
        a = activations.get("logsumexp", dim=dim, keepdim=True)
        y = a(x)
        assert y.shape == tuple(1 if i == dim % 2 else n for i, n in enumerate(x.shape))
        check_against_formula(
            "logsumexp", {"dim": dim, "keepdim": True}, lambda t, d=dim: torch.logsumexp(t, dim=d, keepdim=True), x
        )
        g = np.random.default_rng(0).normal(size=y.shape)
        assert_close(
            a.vjp(x, g), central_difference(a, x, g), x, rtol=1e-7, atol=1e-8, what="logsumexp vjp vs differences"
        )


@pytest.mark.parametrize("name", ["rrelu", "noisy_relu"])
def test_stochastic_training_mode_is_deterministic_for_a_seed(name):
    x = np.linspace(-3, 3, 50)
    first = activations.get(name, training=True, seed=7)(x)
    again = activations.get(name, training=True, seed=7)(x)
    other = activations.get(name, training=True, seed=8)(x)
    assert np.array_equal(first, again), f"{name}: the same seed gave different outputs"
    assert not np.array_equal(first, other), f"{name}: different seeds gave the same output"


def test_noisy_relu_training_is_relu_of_x_plus_stored_noise():
    a = activations.get("noisy_relu", sigma=0.5, training=True, seed=3)
    x = np.linspace(-2, 2, 41)
    y = a(x)
    noise = a._state["noise"]
    assert noise.shape == x.shape and 0.2 < noise.std() < 0.8
    assert_close(y, np.maximum(x + noise, 0), x, rtol=0, what="noisy_relu = relu(x + noise)")
    g = np.random.default_rng(0).normal(size=x.shape)
    assert_close(a.vjp(x, g), g * (x + noise > 0), x, rtol=0, what="noisy_relu vjp")
    fd = central_difference(lambda z: np.maximum(z + noise, 0), x, g)
    assert_close(a.vjp(x, g), fd, x, rtol=1e-7, atol=1e-7, what="noisy_relu vjp vs differences")
    # evaluation mode: no noise, plain relu
    assert_close(activations.get("noisy_relu")(x), np.maximum(x, 0), x, rtol=0)


def test_rrelu_training_slopes_lie_in_range_and_vjp_uses_the_same_slopes():
    lower, upper = 0.1, 0.4
    a = activations.get("rrelu", lower=lower, upper=upper, training=True, seed=1)
    x = np.linspace(-5, 5, 101) + 0.01
    y = a(x)
    neg = x < 0
    slopes = y[neg] / x[neg]
    assert np.all((slopes >= lower) & (slopes <= upper)), f"slopes outside [{lower}, {upper}]: {slopes}"
    assert slopes.std() > 0.01, "training-mode slopes should vary from element to element"
    assert np.array_equal(y[~neg], x[~neg])
    g = np.random.default_rng(0).normal(size=x.shape)
    expected = np.where(neg, g * (y / np.where(neg, x, 1)), g)
    assert_close(a.vjp(x, g), expected, x, rtol=1e-15, what="rrelu vjp with the forward's slopes")
    # the engine replays the slopes of the forward call, too
    t = autograd.Tensor(x, requires_grad=True)
    out = a(t)
    out.backward(g)
    slopes_engine = np.where(neg, out.data / np.where(neg, x, 1), 1.0)
    assert_close(t.grad, g * slopes_engine, x, rtol=1e-15, what="rrelu engine gradient")


def test_rrelu_eval_uses_the_mean_slope():
    a = activations.get("rrelu", lower=0.1, upper=0.3)
    assert a(np.array([-10.0])) == pytest.approx(-2.0, rel=1e-15)


def test_stochastic_derivative_before_forward_call_explains_itself():
    a = activations.get("rrelu", training=True, seed=0)
    with pytest.raises(ValueError, match="call the activation on x"):
        a.derivative(np.array([-1.0, 1.0]))


# ---------------------------------------------------------------------------
# Bad input: a ValueError/TypeError that says what was expected
# ---------------------------------------------------------------------------


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'reluu'.*known activations are:.*relu"):
        activations.get("reluu")


def test_unknown_parameter_lists_the_allowed_ones():
    with pytest.raises(ValueError, match=r"elu has no parameter slope; its parameters are: alpha=1\.0"):
        activations.get("elu", slope=1.0)
    with pytest.raises(ValueError, match="its parameters are: none"):
        activations.get("relu", alpha=1.0)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("softplus", {"beta": -1.0}, "beta must be > 0"),
        ("softplus", {"beta": 0.0}, "beta must be > 0"),
        ("hardtanh", {"min_val": 1.0, "max_val": 1.0}, "min_val must be < max_val"),
        ("hardtanh", {"min_val": 2.0, "max_val": -2.0}, "min_val must be < max_val"),
        ("gelu", {"approximate": "fast"}, "approximate must be 'none' or 'tanh', got 'fast'"),
        ("maxout", {"k": 0}, "k must be a positive integer, got 0"),
        ("maxout", {"k": 1.5}, "k must be a positive integer"),
        ("elu", {"alpha": float("nan")}, "alpha must be finite"),
        ("leaky_relu", {"negative_slope": "0.1"}, "negative_slope must be a real number"),
        ("leaky_relu", {"negative_slope": True}, "negative_slope must be a real number"),
        ("celu", {"alpha": 0.0}, "alpha must be non-zero"),
        ("rrelu", {"lower": 0.5, "upper": 0.1}, "0 <= lower <= upper < 1"),
        ("noisy_relu", {"sigma": -1.0}, "sigma must be >= 0"),
        ("softmax", {"dim": 1.0}, "dim must be an integer"),
        ("prelu", {"weight": np.zeros((2, 2))}, "prelu weight must be a number or a 1-d array"),
    ],
)
def test_bad_parameter_value_says_what_is_expected(name, params, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        activations.get(name, **params)


def test_vjp_with_mismatched_grad_out_shape():
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(3,\), got \(4,\)"):
        activations.get("relu").vjp(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(2,\), got \(2, 3\)"):
        activations.get("logsumexp").vjp(np.zeros((2, 3)), np.zeros((2, 3)))


def test_glu_with_odd_size_and_maxout_with_indivisible_size():
    with pytest.raises(ValueError, match="its size must be even, got 3"):
        activations.get("glu")(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="size 5 is not a multiple of k"):
        activations.get("maxout", k=2)(np.zeros((2, 5)))


def test_vector_activation_dim_out_of_range_and_0d_input():
    with pytest.raises(ValueError, match="dim=2 is out of range for an array with 2 dimension"):
        activations.get("softmax", dim=2)(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="expected at least 1-d"):
        activations.get("softmax")(np.array(1.0))


def test_prelu_weight_count_must_match_channels():
    with pytest.raises(ValueError, match=r"3 slopes but the input has shape \(2, 4\)"):
        activations.get("prelu", weight=np.array([0.1, 0.2, 0.3]))(np.zeros((2, 4)))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.array(["a", "b"]), "must hold real numbers"),
        (np.array([True, False]), "booleans are not numbers here"),
        (np.array([1.0, None], dtype=object), "must hold real numbers"),
        (np.array([1 + 2j]), "must hold real numbers"),
        ("1.0", "must hold real numbers"),
    ],
)
@pytest.mark.parametrize("name", ["relu", "softmax"])
def test_non_numeric_input_raises_type_error(name, bad, message):
    with pytest.raises(TypeError, match=message):
        activations.get(name)(bad)


def test_nan_input_gives_nan_output_like_torch():
    """NaN propagates silently, as in torch (tests/test_edges_activations.py checks every activation)."""
    x = np.array([[0.0, 1.0], [np.nan, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = activations.get("sigmoid")(x)
        v = activations.get("sigmoid").vjp(np.zeros(2), np.array([0.0, np.nan]))
    assert np.isnan(y[1, 0]) and np.isfinite(np.delete(y.ravel(), 2)).all()
    assert np.isnan(v[1]) and v[0] == 0.0


def test_float16_input_is_refused_not_converted():
    with pytest.raises(TypeError, match=r"x has dtype float16; .*float32 or float64 only"):
        activations.get("relu")(np.ones(2, dtype=np.float16))


def test_derivative_of_a_vector_activation_points_to_vjp():
    with pytest.raises(TypeError, match=r"use \.vjp\(x, grad_out\)"):
        activations.get("softmax").derivative(np.zeros(3))


def test_integer_and_python_inputs_become_float64():
    assert activations.get("relu")([1, -2]).dtype == np.float64
    assert activations.get("relu")(np.array([1, -2], dtype=np.int32)).dtype == np.float64
    assert activations.get("sigmoid")(0.0) == 0.5
