"""Pages as the strict build executed them: the suite reads these instead of running a page again."""

from __future__ import annotations

from pathlib import Path


def executed_by_a_fresh_build(page: str) -> Path | None:
    """The notebook the build of exactly the current inputs executed for ``page`` (a path from the book's
    root, ``.md`` or ``.ipynb``), or None when there is no such build or it did not execute that page."""
    from build_book import executed_dir, fresh_record

    saved = executed_dir("en") / (page.rsplit(".", 1)[0] + ".ipynb")
    return saved if fresh_record() is not None and saved.is_file() else None
