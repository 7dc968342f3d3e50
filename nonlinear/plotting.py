"""One house style for every figure: labelled axes, a colour-blind-safe palette, f and f' side by side.

The palette is Okabe & Ito's (2008), distinguishable with the common forms of
colour blindness; line styles vary too, so figures survive greyscale printing.

A figure with a slider is drawn by one function and shown twice by
:func:`explore`: as a live ipywidgets slider where a kernel runs (Binder,
Colab, JupyterLab) and as an animation of frames drawn at build time on the
static site.

>>> from nonlinear import activations, plotting
>>> fig = plotting.plot_activation(activations.get("tanh"))
"""

from __future__ import annotations

import base64
import html as html_lib
import inspect
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from itertools import cycle
from typing import Any

import matplotlib

matplotlib.use(matplotlib.get_backend())  # keep the notebook's backend; Agg when headless

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402  (a dependency of matplotlib)
import PIL.PngImagePlugin  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

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


# Legible on the site: a figure is shown at most COLUMN_PX CSS pixels wide, so
# at its natural size (figure.dpi pixels an inch) or shrunk to that width, and no text in it
# may then be smaller than MIN_TEXT_PX (the body text is 16 px).
COLUMN_PX = 672  # the 688 px text column less the margin the theme gives a figure
MIN_TEXT_PX = 10.0


def min_font_pt(width_in: float, dpi: float | None = None) -> float:
    """Smallest font size, in points, that the site shows at ``MIN_TEXT_PX`` or more in a figure
    ``width_in`` inches wide drawn at ``dpi``: a point is ``dpi/72`` pixels until the figure is wider
    than the column, then the image is scaled by ``COLUMN_PX / (width_in * dpi)``, so
    ``px = pt * min(dpi, COLUMN_PX / width_in) / 72``."""
    dpi = plt.rcParams["figure.dpi"] if dpi is None else dpi
    if not (width_in > 0 and dpi > 0):
        raise ValueError(f"figure width and dpi must be positive, got {width_in!r} in at {dpi!r} dpi")
    return MIN_TEXT_PX * 72 / min(dpi, COLUMN_PX / width_in)


def _texts(fig) -> list:
    return [
        t
        for t in fig.findobj(matplotlib.text.Text)
        if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible())
    ]


def smallest_font_pt(fig) -> float:
    """The smallest font size (points) of any visible text in ``fig``, tick labels included; inf if none."""
    for ax in fig.axes:
        for axis in _axes_axis(ax):
            axis.get_major_ticks()  # tick labels exist only once asked for
    return min((t.get_fontsize() for t in _texts(fig)), default=math.inf)


def legible(fig, dpi: float | None = None):
    """Raise every text of ``fig`` smaller than :func:`min_font_pt` (for its width and dpi) to that size.

    The house style runs it on every pyplot figure before each draw, so a wide figure
    gets larger text rather than text the site shrinks below ``MIN_TEXT_PX``."""
    dpi = fig.dpi if dpi is None else dpi
    smallest = min_font_pt(fig.get_figwidth(), dpi)
    for ax in fig.axes:
        for axis in _axes_axis(ax):
            for which, ticks in (("major", axis.get_major_ticks()), ("minor", axis.get_minor_ticks())):
                if ticks and ticks[0].label1.get_fontsize() < smallest:
                    axis.set_tick_params(which=which, labelsize=smallest)  # ticks made later follow
    for text in _texts(fig):
        if text.get_fontsize() < smallest:
            text.set_fontsize(smallest)
    return fig


def _axes_axis(ax) -> list:
    return [a for a in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", None)) if a is not None]


def _draw_legibly(self, renderer):
    legible(self)  # while printing, fig.dpi is the dpi of the image being written
    return Figure.draw(self, renderer)


def house_figure(fig) -> None:
    """``figure.hooks`` entry: every pyplot figure keeps its text legible (:func:`legible`) whenever it is
    drawn, and its PNG records the smallest text size in pixels (``nonlinear:min-font-px``) for the
    browser tests to check against the size the image is shown at."""
    fig.draw = _draw_legibly.__get__(fig)
    canvas = fig.canvas
    print_png = canvas.print_png

    accepted = set(inspect.signature(print_png).parameters)

    def print_png_with_font_size(*args, metadata=None, **kwargs):
        # matplotlib passes every savefig option and filters them only for its own methods
        kwargs = {k: v for k, v in kwargs.items() if k in accepted}
        legible(fig)
        metadata = {**(metadata or {}), "nonlinear:min-font-px": f"{smallest_font_pt(fig) * fig.dpi / 72:.2f}"}
        return print_png(*args, metadata=metadata, **kwargs)

    canvas.print_png = print_png_with_font_size


def use_house_style() -> None:
    """Set matplotlib defaults: palette, readable fonts, light grid, tight layout, and
    (through :func:`house_figure`) text no smaller than the site shows legibly."""
    plt.rcParams.update(
        {
            "figure.hooks": ["nonlinear.plotting:house_figure"],
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
        rows, columns, figsize=(2.3 * columns, 2.1 * rows), sharex=True, sharey=True, squeeze=False
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
    for column in axes.T:  # the lowest panel shown in each column carries the x axis
        lowest = [ax for ax in column if ax.get_visible()][-1]
        lowest.xaxis.set_tick_params(labelbottom=True)
        lowest.set_xlabel("x")
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


def _graph_layout(nodes, edges) -> dict[int, tuple[float, int]]:
    """(column, layer) of each node: the output in layer 0 at the bottom, every other node one layer
    above the highest of its consumers; the first computed input of a node straight above it, the
    others (parameters, data) beside it in the nearest free column."""
    children: dict[int, list] = {}
    for parent, child in edges:
        children.setdefault(id(parent), []).append(child)
    layer: dict[int, int] = {}
    for node in reversed(nodes):  # consumers before their inputs
        layer[id(node)] = 1 + max((layer[id(c)] for c in children.get(id(node), [])), default=-1)
    column: dict[int, float] = {}
    taken: dict[int, set] = {}

    def place(node, wanted: float) -> None:
        used = taken.setdefault(layer[id(node)], set())
        for shift in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6):
            if wanted + shift not in used:
                break
        else:
            shift = max(used) + 1 - wanted
        column[id(node)] = wanted + shift
        used.add(wanted + shift)

    place(nodes[-1], 0)
    for node in reversed(nodes):
        ordered = sorted(node.parents, key=lambda p: not p.parents)  # computed inputs first
        for k, parent in enumerate(ordered):
            if id(parent) not in column:
                place(parent, column[id(node)] + (0 if k == 0 else 1))
    return {key: (column[key], layer[key]) for key in column}


def plot_graph(root, ax=None, value_format: str = "{:.3g}", fontsize: float = 10):
    """Draw the computational graph that produced ``root`` (an autograd Tensor), top to bottom:
    inputs and parameters above the operations that use them, the output at the bottom.

    Each node shows its label or operation and, for scalars, its value and gradient;
    each arrow runs from the edge of one box to the edge of the next.
    """
    from nonlinear.autograd import graph  # local import: plotting does not otherwise need the engine

    nodes, edges = graph(root)
    position = _graph_layout(nodes, edges)
    columns = sorted({c for c, _ in position.values()})
    layers = max(layer for _, layer in position.values()) + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.5, 1.7 * len(columns)), 0.85 * layers + 0.3))
    boxes = {}
    for node in nodes:
        x, y = position[id(node)]
        lines = [node.label or node.op or "input"]
        if node.data.size == 1:
            lines.append("value " + value_format.format(node.data.item()))
            if node.grad is not None:
                lines.append("grad " + value_format.format(np.asarray(node.grad).item()))
        else:
            lines.append("shape " + "×".join(map(str, node.shape)))
        leaf = not node.parents
        boxes[id(node)] = ax.text(
            x,
            y,
            "\n".join(lines),
            ha="center",
            va="center",
            fontsize=fontsize,
            zorder=3,
            bbox=dict(
                boxstyle="round,pad=0.35",
                facecolor=PALETTE["sky"] if leaf else "white",
                edgecolor=PALETTE["blue"],
                linewidth=1.2,
            ),
        )
    for parent, child in edges:
        _connect(ax, position[id(parent)], position[id(child)], boxes[id(parent)], boxes[id(child)])
    ax.set_xlim(columns[0] - 0.6, columns[-1] + 0.6)
    ax.set_ylim(-0.6, layers - 0.4)
    ax.axis("off")
    return ax


def _connect(ax, start, end, source, target) -> None:
    """An arrow from box ``source`` (a Text with a bbox) to box ``target``, clipped to both boxes' edges."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle="-|>",
            color="dimgrey",
            linewidth=1.2,
            shrinkA=1,
            shrinkB=1,
            patchA=source.get_bbox_patch(),
            patchB=target.get_bbox_patch(),
        ),
        zorder=4,  # drawn after the boxes (zorder 3), whose patches then hold this draw's size and place
    )


def flowchart(boxes: Mapping[str, tuple[float, float, str]], edges, ax=None, shaded=(), figsize=(8.0, 6.0)):
    """Draw a flowchart: ``boxes`` maps a key to ``(x, y, text)`` in [0, 1] × [0, 1], ``edges`` are
    ``(from_key, to_key)`` pairs drawn as arrows that start and end on the boxes' edges; keys in
    ``shaded`` get the palette's sky blue. Returns the axes."""
    unknown = sorted({k for edge in edges for k in edge} - set(boxes))
    if unknown:
        raise ValueError(f"edges name boxes that do not exist: {unknown}")
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    drawn = {}
    for key, (x, y, text) in boxes.items():
        drawn[key] = ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            zorder=3,
            bbox=dict(
                boxstyle="round,pad=0.4",
                facecolor=PALETTE["sky"] if key in shaded else "white",
                edgecolor=PALETTE["blue"],
                linewidth=1.2,
            ),
        )
    for a, b in edges:
        _connect(ax, boxes[a][:2], boxes[b][:2], drawn[a], drawn[b])
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.axis("off")
    return ax


# ---------------------------------------------------------------------------
# Figures that move: one draw function, a live slider and a built animation.

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*\Z")

# matplotlib's jshtml template draws its buttons with Font Awesome from a CDN;
# the site makes no outside request, so each button gets a text symbol instead
# (U+FE0E asks for the plain glyph, not an emoji). Buttons keep their aria-label.
_BUTTON_SYMBOLS = {
    "fa fa-minus": "\u2212",
    "fa fa-fast-backward": "|\u25c0\ufe0e\u25c0\ufe0e",
    "fa fa-step-backward": "|\u25c0\ufe0e",
    "fa fa-play fa-flip-horizontal": "\u25c0\ufe0e",
    "fa fa-pause": "\u2016",
    "fa fa-play": "\u25b6\ufe0e",
    "fa fa-step-forward": "\u25b6\ufe0e|",
    "fa fa-fast-forward": "\u25b6\ufe0e\u25b6\ufe0e|",
    "fa fa-plus": "+",
}

_EXPLORE_STYLE = (
    "<style>.nonlinear-explore .anim-buttons button "
    "{width: auto; min-width: 2.6em; padding: 0 0.35em; margin: 0 1px;} "
    ".nonlinear-explore img {max-width: 100%; height: auto;}</style>"
)


@dataclass
class Explorer:
    """A figure with a slider, in two views: ``widget`` (live) and ``html`` (the animation).

    ``bundle`` is the MIME bundle :func:`explore` displays; ``slider`` is the
    widget whose value the draw function receives; ``frames`` are the animated values.
    """

    html: str
    widget: Any
    slider: Any
    frames: list
    controls: dict = field(default_factory=dict)

    @property
    def bundle(self) -> dict:
        data = dict(self.widget._repr_mimebundle_())
        data["text/html"] = self.html
        return data

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.bundle


def explore(draw: Callable, frames, **options) -> None:
    """Show ``draw(fig, value)`` with a slider over ``value``: live on a kernel, animated on the site.

    Displays one output holding both views: an ipywidgets slider that redraws
    with ``draw`` (JupyterLab, Binder, Colab show it) and a self-contained
    animation of ``draw`` at each value of ``frames`` (the static site shows
    it). Returns None, so a cell ending in this call shows exactly one output.
    The keyword ``options`` (``name``, ``label``, ``caption``, ``alt`` and the
    optional ones) are those of :func:`build_explorer`.
    """
    from IPython.display import display

    display(build_explorer(draw, frames, **options).bundle, raw=True)


def build_explorer(
    draw: Callable,
    frames,
    *,
    name: str,
    label: str,
    caption: str,
    alt: str,
    figsize: tuple[float, float] = (9.0, 3.4),
    slider=None,
    controls: Mapping[str, Any] | None = None,
    dpi: float = 80,
    interval: int = 400,
) -> Explorer:
    """Build (without displaying) the two views of a figure with a slider.

    ``draw(fig, value, **controls)`` draws one state onto an empty matplotlib
    Figure (use ``fig.subplots``, never ``plt``). ``frames`` are the values the
    animation steps through (distinct finite numbers, at least two). ``name``
    (letters, digits, hyphens) makes the HTML ids; ``label`` names the slider;
    ``caption`` and ``alt`` describe what moves. ``slider`` replaces the
    default slider over the frames (e.g. a finer range for the live view);
    ``controls`` maps further keyword arguments of ``draw`` to live widgets,
    held at their initial values in the animation.
    """
    if not callable(draw):
        raise TypeError(f"draw must be a function draw(fig, value) that draws onto fig, got {type(draw).__name__}")
    values = _frame_values(frames)
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if not _NAME.match(name):
        raise ValueError(
            f"name becomes an HTML id: use letters, digits and hyphens, starting with a letter; got {name!r}"
        )
    for argument, text in (("label", label), ("caption", caption), ("alt", alt)):
        _check_text(argument, text)
    figsize = _check_figsize(figsize)
    if not (isinstance(dpi, numbers.Real) and math.isfinite(dpi) and dpi > 0):
        raise ValueError(f"dpi must be a positive number, got {dpi!r}")
    if not (isinstance(interval, numbers.Integral) and interval > 0):
        raise ValueError(f"interval must be a positive number of milliseconds, got {interval!r}")
    try:
        import ipywidgets as widgets
    except ImportError as error:  # pragma: no cover - ipywidgets is in requirements.txt
        raise ImportError("explore needs ipywidgets for its live slider: pip install ipywidgets") from error
    controls = _check_controls(controls, widgets)
    if slider is None:
        slider = _default_slider(values, label, widgets)
    else:
        _check_slider(slider, values, widgets)
    params = {key: widget.value for key, widget in controls.items()}
    html = _animation_html(draw, values, params, name, label, caption, alt, figsize, dpi, interval)
    widget = _live_widget(draw, slider, controls, figsize, alt, widgets)
    return Explorer(html=html, widget=widget, slider=slider, frames=values, controls=controls)


def _check_text(argument: str, text) -> None:
    if not isinstance(text, str):
        raise TypeError(f"{argument} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError(f"{argument} is empty: every moving figure needs a {argument} that says what moves")


def _check_figsize(figsize) -> tuple[float, float]:
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise TypeError(f"figsize must be (width, height) in inches, got {figsize!r}") from None
    if not (width > 0 and height > 0 and math.isfinite(width) and math.isfinite(height)):
        raise ValueError(f"figsize must be two positive numbers of inches, got {figsize!r}")
    return width, height


def _frame_values(frames) -> list:
    if isinstance(frames, str | bytes) or not hasattr(frames, "__iter__"):
        raise TypeError(f"frames must be a sequence of numbers, got {type(frames).__name__}")
    values = []
    for i, v in enumerate(frames):
        if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
            raise TypeError(f"frames must be real numbers; frame {i} is {v!r} ({type(v).__name__})")
        if not math.isfinite(v):
            raise ValueError(f"frames must be finite numbers; frame {i} is {v!r}")
        values.append(v.item() if isinstance(v, np.generic) else v)
    if len(values) < 2:
        raise ValueError(f"frames needs at least two values to animate, got {len(values)}")
    if len(set(values)) != len(values):
        raise ValueError(f"frames repeat a value (each frame is one slider position): {values}")
    return values


def _decimals(values) -> int:
    """Fewest decimals (at most 6) that write every value exactly."""
    return max(next((d for d in range(7) if abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v))), 6) for v in values)


def _default_slider(values: list, label: str, widgets):
    common = dict(description=label, continuous_update=False, style={"description_width": "initial"})
    steps = np.diff(values)
    regular = steps[0] > 0 and np.allclose(steps, steps[0], rtol=1e-6, atol=0)
    if regular and all(isinstance(v, numbers.Integral) for v in values):
        return widgets.IntSlider(value=values[0], min=values[0], max=values[-1], step=int(steps[0]), **common)
    if regular:
        step = float(steps[0])
        return widgets.FloatSlider(
            value=values[0],
            min=values[0],
            max=values[-1],
            step=step,
            readout_format=f".{_decimals([*values, step])}f",
            **common,
        )
    return widgets.SelectionSlider(options=[(f"{v:g}", v) for v in values], value=values[0], **common)


def _check_slider(slider, values: list, widgets) -> None:
    if not isinstance(slider, widgets.ValueWidget):
        raise TypeError(f"slider must be an ipywidgets slider (a ValueWidget), got {type(slider).__name__}")
    bounds = getattr(slider, "min", None), getattr(slider, "max", None)
    if not all(isinstance(b, numbers.Real) for b in bounds):
        return  # e.g. a SelectionSlider: its options are its range
    low, high = bounds
    if isinstance(slider, widgets.FloatLogSlider):
        low, high = slider.base**low, slider.base**high
    outside = [v for v in values if not low - 1e-9 * abs(low) <= v <= high + 1e-9 * abs(high)]
    if outside:
        raise ValueError(f"frames {outside} lie outside the slider's range [{low:g}, {high:g}]")


def _check_controls(controls, widgets) -> dict:
    if controls is None:
        return {}
    if not isinstance(controls, Mapping):
        raise TypeError(f"controls must map keyword names of draw to widgets, got {type(controls).__name__}")
    for key, widget in controls.items():
        if not (isinstance(key, str) and key.isidentifier()):
            raise ValueError(f"controls keys are keyword arguments of draw; {key!r} is not a valid name")
        if not isinstance(widget, widgets.ValueWidget):
            raise TypeError(f"controls[{key!r}] must be an ipywidgets widget with a value, got {type(widget).__name__}")
    return dict(controls)


def _render_png(draw: Callable, value, params: dict, figsize, dpi: float) -> bytes:
    fig = Figure(figsize=figsize)  # not registered with pyplot: nothing to close, nothing shown twice
    draw(fig, value, **params)
    legible(fig, dpi)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _live_widget(draw: Callable, slider, controls: dict, figsize, alt: str, widgets):
    """The slider (and controls) above an Output that ``draw`` refills whenever a value changes."""
    out = widgets.Output()

    def redraw(change=None):
        params = {key: widget.value for key, widget in controls.items()}
        png = _render_png(draw, slider.value, params, figsize, plt.rcParams["figure.dpi"])
        image = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt}
        # replacing the outputs in one step: no flicker, and no need for a kernel to route display messages
        out.outputs = ({"output_type": "display_data", "data": image, "metadata": {"image/png": {"alt": alt}}},)

    for widget in (slider, *controls.values()):
        widget.observe(redraw, names="value")
    redraw()
    return widgets.VBox([slider, *controls.values(), out])


def _replace_once(text: str, old: str, new: str) -> str:
    if text.count(old) != 1:
        raise RuntimeError(f"matplotlib's animation template changed: expected {old!r} once")
    return text.replace(old, new)


def _smaller_png(match: re.Match, min_font_px: float | None = None) -> str:
    """Re-encode one base64 PNG frame with a 64-colour palette: a third of the bytes, same look for line art.
    ``min_font_px`` is recorded as the frame's smallest text size (``nonlinear:min-font-px``)."""
    image = PIL.Image.open(BytesIO(base64.b64decode(match.group(0).replace("\\\n", ""))))
    paletted = image.convert("RGB").quantize(
        colors=64, method=PIL.Image.Quantize.MEDIANCUT, dither=PIL.Image.Dither.NONE
    )
    info = PIL.PngImagePlugin.PngInfo()
    if min_font_px is not None and math.isfinite(min_font_px):
        info.add_text("nonlinear:min-font-px", f"{min_font_px:.2f}")
    buffer = BytesIO()
    paletted.save(buffer, format="png", optimize=True, pnginfo=info)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _animation_html(draw, values, params, name, label, caption, alt, figsize, dpi, interval) -> str:
    """matplotlib's jshtml animation of ``draw`` over ``values``, made offline, accessible and deterministic."""
    fig = Figure(figsize=figsize)
    smallest = [math.inf]  # the smallest text over all frames, in points

    def frame(value):
        fig.clear()
        draw(fig, value, **params)
        legible(fig, dpi)
        smallest[0] = min(smallest[0], smallest_font_pt(fig))
        return []

    animation = FuncAnimation(fig, frame, frames=values, init_func=list, interval=interval, cache_frame_data=False)
    with matplotlib.rc_context({"savefig.dpi": dpi, "animation.embed_limit": 20, "animation.frame_format": "png"}):
        text = animation.to_jshtml(default_mode="reflect")
    drawn = len(re.findall(r'frames\[\d+\] = "data:image/', text))
    if drawn != len(values):
        raise ValueError(f"the animation kept {drawn} of {len(values)} frames: lower dpi or use fewer frames")

    min_font_px = smallest[0] * dpi / 72
    text = re.sub(r'(?<="data:image/png;base64,)[^"]*', lambda m: _smaller_png(m, min_font_px), text)

    found = re.search(r'id="_anim_img([0-9a-f]{32})"', text)
    if found is None:
        raise RuntimeError("matplotlib's animation template changed: no _anim_img id")
    anim_id = "_" + name.replace("-", "_")  # also a JavaScript name (anim<id>): no hyphens
    text = text.replace(found.group(1), anim_id)
    text = re.sub(r'<link rel="stylesheet"\s+href="[^"]*">\s*', "", text)
    text = text.replace('<script language="javascript">', "<script>")

    def symbol(match):
        if match.group(1) not in _BUTTON_SYMBOLS:
            raise RuntimeError(f"matplotlib's animation template changed: unknown icon {match.group(1)!r}")
        return f'<span aria-hidden="true">{_BUTTON_SYMBOLS[match.group(1)]}</span>'

    text = re.sub(r'<i class="([^"]*)"></i>', symbol, text)
    attr = html_lib.escape
    first = re.search(r'frames\[0\] = "(data:image/png;base64,[^"]*)"', text).group(1)  # shown before any script runs
    text = _replace_once(
        text, f'<img id="_anim_img{anim_id}">', f'<img id="_anim_img{anim_id}" alt="{attr(alt)}" src="{first}">'
    )
    text = _replace_once(
        text,
        'class="anim-slider"',
        f'class="anim-slider" aria-label="{attr(label)}: choose a frame of the animation"',
    )
    if re.search(r"https?://", text):
        raise RuntimeError("the animation HTML still links outside the page")
    return (
        f'<figure class="nonlinear-explore" id="{name}">\n{_EXPLORE_STYLE}\n{text.strip()}\n'
        f"<figcaption><p>{html_lib.escape(caption)}</p></figcaption>\n</figure>\n"
    )
