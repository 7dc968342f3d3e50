"""Verdicts on the claims of the four source articles, recorded where the experiment runs.

A chapter measures, decides the verdict in code from its numbers, and calls
:func:`record`. That shows a verdict box on the page and *glues* the claim,
its source, the verdict and the evidence under keys ``<id>.claim``,
``<id>.source``, ``<id>.verdict`` and ``<id>.evidence``; the appendix "Claims of
the sources" pastes them from there, so each verdict is written in one place.

>>> c = record("demo", "000", "ReLU is cheap", verdict_from(True), "0.4 ns per element", glue_values=False, show=False)
>>> c.verdict
'holds'
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

# The MIME-type prefix under which myst-nb stores a glued value that is not displayed.
GLUE_PREFIX = "application/papermill.record/"

VERDICTS = ("holds", "holds with caveats", "wrong")
SOURCES = {
    "000": "Jain, 'Why must neural networks have activation functions?' (Chinese translation)",
    "001": "'Which normalisation should data get when tanh is the activation' (blog post)",
    "003": "Wikipedia, 'Rectifier (neural networks)', bilingual copy",
    "004": "'[AI] Activation functions' (blog post)",
}


@dataclass(frozen=True)
class Claim:
    id: str
    source: str
    claim: str
    verdict: str
    evidence: str

    def _repr_markdown_(self) -> str:
        mark = {"holds": "✔", "holds with caveats": "≈", "wrong": "✘"}[self.verdict]
        return f"**Claim** (source {self.source}): {self.claim}  \n**Verdict: {mark} {self.verdict}** — {self.evidence}"


class _Plain(str):
    """A string shown as prose: no quotes in plain text, escaped text in HTML (so a pasted glue value reads well)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return html.escape(str(self))


def glue(name: str, value: Any, display: bool = True) -> None:
    """Store ``value``'s display under ``name`` for the book's ``{glue}`` roles.

    Writes exactly the output that ``myst_nb.glue`` writes (its display data,
    with ``metadata["scrapbook"] = {name, mime_prefix}``), without importing
    myst-nb: the Binder image runs the chapters without the book-building tools.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    if not isinstance(name, str) or not name or any(ch.isspace() for ch in name):
        raise ValueError(f"glue name must be a non-empty string without spaces, got {name!r}")
    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + mime: data for mime, data in bundle.items()}, raw=True, metadata=metadata)


def verdict_from(holds: bool, caveat: bool = False) -> str:
    """'holds', 'holds with caveats' or 'wrong', from two booleans the experiment computed."""
    if holds:
        return "holds with caveats" if caveat else "holds"
    return "wrong"


def record(
    claim_id: str, source: str, claim: str, verdict: str, evidence: str, glue_values: bool = True, show: bool = True
) -> Claim:
    """Record one verdict: check it, show it on the page, and glue it for the claim ledger."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)} (the files in shared/seeds), got {source!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if not claim_id or any(ch.isspace() for ch in claim_id):
        raise ValueError(f"claim_id must be a non-empty key without spaces, got {claim_id!r}")
    result = Claim(claim_id, source, claim, verdict, evidence)
    if glue_values:
        for field in ("claim", "source", "verdict", "evidence"):
            glue(f"{claim_id}.{field}", _Plain(getattr(result, field)), display=False)
    if show:
        from IPython.display import display

        display(result)
    return result
