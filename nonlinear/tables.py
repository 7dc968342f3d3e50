"""Tables of activation facts for a page, with their LaTeX ready for MathJax.

The facts store formulas and ranges as bare LaTeX (``\\max(0, x)``). In a table
that text would reach the reader as raw TeX, so :func:`facts_table` wraps those
cells in ``\\( ... \\)``, the inline-math delimiters MathJax typesets in cell
outputs (on the site, in JupyterLab and in Colab alike).

>>> facts_table(["relu"], ["name", "range_latex"]).iloc[0]["range"]
'\\\\([0, \\\\infty)\\\\)'
"""

from __future__ import annotations

from collections.abc import Iterable

from nonlinear import activations

LATEX_FACTS = ("formula", "derivative_formula", "range_latex")
# The columns of the properties table on the pages of chapter 5.
DEFAULT_COLUMNS = ("name", "formula", "range_latex", "zero_centred", "monotonic", "smooth", "saturation", "year")
# Column headings a reader sees; facts not listed keep their own name.
HEADINGS = {"range_latex": "range", "derivative_formula": "derivative", "zero_centred": "zero-centred"}


def inline_math(latex: str) -> str:
    """``latex`` between MathJax's inline delimiters: ``\\(`` latex ``\\)``."""
    if not isinstance(latex, str):
        raise TypeError(f"expected LaTeX as a string, got {type(latex).__name__}")
    return f"\\({latex}\\)"


def facts_table(rows: Iterable[str | activations.Activation], columns: Iterable[str] = DEFAULT_COLUMNS):
    """A pandas DataFrame with one row per activation (a name, or an ``Activation`` with its parameters)
    and the given fact ``columns`` (see ``activations.FACT_NAMES``, plus ``name`` and ``params``;
    by default ``DEFAULT_COLUMNS``).
    LaTeX facts are wrapped for MathJax, and headings read as words (``range_latex`` → ``range``).
    """
    import pandas as pd

    columns = list(columns)
    allowed = ("name", "params", *activations.FACT_NAMES)
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
        raise ValueError("facts_table needs at least one activation")
    frame = pd.DataFrame(facts)[columns]
    for column in LATEX_FACTS:
        if column in frame:
            frame[column] = frame[column].map(inline_math)
    return frame.rename(columns=HEADINGS)
