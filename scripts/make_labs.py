"""Make the labs: student notebooks and autograder bundles from the masters (the one documented command).

    python scripts/make_labs.py            # build every lab
    python scripts/make_labs.py lab03      # only the labs whose name starts with lab03
    python scripts/make_labs.py --check    # fail if notebooks/ is out of sync with the masters

For each master ``notebooks/masters/labNN_<topic>.ipynb`` (otter-grader's
assign format; the instructor guide, ``chapters/instructor_guide.md``, describes it) it runs ``otter assign``
into ``_build/labs/labNN_<topic>/`` (git-ignored) and then

- copies the student notebook (solutions replaced by stubs, hidden tests
  removed, public tests stored in its metadata) to ``notebooks/labNN_<topic>.ipynb``
  with outputs stripped: that is what the book lists and Binder opens;
- writes the student version's public tests (exactly those of its metadata,
  never a hidden one) as otter test files, one ``<question>.py`` each, to
  ``notebooks/colab_tests/labNN_<topic>/``, for Colab, where otter-grader
  refuses tests stored in the notebook and reads a ``./tests`` folder only.
  A file holds the metadata's test text as it is: otter assign renders a
  question's tests once and stores that text in the metadata or, with
  ``tests: files: true``, in ``tests/<question>.py``. The folder is not
  ``notebooks/tests``, so that locally and on Binder otter keeps reading the
  metadata;
- leaves the autograder bundle at
  ``_build/labs/labNN_<topic>/autograder/labNN_<topic>-autograder.zip``
  (all tests, hidden ones included: keep it private) next to the solutions
  notebook ``autograder/labNN_<topic>.ipynb``.

Grade a submission without Docker:
``otter run -a _build/labs/<lab>/autograder/<lab>-autograder.zip submission.ipynb``.

Before that it writes each lab's first cell, the same in the master and the
student notebook: on Colab only (``"google.colab" in sys.modules``), it installs
otter-grader (the pin of ``requirements.txt``) and the helper package from the
course repository, ``git+<repository.url>@<repository.branch>`` as set in
``_config.yml``, then shallow-clones that branch and copies the lab's Colab
test folder to ``./tests`` and the student notebook next to it (on Colab the
notebook being edited is not on the machine's disk, and ``otter.Notebook``
opens the file it is given); elsewhere it does nothing. Publishing under a new
address is therefore: edit ``repository`` in ``_config.yml``, run this script,
commit and push (Colab fetches the tests from the published branch).

``--check`` regenerates into a temporary folder and compares the student
notebooks with ``notebooks/``, the Colab test folders with
``notebooks/colab_tests/`` (a stale, missing or extra file fails), the public expected
values with ``notebooks/lab_data/`` (to the last bits a CPU's BLAS changes), and each
master's first cell with the one ``_config.yml`` gives; tests/test_labs.py runs it.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib.util
import io
import json
import math
import pprint
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import yaml
from otter.nbmeta_config import OK_FORMAT_VARNAME, NBMetadataConfig

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nonlinear.checks.core import dumps  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MASTERS = ROOT / "notebooks" / "masters"
STUDENT_DIR = ROOT / "notebooks"
# Public tests as files, one folder per lab, for otter on Colab (fetched into ./tests by the Colab cell),
# at this path in the repository.
COLAB_TESTS_PATH = "notebooks/colab_tests"
COLAB_TESTS = ROOT / COLAB_TESTS_PATH
BUILD = ROOT / "_build" / "labs"
VARIANTS = ROOT / "_build" / "variants"  # git-ignored; a graded variant is the instructor's private copy
# The references (the answers) and the cases of every exercise, kept with the masters, never in the package.
REFERENCES = MASTERS / "references"
# The public expected values of each lab, next to the student notebooks (the instant checks read them).
LAB_DATA_PATH = "notebooks/lab_data"
LAB_DATA = ROOT / LAB_DATA_PATH
# Where a hidden test of a master takes its cases: make_labs replaces the call by the cases themselves.
HIDDEN_MARKER = re.compile(r'HIDDEN_DATA\("(\w+)"\)')
# Run-time packages an autograder needs for every lab (what the labs and the helper package import).
PYTHON_VERSION = "3.11"  # the autograder's Python: binder/runtime.txt's, which the pins are tested on
# jsonschema: what otter validates notebooks with, pinned so that its import stays quick (requirements.txt)
AUTOGRADER_PINS = ("numpy", "scipy", "matplotlib", "scikit-learn", "pandas", "tqdm", "jsonschema")
CONFIG = ROOT / "_config.yml"
REQUIREMENTS = ROOT / "requirements.txt"

# The first line of every lab's Colab cell: how the script finds the cell it owns.
COLAB_MARKER = "# On Colab only:"


def repository(config: Path | None = None) -> tuple[str, str]:
    """``(repository.url, repository.branch)`` of the book's _config.yml (the one setting for both)."""
    config = config or CONFIG
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    repo = settings.get("repository") or {}
    url, branch = str(repo.get("url") or "").strip(), str(repo.get("branch") or "").strip()
    if not url or not branch:
        raise SystemExit(
            f"{config.name} must set repository.url and repository.branch (the labs' Colab cell uses them)"
        )
    return url.rstrip("/"), branch


def requirement(name: str, requirements: Path | None = None) -> str:
    """The pinned line ``name==version`` of requirements.txt."""
    requirements = requirements or REQUIREMENTS
    found = re.search(rf"^{re.escape(name)}==\S+", requirements.read_text(encoding="utf-8"), flags=re.MULTILINE)
    if not found:
        raise SystemExit(f"{requirements.name} pins no {name}==<version> (the labs' Colab cell installs it)")
    return found.group(0)


def colab_source(url: str, branch: str, otter: str, lab: str) -> str:
    """The source of the first cell of lab ``lab``: installs what a lab needs and fetches its tests, on Colab only."""
    clone = ".course"  # in the working folder (/content on Colab); removed once copied from
    tests = f"{clone}/{COLAB_TESTS_PATH}/{lab}"
    notebook = f"{clone}/notebooks/{lab}.ipynb"  # STUDENT_DIR
    data = f"{clone}/{LAB_DATA_PATH}/{lab}.json"
    return (
        f"{COLAB_MARKER} install otter-grader and the course's helper package from its repository,\n"
        "# then fetch this lab's tests into tests/ (otter on Colab reads them from there), the expected values\n"
        "# of its checks into lab_data/, and a copy of this notebook, which otter opens for its settings\n"
        "# (your work stays in the notebook you edit).\n"
        "# Elsewhere (Binder, your own computer) all of this is in place already and this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "{otter}" "git+{url}@{branch}"\n'
        f"    !rm -rf {clone} tests && git clone --quiet --depth 1 --branch {branch} {url} {clone}\n"
        f"    !cp -r {tests} tests\n"
        f"    !mkdir -p lab_data && cp {data} lab_data/\n"
        f"    !cp {notebook} . && rm -rf {clone}\n"
    )


def expected_colab_source(lab: str) -> str:
    """The Colab cell of lab ``lab`` (a master's stem) as _config.yml and requirements.txt make it now."""
    return colab_source(*repository(), requirement("otter-grader"), lab)


def is_colab_cell(cell) -> bool:
    return cell.cell_type == "code" and cell.source.startswith(COLAB_MARKER)


def with_colab_cell(notebook: nbformat.NotebookNode, source: str, cell_id: str) -> nbformat.NotebookNode:
    """The notebook with exactly one Colab cell, first, holding ``source`` (an older one is replaced)."""
    old = [cell for cell in notebook.cells if is_colab_cell(cell)]
    cell = old[0] if old else nbformat.v4.new_code_cell(id=cell_id)
    cell.source = source
    cell.outputs, cell.execution_count = [], None
    notebook.cells = [cell] + [c for c in notebook.cells if not is_colab_cell(c)]
    return notebook


def has_colab_cell(notebook: nbformat.NotebookNode, source: str) -> bool:
    """True when the notebook's first cell is its only Colab cell and holds ``source``."""
    cells = notebook.cells
    return bool(cells) and is_colab_cell(cells[0]) and cells[0].source == source and sum(map(is_colab_cell, cells)) == 1


def refresh_master(master: Path, source: str) -> bool:
    """Write the Colab cell into the master if it is missing or out of date; True if the file changed."""
    notebook = nbformat.read(master, as_version=4)
    if has_colab_cell(notebook, source):
        return False
    notebook = with_colab_cell(notebook, source, f"{master.stem[:5]}-colab")
    master.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return True


def masters(prefix: str = "") -> list[Path]:
    """Every master notebook, sorted by name (optionally only names starting with ``prefix``)."""
    return sorted(p for p in MASTERS.glob("lab*.ipynb") if p.name.startswith(prefix))


def lab_data(stem: str, variant: int | None = None) -> dict:
    """Exercise -> {"public": ..., "hidden": ...} expected values from the lab's references module."""
    module_path = REFERENCES / f"{stem[:5]}.py"
    if not module_path.is_file():
        raise SystemExit(f"no references for {stem}: expected {shown(module_path)}")
    if str(REFERENCES) not in sys.path:
        sys.path.insert(0, str(REFERENCES))
    spec = importlib.util.spec_from_file_location(f"references_{stem[:5]}", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.data(variant)


def public_data_text(data: dict) -> str:
    """The lab_data/<lab>.json text: every exercise's public expected values."""
    return dumps({exercise: parts["public"] for exercise, parts in sorted(data.items())}) + "\n"


def with_hidden_data(source: str, data: dict) -> str:
    """A hidden test's source with each ``HIDDEN_DATA("exN_M")`` replaced by that exercise's hidden cases."""

    def literal(match: re.Match) -> str:
        exercise = match.group(1)
        if exercise not in data:
            raise SystemExit(f"HIDDEN_DATA({exercise!r}): the references have no exercise of that name")
        return repr(dumps(data[exercise]["hidden"]))

    return HIDDEN_MARKER.sub(literal, source)


_WHEEL: dict[str, Path] = {}


def helper_wheel() -> Path:
    """A wheel of the helper package built from this working tree (once per run), for the autograder.

    Built from a copy of pyproject.toml and nonlinear/ in a temporary folder: nothing is written into
    the repository, and parallel builds (the test suite's workers) cannot collide.
    """
    if "wheel" not in _WHEEL or not _WHEEL["wheel"].exists():
        work = Path(tempfile.mkdtemp(prefix="nonlinear-wheel-"))
        atexit.register(shutil.rmtree, work, True)
        source, out = work / "source", work / "dist"
        source.mkdir()
        shutil.copy(ROOT / "pyproject.toml", source)
        shutil.copytree(ROOT / "nonlinear", source / "nonlinear", ignore=shutil.ignore_patterns("__pycache__"))
        command = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        wheels = list(out.glob("nonlinear-*.whl"))
        if done.returncode != 0 or len(wheels) != 1:
            raise SystemExit(f"could not build the helper package's wheel:\n{done.stdout}\n{done.stderr}")
        _WHEEL["wheel"] = wheels[0]
    return _WHEEL["wheel"]


def needs_torch(notebook: nbformat.NotebookNode) -> bool:
    """True when a cell the autograder executes (not a test) imports torch."""
    return any(
        c.cell_type == "code" and re.search(r"^\s*(import|from) torch\b", c.source, flags=re.MULTILINE)
        for c in notebook.cells
    )


def autograder_requirements(notebook: nbformat.NotebookNode, wheel_name: str) -> str:
    """The autograder's pip requirements: the pinned run-time packages the lab imports, CPU torch only when a
    cell needs it, and the helper package's wheel (shipped in the bundle's files/)."""
    pins = [requirement(name) for name in AUTOGRADER_PINS]
    if needs_torch(notebook):
        pins += ["--extra-index-url https://download.pytorch.org/whl/cpu", requirement("torch")]
    return "\n".join([*pins, f"files/{wheel_name}"]) + "\n"


def stage(master: Path, folder: Path, variant: int | None = None) -> Path:
    """Copy ``master`` into ``folder`` ready for otter assign: hidden cases filled in, the lab's public
    expected values in lab_data/, the helper package's wheel and the autograder's requirements beside it."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "lab_data").mkdir(parents=True)
    data = lab_data(master.stem, variant)
    notebook = nbformat.read(master, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and HIDDEN_MARKER.search(cell.source):
            cell.source = with_hidden_data(cell.source, data)
    (folder / "lab_data" / f"{master.stem}.json").write_text(public_data_text(data), encoding="utf-8")
    wheel = helper_wheel()
    shutil.copy(wheel, folder / wheel.name)
    (folder / "requirements.txt").write_text(autograder_requirements(notebook, wheel.name), encoding="utf-8")
    config = [c for c in notebook.cells if c.cell_type == "raw" and c.source.startswith("# ASSIGNMENT CONFIG")]
    if len(config) != 1:
        raise SystemExit(f"{master.name}: expected one ASSIGNMENT CONFIG cell")
    config[0].source = config[0].source.rstrip("\n") + (
        f"\nfiles:\n  - lab_data/{master.stem}.json\nautograder_files:\n  - {wheel.name}\n"
        f'requirements: requirements.txt\npython_version: "{PYTHON_VERSION}"\n'
    )
    staged = folder / master.name
    staged.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return staged


def otter_assign(staged: Path, out: Path) -> None:
    """``otter assign --no-pdfs --no-run-tests staged out``, run in this process: otter's import
    is paid once per process instead of once per lab (the command line does the same)."""
    from otter.assign import main as assign_main

    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            assign_main(str(staged), str(out), no_pdfs=True, no_run_tests=True)
    except Exception as error:
        raise SystemExit(f"otter assign failed for {staged.name}: {error!r}\n{said.getvalue()}") from error


def assign(master: Path, build: Path, variant: int | None = None) -> Path:
    """Stage one master and run ``otter assign`` on it into ``build/<lab>``; return that folder."""
    out = build / master.stem
    if out.exists():
        shutil.rmtree(out)
    staged = stage(master, build / f"{master.stem}.staged", variant)
    otter_assign(staged, out)
    zips = list((out / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise SystemExit(f"expected one autograder zip for {master.name}, found {zips}")
    bundle = out / "autograder" / f"{master.stem}-autograder.zip"
    zips[0].rename(bundle)
    add_pip_requirements(bundle)
    return out


def add_pip_requirements(bundle: Path) -> None:
    """Add ``requirements.txt`` to the bundle: the pip part of its environment.yml (otter and the lab's
    packages), so that the grading environment can also be made with a plain venv and pip (no conda)."""
    with zipfile.ZipFile(bundle) as archive:
        environment = yaml.safe_load(archive.read("environment.yml"))
        names = archive.namelist()
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict) and "pip" in d)
    if "requirements.txt" not in names:
        with zipfile.ZipFile(bundle, "a") as archive:
            archive.writestr("requirements.txt", "\n".join(pip) + "\n")


def staged_master(build_dir: Path) -> Path:
    """The staged master of a built lab (hidden cases filled in): the notebook that runs every test."""
    return build_dir.parent / f"{build_dir.name}.staged" / f"{build_dir.name}.ipynb"


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Outputs, execution counts and per-run metadata removed, cell ids renumbered: stable in git."""
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"  # otter gives the cells it adds random ids
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return notebook


SETUP_TAGS = ["hide-input"]  # the Colab and otter set-up cells: collapsed on the site, run everywhere
RESULT_TAGS = ["remove-output"]  # grader.check cells: on the site an unanswered lab shows no red failures


def is_otter_cell(cell) -> str | None:
    """'init', 'check' or 'check_all' for the cells otter adds to a student notebook, else None."""
    if cell.cell_type != "code":
        return None
    if "otter.Notebook(" in cell.source:
        return "init"
    if "grader.check_all()" in cell.source:
        return "check_all"
    if re.fullmatch(r'\s*grader\.check\("\w+"\)\s*', cell.source):
        return "check"
    return None


def worksheet(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The student notebook in reading order: the title first, then the set-up cells (Colab, otter's init),
    which the site collapses; otter's result cells keep their output out of the site."""
    colab = [cell for cell in notebook.cells if is_colab_cell(cell)]
    if len(colab) != 1:
        raise SystemExit(f"{name}: expected one Colab cell from the master, found {len(colab)}")
    init = [cell for cell in notebook.cells if is_otter_cell(cell) == "init"]
    titles = [c for c in notebook.cells if c.cell_type == "markdown" and c.source.startswith("# ")]
    if not titles:
        raise SystemExit(f"{name}: no title (a Markdown cell starting with '# ')")
    title = titles[0]
    rest = [c for c in notebook.cells if c is not title and not is_colab_cell(c) and c not in init]
    for cell in colab + init:
        cell.metadata["tags"] = list(SETUP_TAGS)
    for cell in rest:
        if is_otter_cell(cell) in ("check", "check_all"):
            cell.metadata["tags"] = list(RESULT_TAGS)
    notebook.cells = [title, *colab, *init, *rest]
    return notebook


def student_text(build_dir: Path) -> str:
    """The cleaned student notebook of one built lab, as the text that is committed (see :func:`worksheet`)."""
    path = build_dir / "student" / f"{build_dir.name}.ipynb"
    notebook = worksheet(nbformat.read(path, as_version=4), path.name)
    return nbformat.writes(clean(notebook)) + "\n"


def student_data_text(build_dir: Path) -> str:
    """The public expected values otter copied into the student folder of one built lab."""
    return (build_dir / "student" / "lab_data" / f"{build_dir.name}.json").read_text(encoding="utf-8")


# The public expected values come from numpy, partly through OpenBLAS (matrix products, eigenvalues),
# whose kernels differ per CPU in the last bits (up to 1.3e-14 relative between an Intel Xeon's kernel
# and an AMD EPYC's, measured): --check compares the committed values to this tolerance.
LAB_DATA_RTOL = 1e-12


def same_lab_data(committed: str, fresh: str) -> bool:
    """Whether two lab_data JSON texts hold the same structure, names and exact non-float values, and
    floats equal within :data:`LAB_DATA_RTOL` (NaN where the other has NaN)."""

    def same(a, b) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            both_nan = math.isnan(a) and math.isnan(b)
            return both_nan or a == b or math.isclose(a, b, rel_tol=LAB_DATA_RTOL, abs_tol=1e-300)
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        return a == b

    return same(json.loads(committed), json.loads(fresh))


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (for messages)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def colab_test_files(notebook_text: str) -> dict[str, str]:
    """File name -> text of the otter test files that hold a student notebook's public tests.

    They are the tests of the notebook's metadata (otter assign removed the hidden ones), one
    ``<question>.py`` each, serialised the way otter assign writes a test file: an exception-based
    test is stored as the text of its file already; an OK-format one (a dict) is written as
    ``OK_FORMAT = True`` and ``test = <the dict, pretty-printed>``.
    """
    metadata = NBMetadataConfig.from_notebook(nbformat.reads(notebook_text, as_version=4))
    files = {}
    for question, test in sorted(metadata.tests.items()):
        if isinstance(test, dict):
            test = f"{OK_FORMAT_VARNAME} = True\n\ntest = " + pprint.pformat(test, indent=4, width=200) + "\n"
        files[f"{question}.py"] = test
    return files


def colab_tests_differences(folder: Path, expected: dict[str, str]) -> list[str]:
    """What makes ``folder`` differ from the test files ``expected``: missing, stale or extra files."""
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()
    missing = sorted(set(expected) - present)
    extra = sorted(present - set(expected))
    stale = sorted(n for n in set(expected) & present if (folder / n).read_text(encoding="utf-8") != expected[n])
    return (
        [f"{name} missing" for name in missing]
        + [f"{name} stale" for name in stale]
        + [f"{name} extra" for name in extra]
    )


def write_colab_tests(folder: Path, files: dict[str, str]) -> None:
    """Make ``folder`` hold exactly ``files`` (its old content is removed)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def make(prefix: str = "") -> list[Path]:
    """Build every lab into _build/labs, copy the student notebooks to notebooks/ and write their Colab tests."""
    written = []
    for master in masters(prefix):
        if refresh_master(master, expected_colab_source(master.stem)):
            print(f"{master.name}: Colab cell written ({' '.join(repository())})")
        out = assign(master, BUILD)
        target = STUDENT_DIR / master.name
        text = student_text(out)
        target.write_text(text, encoding="utf-8")
        LAB_DATA.mkdir(exist_ok=True)
        (LAB_DATA / f"{master.stem}.json").write_text(student_data_text(out), encoding="utf-8")
        folder = COLAB_TESTS / master.stem
        write_colab_tests(folder, colab_test_files(text))
        written.append(target)
        print(
            f"{master.name}: student notebook -> {target.relative_to(ROOT)}, "
            f"Colab tests -> {folder.relative_to(ROOT)}/, "
            f"autograder -> {(out / 'autograder' / (master.stem + '-autograder.zip')).relative_to(ROOT)}"
        )
    if not prefix and COLAB_TESTS.is_dir():
        for orphan in sorted(p for p in COLAB_TESTS.iterdir() if p.name not in {m.stem for m in masters()}):
            if orphan.is_dir():
                shutil.rmtree(orphan)
            else:
                orphan.unlink()
            print(f"{orphan.relative_to(ROOT)}: removed (no master of that name)")
    return written


def make_variant(seed: int, prefix: str = "", out: Path | None = None) -> list[Path]:
    """Build a graded variant of the labs into ``out`` (default ``_build/variants/seed-<seed>``, git-ignored):
    the hidden tests use cases drawn from ``seed``; the student notebooks are the published ones."""
    out = out or VARIANTS / f"seed-{seed}"
    out.mkdir(parents=True, exist_ok=True)
    bundles = []
    for master in masters(prefix):
        built = assign(master, out, variant=seed)
        bundles.append(built / "autograder" / f"{master.stem}-autograder.zip")
        print(f"{master.name}: variant {seed} -> {shown(bundles[-1])} (keep it private)")
    return bundles


def check(prefix: str = "") -> list[str]:
    """Names of the labs whose committed student notebook or Colab tests differ from a fresh build (or
    are missing), or whose master's first cell is not the Colab cell that _config.yml gives."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for master in masters(prefix):
            if not has_colab_cell(nbformat.read(master, as_version=4), expected_colab_source(master.stem)):
                stale.append(f"{master.name} (its Colab cell)")
                continue
            out = assign(master, Path(tmp))
            text = student_text(out)
            target = STUDENT_DIR / master.name
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(master.name)
            data = LAB_DATA / f"{master.stem}.json"
            if not data.exists() or not same_lab_data(data.read_text(encoding="utf-8"), student_data_text(out)):
                stale.append(shown(data))
            differences = colab_tests_differences(COLAB_TESTS / master.stem, colab_test_files(text))
            if differences:
                stale.append(f"{shown(COLAB_TESTS / master.stem)}/ ({', '.join(differences)})")
    expected = {m.name for m in masters()}
    stale += sorted(p.name for p in STUDENT_DIR.glob("lab*.ipynb") if p.name not in expected and not prefix)
    if not prefix and COLAB_TESTS.is_dir():
        stems = {m.stem for m in masters()}
        stale += sorted(f"{shown(p)} (no master of that name)" for p in COLAB_TESTS.iterdir() if p.name not in stems)
    if not prefix and LAB_DATA.is_dir():
        stems = {m.stem for m in masters()}
        stale += sorted(f"{shown(p)} (no master of that name)" for p in LAB_DATA.iterdir() if p.stem not in stems)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("prefix", nargs="?", default="", help="only labs whose file name starts with this")
    parser.add_argument(
        "--check",
        action="store_true",
        help="fail if notebooks/ (student versions, Colab tests) differs from a fresh build",
    )
    parser.add_argument(
        "--variant",
        type=int,
        metavar="SEED",
        help="build a graded variant (hidden tests on cases drawn from SEED) into --out, not notebooks/",
    )
    parser.add_argument("--out", type=Path, help="the variant's folder (default _build/variants/seed-SEED)")
    args = parser.parse_args(argv)
    if not masters(args.prefix):
        print(f"no master notebook matches {args.prefix!r} in {MASTERS.relative_to(ROOT)}", file=sys.stderr)
        return 1
    if args.check:
        stale = check(args.prefix)
        if stale:
            print(
                "out of sync with the masters (run: python scripts/make_labs.py): " + ", ".join(stale), file=sys.stderr
            )
            return 1
        print("student notebooks and Colab tests are in sync with the masters")
        return 0
    if args.variant is not None:
        make_variant(args.variant, args.prefix, args.out)
        return 0
    make(args.prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
