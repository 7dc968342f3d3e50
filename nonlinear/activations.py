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
# ---------------------------------------------------------------------------


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    r"""Logistic function :math:`\sigma(x) = 1/(1+e^{-x})` without overflow.

    For x < 0 it uses the equal form :math:`e^{x}/(1+e^{x})`, so ``exp`` only
    ever sees a non-positive argument.
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def stable_softplus(x: np.ndarray) -> np.ndarray:
    r""":math:`\log(1+e^{x}) = \max(x, 0) + \log(1+e^{-|x|})`, exact and overflow-free."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _exp_nonpositive(x: np.ndarray) -> np.ndarray:
    """exp(min(x, 0)): the exponential branch of ELU-like functions, never overflowing."""
    return np.exp(np.minimum(x, 0))


def _expm1_nonpositive(x: np.ndarray) -> np.ndarray:
    return np.expm1(np.minimum(x, 0))


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

register(
    Spec(
        "sigmoid",
        forward=lambda x: stable_sigmoid(x),
        # sigma' = sigma (1 - sigma): the derivative in terms of the output.
        derivative=lambda x: (lambda s: s * (1 - s))(stable_sigmoid(x)),
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
        forward=lambda x: -stable_softplus(-x),
        derivative=lambda x: stable_sigmoid(-x),  # d/dx log sigma(x) = 1 - sigma(x) = sigma(-x)
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

register(
    Spec(
        "softplus",
        # PyTorch: revert to the identity where beta*x > threshold.
        forward=lambda x, beta, threshold: np.where(beta * x > threshold, x, stable_softplus(beta * x) / beta),
        derivative=lambda x, beta, threshold: np.where(beta * x > threshold, 1.0, stable_sigmoid(beta * x)),
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

register(
    Spec(
        "tanh",
        forward=lambda x: np.tanh(x),
        derivative=lambda x: 1 - np.tanh(x) ** 2,
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
        forward=lambda x: x / (1 + np.abs(x)),
        derivative=lambda x: (1 / (1 + np.abs(x))) ** 2,  # square 1/(1+|x|), not 1+|x|: no overflow
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
            (-1.0, 1.0),
            "[-1, 1]",
            True,
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

register(
    Spec(
        "hardsigmoid",
        forward=lambda x: np.clip(x + 3, 0, 6) / 6,
        # PyTorch's CPU kernel multiplies by 1/6 rounded to float32 (0.16666667163...), even in
        # float64; we use the same constant so that both engines agree to the last digit.
        derivative=lambda x: np.where((x > -3) & (x < 3), HARDSIGMOID_SLOPE, 0.0).astype(x.dtype),
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
        forward=lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        derivative=lambda x, negative_slope: np.where(x > 0, 1.0, negative_slope).astype(x.dtype),
        defaults={"negative_slope": 0.01},
        validate=lambda negative_slope: _check_real(negative_slope=negative_slope),
        facts=_facts(
            r"\max(\alpha x, x)",
            r"1 \text{ if } x > 0 \text{ else } \alpha",
            (-INF, INF),
            r"(-\infty, \infty)",
            False,
            True,
            False,
            (None, None),
            2013,
            "Maas, Hannun & Ng (2013), Rectifier nonlinearities improve neural network acoustic models",
            kinks=(0.0,),
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
    contribution = np.where(x > 0, 0.0, grad_out * x)
    if w.size == 1:
        return np.asarray(contribution.sum()).reshape(w.shape)
    channel_axis = 1 if x.ndim >= 2 else 0
    axes = tuple(i for i in range(x.ndim) if i != channel_axis)
    return contribution.sum(axis=axes).reshape(w.shape)


register(
    Spec(
        "prelu",
        forward=lambda x, weight: np.where(x > 0, x, _prelu_weight(x, weight) * x),
        derivative=lambda x, weight: np.where(x > 0, 1.0, _prelu_weight(x, weight)).astype(x.dtype),
        defaults={"weight": 0.25},
        validate=lambda weight: _check_prelu_weight(weight),
        facts=_facts(
            r"\max(0, x) + a \min(0, x), \; a \text{ learned}",
            r"1 \text{ if } x > 0 \text{ else } a",
            (-INF, INF),
            r"(-\infty, \infty)",
            False,
            True,
            False,
            (None, None),
            2015,
            "He, Zhang, Ren & Sun (2015), Delving deep into rectifiers",
            "https://arxiv.org/abs/1502.01852",
            kinks=(0.0,),
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
        forward=lambda x, lower, upper, training, seed, state: np.where(
            x > 0, x, _rrelu_slopes(x, lower, upper, training, state) * x
        ),
        derivative=lambda x, lower, upper, training, seed, state: np.where(
            x > 0, 1.0, _stored_noise(x, state, "rrelu") if training else (lower + upper) / 2
        ).astype(x.dtype),
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
            (-INF, INF),
            r"(-\infty, \infty)",
            False,
            True,
            False,
            (None, None),
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

register(
    Spec(
        "leaky_relu6",
        forward=lambda x, negative_slope: np.minimum(np.where(x > 0, x, negative_slope * x), 6),
        derivative=lambda x, negative_slope: np.where(x >= 6, 0.0, np.where(x > 0, 1.0, negative_slope)).astype(
            x.dtype
        ),
        defaults={"negative_slope": 0.01},
        validate=lambda negative_slope: _check_real(negative_slope=negative_slope),
        facts=_facts(
            r"\min(\max(\alpha x, x), 6)",
            r"\alpha \text{ if } x \le 0;\; 1 \text{ if } 0 < x < 6;\; 0 \text{ if } x \ge 6",
            (-INF, 6.0),
            r"(-\infty, 6]",
            False,
            True,
            False,
            (None, "hard"),
            2019,
            "proposed in passing by source 000 (Jain, 2019); built and tested in chapter 6 of this course",
            kinks=(0.0, 6.0),
            recommended_init="he",
            used_in="nowhere in mainstream frameworks; this course's experiment",
            summary="leaky on the left like Leaky ReLU, capped at 6 like ReLU6",
        ),
    )
)

register(
    Spec(
        "elu",
        forward=lambda x, alpha: np.where(x > 0, x, alpha * _expm1_nonpositive(x)),
        # PyTorch: alpha * e^x for x <= 0, so alpha at x = 0.
        derivative=lambda x, alpha: np.where(x <= 0, alpha * _exp_nonpositive(x), 1.0).astype(x.dtype),
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
            ("soft", None),
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
        forward=lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * _expm1_nonpositive(x)),
        derivative=lambda x: (SELU_SCALE * np.where(x <= 0, SELU_ALPHA * _exp_nonpositive(x), 1.0)).astype(x.dtype),
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

register(
    Spec(
        "celu",
        # PyTorch: x if x > 0 else alpha (e^{x/alpha} - 1), for either sign of alpha; min(x, 0)
        # keeps exp from seeing the positive branch (it would overflow for alpha > 0).
        forward=lambda x, alpha: np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0) / alpha),
        # PyTorch: e^{x/alpha} for x <= 0 (so 1 at x = 0, and at NaN, like torch's kernel).
        derivative=lambda x, alpha: np.where(x <= 0, np.exp(np.minimum(x, 0) / alpha), 1.0).astype(x.dtype),
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
    return 0.5 * special.erfc(-x / _SQRT2)


def _normal_pdf(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _gelu_tanh_parts(x):
    """tanh(k (x + c x^3)) for the tanh approximation; x is clipped where tanh is already +-1."""
    xc = np.clip(x, -100, 100)
    return xc, np.tanh(_GELU_TANH_K * (xc + _GELU_TANH_C * xc**3))


def _gelu(x, approximate):
    if approximate == "tanh":
        _, t = _gelu_tanh_parts(x)
        return 0.5 * x * (1 + t)
    return x * _normal_cdf(x)


def _gelu_derivative(x, approximate):
    if approximate == "tanh":
        xc, t = _gelu_tanh_parts(x)
        return 0.5 * (1 + t) + 0.5 * xc * (1 - t * t) * _GELU_TANH_K * (1 + 3 * _GELU_TANH_C * xc * xc)
    return _normal_cdf(x) + x * _normal_pdf(np.clip(x, -100, 100))


def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu approximate must be 'none' or 'tanh', got {approximate!r}")


register(
    Spec(
        "gelu",
        forward=_gelu,
        derivative=_gelu_derivative,
        defaults={"approximate": "none"},
        validate=_check_approximate,
        facts=_facts(
            r"x\,\Phi(x) = \tfrac{x}{2}\left(1 + \mathrm{erf}(x/\sqrt{2})\right)",
            r"\Phi(x) + x\,\varphi(x)",
            (-0.17, INF),
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


def _swish(x, beta):
    return x * stable_sigmoid(beta * x)


def _swish_derivative(x, beta):
    s = stable_sigmoid(beta * x)
    return s + beta * x * s * (1 - s)


register(
    Spec(
        "silu",
        forward=lambda x: _swish(x, 1.0),
        derivative=lambda x: _swish_derivative(x, 1.0),
        facts=_facts(
            r"x\,\sigma(x)",
            r"\sigma(x)\,(1 + x\,(1 - \sigma(x)))",
            (-0.2785, INF),
            r"[\approx -0.278, \infty)",
            False,
            False,
            True,
            ("soft", None),
            2018,
            "Elfwing, Uchibe & Doya (2018), Sigmoid-weighted linear units; Hendrycks & Gimpel (2016)",
            "https://arxiv.org/abs/1702.03118",
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
        defaults={"beta": 1.0},
        validate=lambda beta: _check_real(beta=beta),
        facts=_facts(
            r"x\,\sigma(\beta x)",
            r"\sigma(\beta x) + \beta x\,\sigma(\beta x)(1 - \sigma(\beta x))",
            (-0.2785, INF),
            r"[\approx -0.278/\beta, \infty)",
            False,
            False,
            True,
            ("soft", None),
            2017,
            "Ramachandran, Zoph & Le (2017), Searching for activation functions",
            "https://arxiv.org/abs/1710.05941",
            recommended_init="he",
            used_in="found by automated search; beta = 1 is SiLU",
            summary="interpolates between x/2 (beta = 0) and ReLU (beta -> infinity)",
        ),
    )
)

register(
    Spec(
        "hardswish",
        # Dividing the gate by 6 before multiplying keeps x * 6 from overflowing for huge x.
        forward=lambda x: x * (np.clip(x + 3, 0, 6) / 6),
        # PyTorch: 0 for x <= -3, x/3 + 1/2 for -3 < x < 3, 1 for x >= 3 (so 0 at -3 and 1 at 3).
        derivative=lambda x: np.where(x <= -3, 0.0, np.where(x < 3, x / 3 + 0.5, 1.0)).astype(x.dtype),
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
    return x * np.tanh(stable_softplus(x))


def _mish_derivative(x):
    t = np.tanh(stable_softplus(x))
    return t + x * (1 - t * t) * stable_sigmoid(x)


register(
    Spec(
        "mish",
        forward=_mish,
        derivative=_mish_derivative,
        facts=_facts(
            r"x \tanh(\mathrm{softplus}(x))",
            r"\tanh(\mathrm{sp}(x)) + x\,\sigma(x)\,(1 - \tanh^2(\mathrm{sp}(x)))",
            (-0.3088, INF),
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
    shifted = x - _max(x, dim)  # the largest logit becomes 0: exp cannot overflow
    e = np.exp(shifted)
    return e / np.sum(e, axis=dim, keepdims=True)


def _softmax_vjp(x, grad_out, dim):
    s = _softmax(x, dim)
    return s * (grad_out - np.sum(grad_out * s, axis=dim, keepdims=True))


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
    shifted = x - _max(x, dim)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


def _log_softmax_vjp(x, grad_out, dim):
    return grad_out - _softmax(x, dim) * np.sum(grad_out, axis=dim, keepdims=True)


def _logsumexp_vjp(x, grad_out, dim, keepdim):
    g = grad_out if keepdim else np.expand_dims(grad_out, dim)
    return g * _softmax(x, dim)  # the gradient of LogSumExp is softmax


register(
    Spec(
        "softmax",
        forward=_softmax,
        vjp=_softmax_vjp,
        defaults={"dim": -1},
        validate=_check_dim,
        facts=_facts(
            r"\mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
            r"\partial s_i / \partial x_j = s_i(\delta_{ij} - s_j)",
            (0.0, 1.0),
            "(0, 1), sums to 1",
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
        defaults={"dim": -1, "keepdim": False},
        validate=lambda dim, keepdim: (_check_dim(dim), _check_bool(keepdim=keepdim)),
        facts=_facts(
            r"\mathrm{LSE}(x) = \log\sum_j e^{x_j}",
            r"\nabla \mathrm{LSE}(x) = \mathrm{softmax}(x)",
            (-INF, INF),
            r"(-\infty, \infty)",
            False,
            True,
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
    return a * stable_sigmoid(b)


def _glu_vjp(x, grad_out, dim):
    a, b = _halves(x, dim)
    s = stable_sigmoid(b)
    return np.concatenate([grad_out * s, grad_out * a * s * (1 - s)], axis=dim)


register(
    Spec(
        "glu",
        forward=_glu,
        vjp=_glu_vjp,
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


def _maxout_vjp(x, grad_out, k):
    groups = _maxout_groups(x, k)
    winner = np.argmax(groups, axis=-1)  # ties: the first maximum gets the whole gradient
    grad = np.zeros_like(groups)
    np.put_along_axis(grad, winner[..., None], grad_out[..., None], axis=-1)
    return grad.reshape(x.shape)


def _check_k(k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"maxout k must be a positive integer, got {k!r}")


register(
    Spec(
        "maxout",
        forward=lambda x, k: np.max(_maxout_groups(x, k), axis=-1),
        vjp=_maxout_vjp,
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
            setattr(self, key, value(**self._fact_args(value)) if callable(value) else value)

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
            expected = array.shape if self.elementwise else self.spec.forward(array, **self.params).shape
            if g.shape != expected:
                raise ValueError(f"grad_out must have the output's shape {expected}, got {g.shape}")
            if self.spec.vjp is not None:
                result = self.spec.vjp(array, g, **self.params)
            else:
                result = _times(g, self.spec.derivative(array, **self._kwargs(state)), array)
        return np.asarray(result, dtype=np.result_type(array.dtype, g.dtype))

    def _on_tensor(self, x: autograd.Tensor) -> autograd.Tensor:
        saved = x.data
        out = self(saved)
        state = dict(self._state)  # the noise this call drew, for the backward pass

        def backward(grad_out):
            with np.errstate(**IEEE_QUIET):
                if self.spec.vjp is not None:
                    return (np.asarray(self.spec.vjp(saved, grad_out, **self.params), dtype=saved.dtype),)
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
