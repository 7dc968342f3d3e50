"""The results store: heavy experiments run once by ``make results``, loaded by the pages.

An experiment is a named function ``f(config, seed) -> dict of metrics``
registered with :func:`experiment`, together with its list of configs and
seeds. ``make results`` (``python -m nonlinear.study``) runs every (config,
seed) on all cores and writes ``assets/results/<name>.json``: the per-run
metrics, the environment, the wall time, and a fingerprint (SHA-256) of the
config and of the code that produced them. :func:`load` refuses a file whose
fingerprint no longer matches the code; :func:`rerun` recomputes chosen seeds
from scratch, so anyone can check a stored number.

Runs use one kernel of OpenBLAS (numpy's matrix products), :data:`BLAS_KERNEL`, whatever the CPU.
OpenBLAS picks its kernels for the CPU it finds, and two kernels sum a product in a different
order: the last bits differ, and in a chaotic run (a deep network at a large learning rate) they
grow until the accuracies differ. Stored on an Intel Xeon (kernel SkylakeX), four experiments did
not reproduce on an AMD EPYC (kernel Haswell). The kernel is chosen when numpy loads, from the
environment variable ``OPENBLAS_CORETYPE``: the Makefile sets it for every command it runs, and a
run in a process with another kernel stops with an error that says so.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import inspect
import io
import itertools
import json
import os
import platform
import re
import sys
import time
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nonlinear import timing

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS_DIR = ROOT / "assets" / "results"
# OpenBLAS's kernel for AVX2 with FMA (Intel since 2013, AMD since 2015): every x86-64 machine of the
# last decade can run it, so every such machine recomputes the stored results bit for bit.
BLAS_KERNEL = "Haswell"
# The modules whose code every experiment depends on (besides its own module and any extra ``deps``).
CORE_DEPS = (
    "nonlinear/_arrays.py",
    "nonlinear/activations.py",
    "nonlinear/autograd.py",
    "nonlinear/nn.py",
    "nonlinear/data.py",
    "nonlinear/experiments.py",
)
CHAPTER_MODULES = tuple(f"nonlinear.study.ch{i}" for i in range(1, 8)) + (
    "nonlinear.study.timings",
    "nonlinear.study.elu_dying",
    "nonlinear.study.sparsity_cost",
    "nonlinear.study.switch_leaky",
    "nonlinear.study.sigmoid_inputs",
    "nonlinear.study.leaky_relu6_problems",
    "nonlinear.study.relu_after_lstm",
)

Config = dict[str, Any]
Metrics = dict[str, Any]


class StaleResults(RuntimeError):
    """Stored results are missing, or were produced by other code or another config."""


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: ``function(config, seed)`` over ``configs`` × ``seeds``."""

    name: str
    function: Callable[[Config, int], Metrics]
    configs: tuple[Config, ...]
    seeds: tuple[int, ...]
    deps: tuple[str, ...] = ()
    description: str = ""
    clock: bool = False  # a clock measurement: a rerun gives other times (the store keeps one measurement)

    @property
    def path(self) -> Path:
        return RESULTS_DIR / f"{self.name}.json"

    def tasks(self, seeds: Iterable[int] | None = None, where: Config | None = None) -> list[tuple[Config, int]]:
        chosen = self.seeds if seeds is None else tuple(int(s) for s in seeds)
        configs = [c for c in self.configs if _matches(c, where)]
        if not configs:
            raise ValueError(f"no config of {self.name!r} matches {where}")
        return [(c, s) for s in chosen for c in configs]

    def code_files(self) -> list[str]:
        module_file = Path(inspect.getsourcefile(self.function)).resolve().relative_to(ROOT).as_posix()
        return sorted({*CORE_DEPS, module_file, *self.deps})

    def fingerprint(self) -> str:
        """SHA-256 of the configs, the seeds and the code of every file in :meth:`code_files`
        (:func:`code_text`: an edit to a docstring or a comment leaves the stored runs fresh)."""
        h = hashlib.sha256()
        h.update(json.dumps({"name": self.name, "configs": self.configs, "seeds": self.seeds}, sort_keys=True).encode())
        for rel in self.code_files():
            h.update(rel.encode())
            text = (ROOT / rel).read_text(encoding="utf-8")
            h.update((code_text(text) if rel.endswith(".py") else text).encode())
        return h.hexdigest()


def code_text(source: str) -> str:
    """Python source without its docstrings, comments, blank lines and trailing spaces: what runs. Spans are
    found by ``ast`` (docstrings) and ``tokenize`` (comments) and cut from the text itself, so the result does
    not depend on the Python version's ``ast.dump``; lines inside a multi-line string are kept exactly."""
    lines = re.split(r"(?<=\n)", source)  # ast and tokenize count lines at "\n" only (str.splitlines does not)
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))

    def offset(line: int, column: int, in_bytes: bool) -> int:  # ast counts UTF-8 bytes, tokenize characters
        text = lines[line - 1]
        return starts[line - 1] + (len(text.encode()[:column].decode()) if in_bytes else column)

    spans, inside_strings = [], set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body:
            first = body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                spans.append(
                    (offset(first.lineno, first.col_offset, True), offset(first.end_lineno, first.end_col_offset, True))
                )
    docstrings = set(spans)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            spans.append((offset(*token.start, False), offset(*token.end, False)))
        elif (
            token.start[0] < token.end[0] and (offset(*token.start, False), offset(*token.end, False)) not in docstrings
        ):
            inside_strings.update(range(token.start[0], token.end[0] + 1))  # a multi-line string: kept as written
    kept, at = [], 0
    for start, end in sorted(spans):
        kept.append(source[at:start])
        kept.append("\n" * source[max(at, start) : end].count("\n"))  # a cut keeps its line breaks: numbers still match
        at = max(at, end)
    kept.append(source[at:])
    out = []
    for number, line in enumerate("".join(kept).split("\n"), start=1):
        if number in inside_strings:
            out.append(line)
        elif line.strip():
            out.append(line.rstrip())
    return "\n".join(out)


_EXPERIMENTS: dict[str, Experiment] = {}


def grid(**axes: Sequence[Any]) -> list[Config]:
    """Every combination of the axes: ``grid(depth=[2, 8], opt=['sgd'])`` → two configs."""
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(axes[n] for n in names))]


def experiment(
    name: str,
    configs: Sequence[Config],
    seeds: Iterable[int],
    deps: Sequence[str] = (),
    description: str = "",
    clock: bool = False,
) -> Callable[[Callable[[Config, int], Metrics]], Callable[[Config, int], Metrics]]:
    """Decorator registering ``function(config, seed) -> metrics`` under ``name``.

    The function must depend only on ``config`` and ``seed`` (seed every
    generator from them) and return a dict of numbers or lists of numbers.
    ``clock=True`` marks a measurement of time (the seed numbers a round): it is stored once,
    with the machine that measured it, and every page and edition reads that one measurement.
    """

    def register(function: Callable[[Config, int], Metrics]) -> Callable[[Config, int], Metrics]:
        if not name or any(ch.isspace() or ch in "/\\" for ch in name):
            raise ValueError(f"experiment name must be a non-empty word without spaces or slashes, got {name!r}")
        existing = _EXPERIMENTS.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"experiment {name!r} is already registered by {existing.function.__qualname__}")
        configs_ = tuple(dict(c) for c in configs)
        if not configs_:
            raise ValueError(f"experiment {name!r} needs at least one config")
        json.dumps(configs_)  # configs must be JSON: they are stored and fingerprinted
        _EXPERIMENTS[name] = Experiment(
            name, function, configs_, tuple(int(s) for s in seeds), tuple(deps), description, bool(clock)
        )
        return function

    return register


def experiments() -> dict[str, Experiment]:
    """Every registered experiment, after importing the chapter modules ``nonlinear.study.ch1`` … ``ch7``."""
    for module in CHAPTER_MODULES:
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)
    return dict(_EXPERIMENTS)


def get(name: str) -> Experiment:
    found = experiments()
    if name not in found:
        raise KeyError(f"no experiment named {name!r}; registered: {', '.join(sorted(found)) or 'none'}")
    return found[name]


# --- results ------------------------------------------------------------------------------------------


@dataclass
class Results:
    """The runs of one experiment: a list of ``{"config", "seed", "metrics", "wall_s"}``."""

    name: str
    runs: list[dict[str, Any]]
    info: dict[str, Any] = field(default_factory=dict)

    def table(self):
        """One row per run: the config's keys, ``seed``, and every scalar metric."""
        import pandas as pd

        rows = []
        for run in self.runs:
            scalars = {k: v for k, v in run["metrics"].items() if np.ndim(v) == 0}
            rows.append({**run["config"], "seed": run["seed"], **scalars})
        return pd.DataFrame(rows)

    def select(self, **where: Any) -> list[dict[str, Any]]:
        """The runs whose config has the given values, sorted by seed."""
        return sorted((r for r in self.runs if _matches(r["config"], where)), key=lambda r: r["seed"])

    def values(self, metric: str, **where: Any) -> np.ndarray:
        """``metric`` for the runs matching ``where``, one per seed in seed order (for paired comparisons)."""
        runs = self.select(**where)
        seeds = [r["seed"] for r in runs]
        if not runs:
            raise KeyError(f"{self.name}: no run matches {where}")
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"{self.name}: {where} matches several configs per seed; name more config keys")
        return np.asarray([r["metrics"][metric] for r in runs], dtype=float)

    def seeds(self, **where: Any) -> list[int]:
        return [r["seed"] for r in self.select(**where)]


def _matches(config: Config, where: Config | None) -> bool:
    return not where or all(k in config and config[k] == v for k, v in where.items())


def blas_kernel() -> str | None:
    """The kernel OpenBLAS (numpy's) chose in this process, e.g. ``"Haswell"``; None if numpy uses another BLAS."""
    from threadpoolctl import threadpool_info

    found = [i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"]
    return found[0] if found else None


class WrongBlasKernel(RuntimeError):
    """A run in a process whose OpenBLAS kernel is not :data:`BLAS_KERNEL` (its results would not reproduce)."""


def check_blas_kernel() -> None:
    """Refuse to run on x86-64 with another OpenBLAS kernel than :data:`BLAS_KERNEL` (see the module docstring).
    Other architectures have no such kernel: there the results are the machine's own."""
    kernel = blas_kernel()
    if platform.machine().lower() in ("x86_64", "amd64") and kernel not in (None, BLAS_KERNEL):
        raise WrongBlasKernel(
            f"numpy's OpenBLAS runs its {kernel} kernels here; the stored experiments use {BLAS_KERNEL}, so that any "
            f"x86-64 machine reproduces them bit for bit. Start Python with OPENBLAS_CORETYPE={BLAS_KERNEL} "
            "(make results and make test do)."
        )


def _run_one(name: str, config: Config, seed: int) -> dict[str, Any]:
    """Run one (config, seed) single-threaded, so that results do not depend on the number of BLAS threads."""
    from threadpoolctl import threadpool_limits

    check_blas_kernel()
    exp = _EXPERIMENTS[name] if name in _EXPERIMENTS else get(name)
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            metrics = exp.function(dict(config), int(seed))
        finally:
            torch.set_num_threads(threads)
    if not isinstance(metrics, dict):
        raise TypeError(f"experiment {name!r} must return a dict of metrics, got {type(metrics).__name__}")
    metrics = _plain(metrics)
    return {"config": dict(config), "seed": int(seed), "metrics": metrics, "wall_s": time.perf_counter() - start}


def _plain(value: Any) -> Any:
    """Numpy scalars and arrays as JSON numbers and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"metric values must be numbers, strings or lists of them, got {type(value).__name__}")


def environment() -> dict[str, Any]:
    """Where the results were produced: versions, platform and cores."""
    import torch

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu": timing.cpu_model(),
        "cpu_count": os.cpu_count(),
        "blas_kernel": blas_kernel(),
    }


def recorded_cpus() -> set[str]:
    """The CPU models named by the stored results (``environment["cpu"]`` of each file)."""
    return {
        json.loads(path.read_text(encoding="utf-8")).get("environment", {}).get("cpu", "")
        for path in RESULTS_DIR.glob("*.json")
    } - {""}


def rerun(name: str, seeds: Iterable[int] | None = None, where: Config | None = None) -> Results:
    """Recompute the runs of ``name`` for ``seeds`` (all by default) and configs matching ``where``; store nothing."""
    exp = get(name)
    return Results(name, [_run_one(name, c, s) for c, s in exp.tasks(seeds, where)])


def load(name: str) -> Results:
    """The stored results of ``name``; :class:`StaleResults` (naming the command to rerun) if missing or stale."""
    exp = get(name)
    command = f"make results NAME={name}"
    if not exp.path.exists():
        raise StaleResults(f"no stored results for {name!r} ({_shown(exp.path)}); run: {command}")
    stored = json.loads(exp.path.read_text(encoding="utf-8"))
    if stored.get("fingerprint") != exp.fingerprint():
        raise StaleResults(
            f"stored results of {name!r} are stale: its code or config changed since they were produced "
            f"({stored.get('created', '?')}); run: {command}"
        )
    info = {k: v for k, v in stored.items() if k != "runs"}
    return Results(name, stored["runs"], info)


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def is_fresh(name: str) -> bool:
    try:
        load(name)
    except StaleResults:
        return False
    return True


def save(
    exp: Experiment,
    runs: list[dict[str, Any]],
    wall_time_s: float,
    fingerprint: str | None = None,
    load_average: float | None = None,
) -> Path:
    """Write the runs; ``fingerprint`` is the one taken when the runs started (code edited meanwhile is not theirs),
    and ``load_average`` the machine's 1-minute load then (other work slows a clock measurement)."""
    order = {json.dumps(c, sort_keys=True): i for i, c in enumerate(exp.configs)}
    runs = sorted(runs, key=lambda r: (r["seed"], order[json.dumps(r["config"], sort_keys=True)]))
    payload = {
        "name": exp.name,
        "description": exp.description,
        "fingerprint": fingerprint or exp.fingerprint(),
        "code_files": exp.code_files(),
        "configs": exp.configs,
        "seeds": exp.seeds,
        "clock": exp.clock,
        "created": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "environment": {**environment(), "load_average_at_start": load_average},
        "wall_time_s": round(wall_time_s, 2),
        "run_time_s": round(sum(r["wall_s"] for r in runs), 2),
        "runs": runs,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    exp.path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return exp.path


def _task(args: tuple[str, Config, int]) -> tuple[str, dict[str, Any]]:
    name, config, seed = args
    return name, _run_one(name, config, seed)


def run(
    names: Sequence[str] | None = None, jobs: int = 2, force: bool = False, progress: bool = True
) -> dict[str, float]:
    """Run the experiments ``names`` (default: all missing or stale ones; all with ``force``) on ``jobs`` processes.

    Writes one JSON file per experiment as soon as its last run finishes;
    returns each experiment's wall time in seconds.
    """
    from tqdm import tqdm

    found = experiments()
    if names:
        unknown = [n for n in names if n not in found]
        if unknown:
            raise KeyError(f"unknown experiment(s) {unknown}; registered: {', '.join(sorted(found))}")
        chosen = list(names)
    else:
        chosen = [n for n in sorted(found) if force or not is_fresh(n)]
    tasks = [(n, c, s) for n in chosen for c, s in found[n].tasks()]
    pending = {n: len(found[n].tasks()) for n in chosen}
    fingerprints = {n: found[n].fingerprint() for n in chosen}  # of the code these runs execute
    load_average = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    runs: dict[str, list] = {n: [] for n in chosen}
    started = {n: time.perf_counter() for n in chosen}
    walls: dict[str, float] = {}
    start = time.perf_counter()
    bar = tqdm(total=len(tasks), desc="make results", unit="run", disable=not progress, file=sys.stdout)
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing

        pool = multiprocessing.get_context("fork").Pool(jobs)
        iterator = pool.imap_unordered(_task, tasks)
    else:
        pool, iterator = None, map(_task, tasks)
    try:
        for name, result in iterator:
            runs[name].append(result)
            pending[name] -= 1
            bar.update(1)
            bar.set_postfix_str(name)
            if pending[name] == 0:
                walls[name] = time.perf_counter() - started[name]
                save(found[name], runs[name], walls[name], fingerprints[name], load_average)
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()
    walls["total"] = time.perf_counter() - start
    return walls
