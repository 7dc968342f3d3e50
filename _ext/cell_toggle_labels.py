"""The words on a folded code cell ("Show code cell source", ...) in the edition's language.

MyST-NB writes its prompts in English whatever Sphinx's ``language`` (they are settings, not
translated messages), and labels every toggle "Toggle hidden content" (an ``aria-label``, which
hides the prompt from a screen reader). A translated edition sets ``nonlinear_ui_labels`` (English
prompt -> its translation, from the ``book`` catalogue: scripts/editions.py), and this extension
puts the translations in their place. The toggle is named by the prompt it shows, in every edition.
"""

from __future__ import annotations

from html import escape

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxTranslator
from sphinx.util.nodes import NodeMatcher


class TranslateCellPrompts(SphinxPostTransform):
    """Runs after MyST-NB's HideInputCells (priority 199), which makes the nodes and fills {type}."""

    default_priority = 200
    formats = ("html",)

    def run(self, **kwargs) -> None:
        labels = self.config.nonlinear_ui_labels
        if not labels:
            return
        for node in self.document.findall(NodeMatcher(HideCodeCellNode)):
            for key in ("prompt_show", "prompt_hide"):
                node[key] = labels.get(node[key], node[key])


def visit_hide_cell(self: SphinxTranslator, node: HideCodeCellNode) -> None:
    """MyST-NB's visitor (myst_nb.sphinx_.visit_HideCellInput) without its English aria-label: the
    toggle's accessible name is the prompt shown ("Show code cell source" when folded)."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")
    app.add_config_value("nonlinear_ui_labels", {}, "html", types=[dict])
    app.add_post_transform(TranslateCellPrompts)
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_HideCellInput))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
