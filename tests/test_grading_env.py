"""The autograder bundle grades in the environment it declares, installed afresh (no Docker, no conda).

The bundle's ``requirements.txt`` (the pip part of its ``environment.yml``: otter-grader, the pinned
run-time packages the lab imports, the helper package as a wheel inside the bundle) is installed into
a new virtual environment, exactly as the instructor guide says; then ``otter run`` from that
environment grades a full-marks, a partial and an empty submission. Nothing of this repository's
environment is visible there, so an import the bundle forgot to declare fails the test.

Slow (a fresh install of otter and the scientific stack, about a minute with a warm pip cache): marked
``binder`` like the other fresh-environment tests; ``make test-binder`` runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import make_labs
import pytest
import test_labs as labs

ROOT = Path(__file__).resolve().parents[1]
LAB = "lab04_good_activation"
MASTER = make_labs.MASTERS / f"{LAB}.ipynb"
LOCAL_WHEELS = Path("/opt/wheels")  # where this machine keeps torch's CPU wheel, if anywhere

pytestmark = pytest.mark.binder


def _env() -> dict[str, str]:
    """A clean environment: no PYTHONPATH or virtual environment of this repository leaks in."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    if LOCAL_WHEELS.is_dir():
        env["PIP_FIND_LINKS"] = str(LOCAL_WHEELS)
    return env


def _shell(command: str, cwd: Path, timeout: int = 1200) -> subprocess.CompletedProcess:
    done = subprocess.run(command, shell=True, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"$ {command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_bundle_grades_in_a_fresh_environment_made_from_its_own_declaration(tmp_path):
    bundle = make_labs.assign(MASTER, tmp_path / "build") / "autograder" / f"{LAB}-autograder.zip"
    with zipfile.ZipFile(bundle) as archive:
        declared = archive.read("requirements.txt").decode().split()
    assert any(line.startswith("otter-grader") for line in declared)
    assert any(line.startswith("files/nonlinear-") for line in declared), "the helper package is declared"
    assert not any(line.startswith("torch") for line in declared), "no cell of lab 4 needs torch"

    # the guide's commands, in a folder of their own
    work = tmp_path / "grading"
    work.mkdir()
    _shell(f"unzip -q {bundle} -d grader", work)
    _shell(f"{sys.executable} -m venv grader-env", work)
    _shell("../grader-env/bin/pip install --quiet -r requirements.txt", work / "grader")
    python = work / "grader-env" / "bin" / "python"
    found = _shell(f"{python} -c 'import nonlinear, sys; print(nonlinear.__file__)'", work).stdout
    assert "grader-env" in found, f"the helper package came from elsewhere: {found}"

    stated = labs.points(MASTER)
    answers = labs.correct_answers(MASTER)
    half = dict(list(answers.items())[:2])
    cases = {
        "full": (labs.submission(MASTER, answers, tmp_path / "full"), sum(stated.values())),
        "partial": (labs.submission(MASTER, half, tmp_path / "partial"), sum(stated[q] for q in half)),
        "empty": (ROOT / "notebooks" / f"{LAB}.ipynb", 0),
    }
    for name, (notebook, expected) in cases.items():
        out = tmp_path / f"out-{name}"
        out.mkdir()
        _shell(f"{python} -m otter run --no-logo -a {bundle} -o {out} {notebook}", out)
        results = json.loads((out / "results.json").read_text())
        score = sum(t["score"] for t in results["tests"] if t.get("score") is not None)
        assert score == expected, f"{name}: {score} points, expected {expected}"
