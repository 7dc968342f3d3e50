"""Leave out of every page two sets of the theme's scripts that this site never runs.

- ``fontawesome.js`` (1.4 MiB, about a third of what a page loads). pydata-sphinx-theme draws every
  ``<i class="fa-...">`` icon twice over: its stylesheet carries FontAwesome's CSS and web fonts,
  which draw the icons as glyphs, and this script replaces each one with inline SVG. The site uses
  no icon that the font lacks.
- ``searchtools.js``, ``language_data.js`` and ``searchindex.js`` (the whole search index, 160 to
  280 KiB an edition) on every page but the search page. The theme loads them for its
  search-as-you-type box, which is off (its option ``search_as_you_type``); the search box sends a
  reader to the search page, which loads them itself.

``templates/layout.html`` passes the theme's head through :func:`without_unused_scripts`. If the
theme's template changes so that a tag is not found, the build stops with an error rather than
leave the scripts in silently. tests/test_site.py checks on every page that each icon shown is
drawn by the font and that none was redrawn by the script, and that search still finds pages.
"""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _tags(*names: str) -> re.Pattern:
    """``<script src=".../name...">`` tags for the names, each with a comment line before it, if any."""
    sources = "|".join(re.escape(name) for name in names)
    return re.compile(rf'\s*(<!--[^>]*-->\s*)?<script\b[^>]*\bsrc="[^"]*\b({sources})[^"]*"[^>]*>\s*</script>')


# what -> (its script tags, how many the theme's head holds)
UNUSED = {
    "fontawesome": (_tags("_static/scripts/fontawesome.js"), 1),
    "inline search": (_tags("_static/searchtools.js", "_static/language_data.js", "searchindex.js"), 3),
}


def without_unused_scripts(head: str, what: str) -> Markup:
    """The theme's head block with the script tags of ``what`` (a key of UNUSED) removed."""
    pattern, expected = UNUSED[what]
    lighter, found = pattern.subn("", str(head))
    if found != expected:
        raise ExtensionError(
            f"unused_theme_scripts: expected {expected} {what} script tags in the theme's head, found "
            f"{found}; the theme's template changed (see _ext/unused_theme_scripts.py)"
        )
    return Markup(lighter)


def _add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path = [*config.templates_path, str(TEMPLATES)]


def _add_filter(app: Sphinx) -> None:
    environment = getattr(app.builder.templates, "environment", None) if app.builder.templates else None
    if environment is not None:
        environment.filters["without_unused_scripts"] = without_unused_scripts


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _add_templates)
    app.connect("builder-inited", _add_filter)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
