"""Every kernel the project starts talks over Unix sockets, so kernels never race for TCP ports.

The failure this guards against: a client picks five free TCP ports, releases them, and
the kernel binds them a moment later; on a loaded machine another kernel (or any outgoing
connection) takes one in between, and the kernel dies with "Address already in use".
With IPC transport there is no port to take. The stress test starts many kernels at
once, from the runner the tests use, while a small book builds in another process with
the book's own execution extension, and while a thread opens and closes TCP connections
on 127.0.0.1 as fast as it can (each takes an ephemeral port).

Kernels that run at the same time also share the cores out instead of each taking all of them.
With one thread per core in each of two kernels on two cores, numpy's BLAS and torch's thread
pools fight over the cores: every page of the book, two at a time, took a fifth longer, with the
same outputs. ``run_many`` gives each of its ``jobs`` kernels ``cores // jobs`` threads (at least
one), and under pytest-xdist the workers (and every kernel and process they start) share the cores
the same way (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path

import book_notebooks
import pytest
from book_notebooks import THREAD_SETTINGS, IPCKernelManager, execute, run_many, threads_per_kernel

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

# Run inside a kernel: how its five channels are reached. (ipykernel also opens one TCP socket of its own,
# for output from subprocesses, bound by ZeroMQ to a random port with retries: no port is picked for it
# in advance, so nothing can take it in between.)
PROBE = """\
import json, os, stat
from ipykernel.connect import get_connection_file
info = json.load(open(get_connection_file()))
channels = [info["ip"] + "-" + str(info[k]) for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
sockets = sum(os.path.exists(c) and stat.S_ISSOCK(os.stat(c).st_mode) for c in channels)
print(json.dumps({"transport": info["transport"], "unix_sockets": int(sockets), "pid": os.getpid(), "ip": info["ip"]}))
"""

MYST_PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Page {n}

```{{code-cell}} ipython3
{probe}
```
"""


def _probe_file(folder: Path, n: int, probe: str = PROBE) -> Path:
    path = folder / f"probe_{n}.py"
    path.write_text("# %%\n" + probe, encoding="utf-8")
    return path


def _report(notebook) -> dict:
    return json.loads(notebook.cells[0].outputs[0]["text"])


def test_the_runner_s_kernel_listens_on_unix_sockets_only(tmp_path):
    report = _report(execute(_probe_file(tmp_path, 0)))
    assert report == {"transport": "ipc", "unix_sockets": 5, "pid": report["pid"], "ip": report["ip"]}
    assert IPCKernelManager().transport == "ipc"
    assert Path(report["ip"]).parent.name.startswith("nonlinear-kernel-"), report["ip"]
    # This kernel's own folder (other kernels of a parallel test run may be alive in theirs).
    assert not Path(report["ip"]).parent.exists(), (
        f"the kernel's socket folder {Path(report['ip']).parent} was left behind"
    )


def _mini_book(folder: Path, pages: int) -> None:
    """A book of ``pages`` MyST pages, each printing how its kernel talks, built with the book's extension."""
    (folder / "_config.yml").write_text(
        "title: Kernel stress test\n"
        "execute:\n  execute_notebooks: force\n  stderr_output: warn\n"
        "sphinx:\n  local_extensions:\n"
        f"    parallel_execution: {ROOT / '_ext'}\n",
        encoding="utf-8",
    )
    names = [f"page_{n}" for n in range(pages)]
    toc = "format: jb-book\nroot: page_0\nchapters:\n" + "".join(f"- file: {name}\n" for name in names[1:])
    (folder / "_toc.yml").write_text(toc, encoding="utf-8")
    for n, name in enumerate(names):
        (folder / f"{name}.md").write_text(MYST_PAGE.format(n=n, probe=PROBE), encoding="utf-8")


def _churn_tcp_ports(stop: threading.Event, counter: list[int]) -> None:
    """Open and close connections to a local listener: each one takes an ephemeral port for a moment."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    address = server.getsockname()
    try:
        while not stop.is_set():
            client = socket.create_connection(address)
            accepted, _ = server.accept()
            client.close()
            accepted.close()
            counter[0] += 1
            time.sleep(0.002)  # leave the CPU to the kernels
    finally:
        server.close()


def test_many_kernels_at_once_while_a_book_builds(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    _mini_book(book, pages=3)
    probes = [_probe_file(tmp_path, n) for n in range(8)]

    stop, churned = threading.Event(), [0]
    churn = threading.Thread(target=_churn_tcp_ports, args=(stop, churned), daemon=True)
    churn.start()
    env = {**os.environ, "NONLINEAR_JOBS": "3"}
    command = [
        str(JUPYTER_BOOK),
        "build",
        str(book),
        "-W",
        "-n",
        "--keep-going",
        "--path-output",
        str(tmp_path / "out"),
    ]
    build = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        runs = list(run_many(probes, jobs=4))  # four kernels starting at once, beside the build's three
        log, _ = build.communicate(timeout=600)
    finally:
        stop.set()
        churn.join()
        if build.poll() is None:
            build.kill()

    failures = [run.failure for run in runs if run.failure]
    assert not failures, "\n\n".join(failures)
    reports = [_report(run.notebook) for run in runs]
    assert all(r["transport"] == "ipc" and r["unix_sockets"] == 5 for r in reports), reports
    assert len({r["pid"] for r in reports}) == len(probes), "each page must get a kernel of its own"

    assert build.returncode == 0, log[-4000:]
    executed = json.loads((tmp_path / "out" / "_build" / "execution.json").read_text())
    assert executed["jobs"] == 3 and len(executed["pages"]) == 3, executed
    assert not [p for p in executed["pages"].values() if p["failure"]], executed
    for n in range(3):
        html = (tmp_path / "out" / "_build" / "html" / f"page_{n}.html").read_text(encoding="utf-8")
        assert '"transport": "ipc", "unix_sockets": 5' in unescape(html), f"page_{n} shows no IPC kernel"
    assert "Executing notebook using" not in log, "MyST-NB executed a page itself instead of using the runner"
    assert churned[0] > 50, f"only {churned[0]} TCP connections were churned beside the kernels"


def test_a_page_myst_nb_runs_itself_gets_an_ipc_kernel_too():
    """If MyST-NB executes a page itself (it changed on disk during the build), the extension's patch applies."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    sys.path.insert(0, str(ROOT / "_ext"))
    import parallel_execution

    parallel_execution._ipc_kernels_for_mystnb()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    result = single_nb_execution(nb, cwd=str(ROOT), timeout=60, allow_errors=False)
    assert result.err is None, result.exc_string
    report = _report(nb)
    assert report["transport"] == "ipc" and report["unix_sockets"] == 5, report


# --- threads ---------------------------------------------------------------------------------------------

# Run inside a kernel: the thread count of every thread pool loaded (OpenBLAS, torch's OpenMP) and torch's own.
THREADS_PROBE = """\
import json, os
import numpy, torch, threadpoolctl
numpy.ones((64, 64)) @ numpy.ones((64, 64))
pools = sorted({pool["num_threads"] for pool in threadpoolctl.threadpool_info()})
print(json.dumps({"pools": pools, "torch": torch.get_num_threads(), "omp": os.environ.get("OMP_NUM_THREADS")}))
"""


def test_a_kernel_runs_with_the_threads_it_is_given(tmp_path):
    assert _report(execute(_probe_file(tmp_path, 0, THREADS_PROBE), threads=1)) == {
        "pools": [1],
        "torch": 1,
        "omp": "1",
    }


def test_without_a_thread_count_the_kernel_keeps_this_process_s_settings(tmp_path, monkeypatch):
    for name in THREAD_SETTINGS:
        monkeypatch.setenv(name, "3")  # more than this machine's cores: OpenBLAS and torch stop at those
    assert _report(execute(_probe_file(tmp_path, 0, THREADS_PROBE)))["omp"] == "3"


def test_pages_run_at_once_share_the_cores(tmp_path):
    runs = list(run_many([_probe_file(tmp_path, n, THREADS_PROBE) for n in range(2)], jobs=2))
    assert [run.failure for run in runs] == [None, None]
    share = threads_per_kernel(2)
    assert [_report(run.notebook) for run in runs] == [{"pools": [share], "torch": share, "omp": str(share)}] * 2


@pytest.mark.parametrize("cores, jobs, threads", [(2, 2, 1), (2, 1, 2), (8, 2, 4), (8, 3, 2), (4, 16, 1)])
def test_threads_per_kernel_shares_the_usable_cores(monkeypatch, cores, jobs, threads):
    monkeypatch.setattr(book_notebooks, "usable_cores", lambda: cores)
    assert threads_per_kernel(jobs) == threads


def test_pytest_xdist_workers_share_the_cores_too():
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if not workers:
        pytest.skip("not run under pytest-xdist (make test runs it so)")
    assert {os.environ.get(name) for name in THREAD_SETTINGS} == {str(threads_per_kernel(int(workers)))}
