"""Split the book's sources into translatable messages, and put translations back.

A page (a MyST Markdown chapter or a notebook) is cut into pieces. Each piece is
either kept as it is (code, math, labels, directive options, front matter) or is a
*message*: a paragraph, a heading, a list, a table, a figure caption or alt text, a
glossary definition, an exercise title, or a block of comment lines in a shown code
cell. The message's text is the gettext ``msgid``; ``translate`` rebuilds the page
with each message replaced by its ``msgstr``.

    pieces = split_markdown(text)
    "".join(p.source for p in pieces) == text                      # nothing is lost
    render_markdown(pieces, lookup)                                  # the translated page

The same splitting extracts the catalogues (scripts/editions.py extract) and builds
the translated pages (scripts/editions.py generate), so the two can never disagree.
"""

from __future__ import annotations

import copy
import json
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import yaml

# Directives whose body is not prose: kept verbatim.
VERBATIM_DIRECTIVES = {"bibliography", "include", "toctree", "math", "raw", "code", "code-block", "literalinclude"}
# Directives whose argument is a label, not a title: ```{solution} ex-ch2-kinks
LABEL_ARGUMENT = {"solution"}
# Tags of code cells whose source the reader never sees: their comments are not translated.
HIDDEN_TAGS = {"remove-input", "remove-cell"}
# Text fields of a code cell's options that a reader sees (caption, alt text).
CELL_TEXT_FIELDS = (("mystnb", "figure", "caption"), ("mystnb", "image", "alt"))

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|:{3,})\s*(?P<info>.*?)\s*$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")


@dataclass
class Piece:
    """A slice of a page: ``source`` as written; ``message`` set when it is translated as a whole."""

    source: str
    message: str | None = None  # the msgid (dedented), or None: kept verbatim
    indent: str = ""  # put back in front of every line of the translation
    kind: str = "prose"  # prose, caption, alt, comment, title, heading
    trailing: str = ""  # what follows the message in source (a newline), kept as is


Lookup = Callable[[str], "str | None"]


def _message(lines: list[str], kind: str = "prose") -> Piece:
    text = "".join(lines)
    body = text.rstrip("\n")
    trailing = text[len(body) :]
    dedented = textwrap.dedent(body)
    first = next((line for line in body.splitlines() if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip())] if dedented != body else ""
    return Piece(text, dedented, indent, kind, trailing)


def _verbatim(lines: Iterable[str]) -> Piece:
    return Piece("".join(lines))


def _is_heading(line: str) -> bool:
    return re.match(r"^ {0,3}#{1,6}\s", line) is not None


def _is_verbatim_line(line: str) -> bool:
    """Lines that are markup, not text: labels, cell breaks, MyST comments, HTML comments."""
    stripped = line.strip()
    return (
        re.match(r"^\([\w:.-]+\)=\s*$", stripped) is not None
        or stripped.startswith("+++")
        or stripped.startswith("% ")
        or stripped == "%"
        or (stripped.startswith("<!--") and stripped.endswith("-->"))
    )


def _fence_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``start`` (CommonMark: same char, at least as long)."""
    char, length = fence[0], len(fence)
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= length:
            return i
    return len(lines) - 1


def split_markdown(text: str) -> list[Piece]:
    """Cut MyST Markdown into verbatim pieces and messages, in order, losing nothing."""
    lines = text.splitlines(keepends=True)
    pieces: list[Piece] = []
    i = 0
    if lines and lines[0].strip() == "---":  # front matter (jupytext header)
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), 0)
        pieces.append(_verbatim(lines[: end + 1]))
        i = end + 1
    while i < len(lines):
        line = lines[i]
        if not line.strip() or _is_verbatim_line(line):
            pieces.append(_verbatim([line]))
            i += 1
            continue
        if line.strip().startswith("<!--"):  # an HTML comment over several lines
            end = next((j for j in range(i, len(lines)) if "-->" in lines[j]), len(lines) - 1)
            pieces.append(_verbatim(lines[i : end + 1]))
            i = end + 1
            continue
        if line.strip() == "$$" or (line.strip().startswith("$$") and not line.strip().endswith("$$")):
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip().endswith("$$")), len(lines) - 1)
            pieces.append(_verbatim(lines[i : end + 1]))
            i = end + 1
            continue
        fence = FENCE.match(line)
        if fence:
            end = _fence_end(lines, i, fence["fence"])
            pieces.extend(_split_fenced(lines[i : end + 1], fence))
            i = end + 1
            continue
        if _is_heading(line):
            pieces.append(_message([line], "heading"))
            i += 1
            continue
        # A block of prose: up to a blank line, a fence, a heading or a markup line.
        end = i + 1
        while end < len(lines):
            nxt = lines[end]
            if not nxt.strip() or FENCE.match(nxt) or _is_heading(nxt) or _is_verbatim_line(nxt):
                break
            if nxt.strip().startswith("$$") and not lines[end - 1].rstrip().endswith("\\"):
                break
            end += 1
        pieces.append(_message(lines[i:end]))
        i = end
    return pieces


def _split_fenced(block: list[str], fence: re.Match) -> list[Piece]:
    """A fenced block: a code cell, a directive (its body split again), or plain code (verbatim)."""
    directive = DIRECTIVE.match(fence["info"])
    if not directive or directive["name"] in VERBATIM_DIRECTIVES:
        return [_verbatim(block)]
    if directive["name"] == "code-cell":
        return _split_code_cell(block)
    opening, body, closing = block[0], block[1:-1], block[-1:]
    pieces: list[Piece] = []
    argument = directive["argument"] if directive["name"] not in LABEL_ARGUMENT else ""
    if argument:  # a title: ```{exercise} Where are the kinks?
        head = opening[: opening.rindex(argument)]
        pieces += [_verbatim([head]), _message([argument], "title"), _verbatim([opening[len(head) + len(argument) :]])]
    else:
        pieces.append(_verbatim([opening]))
    options = 0
    while options < len(body) and re.match(r"^\s*:[\w-]+:", body[options]):
        options += 1
    pieces.append(_verbatim(body[:options]))
    rest = "".join(body[options:])
    if directive["name"] == "glossary":
        pieces += _split_glossary(rest)
    else:
        pieces += split_markdown(rest)
    pieces.append(_verbatim(closing))
    return pieces


def _split_glossary(text: str) -> list[Piece]:
    """Glossary entries: the term line stays (cross-references name it); its definition is a message."""
    pieces: list[Piece] = []
    for block in re.split(r"(\n\s*\n)", text):
        if not block.strip() or block.startswith("\n"):
            pieces.append(_verbatim([block]))
            continue
        lines = block.splitlines(keepends=True)
        terms = 0
        while terms < len(lines) and not lines[terms].startswith((" ", "\t")):
            terms += 1
        pieces.append(_verbatim(lines[:terms]))
        if lines[terms:]:
            pieces.append(_message(lines[terms:]))
    return pieces


def _split_code_cell(block: list[str]) -> list[Piece]:
    """A code cell: its options' caption and alt text, and the comments of a shown cell."""
    opening, body, closing = block[0], block[1:-1], block[-1:]
    pieces = [_verbatim([opening])]
    options: dict = {}
    if body and body[0].strip() == "---":
        end = next((j for j in range(1, len(body)) if body[j].strip() == "---"), 0)
        options = yaml.safe_load("".join(body[1:end])) or {}
        pieces.append(_options_piece(body[: end + 1], options))
        body = body[end + 1 :]
    else:
        count = 0
        while count < len(body) and re.match(r"^:[\w-]+:", body[count]):
            count += 1
        for line in body[:count]:
            key, _, value = line.strip()[1:].partition(":")
            options[key] = yaml.safe_load(value) if value.strip() else None
        pieces.append(_verbatim(body[:count]))
        body = body[count:]
    tags = set(options.get("tags") or [])
    pieces += [_verbatim(body)] if tags & HIDDEN_TAGS else split_code(body)
    pieces.append(_verbatim(closing))
    return pieces


def split_code(lines: list[str]) -> list[Piece]:
    """Code: runs of whole-line comments are messages (``# `` kept in the msgid); the rest verbatim."""
    pieces: list[Piece] = []
    i = 0
    while i < len(lines):
        if _is_comment(lines[i]):
            end = i
            while end < len(lines) and _is_comment(lines[end]):
                end += 1
            pieces.append(_message(lines[i:end], "comment"))
            i = end
        else:
            pieces.append(_verbatim([lines[i]]))
            i += 1
    return pieces


def _is_comment(line: str) -> bool:
    """A comment a reader reads: ``# ...`` with words, not a magic, shebang or noqa line."""
    stripped = line.strip()
    return (
        stripped.startswith("#")
        and not stripped.startswith(("#!", "# noqa", "#%", "# %", "# type:", "# BEGIN", "# END"))
        and re.search(r"[A-Za-z]{2,}", stripped) is not None
    )


@dataclass
class OptionsPiece(Piece):
    """A code cell's YAML options: the caption and alt text inside are messages of their own."""

    options: dict | None = None


def _options_piece(lines: list[str], options: dict) -> Piece:
    return OptionsPiece("".join(lines), options=options)


def cell_texts(options: dict) -> list[tuple[tuple[str, ...], str]]:
    """The (path, text) of each reader-visible text field in a code cell's options."""
    found = []
    for path in CELL_TEXT_FIELDS:
        node = options
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, str) and node.strip():
            found.append((path, " ".join(node.split())))
    return found


def messages(pieces: Iterable[Piece]) -> list[tuple[str, str]]:
    """(msgid, kind) of every message, in page order."""
    found = []
    for piece in pieces:
        if isinstance(piece, OptionsPiece):
            found += [(text, path[-1]) for path, text in cell_texts(piece.options or {})]
        elif piece.message is not None and piece.message.strip():
            found.append((piece.message, piece.kind))
    return found


def render(pieces: Iterable[Piece], lookup: Lookup) -> tuple[str, list[str]]:
    """The page with every message translated by ``lookup``; and the msgids it had no translation for."""
    out, missing = [], []
    for piece in pieces:
        if isinstance(piece, OptionsPiece):
            options = copy.deepcopy(piece.options or {})
            changed = False
            for path, text in cell_texts(options):
                translated = lookup(text)
                if translated is None:
                    missing.append(text)
                    continue
                node = options
                for key in path[:-1]:
                    node = node[key]
                node[path[-1]] = translated
                changed = changed or translated != text
            if changed:
                dumped = yaml.safe_dump(options, allow_unicode=True, sort_keys=False, width=1000)
                out.append(f"---\n{dumped}---\n")
            else:
                out.append(piece.source)
        elif piece.message is not None and piece.message.strip():
            translated = lookup(piece.message)
            if translated is None:
                missing.append(piece.message)
                out.append(piece.source)
            else:
                out.append(textwrap.indent(translated, piece.indent) + piece.trailing)
        else:
            out.append(piece.source)
    return "".join(out), missing


# --- notebooks -------------------------------------------------------------------


def notebook_pieces(notebook: dict) -> list[list[Piece]]:
    """Pieces of each cell: Markdown split like a page; code cells' comments unless hidden."""
    cells = []
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "markdown":
            cells.append(split_markdown(source))
        elif cell["cell_type"] == "code" and not tags & HIDDEN_TAGS:
            cells.append(split_code(source.splitlines(keepends=True)))
        else:
            cells.append([_verbatim([source])])
    return cells


def render_notebook(notebook: dict, lookup: Lookup) -> tuple[dict, list[str]]:
    """A copy of the notebook with its Markdown and shown comments translated; and what was missing."""
    translated = copy.deepcopy(notebook)
    missing: list[str] = []
    for cell, pieces in zip(translated["cells"], notebook_pieces(notebook)):
        text, lost = render(pieces, lookup)
        cell["source"] = text
        missing += lost
    return translated, missing


def read_notebook(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
