"""Shared pytest set-up for the whole suite (markers are declared in pyproject.toml)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# The notebook runner lives in scripts/ (the benchmark uses it too); make it importable.
sys.path.insert(0, str(ROOT / "scripts"))

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


JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


@pytest.fixture(scope="session")
def html_dir(tmp_path_factory, worker_id) -> Path:
    """The whole book, built strictly once per test run, shared by every pytest-xdist worker.

    The first worker to get here builds it (under a file lock); the others wait and
    reuse it. Slow: every chapter and lab executes. ``NONLINEAR_SITE=<html folder>``
    tests a site built already instead (the benchmark times the browser tests so).
    """
    prebuilt = os.environ.get("NONLINEAR_SITE")
    if prebuilt:
        assert (Path(prebuilt) / "index.html").is_file(), f"NONLINEAR_SITE={prebuilt} holds no built site"
        return Path(prebuilt)
    base = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        base = base.parent  # the folder that all workers' temp folders share
    out = base / "book"
    result_file = base / "book-build.json"
    with FileLock(str(base / "book-build.lock")):
        if not result_file.exists():
            command = [str(JUPYTER_BOOK), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(out)]
            start = time.perf_counter()
            done = subprocess.run(command, check=False, capture_output=True, text=True)
            result = {
                "returncode": done.returncode,
                "seconds": round(time.perf_counter() - start, 1),
                "log": (done.stdout + done.stderr)[-8000:],
            }
            result_file.write_text(json.dumps(result), encoding="utf-8")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert result["returncode"] == 0, f"the strict build failed:\n{result['log']}"
    return out / "_build" / "html"
