"""The Chinese editions (scripts/editions.py): catalogues in step with the English text and complete,
translations that keep what must stay as written, generated sources with no English paragraph
left, and built editions that show the same numbers as the English book, page by page."""

from __future__ import annotations

import difflib
import html
import json
import re
import shutil
import sys
from html.parser import HTMLParser

import editions
import nbformat
import pytest
import source_messages as sm
from build_book import TRANSLATED_EDITIONS, executed_dir

from nonlinear import i18n
from nonlinear.timing import is_timing

PAGES = editions.toc_files()
TEMPLATES = editions.templates()


# --- splitting the sources ---------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_splitting_a_page_loses_nothing(page):
    path = editions.ROOT / page
    if page.endswith(".ipynb"):
        notebook = sm.read_notebook(path)
        translated, missing = sm.render_notebook(notebook, lambda text: text)
        assert missing == []
        assert [c["source"] for c in translated["cells"]] == [
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in notebook["cells"]
        ]
    else:
        text = path.read_text(encoding="utf-8")
        pieces = sm.split_markdown(text)
        assert "".join(p.source for p in pieces) == text
        assert sm.render(pieces, lambda t: t) == (text, [])


def test_messages_are_prose_and_code_stays_out():
    text = (
        "# Title\n\nA paragraph\nof two lines.\n\n(label)=\n## Part\n\n$$\nx^2\n$$\n\n"
        "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n    caption: A caption.\n---\n"
        "# a comment to read\nx = 1  # not this one\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-input]\n# hidden: not translated\n```\n\n"
        "```{exercise} A title\n:label: ex-1\n\nDo this.\n```\n"
    )
    found = sm.messages(sm.split_markdown(text))
    assert found == [
        ("# Title", "heading"),
        ("A paragraph\nof two lines.", "prose"),
        ("## Part", "heading"),
        ("A caption.", "caption"),
        ("# a comment to read", "comment"),
        ("A title", "title"),
        ("Do this.", "prose"),
    ]
    rendered, missing = sm.render(sm.split_markdown(text), lambda t: t.upper())
    assert missing == []
    assert "caption: A CAPTION." in rendered and "x = 1  # not this one" in rendered and "x^2" in rendered
    assert "(label)=" in rendered and ":label: ex-1" in rendered


@pytest.mark.parametrize(
    "msgid, msgstr, problem",
    [
        ("see $x^2$ here", "见 $x^{2}$", "maths differ"),
        ("see `np.tanh` here", "见 np.tanh", "code spans differ"),
        ("cite {cite:p}`glorot2011`", "引用", "roles differ"),
        ("a [link](https://x.org)", "一个[链接](https://y.org)", "link targets differ"),
        ("loss {0} after {1}", "损失 {0}", "placeholders differ"),
        ("- one\n- two", "- 一\n二", "markers differ"),
        ("# a comment\n# more", "# 注释\n更多", "lost its '#'"),
    ],
)
def test_damage_is_found(msgid, msgstr, problem):
    assert any(problem in p for p in editions.damage(msgid, msgstr))


def test_a_role_may_get_a_chinese_title():
    assert editions.damage("the {term}`activation function`", "{term}`激活函数 <activation function>`") == []


# --- the catalogues ----------------------------------------------------------------------------


@pytest.mark.parametrize("domain", sorted(TEMPLATES))
def test_catalogue_is_in_step_with_the_english_text(domain):
    """Every message of the page has an entry and no entry is left over: else run `editions.py extract`."""
    path = editions.catalogue_path(editions.TRANSLATED, domain)
    assert path.is_file(), f"no catalogue {path}: run `python scripts/editions.py extract`"
    have = {m.id for m in editions.read_catalogue(path) if m.id}
    want = {msgid for msgid, _ in TEMPLATES[domain]}
    assert not want - have, f"{len(want - have)} new English messages: run `python scripts/editions.py extract`"
    assert not have - want, f"{len(have - want)} entries no longer in the English page: run `editions.py extract`"


@pytest.mark.parametrize("domain", sorted(TEMPLATES) + ["outputs"])
def test_every_entry_is_translated_and_keeps_what_must_stay(domain):
    if domain == "outputs":
        found = [editions.status(d, None) for d in editions.output_domains()]
        assert found, "no output catalogues: run `python scripts/editions.py outputs`"
    else:
        found = [editions.status(domain, TEMPLATES[domain])]
    for st in found:
        assert not st.untranslated, f"{st.domain}: {len(st.untranslated)} untranslated, e.g. {st.untranslated[0]!r}"
        assert not st.fuzzy, f"{st.domain}: {len(st.fuzzy)} fuzzy, e.g. {st.fuzzy[0]!r}"
        assert not st.damaged, f"{st.domain}: damaged {st.damaged[0]}"


@pytest.fixture
def scratch_locale(tmp_path, monkeypatch):
    """The catalogues copied to a scratch folder, which scripts/editions.py then reads and writes."""
    shutil.copytree(editions.LOCALE, tmp_path / "locale")
    monkeypatch.setattr(editions, "LOCALE", tmp_path / "locale")
    monkeypatch.setattr(editions, "RECORD_DIR", tmp_path / "record")
    return tmp_path / "locale"


def test_extract_finds_every_catalogue_in_step(scratch_locale, tmp_path):
    """`editions.py extract` (templates, then sphinx-intl update) has nothing to create or change."""
    assert editions.write_templates(tmp_path / "pot") == len(TEMPLATES)
    assert editions.update_catalogues(tmp_path / "pot") == {"create": 0, "update": 0, "notchanged": len(TEMPLATES)}


def test_outputs_records_what_a_page_shows_and_its_catalogue_has_it(scratch_locale, tmp_path):
    """`editions.py outputs` on one page: it runs in Chinese, its templates are recorded, and updating
    its catalogue from them changes nothing (every text it shows has an entry already)."""
    page = "chapters/05_classic/tanh"
    failures = editions.record_outputs(pages=[page], dest=tmp_path / "zh_CN")
    assert list(failures.values()) == [None]
    recorded = editions.recorded_templates()[page]
    assert any(where == "figure" for _, where in recorded) and any(where == "print" for _, where in recorded)
    found = editions.update_output_catalogues()
    assert found["create"] == 0 and found["update"] == 0, found
    assert editions.main(["status"]) == 0


def test_outputs_for_named_pages_keeps_a_line_that_other_pages_now_share(scratch_locale):
    """`editions.py outputs PAGE` leaves the common catalogue alone, so a line of PAGE that two more pages
    now show (enough to count as shared) must stay in PAGE's catalogue, translated, not vanish from both."""
    page, others = "chapters/05_classic/tanh", ["chapters/05_classic/relu", "chapters/05_classic/elu"]
    assert len(others) + 1 >= editions.SHARED_FROM
    path = editions.catalogue_path(editions.TRANSLATED, f"{editions.OUTPUTS_DOMAIN}/{page}", scratch_locale)
    template = next(m.id for m in editions.read_catalogue(path) if m.id and m.string and not m.fuzzy)
    record = editions.RECORD_DIR / editions.TRANSLATED
    record.mkdir(parents=True)
    for shown_on in [page, *others]:
        line = json.dumps({"page": shown_on, "template": template, "where": "print"})
        (record / f"{shown_on.replace('/', '__')}.jsonl").write_text(line + "\n", encoding="utf-8")
    editions.update_output_catalogues(only=[page])
    entry = editions.read_catalogue(path).get(template)
    assert entry is not None and entry.string and not entry.fuzzy, f"{template!r} left the page's catalogue"


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_generated_edition_leaves_no_paragraph_in_english(language, tmp_path):
    dest, missing = editions.generate(language, tmp_path / language)
    assert missing == {}, f"{sum(map(len, missing.values()))} paragraphs left in English: {list(missing)[:3]}"
    for page in PAGES:
        english = (editions.ROOT / page).read_text(encoding="utf-8")
        translated = (dest / page).read_text(encoding="utf-8")
        assert _code_lines(english, page) == _code_lines(translated, page), f"{page}: the code changed"
    config = (dest / "_config.yml").read_text(encoding="utf-8")
    assert f"language: {language}" in config


def _code_lines(text: str, page: str) -> list[str]:
    """The code of a page without its comment lines and the language cell (what translation may change)."""
    import jupytext

    notebook = jupytext.reads(text, fmt="ipynb" if page.endswith(".ipynb") else "md:myst")
    cells = [c.source for c in notebook.cells if c.cell_type == "code" and "i18n.set_language" not in c.source]
    return [line for code in cells for line in code.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_traditional_text_is_converted_not_written():
    simplified = editions.translations("zh_CN", "chapters/05_classic/relu")
    traditional = editions.translations("zh_TW", "chapters/05_classic/relu")
    assert simplified.keys() == traditional.keys()
    assert all(traditional[k] == editions.convert(v, "s2twp") for k, v in simplified.items())
    assert not (editions.LOCALE / "zh_TW").exists(), "Traditional catalogues are generated, never kept"


# --- the built editions ------------------------------------------------------------------------

# A number as nonlinear.i18n reads one: a sign only where it cannot be a dash between two numbers.
NUMBER = re.compile(r"(?<![A-Za-z_0-9.])[-−+]?\d+(?:[.,]\d+)*(?:[eE][-+−]?\d+)?")


def shown_numbers(notebook) -> list[list[str]]:
    """Per code cell, the sorted numbers of the text it shows (timings left out)."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or "i18n.set_language" in cell.source:
            continue
        numbers = []
        for output in cell.get("outputs", []):
            if is_timing(output):
                continue
            texts = [output.get("text", "")] if output.get("output_type") == "stream" else []
            data = output.get("data", {})
            for key in ("text/markdown", "text/html"):
                if key in data:
                    # not the frames of an animation (base64 in a <script>), only the text a reader sees
                    texts.append(re.sub(r"<(style|script)\b.*?</\1>|<[^>]+>", " ", data[key], flags=re.S))
                    break
            else:
                if "text/plain" in data and not any(k.startswith("image/") for k in data):
                    texts.append(data["text/plain"])
            for text in texts:
                numbers += NUMBER.findall(re.sub(r"[A-Za-z_]+\d+", " ", text))
        cells.append(sorted(numbers))
    return cells


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_editions_show_the_same_numbers_page_by_page(html_dir, language):
    english_dir, edition_dir = executed_dir("en"), executed_dir(language)
    pages = sorted(english_dir.rglob("*.ipynb"))
    assert pages, "the build saved no executed pages"
    for english in pages:
        name = english.relative_to(english_dir)
        edition = edition_dir / name
        assert edition.is_file(), f"{language}: {name} was not executed"
        want = shown_numbers(nbformat.read(english, as_version=4))
        got = shown_numbers(nbformat.read(edition, as_version=4))
        assert got == want, f"{language} {name}: the numbers differ from the English edition's"


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_every_page_is_in_every_edition_with_a_switch(html_dir, language):
    for page in PAGES:
        name = editions.docname(page) + ".html"
        english = (html_dir / name).read_text(encoding="utf-8")
        translated_path = html_dir / language / name
        assert translated_path.is_file(), f"{language}/{name} missing"
        translated = translated_path.read_text(encoding="utf-8")
        assert 'class="edition-switch"' in english and 'class="edition-switch"' in translated
        assert f'lang="{language.replace("_", "-")}"' in translated
        assert re.search(r"[\u4e00-\u9fff]{4}", translated), f"{language}/{name} shows no Chinese"


# The table of the words around the text (English -> translation) that _ext/ui_labels.py writes into every page.
LABEL_TABLE = re.compile(r"<script>window\.nonlinearLabels = (\{.*?\});</script>")
FOLDED_CELL = re.compile(
    r'<summary>\n<p class="collapsed admonition-title">(.*?)</p>\n<p class="expanded admonition-title">(.*?)</p>'
)


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_folded_cells_and_the_author_speak_the_editions_language(html_dir, language):
    """MyST-NB writes "Show code cell source" in English in every edition, and the author comes from
    _config.yml: each Chinese page shows them in its own language instead, in the same places as the
    English page (_ext/ui_labels.py, the catalogue "book"). No toggle keeps MyST-NB's English
    aria-label, which would name it in English (its name is the prompt it shows)."""
    labels = editions.translations(language, editions.BOOK_DOMAIN)
    english_words = editions.cell_toggle_messages()
    author = next(text for text, kind in editions.book_messages() if kind == "author")
    folded = 0
    for page in PAGES:
        name = editions.docname(page) + ".html"
        english = (html_dir / name).read_text(encoding="utf-8")
        translated = (html_dir / language / name).read_text(encoding="utf-8")
        shown = [tuple(map(html.unescape, found)) for found in FOLDED_CELL.findall(english)]
        assert all(text in english_words for texts in shown for text in texts), f"{name}: {shown[:2]}"
        want = [tuple(labels[text] for text in texts) for texts in shown]
        got = [tuple(map(html.unescape, found)) for found in FOLDED_CELL.findall(translated)]
        assert got == want, f"{language}/{name}: folded cells say {got[:2]}, expected {want[:2]}"
        shown_text = LABEL_TABLE.sub("", translated)  # the table the scripts read holds the English words as keys
        left = [text for text in english_words if text in shown_text]
        assert not left, f"{language}/{name} still shows {left}"
        assert 'aria-label="Toggle hidden content"' not in english + translated, f"{name}: a toggle named in English"
        assert labels[author] in translated and author not in translated, f"{language}/{name}: author {author!r}"
        folded += len(shown)
    assert folded >= 100, f"only {folded} folded cells found on the English pages: has MyST-NB's HTML changed?"


NAMING_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-bs-title")
# Links to pages (the table of contents, previous and next): their words are the pages' titles.
PAGE_LINKS = {"reference", "left-prev", "right-next"}
# HTML elements with no end tag: they never hold text.
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class WordsAroundTheText(HTMLParser):
    """What a page shows and names outside the book's text: every naming attribute (NAMING_ATTRIBUTES)
    and every piece of text outside the article, as ("title", value) or ("text", value). Left out:
    code, scripts, the titles of references inside the article (a reference's title is the reference),
    the links to pages and the page's title (the pages' catalogues hold the titles) and the edition
    switch (each edition's name is in its own language)."""

    SKIPPED = {"script", "style", "pre", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, set[str]]] = []
        self.found: list[tuple[str, str]] = []

    def _inside(self, tag: str = "", css_class: str = "") -> bool:
        return any((not tag or t == tag) and (not css_class or css_class in c) for t, c in self.open)

    def _skipped(self) -> bool:
        """Inside code, a script or the edition switch."""
        return any(t in self.SKIPPED for t, _ in self.open) or self._inside(css_class="edition-switch")

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        in_article = self._inside("article") or tag == "article"
        page_link = (tag == "a" and bool(classes & PAGE_LINKS)) or tag == "link"  # <link rel="next" title=...>
        skipped = self._skipped() or page_link
        for name in NAMING_ATTRIBUTES:
            value = (attrs.get(name) or "").strip()
            reference_title = in_article and name == "title" and "headerlink" not in classes
            if value and not skipped and not reference_title:
                self.found.append((name, value))
        if tag not in VOID_ELEMENTS:
            self.open.append((tag, classes | ({"page-link"} if page_link or tag == "h1" else set())))

    def handle_endtag(self, tag) -> None:
        for at in range(len(self.open) - 1, -1, -1):
            if self.open[at][0] == tag:
                del self.open[at:]
                return

    def handle_data(self, data) -> None:
        text = data.strip()
        if not text or self._inside("article") or self._skipped() or self._inside(css_class="page-link"):
            return
        self.found.append(("text", text))


def words_around_the_text(page_html: str) -> list[tuple[str, str]]:
    parser = WordsAroundTheText()
    parser.feed(page_html)
    return parser.found


def in_english_only(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2,}", text)) and not re.search(r"[\u3400-\u9fff]", text)


def test_the_theme_filter_replaces_whole_words_outside_the_book_text_only():
    """_ext/ui_labels.translate_markup: an attribute value that is exactly a word, anywhere; a text
    that is exactly a word, outside the article; nothing that only contains one, and no article text."""
    sys.path.insert(0, str(editions.ROOT / "_ext"))
    from ui_labels import translate_markup

    labels = {"Main": "全书目录", "Back to top": "回到顶部", "Fish & chips": "炸鱼<薯条>"}
    markup = (
        '<nav aria-label="Main"><a title="Main menu" href="#Main">Main</a></nav>\n'
        '<article class="bd-article"><p>Main</p><a class="headerlink" title="Main">#</a></article>\n'
        '<button id="top">\n  Back to top\n</button><span title="Fish &amp; chips">Fish &amp; chips</span>'
    )
    assert translate_markup(markup, labels) == (
        '<nav aria-label="全书目录"><a title="Main menu" href="#Main">全书目录</a></nav>\n'
        '<article class="bd-article"><p>Main</p><a class="headerlink" title="全书目录">#</a></article>\n'
        '<button id="top">\n  回到顶部\n</button><span title="炸鱼&lt;薯条&gt;">炸鱼&lt;薯条&gt;</span>'
    )
    assert translate_markup(markup, {}) == markup  # the English edition: nothing changes


def test_the_words_inside_a_formula_are_translated_and_its_math_is_not():
    """_ext/math_words.translate_math: the argument of a \\text{…} with an English word is replaced by
    its translation; math, a \\text{} without a word and a name kept as written stay; an argument with
    no translation is reported and kept."""
    sys.path.insert(0, str(editions.ROOT / "_ext"))
    from math_words import translate_math

    words = {" if ": " 若 ", " else ": " 否则 ", "ReLU": "ReLU", "sums to 1": "总和为 1"}
    missing = []
    latex = r"x \text{ if } x > 0 \text{ else } 0,\ \text{sums to 1},\ L_\text{ReLU} \text{ } \textbf{if} \text{new}"
    assert translate_math(latex, words, missing.append) == (
        r"x \text{ 若 } x > 0 \text{ 否则 } 0,\ \text{总和为 1},\ L_\text{ReLU} \text{ } \textbf{if} \text{new}"
    )
    assert missing == ["new"]
    assert translate_math(latex, {}) == latex


def test_the_math_catalogue_holds_the_words_of_the_pages_and_of_the_packages_formulas():
    """Pages' formulas (\\text{otherwise.} on the maxout page), formulas the package prints (the facts
    table's \\text{sums to 1}), each once; not the package's docstrings (\\text{fraction}), which
    Python's help shows in English."""
    found = [msgid for msgid, _ in editions.math_messages()]
    assert len(found) == len(set(found))
    assert {"otherwise.", "sums to 1", " if ", " else "} <= set(found)
    assert "fraction" not in found
    assert "fraction" in (editions.ROOT / "nonlinear" / "input_scaling.py").read_text(encoding="utf-8")


TEXT_IN_MATH = re.compile(r'<(?:span|div) class="math[^"]*">(.*?)</(?:span|div)>', re.S)


def math_texts(page_html: str) -> list[str]:
    """The argument of every \\text{…} with an English word in the page's math, in order."""
    return [
        html.unescape(argument)
        for formula in TEXT_IN_MATH.findall(page_html)
        for argument in re.findall(r"\\text\{([^{}]*)\}", formula)
        if re.search(r"[A-Za-z]{2,}", html.unescape(argument))
    ]


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_the_words_inside_every_formula_speak_the_editions_language(html_dir, language):
    """On every Chinese page, each \\text{…} of the English page's formulas (text and outputs) reads as
    the math catalogue translates it; only the names the catalogue keeps as written (ReLU, SiLU) stay
    English (_ext/math_words.py)."""
    words = editions.translations(language, editions.MATH_DOMAIN)
    kept = {english for english, translated in words.items() if english == translated}
    seen = set()
    for name in [editions.docname(page) + ".html" for page in PAGES]:
        english = math_texts((html_dir / name).read_text(encoding="utf-8"))
        translated_page = (html_dir / language / name).read_text(encoding="utf-8")
        shown = [
            html.unescape(argument)
            for formula in TEXT_IN_MATH.findall(translated_page)
            for argument in re.findall(r"\\text\{([^{}]*)\}", formula)
        ]
        for text in english:
            assert text in words, f"{name}: \\text{{{text}}} has no entry in the math catalogue"
            assert words[text] in shown, f"{language}/{name}: \\text{{{text}}} is not \\text{{{words[text]}}}"
            seen.add(text)
        left = [text for text in math_texts(translated_page) if in_english_only(text) and text not in kept]
        assert not left, f"{language}/{name}: formulas still say {left[:3]} in English"
    assert seen == set(words), f"entries of the math catalogue no page shows: {sorted(set(words) - seen)}"


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_the_text_names_a_button_as_the_edition_labels_it(html_dir, language):
    """Where the English text names a control of the page in italics (*Live Code*), the translated text
    names it as that edition's control reads (the book catalogue's word), not in English."""
    labels = editions.ui_labels(editions.translations(language, editions.BOOK_DOMAIN))
    named = 0
    for name in [editions.docname(page) + ".html" for page in PAGES]:
        english = (html_dir / name).read_text(encoding="utf-8")
        translated = (html_dir / language / name).read_text(encoding="utf-8")
        for label in re.findall(r"<em>([^<]+)</em>", english):
            if label in labels:
                named += 1
                expected = labels[label] if language == "zh_CN" else i18n.to_traditional(labels[label])
                assert f"<em>{html.escape(expected)}</em>" in translated, (
                    f"{language}/{name}: *{label}* is not *{expected}*"
                )
                assert f"<em>{html.escape(label)}</em>" not in translated, (
                    f"{language}/{name}: *{label}* left in English"
                )
    assert named, "no page names a control in italics any more: is this test still needed?"


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_the_words_around_the_text_speak_the_editions_language(html_dir, language):
    """The theme's buttons, tooltips and landmarks, Sphinx's anchors and sphinx-togglebutton's hints are
    in Chinese on every Chinese page (themes and Sphinx write them in English; _ext/ui_labels.py puts
    the catalogue's translations in their place): each English word of the English page has its
    translation in the same kind of place on the Chinese page, and no word around the text is left in
    English but a name. What scripts add after loading is read in the browser (tests/test_site.py)."""
    labels = editions.ui_labels(editions.translations(language, editions.BOOK_DOMAIN))
    assert set(editions.THEME_LABELS) <= set(labels), f"untranslated: {set(editions.THEME_LABELS) - set(labels)}"
    checked = 0
    for name in [editions.docname(page) + ".html" for page in PAGES] + ["search.html", "genindex.html"]:
        english = words_around_the_text((html_dir / name).read_text(encoding="utf-8"))
        page_html = (html_dir / language / name).read_text(encoding="utf-8")
        translated = words_around_the_text(page_html)
        left = sorted(
            {f"{kind}: {text}" for kind, text in translated if in_english_only(text)}
            - {f"text: {name_kept}" for name_kept in editions.NAMES_KEPT}
        )
        assert not left, f"{language}/{name} still shows in English: {left}"
        for kind, text in english:
            if text in editions.THEME_LABELS:
                want = english.count((kind, text))
                got = translated.count((kind, labels[text]))
                assert got == want, f"{language}/{name}: {kind} {text!r} {want} times, {labels[text]!r} {got} times"
                checked += 1
        hints = re.findall(r"let (toggleHintShow|toggleHintHide) = '([^']*)';", page_html)
        assert dict(hints) == {
            "toggleHintShow": labels["Click to show"],
            "toggleHintHide": labels["Click to hide"],
        }, f"{language}/{name}: sphinx-togglebutton's hints {hints}"
        table = LABEL_TABLE.search(page_html)
        assert table and json.loads(table[1].replace("<\\/", "</")) == labels, f"{language}/{name}: no table of labels"
    assert checked > 500, f"only {checked} of the theme's words found on the English pages: has the theme changed?"


# What may differ between a Traditional Chinese page and its Simplified page converted: the edition's
# own name and switch (tested above), the version hashes of the files that hold the edition's words
# (translations.js), the figures and animation frames (drawn with the edition's words), ids made up at
# every run (tests/same_outputs.py), and numbers: the editions run their pages apart, and
# test_editions_show_the_same_numbers_page_by_page compares them with the English book's.
EDITIONS_OWN = [
    (re.compile(r'<nav class="edition-switch".*?</nav>', re.S), "<nav: the edition switch>"),
    (re.compile(r"\?v=[0-9a-f]{8}\b"), "?v=<hash>"),
    (re.compile(r"_images/[0-9a-f]{64}\."), "_images/<figure>."),
    (re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+"), "data:image/png;base64,<frame>"),
    (re.compile(r"\bT_[0-9a-f]{5}(?=[_\"\s])"), "T_<id>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"\d+"), "0"),
]


def edition_neutral(page_html: str, language: str) -> str:
    """``page_html`` with what EDITIONS_OWN lists, and the edition's name in its markup, masked."""
    for pattern, mask in EDITIONS_OWN:
        page_html = pattern.sub(mask, page_html)
    return re.sub(rf'(?<=["/])zh([-_]){language[3:]}(?=["/])', r"zh\1<edition>", page_html)  # lang="zh-CN", /zh_CN/


def test_every_traditional_page_is_its_simplified_page_converted(html_dir):
    """The Traditional edition is the Simplified one converted (OpenCC s2twp, scripts/editions.py): its
    sources are, and so must be every page it shows, byte for byte, apart from EDITIONS_OWN. Words that
    reach a page another way differ: a tool's own translation (pydata-sphinx-theme has Simplified
    characters only, sphinx-exercise has no zh_TW at all, Sphinx and sphinx-book-theme translate some
    words differently per language), a typographic rule of one language (docutils' smart quotes write
    o'(x) as o』(x) in zh_TW), or a word the conversion left out."""
    assert editions.EDITIONS["zh_TW"]["from"] == ("zh_CN", "s2twp"), "the conversion below is s2twp's"
    differ = {}
    for name in [editions.docname(page) + ".html" for page in PAGES] + ["search.html", "genindex.html"]:
        simplified = edition_neutral((html_dir / "zh_CN" / name).read_text(encoding="utf-8"), "zh_CN")
        expected = i18n.traditional_characters(simplified).splitlines()
        shown = edition_neutral((html_dir / "zh_TW" / name).read_text(encoding="utf-8"), "zh_TW").splitlines()
        lines = [
            f"  converted: {' | '.join(x.strip() for x in expected[i1:i2])[:300]}\n"
            f"  shown:     {' | '.join(x.strip() for x in shown[j1:j2])[:300]}"
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, expected, shown, autojunk=False).get_opcodes()
            if op != "equal"
        ]
        if lines:
            differ[name] = lines
    report = "\n".join(f"zh_TW/{name}:\n" + "\n".join(lines[:3]) for name, lines in list(differ.items())[:8])
    assert not differ, f"{len(differ)} Traditional pages differ from their Simplified page converted:\n{report}"


# The blocks of a page's text: translation changes the words in them, never how many there are or what
# they are. Inline markup (emphasis, links, code) is left out: a sentence may put it elsewhere.
BLOCK_TAGS = {"p", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "th", "td", "blockquote", "pre", "figure", "img"}
BLOCK_TAGS |= {"h1", "h2", "h3", "h4", "h5", "h6", "section", "details", "summary"}


class BlocksOfTheText(HTMLParser):
    """The article's blocks in order: each block tag, every div with a class, and every math span,
    as ``tag.class.class``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_article = False

    def handle_starttag(self, tag, attrs) -> None:
        self.in_article = self.in_article or tag == "article"
        classes = sorted((dict(attrs).get("class") or "").split())
        if self.in_article and (
            tag in BLOCK_TAGS or (tag == "div" and classes) or (tag == "span" and "math" in classes)
        ):
            self.found.append(".".join([tag, *classes]))

    def handle_endtag(self, tag) -> None:
        self.in_article = self.in_article and tag != "article"


def blocks_of_the_text(page_html: str) -> list[str]:
    parser = BlocksOfTheText()
    parser.feed(page_html)
    return parser.found


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_every_translated_page_has_the_english_pages_blocks(html_dir, language):
    """Paragraphs, list items, table cells, headings, figures, outputs and math: the same, in the same
    order, on every page of the edition as on the English page (a translation that merged two
    paragraphs, lost a list item or a formula, or broke a table's markup shows here)."""
    differ = {}
    for name in [editions.docname(page) + ".html" for page in PAGES]:
        english = blocks_of_the_text((html_dir / name).read_text(encoding="utf-8"))
        translated = blocks_of_the_text((html_dir / language / name).read_text(encoding="utf-8"))
        assert len(english) > 5, f"{name}: only {len(english)} blocks found: has the theme changed?"
        changes = [
            f"{english[i1:i2][:4]} -> {translated[j1:j2][:4]}"
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, english, translated, autojunk=False).get_opcodes()
            if op != "equal"
        ]
        if changes:
            differ[name] = changes
    assert not differ, f"{language}: pages whose blocks differ from the English page's: " + "; ".join(
        f"{name}: {changes[:3]}" for name, changes in differ.items()
    )


def test_the_blocks_of_the_text_are_read_from_the_article_only():
    page = (
        '<nav><p>menu</p></nav><article class="bd-article"><ul><li><p>a <em>b</em></p></li></ul>'
        '<div><p>x <span class="math notranslate">\\(y\\)</span></p></div></article><footer><p>f</p></footer>'
    )
    assert blocks_of_the_text(page) == ["ul", "li", "p", "p", "span.math.notranslate"]


EXPLORER = re.compile(r'<figure class="nonlinear-explore".*?</figure>', re.S)
READ_ATTRIBUTE = re.compile(r'\s(alt|title|aria-label)="([^"]*)"')


def read_attributes(page_html: str) -> list[tuple[str, str]]:
    """(attribute, value) of every alt, title and aria-label inside the page's animations (not their scripts)."""
    found = []
    for figure in EXPLORER.findall(page_html):
        figure = re.sub(r"<script\b.*?</script>", "", figure, flags=re.S)
        found += [(name, html.unescape(value)) for name, value in READ_ATTRIBUTE.findall(figure)]
    return found


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_animations_are_described_and_named_in_the_editions_language(html_dir, language):
    """An animation's description (alt) and its controls' names and tooltips (matplotlib writes them in
    English) are in Chinese on the Chinese pages, one for one with the English page's."""
    animated = 0
    for page in PAGES:
        name = editions.docname(page) + ".html"
        english = read_attributes((html_dir / name).read_text(encoding="utf-8"))
        translated = read_attributes((html_dir / language / name).read_text(encoding="utf-8"))
        assert [a for a, _ in translated] == [a for a, _ in english], f"{language}/{name}: other attributes"
        left = [value for _, value in translated if not re.search(r"[\u4e00-\u9fff]", value)]
        assert not left, f"{language}/{name}: animation text left in English: {left[:3]}"
        animated += bool(english)
    assert animated >= 8, f"only {animated} pages with animations found: has the animation HTML changed?"


def test_search_knows_the_glossary_terms_as_words():
    """Without the glossary's terms as jieba's user dictionary, 激活函数 is indexed as 激活 + 函数 only,
    and a reader's search for 激活函数 finds nothing."""
    import logging

    import jieba

    jieba.setLogLevel(logging.ERROR)
    terms = editions.search_terms("zh_CN")
    assert {"激活函数", "梯度消失", "反向传播", "饱和"} <= set(terms)
    assert {"激勵函數", "梯度消失"} <= set(editions.search_terms("zh_TW"))
    tokenizer = jieba.Tokenizer()
    for term in terms:
        tokenizer.add_word(term, 100000)
    assert "激活函数" in list(tokenizer.cut_for_search("激活函数的输出"))


@pytest.mark.parametrize("language", TRANSLATED_EDITIONS)
def test_the_ledger_gives_every_verdict_in_the_editions_language(html_dir, language):
    """The ledger shows each verdict glued by its owning page (as HTML): in Chinese in a Chinese edition,
    and one of the five words of the scale, the same as the owning page shows."""
    from nonlinear import claims, i18n

    words = {i18n.catalogue(language)[verdict] for verdict in claims.VERDICTS}
    ledger = (html_dir / language / "chapters" / "claims.html").read_text(encoding="utf-8")
    shown = re.findall(r'<strong><span class="output text_html">(.*?)</span></strong>', ledger)
    assert len(shown) == len(claims.REGISTRY), f"{len(shown)} verdicts on the ledger, {len(claims.REGISTRY)} claims"
    assert not set(shown) - words, f"{language}: verdicts not in {sorted(words)}: {sorted(set(shown) - words)}"
