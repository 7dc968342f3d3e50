"""Shared pytest set-up for the whole suite (markers are declared in pyproject.toml)."""

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# The notebook runner lives in scripts/ (the benchmark uses it too); make it importable.
sys.path.insert(0, str(ROOT / "scripts"))

from book_notebooks import THREAD_SETTINGS, threads_per_kernel  # noqa: E402  (found through the line above)

# Under pytest-xdist the workers share the cores out, and so do the kernels and processes they start:
# with one thread per core each, two workers' matrix products fight over the same cores. Set before
# numpy or torch loads; a value set by whoever runs the suite is kept.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    for _name in THREAD_SETTINGS:
        os.environ.setdefault(_name, str(threads_per_kernel(int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))))

# Property tests: no per-example deadline (a 2-core CI box is slow and noisy) and
# derandomised, so a run is reproducible and CI never flakes on a new random seed.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def book_build(testrun_uid) -> dict:
    """The strict build of the current inputs (scripts/build_book.py): reused if ``make book`` made it.

    Built at most once per run, whatever the number of pytest-xdist workers (a file
    lock); the pages run several at a time inside it. The record holds the exit code,
    the log and each page's execution (seconds, failure). ``NONLINEAR_SITE=<html
    folder>`` tests a site built already instead (the benchmark times the browser
    tests so).
    """
    prebuilt = os.environ.get("NONLINEAR_SITE")
    if prebuilt:
        assert (Path(prebuilt) / "index.html").is_file(), f"NONLINEAR_SITE={prebuilt} holds no built site"
        return {"returncode": 0, "html": prebuilt, "log": None, "log_tail": "", "execution": None, "reused": True}
    from build_book import ensure_built

    return ensure_built(quiet=True, run_id=testrun_uid)


@pytest.fixture(scope="session")
def html_dir(book_build) -> Path:
    """The built site. If the build failed, a test that needs it is skipped: the failure is reported
    once, by tests/test_book.py::test_the_book_builds_strictly, with the build's log."""
    if book_build["returncode"] != 0:
        pytest.skip(
            f"the strict book build failed (exit code {book_build['returncode']}): "
            f"see tests/test_book.py::test_the_book_builds_strictly and {book_build['log']}"
        )
    return Path(book_build["html"])
