"""_toc.yml and the files on disk agree: nothing listed is missing, nothing is orphaned.

A markdown fragment pulled into a page with the ``{include}`` directive (such as
chapters/claims/chapter2.md) is part of that page, not a page of its own.
"""

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PAGE_SUFFIXES = (".md", ".ipynb")


def toc_entries() -> list[str]:
    """Every `root:` and `file:` entry of _toc.yml, in order (no extensions)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({key: value for key, value in toc.items() if key != "root"})
    return entries


def source_of(entry: str) -> Path | None:
    """The file an entry points at (the entry may or may not carry its extension)."""
    path = ROOT / entry
    if path.suffix in PAGE_SUFFIXES and path.is_file():
        return path
    found = [path.with_name(path.name + s) for s in PAGE_SUFFIXES]
    found = [p for p in found if p.is_file()]
    return found[0] if len(found) == 1 else None


INCLUDE = re.compile(r"^\s*(?:```|:::)\{include\}\s+(\S+)", flags=re.MULTILINE)


def included_fragments(pages: list[Path]) -> set[Path]:
    """Files that the given pages (and, in turn, those files) pull in with {include}."""
    found: set[Path] = set()
    todo = [p for p in pages if p.suffix == ".md"]
    while todo:
        page = todo.pop()
        for target in INCLUDE.findall(page.read_text(encoding="utf-8")):
            fragment = (page.parent / target).resolve()
            if fragment.is_file() and fragment not in found:
                found.add(fragment)
                todo.append(fragment)
    return found


def excluded(relative: str) -> bool:
    """True when _config.yml's exclude_patterns keep the file out of the book (e.g. lab masters)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    patterns = [p.rstrip("/") for p in config.get("exclude_patterns", [])]
    return any(fnmatch(relative, p) or relative.startswith(p + "/") for p in patterns)


def pages_on_disk() -> list[Path]:
    """Every .md and .ipynb under chapters/ and notebooks/ that the book does not exclude."""
    pages = []
    for folder in ("chapters", "notebooks"):
        for suffix in PAGE_SUFFIXES:
            pages += (ROOT / folder).glob(f"**/*{suffix}")
    return sorted(
        p for p in pages if ".ipynb_checkpoints" not in p.parts and not excluded(p.relative_to(ROOT).as_posix())
    )


@pytest.mark.parametrize("entry", toc_entries())
def test_every_toc_entry_is_exactly_one_file(entry):
    assert source_of(entry) is not None, (
        f"_toc.yml lists {entry!r}, but there is not exactly one of {', '.join(entry + s for s in PAGE_SUFFIXES)}"
    )


def test_no_toc_entry_is_listed_twice():
    entries = toc_entries()
    repeated = sorted({e for e in entries if entries.count(e) > 1})
    assert not repeated, f"listed more than once in _toc.yml: {repeated}"


def test_every_page_on_disk_is_in_the_toc():
    listed = {source_of(entry) for entry in toc_entries()} - {None}
    accounted = listed | included_fragments(sorted(listed))
    orphans = [p.relative_to(ROOT).as_posix() for p in pages_on_disk() if p.resolve() not in accounted]
    assert not orphans, (
        f"files in chapters/ or notebooks/ that are neither in _toc.yml nor included by a page in it "
        f"(they would not be built): {orphans}"
    )
