r"""Tables of activation facts for a page, with their LaTeX typeset.

The facts store formulas and ranges as bare LaTeX (``\max(0, x)``). Shown as
they are, in a DataFrame, they reach the reader as raw TeX (and pandas cuts long
cells, which splits a formula). :func:`facts_table` instead returns a Markdown
table with each LaTeX fact between ``$`` signs, which the site (MyST), JupyterLab
and Colab all typeset.

>>> print(facts_frame(["relu"], ["range_latex", "year"]).to_markdown())
|      | range         |   year |
|:-----|:--------------|-------:|
| relu | $[0, \infty)$ |   2010 |
"""

from __future__ import annotations

from collections.abc import Iterable

from nonlinear import activations

LATEX_FACTS = ("formula", "derivative_formula", "range_latex")
# The properties box of a page about one activation (or a few, side by side).
PROPERTY_COLUMNS = (
    "formula",
    "derivative_formula",
    "range_latex",
    "zero_centred",
    "monotonic",
    "smooth",
    "saturation",
    "recommended_init",
    "year",
)
# The comparison table of the pages of chapter 5.
DEFAULT_COLUMNS = ("formula", "range_latex", "zero_centred", "monotonic", "smooth", "saturation", "year")
# Column headings a reader sees; facts not listed keep their own name.
HEADINGS = {
    "range_latex": "range",
    "derivative_formula": "derivative",
    "zero_centred": "zero-centred",
    "saturation": "saturation (left, right)",
    "recommended_init": "recommended init",
    "used_in": "used in",
}


def inline_math(latex: str) -> str:
    """``latex`` as inline math in a Markdown table cell: between ``$`` signs, with ``|`` written ``\\vert``
    (a bare ``|`` would end the cell)."""
    if not isinstance(latex, str):
        raise TypeError(f"expected LaTeX as a string, got {type(latex).__name__}")
    return "$" + latex.replace("|", "\\vert ") + "$"


def _cell(column: str, value):
    if column in LATEX_FACTS:
        return inline_math(value)
    if column == "saturation":
        return ", ".join(str(side) for side in value)
    return value


def facts_frame(rows: Iterable[str | activations.Activation], columns: Iterable[str] = DEFAULT_COLUMNS):
    """A pandas DataFrame of facts, one row per activation (a name, or an ``Activation`` with its
    parameters), indexed by name, with the fact ``columns`` (``activations.FACT_NAMES`` or ``params``;
    ``name`` is the index). LaTeX facts are wrapped in ``$`` and headings read as words."""
    import pandas as pd

    columns = [c for c in columns if c != "name"]
    allowed = ("params", *activations.FACT_NAMES)
    unknown = [c for c in columns if c not in allowed]
    if unknown or not columns:
        raise ValueError(f"unknown or no columns {unknown}; choose from: {', '.join(allowed)}")
    facts = []
    for row in rows:
        if isinstance(row, str):
            row = activations.get(row)
        if not isinstance(row, activations.Activation):
            raise TypeError(f"each row must be an activation name or an Activation, got {type(row).__name__}")
        facts.append(row.facts())
    if not facts:
        raise ValueError("a facts table needs at least one activation")
    table = {HEADINGS.get(c, c): [_cell(c, f[c]) for f in facts] for c in columns}
    return pd.DataFrame(table, index=pd.Index([f["name"] for f in facts], name=None))


def facts_table(rows: Iterable[str | activations.Activation], columns: Iterable[str] = DEFAULT_COLUMNS):
    """:func:`facts_frame` as a Markdown table to display (``IPython.display.Markdown``)."""
    from IPython.display import Markdown

    return Markdown(facts_frame(rows, columns).to_markdown())
