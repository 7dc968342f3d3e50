"""What the metadata claims about each activation, checked by property tests in float64.

For every elementwise activation, at its default parameters and at the settings in
``PARAMETRISED`` (facts are stated for the parameters given): the output lies in
``output_range``; it is non-decreasing where ``monotonic`` (and a counterexample
exists where not); ``zero_centred`` matches E f(Z) for Z ~ N(0, 1); ``smooth``
matches the jumps of f' at ``kinks``; ``saturation`` matches f' far out; f'
agrees with central differences. Plus the identities chapters rely on.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import EXAMPLES, arrays, floats, moderate_floats, pairs

from nonlinear import activations

ELEMENTWISE = [n for n in activations.names() if activations.get(n).elementwise]
VECTOR = [n for n in activations.names() if not activations.get(n).elementwise]

# Settings whose facts differ from the defaults': negative, zero and unit slopes (a slope of 1 is the
# identity), hardtanh's corners moved, swish's beta below, at and above 0, and the rest of the
# parameters the registry takes.
PARAMETRISED = [
    ("leaky_relu", {"negative_slope": -0.5}),
    ("leaky_relu", {"negative_slope": -6.25}),
    ("leaky_relu", {"negative_slope": 0.0}),
    ("leaky_relu", {"negative_slope": 0.3}),
    ("leaky_relu", {"negative_slope": 1.0}),
    ("leaky_relu6", {"negative_slope": -0.5}),
    ("leaky_relu6", {"negative_slope": 0.0}),
    ("leaky_relu6", {"negative_slope": 0.3}),
    ("prelu", {"weight": -0.5}),
    ("prelu", {"weight": 0.0}),
    ("prelu", {"weight": 1.0}),
    ("prelu", {"weight": 2.0}),
    ("hardtanh", {"min_val": -3.0, "max_val": -0.5}),
    ("hardtanh", {"min_val": 0.0, "max_val": 6.0}),
    ("hardtanh", {"min_val": -2.0, "max_val": 2.0}),
    ("swish", {"beta": 2.0}),
    ("swish", {"beta": 0.5}),
    ("swish", {"beta": 0.0}),
    ("swish", {"beta": -1.0}),
    ("elu", {"alpha": -1.0}),
    ("elu", {"alpha": 0.3}),
    ("celu", {"alpha": -1.0}),
    ("celu", {"alpha": 0.17}),
    ("celu", {"alpha": 2.0}),
    ("softplus", {"beta": 2.0}),
    ("rrelu", {"lower": 0.0, "upper": 0.9}),
    ("rrelu", {"lower": 0.0, "upper": 0.0}),
    ("elu", {"alpha": 0.0}),
    ("gelu", {"approximate": "tanh"}),
]
CASES = [(n, {}) for n in ELEMENTWISE] + PARAMETRISED


def cases(where=lambda a: True):
    """``CASES`` whose activation satisfies ``where``, as pytest parameters named like name-key=value."""
    return [
        pytest.param(name, params, id=name + "".join(f"-{k}={v}" for k, v in params.items()))
        for name, params in CASES
        if where(activations.get(name, **params))
    ]


def monotonic_slack(a) -> float:
    """The one deliberate exception to "non-decreasing": softplus with PyTorch's threshold switches to the
    identity for beta x > threshold, where it drops by log1p(e^-threshold) / beta (~2.1e-9 at the defaults;
    torch does the same)."""
    if a.name != "softplus":
        return 0.0
    return math.log1p(math.exp(-a.params["threshold"])) / a.params["beta"]


def silent(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args)


def vector(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


@pytest.mark.parametrize(("name", "params"), cases())
@settings(max_examples=EXAMPLES)
@given(x=arrays(shape=(16,), min_value=-1e300, max_value=1e300))
def test_output_within_stated_range(name, params, x):
    a = activations.get(name, **params)
    low, high = a.output_range
    y = silent(a, x)
    bad = ~((y >= low) & (y <= high))
    assert not bad.any(), f"{name}({x[bad][0]!r}) = {y[bad][0]!r} lies outside the stated range [{low}, {high}]"


def test_stated_range_is_attained_where_finite():
    """A finite bound is a real infimum/supremum: the function comes within 1e-3 of it."""
    x = np.concatenate([np.linspace(-50, 50, 200001), [-1e3, 1e3]])
    for name, params in CASES:
        a = activations.get(name, **params)
        y = a(x)
        low, high = a.output_range
        assert y.min() >= low and y.max() <= high, f"{name}({params}): outside its stated range on the grid"
        if math.isfinite(low):
            assert abs(y.min() - low) < 1e-3, (
                f"{name}({params}): min over a grid {y.min()} but stated lower bound {low}"
            )
        if math.isfinite(high):
            assert abs(y.max() - high) < 1e-3, (
                f"{name}({params}): max over a grid {y.max()} but stated upper bound {high}"
            )


@pytest.mark.parametrize(("name", "params"), cases(lambda a: a.monotonic))
@settings(max_examples=EXAMPLES)
@given(ab=pairs(-1e300, 1e300))
def test_monotonic_activation_is_non_decreasing(name, params, ab):
    a = activations.get(name, **params)
    lo, hi = ab
    f_lo, f_hi = silent(a, vector([lo, hi]))
    assert f_lo <= f_hi + monotonic_slack(a), f"{name}: f({lo!r}) = {f_lo!r} > f({hi!r}) = {f_hi!r}"


@pytest.mark.parametrize(("name", "params"), cases(lambda a: a.monotonic))
def test_monotonic_activation_is_non_decreasing_on_a_fine_grid(name, params):
    a = activations.get(name, **params)
    x = np.sort(np.concatenate([np.linspace(-60, 60, 240001), list(a.kinks)]))
    drops = np.diff(a(x)) < -monotonic_slack(a)
    assert not drops.any(), f"{name} decreases after x = {x[:-1][drops][0]!r}"
    assert np.all(a.derivative(x) >= 0), f"{name}: f' < 0 somewhere although monotonic"


def test_softplus_threshold_drop_is_pytorchs_convention():
    torch = pytest.importorskip("torch")
    x = vector([20.0, np.nextafter(20.0, 21.0)])
    y = activations.get("softplus")(x)
    assert y[1] < y[0] and y[0] - y[1] <= monotonic_slack(activations.get("softplus"))
    assert np.array_equal(y, torch.nn.functional.softplus(torch.tensor(x)).numpy())


@pytest.mark.parametrize(("name", "params"), cases(lambda a: a.monotonic is False))
def test_non_monotonic_activation_has_a_counterexample(name, params):
    a = activations.get(name, **params)
    x = np.linspace(-10, 10, 20001)
    assert (np.diff(a(x)) < 0).any(), f"{name} is marked non-monotonic but never decreases on [-10, 10]"


def test_every_elementwise_activation_states_monotonic_as_a_bool():
    for name, params in CASES:
        assert activations.get(name, **params).monotonic in (True, False), (name, params)
    for name in VECTOR:  # a vector-to-vector or vector-to-number map is not called monotonic
        assert activations.get(name).monotonic is None, name


def gaussian_mean(a) -> float:
    """E f(Z) for Z ~ N(0, 1), by the trapezoid rule on [-12, 12] (the tails beyond add < 1e-30)."""
    z = np.linspace(-12, 12, 240001)
    density = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return float(np.trapezoid(a(z) * density, z))


@pytest.mark.parametrize(("name", "params"), cases())
def test_zero_centred_matches_gaussian_mean(name, params):
    """The fact is exact (E f(Z) = 0); the test reads it within 0.01 both ways, so the settings above stay
    away from that boundary (hardtanh(-1, 1.001) is not zero-centred, yet its mean is below 0.01)."""
    a = activations.get(name, **params)
    mean = gaussian_mean(a)
    if a.zero_centred:
        assert abs(mean) < 0.01, f"{name} is marked zero-centred but E f(Z) = {mean:.4f}"
    else:
        assert abs(mean) > 0.01, f"{name} is marked not zero-centred but E f(Z) = {mean:.4f}"


def derivative_jump(a, point: float, delta: float = 1e-7) -> float:
    left, right = a.derivative(vector([point - delta, point + delta]))
    return float(abs(right - left))


@pytest.mark.parametrize(("name", "params"), cases())
def test_smooth_matches_kinks(name, params):
    a = activations.get(name, **params)
    if a.smooth:
        assert tuple(a.kinks) == (), f"{name} is smooth but lists kinks {a.kinks}"
        # f' continuous: on a grid of step 1e-4 it never jumps by more than a Lipschitz bound allows,
        # relative to |f'| where that is above 1 (celu with alpha < 0 has f' = e^{x/alpha}, e^20 at x = -20)
        x = np.linspace(-20, 20, 400001)
        d = a.derivative(x)
        steps = np.abs(np.diff(d)) / np.maximum(1.0, np.maximum(np.abs(d[1:]), np.abs(d[:-1])))
        worst = int(np.argmax(steps))
        assert steps[worst] < 1e-3, (
            f"{name}: f' jumps by {steps[worst]:.3g} (relative) between x = {x[worst]:.6g} and the next point"
        )
        assert derivative_jump(a, 0.0) < 1e-6, f"{name}: f' jumps at 0"
    else:
        assert len(a.kinks) > 0, f"{name} is not smooth but lists no kinks"
        for k in a.kinks:
            jump = derivative_jump(a, k)
            assert jump > 1e-3, f"{name}: listed kink at {k} but f' only changes by {jump:.3g} there"


def test_elu_is_smooth_exactly_when_alpha_is_one():
    assert activations.get("elu").smooth and not activations.get("elu", alpha=0.5).smooth
    assert derivative_jump(activations.get("elu"), 0.0) < 1e-6
    assert derivative_jump(activations.get("elu", alpha=0.5), 0.0) > 0.4
    assert activations.get("elu", alpha=0.5).kinks == (0.0,)
    assert activations.get("hardtanh", min_val=-2.0, max_val=3.0).kinks == (-2.0, 3.0)
    # min(x, 6): no kink at 0 (not in PARAMETRISED: its mean, -1e-10, sits on the zero-centred test's boundary)
    assert activations.get("leaky_relu6", negative_slope=1.0).kinks == (6.0,)
    assert derivative_jump(activations.get("leaky_relu6", negative_slope=1.0), 0.0) == 0.0


FAR = vector([60.0, 100.0, 1e3, 1e6, 1e100])


@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("side", [0, 1], ids=["left", "right"])
def test_saturation_matches_derivative_far_out(name, params, side):
    a = activations.get(name, **params)
    kind = a.saturation[side]
    sign = -1.0 if side == 0 else 1.0
    far = a.derivative(sign * FAR)
    # at 4, not further out: GELU's tanh form rounds 1 + tanh(...) to exactly 0 in float64 beyond about -5.5
    moderate = a.derivative(vector([sign * 4.0]))[0]
    label = f"{name} on the {'left' if side == 0 else 'right'} (saturation {kind!r})"
    if kind == "hard":
        assert np.all(far == 0.0), f"{label}: f' = {far} beyond |x| = 60, expected exactly 0"
    elif kind == "soft":
        assert abs(a.derivative(vector([sign * 1e6]))[0]) < 1e-6, f"{label}: f'({sign * 1e6:g}) does not go to 0"
        assert moderate != 0.0, f"{label}: f'({sign * 4:g}) is exactly 0, so the saturation is hard"
    else:
        assert kind is None, f"{label}: saturation must be None, 'soft' or 'hard'"
        assert np.all(np.abs(far) > 1e-3), f"{label}: f' = {far} goes to 0, so it saturates"


@pytest.mark.parametrize(("name", "params"), cases())
@settings(max_examples=EXAMPLES)
@given(x=moderate_floats(30.0))
def test_derivative_matches_central_differences_away_from_kinks(name, params, x):
    a = activations.get(name, **params)
    h = 1e-6 * max(1.0, abs(x))
    if any(abs(x - k) < 2 * h for k in a.kinks):
        return  # f' is a convention at a kink; its neighbourhood is covered by test_smooth_matches_kinks
    if name == "softplus" and abs(x - a.params["threshold"] / a.params["beta"]) < 2 * h:
        return  # the threshold switch (see test_softplus_threshold_drop_is_pytorchs_convention)
    f_plus, f_minus = a(vector([x + h, x - h]))
    numeric = (f_plus - f_minus) / (2 * h)
    analytic = a.derivative(vector([x]))[0]
    # central differences: truncation ~h^2 f''' and rounding ~eps |f| / h
    tolerance = 1e-6 + 1e-6 * abs(analytic) + 1e-9 * abs(f_plus) / h
    assert abs(analytic - numeric) <= tolerance, f"{name}'({x!r}) = {analytic!r}, central difference gives {numeric!r}"


# ---------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------

EPS = np.finfo(np.float64).eps


@settings(max_examples=EXAMPLES)
@given(x=arrays(shape=(16,), min_value=-1e300, max_value=1e300))
def test_one_minus_sigmoid_is_sigmoid_of_minus_x(x):
    s = activations.get("sigmoid")
    # 1 - sigma(x) cancels for x >> 0: an absolute error of eps/2 at most
    np.testing.assert_allclose(1 - s(x), s(-x), rtol=4 * EPS, atol=EPS)


@settings(max_examples=EXAMPLES)
@given(x=arrays(shape=(16,), min_value=-1e300, max_value=1e300))
def test_tanh_is_rescaled_sigmoid(x):
    # 2 sigma(2x) - 1 cancels near 0: an absolute error of about 2 eps
    np.testing.assert_allclose(
        activations.get("tanh")(x), 2 * activations.get("sigmoid")(2 * np.clip(x, -1e307, 1e307)) - 1, atol=4 * EPS
    )


@settings(max_examples=EXAMPLES)
@given(x=arrays(shape=(16,), min_value=-1e300, max_value=1e300))
def test_softplus_derivative_is_sigmoid(x):
    exact = activations.get("softplus", threshold=1e300)  # no linear cut-off
    np.testing.assert_array_equal(exact.derivative(x), activations.get("sigmoid")(x))
    default = activations.get("softplus")  # PyTorch's cut-off at x > 20: f' = 1 there
    below = x <= 20
    np.testing.assert_array_equal(default.derivative(x)[below], activations.get("sigmoid")(x[below]))
    assert np.all(default.derivative(x)[~below] == 1.0)


@settings(max_examples=EXAMPLES)
@given(x=arrays(min_value=-1e3, max_value=1e3, min_dims=1, max_dims=3), dim=st.sampled_from([0, -1]))
def test_gradient_of_logsumexp_is_softmax(x, dim):
    lse = activations.get("logsumexp", dim=dim)
    grad = lse.vjp(x, np.ones(lse(x).shape))
    np.testing.assert_allclose(grad, activations.get("softmax", dim=dim)(x), rtol=1e-15, atol=0)


@settings(max_examples=EXAMPLES)
@given(x=arrays(min_value=-1e3, max_value=1e3, min_dims=1, max_dims=3), dim=st.sampled_from([0, -1]))
def test_softmax_is_a_distribution_and_log_softmax_its_log(x, dim):
    s = silent(activations.get("softmax", dim=dim), x)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s.sum(axis=dim), 1.0, rtol=0, atol=x.shape[dim] * EPS)
    log_s = silent(activations.get("log_softmax", dim=dim), x)
    assert np.all(log_s <= 0)
    # exp(log_softmax) = softmax; exp amplifies an absolute error eps*|log s| into a relative one
    np.testing.assert_allclose(np.exp(log_s), s, rtol=1e-12, atol=1e-300)
    lse = activations.get("logsumexp", dim=dim)(x)
    assert np.all(lse >= x.max(axis=dim) - 1e-12 * np.abs(x).max(axis=dim))


@settings(max_examples=EXAMPLES)
@given(x=arrays(shape=(16,), min_value=-1e150, max_value=1e150), a=floats(0.0, 1e150))
def test_relu_is_positively_homogeneous(x, a):
    relu = activations.get("relu")
    np.testing.assert_array_equal(relu(a * x), a * relu(x))


@settings(max_examples=EXAMPLES)
@given(x=arrays(shape=(4, 6), min_value=-1e3, max_value=1e3))
def test_maxout_bounds_its_group_and_glu_is_a_gated_half(x):
    m = activations.get("maxout", k=3)(x)
    groups = x.reshape(4, 2, 3)
    assert np.all(m[..., None] >= groups) and np.all(np.any(m[..., None] == groups, axis=-1))
    glu = activations.get("glu")(x)
    np.testing.assert_array_equal(glu, x[:, :3] * activations.get("sigmoid")(x[:, 3:]))


def test_silu_is_swish_with_beta_one_and_relu6_is_hardtanh_0_6():
    x = np.linspace(-30, 30, 6001)
    np.testing.assert_array_equal(activations.get("silu")(x), activations.get("swish")(x))
    np.testing.assert_array_equal(activations.get("relu6")(x), activations.get("hardtanh", min_val=0.0, max_val=6.0)(x))
    np.testing.assert_array_equal(activations.get("logsigmoid")(x), -activations.get("softplus", threshold=1e300)(-x))
