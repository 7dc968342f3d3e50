"""Measure the course against its budgets (shared design: Budgets).

    python scripts/measure_budgets.py [--skip-build] [--skip-suite] [--skip-full-suite] [--skip-notebooks]
                                      [--skip-activations] [--keep-skipped]

1. every chapter and lab: wall time (kernel start to last cell) and peak memory
   of the kernel process, against <= 30 s and <= 1 GiB each;
2. the whole strict build from scratch into _build/html, as `make book` runs it
   (scripts/build_book.py: every page executed fresh, one per core), against
   <= 3 min; then, on that site, the browser tests (tests/test_site.py) of the
   English edition, as `make test-quick` runs them, against <= 2 min (and the Chinese
   editions' pages, which `make test` reads too, timed apart), and the weight of every page with everything it loads, as headless
   Chromium fetched it (scripts/browse_site.py); then the test suite as `make test-quick`
   runs it, warm (environment installed, that build reused), against <= 5 min, and the
   whole suite as `make test` (and CI) runs it, warm too, timed with no budget of its own;
3. each numpy activation of `nonlinear.activations` against its
   `torch.nn.functional` counterpart on 10**6 elements, float32 and float64, forward
   and forward + backward, and an MLP training step, one thread each
   (scripts/activation_speed.py, in a fresh process; run alone with
   `--skip-notebooks --skip-build --skip-suite --skip-full-suite`).

Writes assets/benchmarks/latest.md (shown by chapters/benchmarks.md) and
assets/benchmarks/latest.json, and prints the tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

import psutil
from book_notebooks import ROOT, NotebookFailure, discover, execute, label, usable_cores
from browse_site import PAGE_BUDGET_BYTES

from nonlinear.timing import cpu_model

OUT_DIR = ROOT / "assets" / "benchmarks"
NOTEBOOK_BUDGET_S = 30.0
NOTEBOOK_BUDGET_MIB = 1024.0
BUILD_BUDGET_S = 180.0  # the English edition
EDITIONS_BUDGET_S = 480.0  # all three editions, one after another
BROWSER_BUDGET_S = 120.0
SUITE_BUDGET_S = 300.0
RESULTS_BUDGET_S = 45 * 60.0  # make results on two cores


def quick_markers(makefile: Path = ROOT / "Makefile") -> str:
    """The marker expression `make test-quick` selects with (QUICK_MARKERS in the Makefile)."""
    found = re.search(r"^QUICK_MARKERS\s*:?=\s*(.+)$", makefile.read_text(encoding="utf-8"), flags=re.MULTILINE)
    if found is None:
        raise SystemExit(f"{makefile} defines no QUICK_MARKERS (the markers make test-quick leaves out)")
    return found.group(1).strip()


FULL_SUITE_COMMAND = ["-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider"]  # make test's pytest
SUITE_COMMAND = [*FULL_SUITE_COMMAND[:4], "-m", quick_markers(), *FULL_SUITE_COMMAND[4:]]  # make test-quick's
PAGE_BUDGET_KIB = PAGE_BUDGET_BYTES // 1024
ACTIVATION_ELEMENTS = 10**6
SAMPLE_EVERY_S = 0.02


def say(message: str) -> None:
    print(message, flush=True)


# ------------------------------------------------------------------ environment


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_commit() -> str:
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return result.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "no commit"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def environment(torch_threads: int) -> dict:
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        # other work on the machine slows every number below; the 1-minute load says how much there was
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch_threads": torch_threads,
        "commit": git_commit(),
        "versions": {p: version(p) for p in ("numpy", "scipy", "torch", "jupyter-book", "myst-nb")},
    }


# --------------------------------------------------------------------- notebooks


class PeakMemory:
    """Peak resident memory of a kernel process and its children, in MiB.

    Samples every 20 ms; on Linux it also reads the kernel's VmHWM (the peak
    the operating system itself recorded), so short spikes are not missed.
    """

    def __init__(self) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, pid: int) -> None:
        self._thread = threading.Thread(target=self._run, args=(pid,), daemon=True)
        self._thread.start()

    def _run(self, pid: int) -> None:
        try:
            kernel = psutil.Process(pid)
            status = Path(f"/proc/{pid}/status")
            while not self._stop.is_set():
                tree = [kernel, *kernel.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree if p.is_running())
                hwm = 0
                if status.exists():
                    for line in status.read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            hwm = int(line.split()[1]) * 1024
                self.peak_bytes = max(self.peak_bytes, rss, hwm)
                time.sleep(SAMPLE_EVERY_S)
        except (psutil.NoSuchProcess, psutil.AccessDenied, FileNotFoundError, ProcessLookupError):
            pass  # the kernel has exited

    def stop(self) -> float:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.peak_bytes / 2**20


def measure_notebook(path: Path) -> dict:
    memory = PeakMemory()
    start = time.perf_counter()
    error = None
    try:
        execute(path, on_kernel_start=lambda client: memory.watch(client.km.provisioner.pid))
    except NotebookFailure as failure:
        error = str(failure).splitlines()[0]
    seconds = time.perf_counter() - start
    mib = memory.stop()
    within = error is None and seconds <= NOTEBOOK_BUDGET_S and mib <= NOTEBOOK_BUDGET_MIB
    return {
        "notebook": label(path),
        "seconds": round(seconds, 2),
        "peak_mib": round(mib, 1),
        "within_budget": within,
        "error": error,
    }


def measure_notebooks() -> list[dict]:
    # The pages a reader or student runs; the lab masters run with their hidden tests in tests/test_labs.py.
    paths = [p for p in discover() if "masters" not in p.parts]
    rows = []
    for number, path in enumerate(paths, start=1):
        say(f"[notebook {number}/{len(paths)}] {label(path)} ...")
        row = measure_notebook(path)
        say(f"    {row['seconds']:.1f} s, {row['peak_mib']:.0f} MiB" + _failed(row))
        rows.append(row)
    return rows


def _failed(row: dict) -> str:
    return f"  FAILED: {row['error']}" if row.get("error") else ""


# ------------------------------------------------------------------------- build


def measure_build(measure_site: bool = True) -> dict:
    say("[build] the strict build, from scratch, as make book runs it ...")
    from build_book import HTML, ensure_built

    record = ensure_built(force=True, quiet=True)
    ok = record["returncode"] == 0
    execution = record.get("execution") or {}
    row = {
        "seconds": record["seconds"],
        "exit_code": record["returncode"],
        "jobs": execution.get("jobs"),
        "execution_seconds": execution.get("seconds"),
        "editions": record.get("editions") or {},
        "within_budget": ok and (record.get("editions") or {}).get("en", record["seconds"]) <= BUILD_BUDGET_S,
        "all_within_budget": ok and record["seconds"] <= EDITIONS_BUDGET_S,
    }
    say(
        f"    {record['seconds']:.0f} s (pages: {row['execution_seconds']} s, {row['jobs']} at a time), exit code {record['returncode']}"
    )
    if not ok:
        say(record["log_tail"][-3000:])
    elif measure_site:
        row["browser_tests"] = measure_browser_tests(HTML, "not editions")  # what make test-quick reads
        row["browser_tests_editions"] = measure_browser_tests(HTML, "editions")  # make test reads these too
        row["pages"] = measure_page_weights(HTML)
    return row


def measure_suite(
    command: list[str] = SUITE_COMMAND, what: str = "make test-quick's pytest", budget_s: float | None = SUITE_BUDGET_S
) -> dict:
    """The test suite as ``command`` runs it (by default `make test-quick`'s: no fresh environments, so no
    second run of every page); warm when the environment is installed and the build above is reused.
    ``within_budget`` is None when the suite has no budget (``budget_s`` None)."""
    from build_book import fresh_record

    reused = fresh_record() is not None
    say(f"[suite] {what} ({'build reused' if reused else 'building the book inside'}) ...")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    last = (result.stdout.strip().splitlines() or [""])[-1]
    failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    say(f"    {seconds:.0f} s: {last}" + "".join(f"\n    {line}" for line in failed))
    return {
        "seconds": round(seconds, 1),
        "exit_code": result.returncode,
        "build_reused": reused,
        "summary": last.strip("= "),
        "failed": failed,
        "within_budget": None if budget_s is None else result.returncode == 0 and seconds <= budget_s,
    }


def measure_browser_tests(html_dir: Path, markers: str) -> dict:
    """Run the tests of tests/test_site.py that ``markers`` selects against the site just built, as CI
    runs them (two workers)."""
    say(f'[site] browser tests (tests/test_site.py -m "{markers}") ...')
    command = [sys.executable, "-m", "pytest", "-q", "-rf", "-n", "2", "-p", "no:cacheprovider", "-m", markers]
    start = time.perf_counter()
    result = subprocess.run(
        [*command, "tests/test_site.py"],
        cwd=ROOT,
        env={**os.environ, "NONLINEAR_SITE": str(html_dir)},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    last = (result.stdout.strip().splitlines() or [""])[-1]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    say(f"    {seconds:.0f} s: {last}" + "".join(f"\n    {line}" for line in failed))
    return {
        "seconds": round(seconds, 1),
        "exit_code": result.returncode,
        "summary": last.strip("= "),
        "failed": failed,
        "within_budget": result.returncode == 0 and seconds <= BROWSER_BUDGET_S,
    }


def measure_page_weights(html_dir: Path) -> list[dict]:
    """Bytes each page loads (the page and every asset it fetches), as headless Chromium saw them."""
    from browse_site import chromium, serve, visit  # Playwright is imported only when the site is measured

    sys.path.insert(0, str(ROOT / "tests"))
    from test_toc import toc_entries

    say("[site] page weights ...")
    rows = []
    with serve(html_dir) as base_url, chromium() as browser:
        for entry in toc_entries():
            report = visit(browser, base_url, f"{entry}.html", axe=False)
            rows.append(
                {
                    "page": entry,
                    "html_kib": round(report.page_bytes / 1024, 1),
                    "assets_kib": round(report.asset_bytes / 1024, 1),
                    "total_kib": round(report.total_bytes / 1024, 1),
                    "requests": report.requests,
                    "within_budget": report.total_bytes <= PAGE_BUDGET_KIB * 1024,
                }
            )
    return rows


# ------------------------------------------------------------------- activations


def measure_activations(repeats: int) -> tuple[dict | None, str | None]:
    """Run scripts/activation_speed.py in a fresh process (one thread for numpy, OpenBLAS and torch)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "speed.json"
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        command = [sys.executable, str(ROOT / "scripts" / "activation_speed.py"), "--repeats", str(repeats)]
        run = subprocess.run([*command, "--json", str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        if run.returncode != 0 or not out.exists():
            return None, f"scripts/activation_speed.py failed with exit status {run.returncode}"
        return json.loads(out.read_text(encoding="utf-8")), None


# ------------------------------------------------------------------------ report


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def measure_results_store(rerun: bool) -> dict:
    """The heavy experiments of ``make results``: each one's stored wall time, or all rerun now (``--rerun-results``).

    The stored wall time runs from the start of the ``make results`` that last ran the
    experiment to its last run, so the wall times of experiments run together overlap and
    are not added up; ``run_time_s`` adds up the single runs, so half of it estimates the
    wall time on two idle cores, and that estimate is held against the budget.
    """
    from nonlinear import study

    seconds = None
    if rerun:
        say("[results] make results FORCE=1 (every experiment, both cores) ...")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nonlinear.study", "--jobs", "2", "--force"], cwd=ROOT, check=True)
        seconds = time.perf_counter() - start
    rows = []
    for name in sorted(study.experiments()):
        path = ROOT / "assets" / "results" / f"{name}.json"
        stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        rows.append(
            {
                "name": name,
                "runs": len(stored.get("runs", [])),
                "wall_time_s": stored.get("wall_time_s"),
                "run_time_s": stored.get("run_time_s"),
                "created": stored.get("created"),
                "fresh": study.is_fresh(name),
            }
        )
    runs = sum(r["run_time_s"] or 0 for r in rows)
    return {
        "experiments": rows,
        "rerun_seconds": None if seconds is None else round(seconds, 1),
        "runs_s": round(runs, 1),
        "within_budget": (seconds if seconds is not None else runs / 2) <= RESULTS_BUDGET_S,
    }


def results_report(store: dict) -> str:
    """The results-store section of the report."""
    lines = [
        f"Budget: all of `make results` in ≤ {RESULTS_BUDGET_S / 60:.0f} min on two cores. "
        + (
            f"Rerun in this benchmark: {store['rerun_seconds'] / 60:.1f} min."
            if store["rerun_seconds"] is not None
            else "Times as stored by the last `make results` of each experiment (not rerun in this benchmark; "
            "the machine may have run other work then). A wall time runs from the start of that `make results` "
            "to the experiment's last run, so experiments run together overlap and their wall times are not "
            "added up."
        )
        + f" The single runs add up to {store['runs_s'] / 60:.1f} CPU-minutes, so about "
        f"{store['runs_s'] / 120:.1f} min on two idle cores. Budget: {verdict(store['within_budget'])}.\n",
        table(
            ["experiment", "runs", "wall time (s)", "runs added up (s)", "stored", "fresh"],
            [
                [
                    f"`{r['name']}`",
                    str(r["runs"]),
                    fmt(r["wall_time_s"], 0),
                    fmt(r["run_time_s"], 0),
                    r["created"] or "–",
                    "yes" if r["fresh"] else "**no**",
                ]
                for r in store["experiments"]
            ],
        ),
    ]
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "pass" if ok else "**over**"


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def ratio(numpy_ms: float | None, torch_ms: float | None) -> str:
    return "–" if not (numpy_ms and torch_ms) else f"{numpy_ms / torch_ms:.1f}×"


def report(results: dict) -> str:
    env = results["environment"]
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    parts = [
        f"Measured on {env['date_utc']} on {env['cpu']} "
        f"({env['usable_cores']} usable of {env['logical_cores']} logical cores, "
        f"{env['memory_gib']} GiB memory, load average {env['load_average_1min']} at the start), "
        f"{env['os']}, Python {env['python']}; "
        f"{versions}; commit {env['commit']}.",
    ]

    notebooks = results.get("notebooks")
    parts.append("## Chapters and labs\n")
    if notebooks is None:
        parts.append("Not measured in this run (`--skip-notebooks`).")
    else:
        parts.append(carried_note(results, "notebooks"))
        parts.append(
            f"Budget: each one executes in ≤ {NOTEBOOK_BUDGET_S:.0f} s with a peak memory "
            f"≤ {NOTEBOOK_BUDGET_MIB:.0f} MiB. Time runs from kernel start to the end of "
            "the last cell; memory is the kernel process's peak resident set.\n"
        )
        parts.append(
            table(
                ["notebook", "time (s)", "peak memory (MiB)", "budget"],
                [
                    [
                        f"`{r['notebook']}`",
                        fmt(r["seconds"]),
                        fmt(r["peak_mib"], 0),
                        "**failed**" if r["error"] else verdict(r["within_budget"]),
                    ]
                    for r in notebooks
                ],
            )
        )

    build = results.get("build")
    parts.append("## Whole book\n")
    if build is None:
        parts.append("Not measured in this run (`--skip-build`).")
    else:
        parts.append(carried_note(results, "build"))
        for key, what in (("suite", "the quick test suite's time is"), ("full_suite", "the whole suite's time is")):
            if key in results.get("carried", {}) and "build" not in results["carried"]:
                parts.append(carried_note(results, key).replace("these numbers are", what))
        jobs = (
            f", pages executed {build['jobs']} at a time ({fmt(build.get('execution_seconds'), 0)} s)"
            if build.get("jobs")
            else ""
        )
        editions = build.get("editions") or {}
        rows = [
            [
                f"strict build (`make book`), from scratch, English edition{jobs}",
                fmt(editions.get("en", build["seconds"]), 0),
                str(build["exit_code"]),
                f"≤ {BUILD_BUDGET_S:.0f} s: {verdict(build['within_budget'])}",
            ]
        ]
        for code, seconds in editions.items():
            if code != "en":
                rows.append(
                    [
                        f"… the {code} edition done, s after the start (sources generated, every page run in {code})",
                        fmt(seconds, 0),
                        "",
                        "",
                    ]
                )
        if editions:
            rows.append(
                [
                    "the whole build, every edition",
                    fmt(build["seconds"], 0),
                    str(build["exit_code"]),
                    f"≤ {EDITIONS_BUDGET_S:.0f} s: {verdict(build.get('all_within_budget', False))}",
                ]
            )
        browser = build.get("browser_tests")
        if browser:
            rows.append(
                [
                    f"browser tests on that site, the English edition's pages and the site-wide checks, as "
                    f"`make test-quick` runs them ({browser['summary']})",
                    fmt(browser["seconds"], 0),
                    str(browser["exit_code"]),
                    f"≤ {BROWSER_BUDGET_S:.0f} s: {verdict(browser['within_budget'])}",
                ]
            )
        chinese = build.get("browser_tests_editions")
        if chinese:
            rows.append(
                [
                    f"… and the two Chinese editions' pages, which `make test` reads as well ({chinese['summary']})",
                    fmt(chinese["seconds"], 0),
                    str(chinese["exit_code"]),
                    "no budget of its own",
                ]
            )
        suite = results.get("suite")
        if suite:
            how = "the build above reused" if suite["build_reused"] else "the book built inside it"
            rows.append(
                [
                    f"quick test suite (`make test-quick`), warm: {how} ({suite['summary']})",
                    fmt(suite["seconds"], 0),
                    str(suite["exit_code"]),
                    f"≤ {SUITE_BUDGET_S:.0f} s: {verdict(suite['within_budget'])}",
                ]
            )
        full = results.get("full_suite")
        if full:
            how = "the build above reused" if full["build_reused"] else "the book built inside it"
            rows.append(
                [
                    f"whole test suite (`make test`, what CI runs: the quick suite, the Binder and grading "
                    f"environments, the Chinese pages in the browser, otter on every lab), warm: {how} "
                    f"({full['summary']})",
                    fmt(full["seconds"], 0),
                    str(full["exit_code"]),
                    "no budget of its own" + ("" if full["exit_code"] == 0 else ": **failed**"),
                ]
            )
        parts.append(table(["what", "time (s)", "exit code", "budget"], rows))
        pages = build.get("pages")
        if pages:
            parts.append("## Page weight\n")
            parts.append(
                f"What each page loads, as headless Chromium fetched it from a local server: the page's HTML "
                f"(with any animation frames embedded in it) and every asset it requested (styles, scripts, "
                f"MathJax and its fonts, the widget manager, images), uncompressed, in KiB. Budget: "
                f"≤ {PAGE_BUDGET_KIB / 1024:.0f} MiB per page. A web server that compresses would send less.\n"
            )
            parts.append(
                table(
                    ["page", "HTML", "assets", "total", "requests", "budget"],
                    [
                        [
                            f"`{r['page'].removeprefix('chapters/')}`",
                            fmt(r["html_kib"], 0),
                            fmt(r["assets_kib"], 0),
                            fmt(r["total_kib"], 0),
                            str(r["requests"]),
                            verdict(r["within_budget"]),
                        ]
                        for r in pages
                    ],
                )
            )

    store = results.get("results_store")
    if store:
        parts.append("## Heavy experiments (`make results`)\n")
        parts.append(results_report(store))

    parts.append("## Activations and a training step: numpy against PyTorch\n")
    if results.get("activations_note"):
        parts.append(f"Not measured: {results['activations_note']}.")
    elif results.get("activations") is None:
        parts.append("Not measured in this run (`--skip-activations`).")
    else:
        from activation_speed import report as speed_report

        parts.append(carried_note(results, "activations") + "\n" + speed_report(results["activations"]))
    return "\n\n".join(part.strip() for part in parts if part.strip()) + "\n"


def carry_skipped(results: dict, skipped: dict[str, bool]) -> None:
    """Copy each skipped section from the last run written to disk, noting when it was measured."""
    path = OUT_DIR / "latest.json"
    if not path.exists():
        return
    previous = json.loads(path.read_text(encoding="utf-8"))
    env = previous["environment"]
    for key, skip in skipped.items():
        if skip and previous.get(key) is not None:
            results[key] = previous[key]
            results.setdefault("carried", {})[key] = previous.get("carried", {}).get(
                key, f"{env['date_utc']} (commit {env['commit']})"
            )


def carried_note(results: dict, key: str) -> str:
    when = results.get("carried", {}).get(key)
    return f"*Not measured again in this run: these numbers are from the run of {when}.*\n" if when else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true", help="skip the full book build")
    parser.add_argument("--skip-suite", action="store_true", help="skip timing the quick test suite")
    parser.add_argument("--skip-full-suite", action="store_true", help="skip timing the whole test suite (make test)")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-activations", action="store_true")
    parser.add_argument(
        "--rerun-results", action="store_true", help="time make results FORCE=1 instead of reading the stored times"
    )
    parser.add_argument(
        "--keep-skipped",
        action="store_true",
        help="show the skipped sections from the last written latest.json, marked with when they were measured",
    )
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        help="threads torch may use (default 1: numpy's elementwise code is single-threaded)",
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.torch_threads)
    results: dict = {
        "environment": environment(torch.get_num_threads()),
        "repeats": args.repeats,
    }
    if not args.skip_notebooks:
        results["notebooks"] = measure_notebooks()
    if not args.skip_build:
        results["build"] = measure_build()
    if not args.skip_suite:
        results["suite"] = measure_suite()
    if not args.skip_full_suite:
        results["full_suite"] = measure_suite(FULL_SUITE_COMMAND, "make test's pytest, the whole suite", budget_s=None)
    results["results_store"] = measure_results_store(args.rerun_results)
    if not args.skip_activations:
        results["activations"], results["activations_note"] = measure_activations(args.repeats)
    if args.keep_skipped:
        skipped = {
            "notebooks": args.skip_notebooks,
            "build": args.skip_build,
            "suite": args.skip_suite,
            "full_suite": args.skip_full_suite,
            "activations": args.skip_activations,
        }
        carry_skipped(results, skipped)

    markdown = report(results)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "latest.md").write_text(markdown, encoding="utf-8")
    (OUT_DIR / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    say("\n" + markdown)
    say(f"Written: {label(OUT_DIR / 'latest.md')} and {label(OUT_DIR / 'latest.json')}")

    over = [r["notebook"] for r in results.get("notebooks", []) if not r["within_budget"]]
    build = results.get("build", {})
    if build and not build["within_budget"]:
        over.append("the book build")
    if build.get("browser_tests") and not build["browser_tests"]["within_budget"]:
        over.append("the browser tests")
    if results.get("suite") and not results["suite"]["within_budget"]:
        over.append("the test suite")
    if results.get("full_suite") and results["full_suite"]["exit_code"] != 0:
        over.append("the whole test suite (failed)")
    if not results["results_store"]["within_budget"]:
        over.append("make results")
    over += [f"page {r['page']}" for r in build.get("pages", []) if not r["within_budget"]]
    if over:
        say(f"Over budget or failed: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
