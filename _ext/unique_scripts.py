"""Include each script once per page.

With Thebe launch buttons on, Jupyter Book's extensions register some inline
scripts twice (sphinx-thebe's ``const THEBE_JS_URL = ...`` and sphinx-togglebutton's
selector); the second copy of a ``const`` declaration is a console error on every
page. Scripts are still being added after this handler runs, so instead of editing
the list this wraps the page's ``js_tag`` (which renders each script tag) so that
an exact repeat of a tag already on the page renders as nothing.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _render_each_script_once(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    js_tag = context.get("js_tag")
    if js_tag is None:
        return
    rendered: set[str] = set()

    def js_tag_once(script) -> str:
        tag = js_tag(script)
        if tag in rendered:
            return ""
        rendered.add(tag)
        return tag

    context["js_tag"] = js_tag_once


def setup(app: Sphinx) -> dict:
    # Early: 'html-page-context' stops at the first handler that returns a template
    # name (the themes' do), so a late handler might never run.
    app.connect("html-page-context", _render_each_script_once, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
