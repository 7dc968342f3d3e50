"""plotting.explore: one draw function, shown as a live slider (kernel) and as a built animation (site)."""

from __future__ import annotations

import base64
import io
import re

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402
import pytest  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from nonlinear import plotting  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class Recorder:
    """A draw function that remembers every call and draws one line whose slope is the value."""

    def __init__(self):
        self.calls: list[tuple] = []

    def __call__(self, fig, value, **params):
        self.calls.append((value, params))
        ax = fig.subplots()
        ax.plot([0, 1], [0, value], color=plotting.colour(0))
        ax.set_title(f"value {value:g}")


def build(draw=None, frames=(1, 2, 3, 4), **kwargs):
    options = dict(name="fig-test", label="slope", caption="A line whose slope moves.", alt="A line from the origin.")
    options.update(kwargs)
    return plotting.build_explorer(draw or Recorder(), frames, **options)


def soup(explorer) -> BeautifulSoup:
    return BeautifulSoup(explorer.html, "html.parser")


def frame_images(html: str) -> list[PIL.Image.Image]:
    data = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]*)"', html)
    return [PIL.Image.open(io.BytesIO(base64.b64decode(d.replace("\\\n", "")))) for d in data]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_bundle_carries_the_widget_and_the_animation():
    bundle = build().bundle
    assert {"text/plain", "text/html", WIDGET_VIEW} <= set(bundle)
    assert bundle[WIDGET_VIEW]["model_id"]
    assert bundle["text/html"].lstrip().startswith('<figure class="nonlinear-explore" id="fig-test">')


def test_animation_has_one_frame_per_value_drawn_in_order():
    draw = Recorder()
    frames = [0.5, 1.0, 1.5, 2.0, 2.5]
    explorer = build(draw, frames)
    assert len(frame_images(explorer.html)) == len(frames)
    assert "new Array(5)" in explorer.html
    # the animation draws each frame once, in order; then the live view draws its starting value
    assert [value for value, _ in draw.calls] == [*frames, frames[0]]


def test_frames_are_drawn_at_the_requested_size_and_dpi():
    images = frame_images(build(figsize=(4, 2), dpi=50).html)
    assert {image.size for image in images} == {(200, 100)}


def test_moving_the_slider_redraws_with_its_value():
    draw = Recorder()
    explorer = build(draw, [1, 2, 3, 4])
    explorer.slider.value = 3
    assert draw.calls[-1] == (3, {})
    explorer.slider.value = 4
    assert draw.calls[-1] == (4, {})
    assert explorer.slider in explorer.widget.children
    (shown,) = explorer.widget.children[-1].outputs  # the Output under the slider holds one image
    image = PIL.Image.open(io.BytesIO(base64.b64decode(shown["data"]["image/png"])))
    assert image.size[0] > 100 and shown["data"]["text/plain"] == "A line from the origin."


def test_controls_stay_live_and_are_held_at_their_start_in_the_animation():
    draw = Recorder()
    seed = widgets.IntSlider(value=2, min=0, max=5, description="seed")
    explorer = build(draw, [1, 2, 3], controls={"seed": seed})
    assert draw.calls[:3] == [(1, {"seed": 2}), (2, {"seed": 2}), (3, {"seed": 2})]
    seed.value = 5
    assert draw.calls[-1] == (1, {"seed": 5})
    assert seed in explorer.widget.children


def test_default_slider_follows_the_frames():
    ints = build(frames=[1, 3, 5, 7]).slider
    assert isinstance(ints, widgets.IntSlider) and (ints.min, ints.max, ints.step) == (1, 7, 2)
    floats = build(frames=np.linspace(0, 1, 11)).slider
    assert isinstance(floats, widgets.FloatSlider) and floats.step == pytest.approx(0.1)
    assert floats.readout_format == ".1f" and floats.description == "slope"
    irregular = build(frames=[1, 2, 4, 8, 12]).slider
    assert isinstance(irregular, widgets.SelectionSlider)
    assert [label for label, _ in irregular.options] == ["1", "2", "4", "8", "12"] and irregular.value == 1


def test_a_given_slider_is_used_for_the_live_view():
    draw = Recorder()
    fine = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05)
    explorer = build(draw, [0.1, 1.0, 10.0], slider=fine)
    assert explorer.slider is fine
    fine.value = 0.5
    assert draw.calls[-1][0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"frames \[20\.0\] lie outside the slider's range \[0\.1, 10\]"):
        build(frames=[0.1, 20.0], slider=widgets.FloatLogSlider(base=10, min=-1, max=1))


def test_html_is_offline_and_accessible():
    explorer = build(alt='Slope "one" to <four>.', caption="Caption & more.")
    html = explorer.html
    assert not re.search(r"https?://", html), "the animation must not load anything from outside"
    assert "<link" not in html and 'class="fa' not in html
    page = soup(explorer)
    (image,) = page.select("img")
    assert image["alt"] == 'Slope "one" to <four>.'
    assert image["src"] == re.search(r'frames\[0\] = "([^"]*)"', html).group(1), "the first frame shows without JS"
    (slider,) = page.select('input[type="range"]')
    assert "slope" in slider["aria-label"]
    for radio in page.select('input[type="radio"]'):
        label = page.find("label", attrs={"for": radio["id"]})
        assert label is not None and label.get_text(strip=True), f"radio {radio['id']} has no label"
    for button in page.select("button"):
        assert button["aria-label"] and button.get_text(strip=True), "every button needs a name and a visible symbol"
    figure = page.find("figure")
    assert image.find_parent("figure") is figure
    assert figure.find("figcaption").get_text(strip=True) == "Caption & more."


def test_ids_are_deterministic_and_unique_across_animations():
    first, again, other = build(), build(), build(name="fig-other")
    assert first.html == again.html, "building the same animation twice must give the same HTML"
    ids = [node["id"] for explorer in (first, other) for node in soup(explorer).select("[id]")]
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    assert "anim_fig_test" in first.html and "anim_fig_other" in other.html
    assert not re.search(r"[0-9a-f]{32}", first.html.split("data:image")[0]), "a random uuid is left"


def test_no_figure_is_left_open():
    before = plt.get_fignums()
    build()
    assert plt.get_fignums() == before


def test_explore_displays_one_raw_bundle_and_returns_none(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kwargs: shown.append((objs, kwargs)))
    result = plotting.explore(Recorder(), [1, 2], name="fig-shown", label="x", caption="c", alt="a")
    assert result is None
    ((objs, kwargs),) = shown
    assert kwargs == {"raw": True}
    assert {"text/html", WIDGET_VIEW} <= set(objs[0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(draw=42), TypeError, "draw must be a function draw\\(fig, value\\).*got int"),
        (dict(frames=[]), ValueError, "frames needs at least two values to animate, got 0"),
        (dict(frames=[1.0]), ValueError, "frames needs at least two values to animate, got 1"),
        (dict(frames=5), TypeError, "frames must be a sequence of numbers, got int"),
        (dict(frames=[1, "2"]), TypeError, "frames must be real numbers; frame 1 is '2' \\(str\\)"),
        (dict(frames=[1, True]), TypeError, "frames must be real numbers; frame 1 is True"),
        (dict(frames=[1.0, np.nan]), ValueError, "frames must be finite numbers; frame 1 is nan"),
        (dict(frames=[1.0, np.inf]), ValueError, "frames must be finite numbers; frame 1 is inf"),
        (dict(frames=[1, 2, 1]), ValueError, "frames repeat a value"),
        (dict(name="fig test"), ValueError, "letters, digits and hyphens.*'fig test'"),
        (dict(name="1fig"), ValueError, "starting with a letter"),
        (dict(name="fig_test"), ValueError, "letters, digits and hyphens"),
        (dict(name=""), ValueError, "letters, digits and hyphens.*got ''"),
        (dict(name=3), TypeError, "name must be a string, got int"),
        (dict(alt=""), ValueError, "alt is empty"),
        (dict(alt="   "), ValueError, "alt is empty"),
        (dict(caption=""), ValueError, "caption is empty"),
        (dict(label=None), TypeError, "label must be a string, got NoneType"),
        (dict(figsize=(4, 0)), ValueError, "figsize must be two positive numbers"),
        (dict(figsize="big"), TypeError, "figsize must be \\(width, height\\)"),
        (dict(dpi=0), ValueError, "dpi must be a positive number"),
        (dict(slider=object()), TypeError, "slider must be an ipywidgets slider"),
        (dict(controls={"seed": 3}), TypeError, "controls\\['seed'\\] must be an ipywidgets widget"),
        (dict(controls={"not a name": widgets.IntSlider()}), ValueError, "'not a name' is not a valid name"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(kwargs, error, message):
    kwargs = dict(kwargs)
    draw = kwargs.pop("draw", None)
    with pytest.raises(error, match=message):
        build(draw=draw if draw is not None else Recorder(), **kwargs)
