"""The package's language setting (nonlinear/i18n.py): templates, catalogues, and the three hooks
(printed lines, displays, figure text), with the CJK font that draws the Chinese."""

from __future__ import annotations

import io
import json
import re
import warnings

import matplotlib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nonlinear import i18n

matplotlib.use("Agg")


@pytest.fixture
def chinese(monkeypatch):
    """The package in zh_CN with a small catalogue of our own; English again afterwards."""
    entries = {
        "loss {0} after {1} steps": "{1} 步后损失为 {0}",
        "accuracy": "准确率",
        "pre-activation x": "预激活 x",
        "yes": "是",
    }
    monkeypatch.setattr(i18n, "catalogue", lambda code: entries)
    i18n.set_language("zh_CN", page="tests/test_i18n")
    yield entries
    i18n.set_language("en")


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_template_and_fill_give_back_the_text(text):
    key, numbers = i18n.template(text)
    assert i18n.fill(key, numbers) == text


def test_template_replaces_numbers_not_digits_in_names():
    key, numbers = i18n.template("ReLU6 loss 0.31 after 200 steps at x=-1e-3 (−2.5), log10")
    assert key == "ReLU6 loss {0} after {1} steps at x={2} ({3}), log10"
    assert numbers == ["0.31", "200", "-1e-3", "−2.5"]


def test_the_machine_name_is_masked_like_a_number(monkeypatch):
    """A page prints the CPU it timed on; on another machine (CI) that text differs."""
    monkeypatch.setattr(i18n, "_machine_names", lambda: frozenset({"Some CPU(R) 9000", "x86_64"}))
    i18n._variable.cache_clear()
    try:
        assert i18n.template("CPU: Some CPU(R) 9000; x86_64, 2 threads") == (
            "CPU: {0}; {1}, {2} threads",
            ["Some CPU(R) 9000", "x86_64", "2"],
        )
    finally:
        i18n._variable.cache_clear()


def test_the_cpu_that_stored_a_clock_experiment_is_masked_on_any_machine(monkeypatch, tmp_path):
    """A page prints the CPU that measured a stored experiment (``timings.measured_on``): another
    machine builds the book from the same stored file, so that name must be a variable there too."""
    from nonlinear.study import store

    stored = {"environment": {"cpu": "Stored CPU(R) 7000"}, "runs": []}
    (tmp_path / "ch0-clock.json").write_text(json.dumps(stored), encoding="utf-8")
    monkeypatch.setattr(store, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr("nonlinear.timing.cpu_model", lambda: "This Machine's CPU")
    i18n._machine_names.cache_clear()
    i18n._variable.cache_clear()
    try:
        assert i18n.template("measured on Stored CPU(R) 7000, this is This Machine's CPU") == (
            "measured on {0}, this is {1}",
            ["Stored CPU(R) 7000", "This Machine's CPU"],
        )
    finally:
        i18n._machine_names.cache_clear()
        i18n._variable.cache_clear()


def test_every_stored_cpu_name_is_masked():
    """The real stored results, as the pages print them: no CPU name survives in a template."""
    from nonlinear.study import store

    names = store.recorded_cpus()
    assert names, "no stored result records its CPU"
    for name in names:
        assert name not in i18n.template(f"measured on {name}, torch 2.13.0")[0]


def test_a_random_cheer_is_masked_like_a_number():
    assert i18n.template("ex5_1 passed! 🌈") == ("ex5_1 passed! {0}", ["🌈"])
    assert i18n.template("✔ holds ✘") == ("✔ holds ✘", [])


def test_unknown_language_is_refused_with_the_choices():
    with pytest.raises(i18n.UnknownLanguage, match="zh_CN"):
        i18n.set_language("fr")
    with pytest.raises(i18n.UnknownLanguage):
        i18n.set_language(None)


def test_translation_keeps_the_numbers_and_may_reorder_them(chinese):
    assert i18n.translate("loss 0.3125 after 200 steps") == "200 步后损失为 0.3125"
    assert i18n.translate("  accuracy\nyes") == "  准确率\n是"
    assert i18n.translate("no entry for this line") == "no entry for this line"
    assert i18n.translate("relu") == "relu"  # an activation's name is not translated


def test_english_shows_everything_as_written(chinese):
    i18n.set_language("en")
    assert i18n.translate("accuracy") == "accuracy"


def test_printed_lines_are_translated_whole(chinese):
    sink = io.StringIO()
    stream = i18n._TranslatedStream(sink)
    print("loss 0.5 after", end=" ", file=stream)
    assert sink.getvalue() == ""  # half a line waits for the rest
    print("10 steps", file=stream)
    print("accuracy", file=stream, end="")
    stream.flush()
    assert sink.getvalue() == "10 步后损失为 0.5\n准确率"


def test_markup_is_translated_between_tags_and_per_table_cell(chinese):
    html = "<style>td { color: red } /* accuracy */</style><table><tr><th>accuracy</th><td>yes</td></tr></table>"
    assert i18n.translate_html(html) == html.replace(">accuracy<", ">准确率<").replace(">yes<", ">是<")
    assert i18n.translate_markdown("| accuracy | yes |\n|---|---|") == "| 准确率 | 是 |\n|---|---|"
    bundle = i18n.translate_bundle({"text/html": "<b>yes</b>", "text/plain": "accuracy", "image/png": "AAAA"})
    assert bundle == {"text/html": "<b>是</b>", "text/plain": "accuracy", "image/png": "AAAA"}


def test_markup_has_its_descriptions_and_control_names_translated_too(chinese):
    """An image's alt, a control's title and aria-label are read (or heard) like text: translated as the
    text between tags is, each attribute of a tag on its own, escaped again; other attributes, and
    anything inside <script>, stay as they are."""
    html = '<button class="yes" title="accuracy" aria-label="yes" onclick="go()">accuracy</button>'
    assert (
        i18n.translate_html(html) == '<button class="yes" title="准确率" aria-label="是" onclick="go()">准确率</button>'
    )
    untranslated = '<img alt="no entry for this" src="a.png"><i title="don&#x27;t">x</i>'
    assert i18n.translate_html(untranslated) == untranslated
    script = "<script>var s = '<img alt=\"accuracy\">';</script>"
    assert i18n.translate_html(script + '<img alt="accuracy">') == script + '<img alt="准确率">'


def test_figure_text_is_translated_and_drawn_with_a_cjk_font(chinese):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_xlabel("pre-activation x")
    ax.set_title("$\\sigma(x)$")
    ax.plot([0, 1], [0, 1], label="accuracy")
    legend = ax.legend()
    assert ax.get_xlabel() == "预激活 x"
    assert ax.get_title() == "$\\sigma(x)$"
    assert legend.get_texts()[0].get_text() == "准确率"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would be a warning
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


def test_strict_mode_warns_about_a_missing_translation(chinese, monkeypatch):
    monkeypatch.setenv("NONLINEAR_I18N_STRICT", "1")
    with pytest.warns(UserWarning, match=re.escape("no zh_CN translation for 'nothing like this {0}'")):
        i18n.translate("nothing like this 42")


def test_recording_writes_each_template_with_its_page(chinese, monkeypatch, tmp_path):
    monkeypatch.setenv("NONLINEAR_I18N_RECORD", str(tmp_path))
    i18n.translate("loss 1 after 2 steps")
    (record,) = tmp_path.glob("*.jsonl")
    assert record.name == "tests__test_i18n.jsonl"
    assert '"template": "loss {0} after {1} steps"' in record.read_text(encoding="utf-8")


def test_traditional_is_converted_from_simplified():
    simplified, traditional = i18n.catalogue("zh_CN"), i18n.catalogue("zh_TW")
    assert simplified.keys() == traditional.keys()
    assert i18n.to_traditional("激活函数的输出 `np.tanh` $\\sigma$") == "激勵函數的輸出 `np.tanh` $\\sigma$"
    # Words Taiwan's software says otherwise, which OpenCC's phrasing leaves as the mainland says them.
    assert i18n.to_traditional("在本书中搜索…") == "在本書中搜尋…"
    assert i18n.to_traditional("全屏模式") == "全螢幕模式"
    assert i18n.to_traditional("“门控更好”") == "「門控更好」"  # Taiwan's quotation marks
    # A placeholder stays as written; Chinese inside braces (a printed dict's keys) is text.
    assert i18n.to_traditional("{'逻辑回归': {0}, '真实概率': {1}}") == "{'邏輯迴歸': {0}, '真實機率': {1}}"
    for key, value in simplified.items():
        assert traditional[key] == i18n.to_traditional(value)


def test_glued_values_are_translated_like_displays(chinese):
    bundle = {i18n.GLUE_PREFIX + "text/plain": "accuracy", i18n.GLUE_PREFIX + "text/markdown": "yes"}
    assert i18n.translate_bundle(bundle) == {
        i18n.GLUE_PREFIX + "text/plain": "准确率",
        i18n.GLUE_PREFIX + "text/markdown": "是",
    }


def test_a_measured_output_may_stay_english_without_failing_the_build(chinese, monkeypatch):
    """Outputs marked as timings (nonlinear.timing) read differently run to run: no strict warning."""
    monkeypatch.setenv("NONLINEAR_I18N_STRICT", "1")
    monkeypatch.setitem(i18n._state, "lenient", True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert i18n.translate("a clock said 3 ms") == "a clock said 3 ms"


def test_chinese_beside_math_in_a_label_has_its_glyphs(chinese, caplog):
    """mathtext lays out a label with $...$ in one font, without fallback: that font must have Chinese
    (else matplotlib logs "Font 'default' does not have a glyph" and draws boxes)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_xlabel("$h$ 的标准差 $\\sigma(x)$, −1")
    with caplog.at_level("WARNING", logger="matplotlib"), warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    assert not [r for r in caplog.records if "glyph" in r.getMessage()], caplog.text


def test_a_glued_claim_value_is_translated_in_its_html_too(chinese, monkeypatch):
    """claims.record glues each verdict and evidence as text/plain and as escaped HTML with no tag;
    the ledger shows the HTML, so that form is translated (and stays escaped)."""
    from nonlinear.claims import _Plain

    value = _Plain("pre-activation x")
    bundle = {i18n.GLUE_PREFIX + "text/plain": str(value), i18n.GLUE_PREFIX + "text/html": value._repr_html_()}
    assert i18n.translate_bundle(bundle) == {
        i18n.GLUE_PREFIX + "text/plain": "预激活 x",
        i18n.GLUE_PREFIX + "text/html": "预激活 x",
    }
    assert i18n.translate_html(" accuracy\n") == " 准确率\n"
    assert (
        i18n.translate_html("don&#x27;t &amp; can&#x27;t") == "don&#x27;t &amp; can&#x27;t"
    )  # untranslated: as it was
    monkeypatch.setenv("NONLINEAR_I18N_STRICT", "1")
    with pytest.warns(UserWarning, match="no zh_CN translation for 'an untranslated verdict'"):
        i18n.translate_html("an untranslated verdict")
