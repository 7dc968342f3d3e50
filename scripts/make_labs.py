"""Make the labs: student notebooks and autograder bundles from the masters (the one documented command).

    python scripts/make_labs.py            # build every lab
    python scripts/make_labs.py lab03      # only the labs whose name starts with lab03
    python scripts/make_labs.py --check    # fail if notebooks/ is out of sync with the masters

For each master ``notebooks/masters/labNN_<topic>.ipynb`` (otter-grader's
assign format, see ``notebooks/masters/README.md``) it runs ``otter assign``
into ``_build/labs/labNN_<topic>/`` (git-ignored) and then

- copies the student notebook (solutions replaced by stubs, hidden tests
  removed, public tests stored in its metadata) to ``notebooks/labNN_<topic>.ipynb``
  with outputs stripped: that is what the book lists and Binder opens;
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
``_config.yml``; elsewhere it does nothing. Publishing under a new address is
therefore: edit ``repository`` in ``_config.yml``, run this script.

``--check`` regenerates into a temporary folder and compares the student
notebooks with ``notebooks/``, and each master's first cell with the one
``_config.yml`` gives; tests/test_labs.py runs it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
MASTERS = ROOT / "notebooks" / "masters"
STUDENT_DIR = ROOT / "notebooks"
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


def colab_source(url: str, branch: str, otter: str) -> str:
    """The source of the first cell of every lab: installs what a lab needs, on Colab only."""
    return (
        f"{COLAB_MARKER} install otter-grader and the course's helper package from its repository.\n"
        "# Elsewhere (Binder, your own computer) both are installed already and this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "{otter}" "git+{url}@{branch}"\n'
    )


def expected_colab_source() -> str:
    """The Colab cell as _config.yml and requirements.txt make it now."""
    return colab_source(*repository(), requirement("otter-grader"))


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


def make(prefix: str = "") -> list[Path]:
    """Build every lab into _build/labs and copy the student notebooks to notebooks/."""
    written = []
    source = expected_colab_source()
    for master in masters(prefix):
        if refresh_master(master, source):
            print(f"{master.name}: Colab cell written ({' '.join(repository())})")
        out = assign(master, BUILD)
        target = STUDENT_DIR / master.name
        target.write_text(student_text(out), encoding="utf-8")
        written.append(target)
        print(
            f"{master.name}: student notebook -> {target.relative_to(ROOT)}, "
            f"autograder -> {(out / 'autograder' / (master.stem + '-autograder.zip')).relative_to(ROOT)}"
        )
    return written


def check(prefix: str = "") -> list[str]:
    """Names of the labs whose committed student notebook differs from a fresh build (or is missing),
    or whose master's first cell is not the Colab cell that _config.yml gives."""
    stale = []
    source = expected_colab_source()
    with tempfile.TemporaryDirectory() as tmp:
        for master in masters(prefix):
            if not has_colab_cell(nbformat.read(master, as_version=4), source):
                stale.append(f"{master.name} (its Colab cell)")
                continue
            out = assign(master, Path(tmp))
            target = STUDENT_DIR / master.name
            if not target.exists() or target.read_text(encoding="utf-8") != student_text(out):
                stale.append(master.name)
    expected = {m.name for m in masters()}
    stale += sorted(p.name for p in STUDENT_DIR.glob("lab*.ipynb") if p.name not in expected and not prefix)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("prefix", nargs="?", default="", help="only labs whose file name starts with this")
    parser.add_argument("--check", action="store_true", help="fail if notebooks/ differs from a fresh build")
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
        print("student notebooks are in sync with the masters")
        return 0
    make(args.prefix)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
