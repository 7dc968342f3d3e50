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

``--check`` regenerates into a temporary folder and compares the student
notebooks with ``notebooks/``; tests/test_labs.py runs it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MASTERS = ROOT / "notebooks" / "masters"
STUDENT_DIR = ROOT / "notebooks"
BUILD = ROOT / "_build" / "labs"


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
    """The cleaned student notebook of one built lab, as the text that is committed."""
    path = build_dir / "student" / f"{build_dir.name}.ipynb"
    return nbformat.writes(clean(nbformat.read(path, as_version=4))) + "\n"


def make(prefix: str = "") -> list[Path]:
    """Build every lab into _build/labs and copy the student notebooks to notebooks/."""
    written = []
    for master in masters(prefix):
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
    """Names of the labs whose committed student notebook differs from a fresh build (or is missing)."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for master in masters(prefix):
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
