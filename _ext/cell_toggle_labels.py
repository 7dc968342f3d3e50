"""The words on a folded code cell ("Show code cell source", ...) in the edition's language.

MyST-NB writes them in English whatever Sphinx's ``language`` (they are settings, not translated
messages): the prompt above each folded cell and the toggle's ``aria-label``. A translated edition
sets ``nonlinear_ui_labels`` (English text -> its translation, from the ``book`` catalogue; see
scripts/editions.py), and this extension puts the translations in their place. The English edition
leaves the setting empty and its pages are unchanged.
"""

from __future__ import annotations

from html import escape

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxTranslator
from sphinx.util.nodes import NodeMatcher

# What MyST-NB writes (myst_nb.core.config and myst_nb.sphinx_): its two prompt settings, whose
# {type} it fills with one of four words, and the toggle's aria-label.
PROMPTS = ("Show code cell {type}", "Hide code cell {type}")
PROMPT_TYPES = ("source", "output", "outputs", "content")
TOGGLE_LABEL = "Toggle hidden content"


def ui_messages() -> list[str]:
    """Every English text this extension translates, in a fixed order (scripts/editions.py extracts them)."""
    return [prompt.replace("{type}", kind) for kind in PROMPT_TYPES for prompt in PROMPTS] + [TOGGLE_LABEL]


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
    """MyST-NB's visitor (myst_nb.sphinx_.visit_HideCellInput) with the aria-label translated."""
    label = self.builder.config.nonlinear_ui_labels.get(TOGGLE_LABEL, TOGGLE_LABEL)
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n')
    self.body.append(f'<summary aria-label="{escape(label)}">\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")
    app.add_config_value("nonlinear_ui_labels", {}, "html", types=[dict])
    app.add_post_transform(TranslateCellPrompts)
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_HideCellInput))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
