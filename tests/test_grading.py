"""Grading a course: a graded variant, a folder of submissions into one CSV, and the guide's commands.

- ``python scripts/make_labs.py <lab> --variant SEED --out DIR`` builds a variant whose hidden tests
  use other cases than the published ones (the public tests and the student notebook stay the same),
  and the variant still gives a correct answer full marks;
- ``python scripts/grade_labs.py BUNDLE FOLDER --csv FILE`` grades a full, a partial and an empty
  submission (and a file that is not a notebook) and writes one row per student and exercise;
- every command of the instructor guide's shell blocks is one these tests (or tests/test_labs.py,
  tests/test_grading_env.py) run.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import make_labs
import nbformat
import pytest
import test_labs as labs

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "chapters" / "instructor_guide.md"
LAB = "lab04_good_activation"  # the quickest lab to grade
MASTER = make_labs.MASTERS / f"{LAB}.ipynb"


def _run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *command], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _hidden_sources(bundle: Path) -> dict[str, str]:
    with zipfile.ZipFile(bundle) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("tests/")}


@pytest.fixture(scope="module")
def variant(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("variant")
    _run("scripts/make_labs.py", LAB[:5], "--variant", "7", "--out", str(out))
    return out / LAB / "autograder" / f"{LAB}-autograder.zip"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    return make_labs.assign(MASTER, out) / "autograder" / f"{LAB}-autograder.zip"


def test_a_variant_changes_the_hidden_cases_only(variant, published):
    mine, theirs = _hidden_sources(variant), _hidden_sources(published)
    assert set(mine) == set(theirs)
    for name, text in mine.items():
        public_mine = text.split("@test_case(points=None, hidden=True)")[0]
        public_theirs = theirs[name].split("@test_case(points=None, hidden=True)")[0]
        assert public_mine == public_theirs, f"{name}: the public test changed"
        assert text != theirs[name], f"{name}: the variant's hidden test is the published one"
    student = variant.parents[1] / "student" / f"{LAB}.ipynb"
    assert make_labs.student_text(variant.parents[1]) == (ROOT / "notebooks" / f"{LAB}.ipynb").read_text(
        encoding="utf-8"
    )
    assert student.exists()


def test_folder_grading_writes_one_csv_with_full_partial_and_empty_scores(variant, tmp_path):
    stated = labs.points(MASTER)
    answers = labs.correct_answers(MASTER)
    folder = tmp_path / "submissions"
    labs.submission(MASTER, answers, folder / "ada")
    half = dict(list(answers.items())[:2])
    labs.submission(MASTER, half, folder / "grace")
    (folder / "linus.ipynb").write_bytes((ROOT / "notebooks" / f"{LAB}.ipynb").read_bytes())
    (folder / "broken.ipynb").write_text("this is not a notebook", encoding="utf-8")
    grades = tmp_path / "grades.csv"
    done = _run("scripts/grade_labs.py", str(variant), str(folder), "--csv", str(grades))
    assert "4 submissions graded" in done.stdout
    rows = list(csv.DictReader(grades.open(encoding="utf-8")))
    total = sum(stated.values())
    by = {(r["student"], r["exercise"]): r for r in rows}
    for exercise, value in stated.items():
        assert float(by["ada", exercise]["points"]) == value
        assert float(by["grace", exercise]["points"]) == (value if exercise in half else 0)
        assert float(by["linus", exercise]["points"]) == 0
        assert float(by["ada", exercise]["max_points"]) == value
    assert float(by["ada", next(iter(stated))]["total"]) == total
    assert float(by["grace", next(iter(stated))]["total"]) == sum(stated[q] for q in half)
    assert by["broken", "ERROR"]["note"], "the reason an ungradable file got no score"


def _guide_commands() -> list[str]:
    """Every command line of the guide's bash blocks (comments dropped, continuation lines joined)."""
    text = GUIDE.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
        for line in block.splitlines():
            line = line.split(" #")[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


# Each command of the guide, as a pattern, and the test that runs it.
EXERCISED = {
    r"python scripts/make_labs.py": "test_labs.py (make_labs.make through assign)",
    r"python scripts/make_labs.py lab\d\d": "this file's fixtures (make_labs.assign of one lab)",
    r"python scripts/make_labs.py --check": "test_labs.py::test_make_labs_check_passes",
    r"python scripts/make_labs.py lab\d\d --variant \d+( --out \S+)?": "test_a_variant_changes_the_hidden_cases_only",
    r"python scripts/grade_labs.py \S+\.zip \S+/? --csv \S+\.csv": "test_folder_grading_writes_one_csv_...",
    r"otter run -a \S+\.zip -o \S+ \S+\.ipynb": "test_labs.py::test_autograder_grades_full_partial_and_empty_submissions",
    r"ZIP=\S+": "(a shell variable)",
    r"python -m venv \S+": "test_grading_env.py",
    r"cd \S+ && \S+/bin/pip install -r requirements\.txt": "test_grading_env.py",
    r"unzip \S+\.zip -d \S+": "test_grading_env.py",
}


def test_every_command_of_the_guide_is_exercised():
    commands = _guide_commands()
    assert any("grade_labs.py" in c for c in commands) and any("--variant" in c for c in commands)
    unknown = [c for c in commands if not any(re.fullmatch(p, c) for p in EXERCISED)]
    assert unknown == [], f"commands in the guide that no test runs: {unknown}"


def test_only_the_lab_that_runs_torch_declares_it():
    """CPU torch is declared exactly where a cell the autograder executes imports it (lab 6's comparison)."""
    import nbformat

    for master in make_labs.masters():
        notebook = nbformat.read(master, as_version=4)
        declared = make_labs.autograder_requirements(notebook, "nonlinear-0.1.0-py3-none-any.whl")
        has_torch = any(line.startswith("torch==") for line in declared.splitlines())
        assert has_torch == make_labs.needs_torch(notebook), master.name
        if has_torch:
            assert "download.pytorch.org/whl/cpu" in declared, "torch from the CPU index"


def test_reading_a_notebook_does_not_build_the_iri_parsers():
    """jsonschema 4.25+ imports rfc3987-syntax, which compiles 38 Lark parsers on import (about 2 s in
    every process that imports nbformat: 5 s of each 8 s ``otter run``, and the first ``grader.check``
    of a lab). requirements.txt pins a jsonschema that does not, and so do Binder and the autograder."""
    code = "import sys, otter, nbformat; print(sorted(m for m in sys.modules if m.startswith(('rfc3987', 'lark'))))"
    done = _run("-c", code)
    assert done.stdout.strip() == "[]", f"importing otter loaded {done.stdout.strip()}"
    pin = make_labs.requirement("jsonschema")
    declared = make_labs.autograder_requirements(nbformat.read(MASTER, as_version=4), "nonlinear.whl").splitlines()
    assert pin in declared, f"the autograder's requirements do not pin {pin}"
    assert pin in (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
