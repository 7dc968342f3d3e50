"""Speed of the package against PyTorch: every activation, and an MLP training step.

    python scripts/activation_speed.py [--repeats N] [--json FILE]    (prints the markdown section)

scripts/measure_budgets.py runs the same measurement for the benchmarks page. Every time is
the smallest CPU time of this process (``time.process_time``) over ``repeats`` runs after one
warm-up: with one thread for both libraries, CPU time is the work done, and other processes on
a shared machine (which lengthen wall time) do not count. numpy, OpenBLAS and torch run on
one thread (numpy's elementwise loops are single-threaded anyway).

For each activation, float32 and float64, 10**6 elements:
- forward: ``a(x)`` against ``torch_function(x)``;
- forward + backward: through each library's autograd, ``a(Tensor(x))`` then ``backward(g)``
  against ``fn(leaf)`` then ``backward(g)`` (both keep what their backward pass needs).

The goal (issue 14): within 3x torch, or, where numpy has no equivalent of torch's vectorised
transcendental kernels, within 1.5x of the fastest plain-numpy formulation (``_bounds``: the
same formula in numpy without the overflow guards, temporaries updated in place).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ELEMENTS = 10**6
GOAL_TORCH = 3.0
GOAL_BOUND = 1.5
MLP_SIZES = [64, 256, 256, 10]
MLP_BATCH = 256
GOAL_MLP = 1.5


# Why an activation may stay over: the formulation that bounds it.
NOTES = {
    name: "the sigmoid family computes torch's 1/(1+exp(-x)) in place (four passes over memory), where "
    "torch fuses the formula into one pass; numpy's overflow flag redoes only the entries below "
    "-88.7 (float32) / -709.8 (float64) as e^x/(1+e^x)."
    for name in ("sigmoid", "silu", "swish", "glu")
}
NOTES["gelu"] = (
    "GELU is bound by scipy.special.erfc (numpy has no erf): about 15-20 ns per element in either "
    "dtype, where torch's vectorised erf takes 0.5 (float32)."
)


def cpu_ms(fn, repeats: int) -> float:
    """Smallest CPU time of ``fn()`` in milliseconds over ``repeats`` runs, after a warm-up."""
    fn()
    best = math.inf
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return 1000 * best


def _bounds():
    """name -> (the plain-numpy formulation in words, forward, forward + backward given (x, g))."""
    from scipy import special

    def sig(x):  # 1/(1+exp(-x)), in place: four passes
        out = np.negative(x)
        np.exp(out, out=out)
        out += 1
        return np.reciprocal(out, out=out)

    def sig_fb(x, g):
        s = sig(x)
        d = np.subtract(1, s)
        d *= s
        d *= g
        return s, d

    def silu(x):  # x/(1+exp(-x)), in place: four passes
        out = np.negative(x)
        np.exp(out, out=out)
        out += 1
        return np.divide(x, out, out=out)

    def silu_fb(x, g):  # forward, and g sigma (1 + x (1 - sigma)) with sigma = 1/d kept from it
        d = np.negative(x)
        np.exp(d, out=d)
        d += 1
        y = np.divide(x, d)
        s = np.reciprocal(d, out=d)
        grad = np.subtract(1, s)
        grad *= x
        grad += 1
        grad *= s
        grad *= g
        return y, grad

    def glu(x):  # a/(1+exp(-b)), in place
        a, b = split(x)
        out = np.negative(b)
        np.exp(out, out=out)
        out += 1
        return np.divide(a, out, out=out)

    def glu_fb(x, g):
        a, b = split(x)
        s = sig(b)
        ga = g * s
        gb = g * a
        d = np.subtract(1, s)
        d *= s
        gb *= d
        return a * s, ga, gb

    def softplus(x):  # log1p(exp(x)), in place
        out = np.exp(x)
        return np.log1p(out, out=out)

    def split(x):
        return np.split(x, 2, axis=-1)

    def softmax(x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def gelu_fb(x, g):
        c = 0.5 * special.erfc(-x / math.sqrt(2))
        return x * c, g * (c + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))

    def hardswish_fb(x, g):
        inner = (x > -3) & (x < 3)
        return x * np.clip(x + 3, 0, 6) / 6, g * (inner * (x / 3 + 0.5) + (x >= 3))

    def mish_fb(x, g):
        t = np.tanh(np.log1p(np.exp(x)))
        return x * t, g * (t + x * (1 - t * t) * sig(x))

    return {
        "sigmoid": ("1/(1+exp(-x))", sig, sig_fb),
        "logsigmoid": (
            "-log1p(exp(-x))",
            lambda x: -np.log1p(np.exp(-x)),
            lambda x, g: (-np.log1p(np.exp(-x)), g * sig(-x)),
        ),
        "softplus": ("log1p(exp(x))", softplus, lambda x, g: (softplus(x), g * sig(x))),
        "silu": ("x/(1+exp(-x))", silu, silu_fb),
        "swish": ("x/(1+exp(-x))", silu, silu_fb),
        "mish": ("x tanh(log1p(exp(x)))", lambda x: x * np.tanh(np.log1p(np.exp(x))), mish_fb),
        "gelu": (
            "x erfc(-x/sqrt 2)/2 (scipy.special.erfc)",
            lambda x: x * (0.5 * special.erfc(-x / math.sqrt(2))),
            gelu_fb,
        ),
        "elu": (
            "max(x,0) + expm1(min(x,0))",
            lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0)),
            lambda x, g: (np.maximum(x, 0) + np.expm1(np.minimum(x, 0)), g * np.exp(np.minimum(x, 0))),
        ),
        "selu": (
            "max(x,0) + expm1(min(x,0)), scaled",
            lambda x: 1.0507 * (np.maximum(x, 0) + 1.67 * np.expm1(np.minimum(x, 0))),
            lambda x, g: (np.maximum(x, 0) + np.expm1(np.minimum(x, 0)), g * np.exp(np.minimum(x, 0))),
        ),
        "celu": (
            "max(x,0) + expm1(min(x,0))",
            lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0)),
            lambda x, g: (np.maximum(x, 0) + np.expm1(np.minimum(x, 0)), g * np.exp(np.minimum(x, 0))),
        ),
        "glu": (
            "a/(1+exp(-b))",
            glu,
            glu_fb,
        ),
        "softmax": (
            "exp(x - max) / sum",
            softmax,
            lambda x, g: (lambda s: (s, s * (g - (g * s).sum(-1, keepdims=True))))(softmax(x)),
        ),
        "log_softmax": (
            "log(softmax(x))",
            lambda x: np.log(softmax(x)),
            lambda x, g: (lambda s: (np.log(s), g - s * g.sum(-1, keepdims=True)))(softmax(x)),
        ),
        "hardswish": ("x*clip(x+3,0,6)/6", lambda x: x * np.clip(x + 3, 0, 6) / 6, hardswish_fb),
        "hardsigmoid": (
            "clip(x+3,0,6)/6",
            lambda x: np.clip(x + 3, 0, 6) / 6,
            lambda x, g: (np.clip(x + 3, 0, 6) / 6, g * ((x > -3) & (x < 3)) / 6),
        ),
        "tanh": ("tanh(x)", np.tanh, lambda x, g: (lambda t: (t, g * (1 - t * t)))(np.tanh(x))),
    }


def measure(repeats: int = 15, log=print) -> dict:
    """Every activation with a torch counterpart, float32 and float64; and the MLP training step."""
    import torch

    from nonlinear import activations, reference

    torch.set_num_threads(1)
    bounds = _bounds()
    rows = []
    names = [n for n in activations.names() if reference.torch_function(n) is not None]
    for dtype in (np.float32, np.float64):
        x = np.random.default_rng(0).normal(0, 3, size=ELEMENTS).astype(dtype)
        x = x.reshape(1000, 1000)  # the vector activations work along the last axis
        for number, name in enumerate(names, start=1):
            log(f"[speed {np.dtype(dtype).name} {number}/{len(names)}] {name}")
            rows.append(_measure_one(name, x, repeats, bounds.get(name)))
    return {
        "rows": rows,
        "mlp": [measure_mlp(dtype, repeats * 2) for dtype in ("float32", "float64")],
        "repeats": repeats,
        "elements": ELEMENTS,
    }


def _measure_one(name: str, x: np.ndarray, repeats: int, bound) -> dict:
    import torch

    from nonlinear import activations, autograd, reference

    a, fn = activations.get(name), reference.torch_function(name)
    g = np.ones_like(a(x))
    xt, gt = torch.from_numpy(x), torch.from_numpy(g)
    leaf = xt.clone().requires_grad_(True)

    def ours_backward():
        a(autograd.Tensor(x, requires_grad=True)).backward(g)

    row = {
        "name": name,
        "dtype": x.dtype.name,
        "numpy_forward_ms": cpu_ms(lambda: a(x), repeats),
        "torch_forward_ms": cpu_ms(lambda: fn(xt), repeats),
        "numpy_backward_ms": cpu_ms(ours_backward, repeats),
        "torch_backward_ms": cpu_ms(lambda: fn(leaf).backward(gt), repeats),
    }
    if bound is not None:
        words, forward, both = bound
        with np.errstate(all="ignore"):  # the plain formulas overflow silently, as torch's do
            row["bound"] = words
            row["bound_forward_ms"] = cpu_ms(lambda: forward(x), repeats)
            row["bound_backward_ms"] = cpu_ms(lambda: both(x, g), repeats)
    row["verdict"] = verdict(row)
    return row


def verdict(row: dict) -> str:
    """Per direction (fwd / fwd+bwd): 'torch' within 3x torch, else 'bound' within 1.5x the plain-numpy formulation, else 'over'."""

    def one(kind: str) -> str:
        if row[f"numpy_{kind}_ms"] <= GOAL_TORCH * row[f"torch_{kind}_ms"]:
            return "torch"
        if "bound" in row and row[f"numpy_{kind}_ms"] <= GOAL_BOUND * row[f"bound_{kind}_ms"]:
            return "bound"
        return "over"

    return " / ".join(one(kind) for kind in ("forward", "backward"))


def measure_mlp(dtype: str, repeats: int) -> dict:
    """One Adam step of an MLP 64-256-256-10 (ReLU, cross-entropy) on a batch of 256, in each library."""
    import torch

    from nonlinear import nn

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(MLP_BATCH, MLP_SIZES[0])).astype(dtype), rng.integers(0, 10, size=MLP_BATCH)
    model = nn.MLP(MLP_SIZES, activation="relu", seed=0, dtype=dtype)
    optimiser = nn.Adam(model.parameters(), lr=1e-3)

    def ours():
        loss = nn.cross_entropy(model(X), y)
        optimiser.zero_grad()
        loss.backward(retain_graph=False)
        optimiser.step()

    layers = []
    for n_in, n_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        layers += [torch.nn.Linear(n_in, n_out, dtype=getattr(torch, dtype)), torch.nn.ReLU()]
    net = torch.nn.Sequential(*layers[:-1])
    torch_optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def theirs():
        loss = torch.nn.functional.cross_entropy(net(Xt), yt)
        torch_optimiser.zero_grad()
        loss.backward()
        torch_optimiser.step()

    return {"dtype": dtype, "numpy_ms": cpu_ms(ours, repeats), "torch_ms": cpu_ms(theirs, repeats)}


def _cell(ms: float | None) -> str:
    return "–" if ms is None else f"{ms:.2f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not (a and b) else f"{a / b:.1f}×"


def report(results: dict, torch_threads: int = 1) -> str:
    """The markdown section for the benchmarks page."""
    lines = [
        f"Smallest CPU time of {results['repeats']} runs (after a warm-up) on {results['elements']:,} elements "
        f"(1000 × 1000), in milliseconds; numpy, OpenBLAS and torch on {torch_threads} thread. *fwd+bwd*: "
        "each library's autograd, `a(Tensor(x))` then `backward(g)` against `f(leaf)` then `backward(g)`. "
        f"Goal: within {GOAL_TORCH:g}× torch both ways (*torch*), or within {GOAL_BOUND:g}× the plain-numpy "
        "formulation named in the last column where numpy has no fused transcendental kernel (*bound*); "
        "*over* misses both.",
        "",
        "| activation | dtype | numpy fwd | torch fwd | ratio | numpy fwd+bwd | torch fwd+bwd | ratio "
        "| plain-numpy formulation (fwd / fwd+bwd ms) | ours ÷ it | goal (fwd / fwd+bwd) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["rows"]:
        bound = (
            f"`{r['bound']}` ({_cell(r['bound_forward_ms'])} / {_cell(r['bound_backward_ms'])})"
            if "bound" in r
            else "–"
        )
        to_bound = (
            f"{_ratio(r['numpy_forward_ms'], r['bound_forward_ms'])} / {_ratio(r['numpy_backward_ms'], r['bound_backward_ms'])}"
            if "bound" in r
            else "–"
        )
        lines.append(
            f"| `{r['name']}` | {r['dtype']} | {_cell(r['numpy_forward_ms'])} | {_cell(r['torch_forward_ms'])} "
            f"| {_ratio(r['numpy_forward_ms'], r['torch_forward_ms'])} | {_cell(r['numpy_backward_ms'])} "
            f"| {_cell(r['torch_backward_ms'])} | {_ratio(r['numpy_backward_ms'], r['torch_backward_ms'])} "
            f"| {bound} | {to_bound} | {r['verdict']} |"
        )
    over = [f"`{r['name']}` ({r['dtype']})" for r in results["rows"] if "over" in r["verdict"]]
    lines += ["", f"Over both goals in at least one direction: {', '.join(over) if over else 'none'}."]
    notes = sorted({NOTES[r["name"]] for r in results["rows"] if "over" in r["verdict"] and r["name"] in NOTES})
    lines += [f"- {note}" for note in notes] + [""]
    lines += [
        f"MLP training step ({'-'.join(map(str, MLP_SIZES))}, ReLU, cross-entropy, Adam, batch {MLP_BATCH}; "
        f"goal within {GOAL_MLP:g}× torch in float32):",
        "",
        "| dtype | numpy step ms | torch step ms | ratio |",
        "|---|---|---|---|",
    ]
    for m in results["mlp"]:
        lines.append(
            f"| {m['dtype']} | {m['numpy_ms']:.2f} | {m['torch_ms']:.2f} | {_ratio(m['numpy_ms'], m['torch_ms'])} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args()
    results = measure(args.repeats, log=lambda message: print(message, file=sys.stderr, flush=True))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
