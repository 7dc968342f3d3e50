"""The language of what the code prints and draws: one setting for the whole package.

    from nonlinear import i18n
    i18n.set_language("zh_CN")      # or "zh_TW", or "en" (the default; NONLINEAR_LANG sets it too)

The code of every page stays as written, in English. With a language other than
English, what it shows is translated on its way out: printed lines, displayed tables
and Markdown (verdicts, evidence, check messages), and the text of every matplotlib
figure (titles, axis labels, legends, annotations), drawn with a CJK font.

A text is looked up as a *template*: its numbers become ``{0}``, ``{1}``, … so that
``"loss 0.31 after 200 steps"`` finds the entry ``"loss {0} after {1} steps"``, and the
translation gets back exactly the numbers of the text. The numbers a reader sees are
therefore the numbers the English edition computed.

Catalogues: ``locale/zh_CN/LC_MESSAGES/outputs/<page>.po`` (gettext), one per page,
all loaded together; Traditional Chinese is converted from them by OpenCC (``s2twp``).
A text without an entry stays English; ``NONLINEAR_I18N_STRICT=1`` warns about it (the
strict build then fails), except in an output marked as measured (``nonlinear.timing``),
whose words may change with the clock; and ``NONLINEAR_I18N_RECORD=<folder>`` writes every template a
page shows to ``<folder>/<page>.jsonl`` (``scripts/editions.py outputs`` makes the
catalogues' templates from them).
"""

from __future__ import annotations

import functools
import html as html_module
import json
import os
import re
import sys
import warnings
from pathlib import Path

LANGUAGES = ("en", "zh_CN", "zh_TW")
CONVERTED = {"zh_TW": ("zh_CN", "s2twp")}  # language -> (catalogue it is converted from, OpenCC config)
LOCALE = Path(__file__).resolve().parents[1] / "locale"
CJK_FONTS = {"zh_CN": "Noto Sans CJK SC", "zh_TW": "Noto Sans CJK TC"}

# A number: digits with an optional sign, decimals and exponent, not glued to a word (ReLU6, x2, log10);
# or a pictograph (otter cheers a passed test with one drawn at random: "passed! 🌈").
NUMBER = re.compile(r"(?<![A-Za-z_0-9.])[-−+]?[0-9]+(?:[.,][0-9]+)*(?:[eE][-+−]?[0-9]+)?|[\U0001F000-\U0001FAFF\u2728]")
PLACEHOLDER = re.compile(r"\{(\d+)\}")
WORD = re.compile(r"[A-Za-z]{2,}")
MATH = re.compile(r"\$[^$]*\$")

GLUE_PREFIX = "application/papermill.record/"  # how myst-nb stores a value glued for a {glue} role

_state = {"language": "en", "page": None, "installed": False, "lenient": False}


class UnknownLanguage(ValueError):
    """A language this package has no catalogue for."""


def language() -> str:
    """The current language code ('en', 'zh_CN' or 'zh_TW')."""
    return _state["language"]


def set_language(code: str, page: str | None = None) -> None:
    """Show what the code prints and draws in ``code`` from now on (``page`` names the page, for recording)."""
    if not isinstance(code, str) or code not in LANGUAGES:
        raise UnknownLanguage(f"language must be one of {LANGUAGES}, got {code!r}")
    _state["language"] = code
    _state["page"] = page
    if code != "en":
        catalogue(code)  # load now: a broken catalogue fails here, not in the middle of a figure
        _install()
        _use_cjk_font(code)


# --- templates -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _machine_names() -> frozenset[str]:
    """What names a computer: this one's CPU model and architecture, and the CPU models that measured
    the stored clock experiments (a page prints those when it reads them). A page that prints them
    prints something else on another machine, so they are kept out of templates like numbers."""
    import platform

    from nonlinear.study.store import recorded_cpus
    from nonlinear.timing import cpu_model

    names = {platform.processor(), platform.machine(), cpu_model(), *recorded_cpus()}
    return frozenset(name for name in names if name and name != "unknown")


@functools.lru_cache(maxsize=1)
def _variable() -> re.Pattern:
    machine = "|".join(re.escape(name) for name in sorted(_machine_names(), key=len, reverse=True))
    return re.compile(f"{machine}|{NUMBER.pattern}" if machine else NUMBER.pattern)


def template(text: str) -> tuple[str, list[str]]:
    """``text`` with its numbers (and the machine's name) replaced by ``{0}``, ``{1}``, …; and them, in order."""
    numbers: list[str] = []

    def keep(match: re.Match) -> str:
        numbers.append(match[0])
        return f"{{{len(numbers) - 1}}}"

    return _variable().sub(keep, text), numbers


def fill(translated: str, numbers: list[str]) -> str:
    """Put the numbers back into a translated template."""
    return PLACEHOLDER.sub(lambda m: numbers[int(m[1])] if int(m[1]) < len(numbers) else m[0], translated)


IDENTIFIER = re.compile(r"[A-Za-z_][\w.]*[_0-9][\w.]*")  # ex5_1, leaky_relu, np.log1p: code, not words
ENTITY = re.compile(r"&#?\w+;")


def needs_translation(text: str) -> bool:
    """Whether a text has words to translate: two or more letters in a row outside $math$, and
    not just an identifier (``ex5_1``, ``leaky_relu``) or the name of an activation."""
    words = ENTITY.sub("", MATH.sub("", text))
    if not WORD.search(words):
        return False
    bare = words.strip(" *_`")
    return IDENTIFIER.fullmatch(bare) is None and bare.lower() not in _activation_names()


@functools.lru_cache(maxsize=1)
def _activation_names() -> frozenset[str]:
    from nonlinear import activations

    names = set(activations.names())
    names |= {name.replace("_", " ") for name in names}
    return frozenset(name.lower() for name in names)


# --- catalogues ---------------------------------------------------------------------------------


@functools.cache
def catalogue(code: str) -> dict[str, str]:
    """Template -> translation, from every finished (translated, not fuzzy) entry of the outputs catalogues."""
    if code == "en":
        return {}
    source, config = CONVERTED.get(code, (code, None))
    folder = LOCALE / source / "LC_MESSAGES" / "outputs"
    found: dict[str, str] = {}
    if folder.is_dir():
        from babel.messages.pofile import read_po

        for path in sorted(folder.rglob("*.po")):
            with open(path, "rb") as handle:
                for message in read_po(handle):
                    if message.id and message.string and not message.fuzzy:
                        found[message.id] = message.string
    if config:
        found = {key: to_traditional(value) for key, value in found.items()}
    return found


# Terms OpenCC's Taiwan phrasing gets wrong for this subject (s2twp turns 激活函数 into 啟用函式,
# "enable routine") or leaves as the mainland says them (搜索, 全屏): written as Taiwan's
# deep-learning texts and software write them, before the conversion.
TAIWAN_TERMS = {"激活函数": "激勵函數", "激活": "激勵", "函数": "函數", "搜索": "搜尋", "全屏": "全螢幕"}
# Taiwan's quotation marks (「」), which OpenCC leaves as the mainland writes them (“”).
TAIWAN_QUOTES = str.maketrans({"“": "「", "”": "」"})
# Kept exactly as written: a role's target, code spans, $math$, link targets, {0} placeholders and
# other braces without Chinese inside (a printed dict's Chinese keys are text: "{'逻辑回归': {0}}").
_UNCONVERTED = re.compile(r"(\{[\w:-]+\}`[^`]*`|`[^`]*`|\$[^$]*\$|\]\([^)]*\)|\{[^}\u3400-\u9fff]*\})")
_TITLED_ROLE = re.compile(r"(\{[\w:-]+\}`)([^`<]+)(<[^`>]+>`)")


def to_traditional(text: str) -> str:
    """Simplified -> Traditional Chinese with Taiwan's characters and phrasing (OpenCC ``s2twp``).

    A role's title is converted (``{term}`激活函数 <activation function>```), its target is not."""
    parts = _UNCONVERTED.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(traditional_characters(part))
        else:
            out.append(_TITLED_ROLE.sub(lambda m: m[1] + traditional_characters(m[2]) + m[3], part))
    return "".join(out)


def traditional_characters(text: str) -> str:
    """All of ``text`` in Taiwan's characters, phrasing and quotation marks (TAIWAN_TERMS, then OpenCC
    ``s2twp``, then TAIWAN_QUOTES), with nothing kept as written: :func:`to_traditional` for a message,
    this for a whole page."""
    terms = sorted(TAIWAN_TERMS, key=len, reverse=True)
    pieces = re.split("(" + "|".join(map(re.escape, terms)) + ")", text)
    converted = "".join(TAIWAN_TERMS[p] if i % 2 else _opencc("s2twp").convert(p) for i, p in enumerate(pieces))
    return converted.translate(TAIWAN_QUOTES)


@functools.cache
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(f"{config}.json")


def translate(text: str, where: str = "text") -> str:
    """``text`` in the current language, line by line; unchanged where there is no entry (or in English)."""
    if _state["language"] == "en" or not isinstance(text, str) or not text:
        return text
    return "\n".join(_translate_line(line, where) for line in text.split("\n"))


def _translate_line(line: str, where: str) -> str:
    if not needs_translation(line):
        return line
    stripped = line.strip()
    lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
    key, numbers = template(stripped)
    found = catalogue(_state["language"]).get(key)
    _record(key, where, found is not None)
    if found is None:
        return line
    return lead + fill(found, numbers) + trail


def _record(key: str, where: str, found: bool) -> None:
    folder = os.environ.get("NONLINEAR_I18N_RECORD")
    if folder:
        page = (_state["page"] or "unknown").replace("/", "__")
        Path(folder).mkdir(parents=True, exist_ok=True)
        with open(Path(folder) / f"{page}.jsonl", "a", encoding="utf-8") as handle:
            where = f"{where}, timing" if _state["lenient"] else where  # may read otherwise next run
            handle.write(json.dumps({"page": _state["page"], "template": key, "where": where}) + "\n")
    if not found and os.environ.get("NONLINEAR_I18N_STRICT") == "1" and not _state["lenient"]:
        warnings.warn(f"no {_state['language']} translation for {key!r} (page {_state['page']})", stacklevel=3)


# --- what is shown: markup ---------------------------------------------------------------------

_HTML_SKIP = re.compile(r"(<(style|script)\b.*?</\2>)", re.S | re.I)
# Text between tags; a "<" that opens no tag ("x < 3" in otter's output) is text.
_HTML_TEXT = re.compile(r"(?<=>)((?:[^<>]|<(?![A-Za-z/!]))+)(?=<[A-Za-z/!])")
_HTML_TAG = re.compile(r"<[A-Za-z/!]")
_HTML_OPEN_TAG = re.compile(r"<[A-Za-z][^<>]*>")
# Words a reader meets inside a tag: an image's description, a control's name and tooltip.
_HTML_READ_ATTRIBUTE = re.compile(r'(\s(?:alt|title|aria-label)=")([^"]*)(")')


def translate_html(html: str) -> str:
    """Translate the text between tags, and the ``alt``, ``title`` and ``aria-label`` of a tag (not
    inside <style> or <script>).

    HTML with no tag at all is one escaped text (a glued claim's verdict or evidence, which the
    ledger shows as HTML): it is unescaped, translated whole and escaped again.
    """
    if not _HTML_TAG.search(html):
        return html_module.escape(_keep_space(html_module.unescape(html), "html"))
    parts = _HTML_SKIP.split(html)
    out = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if i % 3 == 1:  # a skipped block; the next part is its tag name
            out.append(part)
            i += 2
            continue
        part = _translate_attributes(part)
        out.append(_HTML_TEXT.sub(lambda m: _keep_space(m[1], "html"), part))
        i += 1
    return "".join(out)


def _translate_attributes(html: str) -> str:
    """Every alt, title and aria-label value, unescaped, translated and escaped again (a tag may have several)."""

    def attribute(match: re.Match) -> str:
        value = html_module.unescape(match[2])
        translated = _keep_space(value, "html")
        return match[0] if translated == value else match[1] + html_module.escape(translated) + match[3]

    return _HTML_OPEN_TAG.sub(lambda tag: _HTML_READ_ATTRIBUTE.sub(attribute, tag[0]), html)


def _keep_space(text: str, where: str) -> str:
    stripped = text.strip()
    if not stripped:
        return text
    start = text.index(stripped)
    return text[:start] + translate(stripped, where) + text[start + len(stripped) :]


def translate_markdown(text: str) -> str:
    """Translate Markdown line by line; a table row cell by cell."""
    lines = []
    for line in text.split("\n"):
        if line.lstrip().startswith("|") and line.rstrip().endswith("|"):
            cells = re.split(r"(?<!\\)\|", line)  # a \| inside a cell is text, not a column
            lines.append("|".join(_keep_space(cell, "table") if cell.strip() else cell for cell in cells))
        else:
            lines.append(translate(line, "markdown"))
    return "\n".join(lines)


def translate_bundle(data: dict) -> dict:
    """A display's MIME bundle with its text translated (images and widget state untouched)."""
    if _state["language"] == "en" or not isinstance(data, dict):
        return data
    data = dict(data)
    kinds = {key: key.rsplit(GLUE_PREFIX, 1)[-1] for key in data}  # a glued value's type is after the prefix
    rich = any(kind in ("text/html", "text/markdown", "image/png", "image/svg+xml") for kind in kinds.values())
    for key, value in data.items():
        if not isinstance(value, str):
            continue
        if kinds[key] == "text/html":
            data[key] = translate_html(value)
        elif kinds[key] == "text/markdown":
            data[key] = translate_markdown(value)
        elif kinds[key] == "text/plain" and (not rich or key.startswith(GLUE_PREFIX)):
            data[key] = translate(value, "display")
    return data


# --- hooks: printed text, displays, figures -------------------------------------------------------


class _TranslatedStream:
    """A text stream that translates each complete line before passing it on."""

    def __init__(self, stream):
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        if _state["language"] == "en":
            return self._stream.write(text)
        self._pending += text
        if "\n" in self._pending:
            done, _, self._pending = self._pending.rpartition("\n")
            self._stream.write(translate(done, "print") + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
            self._stream.write(translate(pending, "print"))
        self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _install() -> None:
    if _state["installed"]:
        return
    _state["installed"] = True
    if not isinstance(sys.stdout, _TranslatedStream):
        sys.stdout = _TranslatedStream(sys.stdout)
    _install_matplotlib()
    _install_ipython()


def _install_matplotlib() -> None:
    from matplotlib.text import Text

    set_text = Text.set_text

    def set_translated_text(self, s):
        return set_text(self, translate(s, "figure") if isinstance(s, str) else s)

    set_translated_text.__doc__ = set_text.__doc__
    Text.set_text = set_translated_text


def _install_ipython() -> None:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    publisher = shell.display_pub
    publish = publisher.publish

    def publish_translated(data, metadata=None, *args, **kwargs):
        # A measured output (nonlinear.timing) may read differently at every run ("holds" one day,
        # "not reproduced here" the next): translated where the catalogue has it, never an error.
        _state["lenient"] = bool(((metadata or {}).get("nonlinear") or {}).get("timing"))
        try:
            return publish(translate_bundle(data), metadata, *args, **kwargs)
        finally:
            _state["lenient"] = False

    publisher.publish = publish_translated
    hook = shell.displayhook
    write_format_data = hook.write_format_data

    def write_translated(format_dict, md_dict=None):
        return write_format_data(translate_bundle(format_dict), md_dict)

    hook.write_format_data = write_translated
    shell.events.register("post_run_cell", lambda *_: sys.stdout.flush())


def _use_cjk_font(code: str) -> None:
    """Draw figure text with Noto Sans CJK (the noto-cjk-sans-otc package), DejaVu Sans behind it.

    The CJK font comes first, not as a fallback: a label that mixes Chinese and $math$ is laid
    out by mathtext, which takes the first font of the list for its text and has no fallback.
    Noto Sans CJK has Latin letters and digits too; DejaVu Sans covers what it lacks (✔ ✘ ◐)."""
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    family = CJK_FONTS.get(code)
    if family is None:
        return
    if not any(font.name == family for font in font_manager.fontManager.ttflist):
        import noto_cjk_sans_otc

        font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    plt.rcParams["font.family"] = [family, "DejaVu Sans"]


_initial = os.environ.get("NONLINEAR_LANG")
if _initial and _initial != "en":
    set_language(_initial)
