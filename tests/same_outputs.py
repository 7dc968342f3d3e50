"""Two executions of a page compared output by output, apart from what may differ between runs.

A page's numbers come from seeded draws, so a second run (in another environment too) must
reproduce every output exactly. The exceptions carry no content of the page: outputs read from a
clock, which ``nonlinear.timing`` marks (output metadata ``{"nonlinear": {"timing": true}}``),
execution counts, ids that Jupyter makes up at every run for widgets and animations, and where the
kernel happened to cut printed text into messages.
"""

from __future__ import annotations

import json
import re

from nonlinear.timing import is_timing

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


def differences(first, second, shown: int = 5) -> list[str]:
    """What differs between two executions of one page, cell by cell (empty when nothing does)."""
    a, b = comparable(first), comparable(second)
    if len(a) != len(b):
        return [f"{len(a)} code cell(s) in the first run, {len(b)} in the second"]
    found = []
    for index, (one, two) in enumerate(zip(a, b)):
        if one != two:
            found.append(f"code cell {index + 1}:\n  first:  {str(one)[:300]}\n  second: {str(two)[:300]}")
    return found[:shown]
