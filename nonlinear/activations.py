r"""Every activation function of the course, in one registry.

Each activation is one :class:`Spec`: its formula in numpy, its derivative right
beside it, and the facts a chapter prints as a table (LaTeX formula, range,
zero-centred, monotonic, smooth, saturation, year, reference). ``get(name,
**params)`` turns a spec into a callable :class:`Activation`.

>>> from nonlinear import activations
>>> sigmoid = activations.get("sigmoid")
>>> float(sigmoid(0.0)), float(sigmoid.derivative(0.0))
(0.5, 0.25)

Names, parameters and defaults follow ``torch.nn.functional``. Every function
here is written to be exact in float64 and to stay finite for every finite
input where the true value is finite: the chapters explain each trick where the
function is introduced (chapter 5 for sigmoid, softplus and softmax).

At the edges the package does what torch does, silently: NaN in gives NaN out,
±inf gives torch's value, an overflow gives ±inf, size-0 axes give empty
results (``logsumexp`` gives -inf), float32 stays float32 and other float
dtypes (float16) raise TypeError. ``Activation`` evaluates every formula under
one ``np.errstate`` (:data:`IEEE_QUIET`), so such IEEE results raise no
RuntimeWarning, as in torch.

At a kink the derivative is a convention; we follow PyTorch's choice, written
next to each derivative, so that the engine and torch agree everywhere. (At a
NaN input torch's own derivative depends on where the element sits: its
vectorised loop and its scalar loop pick different branches; ours gives one of
the two.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from nonlinear import autograd
from nonlinear._arrays import as_float_array

INF = math.inf

# ---------------------------------------------------------------------------
# Building blocks used by several activations (each written once).
#
# Speed: numpy has no fused kernels, so every operation is a pass over memory. The
# formulas below are the chapters' formulas, written with few passes: temporaries are
# updated in place (out=), and a branch "a if condition else b" is never np.where (a
# data-dependent select costs ~8 ms per 10**6 entries, 20 times a multiplication) but
# maximum/minimum or a multiplication by a 0/1 mask, exact for finite values. Where a
# plain formula can overflow in rare entries (the sigmoid family's e^{-x}), numpy's
# floating-point overflow flag says so after the pass, and only those entries are redone.
# ---------------------------------------------------------------------------


def _new(x: np.ndarray) -> np.ndarray:
    """An empty array like x (also for 0-d x, where a ufunc without out= returns a scalar)."""
    return np.empty_like(x)


def _neg_abs_exp(x: np.ndarray) -> np.ndarray:
    """exp(-|x|), in (0, 1]: never overflows."""
    e = np.abs(x, out=_new(x))
    np.negative(e, out=e)
    return np.exp(e, out=e)


def _exp_overflowed(out: np.ndarray) -> bool:
    """e^out, in place; True if some entry overflowed (numpy's floating-point flag: no extra pass)."""
    try:
        with np.errstate(over="raise"):
            np.exp(out, out=out)
    except FloatingPointError:  # raised after the loop: out is complete, inf where it overflowed
        return True
    return False


def _one_plus_exp_neg(x: np.ndarray, beta=1.0):
    """(1 + e^{-beta x}, the mask of finite x whose e^{-beta x} overflowed, or None when none did)."""
    d = np.negative(x, out=_new(x)) if beta == 1 else np.multiply(x, -beta, out=_new(x))
    far_left = np.isinf(d) & np.isfinite(x) if _exp_overflowed(d) else None
    d += 1
    return d, far_left


def _split_sigmoid(z: np.ndarray) -> np.ndarray:
    """e^z / (1 + e^z): sigma(z) for z << 0, exact down to the smallest subnormal."""
    e = np.exp(z)
    return e / (1 + e)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    r"""Logistic function :math:`\sigma(x) = 1/(1+e^{-x})`, as torch computes it, and exact for x << 0.

    Where :math:`e^{-x}` overflows (x < -88.7 in float32, -709.8 in float64) those entries
    alone use the equal form :math:`e^{x}/(1+e^{x})`. numpy's overflow flag says whether
    any did, at no cost, so the common case is four passes over memory.
    """
    x = np.asarray(x)
    d, far_left = _one_plus_exp_neg(x)
    out = np.reciprocal(d, out=d)
    if far_left is not None:
        out[far_left] = _split_sigmoid(x[far_left])
    return out


def stable_softplus(x: np.ndarray) -> np.ndarray:
    r""":math:`\log(1+e^{x}) = \max(x, 0) + \log(1+e^{-|x|})`, exact and overflow-free."""
    x = np.asarray(x)
    out = np.log1p(_neg_abs_exp(x), out=_new(x))
    out += np.maximum(x, 0)
    return out


def _exp_nonpositive(x: np.ndarray) -> np.ndarray:
    """exp(min(x, 0)): the exponential branch of ELU-like functions, never overflowing (1 for x >= 0)."""
    out = np.minimum(x, 0, out=_new(x))
    return np.exp(out, out=out)


def _expm1_nonpositive(x: np.ndarray) -> np.ndarray:
    """expm1(min(x, 0)): 0 for x >= 0."""
    out = np.minimum(x, 0, out=_new(x))
    return np.expm1(out, out=out)


def _exp_branch(x: np.ndarray, alpha) -> np.ndarray:
    r""":math:`x \text{ if } x > 0 \text{ else } \alpha(e^x - 1)`, as :math:`\max(x, 0) + \alpha\,\mathrm{expm1}(\min(x, 0))`.

    Exact: one of the two terms is 0 (ELU, SELU).
    """
    out = _expm1_nonpositive(x)
    out *= alpha
    out += np.maximum(x, 0)
    return out


def _select(mask: np.ndarray, a, b, like: np.ndarray) -> np.ndarray:
    """``a`` where mask else ``b`` (finite values), as mask * a + (not mask) * b: exact, one of them is 0."""
    out = np.multiply(mask, like.dtype.type(a) if np.isscalar(a) else a, out=_new(like))
    out += np.multiply(np.logical_not(mask), like.dtype.type(b) if np.isscalar(b) else b)
    return out


def _slope(x: np.ndarray, slope) -> np.ndarray:
    r"""The derivative of a leaky rectifier: 1 for x > 0, else ``slope`` (PyTorch: the slope at 0 and at NaN).

    A slope in [0, 1] gives max(x > 0, slope) in one pass.
    """
    if np.ndim(slope) == 0 and 0 <= slope <= 1:
        return np.maximum(x > 0, x.dtype.type(slope), out=_new(x))
    return _select(x > 0, 1, slope, x)


def _leaky(x: np.ndarray, slope) -> np.ndarray:
    r""":math:`x \text{ if } x > 0 \text{ else } a x` (Leaky ReLU, PReLU, RReLU), for a scalar or an array a.

    A scalar :math:`a \le 1` gives :math:`\max(x, a x)` (and :math:`a \ge 1` the min); an array
    of slopes :math:`\max(x, 0) + a \min(x, 0)`. Both are exact: no rounding beyond :math:`a x`.
    """
    if np.ndim(slope) == 0:
        a = x.dtype.type(slope)
        out = np.multiply(x, a, out=_new(x))
        return (np.maximum if a <= 1 else np.minimum)(x, out, out=out)
    out = np.minimum(x, 0, out=_new(x))
    out *= slope
    out += np.maximum(x, 0)
    return out


def _leaky_range(slope) -> tuple[float, float]:
    """The range of x if x > 0 else a x: all reals if some slope a is > 0, else [0, inf) (a <= 0 maps x < 0 to a x >= 0)."""
    return (-INF, INF) if np.any(np.asarray(slope) > 0) else (0.0, INF)


def _leaky_range_latex(slope) -> str:
    return r"(-\infty, \infty)" if np.any(np.asarray(slope) > 0) else r"[0, \infty)"


def _leaky_monotonic(slope) -> bool:
    return bool(np.all(np.asarray(slope) >= 0))


def _leaky_left_saturation(slope) -> str | None:
    """A zero slope is ReLU's hard floor; any other slope passes a gradient on the left."""
    return "hard" if np.all(np.asarray(slope) == 0) else None


def _axis_size(x: np.ndarray, dim: int) -> int:
    if x.ndim == 0:
        raise ValueError("this activation works along a dimension; got a 0-d array, expected at least 1-d")
    if not -x.ndim <= dim < x.ndim:
        raise ValueError(f"dim={dim} is out of range for an array with {x.ndim} dimension(s)")
    return x.shape[dim]


# ---------------------------------------------------------------------------
# Specs: forward, derivative and facts of each activation.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """How one activation is defined. Facts may be callables of the parameters."""

    name: str
    forward: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray] | None = None  # elementwise f'(x) (a bool mask where f' is 0 or 1)
    vjp: Callable[..., np.ndarray] | None = None  # for the non-elementwise ones
    # Faster backward passes from the forward's output y = f(x), as torch's (same numbers as from x):
    derivative_from_output: Callable[[np.ndarray], np.ndarray] | None = None  # f'(x) from y (sigmoid, tanh)
    vjp_from_output: Callable[..., np.ndarray] | None = None  # vjp(y, grad_out, **params) (softmax, log_softmax)
    output_shape: Callable[..., tuple] | None = None  # shape of f(x), for the non-elementwise ones
    # The engine's forward can keep a part the backward needs again (sigma for SiLU and GLU, Phi for
    # GELU): forward_cached(x) -> (f(x), cache), then derivative_cached(x, cache) or
    # vjp_cached(x, cache, grad_out); same numbers as forward, derivative and vjp.
    forward_cached: Callable[..., tuple] | None = None
    derivative_cached: Callable[..., np.ndarray] | None = None
    vjp_cached: Callable[..., np.ndarray] | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    validate: Callable[..., None] | None = None
    stochastic: bool = False
    facts: dict[str, Any] = field(default_factory=dict)


REGISTRY: dict[str, Spec] = {}


def register(spec: Spec) -> Spec:
    """Add a spec to the registry (a new activation is tested by registering it)."""
    if spec.name in REGISTRY:
        raise ValueError(f"activation {spec.name!r} is already registered")
    REGISTRY[spec.name] = spec
    return spec


def _facts(
    formula,
    derivative_formula,
    output_range,
    range_latex,
    zero_centred,
    monotonic,
    smooth,
    saturation,
    year,
    reference,
    url="",
    kinks=(),
    used_in="",
    summary="",
    recommended_init="xavier",
    elementwise=True,
):
    """The facts every activation states, in one fixed order (see ``Activation``)."""
    return dict(
        formula=formula,
        derivative_formula=derivative_formula,
        output_range=output_range,
        range_latex=range_latex,
        zero_centred=zero_centred,
        monotonic=monotonic,
        smooth=smooth,
        kinks=kinks,
        saturation=saturation,
        year=year,
        reference=reference,
        url=url,
        used_in=used_in,
        summary=summary,
        recommended_init=recommended_init,
        elementwise=elementwise,
    )


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _check_real(**values):
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise ValueError(f"{key} must be a real number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{key} must be finite, got {value!r}")


def _check_positive(**values):
    _check_real(**values)
    for key, value in values.items():
        if value <= 0:
            raise ValueError(f"{key} must be > 0, got {value!r}")


def _check_bool(**values):
    for key, value in values.items():
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{key} must be True or False, got {value!r}")


def _check_dim(dim):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise ValueError(f"dim must be an integer, got {dim!r}")


# --- the logistic family ---------------------------------------------------


def _sigmoid_derivative(s):
    """sigma (1 - sigma), from sigma."""
    d = np.subtract(1, s, out=_new(s))
    d *= s
    return d


def _negated(fn, x):
    """-fn(-x)."""
    out = fn(np.negative(x, out=_new(x)))
    return np.negative(out, out=out)


register(
    Spec(
        "sigmoid",
        forward=lambda x: stable_sigmoid(x),
        # sigma' = sigma (1 - sigma): the derivative in terms of the output.
        derivative=lambda x: _sigmoid_derivative(stable_sigmoid(x)),
        derivative_from_output=_sigmoid_derivative,
        facts=_facts(
            r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
            (0.0, 1.0),
            "(0, 1)",
            False,
            True,
            True,
            ("soft", "soft"),
            1986,
            "Rumelhart, Hinton & Williams (1986), Learning representations by back-propagating errors",
            "https://doi.org/10.1038/323533a0",
            used_in="binary outputs, LSTM/GRU gates, attention gates, inside SiLU and GLU",
            summary="squashes to (0, 1); saturates on both sides; output always positive",
        ),
    )
)

register(
    Spec(
        "logsigmoid",
        forward=lambda x: _negated(stable_softplus, x),  # -softplus(-x)
        derivative=lambda x: stable_sigmoid(np.negative(x)),  # d/dx log sigma(x) = 1 - sigma(x) = sigma(-x)
        facts=_facts(
            r"\log\sigma(x) = -\log(1 + e^{-x})",
            r"1 - \sigma(x) = \sigma(-x)",
            (-INF, 0.0),
            r"(-\infty, 0)",
            False,
            True,
            True,
            (None, "soft"),
            1989,
            "log of the logistic function; the stable core of binary cross-entropy",
            used_in="log-likelihoods of binary outputs (BCE with logits)",
            summary="log of sigmoid, computed without under/overflow",
        ),
    )
)


def _softplus_parts(x, beta, threshold):
    """(z, above): z = min(beta x, threshold) and the mask beta x > threshold."""
    z = np.multiply(x, beta, out=_new(x))
    above = z > threshold
    return np.minimum(z, threshold, out=z), above


def _softplus(x, beta, threshold):
    # PyTorch: x where beta x > threshold (the identity), else log(1 + e^{beta x}) / beta.
    # z = min(beta x, threshold), so below log(largest float) e^z cannot overflow and the plain
    # log1p(exp(z)) is exact; a larger threshold takes the overflow-free stable_softplus.
    # Fast form of that np.where: softplus(z)/beta > x always, so max(x, y) picks y; above the
    # threshold y is pushed far below x first (z is clamped there, so y stays finite).
    z, above = _softplus_parts(x, beta, threshold)
    if threshold < np.log(np.finfo(z.dtype).max):
        y = np.log1p(np.exp(z, out=z), out=z)
    else:
        y = stable_softplus(z)
    if beta != 1:
        y /= beta
    y -= np.multiply(above, np.finfo(x.dtype).max)
    return np.maximum(x, y, out=y)


def _softplus_derivative(x, beta, threshold):
    # PyTorch: 1 where beta x > threshold, else sigma(beta x); sigma <= 1, so max(sigma, mask) selects.
    z, above = _softplus_parts(x, beta, threshold)
    d = stable_sigmoid(z)
    return np.maximum(d, above, out=d)


register(
    Spec(
        "softplus",
        forward=_softplus,
        derivative=_softplus_derivative,
        defaults={"beta": 1.0, "threshold": 20.0},
        validate=lambda beta, threshold: (_check_positive(beta=beta), _check_real(threshold=threshold)),
        facts=_facts(
            r"\mathrm{softplus}(x) = \tfrac{1}{\beta}\log(1 + e^{\beta x})",
            r"\sigma(\beta x)",
            (0.0, INF),
            r"(0, \infty)",
            False,
            True,
            True,
            ("soft", None),
            2001,
            "Dugas, Bengio, Belisle, Nadeau & Garcia (2001), Incorporating second-order functional knowledge",
            "https://proceedings.neurips.cc/paper/2000/hash/44968aece94f667e4095002d140b5896-Abstract.html",
            used_in="positive outputs (variances, rates); a smooth ReLU",
            summary="smooth approximation of ReLU whose derivative is the sigmoid",
        ),
    )
)


def _tanh_derivative(t):
    """1 - tanh^2, from tanh."""
    d = np.multiply(t, t, out=_new(t))
    return np.subtract(1, d, out=d)


def _softsign(x):
    d = np.abs(x, out=_new(x))
    d += 1
    return np.divide(x, d, out=d)


def _softsign_derivative(x):
    r = np.abs(x, out=_new(x))
    r += 1
    np.reciprocal(r, out=r)
    return np.multiply(r, r, out=r)  # square 1/(1+|x|), not 1+|x|: no overflow


register(
    Spec(
        "tanh",
        forward=lambda x: np.tanh(x),
        derivative=lambda x: _tanh_derivative(np.tanh(x)),
        derivative_from_output=_tanh_derivative,
        facts=_facts(
            r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1",
            r"1 - \tanh^2(x)",
            (-1.0, 1.0),
            "(-1, 1)",
            True,
            True,
            True,
            ("soft", "soft"),
            1989,
            "LeCun et al. (1989), Backpropagation applied to handwritten zip code recognition (a scaled tanh "
            "at every unit); LeCun, Bottou, Orr & Muller (1998), Efficient BackProp, explains why",
            "https://doi.org/10.1162/neco.1989.1.4.541",
            used_in="RNN/LSTM cell updates, small MLPs, inside GELU's approximation",
            summary="a rescaled sigmoid: zero-centred, saturates on both sides",
        ),
    )
)

register(
    Spec(
        "softsign",
        forward=_softsign,  # x / (1 + |x|)
        derivative=_softsign_derivative,  # (1 / (1 + |x|))^2
        facts=_facts(
            r"\frac{x}{1 + |x|}",
            r"\frac{1}{(1 + |x|)^2}",
            (-1.0, 1.0),
            "(-1, 1)",
            True,
            True,
            True,
            ("soft", "soft"),
            2009,
            "Bergstra, Desjardins, Lamblin & Bengio (2009), Quadratic polynomials learn better image features",
            used_in="rare; studied by Glorot & Bengio (2010) as a tanh alternative",
            summary="like tanh but approaches its bounds polynomially, not exponentially",
        ),
    )
)

register(
    Spec(
        "hardtanh",
        forward=lambda x, min_val, max_val: np.clip(x, min_val, max_val),
        # PyTorch: gradient 1 strictly inside (min_val, max_val), 0 at and beyond the corners (1 at NaN).
        derivative=lambda x, min_val, max_val: np.logical_not((x <= min_val) | (x >= max_val)).astype(x.dtype),
        defaults={"min_val": -1.0, "max_val": 1.0},
        validate=lambda min_val, max_val: (
            _check_real(min_val=min_val, max_val=max_val),
            _require(min_val < max_val, f"min_val must be < max_val, got {min_val} and {max_val}"),
        ),
        facts=_facts(
            r"\min(\max(x, a), b)",
            r"1 \text{ if } a < x < b \text{ else } 0",
            lambda min_val, max_val: (min_val, max_val),
            lambda min_val, max_val: f"[{min_val:g}, {max_val:g}]",
            lambda min_val, max_val: min_val == -max_val,  # E f(Z) = 0 exactly when the corners are symmetric
            True,
            False,
            ("hard", "hard"),
            2004,
            "Collobert (2004), Large scale machine learning (PhD thesis)",
            kinks=lambda min_val, max_val: (min_val, max_val),
            used_in="cheap bounded activation; ReLU6 is hardtanh(0, 6)",
            summary="tanh made of three straight pieces",
        ),
    )
)

HARDSIGMOID_SLOPE = float(np.float32(1 / 6))


def _relu6_shifted(x):
    """ReLU6(x + 3) = clip(x + 3, 0, 6)."""
    out = np.add(x, 3, out=_new(x))
    return np.clip(out, 0, 6, out=out)


register(
    Spec(
        "hardsigmoid",
        forward=lambda x: _relu6_shifted(x) / 6,  # clip(x + 3, 0, 6) / 6
        # PyTorch's CPU kernel multiplies by 1/6 rounded to float32 (0.16666667163...), even in
        # float64; we use the same constant so that both engines agree to the last digit.
        derivative=lambda x: np.multiply((x > -3) & (x < 3), x.dtype.type(HARDSIGMOID_SLOPE)),
        facts=_facts(
            r"\frac{\mathrm{ReLU6}(x + 3)}{6}",
            r"\tfrac16 \text{ if } -3 < x < 3 \text{ else } 0",
            (0.0, 1.0),
            "[0, 1]",
            False,
            True,
            False,
            ("hard", "hard"),
            2019,
            "Howard et al. (2019), Searching for MobileNetV3",
            "https://arxiv.org/abs/1905.02244",
            kinks=(-3.0, 3.0),
            used_in="gates in mobile networks (MobileNetV3 squeeze-excite)",
            summary="a piecewise-linear sigmoid: no exponential",
        ),
    )
)

# --- the rectifier family --------------------------------------------------

register(
    Spec(
        "relu",
        forward=lambda x: np.maximum(x, 0),
        # A 0/1 mask (1 byte per entry; g * mask is the vjp). PyTorch: 0 at x = 0, 1 at NaN.
        derivative=lambda x: np.logical_not(x <= 0),
        facts=_facts(
            r"\max(0, x)",
            r"1 \text{ if } x > 0 \text{ else } 0",
            (0.0, INF),
            r"[0, \infty)",
            False,
            True,
            False,
            ("hard", None),
            2010,
            "Nair & Hinton (2010); Glorot, Bordes & Bengio (2011), Deep sparse rectifier neural networks",
            "https://proceedings.mlr.press/v15/glorot11a.html",
            kinks=(0.0,),
            recommended_init="he",
            used_in="the default hidden activation of CNNs and MLPs",
            summary="identity for positive inputs, zero otherwise",
        ),
    )
)

register(
    Spec(
        "leaky_relu",
        forward=lambda x, negative_slope: _leaky(x, negative_slope),  # x if x > 0 else slope * x
        derivative=lambda x, negative_slope: _slope(x, negative_slope),
        defaults={"negative_slope": 0.01},
        validate=lambda negative_slope: _check_real(negative_slope=negative_slope),
        facts=_facts(
            r"\max(\alpha x, x)",
            r"1 \text{ if } x > 0 \text{ else } \alpha",
            lambda negative_slope: _leaky_range(negative_slope),
            lambda negative_slope: _leaky_range_latex(negative_slope),
            lambda negative_slope: negative_slope == 1,  # the identity
            lambda negative_slope: _leaky_monotonic(negative_slope),
            lambda negative_slope: negative_slope == 1,
            lambda negative_slope: (_leaky_left_saturation(negative_slope), None),
            2013,
            "Maas, Hannun & Ng (2013), Rectifier nonlinearities improve neural network acoustic models",
            kinks=lambda negative_slope: () if negative_slope == 1 else (0.0,),
            recommended_init="he",
            used_in="GAN discriminators, a fix when ReLU units die",
            summary="ReLU with a small slope alpha for negative inputs",
        ),
    )
)


def _prelu_weight(x: np.ndarray, weight) -> np.ndarray:
    """PReLU's slope, shaped to broadcast along the channel axis (axis 1, or 0 for 1-d input)."""
    w = np.asarray(weight, dtype=x.dtype)
    if w.size == 1:
        return w.reshape(())
    channel_axis = 1 if x.ndim >= 2 else 0
    if x.ndim == 0 or x.shape[channel_axis] != w.size:
        raise ValueError(
            f"prelu weight has {w.size} slopes but the input has shape {x.shape}; "
            "expected one slope, or one per channel (axis 1, axis 0 for 1-d input)"
        )
    shape = [1] * x.ndim
    shape[channel_axis] = w.size
    return w.reshape(shape)


def _check_prelu_weight(weight):
    w = np.asarray(weight)
    if w.dtype.kind not in "fiu" or w.ndim > 1 or w.size == 0:
        raise ValueError(f"prelu weight must be a number or a 1-d array of slopes, got {weight!r}")
    if not np.all(np.isfinite(w)):
        raise ValueError("prelu weight must be finite")


def prelu_weight_grad(x: np.ndarray, grad_out: np.ndarray, weight) -> np.ndarray:
    r"""Gradient of the loss with respect to PReLU's slope: :math:`\sum g\,x` over :math:`x \le 0`."""
    w = np.asarray(weight)
    contribution = np.minimum(x, 0) * grad_out  # g x where x <= 0, else 0
    if w.size == 1:
        return np.asarray(contribution.sum()).reshape(w.shape)
    channel_axis = 1 if x.ndim >= 2 else 0
    axes = tuple(i for i in range(x.ndim) if i != channel_axis)
    return contribution.sum(axis=axes).reshape(w.shape)


register(
    Spec(
        "prelu",
        forward=lambda x, weight: _leaky(x, _prelu_weight(x, weight)),  # x if x > 0 else a x
        derivative=lambda x, weight: _slope(x, _prelu_weight(x, weight)),
        defaults={"weight": 0.25},
        validate=lambda weight: _check_prelu_weight(weight),
        facts=_facts(
            r"\max(0, x) + a \min(0, x), \; a \text{ learned}",
            r"1 \text{ if } x > 0 \text{ else } a",
            lambda weight: _leaky_range(weight),
            lambda weight: _leaky_range_latex(weight),
            lambda weight: bool(np.all(np.asarray(weight) == 1)),  # the identity
            lambda weight: _leaky_monotonic(weight),
            lambda weight: bool(np.all(np.asarray(weight) == 1)),
            lambda weight: (_leaky_left_saturation(weight), None),
            2015,
            "He, Zhang, Ren & Sun (2015), Delving deep into rectifiers",
            "https://arxiv.org/abs/1502.01852",
            kinks=lambda weight: () if np.all(np.asarray(weight) == 1) else (0.0,),
            recommended_init="he",
            used_in="image classifiers (ResNet-era); the slope is learned per channel",
            summary="leaky ReLU whose negative slope is a parameter",
        ),
    )
)


def _rrelu_slopes(x, lower, upper, training, state):
    if not training:
        return np.asarray((lower + upper) / 2, dtype=x.dtype)
    slopes = state["rng"].uniform(lower, upper, size=x.shape).astype(x.dtype)
    state["noise"] = slopes
    return slopes


def _stored_noise(x, state, name):
    noise = state.get("noise")
    if noise is None or noise.shape != x.shape:
        raise ValueError(
            f"{name} in training mode draws fresh noise on every call: call the activation on x "
            "first, then ask for its derivative/vjp at the same x (or use training=False)"
        )
    return noise


register(
    Spec(
        "rrelu",
        forward=lambda x, lower, upper, training, seed, state: _leaky(
            x, _rrelu_slopes(x, lower, upper, training, state)
        ),  # x if x > 0 else a x
        derivative=lambda x, lower, upper, training, seed, state: _slope(
            x, _stored_noise(x, state, "rrelu") if training else (lower + upper) / 2
        ),
        defaults={"lower": 1 / 8, "upper": 1 / 3, "training": False, "seed": None},
        validate=lambda lower, upper, training, seed: (
            _check_real(lower=lower, upper=upper),
            _check_bool(training=training),
            _require(0 <= lower <= upper < 1, f"rrelu needs 0 <= lower <= upper < 1, got lower={lower}, upper={upper}"),
        ),
        stochastic=True,
        facts=_facts(
            r"x \text{ if } x > 0 \text{ else } a x,\; a \sim U(l, u) \text{ (training)},\; a = \tfrac{l+u}{2} \text{ (eval)}",
            r"1 \text{ if } x > 0 \text{ else } a",
            lambda upper: _leaky_range(upper),  # every slope lies in [lower, upper]; upper = 0 is ReLU
            lambda upper: _leaky_range_latex(upper),
            False,
            True,
            False,
            lambda upper: (_leaky_left_saturation(upper), None),
            2015,
            "Xu, Wang, Chen & Li (2015), Empirical evaluation of rectified activations in convolutional network",
            "https://arxiv.org/abs/1505.00853",
            kinks=(0.0,),
            recommended_init="he",
            used_in="Kaggle NDSB 2015 winning entry; a regulariser",
            summary="leaky ReLU with a random slope during training, the mean slope at evaluation",
        ),
    )
)


def _noisy_relu_shift(x, sigma, training, state):
    if not training:
        return np.zeros((), dtype=x.dtype)
    noise = state["rng"].normal(0.0, sigma, size=x.shape).astype(x.dtype)
    state["noise"] = noise
    return noise


register(
    Spec(
        "noisy_relu",
        forward=lambda x, sigma, training, seed, state: np.maximum(x + _noisy_relu_shift(x, sigma, training, state), 0),
        derivative=lambda x, sigma, training, seed, state: (
            (x + (_stored_noise(x, state, "noisy_relu") if training else 0)) > 0
        ).astype(x.dtype),
        defaults={"sigma": 1.0, "training": False, "seed": None},
        validate=lambda sigma, training, seed: (
            _check_real(sigma=sigma),
            _check_bool(training=training),
            _require(sigma >= 0, f"sigma must be >= 0, got {sigma}"),
        ),
        stochastic=True,
        facts=_facts(
            r"\max(0, x + Y),\; Y \sim \mathcal{N}(0, \sigma^2) \text{ (training)}",
            r"1 \text{ if } x + Y > 0 \text{ else } 0",
            (0.0, INF),
            r"[0, \infty)",
            False,
            True,
            False,
            ("hard", None),
            2010,
            "Nair & Hinton (2010), Rectified linear units improve restricted Boltzmann machines",
            "https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf",
            kinks=(0.0,),
            recommended_init="he",
            used_in="restricted Boltzmann machines; a regulariser",
            summary="ReLU of the input plus Gaussian noise (no noise at evaluation)",
        ),
    )
)

register(
    Spec(
        "relu6",
        forward=lambda x: np.clip(x, 0, 6),
        derivative=lambda x: np.logical_not((x <= 0) | (x >= 6)).astype(x.dtype),  # PyTorch: 0 at both corners
        facts=_facts(
            r"\min(\max(0, x), 6)",
            r"1 \text{ if } 0 < x < 6 \text{ else } 0",
            (0.0, 6.0),
            "[0, 6]",
            False,
            True,
            False,
            ("hard", "hard"),
            2010,
            "Krizhevsky (2010), Convolutional deep belief networks on CIFAR-10; Sandler et al. (2018), MobileNetV2",
            "https://arxiv.org/abs/1801.04381",
            kinks=(0.0, 6.0),
            recommended_init="he",
            used_in="mobile networks meant for low-precision inference (MobileNetV1/V2)",
            summary="ReLU capped at 6",
        ),
    )
)


def _leaky_relu6_derivative(x, negative_slope):
    d = _slope(x, negative_slope)
    d *= x < 6  # 0 from the cap on (and at 6, like relu6)
    if negative_slope < 0:
        d *= negative_slope * x < 6  # a negative slope reaches the cap on the left too, from x = 6 / slope on
    return d


register(
    Spec(
        "leaky_relu6",
        forward=lambda x, negative_slope: np.minimum(_leaky(x, negative_slope), 6),
        derivative=lambda x, negative_slope: _leaky_relu6_derivative(x, negative_slope),
        defaults={"negative_slope": 0.01},
        validate=lambda negative_slope: _check_real(negative_slope=negative_slope),
        facts=_facts(
            r"\min(\max(\alpha x, x), 6)",
            r"\alpha \text{ if } x \le 0;\; 1 \text{ if } 0 < x < 6;\; 0 \text{ if } x \ge 6",
            lambda negative_slope: (_leaky_range(negative_slope)[0], 6.0),  # alpha < 0: alpha x > 0, capped at 6
            lambda negative_slope: r"(-\infty, 6]" if negative_slope > 0 else "[0, 6]",
            False,
            lambda negative_slope: _leaky_monotonic(negative_slope),
            False,
            lambda negative_slope: ("hard" if negative_slope <= 0 else None, "hard"),  # < 0: capped on the left
            2019,
            "proposed in passing by source 000 (Jain, 2019); built and tested in chapter 6 of this course",
            kinks=lambda negative_slope: (
                (6 / negative_slope, 0.0, 6.0) if negative_slope < 0 else (6.0,) if negative_slope == 1 else (0.0, 6.0)
            ),
            recommended_init="he",
            used_in="nowhere in mainstream frameworks; this course's experiment",
            summary="leaky on the left like Leaky ReLU, capped at 6 like ReLU6",
        ),
    )
)

register(
    Spec(
        "elu",
        forward=lambda x, alpha: _exp_branch(x, alpha),  # x if x > 0 else alpha (e^x - 1)
        # PyTorch: alpha * e^x for x <= 0, so alpha at x = 0.
        derivative=lambda x, alpha: _select(x > 0, 1, _exp_nonpositive(x) * alpha, x),
        defaults={"alpha": 1.0},
        validate=lambda alpha: _check_real(alpha=alpha),
        facts=_facts(
            r"x \text{ if } x > 0 \text{ else } \alpha (e^{x} - 1)",
            r"1 \text{ if } x > 0 \text{ else } \alpha e^{x}",
            lambda alpha: (-alpha, INF) if alpha >= 0 else (0.0, INF),  # alpha < 0: the left branch is in [0, -alpha)
            lambda alpha: r"(-\alpha, \infty)" if alpha >= 0 else r"[0, \infty)",
            False,
            lambda alpha: alpha >= 0,
            lambda alpha: alpha == 1.0,
            lambda alpha: ("hard" if alpha == 0 else "soft", None),  # alpha = 0 is ReLU
            2015,
            "Clevert, Unterthiner & Hochreiter (2015), Fast and accurate deep network learning by ELUs",
            "https://arxiv.org/abs/1511.07289",
            kinks=lambda alpha: () if alpha == 1.0 else (0.0,),
            recommended_init="he",
            used_in="CNNs and MLPs where mean activations near zero help",
            summary="identity for positive inputs, a saturating exponential below zero",
        ),
    )
)

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

register(
    Spec(
        "selu",
        forward=lambda x: _exp_branch(x, SELU_ALPHA) * SELU_SCALE,
        derivative=lambda x: _select(x > 0, 1, _exp_nonpositive(x) * SELU_ALPHA, x) * SELU_SCALE,
        facts=_facts(
            r"\lambda \,(x \text{ if } x > 0 \text{ else } \alpha(e^{x} - 1)),\; \lambda \approx 1.0507,\ \alpha \approx 1.6733",
            r"\lambda \text{ if } x > 0 \text{ else } \lambda\alpha e^{x}",
            (-SELU_SCALE * SELU_ALPHA, INF),
            r"(-\lambda\alpha, \infty)",
            True,
            True,
            False,
            ("soft", None),
            2017,
            "Klambauer, Unterthiner, Mayr & Hochreiter (2017), Self-normalizing neural networks",
            "https://arxiv.org/abs/1706.02515",
            kinks=(0.0,),
            recommended_init="lecun",
            used_in="self-normalising MLPs (with LeCun-normal initialisation and alpha-dropout)",
            summary="scaled ELU whose constants make mean 0 / variance 1 a fixed point",
        ),
    )
)


def _celu(x, alpha):
    out = np.minimum(x, 0, out=_new(x))
    out /= alpha
    np.expm1(out, out=out)
    out *= alpha
    out += np.maximum(x, 0)  # max(0, x) + alpha expm1(min(0, x) / alpha): one of the two terms is 0
    return out


register(
    Spec(
        "celu",
        # PyTorch: x if x > 0 else alpha (e^{x/alpha} - 1), for either sign of alpha; min(x, 0)
        # keeps exp from seeing the positive branch (it would overflow for alpha > 0).
        forward=lambda x, alpha: _celu(x, alpha),
        # PyTorch: e^{x/alpha} for x <= 0, so 1 at x = 0; min(x, 0) makes it 1 for x > 0 as well.
        derivative=lambda x, alpha: np.exp(np.divide(np.minimum(x, 0), alpha)),
        defaults={"alpha": 1.0},
        validate=lambda alpha: (
            _check_real(alpha=alpha),
            _require(alpha != 0, "celu alpha must be non-zero (it divides x)"),
        ),
        facts=_facts(
            r"\max(0, x) + \min(0, \alpha(e^{x/\alpha} - 1))",
            r"1 \text{ if } x > 0 \text{ else } e^{x/\alpha}",
            lambda alpha: (-alpha, INF) if alpha > 0 else (-INF, INF),  # alpha < 0: x/alpha -> +inf
            lambda alpha: r"(-\alpha, \infty)" if alpha > 0 else r"(-\infty, \infty)",
            False,
            True,
            True,
            lambda alpha: ("soft", None) if alpha > 0 else (None, None),
            2017,
            "Barron (2017), Continuously differentiable exponential linear units",
            "https://arxiv.org/abs/1704.07483",
            recommended_init="he",
            used_in="rare; ELU made C1 for every alpha",
            summary="ELU rescaled so that its derivative is continuous for every alpha",
        ),
    )
)

# --- smooth self-gated functions -------------------------------------------

_SQRT2 = math.sqrt(2.0)
_GELU_TANH_K = math.sqrt(2.0 / math.pi)
_GELU_TANH_C = 0.044715


def _normal_cdf(x):
    r""":math:`\Phi(x) = \tfrac12 \mathrm{erfc}(-x/\sqrt2)` (erfc, not 1 + erf: exact for x << 0)."""
    out = np.divide(x, -_SQRT2, out=_new(x))
    special.erfc(out, out=out)
    out *= 0.5
    return out


def _normal_pdf(x):
    r""":math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}`."""
    out = np.multiply(x, -0.5, out=_new(x))
    out *= x
    np.exp(out, out=out)
    out /= math.sqrt(2 * math.pi)
    return out


def _gelu_tanh_parts(x):
    """(xc, tanh(k (xc + c xc^3))) for the tanh approximation; xc is x clipped to ±100, where tanh is already ±1."""
    xc = np.clip(x, -100, 100, out=_new(x))
    inner = np.multiply(xc, xc, out=_new(x))
    inner *= xc  # x^3 as x * x * x, as torch computes it (and without pow's cost)
    inner *= _GELU_TANH_C
    inner += xc
    inner *= _GELU_TANH_K
    return xc, np.tanh(inner, out=inner)


def _gelu(x, approximate):
    if approximate == "tanh":
        _, t = _gelu_tanh_parts(x)
        t += 1
        t *= 0.5  # (exact) before the multiplication by x: x * 2 could overflow
        t *= x  # x (1 + t) / 2
        return t
    out = _normal_cdf(x)
    out *= x  # x Phi(x)
    return out


def _gelu_cached(x, approximate):
    if approximate == "tanh":
        return _gelu(x, approximate), None
    cdf = _normal_cdf(x)
    return np.multiply(cdf, x), cdf


def _gelu_derivative(x, approximate, cdf=None):
    if approximate == "tanh":
        xc, t = _gelu_tanh_parts(x)
        # (1 + t)/2 + (xc/2) (1 - t^2) k (1 + 3 c xc^2)
        slope = np.multiply(xc, xc, out=_new(x))
        slope *= 3 * _GELU_TANH_C
        slope += 1
        slope *= _GELU_TANH_K
        slope *= xc
        slope *= 0.5
        slope *= _tanh_derivative(t)
        t += 1
        t *= 0.5
        t += slope
        return t
    out = _normal_pdf(np.clip(x, -100, 100))
    out *= x
    out += _normal_cdf(x) if cdf is None else cdf  # Phi(x) + x phi(x)
    return out


def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")


register(
    Spec(
        "gelu",
        forward=_gelu,
        derivative=_gelu_derivative,
        forward_cached=_gelu_cached,
        derivative_cached=lambda x, cdf, approximate: _gelu_derivative(x, approximate, cdf),
        defaults={"approximate": "none"},
        validate=_check_approximate,
        facts=_facts(
            r"x\,\Phi(x) = \tfrac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt{2})\right)",
            r"\Phi(x) + x\,\varphi(x)",
            # minima: -0.169971 (exact), -0.170041 (tanh form), each rounded outward
            lambda approximate: (-0.1701 if approximate == "tanh" else -0.17, INF),
            r"[\approx -0.17, \infty)",
            False,
            False,
            True,
            ("soft", None),
            2016,
            "Hendrycks & Gimpel (2016), Gaussian error linear units (GELUs)",
            "https://arxiv.org/abs/1606.08415",
            recommended_init="he",
            used_in="BERT, GPT-2/3, ViT: the transformer default before SwiGLU",
            summary="the input weighted by the probability that a standard normal is below it",
        ),
    )
)


def _swish_gate(x, beta):
    return stable_sigmoid(x if beta == 1 else np.multiply(x, beta))


def _far_left_swish(x, beta):
    """x sigma(beta x) where e^{-beta x} overflows: sigma = e^{beta x} there, which can be subnormal
    (few digits), so the value is computed as (x h) h with h = e^{beta x / 2}, a normal number."""
    h = np.exp(0.5 * beta * x)
    return (x * h) * h


# min of u sigma(u): at u = -1 - W(1/e), where it equals -W(1/e) = -0.278464...; rounded outward.
SWISH_MIN = -0.2785


def _swish_range(beta) -> tuple[float, float]:
    """x sigma(beta x) = (u sigma(u)) / beta with u = beta x: bounded below for beta > 0, above for beta < 0."""
    if beta > 0:
        return (SWISH_MIN / beta, INF)
    if beta < 0:
        return (-INF, SWISH_MIN / beta)
    return (-INF, INF)


def _swish(x, beta):
    d, far_left = _one_plus_exp_neg(x, beta)
    out = np.divide(x, d, out=d)  # x sigma(beta x) = x / (1 + e^{-beta x}), as torch's silu
    if far_left is not None:
        out[far_left] = _far_left_swish(x[far_left], beta)
    return out


def _swish_cached(x, beta):
    d, far_left = _one_plus_exp_neg(x, beta)
    out = np.divide(x, d)  # the same numbers as _swish
    s = np.reciprocal(d, out=d)  # sigma(beta x), kept for the backward pass
    if far_left is not None:
        s[far_left] = _split_sigmoid(beta * x[far_left])
        out[far_left] = _far_left_swish(x[far_left], beta)
    return out, s


def _swish_derivative(x, beta, s=None):
    s = _swish_gate(x, beta) if s is None else s
    d = _sigmoid_derivative(s)
    d *= x if beta == 1 else np.multiply(x, beta)
    d += s  # sigma + beta x sigma (1 - sigma)
    return d


register(
    Spec(
        "silu",
        forward=lambda x: _swish(x, 1.0),
        derivative=lambda x: _swish_derivative(x, 1.0),
        forward_cached=lambda x: _swish_cached(x, 1.0),
        derivative_cached=lambda x, s: _swish_derivative(x, 1.0, s),
        facts=_facts(
            r"x\,\sigma(x)",
            r"\sigma(x)\,(1 + x\,(1 - \sigma(x)))",
            (-0.2785, INF),
            r"[\approx -0.278, \infty)",
            False,
            False,
            True,
            ("soft", None),
            2016,  # first proposed by Hendrycks & Gimpel; named SiLU and studied in RL by Elfwing et al.
            "Hendrycks & Gimpel (2016), Gaussian error linear units; Elfwing, Uchibe & Doya (2018), Sigmoid-weighted linear units",
            "https://arxiv.org/abs/1606.08415",
            recommended_init="he",
            used_in="EfficientNet, YOLO, and inside SwiGLU (LLaMA, Mistral)",
            summary="the input gated by its own sigmoid (Swish with beta = 1)",
        ),
    )
)

register(
    Spec(
        "swish",
        forward=_swish,
        derivative=_swish_derivative,
        forward_cached=_swish_cached,
        derivative_cached=lambda x, s, beta: _swish_derivative(x, beta, s),
        defaults={"beta": 1.0},
        validate=lambda beta: _check_real(beta=beta),
        facts=_facts(
            r"x\,\sigma(\beta x)",
            r"\sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))",
            lambda beta: _swish_range(beta),
            lambda beta: (
                r"[\approx -0.278/\beta, \infty)"
                if beta > 0
                else r"(-\infty, \infty)"
                if beta == 0
                else r"(-\infty, \approx 0.278/|\beta|]"
            ),
            lambda beta: beta == 0,  # beta = 0: x/2
            lambda beta: beta == 0,
            True,
            lambda beta: ("soft", None) if beta > 0 else (None, None) if beta == 0 else (None, "soft"),
            2017,
            "Ramachandran, Zoph & Le (2017), Searching for activation functions",
            "https://arxiv.org/abs/1710.05941",
            recommended_init="he",
            used_in="found by automated search; beta = 1 is SiLU",
            summary="interpolates between x/2 (beta = 0) and ReLU (beta -> infinity)",
        ),
    )
)


def _hardswish(x):
    out = _relu6_shifted(x)
    out /= 6  # divide the gate by 6 before multiplying: x * 6 would overflow for huge x
    out *= x  # x ReLU6(x + 3) / 6
    return out


def _hardswish_derivative(x):
    # the middle piece x/3 + 1/2 on x clipped to [-3, 3] (finite everywhere), kept where -3 < x < 3,
    # plus 1 where x >= 3: the np.where of the three pieces as 0/1 masks
    d = np.clip(x, -3, 3, out=_new(x))
    d /= 3
    d += 0.5
    d *= (x > -3) & (x < 3)
    d += x >= 3
    return d


register(
    Spec(
        "hardswish",
        # Dividing the gate by 6 before multiplying keeps x * 6 from overflowing for huge x.
        forward=lambda x: _hardswish(x),
        # PyTorch: 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3 (so 0 at -3 and 1 at 3).
        derivative=lambda x: _hardswish_derivative(x),
        facts=_facts(
            r"x\,\frac{\mathrm{ReLU6}(x + 3)}{6}",
            r"0 \text{ if } x \le -3;\; \tfrac{2x + 3}{6} \text{ if } -3 < x < 3;\; 1 \text{ if } x \ge 3",
            (-0.375, INF),
            r"[-0.375, \infty)",
            False,
            False,
            False,
            ("hard", None),
            2019,
            "Howard et al. (2019), Searching for MobileNetV3",
            "https://arxiv.org/abs/1905.02244",
            kinks=(-3.0, 3.0),
            recommended_init="he",
            used_in="MobileNetV3 and other mobile/quantised models",
            summary="Swish with the sigmoid replaced by a piecewise-linear one",
        ),
    )
)


def _mish(x):
    out = np.tanh(stable_softplus(x))
    out *= x  # x tanh(softplus(x))
    return out


def _mish_derivative(x):
    t = stable_softplus(x)
    np.tanh(t, out=t)
    d = _tanh_derivative(t)
    d *= x
    d *= stable_sigmoid(x)
    d += t  # t + x (1 - t^2) sigma(x)
    return d


register(
    Spec(
        "mish",
        forward=_mish,
        derivative=_mish_derivative,
        facts=_facts(
            r"x \tanh(\mathrm{softplus}(x))",
            r"\tanh(\mathrm{sp}(x)) + x\,\sigma(x)\,(1 - \tanh^2(\mathrm{sp}(x)))",
            (-0.3089, INF),  # min -0.308843, rounded outward
            r"[\approx -0.309, \infty)",
            False,
            False,
            True,
            ("soft", None),
            2019,
            "Misra (2019), Mish: a self regularized non-monotonic activation function",
            "https://arxiv.org/abs/1908.08681",
            recommended_init="he",
            used_in="YOLOv4 and some vision models",
            summary="a smooth, non-monotonic relative of Swish",
        ),
    )
)

# --- functions of a whole vector -------------------------------------------


def _max(x, dim):
    """Max along dim, kept as a size-1 axis; -inf for an empty axis (torch: logsumexp of nothing is -inf)."""
    return np.max(x, axis=dim, keepdims=True, initial=-np.inf)


def _softmax(x, dim):
    _axis_size(x, dim)
    e = np.subtract(x, _max(x, dim), out=_new(x))  # the largest logit becomes 0: exp cannot overflow
    np.exp(e, out=e)
    e /= np.sum(e, axis=dim, keepdims=True)
    return e


def _softmax_vjp(x, grad_out, dim):
    return _softmax_vjp_out(_softmax(x, dim), grad_out, dim)


def _softmax_vjp_out(s, grad_out, dim):
    """s (g - sum(g s)), from the output s (as torch's backward)."""
    out = np.multiply(grad_out, s, out=_new(s))
    total = np.sum(out, axis=dim, keepdims=True)
    np.subtract(grad_out, total, out=out)
    out *= s
    return out


def _logsumexp(x, dim, keepdim=True):
    _axis_size(x, dim)
    m = _max(x, dim)
    m = np.where(np.isfinite(m), m, 0)  # all -inf row (or an empty one): keep -inf, not NaN
    out = m + np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True))
    return out if keepdim else np.squeeze(out, axis=dim)


def _log_softmax(x, dim):
    _axis_size(x, dim)
    # (x - max) - log(sum(exp(x - max))): subtracting the max first keeps the largest entry's
    # log-probability accurate to a few ulps of itself (x - LSE(x) would cancel down to eps * |x|).
    shifted = np.subtract(x, _max(x, dim), out=_new(x))
    e = np.exp(shifted)
    shifted -= np.log(np.sum(e, axis=dim, keepdims=True))
    return shifted


def _log_softmax_vjp(x, grad_out, dim):
    return _log_softmax_vjp_out(_log_softmax(x, dim), grad_out, dim)


def _log_softmax_vjp_out(y, grad_out, dim):
    """g - softmax(x) sum(g), with softmax(x) = exp(y) from the output y (as torch's backward)."""
    out = np.exp(y, out=_new(y))
    out *= np.sum(grad_out, axis=dim, keepdims=True)
    return np.subtract(grad_out, out, out=out)


def _reduced_shape(x, dim, keepdim):
    _axis_size(x, dim)
    axis = dim % x.ndim
    return tuple(1 if i == axis else n for i, n in enumerate(x.shape) if keepdim or i != axis)


def _same_shape(x, dim):
    _axis_size(x, dim)
    return x.shape


def _logsumexp_vjp(x, grad_out, dim, keepdim):
    g = grad_out if keepdim else np.expand_dims(grad_out, dim)
    return g * _softmax(x, dim)  # the gradient of LogSumExp is softmax


register(
    Spec(
        "softmax",
        forward=_softmax,
        vjp=_softmax_vjp,
        vjp_from_output=_softmax_vjp_out,
        output_shape=_same_shape,
        defaults={"dim": -1},
        validate=_check_dim,
        facts=_facts(
            r"\mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
            r"\partial s_i / \partial x_j = s_i(\delta_{ij} - s_j)",
            (0.0, 1.0),
            r"(0, 1),\ \text{sums to 1}",
            False,
            None,
            True,
            ("soft", "soft"),
            1990,
            "Bridle (1990), Probabilistic interpretation of feedforward classification network outputs",
            used_in="multi-class outputs; attention weights in transformers",
            summary="turns a vector of scores into a probability distribution",
            elementwise=False,
        ),
    )
)

register(
    Spec(
        "log_softmax",
        forward=_log_softmax,
        vjp=_log_softmax_vjp,
        vjp_from_output=_log_softmax_vjp_out,
        output_shape=_same_shape,
        defaults={"dim": -1},
        validate=_check_dim,
        facts=_facts(
            r"x_i - \log\sum_j e^{x_j}",
            r"\partial_j = \delta_{ij} - s_j",
            (-INF, 0.0),
            r"(-\infty, 0]",
            False,
            None,
            True,
            (None, None),
            1990,
            "log of softmax; the stable core of cross-entropy",
            used_in="cross-entropy loss (log-likelihood of the true class)",
            summary="log-probabilities, computed without overflow",
            elementwise=False,
        ),
    )
)

register(
    Spec(
        "logsumexp",
        forward=lambda x, dim, keepdim: _logsumexp(x, dim, keepdim),
        vjp=_logsumexp_vjp,
        output_shape=lambda x, dim, keepdim: _reduced_shape(x, dim, keepdim),
        defaults={"dim": -1, "keepdim": False},
        validate=lambda dim, keepdim: (_check_dim(dim), _check_bool(keepdim=keepdim)),
        facts=_facts(
            r"\mathrm{LSE}(x) = \log\sum_j e^{x_j}",
            r"\nabla \mathrm{LSE}(x) = \mathrm{softmax}(x)",
            (-INF, INF),
            r"(-\infty, \infty)",
            False,
            None,  # not elementwise (it rises with every x_j, but maps a vector to a number)
            True,
            (None, None),
            1990,
            "a smooth maximum; softplus is LSE(0, x)",
            used_in="normalising constants, cross-entropy, smooth max",
            summary="a smooth maximum of a vector; its gradient is softmax",
            elementwise=False,
        ),
    )
)


def _halves(x, dim):
    n = _axis_size(x, dim)
    if n % 2:
        raise ValueError(f"glu splits dim {dim} in two halves; its size must be even, got {n}")
    return np.split(x, 2, axis=dim)


def _glu(x, dim):
    a, b = _halves(x, dim)
    out = stable_sigmoid(b)
    out *= a  # a sigma(b)
    return out


def _glu_cached(x, dim):
    a, b = _halves(x, dim)
    s = stable_sigmoid(b)
    return np.multiply(s, a), s


def _glu_vjp(x, grad_out, dim, s=None):
    a, b = _halves(x, dim)
    s = stable_sigmoid(b) if s is None else s
    grad = np.empty_like(x, dtype=np.result_type(x, grad_out))
    grad_a, grad_b = _halves(grad, dim)
    np.multiply(grad_out, s, out=grad_a)  # g sigma(b)
    np.multiply(grad_out, a, out=grad_b)
    grad_b *= _sigmoid_derivative(s)  # g a sigma(b) (1 - sigma(b))
    return grad


register(
    Spec(
        "glu",
        forward=_glu,
        vjp=_glu_vjp,
        forward_cached=_glu_cached,
        vjp_cached=lambda x, s, grad_out, dim: _glu_vjp(x, grad_out, dim, s),
        output_shape=lambda x, dim: _halves(x, dim)[0].shape,
        defaults={"dim": -1},
        validate=_check_dim,
        facts=_facts(
            r"\mathrm{GLU}(a, b) = a \otimes \sigma(b)",
            r"(\sigma(b),\; a\,\sigma(b)(1 - \sigma(b)))",
            (-INF, INF),
            r"(-\infty, \infty)",
            False,
            None,
            True,
            (None, None),
            2017,
            "Dauphin, Fan, Auli & Grangier (2017), Language modeling with gated convolutional networks",
            "https://arxiv.org/abs/1612.08083",
            used_in="gated convolutions; SwiGLU/GeGLU variants in transformer feed-forward blocks",
            summary="splits the input in two halves and gates one with the sigmoid of the other",
            elementwise=False,
        ),
    )
)


def _maxout_groups(x, k):
    n = _axis_size(x, -1)
    if n % k:
        raise ValueError(
            f"maxout takes the max over groups of k={k} along the last axis; its size {n} is not a multiple of k"
        )
    return x.reshape(*x.shape[:-1], n // k, k)


def _maxout(x, k):
    # max over each group of k, as k - 1 elementwise maxima of strided views (np.max over an
    # axis of length k is a slow reduction loop per group)
    groups = _maxout_groups(x, k)
    out = groups[..., 0].copy()
    for j in range(1, k):
        np.maximum(out, groups[..., j], out=out)
    return out


def _maxout_vjp(x, grad_out, k):
    groups = _maxout_groups(x, k)
    best = _maxout(x, k)
    grad = np.zeros(groups.shape, dtype=np.result_type(x, grad_out))
    open_ = np.ones(best.shape, dtype=bool)  # ties: the first maximum gets the whole gradient
    for j in range(k):
        wins = groups[..., j] == best
        wins &= open_
        np.multiply(grad_out, wins, out=grad[..., j])
        open_ &= ~wins
    return grad.reshape(x.shape)


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"maxout k must be a positive integer, got {k!r}")


register(
    Spec(
        "maxout",
        forward=lambda x, k: _maxout(x, k),
        vjp=_maxout_vjp,
        output_shape=lambda x, k: _maxout_groups(x, k).shape[:-1],
        defaults={"k": 2},
        validate=_check_k,
        facts=_facts(
            r"h_i(x) = \max_{j \le k} z_{ij},\; z_{ij} = w_{ij}^\top x + b_{ij}",
            r"1 \text{ for the winning piece, } 0 \text{ for the others}",
            (-INF, INF),
            r"(-\infty, \infty)",
            False,
            None,
            False,
            (None, None),
            2013,
            "Goodfellow, Warde-Farley, Mirza, Courville & Bengio (2013), Maxout networks",
            "https://arxiv.org/abs/1302.4389",
            recommended_init="he",
            used_in="maxout networks (with dropout); a learned convex piecewise-linear function",
            summary="the maximum over k linear pieces: k times the parameters of a plain layer",
            elementwise=False,
        ),
    )
)


# ---------------------------------------------------------------------------
# The public object.
# ---------------------------------------------------------------------------

FACT_NAMES = tuple(_facts(*([None] * 10)).keys())

# IEEE results (inf from an overflow, NaN from inf - inf or NaN input) come back silently, as in
# torch; each formula is still written so that a finite input with a finite value stays finite.
IEEE_QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}


def _times(g: np.ndarray, d: np.ndarray, x: np.ndarray) -> np.ndarray:
    """g * f'(x): written into the array f'(x) when the derivative made a fresh one of the result's type.

    Saves one array of x's size in the backward pass (and its allocation); same numbers as g * d.
    """
    fresh = d is not x and d.flags.owndata and d.flags.writeable and d.shape == g.shape
    if fresh and d.dtype == np.result_type(g, d):
        return np.multiply(g, d, out=d)
    return g * d


def _input(x, name: str = "x") -> np.ndarray:
    return as_float_array(x, name=name, allow_nan=True)  # NaN in gives NaN out, as in torch


class Activation:
    """An activation function with its parameters fixed: call it, differentiate it, read its facts.

    Shape: input (*), output (*) for elementwise activations; ``softmax`` and
    ``log_softmax`` keep the shape, ``logsumexp`` drops ``dim``, ``glu`` halves
    ``dim`` and ``maxout`` divides the last axis by ``k``.

    Facts (attributes): ``formula`` and ``derivative_formula`` (LaTeX),
    ``output_range`` (low, high) and ``range_latex``, ``zero_centred`` (mean output
    is 0 for standard-normal input), ``monotonic`` (non-decreasing; None where not
    elementwise), ``smooth`` (continuously differentiable everywhere), ``kinks``,
    ``saturation`` (left, right: None, "soft" or "hard"), ``year``, ``reference``,
    ``url``, ``used_in``, ``summary``, ``recommended_init``, ``elementwise``.
    Facts are stated for the parameters given.
    """

    def __init__(self, spec: Spec, params: dict[str, Any]):
        self.spec = spec
        self.name = spec.name
        self.params = dict(params)
        self.stochastic = spec.stochastic
        self._state: dict[str, Any] = {}
        if spec.stochastic:
            self._state["rng"] = np.random.default_rng(params.get("seed"))
        for key, value in spec.facts.items():
            value = value(**self._fact_args(value)) if callable(value) else value
            setattr(self, key, bool(value) if isinstance(value, np.bool_) else value)

    def _fact_args(self, fn):
        names = fn.__code__.co_varnames[: fn.__code__.co_argcount]
        return {n: self.params[n] for n in names}

    # -- evaluation ---------------------------------------------------------
    def _kwargs(self, state=None):
        if self.spec.stochastic:
            return {**self.params, "state": self._state if state is None else state}
        return self.params

    def __call__(self, x):
        """f(x) for a numpy array (same dtype back) or an ``autograd.Tensor`` (a node in the graph)."""
        if isinstance(x, autograd.Tensor):
            return self._on_tensor(x)
        array = _input(x)
        with np.errstate(**IEEE_QUIET):
            return np.asarray(self.spec.forward(array, **self._kwargs()), dtype=array.dtype)

    def derivative(self, x) -> np.ndarray:
        """Elementwise f'(x). For stochastic activations in training mode: at the noise of the last call."""
        if self.spec.derivative is None:
            raise TypeError(f"{self.name} is not elementwise, so it has no scalar derivative; use .vjp(x, grad_out)")
        array = _input(x)
        with np.errstate(**IEEE_QUIET):
            return np.asarray(self.spec.derivative(array, **self._kwargs()), dtype=array.dtype)

    def vjp(self, x, grad_out) -> np.ndarray:
        """Vector-Jacobian product: the gradient w.r.t. x given the gradient w.r.t. f(x)."""
        return self._vjp(x, grad_out, state=None)

    def _vjp(self, x, grad_out, state):
        array = _input(x)
        g = _input(grad_out, name="grad_out")
        with np.errstate(**IEEE_QUIET):
            if self.elementwise:
                expected = array.shape
            elif self.spec.output_shape is not None:
                expected = self.spec.output_shape(array, **self.params)
            else:
                expected = self.spec.forward(array, **self.params).shape
            if g.shape != expected:
                raise ValueError(f"grad_out must have the output's shape {expected}, got {g.shape}")
            if self.spec.vjp is not None:
                result = self.spec.vjp(array, g, **self.params)
            else:
                result = _times(g, self.spec.derivative(array, **self._kwargs(state)), array)
        return np.asarray(result, dtype=np.result_type(array.dtype, g.dtype))

    def _on_tensor(self, x: autograd.Tensor) -> autograd.Tensor:
        saved, cache = x.data, None
        if self.spec.forward_cached is not None:
            with np.errstate(**IEEE_QUIET):
                out, cache = self.spec.forward_cached(saved, **self.params)
            out = np.asarray(out, dtype=saved.dtype)
        else:
            out = self(saved)
        state = dict(self._state)  # the noise this call drew, for the backward pass

        def backward(grad_out):
            with np.errstate(**IEEE_QUIET):
                if self.spec.vjp_cached is not None:
                    return (np.asarray(self.spec.vjp_cached(saved, cache, grad_out, **self.params), dtype=saved.dtype),)
                if self.spec.vjp_from_output is not None:
                    return (np.asarray(self.spec.vjp_from_output(out, grad_out, **self.params), dtype=saved.dtype),)
                if self.spec.vjp is not None:
                    return (np.asarray(self.spec.vjp(saved, grad_out, **self.params), dtype=saved.dtype),)
                if self.spec.derivative_cached is not None:
                    d = self.spec.derivative_cached(saved, cache, **self.params)
                elif self.spec.derivative_from_output is not None:
                    d = self.spec.derivative_from_output(out)
                else:
                    d = self.spec.derivative(saved, **self._kwargs(state))
                if grad_out.flags.writeable and grad_out.shape == d.shape and grad_out.dtype == saved.dtype:
                    return (np.multiply(grad_out, d, out=grad_out),)  # the engine's own array: reuse it
                return (_times(grad_out, d, saved),)

        return autograd.Tensor.from_op(out, parents=(x,), backward=backward, op=self.name)

    # -- description --------------------------------------------------------
    def facts(self) -> dict[str, Any]:
        """The facts as a dict (name and parameters first): one row of a properties table."""
        return {"name": self.name, "params": dict(self.params), **{k: getattr(self, k) for k in FACT_NAMES}}

    def with_params(self, **changes) -> Activation:
        """The same activation with some parameters changed (validated like ``get``)."""
        return get(self.name, **{**self.params, **changes})

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k not in ("seed",)}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"Activation({self.name!r}{', ' if args else ''}{args})"


def names() -> list[str]:
    """Sorted names of every registered activation."""
    return sorted(REGISTRY)


def get(name: str, **params) -> Activation:
    """The activation ``name`` with ``params`` (defaults as in ``torch.nn.functional``).

    Raises ``ValueError`` for an unknown name or parameter, listing what is allowed.
    """
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"unknown activation {name!r}; known activations are: {', '.join(names())}")
    spec = REGISTRY[name]
    unknown = sorted(set(params) - set(spec.defaults))
    if unknown:
        allowed = ", ".join(f"{k}={v!r}" for k, v in spec.defaults.items()) or "none"
        raise ValueError(f"{name} has no parameter {', '.join(unknown)}; its parameters are: {allowed}")
    full = {**spec.defaults, **params}
    if spec.validate is not None:
        spec.validate(**full)
    return Activation(spec, full)


def table(selected: list[str] | None = None) -> list[dict[str, Any]]:
    """Facts of several activations at their default parameters, one dict per row."""
    return [get(n).facts() for n in (selected or names())]
