"""Every chapter notebook and lab runs from top to bottom, as in the book build.

One test per notebook (the id is its path), found by scripts/book_notebooks.py:
MyST-markdown chapters with a kernelspec, and every .ipynb in chapters/ and
notebooks/. A failure names the notebook, the cell, its first lines and the error.

The strict build runs every page too (_ext/parallel_execution.py, with the same
runner). So as not to run each page twice, a test reads its page's result from
the build when the build of exactly the current inputs is there (``make book``
made it) or when this run builds the book anyway (it selects a ``book`` test);
otherwise, as when you run one test alone, it executes the page itself.

The instructor masters of the labs (notebooks/masters/) are not run here:
tests/test_labs.py executes each master with its hidden tests.
"""

import pytest
from book_notebooks import NotebookFailure, discover, execute, label

NOTEBOOKS = [path for path in discover() if not label(path).startswith("notebooks/masters/")]


@pytest.fixture(scope="session")
def executed_by_the_build(request) -> dict | None:
    """Per page, {"seconds", "failure"} from the strict build of the current inputs, or None."""
    from build_book import fresh_record

    record = fresh_record()
    if record is None and any(item.get_closest_marker("book") for item in request.session.items):
        record = request.getfixturevalue("book_build")
    if record is None or not record.get("execution"):
        return None
    return record["execution"]["pages"]


def test_there_is_something_to_execute():
    assert NOTEBOOKS, "no executable chapter or lab found under chapters/ or notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[label(p) for p in NOTEBOOKS])
def test_notebook_runs_without_error_or_stderr(path, executed_by_the_build):
    if executed_by_the_build is not None and label(path) in executed_by_the_build:
        failure = executed_by_the_build[label(path)]["failure"]
        if failure:
            pytest.fail(f"in the book build: {failure}", pytrace=False)
        return
    try:
        execute(path)
    except NotebookFailure as failure:
        pytest.fail(str(failure), pytrace=False)
