"""Serve the site's browser-side libraries from the site itself, not from a CDN.

Sphinx loads MathJax from ``mathjax_path`` and MyST-NB loads RequireJS and the
ipywidgets HTML manager from ``nb_ipywidgets_js``; by default both point at CDNs,
so a classroom without internet sees raw TeX. ``_config.yml`` points them at
``_static/vendor/...``, and this extension copies those files there from
``node_modules/`` (installed by ``npm ci`` from ``package-lock.json``; ``make book``
runs it). A page loads the widget manager only if it shows a widget.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"

# destination under _static/vendor  ->  source under node_modules
VENDORED = {
    "mathjax": "mathjax/es5",
    "require.js": "requirejs/require.js",
    "html-manager": "@jupyter-widgets/html-manager/dist",
}
# From a folder, copy only what a page can load (not source maps or other bundles).
ONLY = {"html-manager": ("embed-amd.js", "*.woff", "*.woff2", "*.ttf", "*.eot", "*.svg")}


def _sources() -> dict[str, Path]:
    sources = {dest: NODE_MODULES / src for dest, src in VENDORED.items()}
    missing = [str(path.relative_to(ROOT)) for path in sources.values() if not path.exists()]
    if missing:
        raise ExtensionError(
            f"site_assets: {', '.join(missing)} not found; run `npm ci` in the repository root "
            "(`make book` does it) to install the libraries the site serves itself"
        )
    return sources


def _check_config(app: Sphinx, config) -> None:
    """Fail early, with a clear message, if a library would still come from a CDN."""
    _sources()
    urls = [config.mathjax_path, *config.nb_ipywidgets_js]  # relative paths are under _static/
    remote = [url for url in urls if "://" in url or url.startswith("//")]
    if remote:
        raise ExtensionError(f"site_assets: these load from outside the site: {remote}; point them at vendor/...")


def _copy(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    vendor = Path(app.outdir) / "_static" / "vendor"
    for dest, source in _sources().items():
        if not source.is_dir():
            copy_asset(str(source), str(vendor))
        elif dest in ONLY:
            for path in source.iterdir():
                if any(path.match(pattern) for pattern in ONLY[dest]):
                    copy_asset(str(path), str(vendor / dest))
        else:
            copy_asset(str(source), str(vendor / dest))


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _widget_manager_only_where_a_widget_shows(app: Sphinx, pagename, templatename, context: dict, doctree) -> None:
    """MyST-NB loads the widget manager (3.6 MB) on every page whose notebook saved widget state; the
    site renders no widget view (the sliders show as animations), so on such a page it would load for
    nothing. Where the page body holds no widget view, its widget scripts render as nothing."""
    js_tag = context.get("js_tag")
    if js_tag is None or WIDGET_VIEW in context.get("body", ""):
        return
    manager = {f"_static/{path}" for path in app.config.nb_ipywidgets_js}  # how Sphinx stores a relative path

    def js_tag_without_widgets(script) -> str:
        filename = str(getattr(script, "filename", "") or "")
        attributes = getattr(script, "attributes", {}) or {}
        if filename in manager or attributes.get("type") == WIDGET_STATE:
            return ""
        return js_tag(script)

    context["js_tag"] = js_tag_without_widgets


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _check_config)
    app.connect("html-page-context", _widget_manager_only_where_a_widget_shows, priority=100)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
