"""The built site, read in a real browser (Debian's headless Chromium, driven by Playwright).

Every page of the book loads with no console error and no request leaving the
machine; its math is typeset; every image has loaded and has alt text; every icon
is drawn by the theme's icon font (FontAwesome's script is left out); axe-core
finds no serious or critical accessibility violation. On the same load, its
animations step when their controls are pressed and its solutions start
collapsed and open when clicked (a page costs about 2 s of CPU to load: each is
loaded once). Search finds "ReLU", LinkChecker finds no broken internal link.
What a reader notices is checked too: figure text legible at the size the image
is shown, no table or code block wider than the text column, no TeX printed as
text, no error block; on a Chinese page, no button, tooltip or hint around the
text in English once the page's scripts have run (tests/test_editions.py reads
the markup as written). A screenshot of every page (and of the first animation
of a few) is saved under ``_build/screenshots/`` for a person to look at (CI
keeps them as artifacts).

Slow (it needs the whole book built): deselect with ``pytest -m "not book"``. The
Chinese editions' pages carry the marker ``editions``: ``make test`` reads them,
``make test-quick`` reads the English pages only.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import editions
import pytest
from browse_site import MIN_FIGURE_TEXT_PX, PAGE_BUDGET_BYTES, chromium, open_page, serve, visit
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_toc import toc_entries

from nonlinear import i18n

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "_build" / "screenshots"
SCREENSHOT_PAGES = ["intro", "chapters/02_why_nonlinearity", "chapters/06_modern/swish", "chapters/glossary"]

pytestmark = [pytest.mark.book, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(html_dir):
    with serve(html_dir) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


# Every edition's folder under the site's root: English at the root, the Chinese ones beside it. The
# Chinese editions' pages are the English pages' templates with translated text, read page by page in
# the browser by the whole suite (marker "editions"); make test-quick reads the English edition only.
EDITIONS = [
    pytest.param("", id="en"),
    pytest.param("zh_CN/", id="zh_CN", marks=pytest.mark.editions),
    pytest.param("zh_TW/", id="zh_TW", marks=pytest.mark.editions),
]


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("entry", toc_entries())
def test_page_loads_cleanly_typesets_its_math_and_passes_axe(site, browser, entry, edition):
    """Also what a reader notices: figure text too small at the size it is shown, a table or code
    block wider than the text column (unless its cell is tagged `wide-ok`), TeX that a cell printed
    as text, an error block. Saves a screenshot of the whole page under _build/screenshots/ (and, for a
    few English pages, of the window as a reader first sees it and of the first animation)."""
    shot = SCREENSHOTS / (edition.rstrip("/") or "en") / (entry.replace("/", "__") + ".jpg")

    def interact(page) -> list[str]:
        problems = window_screenshots(page, entry) if not edition and entry in SCREENSHOT_PAGES else []
        problems += [f"in English on a Chinese page: {word}" for word in words_left_in_english(page)] if edition else []
        return problems + animations_and_solutions_work(page, edition.rstrip("/") or "en")

    report = visit(browser, site, f"{edition}{entry}.html", screenshot=shot, interact=interact)
    problems = [f"console error: {e}" for e in report.console_errors]
    problems += [f"request leaving the machine: {u}" for u in report.external_requests]
    problems += [f"failed request: {u}" for u in report.failed_requests]
    problems += [f"raw TeX on the page: {t!r}" for t in report.raw_tex]
    if report.math_elements and report.typeset < report.math_elements:
        problems.append(f"{report.math_elements} math elements but only {report.typeset} typeset by MathJax")
    for image in report.images:
        if not image["loaded"]:
            problems.append(f"image did not load: {image['src']}")
        if not image["alt"]:
            problems.append(f"image without alt text: {image['src']}")
    for figure in report.small_figure_text:
        problems.append(
            f"figure text {figure['shown_px']:.1f} px on screen (under {MIN_FIGURE_TEXT_PX:g} px): {figure['src']} "
            f"drawn {figure['natural_width']} px wide, shown {figure['shown_width']} px"
        )
    for block in report.wide_blocks:
        problems.append(f"{block['tag']} {block['width']} px wide in a {report.column_px} px column: {block['text']!r}")
    problems += [f"TeX printed as text in an output: {t!r}" for t in report.output_tex]
    problems += [f"error block in an output: {t!r}" for t in report.error_blocks]
    problems += [f"icon not drawn by the theme's icon font: {i}" for i in report.icons["undrawn"]]
    if not report.icons["drawn"]:
        problems.append("no icon drawn by the theme's icon font (the header's search and menu icons are)")
    if report.icons["svg"]:
        problems.append(
            f"{report.icons['svg']} icons redrawn as SVG: the page loads FontAwesome's script (_ext/unused_theme_scripts.py)"
        )
    for v in report.violations:
        if v["impact"] in ("serious", "critical"):
            problems.append(f"axe {v['impact']} {v['id']}: {v['help']} at {v['targets']}")
    if report.total_bytes > PAGE_BUDGET_BYTES:
        problems.append(f"page loads {report.total_bytes / 2**20:.1f} MiB, over {PAGE_BUDGET_BYTES / 2**20:.0f} MiB")
    problems += report.interaction_problems
    assert not problems, f"{entry}:\n" + "\n".join(problems)


def window_screenshots(page, entry: str) -> list[str]:
    """PNGs of the window at the top of the page and of the page's first animation, if it has one."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / (entry.replace("/", "__") + ".png")
    page.screenshot(path=str(target), full_page=False)
    animation = page.locator("figure:has(div.animation)").first
    if animation.count():
        animation.scroll_into_view_if_needed()
        animation.screenshot(path=str(SCREENSHOTS / (entry.replace("/", "__") + "__animation.png")))
    return [] if target.stat().st_size > 10_000 else [f"{target.name} looks empty ({target.stat().st_size} bytes)"]


# The names, tooltips and hints the page shows once its scripts have run (sphinx-togglebutton,
# sphinx-copybutton, Bootstrap's tooltips and assets/site/ accessibility.js add some), in English only:
# outside the article, every naming attribute and text; inside it, what the scripts add to the text's
# controls. Left out: code, the links to pages and the page's title (the pages' catalogues hold the
# titles), the edition switch, and the names every edition writes as they are (editions.NAMES_KEPT).
WORDS_LEFT_IN_ENGLISH_JS = r"""
(namesKept) => {
  const englishOnly = (s) => /[A-Za-z]{2,}/.test(s) && !/[\u3400-\u9fff]/.test(s);
  const names = new Set(namesKept);
  const attributes = ["title", "aria-label", "placeholder", "alt", "data-tooltip", "data-toggle-hint",
                      "data-bs-title", "data-bs-original-title"];
  const found = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("script, style, pre, code, mjx-container, .edition-switch")) continue;
    const inArticle = el.closest("article") !== null;
    for (const name of attributes) {
      const value = (el.getAttribute(name) || "").trim();
      if (!englishOnly(value)) continue;
      if (inArticle && name === "title" && !el.matches("a.headerlink")) continue;  // a reference's title is the reference
      if (el.matches("a.left-prev, a.right-next")) continue;  // a page's title
      found.add(`${el.tagName.toLowerCase()} ${name}="${value.slice(0, 60)}"`);
    }
    if (inArticle || el.closest("a.reference, a.left-prev, a.right-next, h1")) continue;
    for (const node of el.childNodes) {
      const text = node.nodeType === Node.TEXT_NODE ? node.textContent.trim() : "";
      if (englishOnly(text) && !names.has(text)) found.add(`${el.tagName.toLowerCase()} text "${text.slice(0, 60)}"`);
    }
  }
  return Array.from(found).sort();
}
"""


def words_left_in_english(page) -> list[str]:
    """What a Chinese page still names or shows in English around its text, once its scripts have run."""
    return page.evaluate(WORDS_LEFT_IN_ENGLISH_JS, list(editions.NAMES_KEPT))


def control_name(english: str, language: str) -> re.Pattern:
    """An animation control's accessible name in the page's language: matplotlib writes it in English,
    nonlinear.i18n translates it with the outputs catalogue."""
    shown = english if language == "en" else i18n.catalogue(language).get(english)
    assert shown, f"no {language} name for the animation control {english!r} in the outputs catalogue"
    return re.compile(f"^{re.escape(shown)}$", re.I)


def animations_and_solutions_work(page, language: str = "en") -> list[str]:
    """On a loaded page: every animation moves one frame with 'next frame' and keeps moving with 'play'
    (then 'pause'), each control found by its name in the page's language; every solution starts
    collapsed and opens when its toggle is clicked."""
    problems = []
    name = functools.partial(control_name, language=language)
    for i, animation in enumerate(page.locator("div.animation").all()):
        animation.scroll_into_view_if_needed()
        image = animation.locator("img").first
        slider = animation.locator("input[type=range]").first
        first = image.get_attribute("src")
        animation.get_by_role("button", name=name("Next frame")).click()
        if image.get_attribute("src") == first or slider.input_value() != "1":
            problems.append(f"animation {i}: 'next frame' did not move to frame 1")
        animation.get_by_role("button", name=name("First frame")).click()
        animation.get_by_role("button", name=name("Play")).click()
        try:  # 'play' steps a frame every interval (plotting.build_explorer: 400 ms by default)
            page.wait_for_function("slider => slider.value !== '0'", arg=slider.element_handle(), timeout=3_000)
        except PlaywrightTimeout:
            pass  # reported below
        animation.get_by_role("button", name=name("Pause")).click()
        if slider.input_value() == "0":
            problems.append(f"animation {i}: 'play' left it on the first frame")
    for i, solution in enumerate(page.locator("main .solution").all()):
        body = solution.locator(":scope > section").first  # sphinx-exercise's solution body
        if body.is_visible():
            problems.append(f"solution {i} is open on load")
        solution.locator("button.toggle-button").first.click()  # the title itself links to the exercise
        try:
            body.wait_for(state="visible", timeout=3_000)  # it unfolds with a short transition
        except PlaywrightTimeout:
            problems.append(f"solution {i} does not open when clicked")
    return problems


def _pages_with(html_dir: Path, marker: str) -> list[str]:
    """The English edition's pages whose HTML contains ``marker``."""
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith("zh_") and marker in p.read_text(encoding="utf-8")
    )


def test_the_pages_read_in_the_browser_hold_the_animations_and_solutions(html_dir):
    """The page test above steps every animation and opens every solution of each page it reads; this
    checks that those pages are there: the slider figures as animations, the chapters' exercises with
    solutions."""
    animated = _pages_with(html_dir, 'class="animation"')
    assert len(animated) >= 8, f"expected the eight slider figures to be animated on the site, found pages {animated}"
    solved = [p for p in _pages_with(html_dir, 'class="solution') if p.startswith("chapters/")]
    assert len(solved) >= 5, f"expected the chapters' exercises to have solutions, found them on {solved}"
    read = {f"{entry}.html" for entry in toc_entries()}
    assert set(animated + solved) <= read, f"pages the browser test does not read: {set(animated + solved) - read}"
    assert {f"{entry}.html" for entry in SCREENSHOT_PAGES} <= read, (
        "a page to screenshot that the page test never reads"
    )


def test_search_finds_relu(site, browser):
    """From a chapter page, as a reader searches: the search box (which loads no index of its own, see
    _ext/unused_theme_scripts.py) sends the words to the search page, which finds the pages."""
    page, report = open_page(browser, site, "chapters/05_classic/relu.html")
    try:
        page.locator(".search-button-field:visible").first.click()
        box = page.locator("#pst-search-dialog input")
        box.fill("ReLU")
        box.press("Enter")
        page.wait_for_url("**/search.html?q=ReLU*")
        summary = page.locator("p.search-summary")
        summary.wait_for(timeout=20_000)  # Sphinx writes it when the search has finished
        results = page.locator("ul.search li")
        count = results.count()
        titles = [t.strip() for t in results.locator("a").all_inner_texts()[:5]]
    finally:
        page.context.close()
    assert count >= 10, f"search for ReLU found {count} pages: {titles}"
    assert not report.external_requests, report.external_requests
    assert not report.console_errors, report.console_errors


@pytest.mark.parametrize(
    "edition, word",
    [("zh_CN/", "激活函数"), ("zh_CN/", "梯度消失"), ("zh_TW/", "梯度消失")],
    ids=["zh_CN-1", "zh_CN-2", "zh_TW"],
)
def test_search_finds_chinese_words(site, browser, edition, word):
    """Sphinx's Chinese search splits the pages' text into words with jieba: a two-character word finds pages."""
    page, report = open_page(browser, site, f"{edition}search.html?q={word}")
    try:
        page.locator("p.search-summary").wait_for(timeout=20_000)
        count = page.locator("ul.search li").count()
    finally:
        page.context.close()
    assert count >= 5, f"search for {word} in {edition} found {count} pages"
    assert not report.external_requests, report.external_requests


def test_language_switch_goes_to_the_same_page(site, browser):
    page, _ = open_page(browser, site, "chapters/05_classic/relu.html")
    try:
        page.locator("nav.edition-switch a[hreflang=zh-CN]").click()
        page.wait_for_load_state()
        assert page.url.endswith("/zh_CN/chapters/05_classic/relu.html"), page.url
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.locator("nav.edition-switch a[hreflang=zh-TW]").click()
        page.wait_for_load_state()
        assert page.url.endswith("/zh_TW/chapters/05_classic/relu.html"), page.url
        page.locator("nav.edition-switch a[hreflang=en]").click()
        page.wait_for_load_state()
        assert page.url.endswith("/chapters/05_classic/relu.html") and "/zh_" not in page.url, page.url
    finally:
        page.context.close()


def test_no_broken_internal_links(html_dir):
    """LinkChecker follows every link of the site from the front page (file:// URLs; links leaving the
    site are not checked: this machine is offline). Run as root it drops to the user nobody, who may not
    read pytest's private temp folders, so it checks a world-readable copy of the site."""
    readable = Path(tempfile.mkdtemp(prefix="site-links-"))
    try:
        readable.chmod(0o755)
        shutil.copytree(html_dir, readable / "html")
        command = [
            str(Path(sys.executable).parent / "linkchecker"),
            "--no-status",
            "--no-warnings",
            "--output=text",
            "--ignore-url=^https?://",
            str(readable / "html" / "index.html"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(readable, ignore_errors=True)
    summary = re.search(r"(\d+) links? in (\d+) URLs? checked", done.stdout)
    assert summary and int(summary.group(2)) > 100, f"LinkChecker checked too little:\n{done.stdout[-3000:]}"
    assert done.returncode == 0, f"LinkChecker found broken links:\n{done.stdout[-6000:]}{done.stderr[-2000:]}"


def test_glossary_is_alphabetical_and_typesets_its_formulas(site, browser):
    page, report = open_page(browser, site, "chapters/glossary.html")
    try:
        page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        terms = [t.strip() for t in page.locator("main dl.glossary > dt").all_inner_texts()]
        formulas = page.locator("main dl.glossary mjx-container").count()
    finally:
        page.context.close()
    assert len(terms) >= 40, terms
    assert terms == sorted(terms, key=str.casefold), f"glossary out of order: {terms}"
    assert formulas >= 20, f"only {formulas} typeset formulas in the glossary"
