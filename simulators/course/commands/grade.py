"""`hooklab grade`: run every exercise check over many learners' copies and write a report."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from simulators.course.checking import load_checks, registry
from simulators.course.checking.batch import grade, write_gradebook, write_gradescope, write_report, write_steps
from simulators.course.checking.sandbox import keep_private
from simulators.course.commands import add_check_options


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "grade",
        help="check many learners' copies and write a CSV/JSON report",
        description="Treat each DIR as one learner's copy of the course (its exercises/*.ipynb) and run every "
        "registered check on it, each exercise's learner code in a confined process with a time limit, so one "
        "hanging or crashing learner never stops the batch. Run as root, each learner's code runs as the owner of "
        "their folder (nobody for root's), never as root. Writes learner, exercise, status (pass, fail, error, "
        "timeout, missing), score (the share of the check's steps that held; 0 for cells as handed out), ok, "
        "message.",
    )
    parser.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="a learner's copy of the course")
    parser.add_argument(
        "--out",
        type=Path,
        action="append",
        default=[],
        metavar="REPORT",
        help="write the report here: .csv or .json (repeatable; default: grades.csv)",
    )
    parser.add_argument(
        "--exercise",
        action="append",
        default=[],
        metavar="ID",
        help="grade only this exercise, such as ex02_poller (repeatable; default: every one)",
    )
    parser.add_argument("--steps", type=Path, metavar="CSV", help="also write one line per learner, exercise and step")
    parser.add_argument(
        "--gradebook", type=Path, metavar="CSV", help="also write a gradebook that Canvas and Moodle import"
    )
    parser.add_argument(
        "--gradescope", type=Path, metavar="DIR", help="also write Gradescope's DIR/<learner>/results.json"
    )
    parser.add_argument("--points", type=int, default=10, help="points per exercise in the gradebook (default 10)")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="learners checked at once")
    add_check_options(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    missing = [str(folder) for folder in args.dirs if not folder.is_dir()]
    if missing:
        print(f"hooklab grade: not a folder: {', '.join(missing)}")
        return 2
    outs = args.out or [Path("grades.csv")]
    bad = [out.name for out in outs if out.suffix.lower() not in (".csv", ".json")]
    bad += [out.name for out in (args.steps, args.gradebook) if out is not None and out.suffix.lower() != ".csv"]
    if bad:
        print(f"hooklab grade: a report is .csv or .json (--steps and --gradebook: .csv), not {', '.join(bad)}")
        return 2
    if args.points < 1:
        print(f"hooklab grade: --points is a whole number of 1 or more, not {args.points}")
        return 2
    try:
        load_checks(args.checks, course=args.course_checks)
    except (FileNotFoundError, ImportError) as exc:
        print(f"hooklab grade: {exc}")
        return 2
    exercises = registry.all()
    if not exercises:
        print("hooklab grade: no exercises are registered yet")
        return 2
    unknown = [name for name in args.exercise if name not in registry]
    if unknown:
        print(f"hooklab grade: no exercise {unknown[0]!r}; the exercises are: {', '.join(e.id for e in exercises)}")
        return 2
    if args.exercise:
        exercises = [entry for entry in exercises if entry.id in args.exercise]
    keep_private()  # learners' code running as this user must not reach into this process (see sandbox.py)
    rows = grade(args.dirs, exercises, timeout=args.timeout, jobs=args.jobs, checks=args.checks)
    for out in outs:
        write_report(rows, out)
    if args.steps is not None:
        outs.append(write_steps(rows, args.steps))
    if args.gradebook is not None:
        outs.append(write_gradebook(rows, args.gradebook, points=args.points))
    if args.gradescope is not None:
        write_gradescope(rows, args.gradescope, points=args.points)
        outs.append(args.gradescope)
    for learner in dict.fromkeys(row.learner for row in rows):
        mine = [row for row in rows if row.learner == learner]
        errors = sum(row.status == "error" for row in mine)
        note = f" ({errors} could not run, not counted as attempts)" if errors else ""
        print(f"{learner}: {sum(row.ok for row in mine)} of {len(mine)} exercises pass their checks{note}")
    print(f"report: {', '.join(str(out) for out in outs)}")
    return 0
