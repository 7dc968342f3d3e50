"""The words of the page around the book's text in the edition's language: folded cells, buttons, tooltips.

MyST-NB, the theme, Sphinx and the scripts beside them write these in English whatever Sphinx's
``language``: some are settings, some are written into the templates, some are added by a script
once the page has loaded, and the catalogues they ship leave others empty. A translated edition sets
``nonlinear_ui_labels`` (English -> its translation, from the ``book`` catalogue; scripts/editions.py
lists the English words), and this extension puts each translation in its place:

- the prompts on a folded code cell ("Show code cell source"): a post-transform on MyST-NB's nodes.
  MyST-NB also names every toggle "Toggle hidden content" (an ``aria-label``, which hides the prompt
  from a screen reader); its visitor is replaced by one without it, in every edition, so the toggle
  is named by the prompt it shows;
- the theme's names, tooltips and texts in the page's markup ("Color mode", "Toggle primary
  sidebar", "Back to top", "Link to this heading"): ``templates/layout.html`` passes the page's body
  through the filter :func:`translate_markup`, which replaces an attribute value, or a text outside
  the article, only where it is exactly one of the English words or the tools' own translation of one;
- sphinx-togglebutton's hints ("Click to show"): its two settings;
- sphinx-exercise's titles ("Exercise 3", "Solution to"): its message catalogue answers with the
  book's words first (it ships zh_CN only);
- what scripts write after loading (sphinx-togglebutton's button name, sphinx-copybutton's
  tooltips, which it has for zh-CN only, and assets/site/accessibility.js's names): the page gets
  the table ``window.nonlinearLabels``, which assets/site/ui_labels.js and accessibility.js read.
"""

from __future__ import annotations

import gettext
import json
import re
from html import escape, unescape

from markupsafe import Markup
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from sphinx import locale
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import get_translation
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxTranslator
from sphinx.util.nodes import NodeMatcher

# Where the theme writes its words: the attributes that name or describe an element, and the text
# between tags outside the article (the article holds the book's text).
ATTRIBUTE = re.compile(r'\b(title|aria-label|placeholder|alt|data-bs-title)="([^"<>]*)"')
TEXT = re.compile(r"(>\s*)([^<>]+?)(\s*<)")
ARTICLE = re.compile(r"(<article\b.*?</article>)", re.S)
TOOL_CATALOGUES = ("sphinx", "booktheme")
EXERCISE_CATALOGUE = "exercise"  # sphinx-exercise's (sphinx_exercise.MESSAGE_CATALOG_NAME)
# sphinx-togglebutton's settings and the English words they hold by default.
TOGGLE_HINTS = {"togglebutton_hint": "Click to show", "togglebutton_hint_hide": "Click to hide"}


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


def translate_markup(markup: str, labels: dict[str, str]) -> Markup:
    """``markup`` with every naming attribute's value (ATTRIBUTE), and every text outside the article,
    that is exactly a word of ``labels`` replaced by its translation; nothing else changes (nothing at
    all in English). The article's text is the book's, translated by the pages' catalogues."""
    if not labels:
        return Markup(markup)

    def attribute(match: re.Match) -> str:
        value = labels.get(unescape(match[2]))
        return match[0] if value is None else f'{match[1]}="{escape(value)}"'

    def text(match: re.Match) -> str:
        value = labels.get(unescape(match[2].strip()))
        return match[0] if value is None else match[1] + escape(value) + match[3]

    pieces = ARTICLE.split(str(markup))  # odd pieces are articles
    return Markup(
        "".join(
            ATTRIBUTE.sub(attribute, piece) if i % 2 else TEXT.sub(text, ATTRIBUTE.sub(attribute, piece))
            for i, piece in enumerate(pieces)
        )
    )


def markup_labels(labels: dict[str, str], catalogues: tuple[str, ...] = ()) -> dict[str, str]:
    """What the tools write for each English word of ``labels`` -> the book's translation: the English
    word itself, and its translation by each of the tools' ``catalogues`` (``sphinx`` holds Sphinx's and
    pydata-sphinx-theme's, ``booktheme`` sphinx-book-theme's) where one has it. The tools' translations
    are replaced too, so that an edition says each thing in one way, its own (pydata-sphinx-theme
    translates Chinese once, in Simplified characters, and the Traditional edition would show them)."""
    found = dict(labels)
    for english, translated in labels.items():
        for catalogue in catalogues:
            found.setdefault(str(get_translation(catalogue)(english)), translated)
    return found


class LabelCatalogue(gettext.NullTranslations):
    """A message catalogue that answers with ``labels`` (English -> translation) and asks ``fallback``
    (the tool's own catalogue) for every other message."""

    def __init__(self, labels: dict[str, str], fallback: gettext.NullTranslations | None = None):
        super().__init__()
        self.labels = labels
        if fallback is not None:
            self.add_fallback(fallback)

    def gettext(self, message: str) -> str:
        return self.labels[message] if message in self.labels else super().gettext(message)


def _translate_exercise_titles(app: Sphinx, config: Config) -> None:
    """sphinx-exercise's catalogue answers with the book's words first. Runs before sphinx-exercise
    writes "Exercise %s" into numfig_format (config-inited, priority 500); its directives ask later."""
    if config.nonlinear_ui_labels:
        key = ("general", EXERCISE_CATALOGUE)  # sphinx.locale's registry, which get_translation reads
        locale.translators[key] = LabelCatalogue(config.nonlinear_ui_labels, locale.translators.get(key))


def _set_toggle_hints(app: Sphinx, config: Config) -> None:
    for setting, english in TOGGLE_HINTS.items():
        if getattr(config, setting) == english and english in config.nonlinear_ui_labels:
            setattr(config, setting, config.nonlinear_ui_labels[english])


def _add_filter_and_table(app: Sphinx) -> None:
    labels = app.config.nonlinear_ui_labels
    in_markup = markup_labels(labels, TOOL_CATALOGUES) if labels else {}
    environment = getattr(app.builder.templates, "environment", None) if app.builder.templates else None
    if environment is not None:
        environment.filters["translate_ui_labels"] = lambda markup: translate_markup(markup, in_markup)
    # Before every other script (priority 100), so that the scripts that read it find it as they load.
    table = json.dumps(labels, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    app.add_js_file(None, body=f"window.nonlinearLabels = {table};", priority=100)


def setup(app: Sphinx) -> dict:
    app.setup_extension("myst_nb")
    app.add_config_value("nonlinear_ui_labels", {}, "html", types=[dict])
    app.add_post_transform(TranslateCellPrompts)
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_HideCellInput))
    app.connect("config-inited", _set_toggle_hints, priority=400)  # before sphinx-togglebutton writes them (500)
    app.connect("config-inited", _translate_exercise_titles, priority=400)
    app.connect("builder-inited", _add_filter_and_table)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
