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
tag ``remove-stderr``. The book build itself executes its pages with this runner,
several at a time (``run_many``; _ext/parallel_execution.py). Kernels that run at the
same time share the cores out: each gets ``cores // jobs`` threads for numpy's BLAS and
for torch (``threads_per_kernel``), not one thread per core each: with one per core,
every page run two at a time on two cores took a fifth longer, with the same outputs.

Every kernel talks to its client over Unix-domain sockets in a private folder
(``IPCKernelManager``), never over TCP: a TCP kernel's ports are picked free by
the client, released, and bound by the kernel a moment later, and on a busy
machine another process can take one in between ("Address already in use",
then "Kernel didn't respond in 60 seconds").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import jupytext
import nbformat
import yaml
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets import CaselessStrEnum

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT_S = 120
KERNEL_NAME = "python3"
# Read by OpenBLAS, MKL and torch when they load: how many threads a kernel's matrix products use.
THREAD_SETTINGS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix-domain sockets, ``<private folder>/kernel-1`` to ``-5``.

    The folder is made fresh for each kernel (so no two kernels can collide) and
    removed when the kernel shuts down; no TCP port is involved at all.
    """

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    def _ip_default(self) -> str:  # for ipc, "ip" is the sockets' path prefix
        return os.path.join(tempfile.mkdtemp(prefix="nonlinear-kernel-"), "kernel")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self.transport == "ipc":
            shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)

    cleanup_resources = _async_cleanup_resources


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
    notebook: nbformat.NotebookNode | None = None,
    timeout: int = CELL_TIMEOUT_S,
    check_stderr: bool = True,
    on_kernel_start: Callable[[NotebookClient], None] | None = None,
    threads: int | None = None,
) -> nbformat.NotebookNode:
    """Run every cell of ``path``; return the executed notebook or raise NotebookFailure.

    ``notebook`` is the page as already read (the build passes the one MyST-NB
    read); by default jupytext reads ``path``. ``on_kernel_start(client)`` is
    called once the kernel is up (the benchmark uses it to find the kernel's
    process id). ``threads`` sets ``THREAD_SETTINGS`` in the kernel's environment
    (None: as this process has them).
    """
    path = Path(path).resolve()
    nb = notebook if notebook is not None else jupytext.read(path)
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
        kernel_manager_class=IPCKernelManager,
        record_timing=False,  # no time stamps in the cells' metadata: a page's outputs depend on its code only
        on_cell_start=remember,
        on_notebook_start=started,
    )
    environment = {} if threads is None else {"env": {**os.environ, **dict.fromkeys(THREAD_SETTINGS, str(threads))}}
    try:
        client.execute(**environment)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        raise NotebookFailure(path, nb, current["index"], _error_summary(error)) from None
    if check_stderr:
        check_no_stderr(path, nb)
    return nb


def check_no_stderr(path: Path, nb: nbformat.NotebookNode) -> None:
    """Raise NotebookFailure for the first cell that wrote to stderr without the tag ``remove-stderr``."""
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


# --------------------------------------------------------------- many at a time


@dataclass
class Run:
    """One page run by ``run_many``: its label, seconds, the failure (or None) and the executed notebook."""

    label: str
    seconds: float
    failure: str | None
    notebook: nbformat.NotebookNode | None


def expected_seconds(root: Path = ROOT) -> dict[str, float]:
    """Seconds per page from the last committed benchmark, to start the longest pages first (order only)."""
    latest = root / "assets" / "benchmarks" / "latest.json"
    try:
        return {row["notebook"]: float(row["seconds"]) for row in json.loads(latest.read_text())["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _run_job(job: tuple[str, str | None, bool, int]) -> tuple[str, float, str | None, str | None]:
    """Run one page in a worker process; notebooks travel as JSON text."""
    path, text, check_stderr, threads = job
    notebook = nbformat.reads(text, as_version=4) if text is not None else None
    start = time.perf_counter()
    executed, failure = None, None
    try:
        executed = execute(Path(path), notebook=notebook, check_stderr=check_stderr, threads=threads)
    except NotebookFailure as error:
        failure, executed = str(error), notebook
    except Exception:  # the kernel did not start, the page could not be read, ...
        failure = f"{label(Path(path))}: {traceback.format_exc(limit=4)}"
    seconds = time.perf_counter() - start
    return path, seconds, failure, (nbformat.writes(executed) if executed is not None else None)


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_jobs() -> int:
    """How many pages to run at once: ``NONLINEAR_JOBS``, else the cores this process may use."""
    if os.environ.get("NONLINEAR_JOBS"):
        return max(1, int(os.environ["NONLINEAR_JOBS"]))
    return usable_cores()


def threads_per_kernel(jobs: int) -> int:
    """The usable cores shared out among ``jobs`` kernels that run at once: ``max(1, cores // jobs)``."""
    return max(1, usable_cores() // jobs)


def run_many(
    paths: list[Path],
    *,
    jobs: int | None = None,
    notebooks: dict[Path, nbformat.NotebookNode] | None = None,
    check_stderr: bool = True,
) -> Iterator[Run]:
    """Run pages ``jobs`` at a time (longest first, by the last benchmark), each in a fresh kernel
    with ``threads_per_kernel(jobs)`` threads.

    Yields each ``Run`` as it finishes; a failing page never stops the others.
    Workers are spawned, not forked, so no state of the calling process (a
    Sphinx build, a ZeroMQ context) leaks into them.
    """
    jobs = jobs or default_jobs()
    notebooks = notebooks or {}
    expected = expected_seconds()
    order = sorted(paths, key=lambda p: -expected.get(label(p), 0.0))
    threads = threads_per_kernel(jobs)
    todo = [
        (str(Path(p).resolve()), nbformat.writes(notebooks[p]) if p in notebooks else None, check_stderr, threads)
        for p in order
    ]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_run_job, job) for job in todo]
        for future in as_completed(futures):
            path, seconds, failure, text = future.result()
            notebook = nbformat.reads(text, as_version=4) if text is not None else None
            yield Run(label(Path(path)), seconds, failure, notebook)
