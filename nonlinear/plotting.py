"""One house style for every figure: labelled axes, a colour-blind-safe palette, f and f' side by side.

The palette is Okabe & Ito's (2008), distinguishable with the common forms of
colour blindness; line styles vary too, so figures survive greyscale printing.

>>> from nonlinear import activations, plotting
>>> fig = plotting.plot_activation(activations.get("tanh"))
"""

from __future__ import annotations

from itertools import cycle

import matplotlib

matplotlib.use(matplotlib.get_backend())  # keep the notebook's backend; Agg when headless

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nonlinear import activations  # noqa: E402

PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
COLOURS = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]


def use_house_style() -> None:
    """Set matplotlib defaults: palette, readable fonts, light grid, tight layout."""
    plt.rcParams.update(
        {
            "axes.prop_cycle": matplotlib.cycler(color=COLOURS),
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.constrained_layout.use": True,
            "image.cmap": "cividis",
        }
    )


use_house_style()


def colour(i: int) -> str:
    """The i-th colour of the palette (wraps around)."""
    return COLOURS[i % len(COLOURS)]


def linestyle(i: int):
    return LINESTYLES[i % len(LINESTYLES)]


def _grid(x):
    return np.linspace(-5, 5, 1001) if x is None else np.asarray(x, dtype=np.float64)


def _label(a: activations.Activation) -> str:
    shown = {k: v for k, v in a.params.items() if k not in ("seed", "training")}
    return a.name + (
        ""
        if not shown
        else "(" + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items()) + ")"
    )


def plot_activation(a, x=None, axes=None, label: str | None = None, i: int = 0, title: bool = True):
    """Draw f (left) and f' (right) of one activation; returns the figure.

    ``a`` is an :class:`~nonlinear.activations.Activation` or a name. Pass
    ``axes`` (two axes) to overlay several activations, with ``i`` choosing the
    colour and line style.
    """
    a = activations.get(a) if isinstance(a, str) else a
    if not a.elementwise:
        raise ValueError(f"{a.name} is not elementwise: plot it with a bar chart of its output vector instead")
    x = _grid(x)
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    fig = axes[0].figure
    style = dict(color=colour(i), linestyle=linestyle(i), linewidth=2, label=label or _label(a))
    axes[0].plot(x, a(x), **style)
    axes[1].plot(x, a.derivative(x), **style)
    for ax, what in zip(axes, ("f(x)", "f′(x)")):
        ax.set_xlabel("pre-activation x")
        ax.set_ylabel(what)
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.axvline(0, color="grey", linewidth=0.8)
    if title:
        axes[0].set_title("activation f")
        axes[1].set_title("derivative f′")
    axes[0].legend(loc="upper left")
    return fig


def plot_activations(names, x=None, params=None, title: str | None = None):
    """Overlay several activations on one pair of f / f' axes. ``params`` maps name -> dict."""
    params = params or {}
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, name in enumerate(names):
        plot_activation(activations.get(name, **params.get(name, {})), x=x, axes=axes, i=i)
    axes[0].legend(loc="upper left", ncol=1 if len(names) < 5 else 2)
    if title:
        fig.suptitle(title)
    return fig


def small_multiples(names, x=None, columns: int = 4, derivative: bool = True):
    """One small panel per activation (f solid, f' dashed), sharing axes for comparison."""
    names = list(names)
    rows = int(np.ceil(len(names) / columns))
    fig, axes = plt.subplots(
        rows, columns, figsize=(3.0 * columns, 2.5 * rows), sharex=True, sharey=True, squeeze=False
    )
    x = _grid(x)
    for ax, name in zip(axes.flat, names):
        a = activations.get(name)
        ax.plot(x, a(x), color=colour(0), linewidth=2, label="f")
        if derivative:
            ax.plot(x, a.derivative(x), color=colour(1), linestyle="--", linewidth=1.8, label="f′")
        ax.set_title(name)
        ax.axhline(0, color="grey", linewidth=0.6)
        ax.axvline(0, color="grey", linewidth=0.6)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("x")
    for ax in axes[:, 0]:
        ax.set_ylabel("value")
    axes.flat[0].legend(loc="upper left")
    return fig


def plot_decision_boundary(predict, X, y, ax=None, title: str = "", resolution: int = 200, padding: float = 0.5):
    """Shade the class a 2-d classifier predicts; ``predict`` maps an (N, 2) array to class indices."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-d inputs of shape (N, 2), got {X.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    classes = np.asarray(predict(np.stack([gx.ravel(), gy.ravel()], axis=1))).reshape(gx.shape)
    n_classes = int(max(classes.max(), np.max(y)) + 1)
    cmap = matplotlib.colors.ListedColormap([colour(i) for i in range(n_classes)])
    ax.contourf(gx, gy, classes, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    markers = cycle(["o", "s", "^", "D", "v"])
    for c, marker in zip(range(n_classes), markers):
        ax.scatter(
            *X[np.asarray(y) == c].T,
            s=12,
            color=colour(c),
            marker=marker,
            edgecolor="white",
            linewidth=0.3,
            label=f"class {c}",
        )
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title)
    ax.set_aspect("equal", adjustable="box")
    return ax


def plot_graph(root, ax=None, value_format: str = "{:.3g}"):
    """Draw the computational graph that produced ``root`` (an autograd Tensor), inputs on the left.

    Each node shows its label or operation and, for scalars, its value and gradient.
    """
    from nonlinear.autograd import graph  # local import: plotting does not otherwise need the engine

    nodes, edges = graph(root)
    depth: dict[int, int] = {}
    for node in nodes:
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents), default=-1)
    columns: dict[int, list] = {}
    for node in nodes:
        columns.setdefault(depth[id(node)], []).append(node)
    position = {}
    for d, members in columns.items():
        for k, node in enumerate(members):
            position[id(node)] = (d, -(k - (len(members) - 1) / 2))
    if ax is None:
        width = 1.9 * (max(columns) + 1)
        height = 1.1 * max(len(m) for m in columns.values()) + 0.6
        _, ax = plt.subplots(figsize=(max(width, 5), max(height, 2.5)))
    for parent, child in edges:
        (x0, y0), (x1, y1) = position[id(parent)], position[id(child)]
        ax.annotate(
            "",
            xy=(x1 - 0.32, y1),
            xytext=(x0 + 0.32, y0),
            arrowprops=dict(arrowstyle="->", color="grey", linewidth=1.2),
        )
    for node in nodes:
        x, y = position[id(node)]
        name = node.label or node.op or "input"
        lines = [name]
        if node.data.size == 1:
            lines.append("value " + value_format.format(node.data.item()))
            if node.grad is not None:
                lines.append("grad " + value_format.format(np.asarray(node.grad).item()))
        else:
            lines.append("shape " + "×".join(map(str, node.shape)))
        leaf = not node.parents
        ax.text(
            x,
            y,
            "\n".join(lines),
            ha="center",
            va="center",
            fontsize=9,
            bbox=dict(
                boxstyle="round,pad=0.35",
                facecolor=PALETTE["sky"] if leaf else "white",
                edgecolor=PALETTE["blue"],
                linewidth=1.2,
            ),
        )
    ax.set_xlim(-0.6, max(columns) + 0.6)
    ys = [p[1] for p in position.values()]
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.axis("off")
    return ax
