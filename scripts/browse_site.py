"""Visit the built site in a real headless browser: Debian's Chromium, driven by Playwright.

Shared by the browser tests (``tests/test_site.py``) and the benchmark's page-weight
report (``scripts/measure_budgets.py``). The site is served over HTTP on 127.0.0.1 (as a
web server would serve it; ``file://`` would break the search page), every request
that would leave the machine is recorded and blocked, and :func:`visit` reports what
a reader's browser saw on one page.

    with serve(html_dir) as base_url, chromium() as browser:
        report = visit(browser, base_url, "chapters/02_why_nonlinearity.html")
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# The heaviest a page may be, with everything it loads (uncompressed, as served here).
PAGE_BUDGET_BYTES = 5 * 2**20
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The flags the machine's Chromium needs to start headless and stay off the network
# on its own account (no update checks, sync or first-run pings).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]

# Text a reader must never see outside code: TeX that MathJax did not typeset.
RAW_TEX_JS = r"""
() => {
  const pattern = /\\\(|\\\)|\\\[|\\\]|\$\$|\\[a-zA-Z]{2,}|\$[^$\s][^$]*\$/;
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "MJX-CONTAINER", "MJX-ASSISTIVE-MML"]);
  const found = [];
  const walker = document.createTreeWalker(document.querySelector("main") || document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    let parent = node.parentElement, skipped = false;
    while (parent) { if (skip.has(parent.tagName)) { skipped = true; break; } parent = parent.parentElement; }
    if (!skipped && pattern.test(node.textContent)) found.push(node.textContent.trim().slice(0, 80));
  }
  return found;
}
"""

WAIT_FOR_MATHJAX_JS = """
async () => {
  if (!document.querySelector('script[src*="mathjax"]')) return 0;
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
    await new Promise(r => setTimeout(r, 50));
  await MathJax.startup.promise;
  return document.querySelectorAll("mjx-container").length;
}
"""

IMAGES_JS = """
() => Array.from(document.images).map(img => ({
  src: (img.getAttribute("src") || "").slice(0, 80),
  loaded: img.complete && img.naturalWidth > 0,
  alt: (img.getAttribute("alt") || "").trim(),
}))
"""

BYTES_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  return {page: nav ? nav.encodedBodySize : 0,
          assets: resources.reduce((sum, r) => sum + r.encodedBodySize, 0),
          requests: resources.length};
}
"""

# What a reader notices on a page (tests/test_site.py): figure text too small at the size the
# image is shown, tables and code wider than the text column, TeX printed as text by a cell,
# error blocks. The smallest legible figure text, in CSS pixels, is the house style's.
MIN_FIGURE_TEXT_PX = 10.0

# Figures drawn by the house style carry their smallest text size in pixels (at the image's own
# resolution) in a PNG text chunk, "nonlinear:min-font-px"; shown at width w of a natural width W,
# that text is min-font-px * w / W pixels tall on the screen.
FIGURE_TEXT_JS = r"""
async () => {
  function pngText(bytes, key) {
    const view = new DataView(bytes.buffer);
    let at = 8;
    while (at + 8 <= bytes.length) {
      const length = view.getUint32(at), type = String.fromCharCode(...bytes.slice(at + 4, at + 8));
      if (type === "tEXt") {
        const data = bytes.slice(at + 8, at + 8 + length), nul = data.indexOf(0);
        const keyword = String.fromCharCode(...data.slice(0, nul));
        if (keyword === key) return String.fromCharCode(...data.slice(nul + 1));
      }
      if (type === "IDAT" || type === "IEND") break;  // text chunks written by matplotlib come first
      at += 12 + length;
    }
    return null;
  }
  const found = [];
  for (const img of document.querySelectorAll("main img")) {
    const src = img.currentSrc || img.src;
    if (!img.complete || !img.naturalWidth || !img.getClientRects().length) continue;
    if (!/\.png(\?|$)/i.test(src) && !src.startsWith("data:image/png")) continue;
    const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
    const value = pngText(bytes, "nonlinear:min-font-px");
    const shownWidth = img.getBoundingClientRect().width;
    found.push({src: src.startsWith("data:") ? "data:image/png (animation frame)" : src.split("/").pop(),
                min_font_px: value === null ? null : parseFloat(value),
                shown_px: value === null ? null : parseFloat(value) * shownWidth / img.naturalWidth,
                natural_width: img.naturalWidth, shown_width: Math.round(shownWidth)});
  }
  return found;
}
"""

# Tables and code blocks wider than the article's text column. Folded cells (hide-input) are
# opened to be measured, and folded again. A cell tagged `wide-ok` may be wider, for a reason.
WIDE_BLOCKS_JS = r"""
() => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const style = getComputedStyle(article);
  const column = article.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const closed = Array.from(article.querySelectorAll("details:not([open])"));
  closed.forEach(d => d.open = true);
  const wide = [];
  for (const el of article.querySelectorAll("table, pre")) {
    if (el.closest(".tag_wide-ok, mjx-container") || !el.getClientRects().length) continue;
    const width = Math.max(el.scrollWidth, el.getBoundingClientRect().width);
    if (width > column + 2)
      wide.push({tag: el.tagName.toLowerCase(), width: Math.round(width),
                 text: el.innerText.trim().split("\n")[0].slice(0, 70)});
  }
  closed.forEach(d => d.open = false);
  return {column: Math.round(column), wide: wide};
}
"""

# TeX that a cell printed as plain text (print(a.formula)): in an output's <pre>, which the
# page-wide raw-TeX check skips because code may hold backslashes.
OUTPUT_TEX_JS = r"""
() => Array.from(document.querySelectorAll("main .cell_output pre"))
  .map(pre => pre.innerText)
  .flatMap(text => text.split("\n"))
  .filter(line => /\\(frac|tfrac|dfrac|sigma|tanh|mathrm|text|infty|alpha|beta|lambda|approx|left|right|cdot|sqrt|Phi|varphi|log|exp|max|min)\b|\\[,;!]/.test(line))
  .map(line => line.trim().slice(0, 80))
"""

# A cell's error as a reader sees it: a traceback, or otter's red "Test case failed" block.
ERROR_BLOCKS_JS = r"""
() => Array.from(document.querySelectorAll("main .cell_output"))
  .filter(out => out.querySelector(".output.traceback, .output.error")
                 || /Traceback \(most recent call last\)|Test case failed|^\w*Error: /m.test(out.innerText))
  .map(out => out.innerText.trim().split("\n").slice(0, 2).join(" / ").slice(0, 120))
"""

# The theme's icons (<i class="fa-...">), drawn by its icon font (_ext/unused_theme_scripts.py leaves out the
# script that would redraw them as SVG): each icon shown has a glyph, and the font face that draws it
# has loaded (a font that failed to load would show an empty box instead).
ICONS_JS = r"""
() => {
  const weight = w => ({normal: "400", bold: "700"})[w] || w;
  const loaded = new Set(Array.from(document.fonts).filter(f => f.status === "loaded")
                              .map(f => f.family.replace(/["']/g, "") + " " + weight(f.weight)));
  let drawn = 0;
  const undrawn = [];
  for (const icon of document.querySelectorAll('i[class*="fa-"]')) {
    if (!icon.getClientRects().length) continue;  // not shown (a folded menu, the other colour mode)
    const glyph = getComputedStyle(icon, "::before");
    const family = glyph.fontFamily.split(",")[0].replace(/["']/g, "").trim();
    const ok = glyph.content && !["none", "normal", '""'].includes(glyph.content)
               && loaded.has(family + " " + weight(glyph.fontWeight));
    if (ok) drawn++; else undrawn.push(`${icon.className} (${family} ${glyph.fontWeight}, content ${glyph.content})`);
  }
  return {drawn: drawn, undrawn: undrawn, svg: document.querySelectorAll("svg.svg-inline--fa").length};
}
"""

AXE_RUN_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}
"""


@dataclass
class PageReport:
    """What a reader's browser saw on one page."""

    path: str
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    typeset: int = 0
    math_elements: int = 0
    raw_tex: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    page_bytes: int = 0
    asset_bytes: int = 0
    requests: int = 0
    violations: list[dict] = field(default_factory=list)
    figure_text: list[dict] = field(default_factory=list)
    column_px: int = 0
    wide_blocks: list[dict] = field(default_factory=list)
    output_tex: list[str] = field(default_factory=list)
    error_blocks: list[str] = field(default_factory=list)
    icons: dict = field(default_factory=dict)
    interaction_problems: list[str] = field(default_factory=list)

    @property
    def small_figure_text(self) -> list[dict]:
        """Figures whose smallest text is shown below MIN_FIGURE_TEXT_PX (5 % allowed for the
        tight bounding box, which makes an image a little wider than its figure)."""
        return [f for f in self.figure_text if f["shown_px"] is not None and f["shown_px"] < 0.95 * MIN_FIGURE_TEXT_PX]

    @property
    def total_bytes(self) -> int:
        return self.page_bytes + self.asset_bytes


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up early (a browser closing a page) is no error of the site."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(html_dir: Path) -> Iterator[str]:
    """Serve ``html_dir`` on 127.0.0.1 (a free port) for the duration; yields the base URL."""
    if not (Path(html_dir) / "index.html").is_file():
        raise FileNotFoundError(f"{html_dir} holds no built site (no index.html); build the book first")
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError("Debian's chromium is not installed: run scripts/setup_browser.sh (make test does)")
    return path


def cjk_fontconfig() -> Path:
    """A fontconfig file: the system's fonts plus Noto Sans CJK from the noto-cjk-sans-otc package, so
    the Chinese editions' pages (and their screenshots) show Chinese, not empty boxes, on a machine
    with no CJK font installed."""
    import noto_cjk_sans_otc

    folder = Path(__file__).resolve().parents[1] / "_build" / "fontconfig"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{Path(str(noto_cjk_sans_otc.FONT_PATH)).parent}</dir>\n"
        f"  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n"
    )
    if not config.is_file() or config.read_text(encoding="utf-8") != text:
        config.write_text(text, encoding="utf-8")
    return config


@contextlib.contextmanager
def chromium():
    """The system Chromium, headless, driven by Playwright (which downloads no browser of its own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=CHROMIUM_ARGS,
            env={**os.environ, "FONTCONFIG_FILE": str(cjk_fontconfig())},
        )
        try:
            yield browser
        finally:
            browser.close()


def _is_local(url: str, base_url: str) -> bool:
    scheme = urlsplit(url).scheme
    return scheme in ("data", "blob", "about") or url.startswith(base_url)


def open_page(browser, base_url: str, path: str, report: PageReport | None = None):
    """A new page at ``base_url + path``, with console errors and outside requests recorded in ``report``."""
    report = report if report is not None else PageReport(path)
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def route(request_route):
        url = request_route.request.url
        if _is_local(url, base_url):
            request_route.continue_()
        else:
            report.external_requests.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    _track_requests(page)
    page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report.console_errors.append(f"uncaught: {e}"))
    page.on(
        "requestfailed",
        lambda r: report.failed_requests.append(r.url) if _is_local(r.url, base_url) else None,
    )
    page.on(
        "response",
        lambda r: report.failed_requests.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(base_url + path, wait_until="load")
    return page, report


# How long a page must go without a request in flight before it counts as loaded. Playwright's
# "networkidle" waits a fixed 500 ms; the site's late requests (MathJax's fonts, the widget
# manager's scripts) start within a few milliseconds of the one before, so 150 ms is enough and
# saves about a third of a second on each of the ~150 pages the suite reads.
QUIET_MS = 150


def _track_requests(page) -> None:
    """Count the page's requests in flight, and note when the count last changed (``page._requests``)."""
    state = {"in_flight": 0, "changed": time.monotonic()}

    def change(delta: int) -> None:
        state["in_flight"] += delta
        state["changed"] = time.monotonic()

    page.on("request", lambda r: change(+1))
    page.on("requestfinished", lambda r: change(-1))
    page.on("requestfailed", lambda r: change(-1))
    page._requests = state


def wait_until_quiet(page, quiet_ms: int = QUIET_MS, timeout_ms: int = 30_000) -> None:
    """Wait until no request of the page has been in flight for ``quiet_ms`` (a page opened by :func:`open_page`)."""
    state = page._requests
    deadline = time.monotonic() + timeout_ms / 1000
    while state["in_flight"] > 0 or time.monotonic() - state["changed"] < quiet_ms / 1000:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{page.url}: requests still in flight after {timeout_ms} ms ({state['in_flight']})")
        page.wait_for_timeout(20)  # lets Playwright deliver the request events


def visit(
    browser,
    base_url: str,
    path: str,
    axe: bool = True,
    screenshot: Path | None = None,
    interact: Callable[[Any], list[str]] | None = None,
) -> PageReport:
    """Load one page, let MathJax finish, and report what it shows and loads (and axe-core's findings);
    with ``screenshot``, save a full-page picture of it there (JPEG). ``interact(page)``, last (it may
    click), returns the problems it found, kept in ``report.interaction_problems``: a page is loaded
    once for all that is checked on it."""
    page, report = open_page(browser, base_url, path)
    try:
        report.typeset = page.evaluate(WAIT_FOR_MATHJAX_JS)
        wait_until_quiet(page)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True, type="jpeg", quality=70)
        report.math_elements = page.locator("main .math").count()
        report.raw_tex = page.evaluate(RAW_TEX_JS)
        report.images = page.evaluate(IMAGES_JS)
        weights = page.evaluate(BYTES_JS)  # before FIGURE_TEXT_JS fetches the images a second time
        report.page_bytes, report.asset_bytes, report.requests = weights["page"], weights["assets"], weights["requests"]
        report.figure_text = page.evaluate(FIGURE_TEXT_JS)
        blocks = page.evaluate(WIDE_BLOCKS_JS)
        report.column_px, report.wide_blocks = blocks["column"], blocks["wide"]
        report.output_tex = page.evaluate(OUTPUT_TEX_JS)
        report.error_blocks = page.evaluate(ERROR_BLOCKS_JS)
        report.icons = page.evaluate(ICONS_JS)
        if axe:
            page.add_script_tag(path=str(AXE_JS))
            report.violations = page.evaluate(AXE_RUN_JS)
        if interact is not None:
            report.interaction_problems = interact(page)
    finally:
        page.context.close()
    return report
