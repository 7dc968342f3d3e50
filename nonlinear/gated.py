r"""Gated feed-forward blocks (GLU and its variants) on the package's autograd engine.

Shazeer (2020) writes a transformer's feed-forward block without biases as
:math:`\mathrm{FFN}_f(x) = f(xW_1)\,W_2` and its gated variants as
:math:`\mathrm{FFN}_{fGLU}(x) = \bigl(f(xW_1) \otimes xV\bigr)\,W_2`:
GLU (:math:`f = \sigma`), Bilinear (no f), ReGLU (ReLU), GEGLU (GELU) and
SwiGLU (Swish/SiLU). A gated block has three matrices instead of two, so at
hidden size :math:`h_g = \tfrac23 h` it has the same :math:`3 d h_g = 2 d h`
weights as a plain block of hidden size h.

>>> from nonlinear import gated
>>> model = gated.FFNClassifier(40, 10, "swiglu", d=32, hidden=96, seed=0)
>>> model.ffn_parameter_count() == gated.FFNClassifier(40, 10, "relu", d=32, hidden=96).ffn_parameter_count()
True
"""

from __future__ import annotations

import numpy as np

from nonlinear import activations, nn
from nonlinear.autograd import Tensor

# variant name -> (activation of the first branch, or None for none; gated?)
VARIANTS: dict[str, tuple[str | None, bool]] = {
    "relu": ("relu", False),
    "gelu": ("gelu", False),
    "silu": ("silu", False),
    "glu": ("sigmoid", True),
    "bilinear": (None, True),
    "reglu": ("relu", True),
    "geglu": ("gelu", True),
    "swiglu": ("silu", True),
}


def gated_hidden(hidden: int) -> int:
    """Hidden size of a gated block with the weights of a plain block of size ``hidden``: 2/3 of it, rounded."""
    return int(round(2 * hidden / 3))


class FFNBlock(nn.Module):
    r"""One bias-free feed-forward block: plain :math:`f(xW_1)W_2` or gated :math:`(f(xW_1) \otimes xV)W_2`.

    ``variant`` is a key of :data:`VARIANTS`. ``hidden`` is the *plain* block's
    hidden size; a gated block uses :func:`gated_hidden` of it, so both have
    the same number of weights. Weights are LeCun-normal (variance 1/fan-in).
    """

    def __init__(self, d: int, hidden: int, variant: str, rng: np.random.Generator):
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
        name, self.gated = VARIANTS[variant]
        self.variant = variant
        self.activation = activations.get(name) if name is not None else None
        h = gated_hidden(hidden) if self.gated else hidden
        self.w1 = nn.Linear(d, h, init="lecun", bias=False, rng=rng)
        self.v = nn.Linear(d, h, init="lecun", bias=False, rng=rng) if self.gated else None
        self.w2 = nn.Linear(h, d, init="lecun", bias=False, rng=rng)

    def forward(self, x: Tensor) -> Tensor:
        a = self.w1(x)
        if self.activation is not None:
            a = self.activation(a)
        if self.gated:
            a = a * self.v(x)
        return self.w2(a)

    def children(self) -> list[nn.Module]:
        return [m for m in (self.w1, self.v, self.w2) if m is not None]

    def parameters(self) -> list[Tensor]:
        return [p for m in self.children() for p in m.parameters()]


class FFNClassifier(nn.Module):
    """Inputs -> Linear(d) -> x + FFN(x) (one residual block) -> Linear(classes): a small testbed for the variants."""

    def __init__(self, n_in: int, n_classes: int, variant: str, d: int = 32, hidden: int = 96, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.embed = nn.Linear(n_in, d, init="lecun", rng=rng)
        self.readout = nn.Linear(d, n_classes, init="lecun", rng=rng)
        # the block draws from its own stream, so every variant shares the embedding and read-out of a seed
        self.block = FFNBlock(d, hidden, variant, np.random.default_rng([seed, 1]))

    def forward(self, x: Tensor) -> Tensor:
        h = self.embed(x)
        return self.readout(h + self.block(h))

    def children(self) -> list[nn.Module]:
        return [self.embed, self.block, self.readout]

    def parameters(self) -> list[Tensor]:
        return [p for m in self.children() for p in m.parameters()]

    def ffn_parameter_count(self) -> int:
        """Number of weights in the feed-forward block (what the parameter matching equalises)."""
        return sum(p.data.size for p in self.block.parameters())


def train_variant(
    variant: str,
    dataset,
    seed: int = 0,
    epochs: int = 10,
    lr: float = 3e-3,
    batch_size: int = 128,
    d: int = 32,
    hidden: int = 96,
) -> nn.History:
    """Train one :class:`FFNClassifier` with Adam; the seed fixes the shared layers, the block and the batch order."""
    model = FFNClassifier(dataset.n_features, dataset.n_classes, variant, d=d, hidden=hidden, seed=seed)
    return nn.train(
        model,
        dataset.X_train,
        dataset.y_train,
        optimizer=nn.Adam(model.parameters(), lr=lr),
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        X_test=dataset.X_test,
        y_test=dataset.y_test,
        progress=False,
    )
