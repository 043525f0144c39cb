"""Run one notebook's exercises in this process and write each verdict as a JSON line.

    python -m simulators.course.checking.worker NOTEBOOK RESULTS_FILE EXERCISE_ID... [--timeout S]

The parent (`hooklab check`, `hooklab grade`) starts one of these per notebook
and learner, so a learner whose code hangs or kills the interpreter costs only
that run. After a timeout the worker writes the verdict and exits at once: the
hung code is still running, and the parent starts a fresh worker for the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from functools import partial

from simulators.course.checking.notebook import notebook_namespace
from simulators.course.checking.registry import load_check, registry
from simulators.course.checking.runner import run_check

OUTPUT_EXCERPT = 2000
EXIT_TIMED_OUT = 3


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.course.checking.worker")
    parser.add_argument("notebook")
    parser.add_argument("results")
    parser.add_argument("exercises", nargs="+")
    parser.add_argument("--timeout", type=float, default=None)
    args = parser.parse_args(argv)
    for exercise_id in args.exercises:
        load_check(exercise_id)
    with open(args.results, "a", encoding="utf-8") as out:
        for exercise_id in args.exercises:
            exercise = registry.get(exercise_id)
            captured = io.StringIO()
            # The learner's prints must not mix with the verdicts; keep an excerpt for the report.
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                result = run_check(
                    exercise, partial(notebook_namespace, args.notebook, exercise_id), timeout=args.timeout
                )
            row = result.as_dict()
            row["details"] = {key: value for key, value in row["details"].items() if _jsonable(value)}
            if captured.getvalue():
                row["details"]["output"] = captured.getvalue()[:OUTPUT_EXCERPT]
            out.write(json.dumps(row) + "\n")
            out.flush()
            if result.details.get("timed_out"):
                os._exit(EXIT_TIMED_OUT)  # the learner's code is still running in a thread we cannot stop
    sys.stdout.flush()
    os._exit(0)  # threads the learner started must not keep this process alive


def _jsonable(value: object) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


if __name__ == "__main__":
    main()
