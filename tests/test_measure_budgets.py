"""The benchmarks page: a partial run (``make bench BENCH_ARGS="--skip-build --keep-skipped"``) keeps
the sections it skipped from the last run and says when those were measured."""

from __future__ import annotations

import json

import measure_budgets


def _environment(date: str, commit: str) -> dict:
    return {
        "date_utc": date,
        "cpu": "a CPU",
        "logical_cores": 2,
        "usable_cores": 2,
        "memory_gib": 8.0,
        "load_average_1min": 0.5,
        "os": "Linux",
        "python": "3.11",
        "torch_threads": 1,
        "commit": commit,
        "versions": {"numpy": "2"},
    }


def test_skipped_sections_come_from_the_last_run_marked_with_its_date(tmp_path, monkeypatch):
    monkeypatch.setattr(measure_budgets, "OUT_DIR", tmp_path)
    notebooks = [{"notebook": "chapters/x.md", "seconds": 3.0, "peak_mib": 100.0, "error": None, "within_budget": True}]
    previous = {"environment": _environment("2026-01-01 10:00 UTC", "aaaaaaa"), "notebooks": notebooks}
    (tmp_path / "latest.json").write_text(json.dumps(previous), encoding="utf-8")

    results = {"environment": _environment("2026-02-02 12:00 UTC", "bbbbbbb")}
    measure_budgets.carry_skipped(results, {"notebooks": True, "build": True, "suite": False})
    assert results["notebooks"] == notebooks
    assert results["carried"] == {"notebooks": "2026-01-01 10:00 UTC (commit aaaaaaa)"}  # no build to carry

    page = measure_budgets.report(results)
    assert "Measured on 2026-02-02 12:00 UTC" in page
    assert "from the run of 2026-01-01 10:00 UTC (commit aaaaaaa)" in page
    assert "`chapters/x.md` | 3.0" in page
    assert "Not measured in this run (`--skip-build`)." in page

    # carried twice: the note still names the run that measured them
    (tmp_path / "latest.json").write_text(json.dumps(results), encoding="utf-8")
    again = {"environment": _environment("2026-03-03 09:00 UTC", "ccccccc")}
    measure_budgets.carry_skipped(again, {"notebooks": True, "build": True, "suite": True})
    assert again["carried"] == {"notebooks": "2026-01-01 10:00 UTC (commit aaaaaaa)"}


def test_the_activation_speed_table_is_carried_too(tmp_path, monkeypatch):
    """A run with --skip-activations --keep-skipped keeps the last measured speed table, marked with its date."""
    monkeypatch.setattr(measure_budgets, "OUT_DIR", tmp_path)
    speed = {"rows": [], "mlp": []}
    previous = {"environment": _environment("2026-01-01 10:00 UTC", "aaaaaaa"), "activations": speed}
    (tmp_path / "latest.json").write_text(json.dumps(previous), encoding="utf-8")
    results = {"environment": _environment("2026-02-02 12:00 UTC", "bbbbbbb")}
    measure_budgets.carry_skipped(results, {"activations": True})
    assert results["activations"] == speed
    assert results["carried"] == {"activations": "2026-01-01 10:00 UTC (commit aaaaaaa)"}
    assert "from the run of 2026-01-01 10:00 UTC" in measure_budgets.carried_note(results, "activations")


def test_a_section_measured_in_this_run_is_not_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(measure_budgets, "OUT_DIR", tmp_path)
    previous = {"environment": _environment("2026-01-01 10:00 UTC", "aaaaaaa"), "notebooks": [{"old": True}]}
    (tmp_path / "latest.json").write_text(json.dumps(previous), encoding="utf-8")
    results = {"environment": _environment("2026-02-02 12:00 UTC", "bbbbbbb"), "notebooks": [{"new": True}]}
    measure_budgets.carry_skipped(results, {"notebooks": False, "build": True, "suite": True})
    assert results["notebooks"] == [{"new": True}] and "carried" not in results


def test_the_suite_is_timed_with_the_markers_make_test_quick_leaves_out(tmp_path):
    """The benchmark reads QUICK_MARKERS from the Makefile, which test-quick runs with; every marker named
    there is one the suite declares."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    expression = measure_budgets.quick_markers()
    assert measure_budgets.SUITE_COMMAND[measure_budgets.SUITE_COMMAND.index("-m", 2) + 1] == expression
    assert '-m "$(QUICK_MARKERS)"' in (root / "Makefile").read_text(encoding="utf-8")
    declared = (root / "pyproject.toml").read_text(encoding="utf-8") + (root / "tests" / "conftest.py").read_text(
        encoding="utf-8"
    )
    named = set(re.findall(r"not (\w+)", expression))
    assert {"binder", "editions", "grading"} <= named
    assert all(re.search(rf'"{name}: ', declared) for name in named), named
    (tmp_path / "Makefile").write_text("test:\n\tpytest\n", encoding="utf-8")
    try:
        measure_budgets.quick_markers(tmp_path / "Makefile")
    except SystemExit as error:
        assert "QUICK_MARKERS" in str(error)
    else:
        raise AssertionError("a Makefile without QUICK_MARKERS was accepted")


def test_the_whole_suite_is_timed_as_make_test_runs_it():
    """The benchmark's whole-suite command is make test's pytest: two workers and no marker left out."""
    import re
    from pathlib import Path

    recipe = re.search(r"^test:.*\n\t(.+)$", (Path(__file__).resolve().parents[1] / "Makefile").read_text(), re.M)
    assert recipe, "the Makefile has no test target"
    make_test = recipe.group(1).split()
    full = measure_budgets.FULL_SUITE_COMMAND
    assert full[:4] == make_test[1:5] == ["-m", "pytest", "-n", "2"], (full, make_test)
    assert "-m" not in full[2:] and "-m" not in make_test[2:], "make test runs every marker"
    assert measure_budgets.SUITE_COMMAND == [*full[:4], "-m", measure_budgets.quick_markers(), *full[4:]]


def test_the_whole_suite_row_shows_its_time_and_a_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(measure_budgets, "OUT_DIR", tmp_path)
    build = {"seconds": 140.0, "exit_code": 0, "within_budget": True}
    full = {"seconds": 800.0, "exit_code": 0, "build_reused": True, "summary": "9 passed in 800s", "failed": []}
    results = {"environment": _environment("2026-02-02 12:00 UTC", "bbbbbbb"), "build": build, "full_suite": full}
    page = measure_budgets.report(results)
    row = next(line for line in page.splitlines() if "whole test suite (`make test`" in line)
    assert "| 800 | 0 | no budget of its own |" in row and "9 passed in 800s" in row, row
    failed = measure_budgets.report({**results, "full_suite": {**full, "exit_code": 1}})
    assert "| 800 | 1 | no budget of its own: **failed** |" in failed

    (tmp_path / "latest.json").write_text(json.dumps(results), encoding="utf-8")
    again = {"environment": _environment("2026-03-03 09:00 UTC", "ccccccc"), "build": build}
    measure_budgets.carry_skipped(again, {"full_suite": True})
    assert again["full_suite"] == full
    assert "the whole suite's time is from the run of 2026-02-02 12:00 UTC" in measure_budgets.report(again)


def test_a_suite_without_a_budget_is_neither_within_nor_over_it():
    """measure_suite on a stand-in command: its exit code and last line are kept; with no budget,
    ``within_budget`` is None rather than a verdict against the quick suite's 5 min."""
    stand_in = ["-c", "print('3 passed in 0.01s')"]
    timed = measure_budgets.measure_suite(stand_in, "a stand-in", budget_s=None)
    assert timed["exit_code"] == 0 and timed["summary"] == "3 passed in 0.01s" and timed["within_budget"] is None
    assert measure_budgets.measure_suite(stand_in, "a stand-in", budget_s=60.0)["within_budget"] is True
    failing = measure_budgets.measure_suite(["-c", "raise SystemExit(1)"], "a stand-in", budget_s=60.0)
    assert failing["exit_code"] == 1 and failing["within_budget"] is False
