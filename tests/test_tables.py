"""tables: the facts of each activation, LaTeX ready for MathJax, bad input rejected."""

import pytest

from nonlinear import activations, tables


def test_latex_facts_are_wrapped_and_the_rest_are_untouched():
    elu = activations.get("elu", alpha=2.0)
    frame = tables.facts_frame(["relu", elu], ["name", "formula", "range_latex", "saturation", "year"])
    relu = activations.get("relu")
    assert list(frame.index) == ["relu", "elu"]
    assert list(frame.columns) == ["formula", "range", "saturation (left, right)", "year"]
    assert frame["formula"].tolist() == [f"${relu.formula}$", f"${elu.formula}$"]
    assert frame["range"].tolist() == [f"${relu.range_latex}$", f"${elu.range_latex}$"]
    assert frame["saturation (left, right)"].tolist() == [
        f"{relu.saturation[0]}, {relu.saturation[1]}",
        f"{elu.saturation[0]}, {elu.saturation[1]}",
    ]
    assert frame["year"].tolist() == [relu.year, elu.year]
    assert elu.range_latex != relu.range_latex  # the row keeps the parameters it was given


def test_a_pipe_in_latex_does_not_split_the_markdown_cell():
    softsign = activations.get("softsign")
    assert "|" in softsign.formula
    table = tables.facts_table(["softsign"], ["formula", "year"]).data
    header, rule, row = table.splitlines()
    assert row.count("|") == header.count("|"), f"the row has more cells than the header:\n{table}"
    assert "\\vert" in row


@pytest.mark.parametrize(
    ("rows", "columns", "error", "message"),
    [
        (["relu"], ["name", "colour"], ValueError, "unknown or no columns"),
        (["relu"], ["name"], ValueError, "unknown or no columns"),
        ([], ["year"], ValueError, "at least one activation"),
        (["reluu"], ["year"], ValueError, "unknown activation"),
        ([3.0], ["year"], TypeError, "activation name or an Activation"),
    ],
)
def test_bad_input_is_rejected_with_a_message(rows, columns, error, message):
    with pytest.raises(error, match=message):
        tables.facts_frame(rows, columns)


def test_inline_math_wants_a_string():
    assert tables.inline_math("x^2") == "$x^2$"
    with pytest.raises(TypeError, match="LaTeX as a string"):
        tables.inline_math(None)
