"""tables: the facts of each activation, LaTeX ready for MathJax, bad input rejected."""

import pytest

from nonlinear import activations, tables


def test_latex_facts_are_wrapped_and_the_rest_are_untouched():
    elu = activations.get("elu", alpha=2.0)
    frame = tables.facts_frame(["relu", elu], ["name", "formula", "range_latex", "saturation", "year"])
    relu = activations.get("relu")
    assert list(frame.index) == ["relu", "elu"]
    assert list(frame.columns) == ["formula", "range", "saturation (left / right)", "year"]
    assert frame["formula"].tolist() == [f"${relu.formula}$", f"${elu.formula}$"]
    assert frame["range"].tolist() == [f"${relu.range_latex}$", f"${elu.range_latex}$"]
    assert frame["saturation (left / right)"].tolist() == [
        f"{relu.saturation[0]}, {relu.saturation[1]}",
        f"{elu.saturation[0]}, {elu.saturation[1]}",
    ]
    assert frame["year"].tolist() == [relu.year, elu.year]
    assert elu.range_latex != relu.range_latex  # the row keeps the parameters it was given


def test_a_pipe_in_latex_does_not_split_the_markdown_cell():
    softsign = activations.get("softsign")
    assert "|" in softsign.formula
    for rows in (["softsign"], ["softsign", "relu"]):
        table = tables.facts_table(rows, ["formula", "year"]).data
        lines = [line for line in table.splitlines() if line.startswith("|")]
        header = lines[0]
        for row in lines[2:]:
            assert row.count("|") - row.count("\\|") == header.count("|"), (
                f"a row has more cells than the header:\n{table}"
            )
        assert "\\vert" in table


def _tables(markdown: str) -> list[list[list[str]]]:
    """The cells of each Markdown table in ``markdown`` (header row first, rule dropped)."""
    found = []
    for block in markdown.split("\n\n"):
        lines = block.strip().splitlines()
        found.append(
            [[c.strip() for c in line.strip().strip("|").split(" | ")] for k, line in enumerate(lines) if k != 1]
        )
    return found


def test_one_activation_is_a_table_of_two_columns_a_fact_per_row():
    [table] = _tables(tables.facts_table(["sigmoid"], tables.PROPERTY_COLUMNS).data)
    assert table[0] == ["property", "**sigmoid**"]
    assert [row[0] for row in table[1:]] == [tables.HEADINGS.get(c, c) for c in tables.PROPERTY_COLUMNS]
    assert all(len(row) == 2 for row in table)
    sigmoid = activations.get("sigmoid")
    assert ["monotonic", "yes" if sigmoid.monotonic else "no"] in table
    assert ["range", f"${sigmoid.range_latex}$"] in table


def test_a_few_activations_whose_facts_fit_side_by_side_share_one_table():
    [table] = _tables(tables.facts_table(["tanh", "sigmoid"], tables.PROPERTY_COLUMNS).data)
    assert table[0] == ["property", "**tanh**", "**sigmoid**"]
    assert [row[0] for row in table[1:]] == [tables.HEADINGS.get(c, c) for c in tables.PROPERTY_COLUMNS]
    assert ["zero-centred", "yes", "no"] in table


def test_fractions_count_as_wide_as_their_wider_part():
    assert tables.width_em("$\\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}$") == tables.width_em("$e^{x} - e^{-x}$")
    assert tables.width_em("$\\tfrac{1}{2}x$") == tables.width_em("$1x$")


@pytest.mark.parametrize(
    "rows",
    [
        ["relu", "silu", "swish", "hardswish", "gelu", "mish"],
        ["sigmoid", "tanh", "relu", "gelu"],
        [n for n in activations.names() if activations.get(n).elementwise],
    ],
)
def test_several_activations_split_into_tables_that_fit_the_column(rows):
    columns = [*tables.PROPERTY_COLUMNS, "used_in"]
    found = _tables(tables.facts_table(rows, columns).data)
    shown = [heading for table in found for heading in table[0][1:]]
    assert shown == [tables.HEADINGS.get(c, c) for c in columns], "every fact once, in the order asked"
    names = [f"**{activations.get(r).name}**" for r in rows]
    for table in found:
        assert table[0][0] == "activation" and [row[0] for row in table[1:]] == names
        widths = [max(tables.width_em(row[k]) for row in table[1:]) + 1.4 for k in range(len(table[0]))]
        prose = any(h in ("used in",) for h in table[0])
        assert prose or len(table[0]) == 2 or sum(widths) <= tables.COLUMN_WIDTH_EM, (table[0], widths)
    assert len(found) > 1, "nine facts of six activations do not fit one column"


def test_width_estimate_grows_with_the_formula_and_ignores_spacing_commands():
    assert (
        tables.width_em("$x$")
        < tables.width_em("$x\\,\\sigma(x)$")
        < tables.width_em("$x\\,\\sigma(x)\\,(1 - \\sigma(x))$")
    )
    assert tables.width_em("$a\\,b$") == tables.width_em("$ab$")
    assert tables.width_em("yes") < tables.width_em("soft / none")


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
