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
``notebooks/colab_tests/`` (a stale, missing or extra file fails), and each
master's first cell with the one ``_config.yml`` gives; tests/test_labs.py runs it.
"""

from __future__ import annotations

import argparse
import pprint
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml
from otter.nbmeta_config import OK_FORMAT_VARNAME, NBMetadataConfig

ROOT = Path(__file__).resolve().parents[1]
MASTERS = ROOT / "notebooks" / "masters"
STUDENT_DIR = ROOT / "notebooks"
# Public tests as files, one folder per lab, for otter on Colab (fetched into ./tests by the Colab cell),
# at this path in the repository.
COLAB_TESTS_PATH = "notebooks/colab_tests"
COLAB_TESTS = ROOT / COLAB_TESTS_PATH
BUILD = ROOT / "_build" / "labs"
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
    return (
        f"{COLAB_MARKER} install otter-grader and the course's helper package from its repository,\n"
        "# then fetch this lab's tests into tests/ (otter on Colab reads them from there) and a copy of\n"
        "# this notebook, which otter opens for its settings (your work stays in the notebook you edit).\n"
        "# Elsewhere (Binder, your own computer) all of this is in place already and this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "{otter}" "git+{url}@{branch}"\n'
        f"    !rm -rf {clone} tests && git clone --quiet --depth 1 --branch {branch} {url} {clone}\n"
        f"    !cp -r {tests} tests\n"
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


def assign(master: Path, build: Path) -> Path:
    """Run ``otter assign`` for one master into ``build/<lab>``; return that folder."""
    out = build / master.stem
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "otter", "assign", "--no-pdfs", "--no-run-tests", str(master), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=master.parent)
    if done.returncode != 0:
        raise SystemExit(f"otter assign failed for {master.name}:\n{done.stdout}\n{done.stderr}")
    zips = list((out / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise SystemExit(f"expected one autograder zip for {master.name}, found {zips}")
    zips[0].rename(out / "autograder" / f"{master.stem}-autograder.zip")
    return out


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Outputs, execution counts and per-run metadata removed, cell ids renumbered: stable in git."""
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"  # otter gives the cells it adds random ids
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return notebook


def student_text(build_dir: Path) -> str:
    """The cleaned student notebook of one built lab, as the text that is committed.

    otter puts its init cell (``import otter``) first; the master's Colab cell moves
    before it, since on Colab that cell is what installs otter.
    """
    path = build_dir / "student" / f"{build_dir.name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    colab = [cell for cell in notebook.cells if is_colab_cell(cell)]
    if len(colab) != 1:
        raise SystemExit(f"{path.name}: expected one Colab cell from the master, found {len(colab)}")
    notebook.cells = colab + [cell for cell in notebook.cells if not is_colab_cell(cell)]
    return nbformat.writes(clean(notebook)) + "\n"


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
            differences = colab_tests_differences(COLAB_TESTS / master.stem, colab_test_files(text))
            if differences:
                stale.append(f"{shown(COLAB_TESTS / master.stem)}/ ({', '.join(differences)})")
    expected = {m.name for m in masters()}
    stale += sorted(p.name for p in STUDENT_DIR.glob("lab*.ipynb") if p.name not in expected and not prefix)
    if not prefix and COLAB_TESTS.is_dir():
        stems = {m.stem for m in masters()}
        stale += sorted(f"{shown(p)} (no master of that name)" for p in COLAB_TESTS.iterdir() if p.name not in stems)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("prefix", nargs="?", default="", help="only labs whose file name starts with this")
    parser.add_argument(
        "--check",
        action="store_true",
        help="fail if notebooks/ (student versions, Colab tests) differs from a fresh build",
    )
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
    make(args.prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
