"""The words inside formulas in the edition's language: ``\\text{ if }`` reads ``\\text{ 若 }`` in Chinese.

A formula's prose (``x \\text{ if } x > 0 \\text{ else } 0``, ``L_\\text{new}``) is LaTeX, so the
pages' catalogues keep it as written (scripts/editions.py counts a changed formula as damage). A
translated edition sets ``nonlinear_math_words`` (the text of a ``\\text{…}`` -> its translation,
from the ``math`` catalogue, which scripts/editions.py extracts from the pages and the package), and
this post-transform puts each translation into every formula of the page: the text's inline and
display math, and the outputs' (a facts table is Markdown that MyST-NB parses into the same nodes).
A ``\\text{…}`` with an English word and no entry is a warning, which fails the strict build.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

# \text{…} with no braces inside; MathJax and LaTeX read its argument as text, not math.
TEXT_COMMAND = re.compile(r"\\text\{([^{}]*)\}")
WORD = re.compile(r"[A-Za-z]{2,}")


def translate_math(latex: str, words: dict[str, str], missing: Callable[[str], None] | None = None) -> str:
    """``latex`` with the argument of every ``\\text{…}`` that has an English word replaced by
    ``words[argument]``; ``missing(argument)`` is called for one that ``words`` lacks (kept as it is)."""

    def replace(match: re.Match) -> str:
        argument = match[1]
        if not WORD.search(argument):
            return match[0]
        if argument not in words:
            if missing is not None:
                missing(argument)
            return match[0]
        return "\\text{" + words[argument] + "}"

    return TEXT_COMMAND.sub(replace, latex)


class TranslateMathWords(SphinxPostTransform):
    """After MyST-NB has chosen each output's format (SelectMimeType) and pasted glued values."""

    default_priority = 400
    formats = ("html",)

    def run(self, **kwargs) -> None:
        words = self.config.nonlinear_math_words
        if not words:
            return
        for node in self.document.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))):
            latex = node.astext()

            def missing(argument: str, node=node) -> None:
                logger.warning(
                    f"no translation of \\text{{{argument}}} in the math catalogue "
                    "(python scripts/editions.py extract, then translate it)",
                    location=node,
                    type="nonlinear",
                    subtype="math_words",
                )

            translated = translate_math(latex, words, missing)
            if translated != latex:
                node.clear()
                node.append(nodes.Text(translated))


def setup(app: Sphinx) -> dict:
    app.add_config_value("nonlinear_math_words", {}, "html", types=[dict])
    app.add_post_transform(TranslateMathWords)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
