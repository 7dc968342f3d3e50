"""Every chapter notebook and lab runs from top to bottom, as in the book build.

One test per notebook (the id is its path), found by scripts/book_notebooks.py:
MyST-markdown chapters with a kernelspec, and every .ipynb in chapters/ and
notebooks/. A failure names the notebook, the cell, its first lines and the error.
"""

import pytest
from book_notebooks import NotebookFailure, discover, execute, label

NOTEBOOKS = discover()


def test_there_is_something_to_execute():
    assert NOTEBOOKS, "no executable chapter or lab found under chapters/ or notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[label(p) for p in NOTEBOOKS])
def test_notebook_runs_without_error_or_stderr(path):
    try:
        execute(path)
    except NotebookFailure as failure:
        pytest.fail(str(failure), pytrace=False)
