"""The whole book builds strictly, every page is there, and no page shows an error.

Slow (it executes every chapter and lab): deselect with `pytest -m "not book"`.
"""

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_toc import toc_entries

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

# myst-nb marks these outputs with classes; none may reach a page.
ERROR_OUTPUTS = ".output.stderr, .output.traceback, .output.error"
# Every page that has such an output or a traceback matches this (a class attribute naming one of them).
MAY_SHOW_AN_ERROR = re.compile(r'class="[^"]*\b(?:stderr|traceback|error)\b[^"]*"|Traceback')


@pytest.mark.book
def test_the_book_builds_strictly(book_build):
    """The one test that reports a failed build, with its log; every test that needs the site skips then."""
    if book_build["returncode"] != 0:
        failed = {
            name: page["failure"] for name, page in ((book_build.get("execution") or {}).get("pages") or {}).items()
        }
        failed = {name: failure for name, failure in failed.items() if failure}
        pages = "".join(f"\n\n{failure}" for failure in failed.values())
        pytest.fail(
            f"the strict build failed (exit code {book_build['returncode']}; full log: {book_build['log']})."
            + (f"\n{len(failed)} page(s) failed:{pages}" if failed else "")
            + f"\n\nEnd of the log:\n{book_build['log_tail'][-4000:]}",
            pytrace=False,
        )


@pytest.mark.book
def test_book_builds_every_page_without_error_output(html_dir):
    missing = [e for e in toc_entries() if not (html_dir / f"{e}.html").is_file()]
    assert not missing, f"pages in _toc.yml with no html: {missing}"

    problems = []
    for page in sorted(html_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if not MAY_SHOW_AN_ERROR.search(text):  # parsing is the slow part: only pages that may hold one
            continue
        soup = BeautifulSoup(text, "html.parser")
        name = page.relative_to(html_dir).as_posix()
        for node in soup.select(ERROR_OUTPUTS):
            problems.append(f"{name}: {' '.join(node['class'])}: {node.get_text()[:200]!r}")
        for node in soup.select(".cell_output"):
            if "Traceback" in node.get_text():
                problems.append(f"{name}: traceback in an output: {node.get_text()[:200]!r}")
    assert not problems, "error output on the built pages:\n" + "\n".join(problems)


@pytest.mark.book
def test_every_chapter_figure_has_alt_text_and_a_caption(html_dir):
    """A figure a chapter draws is read by people who cannot see it, and by people skimming."""
    problems = []
    for page in sorted((html_dir / "chapters").rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        name = page.relative_to(html_dir).as_posix()
        for image in soup.select(".cell_output img"):
            figure = image.find_parent("figure")
            if not image.get("alt", "").strip():
                problems.append(f"{name}: image {image.get('src', '')[-40:]} has no alt text")
            if figure is None or not figure.find("figcaption"):
                problems.append(f"{name}: image {image.get('src', '')[-40:]} has no caption")
    assert not problems, "\n".join(problems)


@pytest.mark.book
def test_every_claim_in_the_ledger_is_filled_in(html_dir):
    """Each ledger entry pastes a verdict of the scale, computed by the owning page, and its evidence: never a blank."""
    from nonlinear.claim_registry import ENTRIES
    from nonlinear.claims import VERDICTS

    soup = BeautifulSoup((html_dir / "chapters" / "claims.html").read_text(encoding="utf-8"), "html.parser")
    entries = soup.select("article li")
    assert len(entries) == len(ENTRIES), f"the registry has {len(ENTRIES)} claims, the ledger lists {len(entries)}"
    problems = []
    for item in entries:
        pasted = item.select(".output")
        verdict = pasted[0].get_text(strip=True) if pasted else ""
        evidence = pasted[1].get_text(strip=True) if len(pasted) > 1 else ""
        if verdict not in VERDICTS or not evidence:
            problems.append(
                f"{item.strong.get_text(strip=True)[:60]!r}: verdict {verdict!r}, evidence {evidence[:40]!r}"
            )
    assert not problems, "ledger entries without a verdict of the scale or without evidence:\n" + "\n".join(problems)


@pytest.mark.book
def test_markdown_tables_in_outputs_render_as_tables(html_dir):
    """A DataFrame shown as Markdown must reach the page as a table, not as a paragraph of pipes."""
    problems = []
    for page in sorted((html_dir / "chapters").rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for paragraph in soup.select(".cell_output p"):
            if paragraph.get_text().lstrip().startswith("|"):
                problems.append(f"{page.relative_to(html_dir)}: {paragraph.get_text()[:80]!r}")
    assert not problems, "Markdown tables shown as text:\n" + "\n".join(problems)


def _master_secrets() -> dict[str, list[str]]:
    """Lines only the lab masters hold: the code of each solution cell and of each hidden test."""
    chapters = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "chapters").rglob("*.md"))
    secrets = {}
    for master in sorted((ROOT / "notebooks" / "masters").glob("lab*.ipynb")):
        cells = json.loads(master.read_text(encoding="utf-8"))["cells"]
        student = (ROOT / "notebooks" / master.name).read_text(encoding="utf-8")
        lines = []
        for before, cell in zip(cells, cells[1:]):
            source = "".join(cell["source"])
            is_solution = "".join(before["source"]).strip() == "# BEGIN SOLUTION"
            if is_solution or "hidden: true" in source:
                lines += [line.strip() for line in source.splitlines() if len(line.strip()) >= 30]
        # a line the student version or a chapter also shows is no secret
        secrets[master.name] = [s for s in lines if json.dumps(s)[1:-1] not in student and s not in chapters]
    return secrets


@pytest.mark.book
def test_no_page_source_or_lab_solution_is_published(html_dir):
    """The site holds no _sources/ copies of pages, and no line of a lab's solutions or hidden tests."""
    assert not (html_dir / "_sources").exists(), "page sources are published under _sources/"
    secrets = _master_secrets()
    assert all(len(lines) >= 3 for lines in secrets.values()), f"too few solution lines found: {secrets}"
    site_text: dict[str, str] = {}  # text -> the first file that holds it (the editions share their assets)
    for path in sorted(html_dir.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".md", ".txt", ".js", ".json", ".py"):
            text = html.unescape(path.read_text(encoding="utf-8", errors="replace"))
            site_text.setdefault(text, path.relative_to(html_dir).as_posix())
    leaks = [
        f"{name}: {master}: {line[:60]!r}"
        for master, lines in secrets.items()
        for line in lines
        for text, name in site_text.items()
        if line in text
    ]
    assert not leaks, "lab solutions or hidden tests in the site:\n" + "\n".join(leaks[:20])


@pytest.mark.book
def test_hide_solutions_leaves_no_trace_of_a_solution(tmp_path):
    """With sphinx-exercise's hide_solutions on, a chapter's solution text appears nowhere in the output."""
    chapter = ROOT / "chapters" / "01_what_is_an_activation.md"
    solution_text = "a weaker but non-zero"  # from the solution of ex-ch1-unit
    assert solution_text in chapter.read_text(encoding="utf-8")
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "hide_solutions: false" in config
    edition = tmp_path / "_config.yml"
    config = config.replace("hide_solutions: false", "hide_solutions: true")
    config = config.replace(": _ext", f": {ROOT / '_ext'}")  # local extensions, found from the new config's folder
    edition.write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    command = [str(JUPYTER_BOOK), "build", str(chapter), "--config", str(edition), "--path-output", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    pages = list(out.rglob("html/01_what_is_an_activation.html"))
    assert pages, "the chapter was not built"
    assert "Switch or regulator?" in pages[0].read_text(encoding="utf-8"), "the exercise itself should stay"
    site = pages[0].parent  # what is published (the executed notebook beside it, in jupyter_execute/, is not)
    leaks = [
        str(path.relative_to(site))
        for path in site.rglob("*")
        if path.is_file() and solution_text in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not leaks, f"the hidden solution is still in {leaks}"


@pytest.mark.book
def test_launch_buttons_binder_and_thebe_everywhere_colab_on_notebooks(html_dir):
    """Every executed page offers Binder (JupyterLab) and Thebe; Colab only where the page is an .ipynb."""
    problems = []
    for entry in toc_entries():
        source = next((ROOT / entry).parent.glob(Path(entry).name + ".*"), None)
        text = (html_dir / f"{entry}.html").read_text(encoding="utf-8")
        if source is None or "kernelspec" not in source.read_text(encoding="utf-8"):
            continue  # a plain text page: nothing to run
        if "https://mybinder.org/v2/gh/" not in text or "urlpath=lab/tree/" not in text:
            problems.append(f"{entry}: no Binder (JupyterLab) button")
        if "initThebeSBT()" not in text:
            problems.append(f"{entry}: no Thebe button")
        has_colab = "https://colab.research.google.com/github/" in text
        if has_colab != (source.suffix == ".ipynb"):
            problems.append(f"{entry}: Colab button {'present' if has_colab else 'missing'} on a {source.suffix} page")
    assert not problems, "\n".join(problems)


UNUSED_SCRIPT = re.compile(
    r'<script\b[^>]*\bsrc="[^"]*\b(_static/scripts/fontawesome\.js|_static/searchtools\.js|searchindex\.js)'
)


@pytest.mark.book
def test_no_page_loads_the_theme_scripts_the_site_never_runs(html_dir):
    """_ext/unused_theme_scripts.py: no page of any edition loads FontAwesome's script (the icon font
    draws the icons), and only the search pages load the search index and its tools."""
    problems, search_pages = [], 0
    for page in sorted(html_dir.rglob("*.html")):
        name = page.relative_to(html_dir).as_posix()
        if "_static" in page.relative_to(html_dir).parts:
            continue  # the theme's own files (a template of its macros is copied there), not pages
        loaded = {m.group(1) for m in UNUSED_SCRIPT.finditer(page.read_text(encoding="utf-8"))}
        if name.rsplit("/", 1)[-1] == "search.html":
            search_pages += 1
            if loaded != {"_static/searchtools.js", "searchindex.js"}:
                problems.append(f"{name}: the search page loads {sorted(loaded)}")
        elif loaded:
            problems.append(f"{name}: loads {sorted(loaded)}")
    assert search_pages == 3, f"expected a search page in each of the three editions, found {search_pages}"
    assert not problems, "\n".join(problems)


def test_a_changed_theme_template_stops_the_build_instead_of_keeping_the_scripts():
    sys.path.insert(0, str(ROOT / "_ext"))
    from sphinx.errors import ExtensionError
    from unused_theme_scripts import without_unused_scripts

    head = (
        '<meta name="viewport"/>\n  <!-- So that users can add custom icons -->\n'
        '  <script defer src="../_static/scripts/fontawesome.js?digest=ab12"></script>\n'
        '  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js" />\n'
    )
    lighter = without_unused_scripts(head, "fontawesome")
    assert "fontawesome" not in lighter and "custom icons" not in lighter
    assert '<meta name="viewport"/>' in lighter and "bootstrap.js" in lighter
    with pytest.raises(ExtensionError, match="expected 1 fontawesome script tags.*found 0"):
        without_unused_scripts(lighter, "fontawesome")
    search = "".join(f'<script src="{p}"></script>\n' for p in ["_static/searchtools.js", "_static/language_data.js"])
    with pytest.raises(ExtensionError, match="expected 3 inline search script tags.*found 2"):
        without_unused_scripts(search, "inline search")
    assert without_unused_scripts(search + '<script src="../searchindex.js"></script>', "inline search").strip() == ""
