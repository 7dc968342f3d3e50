"""Find the book's executable pages and run them the way the book build does.

Used by tests/test_execution.py (one test per notebook) and scripts/measure_budgets.py
(time and memory per notebook), so both see the same list and the same run.

A page is executable when it is
- a MyST-markdown notebook under chapters/: a ``.md`` file whose front matter
  has a ``kernelspec`` (plain markdown pages such as references.md are not), or
- a ``.ipynb`` file under chapters/ or notebooks/ (the labs).

It runs like ``jupyter-book build`` runs it (see _config.yml): kernel
``python3`` of the current environment, the notebook's own folder as working
directory, 120 s per cell, no errors allowed, and no output on stderr (the
strict build turns stderr into a failing warning) unless the cell carries the
tag ``remove-stderr``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import jupytext
import nbformat
import yaml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT_S = 120
KERNEL_NAME = "python3"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def front_matter(path: Path) -> dict:
    """The YAML block between the leading ``---`` lines of a text file, or {}."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\s*\n(.*?)\n---\s*(\n|$)", text, flags=re.DOTALL)
    if not match:
        return {}
    data = yaml.safe_load(match.group(1))
    return data if isinstance(data, dict) else {}


def is_executable(path: Path) -> bool:
    """True for a .ipynb file or a markdown file whose front matter has a kernelspec."""
    if path.suffix == ".ipynb":
        return True
    return path.suffix == ".md" and "kernelspec" in front_matter(path)


def discover(root: Path = ROOT) -> list[Path]:
    """Every executable chapter and lab under ``root``, sorted by path."""
    candidates = [
        *root.glob("chapters/**/*.md"),
        *root.glob("chapters/**/*.ipynb"),
        *root.glob("notebooks/**/*.ipynb"),
    ]
    return sorted(path for path in candidates if ".ipynb_checkpoints" not in path.parts and is_executable(path))


def label(path: Path, root: Path = ROOT) -> str:
    """The path as the book and its tests name it: relative to the root, forward slashes."""
    path = Path(path).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


class NotebookFailure(Exception):
    """A notebook failed: names the notebook, the cell, its first lines and the error."""

    def __init__(self, path: Path, nb, index: int | None, problem: str):
        self.path, self.index, self.problem = path, index, problem
        first, *rest = problem.splitlines() or ["failed"]
        where = label(path)
        lines = []
        if index is not None:
            code_number = sum(c.cell_type == "code" for c in nb.cells[: index + 1])
            where += f", cell {index + 1} (code cell {code_number})"
            source = nb.cells[index].source.splitlines()
            lines.append("  the cell starts:")
            lines += [f"  | {line}" for line in source[:3]]
            if len(source) > 3:
                lines.append(f"  | ... ({len(source) - 3} more line(s))")
        super().__init__("\n".join([f"{where}: {first}", *lines, *rest]))


def _error_summary(error: BaseException) -> str:
    """First line: 'ExcName: message'; then the tail of the kernel's traceback."""
    ename = getattr(error, "ename", None)
    if ename:  # nbclient.exceptions.CellExecutionError
        evalue = getattr(error, "evalue", "")
        tail = _ANSI.sub("", str(getattr(error, "traceback", ""))).strip().splitlines()
        return "\n".join([f"{ename}: {evalue}", "  traceback (last lines):"] + [f"    {line}" for line in tail[-12:]])
    return f"{type(error).__name__}: {_ANSI.sub('', str(error)).strip()}"


def execute(
    path: Path,
    *,
    timeout: int = CELL_TIMEOUT_S,
    on_kernel_start: Callable[[NotebookClient], None] | None = None,
) -> nbformat.NotebookNode:
    """Run every cell of ``path``; return the executed notebook or raise NotebookFailure.

    ``on_kernel_start(client)`` is called once the kernel is up (the benchmark
    uses it to find the kernel's process id).
    """
    path = Path(path).resolve()
    nb = jupytext.read(path)
    current = {"index": None}

    def remember(cell, cell_index, **_):
        current["index"] = cell_index

    def started(notebook, **_):
        if on_kernel_start is not None:
            on_kernel_start(client)

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=remember,
        on_notebook_start=started,
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        raise NotebookFailure(path, nb, current["index"], _error_summary(error)) from None

    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "remove-stderr" in cell.metadata.get("tags", []):
            continue
        stderr = "".join(
            out.get("text", "")
            for out in cell.get("outputs", [])
            if out.get("output_type") == "stream" and out.get("name") == "stderr"
        )
        if stderr:
            problem = "wrote to stderr (the strict book build fails on this)\n  stderr:\n" + "\n".join(
                f"    {line}" for line in _ANSI.sub("", stderr).strip().splitlines()[:12]
            )
            raise NotebookFailure(path, nb, index, problem)
    return nb
