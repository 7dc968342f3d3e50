"""Every plot function returns a figure/axes with labelled axes and a legend where there are several lines."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nonlinear import activations, autograd, plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_labelled(ax):
    assert ax.get_xlabel(), "x axis has no label"
    assert ax.get_ylabel(), "y axis has no label"


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "expected a legend"
    return [t.get_text() for t in legend.get_texts()]


@pytest.mark.parametrize("name", [n for n in activations.names() if activations.get(n).elementwise])
def test_plot_activation_draws_f_and_derivative(name):
    fig = plotting.plot_activation(name)
    left, right = fig.axes
    for ax in (left, right):
        assert_labelled(ax)
        assert len(ax.get_lines()) >= 1
    assert left.get_ylabel() == "f(x)" and right.get_ylabel() == "f′(x)"
    assert legend_texts(left)[0].startswith(name)
    x, y = left.get_lines()[0].get_data()
    np.testing.assert_array_equal(y, activations.get(name)(np.asarray(x)))


def test_plot_activation_rejects_vector_activations():
    with pytest.raises(ValueError, match="softmax is not elementwise"):
        plotting.plot_activation("softmax")


def test_plot_activations_overlays_with_a_legend_entry_each():
    names = ["relu", "elu", "gelu"]
    fig = plotting.plot_activations(names, params={"elu": {"alpha": 0.5}}, title="three")
    left = fig.axes[0]
    assert_labelled(left)
    texts = legend_texts(left)
    assert len(texts) == 3 and texts[1] == "elu(alpha=0.5)"
    colours = {line.get_color() for line in left.get_lines() if line.get_linewidth() == 2}
    assert len(colours) == 3, "each activation gets its own colour"
    assert fig._suptitle.get_text() == "three"


def test_small_multiples_one_panel_per_activation():
    names = ["sigmoid", "tanh", "relu", "selu", "mish"]
    fig = plotting.small_multiples(names, columns=3)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == names
    assert legend_texts(visible[0]) == ["f", "f′"]
    assert all(ax.get_xlabel() for ax in fig.axes[-3:] if ax.get_visible())
    assert visible[0].get_ylabel() and visible[3].get_ylabel()


def test_plot_decision_boundary_labels_axes_and_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    ax = plotting.plot_decision_boundary(lambda P: (P[:, 0] > 0).astype(int), X, y, title="sign", resolution=30)
    assert_labelled(ax)
    assert ax.get_title() == "sign"
    _, labels = ax.get_legend_handles_labels()
    assert labels == ["class 0", "class 1"]
    with pytest.raises(ValueError, match=r"needs 2-d inputs of shape \(N, 2\), got \(40, 3\)"):
        plotting.plot_decision_boundary(lambda P: P[:, 0] > 0, np.zeros((40, 3)), y)


def test_plot_graph_shows_every_node():
    w = autograd.Tensor(2.0, requires_grad=True, label="w")
    x = autograd.Tensor(3.0, label="x")
    loss = activations.get("relu")(w * x)
    loss.backward(retain_graph=True)
    ax = plotting.plot_graph(loss)
    texts = [t.get_text() for t in ax.texts if t.get_text()]  # arrows are empty annotations
    assert len(texts) == 4
    assert any(t.startswith("w\nvalue 2\ngrad 3") for t in texts), texts
    assert any(t.startswith("relu") for t in texts)


def test_palette_and_line_styles_wrap_around():
    assert plotting.colour(0) == plotting.colour(len(plotting.COLOURS)) == "#0072B2"
    assert plotting.linestyle(len(plotting.LINESTYLES)) == plotting.linestyle(0)
    assert len(set(plotting.COLOURS)) == len(plotting.COLOURS)


def _chain_graph():
    w = autograd.Tensor(2.0, requires_grad=True, label="w")
    x = autograd.Tensor(3.0, label="x")
    b = autograd.Tensor(-1.0, requires_grad=True, label="b")
    loss = activations.get("tanh")(w * x + b) ** 2
    loss.backward(retain_graph=True)
    return loss


def test_plot_graph_puts_inputs_above_their_consumers_and_arrows_touch_the_boxes():
    ax = plotting.plot_graph(_chain_graph())
    fig = ax.figure
    fig.canvas.draw()
    boxes = {t.get_text().split("\n")[0]: t for t in ax.texts if t.get_text()}
    renderer = fig.canvas.get_renderer()
    extent = {k: t.get_bbox_patch().get_window_extent(renderer) for k, t in boxes.items()}
    assert extent["w"].y0 > extent["*"].y1 and extent["x"].y0 > extent["*"].y1, "inputs sit above the product"
    assert extent["b"].y0 > extent["+"].y1
    arrows = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation) and not c.get_text()]
    assert len(arrows) == 6, "one arrow per edge: w, x -> *; *, b -> +; + -> tanh; tanh -> **"
    for annotation in arrows:
        path = annotation.arrow_patch.get_path().transformed(annotation.arrow_patch.get_transform())
        start = path.vertices[0]
        near = [
            min(abs(e.y0 - p[1]), abs(e.y1 - p[1]), abs(e.x0 - p[0]), abs(e.x1 - p[0]))
            for p in (start,)
            for e in extent.values()
            if e.x0 - 3 <= p[0] <= e.x1 + 3 and e.y0 - 3 <= p[1] <= e.y1 + 3
        ]
        assert near and min(near) < 4, "each arrow starts on the edge of a box, not short of it"
    overlapping = [(a, b) for a in extent for b in extent if a < b and extent[a].overlaps(extent[b])]
    assert not overlapping, overlapping


def test_min_font_size_follows_the_figure_width():
    dpi = 100
    narrow = plotting.min_font_pt(plotting.COLUMN_PX / dpi / 2, dpi)  # shown at natural size
    assert narrow == pytest.approx(plotting.MIN_TEXT_PX * 72 / dpi)
    wide = plotting.min_font_pt(12, dpi)  # 1200 px shrunk to the column
    assert wide * (dpi / 72) * plotting.COLUMN_PX / (12 * dpi) == pytest.approx(plotting.MIN_TEXT_PX)
    assert plotting.min_font_pt(9, dpi) < wide
    with pytest.raises(ValueError, match="must be positive"):
        plotting.min_font_pt(0, dpi)


def _png(fig):
    from io import BytesIO

    import PIL.Image
    from IPython.core.pylabtools import print_figure

    return PIL.Image.open(BytesIO(print_figure(fig, "png", bbox_inches="tight")))  # as the notebook shows it


def test_a_wide_figure_with_tiny_text_is_shown_legibly_and_says_so_in_its_png():
    fig, axes = plt.subplots(1, 4, figsize=(13, 3))
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="line")
        ax.set_title("tiny", fontsize=6)
        ax.set_xlabel("x", fontsize=6)
        ax.tick_params(labelsize=5)
        ax.legend(fontsize=5)
    image = _png(fig)
    shown_px = float(image.info["nonlinear:min-font-px"]) * min(1.0, plotting.COLUMN_PX / image.width)
    assert shown_px >= 0.97 * plotting.MIN_TEXT_PX, f"smallest text {shown_px:.1f} px on the site"
    assert plotting.smallest_font_pt(fig) >= plotting.min_font_pt(13, fig.dpi) - 1e-9


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plotting.plot_activation("gelu"),
        lambda: plotting.plot_activations(["relu", "elu", "gelu", "selu", "mish"]),
        lambda: plotting.small_multiples(["sigmoid", "tanh", "relu", "selu", "mish", "gelu", "elu"]),
        lambda: plotting.plot_graph(_chain_graph()).figure,
    ],
    ids=["plot_activation", "plot_activations", "small_multiples", "plot_graph"],
)
def test_every_house_figure_is_legible_at_the_page_width(draw):
    image = _png(draw())
    shown_px = float(image.info["nonlinear:min-font-px"]) * min(1.0, plotting.COLUMN_PX / image.width)
    assert shown_px >= 0.97 * plotting.MIN_TEXT_PX


def test_explorer_frames_are_drawn_legibly():
    sizes = []

    def draw(fig, value):
        ax = fig.subplots()
        ax.plot([0, value], [0, 1])
        ax.set_title("tiny", fontsize=5)
        sizes.append(ax.title)

    png = plotting._render_png(draw, 1.0, {}, (12, 3), 80)
    assert png.startswith(b"\x89PNG")
    assert sizes[-1].get_fontsize() >= plotting.min_font_pt(12, 80) - 1e-9


def test_flowchart_arrows_run_from_box_edge_to_box_edge(monkeypatch):
    """As the notebook prints it (tight bounding box: two draws, the second shifted): spy on what each
    draw puts on the canvas, and compare the last arrow drawn with the last boxes drawn."""
    drawn = {"boxes": [], "arrows": []}
    text_draw, arrow_draw = matplotlib.text.Text.draw, matplotlib.patches.FancyArrowPatch.draw

    def spy_text(self, renderer):
        text_draw(self, renderer)
        if self.get_bbox_patch() is not None:
            drawn["boxes"].append(self.get_bbox_patch().get_window_extent(renderer))

    def spy_arrow(self, renderer):
        drawn["arrows"].append(self.get_path().transformed(self.get_transform()).vertices.copy())
        arrow_draw(self, renderer)

    monkeypatch.setattr(matplotlib.text.Text, "draw", spy_text)
    monkeypatch.setattr(matplotlib.patches.FancyArrowPatch, "draw", spy_arrow)
    ax = plotting.flowchart({"a": (0.2, 0.5, "start here"), "b": (0.8, 0.8, "then here")}, [("a", "b")])
    _png(ax.figure)
    source, target = drawn["boxes"][-2:]
    vertices = drawn["arrows"][-1]
    start = vertices[0]
    tip = max(vertices, key=lambda v: v[0] + v[1])  # the arrow runs up and to the right: its tip is furthest
    assert min(abs(start[0] - source.x1), abs(start[1] - source.y1)) < 3, (start, source)
    assert min(abs(tip[0] - target.x0), abs(tip[1] - target.y0)) < 3, (tip, target)
    with pytest.raises(ValueError, match=r"edges name boxes that do not exist: \['c'\]"):
        plotting.flowchart({"a": (0.5, 0.5, "a")}, [("a", "c")])


def _figure_cells(text: str):
    """(line, header, first code line) of each code cell with figure metadata in a MyST page."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("```{code-cell}") and i + 1 < len(lines) and lines[i + 1] == "---":
            end = lines.index("---", i + 2)
            header = "\n".join(lines[i + 2 : end])
            if "figure:" in header:
                yield i + 1, header, lines[end + 1] if end + 1 < len(lines) else ""


def test_figure_cells_that_only_draw_fold_their_code():
    """A figure cell that starts by making axes (`fig, ax = plt.subplots(...)`) is layout: the reader
    gets it behind a toggle (hide-input). One-line calls of the plotting API stay visible."""
    root = Path(__file__).resolve().parents[1]
    unfolded = [
        f"{path.relative_to(root)}:{line}: {first}"
        for path in sorted((root / "chapters").rglob("*.md"))
        for line, header, first in _figure_cells(path.read_text(encoding="utf-8"))
        if first.startswith(("fig, ax", "axes = plt.subplots"))
        and not any(tag in header for tag in ("hide-input", "remove-input", "remove-cell"))
    ]
    assert not unfolded, "tag these figure cells hide-input:\n" + "\n".join(unfolded)


def test_animation_frames_record_their_smallest_text_for_the_browser_check():
    import base64
    import re
    from io import BytesIO

    import PIL.Image

    def draw(fig, value):
        ax = fig.subplots()
        ax.plot([0, value], [0, 1])
        ax.set_title("tiny", fontsize=5)

    html = plotting.build_explorer(draw, [1, 2], name="legible", label="v", caption="c", alt="a", figsize=(12, 3)).html
    frames = re.findall(r'"data:image/png;base64,([^"]*)"', html)
    assert frames
    for data in frames:
        image = PIL.Image.open(BytesIO(base64.b64decode(data.replace("\\\n", ""))))
        shown = float(image.info["nonlinear:min-font-px"]) * min(1.0, plotting.COLUMN_PX / image.width)
        assert shown >= 0.97 * plotting.MIN_TEXT_PX, shown
