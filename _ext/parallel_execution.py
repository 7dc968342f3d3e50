"""Execute the book's pages several at a time, fresh at every build.

MyST-NB's ``force`` mode executes each page when Sphinx reads it, one after
another, and only the pages Sphinx thinks changed (a page whose text is the same
keeps outputs computed from older code in ``nonlinear/``). This extension, when
``_config.yml`` says ``execute_notebooks: force``:

1. makes Sphinx re-read every notebook page at every build (so every page is
   executed, whatever changed);
2. before reading, executes those pages with the project's runner
   (``scripts/book_notebooks.py``: Unix-socket kernels, never TCP), ``NONLINEAR_JOBS``
   at a time (default: the usable cores), longest first;
3. hands the executed notebooks to MyST-NB through a jupyter-cache that lives
   only for this build (created empty, filled here, deleted when the build ends), so
   MyST-NB renders exactly these outputs and starts no kernel of its own;
4. reports a page that failed as a warning naming the page, the cell and the
   error (the strict build fails on it), and writes ``execution.json`` beside the
   output folder: seconds and failure per page, which the tests read; the executed
   notebooks go to ``executed/<page>.ipynb`` there (MyST-NB's own copies in
   ``jupyter_execute/`` hold no outputs when they come from a cache).

Stderr output is left to MyST-NB, which warns about it when it renders the page.
Should MyST-NB still execute a page itself (its text changed on disk between the two
readings), that kernel talks over Unix sockets too.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import nbformat
from sphinx.application import Sphinx
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

import book_notebooks  # noqa: E402  (scripts/ is put on the path just above)

logger = logging.getLogger(__name__)
RESULTS_FILE = "execution.json"


def _cache_path(app: Sphinx) -> Path:
    return Path(app.doctreedir).parent / ".execution_cache"


def _take_over_execution(app: Sphinx, config) -> None:
    """In ``force`` mode, let MyST-NB read outputs from this build's own cache, which we fill."""
    app.nonlinear_parallel = config.nb_execution_mode == "force"
    if not app.nonlinear_parallel:
        return
    cache = _cache_path(app)
    shutil.rmtree(cache, ignore_errors=True)
    config.nb_execution_mode = "cache"
    config.nb_execution_cache_path = str(cache)
    app.nonlinear_executed = set()  # docnames executed in this build (a one-page build reads twice)


def _notebook_of(env, docname: str):
    """(path, notebook) as MyST-NB reads the page, or None for a page that is not a notebook."""
    from myst_nb.core.read import create_nb_reader

    path = Path(env.doc2path(docname))
    content = path.read_text(encoding="utf-8")
    reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, content)
    return None if reader is None else (path, reader.read(content))


def _every_notebook_is_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    if not getattr(app, "nonlinear_parallel", False):
        return []
    others = env.found_docs - added - changed - removed - app.nonlinear_executed
    return sorted(d for d in others if _notebook_of(env, d) is not None)


def _execute_in_parallel(app: Sphinx, env, docnames: list[str]) -> None:
    if not getattr(app, "nonlinear_parallel", False):
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    pages = {}
    for docname in docnames:
        if docname in app.nonlinear_executed:
            continue  # its outputs are in this build's cache already
        app.nonlinear_executed.add(docname)
        found = _notebook_of(env, docname)
        if found is not None:
            pages[found[0]] = (docname, found[1])
    if not pages:
        return
    jobs = book_notebooks.default_jobs()
    logger.info(f"executing {len(pages)} pages, {jobs} at a time")
    cache = get_cache(str(_cache_path(app)))
    results = {}
    start = time.perf_counter()
    notebooks = {path: notebook for path, (_, notebook) in pages.items()}
    for run in book_notebooks.run_many(list(pages), jobs=jobs, notebooks=notebooks, check_stderr=False):
        path = next(p for p in pages if book_notebooks.label(p) == run.label)
        docname, original = pages[path]
        executed = run.notebook if run.notebook is not None else original
        failure = run.failure
        if failure is None:
            try:
                book_notebooks.check_no_stderr(path, executed)
            except book_notebooks.NotebookFailure as stderr:
                failure = str(stderr)  # recorded for the tests; MyST-NB itself warns when it renders the page
        else:
            logger.warning(f"executing the page failed: {run.failure}", location=docname)
        results[run.label] = {"seconds": round(run.seconds, 2), "failure": failure}
        logger.info(f"executed {run.label} in {run.seconds:.1f} s" + (" (FAILED)" if run.failure else ""))
        # Cached even when it failed (with the outputs up to the error), so MyST-NB never runs it again.
        saved = Path(app.outdir).parent / "executed" / f"{docname}.ipynb"
        saved.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, saved)
        bundle = CacheBundleIn(executed, str(path), data={"execution_seconds": run.seconds})
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        try:
            cache.match_cache_notebook(original)
        except KeyError:  # MyST-NB would not find it, and would execute the page again itself
            logger.warning(f"{run.label}: the executed notebook does not match the page as MyST-NB reads it")
    wall = time.perf_counter() - start
    logger.info(f"executed {len(pages)} pages in {wall:.0f} s with {jobs} at a time")
    record = {"jobs": jobs, "seconds": round(wall, 1), "pages": results}
    (Path(app.outdir).parent / RESULTS_FILE).write_text(json.dumps(record, indent=1), encoding="utf-8")


def _drop_cache(app: Sphinx, exception) -> None:
    if getattr(app, "nonlinear_parallel", False):
        shutil.rmtree(_cache_path(app), ignore_errors=True)


def _ipc_kernels_for_mystnb() -> None:
    """MyST-NB executes through jupyter-cache's ``executenb`` (nbclient); give it the IPC kernel manager."""
    from jupyter_cache.executors import utils

    if getattr(utils.executenb, "nonlinear_ipc", False):
        return
    original = utils.executenb

    def executenb(nb, **kwargs):
        kwargs.setdefault("kernel_manager_class", book_notebooks.IPCKernelManager)
        logger.info("MyST-NB executes a page itself (it changed during the build?), in an IPC kernel")
        return original(nb, **kwargs)

    executenb.nonlinear_ipc = True
    utils.executenb = executenb


def setup(app: Sphinx) -> dict:
    _ipc_kernels_for_mystnb()
    app.connect("config-inited", _take_over_execution)
    app.connect("env-get-outdated", _every_notebook_is_outdated)
    app.connect("env-before-read-docs", _execute_in_parallel)
    app.connect("build-finished", _drop_cache)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
