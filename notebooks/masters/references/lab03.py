"""References and cases of lab 3 (backpropagation)."""

from __future__ import annotations

import numpy as np
from common import cases, edge_and_random, rng_for, shape

from nonlinear import activations


def sigmoid_vjp(x, g):
    s = activations.stable_sigmoid(x)
    return g * s * (1 - s)


def linear_backward(x, W, g):
    return g @ W.T, x.T @ g, g.sum(axis=0)


def mse_backward(p, t):
    return 2 * (p - t) / p.size


def sgd_step(p, g, lr):
    return p - lr * g


def exact_gradient(name, x, eps):
    """The exact gradients of exercise 3.5's functions (what central differences approximate)."""
    if name == "cubic":
        return 3 * x**2 + 3 * np.cos(3 * x)
    if name == "exp_sum":
        return np.exp(x / 4) / 4
    v = x.ravel()
    grad = np.zeros_like(v)
    grad[:-1] += v[1:]
    grad[1:] += v[:-1]
    return grad.reshape(x.shape)


def two_layer_gradients(x, y, W1, b1, W2, b2):
    h = np.tanh(x @ W1 + b1)
    prediction = h @ W2 + b2
    grad_h, grad_W2, grad_b2 = linear_backward(h, W2, mse_backward(prediction, y))
    _, grad_W1, grad_b1 = linear_backward(x, W1, grad_h * (1 - h**2))
    return grad_W1, grad_b1, grad_W2, grad_b2


def ex3_1(rng, hidden):
    x = edge_and_random(rng)
    x2 = rng.normal(0, 3, size=(4, 5))
    args = [(x, rng.normal(size=x.shape)), (x2, rng.normal(size=x2.shape))]
    if hidden:
        xs = np.linspace(-30, 30, 122)
        args += [(xs, np.cos(xs)), (np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0, -40.0]), np.full(6, 2.0))]
    s = activations.stable_sigmoid
    hints = [
        ("sigma'(x) = sigma(x) (1 - sigma(x)): a minus, not a plus", lambda x, g: g * s(x) * (1 + s(x))),
        ("you returned sigma'(x) alone: multiply it by grad_out (the chain rule)", lambda x, g: s(x) * (1 - s(x))),
        ("the derivative of sigma is not sigma: differentiate 1/(1 + e^-x)", lambda x, g: g * s(x)),
        ("the sign is flipped", lambda x, g: -sigmoid_vjp(x, g)),
    ]
    return cases(sigmoid_vjp, args, [f"x of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex3_2(rng, hidden):
    sizes = [(7, 3, 2), (3, 5, 5), (1, 4, 1), (9, 2, 6)] if hidden else [(5, 3, 4), (1, 2, 2), (8, 6, 3), (4, 4, 4)]
    args = [(rng.normal(size=(n, a)), rng.normal(size=(a, b)), rng.normal(size=(n, b))) for n, a, b in sizes]
    hints = [
        ("grad_b sums over the batch (every example adds its gradient), it does not average",
         lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0))),
        ("grad_W sums over the batch; the loss already carries any 1/N",
         lambda x, W, g: (g @ W.T, x.T @ g / len(x), g.sum(axis=0))),
        ("grad_x = grad_out @ W.T (transpose W): shapes (N, out) @ (out, in)",
         lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0))),
    ]
    labels = [f"x {shape(a[0])}, W {shape(a[1])}" for a in args]
    return cases(linear_backward, args, labels, () if hidden else hints)


def ex3_3(rng, hidden):
    shapes = [(7, 2), (3,), (1, 1), (4, 5)] if hidden else [(6, 1), (5, 3), (1, 1), (10,)]
    args = [(rng.normal(size=s), rng.normal(size=s)) for s in shapes]
    hints = [
        ("the derivative of u**2 is 2u: a factor 2 is missing", lambda p, t: (p - t) / p.size),
        ("the sign is flipped: differentiate with respect to the prediction", lambda p, t: 2 * (t - p) / p.size),
        ("the loss is a mean: divide by the number of entries", lambda p, t: 2 * (p - t)),
        ("the mean is over every entry, not only the rows: divide by prediction.size", lambda p, t: 2 * (p - t) / len(p)),
    ]
    return cases(mse_backward, args, [f"prediction of shape {shape(a[0])}" for a in args], () if hidden else hints)


def ex3_4(rng, hidden):
    if hidden:
        args = [(rng.normal(size=(2, 5)), rng.normal(size=(2, 5)), 0.03), (rng.normal(size=7), rng.normal(size=7), 1.5),
                (np.ones((3, 3)), np.full((3, 3), -2.0), 0.25)]
    else:
        args = [(rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.1), (rng.normal(size=4), rng.normal(size=4), 0.5),
                (np.zeros(3), np.ones(3), 2.0)]
    hints = [
        ("step against the gradient: param - lr * grad", lambda p, g, lr: p + lr * g),
        ("scale the gradient by the learning rate", lambda p, g, lr: p - g),
    ]
    return cases(sgd_step, args, [f"param of shape {shape(a[0])}, lr = {a[2]:g}" for a in args], () if hidden else hints)


def ex3_5(rng, hidden):
    if hidden:
        args = [("cubic", rng.normal(size=4), 1e-4), ("exp_sum", rng.normal(size=(3, 2)), 1e-4),
                ("chain", rng.normal(size=(2, 4)), 1e-3)]
    else:
        args = [("cubic", rng.normal(size=5), 1e-4), ("cubic", rng.normal(size=(2, 3)), 1e-4),
                ("chain", rng.normal(size=6), 1e-4)]
    from nonlinear.checks.lab03 import test_function

    def forward(f, x, eps):
        f, grad = test_function(f), np.zeros_like(x)
        for i in range(x.size):
            step = np.zeros_like(x)
            step.flat[i] = eps
            grad.flat[i] = (f(x + step) - f(x)) / eps
        return grad

    hints = [
        ("that is the one-sided difference (f(x+h) - f(x))/h, accurate only to O(h): use f(x+h) - f(x-h)", forward),
        ("f(x+h) - f(x-h) spans 2h: divide by 2*eps", lambda f, x, eps: 2 * exact_gradient(f, x, eps)),
    ]
    labels = [f"f = {a[0]}, x of shape {shape(a[1])}, eps = {a[2]:g}" for a in args]
    return cases(exact_gradient, args, labels, () if hidden else hints)


def ex3_6(rng, hidden):
    sizes = [(5, 2, 4, 3), (1, 3, 2, 1), (12, 5, 7, 2)] if hidden else [(8, 3, 5, 1), (4, 2, 3, 2), (16, 4, 6, 1)]
    args = [(rng.normal(size=(n, d)), rng.normal(size=(n, o)), rng.normal(size=(d, h)), rng.normal(size=h),
             rng.normal(size=(h, o)), rng.normal(size=o)) for n, d, h, o in sizes]

    def no_tanh_factor(x, y, W1, b1, W2, b2):
        h = np.tanh(x @ W1 + b1)
        g = 2 * (h @ W2 + b2 - y) / y.size
        gh = g @ W2.T
        return x.T @ gh, gh.sum(axis=0), h.T @ g, g.sum(axis=0)

    def tanh_twice(x, y, W1, b1, W2, b2):
        h = np.tanh(x @ W1 + b1)
        g = 2 * (h @ W2 + b2 - y) / y.size
        gz = (g @ W2.T) * (1 - np.tanh(h) ** 2)
        return x.T @ gz, gz.sum(axis=0), h.T @ g, g.sum(axis=0)

    hints = [
        ("the chain rule through tanh is missing: multiply by tanh'(z) = 1 - tanh(z)**2", no_tanh_factor),
        ("tanh'(z) = 1 - h**2 with h = tanh(z); you applied tanh a second time", tanh_twice),
    ]
    labels = [f"batch {n}, {d} inputs, {h} hidden, {o} outputs" for n, d, h, o in sizes]
    return cases(two_layer_gradients, args, labels, () if hidden else hints)


def data(variant: int | None = None) -> dict:
    builders = {"ex3_1": ex3_1, "ex3_2": ex3_2, "ex3_3": ex3_3, "ex3_4": ex3_4, "ex3_5": ex3_5, "ex3_6": ex3_6}
    return {name: {"public": build(rng_for(None, name, public=True), False), "hidden": build(rng_for(variant, name), True)}
            for name, build in builders.items()}
