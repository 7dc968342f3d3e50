"""scripts/build_book.py reuses a build only for exactly the same inputs; a failing page is named once.

- The fingerprint changes with any edit git can see (committed or not, new files
  too), and not with ignored files, tests/ or the tools the build never reads
  (which no input imports).
- In a small book built with the book's execution extension, a page that raises is
  reported with its cell and error (the strict build fails), its neighbours are
  built, and execution.json says which page failed and why.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from build_book import TOOLS_THE_BUILD_NEVER_READS, fingerprint, input_files

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_fingerprint_follows_every_input_git_sees(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("_build/\n")
    (tmp_path / "page.md").write_text("one\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("x = 1\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
    first = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == first, "the same inputs give the same fingerprint"

    (tmp_path / "page.md").write_text("two\n")  # uncommitted edit
    edited = fingerprint(tmp_path)
    assert edited != first
    (tmp_path / "new.md").write_text("new\n")  # untracked, not ignored
    added = fingerprint(tmp_path)
    assert added != edited

    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "out.html").write_text("output\n")  # ignored: an output, not an input
    (tmp_path / "tests" / "test_x.py").write_text("x = 2\n")  # the tests do not change the book
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "browse_site.py").write_text("print()\n")  # nor a tool the build never runs
    assert fingerprint(tmp_path) == added


def test_no_input_of_the_build_imports_a_tool_left_out_of_the_fingerprint():
    """Leaving a tool out of the fingerprint is safe only while no page, extension or module imports it."""
    modules = [Path(t).stem for t in TOOLS_THE_BUILD_NEVER_READS if t.endswith(".py")]
    pattern = re.compile(rf"^\s*(?:import|from)\s+({'|'.join(modules)})\b", re.MULTILINE)
    readers = []
    for name in input_files(ROOT):
        if not name.endswith((".py", ".md", ".ipynb")):
            continue
        text = (ROOT / name).read_text(encoding="utf-8")
        if name.endswith(".ipynb"):
            text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        readers += [f"{name} imports {m}" for m in pattern.findall(text)]
    assert readers == [], readers
    assert all((ROOT / t).is_file() for t in TOOLS_THE_BUILD_NEVER_READS), "a tool listed there is gone"


PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# {title}

```{{code-cell}} ipython3
{code}
```
"""


def test_a_failing_page_is_named_with_its_cell_and_the_others_are_built(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text(
        "title: Failure report\nexecute:\n  execute_notebooks: force\n"
        f"sphinx:\n  local_extensions:\n    parallel_execution: {ROOT / '_ext'}\n",
        encoding="utf-8",
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: good\nchapters:\n- file: bad\n", encoding="utf-8")
    (book / "good.md").write_text(PAGE.format(title="Good", code="print(6 * 7)"), encoding="utf-8")
    (book / "bad.md").write_text(PAGE.format(title="Bad", code="1 / 0"), encoding="utf-8")
    out = tmp_path / "out"
    command = [str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going", "--path-output", str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    log = done.stdout + done.stderr

    assert done.returncode != 0, "a page that raises must fail the strict build"
    assert "executing the page failed" in log and "ZeroDivisionError" in log, log[-3000:]
    assert log.count("executing the page failed") == 1, "the failure is reported once"
    pages = json.loads((out / "_build" / "execution.json").read_text())["pages"]
    bad = next(v for k, v in pages.items() if k.endswith("bad.md"))
    good = next(v for k, v in pages.items() if k.endswith("good.md"))
    assert good["failure"] is None
    assert "cell 2 (code cell 1)" in bad["failure"] and "ZeroDivisionError" in bad["failure"], bad
    assert "42" in (out / "_build" / "html" / "good.html").read_text(encoding="utf-8")
    assert "Executing notebook using" not in log, "MyST-NB ran the failed page a second time"


def test_a_passing_build_of_the_same_inputs_is_reused_and_a_failed_one_is_not(tmp_path, monkeypatch):
    import build_book

    build = tmp_path / "_build"
    monkeypatch.setattr(build_book, "BUILD", build)
    monkeypatch.setattr(build_book, "HTML", build / "html")
    monkeypatch.setattr(build_book, "RECORD", build / "book-build.json")
    monkeypatch.setattr(build_book, "LOCK", build / "book-build.lock")
    inputs = {"now": "a"}
    monkeypatch.setattr(build_book, "fingerprint", lambda root=None: inputs["now"])
    builds = []

    def fake_build(quiet=False):
        builds.append(inputs["now"])
        (build / "html").mkdir(parents=True, exist_ok=True)
        (build / "html" / "index.html").write_text("site")
        record = {"fingerprint": inputs["now"], "returncode": 0 if inputs["now"] != "broken" else 1}
        build_book.RECORD.write_text(json.dumps(record))
        return record

    monkeypatch.setattr(build_book, "build", fake_build)
    assert build_book.ensure_built()["reused"] is False
    assert build_book.ensure_built()["reused"] is True and builds == ["a"], "the same inputs: no second build"
    inputs["now"] = "b"  # an input changed
    assert build_book.ensure_built()["reused"] is False and builds == ["a", "b"]
    inputs["now"] = "broken"
    assert build_book.ensure_built()["returncode"] == 1
    assert build_book.ensure_built()["reused"] is False and builds == ["a", "b", "broken", "broken"], (
        "a failed build is never reused"
    )
    assert build_book.ensure_built(force=True)["reused"] is False
    builds.clear()
    assert build_book.ensure_built(run_id="run-1")["returncode"] == 1  # builds (the last one failed)
    inputs["now"] = "c"  # a test wrote a file the fingerprint sees
    assert build_book.ensure_built(run_id="run-1")["reused"] is True, "one test run builds the book at most once"
    assert builds == ["broken"]
