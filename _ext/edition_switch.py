"""A language switch at the top of every page: the same page in the book's other editions.

The English edition is the site's root; each other edition lives in a folder named by
its code (``zh_CN/``, ``zh_TW/``), built from sources that scripts/editions.py
generates. The links are relative, so the site works from any address and from disk.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from sphinx.application import Sphinx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))
import editions  # noqa: E402  (the list of editions lives there)

# code, name in its own language, folder under the English site's root (the source edition is the root)
EDITIONS = [(code, spec["name"], "" if code == editions.SOURCE else code) for code, spec in editions.EDITIONS.items()]
LABEL = {"en": "Language", "zh_CN": "语言", "zh_TW": "語言"}


def links(pagename: str, language: str) -> list[tuple[str, str, str, bool]]:
    """(code, name, relative URL, is_current) of ``pagename`` in every edition, seen from ``language``'s page."""
    current_folder = dict((code, folder) for code, _, folder in EDITIONS).get(language, "")
    depth = pagename.count("/") + (1 if current_folder else 0)
    up = "../" * depth
    found = []
    for code, name, folder in EDITIONS:
        target = f"{up}{folder + '/' if folder else ''}{pagename}.html"
        found.append((code, name, target, code == language))
    return found


def switch_html(pagename: str, language: str) -> str:
    items = []
    for code, name, url, current in links(pagename, language):
        lang = code.replace("_", "-")
        if current:
            items.append(f'<span class="edition-current" lang="{lang}" aria-current="page">{html.escape(name)}</span>')
        else:
            items.append(f'<a href="{html.escape(url)}" lang="{lang}" hreflang="{lang}">{html.escape(name)}</a>')
    label = LABEL.get(language, LABEL["en"])
    return f'<nav class="edition-switch" aria-label="{label}">{label}: ' + " · ".join(items) + "</nav>\n"


def _add_switch(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if doctree is None or "body" not in context:  # search, genindex: no article to put it in
        return
    context["body"] = switch_html(pagename, app.config.language or "en") + context["body"]


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _add_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
