"""Every command the README and the how-to-use page give a reader is exercised by a test.

- Each command line in their ``bash`` blocks must be one this file knows (a new
  recipe needs a test here first).
- Every ``make`` target they name exists, and what it runs is there (``make -n``).
- The how-to-use page's "without make" recipe runs the same steps as ``make book``
  and ``make serve``, in the same order (the suite's own build runs those steps).
- ``make serve`` serves a site over http; ``make lab`` starts JupyterLab headless,
  which lists the chapters and labs, opens a ``.md`` chapter as a notebook, opens it
  as a notebook on double-click, and starts kernels over Unix sockets.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "chapters" / "how_to_use.md", ROOT / "chapters" / "instructor_guide.md"]
MAKE_TARGETS = {"book", "test", "test-quick", "test-binder", "serve", "lab", "bench", "results", "clean", "lint"}

# Each known command: a pattern, and what exercises it.
KNOWN = {
    r"make (book|test|test-quick|test-binder|serve|lab|bench|results|clean|lint)( \w+=\S+)*": "test_make_targets_exist",
    r"python3\.11 -m venv \.venv": "test_the_recipe_without_make_runs_what_make_runs",
    r"source \.venv/bin/activate": "test_the_recipe_without_make_runs_what_make_runs",
    r"pip install -r requirements(-dev)?\.txt": "test_the_recipe_without_make_runs_what_make_runs",
    r"npm ci": "test_the_recipe_without_make_runs_what_make_runs",
    r"OPENBLAS_CORETYPE=Haswell python scripts/build_book\.py": "test_the_recipe_without_make_runs_what_make_runs",
    r"python -m http\.server 8000 --bind 127\.0\.0\.1 --directory _build/html": "test_make_serve_serves_the_site",
    r"(\.venv/bin/)?python scripts/make_labs\.py( lab\d+| --check)?": "tests/test_labs.py (make_labs, --check)",
    # the instructor guide's grading loop: tests/test_labs.py grades notebooks with `otter run` on the autograder
    r"ZIP=_build/labs/\S+-autograder\.zip": "tests/test_labs.py (otter run)",
    r"for nb in submissions/\*\.ipynb; do": "tests/test_labs.py (otter run)",
    r'mkdir -p "results/\$\(basename "\$nb" \.ipynb\)"': "tests/test_labs.py (otter run)",
    r'otter run -a "\$ZIP" -o "results/\$\(basename "\$nb" \.ipynb\)" "\$nb"': "tests/test_labs.py (otter run)",
    r"done": "tests/test_labs.py (otter run)",
    # the instructor guide's variant, folder grading and grading environment (tests/test_grading*.py)
    r"python scripts/make_labs\.py lab\d\d --variant \d+( --out \S+)?": "tests/test_grading.py (variant)",
    r"python scripts/grade_labs\.py \S+\.zip \S+/? --csv \S+\.csv": "tests/test_grading.py (folder to CSV)",
    r"otter run -a \S+\.zip -o \S+ \S+\.ipynb": "tests/test_labs.py (otter run)",
    r"unzip \S+\.zip -d \S+": "tests/test_grading_env.py",
    r"python -m venv \S+": "tests/test_grading_env.py",
    r"cd \S+ && \S+/bin/pip install -r requirements\.txt": "tests/test_grading_env.py",
    r"NONLINEAR_SITE=_build/html \.venv/bin/python -m pytest -m browser -n 2": "tests/conftest.py (NONLINEAR_SITE)",
    r"\.venv/bin/python -m pytest .*": "tests/test_execution.py (one test per page)",
    r"\.venv/bin/python scripts/editions\.py (extract|status|outputs)": "tests/test_editions.py (the catalogue workflow)",
}


def bash_commands(path: Path) -> list[str]:
    """The command lines of a file's ``bash`` blocks (indented blocks too), without comments."""
    text = path.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"^( *)```bash\n(.*?)^\1```", text, flags=re.DOTALL | re.MULTILINE):
        for line in block[1].splitlines():
            line = line.split(" #")[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def recipe_without_make() -> list[str]:
    text = (ROOT / "chapters" / "how_to_use.md").read_text(encoding="utf-8")
    after = text.split("Without `make`", 1)[1]
    return bash_commands_from_text(after.split("```bash", 1)[1].split("```", 1)[0])


def bash_commands_from_text(block: str) -> list[str]:
    return [line.split(" #")[0].strip() for line in block.splitlines() if line.strip()]


def test_every_command_in_the_docs_is_known():
    unknown = [
        f"{path.relative_to(ROOT)}: {command}"
        for path in DOCS
        for command in bash_commands(path)
        if not any(re.fullmatch(pattern, command) for pattern in KNOWN)
    ]
    assert all(bash_commands(path) for path in DOCS)
    assert not unknown, "commands in the docs that no test exercises (add one to tests/test_recipes.py):\n" + "\n".join(
        unknown
    )


def _make_dry_run(*args: str) -> str:
    # --no-print-directory: under `make test` this runs inside make, which would add "Entering directory" lines.
    done = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_targets_exist():
    named = {m for path in DOCS for c in bash_commands(path) for m in re.findall(r"^make ([\w-]+)", c)}
    assert named <= MAKE_TARGETS, f"the docs name make targets this test does not know: {named - MAKE_TARGETS}"
    for target in sorted(named):
        for line in _make_dry_run(target).splitlines():
            for word in shlex.split(line):
                if word.startswith("scripts/"):
                    assert (ROOT / word).exists(), f"make {target} runs the missing {word}"


def test_the_recipe_without_make_runs_what_make_runs():
    """Same steps as make (scripts/setup_venv.sh, setup_node.sh, build_book.py, the serve target), same order."""
    recipe = recipe_without_make()
    steps = [
        ("python3.11 -m venv .venv", (ROOT / "scripts" / "setup_venv.sh").read_text(), '-m venv "$venv"'),
        (
            "pip install -r requirements-dev.txt",
            (ROOT / "scripts" / "setup_venv.sh").read_text(),
            "-r requirements-dev.txt",
        ),
        ("npm ci", (ROOT / "scripts" / "setup_node.sh").read_text(), "npm ci"),
        ("OPENBLAS_CORETYPE=Haswell python scripts/build_book.py", _make_dry_run("book"), "scripts/build_book.py"),
        (
            "python -m http.server 8000 --bind 127.0.0.1 --directory _build/html",
            _make_dry_run("serve"),
            "-m http.server 8000 --bind 127.0.0.1 --directory _build/html",
        ),
    ]
    positions = []
    for command, source, made in steps:
        assert command in recipe, f"the recipe without make lacks {command!r} (make runs it): {recipe}"
        assert made in source, f"make no longer runs {made!r}: update the recipe on the how-to-use page"
        positions.append(recipe.index(command))
    assert positions == sorted(positions), f"the recipe runs the steps out of order: {recipe}"
    makefile = (ROOT / "Makefile").read_text()
    assert "export OPENBLAS_CORETYPE := Haswell" in makefile, (
        "make no longer pins OpenBLAS's kernels: update the recipe"
    )
    assert "python3.11" in (ROOT / "scripts" / "setup_venv.sh").read_text(), "make prefers Python 3.11 too"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_serve_serves_the_site(tmp_path):
    site = tmp_path / "_build" / "html"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<title>served</title>", encoding="utf-8")
    port = _free_port()
    command = _make_dry_run("serve", f"PORT={port}").splitlines()[-1]
    assert command.startswith(".venv/bin/python -m http.server")
    argv = [sys.executable, *shlex.split(command)[1:]]
    server = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/index.html")
                body = connection.getresponse().read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("make serve's server did not answer")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "<title>served</title>" in body


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("localhost", timeout=30)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.socket_path)


def _group_alive(group: int) -> bool:
    """Whether a process of the process group ``group`` still runs (zombies, already exited, do not count)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
            return True
    return False


def test_make_lab_opens_chapters_and_labs_as_notebooks(tmp_path):
    """What `make lab` runs, headless, on a Unix socket: no browser, no port."""
    token = "recipes-test"
    sock = tmp_path / "lab.sock"
    args = f"--no-browser --ServerApp.sock={sock} --IdentityProvider.token={token}"
    if os.geteuid() == 0:
        args += " --allow-root"  # JupyterLab refuses root otherwise (CI containers run as root)
    commands = _make_dry_run("lab", f"LAB_ARGS={args}").splitlines()
    setup, lab = commands[-2], commands[-1]
    assert "scripts/setup_lab.sh" in setup and " lab " in f" {lab} "
    subprocess.run(setup, shell=True, cwd=ROOT, check=True)
    # a short runtime folder: a Unix socket's path may not exceed about 100 characters (pytest's are long)
    runtime = Path(tempfile.mkdtemp(prefix="lab-"))
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    log = tmp_path / "lab.log"
    # its own process group: the shell runs JupyterLab as a child, and stopping the shell alone would leave it running
    server = subprocess.Popen(
        lab, shell=True, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )

    def call(method: str, url: str) -> dict:
        connection = _UnixHTTPConnection(str(sock))
        body = "{}" if method == "POST" else None
        headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
        connection.request(method, url, body=body, headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert response.status < 300, f"{method} {url}: {response.status} {body[:300]!r}\n{log.read_text()[-3000:]}"
        return json.loads(body) if body else {}

    try:
        for _ in range(600):
            if sock.exists() or server.poll() is not None:
                break
            time.sleep(0.1)
        assert sock.exists(), "JupyterLab did not start:\n" + log.read_text()[-3000:]
        chapters = {item["name"] for item in call("GET", "/api/contents/chapters")["content"]}
        labs = {item["name"] for item in call("GET", "/api/contents/notebooks")["content"]}
        assert "01_what_is_an_activation.md" in chapters, chapters
        assert any(name.endswith(".ipynb") for name in labs), labs
        chapter = call("GET", "/api/contents/chapters/01_what_is_an_activation.md?type=notebook&content=1")
        assert chapter["type"] == "notebook" and len(chapter["content"]["cells"]) > 5, (
            "a .md chapter opens as a notebook"
        )
        settings = call("GET", "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
        viewers = settings["schema"]["properties"]["defaultViewers"]["default"]  # where JupyterLab applies overrides
        assert viewers.get("markdown") == "Jupytext Notebook", viewers
        kernel = call("POST", "/api/kernels")
        try:
            info = json.loads((runtime / f"kernel-{kernel['id']}.json").read_text())
            assert info["transport"] == "ipc", info
        finally:
            call("DELETE", f"/api/kernels/{kernel['id']}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the shell and JupyterLab
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(runtime, ignore_errors=True)
        for _ in range(200):  # JupyterLab shuts its kernels down before it exits
            if not _group_alive(server.pid):
                break
            time.sleep(0.1)
        assert not _group_alive(server.pid), "JupyterLab still runs after the test stopped it"
