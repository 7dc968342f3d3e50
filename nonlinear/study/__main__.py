"""``python -m nonlinear.study [--name NAME ...] [--jobs N] [--force] [--list]``: the command behind ``make results``."""

import argparse

from nonlinear.study import store


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nonlinear.study", description=__doc__)
    parser.add_argument("--name", action="append", help="run only this experiment (repeatable); always reruns it")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--force", action="store_true", help="rerun experiments whose stored results are fresh")
    parser.add_argument("--list", action="store_true", help="list the experiments and whether their results are fresh")
    args = parser.parse_args(argv)
    if args.list:
        for name, exp in sorted(store.experiments().items()):
            state = "fresh" if store.is_fresh(name) else "stale or missing"
            print(f"{name:32s} {len(exp.tasks()):4d} runs  {state}")
        return
    walls = store.run(args.name, jobs=args.jobs, force=args.force)
    for name, seconds in walls.items():
        print(f"{name:32s} {seconds:8.1f} s")


if __name__ == "__main__":
    main()
