"""Kernels that run at the same time share the cores out instead of each taking all of them.

With one thread per core in each of two kernels on two cores, numpy's BLAS and torch's thread
pools fight over the cores: every page of the book, two at a time, took a fifth longer, with the same outputs.
``run_many`` gives each of its ``jobs`` kernels ``cores // jobs`` threads (at least one), and under
pytest-xdist the workers (and every kernel and process they start) share the cores the same way
(tests/conftest.py).
"""

from __future__ import annotations

import json
import os

import book_notebooks
import pytest
from book_notebooks import THREAD_SETTINGS, execute, run_many, threads_per_kernel

# Run inside a kernel: the thread count of every thread pool loaded (OpenBLAS, torch's OpenMP) and torch's own.
PROBE = """\
import json, os
import numpy, torch, threadpoolctl
numpy.ones((64, 64)) @ numpy.ones((64, 64))
pools = sorted({pool["num_threads"] for pool in threadpoolctl.threadpool_info()})
print(json.dumps({"pools": pools, "torch": torch.get_num_threads(), "omp": os.environ.get("OMP_NUM_THREADS")}))
"""


def _probe(folder, n: int = 0):
    path = folder / f"threads_{n}.py"
    path.write_text("# %%\n" + PROBE, encoding="utf-8")
    return path


def _report(notebook) -> dict:
    return json.loads(notebook.cells[0].outputs[0]["text"])


def test_a_kernel_runs_with_the_threads_it_is_given(tmp_path):
    assert _report(execute(_probe(tmp_path), threads=1)) == {"pools": [1], "torch": 1, "omp": "1"}


def test_without_a_thread_count_the_kernel_keeps_this_process_s_settings(tmp_path, monkeypatch):
    for name in THREAD_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    report = _report(execute(_probe(tmp_path)))
    assert report["omp"] is None, report
    cores = book_notebooks.usable_cores()
    assert report["torch"] >= 1 and max(report["pools"]) <= max(cores, os.cpu_count() or 1), report


def test_pages_run_at_once_share_the_cores(tmp_path):
    runs = list(run_many([_probe(tmp_path, n) for n in range(2)], jobs=2))
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
