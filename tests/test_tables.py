"""tables.facts_table: the facts of each activation, LaTeX wrapped for MathJax, bad input rejected."""

import pytest

from nonlinear import activations, tables


def test_latex_facts_are_wrapped_for_mathjax_and_the_rest_are_untouched():
    frame = tables.facts_table(["relu", activations.get("elu", alpha=2.0)], ["name", "formula", "range_latex", "year"])
    assert list(frame.columns) == ["name", "formula", "range", "year"]
    relu, elu = activations.get("relu"), activations.get("elu", alpha=2.0)
    assert frame["formula"].tolist() == [f"\\({relu.formula}\\)", f"\\({elu.formula}\\)"]
    assert frame["range"].tolist() == [f"\\({relu.range_latex}\\)", f"\\({elu.range_latex}\\)"]
    assert frame["year"].tolist() == [relu.year, elu.year]
    assert elu.range_latex != relu.range_latex  # the row keeps the parameters it was given


@pytest.mark.parametrize(
    ("rows", "columns", "error", "message"),
    [
        (["relu"], ["name", "colour"], ValueError, "unknown or no columns"),
        (["relu"], [], ValueError, "unknown or no columns"),
        ([], ["name"], ValueError, "at least one activation"),
        (["reluu"], ["name"], ValueError, "unknown activation"),
        ([3.0], ["name"], TypeError, "activation name or an Activation"),
    ],
)
def test_bad_input_is_rejected_with_a_message(rows, columns, error, message):
    with pytest.raises(error, match=message):
        tables.facts_table(rows, columns)


def test_inline_math_wants_a_string():
    assert tables.inline_math("x^2") == "\\(x^2\\)"
    with pytest.raises(TypeError, match="LaTeX as a string"):
        tables.inline_math(None)
