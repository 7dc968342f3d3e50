"""The book's editions: English (the source), Simplified Chinese (translated), Traditional Chinese (converted).

    python scripts/editions.py extract            # English sources -> _build/gettext/*.pot -> locale/zh_CN/*.po
    python scripts/editions.py status [--all]     # untranslated, fuzzy and damaged entries, per catalogue
    python scripts/editions.py generate zh_CN     # the translated sources in _build/editions/zh_CN/
    python scripts/editions.py todo PAGE          # the entries of one page still to translate

The prose of each page lives in one catalogue per language, in gettext's format
(``locale/zh_CN/LC_MESSAGES/<page>.po``), kept in step with the English text by
``sphinx-intl update``: a changed English paragraph comes back untranslated or fuzzy,
and the tests fail until it is translated again. The Traditional edition is never
edited by hand: OpenCC (``s2twp``: Taiwan's characters and phrasing) converts the
Simplified catalogues when the edition is generated. What the code prints and draws
is translated at run time by the package (nonlinear/i18n.py, catalogue
``locale/zh_CN/LC_MESSAGES/outputs.po``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parent))
import source_messages as sm  # noqa: E402

from nonlinear import i18n  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
LOCALE = ROOT / "locale"
POT_DIR = BUILD / "gettext"
EDITIONS_DIR = BUILD / "editions"
SOURCE = "en"
TRANSLATED = "zh_CN"  # the language translators write
# Every edition: code, its name in its own language, and how it is made.
EDITIONS = {
    "en": {"name": "English", "from": None},
    "zh_CN": {"name": "简体中文", "from": None},
    "zh_TW": {"name": "繁體中文", "from": ("zh_CN", "s2twp")},
}
BOOK_DOMAIN = "book"  # the title, the author, the part captions, the words around the text (scripts, theme)
OUTPUTS_DOMAIN = "outputs"  # what the code prints and draws (nonlinear/i18n.py)
MATH_DOMAIN = "math"  # the words inside formulas, \text{ if } (_ext/math_words.py)
# Linked (not copied) into a generated edition: read-only inputs it shares with the English book.
SHARED = ["assets", "_ext", "node_modules"]
COPIED_DIRS = ["chapters", "notebooks"]
SKIPPED = ("notebooks/masters",)


# --- the pages ----------------------------------------------------------------------


def toc_files(root: Path = ROOT) -> list[str]:
    """Every page of the table of contents, as a path with its extension (root page first)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    found = []
    for name in names:
        for extension in (".md", ".ipynb"):
            if (root / f"{name}{extension}").is_file():
                found.append(f"{name}{extension}")
                break
        else:
            raise FileNotFoundError(f"_toc.yml lists {name!r}, which is neither {name}.md nor {name}.ipynb")
    return found


def docname(page: str) -> str:
    return str(Path(page).with_suffix(""))


def page_messages(page: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """(msgid, kind) of every message of one page, in order."""
    path = root / page
    if page.endswith(".ipynb"):
        return [m for cell in sm.notebook_pieces(sm.read_notebook(path)) for m in sm.messages(cell)]
    return sm.messages(sm.split_markdown(path.read_text(encoding="utf-8")))


def book_messages(root: Path = ROOT) -> list[tuple[str, str]]:
    """The book's title, its author, its parts' captions, and the page's words around the book's text
    (the folded cells' prompts, the theme's buttons and tooltips)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found = [(config["title"], "title"), (config["author"], "author")]
    found += [(part["caption"], "caption") for part in toc.get("parts", []) if part.get("caption")]
    found += [(text, "cell toggle") for text in cell_toggle_messages()]
    return found + [(text, "theme label") for text in THEME_LABELS]


# The prompts MyST-NB writes on a folded code cell, in English whatever the language (myst_nb.core.config:
# two settings whose {type} myst_nb.sphinx_ fills with one of four words); _ext/ui_labels.py puts their
# translations in their place.
CELL_PROMPTS = ("Show code cell {type}", "Hide code cell {type}")
CELL_PROMPT_TYPES = ("source", "output", "outputs", "content")


def cell_toggle_messages() -> list[str]:
    """Every prompt MyST-NB may write on a folded code cell, in English."""
    return [prompt.replace("{type}", kind) for kind in CELL_PROMPT_TYPES for prompt in CELL_PROMPTS]


# The words around the text that the theme, Sphinx and the scripts beside them write in English whatever
# the language (written into their templates, left empty in the catalogues they ship, or added by a
# script once the page has loaded), or translate in one way only. _ext/ui_labels.py puts their
# translations in their place.
THEME_LABELS = (
    "Search this book...",  # Jupyter Book's search box
    "Skip to main content",  # pydata-sphinx-theme translates these once, in Simplified characters only
    "Back to top",
    "Site navigation",
    "On this page",
    "Please activate JavaScript to enable the search functionality.",
    "Color mode",  # pydata-sphinx-theme's colour-mode button, and its tooltip on the "auto" icon
    "System Settings",
    "Toggle primary sidebar",  # sphinx-book-theme's layout: its sidebar buttons and landmarks
    "Toggle secondary sidebar",
    "Main",
    "Page",
    "Fullscreen mode",  # pydata-sphinx-theme's button (Simplified and Traditional translated apart)
    "Source repositories",  # sphinx-book-theme's repository buttons (the same)
    "Source repository",
    "Repository",
    "Open issue",
    "Open an issue",
    "Launch interactive content",  # its launch buttons
    "Launch on Binder",
    "Binder logo",
    "Live Code",
    "Launch Thebe",
    "Link to this heading",  # Sphinx's anchors (its zh_CN catalogue leaves them empty)
    "Link to this image",
    "Link to this term",
    "Click to show",  # sphinx-togglebutton: the hint beside a folded solution (two settings) ...
    "Click to hide",
    "Toggle hidden content",  # ... and its button's name (its script)
    "Copy",  # sphinx-copybutton's tooltips (its script has them in zh-CN, not in zh-TW)
    "Copy to clipboard",
    "Copied!",
    "Failed to copy",
    "Pages of {section}",  # the sidebar's expand buttons (assets/site/accessibility.js)
    "this section",
    "previous page",  # pydata-sphinx-theme's tooltips on the links to the pages before and after (in
    "next page",  # Simplified characters only)
    "Exercise",  # sphinx-exercise's titles (its catalogues have zh_CN, not zh_TW)
    "Solution to",
)


# Words around the text that every edition writes as they are: a service's name and a key's.
NAMES_KEPT = ("Binder", "Ctrl")


def ui_labels(book: dict[str, str]) -> dict[str, str]:
    """English word -> its translation in ``book`` (the book catalogue's translations), for every word
    around the text that has one: the setting ``nonlinear_ui_labels`` of _ext/ui_labels.py."""
    return {text: book[text] for text in [*cell_toggle_messages(), *THEME_LABELS] if book.get(text)}


# The argument of a \text{…} with an English word in it, as the page's LaTeX has it: written in the
# text, or in the code that prints a formula (a Python string may double the backslash).
MATH_TEXT = re.compile(r"\\{1,2}text\{([^{}]*[A-Za-z]{2,}[^{}]*)\}")
PACKAGE = "nonlinear"


def math_messages(root: Path = ROOT) -> list[tuple[str, str]]:
    """The text inside every formula's ``\\text{…}`` that has an English word, once each in order of
    first appearance: in the pages (their text and their code, which prints the outputs' formulas)
    and in the package's code (the activations' facts tables). The package's docstrings, written
    for Python's help in English (``:math:`` roles), are left out. _ext/math_words.py translates them."""
    texts = []
    for page in toc_files(root):
        if page.endswith(".ipynb"):
            cells = sm.read_notebook(root / page)["cells"]
            texts.append("".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells))
        else:
            texts.append((root / page).read_text(encoding="utf-8"))
    for path in sorted((root / PACKAGE).rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        texts.append("\n".join(line for line in lines if ":math:`" not in line))
    found = dict.fromkeys(match for text in texts for match in MATH_TEXT.findall(text))
    return [(text, "math text") for text in found]


def templates(root: Path = ROOT) -> dict[str, list[tuple[str, str]]]:
    """Domain (page name, 'book' or 'math') -> its messages."""
    found = {docname(page): page_messages(page, root) for page in toc_files(root)}
    found[BOOK_DOMAIN] = book_messages(root)
    found[MATH_DOMAIN] = math_messages(root)
    return found


# --- catalogues ---------------------------------------------------------------------


def catalogue_path(language: str, domain: str, locale: Path = LOCALE) -> Path:
    return locale / language / "LC_MESSAGES" / f"{domain}.po"


def write_templates(pot_dir: Path = POT_DIR) -> int:
    """Write one .pot per domain (except outputs, which nonlinear/i18n.py records); return how many."""
    shutil.rmtree(pot_dir, ignore_errors=True)
    for domain, found in templates().items():
        catalog = Catalog(project="nonlinear", domain=domain, fuzzy=False)
        for index, (msgid, kind) in enumerate(found):
            catalog.add(msgid, locations=[(domain, index + 1)], auto_comments=[kind])
        path = pot_dir / f"{domain}.pot"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            write_po(handle, catalog, width=76)
    return len(list(pot_dir.rglob("*.pot")))


def update_catalogues(pot_dir: Path = POT_DIR) -> dict:
    """sphinx-intl update: new entries appear empty, changed ones fuzzy, removed ones obsolete (#~)."""
    from sphinx_intl import basic

    return basic.update(str(LOCALE), str(pot_dir), (TRANSLATED,), ignore_obsolete=True, jobs=1)


def read_catalogue(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def convert(text: str, config: str) -> str:
    """Simplified -> Traditional (Taiwan), as the package converts its outputs (nonlinear.i18n.to_traditional)."""
    if config != "s2twp":
        raise ValueError(f"only OpenCC's s2twp conversion is set up, not {config!r}")
    return i18n.to_traditional(text)


def translations(language: str, domain: str, locale: Path = LOCALE) -> dict[str, str]:
    """msgid -> msgstr of the finished entries (translated, not fuzzy) of one catalogue."""
    origin = EDITIONS[language]["from"]
    source_language, config = origin if origin else (language, None)
    path = catalogue_path(source_language, domain, locale)
    if not path.is_file():
        return {}
    found = {}
    for message in read_catalogue(path):
        if message.id and message.string and not message.fuzzy:
            found[message.id] = convert(message.string, config) if config else message.string
    return found


# --- checks on a catalogue ------------------------------------------------------------

CODE_SPAN = re.compile(r"`[^`]+`")
MATH = re.compile(r"\$\$?[^$]+\$\$?")
ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
PLACEHOLDER = re.compile(r"\{\d+\}")


def _role_target(text: str) -> str:
    """A role with an explicit title, {term}`激活函数 <activation function>`, as its target: {term}`activation function`."""
    match = re.fullmatch(r"(\{[\w:-]+\}`)(?:[^`<]*<([^`>]+)>|([^`]*))`", text)
    return f"{match[1]}{match[2] or match[3]}`" if match else text


def damage(msgid: str, msgstr: str, kind: str = "") -> list[str]:
    """What a translation lost or changed of what must stay as written (empty list: nothing)."""
    problems = []
    for name, pattern in (("role", ROLE), ("math", MATH), ("link target", LINK_TARGET), ("placeholder", PLACEHOLDER)):
        want, got = (
            sorted(map(_role_target, pattern.findall(msgid))),
            sorted(map(_role_target, pattern.findall(msgstr))),
        )
        if want != got:
            lost = sorted(set(want) - set(got))
            added = sorted(set(got) - set(want))
            problems.append(f"{name}s differ (missing {lost[:3]}, added {added[:3]})")
    spans = lambda text: sorted(CODE_SPAN.findall(ROLE.sub("", text)))  # noqa: E731
    if spans(msgid) != spans(msgstr):
        lost = sorted(set(spans(msgid)) - set(spans(msgstr)))
        problems.append(f"code spans differ (missing {lost[:3]})")
    if kind == "comment" or msgid.lstrip().startswith("#"):
        if any(line.strip() and not line.lstrip().startswith("#") for line in msgstr.splitlines()):
            problems.append("a comment line lost its '#'")
    structure = lambda text: [
        re.match(r"^\s*([-*+](?=\s)|\d+\.(?=\s)|#+(?=\s)|\||>)?", line)[1] for line in text.splitlines()
    ]  # noqa: E731
    if msgid.lstrip().startswith(("- ", "* ", "|", "#", "1. ", ">")) and [s for s in structure(msgid) if s] != [
        s for s in structure(msgstr) if s
    ]:
        problems.append("list, table, heading or quote markers differ")
    # No emphasis inside code spans (`x**2`); and a msgid with a lone ** of its own (Python's power
    # in a printed line) is not Markdown emphasis.
    if not _stuck_emphasis(CODE_SPAN.sub("`code`", msgid)):
        problems += _stuck_emphasis(CODE_SPAN.sub("`code`", msgstr))
    return problems


def _stuck_emphasis(text: str) -> list[str]:
    """``**`` that CommonMark cannot open or close because of full-width punctuation beside it.

    A closing ``**`` right after punctuation must be followed by a space or punctuation, and an
    opening one right before punctuation must follow a space or punctuation: ``**反向。**反向`` shows
    its asterisks, ``**反向**。反向`` is bold."""
    import unicodedata

    def kind(char: str) -> str:
        if not char or char.isspace():
            return "space"
        return "punct" if unicodedata.category(char).startswith(("P", "S")) else "other"

    openers, unpaired = [], []
    for match in re.finditer(r"(?<!\*)\*\*(?!\*)", text):
        before = kind(text[match.start() - 1] if match.start() else "")
        after = kind(text[match.end()] if match.end() < len(text) else "")
        can_open = after != "space" and (after != "punct" or before in ("space", "punct"))
        can_close = before != "space" and (before != "punct" or after in ("space", "punct"))
        if can_close and openers:
            openers.pop()
        elif can_open:
            openers.append(match)
        else:
            unpaired.append(match)
    return [
        f"'**' that shows as asterisks (put full-width punctuation outside the bold): "
        f"{text[max(0, m.start() - 8) : m.end() + 8]!r}"
        for m in sorted(unpaired + openers, key=lambda m: m.start())
    ]


@dataclass
class Status:
    domain: str
    total: int = 0
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    damaged: list[tuple[str, list[str]]] = field(default_factory=list)
    missing_file: bool = False

    @property
    def done(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.damaged or self.missing_file)


def status(domain: str, expected: list[tuple[str, str]] | None, language: str = TRANSLATED) -> Status:
    """How complete one catalogue is against the messages the English sources have now."""
    path = catalogue_path(language, domain)
    result = Status(domain)
    if not path.is_file():
        result.missing_file = True
        result.untranslated = [m for m, _ in expected or []]
        result.total = len(result.untranslated)
        return result
    catalogue = read_catalogue(path)
    kinds = dict(expected) if expected is not None else {}
    wanted = list(kinds) if expected is not None else [m.id for m in catalogue if m.id]
    result.total = len(wanted)
    for msgid in wanted:
        message = catalogue.get(msgid)
        if message is None or not message.string:
            result.untranslated.append(msgid)
        elif message.fuzzy:
            result.fuzzy.append(msgid)
        else:
            problems = damage(msgid, message.string, kinds.get(msgid, ""))
            if problems:
                result.damaged.append((msgid, problems))
    return result


def output_domains(language: str = TRANSLATED) -> list[str]:
    """The catalogues of what the pages show: outputs/common and outputs/<page>."""
    folder = LOCALE / language / "LC_MESSAGES" / OUTPUTS_DOMAIN
    return sorted(f"{OUTPUTS_DOMAIN}/{p.relative_to(folder).with_suffix('').as_posix()}" for p in folder.rglob("*.po"))


def all_status(language: str = TRANSLATED) -> list[Status]:
    found = [status(domain, expected, language) for domain, expected in templates().items()]
    found += [status(domain, None, language) for domain in output_domains(language)]
    return found


# --- generating an edition's sources ----------------------------------------------------

LANGUAGE_CELL_MD = (
    "```{{code-cell}} ipython3\n:tags: [remove-cell]\n"
    "# The language of what the code prints and draws on this page.\n"
    "from nonlinear import i18n\n\ni18n.set_language({language!r}, page={page!r})\n```\n\n"
)


def _language_cell(language: str, page: str) -> dict:
    return {
        "cell_type": "code",
        "id": "nonlinear-language",
        "execution_count": None,
        "metadata": {"tags": ["remove-cell"]},
        "outputs": [],
        "source": f"# The language of what the code prints and draws.\nfrom nonlinear import i18n\n\ni18n.set_language({language!r}, page={page!r})",
    }


def _with_language_cell(text: str, language: str, page: str) -> str:
    """Insert the language cell after a page's front matter (pages with code cells only)."""
    if "```{code-cell}" not in text or not text.startswith("---"):
        return text
    end = text.index("\n---", 3) + len("\n---\n")
    return text[:end] + "\n" + LANGUAGE_CELL_MD.format(language=language, page=page) + text[end:].lstrip("\n")


def generate(language: str, dest: Path | None = None) -> tuple[Path, dict[str, list[str]]]:
    """Write the edition's sources into ``dest``; return it and, per page, the msgids left in English."""
    if language == SOURCE:
        raise ValueError("the English edition is the repository itself")
    if language not in EDITIONS:
        raise ValueError(f"unknown edition {language!r}; expected one of {sorted(EDITIONS)}")
    dest = dest or EDITIONS_DIR / language
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in SHARED:
        (dest / name).symlink_to(os.path.relpath(ROOT / name, dest))
    for name in COPIED_DIRS:
        shutil.copytree(
            ROOT / name,
            dest / name,
            ignore=lambda d, files: (
                [f for f in files if f in {".ipynb_checkpoints", "__pycache__"}]
                + [f for f in files if os.path.relpath(Path(d) / f, ROOT).startswith(SKIPPED)]
            ),
        )
    missing: dict[str, list[str]] = {}
    for page in toc_files():
        lookup = translations(language, docname(page)).get
        if page.endswith(".ipynb"):
            notebook, lost = sm.render_notebook(sm.read_notebook(ROOT / page), lookup)
            if any(cell["cell_type"] == "code" for cell in notebook["cells"]):
                notebook["cells"].insert(0, _language_cell(language, docname(page)))
            text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
        else:
            text, lost = sm.render(sm.split_markdown((ROOT / page).read_text(encoding="utf-8")), lookup)
            text = _with_language_cell(text, language, docname(page))
        (dest / page).parent.mkdir(parents=True, exist_ok=True)
        (dest / page).write_text(text, encoding="utf-8")
        if lost:
            missing[page] = lost
    book = translations(language, BOOK_DOMAIN)
    _write_config(language, dest, book)
    _write_toc(dest, book)
    return dest, missing


CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def search_terms(language: str) -> list[str]:
    """The glossary's Chinese terms (its single term list), in the edition's script.

    jieba, which splits Chinese text into words for the site's search, does not know most of
    them (it cuts 激活函数 into 激活 / 函数, so a search for 激活函数 would find nothing);
    given as its user dictionary they become words, and their parts stay words too."""
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    terms = sorted(set(CJK_RUN.findall(text)))
    if EDITIONS[language]["from"]:
        terms = sorted(set(terms) | {convert(term, EDITIONS[language]["from"][1]) for term in terms})
    return terms


def _write_config(language: str, dest: Path, book: dict[str, str]) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = book.get(config["title"], config["title"])
    config["author"] = book.get(config["author"], config["author"])
    config["repository"]["path_to_book"] = str(dest.relative_to(ROOT)) if dest.is_relative_to(ROOT) else ""
    config["launch_buttons"].pop("colab_url", None)  # Colab opens files of the repository; this edition is generated
    sphinx = config["sphinx"]["config"]
    sphinx["language"] = language
    sphinx["nonlinear_ui_labels"] = ui_labels(book)
    sphinx["nonlinear_math_words"] = translations(language, MATH_DOMAIN)
    sphinx["html_search_language"] = "zh"  # Sphinx's Chinese search splits words with jieba
    terms = dest / "_search_terms.txt"  # jieba's user dictionary: "word frequency" per line
    terms.write_text("".join(f"{term} 100000\n" for term in search_terms(language)), encoding="utf-8")
    sphinx["html_search_options"] = {"dict": str(terms.resolve())}
    header = "# Generated by scripts/editions.py from the English _config.yml: edit that one.\n"
    (dest / "_config.yml").write_text(
        header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _write_toc(dest: Path, book: dict[str, str]) -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        if part.get("caption"):
            part["caption"] = book.get(part["caption"], part["caption"])
    header = "# Generated by scripts/editions.py from the English _toc.yml: edit that one.\n"
    (dest / "_toc.yml").write_text(header + yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def dump_catalogue(domain: str, todo_only: bool) -> int:
    path = catalogue_path(TRANSLATED, domain)
    if not path.is_file():
        raise SystemExit(f"no catalogue {path.relative_to(ROOT)}; run `python scripts/editions.py extract` first")
    entries = []
    for message in read_catalogue(path):
        if not message.id:
            continue
        kind = (message.auto_comments or [""])[0]
        problems = damage(message.id, message.string, kind) if message.string else []
        if todo_only and message.string and not message.fuzzy and not problems:
            continue
        entry = {"id": message.id, "kind": kind, "str": message.string, "fuzzy": message.fuzzy}
        if problems:
            entry["problems"] = problems
        entries.append(entry)
    print(json.dumps(entries, ensure_ascii=False, indent=1))
    return 0


def load_catalogue(domain: str, source: Path) -> int:
    """Set msgstr (and clear fuzzy) for each {id, str} in the JSON file; unknown ids are an error."""
    path = catalogue_path(TRANSLATED, domain)
    catalogue = read_catalogue(path)
    given = json.loads(source.read_text(encoding="utf-8"))
    unknown = [entry["id"] for entry in given if catalogue.get(entry["id"]) is None]
    if unknown:
        raise SystemExit(
            f"{len(unknown)} ids are not in {path.relative_to(ROOT)} (ids must be copied exactly): {unknown[:2]}"
        )
    problems = []
    for entry in given:
        if not entry.get("str"):
            continue
        message = catalogue.get(entry["id"])
        message.string = entry["str"]
        message.flags.discard("fuzzy")
        found = damage(entry["id"], entry["str"], (message.auto_comments or [""])[0])
        if found:
            problems.append((entry["id"][:60], found))
    with open(path, "wb") as handle:
        write_po(handle, catalogue, width=76, omit_header=False)
    print(f"{path.relative_to(ROOT)}: {sum(1 for e in given if e.get('str'))} translations written")
    for msgid, found in problems:
        print(f"  damaged: {msgid!r}: {'; '.join(found)}")
    return 1 if problems else 0


RECORD_DIR = BUILD / "i18n-record"
COMMON = "common"  # outputs/common.po: what three or more pages show (yes, no, formula, accuracy …)
SHARED_FROM = 3


def record_outputs(
    language: str = TRANSLATED, pages: list[str] | None = None, jobs: int | None = None, dest: Path | None = None
) -> dict:
    """Run the edition's pages with recording on; return {page: failure or None}.

    Every text the pages print, display or draw is written, as a template, to
    _build/i18n-record/<language>/<page>.jsonl (nonlinear/i18n.py).
    """
    import book_notebooks

    dest, _ = generate(language, dest)
    record = RECORD_DIR / language
    wanted = [p for p in toc_files() if pages is None or docname(p) in pages]
    if pages is None:
        shutil.rmtree(record, ignore_errors=True)
    for page in wanted:
        (record / f"{docname(page).replace('/', '__')}.jsonl").unlink(missing_ok=True)
    paths = [dest / p for p in wanted if book_notebooks.is_executable(dest / p)]
    failures = {}
    before = os.environ.get("NONLINEAR_I18N_RECORD")
    os.environ["NONLINEAR_I18N_RECORD"] = str(record)  # the kernels inherit it
    try:
        for run in book_notebooks.run_many(paths, jobs=jobs, check_stderr=False):
            failures[run.label] = run.failure
            failed = f"  FAILED: {run.failure[:300]}" if run.failure else ""
            print(f"  {run.label}: {run.seconds:.0f} s{failed}", flush=True)
    finally:
        if before is None:
            os.environ.pop("NONLINEAR_I18N_RECORD", None)
        else:
            os.environ["NONLINEAR_I18N_RECORD"] = before
    return failures


def record_lab_feedback(language: str = TRANSLATED, dest: Path | None = None) -> dict:
    """Record what the labs' checks say to answers, right and wrong; return {lab: failure or None}.

    The built site shows every lab unanswered, so its run records only "not answered yet". Here
    each check is called on every answer of the corpus the tests grade (tests/test_labs.py:
    right and wrong answers per exercise), and each lab runs twice in ``language``, once with
    every exercise answered right and once wrong, so otter's own lines are recorded too.
    """
    import book_notebooks

    sys.path.insert(0, str(ROOT / "tests"))
    import test_labs

    record = RECORD_DIR / language
    dest = dest or EDITIONS_DIR / language
    if not (dest / "notebooks").is_dir():
        generate(language, dest)
    failures = {}
    before = os.environ.get("NONLINEAR_I18N_RECORD")
    os.environ["NONLINEAR_I18N_RECORD"] = str(record)
    try:
        for master in test_labs.MASTERS:
            page = f"notebooks/{master.stem}"
            i18n.set_language(language, page=page)
            environment = test_labs.solution_environment(master)
            for question, check_cell in test_labs.questions(master).items():
                for source, _ in test_labs.CORPUS.get(question, []):
                    env = dict(environment)
                    exec(source, env)
                    result = test_labs.run_check_cell(check_cell, {**env, "__builtins__": __builtins__})
                    i18n.translate_markdown(result._repr_markdown_())
            i18n.set_language("en")
            right = test_labs.correct_answers(master)
            wrong = {
                q: next(s for s, ok in test_labs.CORPUS[q] if not ok)
                for q in test_labs.questions(master)
                if any(not ok for _, ok in test_labs.CORPUS.get(q, []))
            }
            student = dest / "notebooks" / master.name
            for kind, answers in (("right", right), ("wrong", wrong)):
                folder = dest / "_feedback" / kind
                notebook = test_labs.submission(master, answers, folder, student=student)
                try:
                    book_notebooks.execute(notebook, check_stderr=False)
                    failures[f"{page} ({kind})"] = None
                except book_notebooks.NotebookFailure as failure:
                    failures[f"{page} ({kind})"] = str(failure)[:300]
                print(
                    f"  {page}, answered {kind}: {'FAILED ' + str(failures[f'{page} ({kind})']) if failures[f'{page} ({kind})'] else 'recorded'}"
                )
    finally:
        i18n.set_language("en")
        if before is None:
            os.environ.pop("NONLINEAR_I18N_RECORD", None)
        else:
            os.environ["NONLINEAR_I18N_RECORD"] = before
    return failures


def recorded_templates(language: str = TRANSLATED) -> dict[str, list[tuple[str, str]]]:
    """Page -> [(template, where)] in first-seen order, from the last recording."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted((RECORD_DIR / language).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if not i18n.needs_translation(entry["template"]):
                continue
            found.setdefault(entry["page"] or "unknown", {}).setdefault(entry["template"], entry["where"])
    return {page: list(entries.items()) for page, entries in found.items()}


def update_output_catalogues(language: str = TRANSLATED, only: list[str] | None = None) -> dict:
    """Templates of what the pages showed -> _build/gettext/outputs/<page>.pot -> sphinx-intl update.

    ``only`` (page names) updates those pages' catalogues alone: the records of the other pages may
    be older or partial (the labs' feedback is recorded by a whole run only), so theirs and the
    common catalogue are left as they are.
    """
    pot_dir = BUILD / "gettext-outputs"
    shutil.rmtree(pot_dir, ignore_errors=True)
    recorded = recorded_templates(language)
    pages_of: dict[str, int] = {}
    for entries in recorded.values():
        for msgid, _ in entries:
            pages_of[msgid] = pages_of.get(msgid, 0) + 1
    shared = {
        msgid: where for entries in recorded.values() for msgid, where in entries if pages_of[msgid] >= SHARED_FROM
    }
    existing = catalogue_path(language, f"{OUTPUTS_DOMAIN}/{COMMON}")
    in_common = {m.id for m in read_catalogue(existing) if m.id} if existing.is_file() else set()
    if only is not None:  # the common catalogue is left as it is, so a page keeps what common lacks
        shared = {msgid: where for msgid, where in shared.items() if msgid in in_common}
    shared |= {msgid: "shared" for msgid in in_common if msgid not in shared}  # another page may still show it
    recorded = {page: [(m, w) for m, w in entries if m not in shared] for page, entries in recorded.items()}
    recorded[COMMON] = list(shared.items())
    for page, entries in recorded.items():  # a measured line keeps every wording it has had ("holds", "not reproduced")
        existing = catalogue_path(language, f"{OUTPUTS_DOMAIN}/{page}")
        if existing.is_file():
            seen = {m for m, _ in entries}
            entries += [
                (m.id, "timing")
                for m in read_catalogue(existing)
                if m.id and m.id not in seen and any("timing" in c for c in m.auto_comments)
            ]
    if only is not None:
        recorded = {page: entries for page, entries in recorded.items() if page in only}
    for page, entries in recorded.items():
        catalog = Catalog(project="nonlinear", domain=f"{OUTPUTS_DOMAIN}/{page}", fuzzy=False)
        for msgid, where in entries:
            catalog.add(msgid, auto_comments=[where])
        path = pot_dir / OUTPUTS_DOMAIN / f"{page}.pot"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            write_po(handle, catalog, width=76)
    return update_catalogues(pot_dir)


# --- command line ----------------------------------------------------------------------


def _report(statuses: list[Status], show_all: bool) -> int:
    open_entries = 0
    for st in statuses:
        count = len(st.untranslated) + len(st.fuzzy) + len(st.damaged)
        open_entries += count
        if count or show_all:
            print(
                f"{st.domain:45s} {st.total:4d} entries: {len(st.untranslated)} untranslated, "
                f"{len(st.fuzzy)} fuzzy, {len(st.damaged)} damaged"
            )
            for msgid, problems in st.damaged[:5]:
                print(f"    damaged: {msgid[:70]!r}: {'; '.join(problems)}")
    print(f"{open_entries} entries still to translate or repair")
    return 1 if open_entries else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="write the templates and update the zh_CN catalogues (sphinx-intl update)")
    st = sub.add_parser("status", help="untranslated, fuzzy and damaged entries per catalogue")
    st.add_argument("--all", action="store_true", help="list finished catalogues too")
    gen = sub.add_parser("generate", help="write an edition's sources into _build/editions/LANG")
    gen.add_argument("language", choices=[code for code in EDITIONS if code != SOURCE])
    todo = sub.add_parser("todo", help="the entries of one page still to translate or repair")
    todo.add_argument("page", help="a page name such as chapters/05_classic/relu, 'book' or 'outputs'")
    out = sub.add_parser("outputs", help="run the pages in Chinese, record what they show, update outputs/*.po")
    out.add_argument("pages", nargs="*", help="page names (default: every page)")
    dump = sub.add_parser("dump", help="one catalogue as JSON: [{id, kind, str, fuzzy}] (for translating)")
    dump.add_argument("page")
    dump.add_argument("--todo", action="store_true", help="only entries still untranslated, fuzzy or damaged")
    load = sub.add_parser("load", help="put translations from a JSON file ([{id, str}]) into a catalogue")
    load.add_argument("page")
    load.add_argument("json_file")
    args = parser.parse_args(argv)
    if args.command == "outputs":
        failures = record_outputs(pages=args.pages or None)
        if not args.pages:
            failures |= record_lab_feedback()
        print(update_output_catalogues(only=args.pages or None))
        return 1 if any(failures.values()) else 0
    if args.command == "dump":
        return dump_catalogue(args.page, args.todo)
    if args.command == "load":
        return load_catalogue(args.page, Path(args.json_file))
    if args.command == "extract":
        count = write_templates()
        print(f"{count} templates in {POT_DIR.relative_to(ROOT)}; {update_catalogues()}")
        return 0
    if args.command == "status":
        return _report(all_status(), args.all)
    if args.command == "todo":
        is_outputs = args.page.split("/")[0] == OUTPUTS_DOMAIN
        expected = None if is_outputs else templates().get(args.page)
        if expected is None and not is_outputs:
            raise SystemExit(f"no page {args.page!r}; expected a name such as chapters/05_classic/relu")
        st = status(args.page, expected)
        for msgid in st.untranslated + st.fuzzy:
            print(f"--- {'fuzzy' if msgid in st.fuzzy else 'untranslated'}\n{msgid}")
        for msgid, problems in st.damaged:
            print(f"--- damaged: {'; '.join(problems)}\n{msgid}")
        return _report([st], True)
    dest, missing = generate(args.language)
    print(f"Wrote {dest.relative_to(ROOT)}; {sum(map(len, missing.values()))} messages left in English")
    return 0


if __name__ == "__main__":
    sys.exit(main())
