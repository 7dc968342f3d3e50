"""The student's Binder, tested for real: binder/ builds the environment, and every page runs in it.

- ``jupyter-repo2docker --no-build`` (what Binder runs, without the image build, so no
  Docker engine is needed) reads the repository and picks Python 3.11 (binder/runtime.txt),
  binder/requirements.txt and binder/postBuild.
- binder/requirements.txt pins what requirements.txt pins, minus the book-building tools.
- A fresh Python 3.11 virtual environment gets binder/requirements.txt, then binder/postBuild
  runs in a copy of the repository with that environment first on PATH and HOME and
  JUPYTER_CONFIG_DIR in a scratch folder: the helper package is installed, JupyterLab's
  setting that opens .md chapters as notebooks is written, and no book tool is installed.
- Every executable page of _toc.yml (MyST chapters with a kernelspec, the .ipynb labs) and
  every student lab runs from top to bottom in a kernel of that environment, in its own
  folder of the copy, with the runner the book tests use (scripts/book_notebooks.py).
- Each of those runs gives the outputs the site shows: output by output, equal to the strict
  build's execution of the page, apart from clock readings and made-up ids (tests/same_outputs.py).
  So a student on Binder sees the book's numbers, and every page is run twice and compared (in
  two environments) without a third execution of every page. When this run builds no book and
  none of exactly these inputs is there, the pages missing from the build also run in the
  development environment, and those runs are the first.

One line differs from Binder. PyTorch's CPU wheel index (download.pytorch.org) cannot be
reached from the test machine, so this install drops the ``--extra-index-url`` line and
installs torch by the pin of requirements.txt (``torch==2.13.0``; the test machine has a CPU
build of it on disk) instead of ``torch==2.13.0+cpu``. Every other line is installed as written.

The environment is built once per test run (under pytest-xdist, one worker builds it and the
other waits) in ``_build/binder-test/`` (about 1.4 GB), which the last worker to finish with it deletes
(``NONLINEAR_KEEP_BINDER=1`` keeps it for a look). Its kernels talk over Unix sockets,
like every kernel the project starts. These tests carry the ``binder`` marker: ``make test``
and ``pytest -m binder`` run them, ``make test-quick`` leaves them out.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

import nbformat
import pytest
from book_notebooks import NotebookFailure, execute, expected_seconds, is_executable, run_many, threads_per_kernel
from built_pages import executed_by_a_fresh_build
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from same_outputs import differences
from test_toc import source_of, toc_entries

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
WORK = ROOT / "_build" / "binder-test"  # git-ignored; rebuilt from scratch by every test run
PYTHON = "3.11"
WORKERS = 2  # pages run two at a time (the machine the budget is set for has 2 cores)
INSTALL_TIMEOUT_S = 900

# What builds the site, not what runs a page: none of it belongs in the student's image.
BOOK_TOOLS = {
    canonicalize_name(name)
    for name in [
        "jupyter-book",
        "jieba",  # the site search's Chinese word segmenter
        "myst-nb",
        "myst-parser",
        "jupyter-cache",
        "sphinx-exercise",
        "sphinx-book-theme",
        "sphinx-external-toc",
        "sphinx-multitoc-numbering",
        "sphinx-thebe",
        "sphinx-togglebutton",
        "sphinx-copybutton",
        "sphinx-design",
        "sphinx-comments",
        "sphinxcontrib-bibtex",
    ]
}
# Sphinx itself may only arrive as a dependency of these: otter-grader (the labs' grader.check)
# needs fica, and fica declares Sphinx for the Sphinx extension it ships (the labs never load it).
SPHINX_ALLOWED_VIA = {"fica"}

pytestmark = pytest.mark.binder


# --- reading requirement files -----------------------------------------------------------------------


def pins(path: Path) -> dict[str, Requirement]:
    """Every ``name==version`` line of a requirements file, by canonical name (options and -e skipped)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        found[canonicalize_name(requirement.name)] = requirement
    return found


def pinned_version(requirement: Requirement) -> Version:
    specifiers = list(requirement.specifier)
    assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{requirement} is not pinned with =="
    return Version(specifiers[0].version)


def local_install_requirements(text: str) -> str:
    """binder/requirements.txt as this machine can install it (see the module docstring)."""
    torch_pin = str(pins(ROOT / "requirements.txt")["torch"])
    lines = []
    for line in text.splitlines():
        if line.strip().startswith("--extra-index-url"):
            continue  # PyTorch's CPU index: unreachable here
        if re.match(r"torch\s*==", line.strip()):
            line = torch_pin
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- the pages -----------------------------------------------------------------------------------------


def pages() -> list[Path]:
    """Every executable page listed in _toc.yml, then every student lab, as paths relative to the root."""
    listed = [source_of(entry) for entry in toc_entries()]
    assert all(listed), "_toc.yml lists a file that does not exist (tests/test_toc.py says which)"
    found = [p.relative_to(ROOT) for p in listed if is_executable(p)]
    labs = sorted(p.relative_to(ROOT) for p in (ROOT / "notebooks").glob("lab*.ipynb"))
    return found + [lab for lab in labs if lab not in found]


def _kernel_prefix(probe: str) -> str:
    """sys.prefix of the kernel that book_notebooks.execute starts (run in a worker process)."""
    probe = Path(probe)
    probe.write_text("# %%\nimport sys\nprint(sys.prefix)\n")
    return execute(probe).cells[0].outputs[0]["text"].strip()


def _run_page(job: tuple[str, str]) -> tuple[str, float, str | None, str | None]:
    """Run one page (in a worker process); return its label, seconds, the failure if any, and the
    executed notebook (as JSON text) if it ran through."""
    path, name = job
    start = time.perf_counter()
    executed, problem = None, None
    try:
        executed = nbformat.writes(execute(Path(path), threads=threads_per_kernel(WORKERS)))
    except NotebookFailure as failure:
        problem = str(failure)
    except Exception:  # the kernel did not start, a page could not be read, ...
        problem = traceback.format_exc(limit=3)
    return name, time.perf_counter() - start, problem, executed


# --- the environment -------------------------------------------------------------------------------------


@dataclass
class BinderEnvironment:
    repo: Path  # the copy of the repository postBuild ran in
    venv: Path
    home: Path  # HOME and JUPYTER_CONFIG_DIR (home/.jupyter) of postBuild
    seconds: dict[str, float]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def _run(command: list, what: str, timeout: float = INSTALL_TIMEOUT_S, **kwargs) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-40:])
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {' '.join(map(str, command))}\n{tail}")
    return output


def base_python() -> str:
    """A Python 3.11 interpreter to make the environment from (Binder's runtime.txt says 3.11)."""
    found = shutil.which(f"python{PYTHON}")
    if found:
        return found
    if f"{sys.version_info.major}.{sys.version_info.minor}" == PYTHON:
        return sys.executable
    raise RuntimeError(f"no python{PYTHON} on PATH: the Binder test needs it to make a fresh environment")


def copy_repository(target: Path) -> None:
    """The files Binder would get: tracked and untracked-but-not-ignored files of the working tree."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if source.is_file():  # a tracked file deleted in the working tree is not there
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def build_environment(work: Path) -> BinderEnvironment:
    """Copy the repository, make a fresh venv, install binder/requirements.txt, run binder/postBuild."""
    seconds = {}
    start = time.perf_counter()
    repo, venv, home = work / "repo", work / "venv", work / "home"
    copy_repository(repo)
    home.mkdir()
    _run([base_python(), "-m", "venv", str(venv)], "making the virtual environment")
    requirements = work / "binder-requirements-local.txt"
    requirements.write_text(local_install_requirements((BINDER / "requirements.txt").read_text(encoding="utf-8")))
    python = venv / "bin" / "python"
    # pip compiles the bytecode at install, as Binder's does. Without it (--no-compile), each of the
    # ~40 kernels compiled torch, numpy and matplotlib again when it imported them, wherever Python
    # may not write bytecode (PYTHONDONTWRITEBYTECODE): about 2.5 s of CPU per kernel against ~30 s once.
    _run(
        [python, "-m", "pip", "install", "--no-input", "--progress-bar", "off", "-r", requirements],
        "installing binder/requirements.txt",
    )
    seconds["copy, venv and install"] = round(time.perf_counter() - start, 1)

    start = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "CONDA"))}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
    )
    (work / "postBuild.log").write_text(_run([repo / "binder" / "postBuild"], "binder/postBuild", cwd=repo, env=env))
    seconds["postBuild"] = round(time.perf_counter() - start, 1)
    return BinderEnvironment(repo=repo, venv=venv, home=home, seconds=seconds)


@pytest.fixture(scope="session")
def binder(testrun_uid) -> Iterator[BinderEnvironment]:
    """The environment of this test run; built by the first worker that asks, reused by the others,
    and removed by the last one to finish with it (unless NONLINEAR_KEEP_BINDER=1)."""
    WORK.parent.mkdir(parents=True, exist_ok=True)
    state_file = WORK.parent / "binder-test.json"
    lock_file = WORK.parent / "binder-test.lock"
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(state_file.read_text()) if state_file.exists() else {}
        if state.get("run") != testrun_uid or not (state.get("error") or WORK.exists()):
            shutil.rmtree(WORK, ignore_errors=True)
            WORK.mkdir()
            try:
                built = build_environment(WORK)
                state = {"run": testrun_uid, "error": None, "seconds": built.seconds}
            except Exception as error:
                state = {"run": testrun_uid, "error": str(error), "seconds": {}}
        state["users"] = state.get("users", 0) + 1
        state_file.write_text(json.dumps(state))
    try:
        if state["error"]:
            pytest.fail(f"the Binder environment could not be built:\n{state['error']}", pytrace=False)
        yield BinderEnvironment(repo=WORK / "repo", venv=WORK / "venv", home=WORK / "home", seconds=state["seconds"])
    finally:
        with open(lock_file, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = json.loads(state_file.read_text())
            state["users"] -= 1
            if state["users"] <= 0 and os.environ.get("NONLINEAR_KEEP_BINDER") != "1":
                shutil.rmtree(WORK, ignore_errors=True)  # about 1.4 GB
            state_file.write_text(json.dumps(state))


def installed(binder: BinderEnvironment) -> dict[str, list[str]]:
    """Installed distributions of the Binder environment -> names of what they require (unconditionally)."""
    probe = (
        "import json\n"
        "from importlib import metadata\n"
        "from packaging.requirements import Requirement\n"
        "from packaging.utils import canonicalize_name\n"
        "out = {}\n"
        "for dist in metadata.distributions():\n"
        "    reqs = [Requirement(r) for r in dist.requires or []]\n"
        "    out[canonicalize_name(dist.metadata['Name'])] = sorted(\n"
        "        canonicalize_name(r.name) for r in reqs if r.marker is None or r.marker.evaluate({'extra': ''}))\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(_run([binder.python, "-c", probe], "listing the Binder environment"))


# --- fast checks of binder/ ----------------------------------------------------------------------------------


def test_binder_pins_what_requirements_txt_pins_without_the_book_tools():
    main, binder = pins(ROOT / "requirements.txt"), pins(BINDER / "requirements.txt")
    for name, requirement in binder.items():
        version = pinned_version(requirement)
        if name in main:
            expected = pinned_version(main[name])
            assert version.public == expected.public, (
                f"binder/requirements.txt pins {requirement}, requirements.txt pins {main[name]}: keep them equal"
            )
            if name == "torch":
                assert version.local == "cpu", f"Binder's torch must be the CPU build ({name}=={expected}+cpu)"
        else:  # needed at run time, arrives in the dev environment only through a book tool
            there = metadata.version(name)
            assert version == Version(there), (
                f"binder/requirements.txt pins {requirement}; the dev environment runs the pages with {there}"
            )
    missing = sorted(set(main) - BOOK_TOOLS - set(binder))
    assert not missing, f"requirements.txt pins {missing} but binder/requirements.txt does not"
    extra = sorted(BOOK_TOOLS & set(binder))
    assert not extra, f"binder/requirements.txt installs book-building tools {extra}"
    text = (BINDER / "requirements.txt").read_text(encoding="utf-8")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text.splitlines(), (
        "binder/requirements.txt must take torch from PyTorch's CPU index"
    )


def test_binder_runtime_is_python_311():
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == f"python-{PYTHON}"


def test_repo2docker_reads_the_binder_folder():
    """repo2docker --no-build writes the Dockerfile Binder would build: Python 3.11, binder/ files."""
    repo2docker = Path(sys.executable).parent / "jupyter-repo2docker"
    assert repo2docker.exists(), f"{repo2docker} is missing: install requirements-dev.txt (jupyter-repo2docker)"
    done = subprocess.run(
        [repo2docker, "--no-build", "--debug", str(ROOT)], capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"repo2docker --no-build failed:\n{output[-3000:]}"
    assert f"Building conda environment for python={PYTHON}" in output, output[:2000]
    # The Dockerfile names build files with escaped paths ("-2e" for ".", "-2d" for "-").
    unescaped = re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), output)
    assert f"environment.py-{PYTHON}-linux-64.lock" in unescaped, "the base environment is not Python 3.11's"
    assert "COPY --chown=0:0 src/binder/requirements.txt ${REPO_DIR}/binder/requirements.txt" in output
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in output
    assert "RUN ./binder/postBuild" in output
    assert '-r "requirements.txt"' not in output, "repo2docker used the root requirements.txt, not binder/"


# --- the environment, built --------------------------------------------------------------------------------


def test_postbuild_installs_the_package_and_opens_chapters_as_notebooks(binder):
    settings = binder.home / ".jupyter" / "labconfig" / "default_setting_overrides.json"
    assert settings.exists(), f"postBuild wrote no JupyterLab setting at {settings.relative_to(WORK)}"
    viewers = json.loads(settings.read_text())["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers.get("markdown") == "Jupytext Notebook", viewers
    # Run from HOME: in the repository root, python would import nonlinear/ from the working directory.
    code = "import nonlinear; print(nonlinear.__file__)"
    where = _run([binder.python, "-c", code], "importing the package", cwd=binder.home).strip()
    assert Path(where).resolve().is_relative_to(binder.repo.resolve()), f"nonlinear imported from {where}"
    _run([binder.python, "-m", "pip", "check"], "pip check (the environment's dependencies are consistent)")


def test_binder_environment_has_no_book_tools(binder):
    requires = installed(binder)
    assert not BOOK_TOOLS & set(requires), f"book-building tools installed: {sorted(BOOK_TOOLS & set(requires))}"
    via = sorted(name for name, needs in requires.items() if "sphinx" in needs and name not in SPHINX_ALLOWED_VIA)
    assert not via, f"Sphinx is pulled in by {via} (only {sorted(SPHINX_ALLOWED_VIA)} may)"
    python = _run([binder.python, "-c", "import sys; print(sys.version)"], "python --version")
    assert python.startswith(f"{PYTHON}."), python


def test_binder_environment_holds_compiled_bytecode_as_binders_pip_leaves_it(binder):
    """Binder's pip compiles what it installs; so does this one (see build_environment), and the kernels
    do not compile the libraries again at every start."""
    site = next((binder.venv / "lib").glob("python3.*/site-packages"))
    for package in ["torch", "numpy", "matplotlib"]:
        compiled = site / package / "__pycache__" / f"__init__.cpython-{PYTHON.replace('.', '')}.pyc"
        assert compiled.is_file(), f"{package} was installed without its bytecode ({compiled.name} missing)"


def first_runs(todo: list[Path], request) -> dict[str, object]:
    """page label -> the strict build's execution of it (a notebook), or, for a page the build did not
    execute, a run in the development environment (a notebook, or the failure's text)."""
    if any("book_build" in item.fixturenames for item in request.session.items if item is not request.node):
        request.getfixturevalue("book_build")  # this run builds the book anyway: wait for it, then read it
    first: dict[str, object] = {}
    for page in todo:
        saved = executed_by_a_fresh_build(page.as_posix())
        if saved:
            first[page.as_posix()] = nbformat.read(saved, as_version=4)
    missing = [ROOT / page for page in todo if page.as_posix() not in first]
    first.update({run.label: run.failure or run.notebook for run in run_many(missing)})
    return first


def test_every_page_and_lab_runs_in_the_binder_environment_and_shows_the_books_outputs(
    binder, tmp_path, monkeypatch, request
):
    expected = expected_seconds()
    todo = sorted(pages(), key=lambda p: -expected.get(p.as_posix(), 0.0))
    assert todo, "no executable page found"
    first = first_runs(todo, request)

    # A kernelspec named like the book's ("python3") whose kernel is the Binder environment's
    # Python; JUPYTER_PATH puts it first, so book_notebooks.execute starts that kernel.
    kernels = tmp_path / "jupyter"
    spec = kernels / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [str(binder.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Binder", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(kernels))

    jobs = [(str(binder.repo / page), page.as_posix()) for page in todo]
    start = time.perf_counter()
    # Kernels start in worker processes only (forked before any ZeroMQ context exists here).
    with ProcessPoolExecutor(WORKERS, mp_context=get_context("fork")) as pool:
        prefix = pool.submit(_kernel_prefix, str(tmp_path / "probe.py")).result()
        assert Path(prefix) == binder.venv, f"the kernel ran in {prefix}, not in the Binder environment"
        results = list(pool.map(_run_page, jobs))
    total = time.perf_counter() - start
    print(f"Binder environment: {binder.seconds}; {len(results)} pages in {total:.0f} s with {WORKERS} workers")
    failures = [f"{name} ({seconds:.0f} s):\n{problem}" for name, seconds, problem, _ in results if problem]
    slowest = ", ".join(f"{name} {seconds:.0f} s" for name, seconds, *_ in sorted(results, key=lambda r: -r[1])[:3])
    assert not failures, (
        f"{len(failures)} of {len(results)} pages failed in the Binder environment "
        f"({total:.0f} s; slowest: {slowest}):\n\n" + "\n\n".join(failures)
    )

    unequal = []
    for name, _, _, executed in results:
        if isinstance(first[name], str):
            unequal.append(f"{name} failed in the development environment:\n{first[name]}")
            continue
        found = differences(first[name], nbformat.reads(executed, as_version=4))
        if found:
            unequal.append(f"{name}:\n" + "\n".join(found))
    assert not unequal, (
        f"{len(unequal)} of {len(results)} pages show other outputs in the Binder environment than in the book "
        "(first: the build's run, or the development environment's where no build of these inputs had run "
        "the page; second: Binder's; mark clock readings with nonlinear.timing):\n\n" + "\n\n".join(unequal)
    )
