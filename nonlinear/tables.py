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

import re
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
    "saturation": "saturation (left / right)",
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


# Layout of facts_table: the page's text column is about 688 px, 43 em of 16 px.
COLUMN_WIDTH_EM = 40.0
# Facts written as prose wrap inside their cell; they get a column to themselves, this wide at most.
PROSE_FACTS = ("used_in", "summary", "reference", "url")
_PROSE_WIDTH_EM = 24.0
_PADDING_EM = 1.4  # left and right padding of a table cell in the book's theme
_LATEX_SPACING = re.compile(
    r"\\(?:[,;:!> ]|quad|qquad|left|right|big|Big|bigl|bigr|mathrm|text|tfrac|frac|dfrac|operatorname)"
)
_SCRIPT = re.compile(r"[\^_]\{([^{}]*)\}")
_FRACTION = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")


def _shown(column: str, value) -> str:
    """One fact as the Markdown a reader sees in a cell."""
    if column in LATEX_FACTS:
        return inline_math(value)
    if column == "saturation":
        return " / ".join("none" if side is None else str(side) for side in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "n/a"  # e.g. monotonic, for a function of a vector
    if isinstance(value, dict):
        return ", ".join(f"{k}={v!r}" for k, v in value.items()) or "none"
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value)) or "none"
    return str(value).replace("|", "\\|").replace("\n", " ")


def width_em(cell: str) -> float:
    r"""Rough rendered width of one Markdown cell, in em: ``$...$`` counts each TeX command
    (``\sigma``) as one glyph, spacing or formatting commands as none and a fraction as its
    wider part; text counts about half an em a character (the theme's proportional font)."""
    if cell.startswith("$") and cell.endswith("$") and len(cell) > 1:
        latex = _SCRIPT.sub(r"\1", cell[1:-1])  # e^{-x}: the exponent's glyphs, braces gone
        while (stacked := _FRACTION.sub(lambda m: max(m.group(1), m.group(2), key=len), latex)) != latex:
            latex = stacked  # numerator over denominator: as wide as the wider one
        latex = _LATEX_SPACING.sub("", latex)
        latex = _LATEX_COMMAND.sub("x", latex)
        glyphs = sum(ch not in "{}^_ " for ch in latex)
        return 0.62 * glyphs
    return 0.5 * len(cell)


def _column_em(heading: str, cells: list[str], prose: bool) -> float:
    widest_word = max((len(word) for word in heading.split()), default=0) * 0.55  # headings wrap at spaces
    content = max((width_em(cell) for cell in cells), default=0.0)
    if prose:
        content = min(content, _PROSE_WIDTH_EM)
    return max(widest_word, content) + _PADDING_EM


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(":---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def facts_layout(
    rows: Iterable[str | activations.Activation],
    columns: Iterable[str] = DEFAULT_COLUMNS,
    width_em_budget: float = COLUMN_WIDTH_EM,
) -> list[str]:
    """The Markdown tables :func:`facts_table` shows, each narrow enough for the page's column.

    One activation, or a few whose facts fit side by side: one table with a row per
    fact and a column per activation. More: a table per group of facts, activations as rows and the name repeated
    in each, the facts packed in their order until the estimated width
    (:func:`width_em`) would pass ``width_em_budget``; a prose fact (``used_in``,
    ``summary``) gets a table of its own, where it wraps.
    """
    frame = facts_frame(rows, columns)
    chosen = [c for c in columns if c != "name"]
    facts = []
    for row in rows if isinstance(rows, list | tuple) else list(rows):
        facts.append((activations.get(row) if isinstance(row, str) else row).facts())
    names = [f"**{name}**" for name in frame.index]
    cells = {c: [_shown(c, f[c]) for f in facts] for c in chosen}
    headings = {c: HEADINGS.get(c, c) for c in chosen}
    transposed = _markdown(["property", *names], [[headings[c], *cells[c]] for c in chosen])
    if len(names) == 1:
        return [transposed]
    if len(names) <= 4:
        property_em = _column_em(" ".join(headings[c] for c in chosen), [], prose=False)  # wraps at spaces
        value_em = [
            _column_em(name, [cells[c][i] for c in chosen], prose=any(c in PROSE_FACTS for c in chosen))
            for i, name in enumerate(names)
        ]
        if property_em + sum(value_em) <= width_em_budget:
            return [transposed]
    name_em = _column_em("", names, prose=False)
    groups: list[list[str]] = []
    used = width_em_budget  # start a new group at the first column
    for c in chosen:
        prose = c in PROSE_FACTS
        em = _column_em(headings[c], cells[c], prose)
        if prose or used + em > width_em_budget or (groups and groups[-1][-1:] and groups[-1][-1] in PROSE_FACTS):
            groups.append([c])
            used = name_em + em
        else:
            groups[-1].append(c)
            used += em
    return [
        _markdown(
            ["activation", *(headings[c] for c in group)],
            [[n, *(cells[c][i] for c in group)] for i, n in enumerate(names)],
        )
        for group in groups
    ]


def facts_table(
    rows: Iterable[str | activations.Activation],
    columns: Iterable[str] = DEFAULT_COLUMNS,
    width_em_budget: float = COLUMN_WIDTH_EM,
):
    """The facts of :func:`facts_frame` as Markdown tables that fit the page's column
    (:func:`facts_layout`), for display (``IPython.display.Markdown``)."""
    from IPython.display import Markdown

    rows = list(rows)
    columns = list(columns)
    return Markdown("\n\n".join(facts_layout(rows, columns, width_em_budget)))
