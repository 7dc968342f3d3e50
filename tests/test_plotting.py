"""Every plot function returns a figure/axes with labelled axes and a legend where there are several lines."""

from __future__ import annotations

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
    loss.backward()
    ax = plotting.plot_graph(loss)
    texts = [t.get_text() for t in ax.texts if t.get_text()]  # arrows are empty annotations
    assert len(texts) == 4
    assert any(t.startswith("w\nvalue 2\ngrad 3") for t in texts), texts
    assert any(t.startswith("relu") for t in texts)


def test_palette_and_line_styles_wrap_around():
    assert plotting.colour(0) == plotting.colour(len(plotting.COLOURS)) == "#0072B2"
    assert plotting.linestyle(len(plotting.LINESTYLES)) == plotting.linestyle(0)
    assert len(set(plotting.COLOURS)) == len(plotting.COLOURS)
