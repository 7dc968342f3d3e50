"""The whole book builds strictly, every page is there, and no page shows an error.

Slow (it executes every chapter and lab): deselect with `pytest -m "not book"`.
"""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_toc import toc_entries

ROOT = Path(__file__).resolve().parents[1]

# myst-nb marks these outputs with classes; none may reach a page.
ERROR_OUTPUTS = ".output.stderr, .output.traceback, .output.error"


@pytest.mark.book
def test_book_builds_every_page_without_error_output(html_dir):
    missing = [e for e in toc_entries() if not (html_dir / f"{e}.html").is_file()]
    assert not missing, f"pages in _toc.yml with no html: {missing}"

    problems = []
    for page in sorted(html_dir.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
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
    """Each ledger row pastes a verdict computed by a chapter: one of the three verdicts, never a blank."""
    soup = BeautifulSoup((html_dir / "chapters" / "claims.html").read_text(encoding="utf-8"), "html.parser")
    verdicts = [row.find_all("td")[2].get_text(strip=True) for row in soup.select("main table tbody tr")]
    assert len(verdicts) >= 40, f"expected the ledger to list every tested claim, found {len(verdicts)} rows"
    unknown = [v for v in verdicts if v not in ("holds", "holds with caveats", "wrong")]
    assert not unknown, f"ledger cells that are not a verdict: {unknown}"


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
