"""Grade a folder of lab submissions with an autograder bundle, without Docker, into one CSV.

    python scripts/grade_labs.py BUNDLE.zip SUBMISSIONS/ --csv grades.csv

``SUBMISSIONS/`` holds one notebook per student: ``<student>.ipynb``, or ``<student>/<anything>.ipynb``
(one notebook in each student's folder, as learning platforms export them). Each is run with
``otter run`` (which executes the notebook in a temporary folder and runs every test of the bundle,
hidden ones included), and the CSV gets one row per student and exercise:

    student,exercise,points,max_points,total,max_total

A notebook that cannot be graded at all (not a notebook, or otter fails on it) gets a row with
exercise ``ERROR`` and the reason in a ``note`` column, and the others are still graded. Points come
from the hidden tests only (the public tests carry 0 points; see the instructor guide).

otter prints "No log found with which to verify student scores" for each notebook: otter can compare
its scores with a log the student's own ``grader.check`` calls left (``.OTTER_LOG``, only in a zip
exported with ``grader.export``); a plain notebook has none, so nothing is compared. The scores are
otter's own in either case.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

FIELDS = ["student", "exercise", "points", "max_points", "total", "max_total", "note"]


def submissions(folder: Path) -> dict[str, Path]:
    """Student name -> notebook, from ``folder/<student>.ipynb`` or ``folder/<student>/<one>.ipynb``."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix == ".ipynb":
            found[path.stem] = path
        elif path.is_dir() and not path.name.startswith("."):
            notebooks = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
            if len(notebooks) == 1:
                found[path.name] = notebooks[0]
            elif notebooks:
                raise SystemExit(f"{path}: {len(notebooks)} notebooks, expected one per student")
    return found


def per_exercise(results: dict) -> dict[str, tuple[float, float]]:
    """Exercise -> (points, max points) from otter's results.json (its test entries are named 'exN_M...')."""
    scores: dict[str, tuple[float, float]] = {}
    for test in results.get("tests", []):
        if test.get("score") is None or test.get("max_score") is None:  # otter's "Public Tests" summary
            continue
        exercise = test["name"].split(" ")[0]
        points, possible = scores.get(exercise, (0.0, 0.0))
        scores[exercise] = (points + float(test["score"]), possible + float(test["max_score"]))
    return scores


def grade_one(bundle: Path, notebook: Path, work: Path, timeout: int) -> dict[str, tuple[float, float]]:
    """Run otter on one notebook; return its points per exercise (raises RuntimeError when otter fails)."""
    work.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "otter",
        "run",
        "--no-logo",
        "-a",
        str(bundle.resolve()),
        "-o",
        str(work),
        str(notebook.resolve()),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=work, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise RuntimeError(f"otter run took longer than {timeout} s") from e
    results = work / "results.json"
    if done.returncode != 0 or not results.exists():
        raise RuntimeError(
            (done.stderr or done.stdout).strip().splitlines()[-1]
            if (done.stderr or done.stdout)
            else f"otter run exited with {done.returncode}"
        )
    return per_exercise(json.loads(results.read_text(encoding="utf-8")))


def grade(bundle: Path, folder: Path, csv_path: Path, timeout: int = 600) -> list[dict]:
    """Grade every submission of ``folder`` with ``bundle``; write and return the CSV rows."""
    rows: list[dict] = []
    exercises: dict[str, float] = {}
    graded: dict[str, dict[str, tuple[float, float]] | str] = {}
    with tempfile.TemporaryDirectory(prefix="grade-labs-") as tmp:
        for student, notebook in submissions(folder).items():
            try:
                graded[student] = grade_one(bundle, notebook, Path(tmp) / student, timeout)
                for exercise, (_, possible) in graded[student].items():
                    exercises[exercise] = possible
            except RuntimeError as error:
                graded[student] = str(error)
            print(f"{student}: {'graded' if isinstance(graded[student], dict) else 'ERROR ' + graded[student]}")
    max_total = sum(exercises.values())
    for student, scores in graded.items():
        if isinstance(scores, str):
            rows.append(
                {
                    "student": student,
                    "exercise": "ERROR",
                    "points": 0,
                    "max_points": max_total,
                    "total": 0,
                    "max_total": max_total,
                    "note": scores,
                }
            )
            continue
        total = sum(points for points, _ in scores.values())
        for exercise, possible in sorted(exercises.items()):
            points = scores.get(exercise, (0.0, possible))[0]
            rows.append(
                {
                    "student": student,
                    "exercise": exercise,
                    "points": _number(points),
                    "max_points": _number(possible),
                    "total": _number(total),
                    "max_total": _number(max_total),
                    "note": "",
                }
            )
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _number(value: float):
    return int(value) if float(value).is_integer() else round(value, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bundle", type=Path, help="the lab's autograder zip (from scripts/make_labs.py)")
    parser.add_argument("folder", type=Path, help="one notebook per student: <student>.ipynb or <student>/<x>.ipynb")
    parser.add_argument("--csv", type=Path, default=Path("grades.csv"), help="where to write the grades")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per notebook")
    args = parser.parse_args(argv)
    if not args.bundle.is_file() or not args.folder.is_dir():
        print(f"need an autograder zip and a folder of submissions: {args.bundle}, {args.folder}", file=sys.stderr)
        return 1
    rows = grade(args.bundle, args.folder, args.csv, args.timeout)
    students = {row["student"] for row in rows}
    print(f"{len(students)} submissions graded -> {args.csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
