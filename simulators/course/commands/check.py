"""`hooklab check`: run the exercise checks on your notebooks from the shell."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from simulators.course.checking import load_checks, registry
from simulators.course.checking.batch import course_root, notebook_groups, run_notebook
from simulators.course.commands import add_check_options


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "check",
        help="run the exercise checks on your exercise notebooks",
        description="Run the cells tagged 'exercise' of each exercise notebook in a fresh process and check them "
        "against a live lab. Prints one verdict per exercise; exits 1 if any check does not pass.",
    )
    parser.add_argument("exercise", nargs="?", help="only this exercise, such as ex02_poller (default: all of them)")
    parser.add_argument("--solutions", action="store_true", help="check the solutions/ notebooks instead of exercises/")
    parser.add_argument(
        "--path",
        type=Path,
        help="a notebook (any file name: name the exercise too), or a folder of notebooks, to check instead",
    )
    add_check_options(parser)
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        load_checks(args.checks, course=args.course_checks)
    except (FileNotFoundError, ImportError) as exc:
        print(f"hooklab check: {exc}")
        return 2
    exercises = registry.all()
    if args.exercise is not None:
        if args.exercise not in registry:
            known = ", ".join(entry.id for entry in exercises) or "none yet"
            print(f"hooklab check: no exercise {args.exercise!r}; the exercises are: {known}")
            return 2
        exercises = [registry.get(args.exercise)]
    folder = args.path if args.path is not None else course_root() / ("solutions" if args.solutions else "exercises")
    if folder.suffix == ".ipynb":
        if not folder.is_file():
            print(f"hooklab check: no notebook {folder}")
            return 2
        if args.exercise is None:  # a file named like the course's notebook: its exercises
            exercises = [entry for entry in exercises if entry.notebook == folder.stem]
        if not exercises:
            print(
                f"hooklab check: no exercise is registered for notebook {folder.stem!r}; name the exercise to check"
                " it against this file: hooklab check EXERCISE --path FILE.ipynb"
            )
            return 2
        groups = [(folder, exercises)]
    else:
        if not folder.is_dir():
            print(f"hooklab check: no folder {folder}")
            return 2
        groups = notebook_groups(folder, exercises)
    if not groups:
        print("hooklab check: no exercises are registered yet")
        return 0
    results = [
        result
        for notebook, members in groups
        for result in run_notebook(notebook, members, timeout=args.timeout, checks=args.checks)
    ]
    passed = sum(result.ok for result in results)
    if args.json:
        print(
            json.dumps(
                {"results": [result.as_dict() for result in results], "passed": passed, "total": len(results)}, indent=2
            )
        )
    else:
        for result in results:
            print(result)
            print()
        verdict = "the checks pass" if passed == len(results) else "not every check passes yet"
        print(f"{passed} of {len(results)} exercises: {verdict}")
    return 0 if passed == len(results) else 1
