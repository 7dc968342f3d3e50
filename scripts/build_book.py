"""Build the book strictly into _build/html, unless a build of exactly these inputs is there already.

    python scripts/build_book.py [--force]

The inputs are every file git would see in the working tree (tracked, and untracked
but not ignored, with uncommitted changes as they are), except tests/ and .ci/,
plus the Python version: a fingerprint (SHA-256) of them all is stored with the
result in ``_build/book-build.json``. When the fingerprint matches a build that
passed, nothing is built. Otherwise the old output is removed and the book is
built from scratch (``jupyter-book build . -W -n --keep-going``; the pages run
fresh, several at a time, see _ext/parallel_execution.py); the full log goes to
``_build/book-build.log``. The Chinese editions follow, overlapped with it (see
``_build_editions``), each from the sources ``scripts/editions.py generate`` writes and as strictly, into ``_build/html/zh_CN``
and ``_build/html/zh_TW``: the build passes only if every edition does. ``make book`` runs this, and the test suite's site
fixture (tests/conftest.py) calls ``ensure_built`` so ``make test`` reuses the
build that ``make book`` just made.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from filelock import FileLock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import editions  # noqa: E402

# The editions built after the English one, each into _build/html/<code>/ (scripts/editions.py).
TRANSLATED_EDITIONS = [code for code in editions.EDITIONS if code != editions.SOURCE]
EDITIONS_NAMES = {code: spec["name"] for code, spec in editions.EDITIONS.items()}
# What _ext/parallel_execution.py logs once a build has run all its pages.
PAGES_DONE = re.compile(r"executed \d+ pages in \d+ s")

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
RECORD = BUILD / "book-build.json"
LOG = BUILD / "book-build.log"
LOCK = BUILD / "book-build.lock"
# Output of an earlier build: removed before building, so nothing stale survives.
OUTPUTS = [
    "html",
    ".doctrees",
    "jupyter_execute",
    "executed",
    ".jupyter_cache",
    ".execution_cache",
    "execution.json",
    "editions",
    "i18n-record",
    *(f"executed-{code}" for code in TRANSLATED_EDITIONS),
]
# Tools that measure, browse, grade or make labs: the build never runs or imports them (a test checks
# that no input imports one), so editing one does not make the next test run build the book again.
TOOLS_THE_BUILD_NEVER_READS = (
    "scripts/activation_speed.py",
    "scripts/browse_site.py",
    "scripts/grade_labs.py",
    "scripts/make_labs.py",
    "scripts/measure_budgets.py",
    "scripts/setup_browser.sh",
    "scripts/setup_lab.sh",
)
NOT_INPUTS = ("tests/", ".ci/", *TOOLS_THE_BUILD_NEVER_READS)


def input_files(root: Path = ROOT) -> list[str]:
    """Files the build may read: what git sees in the working tree, minus tests/, .ci/ and the tools above."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    names = sorted({os.fsdecode(n) for n in listed if n})
    return [n for n in names if not n.startswith(NOT_INPUTS) and (root / n).is_file()]


def fingerprint(root: Path = ROOT) -> str:
    """SHA-256 of the inputs' names and contents, the Python version and package-lock.json's install."""
    digest = hashlib.sha256(f"python {sys.version}\n".encode())
    for name in input_files(root):
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256((root / name).read_bytes()).digest())
    return digest.hexdigest()


def read_record() -> dict | None:
    try:
        return json.loads(RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def fresh_record() -> dict | None:
    """The record of a passing build of exactly the current inputs, or None."""
    record = read_record()
    if record and record.get("returncode") == 0 and (HTML / "index.html").is_file():
        if record.get("fingerprint") == fingerprint():
            return record
    return None


def build(*, quiet: bool = False) -> dict:
    """Build from scratch; return (and store) the record: fingerprint, exit code, seconds, pages, log tail."""
    inputs = fingerprint()
    for name in OUTPUTS:
        path = BUILD / name
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    RECORD.unlink(missing_ok=True)
    start = time.perf_counter()
    seconds_of, returncode = _build_editions(quiet)
    seconds = time.perf_counter() - start
    executed = BUILD / "execution.json"
    record = {
        "fingerprint": inputs,
        "returncode": returncode,
        "seconds": round(seconds, 1),
        "editions": seconds_of,
        "html": str(HTML),
        "log": str(LOG),
        "log_tail": LOG.read_text(encoding="utf-8")[-8000:],
        "execution": json.loads(executed.read_text(encoding="utf-8")) if executed.is_file() else None,
    }
    if inputs != fingerprint():
        record["returncode"] = returncode or 1
        record["log_tail"] += "\nThe inputs changed while the book was being built: build again."
    RECORD.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return record


def _jupyter_book(source: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source), "-W", "-n", "--keep-going"]


def _build_editions(quiet: bool) -> tuple[dict[str, float], int]:
    """Build every edition, each in its own process and log, overlapped; return seconds and exit code.

    The next edition starts as soon as the one before has run its pages (its log says
    "executed N pages"): its own reading and page runs then overlap the other's single-threaded
    writing, while no more than one edition's pages run at a time (more would only make them
    fight for the two cores). The logs are joined into LOG, English first.
    """
    began = time.perf_counter()
    logs = {code: BUILD / f"book-build-{code}.log" for code in ["en", *TRANSLATED_EDITIONS]}
    commands = {"en": (_jupyter_book(ROOT), None)}
    failed: dict[str, str] = {}
    for language in TRANSLATED_EDITIONS:
        prepared = _prepare_edition(language)
        if isinstance(prepared, str):
            failed[language] = prepared
        else:
            commands[language] = prepared
    waiting = list(commands)
    running: dict[str, tuple] = {}
    seconds_of, codes = {}, {}

    def start(code: str) -> None:
        command, env = commands[code]
        handle = open(logs[code], "w", encoding="utf-8")
        process = subprocess.Popen(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, text=True, env=env)
        running[code] = (process, handle)

    start(waiting.pop(0))
    while running or waiting:
        pages_done = all(PAGES_DONE.search(logs[code].read_text(encoding="utf-8")) for code in running)
        if waiting and pages_done:
            start(waiting.pop(0))
        for code, (process, handle) in list(running.items()):
            if process.poll() is not None:
                handle.close()
                codes[code] = process.returncode
                seconds_of[code] = round(time.perf_counter() - began, 1)
                del running[code]
                if not quiet:
                    state = "built" if process.returncode == 0 else f"FAILED (exit code {process.returncode})"
                    print(f"{EDITIONS_NAMES[code]} edition {state} after {seconds_of[code]:.0f} s", flush=True)
        if waiting and not running:
            start(waiting.pop(0))
        time.sleep(0.5)
    with open(LOG, "w", encoding="utf-8") as log:
        for code in logs:
            log.write(f"\n=== {EDITIONS_NAMES[code]} edition ({code}) ===\n")
            if code in failed:
                log.write(failed[code])
            elif logs[code].is_file():
                log.write(logs[code].read_text(encoding="utf-8"))
    for language in TRANSLATED_EDITIONS:
        if codes.get(language) == 0:
            _collect_edition(language)
    if not quiet and (failed or any(codes.values())):
        print(LOG.read_text(encoding="utf-8")[-6000:])
    returncode = 3 if failed else max(codes.values(), default=0)
    return seconds_of, returncode


def _prepare_edition(language: str) -> tuple[list[str], dict] | str:
    """Generate the edition's sources; the command and environment that build them, or why not.

    Every page runs fresh in the edition's language; a text the pages show without a
    translation is a warning there (NONLINEAR_I18N_STRICT), so it fails the build, and so
    does a paragraph left in English (checked here, before building).
    """
    source, missing = editions.generate(language)
    if missing:
        lines = [
            f"{page}: {len(lost)} paragraphs without a finished {language} translation, e.g. {lost[0][:80]!r}"
            for page, lost in missing.items()
        ]
        total = sum(map(len, missing.values()))
        lines.append(
            f"{total} paragraphs untranslated: the {language} edition is not built (scripts/editions.py status)."
        )
        return "\n".join(lines) + "\n"
    record = BUILD / "i18n-record" / language
    shutil.rmtree(record, ignore_errors=True)
    env = {**os.environ, "NONLINEAR_I18N_STRICT": "1", "NONLINEAR_I18N_RECORD": str(record)}
    return _jupyter_book(source), env


def _collect_edition(language: str) -> None:
    """Move a built edition's site to _build/html/<language> and its executed pages beside the English ones."""
    source = editions.EDITIONS_DIR / language
    shutil.rmtree(HTML / language, ignore_errors=True)
    shutil.move(source / "_build" / "html", HTML / language)
    shutil.rmtree(executed_dir(language), ignore_errors=True)
    shutil.move(source / "_build" / "executed", executed_dir(language))


def executed_dir(language: str = "en") -> Path:
    """Where a build keeps each page as it executed it (the tests compare the editions' numbers)."""
    return BUILD / ("executed" if language == "en" else f"executed-{language}")


def ensure_built(*, force: bool = False, quiet: bool = False, run_id: str | None = None) -> dict:
    """The record of a build of the current inputs: reused if one passed, else built now (one builder at a time).

    ``run_id`` names a test run: within one run the book is built at most once, even if a
    test writes a file that changes the fingerprint while the run goes on.
    """
    BUILD.mkdir(exist_ok=True)
    with FileLock(str(LOCK)):
        record = read_record()
        if not force and run_id is not None and record and record.get("run") == run_id:
            return {**record, "reused": True}
        record = None if force else fresh_record()
        if record is None:
            record = {**build(quiet=quiet), "reused": False}
        else:
            record["reused"] = True
        if run_id is not None:
            record["run"] = run_id
            RECORD.write_text(
                json.dumps({k: v for k, v in record.items() if k != "reused"}, indent=1), encoding="utf-8"
            )
        return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="build even if a build of these inputs passed")
    args = parser.parse_args()
    record = ensure_built(force=args.force)
    if record["reused"]:
        print(f"The book in {HTML.relative_to(ROOT)} was built from exactly these inputs: nothing to do.")
    elif record["returncode"] == 0:
        print(f"Built {HTML.relative_to(ROOT)} in {record['seconds']:.0f} s (log: {LOG.relative_to(ROOT)}).")
    else:
        print(f"The strict build failed (exit code {record['returncode']}); the log is {LOG.relative_to(ROOT)}.")
    return record["returncode"]


if __name__ == "__main__":
    sys.exit(main())
