"""Include each script once per page.

With Thebe launch buttons on, Jupyter Book's extensions register some scripts
twice (sphinx-thebe's ``const THEBE_JS_URL = ...`` and sphinx-togglebutton's
selector); the second copy of a ``const`` declaration is a console error on every
page. This drops exact repeats (same file, same inline body, same attributes)
from each page's script list, keeping the first.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _key(script) -> tuple:
    filename = getattr(script, "filename", script)
    attributes = getattr(script, "attributes", {}) or {}
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def _drop_repeats(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _drop_repeats, priority=900)  # after everyone else adds theirs
    return {"parallel_read_safe": True, "parallel_write_safe": True}
