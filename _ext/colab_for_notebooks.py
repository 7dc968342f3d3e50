"""Offer Colab only on pages that are notebooks.

sphinx-book-theme puts a Colab launch button on every executed page, but Colab
opens only ``.ipynb`` files: on a MyST-markdown chapter the button leads to an
error. This removes it from pages whose source is not an ``.ipynb`` (the labs
keep it; Binder and Thebe stay everywhere).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx


def _without_colab(buttons: list, colab_url: str) -> list:
    kept = []
    for button in buttons:
        if isinstance(button, dict) and str(button.get("url", "")).startswith(colab_url):
            continue
        if isinstance(button, dict) and isinstance(button.get("buttons"), list):
            button = {**button, "buttons": _without_colab(button["buttons"], colab_url)}
        kept.append(button)
    return kept


def _drop_colab_from_text_pages(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if pagename not in app.env.all_docs or Path(app.env.doc2path(pagename)).suffix == ".ipynb":
        return
    colab_url = (app.config.html_theme_options.get("launch_buttons", {}) or {}).get("colab_url", "")
    if colab_url and "header_buttons" in context:
        context["header_buttons"] = _without_colab(context["header_buttons"], colab_url.rstrip("/"))


def setup(app: Sphinx) -> dict:
    # After sphinx-book-theme's add_launch_buttons (priority 501), before the page is rendered.
    app.connect("html-page-context", _drop_colab_from_text_pages, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
