"""Every page gives the same outputs when it runs twice, apart from the outputs marked as measured.

A page's numbers are computed from seeded draws, so a second run must reproduce
every output exactly; the only exceptions are outputs read from a clock, which
``nonlinear.timing`` marks (output metadata ``{"nonlinear": {"timing": true}}``).
Random identifiers that Jupyter itself gives to widgets and animations are not the
page's content and are compared as equal.

Expensive (it runs every page once more), so it carries the marker ``twice`` and is
left out of ``make test-quick``; ``make test`` (and CI) runs it. The first run is the
strict build's when the build of exactly these inputs is there (``make book``);
the second runs the pages two at a time.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from book_notebooks import discover, label, run_many
from built_pages import executed_by_a_fresh_build

from nonlinear.timing import is_timing

pytestmark = pytest.mark.twice


def test_prints_cut_differently_compare_equal():
    one = [{"output_type": "stream", "name": "stdout", "text": "Finish exercise 6.6.\n"}]
    two = [
        {"output_type": "stream", "name": "stdout", "text": "Finish exercise 6.6."},
        {"output_type": "stream", "name": "stdout", "text": "\n"},
    ]
    assert merged_streams(one) == merged_streams(two)
    other = [{"output_type": "stream", "name": "stdout", "text": "Finish exercise 6.7.\n"}]
    assert merged_streams(one) != merged_streams(other)


PAGES = [p for p in discover() if "masters" not in p.parts]
# Ids made up at every run, which carry no content: widget models (uuid4 hex), matplotlib
# animations' element ids, and the HTML element ids of a pandas Styler table (T_ and five hex digits).
RANDOM_ID = re.compile(
    r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\bT_[0-9a-f]{5}(?=_|\\?\")"
)


def merged_streams(outputs: list) -> list:
    """Consecutive prints to the same stream as one output, as Jupyter shows them: how the kernel
    cuts printed text into messages depends on when it flushes, which a busy machine changes."""
    merged: list = []
    for output in outputs:
        if output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream":
            if merged[-1].get("name") == output.get("name"):
                merged[-1] = {**merged[-1], "text": merged[-1]["text"] + output["text"]}
                continue
        merged.append(dict(output))
    return merged


def comparable(notebook) -> list[list]:
    """Per code cell, its outputs without the marked ones, execution counts and made-up ids."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in merged_streams(cell.get("outputs", [])):
            if is_timing(output):
                continue
            output = {k: v for k, v in output.items() if k != "execution_count"}
            outputs.append(RANDOM_ID.sub("<id>", json.dumps(output, sort_keys=True)))
        cells.append(outputs)
    return cells


@pytest.fixture(scope="module")
def two_runs(request) -> dict[str, tuple]:
    """label -> (first run, second run), each a notebook or the failure text, for the pages this run selected."""
    selected = {item.callspec.params["path"] for item in request.session.items if "two_runs" in item.fixturenames}
    pages = [p for p in PAGES if p in selected]
    first = {}
    for path in pages:
        saved = executed_by_a_fresh_build(label(path))
        if saved:
            first[label(path)] = nbformat.read(saved, as_version=4)
    missing = [p for p in pages if label(p) not in first]
    first.update({run.label: run.failure or run.notebook for run in run_many(missing)})
    second = {run.label: run.failure or run.notebook for run in run_many(pages)}
    return {name: (first[name], second[name]) for name in second}


@pytest.mark.parametrize("path", PAGES, ids=[label(p) for p in PAGES])
def test_page_gives_the_same_outputs_twice(path, two_runs):
    first, second = two_runs[label(path)]
    for run in (first, second):
        if isinstance(run, str):
            pytest.fail(run, pytrace=False)
    a, b = comparable(first), comparable(second)
    differences = []
    for index, (one, two) in enumerate(zip(a, b)):
        if one != two:
            differences.append(f"code cell {index + 1}:\n  first:  {str(one)[:300]}\n  second: {str(two)[:300]}")
    assert len(a) == len(b), f"{len(a)} code cells, then {len(b)}"
    assert not differences, (
        f"{label(path)}: outputs differ between two runs (mark clock readings with nonlinear.timing):\n"
        + "\n".join(differences[:5])
    )
