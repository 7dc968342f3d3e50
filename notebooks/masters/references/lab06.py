"""References and cases of lab 6 (modern activations)."""

from __future__ import annotations

import numpy as np
from common import cases, edge_and_random, rng_for, shape

from nonlinear import activations, nn

s = activations.stable_sigmoid
K = np.sqrt(2 / np.pi)


def hard_swish(x):
    return x * np.clip(x + 3, 0, 6) / 6


def swish_derivative(x, beta):
    g = s(beta * x)
    return g + beta * x * g * (1 - g)


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(K * (x + 0.044715 * x**3)))


def swiglu(x, W1, W3, W2, grad_out):
    """The block's output and the gradients of x, W1, W3, W2 for the upstream gradient grad_out."""
    a, b = x @ W1, x @ W3
    sa = s(a)
    gate = a * sa
    h = gate * b
    grad_h = grad_out @ W2.T
    grad_a = grad_h * b * (sa + a * sa * (1 - sa))
    grad_b = grad_h * gate
    return h @ W2, grad_a @ W1.T + grad_b @ W3.T, x.T @ grad_a, x.T @ grad_b, h.T @ grad_out


def swiglu_hidden_size(d, multiple_of):
    hidden = int(2 * (4 * d) / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def layer_statistics(activation, init, depth, width, n, seed):
    f = activations.get(activation)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, width))
    means, stds = [], []
    for _ in range(depth):
        x = f(x @ nn.initial_weights(width, width, init, rng))
        means.append(x.mean())
        stds.append(x.std())
    return np.array(means), np.array(stds)


def _x(rng, hidden):
    x = edge_and_random(rng)
    args = [(x,), (rng.normal(0, 3, size=(5, 4)),)]
    if hidden:
        args.append((np.array([-3.0, 3.0, -1.5, -2.999, 2.999, -1e6, 1e6, 0.0]),))
    return args


def ex6_1(rng, hidden):
    args = _x(rng, hidden)
    hints = [
        ("the gate ReLU6(x + 3) runs from 0 to 6: divide it by 6", lambda x: x * np.clip(x + 3, 0, 6)),
        ("that is the hard sigmoid (the gate) alone: multiply it by x", lambda x: np.clip(x + 3, 0, 6) / 6),
        ("shift before clipping: the gate is ReLU6(x + 3), not ReLU6(x)", lambda x: x * np.clip(x, 0, 6) / 6),
    ]
    return cases(hard_swish, args, [f"x of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex6_2(rng, hidden):
    x = edge_and_random(rng)
    betas = (1.0, 0.5, 2.0, 5.0) if hidden else (1.0, 0.5, 2.0)
    args = [(x, b) for b in betas]
    hints = [
        ("that is SiLU's derivative (beta = 1): the chain rule through sigma(beta x) brings a factor beta",
         lambda x, b: s(b * x) * (1 + x * (1 - s(b * x)))),
        ("that is the derivative of sigma(beta x) alone: Swish is x * sigma(beta x), use the product rule",
         lambda x, b: b * s(b * x) * (1 - s(b * x))),
        ("sigma(beta x) is only the first term of the product rule", lambda x, b: s(b * x)),
    ]
    return cases(swish_derivative, args, [f"beta = {b:g}" for _, b in args], () if hidden else hints)


def ex6_3(rng, hidden):
    args = _x(rng, hidden)
    hints = [
        ("that is the exact GELU x Phi(x); write the tanh approximation", activations.get("gelu")),
        ("that is the sigmoid approximation x sigma(1.702 x); write the tanh one", lambda x: x * s(1.702 * x)),
        ("a factor 1/2 is missing", lambda x: x * (1 + np.tanh(K * (x + 0.044715 * x**3)))),
        ("the constant is sqrt(2/pi) ≈ 0.798, not sqrt(2 pi)",
         lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 * np.pi) * (x + 0.044715 * x**3)))),
    ]
    return cases(gelu_tanh, args, [f"x of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex6_4(rng, hidden):
    sizes = [(3, 5, 4), (1, 2, 3), (9, 6, 10)] if hidden else [(5, 4, 6), (1, 3, 2), (16, 8, 12)]
    args = [(rng.normal(size=(t, d)), rng.normal(0, d**-0.5, size=(d, h)), rng.normal(0, d**-0.5, size=(d, h)),
             rng.normal(0, h**-0.5, size=(h, d)), rng.normal(size=(t, d))) for t, d, h in sizes]
    hints = [
        ("the linear branch x @ W3 is missing: SwiGLU multiplies SiLU(x W1) by x W3 elementwise",
         lambda x, W1, W3, W2, g: (x @ W1 * s(x @ W1)) @ W2),
        ("that is GLU (a sigmoid gate); SwiGLU gates with SiLU(x W1) = x W1 * sigma(x W1)",
         lambda x, W1, W3, W2, g: (s(x @ W1) * (x @ W3)) @ W2),
        ("W1 and W3 are swapped: SiLU goes on x @ W1", lambda x, W1, W3, W2, g: ((x @ W3) * s(x @ W3) * (x @ W1)) @ W2),
    ]
    labels = [f"{t} tokens, d = {d}, h = {h}" for t, d, h in sizes]
    return cases(swiglu, args, labels, () if hidden else hints)


def ex6_5(rng, hidden):
    drawn = [(int(rng.integers(1, 10000)), int(rng.choice([1, 8, 64, 128, 256]))) for _ in range(3)]
    pairs = [(4096, 256), (1, 1), (30, 7), *drawn] if hidden else [
        (48, 1), (768, 1), (100, 1), (100, 8), (96, 256), (4096, 256), (5120, 256)]
    hints = [
        ("4d is the plain FFN's width; a gated block has three matrices, so it needs 2/3 of it", lambda d, m: 4 * d),
        ("2/3 of the plain width 4d, not of d", lambda d, m: int(2 * d / 3)),
        ("round up to a multiple of multiple_of", lambda d, m: int(2 * (4 * d) / 3)),
        ("round *up* to the next multiple (LLaMA: 11008 for d = 4096)", lambda d, m: m * round(int(8 * d / 3) / m)),
    ]
    return cases(swiglu_hidden_size, pairs, [f"d = {d}, multiple_of = {m}" for d, m in pairs], () if hidden else hints)


def ex6_6(rng, hidden):
    seeds = rng.integers(0, 1000, size=2).tolist()
    args = [("selu", "lecun", 50, 128, 256, seeds[0]), ("gelu", "he", 6, 24, 40, seeds[1])] if hidden else [
        ("selu", "lecun", 10, 64, 128, 0), ("relu", "he", 8, 32, 64, 1), ("tanh", "xavier", 5, 16, 50, 2)]

    def variant(kind):
        def run(activation, init, depth, width, n, seed):
            f = activations.get(activation)
            r = np.random.default_rng(seed)
            x = r.normal(size=(n, width))
            means, stds = [], []
            for _ in range(depth):
                z = x @ nn.initial_weights(width, width, init, r)
                x = z if kind == "linear" else f(z)
                shown = z if kind == "preactivation" else x
                means.append(shown.mean())
                stds.append(shown.var() if kind == "variance" else shown.std())
            return np.array(means), np.array(stds)
        return run

    hints = [
        ("the activation is missing: x = f(x @ W)", variant("linear")),
        ("return the standard deviation (x.std()), not the variance", variant("variance")),
        ("those are the statistics of z = x @ W; measure the layer's output f(z)", variant("preactivation")),
    ]
    labels = [f"{a} with {i}, depth {d}, width {w}, n {n}, seed {sd}" for a, i, d, w, n, sd in args]
    return cases(layer_statistics, args, labels, () if hidden else hints)


def data(variant: int | None = None) -> dict:
    builders = {"ex6_1": ex6_1, "ex6_2": ex6_2, "ex6_3": ex6_3, "ex6_4": ex6_4, "ex6_5": ex6_5, "ex6_6": ex6_6}
    return {name: {"public": build(rng_for(None, name, public=True), False), "hidden": build(rng_for(variant, name), True)}
            for name, build in builders.items()}
